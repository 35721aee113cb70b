/* Runs layers of sal-layers.h on .npy inputs, for test_layers.py.
 *
 *   layers-driver CASES
 *
 * CASES lists one case per line: "DIR OP [key=value ...]". The inputs are
 * DIR/<name>.npy (float32, C order), the result goes to DIR/out.npy
 * (fold_bn: out_w.npy and out_b.npy). One process runs every case so the
 * OpenCL set-up is paid once. Ops and their inputs:
 *   conv        x w [b] [res]; stride pad groups pad_mode act res_inplace
 *   fold_bn     w b gamma beta mean var [scale]; eps
 *   bilinear    x; oh ow          nearest  x; oh ow
 *   subsample2  x                 concat   a b
 *   add, mul    a b; inplace      activate x; act
 *   gru         rx rh zx zh hx hh h; inplace
 *   log         x; eps inplace
 *   log_softmax x                 priors   params; h w
 *   conv3d      x [x2] w [b]; t groups kt kh kw st sh sw pt ph pw act
 *               head head2 out_t out_c out_t0 out_c0 [t_first t_count]
 *               (x, x2: [t, c, h, w];
 *               w: [cout, cin_g * kt, kh, kw]; x2 is cat along time;
 *               the result is out[out_t0:, out_c0:] of an out_t x out_c
 *               volume filled with 0, or the result's size when 0)
 *   maxpool3d   x; kt kh kw st sh sw pt ph pw head
 *   up2t        x
 * A failing case prints "DIR: message" (some cases expect one) and the
 * other cases still run; the exit status is 0 unless set-up fails. */
#include "sal-layers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  int ndim;
  int shape[4];
  float *data;
} Array;

static size_t
array_size (const Array * a)
{
  size_t n = 1;
  for (int i = 0; i < a->ndim; i++)
    n *= a->shape[i];
  return n;
}

static void
array_free (Array * a)
{
  g_free (a->data);
  g_free (a);
}

/* Reads a little-endian float32 C-order .npy (NEP 1, version 1 or 2). */
static gboolean
npy_read (const char *path, Array * a, GError ** error)
{
  char *buf, *dict, *p;
  gsize len;
  size_t hlen, off;

  memset (a, 0, sizeof (*a));
  if (!g_file_get_contents (path, &buf, &len, error))
    return FALSE;
  if (len < 10 || memcmp (buf, "\x93NUMPY", 6) != 0)
    goto bad;
  if (buf[6] == 1) {
    hlen = (guint8) buf[8] | (guint8) buf[9] << 8;
    off = 10;
  } else {
    if (len < 12)
      goto bad;
    hlen = (guint8) buf[8] | (guint8) buf[9] << 8 | (guint8) buf[10] << 16;
    off = 12;
  }
  if (off + hlen > len)
    goto bad;
  dict = g_strndup (buf + off, hlen);
  if (!strstr (dict, "'<f4'") || strstr (dict, "'fortran_order': True")
      || !(p = strstr (dict, "'shape': ("))) {
    g_free (dict);
    goto bad;
  }
  p += strlen ("'shape': (");
  while (*p && *p != ')' && a->ndim < 4) {
    char *end;
    long v = strtol (p, &end, 10);
    if (end == p)
      break;
    a->shape[a->ndim++] = (int) v;
    p = end;
    while (*p == ',' || *p == ' ')
      p++;
  }
  g_free (dict);
  if (off + hlen + array_size (a) * 4 != len)
    goto bad;
  a->data = g_memdup2 (buf + off + hlen, array_size (a) * 4);
  g_free (buf);
  return TRUE;

bad:
  g_free (buf);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
      "%s: not a float32 C-order .npy of at most 4 dimensions", path);
  return FALSE;
}

