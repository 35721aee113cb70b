/* GStreamer saliency metadata
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:gstsaliencymeta
 * @title: GstSaliencyMeta
 * @short_description: a saliency map attached to a video buffer
 *
 * The saliency element attaches a #GstSaliencyMeta to every buffer it
 * outputs. Applications and elements read it with
 * gst_buffer_get_saliency_meta():
 *
 * |[<!-- language="C" -->
 *   GstSaliencyMeta *meta = gst_buffer_get_saliency_meta (buffer);
 *
 *   if (meta) {
 *     gdouble x, y;
 *
 *     gst_saliency_meta_get_peak (meta, &x, &y);
 *     g_print ("looking at %.2f, %.2f\n", x, y);
 *     g_print ("pixel (100, 20) is at %.2f of the peak\n",
 *         gst_saliency_meta_sample (meta, 100, 20));
 *   }
 * ]|
 *
 * Link against gstreamer-saliency-1.0 (pkg-config) for these functions.
 */

#include "gstsaliencymeta.h"

#include <gst/video/video.h>

static gboolean
gst_saliency_meta_init (GstMeta * meta, gpointer params, GstBuffer * buffer)
{
  GstSaliencyMeta *smeta = (GstSaliencyMeta *) meta;

  smeta->width = smeta->height = 0;
  smeta->data = NULL;
  smeta->max = 0.0f;
  smeta->peak_x = smeta->peak_y = 0;
  smeta->frame_width = smeta->frame_height = 0;
  smeta->flags = GST_SALIENCY_META_FLAG_NONE;
  smeta->age = 0;
  smeta->frame = 0;
  smeta->pts = GST_CLOCK_TIME_NONE;
  smeta->utc = GST_CLOCK_TIME_NONE;
  smeta->time_source = GST_SALIENCY_TIME_SOURCE_NONE;
  smeta->source_id = NULL;
  smeta->tags = NULL;
  smeta->bytes = NULL;

  return TRUE;
}

static void
gst_saliency_meta_free (GstMeta * meta, GstBuffer * buffer)
{
  GstSaliencyMeta *smeta = (GstSaliencyMeta *) meta;

  g_clear_pointer (&smeta->bytes, g_bytes_unref);
  g_clear_pointer (&smeta->source_id, g_free);
  g_clear_pointer (&smeta->tags, g_free);
}

static gboolean
gst_saliency_meta_transform (GstBuffer * dest, GstMeta * meta,
    GstBuffer * buffer, GQuark type, gpointer data)
{
  GstSaliencyMeta *smeta = (GstSaliencyMeta *) meta;
  GstSaliencyMeta *dmeta;
  guint frame_width = smeta->frame_width, frame_height = smeta->frame_height;

  /* The map describes the whole picture at its own resolution, so it stays
   * valid for full copies and for scaled versions of the frame (which only
   * change the frame size it is looked up at); a copy of part of the
   * buffer or any other transformation drops it. */
  if (GST_META_TRANSFORM_IS_COPY (type)) {
    GstMetaTransformCopy *copy = data;

    if (copy->region)
      return FALSE;
  } else if (GST_VIDEO_META_TRANSFORM_IS_SCALE (type)) {
    GstVideoMetaTransform *scale = data;

    frame_width = GST_VIDEO_INFO_WIDTH (scale->out_info);
    frame_height = GST_VIDEO_INFO_HEIGHT (scale->out_info);
  } else {
    return FALSE;
  }

  dmeta = (GstSaliencyMeta *) gst_buffer_add_meta (dest,
      GST_SALIENCY_META_INFO, NULL);
  if (!dmeta)
    return FALSE;

  dmeta->width = smeta->width;
  dmeta->height = smeta->height;
  dmeta->bytes = g_bytes_ref (smeta->bytes);
  dmeta->data = smeta->data;
  dmeta->max = smeta->max;
  dmeta->peak_x = smeta->peak_x;
  dmeta->peak_y = smeta->peak_y;
  dmeta->frame_width = frame_width;
  dmeta->frame_height = frame_height;
  dmeta->flags = smeta->flags;
  dmeta->age = smeta->age;
  gst_saliency_meta_set_identity (dmeta, smeta->frame, smeta->pts, smeta->utc,
      smeta->time_source, smeta->source_id, smeta->tags);

  return TRUE;
}

/**
 * gst_saliency_meta_api_get_type:
 *
 * Returns: the #GType of the #GstSaliencyMeta API; its only tag is
 *   %GST_META_TAG_VIDEO_STR, so video filters that keep the picture's
 *   content (videoconvert, videoscale) keep the meta.
 */
GType
gst_saliency_meta_api_get_type (void)
{
  static GType type = 0;
  static const gchar *tags[] = { GST_META_TAG_VIDEO_STR, NULL };

  if (g_once_init_enter (&type)) {
    GType _type = gst_meta_api_type_register ("GstSaliencyMetaAPI", tags);
    g_once_init_leave (&type, _type);
  }
  return type;
}

