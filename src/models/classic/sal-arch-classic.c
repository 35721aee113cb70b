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
/* The row-wise blur kernels' private arrays (classic.cl) bound these. */
#define CLASSIC_MAX_RADIUS 48   /* ceil (3 * 16) */

enum
{
  K_OPPONENT,
  K_BLUR_ROWS,
  K_BLUR_COLS,
  K_DOG,
  K_MEAN,
  K_COMBINE,
  N_KERNELS
};

static const char *const kernel_names[N_KERNELS] = {
  "classic_opponent", "classic_blur_rows", "classic_blur_cols",
  "classic_dog", "classic_mean", "classic_combine",
};

struct _SalModel
{
  SalRuntime *rt;
  cl_kernel k[N_KERNELS];
  size_t mean_group;            /* work-group size of classic_mean */
  cl_mem taps;                  /* every scale's Gaussian taps, in order */
  cl_mem meta;                  /* per scale: radius, offset into taps */

  /* Buffers for one network size, allocated when the size changes. Every
   * launch covers all scales or planes at once: on CPUs a launch costs as
   * much as a small kernel. */
  int w, h;
  SalTensor *opp;
  SalTensor *tmp;               /* horizontal passes, [scales * 3, h, w] */
  SalTensor *blur;              /* [scales * 3, h, w] */
  SalTensor *dm;                /* contrast, then motion: [2, h, w] */
  SalTensor *cm;                /* dm blurred: contrast, motion */
  SalTensor *mean;
  SalTensor *centre;            /* the centre prior, constant per size */
  SalTensor *lm, *prev;
  SalTensor *ring[CLASSIC_RING];
  int n_seen;                   /* frames in the ring, at most CLASSIC_RING */
  gboolean had_motion;          /* the last forward computed motion */
  int head;                     /* ring slot the next frame goes to */
};

static void
free_buffers (SalModel * m)
{
  SalTensor **all[] = { &m->opp, &m->tmp, &m->blur, &m->dm, &m->cm,
    &m->mean, &m->centre, &m->lm, &m->prev
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
  if (w > CLASSIC_NET_LONG || h > CLASSIC_NET_LONG) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "classic: network size %dx%d is over %d: use choose_size", w, h,
        CLASSIC_NET_LONG);
    return FALSE;
  }
  ok = (m->opp = sal_tensor_new (rt, 3, h, w, error))
      && (m->tmp = sal_tensor_new (rt, CLASSIC_SCALES * 3, h, w, error))
      && (m->blur = sal_tensor_new (rt, CLASSIC_SCALES * 3, h, w, error))
      && (m->dm = sal_tensor_new (rt, 2, h, w, error))
      && (m->cm = sal_tensor_new (rt, 2, h, w, error))
      && (m->mean = sal_tensor_new (rt, 1, 1, 1, error))
      && (m->centre = sal_tensor_new (rt, 1, h, w, error))
      && (m->lm = sal_tensor_new (rt, 1, h, w, error))
      && (m->prev = sal_tensor_new (rt, 1, h, w, error));
  for (int i = 0; ok && i < CLASSIC_RING; i++)
    ok = (m->ring[i] = sal_tensor_new (rt, 1, h, w, error)) != NULL;
  if (ok) {
    /* Float arithmetic as the kernel computed it per frame before. */
    float *c = g_new (float, (gsize) w * h);

    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        float u = ((x + 0.5f) / w - 0.5f) / CLASSIC_PRIOR_SIGMA;
        float v = ((y + 0.5f) / h - 0.5f) / CLASSIC_PRIOR_SIGMA;

        c[y * w + x] = expf (-0.5f * u * u) * expf (-0.5f * v * v);
      }
    ok = sal_tensor_upload (rt, m->centre, c, error);
    g_free (c);
  }
  if (!ok) {
    free_buffers (m);
    return FALSE;
  }
  m->w = w;
  m->h = h;
  return TRUE;
}

/* Normalised taps exp(-i^2 / 2 sigma^2), |i| <= ceil(3 sigma), computed in
 * double as the reference does; all scales in one buffer, with each
 * scale's radius and offset in m->meta. */
