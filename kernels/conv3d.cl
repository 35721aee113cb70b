/* 3D convolutions and pooling on time-major volumes [T][C][H][W]
 * (src/layers/sal-conv3d.c, sal-pool3d.c).
 *
 * conv3d: out = act (conv3d (in) + bias), grouped, any kernel, stride and
 * zero padding per axis. The input along time is the concatenation of two
 * volumes a (ta slices, read as a ring starting at slice a_head) and b (tb
 * slices, may be empty), so a clip ring and the decoder's time
 * concatenations are read where they lie. The output is written at channel
 * out_c0 and time out_t0 of a volume with out_c channels (branches of a
 * block, a ring slot); only output times t_first .. ot - 1 are computed
 * (t_first goes to out_t0).
 *
 * A work-item computes NV runs of 16 adjacent output pixels of one row
 * times CO output channels of one group, in float16 accumulators (PoCL
 * vectorises explicit vectors, not work-items with inner loops): per tap,
 * NV vector loads and CO weight broadcasts feed NV * CO FMAs. Convs that
 * are 1x1 in space with stride 1 are given as one row of h * w pixels by
 * the host. wt is [g][cin_g][kt][kh][kw][cpad] (the CO weights of a tap
 * adjacent; cpad = cout_g rounded up to CO, zero filled), bias [g][cpad].
 * Global size: (g * ceil (cout_g / CO), row runs of 16 * NV, ot * oh):
 * the channel blocks of one run are neighbours, so its input is fetched
 * from memory once and read from cache by the others. */

/* 16 values of `row` at columns x, x + sw, ...: plain loads when they are
 * all inside (stride 1 or 2), one load and a lane shift when a stride-1 run
 * overhangs an edge by one column (3x3 kernels with padding 1), else
 * gathered; `pad` stands for columns outside [0, w). */
inline float16
c3_load (__global const float *row, int w, int x, int sw, float pad)
{
  if (x >= 0 && x + 15 * sw < w) {
    if (sw == 1)
      return vload16 (0, row + x);
    if (sw == 2)
      return (float16) (vload16 (0, row + x).even,
          vload16 (0, row + x + 15).odd);
  }
  if (sw == 1 && w >= 16) {
    if (x == -1) {
      float16 v = vload16 (0, row);
      return (float16) (pad, v.s0123, v.s4567, v.s89ab, v.scde);
    }
    if (x == w - 15) {
      float16 v = vload16 (0, row + w - 16);
      return (float16) (v.s1234, v.s5678, v.s9abc, v.sdef, pad);
    }
  }
  float g[16];
  for (int i = 0; i < 16; i++) {
    int xi = x + i * sw;
    g[i] = xi >= 0 && xi < w ? row[xi] : pad;
  }
  return vload16 (0, g);
}

/* The taps of one input row (channel ci, time dt, kernel row dy) for the
 * NV x CO tile: wk points at the row's weights, [kw][cpad] from c0. */

/* Any kw and stride: gathered loads where a run leaves the row. */
#define ROW_ANY(NV, CO)                                                      \
  for (int dx = 0; dx < kw; dx++) {                                          \
    float16 xv[NV];                                                          \
    _Pragma ("unroll")                                                       \
    for (int v = 0; v < NV; v++)                                             \
      xv[v] = c3_load (row, w, (x0 + 16 * v) * sw - pw + dx, sw, 0.0f);      \
    _Pragma ("unroll")                                                       \
    for (int j = 0; j < CO; j++) {                                           \
      float16 wj = (float16) wk[dx * cpad + j];                              \
      _Pragma ("unroll")                                                     \
      for (int v = 0; v < NV; v++)                                           \
        acc[v][j] = fma (wj, xv[v], acc[v][j]);                              \
    }                                                                        \
  }

/* 1x1 in space (the plane is one row of h * w >= 16 * NV pixels): plain
 * vector loads, nothing else in the loop (as conv_pw_48x8 in conv.cl). */
#define ROW_PW(NV, CO)                                                       \
  {                                                                          \
    float16 xv[NV];                                                          \
    _Pragma ("unroll")                                                       \
    for (int v = 0; v < NV; v++)                                             \
      xv[v] = vload16 (v, row + x0);                                         \
    _Pragma ("unroll")                                                       \
    for (int j = 0; j < CO; j++) {                                           \
      float16 wj = (float16) wk[j];                                          \
      _Pragma ("unroll")                                                     \
      for (int v = 0; v < NV; v++)                                           \
        acc[v][j] = fma (wj, xv[v], acc[v][j]);                              \
    }                                                                        \
  }

