/* "sr": spectral residual saliency (Hou & Zhang, CVPR 2007) times the
 * centre prior of the "centre" model, a weight-free baseline that is hard
 * to beat on video. tools/spectral_residual.py (sr_centre_map) is the
 * specification. The network input is the frame itself, so that the
 * residual's own bilinear resize to 64 x 64 (no anti-aliasing, as OpenCV)
 * sees the frame's pixels and not the engine's area-filtered ones. */
#include "sal-arch.h"

#include <math.h>

#include "sal-spectral-residual.h"

#define SR_CENTRE_SIGMA 0.25    /* of each side: sal-arch-centre.c's */

struct _SalModel
{
  SalRuntime *rt;
};

/* (The network size is the frame's: choose_size.) */
static const SalModelInfo sr_info = {
  .name = "sr",
  .architecture = "sr",
  .description = "spectral residual (Hou & Zhang 2007) x centre prior "
      "(baseline; no weights, no temporal state)",
  .net_width = SAL_SR_SIZE,
  .net_height = SAL_SR_SIZE,
};

static SalModel *
sr_create (SalRuntime * rt, const SalEngineOptions * opts,
    SalModelFile * file, SalModelInfo * info, float mean[3], float std[3],
    GError ** error)
{
  SalModel *m = g_new0 (SalModel, 1);

  m->rt = rt;
  *info = sr_info;
  /* The engine feeds rgb / 255: the residual works on 255 * grey. */
  for (int c = 0; c < 3; c++) {
    mean[c] = 0.0f;
    std[c] = 1.0f;
  }
  return m;
}

static void
sr_choose_size (SalModel * m, int frame_w, int frame_h, int *net_w,
    int *net_h)
{
  *net_w = frame_w;
  *net_h = frame_h;
}

/* 1-D factor of the centre prior: exp (-u^2 / 2), u in sigmas. */
static void
centre_axis (double *g, int n)
{
  for (int i = 0; i < n; i++) {
    double u = ((i + 0.5) / n - 0.5) / SR_CENTRE_SIGMA;

    g[i] = exp (-0.5 * u * u);
  }
}

static gboolean
sr_forward (SalModel * m, const SalTensor * rgb, SalTensor * out,
    gboolean still, GError ** error)
{
  int w = rgb->w, h = rgb->h;
  float *pixels = g_new (float, sal_tensor_size (rgb));
  double *map = g_new (double, (gsize) w * h);
  double *gx = g_new (double, w), *gy = g_new (double, h);
  float *result = NULL;
  gboolean ok;

  ok = sal_tensor_download (m->rt, rgb, pixels, error);
  if (ok) {
    sal_spectral_residual (pixels, w, h, map);
    centre_axis (gx, w);
    centre_axis (gy, h);
    /* The engine divides by the sum after its (1:1) resize. */
    result = pixels;
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        result[y * w + x] = (float) (map[y * w + x] * gy[y] * gx[x]);
    ok = sal_tensor_upload (m->rt, out, result, error);
  }
  g_free (pixels);
  g_free (map);
  g_free (gx);
  g_free (gy);
  return ok;
}

static void
sr_reset (SalModel * m)
{
}

static void
sr_free (SalModel * m)
{
  g_free (m);
}

const SalArch sal_arch_sr = {
  .name = "sr",
  .create = sr_create,
  .choose_size = sr_choose_size,
  .forward = sr_forward,
  .reset = sr_reset,
  .free = sr_free,
  .output_is_logits = FALSE,
};
