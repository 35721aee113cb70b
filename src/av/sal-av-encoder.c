/* libx264/libx265 opened for saliency-guided encoding: sal-av-encoder.h. */
#include "sal-av-encoder.h"
#include "saliency.h"

#include <libavutil/error.h>
#include <libavutil/opt.h>

gboolean
sal_av_encoder_check (const SalAvEncoderSettings * s, gboolean uses_roi,
    SalAvParams * resolved, GError ** error)
{
  SalAvParams p;

  if (!sal_av_params_resolve (s->codec, s->preset, s->tune, s->params, &p,
          error))
    return FALSE;
  if (!avcodec_find_encoder_by_name (s->codec)) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "this FFmpeg has no %s encoder: install a libavcodec built with it "
        "(Debian's libavcodec59 is)", s->codec);
    return FALSE;
  }
  if (uses_roi && p.aq_off) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "preset %s%s%s%s%s turns %s's adaptive quantisation off (aq-mode "
        "%d, aq-strength %.2g, %s %s), and it then ignores the saliency "
        "offsets: change what turns it off, or turn it back on with the "
        "parameters aq-mode=1:aq-strength=1, or use roi-strength 0 for a "
        "plain encode", s->preset,
        s->tune ? ", tune " : "", s->tune ? s->tune : "",
        s->params ? " and " : "", s->params ? s->params : "", s->codec,
        p.aq_mode, p.aq_strength,
        g_strcmp0 (s->codec, "libx265") == 0 ? "cutree" : "mb-tree",
        p.mb_tree ? "on" : "off");
    return FALSE;
  }
  if (resolved)
    *resolved = p;
  return TRUE;
}

AVCodecContext *
sal_av_encoder_open (const SalAvEncoderSettings * s, GError ** error)
{
  const AVCodec *codec = avcodec_find_encoder_by_name (s->codec);
  AVCodecContext *c;
  char errbuf[AV_ERROR_MAX_STRING_SIZE];
  int ret;

  if (!codec) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "no %s encoder in this FFmpeg", s->codec);
    return NULL;
  }
  /* With qg-size 8, libavcodec 5.1 allocates one offset per 8x8 block of
   * the frame, and libx265 reads one per 8x8 block of the frame rounded up
   * to 16: past the end of the buffer unless both sides are multiples of
   * 16. */
  if (s->roi_block == 8 && (s->width % 16 != 0 || s->height % 16 != 0)) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "libx265 with qg-size=8 takes per-block offsets only at frame sizes "
        "in multiples of 16, not %dx%d (libavcodec would hand it fewer "
        "than it reads): scale or crop the video, or leave qg-size at 16",
        s->width, s->height);
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
  if (s->tune && *s->tune
      && av_opt_set (c->priv_data, "tune", s->tune, 0) < 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "%s has no option tune", s->codec);
    avcodec_free_context (&c);
    return NULL;
  }
  /* The encoders' own summaries go to libav's log at info level, which an
   * application (or gst-libav) may show: keep them to errors. The user's
   * parameters come last, as on x264's and x265's command lines. */
  if (g_strcmp0 (s->codec, "libx265") == 0) {
    /* libx265 takes two-pass settings through x265-params only. */
    GString *p = g_string_new ("log-level=error");

    if (s->pass > 0)
      g_string_append_printf (p, ":pass=%d:stats=%s", s->pass, s->stats);
    if (s->params && *s->params)
      g_string_append_printf (p, ":%s", s->params);
    av_opt_set (c->priv_data, "x265-params", p->str, 0);
    g_string_free (p, TRUE);
  } else {
    char *p = g_strconcat ("log=0", s->params && *s->params ? ":" : "",
        s->params ? s->params : "", NULL);

    av_opt_set (c->priv_data, "x264-params", p, 0);
    g_free (p);
    if (s->pass > 0) {
      c->flags |= s->pass == 1 ? AV_CODEC_FLAG_PASS1 : AV_CODEC_FLAG_PASS2;
      av_opt_set (c->priv_data, "stats", s->stats, 0);
    }
  }

  ret = avcodec_open2 (c, codec, NULL);
  if (ret < 0) {
    av_strerror (ret, errbuf, sizeof (errbuf));
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "cannot open %s with preset \"%s\"%s%s%s%s: %s", s->codec,
        s->preset, s->tune ? ", tune " : "", s->tune ? s->tune : "",
        s->params ? " and " : "", s->params ? s->params : "", errbuf);
    avcodec_free_context (&c);
    return NULL;
  }
  return c;
}

