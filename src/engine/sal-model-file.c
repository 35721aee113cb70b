/* Safetensors model files, read from hostile input.
 *
 * Layout: u64 little-endian header length N, N bytes of JSON, then the data
 * buffer that the tensors' data_offsets index into.
 *
 * The JSON is parsed by a small strict parser rather than a general JSON
 * library because the header has a fixed, shallow shape (an object of
 * objects holding strings and integer arrays) and we want what a general
 * library hides: duplicate keys (json-glib silently keeps the last one),
 * integers that are exact or rejected (no doubles, no wrapping), no
 * recursion (no stack exhaustion from nesting), and error messages that say
 * which tensor and which field is wrong. Everything is checked before a
 * single tensor byte is touched, and the first problem found is reported.
 *
 * Beyond the format's own rules we require, like the reference
 * implementation, that the tensors tile the data buffer exactly (no
 * overlaps, holes or trailing bytes): any of those means the header and the
 * data disagree, i.e. a corrupt or truncated file. */
#include "sal-model-file.h"
#include "saliency.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A header larger than this is not a model file of ours; the cap also
 * bounds the parser's memory. Same limit as the reference implementation. */
#define MAX_HEADER_LEN (100 * 1024 * 1024)
/* Tensor names, dtypes and keys are quoted in messages up to this many
 * characters: a hostile file must not produce a megabyte error message. */
#define MAX_QUOTE_CHARS 80

struct _SalModelFile
{
  GBytes *bytes;
  char *name;
  GHashTable *meta;             /* char* -> char*, both owned */
  GArray *tensors;              /* SalModelTensor, names owned */
  GHashTable *index;            /* name (owned by tensors) -> index + 1 */
  /* The byte range of each tensor, kept for the packing check. */
  GArray *ranges;               /* guint64[2] per tensor */
};

/* ------------------------------------------------------------------ */
/* Messages */

/* s quoted for a message: control characters escaped, cut after
 * MAX_QUOTE_CHARS characters. s is valid UTF-8 (the header was validated
 * and the parser only produces valid UTF-8). */
static char *
quote (const char *s)
{
  GString *out = g_string_new ("'");
  int n = 0;

  for (const char *p = s; *p; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);

    if (n++ == MAX_QUOTE_CHARS) {
      g_string_append (out, "...");
      break;
    }
    if (c == '\'' || c == '\\')
      g_string_append_printf (out, "\\%c", (char) c);
    else if (c < 0x20 || c == 0x7f)
      g_string_append_printf (out, "\\x%02x", (guint) c);
    else
      g_string_append_unichar (out, c);
  }
  g_string_append_c (out, '\'');
  return g_string_free (out, FALSE);
}

