/* GStreamer saliency-guided encoder
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-saliencyenc
 * @title: saliencyenc
 * @see_also: saliency, #GstSaliencyMeta, x264enc
 *
 * Encodes H.264 (libx264) or H.265 (libx265), through FFmpeg's libavcodec,
 * with more bits where people look. It reads the #GstSaliencyMeta that the
 * saliency element attaches to each frame and turns the map into a QP
 * offset per 16x16 block (8x8 for libx265 with qg-size=8 in
 * #GstSaliencyEnc:option-string), with the same rule as `salmap encode`
 * (docs/compression.md): offsets that follow the log of the block's
 * saliency relative to an even spread, smoothed over time, scaled by
 * #GstSaliencyEnc:roi-strength and with zero mean, so that the rate control
 * keeps the frame's average QP and only moves bits between blocks.
 *
 * x264enc and x265enc cannot take per-block offsets in GStreamer 1.22;
 * this element exists for that reason. A frame without a #GstSaliencyMeta
 * is encoded without offsets (with a warning, once).
 *
 * Put saliency right before the encoder: a scaler or a crop between them
 * keeps the meta (it covers the whole frame at its own resolution), but
 * anything that moves the picture within the frame would misplace it.
 *
 * Settings that turn the encoder's adaptive quantisation off (x264's
 * ultrafast preset, tune psnr, aq-mode=0 in #GstSaliencyEnc:option-string)
 * would make it ignore every offset: they are refused with an error unless
 * #GstSaliencyEnc:roi-strength is 0.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 filesrc location=clip.mp4 ! decodebin ! videoconvert ! \
 *   saliency mode=none ! saliencyenc bitrate=500 ! h264parse ! mp4mux ! \
 *   filesink location=out.mp4
 * ]|
 * A live camera, for low latency:
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! saliency mode=none ! \
 *   saliencyenc bitrate=2000 tune=zerolatency option-string=keyint=60 ! \
 *   h264parse ! rtph264pay ! udpsink host=127.0.0.1 port=5000
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsaliencyenc.h"

#include <libavutil/frame.h>

#include "gstsaliencymeta.h"
#include "sal-av-encoder.h"
#include "sal-qp-attach.h"
#include "saliency.h"

GST_DEBUG_CATEGORY_STATIC (gst_saliency_enc_debug);
#define GST_CAT_DEFAULT gst_saliency_enc_debug

#define DEFAULT_CODEC "libx264"
#define DEFAULT_PRESET "medium"
#define DEFAULT_BITRATE 0
#define DEFAULT_CRF 23.0
#define DEFAULT_ROI_STRENGTH 1.0
#define DEFAULT_PASS 0
/* Frames libx264/libx265 may hold before the first packet (lookahead and
 * B-frames at the slower presets), for the latency answer. */
#define ENCODER_DELAY_FRAMES 64

enum
{
  PROP_0,
  PROP_CODEC,
  PROP_PRESET,
  PROP_TUNE,
  PROP_OPTION_STRING,
  PROP_BITRATE,
  PROP_CRF,
  PROP_ROI_STRENGTH,
  PROP_PASS,
  PROP_STATS_FILE,
};

struct _GstSaliencyEnc
{
  GstVideoEncoder parent;

  /* Properties, under the object lock. */
  gchar *codec_name;
  gchar *preset;
  gchar *tune;
  gchar *option_string;
  guint bitrate;
  gdouble crf;
  gdouble roi_strength;
  guint pass;
  gchar *stats_file;

  /* Streaming state. */
  GstVideoCodecState *input_state;
  AVCodecContext *ctx;
  AVFrame *frame;
  AVPacket *pkt;
  SalQp *qp;
  int block;                    /* the encoder's offset block: 16 or 8 */
  gboolean roi_ignored;         /* the settings turn AQ off */
  gboolean warned_roi_ignored;
  gdouble qp_strength;          /* the strength qp was made with */
  gboolean warned_no_meta;
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE ("I420")));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-h264, stream-format = (string) byte-stream, "
        "alignment = (string) au; "
        "video/x-h265, stream-format = (string) byte-stream, "
        "alignment = (string) au"));

#define gst_saliency_enc_parent_class parent_class
G_DEFINE_TYPE (GstSaliencyEnc, gst_saliency_enc, GST_TYPE_VIDEO_ENCODER);
GST_ELEMENT_REGISTER_DEFINE (saliencyenc, "saliencyenc", GST_RANK_NONE,
    GST_TYPE_SALIENCY_ENC);

static void
gst_saliency_enc_close_codec (GstSaliencyEnc * self)
{
  avcodec_free_context (&self->ctx);
  g_clear_pointer (&self->qp, sal_qp_free);
}

