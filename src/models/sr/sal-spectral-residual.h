/* Spectral residual saliency (Hou & Zhang, CVPR 2007) as OpenCV's
 * StaticSaliencySpectralResidual computes it, on the host in double.
 * tools/spectral_residual.py is the specification (sr_map). */
#ifndef SAL_SPECTRAL_RESIDUAL_H
#define SAL_SPECTRAL_RESIDUAL_H

#include <glib.h>

G_BEGIN_DECLS

/* The side of the square image the residual is computed on. */
#define SAL_SR_SIZE 64

/* rgb: planar [3, height, width], values in [0, 1]. Writes width * height
 * doubles into out: the spectral residual map resized back to the image's
 * size, its maximum about 1. */
void sal_spectral_residual (const float *rgb, int width, int height,
    double *out);

G_END_DECLS

#endif
