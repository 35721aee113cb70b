/* "unisal": UNISAL (Droste et al., ECCV 2020) from a converted checkpoint.
 * MobileNetV2 encoder, Gaussian priors, a ConvGRU at 1/32 resolution with
 * a ring of `modulo` hidden states, a U-Net style decoder and a learned
 * 41x41 smoothing; domain-specific BN and heads pick the training domain.
 * This file validates the options, reads the weights and allocates every
 * activation; sal-unisal-forward.c runs a frame. */
#include "sal-unisal.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_DOMAIN "DHF1K"
#define DEFAULT_BN_EPS 1e-5f

/* MobileNetV2's (expansion, channels, repeats, stride). */
static const int mobilenet_settings[7][4] = {
  {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
  {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
};

/* The GRU branches' module names, in GRU_* order. */
static const char *const gru_conv[GRU_N_BRANCHES] = {
  "w_r", "u_r", "w_z", "u_z", "w", "u"
};
static const char *const gru_norm[GRU_N_BRANCHES] = {
  "norm_r_x", "norm_r_h", "norm_z_x", "norm_z_h", "norm_out_x", "norm_out_h"
};
static const char *const gru_scale[GRU_N_BRANCHES] = {
  "a_r_x", "a_r_h", "a_z_x", "a_z_h", "a_h_x", "a_h_h"
};
/* Gate biases go into the x-branches (sal_gru_update adds no bias). */
static const char *const gru_bias[GRU_N_BRANCHES] = {
  "b_r", NULL, "b_z", NULL, "b_h", NULL
};

#define GRU_PREFIX "rnn.cell_list.0"

static void
unisal_free (SalModel * m)
{
  if (!m)
    return;
  g_clear_pointer (&m->stem, sal_conv_free);
  for (int i = 0; i < UNISAL_N_BLOCKS; i++)
    unisal_block_clear (&m->blocks[i]);
  g_clear_pointer (&m->head, sal_conv_free);
  g_clear_pointer (&m->post_cnn_dw, sal_conv_free);
  g_clear_pointer (&m->post_cnn_pw, sal_conv_free);
  for (int i = 0; i < GRU_N_BRANCHES; i++) {
    g_clear_pointer (&m->gru_dw[i], sal_conv_free);
    g_clear_pointer (&m->gru_pw[i], sal_conv_free);
    g_clear_pointer (&m->branch[i], sal_tensor_free);
  }
  g_clear_pointer (&m->post_rnn, sal_conv_free);
  g_clear_pointer (&m->skip2_expand, sal_conv_free);
  g_clear_pointer (&m->skip2_reduce, sal_conv_free);
  g_clear_pointer (&m->skip4_expand, sal_conv_free);
  g_clear_pointer (&m->skip4_reduce, sal_conv_free);
  unisal_block_clear (&m->up2);
  unisal_block_clear (&m->post_up2);
  g_clear_pointer (&m->adaptation, sal_conv_free);
  g_clear_pointer (&m->smoothing, sal_conv_free);

  for (int i = 0; i < 3; i++)
    g_clear_pointer (&m->scratch[i], sal_tensor_free);
  g_clear_pointer (&m->feat_4x, sal_tensor_free);
  g_clear_pointer (&m->feat_2x, sal_tensor_free);
  g_clear_pointer (&m->priors, sal_tensor_free);
  g_clear_pointer (&m->f, sal_tensor_free);
  g_clear_pointer (&m->branch_tmp, sal_tensor_free);
  g_clear_pointer (&m->dec_in, sal_tensor_free);
  for (int i = 0; m->ring && i < m->modulo; i++)
    sal_tensor_free (m->ring[i]);
  g_free (m->ring);
  g_free (m->ring_valid);

  g_clear_pointer (&m->layers, sal_layers_free);
  g_free (m->name);
  g_free (m->domain);
  g_free (m->description);
  g_free (m->dump_dir);
  g_free (m);
}

/* Splits a metadata list: "a,b,c" or a JSON array of strings. */
static char **
split_list (const char *text)
{
  char **parts = g_strsplit_set (text, "[], \t\"", -1);
  GPtrArray *out = g_ptr_array_new ();

  for (char **p = parts; *p; p++)
    if (**p)
      g_ptr_array_add (out, g_strdup (*p));
  g_ptr_array_add (out, NULL);
  g_strfreev (parts);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* The domains the file holds, as its DSBN tensors spell them: from the
 * "domains" metadata, else from the post_rnn DSBN names. */
static char **
file_domains (SalModelFile * file)
{
  const char *meta = sal_model_file_get_meta (file, "domains");
  const char *prefix = "post_rnn.1.bn_", *suffix = ".weight";
  GPtrArray *out;

  if (meta)
    return split_list (meta);
  out = g_ptr_array_new ();
  for (guint i = 0; i < sal_model_file_get_n_tensors (file); i++) {
    const char *name = sal_model_file_get_tensor (file, i)->name;
    gsize len = strlen (name);

    if (g_str_has_prefix (name, prefix) && g_str_has_suffix (name, suffix)
        && len > strlen (prefix) + strlen (suffix))
      g_ptr_array_add (out, g_strndup (name + strlen (prefix),
              len - strlen (prefix) - strlen (suffix)));
  }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static gboolean
choose_domain (SalModel * m, SalModelFile * file, const char *wanted,
    GError ** error)
{
  char **domains = file_domains (file);
  char *list;

  if (!domains[0]) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
        "%s: no domains: neither \"domains\" metadata nor "
        "post_rnn.1.bn_<domain> tensors; reconvert the checkpoint with "
        "tools/convert_unisal.py", sal_model_file_get_name (file));
    g_strfreev (domains);
    return FALSE;
  }
  if (!wanted || !*wanted) {
    /* DHF1K when the file has it (upstream's video default). */
    wanted = domains[0];
    for (char **d = domains; *d; d++)
      if (g_ascii_strcasecmp (*d, DEFAULT_DOMAIN) == 0)
        wanted = *d;
  }
  for (char **d = domains; *d; d++)
    if (g_ascii_strcasecmp (*d, wanted) == 0) {
      m->domain = g_strdup (*d);
      g_strfreev (domains);
      return TRUE;
    }
  list = g_strjoinv (", ", domains);
  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
      "domain \"%s\" is not in %s; available domains: %s", wanted,
      sal_model_file_get_name (file), list);
  g_free (list);
  g_strfreev (domains);
  return FALSE;
}

static gboolean
check_side (int h, int w, GError ** error)
{
  if (h % 32 || w % 32 || h < UNISAL_MIN_SIDE || w < UNISAL_MIN_SIDE) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "net-size %dx%d: both sides must be multiples of 32 (at least %d), "
        "e.g. 224x384", h, w, UNISAL_MIN_SIDE);
    return FALSE;
  }
  if (h > UNISAL_MAX_SIDE || w > UNISAL_MAX_SIDE) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "net-size %dx%d: sides above %d are not supported", h, w,
        UNISAL_MAX_SIDE);
    return FALSE;
  }
  return TRUE;
}

