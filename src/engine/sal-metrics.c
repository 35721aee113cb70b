/* Saliency metrics; see sal-metrics.h. Each step follows the NumPy
 * reference (tests/metrics/metrics.py) operation for operation, so that
 * the two agree far below the 1e-6 asked of them: the same resize
 * arithmetic, the same order of operations, the same conventions. */
#include "sal-metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Sums in blocks: a long running sum loses ~n * eps relative; NumPy's
 * pairwise sums do not, and a 1080p map has two million terms. */
#define BLOCK 1024

typedef struct
{
  double total;
  double block;
  guint count;
} Sum;

static inline void
sum_add (Sum * s, double x)
{
  s->block += x;
  if (++s->count == BLOCK) {
    s->total += s->block;
    s->block = 0.0;
    s->count = 0;
  }
}

static inline double
sum_get (const Sum * s)
{
  return s->total + s->block;
}

static gsize
n_pixels (int width, int height)
{
  return (gsize) width * height;
}

/* One axis of the resize: source indices and weight per output index. */
static void
resize_axis (int n_in, int n_out, int *i0, int *i1, double *frac)
{
  double scale = (double) n_in / n_out;

  for (int i = 0; i < n_out; i++) {
    double x = ((double) i + 0.5) * scale - 0.5;

    x = CLAMP (x, 0.0, (double) (n_in - 1));
    i0[i] = (int) floor (x);
    i1[i] = MIN (i0[i] + 1, n_in - 1);
    frac[i] = x - i0[i];
  }
}

void
sal_metrics_resize_bilinear (const SalMetricsMap * in, double *out,
    int out_width, int out_height)
{
  int *x0, *x1, *y0, *y1;
  double *fx, *fy;

  if (in->width == out_width && in->height == out_height) {
    memcpy (out, in->data, n_pixels (out_width, out_height) * sizeof (double));
    return;
  }
  x0 = g_new (int, out_width);
  x1 = g_new (int, out_width);
  fx = g_new (double, out_width);
  y0 = g_new (int, out_height);
  y1 = g_new (int, out_height);
  fy = g_new (double, out_height);
  resize_axis (in->width, out_width, x0, x1, fx);
  resize_axis (in->height, out_height, y0, y1, fy);

  for (int y = 0; y < out_height; y++) {
    const double *r0 = in->data + (gsize) y0[y] * in->width;
    const double *r1 = in->data + (gsize) y1[y] * in->width;
    double *o = out + (gsize) y * out_width;

    for (int x = 0; x < out_width; x++) {
      double top = r0[x0[x]] * (1 - fx[x]) + r0[x1[x]] * fx[x];
      double bot = r1[x0[x]] * (1 - fx[x]) + r1[x1[x]] * fx[x];

      o[x] = top * (1 - fy[y]) + bot * fy[y];
    }
  }
  g_free (x0);
  g_free (x1);
  g_free (fx);
  g_free (y0);
  g_free (y1);
  g_free (fy);
}

/* S at (width, height): s's own data when it has that size, else a
 * resized copy in *tmp (g_free it). */
static const double *
at_size (const SalMetricsMap * s, int width, int height, double **tmp)
{
  *tmp = NULL;
  if (s->width == width && s->height == height)
    return s->data;
  *tmp = g_new (double, n_pixels (width, height));
  sal_metrics_resize_bilinear (s, *tmp, width, height);
  return *tmp;
}

static double
mean (const double *x, gsize n)
{
  Sum sum = { 0 };

  for (gsize i = 0; i < n; i++)
    sum_add (&sum, x[i]);
  return sum_get (&sum) / n;
}

static gboolean
is_constant (const double *x, gsize n)
{
  for (gsize i = 1; i < n; i++)
    if (x[i] != x[0])
      return FALSE;
  return TRUE;
}

/* Min-max normalises x into out; FALSE (out untouched) when x is
 * constant. */
static gboolean
minmax (const double *x, gsize n, double *out)
{
  double lo = x[0], hi = x[0];

  for (gsize i = 1; i < n; i++) {
    lo = MIN (lo, x[i]);
    hi = MAX (hi, x[i]);
  }
  if (hi - lo <= 0)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    out[i] = (x[i] - lo) / (hi - lo);
  return TRUE;
}

