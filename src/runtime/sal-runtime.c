/* OpenCL platform/device choice, context and queue, and error strings. */
#include "sal-runtime.h"
#include "saliency.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifndef CL_PLATFORM_NOT_FOUND_KHR
#define CL_PLATFORM_NOT_FOUND_KHR -1001
#endif

#define INSTALL_HINT "install an OpenCL driver: apt install pocl-opencl-icd " \
  "(CPU) or your GPU vendor's ICD"

const char *
sal_cl_strerror (cl_int err)
{
  switch (err) {
#define E(x) case x: return #x
      E (CL_SUCCESS);
      E (CL_DEVICE_NOT_FOUND);
      E (CL_DEVICE_NOT_AVAILABLE);
      E (CL_COMPILER_NOT_AVAILABLE);
      E (CL_MEM_OBJECT_ALLOCATION_FAILURE);
      E (CL_OUT_OF_RESOURCES);
      E (CL_OUT_OF_HOST_MEMORY);
      E (CL_BUILD_PROGRAM_FAILURE);
      E (CL_INVALID_VALUE);
      E (CL_INVALID_PLATFORM);
      E (CL_INVALID_DEVICE);
      E (CL_INVALID_CONTEXT);
      E (CL_INVALID_COMMAND_QUEUE);
      E (CL_INVALID_MEM_OBJECT);
      E (CL_INVALID_BINARY);
      E (CL_INVALID_BUILD_OPTIONS);
      E (CL_INVALID_PROGRAM);
      E (CL_INVALID_PROGRAM_EXECUTABLE);
      E (CL_INVALID_KERNEL_NAME);
      E (CL_INVALID_KERNEL);
      E (CL_INVALID_ARG_INDEX);
      E (CL_INVALID_ARG_VALUE);
      E (CL_INVALID_ARG_SIZE);
      E (CL_INVALID_KERNEL_ARGS);
      E (CL_INVALID_WORK_DIMENSION);
      E (CL_INVALID_WORK_GROUP_SIZE);
      E (CL_INVALID_WORK_ITEM_SIZE);
      E (CL_INVALID_GLOBAL_OFFSET);
      E (CL_INVALID_BUFFER_SIZE);
      E (CL_INVALID_GLOBAL_WORK_SIZE);
      E (CL_PLATFORM_NOT_FOUND_KHR);
#undef E
    default:
      return "unknown OpenCL error";
  }
}

gboolean
sal_cl_error (GError ** error, cl_int err, const char *what)
{
  g_set_error (error, SAL_ERROR, SAL_ERROR_OPENCL, "%s failed: %s (%d)", what,
      sal_cl_strerror (err), err);
  return FALSE;
}

static char *
get_platform_string (cl_platform_id p, cl_platform_info what)
{
  size_t n = 0;
  char *s;

  if (clGetPlatformInfo (p, what, 0, NULL, &n) != CL_SUCCESS || n == 0)
    return g_strdup ("?");
  s = g_malloc0 (n + 1);
  clGetPlatformInfo (p, what, n, s, NULL);
  return g_strstrip (s);
}

static char *
get_device_string (cl_device_id d, cl_device_info what)
{
  size_t n = 0;
  char *s;

  if (clGetDeviceInfo (d, what, 0, NULL, &n) != CL_SUCCESS || n == 0)
    return g_strdup ("?");
  s = g_malloc0 (n + 1);
  clGetDeviceInfo (d, what, n, s, NULL);
  return g_strstrip (s);
}

typedef struct
{
  cl_platform_id platform;
  cl_device_id device;
  cl_device_type type;
} DeviceEntry;

