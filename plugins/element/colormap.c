/* GStreamer saliency element: colormaps
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "colormap.h"

#include <math.h>

GType
gst_saliency_colormap_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SALIENCY_COLORMAP_JET, "Jet: blue, cyan, yellow, red", "jet"},
    {GST_SALIENCY_COLORMAP_TURBO,
        "Turbo: an improved jet (Google, Apache-2.0 polynomial)", "turbo"},
    {GST_SALIENCY_COLORMAP_INFERNO,
        "Inferno: black, purple, orange, yellow (matplotlib)", "inferno"},
    {GST_SALIENCY_COLORMAP_VIRIDIS,
        "Viridis: purple, green, yellow (matplotlib)", "viridis"},
    {GST_SALIENCY_COLORMAP_GRAY, "Gray: black to white", "gray"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType _type = g_enum_register_static ("GstSaliencyColormap", values);
    g_once_init_leave (&type, _type);
  }
  return type;
}

static gdouble
clamp01 (gdouble v)
{
  return CLAMP (v, 0.0, 1.0);
}

/* Evaluates c[0] + t c[1] + ... + t^(n-1) c[n-1] per channel. */
static void
polynomial (const gdouble c[][3], gint n, gdouble t, gdouble rgb[3])
{
  for (gint ch = 0; ch < 3; ch++) {
    gdouble v = 0.0;

    for (gint k = n - 1; k >= 0; k--)
      v = v * t + c[k][ch];
    rgb[ch] = clamp01 (v);
  }
}

/* Polynomial fits: turbo by Anton Mikhailov (Google, Apache-2.0); inferno
 * and viridis by Matt Zucker (CC0) of matplotlib's maps (CC0). */
static const gdouble turbo_coeffs[6][3] = {
  {0.13572138, 0.09140261, 0.10667330},
  {4.61539260, 2.19418839, 12.64194608},
  {-42.66032258, 4.84296658, -60.58204836},
  {132.13108234, -14.18503333, 110.36276771},
  {-152.94239396, 4.27729857, -89.90310912},
  {59.28637943, 2.82956604, 27.34824973},
};

static const gdouble inferno_coeffs[7][3] = {
  {0.0002189403691192265, 0.001651004631001012, -0.01948089843709184},
  {0.1065134194856116, 0.5639564367884091, 3.932712388889277},
  {11.60249308247187, -3.972853965665698, -15.9423941062914},
  {-41.70399613139459, 17.43639888205313, 44.35414519872813},
  {77.162935699427, -33.40235894210092, -81.80730925738993},
  {-71.31942824499214, 32.62606426397723, 73.20951985803202},
  {25.13112622477341, -12.24266895238567, -23.07032500287172},
};

static const gdouble viridis_coeffs[7][3] = {
  {0.2777273272234177, 0.005407344544966578, 0.3340998053353061},
  {0.1050930431085774, 1.404613529898575, 1.384590162594685},
  {-0.3308618287255563, 0.214847559468213, 0.09509516302823659},
  {-4.634230498983486, -5.799100973351585, -19.33244095627987},
  {6.228269936347081, 14.17993336680509, 56.69055260068105},
  {4.776384997670288, -13.74514537774601, -65.35303263337234},
  {-5.435455855934631, 4.645852612178535, 26.3124352495832},
};

/* R'G'B' in [0, 1] of level t in [0, 1]. */
static void
colormap_eval (GstSaliencyColormap colormap, gdouble t, gdouble rgb[3])
{
  switch (colormap) {
    case GST_SALIENCY_COLORMAP_JET:
      rgb[0] = clamp01 (1.5 - fabs (4.0 * t - 3.0));
      rgb[1] = clamp01 (1.5 - fabs (4.0 * t - 2.0));
      rgb[2] = clamp01 (1.5 - fabs (4.0 * t - 1.0));
      break;
    case GST_SALIENCY_COLORMAP_TURBO:
      polynomial (turbo_coeffs, G_N_ELEMENTS (turbo_coeffs), t, rgb);
      break;
    case GST_SALIENCY_COLORMAP_INFERNO:
      polynomial (inferno_coeffs, G_N_ELEMENTS (inferno_coeffs), t, rgb);
      break;
    case GST_SALIENCY_COLORMAP_VIRIDIS:
      polynomial (viridis_coeffs, G_N_ELEMENTS (viridis_coeffs), t, rgb);
      break;
    case GST_SALIENCY_COLORMAP_GRAY:
    default:
      rgb[0] = rgb[1] = rgb[2] = t;
      break;
  }
}

static guint8
to_u8 (gdouble v)
{
  return (guint8) CLAMP (lround (v), 0, 255);
}

/**
 * gst_saliency_palette_init:
 * @palette: the palette to fill
 * @colormap: the colormap
 * @info: the video the palette is blended into
 *
 * Fills @palette with the colours of @colormap in @info's colour space:
 * R, G, B for RGB formats; Y, Cb, Cr with the matrix and range of @info's
 * colorimetry for YUV formats; full-range BT.601 luma for gray formats.
 */
void
gst_saliency_palette_init (GstSaliencyPalette * palette,
    GstSaliencyColormap colormap, const GstVideoInfo * info)
{
  gdouble kr = 0.299, kb = 0.114;
  gint offset[GST_VIDEO_MAX_COMPONENTS] = { 0, 128, 128, 0 };
  gint scale[GST_VIDEO_MAX_COMPONENTS] = { 255, 255, 255, 255 };
  gboolean yuv = GST_VIDEO_INFO_IS_YUV (info);

  if (yuv) {
    if (!gst_video_color_matrix_get_Kr_Kb (info->colorimetry.matrix, &kr, &kb)) {
      kr = 0.299;
      kb = 0.114;
    }
    gst_video_color_range_offsets (info->colorimetry.range, info->finfo,
        offset, scale);
  }

  for (gint i = 0; i < 256; i++) {
    gdouble rgb[3], y;

    colormap_eval (colormap, i / 255.0, rgb);
    y = kr * rgb[0] + (1.0 - kr - kb) * rgb[1] + kb * rgb[2];

    if (yuv) {
      palette->c[i][0] = to_u8 (offset[0] + scale[0] * y);
      palette->c[i][1] =
          to_u8 (offset[1] + scale[1] * (rgb[2] - y) / (2.0 * (1.0 - kb)));
      palette->c[i][2] =
          to_u8 (offset[2] + scale[2] * (rgb[0] - y) / (2.0 * (1.0 - kr)));
    } else if (GST_VIDEO_INFO_IS_GRAY (info)) {
      palette->c[i][0] = palette->c[i][1] = palette->c[i][2] = to_u8 (255 * y);
    } else {
      for (gint ch = 0; ch < 3; ch++)
        palette->c[i][ch] = to_u8 (255 * rgb[ch]);
    }
  }
}