static gboolean
choose_size (SalModel * m, SalModelFile * file, const SalEngineOptions * o,
    GError ** error)
{
  gint64 w, h;

  if (o->net_width > 0 || o->net_height > 0) {
    if (o->net_width <= 0 || o->net_height <= 0) {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
          "net-size: give both height and width (HxW, e.g. 224x384)");
      return FALSE;
    }
    m->net_w = o->net_width;
    m->net_h = o->net_height;
  } else {
    if (!sal_model_file_get_meta_int (file, "net_width", 1, G_MAXINT, &w,
            error)
        || !sal_model_file_get_meta_int (file, "net_height", 1, G_MAXINT,
            &h, error))
      return FALSE;
    m->net_w = (int) w;
    m->net_h = (int) h;
  }
  return check_side (m->net_h, m->net_w, error);
}

static gboolean
choose_modulo (SalModel * m, SalModelFile * file, const SalEngineOptions * o,
    GError ** error)
{
  char *key_exact, *key_lower, *lower;
  const char *key;
  gint64 v;
  gboolean ok;

  if (o->modulo < 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "modulo %d: must be at least 1", o->modulo);
    return FALSE;
  }
  if (o->modulo > 0) {
    m->modulo = o->modulo;
    return TRUE;
  }
  /* The converter writes modulo_<Domain>; accept the lower-case spelling
   * too. */
  lower = g_ascii_strdown (m->domain, -1);
  key_exact = g_strdup_printf ("modulo_%s", m->domain);
  key_lower = g_strdup_printf ("modulo_%s", lower);
  key = sal_model_file_get_meta (file, key_exact) ? key_exact :
      sal_model_file_get_meta (file, key_lower) ? key_lower : NULL;
  if (!key) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "%s has no \"%s\" metadata: give the modulo (frame t continues the "
        "GRU state of frame t-M; upstream uses 5 for DHF1K, 4 for "
        "Hollywood and UCF Sports), e.g. salmap --modulo 5",
        sal_model_file_get_name (file), key_exact);
    ok = FALSE;
  } else {
    ok = sal_model_file_get_meta_int (file, key, 1, 1000, &v, error);
  }
  if (ok)
    m->modulo = (int) v;
  g_free (lower);
  g_free (key_exact);
  g_free (key_lower);
  return ok;
}

