/* GStreamer saliency element
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-saliency
 * @title: saliency
 * @see_also: #GstSaliencyMeta, #GstVideoRegionOfInterestMeta
 *
 * Predicts where people look in a video. Each frame goes through
 * libsaliency on an OpenCL device and comes out with a saliency map: a
 * probability distribution over the frame, at the model's resolution.
 *
 * Every buffer leaving the element carries:
 *
 * * a #GstSaliencyMeta with the map at the model's resolution and the
 *   frame's aspect ratio (floats summing to 1; divide by
 *   #GstSaliencyMeta.max for [0, 1]), and the frame size it covers;
 *   gst_saliency_meta_sample() reads it at any frame pixel. See
 *   gstsaliencymeta.h and the gstreamer-saliency-1.0 pkg-config module;
 * * up to #GstSaliency:max-rois #GstVideoRegionOfInterestMeta of type
 *   "saliency", strongest first: the bounding boxes of the connected areas
 *   at or above #GstSaliency:roi-threshold times the peak, found on the
 *   map and given in frame pixels. Each has the
 *   params "roi/saliency" (score = region peak / frame peak in (0, 1],
 *   mass = probability inside the box, delta-qp) and, for the encoders that
 *   read them, "roi/vaapi" and "roi/msdk" (delta-qp). The delta-qp is
 *   #GstSaliency:roi-delta-qp scaled by the score. x264enc and x265enc
 *   ignore ROI metas.
 *
 * With #GstSaliency:post-messages, an element message "saliency" per frame:
 *
 * * timestamp, stream-time, running-time, duration (guint64): of the buffer
 * * width, height (gint): size of the frame, in which the positions are
 * * map-width, map-height (gint): size of the map (see #GstSaliencyMeta)
 * * peak-x, peak-y (gint): frame pixel at the centre of the map's largest
 *   sample
 * * max (gdouble): the probability of the map's largest sample
 * * mean (gdouble): mean of the map normalised to its peak, in (0, 1]; small
 *   when attention is focused, 1 when it is spread evenly
 * * regions (GstValueArray of GstStructure "region", with x, y, width,
 *   height (gint, pixels), score and mass (gdouble)): as the ROI metas
 * * reused (gboolean): the map is an earlier frame's (QoS or
 *   #GstSaliency:inference-interval, below)
 * * interval (gboolean): reused because of #GstSaliency:inference-interval
 * * age (guint): frames since the map was computed (0: this frame's)
 * * processing-time (guint64): nanoseconds spent on this frame
 * * frame (guint64): the frame's number, from 0 when the element started
 * * utc (guint64): the frame's wall-clock time, nanoseconds since the Unix
 *   epoch, and time-source (string) where it comes from: "reference" (a
 *   #GstReferenceTimestampMeta timestamp/x-ntp or timestamp/x-unix, e.g.
 *   from rtspsrc add-reference-timestamp-meta=true), "clock" (live
 *   pipelines: capture time, base time + running time on the pipeline
 *   clock, mapped to the system's real-time clock) or "arrival" (the
 *   real-time clock when the frame reached the element)
 * * source-id (string): #GstSaliency:source-id, or the element's name
 * * tags (string): #GstSaliency:tags as a JSON object ("{}" when unset)
 *
 * #GstSaliency:message-interval posts at most one such message per that
 * much running time. The same identity and time are in the
 * #GstSaliencyMeta of every buffer.
 *
 * With #GstSaliency:stats-interval, an element message "saliency-stats"
 * every that much real time, also sent downstream as a custom event (for
 * saliencypublish): source-id, frame and utc (of the last frame), period
 * (ns), frames, maps, input-fps, map-fps, reused-share, processing-p50,
 * -p90, -p99, -max (ns, over the period's frames), latency (ns, the
 * processing latency last reported) and live.
 *
 * ## Modes
 *
 * #GstSaliency:mode overlay (the default) blends a heatmap into the frame in
 * place: RGB formats in RGB; I420 and NV12 in their own YUV, with the chroma
 * coloured by the map at the centre of the pixels it covers; GRAY8 in luma.
 * The map is interpolated bilinearly to the frame's pixels as it is drawn.
 * mode map outputs the map instead of the picture, as GRAY8 video of the
 * same size and framerate (255 = the peak), interpolated the same way. mode none leaves the picture alone. The mode
 * can change in any state; a change to or from map renegotiates the source
 * pad's caps at the next frame, so downstream must accept both (put a
 * videoconvert after the element).
 *
 * mode prefilter low-passes, in place and in every input format, the
 * parts of the frame that are less salient than average, and leaves the
 * salient ones sharp: an encoder placed after it spends fewer bits where
 * nobody looks, and more, through its own rate control, where people do,
 * with no metadata to read (vp8enc, vaapi, hardware encoders, x264enc).
 * The blend weight comes from the same per-16x16-block field as
 * saliencyenc's QP offsets (relative density, smoothed over frames,
 * zero-mean; docs/compression.md), interpolated between block centres:
 * a block is blurred fully (a 9x9 tent kernel) where its strength-1 QP
 * offset times #GstSaliency:prefilter-strength reaches 4, and in
 * proportion below. prefilter-strength 0 leaves the frame bit-exact. The
 * field starts again wherever the model's state does (below); the metas
 * and messages are those of the unfiltered frame.
 *
 * #GstSaliency:model and #GstSaliency:device are read when the element goes
 * from READY to PAUSED; changing them later has no effect until the next
 * time. A model or device that cannot be used fails that state change with
 * an error message that says what to do.
 *
 * The temporal state of the model (the past frames it remembers) is reset
 * on FLUSH_STOP (seeks), on a buffer flagged DISCONT, on a jump of more
 * than a second in the timestamps, and when the input caps change; a
 * change of resolution in the middle of a stream just continues at the new
 * size.
 *
 * ## Live use, latency and QoS
 *
 * The element processes every frame in its streaming thread and holds on to
 * none. It answers LATENCY queries with the upstream latency plus its own
 * processing time: the #GstSaliency:latency property when set, otherwise
 * the largest time one frame took so far (posting a LATENCY message, in live
 * pipelines, when that grows by more than 10 %).
 *
 * With the #GstBaseTransform:qos property TRUE (the default), a frame that
 * the QoS events from downstream show to be late skips inference: it gets
 * the map of the previous frame (overlay, metas and messages included, with
 * "reused" set) instead of a new one, so a slow device lowers the rate of
 * maps, not of frames. No frame is ever dropped.
 *
 * #GstSaliency:inference-interval N computes a map for one frame in N and
 * gives the frames in between the latest map, marked as reused (flags
 * %GST_SALIENCY_META_FLAG_REUSED and %GST_SALIENCY_META_FLAG_INTERVAL and
 * the age in the meta, "reused", "interval" and "age" in the message):
 * a fixed share of the device for many cameras.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! saliency ! videoconvert ! autovideosink
 * ]| A heatmap over the camera picture.
 * |[
 * gst-launch-1.0 filesrc location=clip.mp4 ! decodebin ! videoconvert ! \
 *     saliency mode=overlay colormap=inferno alpha=0.6 ! videoconvert ! \
 *     x264enc ! mp4mux ! filesink location=heatmap.mp4
 * ]| Writes a copy of clip.mp4 with the heatmap drawn in.
 * |[
 * gst-launch-1.0 filesrc location=clip.mp4 ! decodebin ! videoconvert ! \
 *     saliency mode=map ! videoconvert ! x264enc ! mp4mux ! \
 *     filesink location=map.mp4
 * ]| Writes the saliency map of clip.mp4 as a gray video.
 * |[
 * gst-launch-1.0 -m videotestsrc pattern=ball num-buffers=30 ! \
 *     saliency mode=none model=classic post-messages=true ! fakesink
 * ]| Prints the peak, spread and regions of every frame.
 * |[
 * gst-launch-1.0 filesrc location=clip.mp4 ! decodebin ! videoconvert ! \
 *     saliency mode=prefilter ! videoconvert ! vp8enc ! webmmux ! \
 *     filesink location=out.webm
 * ]| Saliency-guided VP8: the encoder needs to know nothing about it.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsaliency-private.h"

#include <string.h>

GST_DEBUG_CATEGORY (gst_saliency_debug);

#define FORMATS "{ RGBx, BGRx, RGBA, BGRA, RGB, BGR, I420, NV12, GRAY8 }"

#define DEFAULT_MODE GST_SALIENCY_MODE_OVERLAY
#define DEFAULT_ALPHA 0.5
#define DEFAULT_PREFILTER_STRENGTH 0.5
#define DEFAULT_COLORMAP GST_SALIENCY_COLORMAP_TURBO
#define DEFAULT_ROI_THRESHOLD 0.5
#define DEFAULT_MAX_ROIS 4
#define DEFAULT_ROI_DELTA_QP -10
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_MODEL NULL
#define DEFAULT_DEVICE "auto"
#define DEFAULT_LATENCY -1
#define DEFAULT_INFERENCE_INTERVAL 1
#define DEFAULT_SOURCE_ID NULL
#define DEFAULT_TAGS NULL
#define DEFAULT_MESSAGE_INTERVAL 0
#define DEFAULT_STATS_INTERVAL 0

enum
{
  PROP_0,
  PROP_MODE,
  PROP_ALPHA,
  PROP_COLORMAP,
  PROP_ROI_THRESHOLD,
  PROP_MAX_ROIS,
  PROP_ROI_DELTA_QP,
  PROP_POST_MESSAGES,
  PROP_MODEL,
  PROP_DEVICE,
  PROP_DOMAIN,
  PROP_NET_SIZE,
  PROP_MODULO,
  PROP_STILL,
  PROP_LATENCY,
  PROP_QOS,
  PROP_INFERENCE_INTERVAL,
  PROP_SOURCE_ID,
  PROP_TAGS,
  PROP_MESSAGE_INTERVAL,
  PROP_STATS_INTERVAL,
  PROP_PREFILTER_STRENGTH,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (FORMATS)));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (FORMATS)));

#define gst_saliency_parent_class parent_class
G_DEFINE_TYPE (GstSaliency, gst_saliency, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (saliency, "saliency", GST_RANK_NONE,
    GST_TYPE_SALIENCY);

GType
gst_saliency_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SALIENCY_MODE_OVERLAY,
        "Blend a heatmap of the saliency map into the frame", "overlay"},
    {GST_SALIENCY_MODE_MAP,
        "Output the saliency map as GRAY8 video at the frame size", "map"},
    {GST_SALIENCY_MODE_NONE,
        "Leave the frame unchanged: metadata and messages only", "none"},
    {GST_SALIENCY_MODE_PREFILTER,
          "Blur the areas nobody looks at (prefilter-strength), for "
          "encoders that read no metadata", "prefilter"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType _type = g_enum_register_static ("GstSaliencyMode", values);
    g_once_init_leave (&type, _type);
  }
  return type;
}

static void gst_saliency_finalize (GObject * object);
static void gst_saliency_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_saliency_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static gboolean gst_saliency_start (GstBaseTransform * trans);
static gboolean gst_saliency_stop (GstBaseTransform * trans);
static gboolean gst_saliency_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_saliency_src_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_saliency_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query);
static gboolean gst_saliency_set_info (GstVideoFilter * filter,
    GstCaps * incaps, GstVideoInfo * in_info, GstCaps * outcaps,
    GstVideoInfo * out_info);

static void
gst_saliency_class_init (GstSaliencyClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  gobject_class->finalize = gst_saliency_finalize;
  gobject_class->set_property = gst_saliency_set_property;
  gobject_class->get_property = gst_saliency_get_property;

  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "What to do to the picture: draw a heatmap over it (overlay), "
          "replace it with the map as GRAY8 (map), nothing (none), or blur "
          "where nobody looks before an encoder (prefilter); metadata is "
          "attached in every mode",
          GST_TYPE_SALIENCY_MODE, DEFAULT_MODE,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_ALPHA,
      g_param_spec_double ("alpha", "Alpha",
          "Opacity of the heatmap in overlay mode: 0 leaves the frame as it "
          "is, 1 shows only the heatmap",
          0.0, 1.0, DEFAULT_ALPHA,
          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_PREFILTER_STRENGTH,
      g_param_spec_double ("prefilter-strength", "Pre-filter strength",
          "How much mode prefilter blurs the less salient areas: a 16x16 "
          "block is blurred fully where its QP offset of the saliency "
          "encoding rule times this reaches 4 QP, and in proportion below; "
          "0 leaves the frame untouched",
          0.0, 8.0, DEFAULT_PREFILTER_STRENGTH,
          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_COLORMAP,
      g_param_spec_enum ("colormap", "Colormap",
          "Colours of the heatmap in overlay mode, from the least to the "
          "most salient",
          GST_TYPE_SALIENCY_COLORMAP, DEFAULT_COLORMAP,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_ROI_THRESHOLD,
      g_param_spec_double ("roi-threshold", "ROI threshold",
          "A region of interest is a connected area where the map is at "
          "least this fraction of its peak",
          0.0, 1.0, DEFAULT_ROI_THRESHOLD,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_MAX_ROIS,
      g_param_spec_uint ("max-rois", "Maximum ROIs",
          "Number of GstVideoRegionOfInterestMeta (type \"saliency\") to "
          "attach per frame, strongest first (0 = none)",
          0, MAX_ROIS, DEFAULT_MAX_ROIS,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_ROI_DELTA_QP,
      g_param_spec_int ("roi-delta-qp", "ROI delta QP",
          "QP offset suggested to encoders for a region as strong as the "
          "peak (scaled by each region's score; negative = better quality), "
          "in the ROI params \"roi/saliency\", \"roi/vaapi\", \"roi/msdk\"",
          -51, 51, DEFAULT_ROI_DELTA_QP,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post an element message \"saliency\" per frame with its "
          "timestamp, peak-x, peak-y (pixels), max, mean and regions",
          DEFAULT_POST_MESSAGES,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Saliency model: NULL or \"default\" for the built-in learned "
          "model, \"classic\" for the weight-free model, \"centre\" for "
          "the centre prior, \"sr\" for spectral residual x centre prior, "
          "or the path of a model file "
          "(read when going to PAUSED)",
          DEFAULT_MODEL,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_string ("device", "Device",
          "OpenCL device: \"auto\" (a GPU if there is one), \"gpu\", "
          "\"cpu\", or a device index over all platforms "
          "(read when going to PAUSED)",
          DEFAULT_DEVICE,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_DOMAIN,
      g_param_spec_string ("domain", "Domain",
          "Model domain, for models trained on several data sets (UNISAL: "
          "DHF1K, Hollywood, UCFSports, SALICON); NULL for the model's "
          "default (read when going to PAUSED)",
          NULL,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_NET_SIZE,
      g_param_spec_string ("net-size", "Network size",
          "Size frames are resized to for the network, as HEIGHTxWIDTH "
          "(UNISAL: multiples of 32, e.g. 224x384); NULL for the model "
          "file's default (read when going to PAUSED)",
          NULL,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_MODULO,
      g_param_spec_int ("modulo", "Modulo",
          "Interleaved recurrent sequences: frame t continues the state of "
          "frame t-modulo; 0 for the domain's default (UNISAL: 5 for DHF1K, "
          "4 otherwise) (read when going to PAUSED)",
          0, 64, 0,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_STILL,
      g_param_spec_boolean ("still", "Still",
          "Treat every frame as an independent image: no temporal state "
          "(switching resets it)",
          FALSE,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_int64 ("latency", "Latency",
          "Processing latency in nanoseconds to add to the upstream latency "
          "in LATENCY queries; -1 = the longest time a frame took so far",
          -1, G_MAXINT64, DEFAULT_LATENCY,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_INFERENCE_INTERVAL,
      g_param_spec_uint ("inference-interval", "Inference interval",
          "Compute a new map every this many frames and reuse it for the "
          "frames in between (marked as reused in metas and messages); "
          "1 = a map for every frame",
          1, G_MAXINT, DEFAULT_INFERENCE_INTERVAL,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_SOURCE_ID,
      g_param_spec_string ("source-id", "Source ID",
          "Name of the camera or stream, copied into every meta, message "
          "and published result; NULL for the element's name",
          DEFAULT_SOURCE_ID,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_TAGS,
      g_param_spec_string ("tags", "Tags",
          "Operator data copied into every result: a JSON object "
          "({\"site\":\"north\"}) or a GstStructure (tags,site=north); "
          "refused with an error when it is neither",
          DEFAULT_TAGS,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_MESSAGE_INTERVAL,
      g_param_spec_uint64 ("message-interval", "Message interval",
          "With post-messages, at most one \"saliency\" message per this "
          "many nanoseconds of running time (0 = every frame)",
          0, G_MAXUINT64, DEFAULT_MESSAGE_INTERVAL,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_STATS_INTERVAL,
      g_param_spec_uint64 ("stats-interval", "Stats interval",
          "Post a \"saliency-stats\" element message (and send it "
          "downstream as an event) every this many nanoseconds of real "
          "time: rates, reused share, processing times, latency "
          "(0 = never)",
          0, G_MAXUINT64, DEFAULT_STATS_INTERVAL,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /* GstBaseTransform's qos, with what it means here. */
  g_object_class_install_property (gobject_class, PROP_QOS,
      g_param_spec_boolean ("qos", "QoS",
          "Handle Quality-of-Service events: a frame that is late skips "
          "inference and gets the previous map (no frame is ever dropped)",
          TRUE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Saliency", "Filter/Analyzer/Video",
      "Predicts where people look in video (OpenCL): attaches the saliency "
      "map and regions of interest to every frame, and can draw the map as "
      "a heatmap or output it as video",
      "The gst-saliency authors");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_saliency_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_saliency_stop);
  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_saliency_transform_caps);
  trans_class->fixate_caps = GST_DEBUG_FUNCPTR (gst_saliency_fixate_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_saliency_sink_event);
  trans_class->src_event = GST_DEBUG_FUNCPTR (gst_saliency_src_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_saliency_query);
  /* In place (overlay, none) is done here rather than by GstVideoFilter so
   * that mode none maps the frame read-only: no copy of shared memory. */
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_saliency_transform_ip);
  trans_class->transform_ip_on_passthrough = FALSE;

  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_saliency_set_info);
  filter_class->transform_frame =
      GST_DEBUG_FUNCPTR (gst_saliency_transform_frame);

  GST_DEBUG_CATEGORY_INIT (gst_saliency_debug, "saliency", 0,
      "saliency element");

  gst_type_mark_as_plugin_api (GST_TYPE_SALIENCY_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_SALIENCY_COLORMAP, 0);
}

