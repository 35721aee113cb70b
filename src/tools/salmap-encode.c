/* salmap encode: saliency-guided encoding with libx264/libx265.
 *
 * Each frame's map becomes a per-macroblock QP-offset field (sal-qp.c, at
 * strength 1) delivered to the encoder, scaled by --roi-strength, as
 * AV_FRAME_DATA_REGIONS_OF_INTEREST, which FFmpeg's libx264 and libx265
 * wrappers turn into quant offsets; with --prefilter the same field
 * weights a blur of the frame's less salient areas (sal-prefilter.c). In a
 * two-pass encode the fields of the first pass are kept and given again to
 * the second, so both passes see the same offsets and pixels and the
 * engine runs once. */
#include "salmap.h"

#include <math.h>
#include <glib/gstdio.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>

#include "saliency.h"
#include "sal-av-encoder.h"
#include "salmap-encoder.h"
#include "salmap-engine-args.h"
#include "salmap-input.h"
#include "salmap-progress.h"
#include "sal-prefilter.h"
#include "sal-qp-attach.h"

#define DEFAULT_FPS 25

typedef struct
{
  SalmapEngineArgs engine;
  char *codec;
  char *preset;
  char *tune;
  char *codec_params;
  char *output;
  int bitrate;
  gboolean two_pass;
  double crf;
  double strength;
  double prefilter;
  double fps;
  gboolean quiet;
  char **inputs;
} EncodeOptions;

typedef struct
{
  const EncodeOptions *opts;
  SalEngine *engine;
  SalMap *map;
  SalQp *qp;                    /* at strength 1 */
  SalPrefilter *prefilter;
  float *offsets;               /* the field times --roi-strength */
  GPtrArray *fields;            /* float[] per frame, kept for pass 2 */
  struct SwsContext *sws;
  AVFrame *yuv;
  AVFrame *pending;             /* frame 0, until the rate is known */
  int src_w, src_h, width, height;
  int block;                    /* the encoder's offset block: 16 or 8 */
  AVRational fps;
  double first_time;
  SalmapProgress *progress;
  SalmapEncoder *encoder;
  int frames;
  int done;                     /* frames encoded over all passes */
} Encode;

static void
encode_options_clear (EncodeOptions * opts)
{
  salmap_engine_args_clear (&opts->engine);
  g_free (opts->codec);
  g_free (opts->preset);
  g_free (opts->tune);
  g_free (opts->codec_params);
  g_free (opts->output);
  g_strfreev (opts->inputs);
}