static gboolean
npy_write (const char *path, const Array * a, GError ** error)
{
  GString *h = g_string_new (NULL);
  gboolean ok;

  g_string_append_len (h, "\x93NUMPY\x01\x00\0\0", 10);
  g_string_append (h, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
  for (int i = 0; i < a->ndim; i++)
    g_string_append_printf (h, "%d,%s", a->shape[i],
        i + 1 < a->ndim ? " " : "");
  g_string_append (h, "), }");
  while ((h->len + 1) % 64)
    g_string_append_c (h, ' ');
  g_string_append_c (h, '\n');
  h->str[8] = (char) ((h->len - 10) & 0xff);
  h->str[9] = (char) ((h->len - 10) >> 8);
  g_string_append_len (h, (const char *) a->data, array_size (a) * 4);
  ok = g_file_set_contents (path, h->str, h->len, error);
  g_string_free (h, TRUE);
  return ok;
}

typedef struct
{
  SalRuntime *rt;
  SalLayers *l;
  const char *dir;
  GHashTable *params;
  GPtrArray *tensors;           /* freed after the case */
  GPtrArray *arrays;            /* Array, freed after the case */
} Case;

static gboolean
has_input (Case * c, const char *name)
{
  char *file = g_strconcat (name, ".npy", NULL);
  char *path = g_build_filename (c->dir, file, NULL);
  gboolean ok = g_file_test (path, G_FILE_TEST_EXISTS);
  g_free (file);
  g_free (path);
  return ok;
}

static Array *
input (Case * c, const char *name, GError ** error)
{
  char *file = g_strconcat (name, ".npy", NULL);
  char *path = g_build_filename (c->dir, file, NULL);
  Array *a = g_new0 (Array, 1);
  gboolean ok = npy_read (path, a, error);

  g_free (file);
  g_free (path);
  g_ptr_array_add (c->arrays, a);
  return ok ? a : NULL;
}

static SalTensor *
new_tensor (Case * c, int ch, int h, int w, GError ** error)
{
  SalTensor *t = sal_tensor_new (c->rt, ch, h, w, error);
  if (t)
    g_ptr_array_add (c->tensors, t);
  return t;
}

/* A device tensor from DIR/<name>.npy, [c, h, w] (or fewer dimensions,
 * read as leading 1s). */
static SalTensor *
input_tensor (Case * c, const char *name, GError ** error)
{
  Array *a = input (c, name, error);
  int s[3] = { 1, 1, 1 };
  SalTensor *t;

  if (!a)
    return NULL;
  if (a->ndim > 3) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s must have at most 3 dimensions", name);
    return NULL;
  }
  for (int i = 0; i < a->ndim; i++)
    s[3 - a->ndim + i] = a->shape[i];
  t = new_tensor (c, s[0], s[1], s[2], error);
  if (!t || !sal_tensor_upload (c->rt, t, a->data, error))
    return NULL;
  return t;
}

static gboolean
output_tensor (Case * c, const char *name, const SalTensor * t,
    GError ** error)
{
  Array a = { 3, {t->c, t->h, t->w}, g_new (float, sal_tensor_size (t)) };
  char *file = g_strconcat (name, ".npy", NULL);
  char *path = g_build_filename (c->dir, file, NULL);
  gboolean ok = sal_tensor_download (c->rt, t, a.data, error)
      && npy_write (path, &a, error);

  g_free (a.data);
  g_free (file);
  g_free (path);
  return ok;
}

static gboolean
output_array (Case * c, const char *name, const Array * a, GError ** error)
{
  char *file = g_strconcat (name, ".npy", NULL);
  char *path = g_build_filename (c->dir, file, NULL);
  gboolean ok = npy_write (path, a, error);

  g_free (file);
  g_free (path);
  return ok;
}

static int
param_int (Case * c, const char *key, int def)
{
  const char *v = g_hash_table_lookup (c->params, key);
  return v ? atoi (v) : def;
}

static float
param_float (Case * c, const char *key, float def)
{
  const char *v = g_hash_table_lookup (c->params, key);
  return v ? (float) g_ascii_strtod (v, NULL) : def;
}

static SalAct
param_act (Case * c)
{
  const char *v = g_hash_table_lookup (c->params, "act");
  if (!v || strcmp (v, "none") == 0)
    return SAL_ACT_NONE;
  if (strcmp (v, "relu6") == 0)
    return SAL_ACT_RELU6;
  if (strcmp (v, "sigmoid") == 0)
    return SAL_ACT_SIGMOID;
  if (strcmp (v, "tanh") == 0)
    return SAL_ACT_TANH;
  if (strcmp (v, "relu") == 0)
    return SAL_ACT_RELU;
  return (SalAct) 99;           /* to test the error */
}

