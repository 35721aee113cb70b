/* Device choice, errors and the program cache. */
#include "sal-runtime.h"
#include "saliency.h"

#include <glib/gstdio.h>
#include <string.h>

static void
test_device_strings (void)
{
  const char *ok[] = { "auto", "cpu", "0", NULL };
  GError *err = NULL;

  for (int i = 0; ok[i]; i++) {
    SalRuntime *rt = sal_runtime_new (ok[i], &err);
    g_assert_no_error (err);
    g_assert_nonnull (strchr (rt->name, ':'));
    sal_runtime_free (rt);
  }

  g_assert_null (sal_runtime_new ("99", &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_NO_DEVICE);
  /* The message lists what there is, so the user can pick. */
  g_assert_nonnull (strstr (err->message, "0: "));
  g_clear_error (&err);

  g_assert_null (sal_runtime_new ("banana", &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_NO_DEVICE);
  g_clear_error (&err);
}

/* With no ICD at all the error names the package to install. */
static void
test_no_platform (void)
{
  if (g_test_subprocess ()) {
    GError *err = NULL;
    g_assert_null (sal_runtime_new ("auto", &err));
    g_printerr ("%s\n", err->message);
    g_assert_error (err, SAL_ERROR, SAL_ERROR_NO_PLATFORM);
    g_error_free (err);
    return;
  }
  {
    /* An empty vendor folder: the ICD loader finds no driver. */
    char *empty = g_dir_make_tmp ("sal-icd-XXXXXX", NULL);
    g_setenv ("OCL_ICD_VENDORS", empty, TRUE);
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_unsetenv ("OCL_ICD_VENDORS");
    g_rmdir (empty);
    g_free (empty);
  }
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*pocl-opencl-icd*");
}

static char *
find_cache_entry (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  char *entry = NULL;

  while ((name = g_dir_read_name (d)))
    if (g_str_has_suffix (name, ".bin") && !entry)
      entry = g_build_filename (dir, name, NULL);
  g_dir_close (d);
  g_assert_nonnull (entry);
  return entry;
}

/* Builds centre.cl in a fresh runtime (so the program is not in memory)
 * and checks the kernel is usable. */
static void
build_centre (void)
{
  GError *err = NULL;
  SalRuntime *rt = sal_runtime_new ("auto", &err);
  cl_kernel k;

  g_assert_no_error (err);
  k = sal_runtime_create_kernel (rt, "centre", "centre_prior", &err);
  g_assert_no_error (err);
  g_assert_nonnull (k);
  /* Other threads may be building: see sal_runtime_lock(). */
  sal_runtime_lock (rt);
  clReleaseKernel (k);
  sal_runtime_unlock (rt);
  sal_runtime_free (rt);
}

/* A second build of a program comes from the on-disk cache, and a damaged
 * cache entry (garbage, truncated, one byte flipped) is detected with a
 * warning and rebuilt, never handed to the driver. */
static void
test_program_cache (void)
{
  char *dir = g_dir_make_tmp ("sal-cache-XXXXXX", NULL);
  GError *err = NULL;
  SalRuntime *rt;
  char *entry, *good, *bad;
  gsize len, len2;

  g_setenv ("SALIENCY_CACHE_DIR", dir, TRUE);
  build_centre ();
  entry = find_cache_entry (dir);
  g_assert_true (g_file_get_contents (entry, &good, &len, NULL));
  g_assert_cmpuint (len, >, 64);

  /* Intact: read back, not rewritten. */
  build_centre ();
  g_assert_true (g_file_get_contents (entry, &bad, &len2, NULL));
  g_assert_cmpmem (bad, len2, good, len);
  g_free (bad);

  for (int damage = 0; damage < 3; damage++) {
    bad = g_memdup2 (good, len);
    if (damage == 0)
      g_assert_true (g_file_set_contents (entry, "garbage", 7, NULL));
    else if (damage == 1)
      g_assert_true (g_file_set_contents (entry, bad, len / 2, NULL));
    else {
      bad[len - 100] ^= 0x5a;
      g_assert_true (g_file_set_contents (entry, bad, len, NULL));
    }
    g_test_expect_message ("saliency", G_LOG_LEVEL_WARNING,
        "*truncated or corrupt*rebuilding*");
    build_centre ();
    g_test_assert_expected_messages ();
    g_free (bad);
    /* Rebuilt and rewritten whole: the next start reads it without a
     * warning (warnings are fatal here). */
    g_assert_true (g_file_get_contents (entry, &bad, &len2, NULL));
    g_assert_cmpuint (len2, >, 64);
    g_assert_cmpmem (bad, 8, good, 8);
    g_free (bad);
    build_centre ();
  }

  rt = sal_runtime_new ("auto", &err);
  g_assert_null (sal_runtime_create_kernel (rt, "centre", "no_such", &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_KERNEL_BUILD);
  g_clear_error (&err);
  g_assert_null (sal_runtime_get_program (rt, "no-such-program", &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_KERNEL_BUILD);
  g_clear_error (&err);
  sal_runtime_free (rt);

  g_unsetenv ("SALIENCY_CACHE_DIR");
  g_remove (entry);
  g_rmdir (dir);
  g_free (good);
  g_free (entry);
  g_free (dir);
}

/* Runtimes on one device share the context and the built programs (built
 * once), each with a queue of its own; the shared part outlives any one
 * runtime and goes with the last. */
static void
test_shared_device (void)
{
  GError *err = NULL;
  SalRuntime *a = sal_runtime_new ("auto", &err);
  SalRuntime *b = sal_runtime_new ("auto", &err);
  SalRuntime *c;
  cl_program pa, pb;
  cl_kernel k;

  g_assert_no_error (err);
  g_assert_true (a->shared == b->shared);
  g_assert_true (a->context == b->context);
  g_assert_true (a->queue != b->queue);
  pa = sal_runtime_get_program (a, "centre", &err);
  pb = sal_runtime_get_program (b, "centre", &err);
  g_assert_no_error (err);
  g_assert_true (pa == pb);

  /* Identical weights are one buffer on the device; other weights not. */
  {
    float w1[4] = { 1, 2, 3, 4 }, w2[4] = { 1, 2, 3, 5 }, back[4];
    cl_mem m1 = sal_runtime_get_shared_buffer (a, w1, sizeof (w1), &err);
    cl_mem m2 = sal_runtime_get_shared_buffer (b, w1, sizeof (w1), &err);
    cl_mem m3 = sal_runtime_get_shared_buffer (b, w2, sizeof (w2), &err);

    g_assert_no_error (err);
    g_assert_true (m1 == m2);
    g_assert_true (m1 != m3);
    sal_runtime_release_shared_buffer (a, m1);
    /* Still b's: intact. */
    g_assert_cmpint (clEnqueueReadBuffer (b->queue, m2, CL_TRUE, 0,
            sizeof (back), back, 0, NULL, NULL), ==, CL_SUCCESS);
    g_assert_cmpmem (back, sizeof (back), w1, sizeof (w1));
    sal_runtime_release_shared_buffer (b, m2);
    sal_runtime_release_shared_buffer (b, m3);
  }

  /* b still holds the device: a's going releases nothing shared. */
  sal_runtime_free (a);
  k = sal_runtime_create_kernel (b, "centre", "centre_prior", &err);
  g_assert_no_error (err);
  clReleaseKernel (k);
  c = sal_runtime_new ("auto", &err);
  g_assert_true (c->shared == b->shared);
  g_assert_true (sal_runtime_get_program (c, "centre", &err) == pb);
  sal_runtime_free (b);
  sal_runtime_free (c);
}

static gpointer
new_runtime_thread (gpointer data)
{
  build_centre ();
  return NULL;
}

/* Elements of different pipelines start in different threads. The first
 * device listing of a process, raced by several threads, used to report
 * "no devices" (the ICD loader and PoCL initialise on first use), so this
 * runs first. */
static void
test_concurrent_new (void)
{
  GThread *t[8];

  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    t[i] = g_thread_new ("new", new_runtime_thread, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    g_thread_join (t[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/concurrent-new", test_concurrent_new);
  g_test_add_func ("/runtime/device-strings", test_device_strings);
  g_test_add_func ("/runtime/no-platform", test_no_platform);
  g_test_add_func ("/runtime/program-cache", test_program_cache);
  g_test_add_func ("/runtime/shared-device", test_shared_device);
  return g_test_run ();
}
