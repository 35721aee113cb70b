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
 * probability distribution over the pixels of the frame.
 *
 * Every buffer leaving the element carries:
 *
 * * a #GstSaliencyMeta with the map at the frame size (floats summing to 1;
 *   divide by #GstSaliencyMeta.max for [0, 1]); see gstsaliencymeta.h and
 *   the gstreamer-saliency-1.0 pkg-config module;
 * * up to #GstSaliency:max-rois #GstVideoRegionOfInterestMeta of type
 *   "saliency", strongest first: the bounding boxes of the connected areas
 *   at or above #GstSaliency:roi-threshold times the peak. Each has the
 *   params "roi/saliency" (score = region peak / frame peak in (0, 1],
 *   mass = probability inside the box, delta-qp) and, for the encoders that
 *   read them, "roi/vaapi" and "roi/msdk" (delta-qp). The delta-qp is
 *   #GstSaliency:roi-delta-qp scaled by the score. x264enc and x265enc
 *   ignore ROI metas.
 *
 * With #GstSaliency:post-messages, an element message "saliency" per frame:
 *
 * * timestamp, stream-time, running-time, duration (guint64): of the buffer
 * * width, height (gint): size of the map (the frame size)
 * * peak-x, peak-y (gint): pixel of the largest value
 * * max (gdouble): the probability at the peak
 * * mean (gdouble): mean of the map normalised to its peak, in (0, 1]; small
 *   when attention is focused, 1 when it is spread evenly
 * * regions (GstValueArray of GstStructure "region", with x, y, width,
 *   height (gint, pixels), score and mass (gdouble)): as the ROI metas
 * * reused (gboolean): the map is the previous frame's (see QoS below)
 * * processing-time (guint64): nanoseconds spent on this frame
 *
 * ## Modes
 *
 * #GstSaliency:mode overlay (the default) blends a heatmap into the frame in
 * place: RGB formats in RGB; I420 and NV12 in their own YUV, with the chroma
 * coloured by the mean of the pixels it covers; GRAY8 in luma. mode map
 * outputs the map instead of the picture, as GRAY8 video of the same size and
 * framerate (255 = the peak). mode none leaves the picture alone. The mode
 * can change in any state; a change to or from map renegotiates the source
 * pad's caps at the next frame, so downstream must accept both (put a
 * videoconvert after the element).
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
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsaliency.h"

#include <math.h>
#include <string.h>

#include <saliency.h>

#include "gstsaliencymeta.h"
#include "colormap.h"
#include "overlay.h"

GST_DEBUG_CATEGORY_STATIC (gst_saliency_debug);
#define GST_CAT_DEFAULT gst_saliency_debug

#define FORMATS "{ RGBx, BGRx, RGBA, BGRA, RGB, BGR, I420, NV12, GRAY8 }"
#define MAX_ROIS 64
/* A jump in the timestamps larger than this makes the past irrelevant. */
#define GAP_RESET GST_SECOND

#define DEFAULT_MODE GST_SALIENCY_MODE_OVERLAY
#define DEFAULT_ALPHA 0.5
#define DEFAULT_COLORMAP GST_SALIENCY_COLORMAP_TURBO
#define DEFAULT_ROI_THRESHOLD 0.5
#define DEFAULT_MAX_ROIS 4
#define DEFAULT_ROI_DELTA_QP -10
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_MODEL NULL
#define DEFAULT_DEVICE "auto"
#define DEFAULT_LATENCY -1

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
};

/* The properties the streaming thread uses, copied once per frame. */
typedef struct
{
  GstSaliencyMode mode;
  gdouble alpha;
  GstSaliencyColormap colormap;
  gdouble roi_threshold;
  guint max_rois;
  gint roi_delta_qp;
  gboolean post_messages;
} GstSaliencySettings;

struct _GstSaliency
{
  GstVideoFilter parent;