static gboolean
gst_saliency_enc_open_codec (GstSaliencyEnc * self)
{
  GstVideoInfo *info = &self->input_state->info;
  SalAvEncoderSettings s = { 0 };
  SalAvParams resolved;
  GError *error = NULL;
  gboolean ok;

  GST_OBJECT_LOCK (self);
  s.codec = self->codec_name;
  s.preset = self->preset;
  s.tune = self->tune;
  s.params = self->option_string;
  s.bitrate_kbps = self->bitrate;
  s.crf = self->crf;
  s.pass = self->pass;
  s.stats = self->stats_file;
  s.full_range = info->colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255;
  s.width = GST_VIDEO_INFO_WIDTH (info) & ~1;
  s.height = GST_VIDEO_INFO_HEIGHT (info) & ~1;
  s.fps = GST_VIDEO_INFO_FPS_N (info) > 0 ? (AVRational) {
  GST_VIDEO_INFO_FPS_N (info), GST_VIDEO_INFO_FPS_D (info)} : (AVRational) {
  25, 1};
  ok = sal_av_encoder_check (&s, self->roi_strength > 0, &resolved, &error);
  if (ok) {
    self->block = resolved.roi_block;
    self->roi_ignored = resolved.aq_off;
    /* Even at roi-strength 0: it may rise while playing. */
    s.roi_block = resolved.roi_block;
  }
  if (ok && s.pass > 0 && !s.stats) {
    g_set_error (&error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "pass %u needs stats-file: the first pass writes it, the second "
        "reads it", s.pass);
    ok = FALSE;
  }
  if (ok)
    self->ctx = sal_av_encoder_open (&s, &error);
  GST_OBJECT_UNLOCK (self);

  if (!ok || !self->ctx) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("Cannot set up the %s encoder.", s.codec), ("%s", error->message));
    g_error_free (error);
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_saliency_enc_start (GstVideoEncoder * encoder)
{
  GstSaliencyEnc *self = GST_SALIENCY_ENC (encoder);

  self->frame = av_frame_alloc ();
  self->pkt = av_packet_alloc ();
  self->warned_no_meta = FALSE;
  self->warned_roi_ignored = FALSE;
  return TRUE;
}

static gboolean
gst_saliency_enc_stop (GstVideoEncoder * encoder)
{
  GstSaliencyEnc *self = GST_SALIENCY_ENC (encoder);

  gst_saliency_enc_close_codec (self);
  av_frame_free (&self->frame);
  av_packet_free (&self->pkt);
  g_clear_pointer (&self->input_state, gst_video_codec_state_unref);
  return TRUE;
}

static GstFlowReturn gst_saliency_enc_finish (GstVideoEncoder * encoder);

static gboolean
gst_saliency_enc_set_format (GstVideoEncoder * encoder,
    GstVideoCodecState * state)
{
  GstSaliencyEnc *self = GST_SALIENCY_ENC (encoder);
  GstVideoCodecState *out;
  GstCaps *caps;
  gboolean h265;
  GstClockTime frame_ns;

  /* New caps: whatever was queued is encoded with the old settings. */
  if (self->ctx)
    gst_saliency_enc_finish (encoder);
  gst_saliency_enc_close_codec (self);
  g_clear_pointer (&self->input_state, gst_video_codec_state_unref);
  self->input_state = gst_video_codec_state_ref (state);
  if (!gst_saliency_enc_open_codec (self))
    return FALSE;

  GST_OBJECT_LOCK (self);
  h265 = g_strcmp0 (self->codec_name, "libx265") == 0;
  GST_OBJECT_UNLOCK (self);
  caps = gst_caps_new_simple (h265 ? "video/x-h265" : "video/x-h264",
      "stream-format", G_TYPE_STRING, "byte-stream",
      "alignment", G_TYPE_STRING, "au", NULL);
  out = gst_video_encoder_set_output_state (encoder, caps, state);
  /* Odd sizes lose their last row or column (4:2:0). */
  out->info.width = self->ctx->width;
  out->info.height = self->ctx->height;
  gst_video_codec_state_unref (out);

  frame_ns = gst_util_uint64_scale (GST_SECOND, self->ctx->framerate.den,
      self->ctx->framerate.num);
  gst_video_encoder_set_latency (encoder, 0, ENCODER_DELAY_FRAMES * frame_ns);
  return gst_video_encoder_negotiate (encoder);
}

