/* Float32 device tensors. */
#include "sal-tensor.h"
#include "saliency.h"

SalTensor *
sal_tensor_new (SalRuntime * rt, int c, int h, int w, GError ** error)
{
  SalTensor *t;
  cl_int err;

  if (c <= 0 || h <= 0 || w <= 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "invalid tensor shape %dx%dx%d", c, h, w);
    return NULL;
  }
  t = g_new0 (SalTensor, 1);
  t->c = c;
  t->h = h;
  t->w = w;
  t->buf = clCreateBuffer (rt->context, CL_MEM_READ_WRITE,
      sal_tensor_size (t) * sizeof (float), NULL, &err);
  if (err != CL_SUCCESS) {
    sal_cl_error (error, err, "clCreateBuffer");
    g_free (t);
    return NULL;
  }
  return t;
}

void
sal_tensor_free (SalTensor * t)
{
  if (!t)
    return;
  if (t->buf)
    clReleaseMemObject (t->buf);
  g_free (t);
}

gboolean
sal_tensor_fill (SalRuntime * rt, SalTensor * t, float value,
    GError ** error)
{
  cl_int err = clEnqueueFillBuffer (rt->queue, t->buf, &value,
      sizeof (value), 0, sal_tensor_size (t) * sizeof (float), 0, NULL, NULL);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clEnqueueFillBuffer");
  return TRUE;
}

gboolean
sal_tensor_upload (SalRuntime * rt, SalTensor * t, const float *data,
    GError ** error)
{
  cl_int err = clEnqueueWriteBuffer (rt->queue, t->buf, CL_TRUE, 0,
      sal_tensor_size (t) * sizeof (float), data, 0, NULL, NULL);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clEnqueueWriteBuffer");
  return TRUE;
}

gboolean
sal_tensor_download (SalRuntime * rt, const SalTensor * t, float *data,
    GError ** error)
{
  cl_int err = clEnqueueReadBuffer (rt->queue, t->buf, CL_TRUE, 0,
      sal_tensor_size (t) * sizeof (float), data, 0, NULL, NULL);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clEnqueueReadBuffer");
  return TRUE;
}

gboolean
sal_tensor_copy (SalRuntime * rt, const SalTensor * src, SalTensor * dst,
    GError ** error)
{
  cl_int err;

  if (sal_tensor_size (src) != sal_tensor_size (dst)) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "tensor copy between sizes %zu and %zu", sal_tensor_size (src),
        sal_tensor_size (dst));
    return FALSE;
  }
  err = clEnqueueCopyBuffer (rt->queue, src->buf, dst->buf, 0, 0,
      sal_tensor_size (src) * sizeof (float), 0, NULL, NULL);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clEnqueueCopyBuffer");
  return TRUE;
}
