/* The "default" model on the engine: it is the default, maps are
 * distributions at odd sizes, reset and still mode forget the state, and
 * broken weights files (and an out_mix share out of [0, 1), a face_mix
 * weight out of [0, 16], a face_side that is not a whole picture size, a
 * still gate that takes classic's share away from flat maps)
 * are refused naming the tensor. The weights are random (written here, in
 * the layout of docs/default-model-spec.md) so that every part of the
 * network counts; parity with the PyTorch twin is
 * tests/default/twin_parity.py. */
#include "saliency.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

typedef struct
{
  const char *name;
  int ndim;
  int shape[4];
} Spec;

/* The spec's table, in order. */
static const Spec specs[] = {
  {"enc1.weight", 4, {16, 4, 3, 3}}, {"enc1.bias", 1, {16}},
  {"enc2_dw.weight", 4, {16, 1, 3, 3}}, {"enc2_dw.bias", 1, {16}},
  {"enc2_pw.weight", 4, {32, 16, 1, 1}}, {"enc2_pw.bias", 1, {32}},
  {"enc3_dw.weight", 4, {32, 1, 3, 3}}, {"enc3_dw.bias", 1, {32}},
  {"enc3_pw.weight", 4, {48, 32, 1, 1}}, {"enc3_pw.bias", 1, {48}},
  {"gru_rx.weight", 4, {32, 48, 1, 1}}, {"gru_rx.bias", 1, {32}},
  {"gru_zx.weight", 4, {32, 48, 1, 1}}, {"gru_zx.bias", 1, {32}},
  {"gru_hx.weight", 4, {32, 48, 1, 1}}, {"gru_hx.bias", 1, {32}},
  {"gru_rh.weight", 4, {32, 32, 1, 1}},
  {"gru_zh.weight", 4, {32, 32, 1, 1}},
  {"gru_hh.weight", 4, {32, 32, 1, 1}},
  {"dec3.weight", 4, {32, 80, 1, 1}}, {"dec3.bias", 1, {32}},
  {"dec2_dw.weight", 4, {64, 1, 3, 3}}, {"dec2_dw.bias", 1, {64}},
  {"dec2_pw.weight", 4, {16, 64, 1, 1}}, {"dec2_pw.bias", 1, {16}},
  {"dec1.weight", 4, {8, 32, 1, 1}}, {"dec1.bias", 1, {8}},
  {"delta.weight", 4, {1, 8, 1, 1}}, {"delta.bias", 1, {1}},
  {"priors", 3, {8, 2, 2}},
  {"prior_mix.weight", 4, {1, 8, 1, 1}}, {"prior_mix.bias", 1, {1}},
};

typedef enum
{
  BREAK_NONE,
  BREAK_SHAPE,                  /* dec3.weight [32, 79, 1, 1] */
  BREAK_MISSING,                /* no gru_hh.weight */
  BREAK_NAN,                    /* a NaN in enc3_pw.bias */
  BREAK_ARCH,                   /* architecture "unisal" */
  BREAK_MIX,                    /* out_mix = (0.2, 1.5): a share above 1 */
  BREAK_FACE_MIX,               /* face_mix = (-1, 2): a negative weight */
  BREAK_FACE_SIDE,              /* face_side = (640.5, 512): not whole */
  BREAK_FACE_SIDE_SMALL,        /* face_side = (640, 16): below the window */
  BREAK_GATE,                   /* still_gate = (-4, -60): slope below 0 */
} Break;

/* The optional per-mode pairs the breaks above write. */
static const struct
{
  Break brk;
  const char *name;
  float v[2];
} pairs[] = {
  {BREAK_MIX, "out_mix", {0.2f, 1.5f}},
  {BREAK_FACE_MIX, "face_mix", {-1.0f, 2.0f}},
  {BREAK_FACE_SIDE, "face_side", {640.5f, 512.0f}},
  {BREAK_FACE_SIDE_SMALL, "face_side", {640.0f, 16.0f}},
  {BREAK_GATE, "still_gate", {-4.0f, -60.0f}},
};