/* "0.485,0.456,0.406" or "[0.485, 0.456, 0.406]" into v; FALSE if the
 * value is malformed. */
static gboolean
parse_triple (const char *text, float v[3])
{
  char **parts = split_list (text);
  gboolean ok = g_strv_length (parts) == 3;

  for (int i = 0; ok && i < 3; i++) {
    char *end;
    double d = g_ascii_strtod (parts[i], &end);

    ok = *end == '\0' && end != parts[i] && d > -1e6 && d < 1e6;
    v[i] = (float) d;
  }
  g_strfreev (parts);
  return ok;
}

static gboolean
read_normalisation (SalModelFile * file, float mean[3], float std[3],
    GError ** error)
{
  static const float imagenet_mean[3] = { 0.485f, 0.456f, 0.406f };
  static const float imagenet_std[3] = { 0.229f, 0.224f, 0.225f };
  const char *keys[2] = { "mean", "std" };
  float *dst[2] = { mean, std };

  memcpy (mean, imagenet_mean, sizeof (imagenet_mean));
  memcpy (std, imagenet_std, sizeof (imagenet_std));
  for (int i = 0; i < 2; i++) {
    const char *s = sal_model_file_get_meta (file, keys[i]);

    if (s && !parse_triple (s, dst[i])) {
      g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
          "%s: metadata \"%s\" is \"%s\"; expected three numbers such as "
          "\"0.485,0.456,0.406\"", sal_model_file_get_name (file), keys[i],
          s);
      return FALSE;
    }
  }
  for (int c = 0; c < 3; c++)
    if (!(std[c] > 0.0f)) {
      g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
          "%s: metadata \"std\" must be positive",
          sal_model_file_get_name (file));
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_eps (SalModelFile * file, float *eps, GError ** error)
{
  const char *s = sal_model_file_get_meta (file, "bn_eps");
  char *end;
  double d;

  *eps = DEFAULT_BN_EPS;
  if (!s)
    return TRUE;
  d = g_ascii_strtod (s, &end);
  if (*end || end == s || !(d >= 0.0 && d < 1.0)) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
        "%s: metadata \"bn_eps\" is \"%s\"; expected a number in [0, 1) "
        "such as 1e-05", sal_model_file_get_name (file), s);
    return FALSE;
  }
  *eps = (float) d;
  return TRUE;
}

