/* The encoding half of salmap encode: libavcodec's libx264/libx265 into a
 * container written by libavformat, with the input's audio copied.
 *
 * The file is written under a temporary name beside the output and renamed
 * only when complete, so a failed or interrupted run never leaves a file
 * that looks finished. */
#ifndef SALMAP_ENCODER_H
#define SALMAP_ENCODER_H

#include <glib.h>
#include <libavutil/frame.h>
#include <libavutil/rational.h>

#include "sal-av-encoder.h"

G_BEGIN_DECLS

typedef struct
{
  SalAvEncoderSettings codec;   /* global_header is set from the container */
  const char *output;           /* NULL: pass 1, nothing written */
  const char *audio_from;       /* copy its audio, if it has any; or NULL */
} SalmapEncoderSettings;

typedef struct _SalmapEncoder SalmapEncoder;

SalmapEncoder *salmap_encoder_new (const SalmapEncoderSettings * s,
    GError ** error);
/* Encodes frame (YUV420P at the settings' size; its pts in frames). */
gboolean salmap_encoder_write (SalmapEncoder * enc, AVFrame * frame,
    GError ** error);
/* Flushes, copies the rest of the audio, writes the trailer and renames the
 * file into place. */
gboolean salmap_encoder_finish (SalmapEncoder * enc, GError ** error);
/* Bytes written to the output (after finish). */
gint64 salmap_encoder_get_size (SalmapEncoder * enc);
/* Removes the temporary file if finish did not complete. */
void salmap_encoder_free (SalmapEncoder * enc);

G_END_DECLS

#endif
