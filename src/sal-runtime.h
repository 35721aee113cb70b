/* OpenCL runtime: device choice, context, queue, programs with a binary
 * cache. The only file besides the layers that includes CL headers. */
#ifndef SAL_RUNTIME_H
#define SAL_RUNTIME_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  cl_platform_id platform;
  cl_device_id device;
  cl_context context;
  cl_command_queue queue;
  char *name;                   /* "platform: device" */
  GHashTable *programs;         /* program name -> cl_program */
} SalRuntime;

/* device: "auto" (GPU if any, else first device), "cpu", "gpu", or a
 * global device index "N" over all platforms. */
SalRuntime *sal_runtime_new (const char *device, GError ** error);
void sal_runtime_free (SalRuntime * rt);

/* Returns the built program kernels/<name>.cl (embedded as a GResource, or
 * read from $SALIENCY_KERNEL_DIR when set), cached on disk as a binary.
 * The runtime owns the program. */
cl_program sal_runtime_get_program (SalRuntime * rt, const char *name,
    GError ** error);

/* A new kernel from program <program>; caller releases it. */
cl_kernel sal_runtime_create_kernel (SalRuntime * rt, const char *program,
    const char *kernel, GError ** error);

/* Sets a GError for a failed OpenCL call. Returns FALSE for chaining:
 * if (err != CL_SUCCESS) return sal_cl_error (error, err, "clFoo"); */
gboolean sal_cl_error (GError ** error, cl_int err, const char *what);
const char *sal_cl_strerror (cl_int err);

/* Sets kernel args from (size, pointer) pairs; n pairs. */
gboolean sal_kernel_set_args (cl_kernel k, GError ** error, int n, ...);

/* Enqueues k over a 2D range w x h (rounded up to the local size; kernels
 * bound-check). */
gboolean sal_kernel_run_2d (SalRuntime * rt, cl_kernel k, int w, int h,
    GError ** error);
gboolean sal_kernel_run_1d (SalRuntime * rt, cl_kernel k, int n,
    GError ** error);

/* Convenience for sal_kernel_set_args. */
#define SAL_ARG(v) (size_t) sizeof (v), (const void *) &(v)

G_END_DECLS

#endif
