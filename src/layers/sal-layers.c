/* The layers' kernels, created once per runtime, and the layers without
 * weights: resizing, element-wise ops, concatenation, log-softmax. */
#include "sal-layers-private.h"
#include "saliency.h"

#include <string.h>

/* lsm_partial's work-items: enough to use every core, few enough for one
 * work-item to combine. */
#define LSM_PARTS 64

typedef struct
{
  size_t offset;                /* of the cl_kernel in SalLayers */
  const char *program;
  const char *name;
} KernelEntry;

#define K(field, program, name) { G_STRUCT_OFFSET (SalLayers, field), \
      program, name }
static const KernelEntry kernels[] = {
  K (pw_48x8, "conv", "conv_pw_48x8"),
  K (pw_48x8_t, "conv", "conv_pw_48x8_t"),
  K (pw_16x16, "conv", "conv_pw_16x16"),
  K (plane, "conv", "conv_plane"),
  K (dw3_s1, "conv", "conv_dw3_s1"),
  K (dw3_s2, "conv", "conv_dw3_s2"),
  K (dw3_small, "conv", "conv_dw3_small"),
  K (dense, "conv", "conv_dense"),
  K (add, "elementwise", "ew_add"),
  K (mul, "elementwise", "ew_mul"),
  K (log, "elementwise", "ew_log"),
  K (activate, "elementwise", "ew_activate"),
  K (subsample2, "elementwise", "ew_subsample2"),
  K (gru, "elementwise", "ew_gru_update"),
  K (bilinear, "resize", "resize_bilinear"),
  K (nearest, "resize", "resize_nearest"),
  K (conv3d_48x8, "conv3d", "conv3d_48x8"),
  K (conv3d_16x16, "conv3d", "conv3d_16x16"),
  K (conv3d_pw_48x8, "conv3d", "conv3d_pw_48x8"),
  K (conv3d_pw_16x16, "conv3d", "conv3d_pw_16x16"),
  K (conv3d_k3_48x8, "conv3d", "conv3d_k3_48x8"),
  K (conv3d_k3_16x16, "conv3d", "conv3d_k3_16x16"),
  K (maxpool3d, "conv3d", "maxpool3d"),
  K (maxpool3d_333, "conv3d", "maxpool3d_333"),
  K (upsample2, "conv3d", "upsample2"),
  K (lsm_partial, "softmax", "lsm_partial"),
  K (lsm_combine, "softmax", "lsm_combine"),
  K (lsm_apply, "softmax", "lsm_apply"),
};
#undef K

#define KERNEL_AT(l, e) (*(cl_kernel *) G_STRUCT_MEMBER_P ((l), (e)->offset))

SalLayers *
sal_layers_new (SalRuntime * rt, GError ** error)
{
  SalLayers *l = g_new0 (SalLayers, 1);
  cl_int err;

  l->rt = rt;
  for (guint i = 0; i < G_N_ELEMENTS (kernels); i++) {
    cl_kernel k = sal_runtime_create_kernel (rt, kernels[i].program,
        kernels[i].name, error);
    if (!k) {
      sal_layers_free (l);
      return NULL;
    }
    KERNEL_AT (l, &kernels[i]) = k;
  }
  l->lsm_scratch = clCreateBuffer (rt->context, CL_MEM_READ_WRITE,
      (2 * LSM_PARTS + 2) * sizeof (float), NULL, &err);
  if (err != CL_SUCCESS) {
    l->lsm_scratch = NULL;
    sal_cl_error (error, err, "clCreateBuffer (log-softmax scratch)");
    sal_layers_free (l);
    return NULL;
  }
  return l;
}

void
sal_layers_free (SalLayers * l)
{
  if (!l)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (kernels); i++)
    if (KERNEL_AT (l, &kernels[i]))
      clReleaseKernel (KERNEL_AT (l, &kernels[i]));
  if (l->lsm_scratch)
    clReleaseMemObject (l->lsm_scratch);
  g_free (l);
}

