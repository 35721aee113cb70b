/* salmap bench: the engine's steady-state speed on synthetic frames, one at
 * a time with the temporal state carried, as a video would run. Decoding is
 * left out: the figures are pre-processing + network + post-processing. */
#include "salmap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "saliency.h"
#include "salmap-engine-args.h"
#include "salmap-json.h"
#include "salmap-progress.h"

#define N_SYNTHETIC 8           /* distinct frames, cycled */
#define DEFAULT_FRAMES 50
#define WARMUP 5                /* first frames: caches, lazy allocations */

typedef struct
{
  SalmapEngineArgs engine;
  char *frame_size;
  int frames;
  gboolean json;
} BenchOptions;

static int
parse_options (int argc, char **argv, BenchOptions * opts)
{
  const GOptionEntry entries[] = {
    {"frames", 'f', 0, G_OPTION_ARG_INT, &opts->frames,
        "Frames to time, after 5 warm-up frames (default: 50)", "N"},
    {"frame-size", 0, 0, G_OPTION_ARG_STRING, &opts->frame_size,
          "Size of the synthetic frames, HxW (default: the network size, "
          "so no resizing is timed)", "HxW"},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &opts->json,
        "Print one JSON object instead of the table", NULL},
    {NULL}
  };

  if (!salmap_parse_command (&argc, &argv, "- time the engine",
      "Pushes synthetic RGBx frames through the engine one at a time, the\n"
      "temporal state carried, and prints the median milliseconds per frame\n"
      "(pre-processing + network + post-processing; no decoding), the\n"
      "frame rate, and the median of each stage.",
      "Examples:\n"
      "  salmap bench --model classic\n"
      "  salmap bench --model unisal.safetensors --net-size 224x384 --json\n",
          entries, &opts->engine))
    return SALMAP_EXIT_USAGE;
  if (argc > 1) {
    salmap_printerr ("bench: unexpected argument \"%s\" (see %s --help)",
        argv[1], argv[0]);
    return SALMAP_EXIT_USAGE;
  }
  if (opts->frames < 1) {
    salmap_printerr ("bench: --frames must be at least 1");
    return SALMAP_EXIT_USAGE;
  }
  return -1;
}

/* A textured scene with a bright blob that moves from frame to frame, so
 * that motion-sensitive models do their full work. */
