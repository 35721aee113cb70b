/* salmap encode-eval: how good a decoded video is where people look.
 *
 * Reads the reference and the decoded video frame by frame, and prints the
 * mean over frames of PSNR, SSIM and eye-tracking-weighted PSNR (the MSE
 * weighted by each frame's human fixation density map, from --maps), all
 * on luma (salmap-quality.h). */
#include "salmap.h"

#include <math.h>
#include <stdio.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>

#include "sal-metrics.h"
#include "salmap-engine-args.h"
#include "salmap-gt.h"
#include "salmap-input.h"
#include "salmap-json.h"
#include "salmap-quality.h"

typedef struct
{
  char *maps;
  gboolean json;
  char **inputs;
} EvalOptions;

typedef struct
{
  GArray *psnr, *ssim, *ew;     /* doubles per frame */
  struct SwsContext *sws;
  guint8 *rgb;
} Scores;

/* Full-range luma of the top-left width x height of f. */
static double *
luma (Scores * sc, const AVFrame * f, int width, int height)
{
  double *y = g_new (double, (gsize) width * height);
  int stride = 3 * width;
  uint8_t *dst[4] = { NULL };
  int dst_stride[4] = { stride };

  sc->sws = sws_getCachedContext (sc->sws, width, height, f->format, width,
      height, AV_PIX_FMT_RGB24, SWS_POINT, NULL, NULL, NULL);
  sc->rgb = g_realloc (sc->rgb, (gsize) stride * height);
  dst[0] = sc->rgb;
  salmap_sws_set_colorspace (sc->sws, f, TRUE);
  sws_scale (sc->sws, (const uint8_t * const *) f->data, f->linesize, 0,
      height, dst, dst_stride);
  for (gsize i = 0; i < (gsize) width * height; i++) {
    const guint8 *p = sc->rgb + 3 * i;
    y[i] = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
  }
  return y;
}

/* The frame's fixation density at width x height (bilinear), or NULL. */
static double *
load_weights (const char *dir, const SalmapFrameInfo * info, int width,
    int height, GError ** error)
{
  char *path = salmap_gt_find (dir, info, error);
  double *gray, *w;
  int gw, gh;

  if (!path)
    return NULL;
  gray = salmap_gt_load (path, &gw, &gh, error);
  g_free (path);
  if (!gray)
    return NULL;
  w = g_new (double, (gsize) width * height);
  {
    SalMetricsMap in = { gray, gw, gh };
    sal_metrics_resize_bilinear (&in, w, width, height);
  }
  g_free (gray);
  return w;
}

static gboolean
score_all (const EvalOptions * o, Scores * sc, GError ** error)
{
  const char *ref_paths[] = { o->inputs[0], NULL };
  const char *dec_paths[] = { o->inputs[1], NULL };
  SalmapInput *ref = salmap_input_new (ref_paths, error);
  SalmapInput *dec = ref ? salmap_input_new (dec_paths, error) : NULL;
  SalFrame rf, df;
  SalmapFrameInfo ri, di;
  GError *ref_error = NULL, *dec_error = NULL;
  gboolean ok = FALSE, have_ref, have_dec;

  if (!dec)
    goto out;
  for (;;) {
    double *a, *b, *w;
    int width, height;

    have_ref = salmap_input_next (ref, &rf, &ri, &ref_error);
    have_dec = have_ref && salmap_input_next (dec, &df, &di, &dec_error);
    if (ref_error || dec_error) {
      g_propagate_error (error, ref_error ? ref_error : dec_error);
      goto out;
    }
    if (!have_ref || !have_dec)
      break;
    /* An encoder drops an odd last row or column: compare what both have. */
    width = MIN (rf.width, df.width);
    height = MIN (rf.height, df.height);
    if (ABS (rf.width - df.width) > 1 || ABS (rf.height - df.height) > 1) {
      g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_SHAPE,
          "frame %d: the reference is %dx%d but the decoded video %dx%d",
          ri.index, rf.width, rf.height, df.width, df.height);
      goto out;
    }
    w = load_weights (o->maps, &ri, width, height, error);
    if (!w)
      goto out;
    a = luma (sc, ri.av_frame, width, height);
    b = luma (sc, di.av_frame, width, height);
    {
      double p = salmap_psnr (a, b, width, height);
      double s = salmap_ssim (a, b, width, height);
      double e = salmap_ew_psnr (a, b, w, width, height);
      g_array_append_val (sc->psnr, p);
      g_array_append_val (sc->ssim, s);
      g_array_append_val (sc->ew, e);
    }
    g_free (a);
    g_free (b);
    g_free (w);
  }
  if (have_ref || salmap_input_next (dec, &df, &di, NULL)) {
    g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_SHAPE,
        "%s and %s have different numbers of frames (%u compared): decode "
        "every frame of the encode", o->inputs[0], o->inputs[1],
        sc->psnr->len);
    goto out;
  }
  if (sc->psnr->len == 0) {
    g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT, "no frames");
    goto out;
  }
  ok = TRUE;
