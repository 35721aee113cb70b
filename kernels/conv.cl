/* Convolutions on CHW float32 planes: out = act (conv (in) + bias) [+ res].
 *
 * Every kernel works on runs of 16 adjacent output pixels held in a float16,
 * because CPU OpenCL compilers (PoCL) do not vectorise across work-items
 * once a kernel has an inner loop: explicit vectors are what reaches the
 * SIMD units, and a GPU simply sees 16-wide work-items. A run that would
 * cross the end of a row (or plane) is shifted back to end there and only
 * stores the pixels it owns, so no lane reads or writes out of bounds and
 * nothing is computed twice into memory. res may alias out: each pixel's
 * residual is read by the work-item that writes it. */

/* Stores lanes [first, count) of acc at dst[x0 ..], after the activation
 * and the optional residual at res[x0 ..]. */
inline void
store16 (float16 acc, __global float *dst, __global const float *res,
    int x0, int first, int count, int act, int has_res)
{
  float16 v = apply_act16 (acc, act);

  if (first == 0 && count == 16) {
    if (has_res)
      v += vload16 (0, res + x0);
    vstore16 (v, 0, dst + x0);
    return;
  }

  float t[16];
  vstore16 (v, 0, t);
  for (int l = first; l < count; l++)
    dst[x0 + l] = has_res ? t[l] + res[x0 + l] : t[l];
}

/* ---- Pointwise: 1x1, stride 1, no padding, dense. ----
 * wt is [cin][cpad] (transposed, cout padded with zeros to a multiple of
 * 16) so the CO weights a work-item needs per input channel are adjacent;
 * bias is [cpad]. A work-item computes NV runs of 16 pixels times CO output
 * channels: per input channel, NV vector loads and CO weight broadcasts
 * feed NV * CO FMAs into float16 accumulators, which with the loaded
 * vectors must fit AVX-512's 32 registers. The plane is treated as one row
 * of h*w pixels. */

/* Fallback for planes smaller than one run, and the reference form. */
inline void
pw_scalar (__global const float *in, __global const float *wt,
    __global const float *bias, __global const float *res,
    __global float *out, int cin, int cout, int cpad, int hw, int act,
    int has_res, int p0, int n_px, int c0, int n_co)
{
  for (int p = p0; p < min (p0 + n_px, hw); p++) {
    for (int j = 0; j < n_co && c0 + j < cout; j++) {
      float acc = bias[c0 + j];
      for (int ci = 0; ci < cin; ci++)
        acc = fma (wt[ci * cpad + c0 + j], in[ci * hw + p], acc);
      acc = apply_act (acc, act);
      if (has_res)
        acc += res[(c0 + j) * hw + p];
      out[(c0 + j) * hw + p] = acc;
    }
  }
}

/* PD: the NDRange dimension of the pixel runs (the other one: channel
 * blocks). */
#define PW_KERNEL(NAME, NV, CO, PD)                                          \
__kernel void                                                                \
NAME (__global const float *in, __global const float *wt,                    \
    __global const float *bias, __global const float *res,                   \
    __global float *out, int cin, int cout, int cpad, int hw, int act,       \
    int has_res)                                                             \
{                                                                            \
  int p0 = get_global_id (PD) * (16 * NV), c0 = get_global_id (1 - PD) * CO; \
  if (p0 >= hw || c0 >= cout)                                                \
    return;                                                                  \
  if (hw < 16 * NV) {                                                        \
    pw_scalar (in, wt, bias, res, out, cin, cout, cpad, hw, act, has_res,    \
        p0, 16 * NV, c0, CO);                                                \
    return;                                                                  \
  }                                                                          \
  int x0 = min (p0, hw - 16 * NV);                                           \
  float16 acc[NV][CO];                                                       \
  _Pragma ("unroll")                                                         \
  for (int j = 0; j < CO; j++) {                                             \
    _Pragma ("unroll")                                                       \
    for (int v = 0; v < NV; v++)                                             \
      acc[v][j] = (float16) bias[c0 + j];                                    \
  }                                                                          \
  __global const float *x = in + x0;                                         \
  __global const float *w = wt + c0;                                         \
  for (int ci = 0; ci < cin; ci++) {                                         \
    float16 xv[NV];                                                          \
    _Pragma ("unroll")                                                       \
    for (int v = 0; v < NV; v++)                                             \
      xv[v] = vload16 (v, x);                                                \
    _Pragma ("unroll")                                                       \
    for (int j = 0; j < CO; j++) {                                           \
      float16 wj = (float16) w[j];                                           \
      _Pragma ("unroll")                                                     \
      for (int v = 0; v < NV; v++)                                           \
        acc[v][j] = fma (wj, xv[v], acc[v][j]);                              \
    }                                                                        \
    x += hw;                                                                 \
    w += cpad;                                                               \
  }                                                                          \
  _Pragma ("unroll")                                                         \
  for (int j = 0; j < CO; j++) {                                             \
    if (c0 + j < cout) {                                                     \
      _Pragma ("unroll")                                                     \
      for (int v = 0; v < NV; v++)                                           \
        store16 (acc[v][j], out + (c0 + j) * hw, res + (c0 + j) * hw,        \
            x0 + 16 * v, max (p0 - x0 - 16 * v, 0), 16, act, has_res);       \
    }                                                                        \
  }                                                                          \
}

