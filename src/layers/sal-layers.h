/* Neural-network layers on OpenCL, general in sizes and channel counts.
 * Tensors are CHW float32, batch 1 (SalTensor). Every op checks shapes and
 * returns a GError on mismatch; nothing allocates per call. */
#ifndef SAL_LAYERS_H
#define SAL_LAYERS_H

#include "sal-tensor.h"

G_BEGIN_DECLS

typedef enum
{
  SAL_ACT_NONE,
  SAL_ACT_RELU6,
  SAL_ACT_SIGMOID,
  SAL_ACT_TANH,
  SAL_ACT_RELU,
} SalAct;

typedef enum
{
  SAL_PAD_ZERO,
  SAL_PAD_REPLICATE,
} SalPad;

/* The compiled kernels of the layers, once per runtime. */
typedef struct _SalLayers SalLayers;

SalLayers *sal_layers_new (SalRuntime * rt, GError ** error);
void sal_layers_free (SalLayers * l);

/* A 2D convolution with its weights on the device.
 * weight: host [cout, cin / groups, k, k]; bias: host [cout] or NULL (0).
 * groups: 1 (dense) or cin == cout (depthwise). The weight layout on the
 * device is the implementation's choice (e.g. transposed for 1x1). */
typedef struct
{
  int cin, cout, k, stride, pad, groups;
  SalPad pad_mode;
  SalAct act;
  SalRuntime *rt;
  cl_mem weight;                /* shared by engines on the device */
  cl_mem bias;                  /* always allocated: zeros when NULL */
} SalConv;

SalConv *sal_conv_new (SalRuntime * rt, int cin, int cout, int k, int stride,
    int pad, int groups, SalPad pad_mode, SalAct act, const float *weight,
    const float *bias, GError ** error);
void sal_conv_free (SalConv * c);

/* Output size of c for an input of h x w. */
void sal_conv_out_size (const SalConv * c, int h, int w, int *out_h,
    int *out_w);

/* out = act (conv (in) + bias) [+ residual]. residual (NULL: none) has the
 * shape of out and is added after the activation. */
gboolean sal_conv_run (SalLayers * l, const SalConv * c, const SalTensor * in,
    SalTensor * out, const SalTensor * residual, GError ** error);

/* Folds eval-mode BatchNorm y = (x - mean) / sqrt(var + eps) * gamma + beta,
 * times an optional per-channel scale (NULL: 1), into a conv's host weight
 * [cout, per_out] and bias [cout] (bias may hold a conv bias or zeros). */
void sal_fold_batchnorm (float *weight, float *bias, int cout, int per_out,
    const float *gamma, const float *beta, const float *mean,
    const float *var, float eps, const float *scale);

/* Resizes every channel: bilinear with align_corners=False (PyTorch
 * F.interpolate), or nearest with source index floor (dst * in / out). */
gboolean sal_resize_bilinear (SalLayers * l, const SalTensor * in,
    SalTensor * out, GError ** error);
gboolean sal_resize_nearest (SalLayers * l, const SalTensor * in,
    SalTensor * out, GError ** error);
/* out = in[:, ::2, ::2] (out is ceil(h/2) x ceil(w/2)). */
gboolean sal_subsample2 (SalLayers * l, const SalTensor * in,
    SalTensor * out, GError ** error);
/* out = cat (a, b) along channels. */
gboolean sal_concat (SalLayers * l, const SalTensor * a, const SalTensor * b,
    SalTensor * out, GError ** error);
gboolean sal_add (SalLayers * l, const SalTensor * a, const SalTensor * b,
    SalTensor * out, GError ** error);
gboolean sal_mul (SalLayers * l, const SalTensor * a, const SalTensor * b,
    SalTensor * out, GError ** error);
/* out = log (in + eps), element-wise; out may be in. */
gboolean sal_log (SalLayers * l, const SalTensor * in, SalTensor * out,
    float eps, GError ** error);
/* In place. */
gboolean sal_activate (SalLayers * l, SalTensor * t, SalAct act,
    GError ** error);

/* The ConvGRU update from its six branch outputs (biases b_r, b_z already
 * in the x-branch convs, b_h in h_x's):
 *   r = sigmoid (rx + rh); z = sigmoid (zx + zh);
 *   hh' = tanh (hx + r * hh); out = (1 - z) * h + z * hh'.
 * out may be h (in place). */
