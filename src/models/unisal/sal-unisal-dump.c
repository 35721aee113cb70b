/* Layer-by-layer debugging of the UNISAL engine: with
 * SALIENCY_UNISAL_DUMP=DIR every named activation of every frame is
 * written as DIR/f<frame>_<name>.npy, the names and layout that
 * `tools/unisal_reference.py --dump DIR` writes, so that
 * `tools/unisal_reference.py --compare REF_DIR DIR` finds the first layer
 * that differs. Off (one pointer test per activation) otherwise. */
#include "sal-unisal.h"

#include <stdio.h>
#include <string.h>

static gboolean
write_npy (const char *path, const SalTensor * t, const float *data)
{
  char header[128];
  int n = g_snprintf (header, sizeof (header),
      "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d), }",
      t->c, t->h, t->w);
  /* Magic (6) + version (2) + length (2) + header + '\n', padded to 64. */
  int total = (10 + n + 1 + 63) / 64 * 64;
  guint16 len = (guint16) (total - 10);
  FILE *fp = fopen (path, "wb");
  gboolean ok;

  if (!fp)
    return FALSE;
  memset (header + n, ' ', total - 10 - n - 1);
  header[total - 10 - 1] = '\n';
  ok = fwrite ("\x93NUMPY\x01\x00", 1, 8, fp) == 8
      && fputc (len & 0xff, fp) != EOF && fputc (len >> 8, fp) != EOF
      && fwrite (header, 1, len, fp) == len
      && fwrite (data, sizeof (float), sal_tensor_size (t), fp)
      == sal_tensor_size (t);
  return fclose (fp) == 0 && ok;
}

void
unisal_dump (SalModel * m, const char *name, const SalTensor * t)
{
  GError *error = NULL;
  float *data;
  char *file, *path;

  if (G_LIKELY (!m->dump_dir))
    return;
  data = g_new (float, sal_tensor_size (t));
  file = g_strdup_printf ("f%04" G_GUINT64_FORMAT "_%s.npy", m->n_forward,
      name);
  path = g_build_filename (m->dump_dir, file, NULL);
  if (!sal_tensor_download (m->rt, t, data, &error)) {
    g_warning ("unisal dump %s: %s", name, error->message);
    g_clear_error (&error);
  } else if (!write_npy (path, t, data)) {
    g_warning ("unisal dump: cannot write %s", path);
  }
  g_free (path);
  g_free (file);
  g_free (data);
}
