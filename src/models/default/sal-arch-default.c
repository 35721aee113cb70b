/* "default": our small learned temporal model on top of classic. The
 * classic map S enters in log space; a tiny encoder, a ConvGRU at 1/8 and a
 * U-Net style decoder predict a correction delta, and learned Gaussian
 * priors add a centre bias: logits = log (S + eps) + delta + prior.
 * v3 files also feed the spectral residual R of the frame (the "sr"
 * model's map, on the host) as Lr = log (R + 0.01): a fifth input channel,
 * and w_sr * Lr in the logits.
 * Files with an out_mix tensor then mix the network's map with classic's:
 * logits = log ((1 - b) softmax (logits) + b S / sum S), b per mode.
 * Files with a still_gate tensor mix stills with S once more, after the
 * face cue, with a share that grows with the entropy of the map.
 * docs/default-model-spec.md is the contract with the PyTorch twin
 * (tools/default_model.py); tensor names and shapes are the twin's. */
#include "sal-arch.h"
#include "sal-layers.h"
#include "sr/sal-spectral-residual.h"
#include "faces/sal-face-cue.h"

#include <math.h>
#include <string.h>

#define DEFAULT_LOG_EPS 1e-12f
#define DEFAULT_SR_EPS 1e-2     /* Lr = log (R + eps), R's maximum ~1 */
#define DEFAULT_MOTION_EPS 1e-2 /* Lm = log (A + eps): classic's motion tau */
#define DEFAULT_MAX_PRIORS 64
#define DEFAULT_MAX_WIDTH 1024
#define DEFAULT_MAX_KERNEL 7
#define DEFAULT_CLASSIC_VERSION "1"
#define DEFAULT_MIX_EPS 1e-30   /* log (mix + eps): finite where both are 0 */
#define DEFAULT_MAX_FACE_MIX 16.0f /* a * F moves log p by at most this */
#define DEFAULT_GATE_CENTRE 0.9 /* the still gate's alpha: its logit there */
/* The face search's pictures: above the cascade's window, below absurd. */
#define DEFAULT_MIN_FACE_SIDE 32
#define DEFAULT_MAX_FACE_SIDE 4096

/* The GRU's six 1x1 convs, in sal_gru_update's order. */
enum
{
  GRU_RX, GRU_RH, GRU_ZX, GRU_ZH, GRU_HX, GRU_HH, GRU_N
};

static const char *const gru_names[GRU_N] = {
  "gru_rx", "gru_rh", "gru_zx", "gru_zh", "gru_hx", "gru_hh"
};

struct _SalModel
{
  SalRuntime *rt;
  SalLayers *layers;
  SalModel *classic;            /* the S input, with its own state */
  char *name, *description;

  /* Widths and kernel sizes come from the file's tensor shapes
   * (docs/default-model-spec.md): wc* encoder, hid GRU, wd* decoder. */
  int wc1, wc2, wc3, hid, wd3, wd2, wd1, k_gru, k_dec3, n_priors;
  SalConv *enc1, *enc2_dw, *enc2_pw, *enc3_dw, *enc3_pw;
  SalConv *gru[GRU_N];
  SalConv *dec3, *dec2_dw, *dec2_pw, *dec1, *delta;
  float *priors;                /* [n_priors, 2, 2] */
  float *mix_w, mix_b;          /* [n_priors] */
  gboolean sr;                  /* v3: the spectral residual cue */
  float sr_w;                   /* sr_mix.weight */
  gboolean motion;              /* v4: classic's motion as its own input */
  float out_mix[2];             /* classic's share: still, video mode */
  float face_mix[2];            /* the face cue's weight: still, video */
  float face_side[2];           /* its pictures' long sides (face_side) */
  gboolean gate;                /* a still gate (step 11) */
  float still_gate[2];          /* its alpha, beta */
  SalFaceCue *faces;            /* NULL: no face cue */

  /* Activations for one network size, allocated when it changes: forward
   * allocates nothing. Suffixes: 1 = 1/2, 2 = 1/4, 3 = 1/8. */
  int w, h;
  SalTensor *s, *l, *x0;
  SalTensor *e1, *dw2, *e2, *dw3, *e3;
  SalTensor *branch[GRU_N];
  SalTensor *zeros;             /* h = 0, and its h-branches (no bias) */
  SalTensor *ring;              /* M = 1: the previous frame's h' */
  SalTensor *h_still;           /* h' in still mode, not kept */
  SalTensor *c3, *d3, *u2, *c2, *dw2d, *d2, *u1, *c1, *d1, *dl, *dfull;
  SalTensor *prior;             /* [1, h, w], constant per size */
  gboolean ring_valid;          /* FALSE: the state is zeros */

