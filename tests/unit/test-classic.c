/* The classic model through the public engine API: probability maps,
 * where the peak goes, what motion and the temporal state do. Numbers
 * are checked against the NumPy specification by classic_parity.py;
 * these are the properties that must hold whatever the tuning. */
#include "saliency.h"

#include <math.h>
#include <string.h>

#define W 160
#define H 96

typedef struct
{
  guint8 *rgb;
  SalFrame frame;
} Image;

static void
image_init (Image * im, int w, int h, guint8 grey)
{
  im->rgb = g_malloc (w * h * 3);
  memset (im->rgb, grey, w * h * 3);
  memset (&im->frame, 0, sizeof (im->frame));
  im->frame.format = SAL_FORMAT_RGB;
  im->frame.width = w;
  im->frame.height = h;
  im->frame.data[0] = im->rgb;
  im->frame.stride[0] = w * 3;
}

static void
image_clear (Image * im)
{
  g_free (im->rgb);
}

static void
fill_rect (Image * im, int x0, int y0, int rw, int rh, guint8 r, guint8 g,
    guint8 b)
{
  for (int y = MAX (y0, 0); y < MIN (y0 + rh, im->frame.height); y++)
    for (int x = MAX (x0, 0); x < MIN (x0 + rw, im->frame.width); x++) {
      guint8 *p = im->rgb + y * im->frame.stride[0] + x * 3;
      p[0] = r;
      p[1] = g;
      p[2] = b;
    }
}

/* A static checkerboard-ish texture so that contrast is everywhere. */
static void
texture (Image * im)
{
  for (int y = 0; y < im->frame.height; y++)
    for (int x = 0; x < im->frame.width; x++) {
      guint8 v = ((x / 8 + y / 8) % 2) ? 150 : 110;
      guint8 *p = im->rgb + y * im->frame.stride[0] + x * 3;
      p[0] = p[1] = p[2] = v;
    }
}

static SalEngine *
new_engine (gboolean still)
{
  SalEngineOptions opts;
  GError *err = NULL;
  SalEngine *e;

  sal_engine_options_init (&opts);
  opts.model = "classic";
  opts.still = still;
  e = sal_engine_new (&opts, &err);
  g_assert_no_error (err);
  g_assert_nonnull (e);
  return e;
}

static void
push (SalEngine * e, Image * im, SalMap * m)
{
  GError *err = NULL;

  g_assert_true (sal_engine_push_frame (e, &im->frame, m, &err));
  g_assert_no_error (err);
  sal_map_update_stats (m);
}

static double
map_sum (const SalMap * m)
{
  double s = 0;

  for (int i = 0; i < m->width * m->height; i++) {
    g_assert_true (isfinite (m->data[i]));
    g_assert_cmpfloat (m->data[i], >=, 0.0f);
    s += m->data[i];
  }
  return s;
}

static double
mass_in (const SalMap * m, int x0, int y0, int rw, int rh)
{
  double s = 0;

  for (int y = y0; y < y0 + rh; y++)
    for (int x = x0; x < x0 + rw; x++)
      s += m->data[y * m->width + x];
  return s;
}

/* Largest difference relative to the maps' max. */
static double
map_diff (const SalMap * a, const SalMap * b)
{
  double d = 0;

  g_assert_cmpint (a->width * a->height, ==, b->width * b->height);
  for (int i = 0; i < a->width * a->height; i++)
    d = MAX (d, fabs (a->data[i] - b->data[i]));
  return d / MAX (a->max, b->max);
}

/* Any frame size, flat frames included: a probability map, no NaN. */
static void
test_sizes (void)
{
  const int sizes[][2] = { {1, 1}, {33, 17}, {17, 33}, {640, 360}, {W, H} };
  SalEngine *e = new_engine (FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    Image im;
    SalMap *m = sal_map_new (sizes[i][0], sizes[i][1]);

    image_init (&im, sizes[i][0], sizes[i][1], 128);
    for (int t = 0; t < 2; t++) {
      push (e, &im, m);
      g_assert_cmpfloat_with_epsilon (map_sum (m), 1.0, 1e-4);
    }
    sal_map_free (m);
    image_clear (&im);
  }
  sal_engine_free (e);
}

static void
test_info (void)
{
  SalEngine *e = new_engine (FALSE);
  const SalModelInfo *info = sal_engine_get_model_info (e);
  Image im;
  SalMap *m = sal_map_new (640, 360);

  g_assert_cmpstr (info->architecture, ==, "classic");
  g_assert_true (info->temporal);
  g_assert_cmpint (info->ring_length, >, 0);
  image_init (&im, 640, 360, 90);
  push (e, &im, m);
  /* Longer side 128, aspect kept. */
  info = sal_engine_get_model_info (e);
  g_assert_cmpint (info->net_width, ==, 128);
  g_assert_cmpint (info->net_height, ==, 72);
  sal_map_free (m);
  image_clear (&im);
  sal_engine_free (e);
}

/* A red patch on grey, off-centre: the peak lands on it. */
static void
test_peak_on_object (void)
{
  SalEngine *e = new_engine (TRUE);
  Image im;
  SalMap *m = sal_map_new (W, H);

  image_init (&im, W, H, 128);
  fill_rect (&im, 50, 30, 16, 16, 220, 30, 30);
  push (e, &im, m);
  g_assert_cmpint (m->peak_x, >=, 50 - 8);
  g_assert_cmpint (m->peak_x, <, 66 + 8);
  g_assert_cmpint (m->peak_y, >=, 30 - 8);
  g_assert_cmpint (m->peak_y, <, 46 + 8);
  sal_map_free (m);
  image_clear (&im);
  sal_engine_free (e);
}