/* 48 pixels x 8 channels: 24 accumulators, and the fewest loads per FMA
 * of the tiles that fit the registers (11 per 24 FMAs); measured fastest
 * on nearly every 1x1 conv of UNISAL. Two orders of the work-items: pixel
 * runs fastest (each weight block stays cached while the input streams
 * through) or channel blocks fastest (_t: each input block stays cached
 * while the weights stream); the host picks by the input's size. */
PW_KERNEL (conv_pw_48x8, 3, 8, 0)
PW_KERNEL (conv_pw_48x8_t, 3, 8, 1)
/* 16 pixels x 16 channels, for planes smaller than one 48-pixel run. */
PW_KERNEL (conv_pw_16x16, 1, 16, 0)

/* ---- Helpers of the spatial kernels ---- */

/* 16 values of input row `row` (w wide) at columns x0 + i * stride,
 * padded with zeros or the edge pixel. */
inline float16
load_row16 (__global const float *row, int w, int x0, int stride,
    int replicate)
{
  if (x0 >= 0 && x0 + 15 * stride < w) {
    if (stride == 1)
      return vload16 (0, row + x0);
    if (stride == 2) {
      /* b starts one further so it never reads past x0 + 30. */
      float16 a = vload16 (0, row + x0), b = vload16 (0, row + x0 + 15);
      return (float16) (a.even, b.odd);
    }
  }

  float g[16];
  for (int i = 0; i < 16; i++) {
    int x = x0 + i * stride;
    if (replicate)
      g[i] = row[clamp (x, 0, w - 1)];
    else
      g[i] = (x >= 0 && x < w) ? row[x] : 0.0f;
  }
  return vload16 (0, g);
}

/* Input row for output row oy and kernel row ky: a valid row index, or -1
 * for a zero-padded row that contributes nothing. */
inline int
source_row (int oy, int ky, int stride, int pad, int h, int replicate)
{
  int y = oy * stride - pad + ky;
  if (replicate)
    return clamp (y, 0, h - 1);
  return (y >= 0 && y < h) ? y : -1;
}

/* ---- Per-plane: depthwise (groups == cin == cout), or one input and one
 * output channel. ----
 * wt is [c][k][k], bias [c]. A work-item computes a run of 16 pixels on
 * PLANE_ROWS consecutive output rows: each input row it loads serves every
 * output row it overlaps, and the rows' accumulators are independent
 * chains (one chain of FMAs would wait on each FMA's latency).
 * Global size: (runs of 16 along a row, ceil (oh / PLANE_ROWS), channels).
 * For each input row, a run whose span lies inside the row reads it
 * straight from memory; one at an edge first copies the padded span into a
 * private buffer (replicate or zeros), so the tap loop is a plain vector
 * load and FMA in both cases (per-tap gathers would cost 16 loads each:
 * the 41x41 smoothing would spend most of its time there). Spans that do
 * not fit the buffer (very large k or stride > 2) gather per tap. */
#define PLANE_ROWS 4
#define PLANE_SPAN 96

/* 16 values at stride 1 or 2 from src (__global or __private). */
#define PLANE_LOAD(src, stride)                                              \
  ((stride) == 1 ? vload16 (0, (src)) :                                      \
      (float16) (vload16 (0, (src)).even, vload16 (0, (src) + 15).odd))