static guint8 *
make_frames (int width, int height)
{
  gsize frame_bytes = (gsize) width * height * 4;
  guint8 *data = g_malloc (frame_bytes * N_SYNTHETIC);

  for (int t = 0; t < N_SYNTHETIC; t++) {
    double bx = width * (0.3 + 0.05 * t), by = height * (0.5 + 0.02 * t);
    double r = MAX (2.0, MIN (width, height) * 0.08);
    guint8 *p = data + frame_bytes * t;

    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++, p += 4) {
        double d2 = ((x - bx) * (x - bx) + (y - by) * (y - by)) / (r * r);
        double blob = 200.0 * exp (-d2);
        p[0] = (guint8) MIN (255.0, 40 + 30 * ((x / 16 + y / 16) % 2) + blob);
        p[1] = (guint8) MIN (255.0, 60 + (x * 97 / MAX (width, 1)) % 60);
        p[2] = (guint8) MIN (255.0, 80 + 0.5 * blob);
        p[3] = 255;
      }
  }
  return data;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *v, int n)
{
  qsort (v, n, sizeof (double), compare_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

enum
{ STAGE_PRE, STAGE_NET, STAGE_POST, STAGE_TOTAL, N_STAGES };

static gboolean
bench (const BenchOptions * opts, GError ** error)
{
  SalEngineOptions eopts;
  SalEngine *engine;
  const SalModelInfo *info;
  int fw = 0, fh = 0;
  guint8 *frames;
  SalMap *map;
  SalmapProgress *progress;
  double *stages[N_STAGES], med[N_STAGES];
  int total = opts->frames + WARMUP;
  gboolean ok = TRUE;

  if (!salmap_engine_args_to_options (&opts->engine, &eopts, error))
    return FALSE;
  if (opts->frame_size && !sal_parse_net_size (opts->frame_size, &fw, &fh,
          error))
    return FALSE;
  engine = sal_engine_new (&eopts, error);
  if (!engine)
    return FALSE;
  info = sal_engine_get_model_info (engine);
  if (!opts->frame_size) {
    /* Networks of a fixed size are timed at it; models that size
     * themselves after the frame, on 360p video. */
    fw = info->size_from_frame ? 640 : info->net_width;
    fh = info->size_from_frame ? 360 : info->net_height;
  }

  frames = make_frames (fw, fh);
  map = sal_map_new (fw, fh);
  for (int s = 0; s < N_STAGES; s++)
    stages[s] = g_new (double, opts->frames);

  progress = salmap_progress_new (!opts->json);
  for (int i = 0; i < total && ok; i++) {
    SalFrame f = { SAL_FORMAT_RGBx, fw, fh,
      {frames + (gsize) fw * fh * 4 * (i % N_SYNTHETIC)}, {fw * 4}
    };
    SalTimings t;

    ok = sal_engine_push_frame (engine, &f, map, error);
    if (!ok || i < WARMUP)
      continue;
    sal_engine_get_timings (engine, &t);
    stages[STAGE_PRE][i - WARMUP] = t.upload_ms + t.preprocess_ms;
    stages[STAGE_NET][i - WARMUP] = t.network_ms;
    stages[STAGE_POST][i - WARMUP] = t.postprocess_ms;
    stages[STAGE_TOTAL][i - WARMUP] = t.total_ms;
    salmap_progress_update (progress, i + 1, total);
  }
  salmap_progress_clear (progress);
  salmap_progress_free (progress);

  if (ok) {
    /* After a push, the network size is the one actually used. */
    info = sal_engine_get_model_info (engine);
    for (int s = 0; s < N_STAGES; s++)
      med[s] = median (stages[s], opts->frames);
    if (opts->json) {
      char *name = salmap_json_string (info->name);
      char *arch = salmap_json_string (info->architecture);
      char *device = salmap_json_string (sal_engine_get_device_name (engine));

      printf ("{\"model\": %s, \"architecture\": %s, "
          "\"device\": %s, \"net_width\": %d, \"net_height\": %d, "
          "\"frame_width\": %d, \"frame_height\": %d, \"frames\": %d, "
          "\"ms_per_frame\": %.4f, \"fps\": %.3f, "
          "\"preprocess_ms\": %.4f, \"network_ms\": %.4f, "
          "\"postprocess_ms\": %.4f}\n", name, arch, device,
          info->net_width, info->net_height, fw, fh, opts->frames,
          med[STAGE_TOTAL], 1000.0 / med[STAGE_TOTAL], med[STAGE_PRE],
          med[STAGE_NET], med[STAGE_POST]);
      g_free (name);
      g_free (arch);
      g_free (device);
    } else {
      printf ("model     %s (%s)\ndevice    %s\n", info->name,
          info->architecture, sal_engine_get_device_name (engine));
      printf ("sizes     frame %dx%d, network %dx%d (HxW)\n", fh, fw,
          info->net_height, info->net_width);
      printf ("frames    %d timed after %d warm-up, one at a time\n",
          opts->frames, WARMUP);
      printf ("\nstage            median ms\n");
      printf ("pre-process      %9.3f\n", med[STAGE_PRE]);
      printf ("network          %9.3f\n", med[STAGE_NET]);
      printf ("post-process     %9.3f\n", med[STAGE_POST]);
      printf ("total            %9.3f   (%.1f fps)\n", med[STAGE_TOTAL],
          1000.0 / med[STAGE_TOTAL]);
    }
  }

  for (int s = 0; s < N_STAGES; s++)
    g_free (stages[s]);
  sal_map_free (map);
  g_free (frames);
  sal_engine_free (engine);
  return ok;
}

int
salmap_cmd_bench (int argc, char **argv)
{
  BenchOptions opts = { 0 };
  GError *error = NULL;
  int status;

  opts.frames = DEFAULT_FRAMES;
  status = parse_options (argc, argv, &opts);
  if (status < 0) {
    status = SALMAP_EXIT_OK;
    if (!bench (&opts, &error)) {
      salmap_printerr ("%s", error->message);
      g_clear_error (&error);
      status = SALMAP_EXIT_FAILURE;
    }
  }
  salmap_engine_args_clear (&opts.engine);
  g_free (opts.frame_size);
  return status;
}