  /* v3 only: R is computed on the host from the net-size RGB, so the
   * prior tensor holds prior + w_sr * Lr, uploaded each frame. */
  SalTensor *lr, *x0r;
  /* v4 only: Lm, and the six input channels. */
  SalTensor *lm, *x0m;
  float *rgb_host, *prior_host, *lr_host, *prior_frame;
  double *sr_host;
  /* out_mix, the face cue and the gate only: the logits (and S) on the
   * host. */
  float *logit_host, *s_host;
};

static void
free_buffers (SalModel * m)
{
  SalTensor **all[] = { &m->s, &m->l, &m->x0, &m->e1, &m->dw2, &m->e2,
    &m->dw3, &m->e3, &m->zeros, &m->ring, &m->h_still, &m->c3, &m->d3,
    &m->u2, &m->c2, &m->dw2d, &m->d2, &m->u1, &m->c1, &m->d1, &m->dl,
    &m->dfull, &m->prior, &m->lr, &m->x0r, &m->lm, &m->x0m
  };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_clear_pointer (all[i], sal_tensor_free);
  g_clear_pointer (&m->rgb_host, g_free);
  g_clear_pointer (&m->prior_host, g_free);
  g_clear_pointer (&m->lr_host, g_free);
  g_clear_pointer (&m->prior_frame, g_free);
  g_clear_pointer (&m->sr_host, g_free);
  g_clear_pointer (&m->logit_host, g_free);
  g_clear_pointer (&m->s_host, g_free);
  for (int i = 0; i < GRU_N; i++)
    g_clear_pointer (&m->branch[i], sal_tensor_free);
  m->w = m->h = 0;
  m->ring_valid = FALSE;
}

/* The constant prior map: the Gaussians at h x w mixed by the 1x1 conv. */
static gboolean
upload_prior (SalModel * m, GError ** error)
{
  gsize n = (gsize) m->w * m->h;
  float *maps = g_new (float, m->n_priors * n);
  float *prior = g_new (float, n);
  gboolean ok;

  sal_gaussian_priors (m->priors, m->n_priors, m->h, m->w, maps);
  for (gsize p = 0; p < n; p++) {
    float v = m->mix_b;

    for (int k = 0; k < m->n_priors; k++)
      v += m->mix_w[k] * maps[k * n + p];
    prior[p] = v;
  }
  ok = sal_tensor_upload (m->rt, m->prior, prior, error);
  g_free (maps);
  if (m->sr)
    m->prior_host = prior;
  else
    g_free (prior);
  return ok;
}

/* All activations for a w x h network. Sizes halve as (n + 1) / 2, the
 * output size of the stride-2 convs, so odd sizes need nothing special. */
