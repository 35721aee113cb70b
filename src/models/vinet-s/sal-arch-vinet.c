/* "vinet-s": ViNet-S (Girmaji et al., ICASSP 2025) from a checkpoint
 * converted by tools/convert_vinet.py, in its published configuration
 * (32-frame clips at 224x384, grouped decoder with root grouping,
 * trilinear upsampling). Frame t is predicted from frames t-31 .. t; at
 * the start of a stream missing frames repeat the first one, as upstream's
 * test mode does. This file checks the file, allocates the activations
 * and the frame ring; sal-vinet-forward.c runs a frame. */
#include "sal-vinet.h"
#include "saliency.h"

#include <string.h>

static void
vinet_free (SalModel * m)
{
  cl_mem *bufs[] = { &m->ring, &m->t1[0], &m->t1[1], &m->s13[0],
    &m->s13[1], &m->y3[0], &m->y3[1], &m->ping[0], &m->ping[1], &m->tmp[0],
    &m->tmp[1], &m->tmp[2], &m->y2, &m->y1, &m->y0
  };

  if (!m)
    return;
  vinet_free_weights (m);
  for (guint i = 0; i < G_N_ELEMENTS (bufs); i++)
    if (*bufs[i])
      clReleaseMemObject (*bufs[i]);
  sal_layers_free (m->layers);
  g_free (m->name);
  g_free (m->description);
  g_free (m);
}

static gboolean
alloc (SalModel * m, cl_mem * buf, size_t floats, GError ** error)
{
  cl_int err;

  *buf = clCreateBuffer (m->rt->context, CL_MEM_READ_WRITE,
      floats * sizeof (float), NULL, &err);
  if (err != CL_SUCCESS) {
    *buf = NULL;
    return sal_cl_error (error, err, "clCreateBuffer (vinet-s activations)");
  }
  return TRUE;
}

gboolean
vinet_allocate (SalModel * m, GError ** error)
{
  /* Plane sizes at 1/2, 1/4, 1/8, 1/16 and 1/32 of the input. */
  const size_t p2 = (VINET_H / 2) * (VINET_W / 2), p4 = p2 / 4;
  const size_t p8 = p4 / 4, p16 = p8 / 4, p32 = p16 / 4;

  /* ping: the largest activations outside the rings, [16, 64] at 1/4 (as
   * large: 4 times of conv_t1 at 1/2, Mixed 3b's output, the decoder's
   * last ones); tmp: the Mixed blocks' branch inputs, spatial outputs and
   * pooled input, largest in Mixed 3c ([16, 128], [16, 192], [16, 256] at
   * 1/8). */
  return alloc (m, &m->ring, VINET_CLIP * 64 * p2, error)
      && alloc (m, &m->t1[0], 16 * 64 * p2, error)
      && alloc (m, &m->t1[1], 16 * 64 * p2, error)
      && alloc (m, &m->s13[0], 16 * 192 * p4, error)
      && alloc (m, &m->s13[1], 16 * 192 * p4, error)
      && alloc (m, &m->y3[0], 16 * 192 * p4, error)
      && alloc (m, &m->y3[1], 16 * 192 * p4, error)
      && alloc (m, &m->ping[0], 16 * 64 * p4, error)
      && alloc (m, &m->ping[1], 16 * 64 * p4, error)
      && alloc (m, &m->tmp[0], 16 * 128 * p8, error)
      && alloc (m, &m->tmp[1], 16 * 192 * p8, error)
      && alloc (m, &m->tmp[2], 16 * 256 * p8, error)
      && alloc (m, &m->y2, 16 * 480 * p8, error)
      && alloc (m, &m->y1, 8 * 832 * p16, error)
      && alloc (m, &m->y0, 4 * 1024 * p32, error);
}

static SalModel *
vinet_create (SalRuntime * rt, const SalEngineOptions * opts,
    SalModelFile * file, SalModelInfo * info, float mean[3], float std[3],
    GError ** error)
{
  static const float imagenet_mean[3] = { 0.485f, 0.456f, 0.406f };
  static const float imagenet_std[3] = { 0.229f, 0.224f, 0.225f };
  SalModel *m;
  gint64 clip, h, w;

  if (!file) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL,
        "vinet-s needs a model file: pass the .safetensors file made by "
        "tools/convert_vinet.py as the model");
    return NULL;
  }
  /* The architecture admits one clip length and input size: the file
   * must say so, and options cannot change them. */
  if (!sal_model_file_get_meta_int (file, "clip", VINET_CLIP, VINET_CLIP,
          &clip, error)
      || !sal_model_file_get_meta_int (file, "net_height", VINET_H, VINET_H,
          &h, error)
      || !sal_model_file_get_meta_int (file, "net_width", VINET_W, VINET_W,
          &w, error))
    return NULL;
  if ((opts->net_width && opts->net_width != VINET_W)
      || (opts->net_height && opts->net_height != VINET_H)
      || opts->modulo || (opts->domain && *opts->domain)) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "vinet-s runs at %dx%d on clips of %d frames and has no domain or "
        "modulo: drop those options", VINET_H, VINET_W, VINET_CLIP);
    return NULL;
  }

  m = g_new0 (SalModel, 1);
  m->rt = rt;
  m->name = g_strdup (sal_model_file_get_name (file));
  m->reuse = g_strcmp0 (g_getenv ("SALIENCY_VINET_REUSE"), "0") != 0;
  if (!(m->layers = sal_layers_new (rt, error))
      || !vinet_load_weights (m, file, error) || !vinet_allocate (m, error)) {
    vinet_free (m);
    return NULL;
  }
  memcpy (mean, imagenet_mean, sizeof (imagenet_mean));
  memcpy (std, imagenet_std, sizeof (imagenet_std));
  m->description = g_strdup_printf ("ViNet-S (S3D encoder, grouped "
      "decoder), clips of %d frames at %dx%d", VINET_CLIP, VINET_H,
      VINET_W);
  info->name = m->name;
  info->architecture = "vinet-s";
  info->description = m->description;
  info->net_width = VINET_W;
  info->net_height = VINET_H;
  info->ring_length = VINET_CLIP;
  info->temporal = TRUE;
  return m;
}

void
vinet_reset (SalModel * m)
{
  /* The next frame fills the whole ring, and its clips share nothing with
   * earlier ones. */
  m->primed = FALSE;
  m->next = 0;
  m->valid[0] = m->valid[1] = FALSE;
  m->phase = 0;
}

const SalArch sal_arch_vinet_s = {
  .name = "vinet-s",
  .create = vinet_create,
  .choose_size = NULL,
  .forward = vinet_forward,
  .reset = vinet_reset,
  .free = vinet_free,
  .output_is_logits = FALSE,
};