/* Returns an exit status, or -1 to go on. */
static int
parse_options (int argc, char **argv, EncodeOptions * opts)
{
  const GOptionEntry entries[] = {
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opts->output,
        "Write the encoded video to FILE (.mp4, .mkv, .mov)", "FILE"},
    {"codec", 0, 0, G_OPTION_ARG_STRING, &opts->codec,
        "libx264 (default) or libx265", "NAME"},
    {"preset", 0, 0, G_OPTION_ARG_STRING, &opts->preset,
        "Encoder preset (default: medium)", "P"},
    {"tune", 0, 0, G_OPTION_ARG_STRING, &opts->tune,
          "Encoder tune: film, animation, grain, stillimage, psnr, ssim, "
          "fastdecode or zerolatency (default: none)", "T"},
    {"codec-params", 0, 0, G_OPTION_ARG_STRING, &opts->codec_params,
          "More encoder settings as x264-params or x265-params take them, "
          "e.g. keyint=60:bframes=2", "K=V:K=V"},
    {"bitrate", 'b', 0, G_OPTION_ARG_INT, &opts->bitrate,
        "Average bitrate in kbit/s", "KBPS"},
    {"two-pass", 0, 0, G_OPTION_ARG_NONE, &opts->two_pass,
        "Two passes at --bitrate (same offsets in both)", NULL},
    {"crf", 0, 0, G_OPTION_ARG_DOUBLE, &opts->crf,
        "Constant quality instead of a bitrate", "Q"},
    {"roi-strength", 's', 0, G_OPTION_ARG_DOUBLE, &opts->strength,
        "Scale of the QP offsets (default 1; 0: no offsets at all)", "S"},
    {"prefilter", 0, 0, G_OPTION_ARG_DOUBLE, &opts->prefilter,
          "Blur the less salient areas first, at this strength (default 0: "
          "off; the element's default is 0.5)", "S"},
    {"fps", 0, 0, G_OPTION_ARG_DOUBLE, &opts->fps,
        "Frame rate (default: the video's, or 25 for images)", "N"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opts->quiet,
        "Print nothing but errors", NULL},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opts->inputs,
        NULL, "INPUT..."},
    {NULL}
  };

  opts->strength = 1.0;
  opts->crf = -1;
  if (!salmap_parse_command (&argc, &argv,
          "- encode with more bits where people look",
          "INPUT is a video file, image files taken as consecutive frames,\n"
          "or a folder of images, as for salmap run. Each frame's saliency\n"
          "map becomes a QP offset per 16x16 block: more bits where people\n"
          "look, fewer elsewhere, with the frame's mean QP unchanged (see\n"
          "docs/compression.md). --prefilter also blurs the blocks that are\n"
          "less salient than average (fully where strength x their QP\n"
          "offset reaches 4); --roi-strength 0 --prefilter 0.5 is the\n"
          "pre-filter alone, as any encoder would get it from the saliency\n"
          "element's mode=prefilter. Audio is copied when the input has it.",
          "Examples:\n"
          "  salmap encode --bitrate 800 --two-pass -o out.mp4 clip.mp4\n"
          "  salmap encode --crf 26 --codec libx265 -o out.mp4 clip.mp4\n"
          "  salmap encode --bitrate 800 --two-pass --roi-strength 0 -o plain.mp4 clip.mp4\n"
          "  salmap encode --model centre --bitrate 800 --two-pass -o centre.mp4 clip.mp4\n"
          "  salmap encode --roi-strength 0 --prefilter 0.5 --bitrate 800 --two-pass -o pf.mp4 clip.mp4\n",
          entries, &opts->engine))
    return SALMAP_EXIT_USAGE;
  if (opts->inputs == NULL || opts->inputs[0] == NULL) {
    salmap_printerr ("encode: no INPUT given (see %s --help)", argv[0]);
    return SALMAP_EXIT_USAGE;
  }
  if (opts->output == NULL) {
    salmap_printerr ("encode: no output file: give -o FILE");
    return SALMAP_EXIT_USAGE;
  }
  if ((opts->bitrate > 0) == (opts->crf >= 0)) {
    salmap_printerr ("encode: give either --bitrate KBPS or --crf Q");
    return SALMAP_EXIT_USAGE;
  }
  if (opts->two_pass && opts->bitrate <= 0) {
    salmap_printerr ("encode: --two-pass needs --bitrate");
    return SALMAP_EXIT_USAGE;
  }
  if (opts->strength < 0 || opts->prefilter < 0 || opts->fps < 0) {
    salmap_printerr ("encode: --roi-strength, --prefilter and --fps cannot "
        "be negative");
    return SALMAP_EXIT_USAGE;
  }
  if (!opts->codec)
    opts->codec = g_strdup ("libx264");
  if (!opts->preset)
    opts->preset = g_strdup ("medium");
  return -1;
}

/* The field of this frame at strength 1: computed (and kept for a second
 * pass), or the first pass's. */
