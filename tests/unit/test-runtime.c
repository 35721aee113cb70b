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

/* A second build of a program comes from the on-disk cache, and a damaged
 * cache entry is rebuilt rather than trusted. */
static void
test_program_cache (void)
{
  char *dir = g_dir_make_tmp ("sal-cache-XXXXXX", NULL);
  GError *err = NULL;
  SalRuntime *rt;
  GDir *d;
  const char *name;
  char *entry = NULL;
  cl_kernel k;

  g_setenv ("SALIENCY_CACHE_DIR", dir, TRUE);
  rt = sal_runtime_new ("auto", &err);
  g_assert_no_error (err);
  k = sal_runtime_create_kernel (rt, "centre", "centre_prior", &err);
  g_assert_no_error (err);
  clReleaseKernel (k);
  sal_runtime_free (rt);

  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)))
    if (g_str_has_suffix (name, ".bin"))
      entry = g_build_filename (dir, name, NULL);
  g_dir_close (d);
  g_assert_nonnull (entry);

  g_assert_true (g_file_set_contents (entry, "garbage", 7, NULL));
  rt = sal_runtime_new ("auto", &err);
  k = sal_runtime_create_kernel (rt, "centre", "centre_prior", &err);
  g_assert_no_error (err);
  g_assert_nonnull (k);
  clReleaseKernel (k);

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
  g_free (entry);
  g_free (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/device-strings", test_device_strings);
  g_test_add_func ("/runtime/no-platform", test_no_platform);
  g_test_add_func ("/runtime/program-cache", test_program_cache);
  return g_test_run ();
}