/* Pushes every packet the encoder has ready. */
static GstFlowReturn
gst_saliency_enc_drain (GstSaliencyEnc * self)
{
  GstVideoEncoder *encoder = GST_VIDEO_ENCODER (self);
  GstFlowReturn flow = GST_FLOW_OK;
  int ret;

  while ((ret = avcodec_receive_packet (self->ctx, self->pkt)) >= 0) {
    GstVideoCodecFrame *frame = gst_video_encoder_get_frame (encoder,
        (int) self->pkt->pts);

    if (!frame) {
      GST_WARNING_OBJECT (self, "no frame for packet %" G_GINT64_FORMAT,
          self->pkt->pts);
      av_packet_unref (self->pkt);
      continue;
    }
    frame->output_buffer = gst_buffer_new_memdup (self->pkt->data,
        self->pkt->size);
    if (self->pkt->flags & AV_PKT_FLAG_KEY)
      GST_VIDEO_CODEC_FRAME_SET_SYNC_POINT (frame);
    av_packet_unref (self->pkt);
    flow = gst_video_encoder_finish_frame (encoder, frame);
    if (flow != GST_FLOW_OK)
      break;
  }
  if (ret < 0 && ret != AVERROR (EAGAIN) && ret != AVERROR_EOF) {
    GST_ELEMENT_ERROR (self, STREAM, ENCODE, ("Encoding failed."),
        ("avcodec_receive_packet: %s", av_err2str (ret)));
    return GST_FLOW_ERROR;
  }
  return flow;
}

/* The frame's offsets from its saliency meta, as ROI side data. */
static gboolean
gst_saliency_enc_attach_offsets (GstSaliencyEnc * self, GstBuffer * buf)
{
  GstSaliencyMeta *meta = gst_buffer_get_saliency_meta (buf);
  gdouble strength;
  SalMap map;
  const float *offsets;
  GError *error = NULL;
  int bx, by;

  GST_OBJECT_LOCK (self);
  strength = self->roi_strength;
  GST_OBJECT_UNLOCK (self);
  if (strength <= 0)
    return TRUE;                /* the plain encoder: no side data at all */
  if (!meta) {
    if (!self->warned_no_meta) {
      GST_ELEMENT_WARNING (self, STREAM, FORMAT,
          ("Frames without saliency maps are encoded without offsets."),
          ("no GstSaliencyMeta on frame %" GST_TIME_FORMAT ": put the "
              "saliency element before saliencyenc",
              GST_TIME_ARGS (GST_BUFFER_PTS (buf))));
      self->warned_no_meta = TRUE;
    }
    return TRUE;
  }
  /* Settings without AQ pass the check at open only at strength 0: the
   * strength has risen since. */
  if (self->roi_ignored) {
    if (!self->warned_roi_ignored) {
      GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS,
          ("The encoder ignores saliency offsets with these settings."),
          ("roi-strength rose above 0 while playing, but preset, tune or "
              "option-string turn adaptive quantisation off: set a nonzero "
              "roi-strength before starting to have them checked"));
      self->warned_roi_ignored = TRUE;
    }
    return TRUE;
  }
  if (!self->qp || self->qp_strength != strength) {
    g_clear_pointer (&self->qp, sal_qp_free);
    self->qp = sal_qp_new (self->ctx->width, self->ctx->height, self->block,
        strength);
    self->qp_strength = strength;
  }
  /* The rule reads the map only. */
  map.width = meta->width;
  map.height = meta->height;
  map.data = (float *) meta->data;
  map.max = meta->max;
  map.peak_x = meta->peak_x;
  map.peak_y = meta->peak_y;
  offsets = sal_qp_update (self->qp, &map);
  sal_qp_get_blocks (self->qp, &bx, &by);
  if (!sal_qp_attach (offsets, bx, by, self->block, self->frame, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, ("%s", error->message),
        (NULL));
    g_error_free (error);
    return FALSE;
  }
  return TRUE;
}

