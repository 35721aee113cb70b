/* GStreamer saliency metadata
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_SALIENCY_META_H__
#define __GST_SALIENCY_META_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_SALIENCY_META_API_TYPE (gst_saliency_meta_api_get_type ())
#define GST_SALIENCY_META_INFO (gst_saliency_meta_get_info ())

typedef struct _GstSaliencyMeta GstSaliencyMeta;

/**
 * GstSaliencyMeta:
 * @meta: parent #GstMeta
 * @width: width of the map in samples
 * @height: height of the map in samples
 * @data: @width x @height floats, row-major with no padding: a probability
 *   distribution over the map (the values are >= 0 and sum to 1)
 * @max: the largest value of @data; divide by it for a map in [0, 1]
 * @peak_x: column of @max
 * @peak_y: row of @max
 *
 * Where people are predicted to look in the frame of the buffer, as computed
 * by the saliency element. The map covers the whole frame; it is computed
 * at the frame size, so a map sample is a pixel of the frame the meta was
 * attached to. Elements that scale the video downstream keep the meta
 * unchanged: compare @width/@height with the frame size, or use
 * gst_saliency_meta_sample() with normalised coordinates.
 *
 * The data is shared between buffers, not copied: it is read-only.
 */
struct _GstSaliencyMeta
{
  GstMeta meta;

  guint width;
  guint height;
  const gfloat *data;
  gfloat max;
  guint peak_x;
  guint peak_y;

  /*< private >*/
  GBytes *bytes;
  gpointer _gst_reserved[GST_PADDING];
};

GType gst_saliency_meta_api_get_type (void);
const GstMetaInfo *gst_saliency_meta_get_info (void);

/**
 * gst_buffer_get_saliency_meta:
 * @b: a #GstBuffer
 *
 * Returns: (nullable) (transfer none): the #GstSaliencyMeta of @b, or %NULL
 */
#define gst_buffer_get_saliency_meta(b) \
  ((GstSaliencyMeta *) gst_buffer_get_meta ((b), GST_SALIENCY_META_API_TYPE))

GstSaliencyMeta *gst_buffer_add_saliency_meta (GstBuffer * buffer,
    GBytes * map, guint width, guint height);

const gfloat *gst_saliency_meta_get_map (const GstSaliencyMeta * meta,
    guint * width, guint * height);
GBytes *gst_saliency_meta_get_bytes (const GstSaliencyMeta * meta);
gfloat gst_saliency_meta_get_value (const GstSaliencyMeta * meta, guint x,
    guint y);
gfloat gst_saliency_meta_sample (const GstSaliencyMeta * meta, gdouble x,
    gdouble y);
void gst_saliency_meta_get_peak (const GstSaliencyMeta * meta, gdouble * x,
    gdouble * y);

G_END_DECLS

#endif /* __GST_SALIENCY_META_H__ */
