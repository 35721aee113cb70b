/* Runs libsaliency's face detector (src/models/faces/) on a binary PGM and
 * prints one line per face, "x y w h n", for tests/faces/faces_test.py.
 *
 *   faces-driver [--threads T] [--time N] [--side S PICTURE.pgm]
 *       CASCADE|builtin IMAGE.pgm|IMAGE.ppm [MAP_W MAP_H MAP.f32]
 *
 * Searches on T threads (default 0: one per processor, as the engine's
 * in-line searches do).
 * With MAP_*, also writes the face map (float32, row-major). Times the
 * detection with --time N (the median of N runs, on stderr). With --side,
 * the image (grey or RGB) is a frame: faces are searched in
 * sal_face_picture's picture of it, written to PICTURE.pgm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faces/sal-faces.h"
#include "faces/sal-face-picture.h"

/* A binary PGM (channels 1) or PPM (3). */
static guint8 *
read_pnm (const char *path, int *w, int *h, int *channels, GError ** error)
{
  gchar *data;
  gsize len;
  int maxval, off = 0;
  char kind = 0;
  guint8 *out = NULL;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  if (sscanf (data, "P%c %d %d %d%n", &kind, w, h, &maxval, &off) != 4
      || (kind != '5' && kind != '6') || maxval != 255 || *w < 1 || *h < 1
      || *w > 1 << 14 || *h > 1 << 14
      || (gsize) off + 1 + (gsize) * w * *h * (kind == '6' ? 3 : 1) > len)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s: not an 8-bit binary PGM or PPM", path);
  else {
    *channels = kind == '6' ? 3 : 1;
    out = g_memdup2 (data + off + 1, (gsize) * w * *h * *channels);
  }
  g_free (data);
  return out;
}

/* The face picture of a grey or RGB frame, written to path as a PGM. */
static guint8 *
picture (guint8 * img, int channels, int side, const char *path, int *w,
    int *h, GError ** error)
{
  SalFrame f = { channels == 3 ? SAL_FORMAT_RGB : SAL_FORMAT_GRAY8, *w, *h,
    {img}, {*w * channels}
  };
  guint8 *g = sal_face_picture (&f, side, w, h);
  gchar *head = g_strdup_printf ("P5 %d %d 255\n", *w, *h);
  GString *pgm = g_string_new (head);

  g_string_append_len (pgm, (const gchar *) g, (gssize) * w * *h);
  if (!g_file_set_contents (path, pgm->str, pgm->len, error))
    g_clear_pointer (&g, g_free);
  g_string_free (pgm, TRUE);
  g_free (head);
  return g;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  SalFaceCascade *c = NULL;
  guint8 *grey = NULL;
  GArray *faces = NULL;
  int w, h, channels = 1, runs = 0, side = 0, rc = 1, threads = 0;
  const char *picture_path = NULL;

  if (argc >= 3 && strcmp (argv[1], "--threads") == 0) {
    threads = atoi (argv[2]);
    argv += 2;
    argc -= 2;
  }
  if (argc >= 3 && strcmp (argv[1], "--time") == 0) {
    runs = atoi (argv[2]);
    argv += 2;
    argc -= 2;
  }
  if (argc >= 4 && strcmp (argv[1], "--side") == 0) {
    side = atoi (argv[2]);
    picture_path = argv[3];
    argv += 3;
    argc -= 3;
  }
  if ((argc != 3 && argc != 6) || (picture_path && side < 1) || threads < 0) {
    g_printerr ("usage: %s [--threads T] [--time N] [--side S PICTURE.pgm] "
        "CASCADE|builtin IMAGE.pgm|IMAGE.ppm [MAP_W MAP_H MAP.f32]\n",
        argv[0]);
    return 2;
  }
  if (strcmp (argv[1], "builtin") == 0)
    c = sal_face_cascade_new_builtin (&error);
  else {
    SalModelFile *f = sal_model_file_open (argv[1], &error);
    if (f) {
      c = sal_face_cascade_new (f, &error);
      sal_model_file_free (f);
    }
  }
  if (c && (grey = read_pnm (argv[2], &w, &h, &channels, &error))
      && picture_path) {
    guint8 *img = grey;

    grey = picture (img, channels, side, picture_path, &w, &h, &error);
    g_free (img);
  } else if (grey && channels != 1) {
    g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s: an RGB image needs --side", argv[2]);
    g_clear_pointer (&grey, g_free);
  }
  if (grey) {
    faces = sal_face_cascade_detect (c, grey, w, h, w, threads);
    for (guint i = 0; i < faces->len; i++) {
      SalFace *f = &g_array_index (faces, SalFace, i);
      g_print ("%d %d %d %d %d\n", f->x, f->y, f->w, f->h, f->n);
    }
    rc = 0;
  }
  if (rc == 0 && runs > 0) {
    double *t = g_new (double, runs);
    for (int i = 0; i < runs; i++) {
      gint64 t0 = g_get_monotonic_time ();
      g_array_unref (sal_face_cascade_detect (c, grey, w, h, w, threads));
      t[i] = (g_get_monotonic_time () - t0) / 1000.0;
    }
    qsort (t, runs, sizeof *t, cmp_double);
    g_printerr ("detect %dx%d: median %.2f ms over %d runs\n", w, h,
        t[runs / 2], runs);
    g_free (t);
  }
  if (rc == 0 && argc == 6) {
    int mw = atoi (argv[3]), mh = atoi (argv[4]);
    float *map = g_new (float, (gsize) MAX (mw, 1) * MAX (mh, 1));

    sal_face_map ((SalFace *) faces->data, faces->len, w, h, map, mw, mh);
    if (mw < 1 || mh < 1 || !g_file_set_contents (argv[5], (gchar *) map,
            sizeof (float) * mw * mh, &error))
      rc = 1;
    g_free (map);
  }
  if (rc)
    g_printerr ("faces-driver: %s\n", error ? error->message : "bad map size");
  g_clear_error (&error);
  if (faces)
    g_array_unref (faces);
  g_free (grey);
  sal_face_cascade_free (c);
  return rc;
}