/* A flat frame leaves the centre prior: the peak is in the middle. */
static void
test_flat_is_centre (void)
{
  SalEngine *e = new_engine (TRUE);
  Image im;
  SalMap *m = sal_map_new (W, H);

  image_init (&im, W, H, 60);
  push (e, &im, m);
  g_assert_cmpfloat (m->data[(H / 2) * W + W / 2], >=, 0.999f * m->max);
  sal_map_free (m);
  image_clear (&im);
  sal_engine_free (e);
}

/* A square moving over a static texture: video mode puts more mass on its
 * path than still mode does. */
static void
test_motion (void)
{
  SalEngine *video = new_engine (FALSE), *still = new_engine (TRUE);
  SalMap *mv = sal_map_new (W, H), *ms = sal_map_new (W, H);
  Image im;
  double in_video, in_still;

  image_init (&im, W, H, 0);
  for (int t = 0; t < 6; t++) {
    texture (&im);
    fill_rect (&im, 100 + 3 * t, 20, 12, 12, 130, 130, 130);
    push (video, &im, mv);
    push (still, &im, ms);
  }
  in_video = mass_in (mv, 96, 12, 40, 28);
  in_still = mass_in (ms, 96, 12, 40, 28);
  g_assert_cmpfloat (in_video, >, 1.2 * in_still);
  sal_map_free (mv);
  sal_map_free (ms);
  image_clear (&im);
  sal_engine_free (video);
  sal_engine_free (still);
}

/* Pushes a moving sequence into e, then frame x; returns x's map in m. */
static void
history_then (SalEngine * e, Image * x, SalMap * m)
{
  Image im;

  image_init (&im, W, H, 0);
  for (int t = 0; t < 5; t++) {
    texture (&im);
    fill_rect (&im, 10 + 7 * t, 50, 20, 20, 250, 250, 0);
    push (e, &im, m);
  }
  image_clear (&im);
  if (x)
    push (e, x, m);
}

static void
make_probe (Image * x)
{
  image_init (x, W, H, 100);
  fill_rect (x, 90, 40, 20, 14, 30, 30, 200);
}

/* After reset a frame gives what a fresh engine gives: no history left. */
static void
test_reset (void)
{
  SalEngine *e = new_engine (FALSE), *fresh = new_engine (FALSE);
  SalMap *a = sal_map_new (W, H), *b = sal_map_new (W, H);
  Image x;

  make_probe (&x);
  history_then (e, &x, a);
  push (fresh, &x, b);
  g_assert_cmpfloat (map_diff (a, b), >, 1e-3);    /* history mattered */

  history_then (e, NULL, a);
  sal_engine_reset (e);
  push (e, &x, a);
  g_assert_cmpfloat (map_diff (a, b), <, 1e-6);
  sal_map_free (a);
  sal_map_free (b);
  image_clear (&x);
  sal_engine_free (e);
  sal_engine_free (fresh);
}

/* Still mode neither reads nor keeps history; switching modes resets. */
static void
test_still (void)
{
  SalEngine *e = new_engine (TRUE), *fresh = new_engine (TRUE);
  SalMap *a = sal_map_new (W, H), *b = sal_map_new (W, H);
  Image x;

  make_probe (&x);
  history_then (e, &x, a);
  push (fresh, &x, b);
  g_assert_cmpfloat (map_diff (a, b), <, 1e-6);

  /* Video after still: the still frames left nothing behind. */
  sal_engine_set_still (e, FALSE);
  push (e, &x, a);
  g_assert_cmpfloat (map_diff (a, b), <, 1e-6);
  /* Still after video: history is ignored. */
  history_then (e, NULL, a);
  sal_engine_set_still (e, TRUE);
  push (e, &x, a);
  g_assert_cmpfloat (map_diff (a, b), <, 1e-6);
  sal_map_free (a);
  sal_map_free (b);
  image_clear (&x);
  sal_engine_free (e);
  sal_engine_free (fresh);
}

/* A new frame size starts over (the engine resets on geometry change). */
static void
test_size_change (void)
{
  SalEngine *e = new_engine (FALSE), *fresh = new_engine (FALSE);
  SalMap *a = sal_map_new (W, H), *b = sal_map_new (W, H);
  Image x, small;
  SalMap *sm = sal_map_new (64, 48);

  make_probe (&x);
  history_then (e, NULL, a);
  image_init (&small, 64, 48, 30);
  push (e, &small, sm);
  push (e, &x, a);
  push (fresh, &x, b);
  g_assert_cmpfloat (map_diff (a, b), <, 1e-6);
  sal_map_free (a);
  sal_map_free (b);
  sal_map_free (sm);
  image_clear (&x);
  image_clear (&small);
  sal_engine_free (e);
  sal_engine_free (fresh);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/classic/sizes", test_sizes);
  g_test_add_func ("/classic/info", test_info);
  g_test_add_func ("/classic/peak-on-object", test_peak_on_object);
  g_test_add_func ("/classic/flat-is-centre", test_flat_is_centre);
  g_test_add_func ("/classic/motion", test_motion);
  g_test_add_func ("/classic/reset", test_reset);
  g_test_add_func ("/classic/still", test_still);
  g_test_add_func ("/classic/size-change", test_size_change);
  return g_test_run ();
}