static gboolean
ensure_buffers (SalModel * m, int w, int h, GError ** error)
{
  SalRuntime *rt = m->rt;
  int h1, w1, h2, w2, h3, w3;
  gboolean ok;

  if (m->s && m->w == w && m->h == h)
    return TRUE;

  free_buffers (m);
  sal_conv_out_size (m->enc1, h, w, &h1, &w1);
  sal_conv_out_size (m->enc2_dw, h1, w1, &h2, &w2);
  sal_conv_out_size (m->enc3_dw, h2, w2, &h3, &w3);
  ok = (m->s = sal_tensor_new (rt, 1, h, w, error))
      && (m->l = sal_tensor_new (rt, 1, h, w, error))
      && (m->x0 = sal_tensor_new (rt, 4, h, w, error))
      && (m->e1 = sal_tensor_new (rt, m->wc1, h1, w1, error))
      && (m->dw2 = sal_tensor_new (rt, m->wc1, h2, w2, error))
      && (m->e2 = sal_tensor_new (rt, m->wc2, h2, w2, error))
      && (m->dw3 = sal_tensor_new (rt, m->wc2, h3, w3, error))
      && (m->e3 = sal_tensor_new (rt, m->wc3, h3, w3, error))
      && (m->zeros = sal_tensor_new (rt, m->hid, h3, w3, error))
      && (m->ring = sal_tensor_new (rt, m->hid, h3, w3, error))
      && (m->h_still = sal_tensor_new (rt, m->hid, h3, w3, error))
      && (m->c3 = sal_tensor_new (rt, m->wc3 + m->hid, h3, w3, error))
      && (m->d3 = sal_tensor_new (rt, m->wd3, h3, w3, error))
      && (m->u2 = sal_tensor_new (rt, m->wd3, h2, w2, error))
      && (m->c2 = sal_tensor_new (rt, m->wd3 + m->wc2, h2, w2, error))
      && (m->dw2d = sal_tensor_new (rt, m->wd3 + m->wc2, h2, w2, error))
      && (m->d2 = sal_tensor_new (rt, m->wd2, h2, w2, error))
      && (m->u1 = sal_tensor_new (rt, m->wd2, h1, w1, error))
      && (m->c1 = sal_tensor_new (rt, m->wd2 + m->wc1, h1, w1, error))
      && (m->d1 = sal_tensor_new (rt, m->wd1, h1, w1, error))
      && (m->dl = sal_tensor_new (rt, 1, h1, w1, error))
      && (m->dfull = sal_tensor_new (rt, 1, h, w, error))
      && (m->prior = sal_tensor_new (rt, 1, h, w, error));
  for (int i = 0; ok && i < GRU_N; i++)
    ok = (m->branch[i] = sal_tensor_new (rt, m->hid, h3, w3, error)) != NULL;
  if (ok && m->sr) {
    ok = (m->lr = sal_tensor_new (rt, 1, h, w, error))
        && (m->x0r = sal_tensor_new (rt, 5, h, w, error));
    m->rgb_host = g_new (float, 3 * (gsize) w * h);
    m->lr_host = g_new (float, (gsize) w * h);
    m->prior_frame = g_new (float, (gsize) w * h);
    m->sr_host = g_new (double, (gsize) w * h);
  }
  if (ok && (m->out_mix[0] > 0 || m->out_mix[1] > 0 || m->faces
          || m->gate)) {
    m->logit_host = g_new (float, (gsize) w * h);
    m->s_host = g_new (float, (gsize) w * h);
  }
  if (ok && m->motion)
    ok = (m->lm = sal_tensor_new (rt, 1, h, w, error))
        && (m->x0m = sal_tensor_new (rt, 6, h, w, error));
  m->w = w;
  m->h = h;
  ok = ok && sal_tensor_fill (rt, m->zeros, 0.0f, error)
      && upload_prior (m, error);
  if (!ok) {
    free_buffers (m);
    return FALSE;
  }
  return TRUE;
}

static void
default_free (SalModel * m)
{
  if (!m)
    return;
  free_buffers (m);
  if (m->classic)
    sal_arch_classic.free (m->classic);
  g_clear_pointer (&m->faces, sal_face_cue_free);
  g_clear_pointer (&m->enc1, sal_conv_free);
  g_clear_pointer (&m->enc2_dw, sal_conv_free);
  g_clear_pointer (&m->enc2_pw, sal_conv_free);
  g_clear_pointer (&m->enc3_dw, sal_conv_free);
  g_clear_pointer (&m->enc3_pw, sal_conv_free);
  for (int i = 0; i < GRU_N; i++)
    g_clear_pointer (&m->gru[i], sal_conv_free);
  g_clear_pointer (&m->dec3, sal_conv_free);
  g_clear_pointer (&m->dec2_dw, sal_conv_free);
  g_clear_pointer (&m->dec2_pw, sal_conv_free);
  g_clear_pointer (&m->dec1, sal_conv_free);
  g_clear_pointer (&m->delta, sal_conv_free);
  g_clear_pointer (&m->layers, sal_layers_free);
  g_free (m->priors);
  g_free (m->mix_w);
  g_free (m->name);
  g_free (m->description);
  g_free (m);
}

/* A host copy of tensor name with exactly this shape and finite values: a
 * NaN or infinity would silently turn every map into NaNs. */
static float *
read_tensor (SalModelFile * f, const char *name, int ndim,
    const gint64 * shape, GError ** error)
{
  float *v = sal_model_file_read (f, name, ndim, shape, error);
  gsize n = 1;

  if (!v)
    return NULL;
  for (int i = 0; i < ndim; i++)
    n *= shape[i];
  for (gsize i = 0; i < n; i++)
    if (!isfinite (v[i])) {
      g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
          "%s: tensor \"%s\" holds %g at index %" G_GSIZE_FORMAT ": the "
          "weights must be finite; the file is corrupt, export it again "
          "with tools/train_default.py", sal_model_file_get_name (f), name,
          v[i], i);
      g_free (v);
      return NULL;
    }
  return v;
}

