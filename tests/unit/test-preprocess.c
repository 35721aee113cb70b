/* Pre/post-processing against values computed here by hand, and against a
 * double-precision reference written from the definition (docs/
 * architecture.md): per axis, the average over each output pixel's source
 * footprint when shrinking, bilinear (align_corners=False) otherwise; YUV
 * converted per source pixel (BT.601 limited range, clamped) before any
 * averaging. */
#include "sal-pre-post.h"

#include <math.h>
#include <string.h>

static SalRuntime *rt;
static SalPrePost pp;
static const float zero[3] = { 0, 0, 0 }, one[3] = { 1, 1, 1 };

static float *
run_pre (const SalFrame * f, int nw, int nh, const float *mean,
    const float *std)
{
  GError *err = NULL;
  SalTensor *t = sal_tensor_new (rt, 3, nh, nw, &err);
  float *out = g_new (float, 3 * nw * nh);

  g_assert_no_error (err);
  g_assert_true (sal_frame_validate (f, &err));
  g_assert_true (sal_preprocess (&pp, f, t, mean, std, &err));
  g_assert_no_error (err);
  g_assert_true (sal_tensor_download (rt, t, out, &err));
  sal_tensor_free (t);
  return out;
}

static guint8
pattern (int x, int y, int c)
{
  return (guint8) ((x * 37 + y * 11 + c * 71) % 256);
}

/* Same size: every packed format reads back exactly, in RGB order. */
static void
test_identity_packed (void)
{
  const struct
  {
    SalPixelFormat f;
    int bpp, r, g, b;
  } fmts[] = {
    {SAL_FORMAT_RGBx, 4, 0, 1, 2}, {SAL_FORMAT_BGRx, 4, 2, 1, 0},
    {SAL_FORMAT_RGBA, 4, 0, 1, 2}, {SAL_FORMAT_BGRA, 4, 2, 1, 0},
    {SAL_FORMAT_RGB, 3, 0, 1, 2}, {SAL_FORMAT_BGR, 3, 2, 1, 0},
  };
  const int w = 33, h = 17;

  for (guint i = 0; i < G_N_ELEMENTS (fmts); i++) {
    int stride = w * fmts[i].bpp + 5;   /* padded rows */
    guint8 *buf = g_malloc0 (stride * h);
    SalFrame f = { fmts[i].f, w, h, {buf}, {stride} };
    float *out;

    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        guint8 *p = buf + y * stride + x * fmts[i].bpp;
        p[fmts[i].r] = pattern (x, y, 0);
        p[fmts[i].g] = pattern (x, y, 1);
        p[fmts[i].b] = pattern (x, y, 2);
      }
    out = run_pre (&f, w, h, zero, one);
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          g_assert_cmpfloat_with_epsilon (out[(c * h + y) * w + x],
              pattern (x, y, c) / 255.0f, 1e-6);
    g_free (out);
    g_free (buf);
  }
}

/* Downscaling by 2 averages 2x2 blocks; mean/std are applied. */
static void
test_area_downscale (void)
{
  const int w = 8, h = 6;
  guint8 buf[8 * 6];
  SalFrame f = { SAL_FORMAT_GRAY8, w, h, {buf}, {w} };
  const float mean[3] = { 0.5f, 0.25f, 0 }, std[3] = { 2, 1, 0.5f };
  float *out;

  for (int i = 0; i < w * h; i++)
    buf[i] = (guint8) (i * 5);
  out = run_pre (&f, w / 2, h / 2, mean, std);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h / 2; y++)
      for (int x = 0; x < w / 2; x++) {
        int i = 2 * y * w + 2 * x;
        float avg = (buf[i] + buf[i + 1] + buf[i + w] + buf[i + w + 1]) / 4.0f;
        g_assert_cmpfloat_with_epsilon (out[(c * h / 2 + y) * w / 2 + x],
            (avg / 255.0f - mean[c]) / std[c], 1e-5);
      }
  g_free (out);
}

/* Upscaling follows PyTorch's bilinear (align_corners=False): 2 -> 4 gives
 * 0, .25, .75, 1 of the way between the two pixels. */
