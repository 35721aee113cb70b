/* UNISAL's Gaussian prior maps, computed once per size on the host. */
#include "sal-layers.h"

#include <math.h>

/* linspace (0, 1, n)[i]; n == 1 gives 0 as in PyTorch. */
static double
unit_linspace (int i, int n)
{
  return n > 1 ? (double) i / (n - 1) : 0.0;
}

static double
gauss (double v, double mu, double log_sigma)
{
  double d = (v - mu) / exp (log_sigma);
  return exp (-d * d / 2.0);
}

void
sal_gaussian_priors (const float *params, int n, int h, int w, float *out)
{
  double *gx = g_new (double, w);

  for (int k = 0; k < n; k++) {
    const float *p = params + 4 * k;    /* y: mu, log sigma; x: mu, ls */

    for (int j = 0; j < w; j++)
      gx[j] = gauss (unit_linspace (j, w), p[2], p[3]);
    for (int i = 0; i < h; i++) {
      double gy = 6.0 * gauss (unit_linspace (i, h), p[0], p[1]);
      float *row = out + ((size_t) k * h + i) * w;

      for (int j = 0; j < w; j++)
        row[j] = (float) (gy * gx[j]);
    }
  }
  g_free (gx);
}
