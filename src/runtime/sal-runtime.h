/* OpenCL runtime: device choice, context, queue, programs with a binary
 * cache. The only file besides the layers that includes CL headers. */
#ifndef SAL_RUNTIME_H
#define SAL_RUNTIME_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <glib.h>

G_BEGIN_DECLS

/* What every runtime on one device shares, once per process: the context,
 * the built programs and a lock (sal-runtime.c). */
typedef struct _SalDevice SalDevice;

/* One client's view of a device: the shared context plus a command queue of
 * its own. Several runtimes (several elements, several engines) on the same
 * device share one SalDevice; each keeps its own queue and kernels. */
typedef struct
{
  SalDevice *shared;
  cl_platform_id platform;      /* copies of the shared device's */
  cl_device_id device;
  cl_context context;
  const char *name;             /* "platform: device" */
  cl_command_queue queue;       /* this runtime's own */
} SalRuntime;

/* device: "auto" (GPU if any, else first device), "cpu", "gpu", or a
 * global device index "N" over all platforms. The context and programs are
 * created by the first runtime on a device and released with the last. */
SalRuntime *sal_runtime_new (const char *device, GError ** error);
void sal_runtime_free (SalRuntime * rt);

/* The device lock, recursive. PoCL 3.1's CPU drivers keep one process-wide
 * cache of loaded kernel code whose reference counting breaks when commands
 * from several queues, or a program build, overlap (it aborts in
 * pocl_release_dlhandle_cache). So every client holds this lock from its
 * first enqueue until its clFinish, and while it builds programs or creates
 * and releases kernels; the engine does that for its users. */
void sal_runtime_lock (SalRuntime * rt);
void sal_runtime_unlock (SalRuntime * rt);

/* Returns the built program kernels/<name>.cl (embedded as a GResource, or
 * read from $SALIENCY_KERNEL_DIR when set), cached on disk as a binary.
 * Built once per device and process; the shared device owns it. */
cl_program sal_runtime_get_program (SalRuntime * rt, const char *name,
    GError ** error);

/* A new kernel from program <program>; caller releases it (under the lock
 * when other runtimes may be running). */
cl_kernel sal_runtime_create_kernel (SalRuntime * rt, const char *program,
    const char *kernel, GError ** error);

/* Read-only device data (weights) shared by every runtime on the device:
 * identical contents are uploaded once per process. Give the buffer back
 * with sal_runtime_release_shared_buffer(), not clReleaseMemObject(). */
cl_mem sal_runtime_get_shared_buffer (SalRuntime * rt, const void *data,
    size_t size, GError ** error);
void sal_runtime_release_shared_buffer (SalRuntime * rt, cl_mem buf);

/* For sal-program-cache.c: the shared device's program table. Call with the
 * lock held. */
GHashTable *sal_runtime_programs (SalRuntime * rt);

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