/* <name>.weight [cout, cin or 1, k, k] and, with has_bias, <name>.bias. */
static SalConv *
load_conv (SalModel * m, SalModelFile * f, const char *name, int cin,
    int cout, int k, int stride, gboolean depthwise, gboolean has_bias,
    SalAct act, GError ** error)
{
  gint64 wshape[4] = { cout, depthwise ? 1 : cin, k, k };
  gint64 bshape[1] = { cout };
  char *wname = g_strdup_printf ("%s.weight", name);
  char *bname = g_strdup_printf ("%s.bias", name);
  float *weight, *bias = NULL;
  SalConv *c = NULL;

  weight = read_tensor (f, wname, 4, wshape, error);
  if (weight && (!has_bias || (bias = read_tensor (f, bname, 1, bshape,
                  error))))
    c = sal_conv_new (m->rt, cin, cout, k, stride, k / 2,
        depthwise ? cin : 1, SAL_PAD_ZERO, act, weight, bias, error);
  g_free (weight);
  g_free (bias);
  g_free (wname);
  g_free (bname);
  return c;
}

/* Dimension axis of tensor name, which must exist with ndim dimensions,
 * into *value, checked to lie in [1, max]. */
static gboolean
tensor_dim (SalModelFile * f, const char *name, int ndim, int axis, int max,
    int *value, GError ** error)
{
  const SalModelTensor *t = sal_model_file_lookup (f, name);

  if (!t || t->ndim != ndim || t->shape[axis] < 1 || t->shape[axis] > max) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
        "%s: tensor \"%s\" is %s: a default model needs it with %d "
        "dimensions, and 1 to %d in dimension %d; export the model with "
        "tools/train_default.py", sal_model_file_get_name (f), name,
        t ? "misshapen" : "missing", ndim, max, axis);
    return FALSE;
  }
  *value = (int) t->shape[axis];
  return TRUE;
}

/* The widths and kernel sizes, from the tensors that define them; every
 * other tensor's shape follows and is checked when it is read. */
static gboolean
read_widths (SalModel * m, SalModelFile * f, GError ** error)
{
  const int mw = DEFAULT_MAX_WIDTH;

  int cin;

  if (!tensor_dim (f, "enc1.weight", 4, 0, mw, &m->wc1, error)
      || !tensor_dim (f, "enc1.weight", 4, 1, 6, &cin, error)
      || !tensor_dim (f, "enc2_pw.weight", 4, 0, mw, &m->wc2, error)
      || !tensor_dim (f, "enc3_pw.weight", 4, 0, mw, &m->wc3, error)
      || !tensor_dim (f, "gru_rx.weight", 4, 0, mw, &m->hid, error)
      || !tensor_dim (f, "gru_rx.weight", 4, 3, DEFAULT_MAX_KERNEL,
          &m->k_gru, error)
      || !tensor_dim (f, "dec3.weight", 4, 0, mw, &m->wd3, error)
      || !tensor_dim (f, "dec3.weight", 4, 3, DEFAULT_MAX_KERNEL,
          &m->k_dec3, error)
      || !tensor_dim (f, "dec2_pw.weight", 4, 0, mw, &m->wd2, error)
      || !tensor_dim (f, "dec1.weight", 4, 0, mw, &m->wd1, error)
      || !tensor_dim (f, "priors", 3, 0, DEFAULT_MAX_PRIORS, &m->n_priors,
          error))
    return FALSE;
  /* RGB and L (v2); and Lr (v3); and Lm (v4). */
  if (cin < 4) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
        "%s: enc1 takes %d input channels: a default model takes 4 (v2), "
        "5 (v3) or 6 (v4); export the model with tools/train_default.py",
        sal_model_file_get_name (f), cin);
    return FALSE;
  }
  m->sr = cin >= 5;
  m->motion = cin == 6;
  /* Same-size convs need an odd kernel (padding k / 2). */
  if (m->k_gru % 2 == 0 || m->k_dec3 % 2 == 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
        "%s: gru_rx and dec3 have kernels %d and %d: they must be odd; "
        "export the model with tools/train_default.py",
        sal_model_file_get_name (f), m->k_gru, m->k_dec3);
    return FALSE;
  }
  return TRUE;
}

/* An optional per-mode pair [2] (still, video) in [0, max] (max excluded
 * when open), left at zeros when absent: out_mix (classic's share, [0, 1))
 * and face_mix (the face cue's weight, [0, 16]). */
static gboolean
read_mode_pair (SalModelFile * f, const char *name, float max,
    gboolean open, const char *meaning, float out[2], GError ** error)
{
  gint64 shape[1] = { 2 };
  float *v;

  if (!sal_model_file_lookup (f, name))
    return TRUE;
  if (!(v = read_tensor (f, name, 1, shape, error)))
    return FALSE;
  for (int i = 0; i < 2; i++)
    if (!(v[i] >= 0.0f && (open ? v[i] < max : v[i] <= max))) {
      g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
          "%s: %s[%d] is %g: %s must lie in [0, %g%c; export the model "
          "again with tools/train_default.py", sal_model_file_get_name (f),
          name, i, v[i], meaning, max, open ? ')' : ']');
      g_free (v);
      return FALSE;
    }
  memcpy (out, v, 2 * sizeof (float));
  g_free (v);
  return TRUE;
}

