/* Resizing every channel of a CHW tensor, with PyTorch's F.interpolate
 * semantics. One work-item per output pixel; rows = c * oh. */

/* Bilinear, align_corners=False, as PyTorch's CPU kernel computes it: the
 * source coordinate s = scale * (d + 0.5) - 0.5 has a float32 scale but is
 * evaluated in double (its accumulate type), which moves the weights by up
 * to ~1e-4 at large factors compared with float arithmetic (common.cl's
 * bilinear_taps). Without relying on doubles: fma gives the rounding error
 * e of the float product exactly, p - 0.5 is exact, so s = (p - 0.5) + e
 * and the weight is rounded once. */
inline void
torch_linear_taps (int d, int n_src, int n_dst, int *i0, int *i1,
    float *frac)
{
  float scale = (float) n_src / (float) n_dst;
  float t = (float) d + 0.5f;
  float p = scale * t;
  float e = fma (scale, t, -p);
  float s = p - 0.5f;
  int i;

  if (s < 0.0f || (s == 0.0f && e < 0.0f)) {
    /* PyTorch clamps negative coordinates to 0. */
    i = 0;
    *frac = 0.0f;
  } else {
    i = (int) s;
    if ((float) i == s && e < 0.0f)
      i--;                      /* the exact s lies just below an integer */
    i = min (i, n_src - 1);
    *frac = clamp ((s - (float) i) + e, 0.0f, 1.0f);
  }
  *i0 = i;
  *i1 = min (i + 1, n_src - 1);
}

__kernel void
resize_bilinear (__global const float *in, __global float *out, int w,
    int h, int ow, int oh, int rows)
{
  int x = get_global_id (0), r = get_global_id (1);
  if (x >= ow || r >= rows)
    return;

  int ch = r / oh, y = r - ch * oh;
  int x0, x1, y0, y1;
  float fx, fy;
  torch_linear_taps (x, w, ow, &x0, &x1, &fx);
  torch_linear_taps (y, h, oh, &y0, &y1, &fy);

  __global const float *src = in + ch * w * h;
  float top = src[y0 * w + x0] * (1.0f - fx) + src[y0 * w + x1] * fx;
  float bot = src[y1 * w + x0] * (1.0f - fx) + src[y1 * w + x1] * fx;
  out[r * ow + x] = top * (1.0f - fy) + bot * fy;
}

/* PyTorch's "nearest": the source index is floor (dst * (in / out)) in
 * float32 (so exactly its rounding), capped at in - 1. */
inline int
nearest_index (int d, int n_src, int n_dst)
{
  float scale = (float) n_src / (float) n_dst;
  return min ((int) floor ((float) d * scale), n_src - 1);
}

__kernel void
resize_nearest (__global const float *in, __global float *out, int w,
    int h, int ow, int oh, int rows)
{
  int x = get_global_id (0), r = get_global_id (1);
  if (x >= ow || r >= rows)
    return;

  int ch = r / oh, y = r - ch * oh;
  int sx = nearest_index (x, w, ow), sy = nearest_index (y, h, oh);
  out[r * ow + x] = in[(ch * h + sy) * w + sx];
}