static gboolean
op_conv (Case * c, GError ** error)
{
  SalTensor *x, *out, *res = NULL;
  Array *w, *b = NULL;
  SalConv *conv;
  int groups = param_int (c, "groups", 1), oh, ow;
  const char *mode = g_hash_table_lookup (c->params, "pad_mode");
  gboolean ok;

  if (!(x = input_tensor (c, "x", error)) || !(w = input (c, "w", error)))
    return FALSE;
  if (has_input (c, "b") && !(b = input (c, "b", error)))
    return FALSE;
  if (has_input (c, "res") && !(res = input_tensor (c, "res", error)))
    return FALSE;
  conv = sal_conv_new (c->rt, w->shape[1] * groups, w->shape[0],
      w->shape[2], param_int (c, "stride", 1), param_int (c, "pad", 0),
      groups, mode && strcmp (mode, "replicate") == 0 ? SAL_PAD_REPLICATE :
      SAL_PAD_ZERO, param_act (c), w->data, b ? b->data : NULL, error);
  if (!conv)
    return FALSE;
  sal_conv_out_size (conv, x->h, x->w, &oh, &ow);
  out = new_tensor (c, conv->cout, MAX (oh, 1), MAX (ow, 1), error);
  ok = out != NULL;
  if (ok && res && param_int (c, "res_inplace", 0)) {
    /* The residual's buffer is the output's. */
    ok = sal_tensor_copy (c->rt, res, out, error);
    res = out;
  }
  ok = ok && sal_conv_run (c->l, conv, x, out, res, error)
      && output_tensor (c, "out", out, error);
  sal_conv_free (conv);
  return ok;
}

static gboolean
op_fold_bn (Case * c, GError ** error)
{
  Array *w, *b, *g, *be, *m, *v, *s = NULL;
  const char *eps = g_hash_table_lookup (c->params, "eps");

  if (!(w = input (c, "w", error)) || !(b = input (c, "b", error))
      || !(g = input (c, "gamma", error)) || !(be = input (c, "beta", error))
      || !(m = input (c, "mean", error)) || !(v = input (c, "var", error)))
    return FALSE;
  if (has_input (c, "scale") && !(s = input (c, "scale", error)))
    return FALSE;
  sal_fold_batchnorm (w->data, b->data, w->shape[0],
      (int) (array_size (w) / w->shape[0]), g->data, be->data, m->data,
      v->data, eps ? (float) g_ascii_strtod (eps, NULL) : 1e-5f,
      s ? s->data : NULL);
  return output_array (c, "out_w", w, error)
      && output_array (c, "out_b", b, error);
}

static gboolean
op_resize (Case * c, gboolean bilinear, GError ** error)
{
  SalTensor *x, *out;

  if (!(x = input_tensor (c, "x", error))
      || !(out = new_tensor (c, x->c, param_int (c, "oh", 1),
              param_int (c, "ow", 1), error)))
    return FALSE;
  return (bilinear ? sal_resize_bilinear (c->l, x, out, error) :
      sal_resize_nearest (c->l, x, out, error))
      && output_tensor (c, "out", out, error);
}

static gboolean
op_subsample2 (Case * c, GError ** error)
{
  SalTensor *x, *out;

  if (!(x = input_tensor (c, "x", error))
      || !(out = new_tensor (c, x->c, (x->h + 1) / 2, (x->w + 1) / 2,
              error)))
    return FALSE;
  return sal_subsample2 (c->l, x, out, error)
      && output_tensor (c, "out", out, error);
}

static gboolean
op_concat (Case * c, GError ** error)
{
  SalTensor *a, *b, *out;

  if (!(a = input_tensor (c, "a", error)) || !(b = input_tensor (c, "b",
              error)) || !(out = new_tensor (c, a->c + b->c, a->h, a->w,
              error)))
    return FALSE;
  return sal_concat (c->l, a, b, out, error)
      && output_tensor (c, "out", out, error);
}

static gboolean
op_binary (Case * c, gboolean add, GError ** error)
{
  SalTensor *a, *b, *out;

  if (!(a = input_tensor (c, "a", error)) || !(b = input_tensor (c, "b",
              error)))
    return FALSE;
  out = param_int (c, "inplace", 0) ? a :
      new_tensor (c, a->c, a->h, a->w, error);
  if (!out)
    return FALSE;
  return (add ? sal_add (c->l, a, b, out, error) :
      sal_mul (c->l, a, b, out, error))
      && output_tensor (c, "out", out, error);
}

static gboolean
op_activate (Case * c, GError ** error)
{
  SalTensor *x;

  if (!(x = input_tensor (c, "x", error)))
    return FALSE;
  return sal_activate (c->l, x, param_act (c), error)
      && output_tensor (c, "out", x, error);
}

static gboolean
op_log (Case * c, GError ** error)
{
  SalTensor *x, *out;

  if (!(x = input_tensor (c, "x", error)))
    return FALSE;
  out = param_int (c, "inplace", 0) ? x :
      new_tensor (c, x->c, x->h, x->w, error);
  if (!out)
    return FALSE;
  return sal_log (c->l, x, out, param_float (c, "eps", 0.0f), error)
      && output_tensor (c, "out", out, error);
}

