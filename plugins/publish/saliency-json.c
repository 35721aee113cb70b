/* A small JSON writer for the records of saliencypublish
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Written out by hand rather than built as a tree: a record per frame is a
 * few hundred values, and numbers are written with the precision they
 * have (%.6g), not the 17 digits of a round trip. Output is always valid
 * JSON: strings are escaped (invalid UTF-8 replaced), non-finite numbers
 * become null. */

#include "saliency-json.h"

#include <math.h>

void
sal_json_writer_init (SalJsonWriter * w, GString * out)
{
  w->out = out;
  w->depth = 0;
  w->after_key = FALSE;
  w->need_comma[0] = FALSE;
}

/* Before any value: the comma that separates it from the previous one. */
static void
sal_json_value (SalJsonWriter * w)
{
  if (w->after_key) {
    w->after_key = FALSE;
    return;
  }
  if (w->need_comma[w->depth])
    g_string_append_c (w->out, ',');
  w->need_comma[w->depth] = TRUE;
}

static void
sal_json_open (SalJsonWriter * w, gchar c)
{
  sal_json_value (w);
  g_string_append_c (w->out, c);
  g_return_if_fail (w->depth + 1 < SAL_JSON_MAX_DEPTH);
  w->need_comma[++w->depth] = FALSE;
}

static void
sal_json_close (SalJsonWriter * w, gchar c)
{
  g_return_if_fail (w->depth > 0);
  w->depth--;
  g_string_append_c (w->out, c);
}

void
sal_json_begin_object (SalJsonWriter * w)
{
  sal_json_open (w, '{');
}

void
sal_json_end_object (SalJsonWriter * w)
{
  sal_json_close (w, '}');
}

void
sal_json_begin_array (SalJsonWriter * w)
{
  sal_json_open (w, '[');
}

void
sal_json_end_array (SalJsonWriter * w)
{
  sal_json_close (w, ']');
}

static void
append_escaped (GString * out, const gchar * s)
{
  gchar *valid = g_utf8_make_valid (s, -1);

  g_string_append_c (out, '"');
  for (const gchar * p = valid; *p; p++) {
    guchar c = (guchar) * p;

    switch (c) {
      case '"':
        g_string_append (out, "\\\"");
        break;
      case '\\':
        g_string_append (out, "\\\\");
        break;
      case '\n':
        g_string_append (out, "\\n");
        break;
      case '\r':
        g_string_append (out, "\\r");
        break;
      case '\t':
        g_string_append (out, "\\t");
        break;
      default:
        if (c < 0x20)
          g_string_append_printf (out, "\\u%04x", c);
        else
          g_string_append_c (out, (gchar) c);
        break;
    }
  }
  g_string_append_c (out, '"');
  g_free (valid);
}

void
sal_json_key (SalJsonWriter * w, const gchar * key)
{
  sal_json_value (w);
  append_escaped (w->out, key);
  g_string_append_c (w->out, ':');
  w->after_key = TRUE;
}

void
sal_json_string (SalJsonWriter * w, const gchar * value)
{
  if (!value) {
    sal_json_null (w);
    return;
  }
  sal_json_value (w);
  append_escaped (w->out, value);
}

void
sal_json_int (SalJsonWriter * w, gint64 value)
{
  sal_json_value (w);
  g_string_append_printf (w->out, "%" G_GINT64_FORMAT, value);
}

void
sal_json_uint (SalJsonWriter * w, guint64 value)
{
  sal_json_value (w);
  g_string_append_printf (w->out, "%" G_GUINT64_FORMAT, value);
}

void
sal_json_double (SalJsonWriter * w, gdouble value)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value)) {
    sal_json_null (w);
    return;
  }
  sal_json_value (w);
  /* Locale-independent: always a '.' */
  g_string_append (w->out, g_ascii_formatd (buf, sizeof (buf), "%.6g",
          value));
}

void
sal_json_boolean (SalJsonWriter * w, gboolean value)
{
  sal_json_value (w);
  g_string_append (w->out, value ? "true" : "false");
}

void
sal_json_null (SalJsonWriter * w)
{
  sal_json_value (w);
  g_string_append (w->out, "null");
}

/* A field of a GstStructure: numbers, booleans and strings as such,
 * anything else (fractions, arrays...) as GStreamer writes it, a string. */
void
sal_json_gvalue (SalJsonWriter * w, const GValue * value)
{
  GType type = G_VALUE_TYPE (value);
  gchar *text;

  if (type == G_TYPE_INT)
    sal_json_int (w, g_value_get_int (value));
  else if (type == G_TYPE_UINT)
    sal_json_uint (w, g_value_get_uint (value));
  else if (type == G_TYPE_INT64)
    sal_json_int (w, g_value_get_int64 (value));
  else if (type == G_TYPE_UINT64)
    sal_json_uint (w, g_value_get_uint64 (value));
  else if (type == G_TYPE_DOUBLE)
    sal_json_double (w, g_value_get_double (value));
  else if (type == G_TYPE_FLOAT)
    sal_json_double (w, g_value_get_float (value));
  else if (type == G_TYPE_BOOLEAN)
    sal_json_boolean (w, g_value_get_boolean (value));
  else if (type == G_TYPE_STRING)
    sal_json_string (w, g_value_get_string (value));
  else {
    text = gst_value_serialize (value);
    sal_json_string (w, text ? text : "");
    g_free (text);
  }
}

/* @json: one complete JSON value, already valid. */
void
sal_json_raw (SalJsonWriter * w, const gchar * json)
{
  sal_json_value (w);
  g_string_append (w->out, json);
}
