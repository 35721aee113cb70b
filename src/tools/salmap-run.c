/* salmap run: saliency maps for a video, a list of images or a folder,
 * written as one .npy array and/or one PNG per frame. */
#include "salmap.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "saliency.h"
#include "salmap-engine-args.h"
#include "salmap-input.h"
#include "salmap-npy.h"
#include "salmap-png.h"
#include "salmap-progress.h"

typedef struct
{
  SalmapEngineArgs engine;
  char *npy;
  char *out_dir;
  gboolean quiet;
  char **inputs;
} RunOptions;

typedef struct
{
  const RunOptions *opts;
  SalmapInput *input;
  SalEngine *engine;
  SalmapNpy *npy;
  SalmapPng *png;
  GHashTable *png_names;        /* names used in out_dir, to avoid clobbering */
  SalmapProgress *progress;
  SalMap *map;
  int frames;
  double engine_ms;             /* sum of the engine's own timings */
} Run;

static void
run_options_clear (RunOptions * opts)
{
  salmap_engine_args_clear (&opts->engine);
  g_free (opts->npy);
  g_free (opts->out_dir);
  g_strfreev (opts->inputs);
}

/* Returns an exit status, or -1 to go on. */
static int
parse_options (int argc, char **argv, RunOptions * opts)
{
  const GOptionEntry entries[] = {
    {"npy", 'n', 0, G_OPTION_ARG_FILENAME, &opts->npy,
        "Write all maps as one float32 array [T,H,W] to FILE", "FILE"},
    {"out-dir", 'o', 0, G_OPTION_ARG_FILENAME, &opts->out_dir,
        "Write one 8-bit grayscale PNG per frame into DIR", "DIR"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opts->quiet,
        "Print nothing but errors", NULL},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opts->inputs,
        NULL, "INPUT..."},
    {NULL}
  };

  if (!salmap_parse_command (&argc, &argv, "- compute saliency maps",
      "INPUT is a video file, image files taken as consecutive frames in\n"
      "the order given, or a folder of images (sorted by name). Each map is\n"
      "a probability distribution over the frame's pixels, at its size.",
      "Outputs:\n"
      "  --npy      float32 little-endian, shape [frames, height, width];\n"
      "             every frame must have the same size\n"
      "  --out-dir  map / max * 255 as PNG, named 000000.png, ... for video\n"
      "             frames and after the input's basename for images\n"
      "\n"
      "Examples:\n"
      "  salmap run --npy maps.npy clip.mp4\n"
      "  salmap run --still --out-dir maps/ photos/\n"
      "  salmap run --model unisal.safetensors --domain DHF1K --net-size 224x384 \\\n"
      "      --npy maps.npy clip.mp4\n",
          entries, &opts->engine))
    return SALMAP_EXIT_USAGE;
  if (opts->inputs == NULL || opts->inputs[0] == NULL) {
    salmap_printerr ("run: no INPUT given (see %s --help)", argv[0]);
    return SALMAP_EXIT_USAGE;
  }
  return -1;
}

/* The PNG for this frame: named after the image it came from, or by frame
 * number; never overwriting a map of this run (two folders can both hold a
 * 0001.jpg). */
static char *
png_path (Run * run, const SalmapFrameInfo * info)
{
  char *name = info->name != NULL ? g_strdup_printf ("%s.png", info->name)
      : g_strdup_printf ("%06d.png", info->index);
  char *path;

  if (g_hash_table_contains (run->png_names, name)) {
    char *unique = info->name != NULL ?
        g_strdup_printf ("%s-%06d.png", info->name, info->index) :
        g_strdup_printf ("%06d-%06d.png", info->index, info->index);

    g_free (name);
    name = unique;
  }
  path = g_build_filename (run->opts->out_dir, name, NULL);
  g_hash_table_add (run->png_names, name);
  return path;
}