  /* Properties and the QoS/latency bookkeeping, with the object lock. */
  GstSaliencySettings settings;
  gchar *model;
  gchar *device;
  gchar *domain;
  gchar *net_size;
  gint modulo;
  gboolean still;
  gint64 latency;
  GstClockTime earliest_time;   /* from QOS events; late frames skip */
  GstClockTime max_processing;  /* the slowest frame so far */
  GstClockTime reported_latency;        /* in the last LATENCY answer */
  gboolean live;                /* as the last LATENCY answer found it */

  /* Streaming state. */
  SalEngine *engine;
  gboolean warm;                 /* a frame went through since the reset */
  GstClockTime next_pts;        /* where the stream is expected to go on */
  GBytes *map;                  /* the latest map; NULL: none yet */
  SalMap stats;                 /* its size, max and peak; data not owned */
  guint8 *levels;               /* the map quantised, for drawing */
  gsize levels_size;
  gboolean levels_valid;
  SalRegion regions[MAX_ROIS];
  gint n_regions;
  gdouble regions_threshold;
  guint regions_max;
  gboolean regions_valid;
  GstSaliencyPalette palette;
  GstSaliencyColormap palette_colormap;
  gboolean palette_valid;
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
static GstCaps *gst_saliency_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter);
static GstCaps *gst_saliency_fixate_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * othercaps);
static gboolean gst_saliency_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_saliency_src_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_saliency_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query);
static GstFlowReturn gst_saliency_transform_ip (GstBaseTransform * trans,
    GstBuffer * buf);
static gboolean gst_saliency_set_info (GstVideoFilter * filter,
    GstCaps * incaps, GstVideoInfo * in_info, GstCaps * outcaps,
    GstVideoInfo * out_info);
static GstFlowReturn gst_saliency_transform_frame (GstVideoFilter * filter,
    GstVideoFrame * in_frame, GstVideoFrame * out_frame);

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
          "replace it with the map as GRAY8 (map), or nothing (none); "
          "metadata is attached in every mode",
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
  self->settings.colormap = DEFAULT_COLORMAP;
  self->settings.roi_threshold = DEFAULT_ROI_THRESHOLD;
  self->settings.max_rois = DEFAULT_MAX_ROIS;
  self->settings.roi_delta_qp = DEFAULT_ROI_DELTA_QP;
  self->settings.post_messages = DEFAULT_POST_MESSAGES;
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

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* TRUE when the element is past READY, where model and device are in use. */
static gboolean
gst_saliency_is_running (GstSaliency * self)
{
  return GST_STATE (self) > GST_STATE_READY
      || GST_STATE_PENDING (self) > GST_STATE_READY;
}

static void
gst_saliency_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstSaliency *self = GST_SALIENCY (object);
  gboolean reconfigure = FALSE, post_latency = FALSE;

  if (prop_id == PROP_QOS) {
    gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self),
        g_value_get_boolean (value));
    return;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:{
      GstSaliencyMode mode = g_value_get_enum (value);

      /* Only map changes the caps; overlay and none switch at once. */
      reconfigure = (mode == GST_SALIENCY_MODE_MAP)
          != (self->settings.mode == GST_SALIENCY_MODE_MAP);
      self->settings.mode = mode;
      break;
    }
    case PROP_ALPHA:
      self->settings.alpha = g_value_get_double (value);
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* Library errors become element errors whose message is the library's:
 * it names the fix ("install pocl-opencl-icd", "use model=classic"). */
static void
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
static void
gst_saliency_reset (GstSaliency * self)
{
  if (self->engine)
    sal_engine_reset (self->engine);
  g_clear_pointer (&self->map, g_bytes_unref);
  memset (&self->stats, 0, sizeof (self->stats));
  self->levels_valid = FALSE;
  self->regions_valid = FALSE;
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
  gchar *model, *device, *domain, *net_size;

  sal_engine_options_init (&options);
  gboolean ok = TRUE;

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
  self->palette_valid = FALSE;

  return TRUE;
}

