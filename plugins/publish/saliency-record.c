/* saliencypublish: a frame's results as one JSON object
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The record of docs/saliency-record.schema.json, from the GstSaliencyMeta
 * (map, identity, time) and the "saliency" region-of-interest metas of a
 * buffer. Positions are in pixels of the frame the meta covers, and
 * normalised to [0, 1] by its size. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "saliency-record.h"

#include <gst/video/video.h>

#include "saliency-json.h"

#define MAX_GRID 64

/* "COLSxROWS", each 1..MAX_GRID; NULL, "" or "none": no grid. */
gboolean
gst_saliency_parse_grid (const gchar * text, guint * cols, guint * rows)
{
  guint64 c, r;
  gchar *end;

  *cols = *rows = 0;
  if (!text || !*text || g_strcmp0 (text, "none") == 0)
    return TRUE;
  c = g_ascii_strtoull (text, &end, 10);
  if (end == text || *end != 'x')
    return FALSE;
  text = end + 1;
  r = g_ascii_strtoull (text, &end, 10);
  if (end == text || *end || c < 1 || r < 1 || c > MAX_GRID || r > MAX_GRID)
    return FALSE;
  *cols = (guint) c;
  *rows = (guint) r;
  return TRUE;
}

static void
write_utc (SalJsonWriter * w, GstClockTime utc)
{
  gint64 us = (gint64) (utc / GST_USECOND);
  GDateTime *dt = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  gchar *date, *text;

  if (!dt) {
    sal_json_key (w, "utc");
    sal_json_null (w);
    sal_json_key (w, "utc_us");
    sal_json_null (w);
    return;
  }
  date = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  text = g_strdup_printf ("%s.%06dZ", date, (gint) (us % G_USEC_PER_SEC));
  sal_json_key (w, "utc");
  sal_json_string (w, text);
  sal_json_key (w, "utc_us");
  sal_json_int (w, us);
  g_free (text);
  g_free (date);
  g_date_time_unref (dt);
}

/* A pixel box and the same normalised to the frame size. */
static void
write_box (SalJsonWriter * w, gint x, gint y, gint width, gint height,
    gdouble frame_width, gdouble frame_height)
{
  sal_json_key (w, "box");
  sal_json_begin_object (w);
  sal_json_key (w, "x");
  sal_json_int (w, x);
  sal_json_key (w, "y");
  sal_json_int (w, y);
  sal_json_key (w, "width");
  sal_json_int (w, width);
  sal_json_key (w, "height");
  sal_json_int (w, height);
  sal_json_end_object (w);

  sal_json_key (w, "nbox");
  sal_json_begin_object (w);
  sal_json_key (w, "x");
  sal_json_double (w, x / frame_width);
  sal_json_key (w, "y");
  sal_json_double (w, y / frame_height);
  sal_json_key (w, "width");
  sal_json_double (w, width / frame_width);
  sal_json_key (w, "height");
  sal_json_double (w, height / frame_height);
  sal_json_end_object (w);
}

static gint
compare_rois (gconstpointer a, gconstpointer b)
{
  const GstVideoRegionOfInterestMeta *x = *(GstVideoRegionOfInterestMeta **) a;
  const GstVideoRegionOfInterestMeta *y = *(GstVideoRegionOfInterestMeta **) b;

  return x->id - y->id;
}

