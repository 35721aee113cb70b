/* ViNet-S on one frame: the frame's first spatial conv goes into the ring,
 * then the clip of the last 32 frames runs through the rest of the S3D
 * encoder and the decoder (layer numbers of ../shared/design/vinet-s.md).
 *
 * Streaming reuse, exact (the same operations on the same values):
 * - base1.0's 1x7x7 conv (#1) works on each frame alone: each frame's
 *   output is computed once and kept in the ring, where the next 31 clips
 *   read it (6.27 of the clip's 69.36 GMAC saved per frame);
 * - base1.0's 7x1x1 time conv (#2) has time stride 2: clip t's times
 *   2..13 are clip t-2's times 3..14 (the same windows of the same frames,
 *   none reaching the clip's zero padding), so each phase keeps its last
 *   clip's times and computes only 0, 1, 14 and 15; so do the per-time
 *   stages after it (#3, #4, base1.3's spatial conv), and base1.3's time
 *   conv (#5, 3x1x1) recomputes 2 and 13 as well: 20.7 GMAC saved per
 *   frame.
 * The Mixed blocks after #6 mix more of the clip, and nothing from y1 on
 * repeats (design note), so the rest runs in full. */
#include "sal-vinet.h"
#include "saliency.h"

static SalVol
vol (cl_mem buf, int t, int c, int h, int w)
{
  SalVol v = { buf, t, c, h, w };
  return v;
}

/* out = conv (in) over the whole of both. */
static gboolean
conv (SalModel * m, const SalConv3d * c, const SalVol * in, SalVol * out,
    int c0, GError ** error)
{
  return sal_conv3d_run (m->layers, c, in, 0, NULL, out, 0, c0, error);
}

static gboolean
pool (SalModel * m, const SalVol * in, SalVol * out, int kt, int ks, int s,
    int st, int pt, int ps, GError ** error)
{
  const int k[3] = { kt, ks, ks }, stride[3] = { st, s, s };
  const int pad[3] = { pt, ps, ps };
  return sal_maxpool3d (m->layers, in, 0, out, k, stride, pad, error);
}

/* in -> tmp (1x1) -> tmp (1x3x3) -> out at channel c0 (3x1x1). */
static gboolean
branch (SalModel * m, const SalConv3d * a, const VinetSep * sep,
    const SalVol * in, SalVol * out, int c0, GError ** error)
{
  SalVol t0 = vol (m->tmp[0], in->t, a->cout, in->h, in->w);
  SalVol t1 = vol (m->tmp[1], in->t, sep->s->cout, in->h, in->w);
  return conv (m, a, in, &t0, 0, error)
      && conv (m, sep->s, &t0, &t1, 0, error)
      && conv (m, sep->t, &t1, out, c0, error);
}

static gboolean
mixed (SalModel * m, const VinetMixed * x, const SalVol * in, SalVol * out,
    GError ** error)
{
  SalVol pooled = vol (m->tmp[2], in->t, in->c, in->h, in->w);
  return conv (m, x->br0, in, out, 0, error)
      && branch (m, x->br1a, &x->br1, in, out, x->b0, error)
      && branch (m, x->br2a, &x->br2, in, out, x->b0 + x->b1b, error)
      && pool (m, in, &pooled, 3, 3, 1, 1, 1, 1, error)
      && conv (m, x->br3, &pooled, out, x->b0 + x->b1b + x->b2b, error);
}

/* Mixed blocks first .. last - 1 from in, alternating between the ping
 * buffers, the last one into out. */
static gboolean
mixed_chain (SalModel * m, int first, int last, const SalVol * in,
    SalVol * out, GError ** error)
{
  SalVol src = *in;
  int p = 1;

  for (int i = first; i < last; i++) {
    const VinetMixed *x = &m->mixed[i];
    SalVol dst = i == last - 1 ? *out :
        vol (m->ping[p], in->t, x->b0 + x->b1b + x->b2b + x->b3, in->h,
        in->w);
    if (!mixed (m, x, &src, &dst, error))
      return FALSE;
    src = dst;
    p = !p;
  }
  return TRUE;
}

/* #1: the frame's conv_s into its ring slot; after a reset into every
 * slot (upstream's start padding repeats the first frame). Returns the
 * slot of the clip's oldest frame. */
static gboolean
push_frame (SalModel * m, const SalTensor * rgb, int *oldest,
    GError ** error)
{
  SalVol in = vol (rgb->buf, 1, 3, rgb->h, rgb->w);
  SalVol ring = vol (m->ring, VINET_CLIP, 64, VINET_H / 2, VINET_W / 2);
  size_t slot = (size_t) 64 * ring.h * ring.w * sizeof (float);

  if (!sal_conv3d_run (m->layers, m->conv_s1, &in, 0, NULL, &ring, m->next,
          0, error))
    return FALSE;
  if (!m->primed) {
    for (int i = 0; i < VINET_CLIP; i++) {
      cl_int err;
      if (i == m->next)
        continue;
      err = clEnqueueCopyBuffer (m->rt->queue, m->ring, m->ring,
          m->next * slot, i * slot, slot, 0, NULL, NULL);
      if (err != CL_SUCCESS)
        return sal_cl_error (error, err, "clEnqueueCopyBuffer (ring)");
    }
    m->primed = TRUE;
  }
  m->next = (m->next + 1) % VINET_CLIP;
  *oldest = m->next;
  return TRUE;
}

