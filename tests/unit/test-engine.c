/* The public engine API on the real OpenCL device. */
#include "saliency.h"

#include <math.h>
#include <string.h>

static SalEngine *
new_engine (const char *model, gboolean still)
{
  SalEngineOptions opts;
  GError *err = NULL;
  SalEngine *e;

  sal_engine_options_init (&opts);
  opts.model = model;
  opts.still = still;
  e = sal_engine_new (&opts, &err);
  g_assert_no_error (err);
  return e;
}

static double
map_sum (const SalMap * m)
{
  double s = 0;
  for (int i = 0; i < m->width * m->height; i++) {
    g_assert_cmpfloat (m->data[i], >=, 0.0f);
    s += m->data[i];
  }
  return s;
}

/* The centre prior peaks in the middle at any size, odd ones included. */
static void
test_centre_sizes (void)
{
  const int sizes[][2] = { {1, 1}, {33, 17}, {64, 48}, {320, 180} };
  SalEngine *e = new_engine ("centre", FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    int w = sizes[i][0], h = sizes[i][1];
    guint8 *buf = g_malloc0 (w * h);
    SalFrame f = { SAL_FORMAT_GRAY8, w, h, {buf}, {w} };
    SalMap *m = sal_map_new (w, h);
    GError *err = NULL;

    g_assert_true (sal_engine_push_frame (e, &f, m, &err));
    g_assert_no_error (err);
    g_assert_cmpfloat_with_epsilon (map_sum (m), 1.0, 1e-4);
    /* Upscaling makes a flat top: compare values, not the argmax. */
    g_assert_cmpfloat (m->data[(h / 2) * w + w / 2], >=, 0.999f * m->max);
    g_assert_cmpfloat (m->data[m->peak_y * w + m->peak_x], ==, m->max);
    sal_map_free (m);
    g_free (buf);
  }
  g_assert_cmpstr (sal_engine_get_model_info (e)->architecture, ==, "centre");
  g_assert_nonnull (sal_engine_get_device_name (e));
  sal_engine_free (e);
}

/* The output map may have any size, independent of the frame. */
static void
test_output_size (void)
{
  SalEngine *e = new_engine ("centre", FALSE);
  guint8 buf[16 * 16 * 3] = { 0 };
  SalFrame f = { SAL_FORMAT_RGB, 16, 16, {buf}, {48} };
  SalMap *m = sal_map_new (7, 5);
  SalTimings t;
  GError *err = NULL;

  g_assert_true (sal_engine_push_frame (e, &f, m, &err));
  g_assert_cmpfloat_with_epsilon (map_sum (m), 1.0, 1e-5);
  sal_engine_get_timings (e, &t);
  g_assert_cmpfloat (t.total_ms, >, 0.0);
  g_assert_cmpfloat (t.total_ms, >=, t.network_ms);
  sal_map_free (m);
  sal_engine_free (e);
}

static void
test_errors (void)
{
  SalEngineOptions opts;
  GError *err = NULL;
  SalEngine *e;
  SalMap *m;
  SalFrame f = { SAL_FORMAT_GRAY8, 4, 4, {NULL}, {4} };

  sal_engine_options_init (&opts);
  opts.model = "no-such-model";
  g_assert_null (sal_engine_new (&opts, &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_MODEL);
  g_assert_nonnull (strstr (err->message, "classic"));
  g_clear_error (&err);

  opts.model = "centre";
  opts.device = "gpu-that-is-not-there";
  g_assert_null (sal_engine_new (&opts, &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_NO_DEVICE);
  g_clear_error (&err);

  e = new_engine ("centre", FALSE);
  m = sal_map_new (4, 4);
  g_assert_false (sal_engine_push_frame (e, &f, m, &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&err);
  sal_map_free (m);
  sal_engine_free (e);
}

static void
test_formats (void)
{
  g_assert_cmpint (sal_pixel_format_from_string ("NV12"), ==,
      SAL_FORMAT_NV12);
  g_assert_cmpint (sal_pixel_format_from_string ("YUY2"), ==,
      SAL_FORMAT_UNKNOWN);
  g_assert_cmpint (sal_pixel_format_from_string (NULL), ==,
      SAL_FORMAT_UNKNOWN);
  for (int i = 0; i < SAL_FORMAT_UNKNOWN; i++)
    g_assert_cmpint (sal_pixel_format_from_string
        (sal_pixel_format_to_string (i)), ==, i);
}

/* Bytes of a 5x3 frame without row padding, from each format's plane
 * layout: odd sizes round the 4:2:0 chroma planes up (3x2). */
static void
test_format_planes (void)
{
  static const struct
  {
    SalPixelFormat format;
    int n_planes, bytes;
  } cases[] = {
    {SAL_FORMAT_RGBx, 1, 60}, {SAL_FORMAT_BGRA, 1, 60},
    {SAL_FORMAT_RGB, 1, 45}, {SAL_FORMAT_BGR, 1, 45},
    {SAL_FORMAT_GRAY8, 1, 15}, {SAL_FORMAT_I420, 3, 15 + 6 + 6},
    {SAL_FORMAT_NV12, 2, 15 + 12},
  };
  SalPlaneLayout planes[3];

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    int n = sal_pixel_format_planes (cases[i].format, planes), bytes = 0;

    g_assert_cmpint (n, ==, cases[i].n_planes);
    for (int p = 0; p < n; p++)
      bytes += SAL_PLANE_SIZE (5, &planes[p]) * planes[p].pixel_stride
          * SAL_PLANE_SIZE (3, &planes[p]);
    g_assert_cmpint (bytes, ==, cases[i].bytes);
  }
  g_assert_cmpint (sal_pixel_format_planes (SAL_FORMAT_I420, planes), ==, 3);
  g_assert_cmpint (planes[0].channels + planes[1].channels, ==, 2);
  g_assert_cmpint (sal_pixel_format_planes (SAL_FORMAT_RGBx, planes), ==, 1);
  g_assert_cmpint (planes[0].channels, ==, 3);
  g_assert_cmpint (sal_pixel_format_planes (SAL_FORMAT_UNKNOWN, planes), ==,
      0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/centre-sizes", test_centre_sizes);
  g_test_add_func ("/engine/output-size", test_output_size);
  g_test_add_func ("/engine/errors", test_errors);
  g_test_add_func ("/engine/formats", test_formats);
  g_test_add_func ("/engine/format-planes", test_format_planes);
  return g_test_run ();
}
