/* Program building: kernels/NAME.cl (embedded, or $SALIENCY_KERNEL_DIR),
 * with common.cl prepended, and an on-disk binary cache because compilers
 * such as PoCL's take seconds per program.
 *
 * A cache file is a header (magic, payload length, SHA-256 of the payload)
 * and the driver's binary. Drivers do not validate binaries they are handed,
 * so a truncated or damaged file must never reach them: it is detected here,
 * reported and rebuilt. Files are written whole to a temporary name and
 * renamed (g_file_set_contents), so concurrent readers in other processes
 * see the old file or the new one, never half of one. */
#include "sal-runtime.h"
#include "saliency.h"

#include <gio/gio.h>
#include <string.h>

#define BUILD_OPTIONS "-cl-std=CL1.2"

#define CACHE_MAGIC "SALKBIN2"
#define CACHE_MAGIC_LEN 8
#define CACHE_SUM_LEN 32
#define CACHE_HEADER_LEN (CACHE_MAGIC_LEN + 8 + CACHE_SUM_LEN)

static GBytes *
load_source (const char *file, GError ** error)
{
  const char *dir = g_getenv ("SALIENCY_KERNEL_DIR");
  char *path;
  GBytes *bytes;

  if (dir && *dir) {
    char *contents;
    gsize len;

    path = g_build_filename (dir, file, NULL);
    if (!g_file_get_contents (path, &contents, &len, error)) {
      g_prefix_error (error, "SALIENCY_KERNEL_DIR is set but ");
      g_free (path);
      return NULL;
    }
    g_free (path);
    return g_bytes_new_take (contents, len);
  }

  path = g_strconcat ("/org/gst-saliency/kernels/", file, NULL);
  bytes = g_resources_lookup_data (path, 0, NULL);
  if (!bytes)
    g_set_error (error, SAL_ERROR, SAL_ERROR_KERNEL_BUILD,
        "kernel source %s is not embedded in libsaliency (broken build?)",
        file);
  g_free (path);
  return bytes;
}

static char *
device_string (cl_device_id d, cl_device_info what)
{
  char buf[512] = "";
  clGetDeviceInfo (d, what, sizeof (buf) - 1, buf, NULL);
  return g_strdup (buf);
}

/* The cache key covers everything that changes the binary. */
static char *
cache_path (SalRuntime * rt, const char *source)
{
  const char *dir = g_getenv ("SALIENCY_CACHE_DIR");
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  char *dev = device_string (rt->device, CL_DEVICE_NAME);
  char *drv = device_string (rt->device, CL_DRIVER_VERSION);
  char *ver = device_string (rt->device, CL_DEVICE_VERSION);
  char *name, *path;

  g_checksum_update (sum, (const guchar *) CACHE_MAGIC, -1);
  g_checksum_update (sum, (const guchar *) source, -1);
  g_checksum_update (sum, (const guchar *) BUILD_OPTIONS, -1);
  g_checksum_update (sum, (const guchar *) rt->name, -1);
  g_checksum_update (sum, (const guchar *) dev, -1);
  g_checksum_update (sum, (const guchar *) drv, -1);
  g_checksum_update (sum, (const guchar *) ver, -1);
  name = g_strconcat (g_checksum_get_string (sum), ".bin", NULL);
  if (dir && *dir)
    path = g_build_filename (dir, name, NULL);
  else
    path = g_build_filename (g_get_user_cache_dir (), "gst-saliency", name,
        NULL);
  g_checksum_free (sum);
  g_free (dev);
  g_free (drv);
  g_free (ver);
  g_free (name);
  return path;
}

static void
payload_sum (const guint8 * data, gsize len, guint8 out[CACHE_SUM_LEN])
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize n = CACHE_SUM_LEN;

  g_checksum_update (sum, data, len);
  g_checksum_get_digest (sum, out, &n);
  g_checksum_free (sum);
}

/* The payload of a cache file, or NULL if it is missing or damaged (with a
 * warning for the latter: the file is rebuilt). */
static const guint8 *
check_cache_file (const char *path, const char *contents, gsize len,
    gsize * payload_len)
{
  const guint8 *p = (const guint8 *) contents;
  guint8 want[CACHE_SUM_LEN];
  guint64 n;

  if (len >= CACHE_HEADER_LEN && memcmp (p, CACHE_MAGIC, CACHE_MAGIC_LEN) == 0) {
    memcpy (&n, p + CACHE_MAGIC_LEN, 8);
    n = GUINT64_FROM_LE (n);
    if (n == len - CACHE_HEADER_LEN) {
      payload_sum (p + CACHE_HEADER_LEN, n, want);
      if (memcmp (want, p + CACHE_MAGIC_LEN + 8, CACHE_SUM_LEN) == 0) {
        *payload_len = n;
        return p + CACHE_HEADER_LEN;
      }
    }
  }
  g_warning ("kernel cache file %s is truncated or corrupt: rebuilding it "
      "(delete the folder to clear the cache)", path);
  return NULL;
}