/* Lists every device of every platform, in platform order. */
static GArray *
list_devices (GError ** error)
{
  cl_uint n_platforms = 0;
  cl_platform_id *platforms;
  GArray *devices;
  cl_int err;

  err = clGetPlatformIDs (0, NULL, &n_platforms);
  if (err == CL_PLATFORM_NOT_FOUND_KHR || (err == CL_SUCCESS
          && n_platforms == 0)) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_NO_PLATFORM,
        "no OpenCL platform found: " INSTALL_HINT);
    return NULL;
  }
  if (err != CL_SUCCESS) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_NO_PLATFORM,
        "cannot list OpenCL platforms (%s): " INSTALL_HINT,
        sal_cl_strerror (err));
    return NULL;
  }

  platforms = g_new0 (cl_platform_id, n_platforms);
  clGetPlatformIDs (n_platforms, platforms, NULL);
  devices = g_array_new (FALSE, TRUE, sizeof (DeviceEntry));
  for (cl_uint p = 0; p < n_platforms; p++) {
    cl_uint n = 0;
    cl_device_id *ids;

    if (clGetDeviceIDs (platforms[p], CL_DEVICE_TYPE_ALL, 0, NULL,
            &n) != CL_SUCCESS || n == 0)
      continue;
    ids = g_new0 (cl_device_id, n);
    clGetDeviceIDs (platforms[p], CL_DEVICE_TYPE_ALL, n, ids, NULL);
    for (cl_uint i = 0; i < n; i++) {
      DeviceEntry e = { platforms[p], ids[i], 0 };
      clGetDeviceInfo (ids[i], CL_DEVICE_TYPE, sizeof (e.type), &e.type,
          NULL);
      g_array_append_val (devices, e);
    }
    g_free (ids);
  }
  g_free (platforms);

  if (devices->len == 0) {
    g_array_unref (devices);
    g_set_error (error, SAL_ERROR, SAL_ERROR_NO_DEVICE,
        "OpenCL platforms exist but have no devices: " INSTALL_HINT);
    return NULL;
  }
  return devices;
}

static char *
describe_devices (GArray * devices)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < devices->len; i++) {
    DeviceEntry *e = &g_array_index (devices, DeviceEntry, i);
    char *name = get_device_string (e->device, CL_DEVICE_NAME);
    g_string_append_printf (s, "%s%u: %s (%s)", i ? ", " : "", i, name,
        (e->type & CL_DEVICE_TYPE_GPU) ? "gpu" :
        (e->type & CL_DEVICE_TYPE_CPU) ? "cpu" : "other");
    g_free (name);
  }
  return g_string_free (s, FALSE);
}

static const DeviceEntry *
find_type (GArray * devices, cl_device_type type)
{
  for (guint i = 0; i < devices->len; i++)
    if (g_array_index (devices, DeviceEntry, i).type & type)
      return &g_array_index (devices, DeviceEntry, i);
  return NULL;
}

static const DeviceEntry *
choose_device (GArray * devices, const char *spec, GError ** error)
{
  const DeviceEntry *e = NULL;
  char *end = NULL;
  char *list;

  if (!spec || !*spec || g_ascii_strcasecmp (spec, "auto") == 0) {
    /* A real GPU beats the CPU fallback when both exist. */
    e = find_type (devices, CL_DEVICE_TYPE_GPU);
    return e ? e : &g_array_index (devices, DeviceEntry, 0);
  } else if (g_ascii_strcasecmp (spec, "cpu") == 0) {
    e = find_type (devices, CL_DEVICE_TYPE_CPU);
  } else if (g_ascii_strcasecmp (spec, "gpu") == 0) {
    e = find_type (devices, CL_DEVICE_TYPE_GPU);
  } else {
    guint64 idx = g_ascii_strtoull (spec, &end, 10);
    if (end != spec && *end == '\0' && idx < devices->len)
      e = &g_array_index (devices, DeviceEntry, idx);
  }
  if (e)
    return e;

  list = describe_devices (devices);
  g_set_error (error, SAL_ERROR, SAL_ERROR_NO_DEVICE,
      "no OpenCL device matches \"%s\": use auto, cpu, gpu or an index; "
      "devices here: %s", spec, list);
  g_free (list);
  return NULL;
}

static void
release_program (gpointer p)
{
  clReleaseProgram ((cl_program) p);
}

struct _SalDevice
{
  cl_platform_id platform;
  cl_device_id device;
  cl_context context;
  char *name;
  GHashTable *programs;         /* program name -> cl_program */
  GHashTable *shared_by_key;    /* content key -> SharedBuffer */
  GHashTable *shared_by_mem;    /* cl_mem -> SharedBuffer */
  GRecMutex lock;
  int users;                    /* runtimes on it; guarded by devices_lock */
};

/* Shared devices by cl_device_id: one context per device and process. */
static GMutex devices_lock;
static GHashTable *devices;

typedef struct
{
  char *key;
  cl_mem mem;
  int users;
} SharedBuffer;

static void
shared_buffer_free (gpointer p)
{
  SharedBuffer *b = p;

  clReleaseMemObject (b->mem);
  g_free (b->key);
  g_free (b);
}

