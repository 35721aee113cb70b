/* GStreamer saliency element: the outputs besides the picture
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What a map becomes on each buffer and on the bus: the GstSaliencyMeta,
 * the region-of-interest metas and the "saliency" element message. All of
 * it is computed on the map, at its own resolution, and scaled to frame
 * pixels where a position is given. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsaliency-private.h"

#include <math.h>

#ifdef HAVE_GST_ANALYTICS
#include <gst/analytics/analytics.h>
#endif


/* The frame pixel range [*start, *end) covered by map samples
 * [start, start + size): the smallest box that contains them. */
static void
scale_span (gint start, gint size, gint map_size, gint frame_size,
    gint * out_start, gint * out_size)
{
  gint a = (gint) ((gint64) start * frame_size / map_size);
  gint b = (gint) (((gint64) (start + size) * frame_size + map_size - 1)
      / map_size);

  *out_start = a;
  *out_size = MIN (b, frame_size) - a;
}

/* A map sample's centre in frame pixels. */
static gint
scale_position (gint pos, gint map_size, gint frame_size)
{
  return MIN ((gint) ((pos + 0.5) * frame_size / map_size), frame_size - 1);
}

/* The regions of the latest map, in frame pixels; kept while the map and
 * the settings stay. */
void
gst_saliency_find_regions (GstSaliency * self,
    const GstSaliencySettings * settings)
{
  if (self->regions_valid && self->regions_threshold == settings->roi_threshold
      && self->regions_max == settings->max_rois)
    return;

  self->n_regions = settings->max_rois == 0 ? 0
      : sal_map_find_regions (&self->stats, settings->roi_threshold,
      self->regions, settings->max_rois);
  for (gint i = 0; i < self->n_regions; i++) {
    SalRegion *r = &self->regions[i];

    scale_span (r->x, r->width, self->stats.width, self->frame_width, &r->x,
        &r->width);
    scale_span (r->y, r->height, self->stats.height, self->frame_height,
        &r->y, &r->height);
  }
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

/* GStreamer >= 1.24: the regions also as object-detection results of type
 * "saliency" (confidence: the score) in the buffer's
 * GstAnalyticsRelationMeta, which newer overlay and publishing elements
 * read. On 1.22 there is no such meta: nothing to do. */
static void
attach_analytics (GstBuffer * buf, const SalRegion * regions, gint n)
{
#if defined (HAVE_GST_ANALYTICS) && GST_CHECK_VERSION (1, 24, 0)
  GQuark saliency = g_quark_from_static_string ("saliency");
  GstAnalyticsRelationMeta *rmeta;

  if (n == 0)
    return;
  rmeta = gst_buffer_get_analytics_relation_meta (buf);
  if (!rmeta)
    rmeta = gst_buffer_add_analytics_relation_meta (buf);
  for (gint i = 0; rmeta && i < n; i++) {
    GstAnalyticsODMtd od;

    gst_analytics_relation_meta_add_od_mtd (rmeta, saliency, regions[i].x,
        regions[i].y, regions[i].width, regions[i].height, regions[i].score,
        &od);
  }
#endif
}

void
gst_saliency_attach_metas (GstSaliency * self, GstBuffer * buf,
    const GstSaliencySettings * settings, GstSaliencyReuse reuse,
    const GstSaliencyStamp * stamp)
{
  GQuark saliency = g_quark_from_static_string ("saliency");
  static const gchar *encoder_params[] = { "roi/vaapi", "roi/msdk" };
  GstSaliencyMeta *meta;

  /* A saliency element upstream already analysed this picture: replace. */
  gst_buffer_foreach_meta (buf, remove_saliency_metas,
      GUINT_TO_POINTER (saliency));

  meta = gst_buffer_add_saliency_meta (buf, self->map, self->stats.width,
      self->stats.height, self->frame_width, self->frame_height);
  if (meta && reuse != GST_SALIENCY_REUSE_NONE) {
    meta->flags = GST_SALIENCY_META_FLAG_REUSED;
    if (reuse == GST_SALIENCY_REUSE_INTERVAL)
      meta->flags |= GST_SALIENCY_META_FLAG_INTERVAL;
    meta->age = self->age;
  }
  if (meta)
    gst_saliency_meta_set_identity (meta, stamp->frame, stamp->pts,
        stamp->utc, stamp->time_source, stamp->source_id, stamp->tags);

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
  attach_analytics (buf, self->regions, self->n_regions);
}

void
gst_saliency_post_frame_message (GstSaliency * self, GstBuffer * buf,
    GstSaliencyReuse reuse, GstClockTime elapsed,
    const GstSaliencyStamp * stamp)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  const SalMap *map = &self->stats;
  GValue regions = G_VALUE_INIT;
  GstStructure *s;
  gsize n = (gsize) map->width * map->height;
  gdouble sum = 0.0;

  for (gsize i = 0; i < n; i++)
    sum += map->data[i];

  s = gst_structure_new ("saliency",
      "timestamp", G_TYPE_UINT64, pts,
      "stream-time", G_TYPE_UINT64, gst_segment_to_stream_time
      (&trans->segment, GST_FORMAT_TIME, pts),
      "running-time", G_TYPE_UINT64, gst_segment_to_running_time
      (&trans->segment, GST_FORMAT_TIME, pts),
      "duration", G_TYPE_UINT64, GST_BUFFER_DURATION (buf),
      "width", G_TYPE_INT, self->frame_width,
      "height", G_TYPE_INT, self->frame_height,
      "map-width", G_TYPE_INT, map->width,
      "map-height", G_TYPE_INT, map->height,
      "peak-x", G_TYPE_INT, scale_position (map->peak_x, map->width,
          self->frame_width),
      "peak-y", G_TYPE_INT, scale_position (map->peak_y, map->height,
          self->frame_height),
      "max", G_TYPE_DOUBLE, (gdouble) map->max,
      "mean", G_TYPE_DOUBLE, map->max > 0.0f ? sum / n / map->max : 0.0,
      "reused", G_TYPE_BOOLEAN, reuse != GST_SALIENCY_REUSE_NONE,
      "interval", G_TYPE_BOOLEAN, reuse == GST_SALIENCY_REUSE_INTERVAL,
      "age", G_TYPE_UINT, self->age,
      "processing-time", G_TYPE_UINT64, elapsed,
      "frame", G_TYPE_UINT64, stamp->frame,
      "utc", G_TYPE_UINT64, stamp->utc,
      "time-source", G_TYPE_STRING,
      gst_saliency_time_source_to_string (stamp->time_source),
      "source-id", G_TYPE_STRING, stamp->source_id,
      "tags", G_TYPE_STRING, stamp->tags ? stamp->tags : "{}", NULL);

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

