/* Picture quality of a decoded frame against its reference, on luma
 * (Y' = 0.299 R + 0.587 G + 0.114 B, full range, in doubles):
 *
 * - PSNR: 10 log10 (255^2 / MSE), capped at 100 dB for identical frames;
 * - SSIM: Wang et al. 2004, 11x11 Gaussian window (sigma 1.5), K1 0.01,
 *   K2 0.03, L 255, the mean over the positions where the window fits;
 * - EW-PSNR (Li, Qin and Itti): PSNR of the MSE weighted by the human
 *   fixation density w of the frame (w >= 0, normalised to sum to 1). */
#ifndef SALMAP_QUALITY_H
#define SALMAP_QUALITY_H

#include <glib.h>

G_BEGIN_DECLS

#define SALMAP_PSNR_MAX 100.0

double salmap_psnr (const double *a, const double *b, int width, int height);
double salmap_ssim (const double *a, const double *b, int width, int height);
/* NaN when w has no mass. */
double salmap_ew_psnr (const double *a, const double *b, const double *w,
    int width, int height);

G_END_DECLS

#endif