gboolean
sal_layers_enqueue (SalLayers * l, cl_kernel k, cl_uint dims,
    const size_t * items, const size_t * local, GError ** error)
{
  size_t global[3];
  cl_int err;

  for (cl_uint i = 0; i < dims; i++)
    global[i] = (MAX (items[i], 1) + local[i] - 1) / local[i] * local[i];
  err = clEnqueueNDRangeKernel (l->rt->queue, k, dims, NULL, global, local,
      0, NULL, NULL);
  if (err == CL_INVALID_WORK_GROUP_SIZE)
    /* A device with smaller work-groups: let it choose. */
    err = clEnqueueNDRangeKernel (l->rt->queue, k, dims, NULL, global, NULL,
        0, NULL, NULL);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clEnqueueNDRangeKernel");
  return TRUE;
}

gboolean
sal_layers_share_weights (SalRuntime * rt, float *w, size_t nw, float *b,
    size_t nb, cl_mem * weight, cl_mem * bias, GError ** error)
{
  *weight = sal_runtime_get_shared_buffer (rt, w, nw * sizeof (float),
      error);
  *bias = *weight ? sal_runtime_get_shared_buffer (rt, b,
      nb * sizeof (float), error) : NULL;
  g_free (w);
  g_free (b);
  return *bias != NULL;
}

void
sal_layers_release_weights (SalRuntime * rt, cl_mem weight, cl_mem bias)
{
  if (weight)
    sal_runtime_release_shared_buffer (rt, weight);
  if (bias)
    sal_runtime_release_shared_buffer (rt, bias);
}

gboolean
sal_layers_shape_error (GError ** error, const char *op, const char *what,
    const SalTensor * a, const SalTensor * b)
{
  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
      "%s: %s (%dx%dx%d vs %dx%dx%d)", op, what, a->c, a->h, a->w, b->c,
      b->h, b->w);
  return FALSE;
}

static gboolean
same_shape (const SalTensor * a, const SalTensor * b)
{
  return a->c == b->c && a->h == b->h && a->w == b->w;
}

static gboolean
check_n (const SalTensor * t, const char *op, GError ** error)
{
  if (sal_tensor_size (t) > G_MAXINT) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "%s: tensor of %zu values is too large", op, sal_tensor_size (t));
    return FALSE;
  }
  return TRUE;
}

static gboolean
run_1d (SalLayers * l, cl_kernel k, int n, GError ** error)
{
  size_t items = n, local = 64;
  return sal_layers_enqueue (l, k, 1, &items, &local, error);
}

/* Per-pixel kernels over the rows = c * oh of an output plane stack. */
static gboolean
run_rows (SalLayers * l, cl_kernel k, const SalTensor * out, GError ** error)
{
  size_t items[2] = { out->w, (size_t) out->c * out->h };
  size_t local[2] = { 16, 4 };
  return sal_layers_enqueue (l, k, 2, items, local, error);
}

static gboolean
resize (SalLayers * l, cl_kernel k, const char *op, const SalTensor * in,
    SalTensor * out, GError ** error)
{
  cl_int w = in->w, h = in->h, ow = out->w, oh = out->h;
  cl_int rows = out->c * out->h;

  if (in->c != out->c)
    return sal_layers_shape_error (error, op,
        "out needs the channels of in", in, out);
  if (in->buf == out->buf) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "%s cannot work in place", op);
    return FALSE;
  }
  if (!check_n (out, op, error) || !check_n (in, op, error))
    return FALSE;
  return sal_kernel_set_args (k, error, 7, SAL_ARG (in->buf),
      SAL_ARG (out->buf), SAL_ARG (w), SAL_ARG (h), SAL_ARG (ow),
      SAL_ARG (oh), SAL_ARG (rows))
      && run_rows (l, k, out, error);
}