static const float *
frame_field (Encode * e, int pass, const SalFrame * frame,
    const SalmapFrameInfo * info, GError ** error)
{
  const float *offsets;
  int bx, by;

  if (pass == 2)
    return g_ptr_array_index (e->fields, info->index);

  if (!e->map) {
    int mw, mh;
    sal_engine_get_map_size (e->engine, frame->width, frame->height, &mw,
        &mh);
    e->map = sal_map_new (mw, mh);
    e->qp = sal_qp_new (e->width, e->height, e->block, 1.0);
  }
  if (info->new_clip && info->index > 0) {
    sal_engine_reset (e->engine);
    sal_qp_reset (e->qp);
  }
  if (!sal_engine_push_frame (e->engine, frame, e->map, error)) {
    g_prefix_error (error, "%s: frame %d: ", info->path, info->file_index);
    return NULL;
  }
  /* The map covers the source frame; the encoded one drops an odd last
   * row or column, which moves the blocks by less than a pixel. */
  offsets = sal_qp_update (e->qp, e->map);
  if (pass == 1) {
    sal_qp_get_blocks (e->qp, &bx, &by);
    g_ptr_array_add (e->fields, g_memdup2 (offsets,
            sizeof (float) * bx * by));
  }
  return offsets;
}

/* The field scaled by --roi-strength: the rule's offsets at that
 * strength. */
static const float *
roi_offsets (Encode * e, const float *field, int n)
{
  if (e->opts->strength == 1.0)
    return field;
  if (!e->offsets)
    e->offsets = g_new (float, n);
  for (int i = 0; i < n; i++)
    e->offsets[i] = (float) (e->opts->strength * field[i]);
  return e->offsets;
}

/* The frame as YUV420P at the encoded size, pre-filtered if asked, with
 * the offsets attached. */
static AVFrame *
convert (Encode * e, const SalmapFrameInfo * info, const float *field,
    GError ** error)
{
  const AVFrame *src = info->av_frame;
  int bx = (e->width + e->block - 1) / e->block;
  int by = (e->height + e->block - 1) / e->block;

  if (!e->yuv) {
    e->yuv = av_frame_alloc ();
    e->yuv->format = AV_PIX_FMT_YUV420P;
    e->yuv->width = e->width;
    e->yuv->height = e->height;
    if (av_frame_get_buffer (e->yuv, 0) < 0) {
      g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_OUTPUT,
          "out of memory for a %dx%d frame", e->width, e->height);
      return NULL;
    }
  }
  /* The encoder may still hold the last one. */
  if (av_frame_make_writable (e->yuv) < 0) {
    g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_OUTPUT,
        "out of memory for a frame");
    return NULL;
  }
  e->sws = sws_getCachedContext (e->sws, e->width, e->height, src->format,
      e->width, e->height, AV_PIX_FMT_YUV420P, SWS_POINT, NULL, NULL, NULL);
  if (!e->sws) {
    g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT,
        "%s: cannot convert its pixel format to YUV 4:2:0", info->path);
    return NULL;
  }
  salmap_sws_set_colorspace (e->sws, src, FALSE);
  sws_scale (e->sws, (const uint8_t * const *) src->data, src->linesize, 0,
      e->height, e->yuv->data, e->yuv->linesize);
  if (e->opts->prefilter > 0) {
    if (!e->prefilter)
      e->prefilter = sal_prefilter_new (e->width, e->height, e->block);
    if (!sal_prefilter_apply (e->prefilter, field, e->opts->prefilter,
            SAL_FORMAT_I420, e->yuv->data, e->yuv->linesize, error))
      return NULL;
  }
  av_frame_remove_side_data (e->yuv, AV_FRAME_DATA_REGIONS_OF_INTEREST);
  /* Strength 0 is the plain encoder: no side data at all. */
  if (e->opts->strength > 0
      && !sal_qp_attach (roi_offsets (e, field, bx * by), bx, by, e->block,
          e->yuv, error))
    return NULL;
  e->yuv->pts = info->index;
  return e->yuv;
}

static gboolean
open_encoder (Encode * e, int pass, const char *stats, GError ** error)
{
  const EncodeOptions *o = e->opts;
  gboolean single_video = o->inputs[1] == NULL
      && !g_file_test (o->inputs[0], G_FILE_TEST_IS_DIR);
  SalmapEncoderSettings s = {
    .codec = {.codec = o->codec,.preset = o->preset,.tune = o->tune,
          .params = o->codec_params,.roi_block =
          o->strength > 0 ? e->block : 0,.bitrate_kbps =
          o->bitrate,.crf = o->crf,.pass = pass,.stats = stats,.width =
          e->width,.height = e->height,.fps = e->fps},
    .output = pass == 1 ? NULL : o->output,
    .audio_from = single_video ? o->inputs[0] : NULL,
  };

  e->encoder = salmap_encoder_new (&s, error);
  return e->encoder != NULL;
}

