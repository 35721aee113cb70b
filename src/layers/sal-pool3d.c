/* The weight-free 3D layers: max pooling, and the per-slice bilinear x2
 * upsampling (the 2D resize on the volume seen as t * c planes). */
#include "sal-layers-private.h"
#include "saliency.h"

static gboolean
vol_error (GError ** error, const char *op, const char *what,
    const SalVol * in, const SalVol * out)
{
  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
      "%s: %s (in %dx%dx%dx%d, out %dx%dx%dx%d)", op, what, in->t, in->c,
      in->h, in->w, out->t, out->c, out->h, out->w);
  return FALSE;
}

gboolean
sal_maxpool3d (SalLayers * l, const SalVol * in, int in_head, SalVol * out,
    const int k[3], const int stride[3], const int pad[3], GError ** error)
{
  int n[3] = { in->t, in->h, in->w }, o[3];
  cl_int t = in->t, c = in->c, h = in->h, w = in->w;
  cl_int kt = k[0], kh = k[1], kw = k[2];
  cl_int st = stride[0], sh = stride[1], sw = stride[2];
  cl_int pt = pad[0], ph = pad[1], pw = pad[2], ot, oh, ow, head = in_head;
  size_t items[3], local[3] = { 1, 1, 1 };

  for (int i = 0; i < 3; i++) {
    /* PyTorch's rule; it also keeps every window on a real value. */
    if (k[i] < 1 || stride[i] < 1 || pad[i] < 0 || 2 * pad[i] > k[i])
      return vol_error (error, "sal_maxpool3d", "invalid kernel, stride "
          "or padding (padding at most half the kernel)", in, out);
    o[i] = n[i] + 2 * pad[i] < k[i] ? 0 :
        (n[i] + 2 * pad[i] - k[i]) / stride[i] + 1;
  }
  if (o[0] < 1 || o[1] < 1 || o[2] < 1)
    return vol_error (error, "sal_maxpool3d", "input smaller than the "
        "kernel", in, out);
  if (out->t != o[0] || out->c != c || out->h != o[1] || out->w != o[2])
    return vol_error (error, "sal_maxpool3d", "out is not the pooled size",
        in, out);
  if (in->buf == out->buf)
    return vol_error (error, "sal_maxpool3d", "cannot work in place", in,
        out);
  if (in_head < 0 || in_head >= in->t)
    return vol_error (error, "sal_maxpool3d", "the ring head is outside "
        "the input", in, out);
  if (sal_vol_size (in) > G_MAXINT)
    return vol_error (error, "sal_maxpool3d", "too large", in, out);
  ot = o[0];
  oh = o[1];
  ow = o[2];
  if (kt == 3 && kh == 3 && kw == 3 && st == 1 && sh == 1 && sw == 1
      && pt == 1 && ph == 1 && pw == 1 && w >= 16 && head == 0) {
    items[0] = (w + 15) / 16;
    items[1] = 1;
    items[2] = (size_t) t * c;
    return sal_kernel_set_args (l->maxpool3d_333, error, 6,
        SAL_ARG (in->buf), SAL_ARG (out->buf), SAL_ARG (t), SAL_ARG (c),
        SAL_ARG (h), SAL_ARG (w))
        && sal_layers_enqueue (l, l->maxpool3d_333, 3, items, local, error);
  }
  items[0] = (ow + 15) / 16;
  items[1] = oh;
  items[2] = (size_t) ot * c;
  return sal_kernel_set_args (l->maxpool3d, error, 19, SAL_ARG (in->buf),
      SAL_ARG (out->buf), SAL_ARG (t), SAL_ARG (c), SAL_ARG (h), SAL_ARG (w),
      SAL_ARG (kt), SAL_ARG (kh), SAL_ARG (kw), SAL_ARG (st), SAL_ARG (sh),
      SAL_ARG (sw), SAL_ARG (pt), SAL_ARG (ph), SAL_ARG (pw), SAL_ARG (ot),
      SAL_ARG (oh), SAL_ARG (ow), SAL_ARG (head))
      && sal_layers_enqueue (l, l->maxpool3d, 3, items, local, error);
}

gboolean
sal_upsample2_hw (SalLayers * l, const SalVol * in, SalVol * out,
    GError ** error)
{
  SalTensor a = { in->buf, in->t * in->c, in->h, in->w };
  SalTensor b = { out->buf, out->t * out->c, out->h, out->w };
  cl_int h = in->h, w = in->w;
  size_t items[3] = { (2 * in->w + 15) / 16, 1, (size_t) in->t * in->c };
  size_t local[3] = { 1, 1, 1 };

  if (out->t != in->t || out->c != in->c || out->h != 2 * in->h
      || out->w != 2 * in->w)
    return vol_error (error, "sal_upsample2_hw", "out must be in's t x c x "
        "2h x 2w", in, out);
  if (in->buf == out->buf)
    return vol_error (error, "sal_upsample2_hw", "cannot work in place", in,
        out);
  /* At exactly x2 the half-pixel taps are 0.25 / 0.75 and the edges
   * repeat: what trilinear with a time scale of 1 computes per slice.
   * Narrow planes take the general resize. */
  if (in->w < 8 || sal_vol_size (out) > G_MAXINT)
    return sal_resize_bilinear (l, &a, &b, error);
  return sal_kernel_set_args (l->upsample2, error, 4, SAL_ARG (in->buf),
      SAL_ARG (out->buf), SAL_ARG (h), SAL_ARG (w))
      && sal_layers_enqueue (l, l->upsample2, 3, items, local, error);
}