double
sal_metrics_cc (const SalMetricsMap * s, const SalMetricsMap * g)
{
  gsize n = n_pixels (g->width, g->height);
  double *tmp, ms, mg, ss, gg;
  const double *sd = at_size (s, g->width, g->height, &tmp);
  Sum sg = { 0 }, s2 = { 0 }, g2 = { 0 };

  /* A constant map correlates with nothing. Tested directly: its mean,
   * summed in floating point, need not equal its value. */
  if (is_constant (sd, n) || is_constant (g->data, n)) {
    g_free (tmp);
    return 0.0;
  }
  ms = mean (sd, n);
  mg = mean (g->data, n);
  for (gsize i = 0; i < n; i++) {
    double a = sd[i] - ms, b = g->data[i] - mg;

    sum_add (&sg, a * b);
    sum_add (&s2, a * a);
    sum_add (&g2, b * b);
  }
  g_free (tmp);
  ss = sqrt (sum_get (&s2));
  gg = sqrt (sum_get (&g2));
  if (ss == 0 || gg == 0)
    return 0.0;
  return sum_get (&sg) / (ss * gg);
}

/* Min-max normalised (uniform when constant), then divided by its sum. */
static void
to_distribution (const double *x, gsize n, double *out)
{
  Sum sum = { 0 };
  double total;

  if (!minmax (x, n, out))
    for (gsize i = 0; i < n; i++)
      out[i] = 1.0;
  for (gsize i = 0; i < n; i++)
    sum_add (&sum, out[i]);
  total = sum_get (&sum);
  for (gsize i = 0; i < n; i++)
    out[i] /= total;
}

double
sal_metrics_sim (const SalMetricsMap * s, const SalMetricsMap * g)
{
  gsize n = n_pixels (g->width, g->height);
  double *tmp;
  const double *sd = at_size (s, g->width, g->height, &tmp);
  double *ps = g_new (double, n), *pg = g_new (double, n);
  Sum sum = { 0 };

  to_distribution (sd, n, ps);
  to_distribution (g->data, n, pg);
  for (gsize i = 0; i < n; i++)
    sum_add (&sum, MIN (ps[i], pg[i]));
  g_free (ps);
  g_free (pg);
  g_free (tmp);
  return sum_get (&sum);
}

double
sal_metrics_kld (const SalMetricsMap * s, const SalMetricsMap * g)
{
  gsize n = n_pixels (g->width, g->height);
  double *tmp, ts, tg;
  const double *sd = at_size (s, g->width, g->height, &tmp);
  Sum sum_s = { 0 }, sum_g = { 0 }, kl = { 0 };

  for (gsize i = 0; i < n; i++) {
    sum_add (&sum_s, sd[i]);
    sum_add (&sum_g, g->data[i]);
  }
  ts = sum_get (&sum_s);
  tg = sum_get (&sum_g);
  for (gsize i = 0; i < n; i++) {
    double p = sd[i] / ts, q = g->data[i] / tg;

    sum_add (&kl, q * log (SAL_METRICS_EPS + q / (p + SAL_METRICS_EPS)));
  }
  g_free (tmp);
  return sum_get (&kl);
}

static gsize
count_fixations (const SalMetricsFixations * f)
{
  gsize n = n_pixels (f->width, f->height), count = 0;

  for (gsize i = 0; i < n; i++)
    count += f->data[i] != 0;
  return count;
}

double
sal_metrics_nss (const SalMetricsMap * s, const SalMetricsFixations * f)
{
  gsize n = n_pixels (f->width, f->height), n_fix = count_fixations (f);
  double *tmp, m, sd;
  const double *sv;
  Sum var = { 0 }, at_fix = { 0 };

  if (n_fix == 0)
    return NAN;
  sv = at_size (s, f->width, f->height, &tmp);
  if (is_constant (sv, n)) {
    g_free (tmp);
    return 0.0;
  }
  m = mean (sv, n);
  for (gsize i = 0; i < n; i++)
    sum_add (&var, (sv[i] - m) * (sv[i] - m));
  sd = sqrt (sum_get (&var) / (double) (n - 1));
  for (gsize i = 0; i < n; i++)
    if (f->data[i])
      sum_add (&at_fix, (sv[i] - m) / sd);
  g_free (tmp);
  if (sd == 0)
    return 0.0;
  return sum_get (&at_fix) / n_fix;
}