out:
  salmap_input_free (ref);
  salmap_input_free (dec);
  return ok;
}

/* Mean over the frames with a value (NaN: no fixations on that frame). */
static double
mean (GArray * v)
{
  double s = 0;
  guint n = 0;

  for (guint i = 0; i < v->len; i++)
    if (!isnan (g_array_index (v, double, i))) {
      s += g_array_index (v, double, i);
      n++;
    }
  return n ? s / n : NAN;
}

static void
print_json_array (GArray * v)
{
  for (guint i = 0; i < v->len; i++) {
    double x = g_array_index (v, double, i);
    if (isnan (x))
      printf ("%snull", i ? ", " : "");
    else
      printf ("%s%.6f", i ? ", " : "", x);
  }
}

static void
print_scores (const EvalOptions * o, Scores * sc)
{
  if (o->json) {
    char *ref = salmap_json_string (o->inputs[0]);
    char *dec = salmap_json_string (o->inputs[1]);

    printf ("{\"reference\": %s, \"decoded\": %s, \"frames\": %u, "
        "\"psnr\": %.6f, \"ssim\": %.6f, \"ew_psnr\": %.6f,\n"
        " \"per_frame\": {\"psnr\": [", ref, dec, sc->psnr->len,
        mean (sc->psnr), mean (sc->ssim), mean (sc->ew));
    print_json_array (sc->psnr);
    printf ("],\n  \"ssim\": [");
    print_json_array (sc->ssim);
    printf ("],\n  \"ew_psnr\": [");
    print_json_array (sc->ew);
    printf ("]}}\n");
    g_free (ref);
    g_free (dec);
    return;
  }
  printf ("%-8s %9s %8s %9s\n", "frames", "PSNR dB", "SSIM", "EW-PSNR");
  printf ("%-8u %9.3f %8.4f %9.3f\n", sc->psnr->len, mean (sc->psnr),
      mean (sc->ssim), mean (sc->ew));
}

int
salmap_cmd_encode_eval (int argc, char **argv)
{
  EvalOptions o = { 0 };
  const GOptionEntry entries[] = {
    {"maps", 'm', 0, G_OPTION_ARG_FILENAME, &o.maps,
        "Fixation density maps of the reference's frames", "DIR"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &o.json, "Print JSON", NULL},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.inputs,
        NULL, "REFERENCE DECODED"},
    {NULL}
  };
  Scores sc = { 0 };
  GError *error = NULL;
  int status = SALMAP_EXIT_USAGE;

  if (!salmap_parse_command (&argc, &argv,
          "- PSNR, SSIM and EW-PSNR of an encode",
          "REFERENCE and DECODED are each a video file or a folder of frames\n"
          "(an encoded file is decoded as it is read). --maps holds the\n"
          "human fixation density map of each reference frame, named as for\n"
          "salmap eval (0001.png, ... for a video's frames).",
          "Example:\n"
          "  salmap encode-eval --maps gt/maps/ gt/images/ encoded.mp4\n",
          entries, NULL))
    goto out;
  if (!o.inputs || g_strv_length (o.inputs) != 2 || !o.maps) {
    salmap_printerr ("encode-eval: give --maps DIR, a REFERENCE and a "
        "DECODED video (see %s --help)", argv[0]);
    goto out;
  }
  sc.psnr = g_array_new (FALSE, FALSE, sizeof (double));
  sc.ssim = g_array_new (FALSE, FALSE, sizeof (double));
  sc.ew = g_array_new (FALSE, FALSE, sizeof (double));
  if (score_all (&o, &sc, &error)) {
    print_scores (&o, &sc);
    status = SALMAP_EXIT_OK;
  } else {
    salmap_printerr ("%s", error->message);
    g_clear_error (&error);
    status = SALMAP_EXIT_FAILURE;
  }
  g_array_unref (sc.psnr);
  g_array_unref (sc.ssim);
  g_array_unref (sc.ew);
  sws_freeContext (sc.sws);
  g_free (sc.rgb);
out:
  g_free (o.maps);
  g_strfreev (o.inputs);
  return status;
}