/* The rate from the first two frames' times, as a rational (29.97 is
 * 30000/1001). */
static AVRational
guess_fps (double t0, double t1)
{
  double fps = t1 - t0 > 0 && isfinite (t1 - t0) ? 1.0 / (t1 - t0) : 0;

  if (fps <= 0 || fps > 1000)
    return (AVRational) {
    DEFAULT_FPS, 1};
  return av_d2q (fps, 1001000);
}

static gboolean
run_pass (Encode * e, int pass, const char *stats, GError ** error)
{
  const EncodeOptions *o = e->opts;
  SalmapInput *input;
  SalFrame frame;
  SalmapFrameInfo info;
  GError *input_error = NULL;
  /* A plain encode (no offsets, no pre-filter) needs no map. */
  gboolean needs_map = o->strength > 0 || o->prefilter > 0;
  gboolean ok = FALSE;
  int total;

  input = salmap_input_new ((const char *const *) o->inputs, error);
  if (!input)
    return FALSE;
  while (salmap_input_next (input, &frame, &info, &input_error)) {
    const float *field;
    AVFrame *yuv;

    if (info.index == 0) {
      e->src_w = frame.width;
      e->src_h = frame.height;
      /* 4:2:0 needs even sizes. */
      e->width = frame.width & ~1;
      e->height = frame.height & ~1;
      if (e->width < 2 || e->height < 2) {
        g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_SHAPE,
            "%s: %dx%d is too small to encode", info.path, frame.width,
            frame.height);
        goto out;
      }
    } else if (frame.width != e->src_w || frame.height != e->src_h) {
      g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_SHAPE,
          "%s: frame %d is %dx%d but the first was %dx%d: a video has one "
          "size (scale the images first)", info.path, info.file_index,
          frame.width, frame.height, e->src_w, e->src_h);
      goto out;
    }
    field = needs_map ? frame_field (e, pass, &frame, &info, error) : NULL;
    if ((needs_map && !field) || !(yuv = convert (e, &info, field, error)))
      goto out;

    if (!e->encoder) {
      if (o->fps > 0)
        e->fps = av_d2q (o->fps, 1001000);
      else if (e->fps.num == 0 && info.index == 0) {
        /* The rate comes with the second frame: keep this one. */
        e->first_time = info.time;
        e->pending = av_frame_clone (yuv);
        continue;
      } else if (e->fps.num == 0)
        e->fps = guess_fps (e->first_time, info.time);
      if (!open_encoder (e, pass, stats, error))
        goto out;
      if (e->pending && !salmap_encoder_write (e->encoder, e->pending, error))
        goto out;
      av_frame_free (&e->pending);
    }
    if (!salmap_encoder_write (e->encoder, yuv, error))
      goto out;
    e->done++;
    e->frames = info.index + 1;
    total = salmap_input_get_n_frames (input);
    salmap_progress_update (e->progress, e->done, total < 0 ? -1 :
        (o->two_pass ? 2 * total : total));
  }
  if (input_error) {
    g_propagate_error (error, input_error);
    goto out;
  }
  if (e->frames == 0 && !e->pending) {
    g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT,
        "%s: no frames to encode", o->inputs[0]);
    goto out;
  }
  if (!e->encoder) {
    /* One frame: no rate to measure. */
    e->fps = (AVRational) {
    DEFAULT_FPS, 1};
    if (!open_encoder (e, pass, stats, error)
        || !salmap_encoder_write (e->encoder, e->pending, error))
      goto out;
    av_frame_free (&e->pending);
    e->frames = 1;
  }
  ok = salmap_encoder_finish (e->encoder, error);
