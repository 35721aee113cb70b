/* Frame (any supported pixel format, any size) -> normalised planar RGB
 * tensor at the network size, reading the frame once, as it arrives.
 * Downscaling averages the source footprint (area filter) so that small
 * features do not alias; upscaling and 1:1 are bilinear (exact at 1:1).
 *
 * The filter is separable, so it runs in two passes:
 *  1. preprocess_rows / preprocess_rows_yuv: each output row's vertical
 *     filter over the frame's rows, as wide vectors along each row (the
 *     taps of a row are the same for all its bytes): packed formats as
 *     plain byte columns, YUV converted to RGB per pixel first (the
 *     conversion clamps, so it cannot follow the averaging);
 *  2. preprocess_cols: the horizontal filter of those rows, the channels
 *     picked from their layout, then normalisation. */

/* The taps of one axis for one output index: source indices first..last;
 * first and last weigh w_first and w_last, those between weigh 1; norm
 * scales the weighted sum to an average. */
typedef struct
{
  int first, last;
  float w_first, w_last, norm;
} Taps;

inline Taps
axis_taps (int d, int n_src, int n_dst)
{
  Taps t;

  if (n_src <= n_dst) {
    float f;
    bilinear_taps (d, n_src, n_dst, &t.first, &t.last, &f);
    t.w_first = 1.0f - f;
    t.w_last = f;
    if (t.first == t.last)
      t.w_first += f;           /* clamped at the edge: one tap */
    t.norm = 1.0f;
  } else {
    /* The footprint [lo, hi) in source pixels; each tap weighs its
     * overlap with it, divided by the footprint's length. */
    float scale = (float) n_src / (float) n_dst;
    float lo = d * scale, hi = (d + 1) * scale;
    t.first = (int) floor (lo);
    t.last = min ((int) ceil (hi), n_src) - 1;
    t.w_first = fmax (fmin ((float) (t.first + 1), hi) - lo, 0.0f);
    t.w_last = fmax (fmin ((float) (t.last + 1), hi) - (float) t.last,
        0.0f);
    t.norm = 1.0f / scale;
  }
  return t;
}

/* The taps of both axes, once per geometry: x at [0, nw), y after. */
__kernel void
preprocess_taps (__global int2 *index, __global float4 *weight, int fw,
    int fh, int nw, int nh)
{
  int i = get_global_id (0);
  if (i >= nw + nh)
    return;

  Taps t = i < nw ? axis_taps (i, fw, nw) : axis_taps (i - nw, fh, nh);
  index[i] = (int2) (t.first, t.last);
  weight[i] = (float4) (t.w_first, t.w_last, t.norm, 0.0f);
}

inline Taps
load_taps (__global const int2 *index, __global const float4 *weight, int i)
{
  Taps t;
  int2 ix = index[i];
  float4 w = weight[i];

  t.first = ix.x;
  t.last = ix.y;
  t.w_first = w.x;
  t.w_last = w.y;
  t.norm = w.z;
  return t;
}

/* Weight of tap i (first <= i <= last). */
inline float
tap_weight (Taps t, int i)
{
  return i == t.first ? t.w_first : i == t.last ? t.w_last : 1.0f;
}

/* Pass 1 of packed formats and GRAY8: rows[y][b] = the vertical filter of
 * byte column b (of row_bytes) for output row y. A work-item takes
 * 16 * PACKED_VECS bytes of each row: whole cache lines, walked in order
 * (narrower columns leave the hardware prefetchers idle). */
#define PACKED_VECS 8
__kernel void
preprocess_rows (__global const uchar *frame, int stride, int row_bytes,
    __global const int2 *tap_ix, __global const float4 *tap_w,
    int nw, __global float *rows, int nh)
{
  int b = get_global_id (0) * 16 * PACKED_VECS, y = get_global_id (1);
  if (b >= row_bytes || y >= nh)
    return;

  Taps ty = load_taps (tap_ix, tap_w, nw + y);
  __global float *out = rows + (size_t) y * row_bytes + b;
  __global const uchar *col = frame + b;

  if (b + 16 * PACKED_VECS <= row_bytes) {
    float16 sum[PACKED_VECS];
    for (int k = 0; k < PACKED_VECS; k++)
      sum[k] = (float16) (0.0f);
    for (int sy = ty.first; sy <= ty.last; sy++) {
      __global const uchar *p = col + (size_t) sy * stride;
      float w = tap_weight (ty, sy);
      for (int k = 0; k < PACKED_VECS; k++)
        sum[k] += w * convert_float16 (vload16 (k, p));
    }
    for (int k = 0; k < PACKED_VECS; k++)
      vstore16 (sum[k] * ty.norm, k, out);
  } else {
    for (int k = 0; k < row_bytes - b; k++) {
      float sum = 0.0f;
      for (int sy = ty.first; sy <= ty.last; sy++)
        sum += tap_weight (ty, sy) * col[(size_t) sy * stride + k];
      out[k] = sum * ty.norm;
    }
  }
}

/* BT.601 limited range, as videoconvert assumes for SD; clamped per pixel
 * as a converted frame would be. For scalars and vectors alike. */
