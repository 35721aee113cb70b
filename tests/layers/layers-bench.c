/* Times sal_conv_run on random data: GFLOP/s (2 x multiply-adds) per shape.
 *
 *   layers-bench [SPEC ...]
 *
 * SPEC is KIND:numbers, e.g. pw:96,576,14,24 (1x1 CIN,COUT,H,W),
 * dw:96,112,192,2 (depthwise 3x3 C,H,W,STRIDE), dense:3,32,224,384,3,2
 * (CIN,COUT,H,W,K,STRIDE, padding K/2), smooth:224,384 (41x41, one
 * channel, replicate padding 20); SPEC*N counts a shape N times in the
 * totals. "unisal" stands for every convolution of UNISAL at 224x384 (the
 * engine's choice of stride-2 depthwise convs outside the skip taps).
 * Without arguments: a default set.
 * Each figure is the best of the runs within a second (at least 5;
 * $LAYERS_BENCH_SECONDS changes the second), with the mean CPU time of
 * the process per run, which a busy machine disturbs less.
 * tests/layers/bench_torch.py times torch.nn.functional.conv2d on the
 * same SPECs. SALIENCY_DEVICE picks the device as sal_runtime_new does. */
/* clock_gettime (CPU time) is POSIX, not C11. */
#define _POSIX_C_SOURCE 199309L

#include "sal-layers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *default_specs[] = {
  "pw:96,576,14,24", "pw:384,768,28,48", "pw:32,192,56,96",
  "pw:576,96,14,24", "pw:1296,256,7,12", "pw:16,96,112,192",
  "dw:96,112,192,1", "dw:96,112,192,2", "dw:576,14,24,1",
  "dense:3,32,224,384,3,2", "smooth:224,384",
};

static const char *unisal_specs[] = {
  "dense:3,32,224,384,3,2", "dw:32,112,192,1", "pw:32,16,112,192",
  "pw:16,96,112,192", "dw:96,112,192,2", "pw:96,24,56,96",
  "pw:24,144,56,96*2", "dw:144,56,96,1", "pw:144,24,56,96",
  "dw:144,56,96,2", "pw:144,32,28,48", "pw:32,192,28,48*3",
  "dw:192,28,48,1*3", "pw:192,32,28,48*2", "pw:192,64,28,48",
  "pw:64,384,14,24*4", "dw:384,14,24,1*4", "pw:384,64,14,24*3",
  "pw:384,96,14,24", "pw:96,576,14,24*3", "dw:576,14,24,1*3",
  "pw:576,96,14,24*2", "pw:576,160,14,24", "pw:160,960,7,12*3",
  "dw:960,7,12,1*3", "pw:960,160,7,12*2", "pw:960,320,7,12",
  "pw:320,1280,7,12", "dw:1296,7,12,1", "pw:1296,256,7,12",
  "dw:256,7,12,1*6", "pw:256,256,7,12*7", "pw:160,320,14,24",
  "pw:320,128,14,24", "pw:384,768,14,24", "dw:768,14,24,1",
  "pw:768,128,14,24", "pw:64,128,28,48", "pw:128,64,28,48",
  "pw:192,384,28,48", "dw:384,28,48,1", "pw:384,64,28,48",
  "pw:64,1,28,48", "smooth:224,384",
};

/* Seconds per kind (pw, dw, dense, smooth) and in all, counts included. */
static double totals[5];
static double total_flop;

static float *
random_floats (size_t n, float scale)
{
  float *v = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    v[i] = (float) (g_random_double () - 0.5) * scale;
  return v;
}

/* CPU time of the whole process (the OpenCL driver's threads included):
 * on a shared machine it tracks a kernel's work better than wall time. */
static double
cpu_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Seconds of runs per shape: $LAYERS_BENCH_SECONDS, default 1. */
static double seconds = 1.0;