static gboolean
gst_saliency_stop (GstBaseTransform * trans)
{
  GstSaliency *self = GST_SALIENCY (trans);

  gst_saliency_reset (self);
  g_clear_pointer (&self->engine, sal_engine_free);
  g_clear_pointer (&self->levels, g_free);
  self->levels_size = 0;

  return TRUE;
}

/* The formats of the sink pad, in order of preference. */
static const gchar *const input_formats[] = {
  "RGBx", "BGRx", "RGBA", "BGRA", "RGB", "BGR", "I420", "NV12", "GRAY8", NULL
};

static const gchar *const map_formats[] = { "GRAY8", NULL };

/* Copies of the structures of @caps with the format field set to @formats
 * and no colour fields (GRAY8 has none; the input can have any). */
static GstCaps *
gst_saliency_caps_set_formats (GstCaps * caps, const gchar * const *formats)
{
  GstCaps *result = gst_caps_new_empty ();
  GValue value = G_VALUE_INIT;
  guint i, n = gst_caps_get_size (caps);

  if (formats[1] == NULL) {
    g_value_init (&value, G_TYPE_STRING);
    g_value_set_static_string (&value, formats[0]);
  } else {
    g_value_init (&value, GST_TYPE_LIST);
    for (i = 0; formats[i]; i++) {
      GValue format = G_VALUE_INIT;

      g_value_init (&format, G_TYPE_STRING);
      g_value_set_static_string (&format, formats[i]);
      gst_value_list_append_and_take_value (&value, &format);
    }
  }

  for (i = 0; i < n; i++) {
    GstStructure *s = gst_structure_copy (gst_caps_get_structure (caps, i));
    GstCapsFeatures *f = gst_caps_get_features (caps, i);

    gst_structure_set_value (s, "format", &value);
    gst_structure_remove_fields (s, "colorimetry", "chroma-site", NULL);
    result = gst_caps_merge_structure_full (result, s,
        f ? gst_caps_features_copy (f) : NULL);
  }
  g_value_unset (&value);

  return result;
}

static GstCaps *
gst_saliency_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter)
{
  GstSaliency *self = GST_SALIENCY (trans);
  GstCaps *result;
  gboolean map;

  GST_OBJECT_LOCK (self);
  map = self->settings.mode == GST_SALIENCY_MODE_MAP;
  GST_OBJECT_UNLOCK (self);

  if (!map) {
    /* overlay and none: the same caps on both sides */
    result = gst_caps_ref (caps);
  } else if (direction == GST_PAD_SINK) {
    /* any of our formats in, the map out: GRAY8, same size and rate */
    result = gst_saliency_caps_set_formats (caps, map_formats);
  } else {
    /* only GRAY8 can come out; then any of our formats can go in */
    GstCaps *gray = gst_caps_from_string (GST_VIDEO_CAPS_MAKE ("GRAY8"));
    GstCaps *out = gst_caps_intersect (caps, gray);

    result = gst_saliency_caps_set_formats (out, input_formats);
    gst_caps_unref (out);
    gst_caps_unref (gray);
  }

  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, result,
        GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (result);
    result = tmp;
  }

  GST_DEBUG_OBJECT (self, "%s mode, %s caps %" GST_PTR_FORMAT
      " -> %" GST_PTR_FORMAT, map ? "map" : "in-place",
      direction == GST_PAD_SINK ? "sink" : "src", caps, result);

  return result;
}

