/* sal_map_find_regions: connected regions of a thresholded map, on maps
 * drawn as text ('.' = 0, '1'..'9' = that value, '#' = NaN). */
#include "saliency.h"

#include <math.h>
#include <string.h>

static SalMap *
map_from_rows (const char *const *rows)
{
  int w = (int) strlen (rows[0]), h = 0;
  SalMap *m;

  while (rows[h])
    h++;
  m = sal_map_new (w, h);
  for (int y = 0; y < h; y++) {
    g_assert_cmpint ((int) strlen (rows[y]), ==, w);
    for (int x = 0; x < w; x++) {
      char c = rows[y][x];
      m->data[y * w + x] = c == '.' ? 0.0f : c == '#' ? NAN : (float) (c - '0');
    }
  }
  /* Not sal_map_update_stats: it is not NaN-proof, and the maps here are
   * not probabilities. */
  m->max = 0.0f;
  for (int i = 0; i < w * h; i++)
    if (m->data[i] > m->max) {
      m->max = m->data[i];
      m->peak_x = i % w;
      m->peak_y = i / w;
    }
  return m;
}

static void
assert_region (const SalRegion * r, int x, int y, int w, int h, float score,
    float mass)
{
  g_assert_cmpint (r->x, ==, x);
  g_assert_cmpint (r->y, ==, y);
  g_assert_cmpint (r->width, ==, w);
  g_assert_cmpint (r->height, ==, h);
  g_assert_cmpfloat_with_epsilon (r->score, score, 1e-6);
  g_assert_cmpfloat_with_epsilon (r->mass, mass, 1e-5);
}

static void
test_nothing (void)
{
  const char *zeros[] = { "...", "...", NULL };
  const char *one[] = { ".9.", NULL };
  SalRegion r[4];
  SalMap *m = map_from_rows (zeros);

  /* An all-zero map has no peak, hence no region. */
  g_assert_cmpint (sal_map_find_regions (m, 0.5f, r, 4), ==, 0);
  sal_map_free (m);

  m = map_from_rows (one);
  g_assert_cmpint (sal_map_find_regions (m, 0.5f, r, 0), ==, 0);
  g_assert_cmpint (sal_map_find_regions (m, 0.5f, NULL, 4), ==, 0);
  g_assert_cmpint (sal_map_find_regions (NULL, 0.5f, r, 4), ==, 0);
  g_assert_cmpint (sal_map_find_regions (m, 1.5f, r, 4), ==, 0);
  g_assert_cmpint (sal_map_find_regions (m, NAN, r, 4), ==, 0);
  sal_map_free (m);
}

/* Strongest first; the box mass counts everything inside the box. */
static void
test_order_and_boxes (void)
{
  const char *rows[] = {
    "44......",
    "44...2..",
    ".....9..",
    "..1.....",
    NULL
  };
  SalRegion r[4];
  SalMap *m = map_from_rows (rows);

  g_assert_cmpint (sal_map_find_regions (m, 0.2f, r, 4), ==, 2);
  assert_region (&r[0], 5, 1, 1, 2, 1.0f, 11.0f);
  assert_region (&r[1], 0, 0, 2, 2, 4.0f / 9, 16.0f);

  /* max_regions keeps the strongest. */
  g_assert_cmpint (sal_map_find_regions (m, 0.2f, r, 1), ==, 1);
  assert_region (&r[0], 5, 1, 1, 2, 1.0f, 11.0f);

  /* A lower threshold lets the 1 in. */
  g_assert_cmpint (sal_map_find_regions (m, 0.1f, r, 4), ==, 3);
  assert_region (&r[2], 2, 3, 1, 1, 1.0f / 9, 1.0f);
  sal_map_free (m);
}