static gboolean
bench (SalRuntime * rt, SalLayers * l, const char *spec, GError ** error)
{
  int cin, cout, h, w, k = 3, stride = 1, pad, groups = 1, kind, count = 1;
  const char *star = strchr (spec, '*');
  SalPad mode = SAL_PAD_ZERO;
  SalTensor *in = NULL, *out = NULL;
  SalConv *c = NULL;
  float *wt, *x;
  int oh, ow, iters = 0;
  double macs, t0, t, best = G_MAXDOUBLE, c0, cpu;
  gboolean ok = FALSE;

  if (star)
    count = atoi (star + 1);
  if (sscanf (spec, "pw:%d,%d,%d,%d", &cin, &cout, &h, &w) == 4) {
    k = 1;
    kind = 0;
  } else if (sscanf (spec, "dw:%d,%d,%d,%d", &cin, &h, &w, &stride) == 4) {
    cout = groups = cin;
    kind = 1;
  } else if (sscanf (spec, "dense:%d,%d,%d,%d,%d,%d", &cin, &cout, &h, &w,
          &k, &stride) == 6) {
    kind = 2;
  } else if (sscanf (spec, "smooth:%d,%d", &h, &w) == 2) {
    cin = cout = 1;
    k = 41;
    mode = SAL_PAD_REPLICATE;
    kind = 3;
  } else {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "bad spec %s (pw:CIN,COUT,H,W dw:C,H,W,STRIDE "
        "dense:CIN,COUT,H,W,K,STRIDE smooth:H,W)", spec);
    return FALSE;
  }
  if (cin < 1 || cout < 1 || h < 1 || w < 1 || k < 1 || stride < 1
      || count < 1) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "bad sizes in %s", spec);
    return FALSE;
  }
  pad = k / 2;

  wt = random_floats ((size_t) cout * (cin / groups) * k * k, 0.1f);
  x = random_floats ((size_t) cin * h * w, 2.0f);
  c = sal_conv_new (rt, cin, cout, k, stride, pad, groups, mode,
      SAL_ACT_RELU6, wt, NULL, error);
  if (!c)
    goto done;
  sal_conv_out_size (c, h, w, &oh, &ow);
  if (!(in = sal_tensor_new (rt, cin, h, w, error))
      || !(out = sal_tensor_new (rt, cout, oh, ow, error))
      || !sal_tensor_upload (rt, in, x, error))
    goto done;

  /* Warm-up: the first run compiles the work-group function. */
  if (!sal_conv_run (l, c, in, out, NULL, error))
    goto done;
  clFinish (rt->queue);
  /* The best of many runs: on a shared machine the mean measures the
   * neighbours. */
  t0 = g_get_monotonic_time () / 1e6;
  c0 = cpu_seconds ();
  do {
    double start = g_get_monotonic_time () / 1e6;
    if (!sal_conv_run (l, c, in, out, NULL, error))
      goto done;
    clFinish (rt->queue);
    t = g_get_monotonic_time () / 1e6;
    best = MIN (best, t - start);
    iters++;
  } while (t - t0 < seconds || iters < 5);
  cpu = (cpu_seconds () - c0) / iters;
  macs = (double) cout * oh * ow * (cin / groups) * k * k;
  printf ("%-24s %9.3f ms %8.1f GFLOP/s  (cpu %.3f ms)\n", spec,
      best * 1e3, 2 * macs / best / 1e9, cpu * 1e3);
  totals[kind] += best * count;
  totals[4] += best * count;
  total_flop += 2 * macs * count;
  ok = TRUE;

done:
  sal_conv_free (c);
  sal_tensor_free (in);
  sal_tensor_free (out);
  g_free (wt);
  g_free (x);
  return ok;
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  SalRuntime *rt = sal_runtime_new (g_getenv ("SALIENCY_DEVICE"), &error);
  SalLayers *l = rt ? sal_layers_new (rt, &error) : NULL;
  int status = 0;

  if (!l) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  if (g_getenv ("LAYERS_BENCH_SECONDS"))
    seconds = g_ascii_strtod (g_getenv ("LAYERS_BENCH_SECONDS"), NULL);
  printf ("device: %s\n", rt->name);
  for (int i = 1; i < MAX (argc, 2); i++) {
    const char *const *specs = (const char *const *) &argv[i];
    guint n = 1;

    if (argc == 1) {
      specs = default_specs;
      n = G_N_ELEMENTS (default_specs);
    } else if (strcmp (argv[i], "unisal") == 0) {
      specs = unisal_specs;
      n = G_N_ELEMENTS (unisal_specs);
    }
    for (guint j = 0; j < n; j++)
      if (!bench (rt, l, specs[j], &error)) {
        fprintf (stderr, "%s\n", error->message);
        g_clear_error (&error);
        status = 1;
      }
  }
  printf ("total %.3f ms (%.1f GFLOP/s): pw %.3f, dw %.3f, dense %.3f, "
      "smooth %.3f ms\n", totals[4] * 1e3, total_flop / totals[4] / 1e9,
      totals[0] * 1e3, totals[1] * 1e3, totals[2] * 1e3, totals[3] * 1e3);
  sal_layers_free (l);
  sal_runtime_free (rt);
  return status;
}
