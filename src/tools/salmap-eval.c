/* salmap eval: scores a model's maps against eye-tracking ground truth,
 * beside weight-free baselines: the centre prior (a centred Gaussian is a
 * strong baseline: a score means little without it), the classic model
 * and spectral residual x centre (what a learned model must add to).
 *
 * Per frame: CC, SIM and KLD against the density map (--maps); NSS,
 * AUC-Judd and shuffled AUC against the binary fixation map (--fixations),
 * when given. The prediction is made at the frame's size, as `salmap run`
 * makes it, and resized bilinearly to each ground truth's size. Means are
 * over the frames where a metric is defined (NSS and the AUCs are not
 * without fixations). The metrics are libsaliency's (sal-metrics.h). */
#include "salmap.h"

#include <math.h>
#include <stdio.h>

#include "saliency.h"
#include "sal-metrics.h"
#include "salmap-engine-args.h"
#include "salmap-fixations.h"
#include "salmap-gt.h"
#include "salmap-input.h"
#include "salmap-json.h"
#include "salmap-progress.h"

enum
{
  M_CC, M_SIM, M_KLD, M_NSS, M_AUC_JUDD, M_SAUC, N_METRICS
};

static const char *const json_names[N_METRICS] = {
  "CC", "SIM", "KLD", "NSS", "AUC-Judd", "sAUC"
};

static const char *const table_names[N_METRICS] = {
  "CC", "SIM", "KLD", "NSS", "AUC-J", "sAUC"
};

/* The baselines, in the order of the rows. The centre prior is always
 * among them; classic follows --still as the model does. */
enum
{ BASE_CENTRE, BASE_CLASSIC, BASE_SR, N_BASELINES };

static const char *const baseline_names[N_BASELINES] = {
  "centre", "classic", "sr"
};

typedef struct
{
  SalmapEngineArgs engine;
  char *maps;
  char *fixations;
  char *baselines;
  gboolean baseline[N_BASELINES];       /* --baselines, parsed */
  gboolean json;
  gboolean quiet;
  int seed;
  char **inputs;
} EvalOptions;

/* A row of the table: a model, its engine and its running sums. */
typedef struct
{
  char *name;
  SalEngine *engine;
  SalMap *map;
  double sum[N_METRICS];
  int count[N_METRICS];
} Row;

#define ROW_MODEL 0
#define ROW_CENTRE 1            /* the first baseline, always there */
#define MAX_ROWS (1 + N_BASELINES)

typedef struct
{
  const EvalOptions *opts;
  Row rows[MAX_ROWS];            /* the model's, then the baselines' */
  int n_rows;
  SalmapFixations *fixations;   /* all frames', read before the run */
  char *video;                  /* the video input, if one */
  int video_frames;
  int frames;
  SalmapProgress *progress;
} Eval;

/* The randomness of one frame, shared by the rows so that the model and
 * the baseline are scored on the same draws. */
typedef struct
{
  SalMetricsFixations fix;
  guint8 *mask;
  double *jitter;
  guint32 *splits;
  int n_split;                  /* indices per split; 0: no negatives */
} FrameFixations;

static void
eval_options_clear (EvalOptions * opts)
{
  salmap_engine_args_clear (&opts->engine);
  g_free (opts->maps);
  g_free (opts->fixations);
  g_free (opts->baselines);
  g_strfreev (opts->inputs);
}

/* --baselines: a comma-separated list of baseline_names; the centre
 * prior whatever the list. */
static gboolean
parse_baselines (EvalOptions * opts, const char *prog)
{
  char **names;
  gboolean ok = TRUE;

  for (int b = 0; b < N_BASELINES; b++)
    opts->baseline[b] = opts->baselines == NULL || b == BASE_CENTRE;
  if (opts->baselines == NULL)
    return TRUE;
  names = g_strsplit (opts->baselines, ",", -1);
  for (int i = 0; ok && names[i] != NULL; i++) {
    int b = 0;

    g_strstrip (names[i]);
    while (b < N_BASELINES && g_strcmp0 (names[i], baseline_names[b]) != 0)
      b++;
    if (b < N_BASELINES)
      opts->baseline[b] = TRUE;
    else if (*names[i] != '\0') {
      salmap_printerr ("eval: unknown baseline \"%s\" in --baselines; "
          "use centre, classic and sr, comma-separated (see %s --help)",
          names[i], prog);
      ok = FALSE;
    }
  }
  g_strfreev (names);
  return ok;
}

