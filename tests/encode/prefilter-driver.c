/* Runs the pre-filter (src/encode/sal-prefilter.c) with its field
 * (sal-qp.c at strength 1) on frames and maps from files, for
 * encode_test.py to compare with its NumPy version of the rule; or times
 * it.
 *
 * usage: prefilter-driver W H FORMAT STRENGTH MAP_W MAP_H FRAMES MAPS IN OUT
 *   MAPS: FRAMES maps of MAP_W x MAP_H float32 (a negative first value
 *   starts a new clip); IN, OUT: FRAMES frames, planes one after the other
 *   without padding (chroma planes (W + 1) / 2 x (H + 1) / 2).
 * usage: prefilter-driver bench W H FORMAT STRENGTH FRAMES
 *   prints the median milliseconds per frame of the filter alone.
 * Rows are given padding that the filter must leave alone (exit 3). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sal-prefilter.h"
#include "sal-qp.h"

#define BLOCK 16
#define PAD 13
#define PAD_BYTE 0x5a

typedef struct
{
  guint8 *data[3];
  int stride[3], row[3], rows[3], n;
} Planes;

static void
planes_init (Planes * p, SalPixelFormat format, int w, int h)
{
  int cw = (w + 1) / 2, ch = (h + 1) / 2;

  memset (p, 0, sizeof (*p));
  switch (format) {
    case SAL_FORMAT_I420:
      p->n = 3;
      p->row[0] = w, p->rows[0] = h;
      p->row[1] = p->row[2] = cw, p->rows[1] = p->rows[2] = ch;
      break;
    case SAL_FORMAT_NV12:
      p->n = 2;
      p->row[0] = w, p->rows[0] = h;
      p->row[1] = 2 * cw, p->rows[1] = ch;
      break;
    case SAL_FORMAT_GRAY8:
      p->n = 1, p->row[0] = w, p->rows[0] = h;
      break;
    case SAL_FORMAT_RGB:
    case SAL_FORMAT_BGR:
      p->n = 1, p->row[0] = 3 * w, p->rows[0] = h;
      break;
    default:
      p->n = 1, p->row[0] = 4 * w, p->rows[0] = h;
      break;
  }
  for (int i = 0; i < p->n; i++) {
    p->stride[i] = p->row[i] + PAD;
    p->data[i] = g_malloc ((gsize) p->stride[i] * p->rows[i]);
    memset (p->data[i], PAD_BYTE, (gsize) p->stride[i] * p->rows[i]);
  }
}

static void
planes_clear (Planes * p)
{
  for (int i = 0; i < p->n; i++)
    g_free (p->data[i]);
}

static gboolean
planes_io (Planes * p, FILE * f, gboolean write)
{
  for (int i = 0; i < p->n; i++)
    for (int y = 0; y < p->rows[i]; y++) {
      guint8 *row = p->data[i] + (gsize) y * p->stride[i];
      size_t n = write ? fwrite (row, 1, p->row[i], f)
          : fread (row, 1, p->row[i], f);
      if (n != (size_t) p->row[i])
        return FALSE;
    }
  return TRUE;
}

static gboolean
padding_intact (const Planes * p)
{
  for (int i = 0; i < p->n; i++)
    for (int y = 0; y < p->rows[i]; y++)
      for (int x = p->row[i]; x < p->stride[i]; x++)
        if (p->data[i][(gsize) y * p->stride[i] + x] != PAD_BYTE)
          return FALSE;
  return TRUE;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* A frame of noise under a field from an off-centre blob: the filter's
 * cost where about half of the frame is blurred. */