/* Encoder: features.0 .. features.18 (plain BN). */
static gboolean
load_encoder (SalModel * m, UnisalLoader * ld, GError ** error)
{
  UnisalConvSpec stem = {
    .conv = "cnn.features.0.0",.bn = "cnn.features.0.1",
    .bn_kind = UNISAL_BN_PLAIN,.cin = 3,.cout = 32,.k = 3,.stride = 2,
    .act = SAL_ACT_RELU6,
  };
  UnisalConvSpec head = {
    .conv = "cnn.features.18.0",.bn = "cnn.features.18.1",
    .bn_kind = UNISAL_BN_PLAIN,.cin = 320,.cout = UNISAL_FEAT_CH,.k = 1,
    .stride = 1,.act = SAL_ACT_RELU6,
  };
  int idx = 0, cin = 32;

  if (!(m->stem = unisal_load_conv (ld, &stem, error)))
    return FALSE;
  for (int s = 0; s < 7; s++)
    for (int r = 0; r < mobilenet_settings[s][2]; r++) {
      int t = mobilenet_settings[s][0], c = mobilenet_settings[s][1];
      int stride = r == 0 ? mobilenet_settings[s][3] : 1;
      gboolean tap = idx + 1 == UNISAL_TAP_4X || idx + 1 == UNISAL_TAP_2X;
      UnisalBlock *b = &m->blocks[idx];
      char *prefix = g_strdup_printf ("cnn.features.%d", idx + 1);
      gboolean ok;

      /* Subsampling a stride-1 depthwise output is a stride-2 depthwise
       * conv, except where a skip reads the full-resolution output. */
      ok = unisal_load_block (ld, prefix, cin, c, t,
          stride == 2 && !tap ? 2 : 1, UNISAL_BN_PLAIN, b, error);
      g_free (prefix);
      if (!ok)
        return FALSE;
      b->residual = stride == 1 && cin == c;
      b->tap = tap && stride == 2;
      cin = c;
      idx++;
    }
  return (m->head = unisal_load_conv (ld, &head, error)) != NULL;
}

static gboolean
load_gaussians (SalModel * m, UnisalLoader * ld, GError ** error)
{
  gint64 shape[3] = { UNISAL_N_GAUSSIANS, 2, 2 };
  char *name = g_strdup_printf ("coarse_gaussians_%s", ld->domain_lower);
  float *g = unisal_read (ld, name, 3, shape, error);

  g_free (name);
  if (!g)
    return FALSE;
  memcpy (m->gaussians, g, sizeof (m->gaussians));
  g_free (g);
  return TRUE;
}