/* For every tap kx of input row rr: the output rows j it feeds (kernel row
 * ky = rr - j * stride) accumulate wk[ky][kx] times the loaded vector. */
#define PLANE_ROW(LOAD)                                                      \
  do {                                                                       \
    for (int kx = 0; kx < k; kx++) {                                         \
      float16 v = LOAD;                                                      \
      _Pragma ("unroll")                                                     \
      for (int j = 0; j < PLANE_ROWS; j++) {                                 \
        int ky = rr - j * stride;                                            \
        if (ky >= 0 && ky < k)                                               \
          acc[j] = fma ((float16) wk[ky * k + kx], v, acc[j]);               \
      }                                                                      \
    }                                                                        \
  } while (0)

__kernel void
conv_plane (__global const float *in, __global const float *wt,
    __global const float *bias, __global const float *res,
    __global float *out, int w, int h, int ow, int oh, int c, int k,
    int stride, int pad, int replicate, int act, int has_res)
{
  int run = get_global_id (0) * 16, oy0 = get_global_id (1) * PLANE_ROWS;
  int ch = get_global_id (2);
  if (run >= ow || oy0 >= oh || ch >= c)
    return;

  int x0 = min (run, max (ow - 16, 0));
  int ix0 = x0 * stride - pad;
  /* Input columns [ix0, ix0 + span) feed the run. */
  int span = 15 * stride + k;
  int fast = stride <= 2;
  int inside = fast && ix0 >= 0 && ix0 + span <= w;
  int buffered = fast && !inside && span <= PLANE_SPAN;
  int rows = min (PLANE_ROWS, oh - oy0);
  __global const float *plane = in + ch * w * h;
  __global const float *wk = wt + ch * k * k;
  float16 acc[PLANE_ROWS];
  float buf[PLANE_SPAN];

#pragma unroll
  for (int j = 0; j < PLANE_ROWS; j++)
    acc[j] = (float16) bias[ch];

  /* Input rows of output rows oy0 .. oy0 + rows - 1. */
  for (int rr = 0; rr < (rows - 1) * stride + k; rr++) {
    int y = source_row (oy0, rr, stride, pad, h, replicate);
    if (y < 0)
      continue;
    __global const float *row = plane + y * w;
    if (inside) {
      PLANE_ROW (PLANE_LOAD (row + ix0 + kx, stride));
    } else if (buffered) {
      for (int i = 0; i < span; i++) {
        int x = ix0 + i;
        buf[i] = replicate ? row[clamp (x, 0, w - 1)] :
            (x >= 0 && x < w) ? row[x] : 0.0f;
      }
      PLANE_ROW (PLANE_LOAD (buf + kx, stride));
    } else {
      PLANE_ROW (load_row16 (row, w, ix0 + kx, stride, replicate));
    }
  }

  /* Constant indices (unrolled, tested) keep acc[] in registers. */
#pragma unroll
  for (int j = 0; j < PLANE_ROWS; j++) {
    if (j < rows) {
      int o = (ch * oh + oy0 + j) * ow;
      store16 (acc[j], out + o, res + o, x0, run - x0, min (16, ow - x0),
          act, has_res);
    }
  }
}

/* ---- Depthwise 3x3, padding 1, strides 1 and 2: conv_plane with every
 * loop unrolled, so which kernel row meets which output row is known at
 * compile time, and without buffers (MobileNet's depthwise convs, on the
 * network's largest planes). Same arguments as conv_plane. The host sends
 * only planes with ow >= 16 and w != 15 * stride + 1 (where one run would
 * touch both edges); others go to conv_plane. Global size: (runs of 16,
 * ceil (oh / DW3_ROWS), channels). */

/* Output rows per work-item (named accumulators a0..a7). */
#define DW3_ROWS 8

/* Adds kernel row ky = rr - j * S (if it is one) of the three loaded
 * vectors to output row j's accumulator. */
#define DW3_ROW(A, j)                                                        \
  do {                                                                       \
    int ky = rr - (j) * S;                                                   \
    if (ky >= 0 && ky < 3) {                                                 \
      A = fma ((float16) wg[ky * 3], v0, A);                                 \
      A = fma ((float16) wg[ky * 3 + 1], v1, A);                             \
      A = fma ((float16) wg[ky * 3 + 2], v2, A);                             \
    }                                                                        \
  } while (0)