/* Returns an exit status, or -1 to go on. */
static int
parse_options (int argc, char **argv, EvalOptions * opts)
{
  const GOptionEntry entries[] = {
    {"maps", 0, 0, G_OPTION_ARG_FILENAME, &opts->maps,
        "Folder of ground-truth density maps (required)", "DIR"},
    {"fixations", 0, 0, G_OPTION_ARG_FILENAME, &opts->fixations,
        "Folder of binary fixation maps (adds NSS, AUC-Judd, shuffled AUC)",
        "DIR"},
    {"baselines", 0, 0, G_OPTION_ARG_STRING, &opts->baselines,
          "Baselines scored beside the model, comma-separated: centre, "
          "classic, sr; the centre prior is always scored "
          "(default: centre,classic,sr)", "LIST"},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &opts->json,
        "Print one JSON object instead of the table", NULL},
    {"seed", 0, 0, G_OPTION_ARG_INT, &opts->seed,
          "Seed of AUC-Judd's jitter and shuffled AUC's splits; frame i "
          "draws from g_rand_new_with_seed (SEED + i) (default: 0)", "N"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opts->quiet,
        "No progress on stderr", NULL},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opts->inputs,
        NULL, "INPUT..."},
    {NULL}
  };

  if (!salmap_parse_command (&argc, &argv, "- score maps against "
          "eye-tracking data",
          "Runs the model over INPUT (a video, image files or a folder, as\n"
          "\"salmap run\" reads them) and scores each map against its ground\n"
          "truth, beside weight-free baselines: the centre prior, the\n"
          "classic model and spectral residual x centre prior (\"sr\"; the\n"
          "models of --model centre, classic and sr). Prints the mean over\n"
          "the frames.\n"
          "\n"
          "Ground truth of an image: the file in DIR with the image's\n"
          "basename, BASE.png, else BASE.jpg, else the image's own name.\n"
          "Ground truth of a video's frames: numbered from 1 as DHF1K does,\n"
          "0001.png (else 0001.jpg), 0002.png, ...; one video at a time.\n"
          "Maps are read as gray levels; a fixation is a pixel above 0.",
          "Metrics (as the MIT/Tuebingen benchmark computes them):\n"
          "  CC, SIM, KLD          against the density maps (--maps)\n"
          "  NSS, AUC-J, sAUC      against the fixations (--fixations);\n"
          "                        sAUC's negatives: the other frames'\n"
          "                        fixations, 100 random splits\n"
          "\n"
          "Examples:\n"
          "  salmap eval --maps maps/ --fixations fixation/ frames/\n"
          "  salmap eval --still --maps maps/ --json stimuli/\n"
          "  salmap eval --baselines centre --maps maps/ frames/\n"
          "  salmap eval --model unisal.safetensors --maps 0601/maps \\\n"
          "      --fixations 0601/fixation 0601.mp4\n", entries,
          &opts->engine))
    return SALMAP_EXIT_USAGE;
  if (opts->inputs == NULL || opts->inputs[0] == NULL) {
    salmap_printerr ("eval: no INPUT given (see %s --help)", argv[0]);
    return SALMAP_EXIT_USAGE;
  }
  if (opts->maps == NULL) {
    salmap_printerr ("eval: --maps DIR is required (see %s --help)",
        argv[0]);
    return SALMAP_EXIT_USAGE;
  }
  if (!parse_baselines (opts, argv[0]))
    return SALMAP_EXIT_USAGE;
  return -1;
}

static gboolean
check_dir (const char *dir, GError ** error)
{
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT, "%s: %s", dir,
      g_file_test (dir, G_FILE_TEST_EXISTS) ? "not a folder" :
      "no such folder");
  return FALSE;
}

/* A video's ground truth is numbered by frame: two videos would read the
 * same files. Call forget_video before each reading of the inputs. */
static void
forget_video (Eval * ev)
{
  g_clear_pointer (&ev->video, g_free);
  ev->video_frames = 0;
}

/* Notes a video's frames; fails on a second video. */
static gboolean
note_frame (Eval * ev, const SalmapFrameInfo * info, GError ** error)
{
  if (info->name != NULL)
    return TRUE;
  if (info->new_clip) {
    if (ev->video != NULL) {
      g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT,
          "%s, %s: eval takes one video at a time (its ground truth is "
          "numbered by frame)", ev->video, info->path);
      return FALSE;
    }
    ev->video = g_strdup (info->path);
  }
  ev->video_frames = MAX (ev->video_frames, info->file_index + 1);
  return TRUE;
}

/* More ground truth than frames means the two do not line up (a cut or
 * re-encoded video): every score would compare the wrong pictures. */
