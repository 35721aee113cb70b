/* UNISAL's per-frame pass on the layers API: encoder -> priors -> post_cnn
 * -> ConvGRU (video) -> decoder -> adaptation -> nearest upsample ->
 * 41x41 smoothing, leaving logits; the engine resizes and softmaxes them.
 * The large transient activations live in three scratch buffers used in
 * rotation: an op never writes the buffer it reads. */
#include "sal-unisal.h"

/* A [c, h, w] view of a scratch buffer (sized for the largest). */
static SalTensor
view (const SalTensor * scratch, int c, int h, int w)
{
  SalTensor v = { scratch->buf, c, h, w };

  return v;
}

#define RUN(expr) G_STMT_START { if (!(expr)) return FALSE; } G_STMT_END

/* Runs one inverted residual block from scratch[*cur] and leaves its
 * output in scratch[*cur] (updated), or for a tap block its full
 * resolution output in tap and the subsampled one in scratch[*cur]. */
static gboolean
run_block (SalModel * m, const UnisalBlock * b, SalTensor * x, int *cur,
    SalTensor * tap, GError ** error)
{
  SalTensor *const *s = m->scratch;
  int a = (*cur + 1) % 3, c = (*cur + 2) % 3, out_idx;
  SalTensor in = *x, e, d, o;
  int oh, ow;

  if (b->expand) {
    e = view (s[a], b->expand->cout, in.h, in.w);
    RUN (sal_conv_run (m->layers, b->expand, &in, &e, NULL, error));
  } else {
    e = in;
  }
  sal_conv_out_size (b->dw, e.h, e.w, &oh, &ow);
  /* dw output: a buffer that is neither the input nor e. */
  d = view (s[b->expand ? c : a], b->dw->cout, oh, ow);
  RUN (sal_conv_run (m->layers, b->dw, &e, &d, NULL, error));

  out_idx = b->expand ? a : c;
  if (b->tap) {
    RUN (sal_conv_run (m->layers, b->project, &d, tap, NULL, error));
    o = view (s[*cur], b->project->cout, (oh + 1) / 2, (ow + 1) / 2);
    RUN (sal_subsample2 (m->layers, tap, &o, error));
    out_idx = *cur;
  } else {
    o = view (s[out_idx], b->project->cout, oh, ow);
    RUN (sal_conv_run (m->layers, b->project, &d, &o,
            b->residual ? &in : NULL, error));
  }
  *x = o;
  *cur = out_idx;
  return TRUE;
}

/* features.0 .. 18, the priors and post_cnn: m->f, m->feat_4x, m->feat_2x. */
static gboolean
encode (SalModel * m, const SalTensor * rgb, GError ** error)
{
  SalTensor *const *s = m->scratch;
  SalTensor x, feat, cat, dw;
  int cur = 0, oh, ow;
  char name[32];

  sal_conv_out_size (m->stem, rgb->h, rgb->w, &oh, &ow);
  x = view (s[0], m->stem->cout, oh, ow);
  RUN (sal_conv_run (m->layers, m->stem, rgb, &x, NULL, error));
  unisal_dump (m, "features.0", &x);

  for (int i = 0; i < UNISAL_N_BLOCKS; i++) {
    SalTensor *tap = i + 1 == UNISAL_TAP_4X ? m->feat_4x :
        i + 1 == UNISAL_TAP_2X ? m->feat_2x : NULL;

    RUN (run_block (m, &m->blocks[i], &x, &cur, tap, error));
    g_snprintf (name, sizeof (name), "features.%d", i + 1);
    unisal_dump (m, name, &x);
  }

  feat = view (s[(cur + 1) % 3], m->head->cout, x.h, x.w);
  RUN (sal_conv_run (m->layers, m->head, &x, &feat, NULL, error));
  unisal_dump (m, "features.18", &feat);
  unisal_dump (m, "feat_4x", m->feat_4x);
  unisal_dump (m, "feat_2x", m->feat_2x);
  unisal_dump (m, "priors", m->priors);

  cat = view (s[(cur + 2) % 3], feat.c + m->priors->c, x.h, x.w);
  RUN (sal_concat (m->layers, &feat, m->priors, &cat, error));
  dw = view (s[cur], cat.c, x.h, x.w);
  RUN (sal_conv_run (m->layers, m->post_cnn_dw, &cat, &dw, NULL, error));
  RUN (sal_conv_run (m->layers, m->post_cnn_pw, &dw, m->f, NULL, error));
  unisal_dump (m, "post_cnn", m->f);
  return TRUE;
}

/* One ConvGRU step on ring slot t mod M, then m->dec_in = f + post_rnn. */
static gboolean
recur (SalModel * m, GError ** error)
{
  static const char *const names[GRU_N_BRANCHES] = {
    "gru.r_x", "gru.r_h", "gru.z_x", "gru.z_h", "gru.h_x", "gru.h_h"
  };
  int slot = (int) (m->t % (guint64) m->modulo);
  SalTensor *h = m->ring[slot];

  if (!m->ring_valid[slot])
    RUN (sal_tensor_fill (m->rt, h, 0.0f, error));
  unisal_dump (m, "gru.h_prev", h);

  for (int i = 0; i < GRU_N_BRANCHES; i++) {
    /* Even branches (W_*) read f, odd ones (U_*) the previous state. */
    const SalTensor *in = i % 2 ? h : m->f;

    RUN (sal_conv_run (m->layers, m->gru_dw[i], in, m->branch_tmp, NULL,
            error));
    RUN (sal_conv_run (m->layers, m->gru_pw[i], m->branch_tmp, m->branch[i],
            NULL, error));
    unisal_dump (m, names[i], m->branch[i]);
  }
  RUN (sal_gru_update (m->layers, m->branch[GRU_RX], m->branch[GRU_RH],
          m->branch[GRU_ZX], m->branch[GRU_ZH], m->branch[GRU_HX],
          m->branch[GRU_HH], h, h, error));
  m->ring_valid[slot] = TRUE;
  m->t++;
  unisal_dump (m, "gru.h", h);

  RUN (sal_conv_run (m->layers, m->post_rnn, h, m->dec_in, m->f, error));
  return TRUE;
}

