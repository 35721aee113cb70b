/* GStreamer saliency element: the per-frame work
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Each frame gets a map (a new one, or the latest one when the frame is
 * late or between two inference-interval frames), the outputs of
 * gstsaliency-outputs.c, and, by mode, a heatmap, the map as picture or
 * the pre-filter (gstsaliency-prefilter.c). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsaliency-private.h"

/* A jump in the timestamps larger than this makes the past irrelevant. */
#define GAP_RESET GST_SECOND

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
  SalFrame in = { 0, };
  SalMap out = { 0, };
  GError *error = NULL;
  gboolean still;
  gsize n;

  in.format = sal_pixel_format_from_string (gst_video_format_to_string
      (GST_VIDEO_FRAME_FORMAT (frame)));
  in.width = width;
  in.height = height;
  for (guint i = 0; i < GST_VIDEO_FRAME_N_PLANES (frame) && i < 3; i++) {
    in.data[i] = GST_VIDEO_FRAME_PLANE_DATA (frame, i);
    in.stride[i] = GST_VIDEO_FRAME_PLANE_STRIDE (frame, i);
  }

  /* The map at the model's resolution: everything done with it per frame
   * (metas, statistics, regions) is then independent of the frame size,
   * and drawing interpolates it on the way. */
  sal_engine_get_map_size (self->engine, width, height, &out.width,
      &out.height);
  n = (gsize) out.width * out.height;
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
  self->frame_width = width;
  self->frame_height = height;
  self->maps_made++;
  self->age = 0;
  self->regions_valid = FALSE;
  gst_saliency_renderer_set_map (self->renderer, out.data, out.width,
      out.height, out.max);

  return TRUE;
}

/* The work common to all modes: a map for @in (new, or the previous one
 * when @in is late), the metas on @outbuf, the message. */
static GstFlowReturn
gst_saliency_analyse (GstSaliency * self, GstVideoFrame * in,
    GstBuffer * outbuf, const GstSaliencySettings * settings,
    gint64 start_time)
{
  GstClockTime pts = GST_BUFFER_PTS (in->buffer);
  GstSaliencyReuse reuse = GST_SALIENCY_REUSE_NONE;
  GstSaliencyStamp stamp;
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
    reuse = GST_SALIENCY_REUSE_QOS;
  } else if (self->map && self->age + 1 < settings->inference_interval) {
    GST_LOG_OBJECT (self, "frame %" GST_TIME_FORMAT " is between maps "
        "(inference-interval %u)", GST_TIME_ARGS (GST_BUFFER_PTS (in->buffer)),
        settings->inference_interval);
    reuse = GST_SALIENCY_REUSE_INTERVAL;
  } else if (!gst_saliency_infer (self, in)) {
    return GST_FLOW_ERROR;
  }
  if (reuse != GST_SALIENCY_REUSE_NONE)
    self->age++;

  gst_saliency_stamp_frame (self, in->buffer, &stamp);
  gst_saliency_find_regions (self, settings);
  gst_saliency_attach_metas (self, outbuf, settings, reuse, &stamp);

  elapsed = (g_get_monotonic_time () - start_time) * GST_USECOND;
  if (reuse == GST_SALIENCY_REUSE_NONE)
    gst_saliency_update_latency (self, elapsed);

  if (settings->post_messages && gst_saliency_message_due (self, pts, settings))
    gst_saliency_post_frame_message (self, outbuf, reuse, elapsed, &stamp);
  gst_saliency_health_add (self, elapsed, reuse != GST_SALIENCY_REUSE_NONE,
      settings, &stamp);
  gst_saliency_stamp_clear (&stamp);

  return GST_FLOW_OK;
}

/* Overlay, none and prefilter, and map for GRAY8 input: the buffer is the
 * output. */
GstFlowReturn
gst_saliency_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstSaliency *self = GST_SALIENCY (trans);
  GstVideoFilter *filter = GST_VIDEO_FILTER (trans);
  GstSaliencySettings settings;
  GstVideoFrame frame;
  GstFlowReturn ret;
  gboolean draw_map, overlay, prefilter;
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
  prefilter = settings.mode == GST_SALIENCY_MODE_PREFILTER
      && settings.prefilter_strength > 0.0;

  if (!gst_video_frame_map (&frame, &filter->in_info, buf,
          GST_MAP_READ | ((draw_map || overlay || prefilter) ?
              GST_MAP_WRITE : 0) |
          GST_VIDEO_FRAME_MAP_FLAG_NO_REF)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, (NULL),
        ("could not map the video frame"));
    return GST_FLOW_ERROR;
  }

  ret = gst_saliency_analyse (self, &frame, buf, &settings, start_time);

  if (ret == GST_FLOW_OK && draw_map) {
    gst_saliency_renderer_draw_map (self->renderer, &frame);
  } else if (ret == GST_FLOW_OK && overlay) {
    if (!self->palette_valid || self->palette_colormap != settings.colormap) {
      gst_saliency_palette_init (&self->palette, settings.colormap,
          &filter->in_info);
      self->palette_colormap = settings.colormap;
      self->palette_valid = TRUE;
    }
    gst_saliency_renderer_blend (self->renderer, &frame, &self->palette,
        settings.alpha);
  } else if (ret == GST_FLOW_OK && prefilter) {
    if (!gst_saliency_prefilter_frame (self, &frame,
            settings.prefilter_strength))
      ret = GST_FLOW_ERROR;
  }

  gst_video_frame_unmap (&frame);

  return ret;
}

/* Map mode: the output is the map. */
GstFlowReturn
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
    gst_saliency_renderer_draw_map (self->renderer, out);

  return ret;
}

