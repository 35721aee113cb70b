/* The centre prior: an anisotropic Gaussian at the frame centre, its
 * sigmas a fraction of each side (people look at the middle of frames). */
__kernel void
centre_prior (__global float *out, int w, int h, float sigma_frac)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= w || y >= h)
    return;

  /* Pixel centres in [0, 1] coordinates, independent of resolution. */
  float u = ((x + 0.5f) / w - 0.5f) / sigma_frac;
  float v = ((y + 0.5f) / h - 0.5f) / sigma_frac;
  out[y * w + x] = exp (-0.5f * (u * u + v * v));
}