/* Diagonal neighbours connect; branches that meet further down merge. */
static void
test_connectivity (void)
{
  const char *diagonal[] = {
    "5...",
    ".5..",
    "..5.",
    "...9",
    NULL
  };
  const char *u_shape[] = {
    "5.5.5",
    "5.5.5",
    "55555",
    NULL
  };
  const char *v_shape[] = {
    "5...5",
    ".5.5.",
    "..9..",
    NULL
  };
  SalRegion r[4];
  SalMap *m = map_from_rows (diagonal);

  g_assert_cmpint (sal_map_find_regions (m, 0.5f, r, 4), ==, 1);
  assert_region (&r[0], 0, 0, 4, 4, 1.0f, 24.0f);
  sal_map_free (m);

  m = map_from_rows (u_shape);
  g_assert_cmpint (sal_map_find_regions (m, 0.5f, r, 4), ==, 1);
  assert_region (&r[0], 0, 0, 5, 3, 1.0f, 55.0f);
  sal_map_free (m);

  m = map_from_rows (v_shape);
  g_assert_cmpint (sal_map_find_regions (m, 0.5f, r, 4), ==, 1);
  assert_region (&r[0], 0, 0, 5, 3, 1.0f, 29.0f);
  sal_map_free (m);
}

/* Threshold 0: everything, one region; NaN samples are never in a region
 * nor in a mass. */
static void
test_threshold_zero_and_nan (void)
{
  const char *rows[] = {
    "1#2",
    "3.4",
    NULL
  };
  const char *split[] = {
    "9#9",
    NULL
  };
  SalRegion r[4];
  SalMap *m = map_from_rows (rows);

  g_assert_cmpint (sal_map_find_regions (m, 0.0f, r, 4), ==, 1);
  assert_region (&r[0], 0, 0, 3, 2, 1.0f, 10.0f);
  sal_map_free (m);

  m = map_from_rows (split);
  g_assert_cmpint (sal_map_find_regions (m, 0.5f, r, 4), ==, 2);
  assert_region (&r[0], 0, 0, 1, 1, 1.0f, 9.0f);
  assert_region (&r[1], 2, 0, 1, 1, 1.0f, 9.0f);
  sal_map_free (m);
}

/* Many small regions (a checkerboard of 4-neighbours that only touch
 * diagonally is one region; isolated dots are many). */
static void
test_many (void)
{
  int w = 101, h = 77, n;
  SalMap *m = sal_map_new (w, h);
  SalRegion r[8];

  for (int y = 0; y < h; y += 3)
    for (int x = 0; x < w; x += 3)
      m->data[y * w + x] = 1.0f + (x + y) % 5;
  sal_map_update_stats (m);
  n = sal_map_find_regions (m, 0.1f, r, 8);
  g_assert_cmpint (n, ==, 8);
  for (int i = 0; i < n; i++) {
    g_assert_cmpint (r[i].width, ==, 1);
    g_assert_cmpint (r[i].height, ==, 1);
    g_assert_cmpfloat (r[i].score, ==, 1.0f);
  }
  /* Equal peaks: the first in scan order first. */
  g_assert_cmpint (r[0].y, ==, 0);
  g_assert_cmpint (r[0].x, ==, 9);

  memset (m->data, 0, sizeof (float) * w * h);
  for (int y = 0; y < h; y++)
    for (int x = (y % 2); x < w; x += 2)
      m->data[y * w + x] = 1.0f;
  sal_map_update_stats (m);
  g_assert_cmpint (sal_map_find_regions (m, 0.5f, r, 8), ==, 1);
  assert_region (&r[0], 0, 0, w, h, 1.0f, (w * h + 1) / 2);
  sal_map_free (m);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/regions/nothing", test_nothing);
  g_test_add_func ("/regions/order-and-boxes", test_order_and_boxes);
  g_test_add_func ("/regions/connectivity", test_connectivity);
  g_test_add_func ("/regions/threshold-zero-and-nan",
      test_threshold_zero_and_nan);
  g_test_add_func ("/regions/many", test_many);
  return g_test_run ();
}