/* Copies time slice si of src to slice di of dst (slices of `bytes`). */
static gboolean
copy_slice (SalModel * m, cl_mem src, int si, cl_mem dst, int di,
    size_t bytes, GError ** error)
{
  cl_int err = clEnqueueCopyBuffer (m->rt->queue, src, dst, si * bytes,
      di * bytes, bytes, 0, NULL, NULL);
  return err == CL_SUCCESS
      || sal_cl_error (error, err, "clEnqueueCopyBuffer (vinet-s rings)");
}

/* #2 to #5: conv_t1, its pool, base1.2 and base1.3, into this frame's
 * phase rings; sets m->head[phase]. In full after a reset, else only the
 * times that clip t-2 does not hold: the per-time stages at times 0, 1,
 * 14, 15 (on copies of those times, then copied into the ring), base1.3's
 * time conv (3x1x1, padding 1) also at 2 and 13. */
static gboolean
stem (SalModel * m, int oldest, GError ** error)
{
  static const int fresh[4] = { 0, 1, 14, 15 };
  static const int fresh_t[6] = { 0, 1, 2, 13, 14, 15 };
  const int p = m->phase, h1 = VINET_H / 2, w1 = VINET_W / 2;
  const int pk[3] = { 1, 3, 3 }, ps[3] = { 1, 2, 2 }, pp[3] = { 0, 1, 1 };
  const gboolean full = !m->valid[p] || !m->reuse;
  const int n = full ? 16 : 4, hd = full ? 0 : (m->head[p] + 1) % 16;
  SalVol ring = vol (m->ring, VINET_CLIP, 64, h1, w1);
  SalVol t1 = vol (m->t1[p], 16, 64, h1, w1);
  SalVol s13 = vol (m->s13[p], 16, 192, h1 / 2, w1 / 2);
  SalVol y3 = vol (m->y3[p], 16, 192, h1 / 2, w1 / 2);
  SalVol x = vol (m->ping[0], n, 64, h1, w1);
  SalVol b = vol (m->ping[1], n, 64, h1 / 2, w1 / 2);
  SalVol c = vol (m->ping[0], n, 64, h1 / 2, w1 / 2);
  SalVol d = vol (m->ping[1], n, 192, h1 / 2, w1 / 2);
  size_t t1_slice = (size_t) 64 * h1 * w1 * sizeof (float);
  size_t s13_slice = (size_t) 192 * (h1 / 2) * (w1 / 2) * sizeof (float);

  m->phase = !p;
  m->valid[p] = TRUE;
  /* Time i of the last clip of this phase becomes time i - 1. */
  m->head[p] = hd;
  if (full)
    return sal_conv3d_run (m->layers, m->conv_t1, &ring, oldest, NULL, &t1,
        0, 0, error)
        && sal_maxpool3d (m->layers, &t1, 0, &b, pk, ps, pp, error)
        && conv (m, m->basic12, &b, &c, 0, error)
        && conv (m, m->sep13.s, &c, &s13, 0, error)
        && conv (m, m->sep13.t, &s13, &y3, 0, error);

  for (int i = 0; i < 4; i++) {
    int slot = (hd + fresh[i]) % 16;
    if (!sal_conv3d_run_times (m->layers, m->conv_t1, &ring, oldest, NULL,
            0, &t1, slot, 0, fresh[i], 1, error)
        || !copy_slice (m, m->t1[p], slot, m->ping[0], i, t1_slice, error))
      return FALSE;
  }
  if (!sal_maxpool3d (m->layers, &x, 0, &b, pk, ps, pp, error)
      || !conv (m, m->basic12, &b, &c, 0, error)
      || !conv (m, m->sep13.s, &c, &d, 0, error))
    return FALSE;
  for (int i = 0; i < 4; i++)
    if (!copy_slice (m, m->ping[1], i, m->s13[p], (hd + fresh[i]) % 16,
            s13_slice, error))
      return FALSE;
  for (int i = 0; i < 6; i++)
    if (!sal_conv3d_run_times (m->layers, m->sep13.t, &s13, hd, NULL, 0,
            &y3, (hd + fresh_t[i]) % 16, 0, fresh_t[i], 1, error))
      return FALSE;
  return TRUE;
}

/* The phase rings of the frame just pushed. */
static int
last_phase (SalModel * m)
{
  return !m->phase;
}

