/* The heatmap drawn from a small map looks as it did when the map was
 * computed at the frame size.
 *
 * The reference is the element's former path, written out here: the map
 * resized bilinearly to the frame size in floating point (as the engine
 * did), quantised at the frame size, subsampled chroma coloured by the mean
 * level of the pixels it covers, then blended. The renderer instead
 * quantises the small map and interpolates it in fixed point while it
 * blends. Both use the same palettes (colormap.c).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <gst/check/gstcheck.h>
#include <gst/video/video.h>
#include <math.h>

#include "overlay.h"

static const GstVideoFormat formats[] = {
  GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGRx, GST_VIDEO_FORMAT_RGBA,
  GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_BGR,
  GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_GRAY8,
};

/* A smooth map with two blobs, as models produce, summing to 1. */
static gfloat *
make_map (gint w, gint h)
{
  gfloat *map = g_new (gfloat, w * h);
  gdouble sum = 0.0;

  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++) {
      gdouble u = (x + 0.5) / w, v = (y + 0.5) / h;
      gdouble a = exp (-((u - 0.7) * (u - 0.7) + (v - 0.3) * (v - 0.3))
          / 0.01);
      gdouble b = 0.6 * exp (-((u - 0.25) * (u - 0.25) + (v - 0.6) *
              (v - 0.6)) / 0.04);

      map[y * w + x] = a + b + 0.02;
      sum += map[y * w + x];
    }
  for (gint i = 0; i < w * h; i++)
    map[i] /= sum;
  return map;
}

/* The engine's former resize: align_corners=False, clamped, then the
 * largest value (it normalised after resizing). */
static gfloat *
resize (const gfloat * map, gint mw, gint mh, gint w, gint h, gfloat * max)
{
  gfloat *out = g_new (gfloat, w * h);

  *max = 0.0f;
  for (gint y = 0; y < h; y++) {
    gdouble v = CLAMP ((y + 0.5) * mh / h - 0.5, 0.0, mh - 1.0);
    gint y0 = (gint) v, y1 = MIN (y0 + 1, mh - 1);

    for (gint x = 0; x < w; x++) {
      gdouble u = CLAMP ((x + 0.5) * mw / w - 0.5, 0.0, mw - 1.0);
      gint x0 = (gint) u, x1 = MIN (x0 + 1, mw - 1);
      gdouble top = map[y0 * mw + x0] * (1 - (u - x0))
          + map[y0 * mw + x1] * (u - x0);
      gdouble bottom = map[y1 * mw + x0] * (1 - (u - x0))
          + map[y1 * mw + x1] * (u - x0);

      out[y * w + x] = top * (1 - (v - y0)) + bottom * (v - y0);
      *max = MAX (*max, out[y * w + x]);
    }
  }
  return out;
}

/* The former blend, from levels at the frame size. */
static void
reference_blend (GstVideoFrame * frame, const guint8 * levels,
    const GstSaliencyPalette * palette, gdouble alpha)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  gint width = GST_VIDEO_FRAME_WIDTH (frame);
  gint height = GST_VIDEO_FRAME_HEIGHT (frame);
  guint a = (guint) lround (alpha * 256), keep = 256 - a;

  for (guint c = 0; c < MIN (GST_VIDEO_FRAME_N_COMPONENTS (frame), 3); c++) {
    gint ws = GST_VIDEO_FORMAT_INFO_W_SUB (finfo, c);
    gint hs = GST_VIDEO_FORMAT_INFO_H_SUB (finfo, c);

    for (gint y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT (frame, c); y++)
      for (gint x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH (frame, c); x++) {
        guint8 *p = (guint8 *) GST_VIDEO_FRAME_COMP_DATA (frame, c)
            + y * GST_VIDEO_FRAME_COMP_STRIDE (frame, c)
            + x * GST_VIDEO_FRAME_COMP_PSTRIDE (frame, c);
        gint x0 = x << ws, y0 = y << hs;
        gint x1 = MIN (x0 + (1 << ws), width), y1 = MIN (y0 + (1 << hs),
            height);
        guint sum = 0, n = (x1 - x0) * (y1 - y0), level;

        for (gint j = y0; j < y1; j++)
          for (gint i = x0; i < x1; i++)
            sum += levels[j * width + i];
        level = (sum + n / 2) / n;
        *p = (*p * keep + palette->c[level][c] * a + 128) >> 8;
      }
  }
}

