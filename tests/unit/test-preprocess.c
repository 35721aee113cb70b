/* Pre/post-processing against values computed here by hand. */
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
  g_test_add_func ("/preprocess/validate", test_validate);
  g_test_add_func ("/postprocess/softmax", test_post_softmax);
  ret = g_test_run ();

  sal_pre_post_clear (&pp);
  sal_runtime_free (rt);
  return ret;
}
