/* ViNet-S weights: the upstream tensor names (tools/convert_vinet.py keeps
 * them), eval-mode BatchNorm (eps 1e-3) folded into each backbone conv. */
#include "sal-vinet.h"
#include "saliency.h"

/* S3D's Mixed blocks: key prefix, in, b0, b1a, b1b, b2a, b2b, b3. */
static const struct
{
  const char *prefix;
  int c[7];
} mixed_spec[VINET_N_MIXED] = {
  {"backbone.base2.0", {192, 64, 96, 128, 16, 32, 32}},
  {"backbone.base2.1", {256, 128, 128, 192, 32, 96, 64}},
  {"backbone.base3.0", {480, 192, 96, 208, 16, 48, 64}},
  {"backbone.base3.1", {512, 160, 112, 224, 24, 64, 64}},
  {"backbone.base3.2", {512, 128, 128, 256, 24, 64, 64}},
  {"backbone.base3.3", {512, 112, 144, 288, 32, 64, 64}},
  {"backbone.base3.4", {528, 256, 160, 320, 32, 128, 128}},
  {"backbone.base4.0", {832, 256, 160, 320, 32, 128, 128}},
  {"backbone.base4.1", {832, 384, 192, 384, 48, 128, 128}},
};

/* The grouped decoder (root grouping): module, in, out, groups, kernel
 * (t, h, w), time stride; spatial padding is k / 2. */
static const struct
{
  const char *name;
  int cin, cout, groups, k[3], st;
} decoder_spec[VINET_N_DECODER] = {
  {"decoder.convtsp1.0", 1024, 832, 32, {1, 3, 3}, 1},
  {"decoder.convtsp2.0", 832, 480, 16, {3, 3, 3}, 3},
  {"decoder.convtsp3.0", 480, 192, 8, {5, 3, 3}, 5},
  {"decoder.convtsp4.0", 192, 64, 4, {5, 3, 3}, 5},
  {"decoder.convtsp4.3", 64, 32, 2, {2, 3, 3}, 2},
  {"decoder.convtsp4.6", 32, 32, 1, {2, 1, 1}, 2},
  {"decoder.convtsp4.8", 32, 1, 1, {1, 1, 1}, 1},
};

typedef struct
{
  SalRuntime *rt;
  SalModelFile *file;
} Loader;

/* <conv>.weight [cout, cin / groups, k], then <bn>.* folded when bn is
 * set, or <conv>.bias when with_bias. */
static SalConv3d *
load_conv (Loader * ld, const char *conv, const char *bn, gboolean with_bias,
    int cin, int cout, int groups, const int k[3], const int stride[3],
    const int pad[3], SalAct act, GError ** error)
{
  static const char *const parts[4] = { "weight", "bias", "running_mean",
    "running_var"
  };
  gint64 wshape[5] = { cout, cin / groups, k[0], k[1], k[2] };
  gint64 vshape[1] = { cout };
  float *weight, *bias = NULL, *v[4] = { NULL, NULL, NULL, NULL };
  SalConv3d *c = NULL;
  char *name = g_strdup_printf ("%s.weight", conv);

  weight = sal_model_file_read (ld->file, name, 5, wshape, error);
  g_free (name);
  if (!weight)
    return NULL;
  if (with_bias) {
    name = g_strdup_printf ("%s.bias", conv);
    bias = sal_model_file_read (ld->file, name, 1, vshape, error);
    g_free (name);
    if (!bias)
      goto out;
  } else {
    bias = g_new0 (float, cout);
  }
  for (int i = 0; bn && i < 4; i++) {
    name = g_strdup_printf ("%s.%s", bn, parts[i]);
    v[i] = sal_model_file_read (ld->file, name, 1, vshape, error);
    g_free (name);
    if (!v[i])
      goto out;
  }
  if (bn) {
    for (int i = 0; i < cout; i++)
      if (!(v[3][i] + VINET_BN_EPS > 0.0f)) {
        g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
            "%s: %s.running_var[%d] is %g: a variance must be >= 0; the "
            "checkpoint is corrupt", sal_model_file_get_name (ld->file), bn,
            i, v[3][i]);
        goto out;
      }
    sal_fold_batchnorm (weight, bias, cout,
        (int) (wshape[1] * k[0] * k[1] * k[2]), v[0], v[1], v[2], v[3],
        VINET_BN_EPS, NULL);
  }
  c = sal_conv3d_new (ld->rt, cin, cout, groups, k, stride, pad, act,
      weight, bias, error);

out:
  g_free (weight);
  g_free (bias);
  for (int i = 0; i < 4; i++)
    g_free (v[i]);
  return c;
}

/* BasicConv3d: 1x1x1 conv + BN + ReLU, <prefix>.conv / <prefix>.bn. */
static SalConv3d *
load_basic (Loader * ld, const char *prefix, int cin, int cout,
    GError ** error)
{
  static const int one[3] = { 1, 1, 1 }, zero[3] = { 0, 0, 0 };
  char *conv = g_strdup_printf ("%s.conv", prefix);
  char *bn = g_strdup_printf ("%s.bn", prefix);
  SalConv3d *c = load_conv (ld, conv, bn, FALSE, cin, cout, 1, one, one,
      zero, SAL_ACT_RELU, error);

  g_free (conv);
  g_free (bn);
  return c;
}

