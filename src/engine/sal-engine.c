/* The public engine: model choice, geometry, and the per-frame pipeline
 * pre-process -> architecture -> post-process. */
#include "saliency.h"
#include "sal-arch.h"
#include "sal-pre-post.h"

#include <gio/gio.h>

#include <string.h>

struct _SalEngine
{
  SalRuntime *rt;
  const SalArch *arch;
  SalModel *model;
  SalModelInfo info;
  float mean[3], std[3];
  gboolean still;
  SalPrePost pp;

  int frame_w, frame_h;         /* geometry the tensors are set up for */
  SalTensor *rgb;               /* [3, net_h, net_w] */
  SalTensor *net_out;           /* [1, net_h, net_w] */
  SalTimings timings;
};

void
sal_engine_options_init (SalEngineOptions * opts)
{
  memset (opts, 0, sizeof (*opts));
  opts->device = "auto";
}

/* Architectures that come from a model file, by their metadata name. */
static const SalArch *const file_archs[] = { &sal_arch_unisal,
  &sal_arch_default, &sal_arch_vinet_s
};

/* Where libsaliency embeds models/default.safetensors (models/meson.build). */
#define DEFAULT_MODEL_RESOURCE "/org/gst-saliency/models/default.safetensors"

/* The built-in learned model, from the library's resources. */
static SalModelFile *
open_default (GError ** error)
{
  GError *err = NULL;
  GBytes *bytes = g_resources_lookup_data (DEFAULT_MODEL_RESOURCE,
      G_RESOURCE_LOOKUP_FLAGS_NONE, &err);
  SalModelFile *file;

  if (!bytes) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL,
        "the built-in default model is missing from this build (%s): "
        "rebuild libsaliency with models/default.safetensors, or use "
        "model \"classic\"", err->message);
    g_error_free (err);
    return NULL;
  }
  file = sal_model_file_new_from_bytes (bytes, "default", error);
  g_bytes_unref (bytes);
  return file;
}

/* Resolves opts->model to an architecture and, for files, the open file. */
static const SalArch *
open_model (const char *model, SalModelFile ** file, GError ** error)
{
  const char *name;

  *file = NULL;
  if (!model || !*model || g_strcmp0 (model, "default") == 0) {
    *file = open_default (error);
    return *file ? &sal_arch_default : NULL;
  }
  if (g_strcmp0 (model, "classic") == 0)
    return &sal_arch_classic;
  if (g_strcmp0 (model, "centre") == 0)
    return &sal_arch_centre;
  if (g_strcmp0 (model, "sr") == 0)
    return &sal_arch_sr;

  if (!g_file_test (model, G_FILE_TEST_EXISTS)) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL,
        "unknown model \"%s\": no such file, and not a built-in model; use "
        "\"default\", \"classic\", \"centre\", \"sr\" or the path of a "
        ".safetensors model file", model);
    return NULL;
  }
  *file = sal_model_file_open (model, error);
  if (!*file)
    return NULL;

  name = sal_model_file_get_meta (*file, "architecture");
  for (guint i = 0; name && i < G_N_ELEMENTS (file_archs); i++)
    if (g_ascii_strcasecmp (name, file_archs[i]->name) == 0)
      return file_archs[i];

  if (!name)
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
        "%s: no \"architecture\" in the file's metadata: not a "
        "gst-saliency model; convert UNISAL checkpoints with "
        "tools/convert_unisal.py, ViNet-S ones with tools/convert_vinet.py",
        model);
  else
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL,
        "%s: architecture \"%s\" is not supported by this build "
        "(supported: unisal, vinet-s, default)", model, name);
  g_clear_pointer (file, sal_model_file_free);
  return NULL;
}

SalEngine *
sal_engine_new (const SalEngineOptions * opts, GError ** error)
{
  SalEngineOptions defaults;
  SalEngine *e;
  const SalArch *arch;
  SalModelFile *file;

  if (!opts) {
    sal_engine_options_init (&defaults);
    opts = &defaults;
  }
  arch = open_model (opts->model, &file, error);
  if (!arch)
    return NULL;

  e = g_new0 (SalEngine, 1);
  e->arch = arch;
  e->still = opts->still;
  e->rt = sal_runtime_new (opts->device, error);
  if (!e->rt)
    goto fail;
  /* Builds programs and creates kernels: see sal_runtime_lock(). */
  sal_runtime_lock (e->rt);
  /* Architectures copy what they need: the file is closed after. */
  if (sal_pre_post_init (&e->pp, e->rt, error))
    e->model = arch->create (e->rt, opts, file, &e->info, e->mean, e->std,
        error);
  sal_runtime_unlock (e->rt);
  if (!e->model)
    goto fail;
  e->info.size_from_frame = arch->choose_size != NULL;
  sal_model_file_free (file);
  return e;

fail:
  sal_model_file_free (file);
  sal_engine_free (e);
  return NULL;
}

static void
free_tensors (SalEngine * e)
{
  g_clear_pointer (&e->rgb, sal_tensor_free);
  g_clear_pointer (&e->net_out, sal_tensor_free);
  e->frame_w = e->frame_h = 0;
}