static gboolean
check_video_count (Eval * ev, const char *dir, GError ** error)
{
  char *extra;

  if (ev->video == NULL || dir == NULL)
    return TRUE;
  extra = salmap_gt_find_video_frame (dir, ev->video_frames + 1);
  if (extra == NULL)
    return TRUE;
  g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_SHAPE,
      "mismatched counts: %s has %d frames, but %s holds ground truth for "
      "frame %d too (%s)", ev->video, ev->video_frames, dir,
      ev->video_frames + 1, extra);
  g_free (extra);
  return FALSE;
}

/* Before the run: every frame's fixations, since shuffled AUC needs those
 * of all the other frames; and every ground-truth file found, so that a
 * missing one fails before the work. */
static gboolean
read_fixations (Eval * ev, GError ** error)
{
  const EvalOptions *opts = ev->opts;
  SalmapInput *input;
  SalFrame frame;
  SalmapFrameInfo info;
  GError *input_error = NULL;
  gboolean ok = TRUE;

  input = salmap_input_new ((const char *const *) opts->inputs, error);
  if (input == NULL)
    return FALSE;
  ev->fixations = salmap_fixations_new ();
  forget_video (ev);
  while (ok && salmap_input_next (input, &frame, &info, &input_error)) {
    char *map_path = NULL, *fix_path = NULL;
    double *gray = NULL;
    int w, h;

    ok = note_frame (ev, &info, error)
        && (map_path = salmap_gt_find (opts->maps, &info, error)) != NULL
        && (fix_path = salmap_gt_find (opts->fixations, &info,
                error)) != NULL
        && (gray = salmap_gt_load (fix_path, &w, &h, error)) != NULL;
    if (ok)
      salmap_fixations_add (ev->fixations, gray, w, h);
    g_free (gray);
    g_free (map_path);
    g_free (fix_path);
  }
  salmap_input_free (input);
  if (input_error != NULL) {
    g_propagate_error (error, input_error);
    return FALSE;
  }
  return ok && check_video_count (ev, opts->maps, error)
      && check_video_count (ev, opts->fixations, error);
}

static void
add_score (Row * row, int metric, double value)
{
  if (isnan (value))
    return;
  row->sum[metric] += value;
  row->count[metric]++;
}

/* The prediction at (width, height): its own data or a resized copy in
 * *tmp. */
static const double *
pred_at (const SalMetricsMap * p, int width, int height, double **tmp)
{
  *tmp = NULL;
  if (p->width == width && p->height == height)
    return p->data;
  *tmp = g_new (double, (gsize) width * height);
  sal_metrics_resize_bilinear (p, *tmp, width, height);
  return *tmp;
}

static void
score_row (Row * row, const SalMetricsMap * gt, const FrameFixations * ff)
{
  const SalMap *map = row->map;
  gsize n = (gsize) map->width * map->height;
  double *pred = g_new (double, n), *tmp;
  SalMetricsMap p = { pred, map->width, map->height }, at;

  for (gsize i = 0; i < n; i++)
    pred[i] = map->data[i];

  at.data = pred_at (&p, gt->width, gt->height, &tmp);
  at.width = gt->width;
  at.height = gt->height;
  add_score (row, M_CC, sal_metrics_cc (&at, gt));
  add_score (row, M_SIM, sal_metrics_sim (&at, gt));
  add_score (row, M_KLD, sal_metrics_kld (&at, gt));
  g_free (tmp);

  if (ff != NULL) {
    at.data = pred_at (&p, ff->fix.width, ff->fix.height, &tmp);
    at.width = ff->fix.width;
    at.height = ff->fix.height;
    add_score (row, M_NSS, sal_metrics_nss (&at, &ff->fix));
    add_score (row, M_AUC_JUDD, sal_metrics_auc_judd (&at, &ff->fix,
            ff->jitter));
    add_score (row, M_SAUC, sal_metrics_shuffled_auc (&at, &ff->fix,
            ff->splits, ff->splits ? SAL_METRICS_N_SPLITS : 0, ff->n_split));
    g_free (tmp);
  }
  g_free (pred);
}

/* Draws frame index's randomness: the jitter first, then the splits, from
 * g_rand_new_with_seed (seed + index), as tests/metrics/grand.py replays
 * it. */