static void
gst_saliency_init (GstSaliency * self)
{
  self->settings.mode = DEFAULT_MODE;
  self->settings.alpha = DEFAULT_ALPHA;
  self->settings.prefilter_strength = DEFAULT_PREFILTER_STRENGTH;
  self->settings.colormap = DEFAULT_COLORMAP;
  self->settings.roi_threshold = DEFAULT_ROI_THRESHOLD;
  self->settings.max_rois = DEFAULT_MAX_ROIS;
  self->settings.roi_delta_qp = DEFAULT_ROI_DELTA_QP;
  self->settings.post_messages = DEFAULT_POST_MESSAGES;
  self->settings.inference_interval = DEFAULT_INFERENCE_INTERVAL;
  self->settings.message_interval = DEFAULT_MESSAGE_INTERVAL;
  self->settings.stats_interval = DEFAULT_STATS_INTERVAL;
  self->model = g_strdup (DEFAULT_MODEL);
  self->device = g_strdup (DEFAULT_DEVICE);
  self->latency = DEFAULT_LATENCY;
  self->earliest_time = GST_CLOCK_TIME_NONE;
  self->max_processing = 0;
  self->reported_latency = 0;
}

static void
gst_saliency_finalize (GObject * object)
{
  GstSaliency *self = GST_SALIENCY (object);

  g_free (self->model);
  g_free (self->device);
  g_free (self->domain);
  g_free (self->net_size);
  g_free (self->source_id);
  g_free (self->tags_text);
  g_free (self->tags);
  g_free (self->tags_error);
  gst_saliency_health_clear (&self->health);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* TRUE when the element is past READY, where model and device are in use. */
static gboolean
gst_saliency_is_running (GstSaliency * self)
{
  return GST_STATE (self) > GST_STATE_READY
      || GST_STATE_PENDING (self) > GST_STATE_READY;
}

/* Tags are checked as they are set. Before the element starts, invalid
 * ones are kept so that starting fails with the reason (a property setter
 * cannot fail); while running, they are refused: the returned message is
 * posted as a warning. */
static gchar *
gst_saliency_set_tags_locked (GstSaliency * self, const gchar * text)
{
  GError *error = NULL;
  gchar *json, *refused = NULL;

  if (gst_saliency_tags_to_json (text, &json, &error)) {
    g_free (self->tags);
    self->tags = json;
    g_clear_pointer (&self->tags_error, g_free);
  } else if (gst_saliency_is_running (self)) {
    refused = g_strdup (error->message);
  } else {
    g_free (self->tags_error);
    self->tags_error = g_strdup (error->message);
  }
  if (error) {
    GST_WARNING_OBJECT (self, "%s", error->message);
    g_error_free (error);
  }
  if (!refused) {
    g_free (self->tags_text);
    self->tags_text = g_strdup (text);
  }
  return refused;
}

static void
gst_saliency_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstSaliency *self = GST_SALIENCY (object);
  gboolean reconfigure = FALSE, post_latency = FALSE;
  gchar *refused = NULL;

  if (prop_id == PROP_QOS) {
    gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self),
        g_value_get_boolean (value));
    return;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:{
      GstSaliencyMode mode = g_value_get_enum (value);

      /* Only map changes the caps; the other modes switch at once. */
      reconfigure = (mode == GST_SALIENCY_MODE_MAP)
          != (self->settings.mode == GST_SALIENCY_MODE_MAP);
      self->settings.mode = mode;
      break;
    }
    case PROP_ALPHA:
      self->settings.alpha = g_value_get_double (value);
      break;
    case PROP_PREFILTER_STRENGTH:
      self->settings.prefilter_strength = g_value_get_double (value);
      break;
    case PROP_COLORMAP:
      self->settings.colormap = g_value_get_enum (value);
      break;
    case PROP_ROI_THRESHOLD:
      self->settings.roi_threshold = g_value_get_double (value);
      break;
    case PROP_MAX_ROIS:
      self->settings.max_rois = g_value_get_uint (value);
      break;
    case PROP_ROI_DELTA_QP:
      self->settings.roi_delta_qp = g_value_get_int (value);
      break;
    case PROP_POST_MESSAGES:
      self->settings.post_messages = g_value_get_boolean (value);
      break;
    case PROP_INFERENCE_INTERVAL:
      self->settings.inference_interval = g_value_get_uint (value);
      break;
    case PROP_MODEL:
      if (gst_saliency_is_running (self)) {
        GST_WARNING_OBJECT (self, "model can only be changed in the NULL "
            "and READY states");
        break;
      }
      g_free (self->model);
      self->model = g_value_dup_string (value);
      break;
    case PROP_DEVICE:
      if (gst_saliency_is_running (self)) {
        GST_WARNING_OBJECT (self, "device can only be changed in the NULL "
            "and READY states");
        break;
      }
      g_free (self->device);
      self->device = g_value_dup_string (value);
      break;
    case PROP_DOMAIN:
    case PROP_NET_SIZE:
    case PROP_MODULO:
      if (gst_saliency_is_running (self)) {
        GST_WARNING_OBJECT (self, "%s can only be changed in the NULL and "
            "READY states", pspec->name);
        break;
      }
      if (prop_id == PROP_DOMAIN) {
        g_free (self->domain);
        self->domain = g_value_dup_string (value);
      } else if (prop_id == PROP_NET_SIZE) {
        g_free (self->net_size);
        self->net_size = g_value_dup_string (value);
      } else {
        self->modulo = g_value_get_int (value);
      }
      break;
    case PROP_STILL:
      self->still = g_value_get_boolean (value);
      break;
    case PROP_LATENCY:
      self->latency = g_value_get_int64 (value);
      post_latency = self->live;
      break;
    case PROP_MESSAGE_INTERVAL:
      self->settings.message_interval = g_value_get_uint64 (value);
      break;
    case PROP_STATS_INTERVAL:
      self->settings.stats_interval = g_value_get_uint64 (value);
      break;
    case PROP_SOURCE_ID:
      g_free (self->source_id);
      self->source_id = g_value_dup_string (value);
      break;
    case PROP_TAGS:
      refused = gst_saliency_set_tags_locked (self,
          g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);

  if (reconfigure) {
    GST_DEBUG_OBJECT (self, "mode changed to or from map: renegotiating");
    gst_base_transform_reconfigure_src (GST_BASE_TRANSFORM (self));
  }
  if (post_latency)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  if (refused) {
    GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS, ("%s", refused),
        ("keeping the previous tags while running"));
    g_free (refused);
  }
}