static int
compare_ascending (const void *pa, const void *pb)
{
  double a = *(const double *) pa, b = *(const double *) pb;

  return (a > b) - (a < b);
}

/* Trapezoidal area under tp(fp), as numpy.trapz (tp, fp). */
static double
trapz (const double *tp, const double *fp, gsize n)
{
  Sum area = { 0 };

  for (gsize i = 0; i + 1 < n; i++)
    sum_add (&area, (fp[i + 1] - fp[i]) * (tp[i + 1] + tp[i]) / 2.0);
  return sum_get (&area);
}

/* How many of sorted[0..n) are >= x: n minus the first index with
 * sorted[i] >= x (numpy.searchsorted, side "left"). */
static gsize
count_at_least (const double *sorted, gsize n, double x)
{
  gsize lo = 0, hi = n;

  while (lo < hi) {
    gsize mid = lo + (hi - lo) / 2;

    if (sorted[mid] < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return n - lo;
}

double
sal_metrics_auc_judd (const SalMetricsMap * s, const SalMetricsFixations * f,
    const double *jitter)
{
  gsize n = n_pixels (f->width, f->height), n_fix = count_fixations (f);
  double *sv, *sorted, *thr, *tp, *fp, area;
  gsize k = 0;

  if (n_fix == 0)
    return NAN;
  sv = g_new (double, n);
  sal_metrics_resize_bilinear (s, sv, f->width, f->height);
  if (jitter != NULL)
    for (gsize i = 0; i < n; i++)
      sv[i] = sv[i] + jitter[i];
  if (!minmax (sv, n, sv)) {
    g_free (sv);
    return 0.5;
  }

  /* Thresholds: S at the fixations, descending. */
  thr = g_new (double, n_fix);
  for (gsize i = 0; i < n; i++)
    if (f->data[i])
      thr[k++] = sv[i];
  qsort (thr, n_fix, sizeof (double), compare_ascending);
  sorted = sv;
  qsort (sorted, n, sizeof (double), compare_ascending);

  tp = g_new (double, n_fix + 2);
  fp = g_new (double, n_fix + 2);
  tp[0] = fp[0] = 0.0;
  for (gsize i = 1; i <= n_fix; i++) {
    double t = thr[n_fix - i];
    gsize above = count_at_least (sorted, n, t);

    tp[i] = (double) i / (double) n_fix;
    fp[i] = (double) ((gint64) above - (gint64) i) / (double) (n - n_fix);
  }
  tp[n_fix + 1] = fp[n_fix + 1] = 1.0;
  area = trapz (tp, fp, n_fix + 2);

  g_free (tp);
  g_free (fp);
  g_free (thr);
  g_free (sv);
  return area;
}

double
sal_metrics_shuffled_auc (const SalMetricsMap * s,
    const SalMetricsFixations * f, const guint32 * splits, int n_splits,
    int n)
{
  const double step = 0.1;
  gsize n_pix = n_pixels (f->width, f->height), n_fix = count_fixations (f);
  double *sv, *sth, tp[13], fp[13];
  Sum aucs = { 0 };
  gsize k = 0;

  if (n_fix == 0)
    return NAN;
  sv = g_new (double, n_pix);
  sal_metrics_resize_bilinear (s, sv, f->width, f->height);
  if (!minmax (sv, n_pix, sv)) {
    g_free (sv);
    return 0.5;
  }
  if (n <= 0 || n_splits <= 0) {
    g_free (sv);
    return NAN;
  }
  /* A caller's index past the map would read out of bounds. */
  for (gsize i = 0; i < (gsize) n_splits * n; i++)
    if (splits[i] >= n_pix) {
      g_critical ("shuffled AUC: negative %u is outside the %dx%d map",
          splits[i], f->width, f->height);
      g_free (sv);
      return NAN;
    }

  sth = g_new (double, n_fix);
  for (gsize i = 0; i < n_pix; i++)
    if (f->data[i])
      sth[k++] = sv[i];

  for (int sp = 0; sp < n_splits; sp++) {
    const guint32 *neg = splits + (gsize) sp * n;
    double top = 0.0;
    int n_thr, t;

    for (gsize i = 0; i < n_fix; i++)
      top = MAX (top, sth[i]);
    for (int i = 0; i < n; i++)
      top = MAX (top, sv[neg[i]]);
    /* 0:step:top, descending, as MATLAB's colon (the endpoint kept within
     * a tolerance). S is in [0, 1], so at most 11 thresholds. */
    n_thr = (int) floor (top / step + 1e-10) + 1;
    tp[0] = fp[0] = 0.0;
    for (t = 0; t < n_thr; t++) {
      double thr = (double) (n_thr - 1 - t) * step;
      gsize tp_count = 0, fp_count = 0;

      for (gsize i = 0; i < n_fix; i++)
        tp_count += sth[i] >= thr;
      for (int i = 0; i < n; i++)
        fp_count += sv[neg[i]] >= thr;
      tp[t + 1] = (double) tp_count / (double) n_fix;
      fp[t + 1] = (double) fp_count / (double) n;
    }
    tp[n_thr + 1] = fp[n_thr + 1] = 1.0;
    sum_add (&aucs, trapz (tp, fp, n_thr + 2));
  }
  g_free (sth);
  g_free (sv);
  return sum_get (&aucs) / n_splits;
}

void
sal_metrics_draw_jitter (GRand * rand, double *jitter, gsize n)
{
  for (gsize i = 0; i < n; i++)
    jitter[i] = g_rand_double (rand) / 1e7;
}

guint32 *
sal_metrics_draw_splits (GRand * rand, const SalMetricsFixations * f,
    const guint8 * other, int n_splits, int *n)
{
  gsize n_pix = n_pixels (f->width, f->height), n_fix = count_fixations (f);
  gsize m = 0;
  guint32 *cand, *splits;
  gsize *swaps;
  int take;

  *n = 0;
  for (gsize i = 0; i < n_pix; i++)
    m += other[i] != 0;
  if (n_fix == 0 || m == 0 || n_splits <= 0)
    return NULL;
  take = (int) MIN (n_fix, m);

  cand = g_new (guint32, m);
  m = 0;
  for (gsize i = 0; i < n_pix; i++)
    if (other[i])
      cand[m++] = (guint32) i;
  splits = g_new (guint32, (gsize) n_splits * take);
  swaps = g_new (gsize, take);

  for (int sp = 0; sp < n_splits; sp++) {
    guint32 *out = splits + (gsize) sp * take;

    for (int i = 0; i < take; i++) {
      gsize j = i + (gsize) floor (g_rand_double (rand) * (double) (m - i));
      guint32 c;

      /* The product can round up to m - i itself. */
      j = MIN (j, m - 1);
      c = cand[i];
      cand[i] = cand[j];
      cand[j] = c;
      swaps[i] = j;
      out[i] = cand[i];
    }
    /* Undone in reverse: every split shuffles the candidates in their
     * sorted order, at O(n) rather than O(m) a split. */
    for (int i = take - 1; i >= 0; i--) {
      guint32 c = cand[i];

      cand[i] = cand[swaps[i]];
      cand[swaps[i]] = c;
    }
  }
  g_free (swaps);
  g_free (cand);
  *n = take;
  return splits;
}

double
sal_metrics_auc_judd_random (const SalMetricsMap * s,
    const SalMetricsFixations * f, GRand * rand)
{
  gsize n = n_pixels (f->width, f->height);
  double *jitter = g_new (double, n), auc;

  sal_metrics_draw_jitter (rand, jitter, n);
  auc = sal_metrics_auc_judd (s, f, jitter);
  g_free (jitter);
  return auc;
}

double
sal_metrics_shuffled_auc_random (const SalMetricsMap * s,
    const SalMetricsFixations * f, const guint8 * other, int n_splits,
    GRand * rand)
{
  int n;
  guint32 *splits = sal_metrics_draw_splits (rand, f, other, n_splits, &n);
  double auc = sal_metrics_shuffled_auc (s, f, splits, splits ? n_splits : 0,
      n);

  g_free (splits);
  return auc;
}