/* post_cnn, the GRU and post_rnn. */
static gboolean
load_bottleneck (SalModel * m, UnisalLoader * ld, GError ** error)
{
  int cin = UNISAL_FEAT_CH + UNISAL_N_GAUSSIANS;
  UnisalConvSpec dw = {
    .conv = "post_cnn.inv_res.conv.0",.bn = "post_cnn.inv_res.conv.1",
    .bn_kind = UNISAL_BN_PLAIN,.cin = cin,.cout = cin,.k = 3,.stride = 1,
    .depthwise = TRUE,.act = SAL_ACT_RELU6,
  };
  UnisalConvSpec pw = {
    .conv = "post_cnn.inv_res.conv.3",.bn = "post_cnn.inv_res.conv.4",
    .bn_kind = UNISAL_BN_PLAIN,.cin = cin,.cout = UNISAL_RNN_CH,.k = 1,
    .stride = 1,.act = SAL_ACT_NONE,
  };
  UnisalConvSpec post = {
    .conv = "post_rnn.0",.bn = "post_rnn.1",.bn_kind = UNISAL_BN_DOMAIN,
    .cin = UNISAL_RNN_CH,.cout = UNISAL_RNN_CH,.k = 1,.stride = 1,
    .act = SAL_ACT_RELU6,
  };

  if (!(m->post_cnn_dw = unisal_load_conv (ld, &dw, error))
      || !(m->post_cnn_pw = unisal_load_conv (ld, &pw, error)))
    return FALSE;

  for (int i = 0; i < GRU_N_BRANCHES; i++) {
    char *conv_dw = g_strdup_printf (GRU_PREFIX ".%s.conv_dw", gru_conv[i]);
    char *sep_bn = g_strdup_printf (GRU_PREFIX ".%s.sep_bn", gru_conv[i]);
    char *conv_sep = g_strdup_printf (GRU_PREFIX ".%s.conv_sep", gru_conv[i]);
    char *norm = g_strdup_printf (GRU_PREFIX ".%s", gru_norm[i]);
    char *scale = g_strdup_printf (GRU_PREFIX ".%s", gru_scale[i]);
    char *bias = gru_bias[i] ?
        g_strdup_printf (GRU_PREFIX ".%s", gru_bias[i]) : NULL;
    UnisalConvSpec d = {
      .conv = conv_dw,.bn = sep_bn,.bn_kind = UNISAL_BN_DOMAIN,
      .cin = UNISAL_RNN_CH,.cout = UNISAL_RNN_CH,.k = 3,.stride = 1,
      .depthwise = TRUE,.act = SAL_ACT_RELU6,
    };
    /* a * norm (conv_sep (.)) [+ b]: BN, scale and bias fold together. */
    UnisalConvSpec p = {
      .conv = conv_sep,.bn = norm,.bn_kind = UNISAL_BN_DOMAIN,
      .scale = scale,.add_bias = bias,.cin = UNISAL_RNN_CH,
      .cout = UNISAL_RNN_CH,.k = 1,.stride = 1,.act = SAL_ACT_NONE,
    };
    gboolean ok = (m->gru_dw[i] = unisal_load_conv (ld, &d, error))
        && (m->gru_pw[i] = unisal_load_conv (ld, &p, error));

    g_free (conv_dw);
    g_free (sep_bn);
    g_free (conv_sep);
    g_free (norm);
    g_free (scale);
    g_free (bias);
    if (!ok)
      return FALSE;
  }
  return (m->post_rnn = unisal_load_conv (ld, &post, error)) != NULL;
}

/* A skip: 1x1 + DSBN + ReLU6, then 1x1 with bias + DSBN. */
static gboolean
load_skip (UnisalLoader * ld, const char *name, int cin, int hidden,
    int cout, SalConv ** expand, SalConv ** reduce, GError ** error)
{
  char *c0 = g_strdup_printf ("%s.expansion.0", name);
  char *b0 = g_strdup_printf ("%s.expansion.1", name);
  char *c1 = g_strdup_printf ("%s.reduction.0", name);
  char *b1 = g_strdup_printf ("%s.reduction.1", name);
  UnisalConvSpec e = {
    .conv = c0,.bn = b0,.bn_kind = UNISAL_BN_DOMAIN,.cin = cin,
    .cout = hidden,.k = 1,.stride = 1,.act = SAL_ACT_RELU6,
  };
  UnisalConvSpec r = {
    .conv = c1,.conv_bias = TRUE,.bn = b1,.bn_kind = UNISAL_BN_DOMAIN,
    .cin = hidden,.cout = cout,.k = 1,.stride = 1,.act = SAL_ACT_NONE,
  };
  gboolean ok = (*expand = unisal_load_conv (ld, &e, error))
      && (*reduce = unisal_load_conv (ld, &r, error));

  g_free (c0);
  g_free (b0);
  g_free (c1);
  g_free (b1);
  return ok;
}