static GstFlowReturn
gst_saliency_enc_handle_frame (GstVideoEncoder * encoder,
    GstVideoCodecFrame * frame)
{
  GstSaliencyEnc *self = GST_SALIENCY_ENC (encoder);
  GstVideoFrame vframe;
  GstFlowReturn flow;
  int ret;

  if (!self->ctx && !gst_saliency_enc_open_codec (self)) {
    gst_video_codec_frame_unref (frame);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (GST_BUFFER_FLAG_IS_SET (frame->input_buffer, GST_BUFFER_FLAG_DISCONT)
      && self->qp)
    sal_qp_reset (self->qp);
  if (!gst_video_frame_map (&vframe, &self->input_state->info,
          frame->input_buffer, GST_MAP_READ)) {
    gst_video_codec_frame_unref (frame);
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("Cannot read a frame."),
        (NULL));
    return GST_FLOW_ERROR;
  }

  /* The encoder copies the picture in avcodec_send_frame. */
  av_frame_unref (self->frame);
  self->frame->format = AV_PIX_FMT_YUV420P;
  self->frame->width = self->ctx->width;
  self->frame->height = self->ctx->height;
  for (int i = 0; i < 3; i++) {
    self->frame->data[i] = GST_VIDEO_FRAME_PLANE_DATA (&vframe, i);
    self->frame->linesize[i] = GST_VIDEO_FRAME_PLANE_STRIDE (&vframe, i);
  }
  self->frame->pts = frame->system_frame_number;
  if (GST_VIDEO_CODEC_FRAME_IS_FORCE_KEYFRAME (frame))
    self->frame->pict_type = AV_PICTURE_TYPE_I;

  if (!gst_saliency_enc_attach_offsets (self, frame->input_buffer)) {
    gst_video_frame_unmap (&vframe);
    gst_video_codec_frame_unref (frame);
    return GST_FLOW_ERROR;
  }
  ret = avcodec_send_frame (self->ctx, self->frame);
  av_frame_unref (self->frame);
  gst_video_frame_unmap (&vframe);
  gst_video_codec_frame_unref (frame);
  if (ret < 0) {
    GST_ELEMENT_ERROR (self, STREAM, ENCODE, ("Encoding failed."),
        ("avcodec_send_frame: %s", av_err2str (ret)));
    return GST_FLOW_ERROR;
  }
  flow = gst_saliency_enc_drain (self);
  return flow;
}

static GstFlowReturn
gst_saliency_enc_finish (GstVideoEncoder * encoder)
{
  GstSaliencyEnc *self = GST_SALIENCY_ENC (encoder);
  GstFlowReturn flow;

  if (!self->ctx)
    return GST_FLOW_OK;
  avcodec_send_frame (self->ctx, NULL);
  flow = gst_saliency_enc_drain (self);
  /* A drained libavcodec encoder takes no more frames: the next frame
   * (after a seek, say) opens a new one. */
  gst_saliency_enc_close_codec (self);
  return flow;
}

static gboolean
gst_saliency_enc_flush (GstVideoEncoder * encoder)
{
  GstSaliencyEnc *self = GST_SALIENCY_ENC (encoder);

  /* libx264 cannot drop what it holds: start over. */
  gst_saliency_enc_close_codec (self);
  return TRUE;
}

static gboolean
gst_saliency_enc_propose_allocation (GstVideoEncoder * encoder,
    GstQuery * query)
{
  gst_query_add_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);
  return GST_VIDEO_ENCODER_CLASS (parent_class)->propose_allocation (encoder,
      query);
}