#define YUV_TO_RGB(type, Y, U, V, r, g, b)                              \
  do {                                                                  \
    type c_ = 1.164383f * (Y - 16.0f);                                  \
    r = clamp (c_ + 1.596027f * (V - 128.0f), 0.0f, 255.0f);            \
    g = clamp (c_ - 0.391762f * (U - 128.0f) - 0.812968f * (V - 128.0f),\
        0.0f, 255.0f);                                                  \
    b = clamp (c_ + 2.017232f * (U - 128.0f), 0.0f, 255.0f);            \
  } while (0)

/* Pass 1 of I420 and NV12: rows[y][c][x] = the vertical filter of channel
 * c of RGB column x for output row y. A work-item takes 64 pixels (whole
 * cache lines of luma), as 4 vectors of 16. I420 has U in cb and V in cr;
 * NV12 both interleaved in cb. */
#define YUV_VECS 4
__kernel void
preprocess_rows_yuv (__global const uchar *luma, __global const uchar *cb,
    __global const uchar *cr, int nv12, int4 stride, int fw,
    __global const int2 *tap_ix, __global const float4 *tap_w,
    int nw, __global float *rows, int nh)
{
  int x = get_global_id (0) * 16 * YUV_VECS, y = get_global_id (1);
  if (x >= fw || y >= nh)
    return;

  Taps ty = load_taps (tap_ix, tap_w, nw + y);
  __global float *out = rows + (size_t) y * 3 * fw;

  if (x + 16 * YUV_VECS <= fw) {
    float16 r[YUV_VECS], g[YUV_VECS], b[YUV_VECS];
    for (int k = 0; k < YUV_VECS; k++)
      r[k] = g[k] = b[k] = (float16) (0.0f);
    for (int sy = ty.first; sy <= ty.last; sy++) {
      __global const uchar *l = luma + (size_t) sy * stride.s0 + x;
      __global const uchar *c1 = cb + (size_t) (sy / 2) * stride.s1;
      __global const uchar *c2 = cr + (size_t) (sy / 2) * stride.s2;
      float w = tap_weight (ty, sy);
      for (int k = 0; k < YUV_VECS; k++) {
        int xk = x + 16 * k;
        float16 Y = convert_float16 (vload16 (k, l)), U, V, pr, pg, pb;
        if (nv12) {
          float16 uv = convert_float16 (vload16 (0, c1 + xk));
          U = uv.s0022446688aaccee;
          V = uv.s1133557799bbddff;
        } else {
          U = convert_float8 (vload8 (0, c1 + xk / 2)).s0011223344556677;
          V = convert_float8 (vload8 (0, c2 + xk / 2)).s0011223344556677;
        }
        YUV_TO_RGB (float16, Y, U, V, pr, pg, pb);
        r[k] += w * pr;
        g[k] += w * pg;
        b[k] += w * pb;
      }
    }
    for (int k = 0; k < YUV_VECS; k++) {
      vstore16 (r[k] * ty.norm, 0, out + x + 16 * k);
      vstore16 (g[k] * ty.norm, 0, out + fw + x + 16 * k);
      vstore16 (b[k] * ty.norm, 0, out + 2 * fw + x + 16 * k);
    }
  } else {
    for (int k = x; k < fw; k++) {
      float r = 0.0f, g = 0.0f, b = 0.0f;
      for (int sy = ty.first; sy <= ty.last; sy++) {
        __global const uchar *c1 = cb + (size_t) (sy / 2) * stride.s1;
        __global const uchar *c2 = cr + (size_t) (sy / 2) * stride.s2;
        float Y = luma[(size_t) sy * stride.s0 + k], U, V, pr, pg, pb;
        float w = tap_weight (ty, sy);
        U = nv12 ? c1[k / 2 * 2] : c1[k / 2];
        V = nv12 ? c1[k / 2 * 2 + 1] : c2[k / 2];
        YUV_TO_RGB (float, Y, U, V, pr, pg, pb);
        r += w * pr;
        g += w * pg;
        b += w * pb;
      }
      out[k] = r * ty.norm;
      out[fw + k] = g * ty.norm;
      out[2 * fw + k] = b * ty.norm;
    }
  }
}

/* Pass 2: the horizontal filter of pass 1's rows (row_len floats each;
 * pixel x's channels at x * px + ch.s0, .s1, .s2 for R, G, B), then
 * normalisation into the planar tensor. */
__kernel void
preprocess_cols (__global const float *rows, int row_len, int px, int4 ch,
    __global const int2 *tap_ix, __global const float4 *tap_w,
    __global float *out, int nw, int nh, float4 mean, float4 inv_std)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= nw || y >= nh)
    return;

  Taps tx = load_taps (tap_ix, tap_w, x);
  __global const float *row = rows + (size_t) y * row_len;
  float3 acc = (float3) (0.0f);

  for (int sx = tx.first; sx <= tx.last; sx++) {
    __global const float *p = row + sx * px;
    acc += tap_weight (tx, sx) * (float3) (p[ch.s0], p[ch.s1], p[ch.s2]);
  }
  acc *= tx.norm / 255.0f;

  int plane = nw * nh, i = y * nw + x;
  out[i] = (acc.x - mean.x) * inv_std.x;
  out[plane + i] = (acc.y - mean.y) * inv_std.y;
  out[2 * plane + i] = (acc.z - mean.z) * inv_std.z;
}
