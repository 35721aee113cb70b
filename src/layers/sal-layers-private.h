/* What the layer files share: the compiled kernels and how they enqueue. */
#ifndef SAL_LAYERS_PRIVATE_H
#define SAL_LAYERS_PRIVATE_H

#include "sal-layers.h"

G_BEGIN_DECLS

struct _SalLayers
{
  SalRuntime *rt;
  /* conv.cl */
  cl_kernel pw_48x8, pw_48x8_t, pw_16x16, plane, dw3_s1, dw3_s2, dw3_small,
      dense;
  /* elementwise.cl */
  cl_kernel add, mul, log, activate, subsample2, gru;
  /* resize.cl */
  cl_kernel bilinear, nearest;
  /* conv3d.cl */
  cl_kernel conv3d_48x8, conv3d_16x16, conv3d_pw_48x8, conv3d_pw_16x16,
      conv3d_k3_48x8, conv3d_k3_16x16, maxpool3d, maxpool3d_333, upsample2;
  /* softmax.cl, and its partial results then {max, log sum} */
  cl_kernel lsm_partial, lsm_combine, lsm_apply;
  cl_mem lsm_scratch;
};

/* Enqueues k over items[0..dims) work-items, each dimension rounded up to
 * a multiple of local[] (the kernels bound-check). */
gboolean sal_layers_enqueue (SalLayers * l, cl_kernel k, cl_uint dims,
    const size_t * items, const size_t * local, GError ** error);

/* Uploads a layer's host weight and bias (w, b: nw, nb floats, freed
 * here) as read-only buffers that engines on one device share. FALSE with
 * error set: give back what was set with sal_layers_release_weights(). */
gboolean sal_layers_share_weights (SalRuntime * rt, float *w, size_t nw,
    float *b, size_t nb, cl_mem * weight, cl_mem * bias, GError ** error);
/* Gives back either of them (NULL: nothing). */
void sal_layers_release_weights (SalRuntime * rt, cl_mem weight,
    cl_mem bias);

/* Sets a shape-mismatch error: "<op>: <what> (<a> vs <b>)". */
gboolean sal_layers_shape_error (GError ** error, const char *op,
    const char *what, const SalTensor * a, const SalTensor * b);

G_END_DECLS

#endif