/**
 * gst_saliency_meta_get_info:
 *
 * Returns: (transfer none): the #GstMetaInfo of #GstSaliencyMeta
 */
const GstMetaInfo *
gst_saliency_meta_get_info (void)
{
  static const GstMetaInfo *meta_info = NULL;

  if (g_once_init_enter ((GstMetaInfo **) & meta_info)) {
    const GstMetaInfo *mi = gst_meta_register (GST_SALIENCY_META_API_TYPE,
        "GstSaliencyMeta", sizeof (GstSaliencyMeta),
        gst_saliency_meta_init, gst_saliency_meta_free,
        gst_saliency_meta_transform);
    g_once_init_leave ((GstMetaInfo **) & meta_info, (GstMetaInfo *) mi);
  }
  return meta_info;
}

/**
 * gst_buffer_add_saliency_meta:
 * @buffer: a writable #GstBuffer
 * @map: (transfer none): @width x @height native-endian floats, row-major,
 *   summing to 1; the meta takes a reference, the data is never copied
 * @width: width of the map
 * @height: height of the map
 * @frame_width: width of @buffer's frame, which the map covers
 * @frame_height: height of @buffer's frame
 *
 * Attaches a saliency map to @buffer and computes its maximum and peak.
 * The flags and age are 0 (a map of this frame); set them on the result
 * for a reused map.
 *
 * Returns: (transfer none) (nullable): the new #GstSaliencyMeta, or %NULL
 *   when @map is smaller than @width x @height floats
 */
