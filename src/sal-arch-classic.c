/* "classic": a weight-free temporal saliency model. Centre-surround
 * contrast over five Gaussian scales on opponent colours, motion from a
 * ring of past blurred frames, a centre prior, and an EMA of the map.
 * tools/classic_reference.py is the specification; the constants below
 * must stay equal to the ones there. */
#include "sal-arch.h"

#include <math.h>

#define CLASSIC_NET_LONG 128    /* longer side of the network input */
#define CLASSIC_NET_MIN 8       /* smallest shorter side */
#define CLASSIC_SCALES 5        /* Gaussian sigmas 1, 2, 4, 8, 16 px */
#define CLASSIC_POST_SCALE 2    /* sigma 4: smooths contrast and motion */
#define CLASSIC_MOTION_SCALE 1  /* motion compares intensity at sigma 2 */
#define CLASSIC_RING 4          /* motion looks this many frames back */
#define CLASSIC_COLOUR_WEIGHT 4.0f
#define CLASSIC_PRIOR_SIGMA 0.15f
#define CLASSIC_FLOOR 0.1f
#define CLASSIC_GAMMA 1.5f
#define CLASSIC_MOTION_TAU 0.01f
#define CLASSIC_MOTION_WEIGHT 4.0f
#define CLASSIC_EMA_ALPHA 0.5f
#define CLASSIC_MEAN_EPS 1e-6f

enum
{
  K_OPPONENT,
  K_BLUR_H,
  K_BLUR_V,
  K_DOG_ADD,
  K_ABSDIFF,
  K_MEAN,
  K_COMBINE,
  N_KERNELS
};

static const char *const kernel_names[N_KERNELS] = {
  "classic_opponent", "classic_blur_h", "classic_blur_v", "classic_dog_add",
  "classic_absdiff", "classic_mean", "classic_combine",
};

struct _SalModel
{
  SalRuntime *rt;
  cl_kernel k[N_KERNELS];
  size_t mean_group;            /* work-group size of classic_mean */
  cl_mem taps[CLASSIC_SCALES];  /* Gaussian taps per scale */
  cl_int radius[CLASSIC_SCALES];

  /* Buffers for one network size, allocated when the size changes. */
  int w, h;
  SalTensor *opp, *tmp, *blur[2], *dog, *con, *mean;
  SalTensor *lm, *diff, *motion, *prev;
  SalTensor *ring[CLASSIC_RING];
  int n_seen;                   /* frames in the ring, at most CLASSIC_RING */
  int head;                     /* ring slot the next frame goes to */
};

static void
free_buffers (SalModel * m)
{
  SalTensor **all[] = { &m->opp, &m->tmp, &m->blur[0], &m->blur[1], &m->dog,
    &m->con, &m->mean, &m->lm, &m->diff, &m->motion, &m->prev
  };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_clear_pointer (all[i], sal_tensor_free);
  for (int i = 0; i < CLASSIC_RING; i++)
    g_clear_pointer (&m->ring[i], sal_tensor_free);
  m->w = m->h = 0;
  m->n_seen = m->head = 0;
}

/* All device memory for a w x h network, so that frames allocate nothing. */
static gboolean
ensure_buffers (SalModel * m, int w, int h, GError ** error)
{
  SalRuntime *rt = m->rt;
  gboolean ok;

  if (m->opp && m->w == w && m->h == h)
    return TRUE;

  free_buffers (m);
  ok = (m->opp = sal_tensor_new (rt, 3, h, w, error))
      && (m->tmp = sal_tensor_new (rt, 3, h, w, error))
      && (m->blur[0] = sal_tensor_new (rt, 3, h, w, error))
      && (m->blur[1] = sal_tensor_new (rt, 3, h, w, error))
      && (m->dog = sal_tensor_new (rt, 1, h, w, error))
      && (m->con = sal_tensor_new (rt, 1, h, w, error))
      && (m->mean = sal_tensor_new (rt, 1, 1, 1, error))
      && (m->lm = sal_tensor_new (rt, 1, h, w, error))
      && (m->diff = sal_tensor_new (rt, 1, h, w, error))
      && (m->motion = sal_tensor_new (rt, 1, h, w, error))
      && (m->prev = sal_tensor_new (rt, 1, h, w, error));
  for (int i = 0; ok && i < CLASSIC_RING; i++)
    ok = (m->ring[i] = sal_tensor_new (rt, 1, h, w, error)) != NULL;
  if (!ok) {
    free_buffers (m);
    return FALSE;
  }
  m->w = w;
  m->h = h;
  return TRUE;
}