/* face_side: whole pixels in [DEFAULT_MIN_FACE_SIDE, DEFAULT_MAX_FACE_SIDE];
 * v7's sides when absent. */
static gboolean
read_face_side (SalModelFile * f, float side[2], GError ** error)
{
  side[0] = SAL_FACE_SIDE_STILL;
  side[1] = SAL_FACE_SIDE_VIDEO;
  if (!read_mode_pair (f, "face_side", DEFAULT_MAX_FACE_SIDE, FALSE,
          "the face search's long side", side, error))
    return FALSE;
  for (int i = 0; i < 2; i++)
    if (side[i] < DEFAULT_MIN_FACE_SIDE || side[i] != floorf (side[i])) {
      g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
          "%s: face_side[%d] is %g: the face search's long side must be a "
          "whole number of pixels from %d to %d; export the model again "
          "with tools/fit_face_mix.py", sal_model_file_get_name (f), i,
          side[i], DEFAULT_MIN_FACE_SIDE, DEFAULT_MAX_FACE_SIDE);
      return FALSE;
    }
  return TRUE;
}

/* still_gate: optional (alpha, beta), beta >= 0: flatter maps get more of
 * classic's, never less. */
static gboolean
read_still_gate (SalModel * m, SalModelFile * f, GError ** error)
{
  gint64 shape[1] = { 2 };
  float *v;

  if (!sal_model_file_lookup (f, "still_gate"))
    return TRUE;
  if (!(v = read_tensor (f, "still_gate", 1, shape, error)))
    return FALSE;
  if (!(v[1] >= 0.0f)) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
        "%s: still_gate[1] is %g: the still gate's slope must be >= 0; "
        "export the model again with tools/fit_still_gate.py",
        sal_model_file_get_name (f), v[1]);
    g_free (v);
    return FALSE;
  }
  memcpy (m->still_gate, v, 2 * sizeof (float));
  m->gate = TRUE;
  g_free (v);
  return TRUE;
}

static gboolean
load_weights (SalModel * m, SalModelFile * f, GError ** error)
{
  const SalAct r6 = SAL_ACT_RELU6, none = SAL_ACT_NONE;
  gint64 pshape[3] = { 0, 2, 2 };
  gint64 mwshape[4] = { 1, 0, 1, 1 }, mbshape[1] = { 1 };
  gint64 srshape[4] = { 1, 1, 1, 1 };
  float *mb = NULL, *srw = NULL;
  gboolean ok;

  if (!read_widths (m, f, error))
    return FALSE;
  pshape[0] = mwshape[1] = m->n_priors;
  ok = (m->enc1 = load_conv (m, f, "enc1", 4 + m->sr + m->motion, m->wc1,
          3, 2, FALSE, TRUE, r6, error))
      && (m->enc2_dw = load_conv (m, f, "enc2_dw", m->wc1, m->wc1, 3, 2, TRUE,
          TRUE, r6, error))
      && (m->enc2_pw = load_conv (m, f, "enc2_pw", m->wc1, m->wc2, 1, 1, FALSE,
          TRUE, r6, error))
      && (m->enc3_dw = load_conv (m, f, "enc3_dw", m->wc2, m->wc2, 3, 2, TRUE,
          TRUE, r6, error))
      && (m->enc3_pw = load_conv (m, f, "enc3_pw", m->wc2, m->wc3, 1, 1, FALSE,
          TRUE, r6, error));
  /* x-gates c3 -> hid with biases; h-gates hid -> hid without. */
  for (int i = 0; ok && i < GRU_N; i++) {
    gboolean x = i % 2 == 0;

    ok = (m->gru[i] = load_conv (m, f, gru_names[i], x ? m->wc3 : m->hid,
            m->hid, m->k_gru, 1, FALSE, x, none, error)) != NULL;
  }
  ok = ok
      && (m->dec3 = load_conv (m, f, "dec3", m->wc3 + m->hid, m->wd3,
          m->k_dec3, 1, FALSE, TRUE, r6, error))
      && (m->dec2_dw = load_conv (m, f, "dec2_dw", m->wd3 + m->wc2,
          m->wd3 + m->wc2, 3, 1, TRUE, TRUE, r6, error))
      && (m->dec2_pw = load_conv (m, f, "dec2_pw", m->wd3 + m->wc2, m->wd2, 1,
          1, FALSE, TRUE, r6, error))
      && (m->dec1 = load_conv (m, f, "dec1", m->wd2 + m->wc1, m->wd1, 1, 1,
          FALSE, TRUE, r6, error))
      && (m->delta = load_conv (m, f, "delta", m->wd1, 1, 1, 1, FALSE, TRUE,
          none, error))
      && (m->priors = read_tensor (f, "priors", 3, pshape, error))
      && (m->mix_w = read_tensor (f, "prior_mix.weight", 4, mwshape, error))
      && (mb = read_tensor (f, "prior_mix.bias", 1, mbshape, error));
  if (ok)
    m->mix_b = mb[0];
  if (ok && m->sr && (ok = (srw = read_tensor (f, "sr_mix.weight", 4,
                  srshape, error)) != NULL))
    m->sr_w = srw[0];
  g_free (mb);
  g_free (srw);
  return ok
      && read_mode_pair (f, "out_mix", 1.0f, TRUE, "classic's share",
      m->out_mix, error)
      && read_mode_pair (f, "face_mix", DEFAULT_MAX_FACE_MIX, FALSE,
      "the face cue's weight", m->face_mix, error)
      && read_face_side (f, m->face_side, error)
      && read_still_gate (m, f, error);
}

