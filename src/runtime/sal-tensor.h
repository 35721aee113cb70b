/* Float32 tensors on the device, CHW, batch 1. */
#ifndef SAL_TENSOR_H
#define SAL_TENSOR_H

#include "sal-runtime.h"

G_BEGIN_DECLS

typedef struct
{
  cl_mem buf;
  int c, h, w;
} SalTensor;

/* Allocates c*h*w floats (contents undefined). */
SalTensor *sal_tensor_new (SalRuntime * rt, int c, int h, int w,
    GError ** error);
void sal_tensor_free (SalTensor * t);
static inline size_t
sal_tensor_size (const SalTensor * t)
{
  return (size_t) t->c * t->h * t->w;
}
gboolean sal_tensor_fill (SalRuntime * rt, SalTensor * t, float value,
    GError ** error);
gboolean sal_tensor_upload (SalRuntime * rt, SalTensor * t,
    const float *data, GError ** error);
/* Blocking read of all c*h*w floats. */
gboolean sal_tensor_download (SalRuntime * rt, const SalTensor * t,
    float *data, GError ** error);
gboolean sal_tensor_copy (SalRuntime * rt, const SalTensor * src,
    SalTensor * dst, GError ** error);

G_END_DECLS

#endif