static void
gst_saliency_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstSaliency *self = GST_SALIENCY (object);

  if (prop_id == PROP_QOS) {
    g_value_set_boolean (value,
        gst_base_transform_is_qos_enabled (GST_BASE_TRANSFORM (self)));
    return;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      g_value_set_enum (value, self->settings.mode);
      break;
    case PROP_ALPHA:
      g_value_set_double (value, self->settings.alpha);
      break;
    case PROP_PREFILTER_STRENGTH:
      g_value_set_double (value, self->settings.prefilter_strength);
      break;
    case PROP_COLORMAP:
      g_value_set_enum (value, self->settings.colormap);
      break;
    case PROP_ROI_THRESHOLD:
      g_value_set_double (value, self->settings.roi_threshold);
      break;
    case PROP_MAX_ROIS:
      g_value_set_uint (value, self->settings.max_rois);
      break;
    case PROP_ROI_DELTA_QP:
      g_value_set_int (value, self->settings.roi_delta_qp);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->settings.post_messages);
      break;
    case PROP_INFERENCE_INTERVAL:
      g_value_set_uint (value, self->settings.inference_interval);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_DOMAIN:
      g_value_set_string (value, self->domain);
      break;
    case PROP_NET_SIZE:
      g_value_set_string (value, self->net_size);
      break;
    case PROP_MODULO:
      g_value_set_int (value, self->modulo);
      break;
    case PROP_STILL:
      g_value_set_boolean (value, self->still);
      break;
    case PROP_LATENCY:
      g_value_set_int64 (value, self->latency);
      break;
    case PROP_MESSAGE_INTERVAL:
      g_value_set_uint64 (value, self->settings.message_interval);
      break;
    case PROP_STATS_INTERVAL:
      g_value_set_uint64 (value, self->settings.stats_interval);
      break;
    case PROP_SOURCE_ID:
      g_value_set_string (value, self->source_id);
      break;
    case PROP_TAGS:
      g_value_set_string (value, self->tags_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* Library errors become element errors whose message is the library's:
 * it names the fix ("install pocl-opencl-icd", "use model=classic"). */
void
gst_saliency_post_error (GstSaliency * self, const GError * error,
    gboolean streaming)
{
  gchar *debug;

  GST_OBJECT_LOCK (self);
  debug = g_strdup_printf ("%s (model %s, device %s)",
      streaming ? "processing a frame failed" : "creating the engine failed",
      self->model ? self->model : "default", self->device);
  GST_OBJECT_UNLOCK (self);

  if (error->domain != SAL_ERROR) {
    GST_ELEMENT_ERROR (self, LIBRARY, FAILED, ("%s", error->message),
        ("%s", debug));
  } else if (streaming && error->code != SAL_ERROR_UNSUPPORTED_FORMAT) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s", error->message),
        ("%s", debug));
  } else {
    switch (error->code) {
      case SAL_ERROR_NO_PLATFORM:
      case SAL_ERROR_KERNEL_BUILD:
        GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("%s", error->message),
            ("%s", debug));
        break;
      case SAL_ERROR_NO_DEVICE:
      case SAL_ERROR_MODEL:
        GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", error->message),
            ("%s", debug));
        break;
      case SAL_ERROR_MODEL_FILE:
        GST_ELEMENT_ERROR (self, RESOURCE, READ, ("%s", error->message),
            ("%s", debug));
        break;
      case SAL_ERROR_INVALID_ARGUMENT:
        GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, ("%s", error->message),
            ("%s", debug));
        break;
      case SAL_ERROR_UNSUPPORTED_FORMAT:
        GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("%s", error->message),
            ("%s", debug));
        break;
      default:
        GST_ELEMENT_ERROR (self, LIBRARY, FAILED, ("%s", error->message),
            ("%s", debug));
        break;
    }
  }
  g_free (debug);
}

