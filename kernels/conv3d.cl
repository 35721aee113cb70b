/* 3D convolutions and pooling on time-major volumes [T][C][H][W]
 * (src/layers/sal-conv3d.c, sal-pool3d.c).
 *
 * conv3d: out = act (conv3d (in) + bias), grouped, any kernel, stride and
 * zero padding per axis. The input along time is the concatenation of two
 * volumes a (ta slices, read as a ring starting at slice a_head) and b (tb
 * slices, may be empty), so a clip ring and the decoder's time
 * concatenations are read where they lie. The output is written at channel
 * out_c0 and time out_t0 of a volume with out_c channels (branches of a
 * block, a ring slot).
 *
 * A work-item computes NV runs of 16 adjacent output pixels of one row
 * times CO output channels of one group, in float16 accumulators (PoCL
 * vectorises explicit vectors, not work-items with inner loops): per tap,
 * NV vector loads and CO weight broadcasts feed NV * CO FMAs. Convs that
 * are 1x1 in space with stride 1 are given as one row of h * w pixels by
 * the host. wt is [g][cin_g][kt][kh][kw][cpad] (the CO weights of a tap
 * adjacent; cpad = cout_g rounded up to CO, zero filled), bias [g][cpad].
 * Global size: (g * ceil (cout_g / CO), row runs of 16 * NV, ot * oh):
 * the channel blocks of one run are neighbours, so its input is fetched
 * from memory once and read from cache by the others. */

/* 16 values of `row` at columns x, x + sw, ...: plain loads when they are
 * all inside (stride 1 or 2), else gathered with `pad` outside [0, w). */
inline float16
c3_load (__global const float *row, int w, int x, int sw, float pad)
{
  if (x >= 0 && x + 15 * sw < w) {
    if (sw == 1)
      return vload16 (0, row + x);
    if (sw == 2)
      return (float16) (vload16 (0, row + x).even,
          vload16 (0, row + x + 15).odd);
  }
  float g[16];
  for (int i = 0; i < 16; i++) {
    int xi = x + i * sw;
    g[i] = xi >= 0 && xi < w ? row[xi] : pad;
  }
  return vload16 (0, g);
}

