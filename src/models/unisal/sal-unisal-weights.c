/* UNISAL weights: reads the upstream tensor names from the model file and
 * folds every BatchNorm (plain, or the chosen domain's DSBN), the ConvGRU's
 * per-channel scales and its gate biases into the convolutions, so that the
 * forward pass is convolutions with fused activations only. */
#include "sal-unisal.h"

#include <string.h>

float *
unisal_read (UnisalLoader * ld, const char *name, int ndim,
    const gint64 * shape, GError ** error)
{
  return sal_model_file_read (ld->file, name, ndim, shape, error);
}

/* The four BN vectors of module prefix (already resolved to the plain or
 * domain-specific one), each [n]. */
static gboolean
read_bn (UnisalLoader * ld, const char *prefix, int n, float *v[4],
    GError ** error)
{
  static const char *const parts[4] = { "weight", "bias", "running_mean",
    "running_var"
  };
  gint64 shape[1] = { n };

  for (int i = 0; i < 4; i++) {
    char *name = g_strdup_printf ("%s.%s", prefix, parts[i]);

    v[i] = unisal_read (ld, name, 1, shape, error);
    g_free (name);
    if (!v[i])
      return FALSE;
  }
  /* A negative variance would give NaNs everywhere: say which. */
  for (int c = 0; c < n; c++)
    if (!(v[3][c] + ld->eps > 0.0f)) {
      g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
          "%s: %s.running_var[%d] is %g: a variance must be >= 0; the "
          "checkpoint is corrupt", sal_model_file_get_name (ld->file),
          prefix, c, v[3][c]);
      return FALSE;
    }
  return TRUE;
}

SalConv *
unisal_load_conv (UnisalLoader * ld, const UnisalConvSpec * s,
    GError ** error)
{
  int per_out = (s->depthwise ? 1 : s->cin) * s->k * s->k;
  gint64 wshape[4] = { s->cout, s->depthwise ? 1 : s->cin, s->k, s->k };
  gint64 vshape[1] = { s->cout };
  gint64 cshape[3] = { s->cout, 1, 1 };
  float *weight = NULL, *bias = NULL, *scale = NULL, *add = NULL;
  float *bn[4] = { NULL, NULL, NULL, NULL };
  SalConv *conv = NULL;
  char *name;

  name = g_strdup_printf ("%s.weight", s->conv);
  weight = unisal_read (ld, name, 4, wshape, error);
  g_free (name);
  if (!weight)
    goto out;

  if (s->conv_bias) {
    name = g_strdup_printf ("%s.bias", s->conv);
    bias = unisal_read (ld, name, 1, vshape, error);
    g_free (name);
    if (!bias)
      goto out;
  } else {
    bias = g_new0 (float, s->cout);
  }

  if (s->scale && !(scale = unisal_read (ld, s->scale, 3, cshape, error)))
    goto out;
  if (s->add_bias
      && !(add = unisal_read (ld, s->add_bias, 3, cshape, error)))
    goto out;

  if (s->bn_kind != UNISAL_BN_NONE) {
    char *prefix = s->bn_kind == UNISAL_BN_DOMAIN ?
        g_strdup_printf ("%s.bn_%s", s->bn, ld->domain) : g_strdup (s->bn);
    gboolean ok = read_bn (ld, prefix, s->cout, bn, error);

    g_free (prefix);
    if (!ok)
      goto out;
    sal_fold_batchnorm (weight, bias, s->cout, per_out, bn[0], bn[1], bn[2],
        bn[3], ld->eps, scale);
  } else if (scale) {
    for (int o = 0; o < s->cout; o++) {
      for (int i = 0; i < per_out; i++)
        weight[(gsize) o * per_out + i] *= scale[o];
      bias[o] *= scale[o];
    }
  }
  if (add)
    for (int o = 0; o < s->cout; o++)
      bias[o] += add[o];

  conv = sal_conv_new (ld->rt, s->cin, s->cout, s->k, s->stride, s->k / 2,
      s->depthwise ? s->cin : 1, s->pad_mode, s->act, weight, bias, error);

out:
  g_free (weight);
  g_free (bias);
  g_free (scale);
  g_free (add);
  for (int i = 0; i < 4; i++)
    g_free (bn[i]);
  return conv;
}

gboolean
unisal_load_block (UnisalLoader * ld, const char *prefix, int cin, int cout,
    int t, int dw_stride, UnisalBn bn_kind, UnisalBlock * b, GError ** error)
{
  int hidden = cin * t, i = 0;
  char conv[256], bn[256];
  UnisalConvSpec s = {
    .conv = conv,.bn = bn,.bn_kind = bn_kind,.k = 1,.stride = 1,
    .pad_mode = SAL_PAD_ZERO,
  };

  memset (b, 0, sizeof (*b));
  if (t != 1) {
    g_snprintf (conv, sizeof (conv), "%s.conv.%d", prefix, i);
    g_snprintf (bn, sizeof (bn), "%s.conv.%d", prefix, i + 1);
    s.cin = cin;
    s.cout = hidden;
    s.act = SAL_ACT_RELU6;
    if (!(b->expand = unisal_load_conv (ld, &s, error)))
      return FALSE;
    i += 3;
  }
  g_snprintf (conv, sizeof (conv), "%s.conv.%d", prefix, i);
  g_snprintf (bn, sizeof (bn), "%s.conv.%d", prefix, i + 1);
  s.cin = s.cout = hidden;
  s.k = 3;
  s.stride = dw_stride;
  s.depthwise = TRUE;
  s.act = SAL_ACT_RELU6;
  if (!(b->dw = unisal_load_conv (ld, &s, error)))
    return FALSE;
  i += 3;

  g_snprintf (conv, sizeof (conv), "%s.conv.%d", prefix, i);
  g_snprintf (bn, sizeof (bn), "%s.conv.%d", prefix, i + 1);
  s.cin = hidden;
  s.cout = cout;
  s.k = 1;
  s.stride = 1;
  s.depthwise = FALSE;
  s.act = SAL_ACT_NONE;
  if (!(b->project = unisal_load_conv (ld, &s, error)))
    return FALSE;
  return TRUE;
}

void
unisal_block_clear (UnisalBlock * b)
{
  g_clear_pointer (&b->expand, sal_conv_free);
  g_clear_pointer (&b->dw, sal_conv_free);
  g_clear_pointer (&b->project, sal_conv_free);
}
