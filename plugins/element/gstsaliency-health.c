/* GStreamer saliency element: periodic health figures
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Every stats-interval of real time, the figures of the frames since the
 * last report: rates, the share of reused maps, processing times and the
 * latency reported. They go on the bus as a "saliency-stats" element
 * message and downstream as a custom event of the same structure, for
 * saliencypublish to write into its stream. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsaliency-private.h"

#include <math.h>

void
gst_saliency_health_init (GstSaliencyHealth * health)
{
  health->start = 0;
  health->frames = health->maps = 0;
  if (!health->times)
    health->times = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  g_array_set_size (health->times, 0);
}

void
gst_saliency_health_clear (GstSaliencyHealth * health)
{
  g_clear_pointer (&health->times, g_array_unref);
}

static gint
compare_times (gconstpointer a, gconstpointer b)
{
  GstClockTime x = *(const GstClockTime *) a, y = *(const GstClockTime *) b;

  return x < y ? -1 : x > y;
}

/* Nearest rank of @p (0 < @p <= 1) in @sorted. */
static GstClockTime
percentile (GArray * sorted, gdouble p)
{
  guint rank = (guint) ceil (p * sorted->len);

  return g_array_index (sorted, GstClockTime, CLAMP (rank, 1, sorted->len) - 1);
}

static GstStructure *
gst_saliency_health_report (GstSaliency * self, GstSaliencyHealth * health,
    gint64 now, const GstSaliencyStamp * stamp)
{
  GArray *times = health->times;
  gdouble period = (now - health->start) / (gdouble) G_USEC_PER_SEC;
  GstClockTime latency;
  gboolean live;

  GST_OBJECT_LOCK (self);
  latency = self->reported_latency;
  live = self->live;
  GST_OBJECT_UNLOCK (self);

  g_array_sort (times, compare_times);

  return gst_structure_new ("saliency-stats",
      "source-id", G_TYPE_STRING, stamp->source_id,
      "frame", G_TYPE_UINT64, stamp->frame,
      "utc", G_TYPE_UINT64, stamp->utc,
      "period", G_TYPE_UINT64, (guint64) (now - health->start) * GST_USECOND,
      "frames", G_TYPE_UINT, health->frames,
      "maps", G_TYPE_UINT, health->maps,
      "input-fps", G_TYPE_DOUBLE, health->frames / period,
      "map-fps", G_TYPE_DOUBLE, health->maps / period,
      "reused-share", G_TYPE_DOUBLE,
      1.0 - (gdouble) health->maps / health->frames,
      "processing-p50", G_TYPE_UINT64, percentile (times, 0.5),
      "processing-p90", G_TYPE_UINT64, percentile (times, 0.9),
      "processing-p99", G_TYPE_UINT64, percentile (times, 0.99),
      "processing-max", G_TYPE_UINT64, percentile (times, 1.0),
      "latency", G_TYPE_UINT64, latency, "live", G_TYPE_BOOLEAN, live, NULL);
}

/* Counts a frame that took @elapsed; reports when stats-interval is over. */
void
gst_saliency_health_add (GstSaliency * self, GstClockTime elapsed,
    gboolean reused, const GstSaliencySettings * settings,
    const GstSaliencyStamp * stamp)
{
  GstSaliencyHealth *health = &self->health;
  gint64 now = g_get_monotonic_time ();
  GstStructure *s;

  if (settings->stats_interval == 0) {
    health->start = 0;
    return;
  }
  /* The first period starts with its first frame. */
  if (health->start == 0) {
    gst_saliency_health_init (health);
    health->start = now;
  }

  health->frames++;
  if (!reused)
    health->maps++;
  g_array_append_val (health->times, elapsed);

  if ((GstClockTime) (now - health->start) * GST_USECOND
      < settings->stats_interval)
    return;

  s = gst_saliency_health_report (self, health, now, stamp);
  GST_DEBUG_OBJECT (self, "%" GST_PTR_FORMAT, s);
  gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (self),
      gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM,
          gst_structure_copy (s)));
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));

  gst_saliency_health_init (health);
  health->start = now;
}
