/* 3D convolutions on time-major volumes: weights in the layout of
 * kernels/conv3d.cl, shape checks, and the choice of work-item tile. */
#include "sal-layers-private.h"
#include "saliency.h"

#include <string.h>

/* conv3d_48x8 (rows of at least 48 pixels) and conv3d_16x16. */
#define WIDE_PX 48
#define WIDE_CO 8
#define NARROW_CO 16

static int
round_up (int n, int m)
{
  return (n + m - 1) / m * m;
}

/* Output channels per group as stored: a multiple of 16 for either tile,
 * or of 8 where that saves a block of padding (then only the 8-channel
 * tile runs it). */
static int
padded_cout (int cout_g)
{
  int p8 = round_up (cout_g, WIDE_CO);
  return p8 % NARROW_CO && p8 < round_up (cout_g, NARROW_CO) ? p8 :
      round_up (cout_g, NARROW_CO);
}

/* Output extent along one axis (PyTorch's floor; <= 0 when too small). */
static int
out_extent (int n, int k, int s, int p)
{
  int e = n + 2 * p - k;
  return e < 0 ? 0 : e / s + 1;
}

void
sal_conv3d_out_size (const SalConv3d * c, int t, int h, int w, int out[3])
{
  int in[3] = { t, h, w };
  for (int i = 0; i < 3; i++)
    out[i] = out_extent (in[i], c->k[i], c->stride[i], c->pad[i]);
}

SalConv3d *
sal_conv3d_new (SalRuntime * rt, int cin, int cout, int groups,
    const int k[3], const int stride[3], const int pad[3], SalAct act,
    const float *weight, const float *bias, GError ** error)
{
  SalConv3d *c;
  int cin_g, cout_g, taps, cpad;
  float *w, *b;

  for (int i = 0; i < 3; i++)
    if (k[i] < 1 || stride[i] < 1 || pad[i] < 0) {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
          "sal_conv3d_new: invalid kernel %dx%dx%d, stride %dx%dx%d, "
          "padding %dx%dx%d", k[0], k[1], k[2], stride[0], stride[1],
          stride[2], pad[0], pad[1], pad[2]);
      return NULL;
    }
  if (cin < 1 || cout < 1 || groups < 1 || cin % groups || cout % groups) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_conv3d_new: %d groups do not divide %d->%d channels", groups,
        cin, cout);
    return NULL;
  }
  if (act < SAL_ACT_NONE || act > SAL_ACT_RELU) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_conv3d_new: unknown activation %d", (int) act);
    return NULL;
  }
  g_return_val_if_fail (weight != NULL, NULL);

  c = g_new0 (SalConv3d, 1);
  c->cin = cin;
  c->cout = cout;
  c->groups = groups;
  memcpy (c->k, k, sizeof (c->k));
  memcpy (c->stride, stride, sizeof (c->stride));
  memcpy (c->pad, pad, sizeof (c->pad));
  c->act = act;
  c->rt = rt;

  /* [g][cout_g][cin_g][taps] -> [g][cin_g][taps][cpad]. */
  cin_g = cin / groups;
  cout_g = cout / groups;
  taps = k[0] * k[1] * k[2];
  cpad = padded_cout (cout_g);
  w = g_new0 (float, (size_t) groups * cin_g * taps * cpad);
  b = g_new0 (float, (size_t) groups * cpad);
  for (int g = 0; g < groups; g++)
    for (int co = 0; co < cout_g; co++) {
      const float *src = weight + (size_t) (g * cout_g + co) * cin_g * taps;
      for (int i = 0; i < cin_g * taps; i++)
        w[((size_t) g * cin_g * taps + i) * cpad + co] = src[i];
      if (bias)
        b[g * cpad + co] = bias[g * cout_g + co];
    }
  if (!sal_layers_share_weights (rt, w,
          (size_t) groups * cin_g * taps * cpad, b, (size_t) groups * cpad,
          &c->weight, &c->bias, error)) {
    sal_conv3d_free (c);
    return NULL;
  }
  return c;
}

void
sal_conv3d_free (SalConv3d * c)
{
  if (!c)
    return;
  sal_layers_release_weights (c->rt, c->weight, c->bias);
  g_free (c);
}

static gboolean
check_run (const SalConv3d * c, const SalVol * a, int a_head,
    const SalVol * b, int b_head, const SalVol * out, int out_t0,
    int out_c0, const int o[3], int t_first, int t_count, GError ** error)
{
  const char *why = NULL;

  if (b_head < 0 || (b ? b_head >= b->t : b_head != 0))
    why = "the second input's ring head is outside it";
  else if (t_first < 0 || t_count < 1 || t_first + t_count > o[0])
    why = "the output times asked for are not all in the result";
  else if (a->c != c->cin)
    why = "the input's channels are not the convolution's";
  else if (b && (b->c != a->c || b->h != a->h || b->w != a->w))
    why = "the two inputs differ in channels or size";
  else if (a_head < 0 || a_head >= a->t)
    why = "the ring head is outside the input";
  else if (o[0] < 1 || o[1] < 1 || o[2] < 1)
    why = "the input is smaller than the kernel";
  else if (out->h != o[1] || out->w != o[2] || out_t0 < 0 || out_c0 < 0
      || out_t0 + t_count > out->t || out_c0 + c->cout > out->c)
    why = "the output does not hold the result at the given offsets";
  else if (out->buf == a->buf || (b && out->buf == b->buf))
    why = "it cannot work in place";
  else if (sal_vol_size (a) > G_MAXINT || sal_vol_size (out) > G_MAXINT
      || (b && sal_vol_size (b) > G_MAXINT))
    why = "volumes over 2^31 values are not supported";
  if (!why)
    return TRUE;
  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
      "sal_conv3d_run: %s (convolution %d->%d, input %dx%dx%dx%d%s, output "
      "%dx%dx%dx%d at t %d, c %d, result %dx%dx%dx%d)", why, c->cin,
      c->cout, a->t + (b ? b->t : 0), a->c, a->h, a->w, b ? " in two" : "",
      out->t, out->c, out->h, out->w, out_t0, out_c0, o[0], c->cout, o[1],
      o[2]);
  return FALSE;
}