static SalModel *
default_create (SalRuntime * rt, const SalEngineOptions * opts,
    SalModelFile * file, SalModelInfo * info, float mean[3], float std[3],
    GError ** error)
{
  SalModelInfo classic_info = { 0 };
  const char *arch, *cv;
  SalModel *m;

  if (!file) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL,
        "default needs a model file: use the built-in \"default\" model or "
        "a .safetensors file exported by tools/train_default.py");
    return NULL;
  }
  arch = sal_model_file_get_meta (file, "architecture");
  if (!arch || g_ascii_strcasecmp (arch, "default") != 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL,
        "%s: architecture is \"%s\", not \"default\"; export default "
        "models with tools/train_default.py",
        sal_model_file_get_name (file), arch ? arch : "(none)");
    return NULL;
  }
  /* The weights were trained on one version of classic's map. */
  cv = sal_model_file_get_meta (file, "classic_version");
  if (cv && g_strcmp0 (cv, DEFAULT_CLASSIC_VERSION) != 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL,
        "%s: trained on classic version \"%s\", but this build has "
        "version \"" DEFAULT_CLASSIC_VERSION "\"; retrain it with "
        "tools/train_default.py", sal_model_file_get_name (file), cv);
    return NULL;
  }
  if (opts->domain || opts->net_width || opts->net_height || opts->modulo) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "the default model takes no domain, net size or modulo: its size "
        "follows the frame (longer side 128) and it keeps one hidden "
        "state; drop those options");
    return NULL;
  }

  m = g_new0 (SalModel, 1);
  m->rt = rt;
  m->name = g_strdup (sal_model_file_get_name (file));
  m->layers = sal_layers_new (rt, error);
  if (!m->layers || !load_weights (m, file, error))
    goto fail;
  if (m->face_mix[0] > 0 || m->face_mix[1] > 0) {
    int side[2] = { (int) m->face_side[0], (int) m->face_side[1] };

    if (!(m->faces = sal_face_cue_new (m->face_mix, side, error)))
      goto fail;
  }
  /* classic sets the normalisation (none: RGB in [0, 1]) the spec uses. */
  m->classic = sal_arch_classic.create (rt, opts, NULL, &classic_info, mean,
      std, error);
  if (!m->classic)
    goto fail;

  info->name = m->name;
  info->architecture = "default";
  m->description = g_strconcat ("default: classic", m->motion ?
      ", its motion and the spectral residual" : m->sr ?
      " and spectral residual" : "", " in log space, corrected by a small "
      "encoder, ConvGRU and decoder, plus learned centre priors",
      m->faces ? ", raised where a face detector finds faces" : "",
      m->gate ? "; on stills, the flatter the map, the more of classic's" :
      "", NULL);
  info->description = m->description;
  info->net_width = classic_info.net_width;
  info->net_height = classic_info.net_height;
  info->ring_length = 1;
  info->temporal = TRUE;
  return m;

fail:
  default_free (m);
  return NULL;
}

static void
default_choose_size (SalModel * m, int frame_w, int frame_h, int *net_w,
    int *net_h)
{
  sal_arch_classic.choose_size (m->classic, frame_w, frame_h, net_w, net_h);
  /* Errors surface from forward, which retries. */
  ensure_buffers (m, *net_w, *net_h, NULL);
}