static gboolean
load_decoder (SalModel * m, UnisalLoader * ld, GError ** error)
{
  char *adapt = g_strdup_printf ("adaptation_%s.0", ld->domain_lower);
  char *smooth = g_strdup_printf ("smoothing_%s", ld->domain_lower);
  UnisalConvSpec a = {
    .conv = adapt,.conv_bias = TRUE,.cin = UNISAL_SKIP_4X_CH,.cout = 1,
    .k = 1,.stride = 1,.act = SAL_ACT_NONE,
  };
  UnisalConvSpec s = {
    .conv = smooth,.cin = 1,.cout = 1,.k = UNISAL_SMOOTH_K,.stride = 1,
    .pad_mode = SAL_PAD_REPLICATE,.act = SAL_ACT_NONE,
  };
  gboolean ok = load_skip (ld, "skip_2x", 160, 320, UNISAL_SKIP_2X_CH,
      &m->skip2_expand, &m->skip2_reduce, error)
      && load_skip (ld, "skip_4x", 64, 128, UNISAL_SKIP_4X_CH,
      &m->skip4_expand, &m->skip4_reduce, error)
      && unisal_load_block (ld, "upsampling_2.inv_res",
      UNISAL_RNN_CH + UNISAL_SKIP_2X_CH, UNISAL_SKIP_2X_CH, 2, 1,
      UNISAL_BN_DOMAIN, &m->up2, error)
      && unisal_load_block (ld, "post_upsampling_2.inv_res",
      UNISAL_SKIP_2X_CH + UNISAL_SKIP_4X_CH, UNISAL_SKIP_4X_CH, 2, 1,
      UNISAL_BN_DOMAIN, &m->post_up2, error)
      && (m->adaptation = unisal_load_conv (ld, &a, error))
      && (m->smoothing = unisal_load_conv (ld, &s, error));

  g_free (adapt);
  g_free (smooth);
  return ok;
}

static void
grow (gsize * need, int c, int h, int w)
{
  *need = MAX (*need, (gsize) c * h * w);
}

/* The largest transient activation: the scratch buffers hold each one. */
static gsize
scratch_size (SalModel * m)
{
  int h = m->net_h / 2, w = m->net_w / 2;
  gsize need = 0;

  grow (&need, 32, h, w);
  for (int i = 0; i < UNISAL_N_BLOCKS; i++) {
    const UnisalBlock *b = &m->blocks[i];
    int oh, ow;

    if (b->expand)
      grow (&need, b->expand->cout, h, w);
    sal_conv_out_size (b->dw, h, w, &oh, &ow);
    grow (&need, b->dw->cout, oh, ow);
    grow (&need, b->project->cout, oh, ow);
    h = b->tap ? oh / 2 : oh;
    w = b->tap ? ow / 2 : ow;
  }
  grow (&need, UNISAL_FEAT_CH + UNISAL_N_GAUSSIANS, h, w);
  /* Decoder at 1/16 and 1/8; the head at full size. */
  grow (&need, m->up2.expand->cout, 2 * h, 2 * w);
  grow (&need, m->skip2_expand->cout, 2 * h, 2 * w);
  grow (&need, m->post_up2.expand->cout, 4 * h, 4 * w);
  grow (&need, m->up2.project->cout + m->skip4_reduce->cout, 4 * h, 4 * w);
  grow (&need, 1, m->net_h, m->net_w);
  return need;
}

static gboolean
allocate (SalModel * m, GError ** error)
{
  int h = m->net_h / 32, w = m->net_w / 32;
  gsize n = scratch_size (m);
  float *priors;
  gboolean ok;

  for (int i = 0; i < 3; i++)
    if (!(m->scratch[i] = sal_tensor_new (m->rt, (int) n, 1, 1, error)))
      return FALSE;
  ok = (m->feat_4x = sal_tensor_new (m->rt, 64, m->net_h / 8, m->net_w / 8,
          error))
      && (m->feat_2x = sal_tensor_new (m->rt, 160, m->net_h / 16,
          m->net_w / 16, error))
      && (m->priors = sal_tensor_new (m->rt, UNISAL_N_GAUSSIANS, h, w, error))
      && (m->f = sal_tensor_new (m->rt, UNISAL_RNN_CH, h, w, error))
      && (m->branch_tmp = sal_tensor_new (m->rt, UNISAL_RNN_CH, h, w, error))
      && (m->dec_in = sal_tensor_new (m->rt, UNISAL_RNN_CH, h, w, error));
  for (int i = 0; ok && i < GRU_N_BRANCHES; i++)
    ok = (m->branch[i] = sal_tensor_new (m->rt, UNISAL_RNN_CH, h, w,
            error)) != NULL;
  m->ring = g_new0 (SalTensor *, m->modulo);
  m->ring_valid = g_new0 (gboolean, m->modulo);
  for (int i = 0; ok && i < m->modulo; i++)
    ok = (m->ring[i] = sal_tensor_new (m->rt, UNISAL_RNN_CH, h, w,
            error)) != NULL;
  if (!ok)
    return FALSE;

  /* The priors depend on the bottleneck size only. */
  priors = g_new (float, (gsize) UNISAL_N_GAUSSIANS * h * w);
  sal_gaussian_priors (m->gaussians, UNISAL_N_GAUSSIANS, h, w, priors);
  ok = sal_tensor_upload (m->rt, m->priors, priors, error);
  g_free (priors);
  return ok;
}

