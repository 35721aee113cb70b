/* 2D convolutions: weights on the device in the layout of the kernel that
 * will run them (kernels/conv.cl), shape checks, kernel choice, and the
 * folding of BatchNorm into weights on the host. */
#include "sal-layers-private.h"
#include "saliency.h"

#include <math.h>
#include <string.h>

/* Output channels are padded to a multiple of this in the pointwise and
 * dense layouts, so their kernels never test a channel index inside the
 * inner loop. */
#define CO_PAD 16

/* Output rows per work-item of conv_plane and conv_dw3_* (PLANE_ROWS and
 * DW3_ROWS in conv.cl). */
#define PLANE_ROWS 4
#define DW3_ROWS 8

typedef enum
{
  KIND_POINTWISE,               /* 1x1, stride 1, no padding, dense */
  KIND_PLANE,                   /* depthwise, or one channel in and out */
  KIND_DENSE,                   /* anything else with groups == 1 */
} ConvKind;

static ConvKind
conv_kind (int cin, int cout, int k, int stride, int pad, int groups)
{
  if (groups == cin && cin == cout)
    return KIND_PLANE;
  if (k == 1 && stride == 1 && pad == 0)
    return KIND_POINTWISE;
  return KIND_DENSE;
}

static int
round_up (int n, int m)
{
  return (n + m - 1) / m * m;
}

SalConv *
sal_conv_new (SalRuntime * rt, int cin, int cout, int k, int stride,
    int pad, int groups, SalPad pad_mode, SalAct act, const float *weight,
    const float *bias, GError ** error)
{
  SalConv *c;
  ConvKind kind;
  float *w, *b;
  size_t nw, nb;

  if (cin < 1 || cout < 1 || k < 1 || stride < 1 || pad < 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_conv_new: invalid convolution %d->%d, kernel %d, stride %d, "
        "padding %d", cin, cout, k, stride, pad);
    return NULL;
  }
  if (groups != 1 && !(groups == cin && cin == cout)) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_conv_new: groups %d for %d->%d channels: only 1 (dense) or "
        "depthwise (groups == in == out channels) are supported", groups,
        cin, cout);
    return NULL;
  }
  if (pad_mode != SAL_PAD_ZERO && pad_mode != SAL_PAD_REPLICATE) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_conv_new: unknown padding mode %d", (int) pad_mode);
    return NULL;
  }
  if (act < SAL_ACT_NONE || act > SAL_ACT_TANH) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_conv_new: unknown activation %d", (int) act);
    return NULL;
  }
  g_return_val_if_fail (weight != NULL, NULL);

  kind = conv_kind (cin, cout, k, stride, pad, groups);
  if (kind == KIND_PLANE) {
    /* [c][1][k][k] is already the kernel's [c][k][k]. */
    nw = (size_t) cout * k * k;
    nb = cout;
    w = g_memdup2 (weight, nw * sizeof (float));
  } else {
    /* [cout][cin][k][k] -> [cin][k][k][cpad]: for each tap, the output
     * channels side by side. (Pointwise is the case k = 1.) */
    int cpad = round_up (cout, CO_PAD), taps = cin * k * k;
    nw = (size_t) taps * cpad;
    nb = cpad;
    w = g_new0 (float, nw);
    for (int co = 0; co < cout; co++)
      for (int t = 0; t < taps; t++)
        w[(size_t) t * cpad + co] = weight[(size_t) co * taps + t];
  }
  b = g_new0 (float, nb);
  if (bias)
    memcpy (b, bias, cout * sizeof (float));

  c = g_new0 (SalConv, 1);
  c->cin = cin;
  c->cout = cout;
  c->k = k;
  c->stride = stride;
  c->pad = pad;
  c->groups = groups;
  c->pad_mode = pad_mode;
  c->act = act;
  c->rt = rt;
  if (!sal_layers_share_weights (rt, w, nw, b, nb, &c->weight, &c->bias,
          error)) {
    sal_conv_free (c);
    return NULL;
  }
  return c;
}

void
sal_conv_free (SalConv * c)
{
  if (!c)
    return;
  sal_layers_release_weights (c->rt, c->weight, c->bias);
  g_free (c);
}