static void
gst_saliency_enc_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstSaliencyEnc *self = GST_SALIENCY_ENC (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_CODEC:
      g_free (self->codec_name);
      self->codec_name = g_value_dup_string (value);
      break;
    case PROP_PRESET:
      g_free (self->preset);
      self->preset = g_value_dup_string (value);
      break;
    case PROP_TUNE:
      g_free (self->tune);
      self->tune = g_value_dup_string (value);
      break;
    case PROP_OPTION_STRING:
      g_free (self->option_string);
      self->option_string = g_value_dup_string (value);
      break;
    case PROP_BITRATE:
      self->bitrate = g_value_get_uint (value);
      break;
    case PROP_CRF:
      self->crf = g_value_get_double (value);
      break;
    case PROP_ROI_STRENGTH:
      self->roi_strength = g_value_get_double (value);
      break;
    case PROP_PASS:
      self->pass = g_value_get_uint (value);
      break;
    case PROP_STATS_FILE:
      g_free (self->stats_file);
      self->stats_file = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_saliency_enc_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstSaliencyEnc *self = GST_SALIENCY_ENC (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_CODEC:
      g_value_set_string (value, self->codec_name);
      break;
    case PROP_PRESET:
      g_value_set_string (value, self->preset);
      break;
    case PROP_TUNE:
      g_value_set_string (value, self->tune);
      break;
    case PROP_OPTION_STRING:
      g_value_set_string (value, self->option_string);
      break;
    case PROP_BITRATE:
      g_value_set_uint (value, self->bitrate);
      break;
    case PROP_CRF:
      g_value_set_double (value, self->crf);
      break;
    case PROP_ROI_STRENGTH:
      g_value_set_double (value, self->roi_strength);
      break;
    case PROP_PASS:
      g_value_set_uint (value, self->pass);
      break;
    case PROP_STATS_FILE:
      g_value_set_string (value, self->stats_file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_saliency_enc_finalize (GObject * object)
{
  GstSaliencyEnc *self = GST_SALIENCY_ENC (object);

  g_free (self->codec_name);
  g_free (self->preset);
  g_free (self->tune);
  g_free (self->option_string);
  g_free (self->stats_file);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_saliency_enc_class_init (GstSaliencyEncClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstVideoEncoderClass *venc_class = GST_VIDEO_ENCODER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  gobject_class->set_property = gst_saliency_enc_set_property;
  gobject_class->get_property = gst_saliency_enc_get_property;
  gobject_class->finalize = gst_saliency_enc_finalize;

  g_object_class_install_property (gobject_class, PROP_CODEC,
      g_param_spec_string ("codec", "Codec",
          "libavcodec encoder: libx264 (H.264) or libx265 (H.265). Read "
          "when the caps are set", DEFAULT_CODEC,
          flags | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_PRESET,
      g_param_spec_string ("preset", "Preset",
          "Encoder preset, ultrafast ... placebo (ultrafast turns x264's "
          "adaptive quantisation off and with it the offsets: it is refused "
          "unless roi-strength is 0)", DEFAULT_PRESET,
          flags | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_TUNE,
      g_param_spec_string ("tune", "Tune",
          "Encoder tune: film, animation, grain, stillimage, psnr, ssim, "
          "fastdecode or zerolatency, or several joined by ',' (NULL: none; "
          "psnr turns adaptive quantisation off and is refused unless "
          "roi-strength is 0)", NULL, flags | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_OPTION_STRING,
      g_param_spec_string ("option-string", "Option string",
          "More encoder settings, key=value pairs joined by ':', as "
          "x264-params or x265-params take them (e.g. keyint=60:bframes=2). "
          "Settings that turn adaptive quantisation off are refused unless "
          "roi-strength is 0; with libx265, qg-size=8 gives 8x8 offset "
          "blocks", NULL, flags | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_BITRATE,
      g_param_spec_uint ("bitrate", "Bitrate",
          "Average bitrate in kbit/s; 0: constant quality (crf)", 0,
          G_MAXINT / 1000, DEFAULT_BITRATE, flags | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_CRF,
      g_param_spec_double ("crf", "CRF",
          "Constant rate factor when bitrate is 0", 0, 51, DEFAULT_CRF,
          flags | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_ROI_STRENGTH,
      g_param_spec_double ("roi-strength", "ROI strength",
          "Scale of the saliency QP offsets: 1 is 2 QP per doubling of a "
          "block's saliency, at most 8 QP either way; 0: no offsets at all "
          "(a plain encode). Changeable while playing", 0, 10,
          DEFAULT_ROI_STRENGTH, flags | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_PASS,
      g_param_spec_uint ("pass", "Pass",
          "0: one pass; 1: first pass of two (writes stats-file); 2: second "
          "pass (reads it). Two-pass needs bitrate", 0, 2, DEFAULT_PASS,
          flags | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_STATS_FILE,
      g_param_spec_string ("stats-file", "Stats file",
          "Two-pass statistics file", NULL, flags | GST_PARAM_MUTABLE_READY));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Saliency-guided video encoder", "Codec/Encoder/Video",
      "H.264/H.265 through libavcodec with more bits where people look, "
      "from the saliency element's maps",
      "gst-saliency developers");

  venc_class->start = GST_DEBUG_FUNCPTR (gst_saliency_enc_start);
  venc_class->stop = GST_DEBUG_FUNCPTR (gst_saliency_enc_stop);
  venc_class->set_format = GST_DEBUG_FUNCPTR (gst_saliency_enc_set_format);
  venc_class->handle_frame = GST_DEBUG_FUNCPTR (gst_saliency_enc_handle_frame);
  venc_class->finish = GST_DEBUG_FUNCPTR (gst_saliency_enc_finish);
  venc_class->flush = GST_DEBUG_FUNCPTR (gst_saliency_enc_flush);
  venc_class->propose_allocation =
      GST_DEBUG_FUNCPTR (gst_saliency_enc_propose_allocation);

  GST_DEBUG_CATEGORY_INIT (gst_saliency_enc_debug, "saliencyenc", 0,
      "saliency-guided encoder");
}

static void
gst_saliency_enc_init (GstSaliencyEnc * self)
{
  self->codec_name = g_strdup (DEFAULT_CODEC);
  self->preset = g_strdup (DEFAULT_PRESET);
  self->bitrate = DEFAULT_BITRATE;
  self->crf = DEFAULT_CRF;
  self->roi_strength = DEFAULT_ROI_STRENGTH;
  self->pass = DEFAULT_PASS;
}
