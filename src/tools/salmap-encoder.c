/* libx264/libx265 through libavcodec into a libavformat container. */
#include "salmap-encoder.h"
#include "salmap.h"
#include "sal-av-encoder.h"

#include <errno.h>
#include <math.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

struct _SalmapEncoder
{
  SalmapEncoderSettings s;
  AVCodecContext *ctx;
  AVFormatContext *out;         /* NULL in pass 1 */
  AVStream *video;
  char *tmp_path;
  gboolean finished;
  gint64 size;
  /* Audio copied from the input. */
  AVFormatContext *in;
  int in_audio;                 /* stream index in in, or -1 */
  AVStream *audio;
  AVPacket *pkt;
  gboolean audio_done;
};

static gboolean
open_codec (SalmapEncoder * enc, GError ** error)
{
  SalAvEncoderSettings as = enc->s.codec;

  as.global_header = enc->out
      && (enc->out->oformat->flags & AVFMT_GLOBALHEADER);
  enc->ctx = sal_av_encoder_open (&as, error);
  return enc->ctx != NULL;
}

/* The input's first audio stream, if any, to copy into the output. */
static gboolean
open_audio (SalmapEncoder * enc, GError ** error)
{
  AVStream *st;
  int ret;

  enc->in_audio = -1;
  if (!enc->s.audio_from
      || avformat_open_input (&enc->in, enc->s.audio_from, NULL, NULL) < 0
      || avformat_find_stream_info (enc->in, NULL) < 0)
    return TRUE;                /* images, or nothing to copy: no audio */
  enc->in_audio = av_find_best_stream (enc->in, AVMEDIA_TYPE_AUDIO, -1, -1,
      NULL, 0);
  if (enc->in_audio < 0)
    return TRUE;
  st = enc->in->streams[enc->in_audio];
  if (avformat_query_codec (enc->out->oformat, st->codecpar->codec_id,
          FF_COMPLIANCE_NORMAL) != 1) {
    g_printerr ("salmap: %s: its %s audio cannot go into %s; writing video "
        "only\n", enc->s.audio_from, avcodec_get_name (st->codecpar->codec_id),
        enc->out->oformat->name);
    enc->in_audio = -1;
    return TRUE;
  }
  enc->audio = avformat_new_stream (enc->out, NULL);
  ret = avcodec_parameters_copy (enc->audio->codecpar, st->codecpar);
  if (ret < 0) {
    salmap_set_av_error (error, SALMAP_ERROR_OUTPUT, ret, "copying audio");
    return FALSE;
  }
  enc->audio->codecpar->codec_tag = 0;
  enc->audio->time_base = st->time_base;
  return TRUE;
}

/* Copies audio packets up to time t (seconds; INFINITY: all). */
static gboolean
copy_audio (SalmapEncoder * enc, double t, GError ** error)
{
  AVStream *in_st;
  int ret;

  if (enc->in_audio < 0 || enc->audio_done)
    return TRUE;
  in_st = enc->in->streams[enc->in_audio];
  for (;;) {
    if (enc->pkt->size == 0) {
      ret = av_read_frame (enc->in, enc->pkt);
      if (ret < 0) {
        enc->audio_done = TRUE;
        return TRUE;
      }
      if (enc->pkt->stream_index != enc->in_audio) {
        av_packet_unref (enc->pkt);
        continue;
      }
    }
    if (enc->pkt->pts != AV_NOPTS_VALUE
        && enc->pkt->pts * av_q2d (in_st->time_base) > t)
      return TRUE;              /* keep it for later */
    enc->pkt->stream_index = enc->audio->index;
    av_packet_rescale_ts (enc->pkt, in_st->time_base, enc->audio->time_base);
    enc->pkt->pos = -1;
    ret = av_interleaved_write_frame (enc->out, enc->pkt);
    av_packet_unref (enc->pkt);
    if (ret < 0) {
      salmap_set_av_error (error, SALMAP_ERROR_OUTPUT, ret,
          "%s: writing audio", enc->s.output);
      return FALSE;
    }
  }
}