/* In map mode, picks the output closest to the input's geometry. */
static GstCaps *
gst_saliency_fixate_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * othercaps)
{
  const GstStructure *in = gst_caps_get_structure (caps, 0);
  GstStructure *out;
  gint width, height, num, den;

  othercaps = gst_caps_truncate (othercaps);
  othercaps = gst_caps_make_writable (othercaps);
  out = gst_caps_get_structure (othercaps, 0);

  if (gst_structure_get_int (in, "width", &width))
    gst_structure_fixate_field_nearest_int (out, "width", width);
  if (gst_structure_get_int (in, "height", &height))
    gst_structure_fixate_field_nearest_int (out, "height", height);
  if (gst_structure_get_fraction (in, "framerate", &num, &den))
    gst_structure_fixate_field_nearest_fraction (out, "framerate", num, den);
  if (gst_structure_get_fraction (in, "pixel-aspect-ratio", &num, &den)
      && gst_structure_has_field (out, "pixel-aspect-ratio"))
    gst_structure_fixate_field_nearest_fraction (out, "pixel-aspect-ratio",
        num, den);

  othercaps = gst_caps_fixate (othercaps);
  GST_DEBUG_OBJECT (trans, "fixated to %" GST_PTR_FORMAT, othercaps);

  return othercaps;
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

/* Records how long a frame took; in live pipelines, asks for a new latency
 * configuration when the automatic latency has become too small. */
static void
gst_saliency_update_latency (GstSaliency * self, GstClockTime elapsed)
{
  gboolean post = FALSE;

  /* The first frame after a reset pays for allocations at the new size. */
  if (!self->warm) {
    self->warm = TRUE;
    return;
  }

  elapsed = gst_util_uint64_scale_ceil (elapsed, 1, GST_MSECOND) * GST_MSECOND;

  GST_OBJECT_LOCK (self);
  if (elapsed > self->max_processing) {
    self->max_processing = elapsed;
    post = self->live && self->latency < 0
        && elapsed > self->reported_latency + self->reported_latency / 10;
    /* What the LATENCY query after the message will answer. */
    if (post)
      self->reported_latency = elapsed;
  }
  GST_OBJECT_UNLOCK (self);

  if (post) {
    GST_INFO_OBJECT (self, "processing takes %" GST_TIME_FORMAT
        ", more than the latency: reconfiguring", GST_TIME_ARGS (elapsed));
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  }
}

/* TRUE when QoS says @buf will be too late to be rendered anyway. */
static gboolean
gst_saliency_is_late (GstSaliency * self, GstBuffer * buf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime running_time, earliest;

  if (!gst_base_transform_is_qos_enabled (trans)
      || trans->segment.format != GST_FORMAT_TIME
      || !GST_BUFFER_PTS_IS_VALID (buf))
    return FALSE;

  running_time = gst_segment_to_running_time (&trans->segment,
      GST_FORMAT_TIME, GST_BUFFER_PTS (buf));

  GST_OBJECT_LOCK (self);
  earliest = self->earliest_time;
  GST_OBJECT_UNLOCK (self);

  return GST_CLOCK_TIME_IS_VALID (running_time)
      && GST_CLOCK_TIME_IS_VALID (earliest) && running_time <= earliest;
}

static void
gst_saliency_settings_copy (GstSaliency * self, GstSaliencySettings * out)
{
  GST_OBJECT_LOCK (self);
  *out = self->settings;
  GST_OBJECT_UNLOCK (self);
}

/* Runs the engine on @frame; the new map replaces the latest one. */
static gboolean
gst_saliency_infer (GstSaliency * self, GstVideoFrame * frame)
{
  gint width = GST_VIDEO_FRAME_WIDTH (frame);
  gint height = GST_VIDEO_FRAME_HEIGHT (frame);
  gsize n = (gsize) width * height;
  SalFrame in = { 0, };
  SalMap out = { 0, };
  GError *error = NULL;
  gboolean still;

  in.format = sal_pixel_format_from_string (gst_video_format_to_string
      (GST_VIDEO_FRAME_FORMAT (frame)));
  in.width = width;
  in.height = height;
  for (guint i = 0; i < GST_VIDEO_FRAME_N_PLANES (frame) && i < 3; i++) {
    in.data[i] = GST_VIDEO_FRAME_PLANE_DATA (frame, i);
    in.stride[i] = GST_VIDEO_FRAME_PLANE_STRIDE (frame, i);
  }

  out.width = width;
  out.height = height;
  out.data = g_new (gfloat, n);

  /* still may change while playing; switching resets the engine's state. */
  GST_OBJECT_LOCK (self);
  still = self->still;
  GST_OBJECT_UNLOCK (self);
  sal_engine_set_still (self->engine, still);

  if (!sal_engine_push_frame (self->engine, &in, &out, &error)) {
    gst_saliency_post_error (self, error, TRUE);
    g_clear_error (&error);
    g_free (out.data);
    return FALSE;
  }

  /* Buffers share the map through their metas: it is never copied. */
  g_clear_pointer (&self->map, g_bytes_unref);
  self->map = g_bytes_new_take (out.data, n * sizeof (gfloat));
  self->stats = out;
  self->levels_valid = FALSE;
  self->regions_valid = FALSE;

  return TRUE;
}

static const guint8 *
gst_saliency_get_levels (GstSaliency * self)
{
  gsize n = (gsize) self->stats.width * self->stats.height;

  if (self->levels_valid)
    return self->levels;

  if (self->levels_size < n) {
    g_free (self->levels);
    self->levels = g_malloc (n);
    self->levels_size = n;
  }
  gst_saliency_quantise (self->stats.data, n, self->stats.max, self->levels);
  self->levels_valid = TRUE;

  return self->levels;
}

static void
gst_saliency_find_regions (GstSaliency * self,
    const GstSaliencySettings * settings)
{
  if (self->regions_valid && self->regions_threshold == settings->roi_threshold
      && self->regions_max == settings->max_rois)
    return;

  self->n_regions = settings->max_rois == 0 ? 0
      : sal_map_find_regions (&self->stats, settings->roi_threshold,
      self->regions, settings->max_rois);
  self->regions_threshold = settings->roi_threshold;
  self->regions_max = settings->max_rois;
  self->regions_valid = TRUE;
}

static gboolean
remove_saliency_metas (GstBuffer * buffer, GstMeta ** meta, gpointer data)
{
  GQuark saliency = GPOINTER_TO_UINT (data);
  GType api = (*meta)->info->api;

  if (api == GST_SALIENCY_META_API_TYPE
      || (api == GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE
          && ((GstVideoRegionOfInterestMeta *) * meta)->roi_type == saliency))
    *meta = NULL;

  return TRUE;
}

static void
gst_saliency_attach_metas (GstSaliency * self, GstBuffer * buf,
    const GstSaliencySettings * settings)
{
  GQuark saliency = g_quark_from_static_string ("saliency");
  static const gchar *encoder_params[] = { "roi/vaapi", "roi/msdk" };

  /* A saliency element upstream already analysed this picture: replace. */
  gst_buffer_foreach_meta (buf, remove_saliency_metas,
      GUINT_TO_POINTER (saliency));

  gst_buffer_add_saliency_meta (buf, self->map, self->stats.width,
      self->stats.height);

  for (gint i = 0; i < self->n_regions; i++) {
    const SalRegion *r = &self->regions[i];
    GstVideoRegionOfInterestMeta *roi;
    gint delta_qp = (gint) lround (settings->roi_delta_qp * r->score);

    roi = gst_buffer_add_video_region_of_interest_meta_id (buf, saliency,
        r->x, r->y, r->width, r->height);
    roi->id = i;
    gst_video_region_of_interest_meta_add_param (roi,
        gst_structure_new ("roi/saliency",
            "score", G_TYPE_DOUBLE, (gdouble) r->score,
            "mass", G_TYPE_DOUBLE, (gdouble) r->mass,
            "delta-qp", G_TYPE_INT, delta_qp, NULL));
    for (guint j = 0; j < G_N_ELEMENTS (encoder_params); j++)
      gst_video_region_of_interest_meta_add_param (roi,
          gst_structure_new (encoder_params[j],
              "delta-qp", G_TYPE_INT, delta_qp, NULL));
  }
}

static void
gst_saliency_post_frame_message (GstSaliency * self, GstBuffer * buf,
    gboolean reused, GstClockTime elapsed)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GValue regions = G_VALUE_INIT;
  GstStructure *s;
  gsize n = (gsize) self->stats.width * self->stats.height;
  gdouble sum = 0.0;

  for (gsize i = 0; i < n; i++)
    sum += self->stats.data[i];

  s = gst_structure_new ("saliency",
      "timestamp", G_TYPE_UINT64, pts,
      "stream-time", G_TYPE_UINT64, gst_segment_to_stream_time
      (&trans->segment, GST_FORMAT_TIME, pts),
      "running-time", G_TYPE_UINT64, gst_segment_to_running_time
      (&trans->segment, GST_FORMAT_TIME, pts),
      "duration", G_TYPE_UINT64, GST_BUFFER_DURATION (buf),
      "width", G_TYPE_INT, self->stats.width,
      "height", G_TYPE_INT, self->stats.height,
      "peak-x", G_TYPE_INT, self->stats.peak_x,
      "peak-y", G_TYPE_INT, self->stats.peak_y,
      "max", G_TYPE_DOUBLE, (gdouble) self->stats.max,
      "mean", G_TYPE_DOUBLE, self->stats.max > 0.0f
      ? sum / n / self->stats.max : 0.0,
      "reused", G_TYPE_BOOLEAN, reused,
      "processing-time", G_TYPE_UINT64, elapsed, NULL);

  g_value_init (&regions, GST_TYPE_ARRAY);
  for (gint i = 0; i < self->n_regions; i++) {
    const SalRegion *r = &self->regions[i];
    GValue value = G_VALUE_INIT;
    GstStructure *region = gst_structure_new ("region",
        "x", G_TYPE_INT, r->x, "y", G_TYPE_INT, r->y,
        "width", G_TYPE_INT, r->width, "height", G_TYPE_INT, r->height,
        "score", G_TYPE_DOUBLE, (gdouble) r->score,
        "mass", G_TYPE_DOUBLE, (gdouble) r->mass, NULL);

    g_value_init (&value, GST_TYPE_STRUCTURE);
    gst_value_set_structure (&value, region);
    gst_structure_free (region);
    gst_value_array_append_and_take_value (&regions, &value);
  }
  gst_structure_take_value (s, "regions", &regions);

  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* The work common to all modes: a map for @in (new, or the previous one
 * when @in is late), the metas on @outbuf, the message. */
static GstFlowReturn
gst_saliency_analyse (GstSaliency * self, GstVideoFrame * in,
    GstBuffer * outbuf, const GstSaliencySettings * settings,
    gint64 start_time)
{
  GstClockTime pts = GST_BUFFER_PTS (in->buffer);
  gboolean reuse = FALSE;
  GstClockTime elapsed;

  if (self->map && GST_BUFFER_IS_DISCONT (in->buffer)) {
    GST_DEBUG_OBJECT (self, "discontinuity: forgetting the past");
    gst_saliency_reset (self);
  } else if (self->map && GST_CLOCK_TIME_IS_VALID (pts)
      && GST_CLOCK_TIME_IS_VALID (self->next_pts)
      && ABS (GST_CLOCK_DIFF (self->next_pts, pts)) > GAP_RESET) {
    GST_DEBUG_OBJECT (self, "timestamps jump from %" GST_TIME_FORMAT " to %"
        GST_TIME_FORMAT ": forgetting the past",
        GST_TIME_ARGS (self->next_pts), GST_TIME_ARGS (pts));
    gst_saliency_reset (self);
  }
  if (GST_CLOCK_TIME_IS_VALID (pts))
    self->next_pts = pts + (GST_BUFFER_DURATION_IS_VALID (in->buffer)
        ? GST_BUFFER_DURATION (in->buffer) : 0);

  if (self->map && gst_saliency_is_late (self, in->buffer)) {
    GST_DEBUG_OBJECT (self, "frame %" GST_TIME_FORMAT " is late: reusing "
        "the previous map", GST_TIME_ARGS (GST_BUFFER_PTS (in->buffer)));
    reuse = TRUE;
  } else if (!gst_saliency_infer (self, in)) {
    return GST_FLOW_ERROR;
  }

  gst_saliency_find_regions (self, settings);
  gst_saliency_attach_metas (self, outbuf, settings);

  elapsed = (g_get_monotonic_time () - start_time) * GST_USECOND;
  if (!reuse)
    gst_saliency_update_latency (self, elapsed);

  if (settings->post_messages)
    gst_saliency_post_frame_message (self, outbuf, reuse, elapsed);

  return GST_FLOW_OK;
}

/* Overlay and none, and map for GRAY8 input: the buffer is the output. */
static GstFlowReturn
gst_saliency_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstSaliency *self = GST_SALIENCY (trans);
  GstVideoFilter *filter = GST_VIDEO_FILTER (trans);
  GstSaliencySettings settings;
  GstVideoFrame frame;
  GstFlowReturn ret;
  gboolean draw_map, overlay;
  gint64 start_time = g_get_monotonic_time ();

  if (G_UNLIKELY (!filter->negotiated)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL), ("unknown format"));
    return GST_FLOW_NOT_NEGOTIATED;
  }

  gst_saliency_settings_copy (self, &settings);
  /* Just after a switch to map mode the caps can still be the old ones
   * until the renegotiation: such frames pass unchanged. */
  draw_map = settings.mode == GST_SALIENCY_MODE_MAP
      && GST_VIDEO_INFO_FORMAT (&filter->in_info) == GST_VIDEO_FORMAT_GRAY8;
  overlay = settings.mode == GST_SALIENCY_MODE_OVERLAY && settings.alpha > 0.0;

  if (!gst_video_frame_map (&frame, &filter->in_info, buf,
          GST_MAP_READ | ((draw_map || overlay) ? GST_MAP_WRITE : 0) |
          GST_VIDEO_FRAME_MAP_FLAG_NO_REF)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, (NULL),
        ("could not map the video frame"));
    return GST_FLOW_ERROR;
  }

  ret = gst_saliency_analyse (self, &frame, buf, &settings, start_time);

  if (ret == GST_FLOW_OK && draw_map) {
    gst_saliency_draw_map (&frame, gst_saliency_get_levels (self));
  } else if (ret == GST_FLOW_OK && overlay) {
    if (!self->palette_valid || self->palette_colormap != settings.colormap) {
      gst_saliency_palette_init (&self->palette, settings.colormap,
          &filter->in_info);
      self->palette_colormap = settings.colormap;
      self->palette_valid = TRUE;
    }
    gst_saliency_blend (&frame, gst_saliency_get_levels (self),
        &self->palette, settings.alpha);
  }

  gst_video_frame_unmap (&frame);

  return ret;
}

/* Map mode: the output is the map. */
static GstFlowReturn
gst_saliency_transform_frame (GstVideoFilter * filter, GstVideoFrame * in,
    GstVideoFrame * out)
{
  GstSaliency *self = GST_SALIENCY (filter);
  GstSaliencySettings settings;
  GstFlowReturn ret;
  gint64 start_time = g_get_monotonic_time ();

  gst_saliency_settings_copy (self, &settings);

  ret = gst_saliency_analyse (self, in, out->buffer, &settings, start_time);
  if (ret == GST_FLOW_OK)
    gst_saliency_draw_map (out, gst_saliency_get_levels (self));

  return ret;
}