gboolean
sal_conv3d_run (SalLayers * l, const SalConv3d * c, const SalVol * a,
    int a_head, const SalVol * b, SalVol * out, int out_t0, int out_c0,
    GError ** error)
{
  int o[3];

  sal_conv3d_out_size (c, a->t + (b ? b->t : 0), a->h, a->w, o);
  return sal_conv3d_run_times (l, c, a, a_head, b, 0, out, out_t0, out_c0,
      0, MAX (o[0], 1), error);
}

gboolean
sal_conv3d_run_times (SalLayers * l, const SalConv3d * c, const SalVol * a,
    int a_head, const SalVol * b, int b_head, SalVol * out, int out_t0,
    int out_c0, int t_first, int t_count, GError ** error)
{
  int o[3];
  cl_int t1 = t_first, bh = b_head;
  cl_int ta = a->t, tb = b ? b->t : 0, head = a_head, cin = c->cin;
  cl_int h = a->h, w = a->w, groups = c->groups, cin_g = c->cin / c->groups;
  cl_int cout_g = c->cout / c->groups, cpad = padded_cout (cout_g);
  cl_int kt = c->k[0], kh = c->k[1], kw = c->k[2];
  cl_int st = c->stride[0], sh = c->stride[1], sw = c->stride[2];
  cl_int pt = c->pad[0], ph = c->pad[1], pw = c->pad[2];
  cl_int ot, oh, ow, out_c = out->c, c0 = out_c0, t0 = out_t0, act = c->act;
  /* Never read when tb is 0, but the argument needs a buffer. */
  cl_mem bbuf = b ? b->buf : a->buf;
  gboolean flat, k3, wide;
  size_t items[3], local[3] = { 1, 1, 1 };
  cl_kernel k;

  sal_conv3d_out_size (c, ta + tb, h, w, o);
  if (!check_run (c, a, a_head, b, b_head, out, out_t0, out_c0, o, t_first,
          t_count, error))
    return FALSE;
  /* The kernel's bound: times from t_first up to here. */
  ot = t_first + t_count;
  oh = o[1];
  ow = o[2];
  flat = kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
  if (flat) {
    /* Spatially pointwise: the plane is one row. */
    w = ow = h * w;
    h = oh = 1;
  }
  k3 = kw == 3 && sw == 1 && pw == 1;
  /* The wide tile where rows hold it; the specialised row forms where
   * their loads stay inside a row (ROW_PW, ROW_K3 in conv3d.cl). */
  wide = ow >= WIDE_PX;
  if (cpad % NARROW_CO) {
    /* Only the 8-channel tile fits; the general rows on narrow planes. */
    k = wide && flat ? l->conv3d_pw_48x8 : wide && k3 ? l->conv3d_k3_48x8 :
        l->conv3d_48x8;
    wide = TRUE;
  } else if (flat && ow >= 16)
    k = wide ? l->conv3d_pw_48x8 : l->conv3d_pw_16x16;
  else if (k3 && ow >= 16)
    k = wide ? l->conv3d_k3_48x8 : l->conv3d_k3_16x16;
  else
    k = wide ? l->conv3d_48x8 : l->conv3d_16x16;
  items[0] = (size_t) groups * (cpad / (wide ? WIDE_CO : NARROW_CO));
  items[2] = (ow + (wide ? WIDE_PX : 16) - 1) / (wide ? WIDE_PX : 16);
  items[1] = (size_t) t_count * oh;
  return sal_kernel_set_args (k, error, 33, SAL_ARG (a->buf),
      SAL_ARG (bbuf), SAL_ARG (c->weight), SAL_ARG (c->bias),
      SAL_ARG (out->buf), SAL_ARG (ta), SAL_ARG (head), SAL_ARG (tb),
      SAL_ARG (cin), SAL_ARG (h), SAL_ARG (w), SAL_ARG (groups),
      SAL_ARG (cin_g), SAL_ARG (cout_g), SAL_ARG (cpad), SAL_ARG (kt),
      SAL_ARG (kh), SAL_ARG (kw), SAL_ARG (st), SAL_ARG (sh), SAL_ARG (sw),
      SAL_ARG (pt), SAL_ARG (ph), SAL_ARG (pw), SAL_ARG (ot), SAL_ARG (oh),
      SAL_ARG (ow), SAL_ARG (out_c), SAL_ARG (c0), SAL_ARG (t0),
      SAL_ARG (act), SAL_ARG (t1), SAL_ARG (bh))
      && sal_layers_enqueue (l, k, 3, items, local, error);
}
