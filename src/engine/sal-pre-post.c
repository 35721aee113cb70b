/* Moves frames onto the device (read in place where the device shares
 * the host's memory) and maps off it. */
#include "sal-pre-post.h"

#include <math.h>
#include <string.h>

gboolean
sal_pre_post_init (SalPrePost * pp, SalRuntime * rt, GError ** error)
{
  static const struct
  {
    const char *program, *kernel;
    gsize offset;
  } kernels[] = {
    {"preprocess", "preprocess_taps", G_STRUCT_OFFSET (SalPrePost, taps)},
    {"preprocess", "preprocess_rows", G_STRUCT_OFFSET (SalPrePost, rows)},
    {"preprocess", "preprocess_rows_yuv",
        G_STRUCT_OFFSET (SalPrePost, rows_yuv)},
    {"preprocess", "preprocess_cols", G_STRUCT_OFFSET (SalPrePost, cols)},
    {"postprocess", "postprocess_rows",
        G_STRUCT_OFFSET (SalPrePost, post_rows)},
    {"postprocess", "postprocess", G_STRUCT_OFFSET (SalPrePost, post)},
  };
  cl_bool unified = CL_FALSE;

  memset (pp, 0, sizeof (*pp));
  pp->rt = rt;
  if (clGetDeviceInfo (rt->device, CL_DEVICE_HOST_UNIFIED_MEMORY,
          sizeof (unified), &unified, NULL) == CL_SUCCESS)
    pp->host_ptr = unified;
  for (guint i = 0; i < G_N_ELEMENTS (kernels); i++) {
    cl_kernel *k = G_STRUCT_MEMBER_P (pp, kernels[i].offset);

    *k = sal_runtime_create_kernel (rt, kernels[i].program,
        kernels[i].kernel, error);
    if (!*k)
      return FALSE;
  }
  return TRUE;
}

void
sal_pre_post_clear (SalPrePost * pp)
{
  cl_kernel kernels[] = { pp->taps, pp->rows, pp->rows_yuv, pp->cols,
    pp->post_rows, pp->post
  };
  cl_mem mems[] = { pp->tap_ix, pp->tap_w, pp->rows_buf, pp->post_rows_buf,
    pp->out_buf, pp->plane_buf[0], pp->plane_buf[1], pp->plane_buf[2]
  };

  for (guint i = 0; i < G_N_ELEMENTS (kernels); i++)
    if (kernels[i])
      clReleaseKernel (kernels[i]);
  for (guint i = 0; i < G_N_ELEMENTS (mems); i++)
    if (mems[i])
      clReleaseMemObject (mems[i]);
  g_free (pp->net_host);
  memset (pp, 0, sizeof (*pp));
}

/* Bytes per row and number of rows of each plane. */
static int
plane_layout (const SalFrame * f, int row_bytes[3], int rows[3])
{
  SalPlaneLayout layout[3];
  int n = sal_pixel_format_planes (f->format, layout);

  for (int p = 0; p < n; p++) {
    row_bytes[p] = SAL_PLANE_SIZE (f->width, &layout[p])
        * layout[p].pixel_stride;
    rows[p] = SAL_PLANE_SIZE (f->height, &layout[p]);
  }
  return n;
}

