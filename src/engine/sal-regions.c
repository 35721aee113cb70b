/* Salient regions: connected components of a thresholded map.
 *
 * One pass over the rows collects runs of pixels at or above the threshold
 * and joins each run to the 8-connected runs of the row above with a
 * union-find over runs; a second pass over the runs gathers per component
 * its bounding box and peak. Memory is proportional to the number of runs,
 * not to the map size, and the map is never written.
 */
#include "saliency.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

typedef struct
{
  int y, x0, x1;                /* row, [x0, x1) */
  int parent;                   /* union-find over runs */
  float peak;                   /* largest value in the run */
} Run;

typedef struct
{
  int x0, y0, x1, y1;           /* inclusive bounding box */
  float peak;
  double sum;                   /* mass of the component itself */
} Component;

static int
find_root (Run * runs, int i)
{
  int root = i;

  while (runs[root].parent != root)
    root = runs[root].parent;
  /* Path compression. */
  while (runs[i].parent != root) {
    int next = runs[i].parent;
    runs[i].parent = root;
    i = next;
  }
  return root;
}

static void
join (Run * runs, int a, int b)
{
  a = find_root (runs, a);
  b = find_root (runs, b);
  /* The smaller index becomes the root: roots stay in scan order. */
  if (a < b)
    runs[b].parent = a;
  else if (b < a)
    runs[a].parent = b;
}

/* Strongest first: higher peak, then more mass, then scan order. */
static int
compare_components (const void *pa, const void *pb)
{
  const Component *a = pa, *b = pb;

  if (a->peak != b->peak)
    return a->peak > b->peak ? -1 : 1;
  if (a->sum != b->sum)
    return a->sum > b->sum ? -1 : 1;
  if (a->y0 != b->y0)
    return a->y0 < b->y0 ? -1 : 1;
  return (a->x0 > b->x0) - (a->x0 < b->x0);
}

static double
box_mass (const SalMap * map, int x0, int y0, int x1, int y1)
{
  double mass = 0.0;

  for (int y = y0; y <= y1; y++) {
    const float *row = map->data + (size_t) y * map->width;
    for (int x = x0; x <= x1; x++)
      if (isfinite (row[x]))
        mass += row[x];
  }
  return mass;
}

int
sal_map_find_regions (const SalMap * map, float threshold,
    SalRegion * regions, int max_regions)
{
  GArray *run_array;
  Run *runs;
  Component *comps;
  int *comp_of;
  int n_runs, n_comps = 0, n_out;
  int prev_start = 0, prev_end = 0;     /* runs of the row above */
  float cut;

  if (!map || !map->data || map->width < 1 || map->height < 1
      || !regions || max_regions < 1)
    return 0;
  if (!(map->max > 0.0f) || !isfinite (map->max) || isnan (threshold))
    return 0;

  cut = threshold * map->max;
  run_array = g_array_new (FALSE, FALSE, sizeof (Run));

  for (int y = 0; y < map->height; y++) {
    const float *row = map->data + (size_t) y * map->width;
    int row_start = (int) run_array->len;
    int p = prev_start;

    for (int x = 0; x < map->width;) {
      Run run;

      if (!(row[x] >= cut)) {
        x++;
        continue;
      }
      run.y = y;
      run.x0 = x;
      run.peak = row[x];
      while (x < map->width && row[x] >= cut) {
        if (row[x] > run.peak)
          run.peak = row[x];
        x++;
      }
      run.x1 = x;
      run.parent = (int) run_array->len;
      g_array_append_val (run_array, run);

      /* 8-connectivity: runs [a0, a1) and [b0, b1) of adjacent rows touch
       * when a0 <= b1 and b0 <= a1 (diagonal neighbours included). Both rows
       * are sorted by x, so one sweep over the row above suffices. */
      runs = (Run *) run_array->data;
      while (p < prev_end && runs[p].x1 < run.x0)
        p++;
      for (int q = p; q < prev_end && runs[q].x0 <= run.x1; q++)
        join (runs, q, run.parent);
    }
    prev_start = row_start;
    prev_end = (int) run_array->len;
  }

  n_runs = (int) run_array->len;
  runs = (Run *) run_array->data;
  if (n_runs == 0) {
    g_array_free (run_array, TRUE);
    return 0;
  }

  /* Gather one component per root. Roots precede their members in scan
   * order, so every run finds its component already allocated. */
  comp_of = g_new (int, n_runs);
  comps = g_new (Component, n_runs);
  for (int i = 0; i < n_runs; i++) {
    int root = find_root (runs, i);
    const float *row = map->data + (size_t) runs[i].y * map->width;
    Component *c;
    double sum = 0.0;

    if (root == i) {
      c = &comps[n_comps];
      c->x0 = runs[i].x0;
      c->x1 = runs[i].x1 - 1;
      c->y0 = c->y1 = runs[i].y;
      c->peak = runs[i].peak;
      c->sum = 0.0;
      comp_of[i] = n_comps++;
    } else {
      c = &comps[comp_of[root]];
      comp_of[i] = comp_of[root];
      c->x0 = MIN (c->x0, runs[i].x0);
      c->x1 = MAX (c->x1, runs[i].x1 - 1);
      c->y0 = MIN (c->y0, runs[i].y);
      c->y1 = MAX (c->y1, runs[i].y);
      c->peak = MAX (c->peak, runs[i].peak);
    }
    for (int x = runs[i].x0; x < runs[i].x1; x++)
      sum += row[x];
    c->sum += sum;
  }

  qsort (comps, n_comps, sizeof (Component), compare_components);

  n_out = MIN (n_comps, max_regions);
  for (int i = 0; i < n_out; i++) {
    const Component *c = &comps[i];
    SalRegion *r = &regions[i];

    r->x = c->x0;
    r->y = c->y0;
    r->width = c->x1 - c->x0 + 1;
    r->height = c->y1 - c->y0 + 1;
    r->score = CLAMP (c->peak / map->max, FLT_MIN, 1.0f);
    r->mass = (float) box_mass (map, c->x0, c->y0, c->x1, c->y1);
  }

  g_free (comps);
  g_free (comp_of);
  g_array_free (run_array, TRUE);
  return n_out;
}
