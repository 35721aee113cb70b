/* model-file-dump FILE: what the loader reads from FILE, as JSON on stdout:
 * {"metadata": {...}, "tensors": [{"name", "shape", "sha256"}, ...]} where
 * sha256 is over the tensor's floats as sal_model_file_read returns them
 * (native byte order: little-endian on every host we test on). Exits 1
 * with the loader's message on stderr when the file is refused. Used by
 * the converter tests to check that what Python writes, C reads. */
#include "sal-model-file.h"

#include <stdio.h>

/* The metadata values are written back as JSON strings. */
static void
print_json_string (const char *s)
{
  putchar ('"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
    if (*p == '"' || *p == '\\')
      printf ("\\%c", *p);
    else if (*p < 0x20)
      printf ("\\u%04x", *p);
    else
      putchar (*p);
  }
  putchar ('"');
}

int
main (int argc, char **argv)
{
  const char *keys[] = { "format", "format_version", "architecture",
    "domains", "net_height", "net_width", "modulo_DHF1K", "modulo_Hollywood",
    "modulo_UCFSports", "modulo_SALICON", "bn_eps", "mean", "std", "source",
    NULL
  };
  GError *err = NULL;
  SalModelFile *f;
  gboolean first = TRUE;

  if (argc != 2) {
    fprintf (stderr, "usage: %s FILE.safetensors\n", argv[0]);
    return 2;
  }
  f = sal_model_file_open (argv[1], &err);
  if (!f) {
    fprintf (stderr, "%s\n", err->message);
    g_error_free (err);
    return 1;
  }

  /* The API has no key enumeration; the keys the converter writes. */
  printf ("{\"metadata\": {");
  for (int i = 0; keys[i]; i++) {
    const char *v = sal_model_file_get_meta (f, keys[i]);
    if (!v)
      continue;
    printf ("%s\"%s\": ", first ? "" : ", ", keys[i]);
    print_json_string (v);
    first = FALSE;
  }
  printf ("},\n \"tensors\": [");
  for (guint i = 0; i < sal_model_file_get_n_tensors (f); i++) {
    const SalModelTensor *t = sal_model_file_get_tensor (f, i);
    float *data = sal_model_file_read (f, t->name, t->ndim, t->shape, &err);
    char *sum;

    if (!data) {
      fprintf (stderr, "%s\n", err->message);
      return 1;
    }
    sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
        (const guchar *) data, t->n_elements * sizeof (float));
    printf ("%s\n  {\"name\": ", i ? "," : "");
    print_json_string (t->name);
    printf (", \"shape\": [");
    for (int d = 0; d < t->ndim; d++)
      printf ("%s%" G_GINT64_FORMAT, d ? ", " : "", t->shape[d]);
    printf ("], \"sha256\": \"%s\"}", sum);
    g_free (sum);
    g_free (data);
  }
  printf ("]}\n");
  sal_model_file_free (f);
  return 0;
}
