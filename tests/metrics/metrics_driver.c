/* The C metrics on .npy maps, for agreement.py to compare with metrics.py.
 *
 *   metrics-driver S.npy G.npy F.npy OTHER.npy JITTER.npy SPLITS.npy SEED
 *
 * S the prediction, G the density map, F the fixations (> 0), OTHER the
 * shuffled-AUC negatives (> 0), JITTER AUC-Judd's noise (F's shape),
 * SPLITS [n_splits, n] flat indices; "-" for JITTER or SPLITS leaves that
 * input out. Prints one JSON object, every value with 17 significant
 * digits: the metrics with the given randomness, and AUC-Judd and shuffled
 * AUC with it drawn from g_rand_new_with_seed (SEED) (the jitter first),
 * as salmap eval draws it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sal-metrics.h"

typedef struct
{
  double *data;
  int rows;
  int cols;
} Array;

static G_NORETURN void
die (const char *path, const char *what)
{
  fprintf (stderr, "metrics-driver: %s: %s\n", path, what);
  exit (1);
}

/* Just enough of the .npy format: C order, 1 or 2 dimensions, the
 * little-endian numeric types NumPy writes for these arrays. */
static Array
load_npy (const char *path)
{
  gchar *bytes;
  gsize len, header_len, offset, n, item;
  char *header, *descr, *shape;
  Array a = { 0 };
  long dims[2] = { 1, 1 };
  int nd = 0;
  char type[4];

  if (!g_file_get_contents (path, &bytes, &len, NULL))
    die (path, "cannot read");
  if (len < 10 || memcmp (bytes, "\x93NUMPY", 6) != 0)
    die (path, "not an .npy file");
  if (bytes[6] == 1) {
    header_len = (guint8) bytes[8] | (guint8) bytes[9] << 8;
    offset = 10;
  } else {
    header_len = (guint8) bytes[8] | (guint8) bytes[9] << 8
        | (gsize) (guint8) bytes[10] << 16 | (gsize) (guint8) bytes[11] << 24;
    offset = 12;
  }
  if (offset + header_len > len)
    die (path, "truncated header");
  header = g_strndup (bytes + offset, header_len);
  offset += header_len;
  if (strstr (header, "'fortran_order': True"))
    die (path, "Fortran order");
  descr = strstr (header, "'descr': '");
  shape = strstr (header, "'shape': (");
  if (!descr || !shape || sscanf (descr + 10, "%3s", type) != 1)
    die (path, "unreadable header");
  for (char *p = shape + 10; *p && *p != ')' && nd < 2;) {
    char *end;
    long v = strtol (p, &end, 10);

    if (end == p)
      break;
    dims[nd++] = v;
    p = end;
    while (*p == ',' || *p == ' ')
      p++;
  }
  if (nd == 1) {
    dims[1] = dims[0];
    dims[0] = 1;
  }
  a.rows = (int) dims[0];
  a.cols = (int) dims[1];
  n = (gsize) a.rows * a.cols;
  item = strcmp (type, "<f8") == 0 || strcmp (type, "<i8") == 0 ? 8
      : strcmp (type, "<f4") == 0 || strcmp (type, "<i4") == 0
      || strcmp (type, "<u4") == 0 ? 4 : strcmp (type, "|b1") == 0
      || strcmp (type, "|u1") == 0 ? 1 : 0;
  if (item == 0)
    die (path, "unsupported dtype");
  if (offset + n * item > len)
    die (path, "truncated data");
  a.data = g_new (double, MAX (n, 1));
  for (gsize i = 0; i < n; i++) {
    const char *p = bytes + offset + i * item;

    if (strcmp (type, "<f8") == 0) {
      memcpy (&a.data[i], p, 8);
    } else if (strcmp (type, "<f4") == 0) {
      float f;

      memcpy (&f, p, 4);
      a.data[i] = f;
    } else if (strcmp (type, "<i8") == 0) {
      gint64 v;

      memcpy (&v, p, 8);
      a.data[i] = (double) v;
    } else if (strcmp (type, "<i4") == 0) {
      gint32 v;

      memcpy (&v, p, 4);
      a.data[i] = v;
    } else if (strcmp (type, "<u4") == 0) {
      guint32 v;

      memcpy (&v, p, 4);
      a.data[i] = v;
    } else {
      a.data[i] = (guint8) * p;
    }
  }
  g_free (header);
  g_free (bytes);
  return a;
}