#define CONV3D_KERNEL(NAME, NV, CO)                                          \
__kernel void                                                                \
NAME (__global const float *a, __global const float *b,                      \
    __global const float *wt, __global const float *bias,                    \
    __global float *out, int ta, int a_head, int tb, int cin, int h, int w,  \
    int groups, int cin_g, int cout_g, int cpad, int kt, int kh, int kw,     \
    int st, int sh, int sw, int pt, int ph, int pw, int ot, int oh, int ow,  \
    int out_c, int out_c0, int out_t0, int act)                              \
{                                                                            \
  int blocks = cpad / CO, z = get_global_id (0);                             \
  int run = get_global_id (1) * (16 * NV), to = get_global_id (2) / oh;      \
  int oy = get_global_id (2) % oh, g = z / blocks, c0 = z % blocks * CO;     \
  if (run >= ow || to >= ot || g >= groups)                                  \
    return;                                                                  \
  /* A run past the row's end is moved back to end there; lanes before    \
   * `run` belong to the previous work-item and are not stored. */          \
  int x0 = max (min (run, ow - 16 * NV), 0);                                 \
  int hw = h * w, taps = kt * kh * kw;                                       \
  float16 acc[NV][CO];                                                       \
  _Pragma ("unroll")                                                         \
  for (int j = 0; j < CO; j++) {                                             \
    _Pragma ("unroll")                                                       \
    for (int v = 0; v < NV; v++)                                             \
      acc[v][j] = (float16) bias[g * cpad + c0 + j];                         \
  }                                                                          \
  for (int dt = 0; dt < kt; dt++) {                                          \
    int ti = to * st - pt + dt;                                              \
    if (ti < 0 || ti >= ta + tb)                                             \
      continue;                                                              \
    __global const float *src = ti < ta ?                                    \
        a + (size_t) ((a_head + ti) % ta) * cin * hw :                       \
        b + (size_t) (ti - ta) * cin * hw;                                   \
    src += (size_t) g * cin_g * hw;                                          \
    for (int dy = 0; dy < kh; dy++) {                                        \
      int y = oy * sh - ph + dy;                                             \
      if (y < 0 || y >= h)                                                   \
        continue;                                                            \
      __global const float *row = src + y * w;                               \
      __global const float *wk = wt + ((size_t) g * cin_g * taps             \
          + (dt * kh + dy) * kw) * cpad + c0;                                \
      for (int ci = 0; ci < cin_g; ci++) {                                   \
        for (int dx = 0; dx < kw; dx++) {                                    \
          float16 xv[NV];                                                    \
          _Pragma ("unroll")                                                 \
          for (int v = 0; v < NV; v++)                                       \
            xv[v] = c3_load (row, w, (x0 + 16 * v) * sw - pw + dx, sw, 0.0f);\
          _Pragma ("unroll")                                                 \
          for (int j = 0; j < CO; j++) {                                     \
            float16 wj = (float16) wk[dx * cpad + j];                        \
            _Pragma ("unroll")                                               \
            for (int v = 0; v < NV; v++)                                     \
              acc[v][j] = fma (wj, xv[v], acc[v][j]);                        \
          }                                                                  \
        }                                                                    \
        row += hw;                                                           \
        wk += taps * cpad;                                                   \
      }                                                                      \
    }                                                                        \
  }                                                                          \
  __global float *dst = out + ((size_t) (out_t0 + to) * out_c + out_c0       \
      + g * cout_g + c0) * oh * ow + oy * ow;                                \
  _Pragma ("unroll")                                                         \
  for (int j = 0; j < CO; j++) {                                             \
    if (c0 + j < cout_g) {                                                   \
      _Pragma ("unroll")                                                     \
      for (int v = 0; v < NV; v++) {                                         \
        float16 r = apply_act16 (acc[v][j], act);                            \
        int xs = x0 + 16 * v;                                                \
        if (xs >= run && xs + 16 <= ow) {                                    \
          vstore16 (r, 0, dst + j * oh * ow + xs);                           \
        } else {                                                             \
          float t[16];                                                       \
          vstore16 (r, 0, t);                                                \
          for (int l = max (run - xs, 0); l < min (16, ow - xs); l++)        \
            dst[j * oh * ow + xs + l] = t[l];                                \
        }                                                                    \
      }                                                                      \
    }                                                                        \
  }                                                                          \
}

/* 48 pixels x 8 channels: 24 accumulators, 11 loads per 24 FMAs (rows of
 * at least 48 pixels); 16 x 16 for narrower rows. */
CONV3D_KERNEL (conv3d_48x8, 3, 8)
CONV3D_KERNEL (conv3d_16x16, 1, 16)

/* Max pooling with implicit -inf padding, floor mode: a run of 16 outputs
 * of a row per work-item. Global size: (runs of 16, oh, ot * c). */
__kernel void
maxpool3d (__global const float *in, __global float *out, int t, int c,
    int h, int w, int kt, int kh, int kw, int st, int sh, int sw, int pt,
    int ph, int pw, int ot, int oh, int ow)
{
  int run = get_global_id (0) * 16, oy = get_global_id (1);
  int z = get_global_id (2), to = z / c, ch = z % c;
  if (run >= ow || oy >= oh || to >= ot)
    return;
  int x0 = max (min (run, ow - 16), 0);
  float16 m = (float16) (-INFINITY);
  for (int dt = 0; dt < kt; dt++) {
    int ti = to * st - pt + dt;
    if (ti < 0 || ti >= t)
      continue;
    __global const float *plane = in + ((size_t) ti * c + ch) * h * w;
    for (int dy = 0; dy < kh; dy++) {
      int y = oy * sh - ph + dy;
      if (y < 0 || y >= h)
        continue;
      for (int dx = 0; dx < kw; dx++)
        m = fmax (m, c3_load (plane + y * w, w, x0 * sw - pw + dx, sw,
                -INFINITY));
    }
  }
  __global float *dst = out + (((size_t) to * c + ch) * oh + oy) * ow;
  if (x0 == run && x0 + 16 <= ow) {
    vstore16 (m, 0, dst + x0);
  } else {
    float r[16];
    vstore16 (m, 0, r);
    for (int l = run - x0; l < min (16, ow - x0); l++)
      dst[x0 + l] = r[l];
  }
}
