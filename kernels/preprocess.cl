/* Frame (any supported pixel format, any size) -> normalised planar RGB
 * tensor at the network size, in one pass. Downscaling averages the source
 * footprint (area filter) so that small features do not alias; upscaling
 * and 1:1 are bilinear (exact at 1:1). */

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

inline float3
read_rgb (__global const uchar *buf, int fmt, int x, int y, int4 off,
    int4 stride)
{
  __global const uchar *p;

  switch (fmt) {
    case F_RGBx:
    case F_RGBA:
      p = buf + off.s0 + y * stride.s0 + x * 4;
      return (float3) (p[0], p[1], p[2]);
    case F_BGRx:
    case F_BGRA:
      p = buf + off.s0 + y * stride.s0 + x * 4;
      return (float3) (p[2], p[1], p[0]);
    case F_RGB:
      p = buf + off.s0 + y * stride.s0 + x * 3;
      return (float3) (p[0], p[1], p[2]);
    case F_BGR:
      p = buf + off.s0 + y * stride.s0 + x * 3;
      return (float3) (p[2], p[1], p[0]);
    case F_GRAY8:{
      float g = buf[off.s0 + y * stride.s0 + x];
      return (float3) (g, g, g);
    }
    default:{
      /* I420 / NV12, BT.601 limited range as videoconvert assumes for SD. */
      float Y = buf[off.s0 + y * stride.s0 + x];
      float U, V;
      if (fmt == F_I420) {
        U = buf[off.s1 + (y / 2) * stride.s1 + x / 2];
        V = buf[off.s2 + (y / 2) * stride.s2 + x / 2];
      } else {
        p = buf + off.s1 + (y / 2) * stride.s1 + (x / 2) * 2;
        U = p[0];
        V = p[1];
      }
      float c = 1.164383f * (Y - 16.0f);
      float3 rgb = (float3) (c + 1.596027f * (V - 128.0f),
          c - 0.391762f * (U - 128.0f) - 0.812968f * (V - 128.0f),
          c + 2.017232f * (U - 128.0f));
      return clamp (rgb, 0.0f, 255.0f);
    }
  }
}

/* Taps of one axis: bilinear when not shrinking, area otherwise. */
inline void
axis_span (int d, int n_src, int n_dst, int *first, int *last)
{
  if (n_src <= n_dst) {
    int i0, i1;
    float f;
    bilinear_taps (d, n_src, n_dst, &i0, &i1, &f);
    *first = i0;
    *last = i1;
  } else {
    float scale = (float) n_src / (float) n_dst;
    *first = (int) floor (d * scale);
    *last = min ((int) ceil ((d + 1) * scale), n_src) - 1;
  }
}

inline float
axis_weight (int i, int d, int n_src, int n_dst)
{
  if (n_src <= n_dst) {
    int i0, i1;
    float f;
    bilinear_taps (d, n_src, n_dst, &i0, &i1, &f);
    return (i == i0 ? 1.0f - f : 0.0f) + (i == i1 ? f : 0.0f);
  } else {
    float scale = (float) n_src / (float) n_dst;
    float lo = fmax ((float) i, d * scale);
    float hi = fmin ((float) (i + 1), (d + 1) * scale);
    return fmax (hi - lo, 0.0f) / scale;
  }
}

__kernel void
preprocess (__global const uchar *frame, int fmt, int fw, int fh,
    int4 off, int4 stride, __global float *out, int nw, int nh,
    float4 mean, float4 inv_std)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= nw || y >= nh)
    return;

  int x0, x1, y0, y1;
  axis_span (x, fw, nw, &x0, &x1);
  axis_span (y, fh, nh, &y0, &y1);

  float3 acc = (float3) (0.0f);
  for (int sy = y0; sy <= y1; sy++) {
    float wy = axis_weight (sy, y, fh, nh);
    if (wy == 0.0f)
      continue;
    float3 row = (float3) (0.0f);
    for (int sx = x0; sx <= x1; sx++) {
      float wx = axis_weight (sx, x, fw, nw);
      if (wx != 0.0f)
        row += wx * read_rgb (frame, fmt, sx, sy, off, stride);
    }
    acc += wy * row;
  }

  int plane = nw * nh, i = y * nw + x;
  out[i] = (acc.x / 255.0f - mean.x) * inv_std.x;
  out[plane + i] = (acc.y / 255.0f - mean.y) * inv_std.y;
  out[2 * plane + i] = (acc.z / 255.0f - mean.z) * inv_std.z;
}