static int
bench (int w, int h, SalPixelFormat format, double strength, int frames)
{
  SalMap *map = sal_map_new (64, 36);
  SalQp *qp = sal_qp_new (w, h, BLOCK, 1.0);
  SalPrefilter *pf = sal_prefilter_new (w, h, BLOCK);
  double *ms = g_new (double, frames), sum = 0;
  const float *field;
  Planes p;

  for (int y = 0; y < 36; y++)
    for (int x = 0; x < 64; x++) {
      double dx = (x - 40) / 10.0, dy = (y - 14) / 8.0;
      map->data[y * 64 + x] = (float) exp (-(dx * dx + dy * dy) / 2) + 0.01f;
      sum += map->data[y * 64 + x];
    }
  for (int i = 0; i < 64 * 36; i++)
    map->data[i] /= (float) sum;
  field = sal_qp_update (qp, map);
  planes_init (&p, format, w, h);
  for (int t = 0; t < frames; t++) {
    gint64 start;
    for (int i = 0; i < p.n; i++)
      for (gsize k = 0; k < (gsize) p.stride[i] * p.rows[i]; k++)
        p.data[i][k] = (guint8) g_random_int ();
    start = g_get_monotonic_time ();
    sal_prefilter_apply (pf, field, strength, format, p.data, p.stride, NULL);
    ms[t] = (g_get_monotonic_time () - start) / 1000.0;
  }
  qsort (ms, frames, sizeof (double), compare_doubles);
  printf ("%dx%d %s strength %g: median %.2f ms, min %.2f ms over %d "
      "frames\n", w, h, sal_pixel_format_to_string (format), strength,
      ms[frames / 2], ms[0], frames);
  planes_clear (&p);
  g_free (ms);
  sal_prefilter_free (pf);
  sal_qp_free (qp);
  sal_map_free (map);
  return 0;
}

int
main (int argc, char **argv)
{
  int w, h, mw, mh, frames, status = 0;
  SalPixelFormat format;
  double strength;
  SalMap *map;
  SalQp *qp;
  SalPrefilter *pf;
  Planes p;
  FILE *maps, *in, *out;

  if (argc == 7 && strcmp (argv[1], "bench") == 0)
    return bench (atoi (argv[2]), atoi (argv[3]),
        sal_pixel_format_from_string (argv[4]),
        g_ascii_strtod (argv[5], NULL), atoi (argv[6]));
  if (argc != 11) {
    fprintf (stderr, "usage: %s W H FORMAT STRENGTH MAP_W MAP_H FRAMES MAPS "
        "IN OUT\n       %s bench W H FORMAT STRENGTH FRAMES\n", argv[0],
        argv[0]);
    return 2;
  }
  w = atoi (argv[1]), h = atoi (argv[2]);
  format = sal_pixel_format_from_string (argv[3]);
  strength = g_ascii_strtod (argv[4], NULL);
  mw = atoi (argv[5]), mh = atoi (argv[6]), frames = atoi (argv[7]);
  maps = fopen (argv[8], "rb"), in = fopen (argv[9], "rb");
  out = fopen (argv[10], "wb");
  if (!maps || !in || !out || format == SAL_FORMAT_UNKNOWN)
    return 1;
  map = sal_map_new (mw, mh);
  qp = sal_qp_new (w, h, BLOCK, 1.0);
  pf = sal_prefilter_new (w, h, BLOCK);
  planes_init (&p, format, w, h);
  for (int t = 0; t < frames && status == 0; t++) {
    GError *error = NULL;
    if (fread (map->data, sizeof (float), (size_t) mw * mh, maps)
        != (size_t) mw * mh || !planes_io (&p, in, FALSE))
      return 1;
    if (map->data[0] < 0) {
      sal_qp_reset (qp);
      map->data[0] = -map->data[0];
    }
    if (!sal_prefilter_apply (pf, sal_qp_update (qp, map), strength, format,
            p.data, p.stride, &error)) {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
    if (!padding_intact (&p))
      status = 3;
    else if (!planes_io (&p, out, TRUE))
      status = 1;
  }
  planes_clear (&p);
  sal_prefilter_free (pf);
  sal_qp_free (qp);
  sal_map_free (map);
  fclose (maps);
  fclose (in);
  return fclose (out) == 0 ? status : 1;
}
