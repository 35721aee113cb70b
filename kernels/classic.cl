/* The weight-free "classic" model: centre-surround contrast on opponent
 * colours, frame-difference motion, a centre prior and an EMA. The
 * specification is tools/classic_reference.py; keep the two in step. */

/* rgb [3,h,w] in [0,1] -> intensity, red-green, blue-yellow planes. */
__kernel void
classic_opponent (__global const float *rgb, __global float *opp, int w,
    int h)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= w || y >= h)
    return;

  int plane = w * h, i = y * w + x;
  float r = rgb[i], g = rgb[plane + i], b = rgb[2 * plane + i];
  opp[i] = (r + g + b) / 3.0f;
  opp[plane + i] = r - g;
  opp[2 * plane + i] = b - 0.5f * (r + g);
}

/* Horizontal Gaussian pass over c planes stacked as c*h rows; taps hold
 * 2*radius+1 weights; borders repeat the edge pixel. */
__kernel void
classic_blur_h (__global const float *src, __global float *dst, int w,
    int rows, __constant float *taps, int radius)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= w || y >= rows)
    return;

  __global const float *row = src + y * w;
  float acc = 0.0f;
  for (int k = -radius; k <= radius; k++)
    acc += taps[k + radius] * row[clamp (x + k, 0, w - 1)];
  dst[y * w + x] = acc;
}

/* Vertical pass; y runs over c*h rows, the clamp stays inside a plane. */
__kernel void
classic_blur_v (__global const float *src, __global float *dst, int w,
    int h, int rows, __constant float *taps, int radius)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= w || y >= rows)
    return;

  int yy = y % h;
  __global const float *col = src + (y - yy) * w + x;
  float acc = 0.0f;
  for (int k = -radius; k <= radius; k++)
    acc += taps[k + radius] * col[clamp (yy + k, 0, h - 1) * w];
  dst[y * w + x] = acc;
}

/* acc (+)= |fine - coarse| over the three planes, colour weighted: one
 * centre-surround scale of the contrast map. */
__kernel void
classic_dog_add (__global const float *fine, __global const float *coarse,
    __global float *acc, int w, int h, float colour_weight, int first)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= w || y >= h)
    return;

  int plane = w * h, i = y * w + x;
  float d = fabs (fine[i] - coarse[i])
      + colour_weight * (fabs (fine[plane + i] - coarse[plane + i])
      + fabs (fine[2 * plane + i] - coarse[2 * plane + i]));
  acc[i] = first ? d : acc[i] + d;
}

__kernel void
classic_absdiff (__global const float *a, __global const float *b,
    __global float *out, int n)
{
  int i = get_global_id (0);
  if (i < n)
    out[i] = fabs (a[i] - b[i]);
}

/* Mean of n values by one work-group (power-of-two size <= 256), so that
 * the contrast map can be normalised without a trip to the host. */
__kernel void
classic_mean (__global const float *src, int n, __global float *mean)
{
  __local float part[256];
  int lid = get_local_id (0), size = get_local_size (0);
  float acc = 0.0f;

  for (int i = lid; i < n; i += size)
    acc += src[i];
  part[lid] = acc;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (int s = size / 2; s > 0; s /= 2) {
    if (lid < s)
      part[lid] += part[lid + s];
    barrier (CLK_LOCAL_MEM_FENCE);
  }
  if (lid == 0)
    mean[0] = part[0] / (float) n;
}

/* Combines contrast, motion and the centre prior. With use_state (video,
 * after the first frame) adds motion and blends with the previous map
 * (EMA); with store keeps the result as the next state. motion is read
 * only with use_state. */
__kernel void
classic_combine (__global const float *con, __global const float *con_mean,
    __global const float *motion, __global float *prev,
    __global float *out, int w, int h, int use_state, int store, float8 p)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= w || y >= h)
    return;

  /* p: prior sigma, floor, gamma, motion tau, motion weight, EMA alpha,
   * mean epsilon. */
  float sigma = p.s0, floor_ = p.s1, gamma = p.s2, tau = p.s3;
  float wm = p.s4, alpha = p.s5, eps = p.s6;
  int i = y * w + x;

  float u = ((x + 0.5f) / w - 0.5f) / sigma;
  float v = ((y + 0.5f) / h - 0.5f) / sigma;
  float prior = exp (-0.5f * u * u) * exp (-0.5f * v * v);

  float f = floor_ + con[i] / (con_mean[0] + eps);
  if (use_state)
    f += wm * motion[i] / (motion[i] + tau);
  float s = prior * pow (f, gamma);
  if (use_state)
    s = alpha * s + (1.0f - alpha) * prev[i];
  out[i] = s;
  if (store)
    prev[i] = s;
}