/* Normalised taps exp(-i^2 / 2 sigma^2), |i| <= ceil(3 sigma), computed in
 * double as the reference does. */
static gboolean
upload_taps (SalModel * m, int scale, GError ** error)
{
  double sigma = ldexp (1.0, scale), sum = 0.0;
  int r = (int) ceil (3.0 * sigma), n = 2 * r + 1;
  double *d = g_new (double, n);
  float *f = g_new (float, n);
  cl_int err;

  for (int i = 0; i < n; i++) {
    d[i] = exp (-(double) (i - r) * (i - r) / (2.0 * sigma * sigma));
    sum += d[i];
  }
  for (int i = 0; i < n; i++)
    f[i] = (float) (d[i] / sum);
  m->radius[scale] = r;
  m->taps[scale] = clCreateBuffer (m->rt->context,
      CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, n * sizeof (float), f, &err);
  g_free (d);
  g_free (f);
  if (err != CL_SUCCESS) {
    m->taps[scale] = NULL;
    return sal_cl_error (error, err, "clCreateBuffer (taps)");
  }
  return TRUE;
}

static void
classic_free (SalModel * m)
{
  free_buffers (m);
  for (int i = 0; i < N_KERNELS; i++)
    if (m->k[i])
      clReleaseKernel (m->k[i]);
  for (int i = 0; i < CLASSIC_SCALES; i++)
    if (m->taps[i])
      clReleaseMemObject (m->taps[i]);
  g_free (m);
}

static SalModel *
classic_create (SalRuntime * rt, const SalEngineOptions * opts,
    SalModelFile * file, SalModelInfo * info, float mean[3], float std[3],
    GError ** error)
{
  SalModel *m = g_new0 (SalModel, 1);
  size_t group = 0;
  cl_int err;

  m->rt = rt;
  for (int i = 0; i < N_KERNELS; i++) {
    m->k[i] = sal_runtime_create_kernel (rt, "classic", kernel_names[i],
        error);
    if (!m->k[i])
      goto fail;
  }
  for (int i = 0; i < CLASSIC_SCALES; i++)
    if (!upload_taps (m, i, error))
      goto fail;

  /* The reduction needs a power-of-two group of at most 256 (its local
   * array). */
  err = clGetKernelWorkGroupInfo (m->k[K_MEAN], rt->device,
      CL_KERNEL_WORK_GROUP_SIZE, sizeof (group), &group, NULL);
  if (err != CL_SUCCESS) {
    sal_cl_error (error, err, "clGetKernelWorkGroupInfo");
    goto fail;
  }
  for (m->mean_group = 256; m->mean_group > group; m->mean_group /= 2);
  if (m->mean_group == 0)
    m->mean_group = 1;

  info->name = "classic";
  info->architecture = "classic";
  info->description = "classic: centre-surround colour contrast, motion, "
      "centre prior and temporal smoothing (no weights)";
  info->net_width = CLASSIC_NET_LONG;
  info->net_height = 72;        /* 16:9 until a frame sets it */
  info->ring_length = CLASSIC_RING;
  info->temporal = TRUE;
  for (int c = 0; c < 3; c++) {
    mean[c] = 0.0f;
    std[c] = 1.0f;
  }
  return m;

fail:
  classic_free (m);
  return NULL;
}