/* e3 and the state -> h' in out. Without a state (after a reset, or in
 * still mode) h = 0, and so are its bias-free branches: no h convs run. */
static gboolean
gru (SalModel * m, const SalTensor * h, SalTensor * out, GError ** error)
{
  SalLayers *l = m->layers;
  SalTensor **b = m->branch;

  for (int i = GRU_RX; i < GRU_N; i += 2)
    if (!sal_conv_run (l, m->gru[i], m->e3, b[i], NULL, error))
      return FALSE;
  if (h == m->zeros)
    return sal_gru_update (l, b[GRU_RX], m->zeros, b[GRU_ZX], m->zeros,
        b[GRU_HX], m->zeros, m->zeros, out, error);
  for (int i = GRU_RH; i < GRU_N; i += 2)
    if (!sal_conv_run (l, m->gru[i], h, b[i], NULL, error))
      return FALSE;
  return sal_gru_update (l, b[GRU_RX], b[GRU_RH], b[GRU_ZX], b[GRU_ZH],
      b[GRU_HX], b[GRU_HH], h, out, error);
}

/* v3: Lr of the frame into m->lr, and prior + w_sr * Lr into m->prior. R
 * needs the whole 64 x 64 spectrum, which the host computes faster than a
 * few kernel launches would (src/models/sr/). */
static gboolean
sr_cue (SalModel * m, const SalTensor * rgb, GError ** error)
{
  gsize n = (gsize) m->w * m->h;

  if (!sal_tensor_download (m->rt, rgb, m->rgb_host, error))
    return FALSE;
  sal_spectral_residual (m->rgb_host, m->w, m->h, m->sr_host);
  for (gsize i = 0; i < n; i++) {
    m->lr_host[i] = (float) log (m->sr_host[i] + DEFAULT_SR_EPS);
    m->prior_frame[i] = m->prior_host[i] + m->sr_w * m->lr_host[i];
  }
  return sal_tensor_upload (m->rt, m->lr, m->lr_host, error)
      && sal_tensor_upload (m->rt, m->prior, m->prior_frame, error);
}

/* out = log ((1 - b) softmax (out) + b S / sum S + eps), in place, with b
 * the mode's share (step 9) or, given a gate (alpha, beta), the share that
 * the normalised entropy Hn of softmax (out) gives: sigmoid (alpha + beta
 * (Hn - 0.9)) (step 11). On the host: the net-size map is small, and the
 * twin's order of operations is kept (docs/default-model-spec.md). */
static gboolean
mix_output (SalModel * m, SalTensor * out, double b, const float *gate,
    GError ** error)
{
  gsize n = (gsize) m->w * m->h;
  double top = -INFINITY, sum_e = 0.0, sum_s = 0.0;

  if (!sal_tensor_download (m->rt, out, m->logit_host, error)
      || !sal_tensor_download (m->rt, m->s, m->s_host, error))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    top = MAX (top, m->logit_host[i]);
  for (gsize i = 0; i < n; i++) {
    sum_e += exp (m->logit_host[i] - top);
    sum_s += m->s_host[i];
  }
  if (gate) {
    double log_z = top + log (sum_e), h = 0.0;

    for (gsize i = 0; i < n; i++) {
      double lp = m->logit_host[i] - log_z, p = exp (lp);

      h -= p > 0.0 ? p * lp : 0.0;
    }
    /* A 1-pixel map counts as flat. */
    h = n > 1 ? h / log ((double) n) : 1.0;
    b = 1.0 / (1.0 + exp (-(gate[0] + gate[1] * (h - DEFAULT_GATE_CENTRE))));
  }
  for (gsize i = 0; i < n; i++) {
    double p = exp (m->logit_host[i] - top) / sum_e;
    /* S is a density (> 0); a flat one stands in should it ever be 0. */
    double q = sum_s > 0.0 ? m->s_host[i] / sum_s : 1.0 / n;

    m->logit_host[i] = (float) log ((1.0 - b) * p + b * q + DEFAULT_MIX_EPS);
  }
  return sal_tensor_upload (m->rt, out, m->logit_host, error);
}

/* out += a F, the face cue (step 10), on the host like the mixture. */
static gboolean
add_faces (SalModel * m, SalTensor * out, gboolean still, GError ** error)
{
  if (!sal_face_cue_active (m->faces, still))
    return TRUE;
  return sal_tensor_download (m->rt, out, m->logit_host, error)
      && (!sal_face_cue_add (m->faces, m->logit_host, m->w, m->h, still)
      || sal_tensor_upload (m->rt, out, m->logit_host, error));
}