gboolean sal_gru_update (SalLayers * l, const SalTensor * rx,
    const SalTensor * rh, const SalTensor * zx, const SalTensor * zh,
    const SalTensor * hx, const SalTensor * hh, const SalTensor * h,
    SalTensor * out, GError ** error);

/* log-softmax over all elements of in (any shape). */
gboolean sal_log_softmax (SalLayers * l, const SalTensor * in,
    SalTensor * out, GError ** error);

/* UNISAL's Gaussian prior maps, on the host (constant per size):
 * params [n][2][2] = [k][y, x][mu, log sigma]; out [n, h, w] with
 * out_k(i, j) = 6 exp(-((ly_i - mu_y) / e^ls_y)^2 / 2)
 *               * exp(-((lx_j - mu_x) / e^ls_x)^2 / 2),
 * ly = linspace (0, 1, h), lx = linspace (0, 1, w). */
void sal_gaussian_priors (const float *params, int n, int h, int w,
    float *out);

/* ---- 3D layers (sal-conv3d.c, sal-pool3d.c) ----
 * Volumes are time-major [t][c][h][w] float32: each time slice is a CHW
 * tensor, so a clip ring is an array of frames and a concatenation along
 * time is two runs of slices. A SalVol does not own its buffer: several
 * views may share one (scratch, rings). */
typedef struct
{
  cl_mem buf;
  int t, c, h, w;
} SalVol;

static inline size_t
sal_vol_size (const SalVol * v)
{
  return (size_t) v->t * v->c * v->h * v->w;
}

/* A 3D convolution (PyTorch Conv3d, zero padding) with its weights on the
 * device. weight: host [cout, cin / groups, kt, kh, kw]; bias: host [cout]
 * or NULL. k, stride, pad: (t, h, w). */
typedef struct
{
  int cin, cout, groups;
  int k[3], stride[3], pad[3];
  SalAct act;
  SalRuntime *rt;
  cl_mem weight, bias;
} SalConv3d;

SalConv3d *sal_conv3d_new (SalRuntime * rt, int cin, int cout, int groups,
    const int k[3], const int stride[3], const int pad[3], SalAct act,
    const float *weight, const float *bias, GError ** error);
void sal_conv3d_free (SalConv3d * c);

/* Output size (t, h, w) of c for an input of t x h x w. */
void sal_conv3d_out_size (const SalConv3d * c, int t, int h, int w,
    int out[3]);

/* out[out_t0 + i][out_c0 + j] = act (conv (cat_t (a, b)) + bias)[i][j].
 * The input along time is a's slices a_head, a_head + 1, ... (mod a->t),
 * then b's (b may be NULL); a and b have the same c, h, w. */
gboolean sal_conv3d_run (SalLayers * l, const SalConv3d * c,
    const SalVol * a, int a_head, const SalVol * b, SalVol * out,
    int out_t0, int out_c0, GError ** error);
/* The same with b read as a ring from slice b_head too, for output times
 * t_first .. t_first + t_count - 1 only (at out_t0 ..): the others are
 * left as they are. */
gboolean sal_conv3d_run_times (SalLayers * l, const SalConv3d * c,
    const SalVol * a, int a_head, const SalVol * b, int b_head,
    SalVol * out, int out_t0, int out_c0, int t_first, int t_count,
    GError ** error);

/* 3D max pooling, -inf padding, floor mode: k, stride, pad are (t, h, w);
 * out must have the pooled size. The input's time index i is slice
 * (in_head + i) mod in->t (a ring; 0 for a plain volume). */
gboolean sal_maxpool3d (SalLayers * l, const SalVol * in, int in_head,
    SalVol * out, const int k[3], const int stride[3], const int pad[3],
    GError ** error);

/* Bilinear x2 of every time slice (nn.Upsample (scale_factor = (1, 2, 2),
 * mode = 'trilinear'), align_corners = False): out is t x c x 2h x 2w. */
gboolean sal_upsample2_hw (SalLayers * l, const SalVol * in, SalVol * out,
    GError ** error);

G_END_DECLS

#endif
