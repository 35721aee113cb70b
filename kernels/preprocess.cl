/* Frame (any supported pixel format, any size) -> normalised planar RGB
 * tensor at the network size, in one pass over the frame as it arrives.
 * Downscaling averages the source footprint (area filter) so that small
 * features do not alias; upscaling and 1:1 are bilinear (exact at 1:1).
 *
 * One work-item per output pixel walks the rows of its footprint; a row's
 * taps are contiguous bytes, and neighbouring work-items read neighbouring
 * bytes, so each source byte comes from memory once. The filter is
 * separable: inner taps of the area filter all weigh the same, so a row is
 * summed unweighted (exact: integers) and only its two end taps carry a
 * fraction. */

/* Must match SalPixelFormat. */
#define F_RGBx 0
#define F_BGRx 1
#define F_RGBA 2
#define F_BGRA 3
#define F_RGB 4
#define F_BGR 5
#define F_I420 6
#define F_NV12 7
#define F_GRAY8 8

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

/* BT.601 limited range, as videoconvert assumes for SD; clamped per pixel
 * (before any averaging) as a converted frame would be. */
inline float4
yuv_to_rgb (float Y, float U, float V)
{
  float c = 1.164383f * (Y - 16.0f);
  float4 rgb = (float4) (c + 1.596027f * (V - 128.0f),
      c - 0.391762f * (U - 128.0f) - 0.812968f * (V - 128.0f),
      c + 2.017232f * (U - 128.0f), 0.0f);
  return clamp (rgb, 0.0f, 255.0f);
}

/* A weighted row sum, pixel i read as READ (i): the end taps weighted, the
 * ones between summed as they are. */
#define ROW_SUM(t, READ)                                        \
  do {                                                          \
    sum = (t).w_first * READ ((t).first);                       \
    if ((t).last > (t).first) {                                 \
      float4 mid = (float4) (0.0f);                             \
      for (int i = (t).first + 1; i < (t).last; i++)            \
        mid += READ (i);                                        \
      sum += mid + (t).w_last * READ ((t).last);                \
    }                                                           \
  } while (0)

#define READ_4(i) convert_float4 (vload4 ((i), row))
#define READ_3(i) (float4) (convert_float3 (vload3 ((i), row)), 0.0f)
#define READ_GRAY(i) (float4) ((float) row[i])
#define READ_I420(i) yuv_to_rgb (row[i], u[(i) / 2], v[(i) / 2])
#define READ_NV12(i) yuv_to_rgb (row[i], uv[(i) / 2 * 2], uv[(i) / 2 * 2 + 1])

/* Sum of source row y over the taps tx, channels in memory order (the
 * caller swaps R and B). */
inline float4
row_sum (__global const uchar *p0, __global const uchar *p1,
    __global const uchar *p2, int fmt, int4 stride, int y, Taps tx)
{
  __global const uchar *row = p0 + y * stride.s0;
  float4 sum;

  switch (fmt) {
    case F_RGBx:
    case F_BGRx:
    case F_RGBA:
    case F_BGRA:
      ROW_SUM (tx, READ_4);
      break;
    case F_RGB:
    case F_BGR:
      ROW_SUM (tx, READ_3);
      break;
    case F_I420:{
      __global const uchar *u = p1 + (y / 2) * stride.s1;
      __global const uchar *v = p2 + (y / 2) * stride.s2;
      ROW_SUM (tx, READ_I420);
      break;
    }
    case F_NV12:{
      __global const uchar *uv = p1 + (y / 2) * stride.s1;
      ROW_SUM (tx, READ_NV12);
      break;
    }
    default:
      ROW_SUM (tx, READ_GRAY);
      break;
  }
  return sum;
}

/* p0..p2: the planes (the same buffer where a format has fewer). */
__kernel void
preprocess (__global const uchar *p0, __global const uchar *p1,
    __global const uchar *p2, int fmt, int fw, int fh, int4 stride,
    __global float *out, int nw, int nh, float4 mean, float4 inv_std)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= nw || y >= nh)
    return;

  Taps tx = axis_taps (x, fw, nw), ty = axis_taps (y, fh, nh);
  float4 acc = ty.w_first * row_sum (p0, p1, p2, fmt, stride, ty.first, tx);
  if (ty.last > ty.first) {
    float4 mid = (float4) (0.0f);
    for (int sy = ty.first + 1; sy < ty.last; sy++)
      mid += row_sum (p0, p1, p2, fmt, stride, sy, tx);
    acc += mid + ty.w_last * row_sum (p0, p1, p2, fmt, stride, ty.last, tx);
  }
  acc *= tx.norm * ty.norm / 255.0f;
  if (fmt == F_BGRx || fmt == F_BGRA || fmt == F_BGR)
    acc = acc.zyxw;

  int plane = nw * nh, i = y * nw + x;
  out[i] = (acc.x - mean.x) * inv_std.x;
  out[plane + i] = (acc.y - mean.y) * inv_std.y;
  out[2 * plane + i] = (acc.z - mean.z) * inv_std.z;
}
