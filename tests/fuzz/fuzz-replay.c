/* Runs LLVMFuzzerTestOneInput over files and folders of inputs without
 * libFuzzer, so that every build (and its sanitizers) exercises the
 * committed corpus and the crash reproducers. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static gboolean
run_file (const char *path)
{
  GError *err = NULL;
  char *contents;
  gsize len;
  guint8 *exact;

  if (!g_file_get_contents (path, &contents, &len, &err)) {
    fprintf (stderr, "%s\n", err->message);
    g_error_free (err);
    return FALSE;
  }
  /* An exactly-sized copy: g_file_get_contents adds a NUL that would hide
   * a one-byte over-read from ASan. */
  exact = g_malloc (MAX (len, 1));
  memcpy (exact, contents, len);
  g_free (contents);
  printf ("# %s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
  fflush (stdout);
  LLVMFuzzerTestOneInput (exact, len);
  g_free (exact);
  return TRUE;
}

int
main (int argc, char **argv)
{
  guint n = 0;

  if (argc < 2) {
    fprintf (stderr, "usage: %s FILE|FOLDER...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    if (g_file_test (argv[i], G_FILE_TEST_IS_DIR)) {
      GDir *dir = g_dir_open (argv[i], 0, NULL);
      GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (!dir) {
        fprintf (stderr, "cannot open folder %s\n", argv[i]);
        return 1;
      }
      while ((name = g_dir_read_name (dir)))
        g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
      g_dir_close (dir);
      /* Sorted: the same order on every run. */
      g_ptr_array_sort (names, compare_paths);
      for (guint k = 0; k < names->len; k++) {
        if (!run_file (names->pdata[k]))
          return 1;
        n++;
      }
      g_ptr_array_unref (names);
    } else {
      if (!run_file (argv[i]))
        return 1;
      n++;
    }
  }
  /* An empty corpus means a wrong path, not a pass. */
  if (n == 0) {
    fprintf (stderr, "no inputs found\n");
    return 1;
  }
  printf ("ran %u inputs\n", n);
  return 0;
}
