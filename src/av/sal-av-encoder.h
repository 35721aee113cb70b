/* Opening libx264/libx265 through libavcodec for saliency-guided encoding:
 * one set of settings and checks for salmap encode and saliencyenc. */
#ifndef SAL_AV_ENCODER_H
#define SAL_AV_ENCODER_H

#include <glib.h>
#include <libavcodec/avcodec.h>

G_BEGIN_DECLS

typedef struct
{
  const char *codec;            /* "libx264" or "libx265" */
  const char *preset;
  int bitrate_kbps;             /* > 0: average bitrate; else crf */
  double crf;
  int pass;                     /* 0: one pass; 1 or 2 of a two-pass */
  const char *stats;            /* two-pass statistics file */
  int width, height;
  AVRational fps;
  gboolean global_header;       /* the container wants headers apart */
  gboolean full_range;          /* 0-255 YUV (JPEG's), signalled as such */
} SalAvEncoderSettings;

/* Checks what libav would reject late or silently: an unknown codec, or a
 * preset that switches adaptive quantisation off (libx264 then ignores
 * every region of interest). */
gboolean sal_av_encoder_check (const char *codec, const char *preset,
    gboolean uses_roi, GError ** error);

/* An opened YUV420P encoder, or NULL with error set. */
AVCodecContext *sal_av_encoder_open (const SalAvEncoderSettings * s,
    GError ** error);

G_END_DECLS

#endif
