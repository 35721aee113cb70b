/* PSNR, SSIM and eye-tracking-weighted PSNR: see salmap-quality.h. */
#include "salmap-quality.h"

#include <math.h>

static double
psnr_of_mse (double mse)
{
  return mse <= 0 ? SALMAP_PSNR_MAX :
      MIN (SALMAP_PSNR_MAX, 10 * log10 (255.0 * 255.0 / mse));
}

double
salmap_psnr (const double *a, const double *b, int width, int height)
{
  gsize n = (gsize) width * height;
  double s = 0;

  for (gsize i = 0; i < n; i++)
    s += (a[i] - b[i]) * (a[i] - b[i]);
  return psnr_of_mse (s / n);
}

double
salmap_ew_psnr (const double *a, const double *b, const double *w,
    int width, int height)
{
  gsize n = (gsize) width * height;
  double s = 0, mass = 0;

  for (gsize i = 0; i < n; i++) {
    s += w[i] * (a[i] - b[i]) * (a[i] - b[i]);
    mass += w[i];
  }
  return mass > 0 ? psnr_of_mse (s / mass) : NAN;
}

#define SSIM_RADIUS 5
#define SSIM_SIGMA 1.5

/* "Valid" Gaussian filtering: out is (w - 10) x (h - 10). */
static void
gauss_valid (const double *in, int w, int h, double *tmp, double *out)
{
  double g[2 * SSIM_RADIUS + 1], sum = 0;
  int ow = w - 2 * SSIM_RADIUS, oh = h - 2 * SSIM_RADIUS;

  for (int k = -SSIM_RADIUS; k <= SSIM_RADIUS; k++)
    sum += g[k + SSIM_RADIUS] = exp (-k * k / (2 * SSIM_SIGMA * SSIM_SIGMA));
  for (int k = 0; k <= 2 * SSIM_RADIUS; k++)
    g[k] /= sum;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < ow; x++) {
      double s = 0;
      for (int k = 0; k <= 2 * SSIM_RADIUS; k++)
        s += g[k] * in[(gsize) y * w + x + k];
      tmp[(gsize) y * ow + x] = s;
    }
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++) {
      double s = 0;
      for (int k = 0; k <= 2 * SSIM_RADIUS; k++)
        s += g[k] * tmp[(gsize) (y + k) * ow + x];
      out[(gsize) y * ow + x] = s;
    }
}

double
salmap_ssim (const double *a, const double *b, int width, int height)
{
  const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
  int ow = width - 2 * SSIM_RADIUS, oh = height - 2 * SSIM_RADIUS;
  gsize n = (gsize) width * height, on;
  double *prod, *tmp, *mu_a, *mu_b, *s_aa, *s_bb, *s_ab, total = 0;

  if (ow < 1 || oh < 1)
    return NAN;                 /* smaller than the window */
  on = (gsize) ow * oh;
  prod = g_new (double, n);
  tmp = g_new (double, (gsize) ow * height);
  mu_a = g_new (double, on);
  mu_b = g_new (double, on);
  s_aa = g_new (double, on);
  s_bb = g_new (double, on);
  s_ab = g_new (double, on);
  gauss_valid (a, width, height, tmp, mu_a);
  gauss_valid (b, width, height, tmp, mu_b);
  for (gsize i = 0; i < n; i++)
    prod[i] = a[i] * a[i];
  gauss_valid (prod, width, height, tmp, s_aa);
  for (gsize i = 0; i < n; i++)
    prod[i] = b[i] * b[i];
  gauss_valid (prod, width, height, tmp, s_bb);
  for (gsize i = 0; i < n; i++)
    prod[i] = a[i] * b[i];
  gauss_valid (prod, width, height, tmp, s_ab);
  for (gsize i = 0; i < on; i++) {
    double va = s_aa[i] - mu_a[i] * mu_a[i], vb = s_bb[i] - mu_b[i] * mu_b[i];
    double cov = s_ab[i] - mu_a[i] * mu_b[i];
    total += (2 * mu_a[i] * mu_b[i] + c1) * (2 * cov + c2) /
        ((mu_a[i] * mu_a[i] + mu_b[i] * mu_b[i] + c1) * (va + vb + c2));
  }
  g_free (prod);
  g_free (tmp);
  g_free (mu_a);
  g_free (mu_b);
  g_free (s_aa);
  g_free (s_bb);
  g_free (s_ab);
  return total / on;
}