out:
  salmap_input_free (input);
  return ok;
}

static gboolean
encode_all (Encode * e, GError ** error)
{
  const EncodeOptions *o = e->opts;
  SalEngineOptions eopts;
  SalAvEncoderSettings settings = {.codec = o->codec,.preset = o->preset,
    .tune = o->tune,.params = o->codec_params
  };
  SalAvParams resolved;
  char *stats_dir = NULL, *stats = NULL;
  gboolean ok = FALSE;

  if (!salmap_engine_args_to_options (&o->engine, &eopts, error)
      || !sal_av_encoder_check (&settings, o->strength > 0, &resolved,
          error))
    return FALSE;
  e->block = resolved.roi_block;
  e->engine = sal_engine_new (&eopts, error);
  if (!e->engine)
    return FALSE;
  e->progress = salmap_progress_new (!o->quiet);
  if (!o->two_pass)
    return run_pass (e, 0, NULL, error);

  stats_dir = g_dir_make_tmp ("salmap-encode-XXXXXX", NULL);
  stats = g_build_filename (stats_dir, "pass.log", NULL);
  e->fields = g_ptr_array_new_with_free_func (g_free);
  ok = run_pass (e, 1, stats, error);
  g_clear_pointer (&e->encoder, salmap_encoder_free);
  if (ok) {
    e->fps = e->fps.num ? e->fps : (AVRational) {
    DEFAULT_FPS, 1};
    ok = run_pass (e, 2, stats, error);
  }
  /* The encoders' statistics files: pass.log, pass.log.mbtree, ... */
  if (stats_dir) {
    GDir *d = g_dir_open (stats_dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name (d))) {
      char *path = g_build_filename (stats_dir, name, NULL);
      g_remove (path);
      g_free (path);
    }
    if (d)
      g_dir_close (d);
    g_rmdir (stats_dir);
  }
  g_free (stats);
  g_free (stats_dir);
  return ok;
}

static void
print_summary (Encode * e)
{
  double seconds = salmap_progress_elapsed (e->progress);
  gint64 size = salmap_encoder_get_size (e->encoder);
  double duration = e->frames * av_q2d (av_inv_q (e->fps));

  salmap_progress_clear (e->progress);
  g_printerr ("salmap: wrote %s: %d frame%s, %" G_GINT64_FORMAT " bytes, "
      "%.1f kbit/s, %s %s%s, roi-strength %g, prefilter %g, in %.1f s\n",
      e->opts->output,
      e->frames, e->frames == 1 ? "" : "s", size,
      duration > 0 ? size * 8 / duration / 1000 : 0.0, e->opts->codec,
      e->opts->preset, e->opts->two_pass ? " two-pass" : "",
      e->opts->strength, e->opts->prefilter, seconds);
}

int
salmap_cmd_encode (int argc, char **argv)
{
  EncodeOptions opts = { 0 };
  Encode e = { 0 };
  GError *error = NULL;
  int status;

  status = parse_options (argc, argv, &opts);
  if (status >= 0) {
    encode_options_clear (&opts);
    return status;
  }
  e.opts = &opts;
  if (encode_all (&e, &error)) {
    if (!opts.quiet)
      print_summary (&e);
    status = SALMAP_EXIT_OK;
  } else {
    if (e.progress)
      salmap_progress_clear (e.progress);
    salmap_printerr ("%s", error->message);
    g_clear_error (&error);
    status = SALMAP_EXIT_FAILURE;
  }
  salmap_encoder_free (e.encoder);
  salmap_progress_free (e.progress);
  av_frame_free (&e.yuv);
  av_frame_free (&e.pending);
  sws_freeContext (e.sws);
  if (e.fields)
    g_ptr_array_unref (e.fields);
  sal_qp_free (e.qp);
  sal_prefilter_free (e.prefilter);
  g_free (e.offsets);
  if (e.map)
    sal_map_free (e.map);
  if (e.engine)
    sal_engine_free (e.engine);
  encode_options_clear (&opts);
  return status;
}