void
sal_conv_out_size (const SalConv * c, int h, int w, int *out_h, int *out_w)
{
  /* PyTorch's floor; an input smaller than the kernel gives <= 0. */
  int eh = h + 2 * c->pad - c->k, ew = w + 2 * c->pad - c->k;

  *out_h = eh < 0 ? 0 : eh / c->stride + 1;
  *out_w = ew < 0 ? 0 : ew / c->stride + 1;
}

static gboolean
run_pointwise (SalLayers * l, const SalConv * c, const SalTensor * in,
    SalTensor * out, cl_mem res, cl_int has_res, GError ** error)
{
  cl_int cin = c->cin, cout = c->cout, cpad = round_up (c->cout, CO_PAD);
  cl_int hw = in->h * in->w, act = c->act;
  size_t items[2], local[2] = { 1, 1 };
  cl_kernel k;

  if (hw < 48) {
    k = l->pw_16x16;
    items[0] = (hw + 15) / 16;
    items[1] = (cout + 15) / 16;
  } else {
    size_t runs = (hw + 47) / 48, blocks = (cout + 7) / 8;
    /* Channel blocks fastest once the input outgrows a core's L2 cache
     * (1.5 MB here): then it is read once instead of once per channel
     * block. Below that, streaming the input past each weight block wins
     * (measured on a Xeon with 1.25 MB L2; 1x1 convs of UNISAL). */
    gboolean channels_first = (gint64) cin * hw * 4 >= 1536 * 1024;

    k = channels_first ? l->pw_48x8_t : l->pw_48x8;
    items[0] = channels_first ? blocks : runs;
    items[1] = channels_first ? runs : blocks;
  }
  return sal_kernel_set_args (k, error, 11, SAL_ARG (in->buf),
      SAL_ARG (c->weight), SAL_ARG (c->bias), SAL_ARG (res),
      SAL_ARG (out->buf), SAL_ARG (cin), SAL_ARG (cout), SAL_ARG (cpad),
      SAL_ARG (hw), SAL_ARG (act), SAL_ARG (has_res))
      && sal_layers_enqueue (l, k, 2, items, local, error);
}

static gboolean
run_plane (SalLayers * l, const SalConv * c, const SalTensor * in,
    SalTensor * out, cl_mem res, cl_int has_res, GError ** error)
{
  cl_int w = in->w, h = in->h, ow = out->w, oh = out->h, ch = c->cout;
  cl_int k = c->k, stride = c->stride, pad = c->pad, act = c->act;
  cl_int replicate = c->pad_mode == SAL_PAD_REPLICATE;
  size_t items[3] = { (ow + 15) / 16, (oh + PLANE_ROWS - 1) / PLANE_ROWS,
    ch
  };
  size_t local[3] = { 1, 1, 1 };
  cl_kernel kern = l->plane;

  /* Small planes: a work-item per channel (DW3_SMALL_MAX in conv.cl). */
  if (k == 3 && pad == 1 && stride == 1 && !replicate && w * h <= 256
      && ow < 16) {
    size_t n = ch, one = 1;
    return sal_kernel_set_args (l->dw3_small, error, 10, SAL_ARG (in->buf),
        SAL_ARG (c->weight), SAL_ARG (c->bias), SAL_ARG (res),
        SAL_ARG (out->buf), SAL_ARG (w), SAL_ARG (h), SAL_ARG (ch),
        SAL_ARG (act), SAL_ARG (has_res))
        && sal_layers_enqueue (l, l->dw3_small, 1, &n, &one, error);
  }
  /* The unrolled 3x3 kernels (see conv_dw3_s1 for their conditions). */
  if (k == 3 && pad == 1 && (stride == 1 || stride == 2) && ow >= 16
      && w != 15 * stride + 1) {
    kern = stride == 1 ? l->dw3_s1 : l->dw3_s2;
    items[1] = (oh + DW3_ROWS - 1) / DW3_ROWS;
  }
  return sal_kernel_set_args (kern, error, 16, SAL_ARG (in->buf),
      SAL_ARG (c->weight), SAL_ARG (c->bias), SAL_ARG (res),
      SAL_ARG (out->buf), SAL_ARG (w), SAL_ARG (h), SAL_ARG (ow),
      SAL_ARG (oh), SAL_ARG (ch), SAL_ARG (k), SAL_ARG (stride),
      SAL_ARG (pad), SAL_ARG (replicate), SAL_ARG (act), SAL_ARG (has_res))
      && sal_layers_enqueue (l, kern, 3, items, local, error);
}