static gboolean
upload_taps (SalModel * m, GError ** error)
{
  cl_int meta[2 * CLASSIC_SCALES];
  GArray *taps = g_array_new (FALSE, FALSE, sizeof (float));
  cl_int err;

  for (int s = 0; s < CLASSIC_SCALES; s++) {
    double sigma = ldexp (1.0, s), sum = 0.0;
    int r = (int) ceil (3.0 * sigma), n = 2 * r + 1;
    double *d = g_new (double, n);

    g_assert (r <= CLASSIC_MAX_RADIUS);
    for (int i = 0; i < n; i++) {
      d[i] = exp (-(double) (i - r) * (i - r) / (2.0 * sigma * sigma));
      sum += d[i];
    }
    meta[2 * s] = r;
    meta[2 * s + 1] = taps->len;
    for (int i = 0; i < n; i++) {
      float f = (float) (d[i] / sum);
      g_array_append_val (taps, f);
    }
    g_free (d);
  }
  m->taps = clCreateBuffer (m->rt->context,
      CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, taps->len * sizeof (float),
      taps->data, &err);
  g_array_unref (taps);
  if (err != CL_SUCCESS) {
    m->taps = NULL;
    return sal_cl_error (error, err, "clCreateBuffer (taps)");
  }
  m->meta = clCreateBuffer (m->rt->context,
      CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof (meta), meta, &err);
  if (err != CL_SUCCESS) {
    m->meta = NULL;
    return sal_cl_error (error, err, "clCreateBuffer (tap offsets)");
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
  if (m->taps)
    clReleaseMemObject (m->taps);
  if (m->meta)
    clReleaseMemObject (m->meta);
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
  if (!upload_taps (m, error))
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

/* One work-item per output row and scale (classic.cl). */
static gboolean
run_rows (SalModel * m, cl_kernel k, int n, GError ** error)
{
  size_t local = 8, global = (n + local - 1) / local * local;
  cl_int err = clEnqueueNDRangeKernel (m->rt->queue, k, 1, NULL, &global,
      &local, 0, NULL, NULL);

  if (err == CL_INVALID_WORK_GROUP_SIZE)
    err = clEnqueueNDRangeKernel (m->rt->queue, k, 1, NULL, &global, NULL,
        0, NULL, NULL);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clEnqueueNDRangeKernel (classic blur)");
  return TRUE;
}

/* Gaussian blurs of scales s0 .. s0 + n_scales - 1 of the first planes of
 * src into consecutive blocks of dst, via m->tmp. */
static gboolean
blur (SalModel * m, const SalTensor * src, SalTensor * dst, int planes,
    int s0, int n_scales, GError ** error)
{
  cl_int w = m->w, h = m->h, rows = planes * m->h, s = s0, ns = n_scales;

  return sal_kernel_set_args (m->k[K_BLUR_ROWS], error, 8,
      SAL_ARG (src->buf), SAL_ARG (m->tmp->buf), SAL_ARG (w), SAL_ARG (rows),
      SAL_ARG (m->taps), SAL_ARG (m->meta), SAL_ARG (s), SAL_ARG (ns))
      && run_rows (m, m->k[K_BLUR_ROWS], ns * rows, error)
      && sal_kernel_set_args (m->k[K_BLUR_COLS], error, 9,
      SAL_ARG (m->tmp->buf), SAL_ARG (dst->buf), SAL_ARG (w), SAL_ARG (h),
      SAL_ARG (rows), SAL_ARG (m->taps), SAL_ARG (m->meta), SAL_ARG (s),
      SAL_ARG (ns))
      && run_rows (m, m->k[K_BLUR_COLS], ns * rows, error);
}

/* Contrast and motion before their blur into m->dm: the sum of
 * colour-weighted |B_k - B_k+1| over the scales, and |Lm_t - Lm_t-d|
 * against past (NULL: no motion). Intensity at the motion scale goes to
 * m->lm when keep_lm. */
static gboolean
contrast_motion (SalModel * m, const SalTensor * rgb, gboolean keep_lm,
    const SalTensor * past, GError ** error)
{
  cl_int w = m->w, h = m->h, n = w * h, ns = CLASSIC_SCALES;
  cl_int lm_scale = CLASSIC_MOTION_SCALE, keep = keep_lm, use = past != NULL;
  cl_float cw = CLASSIC_COLOUR_WEIGHT;
  /* Without a past frame it is not read: pass any valid buffer. */
  cl_mem p = past ? past->buf : m->lm->buf;

  return sal_kernel_set_args (m->k[K_OPPONENT], error, 4, SAL_ARG (rgb->buf),
      SAL_ARG (m->opp->buf), SAL_ARG (w), SAL_ARG (h))
      && sal_kernel_run_2d (m->rt, m->k[K_OPPONENT], w, h, error)
      && blur (m, m->opp, m->blur, 3, 0, CLASSIC_SCALES, error)
      && sal_kernel_set_args (m->k[K_DOG], error, 10, SAL_ARG (m->blur->buf),
      SAL_ARG (m->dm->buf), SAL_ARG (m->lm->buf), SAL_ARG (p), SAL_ARG (n),
      SAL_ARG (ns), SAL_ARG (cw), SAL_ARG (lm_scale), SAL_ARG (keep),
      SAL_ARG (use))
      && sal_kernel_run_1d (m->rt, m->k[K_DOG], n, error);
}

/* The mean of the blurred contrast (m->cm plane 0), on the device. */
static gboolean
contrast_mean (SalModel * m, GError ** error)
{
  cl_int n = m->w * m->h;
  size_t group = m->mean_group;
  cl_int err;

  if (!sal_kernel_set_args (m->k[K_MEAN], error, 3, SAL_ARG (m->cm->buf),
          SAL_ARG (n), SAL_ARG (m->mean->buf)))
    return FALSE;
  err = clEnqueueNDRangeKernel (m->rt->queue, m->k[K_MEAN], 1, NULL, &group,
      &group, 0, NULL, NULL);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clEnqueueNDRangeKernel (classic_mean)");
  return TRUE;
}

static gboolean
classic_forward (SalModel * m, const SalTensor * rgb, SalTensor * out,
    gboolean still, GError ** error)
{
  cl_int w = rgb->w, h = rgb->h;
  cl_int use_state, store = !still;
  const SalTensor *past = NULL;
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

  /* Motion against the oldest frame in the ring (CLASSIC_RING back once
   * it is full). */
  use_state = !still && m->n_seen > 0;
  m->had_motion = use_state;
  if (use_state)
    past = m->ring[(m->head - m->n_seen + CLASSIC_RING) % CLASSIC_RING];
  /* Contrast and motion share one blur launch, as two planes. */
  if (!contrast_motion (m, rgb, !still, past, error)
      || !blur (m, m->dm, m->cm, use_state ? 2 : 1, CLASSIC_POST_SCALE, 1,
          error)
      || !contrast_mean (m, error)
      || !sal_kernel_set_args (m->k[K_COMBINE], error, 10,
          SAL_ARG (m->cm->buf), SAL_ARG (m->mean->buf),
          SAL_ARG (m->centre->buf),
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

gboolean
sal_classic_motion (SalModel * m, SalTensor * out, GError ** error)
{
  size_t bytes = (size_t) m->w * m->h * sizeof (cl_float);
  cl_int err;

  if (!m->cm || out->c != 1 || out->w != m->w || out->h != m->h) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "classic: motion wanted at %dx%d, but the last frame was %dx%d",
        out->h, out->w, m->h, m->w);
    return FALSE;
  }
  /* Plane 1 of cm is only written when there was a past frame. */
  if (!m->had_motion)
    return sal_tensor_fill (m->rt, out, 0.0f, error);
  err = clEnqueueCopyBuffer (m->rt->queue, m->cm->buf, out->buf, bytes, 0,
      bytes, 0, NULL, NULL);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "classic motion copy");
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