static guint
tolerance (const GstSaliencyPalette * palette, gdouble alpha)
{
  guint step = 0;

  for (gint i = 0; i + 2 < 256; i++)
    for (gint c = 0; c < 3; c++)
      step = MAX (step, (guint) abs (palette->c[i + 2][c] - palette->c[i][c]));
  return (guint) ceil (step * alpha) + 1;
}

static void
check (GstVideoFormat format, gint width, gint height, gint mw, gint mh,
    GstSaliencyColormap colormap, gdouble alpha)
{
  GstVideoInfo info;
  GstBuffer *ours = NULL, *theirs, *original;
  GstVideoFrame a, b;
  GstSaliencyPalette palette;
  GstSaliencyRenderer *renderer = gst_saliency_renderer_new ();
  GRand *rand = g_rand_new_with_seed (width * 31 + format);
  gfloat *map = make_map (mw, mh), *big, max = 0.0f, big_max;
  guint8 *levels = g_malloc (width * height);
  GstMapInfo m;
  guint worst = 0;
  guint64 total = 0;

  gst_video_info_set_format (&info, format, width, height);
  theirs = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  gst_buffer_map (theirs, &m, GST_MAP_WRITE);
  for (gsize i = 0; i < m.size; i++)
    m.data[i] = g_rand_int_range (rand, 16, 240);
  gst_buffer_unmap (theirs, &m);
  ours = gst_buffer_copy_deep (theirs);
  original = gst_buffer_copy_deep (theirs);

  gst_saliency_palette_init (&palette, colormap, &info);
  for (gint i = 0; i < mw * mh; i++)
    max = MAX (max, map[i]);

  big = resize (map, mw, mh, width, height, &big_max);
  gst_saliency_quantise (big, (gsize) width * height, big_max, levels);
  fail_unless (gst_video_frame_map (&a, &info, theirs, GST_MAP_READWRITE));
  reference_blend (&a, levels, &palette, alpha);

  gst_saliency_renderer_set_map (renderer, map, mw, mh, max);
  fail_unless (gst_video_frame_map (&b, &info, ours, GST_MAP_READWRITE));
  gst_saliency_renderer_blend (renderer, &b, &palette, alpha);

  for (guint c = 0; c < MIN (GST_VIDEO_FRAME_N_COMPONENTS (&a), 3); c++)
    for (gint y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT (&a, c); y++)
      for (gint x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH (&a, c); x++) {
        gsize off = y * GST_VIDEO_FRAME_COMP_STRIDE (&a, c)
            + x * GST_VIDEO_FRAME_COMP_PSTRIDE (&a, c);
        gint pa = ((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&a, c))[off];
        gint pb = ((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&b, c))[off];
        guint d = abs (pa - pb);

        worst = MAX (worst, d);
        total += d;
      }

  /* Bytes of no colour component (x, alpha, padding) stay as they were:
   * the packed blend writes whole pixels. */
  {
    guint8 *colour = g_malloc0 (GST_VIDEO_INFO_SIZE (&info));
    GstMapInfo mo, mt;
    gsize i;

    for (guint c = 0; c < MIN (GST_VIDEO_FRAME_N_COMPONENTS (&b), 3); c++)
      for (gint y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT (&b, c); y++)
        for (gint x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH (&b, c); x++)
          colour[(guint8 *) GST_VIDEO_FRAME_COMP_DATA (&b, c)
              - (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&b, 0)
              + y * GST_VIDEO_FRAME_COMP_STRIDE (&b, c)
              + x * GST_VIDEO_FRAME_COMP_PSTRIDE (&b, c)] = 1;
    gst_buffer_map (original, &mo, GST_MAP_READ);
    gst_buffer_map (ours, &mt, GST_MAP_READ);
    /* One assertion for the whole frame: check records every passing
     * assertion, which per byte takes minutes at 4K. */
    i = 0;
    while (i < mo.size && (colour[i] || mo.data[i] == mt.data[i]))
      i++;
    fail_unless (i == mo.size, "%s %dx%d: byte %" G_GSIZE_FORMAT
        " of no component changed from %u to %u",
        gst_video_format_to_string (format), width, height, i, mo.data[i],
        mt.data[i]);
    gst_buffer_unmap (ours, &mt);
    gst_buffer_unmap (original, &mo);
    g_free (colour);
  }

  GST_INFO ("%s %dx%d from %dx%d, colormap %d, alpha %.1f: max difference "
      "%u, mean %.3f", gst_video_format_to_string (format), width, height,
      mw, mh, colormap, alpha, worst,
      (gdouble) total / GST_VIDEO_INFO_SIZE (&info));
  /* Up to two levels of the map apart (quantising before rather than after
   * the interpolation, weights in 1/256, rounding), seen through the
   * steepest two-level step of the palette at this opacity, plus rounding. */
  fail_unless (worst <= tolerance (&palette, alpha), "%s %dx%d, colormap "
      "%d, alpha %.1f: a sample differs by %u (tolerance %u)",
      gst_video_format_to_string (format), width, height, colormap, alpha,
      worst, tolerance (&palette, alpha));
  fail_unless ((gdouble) total / GST_VIDEO_INFO_SIZE (&info) < 0.5,
      "%s: mean difference %.3f", gst_video_format_to_string (format),
      (gdouble) total / GST_VIDEO_INFO_SIZE (&info));

  gst_video_frame_unmap (&b);
  gst_video_frame_unmap (&a);
  gst_buffer_unref (ours);
  gst_buffer_unref (theirs);
  gst_buffer_unref (original);
  g_free (levels);
  g_free (big);
  g_free (map);
  g_rand_free (rand);
  gst_saliency_renderer_free (renderer);
}