static void
frame_fixations_init (FrameFixations * ff, Eval * ev, int index)
{
  GRand *rand = g_rand_new_with_seed ((guint32) (ev->opts->seed + index));
  int w, h;
  guint8 *others;

  ff->mask = salmap_fixations_get_mask (ev->fixations, index, &w, &h);
  ff->fix.data = ff->mask;
  ff->fix.width = w;
  ff->fix.height = h;
  ff->jitter = g_new (double, (gsize) w * h);
  sal_metrics_draw_jitter (rand, ff->jitter, (gsize) w * h);
  others = salmap_fixations_get_others (ev->fixations, index);
  ff->splits = sal_metrics_draw_splits (rand, &ff->fix, others,
      SAL_METRICS_N_SPLITS, &ff->n_split);
  g_free (others);
  g_rand_free (rand);
}

static void
frame_fixations_clear (FrameFixations * ff)
{
  g_free (ff->mask);
  g_free (ff->jitter);
  g_free (ff->splits);
}

static gboolean
push (Row * row, const SalFrame * frame, const SalmapFrameInfo * info,
    GError ** error)
{
  SalMap *map = row->map;

  /* As salmap run: a new video, or a size change in a list of images, is
   * another clip. */
  if (map != NULL && (info->new_clip || map->width != frame->width
          || map->height != frame->height))
    sal_engine_reset (row->engine);
  if (map == NULL || map->width != frame->width
      || map->height != frame->height) {
    sal_map_free (map);
    map = row->map = sal_map_new (frame->width, frame->height);
  }
  if (!sal_engine_push_frame (row->engine, frame, map, error)) {
    g_prefix_error (error, "%s: frame %d: ", info->path, info->file_index);
    return FALSE;
  }
  return TRUE;
}

static gboolean
eval_frame (Eval * ev, const SalFrame * frame, const SalmapFrameInfo * info,
    GError ** error)
{
  const EvalOptions *opts = ev->opts;
  char *path;
  double *gray;
  int w, h;
  SalMetricsMap gt;
  FrameFixations ff = { 0 };

  if (!note_frame (ev, info, error))
    return FALSE;
  path = salmap_gt_find (opts->maps, info, error);
  if (path == NULL)
    return FALSE;
  gray = salmap_gt_load (path, &w, &h, error);
  g_free (path);
  if (gray == NULL)
    return FALSE;
  for (int r = 0; r < ev->n_rows; r++)
    if (!push (&ev->rows[r], frame, info, error)) {
      g_free (gray);
      return FALSE;
    }

  gt.data = gray;
  gt.width = w;
  gt.height = h;
  if (ev->fixations != NULL) {
    /* (The inputs were read once already: the same frames come again.) */
    if ((guint) info->index >= salmap_fixations_get_n_frames (ev->fixations)) {
      g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT,
          "%s: more frames than on the first reading", info->path);
      g_free (gray);
      return FALSE;
    }
    frame_fixations_init (&ff, ev, info->index);
  }
  for (int r = 0; r < ev->n_rows; r++)
    score_row (&ev->rows[r], &gt, ev->fixations ? &ff : NULL);
  frame_fixations_clear (&ff);
  g_free (gray);
  return TRUE;
}

static gboolean
create_engines (Eval * ev, GError ** error)
{
  SalEngineOptions eopts;
  const SalModelInfo *info;

  if (!salmap_engine_args_to_options (&ev->opts->engine, &eopts, error))
    return FALSE;
  ev->rows[ROW_MODEL].engine = sal_engine_new (&eopts, error);
  if (ev->rows[ROW_MODEL].engine == NULL)
    return FALSE;
  info = sal_engine_get_model_info (ev->rows[ROW_MODEL].engine);
  ev->rows[ROW_MODEL].name = g_strdup (info && info->name ? info->name : "?");
  ev->n_rows = 1;

  for (int b = 0; b < N_BASELINES; b++) {
    Row *row = &ev->rows[ev->n_rows];

    if (!ev->opts->baseline[b])
      continue;
    /* A baseline takes the device and --still, nothing else: the model's
     * network settings do not apply to it. */
    sal_engine_options_init (&eopts);
    eopts.model = baseline_names[b];
    if (ev->opts->engine.device != NULL)
      eopts.device = ev->opts->engine.device;
    eopts.still = ev->opts->engine.still;
    row->engine = sal_engine_new (&eopts, error);
    if (row->engine == NULL)
      return FALSE;
    row->name = g_strdup (baseline_names[b]);
    ev->n_rows++;
  }
  return TRUE;
}

