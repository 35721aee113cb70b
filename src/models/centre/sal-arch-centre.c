/* "centre": the centre-prior baseline. Metrics are always reported beside
 * it, because a centred Gaussian is hard to beat on eye-tracking data. */
#include "sal-arch.h"

#define CENTRE_SIGMA 0.25f      /* of each side */
#define CENTRE_NET_W 64
#define CENTRE_NET_H 64

struct _SalModel
{
  SalRuntime *rt;
  cl_kernel prior;
};

static SalModel *
centre_create (SalRuntime * rt, const SalEngineOptions * opts,
    SalModelFile * file, SalModelInfo * info, float mean[3], float std[3],
    GError ** error)
{
  SalModel *m = g_new0 (SalModel, 1);

  m->rt = rt;
  m->prior = sal_runtime_create_kernel (rt, "centre", "centre_prior", error);
  if (!m->prior) {
    g_free (m);
    return NULL;
  }
  info->name = "centre";
  info->architecture = "centre";
  info->description = "centre prior: a Gaussian at the frame centre "
      "(baseline; ignores the frame)";
  info->net_width = CENTRE_NET_W;
  info->net_height = CENTRE_NET_H;
  info->ring_length = 0;
  info->temporal = FALSE;
  for (int c = 0; c < 3; c++) {
    mean[c] = 0.0f;
    std[c] = 1.0f;
  }
  return m;
}

static gboolean
centre_forward (SalModel * m, const SalTensor * rgb, SalTensor * out,
    gboolean still, GError ** error)
{
  cl_int w = out->w, h = out->h;
  cl_float sigma = CENTRE_SIGMA;

  return sal_kernel_set_args (m->prior, error, 4, SAL_ARG (out->buf),
      SAL_ARG (w), SAL_ARG (h), SAL_ARG (sigma))
      && sal_kernel_run_2d (m->rt, m->prior, w, h, error);
}

static void
centre_reset (SalModel * m)
{
}

static void
centre_free (SalModel * m)
{
  clReleaseKernel (m->prior);
  g_free (m);
}

const SalArch sal_arch_centre = {
  .name = "centre",
  .create = centre_create,
  .forward = centre_forward,
  .reset = centre_reset,
  .free = centre_free,
  .output_is_logits = FALSE,
};
