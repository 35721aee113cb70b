/* Network-size map -> output-size map. Bilinear (align_corners=False, as
 * UNISAL's F.interpolate), then either exp(x - shift) for logits (the
 * softmax's numerator; the host divides by the sum) or max(x, 0).
 *
 * In two passes with common.cl's taps, so that the output-size pass reads
 * two contiguous rows instead of gathering four pixels each: */

/* 1. Each network row resized to the output width: rows[y][x] is the
 *    horizontal blend of network row y at output column x. */
__kernel void
postprocess_rows (__global const float *net, int nw, int nh,
    __global float *rows, int ow)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= ow || y >= nh)
    return;

  int x0, x1;
  float fx;
  bilinear_taps (x, nw, ow, &x0, &x1, &fx);
  __global const float *src = net + y * nw;
  rows[y * ow + x] = src[x0] * (1.0f - fx) + src[x1] * fx;
}

/* 2. The vertical blend of those rows at each output pixel. */
__kernel void
postprocess (__global const float *rows, int nh, __global float *out,
    int ow, int oh, int is_logits, float shift)
{
  int x = get_global_id (0), y = get_global_id (1);
  if (x >= ow || y >= oh)
    return;

  int y0, y1;
  float fy;
  bilinear_taps (y, nh, oh, &y0, &y1, &fy);
  float v = rows[y0 * ow + x] * (1.0f - fy) + rows[y1 * ow + x] * fy;
  out[y * ow + x] = is_logits ? exp (v - shift) : fmax (v, 0.0f);
}
