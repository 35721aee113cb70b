/* The QP-offset field of saliency-guided encoding: see sal-qp.h. */
#include "sal-qp.h"

#include <math.h>

struct _SalQp
{
  int width, height, block, bx, by;
  double strength;
  double *ema;                  /* r_i */
  float *offsets;
  gboolean have_ema;
  /* Box weights from map columns/rows to blocks, for the current map size. */
  int map_w, map_h;
  double *wx, *wy;              /* [bx][map_w], [by][map_h] */
  double *rows;                 /* [map_h][bx] scratch */
};

SalQp *
sal_qp_new (int width, int height, int block_size, double strength)
{
  SalQp *qp = g_new0 (SalQp, 1);

  qp->width = width;
  qp->height = height;
  qp->block = block_size;
  qp->bx = (width + block_size - 1) / block_size;
  qp->by = (height + block_size - 1) / block_size;
  qp->strength = strength;
  qp->ema = g_new0 (double, qp->bx * qp->by);
  qp->offsets = g_new0 (float, qp->bx * qp->by);
  return qp;
}

void
sal_qp_free (SalQp * qp)
{
  if (!qp)
    return;
  g_free (qp->ema);
  g_free (qp->offsets);
  g_free (qp->wx);
  g_free (qp->wy);
  g_free (qp->rows);
  g_free (qp);
}

void
sal_qp_reset (SalQp * qp)
{
  qp->have_ema = FALSE;
}

void
sal_qp_get_blocks (SalQp * qp, int *blocks_x, int *blocks_y)
{
  *blocks_x = qp->bx;
  *blocks_y = qp->by;
}

/* w[b * n + m]: the length, in frame pixels, of the part of map cell m
 * (n cells over frame_len pixels) inside block b (blocks of block pixels,
 * the last one cut at frame_len). */
static double *
box_weights (int n, int frame_len, int block, int blocks)
{
  double *w = g_new0 (double, (gsize) blocks * n);
  double scale = (double) frame_len / n;

  for (int m = 0; m < n; m++) {
    double a = m * scale, b = (m + 1) * scale;
    for (int k = (int) (a / block); k < blocks && k * block < b; k++) {
      double lo = MAX (a, (double) k * block);
      double hi = MIN (b, MIN ((double) (k + 1) * block, (double) frame_len));
      if (hi > lo)
        w[(gsize) k * n + m] = hi - lo;
    }
  }
  return w;
}

const float *
sal_qp_update (SalQp * qp, const SalMap * map)
{
  int bx = qp->bx, by = qp->by;
  double cell_w = (double) qp->width / map->width;
  double cell_h = (double) qp->height / map->height;
  double max_dq = qp->strength * SAL_QP_MAX, sum = 0, area_sum = 0;
  double *rows;

  /* Per map geometry, not per frame. */
  if (map->width != qp->map_w || map->height != qp->map_h) {
    g_free (qp->wx);
    g_free (qp->wy);
    g_free (qp->rows);
    qp->wx = box_weights (map->width, qp->width, qp->block, bx);
    qp->wy = box_weights (map->height, qp->height, qp->block, by);
    qp->rows = g_new (double, (gsize) map->height * bx);
    qp->map_w = map->width;
    qp->map_h = map->height;
  }

  /* Mass of each map row inside each block column, then of each block. */
  rows = qp->rows;
  for (int y = 0; y < map->height; y++)
    for (int k = 0; k < bx; k++) {
      const double *w = qp->wx + (gsize) k * map->width;
      const float *row = map->data + (gsize) y * map->width;
      double s = 0;
      for (int x = 0; x < map->width; x++)
        s += w[x] * row[x];
      rows[(gsize) y * bx + k] = s / cell_w;
    }

  for (int j = 0; j < by; j++) {
    const double *w = qp->wy + (gsize) j * map->height;
    int h = MIN (qp->block, qp->height - j * qp->block);
    for (int k = 0; k < bx; k++) {
      int wd = MIN (qp->block, qp->width - k * qp->block);
      double mass = 0, d, r, o;
      gsize i = (gsize) j * bx + k;

      for (int y = 0; y < map->height; y++)
        mass += w[y] * rows[(gsize) y * bx + k];
      mass /= cell_h;
      /* Density relative to an even spread over the frame. */
      d = mass / ((double) wd * h) * ((double) qp->width * qp->height);
      r = qp->have_ema ? (1 - SAL_QP_SMOOTHING) * qp->ema[i] +
          SAL_QP_SMOOTHING * d : d;
      qp->ema[i] = r;
      o = -qp->strength * SAL_QP_PER_OCTAVE * log2 (MAX (r,
              SAL_QP_FLOOR));
      o = CLAMP (o, -max_dq, max_dq);
      qp->offsets[i] = (float) o;
      sum += o * wd * h;
      area_sum += (double) wd * h;
    }
  }
  qp->have_ema = TRUE;

  for (int i = 0; i < bx * by; i++)
    qp->offsets[i] -= (float) (sum / area_sum);
  return qp->offsets;
}