/* The accumulators are named variables, not an array: PoCL's compiler
 * kept an array of them on the stack, which doubled the run time. So is
 * anything rarely run: scalar code for the border columns, or a second
 * copy of the loop for edge runs, slowed the hot loop down by its mere
 * presence. The edges are instead handled in registers: the run at the
 * left edge (input column -1) loads columns from 0 and shifts the padding
 * in, the one at the right edge (input column w) likewise; every load
 * stays inside the row. The stores loop over a copy of the accumulators
 * so that their code exists once. */
inline void
dw3 (__global const float *in, __global const float *wt,
    __global const float *bias, __global const float *res,
    __global float *out, int w, int h, int ow, int oh, int c,
    int replicate, int act, int has_res, const int S)
{
  const int pad = 1;
  int run = get_global_id (0) * 16, oy0 = get_global_id (1) * DW3_ROWS;
  int ch = get_global_id (2);
  if (run >= ow || oy0 >= oh || ch >= c)
    return;

  int x0 = min (run, ow - 16);
  int ix0 = x0 * S - pad;
  int left = ix0 < 0, right = ix0 + 15 * S + 3 > w;
  /* Where v0 and v2 load from: in-bounds stand-ins at the edges. */
  int o0 = left ? ix0 + 1 : ix0, o2 = right ? ix0 + 1 : ix0 + 2;
  int rows = min (DW3_ROWS, oh - oy0);
  __global const float *plane = in + ch * w * h;
  __global const float *wg = wt + ch * 9;
  float16 a0, a1, a2, a3, a4, a5, a6, a7;

  a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = (float16) bias[ch];
#pragma unroll
  for (int rr = 0; rr < (DW3_ROWS - 1) * S + 3; rr++) {
    int y = source_row (oy0, rr, S, pad, h, replicate);
    if (y < 0)
      continue;
    __global const float *row = plane + y * w;
    float16 v0 = PLANE_LOAD (row + o0, S);
    float16 v1 = PLANE_LOAD (row + ix0 + 1, S);
    float16 v2 = PLANE_LOAD (row + o2, S);
    /* Lane l of v0 is column ix0 + S * l: at the left edge that is lane
     * l - 1 of v1 (stride 1) or v2 (stride 2), after the padding; at the
     * right edge, lane l of v2 is lane l + 1 of v1 or v0. v1 holds the
     * edge pixels that replicate padding repeats. */
    float16 vl = S == 1 ? v1 : v2, vr = S == 1 ? v1 : v0;
    float lpad = replicate ? v1.s0 : 0.0f, rpad = replicate ? v1.sf : 0.0f;
    if (left)
      v0 = (float16) (lpad, vl.s0123, vl.s4567, vl.s89ab, vl.scde);
    if (right)
      v2 = (float16) (vr.s1234, vr.s5678, vr.s9abc, vr.sdef, rpad);
    DW3_ROW (a0, 0);
    DW3_ROW (a1, 1);
    DW3_ROW (a2, 2);
    DW3_ROW (a3, 3);
    DW3_ROW (a4, 4);
    DW3_ROW (a5, 5);
    DW3_ROW (a6, 6);
    DW3_ROW (a7, 7);
  }

  float16 acc[DW3_ROWS] = { a0, a1, a2, a3, a4, a5, a6, a7 };
  for (int j = 0; j < rows; j++) {
    int o = (ch * oh + oy0 + j) * ow;
    store16 (acc[j], out + o, res + o, x0, run - x0, 16, act, has_res);
  }
}

__kernel void
conv_dw3_s1 (__global const float *in, __global const float *wt,
    __global const float *bias, __global const float *res,
    __global float *out, int w, int h, int ow, int oh, int c, int k,
    int stride, int pad, int replicate, int act, int has_res)
{
  dw3 (in, wt, bias, res, out, w, h, ow, oh, c, replicate, act, has_res, 1);
}

__kernel void
conv_dw3_s2 (__global const float *in, __global const float *wt,
    __global const float *bias, __global const float *res,
    __global float *out, int w, int h, int ow, int oh, int c, int k,
    int stride, int pad, int replicate, int act, int has_res)
{
  dw3 (in, wt, bias, res, out, w, h, ow, oh, c, replicate, act, has_res, 2);
}

