/* salmap bench: the engine's steady-state speed on synthetic frames, one at
 * a time with the temporal state carried, as a video would run. Decoding is
 * left out: the figures are pre-processing + network + post-processing, in
 * the pixel format asked for, with maps at the size the element requests
 * (sal_engine_get_map_size) unless told otherwise. */
#include "salmap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  char *format;
  char *map_size;
  int frames;
  SalPixelFormat pixel_format;  /* from format */
  int map_width, map_height;    /* from map_size when it is HxW */
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
    {"format", 0, 0, G_OPTION_ARG_STRING, &opts->format,
          "Pixel format of the frames: RGBx, BGRx, RGBA, BGRA, RGB, BGR, "
          "I420, NV12 or GRAY8 (default: RGBx)", "NAME"},
    {"map-size", 0, 0, G_OPTION_ARG_STRING, &opts->map_size,
          "Size of the maps: auto (the engine's map size, as the element "
          "asks for), frame (the frame's size) or HxW (default: auto)",
        "auto|frame|HxW"},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &opts->json,
        "Print one JSON object instead of the table", NULL},
    {NULL}
  };

  if (!salmap_parse_command (&argc, &argv, "- time the engine",
      "Pushes synthetic frames through the engine one at a time, the\n"
      "temporal state carried, and prints the median and mean milliseconds\n"
      "per frame (pre-processing + network + post-processing; no decoding),\n"
      "the frame rates, the slowest frame, and each stage's median and mean.\n"
      "Work done every few frames (the default model's face search) shows\n"
      "in the mean and the slowest frame, not in the median.",
      "Examples:\n"
      "  salmap bench --model classic\n"
      "  salmap bench --frame-size 1080x1920 --format I420\n"
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
  if (opts->format) {
    opts->pixel_format = sal_pixel_format_from_string (opts->format);
    if (opts->pixel_format == SAL_FORMAT_UNKNOWN) {
      salmap_printerr ("bench: unknown pixel format \"%s\": use RGBx, BGRx, "
          "RGBA, BGRA, RGB, BGR, I420, NV12 or GRAY8", opts->format);
      return SALMAP_EXIT_USAGE;
    }
  }
  if (opts->map_size && g_strcmp0 (opts->map_size, "auto") != 0
      && g_strcmp0 (opts->map_size, "frame") != 0
      && !sal_parse_net_size (opts->map_size, &opts->map_width,
          &opts->map_height, NULL)) {
    salmap_printerr ("bench: invalid map size \"%s\": write auto, frame or "
        "HEIGHTxWIDTH, e.g. 270x480", opts->map_size);
    return SALMAP_EXIT_USAGE;
  }
  return -1;
}

/* Synthetic frame t's colour at (x, y): a textured scene with a bright
 * blob that moves from frame to frame, so that motion-sensitive models do
 * their full work. */
static void
scene_rgb (int t, int width, int height, int x, int y, double rgb[3])
{
  double bx = width * (0.3 + 0.05 * t), by = height * (0.5 + 0.02 * t);
  double r = MAX (2.0, MIN (width, height) * 0.08);
  double d2 = ((x - bx) * (x - bx) + (y - by) * (y - by)) / (r * r);
  double blob = 200.0 * exp (-d2);

  rgb[0] = MIN (255.0, 40 + 30 * ((x / 16 + y / 16) % 2) + blob);
  rgb[1] = MIN (255.0, 60 + (x * 97 / MAX (width, 1)) % 60);
  rgb[2] = MIN (255.0, 80 + 0.5 * blob);
}

/* BT.601 limited range, the engine's reading of YUV. */
static guint8
to_yuv (const double rgb[3], int c)
{
  static const double m[3][4] = {
    {0.256788, 0.504129, 0.097906, 16},
    {-0.148223, -0.290993, 0.439216, 128},
    {0.439216, -0.367788, -0.071427, 128},
  };
  return (guint8) CLAMP (m[c][0] * rgb[0] + m[c][1] * rgb[1]
      + m[c][2] * rgb[2] + m[c][3] + 0.5, 0, 255);
}

/* The N_SYNTHETIC frames in one block, tightly packed planes. */
typedef struct
{
  SalPixelFormat format;
  int width, height, n_planes;
  gsize plane_offset[3], frame_bytes;
  int stride[3];
  guint8 *data;
} Frames;

static void
frames_layout (Frames * fr)
{
  SalPlaneLayout layout[3];
  gsize offset = 0;

  fr->n_planes = sal_pixel_format_planes (fr->format, layout);
  for (int p = 0; p < fr->n_planes; p++) {
    fr->stride[p] = SAL_PLANE_SIZE (fr->width, &layout[p])
        * layout[p].pixel_stride;
    fr->plane_offset[p] = offset;
    offset += (gsize) fr->stride[p] * SAL_PLANE_SIZE (fr->height, &layout[p]);
  }
  fr->frame_bytes = offset;
}

static void
make_frame (const Frames * fr, int t, guint8 * base)
{
  SalPixelFormat f = fr->format;
  gboolean yuv = f == SAL_FORMAT_I420 || f == SAL_FORMAT_NV12;
  int bpp = f == SAL_FORMAT_GRAY8 ? 1 : f == SAL_FORMAT_RGB
      || f == SAL_FORMAT_BGR ? 3 : 4;
  gboolean bgr = f == SAL_FORMAT_BGRx || f == SAL_FORMAT_BGRA
      || f == SAL_FORMAT_BGR;
  double rgb[3];

  for (int y = 0; y < fr->height; y++)
    for (int x = 0; x < fr->width; x++) {
      guint8 *p = base + (gsize) y * fr->stride[0] + (gsize) x * (yuv ? 1 :
          bpp);

      scene_rgb (t, fr->width, fr->height, x, y, rgb);
      if (yuv || f == SAL_FORMAT_GRAY8) {
        p[0] = to_yuv (rgb, 0);
      } else {
        for (int c = 0; c < 3; c++)
          p[bgr ? 2 - c : c] = (guint8) rgb[c];
        if (bpp == 4)
          p[3] = 255;
      }
      /* Chroma: the top-left pixel of each 2x2 block. */
      if (yuv && x % 2 == 0 && y % 2 == 0) {
        guint8 *c1 = base + fr->plane_offset[1]
            + (gsize) (y / 2) * fr->stride[1];
        if (f == SAL_FORMAT_I420) {
          c1[x / 2] = to_yuv (rgb, 1);
          (base + fr->plane_offset[2] + (gsize) (y / 2) * fr->stride[2])
              [x / 2] = to_yuv (rgb, 2);
        } else {
          c1[x] = to_yuv (rgb, 1);
          c1[x + 1] = to_yuv (rgb, 2);
        }
      }
    }
}

static void
make_frames (Frames * fr)
{
  frames_layout (fr);
  fr->data = g_malloc (fr->frame_bytes * N_SYNTHETIC);
  for (int t = 0; t < N_SYNTHETIC; t++)
    make_frame (fr, t, fr->data + fr->frame_bytes * t);
}

static void
get_frame (const Frames * fr, int t, SalFrame * f)
{
  guint8 *base = fr->data + fr->frame_bytes * (t % N_SYNTHETIC);

  memset (f, 0, sizeof (*f));
  f->format = fr->format;
  f->width = fr->width;
  f->height = fr->height;
  for (int p = 0; p < fr->n_planes; p++) {
    f->data[p] = base + fr->plane_offset[p];
    f->stride[p] = fr->stride[p];
  }
}

/* --map-size: auto (the default), frame or HxW. */
static void
choose_map_size (const BenchOptions * opts, SalEngine * engine, int fw,
    int fh, int *mw, int *mh)
{
  if (opts->map_width > 0) {
    *mw = opts->map_width;
    *mh = opts->map_height;
  } else if (g_strcmp0 (opts->map_size, "frame") == 0) {
    *mw = fw;
    *mh = fh;
  } else {
    sal_engine_get_map_size (engine, fw, fh, mw, mh);
  }
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
mean (const double *v, int n)
{
  double sum = 0;

  for (int i = 0; i < n; i++)
    sum += v[i];
  return sum / n;
}

/* Sorts v. */
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
  int fw = 0, fh = 0, mw, mh;
  Frames frames = { 0 };
  SalMap *map;
  SalmapProgress *progress;
  double *stages[N_STAGES], med[N_STAGES], avg[N_STAGES], slowest = 0;
  int total = opts->frames + WARMUP;
  gboolean ok = TRUE;

  if (!salmap_engine_args_to_options (&opts->engine, &eopts, error))
    return FALSE;
  frames.format = opts->pixel_format;
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

  choose_map_size (opts, engine, fw, fh, &mw, &mh);

  frames.width = fw;
  frames.height = fh;
  make_frames (&frames);
  map = sal_map_new (mw, mh);
  for (int s = 0; s < N_STAGES; s++)
    stages[s] = g_new (double, opts->frames);

  progress = salmap_progress_new (!opts->json);
  for (int i = 0; i < total && ok; i++) {
    SalFrame f;
    SalTimings t;

    get_frame (&frames, i, &f);
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
    /* Means beside medians: work done every few frames (the default
     * model's face search) shows in the mean and the slowest frame. */
    for (int s = 0; s < N_STAGES; s++) {
      avg[s] = mean (stages[s], opts->frames);
      med[s] = median (stages[s], opts->frames);
    }
    slowest = stages[STAGE_TOTAL][opts->frames - 1];
    if (opts->json) {
      char *name = salmap_json_string (info->name);
      char *arch = salmap_json_string (info->architecture);
      char *device = salmap_json_string (sal_engine_get_device_name (engine));

      printf ("{\"model\": %s, \"architecture\": %s, "
          "\"device\": %s, \"net_width\": %d, \"net_height\": %d, "
          "\"frame_width\": %d, \"frame_height\": %d, \"format\": \"%s\", "
          "\"map_width\": %d, \"map_height\": %d, \"frames\": %d, "
          "\"ms_per_frame\": %.4f, \"fps\": %.3f, "
          "\"preprocess_ms\": %.4f, \"network_ms\": %.4f, "
          "\"postprocess_ms\": %.4f, \"mean_ms_per_frame\": %.4f, "
          "\"mean_fps\": %.3f, \"slowest_ms\": %.4f}\n", name, arch,
          device, info->net_width, info->net_height, fw, fh,
          sal_pixel_format_to_string (frames.format), mw, mh, opts->frames,
          med[STAGE_TOTAL], 1000.0 / med[STAGE_TOTAL], med[STAGE_PRE],
          med[STAGE_NET], med[STAGE_POST], avg[STAGE_TOTAL],
          1000.0 / avg[STAGE_TOTAL], slowest);
      g_free (name);
      g_free (arch);
      g_free (device);
    } else {
      printf ("model     %s (%s)\ndevice    %s\n", info->name,
          info->architecture, sal_engine_get_device_name (engine));
      printf ("sizes     frame %dx%d %s, network %dx%d, map %dx%d (HxW)\n",
          fh, fw, sal_pixel_format_to_string (frames.format),
          info->net_height, info->net_width, mh, mw);
      printf ("frames    %d timed after %d warm-up, one at a time\n",
          opts->frames, WARMUP);
      printf ("\nstage            median ms   mean ms\n");
      printf ("pre-process      %9.3f %9.3f\n", med[STAGE_PRE],
          avg[STAGE_PRE]);
      printf ("network          %9.3f %9.3f\n", med[STAGE_NET],
          avg[STAGE_NET]);
      printf ("post-process     %9.3f %9.3f\n", med[STAGE_POST],
          avg[STAGE_POST]);
      printf ("total            %9.3f %9.3f   (%.1f fps median, %.1f fps "
          "mean; slowest frame %.3f ms)\n", med[STAGE_TOTAL],
          avg[STAGE_TOTAL], 1000.0 / med[STAGE_TOTAL],
          1000.0 / avg[STAGE_TOTAL], slowest);
    }
  }

  for (int s = 0; s < N_STAGES; s++)
    g_free (stages[s]);
  sal_map_free (map);
  g_free (frames.data);
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
  opts.pixel_format = SAL_FORMAT_RGBx;
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
  g_free (opts.format);
  g_free (opts.map_size);
  return status;
}