static gboolean
op_gru (Case * c, GError ** error)
{
  const char *names[] = { "rx", "rh", "zx", "zh", "hx", "hh", "h" };
  SalTensor *t[7], *out;

  for (int i = 0; i < 7; i++)
    if (!(t[i] = input_tensor (c, names[i], error)))
      return FALSE;
  out = param_int (c, "inplace", 0) ? t[6] :
      new_tensor (c, t[6]->c, t[6]->h, t[6]->w, error);
  if (!out)
    return FALSE;
  return sal_gru_update (c->l, t[0], t[1], t[2], t[3], t[4], t[5], t[6],
      out, error)
      && output_tensor (c, "out", out, error);
}

static gboolean
op_log_softmax (Case * c, GError ** error)
{
  SalTensor *x, *out;

  if (!(x = input_tensor (c, "x", error))
      || !(out = new_tensor (c, x->c, x->h, x->w, error)))
    return FALSE;
  return sal_log_softmax (c->l, x, out, error)
      && output_tensor (c, "out", out, error);
}

static gboolean
op_priors (Case * c, GError ** error)
{
  Array *p = input (c, "params", error);
  Array out = { 3 };
  gboolean ok;

  if (!p)
    return FALSE;
  out.shape[0] = p->shape[0];
  out.shape[1] = param_int (c, "h", 1);
  out.shape[2] = param_int (c, "w", 1);
  out.data = g_new (float, array_size (&out));
  sal_gaussian_priors (p->data, p->shape[0], out.shape[1], out.shape[2],
      out.data);
  ok = output_array (c, "out", &out, error);
  g_free (out.data);
  return ok;
}

/* A device volume from DIR/<name>.npy, [t, c, h, w]. */
static gboolean
input_vol (Case * c, const char *name, SalVol * v, GError ** error)
{
  Array *a = input (c, name, error);
  SalTensor *t;

  if (!a)
    return FALSE;
  if (a->ndim != 4) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s must have 4 dimensions", name);
    return FALSE;
  }
  t = new_tensor (c, a->shape[0] * a->shape[1], a->shape[2], a->shape[3],
      error);
  if (!t || !sal_tensor_upload (c->rt, t, a->data, error))
    return FALSE;
  *v = (SalVol) {
  t->buf, a->shape[0], a->shape[1], a->shape[2], a->shape[3]};
  return TRUE;
}

/* A new device volume (as a tensor of t * c planes, for output_tensor). */
static SalTensor *
new_vol (Case * c, int t, int ch, int h, int w, SalVol * v, GError ** error)
{
  SalTensor *x = new_tensor (c, MAX (t * ch, 1), MAX (h, 1), MAX (w, 1),
      error);

  if (x)
    *v = (SalVol) {
    x->buf, t, ch, h, w};
  return x;
}

static void
param_3 (Case * c, const char *prefix, int def, int v[3])
{
  static const char axes[3] = { 't', 'h', 'w' };

  for (int i = 0; i < 3; i++) {
    char key[8] = { prefix[0], axes[i], 0 };
    v[i] = param_int (c, key, def);
  }
}

static gboolean
op_conv3d (Case * c, GError ** error)
{
  SalVol x, x2, out;
  SalTensor *o;
  Array *w, *b = NULL;
  SalConv3d *conv;
  int k[3], s[3], p[3], os[3], groups = param_int (c, "groups", 1);
  gboolean two = has_input (c, "x2"), ok;

  if (!input_vol (c, "x", &x, error) || (two
          && !input_vol (c, "x2", &x2, error))
      || !(w = input (c, "w", error)))
    return FALSE;
  if (has_input (c, "b") && !(b = input (c, "b", error)))
    return FALSE;
  param_3 (c, "k", 1, k);
  param_3 (c, "s", 1, s);
  param_3 (c, "p", 0, p);
  conv = sal_conv3d_new (c->rt, w->shape[1] / k[0] * groups, w->shape[0],
      groups, k, s, p, param_act (c), w->data, b ? b->data : NULL, error);
  if (!conv)
    return FALSE;
  sal_conv3d_out_size (conv, x.t + (two ? x2.t : 0), x.h, x.w, os);
  o = new_vol (c, param_int (c, "out_t", os[0]), param_int (c, "out_c",
          conv->cout), os[1], os[2], &out, error);
  ok = o && sal_tensor_fill (c->rt, o, 0.0f, error)
      && sal_conv3d_run_times (c->l, conv, &x, param_int (c, "head", 0),
      two ? &x2 : NULL, param_int (c, "head2", 0), &out,
      param_int (c, "out_t0", 0),
      param_int (c, "out_c0", 0), param_int (c, "t_first", 0),
      param_int (c, "t_count", os[0]), error)
      && output_tensor (c, "out", o, error);
  sal_conv3d_free (conv);
  return ok;
}

