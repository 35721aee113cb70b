/* A small JSON writer for the records of saliencypublish
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __SALIENCY_JSON_H__
#define __SALIENCY_JSON_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define SAL_JSON_MAX_DEPTH 16

/* Appends compact JSON to a GString; commas and colons are its business.
 * Members are a key followed by one value (or a container). */
typedef struct
{
  GString *out;
  guint depth;
  gboolean after_key;
  gboolean need_comma[SAL_JSON_MAX_DEPTH];
} SalJsonWriter;

void sal_json_writer_init (SalJsonWriter * w, GString * out);

void sal_json_begin_object (SalJsonWriter * w);
void sal_json_end_object (SalJsonWriter * w);
void sal_json_begin_array (SalJsonWriter * w);
void sal_json_end_array (SalJsonWriter * w);
void sal_json_key (SalJsonWriter * w, const gchar * key);

void sal_json_string (SalJsonWriter * w, const gchar * value);
void sal_json_int (SalJsonWriter * w, gint64 value);
void sal_json_uint (SalJsonWriter * w, guint64 value);
void sal_json_double (SalJsonWriter * w, gdouble value);
void sal_json_boolean (SalJsonWriter * w, gboolean value);
void sal_json_null (SalJsonWriter * w);
void sal_json_raw (SalJsonWriter * w, const gchar * json);
void sal_json_gvalue (SalJsonWriter * w, const GValue * value);

G_END_DECLS

#endif /* __SALIENCY_JSON_H__ */