static guint8 *
to_mask (const Array * a)
{
  gsize n = (gsize) a->rows * a->cols;
  guint8 *m = g_new (guint8, MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    m[i] = a->data[i] > 0;
  return m;
}

static void
print_value (const char *name, double v, gboolean last)
{
  if (isnan (v))
    printf ("\"%s\": NaN%s", name, last ? "" : ", ");
  else
    printf ("\"%s\": %.17g%s", name, v, last ? "" : ", ");
}

int
main (int argc, char **argv)
{
  Array s, g, f, other, jitter = { 0 }, splits = { 0 };
  guint8 *fmask, *omask;
  guint32 *split_idx = NULL;
  SalMetricsMap sm, gm;
  SalMetricsFixations fm;
  GRand *rand;

  if (argc != 8) {
    fprintf (stderr, "usage: metrics-driver S G F OTHER JITTER|- "
        "SPLITS|- SEED\n");
    return 2;
  }
  s = load_npy (argv[1]);
  g = load_npy (argv[2]);
  f = load_npy (argv[3]);
  other = load_npy (argv[4]);
  if (strcmp (argv[5], "-") != 0)
    jitter = load_npy (argv[5]);
  if (strcmp (argv[6], "-") != 0) {
    gsize n;

    splits = load_npy (argv[6]);
    n = (gsize) splits.rows * splits.cols;
    split_idx = g_new (guint32, MAX (n, 1));
    for (gsize i = 0; i < n; i++)
      split_idx[i] = (guint32) splits.data[i];
  }
  if (other.rows != f.rows || other.cols != f.cols)
    die (argv[4], "not the size of F");

  sm = (SalMetricsMap) { s.data, s.cols, s.rows };
  gm = (SalMetricsMap) { g.data, g.cols, g.rows };
  fmask = to_mask (&f);
  omask = to_mask (&other);
  fm = (SalMetricsFixations) { fmask, f.cols, f.rows };

  printf ("{");
  print_value ("CC", sal_metrics_cc (&sm, &gm), FALSE);
  print_value ("SIM", sal_metrics_sim (&sm, &gm), FALSE);
  print_value ("KLD", sal_metrics_kld (&sm, &gm), FALSE);
  print_value ("NSS", sal_metrics_nss (&sm, &fm), FALSE);
  print_value ("AUC-Judd-nojitter", sal_metrics_auc_judd (&sm, &fm, NULL),
      FALSE);
  if (jitter.data)
    print_value ("AUC-Judd", sal_metrics_auc_judd (&sm, &fm, jitter.data),
        FALSE);
  if (split_idx)
    print_value ("sAUC", sal_metrics_shuffled_auc (&sm, &fm, split_idx,
            splits.rows, splits.cols), FALSE);

  /* The seeded draws, in salmap eval's order: jitter, then the splits. */
  rand = g_rand_new_with_seed ((guint32) strtoul (argv[7], NULL, 10));
  print_value ("AUC-Judd-seeded", sal_metrics_auc_judd_random (&sm, &fm,
          rand), FALSE);
  print_value ("sAUC-seeded", sal_metrics_shuffled_auc_random (&sm, &fm,
          omask, SAL_METRICS_N_SPLITS, rand), TRUE);
  printf ("}\n");
  g_rand_free (rand);

  g_free (fmask);
  g_free (omask);
  g_free (split_idx);
  g_free (s.data);
  g_free (g.data);
  g_free (f.data);
  g_free (other.data);
  g_free (jitter.data);
  g_free (splits.data);
  return 0;
}
