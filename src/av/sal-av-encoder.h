/* Opening libx264/libx265 through libavcodec for saliency-guided encoding:
 * one set of settings and checks for salmap encode and saliencyenc. */
#ifndef SAL_AV_ENCODER_H
#define SAL_AV_ENCODER_H

#include <glib.h>
#include <libavcodec/avcodec.h>

#include "sal-av-params.h"

G_BEGIN_DECLS

typedef struct
{
  const char *codec;            /* "libx264" or "libx265" */
  const char *preset;
  const char *tune;             /* NULL: none */
  const char *params;           /* NULL, or x264-params / x265-params */
  int bitrate_kbps;             /* > 0: average bitrate; else crf */
  double crf;
  int pass;                     /* 0: one pass; 1 or 2 of a two-pass */
  const char *stats;            /* two-pass statistics file */
  int width, height;
  AVRational fps;
  gboolean global_header;       /* the container wants headers apart */
  gboolean full_range;          /* 0-255 YUV (JPEG's), signalled as such */
  int roi_block;                /* side of the offset blocks attached to
                                 * the frames (sal_av_encoder_check's);
                                 * 0: none */
} SalAvEncoderSettings;

/* Checks what libav would reject late or ignore silently: an unknown
 * codec, preset, tune or parameter, and, when uses_roi, settings that
 * switch adaptive quantisation off (the encoders then skip every region of
 * interest: x264's ultrafast, tune psnr, aq-mode=0, aq-strength=0 without
 * mb-tree). Fills *resolved (may be NULL): among others whether the
 * encoder will ignore offsets, and the side of the blocks it reads them
 * for (16, or 8 for libx265 with qg-size=8). */
gboolean sal_av_encoder_check (const SalAvEncoderSettings * s,
    gboolean uses_roi, SalAvParams * resolved, GError ** error);

/* An opened YUV420P encoder, or NULL with error set. */
AVCodecContext *sal_av_encoder_open (const SalAvEncoderSettings * s,
    GError ** error);

G_END_DECLS

#endif