static char *tmp_dir;
static const char *const tmp_files[] = { "random.safetensors",
  "broken.safetensors", "truncated.safetensors"
};

/* Writes a random-weights model (fixed seed) as safetensors; returns the
 * path (g_free). */
static char *
write_model (const char *file_name, Break brk)
{
  GString *header = g_string_new ("{\"__metadata__\":{\"format\":"
      "\"gst-saliency\",\"format_version\":\"1\",\"architecture\":");
  GByteArray *data = g_byte_array_new ();
  GRand *rand = g_rand_new_with_seed (7);
  GByteArray *out = g_byte_array_new ();
  char *path = g_build_filename (tmp_dir, file_name, NULL);
  guint64 len;
  GError *err = NULL;

  g_string_append_printf (header, "\"%s\",\"classic_version\":\"1\"}",
      brk == BREAK_ARCH ? "unisal" : "default");
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++) {
    Spec s = specs[i];
    int n = 1, fan = 1;
    guint start = data->len;

    if (brk == BREAK_MISSING && strcmp (s.name, "gru_hh.weight") == 0)
      continue;
    if (brk == BREAK_SHAPE && strcmp (s.name, "dec3.weight") == 0)
      s.shape[1] = 79;
    for (int d = 0; d < s.ndim; d++)
      n *= s.shape[d];
    for (int d = 1; d < s.ndim; d++)
      fan *= s.shape[d];
    for (int j = 0; j < n; j++) {
      float v = (float) (g_rand_double_range (rand, -1.0, 1.0) * 1.7
          / sqrt (fan));

      if (strcmp (s.name, "priors") == 0)
        /* [k][y, x][mu, log sigma]: centred-ish Gaussians. */
        v = j % 2 == 0 ? (float) g_rand_double_range (rand, 0.3, 0.7)
            : logf ((float) g_rand_double_range (rand, 0.1, 0.4));
      if (brk == BREAK_NAN && strcmp (s.name, "enc3_pw.bias") == 0 && j == 5)
        v = NAN;
      g_byte_array_append (data, (const guint8 *) &v, sizeof (v));
    }
    g_string_append_printf (header, ",\"%s\":{\"dtype\":\"F32\",\"shape\":[",
        s.name);
    for (int d = 0; d < s.ndim; d++)
      g_string_append_printf (header, "%s%d", d ? "," : "", s.shape[d]);
    g_string_append_printf (header, "],\"data_offsets\":[%u,%u]}", start,
        data->len);
  }
  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++) {
    guint start = data->len;

    if (pairs[i].brk != brk)
      continue;
    g_byte_array_append (data, (const guint8 *) pairs[i].v,
        sizeof pairs[i].v);
    g_string_append_printf (header, ",\"%s\":{\"dtype\":\"F32\","
        "\"shape\":[2],\"data_offsets\":[%u,%u]}", pairs[i].name, start,
        data->len);
  }
  g_string_append_c (header, '}');
  while (header->len % 8)
    g_string_append_c (header, ' ');

  len = GUINT64_TO_LE (header->len);
  g_byte_array_append (out, (const guint8 *) &len, 8);
  g_byte_array_append (out, (const guint8 *) header->str, header->len);
  g_byte_array_append (out, data->data, data->len);
  g_assert_true (g_file_set_contents (path, (const char *) out->data,
          out->len, &err));
  g_assert_no_error (err);

  g_string_free (header, TRUE);
  g_byte_array_unref (data);
  g_byte_array_unref (out);
  g_rand_free (rand);
  return path;
}

static SalEngine *
new_engine (const char *model, gboolean still)
{
  SalEngineOptions opts;
  GError *err = NULL;
  SalEngine *e;

  sal_engine_options_init (&opts);
  opts.model = model;
  opts.still = still;
  e = sal_engine_new (&opts, &err);
  g_assert_no_error (err);
  g_assert_nonnull (e);
  return e;
}

