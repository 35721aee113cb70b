/* libsaliency metrics: how well a saliency map predicts where people look,
 * computed as the MIT/Tuebingen benchmark and DHF1K compute them (CC, SIM,
 * KLD, NSS, AUC-Judd, shuffled AUC).
 *
 * These are the definitions of the project's metrics note (metrics.md) and
 * of its NumPy reference (tests/metrics/metrics.py), which they match to
 * 1e-6 (tests/metrics/agreement.py checks it):
 *
 * - Arithmetic is double throughout.
 * - S is the prediction, G the continuous fixation density, F the binary
 *   fixation map. Each function resizes S to the size of G or F first when
 *   the sizes differ, with sal_metrics_resize_bilinear.
 * - A constant map cannot be z-scored or min-max normalised: CC and NSS
 *   give 0 for a constant S (or G), SIM takes a constant map as uniform,
 *   AUC-Judd and shuffled AUC give 0.5 for a constant S. Without fixations,
 *   NSS and the AUCs are NaN; shuffled AUC is NaN without negatives too.
 * - Randomness (AUC-Judd's tie-breaking jitter, shuffled AUC's negative
 *   samples) is passed in, so that another implementation can be fed the
 *   same numbers; sal_metrics_draw_jitter and sal_metrics_draw_splits draw
 *   them from a GRand by a fixed procedure (documented below, and
 *   reproduced in NumPy by tests/metrics/grand.py).
 *
 * Every function is pure and thread-safe; none needs an engine or OpenCL.
 */
#ifndef SAL_METRICS_H
#define SAL_METRICS_H

#include <glib.h>

G_BEGIN_DECLS

/* A map of width * height doubles, row-major. */
typedef struct
{
  const double *data;
  int width;
  int height;
} SalMetricsMap;

/* A binary fixation map, row-major: a nonzero byte is a fixated pixel. */
typedef struct
{
  const guint8 *data;
  int width;
  int height;
} SalMetricsFixations;

/* The benchmark's epsilon (MATLAB's eps), used by KLD. */
#define SAL_METRICS_EPS 2.2204e-16
/* Shuffled AUC's number of random splits, as the benchmark uses. */
#define SAL_METRICS_N_SPLITS 100

/* Bilinear resize with half-pixel centres and edge clamping (OpenCV's
 * INTER_LINEAR, torch's align_corners=False; no antialiasing): writes
 * out_width * out_height doubles into out. */
void sal_metrics_resize_bilinear (const SalMetricsMap * in, double *out,
    int out_width, int out_height);

/* Pearson's correlation coefficient of S and G. Higher is better, max 1. */
double sal_metrics_cc (const SalMetricsMap * s, const SalMetricsMap * g);

/* Similarity (histogram intersection): each map min-max normalised, then
 * divided by its sum; the sum of the pixelwise minimum. Max 1. */
double sal_metrics_sim (const SalMetricsMap * s, const SalMetricsMap * g);

/* Kullback-Leibler divergence of G from S, each divided by its sum:
 * sum G log (eps + G / (S + eps)). Lower is better. */
double sal_metrics_kld (const SalMetricsMap * s, const SalMetricsMap * g);

/* Normalised scanpath saliency: the mean of z-scored S (standard
 * deviation with N - 1) over the fixated pixels. */
double sal_metrics_nss (const SalMetricsMap * s,
    const SalMetricsFixations * f);

/* AUC-Judd: thresholds at the saliency of each fixation. jitter: NULL, or
 * f->width * f->height values added to S (after resizing, before the
 * min-max normalisation) to break ties; the benchmark adds uniform noise
 * in [0, 1e-7). */
double sal_metrics_auc_judd (const SalMetricsMap * s,
    const SalMetricsFixations * f, const double *jitter);

/* Shuffled AUC (AUC-Borji with negatives from other frames' fixations):
 * for each of n_splits rows of n flat pixel indices (into S at f's size),
 * the AUC of the fixations against those negatives over the thresholds
 * 0:0.1:1; the mean over the splits. n is min(fixations, negatives). */
double sal_metrics_shuffled_auc (const SalMetricsMap * s,
    const SalMetricsFixations * f, const guint32 * splits, int n_splits,
    int n);

/* The random numbers, drawn from rand by these procedures exactly:
 *
 * sal_metrics_draw_jitter: jitter[i] = g_rand_double (rand) / 1e7, for i
 * from 0 to n - 1 (row-major over the fixation map).
 *
 * sal_metrics_draw_splits: the candidates are the flat indices where other
 * is nonzero, ascending (m of them); n = min(fixations in f, m). Each split
 * is a partial Fisher-Yates shuffle of the candidates in that order: for
 * i = 0 .. n-1, j = i + floor (g_rand_double (rand) * (m - i)) (capped at
 * m - 1), swap candidates i and j, take candidate i. The candidates are put
 * back in order before the next split. Returns n_splits * n indices
 * (g_free them) and sets *n, or returns NULL with *n = 0 when there are no
 * fixations or no candidates. other has f's size. */
void sal_metrics_draw_jitter (GRand * rand, double *jitter, gsize n);
guint32 *sal_metrics_draw_splits (GRand * rand,
    const SalMetricsFixations * f, const guint8 * other, int n_splits,
    int *n);

/* Conveniences: the same metrics with the randomness drawn from rand as
 * above (the jitter first, for AUC-Judd). */
double sal_metrics_auc_judd_random (const SalMetricsMap * s,
    const SalMetricsFixations * f, GRand * rand);
double sal_metrics_shuffled_auc_random (const SalMetricsMap * s,
    const SalMetricsFixations * f, const guint8 * other, int n_splits,
    GRand * rand);

G_END_DECLS

#endif /* SAL_METRICS_H */
