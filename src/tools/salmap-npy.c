/* Streaming .npy writer; see salmap-npy.h. Format: NumPy's NEP 1 ("npy"
 * version 1.0): magic, version, little-endian u16 header length, then a
 * Python dict literal padded with spaces and '\n' so that the data starts
 * on a 64-byte boundary. */
#include "salmap-npy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "salmap.h"

struct _SalmapNpy
{
  char *path;
  char *tmp_path;
  FILE *file;
  int width;
  int height;
  guint64 count;
  size_t header_size;           /* bytes before the data, fixed at open */
  gboolean created;              /* tmp_path is ours to remove */
  gboolean done;
};

SalmapNpy *
salmap_npy_new (const char *path)
{
  SalmapNpy *npy = g_new0 (SalmapNpy, 1);

  npy->path = g_strdup (path);
  npy->tmp_path = g_strconcat (path, ".part", NULL);
  return npy;
}

static void
set_errno_error (GError ** error, int saved_errno, const char *what,
    const char *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
      "%s %s: %s", what, path, g_strerror (saved_errno));
}

/* The header for count maps, padded to header_size (0: to the 64-byte
 * boundary). The shape's first number is written last, when known, into
 * room reserved for the largest count, so the data never has to move. */
static GString *
make_header (const SalmapNpy * npy, const char *count, size_t header_size)
{
  GString *h = g_string_new (NULL);

  g_string_append_len (h, "\x93NUMPY\x01\x00", 8);
  g_string_append_len (h, "\0\0", 2);   /* header length, set below */
  g_string_append_printf (h,
      "{'descr': '<f4', 'fortran_order': False, 'shape': (%s, %d, %d), }",
      count, npy->height, npy->width);
  if (header_size == 0)
    header_size = (h->len + 1 + 63) / 64 * 64;
  while (h->len < header_size - 1)
    g_string_append_c (h, ' ');
  g_string_append_c (h, '\n');
  h->str[8] = (char) ((h->len - 10) & 0xff);
  h->str[9] = (char) ((h->len - 10) >> 8);
  return h;
}

static gboolean
write_all (SalmapNpy * npy, const void *data, size_t size, GError ** error)
{
  if (fwrite (data, 1, size, npy->file) != size) {
    set_errno_error (error, errno, "cannot write", npy->tmp_path);
    return FALSE;
  }
  return TRUE;
}

static gboolean
open_file (SalmapNpy * npy, int width, int height, GError ** error)
{
  GString *header;
  gboolean ok;

  npy->file = g_fopen (npy->tmp_path, "wb");
  if (npy->file == NULL) {
    set_errno_error (error, errno, "cannot create", npy->tmp_path);
    return FALSE;
  }
  npy->created = TRUE;
  npy->width = width;
  npy->height = height;
  header = make_header (npy, "18446744073709551615", 0);     /* G_MAXUINT64 */
  npy->header_size = header->len;
  ok = write_all (npy, header->str, header->len, error);
  g_string_free (header, TRUE);
  return ok;
}

gboolean
salmap_npy_append (SalmapNpy * npy, const float *data, int width,
    int height, GError ** error)
{
  size_t n = (size_t) width * height;

  if (npy->file == NULL) {
    if (!open_file (npy, width, height, error))
      return FALSE;
  } else if (width != npy->width || height != npy->height) {
    g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_SHAPE,
        "%s: frame %" G_GUINT64_FORMAT " is %dx%d but the frames before "
        "it are %dx%d; an .npy array needs one size for all frames "
        "(--out-dir takes frames of any size)", npy->path, npy->count,
        width, height, npy->width, npy->height);
    return FALSE;
  }
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  if (!write_all (npy, data, n * sizeof (float), error))
    return FALSE;
#else
  {
    guint32 buf[4096];

    for (size_t i = 0; i < n; i += G_N_ELEMENTS (buf)) {
      size_t m = MIN (n - i, G_N_ELEMENTS (buf));

      memcpy (buf, data + i, m * sizeof (float));
      for (size_t j = 0; j < m; j++)
        buf[j] = GUINT32_TO_LE (buf[j]);
      if (!write_all (npy, buf, m * sizeof (float), error))
        return FALSE;
    }
  }
#endif
  npy->count++;
  return TRUE;
}

gboolean
salmap_npy_close (SalmapNpy * npy, GError ** error)
{
  char count[32];
  GString *header;
  gboolean ok;
  FILE *file = npy->file;

  if (file == NULL) {
    g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_OUTPUT,
        "%s: no frames to write", npy->path);
    return FALSE;
  }
  g_snprintf (count, sizeof (count), "%" G_GUINT64_FORMAT, npy->count);
  header = make_header (npy, count, npy->header_size);
  ok = fseek (file, 0, SEEK_SET) == 0;
  if (!ok)
    set_errno_error (error, errno, "cannot seek in", npy->tmp_path);
  else
    ok = write_all (npy, header->str, header->len, error);
  g_string_free (header, TRUE);

  npy->file = NULL;
  /* fclose flushes: a full disk may only show here. */
  if (fclose (file) != 0 && ok) {
    set_errno_error (error, errno, "cannot write", npy->tmp_path);
    ok = FALSE;
  }
  if (ok && g_rename (npy->tmp_path, npy->path) != 0) {
    set_errno_error (error, errno, "cannot write", npy->path);
    ok = FALSE;
  }
  npy->done = ok;
  return ok;
}

void
salmap_npy_free (SalmapNpy * npy)
{
  if (npy == NULL)
    return;
  if (npy->file != NULL)
    fclose (npy->file);
  if (npy->created && !npy->done)
    g_unlink (npy->tmp_path);
  g_free (npy->path);
  g_free (npy->tmp_path);
  g_free (npy);
}
