/* libx264/libx265 opened for saliency-guided encoding: sal-av-encoder.h. */
#include "sal-av-encoder.h"
#include "saliency.h"

#include <libavutil/error.h>
#include <libavutil/opt.h>

gboolean
sal_av_encoder_check (const char *codec, const char *preset,
    gboolean uses_roi, GError ** error)
{
  if (g_strcmp0 (codec, "libx264") != 0 && g_strcmp0 (codec, "libx265") != 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "unknown codec \"%s\": use libx264 or libx265 (the encoders that "
        "read per-block QP offsets)", codec);
    return FALSE;
  }
  if (!avcodec_find_encoder_by_name (codec)) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "this FFmpeg has no %s encoder: install a libavcodec built with it "
        "(Debian's libavcodec59 is)", codec);
    return FALSE;
  }
  /* x264's ultrafast sets aq-mode 0; libx264 and libx265 then skip every
   * region of interest with only a warning. */
  if (uses_roi && g_strcmp0 (preset, "ultrafast") == 0
      && g_strcmp0 (codec, "libx264") == 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "preset ultrafast turns x264's adaptive quantisation off, and "
        "libx264 then ignores the saliency offsets: use superfast or a "
        "slower preset, or --roi-strength 0 for a plain encode");
    return FALSE;
  }
  return TRUE;
}

AVCodecContext *
sal_av_encoder_open (const SalAvEncoderSettings * s, GError ** error)
{
  const AVCodec *codec = avcodec_find_encoder_by_name (s->codec);
  AVCodecContext *c;
  char *x265_params = NULL;
  char errbuf[AV_ERROR_MAX_STRING_SIZE];
  int ret;

  if (!codec) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "no %s encoder in this FFmpeg", s->codec);
    return NULL;
  }
  c = avcodec_alloc_context3 (codec);
  c->width = s->width;
  c->height = s->height;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->time_base = av_inv_q (s->fps);
  c->framerate = s->fps;
  c->sample_aspect_ratio = (AVRational) {
  1, 1};
  c->color_range = s->full_range ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
  if (s->global_header)
    c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (av_opt_set (c->priv_data, "preset", s->preset, 0) < 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "%s has no option preset", s->codec);
    avcodec_free_context (&c);
    return NULL;
  }
  if (s->bitrate_kbps > 0) {
    c->bit_rate = (int64_t) s->bitrate_kbps * 1000;
  } else {
    char crf[32];
    g_ascii_dtostr (crf, sizeof (crf), s->crf);
    av_opt_set (c->priv_data, "crf", crf, 0);
  }
  /* The encoders' own summaries go to libav's log at info level, which an
   * application (or gst-libav) may show: keep them to errors. */
  if (g_strcmp0 (s->codec, "libx265") == 0) {
    /* libx265 takes two-pass settings through x265-params only. */
    x265_params = s->pass > 0 ?
        g_strdup_printf ("log-level=error:pass=%d:stats=%s", s->pass,
        s->stats) : g_strdup ("log-level=error");
    av_opt_set (c->priv_data, "x265-params", x265_params, 0);
    g_free (x265_params);
  } else {
    av_opt_set (c->priv_data, "x264-params", "log=0", 0);
    if (s->pass > 0) {
      c->flags |= s->pass == 1 ? AV_CODEC_FLAG_PASS1 : AV_CODEC_FLAG_PASS2;
      av_opt_set (c->priv_data, "stats", s->stats, 0);
    }
  }

  ret = avcodec_open2 (c, codec, NULL);
  if (ret < 0) {
    av_strerror (ret, errbuf, sizeof (errbuf));
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "cannot open %s with preset \"%s\" (presets are ultrafast, "
        "superfast, veryfast, faster, fast, medium, slow, slower, veryslow, "
        "placebo): %s", s->codec, s->preset, errbuf);
    avcodec_free_context (&c);
    return NULL;
  }
  return c;
}

