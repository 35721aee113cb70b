/* log-softmax over a whole buffer in three steps, like PyTorch:
 * m = max (x), s = sum (exp (x - m)), out = (x - m) - log (s). */

/* Work-item i reduces [i * chunk, (i + 1) * chunk) to its max and its sum
 * of exp (x - max), rescaling the sum whenever the max grows, so one pass
 * over the data suffices. partial: [n_parts][2]. */
__kernel void
lsm_partial (__global const float *in, int n, int chunk, int n_parts,
    __global float *partial)
{
  int i = get_global_id (0);
  if (i >= n_parts)
    return;

  int end = min ((i + 1) * chunk, n);
  float m = -INFINITY, s = 0.0f;
  for (int j = i * chunk; j < end; j++) {
    float x = in[j];
    if (x > m) {
      s = s * exp (m - x) + 1.0f;
      m = x;
    } else if (m > -INFINITY) {
      /* (-inf - -inf would be NaN; exp (-inf) adds nothing anyway.) */
      s += exp (x - m);
    }
  }
  partial[2 * i] = m;
  partial[2 * i + 1] = s;
}

/* One work-item combines the parts into {max, log (sum)}, stored after
 * them at partial[2 * n_parts]. */
__kernel void
lsm_combine (__global float *partial, int n_parts)
{
  if (get_global_id (0) != 0)
    return;

  float m = -INFINITY, s = 0.0f;
  for (int i = 0; i < n_parts; i++)
    m = fmax (m, partial[2 * i]);
  for (int i = 0; i < n_parts; i++)
    if (partial[2 * i + 1] > 0.0f)
      s += partial[2 * i + 1] * exp (partial[2 * i] - m);
  partial[2 * n_parts] = m;
  partial[2 * n_parts + 1] = log (s);
}

__kernel void
lsm_apply (__global const float *in, __global float *out, int n,
    __global const float *partial, int n_parts)
{
  int i = get_global_id (0);
  __global const float *stats = partial + 2 * n_parts;
  if (i < n)
    out[i] = (in[i] - stats[0]) - stats[1];
}