/* ---- Depthwise 3x3, stride 1, zero padding 1, on small planes (h * w <=
 * DW3_SMALL_MAX; those narrower than a run, such as UNISAL's 7x12
 * bottleneck): a work-item computes a whole channel, in runs of 16 over the
 * flattened plane. The plane is copied between zero rows into a private
 * buffer, so a tap (ky, kx) is one load at offset (ky - 1) * w + kx - 1
 * for every lane; only the lanes in the first and last columns then drop
 * their left or right taps. Global size: channels. */
#define DW3_SMALL_MAX 256

__kernel void
conv_dw3_small (__global const float *in, __global const float *wt,
    __global const float *bias, __global const float *res,
    __global float *out, int w, int h, int c, int act, int has_res)
{
  int ch = get_global_id (0);
  if (ch >= c)
    return;

  int hw = w * h, base = w + 1;
  __global const float *plane = in + ch * hw;
  __global const float *wg = wt + ch * 9;
  /* Zeros, the plane from base, zeros up to the last run's reach. */
  float buf[DW3_SMALL_MAX + 2 * 17 + 16];
  int n = base + hw + w + 1 + 16;

  for (int i = 0; i < base; i++)
    buf[i] = 0.0f;
  for (int i = 0; i < hw; i++)
    buf[base + i] = plane[i];
  for (int i = base + hw; i < n; i++)
    buf[i] = 0.0f;

  for (int p0 = 0; p0 < hw; p0 += 16) {
    int16 p = (int16) (p0) + (int16) (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
        12, 13, 14, 15);
    /* p % w without 16 integer divisions: a float quotient, corrected by
     * one where its rounding was off. */
    int16 x = p - convert_int16 (floor (convert_float16 (p) / (float) w)) * w;
    x = select (x, x + w, x < 0);
    x = select (x, x - w, x >= w);
    float16 acc = (float16) bias[ch];
    for (int ky = 0; ky < 3; ky++) {
      float *src = buf + base + p0 + (ky - 1) * w;
      acc = fma ((float16) wg[ky * 3],
          select (vload16 (0, src - 1), (float16) 0.0f, x == 0), acc);
      acc = fma ((float16) wg[ky * 3 + 1], vload16 (0, src), acc);
      acc = fma ((float16) wg[ky * 3 + 2],
          select (vload16 (0, src + 1), (float16) 0.0f, x == w - 1), acc);
    }
    store16 (acc, out + ch * hw, res + ch * hw, p0, 0, min (16, hw - p0),
        act, has_res);
  }
}

/* ---- Dense spatial convolution (any k, stride, padding; groups 1). ----
 * wt is [cin][k][k][cpad], bias [cpad] (cpad: cout rounded up to 16).
 * A work-item computes 16 pixels of a row times 16 output channels.
 * Global size: (runs of 16 along a row, out rows, ceil (cout / 16)). */
__kernel void
conv_dense (__global const float *in, __global const float *wt,
    __global const float *bias, __global const float *res,
    __global float *out, int w, int h, int ow, int oh, int cin, int cout,
    int cpad, int k, int stride, int pad, int replicate, int act,
    int has_res)
{
  int run = get_global_id (0) * 16, oy = get_global_id (1);
  int c0 = get_global_id (2) * 16;
  if (run >= ow || oy >= oh || c0 >= cout)
    return;

  int x0 = min (run, max (ow - 16, 0));
  int ix0 = x0 * stride - pad;
  float16 acc[16];
#pragma unroll
  for (int j = 0; j < 16; j++)
    acc[j] = (float16) bias[c0 + j];

  for (int ci = 0; ci < cin; ci++) {
    __global const float *plane = in + ci * w * h;
    for (int ky = 0; ky < k; ky++) {
      int y = source_row (oy, ky, stride, pad, h, replicate);
      if (y < 0)
        continue;
      __global const float *row = plane + y * w;
      for (int kx = 0; kx < k; kx++) {
        float16 v = load_row16 (row, w, ix0 + kx, stride, replicate);
        __global const float *wj = wt + ((ci * k + ky) * k + kx) * cpad + c0;
#pragma unroll
        for (int j = 0; j < 16; j++)
          acc[j] = fma ((float16) wj[j], v, acc[j]);
      }
    }
  }

#pragma unroll
  for (int j = 0; j < 16; j++) {
    if (c0 + j < cout) {
      int o = ((c0 + j) * oh + oy) * ow;
      store16 (acc[j], out + o, res + o, x0, run - x0, min (16, ow - x0),
          act, has_res);
    }
  }
}