static SalModel *
unisal_create (SalRuntime * rt, const SalEngineOptions * opts,
    SalModelFile * file, SalModelInfo * info, float mean[3], float std[3],
    GError ** error)
{
  SalModel *m;
  const char *arch;
  UnisalLoader ld = { 0 };
  char *lower = NULL;
  gboolean ok;

  if (!file) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL,
        "unisal needs a model file: pass the .safetensors file made by "
        "tools/convert_unisal.py as the model");
    return NULL;
  }
  arch = sal_model_file_get_meta (file, "architecture");
  if (!arch || g_ascii_strcasecmp (arch, "unisal") != 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL,
        "%s: architecture is \"%s\", not \"unisal\"; convert UNISAL "
        "checkpoints with tools/convert_unisal.py",
        sal_model_file_get_name (file), arch ? arch : "(none)");
    return NULL;
  }

  m = g_new0 (SalModel, 1);
  m->rt = rt;
  m->name = g_strdup (sal_model_file_get_name (file));
  if (!choose_domain (m, file, opts->domain, error)
      || !choose_size (m, file, opts, error)
      || !choose_modulo (m, file, opts, error)
      || !read_normalisation (file, mean, std, error)
      || !read_eps (file, &ld.eps, error))
    goto fail;

  m->layers = sal_layers_new (rt, error);
  if (!m->layers)
    goto fail;
  lower = g_ascii_strdown (m->domain, -1);
  ld.rt = rt;
  ld.file = file;
  ld.domain = m->domain;
  ld.domain_lower = lower;
  ok = load_encoder (m, &ld, error)
      && load_gaussians (m, &ld, error)
      && load_bottleneck (m, &ld, error)
      && load_decoder (m, &ld, error)
      && allocate (m, error);
  g_free (lower);
  if (!ok)
    goto fail;

  m->dump_dir = g_strdup (g_getenv ("SALIENCY_UNISAL_DUMP"));
  if (m->dump_dir && !*m->dump_dir)
    g_clear_pointer (&m->dump_dir, g_free);

  m->description = g_strdup_printf ("UNISAL (MobileNetV2 + ConvGRU), "
      "domain %s, %dx%d, ring of %d hidden states", m->domain, m->net_h,
      m->net_w, m->modulo);
  info->name = m->name;
  info->architecture = "unisal";
  info->description = m->description;
  info->net_width = m->net_w;
  info->net_height = m->net_h;
  info->ring_length = m->modulo;
  info->temporal = TRUE;
  return m;

fail:
  unisal_free (m);
  return NULL;
}

static void
unisal_reset (SalModel * m)
{
  /* Slots are zero-filled when next read: "no state" costs nothing now. */
  for (int i = 0; i < m->modulo; i++)
    m->ring_valid[i] = FALSE;
  m->t = 0;
}

const SalArch sal_arch_unisal = {
  .name = "unisal",
  .create = unisal_create,
  .choose_size = NULL,
  .forward = unisal_forward,
  .reset = unisal_reset,
  .free = unisal_free,
  .output_is_logits = TRUE,
};