/* Forgets the map and the engine's memory of past frames. */
void
gst_saliency_reset (GstSaliency * self)
{
  if (self->engine)
    sal_engine_reset (self->engine);
  g_clear_pointer (&self->map, g_bytes_unref);
  memset (&self->stats, 0, sizeof (self->stats));
  /* The renderer pointed into the map. */
  if (self->renderer)
    gst_saliency_renderer_set_map (self->renderer, NULL, 0, 0, 0.0f);
  self->age = 0;
  self->regions_valid = FALSE;
  gst_saliency_prefilter_reset (self);
  self->warm = FALSE;
  self->next_pts = GST_CLOCK_TIME_NONE;

  GST_OBJECT_LOCK (self);
  self->earliest_time = GST_CLOCK_TIME_NONE;
  GST_OBJECT_UNLOCK (self);
}

static gboolean
gst_saliency_start (GstBaseTransform * trans)
{
  GstSaliency *self = GST_SALIENCY (trans);
  SalEngineOptions options;
  const SalModelInfo *info;
  GError *error = NULL;
  gchar *model, *device, *domain, *net_size, *tags_error;

  sal_engine_options_init (&options);
  gboolean ok = TRUE;

  GST_OBJECT_LOCK (self);
  tags_error = g_strdup (self->tags_error);
  GST_OBJECT_UNLOCK (self);
  if (tags_error) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, ("%s", tags_error),
        ("the tags property"));
    g_free (tags_error);
    return FALSE;
  }

  GST_OBJECT_LOCK (self);
  model = g_strdup (self->model);
  device = g_strdup (self->device);
  domain = g_strdup (self->domain);
  net_size = g_strdup (self->net_size);
  options.modulo = self->modulo;
  options.still = self->still;
  self->max_processing = 0;
  self->reported_latency = 0;
  self->live = FALSE;
  GST_OBJECT_UNLOCK (self);

  options.model = model;
  options.device = device;
  options.domain = domain;
  if (net_size)
    ok = sal_parse_net_size (net_size, &options.net_width,
        &options.net_height, &error);
  if (ok)
    self->engine = sal_engine_new (&options, &error);
  g_free (model);
  g_free (device);
  g_free (domain);
  g_free (net_size);

  if (!self->engine) {
    gst_saliency_post_error (self, error, FALSE);
    g_clear_error (&error);
    return FALSE;
  }

  info = sal_engine_get_model_info (self->engine);
  GST_INFO_OBJECT (self, "model %s (%s, %s) on %s", info->name,
      info->architecture, info->temporal ? "temporal" : "per frame",
      sal_engine_get_device_name (self->engine));

  gst_saliency_reset (self);
  self->renderer = gst_saliency_renderer_new ();
  self->frames = 0;
  self->upstream_live = -1;
  self->last_message = GST_CLOCK_TIME_NONE;
  gst_saliency_health_init (&self->health);
  self->palette_valid = FALSE;

  return TRUE;
}