/* The saliency element's regions, strongest first (their ids). */
static void
write_regions (SalJsonWriter * w, GstBuffer * buf,
    const GstSaliencyMeta * meta)
{
  GQuark saliency = g_quark_from_static_string ("saliency");
  GPtrArray *rois = g_ptr_array_new ();
  gpointer state = NULL;
  GstMeta *m;

  while ((m = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
    if (((GstVideoRegionOfInterestMeta *) m)->roi_type == saliency)
      g_ptr_array_add (rois, m);
  g_ptr_array_sort (rois, compare_rois);

  sal_json_key (w, "regions");
  sal_json_begin_array (w);
  for (guint i = 0; i < rois->len; i++) {
    GstVideoRegionOfInterestMeta *roi = g_ptr_array_index (rois, i);
    GstStructure *params = gst_video_region_of_interest_meta_get_param (roi,
        "roi/saliency");
    gdouble score = 0.0, mass = 0.0;

    if (params) {
      gst_structure_get_double (params, "score", &score);
      gst_structure_get_double (params, "mass", &mass);
    }
    sal_json_begin_object (w);
    write_box (w, roi->x, roi->y, roi->w, roi->h, meta->frame_width,
        meta->frame_height);
    sal_json_key (w, "score");
    sal_json_double (w, score);
    sal_json_key (w, "mass");
    sal_json_double (w, mass);
    sal_json_end_object (w);
  }
  sal_json_end_array (w);
  g_ptr_array_unref (rois);
}

/* The probability mass in each cell of a cols x rows grid over the frame,
 * row by row (it sums to 1): each map sample counts in the cell of its
 * centre. */
static void
write_grid (SalJsonWriter * w, const GstSaliencyMeta * meta, guint cols,
    guint rows)
{
  gdouble cells[MAX_GRID * MAX_GRID] = { 0.0, };

  for (guint y = 0; y < meta->height; y++) {
    guint row = (guint) ((y + 0.5) * rows / meta->height);
    const gfloat *line = meta->data + (gsize) y * meta->width;

    for (guint x = 0; x < meta->width; x++)
      cells[row * cols + (guint) ((x + 0.5) * cols / meta->width)] += line[x];
  }

  sal_json_key (w, "grid");
  sal_json_begin_object (w);
  sal_json_key (w, "cols");
  sal_json_uint (w, cols);
  sal_json_key (w, "rows");
  sal_json_uint (w, rows);
  sal_json_key (w, "mass");
  sal_json_begin_array (w);
  for (guint i = 0; i < cols * rows; i++)
    sal_json_double (w, cells[i]);
  sal_json_end_array (w);
  sal_json_end_object (w);
}

static gboolean
write_stats_field (GQuark field, const GValue * value, gpointer user_data)
{
  SalJsonWriter *w = user_data;
  const gchar *name = g_quark_to_string (field);
  gchar *key;

  /* The record has them, for its own frame. */
  if (g_str_equal (name, "source-id") || g_str_equal (name, "utc"))
    return TRUE;

  key = g_strdelimit (g_strdup (name), "-", '_');
  sal_json_key (w, key);
  g_free (key);
  sal_json_gvalue (w, value);
  return TRUE;
}

static void
write_stats (SalJsonWriter * w, const GstSaliencyRecordOptions * options)
{
  sal_json_key (w, "stats");
  sal_json_begin_object (w);
  gst_structure_foreach (options->stats, write_stats_field, w);
  sal_json_key (w, "published");
  sal_json_uint (w, options->published);
  sal_json_key (w, "dropped_publishes");
  sal_json_uint (w, options->dropped);
  sal_json_end_object (w);
}

/* Appends the record of @buf, whose saliency meta is @meta, to @out. */
void
gst_saliency_record_write (GString * out, GstBuffer * buf,
    const GstSaliencyMeta * meta, const GstSaliencyRecordOptions * options)
{
  SalJsonWriter writer, *w = &writer;
  gdouble nx, ny;
  gsize n = (gsize) meta->width * meta->height;

  sal_json_writer_init (w, out);
  sal_json_begin_object (w);

  sal_json_key (w, "source");
  sal_json_string (w, meta->source_id ? meta->source_id : "");
  sal_json_key (w, "frame");
  sal_json_uint (w, meta->frame);
  sal_json_key (w, "pts");
  if (GST_CLOCK_TIME_IS_VALID (meta->pts))
    sal_json_uint (w, meta->pts);
  else
    sal_json_null (w);
  write_utc (w, meta->utc);
  sal_json_key (w, "time_source");
  sal_json_string (w, gst_saliency_time_source_to_string (meta->time_source));
  sal_json_key (w, "tags");
  sal_json_raw (w, meta->tags ? meta->tags : "{}");

  sal_json_key (w, "width");
  sal_json_uint (w, meta->frame_width);
  sal_json_key (w, "height");
  sal_json_uint (w, meta->frame_height);

  sal_json_key (w, "map");
  sal_json_begin_object (w);
  sal_json_key (w, "width");
  sal_json_uint (w, meta->width);
  sal_json_key (w, "height");
  sal_json_uint (w, meta->height);
  sal_json_key (w, "reused");
  sal_json_boolean (w, (meta->flags & GST_SALIENCY_META_FLAG_REUSED) != 0);
  sal_json_key (w, "age");
  sal_json_uint (w, meta->age);
  sal_json_end_object (w);

  gst_saliency_meta_get_peak (meta, &nx, &ny);
  sal_json_key (w, "peak");
  sal_json_begin_object (w);
  sal_json_key (w, "x");
  sal_json_uint (w, MIN ((guint) (nx * meta->frame_width),
          meta->frame_width - 1));
  sal_json_key (w, "y");
  sal_json_uint (w, MIN ((guint) (ny * meta->frame_height),
          meta->frame_height - 1));
  sal_json_key (w, "nx");
  sal_json_double (w, nx);
  sal_json_key (w, "ny");
  sal_json_double (w, ny);
  sal_json_key (w, "value");
  sal_json_double (w, meta->max);
  sal_json_end_object (w);

  /* The mean of the map normalised to its peak; the map sums to 1. */
  sal_json_key (w, "spread");
  sal_json_double (w, meta->max > 0.0f ? 1.0 / (n * meta->max) : 0.0);

  write_regions (w, buf, meta);
  if (options->grid_cols > 0)
    write_grid (w, meta, options->grid_cols, options->grid_rows);
  if (options->stats)
    write_stats (w, options);

  sal_json_end_object (w);
}