GST_START_TEST (test_like_the_full_size_path)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
    check (formats[i], 1920, 1080, 128, 72, GST_SALIENCY_COLORMAP_TURBO, 0.5);
    check (formats[i], 3840, 2160, 128, 72, GST_SALIENCY_COLORMAP_TURBO, 0.6);
    check (formats[i], 333, 187, 128, 72, GST_SALIENCY_COLORMAP_JET, 1.0);
    check (formats[i], 201, 301, 85, 128, GST_SALIENCY_COLORMAP_INFERNO,
        0.7);
  }
}

GST_END_TEST;

/* At 1:1 the map is drawn exactly as the former path drew it. */
GST_START_TEST (test_one_to_one_is_exact)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
    GstVideoInfo info;
    GstVideoFrame a, b;
    GstBuffer *ours, *theirs;
    GstSaliencyPalette palette;
    GstSaliencyRenderer *renderer = gst_saliency_renderer_new ();
    gfloat *map = make_map (64, 48), max = 0.0f;
    guint8 levels[64 * 48];

    gst_video_info_set_format (&info, formats[i], 64, 48);
    theirs = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info),
        NULL);
    gst_buffer_memset (theirs, 0, 100, GST_VIDEO_INFO_SIZE (&info));
    ours = gst_buffer_copy_deep (theirs);
    gst_saliency_palette_init (&palette, GST_SALIENCY_COLORMAP_VIRIDIS,
        &info);
    for (gint k = 0; k < 64 * 48; k++)
      max = MAX (max, map[k]);
    gst_saliency_quantise (map, 64 * 48, max, levels);

    fail_unless (gst_video_frame_map (&a, &info, theirs, GST_MAP_READWRITE));
    fail_unless (gst_video_frame_map (&b, &info, ours, GST_MAP_READWRITE));
    reference_blend (&a, levels, &palette, 0.5);
    gst_saliency_renderer_set_map (renderer, map, 64, 48, max);
    gst_saliency_renderer_blend (renderer, &b, &palette, 0.5);
    gst_video_frame_unmap (&b);
    gst_video_frame_unmap (&a);

    /* Subsampled chroma: the mean of two levels, rounded once or twice. */
    if (GST_VIDEO_FORMAT_INFO_IS_YUV (info.finfo)) {
      GstMapInfo ma, mb;
      gsize k;

      gst_buffer_map (theirs, &ma, GST_MAP_READ);
      gst_buffer_map (ours, &mb, GST_MAP_READ);
      k = 0;
      while (k < ma.size && abs (ma.data[k] - mb.data[k]) <= 2)
        k++;
      fail_unless (k == ma.size, "%s byte %" G_GSIZE_FORMAT ": %d, was %d",
          gst_video_format_to_string (formats[i]), k, mb.data[k],
          ma.data[k]);
      gst_buffer_unmap (ours, &mb);
      gst_buffer_unmap (theirs, &ma);
    } else {
      GstMapInfo ma;

      gst_buffer_map (theirs, &ma, GST_MAP_READ);
      fail_unless (gst_buffer_memcmp (ours, 0, ma.data, ma.size) == 0,
          "%s differs", gst_video_format_to_string (formats[i]));
      gst_buffer_unmap (theirs, &ma);
    }

    gst_buffer_unref (ours);
    gst_buffer_unref (theirs);
    g_free (map);
    gst_saliency_renderer_free (renderer);
  }
}