static void
sal_device_free (SalDevice * d)
{
  /* Only buffers of clients that leaked them are left here. */
  if (d->shared_by_mem)
    g_hash_table_unref (d->shared_by_mem);
  if (d->shared_by_key)
    g_hash_table_unref (d->shared_by_key);
  if (d->programs)
    g_hash_table_unref (d->programs);
  if (d->context)
    clReleaseContext (d->context);
  g_rec_mutex_clear (&d->lock);
  g_free (d->name);
  g_free (d);
}

/* Returns the shared device for e, creating it on first use. Call with
 * devices_lock held. */
static SalDevice *
sal_device_get (const DeviceEntry * e, GError ** error)
{
  SalDevice *d;
  char *pname, *dname;
  cl_int err;

  if (!devices)
    devices = g_hash_table_new (g_direct_hash, g_direct_equal);
  d = g_hash_table_lookup (devices, e->device);
  if (d) {
    d->users++;
    return d;
  }

  d = g_new0 (SalDevice, 1);
  d->platform = e->platform;
  d->device = e->device;
  g_rec_mutex_init (&d->lock);
  pname = get_platform_string (d->platform, CL_PLATFORM_NAME);
  dname = get_device_string (d->device, CL_DEVICE_NAME);
  d->name = g_strdup_printf ("%s: %s", pname, dname);
  g_free (pname);
  g_free (dname);
  d->context = clCreateContext (NULL, 1, &d->device, NULL, NULL, &err);
  if (err != CL_SUCCESS) {
    d->context = NULL;
    sal_cl_error (error, err, "clCreateContext");
    sal_device_free (d);
    return NULL;
  }
  d->programs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      release_program);
  d->shared_by_key = g_hash_table_new (g_str_hash, g_str_equal);
  d->shared_by_mem = g_hash_table_new_full (g_direct_hash, g_direct_equal,
      NULL, shared_buffer_free);
  d->users = 1;
  g_hash_table_insert (devices, d->device, d);
  return d;
}

static void
sal_device_unref (SalDevice * d)
{
  g_mutex_lock (&devices_lock);
  if (--d->users == 0) {
    g_hash_table_remove (devices, d->device);
    /* Programs and context go with the last user: nothing else can reach
     * them now, so no device lock is needed. */
    sal_device_free (d);
  }
  g_mutex_unlock (&devices_lock);
}

SalRuntime *
sal_runtime_new (const char *device, GError ** error)
{
  GArray *list;
  const DeviceEntry *e;
  SalDevice *d;
  SalRuntime *rt;
  cl_int err;

  /* Listing devices is not thread-safe either: the first clGetPlatformIDs
   * of threads racing through the ICD loader and PoCL's initialisation can
   * report no devices at all. */
  g_mutex_lock (&devices_lock);
  list = list_devices (error);
  e = list ? choose_device (list, device, error) : NULL;
  d = e ? sal_device_get (e, error) : NULL;
  g_mutex_unlock (&devices_lock);
  if (list)
    g_array_unref (list);
  if (!d)
    return NULL;

  rt = g_new0 (SalRuntime, 1);
  rt->shared = d;
  rt->platform = d->platform;
  rt->device = d->device;
  rt->context = d->context;
  rt->name = d->name;
  rt->queue = clCreateCommandQueue (rt->context, rt->device, 0, &err);
  if (err != CL_SUCCESS) {
    rt->queue = NULL;
    sal_cl_error (error, err, "clCreateCommandQueue");
    sal_runtime_free (rt);
    return NULL;
  }
  return rt;
}

void
sal_runtime_free (SalRuntime * rt)
{
  if (!rt)
    return;
  if (rt->queue) {
    sal_runtime_lock (rt);
    clFinish (rt->queue);
    clReleaseCommandQueue (rt->queue);
    sal_runtime_unlock (rt);
  }
  sal_device_unref (rt->shared);
  g_free (rt);
}

void
sal_runtime_lock (SalRuntime * rt)
{
  g_rec_mutex_lock (&rt->shared->lock);
}

void
sal_runtime_unlock (SalRuntime * rt)
{
  g_rec_mutex_unlock (&rt->shared->lock);
}