gboolean
sal_frame_validate (const SalFrame * f, GError ** error)
{
  int row_bytes[3], rows[3], n;

  if (!f || f->width < 1 || f->height < 1 || f->width > 16384
      || f->height > 16384) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "invalid frame size %dx%d (1..16384 per side)",
        f ? f->width : 0, f ? f->height : 0);
    return FALSE;
  }
  n = plane_layout (f, row_bytes, rows);
  if (n == 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED_FORMAT,
        "unsupported pixel format %d: convert to RGBx, BGRx, RGBA, BGRA, "
        "RGB, BGR, I420, NV12 or GRAY8", (int) f->format);
    return FALSE;
  }
  for (int p = 0; p < n; p++) {
    if (!f->data[p] || f->stride[p] < row_bytes[p]) {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
          "%s frame plane %d: %s (stride %d, row needs %d bytes)",
          sal_pixel_format_to_string (f->format), p,
          f->data[p] ? "stride too small" : "no data", f->stride[p],
          row_bytes[p]);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
ensure_buffer (SalRuntime * rt, cl_mem * buf, size_t * have, size_t need,
    GError ** error)
{
  cl_int err;

  if (*buf && *have >= need)
    return TRUE;
  if (*buf)
    clReleaseMemObject (*buf);
  *buf = clCreateBuffer (rt->context, CL_MEM_READ_WRITE, need, NULL, &err);
  if (err != CL_SUCCESS) {
    *buf = NULL;
    *have = 0;
    return sal_cl_error (error, err, "clCreateBuffer");
  }
  *have = need;
  return TRUE;
}

/* Makes plane p of the frame readable by the device: where the device
 * shares the host's memory, a buffer over the caller's bytes (no copy; they
 * stay valid until sal_preprocess returns, after clFinish); otherwise a
 * copy into a device buffer. Only the bytes of the plane: its last row may
 * be shorter than the stride. */
static gboolean
frame_plane (SalPrePost * pp, const SalFrame * f, int p, size_t bytes,
    cl_mem * mem, GError ** error)
{
  cl_int err;

  if (pp->host_ptr) {
    /* Read-only for the device: the cast only drops const for the API. */
    *mem = clCreateBuffer (pp->rt->context,
        CL_MEM_READ_ONLY | CL_MEM_USE_HOST_PTR, bytes,
        (void *) f->data[p], &err);
    if (err != CL_SUCCESS) {
      *mem = NULL;
      return sal_cl_error (error, err, "clCreateBuffer (frame plane)");
    }
    return TRUE;
  }
  if (!ensure_buffer (pp->rt, &pp->plane_buf[p], &pp->plane_buf_size[p],
          bytes, error))
    return FALSE;
  err = clEnqueueWriteBuffer (pp->rt->queue, pp->plane_buf[p], CL_FALSE, 0,
      bytes, f->data[p], 0, NULL, NULL);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clEnqueueWriteBuffer (frame)");
  *mem = pp->plane_buf[p];
  clRetainMemObject (*mem);
  return TRUE;
}

/* The filter taps of both axes, computed on the device when the geometry
 * changes. */
static gboolean
ensure_taps (SalPrePost * pp, cl_int fw, cl_int fh, cl_int nw, cl_int nh,
    GError ** error)
{
  size_t n = (size_t) nw + nh;

  if (pp->tap_ix && fw == pp->tap_geometry[0] && fh == pp->tap_geometry[1]
      && nw == pp->tap_geometry[2] && nh == pp->tap_geometry[3])
    return TRUE;
  memset (pp->tap_geometry, 0, sizeof (pp->tap_geometry));
  if (!ensure_buffer (pp->rt, &pp->tap_ix, &pp->tap_ix_size,
          n * sizeof (cl_int2), error)
      || !ensure_buffer (pp->rt, &pp->tap_w, &pp->tap_w_size,
          n * sizeof (cl_float4), error)
      || !sal_kernel_set_args (pp->taps, error, 6, SAL_ARG (pp->tap_ix),
          SAL_ARG (pp->tap_w), SAL_ARG (fw), SAL_ARG (fh), SAL_ARG (nw),
          SAL_ARG (nh))
      || !sal_kernel_run_1d (pp->rt, pp->taps, (int) n, error))
    return FALSE;
  pp->tap_geometry[0] = fw;
  pp->tap_geometry[1] = fh;
  pp->tap_geometry[2] = nw;
  pp->tap_geometry[3] = nh;
  return TRUE;
}

/* Pass 1 (kernels/preprocess.cl): the vertical filter into pp->rows_buf.
 * Sets the layout of a row of it for pass 2: row_len floats, pixel x's R,
 * G, B at x * px + ch[0..2]. */
static gboolean
filter_rows (SalPrePost * pp, const SalFrame * f, cl_mem planes[3],
    int bytes_per_pixel, cl_int nw, cl_int nh, cl_int * row_len, cl_int * px, cl_int4 * ch,
    GError ** error)
{
  cl_int fw = f->width;
  gboolean yuv = bytes_per_pixel == 0;
  static const int rgb_order[][3] = {
    [SAL_FORMAT_RGBx] = {0, 1, 2}, [SAL_FORMAT_BGRx] = {2, 1, 0},
    [SAL_FORMAT_RGBA] = {0, 1, 2}, [SAL_FORMAT_BGRA] = {2, 1, 0},
    [SAL_FORMAT_RGB] = {0, 1, 2}, [SAL_FORMAT_BGR] = {2, 1, 0},
    [SAL_FORMAT_GRAY8] = {0, 0, 0},
  };

  if (yuv) {
    *row_len = 3 * fw;
    *px = 1;
    *ch = (cl_int4) { {0, fw, 2 * fw, 0} };
  } else {
    *row_len = fw * bytes_per_pixel;
    *px = bytes_per_pixel;
    for (int c = 0; c < 3; c++)
      ch->s[c] = rgb_order[f->format][c];
  }
  if (!ensure_buffer (pp->rt, &pp->rows_buf, &pp->rows_buf_size,
          (size_t) nh * *row_len * sizeof (float), error))
    return FALSE;

  if (yuv) {
    cl_int nv12 = f->format == SAL_FORMAT_NV12;
    cl_int4 stride = { {f->stride[0], f->stride[1], f->stride[2], 0} };

    return sal_kernel_set_args (pp->rows_yuv, error, 11,
        SAL_ARG (planes[0]), SAL_ARG (planes[1]),
        SAL_ARG (planes[nv12 ? 0 : 2]), SAL_ARG (nv12), SAL_ARG (stride),
        SAL_ARG (fw), SAL_ARG (pp->tap_ix), SAL_ARG (pp->tap_w), SAL_ARG (nw),
        SAL_ARG (pp->rows_buf), SAL_ARG (nh))
        && sal_kernel_run_2d (pp->rt, pp->rows_yuv, (fw + 63) / 64, nh,
        error);
  }
  return sal_kernel_set_args (pp->rows, error, 8, SAL_ARG (planes[0]),
      SAL_ARG (f->stride[0]), SAL_ARG (*row_len), SAL_ARG (pp->tap_ix),
      SAL_ARG (pp->tap_w), SAL_ARG (nw), SAL_ARG (pp->rows_buf), SAL_ARG (nh))
      && sal_kernel_run_2d (pp->rt, pp->rows, (*row_len + 127) / 128, nh,
      error);
}

gboolean
sal_preprocess (SalPrePost * pp, const SalFrame * f, SalTensor * rgb,
    const float mean[3], const float std[3], GError ** error)
{
  int row_bytes[3], rows[3], n;
  cl_mem planes[3] = { NULL, NULL, NULL };
  cl_float4 m = { {mean[0], mean[1], mean[2], 0} };
  cl_float4 inv = { {1.0f / std[0], 1.0f / std[1], 1.0f / std[2], 0} };
  cl_int fw = f->width, fh = f->height, nw = rgb->w, nh = rgb->h;
  cl_int row_len, px;
  cl_int4 ch;
  gboolean ok = TRUE;

  n = plane_layout (f, row_bytes, rows);
  for (int p = 0; p < n && ok; p++)
    ok = frame_plane (pp, f, p, (size_t) f->stride[p] * (rows[p] - 1)
        + row_bytes[p], &planes[p], error);
  ok = ok && ensure_taps (pp, fw, fh, nw, nh, error)
      && filter_rows (pp, f, planes, n > 1 ? 0 : row_bytes[0] / fw, nw, nh,
      &row_len, &px, &ch, error)
      && sal_kernel_set_args (pp->cols, error, 11, SAL_ARG (pp->rows_buf),
      SAL_ARG (row_len), SAL_ARG (px), SAL_ARG (ch), SAL_ARG (pp->tap_ix),
      SAL_ARG (pp->tap_w), SAL_ARG (rgb->buf), SAL_ARG (nw), SAL_ARG (nh),
      SAL_ARG (m), SAL_ARG (inv))
      && sal_kernel_run_2d (pp->rt, pp->cols, nw, nh, error);
  /* The caller's planes may be freed once we return. */
  clFinish (pp->rt->queue);
  for (int p = 0; p < n; p++)
    if (planes[p])
      clReleaseMemObject (planes[p]);
  return ok;
}

/* The device buffer the map is written to: the map's own memory where the
 * device shares the host's (no copy), else a device buffer. */
static gboolean
map_buffer (SalPrePost * pp, SalMap * out, cl_mem * dst, GError ** error)
{
  size_t bytes = (size_t) out->width * out->height * sizeof (float);
  cl_int err;

  if (!pp->host_ptr) {
    *dst = NULL;
    if (!ensure_buffer (pp->rt, &pp->out_buf, &pp->out_buf_size, bytes,
            error))
      return FALSE;
    *dst = pp->out_buf;
    return TRUE;
  }
  *dst = clCreateBuffer (pp->rt->context,
      CL_MEM_WRITE_ONLY | CL_MEM_USE_HOST_PTR, bytes, out->data, &err);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clCreateBuffer (map)");
  return TRUE;
}

/* Brings the map written to dst into out->data. */
static gboolean
map_read (SalPrePost * pp, SalMap * out, cl_mem dst, GError ** error)
{
  size_t bytes = (size_t) out->width * out->height * sizeof (float);
  cl_int err;
  void *p;

  if (!pp->host_ptr) {
    err = clEnqueueReadBuffer (pp->rt->queue, dst, CL_TRUE, 0, bytes,
        out->data, 0, NULL, NULL);
    return err == CL_SUCCESS
        || sal_cl_error (error, err, "clEnqueueReadBuffer (map)");
  }
  /* Mapping a CL_MEM_USE_HOST_PTR buffer makes its host memory current. */
  p = clEnqueueMapBuffer (pp->rt->queue, dst, CL_TRUE, CL_MAP_READ, 0,
      bytes, 0, NULL, NULL, &err);
  if (err != CL_SUCCESS)
    return sal_cl_error (error, err, "clEnqueueMapBuffer (map)");
  err = clEnqueueUnmapMemObject (pp->rt->queue, dst, p, 0, NULL, NULL);
  return err == CL_SUCCESS
      || sal_cl_error (error, err, "clEnqueueUnmapMemObject (map)");
}

/* The sum of v, in double: four running sums, because one chain of
 * dependent additions costs its latency on every pixel. */
static double
map_sum (const float *v, size_t n)
{
  double s[4] = { 0.0, 0.0, 0.0, 0.0 };
  size_t i;

  for (i = 0; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; k++)
      s[k] += v[i + k];
  for (; i < n; i++)
    s[0] += v[i];
  return (s[0] + s[1]) + (s[2] + s[3]);
}

gboolean
sal_postprocess (SalPrePost * pp, const SalTensor * net, gboolean is_logits,
    SalMap * out, GError ** error)
{
  size_t n_net = sal_tensor_size (net);
  size_t n_out = (size_t) out->width * out->height;
  cl_int nw = net->w, nh = net->h, ow = out->width, oh = out->height;
  cl_int logits = is_logits;
  cl_float shift = 0.0f;
  double sum;
  cl_mem dst;
  gboolean ok;

  if (is_logits) {
    /* Shift by the network map's max: bilinear values never exceed it, so
     * exp() cannot overflow. */
    if (pp->net_host_size < n_net) {
      g_free (pp->net_host);
      pp->net_host = g_new (float, n_net);
      pp->net_host_size = n_net;
    }
    if (!sal_tensor_download (pp->rt, net, pp->net_host, error))
      return FALSE;
    shift = pp->net_host[0];
    for (size_t i = 1; i < n_net; i++)
      shift = MAX (shift, pp->net_host[i]);
  }

  if (!map_buffer (pp, out, &dst, error))
    return FALSE;
  ok = ensure_buffer (pp->rt, &pp->post_rows_buf, &pp->post_rows_buf_size,
      (size_t) nh * ow * sizeof (float), error)
      && sal_kernel_set_args (pp->post_rows, error, 5, SAL_ARG (net->buf),
      SAL_ARG (nw), SAL_ARG (nh), SAL_ARG (pp->post_rows_buf), SAL_ARG (ow))
      && sal_kernel_run_2d (pp->rt, pp->post_rows, ow, nh, error)
      && sal_kernel_set_args (pp->post, error, 7, SAL_ARG (pp->post_rows_buf),
      SAL_ARG (nh), SAL_ARG (dst), SAL_ARG (ow), SAL_ARG (oh),
      SAL_ARG (logits), SAL_ARG (shift))
      && sal_kernel_run_2d (pp->rt, pp->post, ow, oh, error)
      && map_read (pp, out, dst, error);
  clFinish (pp->rt->queue);
  if (pp->host_ptr)
    clReleaseMemObject (dst);
  if (!ok)
    return FALSE;

  sum = map_sum (out->data, n_out);
  if (sum > 0.0 && isfinite (sum)) {
    float inv = (float) (1.0 / sum);
    for (size_t i = 0; i < n_out; i++)
      out->data[i] *= inv;
  } else {
    /* A map with no saliency anywhere says "look anywhere". */
    for (size_t i = 0; i < n_out; i++)
      out->data[i] = 1.0f / n_out;
  }
  sal_map_update_stats (out);
  return TRUE;
}