GST_END_TEST;

/* mode=map's picture: the map upsampled at the frame size, within the
 * rounding of the fixed-point interpolation of quantised levels; 1080p and
 * 4K frames are drawn in bands on several threads, which must not show. */
GST_START_TEST (test_draw_map_like_the_full_size_path)
{
  static const gint sizes[][4] = {
    {1920, 1080, 128, 72}, {3840, 2160, 128, 72}, {333, 187, 128, 72},
    {201, 301, 85, 128},
  };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    gint w = sizes[i][0], h = sizes[i][1], mw = sizes[i][2], mh = sizes[i][3];
    GstSaliencyRenderer *renderer = gst_saliency_renderer_new ();
    gfloat *map = make_map (mw, mh), *big, max = 0.0f, big_max;
    guint8 *levels = g_malloc ((gsize) w * h);
    GstVideoInfo info;
    GstVideoFrame f;
    GstBuffer *buf;
    guint worst = 0;

    for (gint k = 0; k < mw * mh; k++)
      max = MAX (max, map[k]);
    big = resize (map, mw, mh, w, h, &big_max);
    gst_saliency_quantise (big, (gsize) w * h, big_max, levels);

    gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, w, h);
    buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
    fail_unless (gst_video_frame_map (&f, &info, buf, GST_MAP_READWRITE));
    gst_saliency_renderer_set_map (renderer, map, mw, mh, max);
    gst_saliency_renderer_draw_map (renderer, &f);
    for (gint y = 0; y < h; y++) {
      const guint8 *row = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 0)
          + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0);

      for (gint x = 0; x < w; x++)
        worst = MAX (worst, (guint) abs (row[x] - levels[y * w + x]));
    }
    gst_video_frame_unmap (&f);
    fail_unless (worst <= 2, "%dx%d: map differs by %u levels", w, h, worst);

    gst_buffer_unref (buf);
    g_free (big);
    g_free (levels);
    g_free (map);
    gst_saliency_renderer_free (renderer);
  }
}

GST_END_TEST;

static Suite *
overlay_suite (void)
{
  Suite *s = suite_create ("overlay");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_like_the_full_size_path);
  tcase_add_test (tc, test_draw_map_like_the_full_size_path);
  tcase_add_test (tc, test_one_to_one_is_exact);
  return s;
}

GST_CHECK_MAIN (overlay);