/* A textured frame with a bright square that moves with t. */
static guint8 *
make_frame (int w, int h, int t, SalFrame * f)
{
  guint8 *buf = g_malloc (w * h * 3);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      guint8 *p = buf + (y * w + x) * 3;
      gboolean blob = abs (x - (w / 4 + 3 * t) % MAX (w, 1)) < w / 8 + 1
          && abs (y - h / 2) < h / 8 + 1;

      p[0] = blob ? 250 : (x * 7 + y * 3) & 0x7f;
      p[1] = blob ? 240 : (x * 3 + y * 11) & 0x3f;
      p[2] = blob ? 30 : ((x ^ y) * 5) & 0x7f;
    }
  f->format = SAL_FORMAT_RGB;
  f->width = w;
  f->height = h;
  f->data[0] = buf;
  f->stride[0] = w * 3;
  return buf;
}

static SalMap *
push (SalEngine * e, int w, int h, int t)
{
  SalFrame f = { 0 };
  guint8 *buf = make_frame (w, h, t, &f);
  SalMap *m = sal_map_new (w, h);
  GError *err = NULL;

  g_assert_true (sal_engine_push_frame (e, &f, m, &err));
  g_assert_no_error (err);
  g_free (buf);
  return m;
}

static double
map_sum (const SalMap * m)
{
  double s = 0;

  for (int i = 0; i < m->width * m->height; i++) {
    g_assert_true (isfinite (m->data[i]));
    g_assert_cmpfloat (m->data[i], >=, 0.0f);
    s += m->data[i];
  }
  return s;
}

static double
max_rel_diff (const SalMap * a, const SalMap * b)
{
  double d = 0;

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  for (int i = 0; i < a->width * a->height; i++)
    d = MAX (d, fabs (a->data[i] - b->data[i]) / MAX (a->max, 1e-30f));
  return d;
}

/* No model named: the built-in learned model. */
static void
test_is_default (void)
{
  GError *err = NULL;
  SalEngine *e = sal_engine_new (NULL, &err);
  const SalModelInfo *info;
  SalMap *m;

  g_assert_no_error (err);
  info = sal_engine_get_model_info (e);
  g_assert_cmpstr (info->architecture, ==, "default");
  g_assert_cmpstr (info->name, ==, "default");
  g_assert_true (info->temporal);
  g_assert_true (info->size_from_frame);
  g_assert_cmpint (info->ring_length, ==, 1);
  m = push (e, 64, 48, 0);
  g_assert_cmpfloat_with_epsilon (map_sum (m), 1.0, 1e-4);
  sal_map_free (m);
  sal_engine_free (e);

  e = new_engine ("default", FALSE);
  g_assert_cmpstr (sal_engine_get_model_info (e)->architecture, ==,
      "default");
  sal_engine_free (e);
  /* The weight-free model stays available by name. */
  e = new_engine ("classic", FALSE);
  g_assert_cmpstr (sal_engine_get_model_info (e)->architecture, ==,
      "classic");
  sal_engine_free (e);
}

/* Distributions at odd sizes (network 128x8 .. 128x83, halvings rounding
 * up), frame after frame and across size changes. */
static void
test_sizes (void)
{
  const int sizes[][2] = { {1, 1}, {33, 17}, {150, 97}, {97, 150} };
  char *path = write_model ("random.safetensors", BREAK_NONE);
  SalEngine *e = new_engine (path, FALSE);

  g_assert_cmpstr (sal_engine_get_model_info (e)->name, ==,
      "random.safetensors");
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    for (int t = 0; t < 3; t++) {
      SalMap *m = push (e, sizes[i][0], sizes[i][1], t);

      g_assert_cmpfloat_with_epsilon (map_sum (m), 1.0, 1e-4);
      sal_map_free (m);
    }
  sal_engine_free (e);
  g_free (path);
}

/* After a reset the map is a fresh engine's; the state matters before. */
static void
test_reset (void)
{
  char *path = write_model ("random.safetensors", BREAK_NONE);
  SalEngine *e = new_engine (path, FALSE), *fresh = new_engine (path, FALSE);
  SalMap *a, *b, *c;

  for (int t = 0; t < 3; t++)
    sal_map_free (push (e, 150, 97, t));
  c = push (e, 150, 97, 7);
  sal_engine_reset (e);
  a = push (e, 150, 97, 7);
  b = push (fresh, 150, 97, 7);
  g_assert_cmpfloat (max_rel_diff (a, b), <, 1e-5);
  /* Control: with history the map differs. */
  g_assert_cmpfloat (max_rel_diff (a, c), >, 1e-3);
  sal_map_free (a);
  sal_map_free (b);
  sal_map_free (c);
  sal_engine_free (e);
  sal_engine_free (fresh);
  g_free (path);
}