static gboolean
gst_saliency_stop (GstBaseTransform * trans)
{
  GstSaliency *self = GST_SALIENCY (trans);

  gst_saliency_reset (self);
  g_clear_pointer (&self->engine, sal_engine_free);
  g_clear_pointer (&self->renderer, gst_saliency_renderer_free);
  gst_saliency_prefilter_free (self);

  return TRUE;
}

static gboolean
gst_saliency_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstSaliency *self = GST_SALIENCY (filter);
  GstBaseTransform *trans = GST_BASE_TRANSFORM (filter);
  gboolean map_out;

  if (GST_VIDEO_INFO_WIDTH (in_info) != GST_VIDEO_INFO_WIDTH (out_info)
      || GST_VIDEO_INFO_HEIGHT (in_info) != GST_VIDEO_INFO_HEIGHT (out_info)) {
    GST_ERROR_OBJECT (self, "input and output sizes differ");
    return FALSE;
  }

  /* A different output format is the map; the same one is processed in
   * place (GRAY8 in map mode: the map replaces the picture in place). */
  map_out = GST_VIDEO_INFO_FORMAT (in_info) != GST_VIDEO_INFO_FORMAT (out_info);
  if (map_out && GST_VIDEO_INFO_FORMAT (out_info) != GST_VIDEO_FORMAT_GRAY8) {
    GST_ERROR_OBJECT (self, "cannot convert %s to %s",
        GST_VIDEO_INFO_NAME (in_info), GST_VIDEO_INFO_NAME (out_info));
    return FALSE;
  }
  gst_base_transform_set_in_place (trans, !map_out);
  gst_base_transform_set_passthrough (trans, FALSE);

  /* A renegotiation for a mode switch keeps the input: no reason to
   * forget the past. New input caps do. */
  if (!filter->negotiated || !gst_video_info_is_equal (in_info,
          &filter->in_info)) {
    GST_DEBUG_OBJECT (self, "new input %" GST_PTR_FORMAT, incaps);
    gst_saliency_reset (self);
    self->palette_valid = FALSE;
  }

  GST_DEBUG_OBJECT (self, "%s %dx%d -> %s (%s)",
      GST_VIDEO_INFO_NAME (in_info), GST_VIDEO_INFO_WIDTH (in_info),
      GST_VIDEO_INFO_HEIGHT (in_info), GST_VIDEO_INFO_NAME (out_info),
      map_out ? "map" : "in place");

  return TRUE;
}