gboolean
sal_resize_bilinear (SalLayers * l, const SalTensor * in, SalTensor * out,
    GError ** error)
{
  return resize (l, l->bilinear, "sal_resize_bilinear", in, out, error);
}

gboolean
sal_resize_nearest (SalLayers * l, const SalTensor * in, SalTensor * out,
    GError ** error)
{
  return resize (l, l->nearest, "sal_resize_nearest", in, out, error);
}

gboolean
sal_subsample2 (SalLayers * l, const SalTensor * in, SalTensor * out,
    GError ** error)
{
  cl_int w = in->w, h = in->h, ow = out->w, oh = out->h;
  cl_int rows = out->c * out->h;

  if (in->c != out->c || out->h != (in->h + 1) / 2
      || out->w != (in->w + 1) / 2)
    return sal_layers_shape_error (error, "sal_subsample2",
        "out must be in's channels x ceil(h/2) x ceil(w/2)", in, out);
  if (in->buf == out->buf) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_subsample2 cannot work in place");
    return FALSE;
  }
  if (!check_n (in, "sal_subsample2", error))
    return FALSE;
  return sal_kernel_set_args (l->subsample2, error, 7, SAL_ARG (in->buf),
      SAL_ARG (out->buf), SAL_ARG (w), SAL_ARG (h), SAL_ARG (ow),
      SAL_ARG (oh), SAL_ARG (rows))
      && run_rows (l, l->subsample2, out, error);
}

gboolean
sal_concat (SalLayers * l, const SalTensor * a, const SalTensor * b,
    SalTensor * out, GError ** error)
{
  size_t na = sal_tensor_size (a) * sizeof (float);
  size_t nb = sal_tensor_size (b) * sizeof (float);
  cl_int err;

  if (a->h != b->h || a->w != b->w)
    return sal_layers_shape_error (error, "sal_concat",
        "a and b need the same height and width", a, b);
  if (out->c != a->c + b->c || out->h != a->h || out->w != a->w)
    return sal_layers_shape_error (error, "sal_concat",
        "out must have a's and b's channels and their size", a, out);
  if (out->buf == a->buf || out->buf == b->buf) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_concat cannot work in place");
    return FALSE;
  }
  /* CHW: the channels of a then b are two contiguous copies. */
  err = clEnqueueCopyBuffer (l->rt->queue, a->buf, out->buf, 0, 0, na, 0,
      NULL, NULL);
  if (err == CL_SUCCESS)
    err = clEnqueueCopyBuffer (l->rt->queue, b->buf, out->buf, 0, na, nb, 0,
        NULL, NULL);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clEnqueueCopyBuffer (concat)");
  return TRUE;
}

static gboolean
binary (SalLayers * l, cl_kernel k, const char *op, const SalTensor * a,
    const SalTensor * b, SalTensor * out, GError ** error)
{
  cl_int n = sal_tensor_size (a);

  if (!same_shape (a, b))
    return sal_layers_shape_error (error, op, "a and b differ", a, b);
  if (!same_shape (a, out))
    return sal_layers_shape_error (error, op, "out differs from a", a, out);
  if (!check_n (a, op, error))
    return FALSE;
  return sal_kernel_set_args (k, error, 4, SAL_ARG (a->buf),
      SAL_ARG (b->buf), SAL_ARG (out->buf), SAL_ARG (n))
      && run_1d (l, k, n, error);
}

gboolean
sal_add (SalLayers * l, const SalTensor * a, const SalTensor * b,
    SalTensor * out, GError ** error)
{
  return binary (l, l->add, "sal_add", a, b, out, error);
}

gboolean
sal_mul (SalLayers * l, const SalTensor * a, const SalTensor * b,
    SalTensor * out, GError ** error)
{
  return binary (l, l->mul, "sal_mul", a, b, out, error);
}