/* Decoder and head from dec (the bottleneck) to out (logits, net size). */
static gboolean
decode (SalModel * m, const SalTensor * dec, SalTensor * out,
    GError ** error)
{
  SalTensor *const *s = m->scratch;
  const UnisalBlock *up2 = &m->up2, *pu2 = &m->post_up2;
  int h2 = m->feat_2x->h, w2 = m->feat_2x->w;
  int h4 = m->feat_4x->h, w4 = m->feat_4x->w;
  SalTensor a, b, c;

  /* 1/16: up (dec) ++ skip_2x (feat_2x) -> upsampling_2 block -> up. */
  a = view (s[0], m->skip2_expand->cout, h2, w2);
  RUN (sal_conv_run (m->layers, m->skip2_expand, m->feat_2x, &a, NULL,
          error));
  b = view (s[1], m->skip2_reduce->cout, h2, w2);
  RUN (sal_conv_run (m->layers, m->skip2_reduce, &a, &b, NULL, error));
  unisal_dump (m, "skip_2x", &b);
  a = view (s[0], dec->c, h2, w2);
  RUN (sal_resize_bilinear (m->layers, dec, &a, error));
  unisal_dump (m, "up_1", &a);
  c = view (s[2], a.c + b.c, h2, w2);
  RUN (sal_concat (m->layers, &a, &b, &c, error));
  unisal_dump (m, "cat_1", &c);
  a = view (s[0], up2->expand->cout, h2, w2);
  RUN (sal_conv_run (m->layers, up2->expand, &c, &a, NULL, error));
  b = view (s[1], up2->dw->cout, h2, w2);
  RUN (sal_conv_run (m->layers, up2->dw, &a, &b, NULL, error));
  c = view (s[2], up2->project->cout, h2, w2);
  RUN (sal_conv_run (m->layers, up2->project, &b, &c, NULL, error));
  unisal_dump (m, "upsampling_2.inv_res", &c);
  a = view (s[0], c.c, h4, w4);
  RUN (sal_resize_bilinear (m->layers, &c, &a, error));
  unisal_dump (m, "up_2", &a);

  /* 1/8: ++ skip_4x (feat_4x) -> post_upsampling_2 block. */
  b = view (s[1], m->skip4_expand->cout, h4, w4);
  RUN (sal_conv_run (m->layers, m->skip4_expand, m->feat_4x, &b, NULL,
          error));
  c = view (s[2], m->skip4_reduce->cout, h4, w4);
  RUN (sal_conv_run (m->layers, m->skip4_reduce, &b, &c, NULL, error));
  unisal_dump (m, "skip_4x", &c);
  b = view (s[1], a.c + c.c, h4, w4);
  RUN (sal_concat (m->layers, &a, &c, &b, error));
  unisal_dump (m, "cat_2", &b);
  a = view (s[0], pu2->expand->cout, h4, w4);
  RUN (sal_conv_run (m->layers, pu2->expand, &b, &a, NULL, error));
  c = view (s[2], pu2->dw->cout, h4, w4);
  RUN (sal_conv_run (m->layers, pu2->dw, &a, &c, NULL, error));
  a = view (s[0], pu2->project->cout, h4, w4);
  RUN (sal_conv_run (m->layers, pu2->project, &c, &a, NULL, error));
  unisal_dump (m, "post_upsampling_2", &a);

  /* Head: 1x1 -> nearest to the net size -> replicate-padded 41x41. */
  b = view (s[1], 1, h4, w4);
  RUN (sal_conv_run (m->layers, m->adaptation, &a, &b, NULL, error));
  unisal_dump (m, "adaptation", &b);
  c = view (s[2], 1, out->h, out->w);
  RUN (sal_resize_nearest (m->layers, &b, &c, error));
  unisal_dump (m, "nearest", &c);
  RUN (sal_conv_run (m->layers, m->smoothing, &c, out, NULL, error));
  unisal_dump (m, "logits", out);
  return TRUE;
}

gboolean
unisal_forward (SalModel * m, const SalTensor * rgb, SalTensor * out,
    gboolean still, GError ** error)
{
  gboolean ok;

  if (rgb->c != 3 || rgb->h != m->net_h || rgb->w != m->net_w
      || out->c != 1 || out->h != m->net_h || out->w != m->net_w) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "unisal: input %dx%dx%d / output %dx%dx%d do not match the network "
        "size 3x%dx%d", rgb->c, rgb->h, rgb->w, out->c, out->h, out->w,
        m->net_h, m->net_w);
    return FALSE;
  }
  unisal_dump (m, "input", rgb);
  ok = encode (m, rgb, error);
  /* Still images bypass the GRU and post_rnn (and leave the ring alone):
   * the decoder reads f. */
  if (ok && !still)
    ok = recur (m, error);
  if (ok) {
    unisal_dump (m, "decoder_in", still ? m->f : m->dec_in);
    ok = decode (m, still ? m->f : m->dec_in, out, error);
  }
  m->n_forward++;
  return ok;
}