static gboolean
gst_saliency_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstSaliency *self = GST_SALIENCY (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    GST_DEBUG_OBJECT (self, "flush: forgetting the past");
    gst_saliency_reset (self);
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_saliency_src_event (GstBaseTransform * trans, GstEvent * event)
{
  GstSaliency *self = GST_SALIENCY (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_QOS) {
    GstClockTimeDiff diff;
    GstClockTime timestamp;
    gdouble proportion;

    gst_event_parse_qos (event, NULL, &proportion, &diff, &timestamp);

    GST_OBJECT_LOCK (self);
    if (GST_CLOCK_TIME_IS_VALID (timestamp))
      self->earliest_time = diff > 0 ? timestamp + diff
          : (GstClockTime) MAX ((GstClockTimeDiff) timestamp + diff, 0);
    GST_OBJECT_UNLOCK (self);

    GST_LOG_OBJECT (self, "QoS: proportion %f, diff %" GST_STIME_FORMAT
        ", timestamp %" GST_TIME_FORMAT, proportion, GST_STIME_ARGS (diff),
        GST_TIME_ARGS (timestamp));

    /* Not chaining up: GstBaseTransform would drop late frames itself. This
     * element keeps every frame and skips inference on late ones. */
    return gst_pad_push_event (GST_BASE_TRANSFORM_SINK_PAD (trans), event);
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->src_event (trans, event);
}

/* The processing latency to report: the property, or the slowest frame. */
static GstClockTime
gst_saliency_get_latency_locked (GstSaliency * self)
{
  if (self->latency >= 0)
    return (GstClockTime) self->latency;
  return self->max_processing;
}

static gboolean
gst_saliency_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstSaliency *self = GST_SALIENCY (trans);

  if (direction == GST_PAD_SRC && GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    GstClockTime min, max, ours;
    gboolean live;

    if (!gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (trans), query))
      return FALSE;

    gst_query_parse_latency (query, &live, &min, &max);

    GST_OBJECT_LOCK (self);
    ours = gst_saliency_get_latency_locked (self);
    self->reported_latency = ours;
    self->live = live;
    GST_OBJECT_UNLOCK (self);

    GST_DEBUG_OBJECT (self, "upstream latency %" GST_TIME_FORMAT " - %"
        GST_TIME_FORMAT ", adding %" GST_TIME_FORMAT, GST_TIME_ARGS (min),
        GST_TIME_ARGS (max), GST_TIME_ARGS (ours));

    min += ours;
    if (GST_CLOCK_TIME_IS_VALID (max))
      max += ours;
    gst_query_set_latency (query, live, min, max);

    return TRUE;
  }

  if (direction == GST_PAD_SINK && GST_QUERY_TYPE (query) == GST_QUERY_CAPS) {
    gboolean map;

    GST_OBJECT_LOCK (self);
    map = self->settings.mode == GST_SALIENCY_MODE_MAP;
    GST_OBJECT_UNLOCK (self);

    /* GstBaseTransform would list downstream's caps first, as they allow
     * passthrough: GRAY8 in map mode. Colour makes better maps, so the
     * input formats keep their order of preference here. */
    if (map) {
      GstCaps *filter, *peer, *caps, *templ, *result;

      gst_query_parse_caps (query, &filter);
      peer = gst_pad_peer_query_caps (GST_BASE_TRANSFORM_SRC_PAD (trans),
          NULL);
      caps = gst_saliency_transform_caps (trans, GST_PAD_SRC, peer, filter);
      templ = gst_pad_get_pad_template_caps (GST_BASE_TRANSFORM_SINK_PAD
          (trans));
      result = gst_caps_intersect_full (caps, templ, GST_CAPS_INTERSECT_FIRST);
      gst_query_set_caps_result (query, result);

      gst_caps_unref (result);
      gst_caps_unref (templ);
      gst_caps_unref (caps);
      gst_caps_unref (peer);
      return TRUE;
    }
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction,
      query);
}

