/* A frame source over the command line's inputs: video files, image files
 * and folders of images, decoded with libavformat/libavcodec, handed out
 * one SalFrame at a time in presentation order.
 *
 * Every input path is a "file"; a folder stands for its image files sorted
 * by name. A video file yields all its decoded frames, an image file one.
 * Frames are numbered across all files, so a list of images reads as one
 * sequence and several videos read as one after the other. */
#ifndef SALMAP_INPUT_H
#define SALMAP_INPUT_H

#include <glib.h>
#include <libavutil/frame.h>

#include "saliency.h"

G_BEGIN_DECLS

typedef struct _SalmapInput SalmapInput;

typedef struct
{
  int index;                    /* 0-based, across all inputs */
  const char *path;             /* the input file the frame came from */
  /* For an image file, its basename without extension (to name outputs
   * after it); NULL for the frames of a video. */
  const char *name;
  int file_index;               /* 0-based within path */
  double time;                  /* seconds (presentation time), or NAN */
  /* First frame of a video file: what came before is another clip, and
   * temporal state should not carry over. Images of a list are one clip. */
  gboolean new_clip;
  /* The decoded frame as libav gave it, before any conversion, for tools
   * that need more than pixels (timestamps, colour description). */
  const AVFrame *av_frame;
} SalmapFrameInfo;

/* Expands folders and checks that the inputs exist; files are opened one
 * at a time as reading reaches them. */
SalmapInput *salmap_input_new (const char *const *paths, GError ** error);
void salmap_input_free (SalmapInput * input);

/* The next frame, in a format the engine reads (converted when the
 * decoder's is not). frame and info stay valid until the next call.
 * Returns FALSE at the end with error unset, or FALSE with error set. */
gboolean salmap_input_next (SalmapInput * input, SalFrame * frame,
    SalmapFrameInfo * info, GError ** error);

/* How many frames the inputs hold, as far as known now: image files count
 * one each, videos what their container says once they are opened.
 * -1 when a container does not say. For progress displays only. */
int salmap_input_get_n_frames (SalmapInput * input);

struct SwsContext;
/* Sets sws to read f with its own range and colour matrix (BT.601 when it
 * names none) and write full or video range. Call before each sws_scale of
 * a cached context. */
void salmap_sws_set_colorspace (struct SwsContext *sws, const AVFrame * f,
    gboolean dst_full_range);

/* Number of files after folders are expanded. */
guint salmap_input_get_n_files (SalmapInput * input);

G_END_DECLS

#endif /* SALMAP_INPUT_H */