/* Longer side CLASSIC_NET_LONG, aspect kept (rounded half up), as
 * choose_size() in the reference. */
static void
classic_choose_size (SalModel * m, int frame_w, int frame_h, int *net_w,
    int *net_h)
{
  if (frame_w >= frame_h) {
    *net_w = CLASSIC_NET_LONG;
    *net_h = MAX (CLASSIC_NET_MIN,
        (int) floor ((double) CLASSIC_NET_LONG * frame_h / frame_w + 0.5));
  } else {
    *net_h = CLASSIC_NET_LONG;
    *net_w = MAX (CLASSIC_NET_MIN,
        (int) floor ((double) CLASSIC_NET_LONG * frame_w / frame_h + 0.5));
  }
  /* Errors surface from forward, which retries. */
  ensure_buffers (m, *net_w, *net_h, NULL);
}

/* Gaussian blur of the first planes of src into dst, via m->tmp. */
static gboolean
blur (SalModel * m, const SalTensor * src, SalTensor * dst, int planes,
    int scale, GError ** error)
{
  cl_int w = m->w, h = m->h, rows = planes * m->h, r = m->radius[scale];

  return sal_kernel_set_args (m->k[K_BLUR_H], error, 6, SAL_ARG (src->buf),
      SAL_ARG (m->tmp->buf), SAL_ARG (w), SAL_ARG (rows),
      SAL_ARG (m->taps[scale]), SAL_ARG (r))
      && sal_kernel_run_2d (m->rt, m->k[K_BLUR_H], w, rows, error)
      && sal_kernel_set_args (m->k[K_BLUR_V], error, 7,
      SAL_ARG (m->tmp->buf), SAL_ARG (dst->buf), SAL_ARG (w), SAL_ARG (h),
      SAL_ARG (rows), SAL_ARG (m->taps[scale]), SAL_ARG (r))
      && sal_kernel_run_2d (m->rt, m->k[K_BLUR_V], w, rows, error);
}

/* Contrast: the blurred sum of colour-weighted |B_k - B_k+1|, and its mean.
 * Leaves intensity at the motion scale in m->lm when keep_lm. */
static gboolean
contrast (SalModel * m, const SalTensor * rgb, gboolean keep_lm,
    GError ** error)
{
  cl_int w = m->w, h = m->h, n = w * h;
  cl_float cw = CLASSIC_COLOUR_WEIGHT;
  size_t group = m->mean_group;
  cl_int err;

  if (!sal_kernel_set_args (m->k[K_OPPONENT], error, 4, SAL_ARG (rgb->buf),
          SAL_ARG (m->opp->buf), SAL_ARG (w), SAL_ARG (h))
      || !sal_kernel_run_2d (m->rt, m->k[K_OPPONENT], w, h, error))
    return FALSE;

  for (int k = 0; k < CLASSIC_SCALES; k++) {
    SalTensor *cur = m->blur[k % 2], *fine = m->blur[(k + 1) % 2];
    cl_int first = k == 1;

    if (!blur (m, m->opp, cur, 3, k, error))
      return FALSE;
    if (k == CLASSIC_MOTION_SCALE && keep_lm) {
      err = clEnqueueCopyBuffer (m->rt->queue, cur->buf, m->lm->buf, 0, 0,
          n * sizeof (float), 0, NULL, NULL);
      if (err != CL_SUCCESS)
        return sal_cl_error (error, err, "clEnqueueCopyBuffer");
    }
    if (k > 0 && !(sal_kernel_set_args (m->k[K_DOG_ADD], error, 7,
                SAL_ARG (fine->buf), SAL_ARG (cur->buf),
                SAL_ARG (m->dog->buf), SAL_ARG (w), SAL_ARG (h), SAL_ARG (cw),
                SAL_ARG (first))
            && sal_kernel_run_2d (m->rt, m->k[K_DOG_ADD], w, h, error)))
      return FALSE;
  }
  if (!blur (m, m->dog, m->con, 1, CLASSIC_POST_SCALE, error)
      || !sal_kernel_set_args (m->k[K_MEAN], error, 3, SAL_ARG (m->con->buf),
          SAL_ARG (n), SAL_ARG (m->mean->buf)))
    return FALSE;
  err = clEnqueueNDRangeKernel (m->rt->queue, m->k[K_MEAN], 1, NULL, &group,
      &group, 0, NULL, NULL);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clEnqueueNDRangeKernel (classic_mean)");
  return TRUE;
}