static void
test_bilinear_upscale (void)
{
  guint8 buf[2] = { 0, 200 };
  SalFrame f = { SAL_FORMAT_GRAY8, 2, 1, {buf}, {2} };
  const float expect[4] = { 0, 50, 150, 200 };
  float *out = run_pre (&f, 4, 1, zero, one);

  for (int x = 0; x < 4; x++)
    g_assert_cmpfloat_with_epsilon (out[x] * 255.0f, expect[x], 1e-3);
  g_free (out);
}

/* I420 and NV12 of a flat colour decode to that colour (BT.601 limited). */
static void
test_yuv (void)
{
  const int w = 5, h = 3, cw = 3, ch = 2;
  /* Y=81 U=90 V=240 is BT.601 limited-range red (255, 0, 0). */
  guint8 y[5 * 3], u[3 * 2], v[3 * 2], uv[6 * 2];
  SalFrame i420 = { SAL_FORMAT_I420, w, h, {y, u, v}, {w, cw, cw} };
  SalFrame nv12 = { SAL_FORMAT_NV12, w, h, {y, uv}, {w, 2 * cw} };
  SalFrame *frames[2] = { &i420, &nv12 };

  memset (y, 81, sizeof (y));
  memset (u, 90, sizeof (u));
  memset (v, 240, sizeof (v));
  for (int i = 0; i < cw * ch; i++) {
    uv[2 * i] = 90;
    uv[2 * i + 1] = 240;
  }
  for (int k = 0; k < 2; k++) {
    float *out = run_pre (frames[k], w, h, zero, one);
    for (int i = 0; i < w * h; i++) {
      g_assert_cmpfloat_with_epsilon (out[i], 1.0f, 0.01);
      g_assert_cmpfloat_with_epsilon (out[w * h + i], 0.0f, 0.01);
      g_assert_cmpfloat_with_epsilon (out[2 * w * h + i], 0.0f, 0.01);
    }
    g_free (out);
  }
}

/* [n_dst][n_src] weights of one axis, as tools/classic_reference.py's
 * resize_matrix. */
static double *
axis_matrix (int n_src, int n_dst)
{
  double *a = g_new0 (double, (gsize) n_src * n_dst);
  double scale = (double) n_src / n_dst;

  for (int d = 0; d < n_dst; d++) {
    if (n_src <= n_dst) {
      double s = MAX ((d + 0.5) * scale - 0.5, 0.0);
      int i0 = MIN ((int) floor (s), n_src - 1), i1 = MIN (i0 + 1, n_src - 1);
      a[d * n_src + i0] += 1.0 - (s - i0);
      a[d * n_src + i1] += s - i0;
    } else {
      for (int i = 0; i < n_src; i++) {
        double lo = MAX (i, d * scale), hi = MIN (i + 1, (d + 1) * scale);
        a[d * n_src + i] = MAX (hi - lo, 0.0) / scale;
      }
    }
  }
  return a;
}

/* Source pixel (x, y) of f as RGB in 0..255. */
static void
ref_pixel (const SalFrame * f, int x, int y, double rgb[3])
{
  const guint8 *p = f->data[0] + (gsize) y * f->stride[0];
  double Y, U, V, c;

  switch (f->format) {
    case SAL_FORMAT_RGBx:
    case SAL_FORMAT_RGBA:
    case SAL_FORMAT_BGRx:
    case SAL_FORMAT_BGRA:
    case SAL_FORMAT_RGB:
    case SAL_FORMAT_BGR:{
      int bpp = f->format == SAL_FORMAT_RGB || f->format == SAL_FORMAT_BGR ?
          3 : 4;
      gboolean bgr = f->format == SAL_FORMAT_BGRx
          || f->format == SAL_FORMAT_BGRA || f->format == SAL_FORMAT_BGR;
      for (int c3 = 0; c3 < 3; c3++)
        rgb[c3] = p[x * bpp + (bgr ? 2 - c3 : c3)];
      return;
    }
    case SAL_FORMAT_GRAY8:
      rgb[0] = rgb[1] = rgb[2] = p[x];
      return;
    default:
      Y = p[x];
      if (f->format == SAL_FORMAT_I420) {
        U = f->data[1][(y / 2) * f->stride[1] + x / 2];
        V = f->data[2][(y / 2) * f->stride[2] + x / 2];
      } else {
        U = f->data[1][(y / 2) * f->stride[1] + x / 2 * 2];
        V = f->data[1][(y / 2) * f->stride[1] + x / 2 * 2 + 1];
      }
      c = 1.164383 * (Y - 16);
      rgb[0] = CLAMP (c + 1.596027 * (V - 128), 0, 255);
      rgb[1] = CLAMP (c - 0.391762 * (U - 128) - 0.812968 * (V - 128), 0,
          255);
      rgb[2] = CLAMP (c + 2.017232 * (U - 128), 0, 255);
  }
}