/* kw = 3, stride 1, padding 1, rows of w >= 16 * NV: per run, the centre
 * load and its neighbours one column either side, which at a row's edge
 * are the centre shifted by a lane with the zero padding brought in (a
 * load there would leave the row, or the buffer). */
#define ROW_K3(NV, CO)                                                       \
  {                                                                          \
    float16 xl[NV], xm[NV], xr[NV];                                          \
    _Pragma ("unroll")                                                       \
    for (int v = 0; v < NV; v++) {                                           \
      int xs = x0 + 16 * v;                                                  \
      float16 m = vload16 (0, row + xs);                                     \
      xm[v] = m;                                                             \
      if (xs > 0)                                                            \
        xl[v] = vload16 (0, row + xs - 1);                                   \
      else                                                                   \
        xl[v] = (float16) (0.0f, m.s0123, m.s4567, m.s89ab, m.scde);         \
      if (xs + 16 < w)                                                       \
        xr[v] = vload16 (0, row + xs + 1);                                   \
      else                                                                   \
        xr[v] = (float16) (m.s1234, m.s5678, m.s9abc, m.sdef, 0.0f);         \
    }                                                                        \
    _Pragma ("unroll")                                                       \
    for (int j = 0; j < CO; j++) {                                           \
      float16 w0 = (float16) wk[j], w1 = (float16) wk[cpad + j];             \
      float16 w2 = (float16) wk[2 * cpad + j];                               \
      _Pragma ("unroll")                                                     \
      for (int v = 0; v < NV; v++)                                           \
        acc[v][j] = fma (w2, xr[v], fma (w1, xm[v], fma (w0, xl[v],          \
                    acc[v][j])));                                            \
    }                                                                        \
  }

#define CONV3D_KERNEL(NAME, NV, CO, ROW)                                     \
__kernel void                                                                \
NAME (__global const float *a, __global const float *b,                      \
    __global const float *wt, __global const float *bias,                    \
    __global float *out, int ta, int a_head, int tb, int cin, int h, int w,  \
    int groups, int cin_g, int cout_g, int cpad, int kt, int kh, int kw,     \
    int st, int sh, int sw, int pt, int ph, int pw, int ot, int oh, int ow,  \
    int out_c, int out_c0, int out_t0, int act, int t_first, int b_head)     \
{                                                                            \
  int blocks = cpad / CO, z = get_global_id (0);                             \
  int run = get_global_id (2) * (16 * NV);                                   \
  int to = t_first + get_global_id (1) / oh;                                 \
  int oy = get_global_id (1) % oh, g = z / blocks, c0 = z % blocks * CO;     \
  if (run >= ow || to >= ot || g >= groups)                                  \
    return;                                                                  \
  /* A run past the row's end is moved back to end there; lanes before    \
   * `run` belong to the previous work-item and are not stored. */          \
  int x0 = max (min (run, ow - 16 * NV), 0);                                 \
  int hw = h * w, taps = kt * kh * kw;                                       \
  float16 acc[NV][CO];                                                       \
  _Pragma ("unroll")                                                         \
  for (int j = 0; j < CO; j++) {                                             \
    _Pragma ("unroll")                                                       \
    for (int v = 0; v < NV; v++)                                             \
      acc[v][j] = (float16) bias[g * cpad + c0 + j];                         \
  }                                                                          \
  for (int dt = 0; dt < kt; dt++) {                                          \
    int ti = to * st - pt + dt;                                              \
    if (ti < 0 || ti >= ta + tb)                                             \
      continue;                                                              \
    __global const float *src = ti < ta ?                                    \
        a + (size_t) ((a_head + ti) % ta) * cin * hw :                       \
        b + (size_t) ((b_head + ti - ta) % tb) * cin * hw;                   \
    src += (size_t) g * cin_g * hw;                                          \
    for (int dy = 0; dy < kh; dy++) {                                        \
      int y = oy * sh - ph + dy;                                             \
      if (y < 0 || y >= h)                                                   \
        continue;                                                            \
      __global const float *row = src + y * w;                               \
      __global const float *wk = wt + ((size_t) g * cin_g * taps             \
          + (dt * kh + dy) * kw) * cpad + c0;                                \
      for (int ci = 0; ci < cin_g; ci++) {                                   \
        ROW (NV, CO)                                                         \
        row += hw;                                                           \
        wk += taps * cpad;                                                   \
      }                                                                      \
    }                                                                        \
  }                                                                          \
  __global float *dst = out + ((size_t) (out_t0 + to - t_first) * out_c     \
      + out_c0                                                               \
      + g * cout_g + c0) * oh * ow + oy * ow;                                \
  _Pragma ("unroll")                                                         \
  for (int j = 0; j < CO; j++) {                                             \
    if (c0 + j < cout_g) {                                                   \
      _Pragma ("unroll")                                                     \
      for (int v = 0; v < NV; v++) {                                         \
        float16 r = apply_act16 (acc[v][j], act);                            \
        int xs = x0 + 16 * v;                                                \
        if (xs >= run && xs + 16 <= ow) {                                    \
          vstore16 (r, 0, dst + j * oh * ow + xs);                           \
        } else {                                                             \
          float t[16];                                                       \
          vstore16 (r, 0, t);                                                \
          for (int l = max (run - xs, 0); l < min (16, ow - xs); l++)        \
            dst[j * oh * ow + xs + l] = t[l];                                \
        }                                                                    \
      }                                                                      \
    }                                                                        \
  }                                                                          \
}