static gboolean
encoder (SalModel * m, int oldest, GError ** error)
{
  const int h1 = VINET_H / 2, w1 = VINET_W / 2;
  const int pk[3] = { 1, 3, 3 }, ps[3] = { 1, 2, 2 }, pp[3] = { 0, 1, 1 };
  SalVol e = vol (m->ping[0], 16, 192, h1 / 4, w1 / 4);
  SalVol y2 = vol (m->y2, 16, 480, h1 / 4, w1 / 4);
  SalVol f = vol (m->ping[0], 8, 480, h1 / 8, w1 / 8);
  SalVol y1 = vol (m->y1, 8, 832, h1 / 8, w1 / 8);
  SalVol g = vol (m->ping[0], 4, 832, h1 / 16, w1 / 16);
  SalVol y0 = vol (m->y0, 4, 1024, h1 / 16, w1 / 16);
  SalVol y3;

  if (!stem (m, oldest, error))
    return FALSE;
  y3 = vol (m->y3[last_phase (m)], 16, 192, h1 / 2, w1 / 2);
  return sal_maxpool3d (m->layers, &y3, m->head[last_phase (m)], &e, pk, ps,
      pp, error)                /* #6 */
      && mixed_chain (m, 0, 2, &e, &y2, error)  /* #7 */
      && pool (m, &y2, &f, 3, 3, 2, 2, 1, 1, error)     /* #8 */
      && mixed_chain (m, 2, 7, &f, &y1, error)  /* #9 */
      /* #10: max over 2 in time then 2x2 in space is one 2x2x2 window. */
      && pool (m, &y1, &g, 2, 2, 2, 2, 0, 0, error)
      && mixed_chain (m, 7, 9, &g, &y0, error); /* #11 */
}

/* A decoder conv on cat_t (a, skip) (skip may be NULL) into ping[0], then
 * x2 upsampling into ping[1]; returns the upsampled volume in *z. */
static gboolean
decode_up (SalModel * m, int i, const SalVol * a, const SalVol * skip,
    int skip_head, SalVol * z, GError ** error)
{
  const SalConv3d *c = m->dec[i];
  int o[3];
  SalVol v;

  sal_conv3d_out_size (c, a->t + (skip ? skip->t : 0), a->h, a->w, o);
  v = vol (m->ping[0], o[0], c->cout, o[1], o[2]);
  *z = vol (m->ping[1], o[0], c->cout, 2 * o[1], 2 * o[2]);
  return sal_conv3d_run_times (m->layers, c, a, 0, skip, skip_head, &v, 0,
      0, 0, o[0], error)
      && sal_upsample2_hw (m->layers, &v, z, error);
}

static gboolean
decoder (SalModel * m, SalTensor * out, GError ** error)
{
  const int h1 = VINET_H / 2, w1 = VINET_W / 2;
  SalVol y3 = vol (m->y3[last_phase (m)], 16, 192, h1 / 2, w1 / 2);
  SalVol y2 = vol (m->y2, 16, 480, h1 / 4, w1 / 4);
  SalVol y1 = vol (m->y1, 8, 832, h1 / 8, w1 / 8);
  SalVol y0 = vol (m->y0, 4, 1024, h1 / 16, w1 / 16);
  SalVol z1, z2, z3, z4, z5;
  SalVol u = vol (m->ping[0], 1, 32, VINET_H, VINET_W);
  SalVol map = vol (out->buf, 1, 1, VINET_H, VINET_W);

  return decode_up (m, 0, &y0, NULL, 0, &z1, error)     /* #12 */
      && decode_up (m, 1, &z1, &y1, 0, &z2, error)      /* #13, #14 */
      && decode_up (m, 2, &z2, &y2, 0, &z3, error)      /* #15, #16 */
      && decode_up (m, 3, &z3, &y3, m->head[last_phase (m)], &z4, error)
      && decode_up (m, 4, &z4, NULL, 0, &z5, error)     /* #19 */
      && conv (m, m->dec[5], &z5, &u, 0, error) /* #20 */
      && conv (m, m->dec[6], &u, &map, 0, error);       /* #21 */
}

gboolean
vinet_forward (SalModel * m, const SalTensor * rgb, SalTensor * out,
    gboolean still, GError ** error)
{
  int oldest = 0;

  if (rgb->c != 3 || rgb->h != VINET_H || rgb->w != VINET_W
      || out->c != 1 || out->h != VINET_H || out->w != VINET_W) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "vinet-s runs at 3x%dx%d only (got %dx%dx%d)", VINET_H, VINET_W,
        rgb->c, rgb->h, rgb->w);
    return FALSE;
  }
  /* A still image is a clip of itself: the rings restart from it, and the
   * next video frame starts afresh. */
  if (still)
    vinet_reset (m);
  if (!push_frame (m, rgb, &oldest, error)
      || !encoder (m, oldest, error) || !decoder (m, out, error))
    return FALSE;
  if (still)
    vinet_reset (m);
  return TRUE;
}