/* SepConv3d (k, stride s, padding p), <prefix>.conv_s/bn_s/conv_t/bn_t. */
static gboolean
load_sep (Loader * ld, const char *prefix, int cin, int cout, int k, int s,
    int p, VinetSep * sep, GError ** error)
{
  const int ks[3] = { 1, k, k }, ss[3] = { 1, s, s }, ps[3] = { 0, p, p };
  const int kt[3] = { k, 1, 1 }, st[3] = { s, 1, 1 }, pt[3] = { p, 0, 0 };
  char *names[4];
  gboolean ok;

  names[0] = g_strdup_printf ("%s.conv_s", prefix);
  names[1] = g_strdup_printf ("%s.bn_s", prefix);
  names[2] = g_strdup_printf ("%s.conv_t", prefix);
  names[3] = g_strdup_printf ("%s.bn_t", prefix);
  ok = (sep->s = load_conv (ld, names[0], names[1], FALSE, cin, cout, 1, ks,
          ss, ps, SAL_ACT_RELU, error))
      && (sep->t = load_conv (ld, names[2], names[3], FALSE, cout, cout, 1,
          kt, st, pt, SAL_ACT_RELU, error));
  for (int i = 0; i < 4; i++)
    g_free (names[i]);
  return ok;
}

static gboolean
load_mixed (Loader * ld, int i, VinetMixed * x, GError ** error)
{
  const int *c = mixed_spec[i].c;
  const char *p = mixed_spec[i].prefix;
  char *n[6];
  gboolean ok;

  x->cin = c[0];
  x->b0 = c[1];
  x->b1a = c[2];
  x->b1b = c[3];
  x->b2a = c[4];
  x->b2b = c[5];
  x->b3 = c[6];
  n[0] = g_strdup_printf ("%s.branch0.0", p);
  n[1] = g_strdup_printf ("%s.branch1.0", p);
  n[2] = g_strdup_printf ("%s.branch1.1", p);
  n[3] = g_strdup_printf ("%s.branch2.0", p);
  n[4] = g_strdup_printf ("%s.branch2.1", p);
  n[5] = g_strdup_printf ("%s.branch3.1", p);
  ok = (x->br0 = load_basic (ld, n[0], x->cin, x->b0, error))
      && (x->br1a = load_basic (ld, n[1], x->cin, x->b1a, error))
      && load_sep (ld, n[2], x->b1a, x->b1b, 3, 1, 1, &x->br1, error)
      && (x->br2a = load_basic (ld, n[3], x->cin, x->b2a, error))
      && load_sep (ld, n[4], x->b2a, x->b2b, 3, 1, 1, &x->br2, error)
      && (x->br3 = load_basic (ld, n[5], x->cin, x->b3, error));
  for (int j = 0; j < 6; j++)
    g_free (n[j]);
  return ok;
}

gboolean
vinet_load_weights (SalModel * m, SalModelFile * file, GError ** error)
{
  Loader ld = { m->rt, file };
  const int ks[3] = { 1, 7, 7 }, ss[3] = { 1, 2, 2 }, ps[3] = { 0, 3, 3 };
  const int kt[3] = { 7, 1, 1 }, st[3] = { 2, 1, 1 }, pt[3] = { 3, 0, 0 };

  /* base1.0 is a SepConv3d whose halves run apart: conv_s per frame. */
  if (!(m->conv_s1 = load_conv (&ld, "backbone.base1.0.conv_s",
              "backbone.base1.0.bn_s", FALSE, 3, 64, 1, ks, ss, ps,
              SAL_ACT_RELU, error))
      || !(m->conv_t1 = load_conv (&ld, "backbone.base1.0.conv_t",
              "backbone.base1.0.bn_t", FALSE, 64, 64, 1, kt, st, pt,
              SAL_ACT_RELU, error))
      || !(m->basic12 = load_basic (&ld, "backbone.base1.2", 64, 64, error))
      || !load_sep (&ld, "backbone.base1.3", 64, 192, 3, 1, 1, &m->sep13,
          error))
    return FALSE;
  for (int i = 0; i < VINET_N_MIXED; i++)
    if (!load_mixed (&ld, i, &m->mixed[i], error))
      return FALSE;
  for (int i = 0; i < VINET_N_DECODER; i++) {
    const int *k = decoder_spec[i].k;
    int s[3] = { decoder_spec[i].st, 1, 1 };
    int p[3] = { 0, k[1] / 2, k[2] / 2 };
    gboolean last = i == VINET_N_DECODER - 1;

    if (!(m->dec[i] = load_conv (&ld, decoder_spec[i].name, NULL, last,
                decoder_spec[i].cin, decoder_spec[i].cout,
                decoder_spec[i].groups, k, s, p,
                last ? SAL_ACT_SIGMOID : SAL_ACT_RELU, error)))
      return FALSE;
  }
  return TRUE;
}

static void
sep_clear (VinetSep * s)
{
  g_clear_pointer (&s->s, sal_conv3d_free);
  g_clear_pointer (&s->t, sal_conv3d_free);
}

void
vinet_free_weights (SalModel * m)
{
  g_clear_pointer (&m->conv_s1, sal_conv3d_free);
  g_clear_pointer (&m->conv_t1, sal_conv3d_free);
  g_clear_pointer (&m->basic12, sal_conv3d_free);
  sep_clear (&m->sep13);
  for (int i = 0; i < VINET_N_MIXED; i++) {
    VinetMixed *x = &m->mixed[i];
    g_clear_pointer (&x->br0, sal_conv3d_free);
    g_clear_pointer (&x->br1a, sal_conv3d_free);
    g_clear_pointer (&x->br2a, sal_conv3d_free);
    g_clear_pointer (&x->br3, sal_conv3d_free);
    sep_clear (&x->br1);
    sep_clear (&x->br2);
  }
  for (int i = 0; i < VINET_N_DECODER; i++)
    g_clear_pointer (&m->dec[i], sal_conv3d_free);
}