/* 48 pixels x 8 channels: 24 accumulators, 11 loads per 24 FMAs (rows of
 * at least 48 pixels); 16 x 16 for narrower rows. Each with the row forms
 * above (the host picks: sal-conv3d.c). */
CONV3D_KERNEL (conv3d_48x8, 3, 8, ROW_ANY)
CONV3D_KERNEL (conv3d_16x16, 1, 16, ROW_ANY)
CONV3D_KERNEL (conv3d_pw_48x8, 3, 8, ROW_PW)
CONV3D_KERNEL (conv3d_pw_16x16, 1, 16, ROW_PW)
CONV3D_KERNEL (conv3d_k3_48x8, 3, 8, ROW_K3)
CONV3D_KERNEL (conv3d_k3_16x16, 1, 16, ROW_K3)

/* Max pooling with implicit -inf padding, floor mode: a run of 16 outputs
 * of a row per work-item; the input's time index i is slice (head + i)
 * mod t (a ring). Global size: (runs of 16, oh, ot * c). */
__kernel void
maxpool3d (__global const float *in, __global float *out, int t, int c,
    int h, int w, int kt, int kh, int kw, int st, int sh, int sw, int pt,
    int ph, int pw, int ot, int oh, int ow, int head)
{
  int run = get_global_id (0) * 16, oy = get_global_id (1);
  int z = get_global_id (2), to = z / c, ch = z % c;
  if (run >= ow || oy >= oh || to >= ot)
    return;
  int x0 = max (min (run, ow - 16), 0);
  float16 m = (float16) (-INFINITY);
  for (int dt = 0; dt < kt; dt++) {
    int ti = to * st - pt + dt;
    if (ti < 0 || ti >= t)
      continue;
    __global const float *plane = in + ((size_t) ((head + ti) % t) * c
        + ch) * h * w;
    for (int dy = 0; dy < kh; dy++) {
      int y = oy * sh - ph + dy;
      if (y < 0 || y >= h)
        continue;
      for (int dx = 0; dx < kw; dx++)
        m = fmax (m, c3_load (plane + y * w, w, x0 * sw - pw + dx, sw,
                -INFINITY));
    }
  }
  __global float *dst = out + (((size_t) to * c + ch) * oh + oy) * ow;
  if (x0 == run && x0 + 16 <= ow) {
    vstore16 (m, 0, dst + x0);
  } else {
    float r[16];
    vstore16 (m, 0, r);
    for (int l = run - x0; l < min (16, ow - x0); l++)
      dst[x0 + l] = r[l];
  }
}

/* The 3x3x3 pool with stride 1 and padding 1 (S3D's Mixed blocks): a
 * work-item slides down a column run of 16, keeping the max over time and
 * width of three input rows, so each input row is loaded once (9 loads per
 * output run instead of 27). Global size: (runs of 16, 1, t * c). */