GstSaliencyMeta *
gst_buffer_add_saliency_meta (GstBuffer * buffer, GBytes * map, guint width,
    guint height, guint frame_width, guint frame_height)
{
  GstSaliencyMeta *meta;
  const gfloat *data;
  gsize size, n, best = 0;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  g_return_val_if_fail (map != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (frame_width > 0 && frame_height > 0, NULL);

  data = g_bytes_get_data (map, &size);
  n = (gsize) width *height;
  g_return_val_if_fail (size / sizeof (gfloat) >= n, NULL);

  meta = (GstSaliencyMeta *) gst_buffer_add_meta (buffer,
      GST_SALIENCY_META_INFO, NULL);
  if (!meta)
    return NULL;

  /* At the map's size (thousands of samples), not the frame's. */
  for (gsize i = 1; i < n; i++)
    if (data[i] > data[best])
      best = i;

  meta->width = width;
  meta->height = height;
  meta->bytes = g_bytes_ref (map);
  meta->data = data;
  meta->max = data[best];
  meta->peak_x = best % width;
  meta->peak_y = best / width;
  meta->frame_width = frame_width;
  meta->frame_height = frame_height;

  return meta;
}

/**
 * gst_saliency_meta_get_map:
 * @meta: a #GstSaliencyMeta
 * @width: (out) (optional): the width of the map
 * @height: (out) (optional): the height of the map
 *
 * Returns: (transfer none): the map, valid as long as @meta
 */
const gfloat *
gst_saliency_meta_get_map (const GstSaliencyMeta * meta, guint * width,
    guint * height)
{
  g_return_val_if_fail (meta != NULL, NULL);

  if (width)
    *width = meta->width;
  if (height)
    *height = meta->height;
  return meta->data;
}

/**
 * gst_saliency_meta_get_bytes:
 * @meta: a #GstSaliencyMeta
 *
 * Returns: (transfer full): the map's storage, to keep it beyond the buffer
 */
GBytes *
gst_saliency_meta_get_bytes (const GstSaliencyMeta * meta)
{
  g_return_val_if_fail (meta != NULL, NULL);

  return g_bytes_ref (meta->bytes);
}

/**
 * gst_saliency_meta_get_value:
 * @meta: a #GstSaliencyMeta
 * @x: column of the map, below #GstSaliencyMeta.width
 * @y: row of the map, below #GstSaliencyMeta.height
 *
 * Returns: the probability of map sample (@x, @y); 0 outside the map
 */
gfloat
gst_saliency_meta_get_value (const GstSaliencyMeta * meta, guint x, guint y)
{
  g_return_val_if_fail (meta != NULL, 0.0f);

  if (x >= meta->width || y >= meta->height)
    return 0.0f;
  return meta->data[(gsize) y * meta->width + x];
}

/* The map coordinate of frame coordinate @x: pixel centres are aligned
 * (align_corners=False, as in the engine's resizes), clamped at the edges. */
static gdouble
map_coordinate (gdouble x, guint frame_size, guint map_size)
{
  gdouble u = (x + 0.5) * map_size / frame_size - 0.5;

  return CLAMP (u, 0.0, map_size - 1.0);
}

/**
 * gst_saliency_meta_sample:
 * @meta: a #GstSaliencyMeta
 * @x: horizontal position in pixels of the frame: 0 is the centre of the
 *   first column, #GstSaliencyMeta.frame_width - 1 the centre of the last
 * @y: vertical position in pixels of the frame
 *
 * Looks the map up at a pixel of the frame, interpolating bilinearly
 * between the four nearest map samples (pixel centres aligned, as the
 * overlay and map modes of the element draw it). Fractional positions are
 * allowed. For a frame scaled downstream of the element, the meta's frame
 * size is the scaled one, so the same call works there too.
 *
 * Returns: the map normalised to its maximum, in [0, 1], at (@x, @y); 0
 *   outside the frame (beyond half a pixel from its edge pixels)
 */
gfloat
gst_saliency_meta_sample (const GstSaliencyMeta * meta, gdouble x, gdouble y)
{
  gdouble u, v, fu, fv;
  guint x0, y0, x1, y1;
  const gfloat *r0, *r1;
  gfloat top, bottom;

  g_return_val_if_fail (meta != NULL, 0.0f);

  if (!(meta->max > 0.0f) || meta->frame_width == 0 || meta->frame_height == 0
      || !(x >= -0.5 && x <= meta->frame_width - 0.5
          && y >= -0.5 && y <= meta->frame_height - 0.5))
    return 0.0f;

  u = map_coordinate (x, meta->frame_width, meta->width);
  v = map_coordinate (y, meta->frame_height, meta->height);
  x0 = (guint) u;
  y0 = (guint) v;
  x1 = MIN (x0 + 1, meta->width - 1);
  y1 = MIN (y0 + 1, meta->height - 1);
  fu = u - x0;
  fv = v - y0;

  r0 = meta->data + (gsize) y0 * meta->width;
  r1 = meta->data + (gsize) y1 * meta->width;
  top = r0[x0] + (r0[x1] - r0[x0]) * fu;
  bottom = r1[x0] + (r1[x1] - r1[x0]) * fu;
  return CLAMP ((top + (bottom - top) * fv) / meta->max, 0.0f, 1.0f);
}

/**
 * gst_saliency_meta_get_peak:
 * @meta: a #GstSaliencyMeta
 * @x: (out) (optional): horizontal position of the peak's centre in [0, 1]
 * @y: (out) (optional): vertical position of the peak's centre in [0, 1]
 *
 * The most salient point, normalised to the frame size (multiply by
 * #GstSaliencyMeta.frame_width and #GstSaliencyMeta.frame_height for
 * pixels). The sample is in #GstSaliencyMeta.peak_x and
 * #GstSaliencyMeta.peak_y.
 */
void
gst_saliency_meta_get_peak (const GstSaliencyMeta * meta, gdouble * x,
    gdouble * y)
{
  g_return_if_fail (meta != NULL);

  if (x)
    *x = (meta->peak_x + 0.5) / meta->width;
  if (y)
    *y = (meta->peak_y + 0.5) / meta->height;
}

/**
 * gst_saliency_meta_set_identity:
 * @meta: a #GstSaliencyMeta
 * @frame: the frame's number
 * @pts: the frame's PTS
 * @utc: wall-clock time in nanoseconds since the Unix epoch, or
 *   #GST_CLOCK_TIME_NONE
 * @time_source: where @utc comes from
 * @source_id: (nullable): the camera or stream the frame belongs to
 * @tags: (nullable): the text of a JSON object copied into every result
 *
 * Sets which frame of which source @meta describes, and when; the strings
 * are copied.
 */
void
gst_saliency_meta_set_identity (GstSaliencyMeta * meta, guint64 frame,
    GstClockTime pts, GstClockTime utc, GstSaliencyTimeSource time_source,
    const gchar * source_id, const gchar * tags)
{
  g_return_if_fail (meta != NULL);

  meta->frame = frame;
  meta->pts = pts;
  meta->utc = utc;
  meta->time_source = time_source;
  g_free (meta->source_id);
  meta->source_id = g_strdup (source_id);
  g_free (meta->tags);
  meta->tags = g_strdup (tags);
}

/**
 * gst_saliency_time_source_to_string:
 * @source: a #GstSaliencyTimeSource
 *
 * Returns: "none", "reference", "clock" or "arrival"; the names of the
 *   messages and of the JSON records
 */
const gchar *
gst_saliency_time_source_to_string (GstSaliencyTimeSource source)
{
  switch (source) {
    case GST_SALIENCY_TIME_SOURCE_REFERENCE:
      return "reference";
    case GST_SALIENCY_TIME_SOURCE_CLOCK:
      return "clock";
    case GST_SALIENCY_TIME_SOURCE_ARRIVAL:
      return "arrival";
    case GST_SALIENCY_TIME_SOURCE_NONE:
    default:
      return "none";
  }
}