cl_mem
sal_runtime_get_shared_buffer (SalRuntime * rt, const void *data,
    size_t size, GError ** error)
{
  SalDevice *d = rt->shared;
  char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
  char *key = g_strdup_printf ("%s:%" G_GSIZE_FORMAT, sum, size);
  SharedBuffer *b;
  cl_mem mem = NULL;
  cl_int err;

  g_free (sum);
  sal_runtime_lock (rt);
  b = g_hash_table_lookup (d->shared_by_key, key);
  if (b) {
    b->users++;
    mem = b->mem;
    g_free (key);
  } else {
    mem = clCreateBuffer (rt->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
        MAX (size, 1), (void *) data, &err);
    if (err != CL_SUCCESS) {
      mem = NULL;
      sal_cl_error (error, err, "clCreateBuffer (weights)");
      g_free (key);
    } else {
      b = g_new0 (SharedBuffer, 1);
      b->key = key;
      b->mem = mem;
      b->users = 1;
      g_hash_table_insert (d->shared_by_key, b->key, b);
      g_hash_table_insert (d->shared_by_mem, mem, b);
    }
  }
  sal_runtime_unlock (rt);
  return mem;
}

void
sal_runtime_release_shared_buffer (SalRuntime * rt, cl_mem mem)
{
  SalDevice *d = rt->shared;
  SharedBuffer *b;

  sal_runtime_lock (rt);
  b = g_hash_table_lookup (d->shared_by_mem, mem);
  if (!b)
    g_critical ("%s: buffer %p is not a shared buffer", G_STRFUNC, mem);
  else if (--b->users == 0) {
    g_hash_table_remove (d->shared_by_key, b->key);
    g_hash_table_remove (d->shared_by_mem, mem);
  }
  sal_runtime_unlock (rt);
}

GHashTable *
sal_runtime_programs (SalRuntime * rt)
{
  return rt->shared->programs;
}

cl_kernel
sal_runtime_create_kernel (SalRuntime * rt, const char *program,
    const char *kernel, GError ** error)
{
  cl_program prog;
  cl_kernel k = NULL;
  cl_int err = CL_SUCCESS;

  sal_runtime_lock (rt);
  prog = sal_runtime_get_program (rt, program, error);
  if (prog)
    k = clCreateKernel (prog, kernel, &err);
  sal_runtime_unlock (rt);
  if (!prog)
    return NULL;
  if (err != CL_SUCCESS) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_KERNEL_BUILD,
        "kernel %s not found in %s.cl: %s", kernel, program,
        sal_cl_strerror (err));
    return NULL;
  }
  return k;
}

gboolean
sal_kernel_set_args (cl_kernel k, GError ** error, int n, ...)
{
  va_list ap;
  cl_int err = CL_SUCCESS;
  int i;

  va_start (ap, n);
  for (i = 0; i < n && err == CL_SUCCESS; i++) {
    size_t size = va_arg (ap, size_t);
    const void *ptr = va_arg (ap, const void *);
    err = clSetKernelArg (k, i, size, ptr);
  }
  va_end (ap);
  if (err != CL_SUCCESS) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_OPENCL,
        "clSetKernelArg %d failed: %s", i - 1, sal_cl_strerror (err));
    return FALSE;
  }
  return TRUE;
}

static size_t
round_up (size_t n, size_t m)
{
  return (n + m - 1) / m * m;
}

gboolean
sal_kernel_run_2d (SalRuntime * rt, cl_kernel k, int w, int h,
    GError ** error)
{
  /* 16x4 tiles walk rows, which suits both CPU caches and GPU coalescing. */
  size_t local[2] = { 16, 4 };
  size_t global[2] = { round_up (MAX (w, 1), 16), round_up (MAX (h, 1), 4) };
  cl_int err;

  err = clEnqueueNDRangeKernel (rt->queue, k, 2, NULL, global, local, 0,
      NULL, NULL);
  if (err == CL_INVALID_WORK_GROUP_SIZE)
    err = clEnqueueNDRangeKernel (rt->queue, k, 2, NULL, global, NULL, 0,
        NULL, NULL);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clEnqueueNDRangeKernel");
  return TRUE;
}

gboolean
sal_kernel_run_1d (SalRuntime * rt, cl_kernel k, int n, GError ** error)
{
  size_t local = 64;
  size_t global = round_up (MAX (n, 1), local);
  cl_int err;

  err = clEnqueueNDRangeKernel (rt->queue, k, 1, NULL, &global, &local, 0,
      NULL, NULL);
  if (err == CL_INVALID_WORK_GROUP_SIZE)
    err = clEnqueueNDRangeKernel (rt->queue, k, 1, NULL, &global, NULL, 0,
        NULL, NULL);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clEnqueueNDRangeKernel");
  return TRUE;
}