gboolean
sal_log (SalLayers * l, const SalTensor * in, SalTensor * out, float eps,
    GError ** error)
{
  cl_int n = sal_tensor_size (in);
  cl_float e = eps;

  if (!same_shape (in, out))
    return sal_layers_shape_error (error, "sal_log", "out differs from in",
        in, out);
  if (!check_n (in, "sal_log", error))
    return FALSE;
  return sal_kernel_set_args (l->log, error, 4, SAL_ARG (in->buf),
      SAL_ARG (out->buf), SAL_ARG (e), SAL_ARG (n))
      && run_1d (l, l->log, n, error);
}

gboolean
sal_activate (SalLayers * l, SalTensor * t, SalAct act, GError ** error)
{
  cl_int n = sal_tensor_size (t), a = act;

  if (act < SAL_ACT_NONE || act > SAL_ACT_RELU) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "sal_activate: unknown activation %d", (int) act);
    return FALSE;
  }
  if (act == SAL_ACT_NONE)
    return TRUE;
  if (!check_n (t, "sal_activate", error))
    return FALSE;
  return sal_kernel_set_args (l->activate, error, 3, SAL_ARG (t->buf),
      SAL_ARG (n), SAL_ARG (a))
      && run_1d (l, l->activate, n, error);
}

gboolean
sal_gru_update (SalLayers * l, const SalTensor * rx, const SalTensor * rh,
    const SalTensor * zx, const SalTensor * zh, const SalTensor * hx,
    const SalTensor * hh, const SalTensor * h, SalTensor * out,
    GError ** error)
{
  const SalTensor *ins[] = { rx, rh, zx, zh, hx, hh, out };
  const char *names[] = { "rx", "rh", "zx", "zh", "hx", "hh", "out" };
  cl_int n = sal_tensor_size (h);

  for (guint i = 0; i < G_N_ELEMENTS (ins); i++) {
    if (!same_shape (ins[i], h)) {
      char *what = g_strdup_printf ("%s differs from h", names[i]);
      sal_layers_shape_error (error, "sal_gru_update", what, ins[i], h);
      g_free (what);
      return FALSE;
    }
  }
  if (!check_n (h, "sal_gru_update", error))
    return FALSE;
  return sal_kernel_set_args (l->gru, error, 9, SAL_ARG (rx->buf),
      SAL_ARG (rh->buf), SAL_ARG (zx->buf), SAL_ARG (zh->buf),
      SAL_ARG (hx->buf), SAL_ARG (hh->buf), SAL_ARG (h->buf),
      SAL_ARG (out->buf), SAL_ARG (n))
      && run_1d (l, l->gru, n, error);
}

gboolean
sal_log_softmax (SalLayers * l, const SalTensor * in, SalTensor * out,
    GError ** error)
{
  cl_int n = sal_tensor_size (in), parts = LSM_PARTS;
  cl_int chunk = (n + LSM_PARTS - 1) / LSM_PARTS;
  size_t items = LSM_PARTS, local = 8, one = 1;

  if (!same_shape (in, out))
    return sal_layers_shape_error (error, "sal_log_softmax",
        "out differs from in", in, out);
  if (!check_n (in, "sal_log_softmax", error))
    return FALSE;
  return sal_kernel_set_args (l->lsm_partial, error, 5, SAL_ARG (in->buf),
      SAL_ARG (n), SAL_ARG (chunk), SAL_ARG (parts),
      SAL_ARG (l->lsm_scratch))
      && sal_layers_enqueue (l, l->lsm_partial, 1, &items, &local, error)
      && sal_kernel_set_args (l->lsm_combine, error, 2,
      SAL_ARG (l->lsm_scratch), SAL_ARG (parts))
      && sal_layers_enqueue (l, l->lsm_combine, 1, &one, &one, error)
      && sal_kernel_set_args (l->lsm_apply, error, 5, SAL_ARG (in->buf),
      SAL_ARG (out->buf), SAL_ARG (n), SAL_ARG (l->lsm_scratch),
      SAL_ARG (parts))
      && run_1d (l, l->lsm_apply, n, error);
}