void
sal_engine_free (SalEngine * e)
{
  if (!e)
    return;
  if (e->rt)
    sal_runtime_lock (e->rt);
  free_tensors (e);
  if (e->model)
    e->arch->free (e->model);
  sal_pre_post_clear (&e->pp);
  if (e->rt)
    sal_runtime_unlock (e->rt);
  sal_runtime_free (e->rt);
  g_free (e);
}

/* (Re)allocates the network tensors when the frame size changes. */
static gboolean
ensure_geometry (SalEngine * e, int fw, int fh, GError ** error)
{
  int nw = e->info.net_width, nh = e->info.net_height;

  if (e->rgb && fw == e->frame_w && fh == e->frame_h)
    return TRUE;

  free_tensors (e);
  if (e->arch->choose_size)
    e->arch->choose_size (e->model, fw, fh, &nw, &nh);
  e->info.net_width = nw;
  e->info.net_height = nh;
  e->rgb = sal_tensor_new (e->rt, 3, nh, nw, error);
  e->net_out = e->rgb ? sal_tensor_new (e->rt, 1, nh, nw, error) : NULL;
  if (!e->net_out) {
    free_tensors (e);
    return FALSE;
  }
  e->frame_w = fw;
  e->frame_h = fh;
  /* History from another geometry means nothing here. */
  e->arch->reset (e->model);
  return TRUE;
}

static double
elapsed_ms (gint64 * t)
{
  gint64 now = g_get_monotonic_time ();
  double ms = (now - *t) / 1000.0;
  *t = now;
  return ms;
}

static gboolean push_frame_locked (SalEngine * e, const SalFrame * frame,
    SalMap * out, GError ** error);

gboolean
sal_engine_push_frame (SalEngine * e, const SalFrame * frame, SalMap * out,
    GError ** error)
{
  gboolean ok;

  g_return_val_if_fail (e != NULL, FALSE);
  /* One client on the device at a time: see sal_runtime_lock(). */
  sal_runtime_lock (e->rt);
  ok = push_frame_locked (e, frame, out, error);
  sal_runtime_unlock (e->rt);
  return ok;
}

static gboolean
push_frame_locked (SalEngine * e, const SalFrame * frame, SalMap * out,
    GError ** error)
{
  gint64 start = g_get_monotonic_time (), t = start;

  g_return_val_if_fail (e != NULL, FALSE);
  if (!out || !out->data || out->width < 1 || out->height < 1) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "the output map has no storage: allocate it with sal_map_new()");
    return FALSE;
  }
  if (!sal_frame_validate (frame, error)
      || !ensure_geometry (e, frame->width, frame->height, error))
    return FALSE;

  if (!sal_preprocess (&e->pp, frame, e->rgb, e->mean, e->std, error))
    return FALSE;
  e->timings.preprocess_ms = elapsed_ms (&t);
  e->timings.upload_ms = 0;     /* part of pre-processing: one pass */

  if (e->arch->see_frame && !e->arch->see_frame (e->model, frame, e->still,
          error))
    return FALSE;
  if (!e->arch->forward (e->model, e->rgb, e->net_out, e->still, error)) {
    clFinish (e->rt->queue);
    return FALSE;
  }
  clFinish (e->rt->queue);
  e->timings.network_ms = elapsed_ms (&t);

  if (!sal_postprocess (&e->pp, e->net_out, e->arch->output_is_logits, out,
          error))
    return FALSE;
  e->timings.postprocess_ms = elapsed_ms (&t);
  e->timings.total_ms = (g_get_monotonic_time () - start) / 1000.0;
  return TRUE;
}

void
sal_engine_reset (SalEngine * e)
{
  g_return_if_fail (e != NULL);
  sal_runtime_lock (e->rt);
  e->arch->reset (e->model);
  sal_runtime_unlock (e->rt);
}

void
sal_engine_set_still (SalEngine * e, gboolean still)
{
  g_return_if_fail (e != NULL);
  if (e->still == !!still)
    return;
  e->still = !!still;
  sal_engine_reset (e);
}

void
sal_engine_get_map_size (SalEngine * e, int fw, int fh, int *mw, int *mh)
{
  int nw = e->info.net_width, nh = e->info.net_height;
  int net_long, frame_long;

  g_return_if_fail (e != NULL && mw != NULL && mh != NULL);
  fw = MAX (fw, 1);
  fh = MAX (fh, 1);
  if (e->arch->choose_size)
    e->arch->choose_size (e->model, fw, fh, &nw, &nh);
  net_long = MAX (nw, nh);
  frame_long = MAX (fw, fh);
  if (frame_long <= net_long) {
    *mw = fw;
    *mh = fh;
  } else if (fw >= fh) {
    *mw = net_long;
    *mh = MAX (1, (int) ((gint64) fh * net_long * 2 + frame_long) /
        (2 * frame_long));
  } else {
    *mh = net_long;
    *mw = MAX (1, (int) ((gint64) fw * net_long * 2 + frame_long) /
        (2 * frame_long));
  }
}

const SalModelInfo *
sal_engine_get_model_info (SalEngine * e)
{
  g_return_val_if_fail (e != NULL, NULL);
  return &e->info;
}

const char *
sal_engine_get_device_name (SalEngine * e)
{
  g_return_val_if_fail (e != NULL, NULL);
  return e->rt->name;
}

void
sal_engine_get_timings (SalEngine * e, SalTimings * timings)
{
  g_return_if_fail (e != NULL && timings != NULL);
  *timings = e->timings;
}
