/* A deliberately slow model for tests/live/slow.sh: kernels/centre.cl
 * (the centre prior) with a long dependent chain per sample that the
 * compiler cannot shorten, added in a way that leaves the map unchanged.
 * Loaded through SALIENCY_KERNEL_DIR. */
#ifndef SLOW_ITERATIONS
#define SLOW_ITERATIONS 500
#endif

__kernel void
centre_prior (__global float *out, int w, int h, float sigma_frac)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= w || y >= h)
    return;

  float u = ((x + 0.5f) / w - 0.5f) / sigma_frac;
  float v = ((y + 0.5f) / h - 0.5f) / sigma_frac;
  float chain = u;
  for (int i = 0; i < SLOW_ITERATIONS; i++)
    chain = sin (chain) + v;
  /* |chain| < 1 + |v|, so 1 + 1e-30 chain rounds to exactly 1 in float:
   * the map is unchanged, but no compiler can know that. */
  out[y * w + x] = exp (-0.5f * (u * u + v * v)) * (1.0f + 1e-30f * chain);
}