static gboolean
eval_all (Eval * ev, GError ** error)
{
  const EvalOptions *opts = ev->opts;
  SalmapInput *input;
  SalFrame frame;
  SalmapFrameInfo info;
  GError *input_error = NULL;
  gboolean ok = TRUE;

  if (!check_dir (opts->maps, error)
      || (opts->fixations != NULL && !check_dir (opts->fixations, error)))
    return FALSE;
  /* Bad options and unreadable inputs fail before the first reading. */
  input = salmap_input_new ((const char *const *) opts->inputs, error);
  if (input == NULL)
    return FALSE;
  if (!create_engines (ev, error)
      || (opts->fixations != NULL && !read_fixations (ev, error))) {
    salmap_input_free (input);
    return FALSE;
  }

  forget_video (ev);
  ev->progress = salmap_progress_new (!opts->quiet);
  while (ok && salmap_input_next (input, &frame, &info, &input_error)) {
    ok = eval_frame (ev, &frame, &info, error);
    if (ok)
      ev->frames++;
    salmap_progress_update (ev->progress, ev->frames,
        salmap_input_get_n_frames (input));
  }
  salmap_input_free (input);
  salmap_progress_clear (ev->progress);
  if (input_error != NULL) {
    g_propagate_error (error, input_error);
    return FALSE;
  }
  if (ok && ev->fixations != NULL
      && (guint) ev->frames != salmap_fixations_get_n_frames (ev->fixations)) {
    g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT,
        "the inputs gave %d frames, %u on the first reading", ev->frames,
        salmap_fixations_get_n_frames (ev->fixations));
    return FALSE;
  }
  return ok && check_video_count (ev, opts->maps, error);
}

static double
row_mean (const Row * row, int metric)
{
  return row->count[metric] > 0 ? row->sum[metric] / row->count[metric]
      : NAN;
}

static void
print_json_metrics (const Row * row, int n_metrics)
{
  printf ("{");
  for (int m = 0; m < n_metrics; m++) {
    double v = row_mean (row, m);

    if (isnan (v))
      printf ("%s\"%s\": null", m ? ", " : "", json_names[m]);
    else
      printf ("%s\"%s\": %.17g", m ? ", " : "", json_names[m], v);
  }
  printf ("}");
}

static void
print_results (const Eval * ev)
{
  int n_metrics = ev->fixations != NULL ? N_METRICS : M_NSS;

  if (ev->opts->json) {
    char *model = salmap_json_string (ev->rows[ROW_MODEL].name);

    /* "baseline": the centre prior's row, as before there were others. */
    printf ("{\"model\": %s, \"frames\": %d, \"metrics\": ", model,
        ev->frames);
    print_json_metrics (&ev->rows[ROW_MODEL], n_metrics);
    printf (", \"baseline\": {\"name\": \"centre\", \"metrics\": ");
    print_json_metrics (&ev->rows[ROW_CENTRE], n_metrics);
    printf ("}, \"baselines\": {");
    for (int r = ROW_CENTRE; r < ev->n_rows; r++) {
      printf ("%s\"%s\": ", r > ROW_CENTRE ? ", " : "", ev->rows[r].name);
      print_json_metrics (&ev->rows[r], n_metrics);
    }
    printf ("}}\n");
    g_free (model);
    return;
  }

  printf ("%-16s %6s", "model", "frames");
  for (int m = 0; m < n_metrics; m++)
    printf (" %8s", table_names[m]);
  printf ("\n");
  for (int r = 0; r < ev->n_rows; r++) {
    printf ("%-16s %6d", ev->rows[r].name, ev->frames);
    for (int m = 0; m < n_metrics; m++) {
      double v = row_mean (&ev->rows[r], m);

      if (isnan (v))
        printf (" %8s", "-");
      else
        printf (" %8.4f", v);
    }
    printf ("\n");
  }
}

int
salmap_cmd_eval (int argc, char **argv)
{
  EvalOptions opts = { 0 };
  Eval ev = { 0 };
  GError *error = NULL;
  int status;

  status = parse_options (argc, argv, &opts);
  if (status >= 0) {
    eval_options_clear (&opts);
    return status;
  }

  ev.opts = &opts;
  if (eval_all (&ev, &error)) {
    print_results (&ev);
    status = SALMAP_EXIT_OK;
  } else {
    salmap_printerr ("%s", error->message);
    g_clear_error (&error);
    status = SALMAP_EXIT_FAILURE;
  }

  for (int r = 0; r < MAX_ROWS; r++) {
    g_free (ev.rows[r].name);
    sal_map_free (ev.rows[r].map);
    if (ev.rows[r].engine != NULL)
      sal_engine_free (ev.rows[r].engine);
  }
  salmap_progress_free (ev.progress);
  salmap_fixations_free (ev.fixations);
  g_free (ev.video);
  eval_options_clear (&opts);
  return status;
}
