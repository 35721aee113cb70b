/* Helpers shared by every program (prepended to each source). */

/* PyTorch's bilinear, align_corners=False: source coordinate of dst index d
 * and the two taps with the weight of the second one. */
inline void
bilinear_taps (int d, int n_src, int n_dst, int *i0, int *i1, float *frac)
{
  float s = ((float) d + 0.5f) * ((float) n_src / (float) n_dst) - 0.5f;
  s = fmax (s, 0.0f);
  *i0 = min ((int) s, n_src - 1);
  *i1 = min (*i0 + 1, n_src - 1);
  *frac = s - (float) *i0;
}

/* Activations of the neural layers; the codes are SalAct's (sal-layers.h). */
#define SAL_ACT_NONE 0
#define SAL_ACT_RELU6 1
#define SAL_ACT_SIGMOID 2
#define SAL_ACT_TANH 3
#define SAL_ACT_RELU 4

/* One definition for scalars and the 16-wide vectors of the convs
 * (OpenCL C has no overloading of user functions). */
#define DEFINE_APPLY_ACT(name, type)                            \
  inline type                                                   \
  name (type v, int act)                                        \
  {                                                             \
    switch (act) {                                              \
      case SAL_ACT_RELU6:                                       \
        return fmin (fmax (v, 0.0f), 6.0f);                     \
      case SAL_ACT_SIGMOID:                                     \
        return 1.0f / (1.0f + exp (-v));                        \
      case SAL_ACT_TANH:                                        \
        return tanh (v);                                        \
      case SAL_ACT_RELU:                                        \
        return fmax (v, 0.0f);                                  \
      default:                                                  \
        return v;                                               \
    }                                                           \
  }

DEFINE_APPLY_ACT (apply_act, float)
DEFINE_APPLY_ACT (apply_act16, float16)
