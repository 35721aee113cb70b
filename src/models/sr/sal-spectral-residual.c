/* Spectral residual saliency on the host: the image is 64 x 64 when it
 * matters, so a separable radix-2 FFT (a few thousand butterflies a pass)
 * costs less than launching kernels would. The steps and constants are
 * tools/spectral_residual.py's. */
#include "sal-spectral-residual.h"

#include <math.h>

#include "sal-metrics.h"

#define N SAL_SR_SIZE
G_STATIC_ASSERT ((N & (N - 1)) == 0);     /* the radix-2 FFT */
#define LOG_FLOOR 1e-6          /* |F| below this counts as this */
#define BLUR_RADIUS 2           /* OpenCV's 5 x 5 Gaussian of sigma 8 */
#define BLUR_SIGMA 8.0

typedef struct
{
  double re[N * N], im[N * N];
  double cos_t[N], sin_t[N];    /* e^(-2 pi i k / N) */
  double line_re[N], line_im[N];
  /* Scratch, here rather than on a streaming thread's stack. */
  double log_amp[N * N], phase[N * N], smooth[N * N], tmp[N * N];
} Dft;

static void
dft_init (Dft * d)
{
  for (int k = 0; k < N; k++) {
    d->cos_t[k] = cos (2 * G_PI * k / N);
    d->sin_t[k] = -sin (2 * G_PI * k / N);
  }
}

/* The DFT of one line of N samples in place: radix-2 decimation in time
 * (N is a power of two), twiddles e^(-+2 pi i k / N) from the tables. */
static void
fft_line (const Dft * d, double *re, double *im, double sign)
{
  for (int i = 1, j = 0; i < N; i++) {
    int bit = N >> 1;

    for (; j & bit; bit >>= 1)
      j ^= bit;
    j ^= bit;
    if (i < j) {
      double t = re[i];

      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (int len = 2; len <= N; len <<= 1) {
    int half = len / 2, step = N / len;

    for (int i = 0; i < N; i += len)
      for (int k = 0; k < half; k++) {
        double c = d->cos_t[k * step], s = sign * d->sin_t[k * step];
        double *ar = re + i + k, *ai = im + i + k;
        double *br = ar + half, *bi = ai + half;
        double vr = *br * c - *bi * s, vi = *br * s + *bi * c;

        *br = *ar - vr;
        *bi = *ai - vi;
        *ar += vr;
        *ai += vi;
      }
  }
}

/* One pass of the 2-D DFT, over rows or columns; inverse: unscaled (the
 * map is divided by its maximum in the end). */
static void
dft_pass (Dft * d, gboolean columns, gboolean inverse)
{
  int step = columns ? N : 1, next = columns ? 1 : N;

  for (int l = 0; l < N; l++) {
    double *re = d->re + l * next, *im = d->im + l * next;

    for (int n = 0; n < N; n++) {
      d->line_re[n] = re[n * step];
      d->line_im[n] = im[n * step];
    }
    fft_line (d, d->line_re, d->line_im, inverse ? -1.0 : 1.0);
    for (int k = 0; k < N; k++) {
      re[k * step] = d->line_re[k];
      im[k * step] = d->line_im[k];
    }
  }
}

static void
dft_2d (Dft * d, gboolean inverse)
{
  dft_pass (d, FALSE, inverse);
  dft_pass (d, TRUE, inverse);
}

/* OpenCV's BORDER_REFLECT_101: -1 -> 1, N -> N - 2. */
static inline int
reflect101 (int i)
{
  return i < 0 ? -i : i >= N ? 2 * N - 2 - i : i;
}

/* a = k * a, separable, k of 2 * radius + 1 taps, reflected borders. */
static void
filter_sep (double *a, double *tmp, const double *k, int radius)
{
  for (int y = 0; y < N; y++)
    for (int x = 0; x < N; x++) {
      double s = 0;

      for (int i = -radius; i <= radius; i++)
        s += k[i + radius] * a[y * N + reflect101 (x + i)];
      tmp[y * N + x] = s;
    }
  for (int y = 0; y < N; y++)
    for (int x = 0; x < N; x++) {
      double s = 0;

      for (int i = -radius; i <= radius; i++)
        s += k[i + radius] * tmp[reflect101 (y + i) * N + x];
      a[y * N + x] = s;
    }
}

/* Grey (0..255, BT.601 luma as OpenCV's cvtColor) at N x N, into d->re. */
static void
grey_small (Dft * d, const float *rgb, int width, int height)
{
  gsize plane = (gsize) width * height;
  double *grey = g_new (double, plane);
  SalMetricsMap in = { grey, width, height };

  for (gsize i = 0; i < plane; i++)
    grey[i] = 255.0 * (0.299 * rgb[i] + 0.587 * rgb[plane + i]
        + 0.114 * rgb[2 * plane + i]);
  sal_metrics_resize_bilinear (&in, d->re, N, N);
  g_free (grey);
  for (int i = 0; i < N * N; i++)
    d->im[i] = 0;
}

/* The residual of the log amplitude, the phase kept, back in space: the
 * magnitude into d->re. */
static void
residual (Dft * d)
{
  static const double box[3] = { 1.0 / 3, 1.0 / 3, 1.0 / 3 };
  double *log_amp = d->log_amp, *phase = d->phase, *smooth = d->smooth;

  dft_2d (d, FALSE);
  for (int i = 0; i < N * N; i++) {
    log_amp[i] = log (MAX (hypot (d->re[i], d->im[i]), LOG_FLOOR));
    phase[i] = atan2 (d->im[i], d->re[i]);
    smooth[i] = log_amp[i];
  }
  filter_sep (smooth, d->tmp, box, 1);
  for (int i = 0; i < N * N; i++) {
    double a = exp (log_amp[i] - smooth[i]);

    d->re[i] = a * cos (phase[i]);
    d->im[i] = a * sin (phase[i]);
  }
  dft_2d (d, TRUE);
  for (int i = 0; i < N * N; i++)
    d->re[i] = hypot (d->re[i], d->im[i]);
}

void
sal_spectral_residual (const float *rgb, int width, int height, double *out)
{
  Dft *d = g_new (Dft, 1);
  double gauss[2 * BLUR_RADIUS + 1], sum = 0, top = 0;
  SalMetricsMap small = { d->re, N, N };

  for (int i = -BLUR_RADIUS; i <= BLUR_RADIUS; i++)
    sum += gauss[i + BLUR_RADIUS] = exp (-i * i / (2 * BLUR_SIGMA
            * BLUR_SIGMA));
  for (int i = 0; i <= 2 * BLUR_RADIUS; i++)
    gauss[i] /= sum;

  dft_init (d);
  grey_small (d, rgb, width, height);
  residual (d);
  filter_sep (d->re, d->tmp, gauss, BLUR_RADIUS);
  for (int i = 0; i < N * N; i++) {
    d->re[i] *= d->re[i];
    top = MAX (top, d->re[i]);
  }
  for (int i = 0; i < N * N; i++)
    d->re[i] = isfinite (top) && top > 0 ? d->re[i] / top : 1.0;
  sal_metrics_resize_bilinear (&small, out, width, height);
  g_free (d);
}
