/* GStreamer saliency element: drawing the map
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "overlay.h"

#include <math.h>
#include <string.h>

/**
 * gst_saliency_quantise:
 * @map: @n probabilities
 * @n: number of samples
 * @max: the largest value of @map
 * @levels: (out caller-allocates): @n levels
 *
 * Quantises @map normalised to its maximum: @max becomes 255.
 */
void
gst_saliency_quantise (const gfloat * map, gsize n, gfloat max,
    guint8 * levels)
{
  gfloat scale;

  if (!(max > 0.0f) || !isfinite (max)) {
    memset (levels, 0, n);
    return;
  }

  scale = 255.0f / max;
  for (gsize i = 0; i < n; i++) {
    gfloat v = map[i] * scale + 0.5f;

    /* The negated comparison also sends NaN to 0. */
    levels[i] = !(v > 0.0f) ? 0 : v >= 255.0f ? 255 : (guint8) v;
  }
}

/* The level of the map under one sample of a component: the mean of the
 * pixels the sample covers (2x2 for the chroma of I420 and NV12). */
static inline guint
level_under (const guint8 * levels, gint width, gint height, gint x, gint y,
    gint w_sub, gint h_sub)
{
  gint x0, y0, x1, y1;
  guint sum = 0;

  if (w_sub == 0 && h_sub == 0)
    return levels[y * width + x];

  x0 = x << w_sub;
  y0 = y << h_sub;
  x1 = MIN (x0 + (1 << w_sub), width);
  y1 = MIN (y0 + (1 << h_sub), height);
  for (gint j = y0; j < y1; j++)
    for (gint i = x0; i < x1; i++)
      sum += levels[j * width + i];
  return (sum + (x1 - x0) * (y1 - y0) / 2) / ((x1 - x0) * (y1 - y0));
}

/**
 * gst_saliency_blend:
 * @frame: a frame mapped for writing, of a format whose first components
 *   are R, G, B or Y, U, V or gray (with any alpha last)
 * @levels: the quantised map at the frame size
 * @palette: colours in the frame's colour space
 * @alpha: opacity of the heatmap, 0 leaves the frame as it is
 *
 * Blends the heatmap into @frame: every colour component becomes
 * (1 - @alpha) * itself + @alpha * the palette colour of the level under it.
 * Subsampled components take the colour of the mean level of the pixels
 * they cover. An alpha channel is left untouched.
 */
void
gst_saliency_blend (GstVideoFrame * frame, const guint8 * levels,
    const GstSaliencyPalette * palette, gdouble alpha)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  gint width = GST_VIDEO_FRAME_WIDTH (frame);
  gint height = GST_VIDEO_FRAME_HEIGHT (frame);
  gint n_comps = MIN (GST_VIDEO_FRAME_N_COMPONENTS (frame), 3);
  guint a = (guint) lround (CLAMP (alpha, 0.0, 1.0) * 256);
  guint keep = 256 - a;

  if (a == 0)
    return;

  for (gint comp = 0; comp < n_comps; comp++) {
    guint8 *data = GST_VIDEO_FRAME_COMP_DATA (frame, comp);
    gint stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, comp);
    gint pstride = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, comp);
    gint cw = GST_VIDEO_FRAME_COMP_WIDTH (frame, comp);
    gint ch = GST_VIDEO_FRAME_COMP_HEIGHT (frame, comp);
    gint w_sub = GST_VIDEO_FORMAT_INFO_W_SUB (finfo, comp);
    gint h_sub = GST_VIDEO_FORMAT_INFO_H_SUB (finfo, comp);

    for (gint y = 0; y < ch; y++) {
      guint8 *p = data + (gsize) y * stride;

      for (gint x = 0; x < cw; x++, p += pstride) {
        guint level = level_under (levels, width, height, x, y, w_sub, h_sub);

        *p = (*p * keep + palette->c[level][comp] * a + 128) >> 8;
      }
    }
  }
}

/**
 * gst_saliency_draw_map:
 * @frame: a GRAY8 frame mapped for writing
 * @levels: the quantised map at the frame size
 *
 * Writes the map itself as the picture.
 */
void
gst_saliency_draw_map (GstVideoFrame * frame, const guint8 * levels)
{
  gint width = GST_VIDEO_FRAME_WIDTH (frame);
  gint height = GST_VIDEO_FRAME_HEIGHT (frame);
  guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);

  g_return_if_fail (GST_VIDEO_FRAME_FORMAT (frame) == GST_VIDEO_FORMAT_GRAY8);

  for (gint y = 0; y < height; y++)
    memcpy (data + (gsize) y * stride, levels + (gsize) y * width, width);
}
