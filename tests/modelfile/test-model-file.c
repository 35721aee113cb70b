/* The safetensors loader: a valid file reads back exactly; truncated,
 * corrupt and inconsistent files give SAL_ERROR_MODEL_FILE with a message
 * that names the file and the problem, and never crash (run under ASan in
 * the sanitizer build, and fuzzed by tests/fuzz/). */
#include "sal-model-file.h"
#include "saliency.h"

#include <glib/gstdio.h>
#include <string.h>

/* 8-byte little-endian header length, header, data. */
static GBytes *
make_file_len (const char *header, gsize header_len, const void *data,
    gsize data_len)
{
  guint64 n = GUINT64_TO_LE ((guint64) header_len);
  guint8 *buf = g_malloc (8 + header_len + data_len + 1);

  memcpy (buf, &n, 8);
  memcpy (buf + 8, header, header_len);
  if (data_len)
    memcpy (buf + 8 + header_len, data, data_len);
  return g_bytes_new_take (buf, 8 + header_len + data_len);
}

static GBytes *
make_file (const char *header, const void *data, gsize data_len)
{
  return make_file_len (header, strlen (header), data, data_len);
}

#define VALID_HEADER \
  "{\"__metadata__\":{\"architecture\":\"test\",\"net_height\":\"224\"," \
  "\"bad_int\":\"22x\"}," \
  "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}," \
  "\"b\":{\"shape\":[3],\"data_offsets\":[16,28],\"dtype\":\"F32\"}}"

static const float valid_data[7] = { 1.0f, -2.5f, 3.25f, 1e-30f, 0.0f,
  -0.0f, 65504.0f
};

static GBytes *
make_valid (void)
{
  return make_file (VALID_HEADER, valid_data, sizeof (valid_data));
}

/* Opens bytes expecting failure; returns the message (g_free it). */
static char *
expect_failure (GBytes * bytes, const char *what)
{
  GError *err = NULL;
  SalModelFile *f = sal_model_file_new_from_bytes (bytes, "bad.safetensors",
      &err);
  char *msg;

  if (f)
    g_error ("%s: the file was accepted", what);
  g_assert_error (err, SAL_ERROR, SAL_ERROR_MODEL_FILE);
  /* "<file>: <what is wrong>" */
  g_assert_true (g_str_has_prefix (err->message, "bad.safetensors: "));
  msg = g_strdup (err->message);
  g_error_free (err);
  return msg;
}

static void
assert_floats_equal (const float *a, const float *b, gsize n)
{
  /* Bit-exact, so that -0.0 and 0.0 differ. */
  g_assert_cmpmem (a, n * sizeof (float), b, n * sizeof (float));
}

