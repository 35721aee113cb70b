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

/* The network's longer side and the largest blur radius (sigma 16): the
 * sizes of the per-row private arrays below. The host checks them. */
#define CLASSIC_MAX_SIDE 128
#define CLASSIC_MAX_RADIUS 48

/* Gaussian blurs run as two passes, each work-item making one whole output
 * row: the loop over x is innermost and independent across x, which CPU
 * compilers vectorise, while each output still sums its taps in the
 * reference's order. A per-pixel loop over taps with clamped indices does
 * not vectorise, and was most of the model's time on CPUs.
 *
 * Several scales in one launch: scale s (s0 <= s < s0 + n_scales) has
 * radius meta[2s] and its taps at taps[meta[2s + 1]]; its output is block
 * s - s0 of dst, each block rows x w (rows = planes * h).
 *
 * Horizontal pass: borders repeat the edge pixel. */
__kernel void
classic_blur_rows (__global const float *src, __global float *dst, int w,
    int rows, __constant float *taps, __constant int *meta, int s0,
    int n_scales)
{
  int g = get_global_id (0);
  if (g >= n_scales * rows)
    return;

  int b = g / rows, y = g - b * rows, s = s0 + b;
  int r = meta[2 * s];
  __constant float *t = taps + meta[2 * s + 1];
  __global const float *row = src + y * w;
  float pad[CLASSIC_MAX_SIDE + 2 * CLASSIC_MAX_RADIUS];
  float acc[CLASSIC_MAX_SIDE];

  for (int i = 0; i < w + 2 * r; i++)
    pad[i] = row[clamp (i - r, 0, w - 1)];
  for (int x = 0; x < w; x++)
    acc[x] = 0.0f;
  for (int k = 0; k <= 2 * r; k++) {
    float tk = t[k];
    for (int x = 0; x < w; x++)
      acc[x] += tk * pad[x + k];
  }
  __global float *out = dst + ((size_t) b * rows + y) * w;
  for (int x = 0; x < w; x++)
    out[x] = acc[x];
}

/* Vertical pass over the blocks classic_blur_rows wrote (block b of src
 * at scale s0 + b); the clamp stays inside a plane of h rows. */
__kernel void
classic_blur_cols (__global const float *src, __global float *dst, int w,
    int h, int rows, __constant float *taps, __constant int *meta, int s0,
    int n_scales)
{
  int g = get_global_id (0);
  if (g >= n_scales * rows)
    return;

  int b = g / rows, y = g - b * rows, s = s0 + b;
  int r = meta[2 * s], yy = y % h;
  __constant float *t = taps + meta[2 * s + 1];
  __global const float *plane = src + ((size_t) b * rows + (y - yy)) * w;
  float acc[CLASSIC_MAX_SIDE];

  for (int x = 0; x < w; x++)
    acc[x] = 0.0f;
  for (int k = 0; k <= 2 * r; k++) {
    float tk = t[k];
    __global const float *in = plane + clamp (yy + k - r, 0, h - 1) * w;
    for (int x = 0; x < w; x++)
      acc[x] += tk * in[x];
  }
  __global float *out = dst + ((size_t) b * rows + y) * w;
  for (int x = 0; x < w; x++)
    out[x] = acc[x];
}

/* From the n_scales blurred opponent stacks [n_scales][3][h][w]: the
 * centre-surround sum over adjacent scales of colour-weighted
 * |B_k - B_k+1| into dm plane 0, in the reference's order. With keep_lm,
 * intensity at scale lm_scale goes to lm; with use_past, plane 1 of dm
 * gets |lm - past| (motion before its blur). */
__kernel void
classic_dog (__global const float *blur, __global float *dm,
    __global float *lm, __global const float *past, int n, int n_scales,
    float colour_weight, int lm_scale, int keep_lm, int use_past)
{
  int i = get_global_id (0);
  if (i >= n)
    return;

  float acc = 0.0f;
  for (int k = 0; k + 1 < n_scales; k++) {
    __global const float *fine = blur + (size_t) k * 3 * n;
    __global const float *coarse = fine + 3 * n;
    float d = fabs (fine[i] - coarse[i])
        + colour_weight * (fabs (fine[n + i] - coarse[n + i])
        + fabs (fine[2 * n + i] - coarse[2 * n + i]));
    acc = k == 0 ? d : acc + d;
  }
  dm[i] = acc;
  float l = blur[(size_t) lm_scale * 3 * n + i];
  if (keep_lm)
    lm[i] = l;
  if (use_past)
    dm[n + i] = fabs (l - past[i]);
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

/* Combines contrast (cm plane 0), motion (plane 1) and the centre prior
 * (computed once per size by the host: exp per pixel was most of this
 * kernel's time on PoCL). With use_state (video,
 * after the first frame) adds motion and blends with the previous map
 * (EMA); with store keeps the result as the next state. motion is read
 * only with use_state. */
__kernel void
classic_combine (__global const float *cm, __global const float *con_mean,
    __global const float *centre, __global float *prev, __global float *out, int w, int h, int use_state,
    int store, float8 p)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= w || y >= h)
    return;

  /* p: (unused), floor, gamma, motion tau, motion weight, EMA alpha,
   * mean epsilon. */
  float floor_ = p.s1, gamma = p.s2, tau = p.s3;
  float wm = p.s4, alpha = p.s5, eps = p.s6;
  int i = y * w + x;
  __global const float *con = cm, *motion = cm + w * h;

  float prior = centre[i];

  float f = floor_ + con[i] / (con_mean[0] + eps);
  if (use_state)
    f += wm * motion[i] / (motion[i] + tau);
  /* f >= floor > 0: pow without its special cases, 4x faster on PoCL. */
  float s = prior * exp (gamma * log (f));
  if (use_state)
    s = alpha * s + (1.0f - alpha) * prev[i];
  out[i] = s;
  if (store)
    prev[i] = s;
}
