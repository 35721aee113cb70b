/* Network-size map -> output-size map. Bilinear (align_corners=False, as
 * UNISAL's F.interpolate), then either exp(x - shift) for logits (the
 * softmax's numerator; the host divides by the sum) or max(x, 0). */
__kernel void
postprocess (__global const float *net, int nw, int nh,
    __global float *out, int ow, int oh, int is_logits, float shift)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= ow || y >= oh)
    return;

  float v = sample_bilinear (net, nw, nh, x, y, ow, oh);
  out[y * ow + x] = is_logits ? exp (v - shift) : fmax (v, 0.0f);
}