SalmapEncoder *
salmap_encoder_new (const SalmapEncoderSettings * s, GError ** error)
{
  SalmapEncoder *enc = g_new0 (SalmapEncoder, 1);
  int ret;

  enc->s = *s;
  enc->in_audio = -1;
  enc->pkt = av_packet_alloc ();
  if (s->output) {
    char *dir = g_path_get_dirname (s->output);
    char *base = g_path_get_basename (s->output);

    /* Beside the output, so the final rename stays on one file system. */
    enc->tmp_path = g_strdup_printf ("%s/.%s.%u.partial", dir, base,
        (unsigned) getpid ());
    g_free (dir);
    g_free (base);
    ret = avformat_alloc_output_context2 (&enc->out, NULL, NULL, s->output);
    if (ret < 0) {
      salmap_set_av_error (error, SALMAP_ERROR_OUTPUT, ret,
          "%s: no container for this file name (use .mp4, .mkv or .mov)",
          s->output);
      goto fail;
    }
  }
  if (!open_codec (enc, error))
    goto fail;
  if (enc->out) {
    enc->video = avformat_new_stream (enc->out, NULL);
    avcodec_parameters_from_context (enc->video->codecpar, enc->ctx);
    enc->video->time_base = enc->ctx->time_base;
    enc->video->avg_frame_rate = s->codec.fps;
    if (!open_audio (enc, error))
      goto fail;
    ret = avio_open (&enc->out->pb, enc->tmp_path, AVIO_FLAG_WRITE);
    if (ret < 0) {
      salmap_set_av_error (error, SALMAP_ERROR_OUTPUT, ret,
          "cannot write %s", s->output);
      goto fail;
    }
    ret = avformat_write_header (enc->out, NULL);
    if (ret < 0) {
      salmap_set_av_error (error, SALMAP_ERROR_OUTPUT, ret,
          "%s: writing the header", s->output);
      goto fail;
    }
  }
  return enc;

fail:
  salmap_encoder_free (enc);
  return NULL;
}

/* Sends frame (NULL: flush) and writes what comes out. */
static gboolean
encode (SalmapEncoder * enc, AVFrame * frame, GError ** error)
{
  AVPacket *pkt = av_packet_alloc ();
  int ret = avcodec_send_frame (enc->ctx, frame);

  while (ret >= 0) {
    ret = avcodec_receive_packet (enc->ctx, pkt);
    if (ret == AVERROR (EAGAIN) || ret == AVERROR_EOF) {
      ret = 0;
      break;
    }
    if (ret < 0 || !enc->out) {
      av_packet_unref (pkt);
      continue;
    }
    av_packet_rescale_ts (pkt, enc->ctx->time_base, enc->video->time_base);
    pkt->stream_index = enc->video->index;
    if (!copy_audio (enc, pkt->dts * av_q2d (enc->video->time_base), error)) {
      av_packet_free (&pkt);
      return FALSE;
    }
    ret = av_interleaved_write_frame (enc->out, pkt);
  }
  av_packet_free (&pkt);
  if (ret < 0) {
    salmap_set_av_error (error, SALMAP_ERROR_OUTPUT, ret, "%s: encoding",
        enc->s.output ? enc->s.output : "first pass");
    return FALSE;
  }
  return TRUE;
}

gboolean
salmap_encoder_write (SalmapEncoder * enc, AVFrame * frame, GError ** error)
{
  return encode (enc, frame, error);
}

gboolean
salmap_encoder_finish (SalmapEncoder * enc, GError ** error)
{
  int ret;

  if (!encode (enc, NULL, error))
    return FALSE;
  if (!enc->out) {
    enc->finished = TRUE;
    return TRUE;
  }
  if (!copy_audio (enc, INFINITY, error))
    return FALSE;
  ret = av_write_trailer (enc->out);
  if (ret >= 0)
    enc->size = avio_size (enc->out->pb);
  avio_closep (&enc->out->pb);
  if (ret < 0) {
    salmap_set_av_error (error, SALMAP_ERROR_OUTPUT, ret,
        "%s: finishing the file", enc->s.output);
    return FALSE;
  }
  if (g_rename (enc->tmp_path, enc->s.output) != 0) {
    int saved = errno;
    g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_OUTPUT,
        "cannot write %s: %s", enc->s.output, g_strerror (saved));
    return FALSE;
  }
  enc->finished = TRUE;
  return TRUE;
}

gint64
salmap_encoder_get_size (SalmapEncoder * enc)
{
  return enc->size;
}

void
salmap_encoder_free (SalmapEncoder * enc)
{
  if (!enc)
    return;
  avcodec_free_context (&enc->ctx);
  if (enc->out) {
    if (enc->out->pb)
      avio_closep (&enc->out->pb);
    avformat_free_context (enc->out);
  }
  if (enc->tmp_path && !enc->finished)
    g_remove (enc->tmp_path);
  avformat_close_input (&enc->in);
  av_packet_free (&enc->pkt);
  g_free (enc->tmp_path);
  g_free (enc);
}
