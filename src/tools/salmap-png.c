/* PNG output; see salmap-png.h. */
#include "salmap-png.h"

#include <math.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>

#include "salmap.h"

struct _SalmapPng
{
  AVCodecContext *enc;          /* open for enc->width x enc->height */
  AVFrame *frame;
  AVPacket *pkt;
  guint8 *gray;                 /* map scaled to 8 bits */
  size_t gray_size;
};

SalmapPng *
salmap_png_new (void)
{
  SalmapPng *png = g_new0 (SalmapPng, 1);

  png->frame = av_frame_alloc ();
  png->pkt = av_packet_alloc ();
  if (png->frame == NULL || png->pkt == NULL)
    g_error ("out of memory");
  return png;
}

void
salmap_png_free (SalmapPng * png)
{
  if (png == NULL)
    return;
  avcodec_free_context (&png->enc);
  av_frame_free (&png->frame);
  av_packet_free (&png->pkt);
  g_free (png->gray);
  g_free (png);
}

static gboolean
ensure_encoder (SalmapPng * png, int width, int height, GError ** error)
{
  const AVCodec *codec;
  int ret;

  if (png->enc != NULL && png->enc->width == width
      && png->enc->height == height)
    return TRUE;
  avcodec_free_context (&png->enc);
  codec = avcodec_find_encoder (AV_CODEC_ID_PNG);
  if (codec == NULL) {
    g_set_error_literal (error, SALMAP_ERROR, SALMAP_ERROR_OUTPUT,
        "this FFmpeg has no PNG encoder");
    return FALSE;
  }
  png->enc = avcodec_alloc_context3 (codec);
  if (png->enc == NULL)
    g_error ("out of memory");
  png->enc->width = width;
  png->enc->height = height;
  png->enc->pix_fmt = AV_PIX_FMT_GRAY8;
  /* Unused by PNG, but encoders refuse to open without one. */
  png->enc->time_base = (AVRational) { 1, 25 };
  ret = avcodec_open2 (png->enc, codec, NULL);
  if (ret < 0) {
    avcodec_free_context (&png->enc);
    salmap_set_av_error (error, SALMAP_ERROR_OUTPUT, ret,
        "cannot open the PNG encoder for %dx%d", width, height);
    return FALSE;
  }
  return TRUE;
}

gboolean
salmap_png_write_gray8 (SalmapPng * png, const guint8 * pixels, int stride,
    int width, int height, const char *path, GError ** error)
{
  AVFrame *frame = png->frame;
  int ret;

  if (!ensure_encoder (png, width, height, error))
    return FALSE;

  /* The encoder only reads the frame: point it at the caller's pixels. */
  av_frame_unref (frame);
  frame->format = AV_PIX_FMT_GRAY8;
  frame->width = width;
  frame->height = height;
  frame->data[0] = (guint8 *) pixels;
  frame->linesize[0] = stride;

  ret = avcodec_send_frame (png->enc, frame);
  if (ret >= 0)
    ret = avcodec_receive_packet (png->enc, png->pkt);
  frame->data[0] = NULL;
  if (ret < 0) {
    salmap_set_av_error (error, SALMAP_ERROR_OUTPUT, ret,
        "%s: encoding PNG", path);
    return FALSE;
  }
  /* Written in place, no temporary and no fsync (CONSISTENT would fsync
   * on every overwrite): many small files that a rerun remakes. */
  ret = g_file_set_contents_full (path, (const char *) png->pkt->data,
      png->pkt->size, G_FILE_SET_CONTENTS_NONE, 0666, error);
  av_packet_unref (png->pkt);
  return ret;
}

gboolean
salmap_png_write_map (SalmapPng * png, const SalMap * map, const char *path,
    GError ** error)
{
  size_t n = (size_t) map->width * map->height;
  float scale = map->max > 0.0f ? 255.0f / map->max : 0.0f;

  if (png->gray_size < n) {
    g_free (png->gray);
    png->gray = g_malloc (n);
    png->gray_size = n;
  }
  for (size_t i = 0; i < n; i++) {
    float v = map->data[i] * scale;

    /* Clamped: max may be a hair below a value after float rounding, and
     * a NaN from a broken model must not become undefined behaviour. */
    png->gray[i] = v >= 255.0f ? 255 : v > 0.0f ? (guint8) lrintf (v) : 0;
  }
  return salmap_png_write_gray8 (png, png->gray, map->width, map->width,
      map->height, path, error);
}