/* Still mode: every frame as if it were the first. */
static void
test_still (void)
{
  char *path = write_model ("random.safetensors", BREAK_NONE);
  SalEngine *e = new_engine (path, TRUE), *fresh = new_engine (path, TRUE);
  SalMap *a, *b;

  for (int t = 0; t < 3; t++)
    sal_map_free (push (e, 33, 17, t));
  a = push (e, 33, 17, 5);
  b = push (fresh, 33, 17, 5);
  g_assert_cmpfloat (max_rel_diff (a, b), <, 1e-5);
  sal_map_free (a);
  sal_map_free (b);
  sal_engine_free (e);
  sal_engine_free (fresh);
  g_free (path);
}

static void
check_refused (Break brk, GQuark domain, int code, const char *what)
{
  char *path = write_model ("broken.safetensors", brk);
  SalEngineOptions opts;
  GError *err = NULL;
  SalEngine *e;

  sal_engine_options_init (&opts);
  opts.model = path;
  e = sal_engine_new (&opts, &err);
  g_assert_null (e);
  g_assert_error (err, domain, code);
  if (!strstr (err->message, what))
    g_error ("\"%s\" does not name %s", err->message, what);
  g_clear_error (&err);
  g_free (path);
}

static void
test_broken_files (void)
{
  char *path, *contents;
  gsize len;
  SalEngineOptions opts;
  GError *err = NULL;

  /* Each break, and what its error must name. */
  static const struct
  {
    Break brk;
    const char *what;
  } refused[] = {
    {BREAK_SHAPE, "dec3.weight"}, {BREAK_MISSING, "gru_hh.weight"},
    {BREAK_NAN, "enc3_pw.bias"}, {BREAK_MIX, "out_mix"},
    {BREAK_FACE_MIX, "face_mix[0] is -1"},
    {BREAK_FACE_SIDE, "face_side[0] is 640.5"},
    {BREAK_FACE_SIDE_SMALL, "face_side[1] is 16"},
    {BREAK_GATE, "still_gate[1] is -60"},
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    check_refused (refused[i].brk, SAL_ERROR, SAL_ERROR_MODEL_FILE,
        refused[i].what);

  /* Truncated: the data ends before the last tensor's. */
  path = write_model ("truncated.safetensors", BREAK_NONE);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (path, contents, len - 16, NULL));
  sal_engine_options_init (&opts);
  opts.model = path;
  g_assert_null (sal_engine_new (&opts, &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_MODEL_FILE);
  g_clear_error (&err);
  g_free (contents);
  g_free (path);

  /* Options the model does not have. */
  sal_engine_options_init (&opts);
  opts.domain = "DHF1K";
  g_assert_null (sal_engine_new (&opts, &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&err);

  /* An unknown built-in name lists the real ones. */
  sal_engine_options_init (&opts);
  opts.model = "no-such-model";
  g_assert_null (sal_engine_new (&opts, &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_MODEL);
  g_assert_nonnull (strstr (err->message, "\"default\""));
  g_clear_error (&err);
}

int
main (int argc, char **argv)
{
  GError *err = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("test-default-XXXXXX", &err);
  g_assert_no_error (err);
  g_test_add_func ("/default/is-default", test_is_default);
  g_test_add_func ("/default/sizes", test_sizes);
  g_test_add_func ("/default/reset", test_reset);
  g_test_add_func ("/default/still", test_still);
  g_test_add_func ("/default/broken-files", test_broken_files);
  ret = g_test_run ();
  for (guint i = 0; i < G_N_ELEMENTS (tmp_files); i++) {
    char *p = g_build_filename (tmp_dir, tmp_files[i], NULL);

    g_unlink (p);
    g_free (p);
  }
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