static void
check_valid (SalModelFile * f)
{
  const SalModelTensor *a, *b;
  const gint64 shape_a[] = { 2, 2 }, shape_b[] = { 3 }, wrong[] = { 4 };
  GError *err = NULL;
  float *v;
  gint64 n;

  g_assert_cmpstr (sal_model_file_get_meta (f, "architecture"), ==, "test");
  g_assert_null (sal_model_file_get_meta (f, "nope"));
  g_assert_true (sal_model_file_get_meta_int (f, "net_height", 32, 4096, &n,
          &err));
  g_assert_no_error (err);
  g_assert_cmpint (n, ==, 224);
  g_assert_false (sal_model_file_get_meta_int (f, "net_height", 32, 100, &n,
          &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_MODEL_FILE);
  g_assert_nonnull (strstr (err->message, "net_height"));
  g_assert_nonnull (strstr (err->message, "[32, 100]"));
  g_clear_error (&err);
  g_assert_false (sal_model_file_get_meta_int (f, "bad_int", 0, 100, &n,
          &err));
  g_assert_nonnull (strstr (err->message, "'22x'"));
  g_clear_error (&err);
  g_assert_false (sal_model_file_get_meta_int (f, "absent", 0, 1, &n, &err));
  g_assert_nonnull (strstr (err->message, "\"absent\" is missing"));
  g_clear_error (&err);

  /* Header order is kept. */
  g_assert_cmpuint (sal_model_file_get_n_tensors (f), ==, 2);
  a = sal_model_file_get_tensor (f, 0);
  b = sal_model_file_get_tensor (f, 1);
  g_assert_cmpstr (a->name, ==, "a");
  g_assert_cmpstr (b->name, ==, "b");
  g_assert_true (sal_model_file_lookup (f, "a") == a);
  g_assert_true (sal_model_file_lookup (f, "b") == b);
  g_assert_null (sal_model_file_lookup (f, "c"));
  g_assert_cmpint (a->ndim, ==, 2);
  g_assert_cmpint (a->shape[0], ==, 2);
  g_assert_cmpint (a->shape[1], ==, 2);
  g_assert_cmpuint (a->n_elements, ==, 4);
  g_assert_cmpint (b->ndim, ==, 1);
  g_assert_cmpuint (b->n_elements, ==, 3);

  v = sal_model_file_read (f, "a", 2, shape_a, &err);
  g_assert_no_error (err);
  assert_floats_equal (v, valid_data, 4);
  g_free (v);
  v = sal_model_file_read (f, "b", 1, shape_b, &err);
  g_assert_no_error (err);
  assert_floats_equal (v, valid_data + 4, 3);
  g_free (v);

  g_assert_null (sal_model_file_read (f, "a", 1, wrong, &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_MODEL_FILE);
  g_assert_nonnull (strstr (err->message, "tensor 'a' has shape [2, 2]; "
          "expected [4]"));
  g_clear_error (&err);
  g_assert_null (sal_model_file_read (f, "c", 1, wrong, &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_MODEL_FILE);
  g_assert_nonnull (strstr (err->message, "tensor 'c' is missing"));
  g_clear_error (&err);
}

static void
test_valid_file (void)
{
  GBytes *bytes = make_valid ();
  GError *err = NULL;
  char *dir = g_dir_make_tmp ("sal-model-XXXXXX", &err);
  char *path = g_build_filename (dir, "tiny.safetensors", NULL);
  SalModelFile *f;

  g_assert_no_error (err);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
          (gssize) g_bytes_get_size (bytes), &err));
  f = sal_model_file_open (path, &err);
  g_assert_no_error (err);
  g_assert_cmpstr (sal_model_file_get_name (f), ==, "tiny.safetensors");
  check_valid (f);
  /* The mapping outlives the file name. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  check_valid (f);
  sal_model_file_free (f);

  f = sal_model_file_new_from_bytes (bytes, "mem", &err);
  g_assert_no_error (err);
  g_assert_cmpstr (sal_model_file_get_name (f), ==, "mem");
  g_bytes_unref (bytes);        /* the model keeps its own reference */
  check_valid (f);
  sal_model_file_free (f);

  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

/* Scalars, empty tensors, padding spaces after the JSON (the reference
 * writer pads the header to 8 bytes), an unaligned data start, escapes and
 * non-ASCII names. */
static void
test_valid_edge_cases (void)
{
  const char *header =
      "{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
      "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[4,4]},"
      "\"\\u00e9t\\u00e9 \\ud83d\\ude00\\n\":{\"dtype\":\"F32\",\"shape\":[1],"
      "\"data_offsets\":[4,8]}}   ";
  const float data[2] = { 42.0f, -1.0f };
  const gint64 scalar[1] = { 0 }, empty[2] = { 0, 3 }, one[1] = { 1 };
  GBytes *bytes = make_file (header, data, sizeof (data));
  GError *err = NULL;
  SalModelFile *f = sal_model_file_new_from_bytes (bytes, NULL, &err);
  float *v;

  g_assert_no_error (err);
  g_assert_cmpstr (sal_model_file_get_name (f), ==, "(model in memory)");
  g_assert_cmpuint (sal_model_file_get_n_tensors (f), ==, 3);
  g_assert_cmpint (sal_model_file_lookup (f, "s")->ndim, ==, 0);
  g_assert_cmpuint (sal_model_file_lookup (f, "s")->n_elements, ==, 1);
  g_assert_cmpuint (sal_model_file_lookup (f, "e")->n_elements, ==, 0);
  v = sal_model_file_read (f, "s", 0, scalar, &err);
  g_assert_no_error (err);
  g_assert_cmpfloat (v[0], ==, 42.0f);
  g_free (v);
  v = sal_model_file_read (f, "e", 2, empty, &err);
  g_assert_no_error (err);
  g_assert_nonnull (v);
  g_free (v);
  v = sal_model_file_read (f, "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80\n", 1, one,
      &err);
  g_assert_no_error (err);
  g_assert_cmpfloat (v[0], ==, -1.0f);
  g_free (v);
  sal_model_file_free (f);
  g_bytes_unref (bytes);

  /* No tensors at all is a valid (if useless) file. */
  bytes = make_file ("{}", NULL, 0);
  f = sal_model_file_new_from_bytes (bytes, "x", &err);
  g_assert_no_error (err);
  g_assert_cmpuint (sal_model_file_get_n_tensors (f), ==, 0);
  sal_model_file_free (f);
  g_bytes_unref (bytes);
}

/* Every proper prefix of a valid file is refused. */
static void
test_truncated (void)
{
  GBytes *valid = make_valid ();
  gsize size;
  const guint8 *data = g_bytes_get_data (valid, &size);

  for (gsize n = 0; n < size; n++) {
    GBytes *cut = g_bytes_new (data, n);
    char *what = g_strdup_printf ("prefix of %" G_GSIZE_FORMAT " bytes", n);
    char *msg = expect_failure (cut, what);

    if (n < 8)
      g_assert_nonnull (strstr (msg, "too short for the 8-byte header"));
    else if (n < 8 + strlen (VALID_HEADER))
      g_assert_nonnull (strstr (msg, "truncated: header says"));
    else
      g_assert_nonnull (strstr (msg, "reach past the end of the data"));
    g_free (msg);
    g_free (what);
    g_bytes_unref (cut);
  }
  g_bytes_unref (valid);
}

/* Whatever the bytes after the header, a file is accepted only when the
 * data length matches: appending bytes is refused too. */
static void
test_trailing_data (void)
{
  float more[8] = { 0 };
  GBytes *b = make_file (VALID_HEADER, more, sizeof (more));
  char *msg = expect_failure (b, "trailing data");

  g_assert_nonnull (strstr (msg, "the data has 32 bytes but the tensors end "
          "at byte 28"));
  g_free (msg);
  g_bytes_unref (b);
}

typedef struct
{
  const char *what;
  const char *header;
  gsize data_len;
  const char *expect;           /* a substring of the message */
} BadCase;

#define T(name, rest) "\"" name "\":{" rest "}"
#define F32(shape, b, e) \
  "\"dtype\":\"F32\",\"shape\":" shape ",\"data_offsets\":[" #b "," #e "]"

static const BadCase bad_cases[] = {
  /* Not JSON, or not the JSON we expect. */
  {"empty object missing", "  ", 0, "not a JSON object"},
  {"array", "[1,2,3]", 0, "header is not a JSON object (found an array"},
  {"unclosed", "{\"a\":{" F32 ("[1]", 0, 4) "}", 4,
      "expected ',' or '}' after an object member at header byte"},
  {"no colon", "{\"a\" {}}", 0, "expected ':' after a tensor name"},
  {"trailing comma", "{" T ("a", F32 ("[1]", 0, 4)) ",}", 4,
      "expected a tensor name string at header byte 54, found '}'"},
  {"garbage after", "{" T ("a", F32 ("[1]", 0, 4)) "}x", 4,
      "unexpected data after the header's JSON object"},
  {"two objects", "{}{}", 0, "unexpected data after the header"},
  {"single quotes", "{'a':1}", 0, "expected a tensor name string"},
  {"invalid utf-8", "{\"a\xff\":{}}", 0, "not valid UTF-8 (at header byte 3)"},
  {"overlong utf-8", "{\"\xc0\xaf\":{}}", 0, "not valid UTF-8"},
  {"control char", "{\"a\tb\":{}}", 0, "control characters must be escaped) at header byte 3, found byte 0x09"},
  {"bad escape", "{\"a\\qb\":{}}", 0, "found 'q'"},
  {"short \\u", "{\"a\\u12\":{}}", 0, "four hex digits after \\u"},
  {"lone low surrogate", "{\"\\udc00\":{}}", 0, "is a lone low surrogate"},
  {"lone high surrogate", "{\"\\ud800x\":{}}", 0, "a high surrogate without a low one"},
  {"bad pair", "{\"\\ud800\\u0041\":{}}", 0, "without a low one"},
  {"escaped NUL", "{\"a\\u0000b\":{" F32 ("[1]", 0, 4) "}}", 4,
      "NUL character"},
  {"unterminated string", "{\"abc", 0, "closing '\"' of a string"},
  /* Entries. */
  {"entry not object", "{\"a\":[1]}", 0,
      "tensor 'a' must be a JSON object, found an array"},
  {"empty entry", "{\"a\":{}}", 0, "tensor 'a' has no dtype, shape"},
  {"no dtype", "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
      "tensor 'a' has no \"dtype\""},
  {"no shape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4,
      "tensor 'a' has no \"shape\""},
  {"no offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4,
      "tensor 'a' has no \"data_offsets\""},
  {"unknown key", "{\"a\":{" F32 ("[1]", 0, 4) ",\"x\":1}}", 4,
      "tensor 'a' has an unknown key 'x'"},
  {"dtype twice", "{\"a\":{" F32 ("[1]", 0, 4) ",\"dtype\":\"F32\"}}", 4,
      "tensor 'a' has \"dtype\" twice"},
  /* dtypes. */
  {"F16", "{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
      4, "tensor 'w' has dtype F16; only F32 is supported"},
  {"I64", "{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}",
      8, "tensor 'n' has dtype I64"},
  {"unknown dtype", "{\"w\":{\"dtype\":\"Q4_K\",\"shape\":[1],"
        "\"data_offsets\":[0,4]}}", 4, "tensor 'w' has unknown dtype 'Q4_K'"},
  {"dtype number", "{\"w\":{\"dtype\":32,\"shape\":[1],"
        "\"data_offsets\":[0,4]}}", 4, "tensor 'w' dtype must be a string"},
  /* Shapes. */
  {"negative dim", "{\"a\":{" F32 ("[-1]", 0, 4) "}}", 4,
      "tensor 'a' shape[0] must be a non-negative integer, found a negative"},
  {"fraction", "{\"a\":{" F32 ("[1.0]", 0, 4) "}}", 4,
      "tensor 'a' shape[0] must be an integer (no fraction"},
  {"exponent", "{\"a\":{" F32 ("[1e0]", 0, 4) "}}", 4,
      "must be an integer (no fraction or exponent)"},
  {"leading zero", "{\"a\":{" F32 ("[01]", 0, 4) "}}", 4, "leading zero"},
  {"string dim", "{\"a\":{" F32 ("[\"1\"]", 0, 4) "}}", 4,
      "shape[0] must be a non-negative integer, found a string"},
  {"shape not array", "{\"a\":{" F32 ("4", 0, 16) "}}", 16,
      "tensor 'a' shape must be an array of integers, found a number"},
  {"nine dims", "{\"a\":{" F32 ("[1,1,1,1,1,1,1,1,1]", 0, 4) "}}", 4,
      "tensor 'a' shape has more than 8 dimensions"},
  {"int64 overflow", "{\"a\":{" F32 ("[9223372036854775808]", 0, 4) "}}", 4,
      "tensor 'a' shape[0] is too large"},
  {"huge number", "{\"a\":{" F32 ("[99999999999999999999999999]", 0, 4) "}}",
      4, "is too large"},
  {"product overflow", "{\"a\":{" F32 ("[4294967296,4294967296,4]", 0, 4)
        "}}", 4, "tensor 'a' shape [4294967296, 4294967296, 4] is too large"},
  {"byte overflow", "{\"a\":{" F32 ("[4611686018427387904]", 0, 4) "}}", 4,
      "is too large (its size overflows)"},
  {"overflow hidden by zero", "{\"a\":{" F32 ("[0,4294967296,4294967296]",
            0, 0) "}}", 0, "is too large (its size overflows)"},
  /* Offsets. */
  {"size mismatch", "{\"x\":{" F32 ("[2,2]", 0, 12) "}}", 12,
      "tensor 'x' data_offsets [0, 12] do not match its shape [2, 2] of F32 "
        "(16 bytes)"},
  {"reversed", "{\"a\":{" F32 ("[1]", 4, 0) "}}", 4,
      "tensor 'a' data_offsets [4, 0] end before they begin"},
  {"past the end", "{\"a\":{" F32 ("[1]", 4, 8) "}}", 4,
      "tensor 'a' data_offsets [4, 8] reach past the end of the data (4 "
        "bytes)"},
  {"far past the end", "{\"a\":{" F32 ("[1]", 9223372036854775803,
            9223372036854775807) "}}", 4, "reach past the end"},
  {"one offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
        "\"data_offsets\":[4]}}", 4,
      "tensor 'a' data_offsets must be two integers [begin, end], found 1"},
  {"three offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
        "\"data_offsets\":[0,4,8]}}", 8,
      "tensor 'a' data_offsets must be two integers"},
  {"overlap", "{" T ("a", F32 ("[2]", 0, 8)) "," T ("b", F32 ("[2]", 4, 12))
        "}", 12, "tensor 'b' data_offsets [4, 12] overlap tensor 'a' [0, 8]"},
  {"same range", "{" T ("a", F32 ("[2]", 0, 8)) "," T ("b", F32 ("[2]", 0, 8))
        "}", 8, "overlap tensor"},
  {"hole", "{" T ("a", F32 ("[1]", 0, 4)) "," T ("b", F32 ("[1]", 8, 12))
        "}", 12, "bytes 4 to 8 of the data belong to no tensor"},
  {"hole at start", "{" T ("a", F32 ("[1]", 4, 8)) "}", 8,
      "bytes 0 to 4 of the data belong to no tensor"},
  /* Duplicates. */
  {"duplicate tensor", "{" T ("a", F32 ("[1]", 0, 4)) "," T ("a",
            F32 ("[1]", 4, 8)) "}", 8, "tensor 'a' appears twice"},
  {"duplicate escaped", "{" T ("a", F32 ("[1]", 0, 4)) "," T ("\\u0061",
            F32 ("[1]", 4, 8)) "}", 8, "tensor 'a' appears twice"},
  {"duplicate metadata", "{\"__metadata__\":{},\"__metadata__\":{}}", 0,
      "\"__metadata__\" appears twice"},
  {"duplicate metadata key", "{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}",
      0, "metadata key 'k' appears twice"},
  /* Metadata values are strings. */
  {"metadata number", "{\"__metadata__\":{\"net_height\":224}}", 0,
      "metadata 'net_height' must be a string, found a number"},
  {"metadata object", "{\"__metadata__\":{\"k\":{}}}", 0,
      "metadata 'k' must be a string, found an object"},
  {"metadata null", "{\"__metadata__\":{\"k\":null}}", 0,
      "metadata 'k' must be a string, found null"},
  {"metadata bool", "{\"__metadata__\":{\"k\":true}}", 0,
      "metadata 'k' must be a string, found a boolean"},
  {"metadata not object", "{\"__metadata__\":\"x\"}", 0,
      "\"__metadata__\" must be a JSON object, found a string"},
  /* Hostile names are quoted, escaped and cut. */
  {"newline in name", "{\"a\\nb\":{\"dtype\":\"F16\",\"shape\":[1],"
        "\"data_offsets\":[0,2]}}", 2, "tensor 'a\\x0ab' has dtype F16"},
};

static void
test_bad_headers (void)
{
  guint8 zeros[64] = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++) {
    const BadCase *c = &bad_cases[i];
    GBytes *b = make_file (c->header, zeros, c->data_len);
    char *msg = expect_failure (b, c->what);

    g_test_message ("%s: %s", c->what, msg);
    if (!strstr (msg, c->expect))
      g_error ("%s: message \"%s\" lacks \"%s\"", c->what, msg, c->expect);
    g_free (msg);
    g_bytes_unref (b);
  }
}

static void
test_bad_lengths (void)
{
  static const struct
  {
    guint64 len;
    const char *expect;
  } lens[] = {
    {G_MAXUINT64, "header length 18446744073709551615 is over the"},
    {(guint64) 1 << 63, "is over the 104857600 byte limit"},
    {100 * 1024 * 1024 + 1, "is over the 104857600 byte limit"},
    {1234, "truncated: header says 1234 bytes but the file has 2 after"},
    {0, "header length 0 is too short"},
    {1, "header length 1 is too short"},
  };

  for (guint i = 0; i < G_N_ELEMENTS (lens); i++) {
    guint64 le = GUINT64_TO_LE (lens[i].len);
    guint8 buf[10];
    GBytes *b;
    char *msg;

    memcpy (buf, &le, 8);
    memcpy (buf + 8, "{}", 2);
    b = g_bytes_new (buf, sizeof (buf));
    msg = expect_failure (b, lens[i].expect);
    if (!strstr (msg, lens[i].expect))
      g_error ("message \"%s\" lacks \"%s\"", msg, lens[i].expect);
    g_free (msg);
    g_bytes_unref (b);
  }
}

/* A raw NUL in the header (not an escape). */
static void
test_raw_nul (void)
{
  static const char header[] = "{\"a\0b\":{}}";
  GBytes *b = make_file_len (header, sizeof (header) - 1, NULL, 0);
  char *msg = expect_failure (b, "raw NUL");

  g_assert_nonnull (strstr (msg, "not valid UTF-8 (at header byte 3)"));
  g_free (msg);
  g_bytes_unref (b);
}

/* Names and dtypes from the file are cut in messages. */
static void
test_long_name_quoted (void)
{
  GString *h = g_string_new ("{\"");
  GBytes *b;
  char *msg;

  for (int i = 0; i < 100000; i++)
    g_string_append_c (h, 'n');
  g_string_append (h, "\":{\"dtype\":\"F64\",\"shape\":[1],"
      "\"data_offsets\":[0,8]}}");
  b = make_file (h->str, "12345678", 8);
  msg = expect_failure (b, "long name");
  g_assert_cmpuint (strlen (msg), <, 300);
  g_assert_nonnull (strstr (msg, "nnn...' has dtype F64"));
  g_free (msg);
  g_bytes_unref (b);
  g_string_free (h, TRUE);
}

/* Every single-byte change of a valid file either still gives a loadable
 * file or a clean error; never a crash (ASan builds check the reads). */
static void
test_byte_flips (void)
{
  GBytes *valid = make_valid ();
  gsize size;
  const guint8 *data = g_bytes_get_data (valid, &size);
  static const guint8 values[] = { 0x00, 0x22, 0x2c, 0x30, 0x39, 0x5b, 0x5c,
    0x5d, 0x7b, 0x7d, 0x80, 0xff, '-', 'e', '.', ' '
  };

  for (gsize i = 0; i < size; i++)
    for (guint v = 0; v < G_N_ELEMENTS (values); v++) {
      guint8 *copy = g_memdup2 (data, size);
      GBytes *b;
      GError *err = NULL;
      SalModelFile *f;

      copy[i] = values[v];
      b = g_bytes_new_take (copy, size);
      f = sal_model_file_new_from_bytes (b, "flip", &err);
      if (f) {
        for (guint k = 0; k < sal_model_file_get_n_tensors (f); k++) {
          const SalModelTensor *t = sal_model_file_get_tensor (f, k);
          float *x = sal_model_file_read (f, t->name, t->ndim, t->shape,
              &err);
          g_assert_no_error (err);
          g_free (x);
        }
        sal_model_file_free (f);
      } else {
        g_assert_error (err, SAL_ERROR, SAL_ERROR_MODEL_FILE);
        g_error_free (err);
      }
      g_bytes_unref (b);
    }
  g_bytes_unref (valid);
}

static void
test_open_errors (void)
{
  GError *err = NULL;
  char *dir = g_dir_make_tmp ("sal-model-XXXXXX", &err);
  char *path = g_build_filename (dir, "empty.safetensors", NULL);

  g_assert_no_error (err);
  g_assert_null (sal_model_file_open ("/nonexistent/x.safetensors", &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_MODEL_FILE);
  g_assert_nonnull (strstr (err->message, "x.safetensors"));
  g_clear_error (&err);

  g_assert_null (sal_model_file_open (dir, &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_MODEL_FILE);
  g_assert_nonnull (strstr (err->message, "is a directory"));
  g_clear_error (&err);

  g_assert_true (g_file_set_contents (path, "", 0, &err));
  g_assert_null (sal_model_file_open (path, &err));
  g_assert_error (err, SAL_ERROR, SAL_ERROR_MODEL_FILE);
  g_assert_nonnull (strstr (err->message, "empty.safetensors: truncated: 0 "
          "bytes"));
  g_clear_error (&err);

  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model-file/valid", test_valid_file);
  g_test_add_func ("/model-file/valid-edge-cases", test_valid_edge_cases);
  g_test_add_func ("/model-file/truncated", test_truncated);
  g_test_add_func ("/model-file/trailing-data", test_trailing_data);
  g_test_add_func ("/model-file/bad-headers", test_bad_headers);
  g_test_add_func ("/model-file/bad-lengths", test_bad_lengths);
  g_test_add_func ("/model-file/raw-nul", test_raw_nul);
  g_test_add_func ("/model-file/long-name", test_long_name_quoted);
  g_test_add_func ("/model-file/byte-flips", test_byte_flips);
  g_test_add_func ("/model-file/open-errors", test_open_errors);
  return g_test_run ();
}