/* The reference: [3][nh][nw], normalised. */
static double *
ref_pre (const SalFrame * f, int nw, int nh, const float *mean,
    const float *std)
{
  int fw = f->width, fh = f->height;
  double *ax = axis_matrix (fw, nw), *ay = axis_matrix (fh, nh);
  double *rows = g_new0 (double, (gsize) 3 * nh * fw);
  double *out = g_new0 (double, (gsize) 3 * nh * nw);
  double rgb[3];

  for (int y = 0; y < nh; y++)
    for (int sy = 0; sy < fh; sy++)
      for (int sx = 0; ay[y * fh + sy] != 0 && sx < fw; sx++) {
        ref_pixel (f, sx, sy, rgb);
        for (int c = 0; c < 3; c++)
          rows[(c * nh + y) * fw + sx] += ay[y * fh + sy] * rgb[c];
      }
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < nh; y++)
      for (int x = 0; x < nw; x++) {
        double v = 0;
        for (int sx = 0; sx < fw; sx++)
          v += ax[x * fw + sx] * rows[(c * nh + y) * fw + sx];
        out[(c * nh + y) * nw + x] = (v / 255.0 - mean[c]) / std[c];
      }
  g_free (ax);
  g_free (ay);
  g_free (rows);
  return out;
}

/* Every format, at sizes that shrink by non-integer factors, enlarge, mix
 * both, or keep one axis, with padded strides and random bytes (so YUV
 * goes out of the RGB gamut and clamps), against the reference. */
static void
test_reference (void)
{
  static const struct
  {
    int fw, fh, nw, nh;
  } sizes[] = {
    {97, 61, 13, 9}, {1920, 1080, 128, 72}, {203, 150, 128, 77},
    {33, 17, 33, 17}, {21, 15, 64, 40}, {150, 37, 40, 50}, {17, 90, 17, 20},
    {1, 1, 3, 2}, {35, 3, 7, 1},
  };
  const float mean[3] = { 0.485f, 0.456f, 0.406f };
  const float std[3] = { 0.229f, 0.224f, 0.225f };
  GRand *rand = g_rand_new_with_seed (8);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int fmt = 0; fmt < SAL_FORMAT_UNKNOWN; fmt++) {
      int fw = sizes[s].fw, fh = sizes[s].fh;
      int nw = sizes[s].nw, nh = sizes[s].nh;
      int cw = (fw + 1) / 2, ch = (fh + 1) / 2, pad = 3;
      int stride0 = fw * (fmt == SAL_FORMAT_GRAY8 || fmt >= SAL_FORMAT_I420 ?
          1 : fmt >= SAL_FORMAT_RGB ? 3 : 4) + pad;
      gsize n = (gsize) stride0 * fh + (gsize) (2 * cw + pad) * ch * 2;
      guint8 *buf = g_malloc (n);
      SalFrame f = { fmt, fw, fh, {buf}, {stride0} };
      double *want, err = 0;
      float *got;

      for (gsize i = 0; i < n; i++)
        buf[i] = (guint8) g_rand_int (rand);
      f.data[1] = buf + (gsize) stride0 * fh;
      f.stride[1] = (fmt == SAL_FORMAT_NV12 ? 2 * cw : cw) + pad;
      f.data[2] = f.data[1] + (gsize) f.stride[1] * ch;
      f.stride[2] = cw + pad;

      want = ref_pre (&f, nw, nh, mean, std);
      /* Both ways of reaching the frame: in place, and copied (as for
       * devices with memory of their own). */
      for (int copy = 0; copy < 2; copy++) {
        gboolean host_ptr = pp.host_ptr;

        pp.host_ptr = host_ptr && !copy;
        got = run_pre (&f, nw, nh, mean, std);
        pp.host_ptr = host_ptr;
        for (int i = 0; i < 3 * nw * nh; i++)
          err = MAX (err, fabs (got[i] - want[i]));
        g_free (got);
      }
      g_test_message ("%s %dx%d -> %dx%d: max |error| %.2g",
          sal_pixel_format_to_string (fmt), fw, fh, nw, nh, err);
      if (err > 2e-5)
        g_error ("%s %dx%d -> %dx%d: max |error| %g",
            sal_pixel_format_to_string (fmt), fw, fh, nw, nh, err);
      g_free (want);
      g_free (buf);
    }
  g_rand_free (rand);
}