static char *
format_shape (const gint64 * shape, int ndim)
{
  GString *s = g_string_new ("[");

  for (int i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "",
        shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static void G_GNUC_PRINTF (3, 4)
set_file_error (GError ** error, const char *file, const char *fmt, ...)
{
  va_list ap;
  char *what;

  va_start (ap, fmt);
  what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE, "%s: %s", file, what);
  g_free (what);
}

/* ------------------------------------------------------------------ */
/* The header parser */

typedef struct
{
  const char *start, *p, *end;
  const char *file;
  guint64 buffer_len;
  SalModelFile *f;
  GError **error;
  char found[32];               /* describe_next's answer for a character */
} Parser;

#define FAIL(ps, ...) \
  (set_file_error ((ps)->error, (ps)->file, __VA_ARGS__), FALSE)

static void
skip_ws (Parser * ps)
{
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'
          || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static gsize
offset (Parser * ps)
{
  return (gsize) (ps->p - ps->start);
}

/* What the next token is, for "expected X, found Y" messages. */
static const char *
describe_next (Parser * ps)
{
  if (ps->p >= ps->end)
    return "the end of the header";
  switch (*ps->p) {
    case '{':
      return "an object";
    case '[':
      return "an array";
    case '"':
      return "a string";
    case 't':
    case 'f':
      return "a boolean";
    case 'n':
      return "null";
    case '-':
      return "a negative number";
    default:
      if (g_ascii_isdigit (*ps->p))
        return "a number";
      if (g_ascii_isprint (*ps->p))
        g_snprintf (ps->found, sizeof (ps->found), "'%c'", *ps->p);
      else
        g_snprintf (ps->found, sizeof (ps->found), "byte 0x%02x",
            (guint) (guchar) * ps->p);
      return ps->found;
  }
}

static gboolean
syntax_error (Parser * ps, const char *expected)
{
  return FAIL (ps, "header is not valid JSON: expected %s at header byte %"
      G_GSIZE_FORMAT ", found %s", expected, offset (ps), describe_next (ps));
}

static gboolean
expect_char (Parser * ps, char c, const char *what)
{
  skip_ws (ps);
  if (ps->p >= ps->end || *ps->p != c)
    return syntax_error (ps, what);
  ps->p++;
  return TRUE;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Four hex digits after "\u". */
static gboolean
parse_hex4 (Parser * ps, gunichar * out)
{
  gunichar v = 0;

  if (ps->end - ps->p < 4)
    return syntax_error (ps, "four hex digits after \\u");
  for (int i = 0; i < 4; i++) {
    int d = hex_value (ps->p[i]);
    if (d < 0)
      return syntax_error (ps, "four hex digits after \\u");
    v = v * 16 + (gunichar) d;
  }
  ps->p += 4;
  *out = v;
  return TRUE;
}

static gboolean
bad_surrogate (Parser * ps, const char *what)
{
  return FAIL (ps, "header is not valid JSON: the \\u escape before header "
      "byte %" G_GSIZE_FORMAT " is %s (UTF-16 surrogates come in "
      "high-low pairs)", offset (ps), what);
}

/* A JSON string (after skipping whitespace), unescaped. Strings holding a
 * NUL are refused: our API hands out C strings, and a name silently cut at
 * the NUL could alias another one. what says what the string is. */
static gboolean
parse_string (Parser * ps, const char *what, char **out)
{
  GString *s;

  skip_ws (ps);
  if (ps->p >= ps->end || *ps->p != '"')
    return syntax_error (ps, what);
  ps->p++;
  s = g_string_new (NULL);
  for (;;) {
    unsigned char c;

    if (ps->p >= ps->end) {
      g_string_free (s, TRUE);
      return syntax_error (ps, "the closing '\"' of a string");
    }
    c = (unsigned char) *ps->p;
    if (c == '"') {
      ps->p++;
      break;
    }
    if (c < 0x20) {
      g_string_free (s, TRUE);
      return syntax_error (ps, "a string character (control characters "
          "must be escaped)");
    }
    if (c != '\\') {
      /* The header is valid UTF-8 as a whole, and '"' and '\\' are never
       * part of a multi-byte sequence: copying bytes keeps it valid. */
      g_string_append_c (s, (char) c);
      ps->p++;
      continue;
    }
    ps->p++;
    if (ps->p >= ps->end) {
      g_string_free (s, TRUE);
      return syntax_error (ps, "an escape sequence");
    }
    c = (unsigned char) *ps->p++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        g_string_append_c (s, (char) c);
        break;
      case 'b':
        g_string_append_c (s, '\b');
        break;
      case 'f':
        g_string_append_c (s, '\f');
        break;
      case 'n':
        g_string_append_c (s, '\n');
        break;
      case 'r':
        g_string_append_c (s, '\r');
        break;
      case 't':
        g_string_append_c (s, '\t');
        break;
      case 'u':{
        gunichar u, lo;

        if (!parse_hex4 (ps, &u)) {
          g_string_free (s, TRUE);
          return FALSE;
        }
        /* UTF-16 surrogates: a high one must be followed by an escaped
         * low one; lone surrogates have no UTF-8 form. */
        if (u >= 0xdc00 && u <= 0xdfff) {
          g_string_free (s, TRUE);
          return bad_surrogate (ps, "a lone low surrogate");
        }
        if (u >= 0xd800 && u <= 0xdbff) {
          if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
            g_string_free (s, TRUE);
            return bad_surrogate (ps, "a high surrogate without a low one");
          }
          ps->p += 2;
          if (!parse_hex4 (ps, &lo)) {
            g_string_free (s, TRUE);
            return FALSE;
          }
          if (lo < 0xdc00 || lo > 0xdfff) {
            g_string_free (s, TRUE);
            return bad_surrogate (ps, "a high surrogate without a low one");
          }
          u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        }
        if (u == 0) {
          g_string_free (s, TRUE);
          return FAIL (ps, "header holds a string with a NUL character "
              "(\\u0000) at header byte %" G_GSIZE_FORMAT "; names and "
              "metadata must not contain NUL", offset (ps));
        }
        g_string_append_unichar (s, u);
        break;
      }
      default:
        ps->p--;
        g_string_free (s, TRUE);
        return syntax_error (ps, "a valid escape (\\\" \\\\ \\/ \\b \\f "
            "\\n \\r \\t \\uXXXX)");
    }
  }
  *out = g_string_free (s, FALSE);
  return TRUE;
}

/* A non-negative JSON integer that fits in gint64. Fractions, exponents and
 * signs are refused rather than rounded: a shape or an offset is exact.
 * what names the value in messages. */
static gboolean
parse_uint (Parser * ps, const char *what, gint64 * out)
{
  guint64 v = 0;
  const char *digits;

  skip_ws (ps);
  if (ps->p >= ps->end || !g_ascii_isdigit (*ps->p))
    return FAIL (ps, "%s must be a non-negative integer, found %s", what,
        describe_next (ps));
  digits = ps->p;
  while (ps->p < ps->end && g_ascii_isdigit (*ps->p)) {
    guint d = (guint) (*ps->p - '0');
    if (v > ((guint64) G_MAXINT64 - d) / 10)
      return FAIL (ps, "%s is too large (over %" G_GINT64_FORMAT ")", what,
          G_MAXINT64);
    v = v * 10 + d;
    ps->p++;
  }
  if (*digits == '0' && ps->p - digits > 1)
    return FAIL (ps, "%s has a leading zero, which JSON does not allow",
        what);
  if (ps->p < ps->end && (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E'))
    return FAIL (ps, "%s must be an integer (no fraction or exponent)", what);
  *out = (gint64) v;
  return TRUE;
}

/* '[' int, int, ... ']' with at most max_n entries; *n gets the count. */
static gboolean
parse_uint_array (Parser * ps, const char *what, gint64 * vals, int max_n,
    int *n, const char *too_many)
{
  *n = 0;
  skip_ws (ps);
  if (ps->p >= ps->end || *ps->p != '[')
    return FAIL (ps, "%s must be an array of integers, found %s", what,
        describe_next (ps));
  ps->p++;
  skip_ws (ps);
  if (ps->p < ps->end && *ps->p == ']') {
    ps->p++;
    return TRUE;
  }
  for (;;) {
    g_autofree char *elem = NULL;

    if (*n == max_n)
      return FAIL (ps, "%s %s", what, too_many);
    elem = g_strdup_printf ("%s[%d]", what, *n);
    if (!parse_uint (ps, elem, &vals[*n]))
      return FALSE;
    (*n)++;
    skip_ws (ps);
    if (ps->p < ps->end && *ps->p == ',') {
      ps->p++;
      continue;
    }
    return expect_char (ps, ']', "',' or ']' in an array");
  }
}

/* After a member: ',' (returns TRUE, *more = TRUE) or '}'. */
static gboolean
next_member (Parser * ps, gboolean * more)
{
  skip_ws (ps);
  if (ps->p < ps->end && *ps->p == ',') {
    ps->p++;
    *more = TRUE;
    return TRUE;
  }
  *more = FALSE;
  return expect_char (ps, '}', "',' or '}' after an object member");
}

/* '{' and an optional immediate '}' (*empty = TRUE). */
static gboolean
open_object (Parser * ps, const char *what, gboolean * empty)
{
  skip_ws (ps);
  if (ps->p >= ps->end || *ps->p != '{')
    return FAIL (ps, "%s must be a JSON object, found %s", what,
        describe_next (ps));
  ps->p++;
  skip_ws (ps);
  *empty = ps->p < ps->end && *ps->p == '}';
  if (*empty)
    ps->p++;
  return TRUE;
}

static gboolean
parse_metadata (Parser * ps)
{
  gboolean empty, more = TRUE;

  if (!open_object (ps, "\"__metadata__\"", &empty))
    return FALSE;
  if (empty)
    return TRUE;
  while (more) {
    g_autofree char *key = NULL;
    g_autofree char *value = NULL;
    g_autofree char *q = NULL;

    if (!parse_string (ps, "a metadata key string", &key))
      return FALSE;
    q = quote (key);
    if (g_hash_table_contains (ps->f->meta, key))
      return FAIL (ps, "metadata key %s appears twice", q);
    if (!expect_char (ps, ':', "':' after a metadata key"))
      return FALSE;
    skip_ws (ps);
    if (ps->p >= ps->end || *ps->p != '"')
      return FAIL (ps, "metadata %s must be a string, found %s", q,
          describe_next (ps));
    if (!parse_string (ps, "a metadata value string", &value))
      return FALSE;
    g_hash_table_insert (ps->f->meta, g_steal_pointer (&key),
        g_steal_pointer (&value));
    if (!next_member (ps, &more))
      return FALSE;
  }
  return TRUE;
}

/* safetensors dtypes that are well-formed but that we do not read. */
static const char *const other_dtypes[] = {
  "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
  "I32", "U32", "F64", "I64", "U64", NULL
};

/* Checks one parsed entry: dtype, shape, offsets against the buffer. */
static gboolean
check_entry (Parser * ps, const char *qname, const char *dtype,
    SalModelTensor * t, const gint64 offs[2])
{
  g_autofree char *shape_s = format_shape (t->shape, t->ndim);
  gsize n = 1, product = 1;
  gboolean zero = FALSE;

  if (strcmp (dtype, "F32") != 0) {
    g_autofree char *qd = quote (dtype);
    if (g_strv_contains (other_dtypes, dtype))
      return FAIL (ps, "tensor %s has dtype %s; only F32 is supported "
          "(convert the checkpoint to float32)", qname, dtype);
    return FAIL (ps, "tensor %s has unknown dtype %s", qname, qd);
  }

  /* The product of the non-zero dimensions must fit, whatever the order a
   * consumer multiplies them in: a [0, 2^62, 2^62] tensor is empty but
   * still poison for code that computes strides. */
  for (int i = 0; i < t->ndim; i++) {
    gsize d = (gsize) t->shape[i];
    if (d == 0) {
      zero = TRUE;
      continue;
    }
    if (product > G_MAXSIZE / 4 / d)
      return FAIL (ps, "tensor %s shape %s is too large (its size "
          "overflows)", qname, shape_s);
    product *= d;
  }
  n = zero ? 0 : product;
  t->n_elements = n;

  if (offs[0] > offs[1])
    return FAIL (ps, "tensor %s data_offsets [%" G_GINT64_FORMAT ", %"
        G_GINT64_FORMAT "] end before they begin", qname, offs[0], offs[1]);
  if ((guint64) offs[1] > ps->buffer_len)
    return FAIL (ps, "tensor %s data_offsets [%" G_GINT64_FORMAT ", %"
        G_GINT64_FORMAT "] reach past the end of the data (%" G_GUINT64_FORMAT
        " bytes): the file is truncated or its header is wrong", qname,
        offs[0], offs[1], ps->buffer_len);
  if ((guint64) (offs[1] - offs[0]) != (guint64) n * 4)
    return FAIL (ps, "tensor %s data_offsets [%" G_GINT64_FORMAT ", %"
        G_GINT64_FORMAT "] do not match its shape %s of F32 (%"
        G_GUINT64_FORMAT " bytes)", qname, offs[0], offs[1], shape_s,
        (guint64) n * 4);
  return TRUE;
}

enum
{
  KEY_DTYPE = 1 << 0,
  KEY_SHAPE = 1 << 1,
  KEY_OFFSETS = 1 << 2,
};

/* One tensor entry: {"dtype": ..., "shape": [...], "data_offsets": [b, e]}
 * in any order, nothing else. name is owned by the caller until added. */
static gboolean
parse_entry (Parser * ps, char *name)
{
  g_autofree char *qname = quote (name);
  g_autofree char *dtype = NULL;
  g_autofree char *what_shape = g_strdup_printf ("tensor %s shape", qname);
  g_autofree char *what_offs =
      g_strdup_printf ("tensor %s data_offsets", qname);
  g_autofree char *what_entry = g_strdup_printf ("tensor %s", qname);
  SalModelTensor t = { 0 };
  gint64 offs[2] = { 0, 0 };
  guint seen = 0;
  gboolean empty, more = TRUE;
  guint64 range[2];

  if (!open_object (ps, what_entry, &empty))
    return FALSE;
  if (empty)
    return FAIL (ps, "tensor %s has no dtype, shape or data_offsets",
        qname);
  while (more) {
    g_autofree char *key = NULL;
    guint bit;

    if (!parse_string (ps, "a key string", &key))
      return FALSE;
    if (!strcmp (key, "dtype"))
      bit = KEY_DTYPE;
    else if (!strcmp (key, "shape"))
      bit = KEY_SHAPE;
    else if (!strcmp (key, "data_offsets"))
      bit = KEY_OFFSETS;
    else {
      g_autofree char *qk = quote (key);
      return FAIL (ps, "tensor %s has an unknown key %s (a tensor has "
          "\"dtype\", \"shape\" and \"data_offsets\")", qname, qk);
    }
    if (seen & bit)
      return FAIL (ps, "tensor %s has \"%s\" twice", qname, key);
    seen |= bit;
    if (!expect_char (ps, ':', "':' after a key"))
      return FALSE;
    if (bit == KEY_DTYPE) {
      skip_ws (ps);
      if (ps->p >= ps->end || *ps->p != '"')
        return FAIL (ps, "tensor %s dtype must be a string, found %s",
            qname, describe_next (ps));
      if (!parse_string (ps, "a dtype string", &dtype))
        return FALSE;
    } else if (bit == KEY_SHAPE) {
      g_autofree char *too_many = g_strdup_printf ("has more than %d "
          "dimensions", SAL_MODEL_MAX_DIMS);
      if (!parse_uint_array (ps, what_shape, t.shape, SAL_MODEL_MAX_DIMS,
              &t.ndim, too_many))
        return FALSE;
    } else {
      int n;
      if (!parse_uint_array (ps, what_offs, offs, 2, &n,
              "must be two integers [begin, end]"))
        return FALSE;
      if (n != 2)
        return FAIL (ps, "%s must be two integers [begin, end], found %d",
            what_offs, n);
    }
    if (!next_member (ps, &more))
      return FALSE;
  }
  if (!(seen & KEY_DTYPE))
    return FAIL (ps, "tensor %s has no \"dtype\"", qname);
  if (!(seen & KEY_SHAPE))
    return FAIL (ps, "tensor %s has no \"shape\"", qname);
  if (!(seen & KEY_OFFSETS))
    return FAIL (ps, "tensor %s has no \"data_offsets\"", qname);
  if (!check_entry (ps, qname, dtype, &t, offs))
    return FALSE;

  t.name = name;
  /* Set to the data pointer once the whole header is valid. */
  t.data = NULL;
  g_array_append_val (ps->f->tensors, t);
  range[0] = (guint64) offs[0];
  range[1] = (guint64) offs[1];
  g_array_append_val (ps->f->ranges, range);
  g_hash_table_insert (ps->f->index, name,
      GUINT_TO_POINTER (ps->f->tensors->len));
  return TRUE;
}

static gboolean
parse_header (Parser * ps)
{
  gboolean empty, more = TRUE, seen_meta = FALSE;

  skip_ws (ps);
  if (ps->p >= ps->end || *ps->p != '{')
    return FAIL (ps, "header is not a JSON object (found %s at header byte %"
        G_GSIZE_FORMAT "); is this a safetensors file?", describe_next (ps),
        offset (ps));
  if (!open_object (ps, "the header", &empty))
    return FALSE;
  while (!empty && more) {
    char *key = NULL;

    if (!parse_string (ps, "a tensor name string", &key))
      return FALSE;
    if (!expect_char (ps, ':', "':' after a tensor name")) {
      g_free (key);
      return FALSE;
    }
    if (!strcmp (key, "__metadata__")) {
      g_free (key);
      if (seen_meta)
        return FAIL (ps, "\"__metadata__\" appears twice");
      seen_meta = TRUE;
      if (!parse_metadata (ps))
        return FALSE;
    } else {
      if (g_hash_table_contains (ps->f->index, key)) {
        g_autofree char *q = quote (key);
        g_free (key);
        return FAIL (ps, "tensor %s appears twice", q);
      }
      if (!parse_entry (ps, key)) {
        g_free (key);
        return FALSE;
      }
    }
    if (!next_member (ps, &more))
      return FALSE;
  }
  skip_ws (ps);
  if (ps->p != ps->end)
    return FAIL (ps, "unexpected data after the header's JSON object at "
        "header byte %" G_GSIZE_FORMAT, offset (ps));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Packing: the tensors must cover the data buffer exactly. */

typedef struct
{
  guint64 begin, end;
  guint index;
} Range;

static int
compare_ranges (const void *a, const void *b)
{
  const Range *ra = a, *rb = b;

  if (ra->begin != rb->begin)
    return ra->begin < rb->begin ? -1 : 1;
  if (ra->end != rb->end)
    return ra->end < rb->end ? -1 : 1;
  return 0;
}

static gboolean
check_packing (Parser * ps)
{
  SalModelFile *f = ps->f;
  guint n = f->tensors->len;
  Range *r = g_new (Range, MAX (n, 1));
  const Range *prev = NULL;
  guint64 pos = 0;
  gboolean ok = TRUE;

  for (guint i = 0; i < n; i++) {
    r[i].begin = g_array_index (f->ranges, guint64, 2 * i);
    r[i].end = g_array_index (f->ranges, guint64, 2 * i + 1);
    r[i].index = i;
  }
  qsort (r, n, sizeof (Range), compare_ranges);

  for (guint k = 0; k < n && ok; k++) {
    const char *name =
        g_array_index (f->tensors, SalModelTensor, r[k].index).name;

    /* Empty tensors occupy no bytes: anywhere inside the buffer is fine. */
    if (r[k].begin == r[k].end)
      continue;
    if (r[k].begin < pos) {
      g_autofree char *q = quote (name);
      g_autofree char *qp = quote (g_array_index (f->tensors,
              SalModelTensor, prev->index).name);
      ok = FAIL (ps, "tensor %s data_offsets [%" G_GUINT64_FORMAT ", %"
          G_GUINT64_FORMAT "] overlap tensor %s [%" G_GUINT64_FORMAT ", %"
          G_GUINT64_FORMAT "]", q, r[k].begin, r[k].end, qp, prev->begin,
          prev->end);
    } else if (r[k].begin > pos) {
      g_autofree char *q = quote (name);
      ok = FAIL (ps, "bytes %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
          " of the data belong to no tensor (the next is %s at [%"
          G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "]); tensors must be "
          "packed without holes", pos, r[k].begin, q, r[k].begin, r[k].end);
    }
    pos = r[k].end;
    prev = &r[k];
  }
  if (ok && pos != ps->buffer_len)
    ok = FAIL (ps, "the data has %" G_GUINT64_FORMAT " bytes but the tensors "
        "end at byte %" G_GUINT64_FORMAT ": trailing bytes that belong to no "
        "tensor", ps->buffer_len, pos);
  g_free (r);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Public API */

static char *
display_name (const char *name)
{
  return g_strdup (name && *name ? name : "(model in memory)");
}

SalModelFile *
sal_model_file_new_from_bytes (GBytes * bytes, const char *name,
    GError ** error)
{
  SalModelFile *f;
  Parser ps = { 0 };
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  guint64 header_len;
  const char *bad_utf8;

  f = g_new0 (SalModelFile, 1);
  f->bytes = g_bytes_ref (bytes);
  f->name = display_name (name);
  f->meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  f->tensors = g_array_new (FALSE, FALSE, sizeof (SalModelTensor));
  f->ranges = g_array_new (FALSE, FALSE, 2 * sizeof (guint64));
  f->index = g_hash_table_new (g_str_hash, g_str_equal);

  if (size < 8) {
    set_file_error (error, f->name, "truncated: %" G_GSIZE_FORMAT " bytes, "
        "too short for the 8-byte header length; is this a safetensors "
        "file?", size);
    goto fail;
  }
  memcpy (&header_len, data, 8);
  header_len = GUINT64_FROM_LE (header_len);
  if (header_len > MAX_HEADER_LEN) {
    set_file_error (error, f->name, "header length %" G_GUINT64_FORMAT
        " is over the %d byte limit: corrupt or not a safetensors file",
        header_len, MAX_HEADER_LEN);
    goto fail;
  }
  if (header_len > size - 8) {
    set_file_error (error, f->name, "truncated: header says %"
        G_GUINT64_FORMAT " bytes but the file has %" G_GSIZE_FORMAT
        " after the length field", header_len, size - 8);
    goto fail;
  }
  if (header_len < 2) {
    set_file_error (error, f->name, "header length %" G_GUINT64_FORMAT
        " is too short for a JSON object; is this a safetensors file?",
        header_len);
    goto fail;
  }

  ps.start = ps.p = (const char *) data + 8;
  ps.end = ps.start + header_len;
  ps.file = f->name;
  ps.buffer_len = size - 8 - header_len;
  ps.f = f;
  ps.error = error;

  /* Whole-header UTF-8 check first: the parser relies on it, and it also
   * refuses raw NUL bytes. */
  if (!g_utf8_validate_len (ps.start, header_len, &bad_utf8)) {
    set_file_error (error, f->name, "header is not valid UTF-8 (at header "
        "byte %" G_GSIZE_FORMAT "); corrupt or not a safetensors file",
        (gsize) (bad_utf8 - ps.start));
    goto fail;
  }
  if (!parse_header (&ps) || !check_packing (&ps))
    goto fail;

  for (guint i = 0; i < f->tensors->len; i++) {
    SalModelTensor *t = &g_array_index (f->tensors, SalModelTensor, i);
    guint64 begin = g_array_index (f->ranges, guint64, 2 * i);
    t->data = data + 8 + header_len + begin;
  }
  return f;

fail:
  sal_model_file_free (f);
  return NULL;
}

SalModelFile *
sal_model_file_open (const char *path, GError ** error)
{
  GError *err = NULL;
  GMappedFile *mf;
  GBytes *bytes;
  SalModelFile *f;
  char *base;

  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
        "%s: is a directory, not a model file", path);
    return NULL;
  }
  mf = g_mapped_file_new (path, FALSE, &err);
  if (!mf) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
        "cannot read model file: %s", err->message);
    g_error_free (err);
    return NULL;
  }
  bytes = g_mapped_file_get_bytes (mf);
  g_mapped_file_unref (mf);
  base = g_path_get_basename (path);
  f = sal_model_file_new_from_bytes (bytes, base, error);
  g_free (base);
  g_bytes_unref (bytes);
  return f;
}

void
sal_model_file_free (SalModelFile * f)
{
  if (!f)
    return;
  g_hash_table_destroy (f->index);
  for (guint i = 0; i < f->tensors->len; i++)
    g_free ((char *) g_array_index (f->tensors, SalModelTensor, i).name);
  g_array_free (f->tensors, TRUE);
  g_array_free (f->ranges, TRUE);
  g_hash_table_destroy (f->meta);
  g_bytes_unref (f->bytes);
  g_free (f->name);
  g_free (f);
}

const char *
sal_model_file_get_name (SalModelFile * f)
{
  return f->name;
}

const char *
sal_model_file_get_meta (SalModelFile * f, const char *key)
{
  return g_hash_table_lookup (f->meta, key);
}

gboolean
sal_model_file_get_meta_int (SalModelFile * f, const char *key, gint64 min,
    gint64 max, gint64 * value, GError ** error)
{
  const char *s = sal_model_file_get_meta (f, key);
  g_autofree char *qs = NULL;

  if (!s) {
    set_file_error (error, f->name, "metadata \"%s\" is missing; the file "
        "was not written for this architecture or by an older converter",
        key);
    return FALSE;
  }
  if (g_ascii_string_to_signed (s, 10, min, max, value, NULL))
    return TRUE;
  qs = quote (s);
  set_file_error (error, f->name, "metadata \"%s\" is %s; expected an "
      "integer in [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "]", key, qs,
      min, max);
  return FALSE;
}

