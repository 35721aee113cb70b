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
  smeta->bytes = NULL;

  return TRUE;
}

static void
gst_saliency_meta_free (GstMeta * meta, GstBuffer * buffer)
{
  GstSaliencyMeta *smeta = (GstSaliencyMeta *) meta;

  g_clear_pointer (&smeta->bytes, g_bytes_unref);
}

static gboolean
gst_saliency_meta_transform (GstBuffer * dest, GstMeta * meta,
    GstBuffer * buffer, GQuark type, gpointer data)
{
  GstSaliencyMeta *smeta = (GstSaliencyMeta *) meta;
  GstSaliencyMeta *dmeta;

  /* The map describes the whole picture in its own coordinates, so it
   * stays valid for full copies and for scaled versions of the frame;
   * a copy of part of the buffer or any other transformation drops it. */
  if (GST_META_TRANSFORM_IS_COPY (type)) {
    GstMetaTransformCopy *copy = data;

    if (copy->region)
      return FALSE;
  } else if (!GST_VIDEO_META_TRANSFORM_IS_SCALE (type)) {
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
 *
 * Attaches a saliency map to @buffer and computes its maximum and peak.
 *
 * Returns: (transfer none) (nullable): the new #GstSaliencyMeta, or %NULL
 *   when @map is smaller than @width x @height floats
 */
GstSaliencyMeta *
gst_buffer_add_saliency_meta (GstBuffer * buffer, GBytes * map, guint width,
    guint height)
{
  GstSaliencyMeta *meta;
  const gfloat *data;
  gsize size, n, best = 0;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  g_return_val_if_fail (map != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  data = g_bytes_get_data (map, &size);
  n = (gsize) width *height;
  g_return_val_if_fail (size / sizeof (gfloat) >= n, NULL);

  meta = (GstSaliencyMeta *) gst_buffer_add_meta (buffer,
      GST_SALIENCY_META_INFO, NULL);
  if (!meta)
    return NULL;

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
 * @x: column, below #GstSaliencyMeta.width
 * @y: row, below #GstSaliencyMeta.height
 *
 * Returns: the probability of sample (@x, @y); 0 outside the map
 */
gfloat
gst_saliency_meta_get_value (const GstSaliencyMeta * meta, guint x, guint y)
{
  g_return_val_if_fail (meta != NULL, 0.0f);

  if (x >= meta->width || y >= meta->height)
    return 0.0f;
  return meta->data[(gsize) y * meta->width + x];
}

/**
 * gst_saliency_meta_sample:
 * @meta: a #GstSaliencyMeta
 * @x: horizontal position in [0, 1], 0 the left edge of the frame
 * @y: vertical position in [0, 1], 0 the top edge of the frame
 *
 * Looks the map up at a position given independently of any frame size,
 * for frames scaled after the meta was attached.
 *
 * Returns: the map normalised to its maximum, in [0, 1], at (@x, @y)
 *   (nearest sample)
 */
gfloat
gst_saliency_meta_sample (const GstSaliencyMeta * meta, gdouble x, gdouble y)
{
  guint sx, sy;

  g_return_val_if_fail (meta != NULL, 0.0f);

  if (!(meta->max > 0.0f) || !(x >= 0.0 && x <= 1.0 && y >= 0.0 && y <= 1.0))
    return 0.0f;

  sx = MIN ((guint) (x * meta->width), meta->width - 1);
  sy = MIN ((guint) (y * meta->height), meta->height - 1);
  return meta->data[(gsize) sy * meta->width + sx] / meta->max;
}

/**
 * gst_saliency_meta_get_peak:
 * @meta: a #GstSaliencyMeta
 * @x: (out) (optional): horizontal position of the peak's centre in [0, 1]
 * @y: (out) (optional): vertical position of the peak's centre in [0, 1]
 *
 * The most salient point, normalised to the frame size. The sample is in
 * #GstSaliencyMeta.peak_x and #GstSaliencyMeta.peak_y.
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