/* Motion against the oldest frame in the ring (CLASSIC_RING back once it
 * is full): blurred |Lm_t - Lm_t-d| in m->motion. */
static gboolean
motion (SalModel * m, GError ** error)
{
  SalTensor *past = m->ring[(m->head - m->n_seen + CLASSIC_RING)
      % CLASSIC_RING];
  cl_int n = m->w * m->h;

  return sal_kernel_set_args (m->k[K_ABSDIFF], error, 4, SAL_ARG (m->lm->buf),
      SAL_ARG (past->buf), SAL_ARG (m->diff->buf), SAL_ARG (n))
      && sal_kernel_run_1d (m->rt, m->k[K_ABSDIFF], n, error)
      && blur (m, m->diff, m->motion, 1, CLASSIC_POST_SCALE, error);
}

static gboolean
classic_forward (SalModel * m, const SalTensor * rgb, SalTensor * out,
    gboolean still, GError ** error)
{
  cl_int w = rgb->w, h = rgb->h;
  cl_int use_state, store = !still;
  cl_mem mo;
  cl_float8 p = { {CLASSIC_PRIOR_SIGMA, CLASSIC_FLOOR, CLASSIC_GAMMA,
          CLASSIC_MOTION_TAU, CLASSIC_MOTION_WEIGHT, CLASSIC_EMA_ALPHA,
          CLASSIC_MEAN_EPS, 0.0f}
  };

  if (rgb->c != 3 || out->w != w || out->h != h) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "classic: input %dx%dx%d and output %dx%d do not match", rgb->c,
        rgb->h, rgb->w, out->h, out->w);
    return FALSE;
  }
  if (!ensure_buffers (m, w, h, error))
    return FALSE;

  use_state = !still && m->n_seen > 0;
  if (!contrast (m, rgb, !still, error) || (use_state && !motion (m, error)))
    return FALSE;
  /* Without state motion is not read: pass any valid buffer. */
  mo = use_state ? m->motion->buf : m->con->buf;
  if (!sal_kernel_set_args (m->k[K_COMBINE], error, 10, SAL_ARG (m->con->buf),
          SAL_ARG (m->mean->buf),
          SAL_ARG (mo),
          SAL_ARG (m->prev->buf), SAL_ARG (out->buf), SAL_ARG (w),
          SAL_ARG (h), SAL_ARG (use_state), SAL_ARG (store), SAL_ARG (p))
      || !sal_kernel_run_2d (m->rt, m->k[K_COMBINE], w, h, error))
    return FALSE;

  if (!still) {
    /* This frame's intensity joins the ring by swapping tensors; the slot
     * it replaces (already read by the queued kernels) becomes scratch. */
    SalTensor *t = m->ring[m->head];

    m->ring[m->head] = m->lm;
    m->lm = t;
    m->head = (m->head + 1) % CLASSIC_RING;
    m->n_seen = MIN (m->n_seen + 1, CLASSIC_RING);
  }
  return TRUE;
}

static void
classic_reset (SalModel * m)
{
  /* The ring and the previous map are only read when n_seen > 0. */
  m->n_seen = m->head = 0;
}

const SalArch sal_arch_classic = {
  .name = "classic",
  .create = classic_create,
  .choose_size = classic_choose_size,
  .forward = classic_forward,
  .reset = classic_reset,
  .free = classic_free,
  .output_is_logits = FALSE,
};