static gboolean
op_maxpool3d (Case * c, GError ** error)
{
  SalVol x, out;
  SalTensor *o;
  int k[3], s[3], p[3], n[3], os[3];

  if (!input_vol (c, "x", &x, error))
    return FALSE;
  param_3 (c, "k", 1, k);
  param_3 (c, "s", 1, s);
  param_3 (c, "p", 0, p);
  n[0] = x.t;
  n[1] = x.h;
  n[2] = x.w;
  for (int i = 0; i < 3; i++)
    os[i] = MAX ((n[i] + 2 * p[i] - k[i]) / s[i] + 1, 1);
  o = new_vol (c, os[0], x.c, os[1], os[2], &out, error);
  return o && sal_maxpool3d (c->l, &x, param_int (c, "head", 0), &out, k,
      s, p, error)
      && output_tensor (c, "out", o, error);
}

static gboolean
op_up2t (Case * c, GError ** error)
{
  SalVol x, out;
  SalTensor *o;

  if (!input_vol (c, "x", &x, error))
    return FALSE;
  o = new_vol (c, x.t, x.c, 2 * x.h, 2 * x.w, &out, error);
  return o && sal_upsample2_hw (c->l, &x, &out, error)
      && output_tensor (c, "out", o, error);
}

static gboolean
run_case (Case * c, const char *op, GError ** error)
{
  if (strcmp (op, "conv3d") == 0)
    return op_conv3d (c, error);
  if (strcmp (op, "maxpool3d") == 0)
    return op_maxpool3d (c, error);
  if (strcmp (op, "up2t") == 0)
    return op_up2t (c, error);
  if (strcmp (op, "conv") == 0)
    return op_conv (c, error);
  if (strcmp (op, "fold_bn") == 0)
    return op_fold_bn (c, error);
  if (strcmp (op, "bilinear") == 0 || strcmp (op, "nearest") == 0)
    return op_resize (c, op[0] == 'b', error);
  if (strcmp (op, "subsample2") == 0)
    return op_subsample2 (c, error);
  if (strcmp (op, "concat") == 0)
    return op_concat (c, error);
  if (strcmp (op, "add") == 0 || strcmp (op, "mul") == 0)
    return op_binary (c, op[0] == 'a', error);
  if (strcmp (op, "activate") == 0)
    return op_activate (c, error);
  if (strcmp (op, "gru") == 0)
    return op_gru (c, error);
  if (strcmp (op, "log") == 0)
    return op_log (c, error);
  if (strcmp (op, "log_softmax") == 0)
    return op_log_softmax (c, error);
  if (strcmp (op, "priors") == 0)
    return op_priors (c, error);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "unknown op %s", op);
  return FALSE;
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  SalRuntime *rt;
  SalLayers *l;
  char *text, **lines;

  if (argc != 2) {
    fprintf (stderr, "usage: %s CASES\n", argv[0]);
    return 2;
  }
  if (!g_file_get_contents (argv[1], &text, NULL, &error)
      || !(rt = sal_runtime_new (g_getenv ("SALIENCY_DEVICE"), &error))) {
    fprintf (stderr, "%s\n", error->message);
    return 2;
  }
  if (!(l = sal_layers_new (rt, &error))) {
    fprintf (stderr, "sal_layers_new: %s\n", error->message);
    return 2;
  }

  lines = g_strsplit (text, "\n", -1);
  for (char **line = lines; *line; line++) {
    char **f = g_strsplit (g_strstrip (*line), " ", -1);
    Case c = { rt, l, f[0] };

    if (!f[0] || !f[0][0] || !f[1]) {
      g_strfreev (f);
      continue;
    }
    c.params = g_hash_table_new (g_str_hash, g_str_equal);
    c.tensors = g_ptr_array_new_with_free_func ((GDestroyNotify)
        sal_tensor_free);
    c.arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) array_free);
    for (int i = 2; f[i]; i++) {
      char *eq = strchr (f[i], '=');
      if (eq) {
        *eq = '\0';
        g_hash_table_insert (c.params, f[i], eq + 1);
      }
    }
    if (!run_case (&c, f[1], &error)) {
      printf ("%s: %s\n", f[0], error->message);
      g_clear_error (&error);
    }
    clFinish (rt->queue);
    g_ptr_array_unref (c.tensors);
    g_ptr_array_unref (c.arrays);
    g_hash_table_unref (c.params);
    g_strfreev (f);
  }
  g_strfreev (lines);
  g_free (text);
  sal_layers_free (l);
  sal_runtime_free (rt);
  return 0;
}
