/* Pre-processing (frame upload + convert/resize/normalise) and
 * post-processing (resize to output size + probability normalisation). */
#ifndef SAL_PRE_POST_H
#define SAL_PRE_POST_H

#include "saliency.h"
#include "sal-tensor.h"

G_BEGIN_DECLS

typedef struct
{
  SalRuntime *rt;
  cl_kernel taps, rows, rows_yuv, cols, post_rows, post;
  cl_mem tap_ix, tap_w;         /* filter taps of both axes */
  size_t tap_ix_size, tap_w_size;
  int tap_geometry[4];          /* fw, fh, nw, nh they are for */
  cl_mem rows_buf;              /* pre-processing's vertically filtered rows */
  size_t rows_buf_size;
  gboolean host_ptr;            /* the device reads the caller's frame */
  cl_mem plane_buf[3];          /* else copies of the planes, grown */
  size_t plane_buf_size[3];
  cl_mem post_rows_buf;         /* network rows at the output width */
  size_t post_rows_buf_size;
  cl_mem out_buf;               /* output-size map */
  size_t out_buf_size;
  float *net_host;              /* network-size map, for the softmax shift */
  size_t net_host_size;
} SalPrePost;

gboolean sal_pre_post_init (SalPrePost * pp, SalRuntime * rt,
    GError ** error);
void sal_pre_post_clear (SalPrePost * pp);

/* Checks a frame description (sizes, planes, strides). */
gboolean sal_frame_validate (const SalFrame * frame, GError ** error);

gboolean sal_preprocess (SalPrePost * pp, const SalFrame * frame,
    SalTensor * rgb, const float mean[3], const float std[3],
    GError ** error);

gboolean sal_postprocess (SalPrePost * pp, const SalTensor * net,
    gboolean is_logits, SalMap * out, GError ** error);

G_END_DECLS

#endif
