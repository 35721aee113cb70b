/* Runs salmap's QP-offset rule (src/encode/sal-qp.c) on maps from a file,
 * for encode_test.py to compare with its NumPy version of the rule.
 *
 * usage: qp-driver WIDTH HEIGHT BLOCK STRENGTH MAP_W MAP_H FRAMES IN OUT
 * IN: FRAMES maps of MAP_W x MAP_H float32; OUT: FRAMES fields of float32.
 * A map with a negative first value starts a new clip (it is reset). */
#include <stdio.h>
#include <stdlib.h>

#include "sal-qp.h"

int
main (int argc, char **argv)
{
  int w, h, block, mw, mh, frames, bx, by;
  double strength;
  SalMap *map;
  SalQp *qp;
  FILE *in, *out;

  if (argc != 10) {
    fprintf (stderr, "usage: %s W H BLOCK STRENGTH MAP_W MAP_H FRAMES IN OUT\n",
        argv[0]);
    return 2;
  }
  w = atoi (argv[1]);
  h = atoi (argv[2]);
  block = atoi (argv[3]);
  strength = g_ascii_strtod (argv[4], NULL);
  mw = atoi (argv[5]);
  mh = atoi (argv[6]);
  frames = atoi (argv[7]);
  in = fopen (argv[8], "rb");
  out = fopen (argv[9], "wb");
  if (!in || !out)
    return 1;
  map = sal_map_new (mw, mh);
  qp = sal_qp_new (w, h, block, strength);
  sal_qp_get_blocks (qp, &bx, &by);
  for (int t = 0; t < frames; t++) {
    const float *o;
    if (fread (map->data, sizeof (float), (size_t) mw * mh, in)
        != (size_t) mw * mh)
      return 1;
    if (map->data[0] < 0) {
      sal_qp_reset (qp);
      map->data[0] = -map->data[0];
    }
    o = sal_qp_update (qp, map);
    fwrite (o, sizeof (float), (size_t) bx * by, out);
  }
  sal_qp_free (qp);
  sal_map_free (map);
  fclose (in);
  return fclose (out) == 0 ? 0 : 1;
}