static gboolean
default_see_frame (SalModel * m, const SalFrame * frame, gboolean still,
    GError ** error)
{
  if (m->faces)
    sal_face_cue_see (m->faces, frame, still);
  return TRUE;
}

static gboolean
default_forward (SalModel * m, const SalTensor * rgb, SalTensor * out,
    gboolean still, GError ** error)
{
  SalLayers *l = m->layers;
  const SalTensor *h;
  SalTensor *h_new;
  float mix = m->out_mix[still ? 0 : 1];

  if (rgb->c != 3 || out->c != 1 || out->w != rgb->w || out->h != rgb->h) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "default: input %dx%dx%d and output %dx%dx%d do not match", rgb->c,
        rgb->h, rgb->w, out->c, out->h, out->w);
    return FALSE;
  }
  if (!ensure_buffers (m, rgb->w, rgb->h, error))
    return FALSE;

  /* The GRU updates the ring in place (M = 1); still mode keeps nothing. */
  h = still || !m->ring_valid ? m->zeros : m->ring;
  h_new = still ? m->h_still : m->ring;

  if (!sal_arch_classic.forward (m->classic, rgb, m->s, still, error)
      || !sal_log (l, m->s, m->l, DEFAULT_LOG_EPS, error)
      || !sal_concat (l, rgb, m->l, m->x0, error)
      || (m->sr && (!sr_cue (m, rgb, error)
              || !sal_concat (l, m->x0, m->lr, m->x0r, error)))
      || (m->motion && (!sal_classic_motion (m->classic, m->lm, error)
              || !sal_log (l, m->lm, m->lm, DEFAULT_MOTION_EPS, error)
              || !sal_concat (l, m->x0r, m->lm, m->x0m, error)))
      /* Encoder. */
      || !sal_conv_run (l, m->enc1, m->motion ? m->x0m : m->sr ? m->x0r :
          m->x0, m->e1, NULL, error)
      || !sal_conv_run (l, m->enc2_dw, m->e1, m->dw2, NULL, error)
      || !sal_conv_run (l, m->enc2_pw, m->dw2, m->e2, NULL, error)
      || !sal_conv_run (l, m->enc3_dw, m->e2, m->dw3, NULL, error)
      || !sal_conv_run (l, m->enc3_pw, m->dw3, m->e3, NULL, error)
      || !gru (m, h, h_new, error)
      /* Decoder: upsampling to the exact skip sizes. */
      || !sal_concat (l, m->e3, h_new, m->c3, error)
      || !sal_conv_run (l, m->dec3, m->c3, m->d3, NULL, error)
      || !sal_resize_bilinear (l, m->d3, m->u2, error)
      || !sal_concat (l, m->u2, m->e2, m->c2, error)
      || !sal_conv_run (l, m->dec2_dw, m->c2, m->dw2d, NULL, error)
      || !sal_conv_run (l, m->dec2_pw, m->dw2d, m->d2, NULL, error)
      || !sal_resize_bilinear (l, m->d2, m->u1, error)
      || !sal_concat (l, m->u1, m->e1, m->c1, error)
      || !sal_conv_run (l, m->dec1, m->c1, m->d1, NULL, error)
      || !sal_conv_run (l, m->delta, m->d1, m->dl, NULL, error)
      || !sal_resize_bilinear (l, m->dl, m->dfull, error)
      /* logits = L + delta + prior (v3: + w_sr Lr), in the twin's order. */
      || !sal_add (l, m->l, m->dfull, out, error)
      || !sal_add (l, out, m->prior, out, error))
    return FALSE;
  if (mix > 0 && !mix_output (m, out, mix, NULL, error))
    return FALSE;
  if (m->faces && !add_faces (m, out, still, error))
    return FALSE;
  if (still && m->gate && !mix_output (m, out, 0.0, m->still_gate, error))
    return FALSE;
  if (!still)
    m->ring_valid = TRUE;
  return TRUE;
}

static void
default_reset (SalModel * m)
{
  sal_arch_classic.reset (m->classic);
  /* The ring is only read when valid: "no state" costs nothing now. */
  m->ring_valid = FALSE;
  if (m->faces)
    sal_face_cue_reset (m->faces);
}

const SalArch sal_arch_default = {
  .name = "default",
  .create = default_create,
  .choose_size = default_choose_size,
  .see_frame = default_see_frame,
  .forward = default_forward,
  .reset = default_reset,
  .free = default_free,
  .output_is_logits = TRUE,
};