static cl_program
load_cached (SalRuntime * rt, const char *path)
{
  char *contents = NULL;
  const guint8 *bin;
  gsize len = 0, bin_len = 0;
  cl_program prog;
  cl_int err, status;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  bin = check_cache_file (path, contents, len, &bin_len);
  if (!bin) {
    g_free (contents);
    return NULL;
  }
  prog = clCreateProgramWithBinary (rt->context, 1, &rt->device, &bin_len,
      &bin, &status, &err);
  g_free (contents);
  if (err != CL_SUCCESS)
    return NULL;
  if (status != CL_SUCCESS
      || clBuildProgram (prog, 1, &rt->device, BUILD_OPTIONS, NULL,
          NULL) != CL_SUCCESS) {
    /* A stale entry (another driver version): rebuild from source. */
    clReleaseProgram (prog);
    return NULL;
  }
  return prog;
}

static void
store_cached (SalRuntime * rt, cl_program prog, const char *path)
{
  size_t len = 0;
  guint8 *file, *bin;
  guint64 n;
  char *dir;

  if (clGetProgramInfo (prog, CL_PROGRAM_BINARY_SIZES, sizeof (len), &len,
          NULL) != CL_SUCCESS || len == 0)
    return;
  file = g_malloc (CACHE_HEADER_LEN + len);
  bin = file + CACHE_HEADER_LEN;
  if (clGetProgramInfo (prog, CL_PROGRAM_BINARIES, sizeof (bin), &bin,
          NULL) == CL_SUCCESS) {
    memcpy (file, CACHE_MAGIC, CACHE_MAGIC_LEN);
    n = GUINT64_TO_LE ((guint64) len);
    memcpy (file + CACHE_MAGIC_LEN, &n, 8);
    payload_sum (bin, len, file + CACHE_MAGIC_LEN + 8);
    dir = g_path_get_dirname (path);
    /* Best effort: a read-only cache only costs build time. */
    if (g_mkdir_with_parents (dir, 0755) == 0)
      g_file_set_contents (path, (const char *) file, CACHE_HEADER_LEN + len,
          NULL);
    g_free (dir);
  }
  g_free (file);
}

static cl_program
build_from_source (SalRuntime * rt, const char *name, const char *source,
    GError ** error)
{
  const char *src = source;
  cl_program prog;
  cl_int err;

  prog = clCreateProgramWithSource (rt->context, 1, &src, NULL, &err);
  if (err != CL_SUCCESS) {
    sal_cl_error (error, err, "clCreateProgramWithSource");
    return NULL;
  }
  err = clBuildProgram (prog, 1, &rt->device, BUILD_OPTIONS, NULL, NULL);
  if (err != CL_SUCCESS) {
    char log[4096] = "";
    clGetProgramBuildInfo (prog, rt->device, CL_PROGRAM_BUILD_LOG,
        sizeof (log) - 1, log, NULL);
    g_set_error (error, SAL_ERROR, SAL_ERROR_KERNEL_BUILD,
        "building kernels/%s.cl for %s failed (%s): %s", name, rt->name,
        sal_cl_strerror (err), log);
    clReleaseProgram (prog);
    return NULL;
  }
  return prog;
}

static cl_program
get_program_locked (SalRuntime * rt, const char *name, GError ** error)
{
  cl_program prog = g_hash_table_lookup (sal_runtime_programs (rt), name);
  GBytes *common, *body;
  char *file, *source, *path;

  if (prog)
    return prog;

  file = g_strconcat (name, ".cl", NULL);
  common = load_source ("common.cl", error);
  body = common ? load_source (file, error) : NULL;
  g_free (file);
  if (!body) {
    if (common)
      g_bytes_unref (common);
    return NULL;
  }
  source = g_strdup_printf ("%.*s\n#line 1\n%.*s",
      (int) g_bytes_get_size (common),
      (const char *) g_bytes_get_data (common, NULL),
      (int) g_bytes_get_size (body),
      (const char *) g_bytes_get_data (body, NULL));
  g_bytes_unref (common);
  g_bytes_unref (body);

  path = cache_path (rt, source);
  prog = load_cached (rt, path);
  if (!prog) {
    prog = build_from_source (rt, name, source, error);
    if (prog)
      store_cached (rt, prog, path);
  }
  g_free (path);
  g_free (source);
  if (prog)
    g_hash_table_insert (sal_runtime_programs (rt), g_strdup (name), prog);
  return prog;
}

cl_program
sal_runtime_get_program (SalRuntime * rt, const char *name, GError ** error)
{
  cl_program prog;

  /* Built once per device and process, by whichever client asks first. */
  sal_runtime_lock (rt);
  prog = get_program_locked (rt, name, error);
  sal_runtime_unlock (rt);
  return prog;
}