guint
sal_model_file_get_n_tensors (SalModelFile * f)
{
  return f->tensors->len;
}

const SalModelTensor *
sal_model_file_get_tensor (SalModelFile * f, guint i)
{
  g_return_val_if_fail (i < f->tensors->len, NULL);
  return &g_array_index (f->tensors, SalModelTensor, i);
}

const SalModelTensor *
sal_model_file_lookup (SalModelFile * f, const char *name)
{
  guint i = GPOINTER_TO_UINT (g_hash_table_lookup (f->index, name));

  return i ? &g_array_index (f->tensors, SalModelTensor, i - 1) : NULL;
}

float *
sal_model_file_read (SalModelFile * f, const char *name, int ndim,
    const gint64 * shape, GError ** error)
{
  const SalModelTensor *t = sal_model_file_lookup (f, name);
  gboolean same;
  float *out;

  g_return_val_if_fail (ndim >= 0 && ndim <= SAL_MODEL_MAX_DIMS, NULL);
  if (!t) {
    set_file_error (error, f->name, "tensor '%s' is missing; the file does "
        "not hold the weights this architecture expects", name);
    return NULL;
  }
  same = t->ndim == ndim;
  for (int i = 0; same && i < ndim; i++)
    same = t->shape[i] == shape[i];
  if (!same) {
    g_autofree char *has = format_shape (t->shape, t->ndim);
    g_autofree char *want = format_shape (shape, ndim);
    set_file_error (error, f->name, "tensor '%s' has shape %s; expected %s",
        name, has, want);
    return NULL;
  }
  /* At least one float so that an empty tensor is not mistaken for an
   * error (NULL). */
  out = g_malloc (MAX (t->n_elements, 1) * sizeof (float));
  if (t->n_elements)
    memcpy (out, t->data, t->n_elements * sizeof (float));
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < t->n_elements; i++) {
    guint32 u;
    memcpy (&u, &out[i], 4);
    u = GUINT32_SWAP_LE_BE (u);
    memcpy (&out[i], &u, 4);
  }
#endif
  return out;
}