static gboolean
process_frame (Run * run, const SalFrame * frame,
    const SalmapFrameInfo * info, GError ** error)
{
  SalMap *map = run->map;
  SalTimings timings;

  /* A new video, or a size change within a list of images, is another
   * clip: the engine's memory of the last frames does not apply (the
   * GStreamer element resets on caps changes alike). */
  if (map != NULL && (info->new_clip || map->width != frame->width
          || map->height != frame->height))
    sal_engine_reset (run->engine);
  if (map == NULL || map->width != frame->width
      || map->height != frame->height) {
    sal_map_free (map);
    map = run->map = sal_map_new (frame->width, frame->height);
  }

  if (!sal_engine_push_frame (run->engine, frame, map, error)) {
    g_prefix_error (error, "%s: frame %d: ", info->path, info->file_index);
    return FALSE;
  }
  sal_engine_get_timings (run->engine, &timings);
  run->engine_ms += timings.total_ms;

  if (run->npy != NULL && !salmap_npy_append (run->npy, map->data,
          map->width, map->height, error))
    return FALSE;
  if (run->png != NULL) {
    char *path = png_path (run, info);
    gboolean ok;

    sal_map_update_stats (map);
    ok = salmap_png_write_map (run->png, map, path, error);
    g_free (path);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

static gboolean
run_all (Run * run, GError ** error)
{
  const RunOptions *opts = run->opts;
  SalEngineOptions eopts;
  SalFrame frame;
  SalmapFrameInfo info;
  GError *input_error = NULL;

  /* Bad options fail before any input is opened. */
  if (!salmap_engine_args_to_options (&opts->engine, &eopts, error))
    return FALSE;
  run->input = salmap_input_new ((const char *const *) opts->inputs, error);
  if (run->input == NULL)
    return FALSE;
  if (opts->out_dir != NULL && g_mkdir_with_parents (opts->out_dir, 0777) != 0) {
    int saved = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
        "%s: %s", opts->out_dir, g_strerror (saved));
    return FALSE;
  }

  run->engine = sal_engine_new (&eopts, error);
  if (run->engine == NULL)
    return FALSE;

  if (opts->npy != NULL)
    run->npy = salmap_npy_new (opts->npy);
  if (opts->out_dir != NULL) {
    run->png = salmap_png_new ();
    run->png_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        NULL);
  }

  /* Started after the engine: fps is the steady rate, not kernel
   * compilation. */
  run->progress = salmap_progress_new (!opts->quiet);
  while (salmap_input_next (run->input, &frame, &info, &input_error)) {
    if (!process_frame (run, &frame, &info, error))
      return FALSE;
    run->frames++;
    salmap_progress_update (run->progress, run->frames,
        salmap_input_get_n_frames (run->input));
  }
  if (input_error != NULL) {
    g_propagate_error (error, input_error);
    return FALSE;
  }

  if (run->npy != NULL && !salmap_npy_close (run->npy, error))
    return FALSE;
  return TRUE;
}

static void
print_summary (Run * run)
{
  double seconds = salmap_progress_elapsed (run->progress);
  const SalModelInfo *model = sal_engine_get_model_info (run->engine);

  salmap_progress_clear (run->progress);
  g_printerr ("salmap: %d frame%s in %.2f s, %.1f fps (engine %.1f ms/frame; "
      "model %s on %s)\n", run->frames, run->frames == 1 ? "" : "s", seconds,
      seconds > 0 ? run->frames / seconds : 0.0,
      run->frames > 0 ? run->engine_ms / run->frames : 0.0,
      model != NULL && model->name != NULL ? model->name : "?",
      sal_engine_get_device_name (run->engine));
}

int
salmap_cmd_run (int argc, char **argv)
{
  RunOptions opts = { 0 };
  Run run = { 0 };
  GError *error = NULL;
  int status;

  status = parse_options (argc, argv, &opts);
  if (status >= 0) {
    run_options_clear (&opts);
    return status;
  }

  run.opts = &opts;
  if (run_all (&run, &error)) {
    if (!opts.quiet)
      print_summary (&run);
    status = SALMAP_EXIT_OK;
  } else {
    if (run.progress != NULL)
      salmap_progress_clear (run.progress);
    salmap_printerr ("%s", error->message);
    g_clear_error (&error);
    status = SALMAP_EXIT_FAILURE;
  }

  salmap_progress_free (run.progress);
  if (run.map != NULL)
    sal_map_free (run.map);
  salmap_npy_free (run.npy);
  salmap_png_free (run.png);
  if (run.png_names != NULL)
    g_hash_table_unref (run.png_names);
  if (run.engine != NULL)
    sal_engine_free (run.engine);
  salmap_input_free (run.input);
  run_options_clear (&opts);
  return status;
}