inline float16
pool_row (__global const float *in, int t, int c, int h, int w, int to,
    int ch, int y, int x0)
{
  float16 m = (float16) (-INFINITY);
  for (int ti = max (to - 1, 0); ti <= min (to + 1, t - 1); ti++) {
    __global const float *row = in + (((size_t) ti * c + ch) * h + y) * w;
    m = fmax (m, fmax (c3_load (row, w, x0 - 1, 1, -INFINITY),
            fmax (c3_load (row, w, x0, 1, -INFINITY),
                c3_load (row, w, x0 + 1, 1, -INFINITY))));
  }
  return m;
}

__kernel void
maxpool3d_333 (__global const float *in, __global float *out, int t, int c,
    int h, int w)
{
  int run = get_global_id (0) * 16, z = get_global_id (2);
  int to = z / c, ch = z % c;
  if (run >= w || to >= t)
    return;
  int x0 = max (min (run, w - 16), 0);
  float16 above = (float16) (-INFINITY);
  float16 here = pool_row (in, t, c, h, w, to, ch, 0, x0);
  __global float *dst = out + ((size_t) to * c + ch) * h * w;
  for (int y = 0; y < h; y++) {
    float16 below = y + 1 < h ?
        pool_row (in, t, c, h, w, to, ch, y + 1, x0) : (float16) (-INFINITY);
    float16 m = fmax (above, fmax (here, below));
    if (x0 == run && x0 + 16 <= w) {
      vstore16 (m, 0, dst + y * w + x0);
    } else {
      float r[16];
      vstore16 (m, 0, r);
      for (int l = run - x0; l < min (16, w - x0); l++)
        dst[y * w + x0 + l] = r[l];
    }
    above = here;
    here = below;
  }
}

/* x2 bilinear upsampling with half-pixel centres (align_corners=False) of
 * every plane: out[2i] = 0.25 in[i-1] + 0.75 in[i], out[2i+1] = 0.75 in[i]
 * + 0.25 in[i+1] per axis, edges repeated. A work-item slides down a run of
 * 16 output columns (8 input columns), widening each input row once and
 * blending it into the four output rows it feeds. Needs w >= 8. Global
 * size: (ceil (2w / 16), 1, planes). */
inline float16
up2_row (__global const float *row, int w, int i0)
{
  float8 a = vload8 (0, row + i0);
  float8 l = i0 > 0 ? vload8 (0, row + i0 - 1) :
      (float8) (a.s0, a.s0, a.s1, a.s2, a.s3, a.s4, a.s5, a.s6);
  float8 r = i0 + 8 < w ? vload8 (0, row + i0 + 1) :
      (float8) (a.s1, a.s2, a.s3, a.s4, a.s5, a.s6, a.s7, a.s7);
  float8 even = 0.25f * l + 0.75f * a, odd = 0.75f * a + 0.25f * r;
  return shuffle2 (even, odd, (uint16) (0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5,
          13, 6, 14, 7, 15));
}

inline void
up2_store (__global float *dst, float16 v, int x0, int first)
{
  if (first == 0) {
    vstore16 (v, 0, dst + x0);
  } else {
    float t[16];
    vstore16 (v, 0, t);
    for (int l = first; l < 16; l++)
      dst[x0 + l] = t[l];
  }
}

__kernel void
upsample2 (__global const float *in, __global float *out, int h, int w)
{
  int run = get_global_id (0) * 16, p = get_global_id (2);
  if (run >= 2 * w)
    return;
  int i0 = min (run / 2, w - 8), x0 = 2 * i0, first = run - x0;
  __global const float *src = in + (size_t) p * h * w;
  __global float *dst = out + (size_t) p * 4 * h * w;
  float16 prev = up2_row (src, w, i0), cur = prev;
  for (int j = 0; j < h; j++) {
    float16 next = j + 1 < h ? up2_row (src + (j + 1) * w, w, i0) : cur;
    up2_store (dst + (2 * j) * 2 * w, 0.25f * prev + 0.75f * cur, x0, first);
    up2_store (dst + (2 * j + 1) * 2 * w, 0.75f * cur + 0.25f * next, x0,
        first);
    prev = cur;
    cur = next;
  }
}
