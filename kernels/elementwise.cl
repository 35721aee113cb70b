/* Element-wise layers over flat float32 buffers of n values (one
 * work-item each: these are memory-bound, and kernels without inner loops
 * are what CPU OpenCL compilers vectorise across work-items). */

__kernel void
ew_add (__global const float *a, __global const float *b,
    __global float *out, int n)
{
  int i = get_global_id (0);
  if (i < n)
    out[i] = a[i] + b[i];
}

__kernel void
ew_mul (__global const float *a, __global const float *b,
    __global float *out, int n)
{
  int i = get_global_id (0);
  if (i < n)
    out[i] = a[i] * b[i];
}

/* out = log (in + eps): the classic map as log-probabilities, eps keeping
 * log finite where the map underflows to 0. out may be in. */
__kernel void
ew_log (__global const float *in, __global float *out, float eps, int n)
{
  int i = get_global_id (0);
  if (i < n)
    out[i] = log (in[i] + eps);
}

__kernel void
ew_activate (__global float *t, int n, int act)
{
  int i = get_global_id (0);
  if (i < n)
    t[i] = apply_act (t[i], act);
}

/* out[c][y][x] = in[c][2y][2x]; rows = c * oh. */
__kernel void
ew_subsample2 (__global const float *in, __global float *out, int w, int h,
    int ow, int oh, int rows)
{
  int x = get_global_id (0), r = get_global_id (1);
  if (x >= ow || r >= rows)
    return;

  int ch = r / oh, y = r - ch * oh;
  out[r * ow + x] = in[(ch * h + 2 * y) * w + 2 * x];
}

/* The ConvGRU update (sal_gru_update); out may be h. The order of the
 * operations is PyTorch's: sigmoid (a + b), tanh (hx + r * hh),
 * (1 - z) * h + z * hh'. */
__kernel void
ew_gru_update (__global const float *rx, __global const float *rh,
    __global const float *zx, __global const float *zh,
    __global const float *hx, __global const float *hh,
    __global const float *h, __global float *out, int n)
{
  int i = get_global_id (0);
  if (i >= n)
    return;

  float r = 1.0f / (1.0f + exp (-(rx[i] + rh[i])));
  float z = 1.0f / (1.0f + exp (-(zx[i] + zh[i])));
  float cand = tanh (hx[i] + r * hh[i]);
  out[i] = (1.0f - z) * h[i] + z * cand;
}