static void
test_validate (void)
{
  guint8 buf[16];
  SalFrame f = { SAL_FORMAT_RGBx, 4, 1, {buf}, {8} };
  GError *err = NULL;

  g_assert_false (sal_frame_validate (&f, &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (err->message, "stride"));
  g_clear_error (&err);

  f.stride[0] = 16;
  f.width = 0;
  g_assert_false (sal_frame_validate (&f, &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&err);

  f.width = 4;
  f.format = SAL_FORMAT_UNKNOWN;
  g_assert_false (sal_frame_validate (&f, &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_UNSUPPORTED_FORMAT);
  g_clear_error (&err);
}

/* Logits: exp-normalised after a bilinear resize, i.e. a softmax. */
static void
test_post_softmax (void)
{
  const float logits[4] = { 0, 1, 2, 3 };
  GError *err = NULL;
  SalTensor *t = sal_tensor_new (rt, 1, 2, 2, &err);
  SalMap *map = sal_map_new (2, 2);
  double z = 0;

  g_assert_true (sal_tensor_upload (rt, t, logits, &err));
  g_assert_true (sal_postprocess (&pp, t, TRUE, map, &err));
  g_assert_no_error (err);
  for (int i = 0; i < 4; i++)
    z += exp (logits[i]);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (map->data[i], exp (logits[i]) / z, 1e-6);
  g_assert_cmpint (map->peak_x, ==, 1);
  g_assert_cmpint (map->peak_y, ==, 1);

  /* Non-logits: negatives clamp to 0, then sum to 1. */
  {
    const float raw[4] = { -1, 1, 1, 2 };
    g_assert_true (sal_tensor_upload (rt, t, raw, &err));
    g_assert_true (sal_postprocess (&pp, t, FALSE, map, &err));
    g_assert_cmpfloat_with_epsilon (map->data[0], 0.0f, 1e-7);
    g_assert_cmpfloat_with_epsilon (map->data[3], 0.5f, 1e-6);
  }
  sal_map_free (map);
  sal_tensor_free (t);
}

int
main (int argc, char **argv)
{
  GError *err = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  rt = sal_runtime_new ("auto", &err);
  g_assert_no_error (err);
  g_assert_true (sal_pre_post_init (&pp, rt, &err));
  g_assert_no_error (err);

  g_test_add_func ("/preprocess/identity-packed", test_identity_packed);
  g_test_add_func ("/preprocess/area-downscale", test_area_downscale);
  g_test_add_func ("/preprocess/bilinear-upscale", test_bilinear_upscale);
  g_test_add_func ("/preprocess/yuv", test_yuv);
  g_test_add_func ("/preprocess/reference", test_reference);
  g_test_add_func ("/preprocess/validate", test_validate);
  g_test_add_func ("/postprocess/softmax", test_post_softmax);
  ret = g_test_run ();

  sal_pre_post_clear (&pp);
  sal_runtime_free (rt);
  return ret;
}