static gboolean
run_dense (SalLayers * l, const SalConv * c, const SalTensor * in,
    SalTensor * out, cl_mem res, cl_int has_res, GError ** error)
{
  cl_int w = in->w, h = in->h, ow = out->w, oh = out->h;
  cl_int cin = c->cin, cout = c->cout, cpad = round_up (c->cout, CO_PAD);
  cl_int k = c->k, stride = c->stride, pad = c->pad, act = c->act;
  cl_int replicate = c->pad_mode == SAL_PAD_REPLICATE;
  size_t items[3] = { (ow + 15) / 16, oh, (cout + 15) / 16 };
  size_t local[3] = { 1, 1, 1 };

  return sal_kernel_set_args (l->dense, error, 18, SAL_ARG (in->buf),
      SAL_ARG (c->weight), SAL_ARG (c->bias), SAL_ARG (res),
      SAL_ARG (out->buf), SAL_ARG (w), SAL_ARG (h), SAL_ARG (ow),
      SAL_ARG (oh), SAL_ARG (cin), SAL_ARG (cout), SAL_ARG (cpad),
      SAL_ARG (k), SAL_ARG (stride), SAL_ARG (pad), SAL_ARG (replicate),
      SAL_ARG (act), SAL_ARG (has_res))
      && sal_layers_enqueue (l, l->dense, 3, items, local, error);
}

gboolean
sal_conv_run (SalLayers * l, const SalConv * c, const SalTensor * in,
    SalTensor * out, const SalTensor * residual, GError ** error)
{
  int oh, ow;
  cl_int has_res = residual != NULL;
  /* Never read when has_res is 0, but the argument needs a buffer. */
  cl_mem res = residual ? residual->buf : out->buf;

  sal_conv_out_size (c, in->h, in->w, &oh, &ow);
  if (in->c != c->cin) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_conv_run: input has %d channels, the convolution takes %d",
        in->c, c->cin);
    return FALSE;
  }
  if (oh < 1 || ow < 1) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_conv_run: input %dx%d is smaller than the %dx%d kernel with "
        "padding %d", in->h, in->w, c->k, c->k, c->pad);
    return FALSE;
  }
  if (out->c != c->cout || out->h != oh || out->w != ow) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_conv_run: output is %dx%dx%d, the convolution of a %dx%dx%d "
        "input gives %dx%dx%d", out->c, out->h, out->w, in->c, in->h,
        in->w, c->cout, oh, ow);
    return FALSE;
  }
  if (residual && (residual->c != out->c || residual->h != out->h
          || residual->w != out->w))
    return sal_layers_shape_error (error, "sal_conv_run",
        "residual differs from out", residual, out);
  if (in->buf == out->buf) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_conv_run cannot work in place (out is in)");
    return FALSE;
  }
  if (sal_tensor_size (in) > G_MAXINT || sal_tensor_size (out) > G_MAXINT) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_conv_run: tensors over 2^31 values are not supported");
    return FALSE;
  }

  switch (conv_kind (c->cin, c->cout, c->k, c->stride, c->pad, c->groups)) {
    case KIND_POINTWISE:
      return run_pointwise (l, c, in, out, res, has_res, error);
    case KIND_PLANE:
      return run_plane (l, c, in, out, res, has_res, error);
    default:
      return run_dense (l, c, in, out, res, has_res, error);
  }
}

void
sal_fold_batchnorm (float *weight, float *bias, int cout, int per_out,
    const float *gamma, const float *beta, const float *mean,
    const float *var, float eps, const float *scale)
{
  /* In double: the folded values are then the exact ones rounded once. */
  for (int co = 0; co < cout; co++) {
    double s = gamma[co] / sqrt ((double) var[co] + eps);
    double a = scale ? scale[co] : 1.0;
    double f = s * a;

    for (int i = 0; i < per_out; i++)
      weight[(size_t) co * per_out + i] =
          (float) (weight[(size_t) co * per_out + i] * f);
    bias[co] = (float) ((((double) bias[co] - mean[co]) * s + beta[co]) * a);
  }
}
