/* GStreamer saliency element: which frame of which source, and when
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Every result (meta, message) says which source it belongs to
 * (source-id), what the operator attached to it (tags), its frame number
 * and PTS, and its wall-clock time in UTC. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsaliency-private.h"

#include <json-glib/json-glib.h>

#include "saliency-json.h"

/* 1900-01-01 (NTP's epoch) to 1970-01-01 (Unix's), in seconds. */
#define NTP_UNIX_OFFSET G_GUINT64_CONSTANT (2208988800)

#define TAGS_HINT "give a JSON object such as {\"site\":\"north\",\"lane\":2} " \
  "or a structure such as tags,site=north,lane=2"

static gboolean
write_field (GQuark field, const GValue * value, gpointer user_data)
{
  SalJsonWriter *w = user_data;

  sal_json_key (w, g_quark_to_string (field));
  sal_json_gvalue (w, value);
  return TRUE;
}

static gchar *
structure_to_json (const GstStructure * s)
{
  GString *out = g_string_new (NULL);
  SalJsonWriter w;

  sal_json_writer_init (&w, out);
  sal_json_begin_object (&w);
  gst_structure_foreach (s, write_field, &w);
  sal_json_end_object (&w);
  return g_string_free (out, FALSE);
}

/* The tags property's text as a compact JSON object: either JSON already
 * (starting with '{') or a serialised GstStructure, whose fields become
 * the members. NULL or "" is no tags (NULL, no error). */
gboolean
gst_saliency_tags_to_json (const gchar * text, gchar ** json, GError ** error)
{
  *json = NULL;
  if (text)
    while (g_ascii_isspace (*text))
      text++;
  if (!text || !*text)
    return TRUE;

  if (*text == '{') {
    JsonParser *parser = json_parser_new_immutable ();
    GError *parse_error = NULL;
    gboolean ok = json_parser_load_from_data (parser, text, -1, &parse_error);

    if (!ok) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "tags \"%s\" is not valid JSON (%s): " TAGS_HINT, text,
          parse_error->message);
      g_clear_error (&parse_error);
    } else if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
      ok = FALSE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "tags \"%s\" is not a JSON object: " TAGS_HINT, text);
    } else {
      *json = json_to_string (json_parser_get_root (parser), FALSE);
    }
    g_object_unref (parser);
    return ok;
  } else {
    GstStructure *s = gst_structure_from_string (text, NULL);

    if (!s) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "tags \"%s\" is neither a JSON object nor a GstStructure: "
          TAGS_HINT, text);
      return FALSE;
    }
    *json = structure_to_json (s);
    gst_structure_free (s);
    return TRUE;
  }
}

/* The wall-clock time of @buf from its reference timestamp metas, if one
 * is on a clock this knows; GST_CLOCK_TIME_NONE otherwise. */
static GstClockTime
reference_utc (GstBuffer * buf)
{
  gpointer state = NULL;
  GstMeta *meta;

  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_REFERENCE_TIMESTAMP_META_API_TYPE))) {
    GstReferenceTimestampMeta *ref = (GstReferenceTimestampMeta *) meta;
    const GstStructure *s;

    if (!ref->reference || gst_caps_is_empty (ref->reference)
        || !GST_CLOCK_TIME_IS_VALID (ref->timestamp))
      continue;
    s = gst_caps_get_structure (ref->reference, 0);
    if (gst_structure_has_name (s, "timestamp/x-unix"))
      return ref->timestamp;
    if (gst_structure_has_name (s, "timestamp/x-ntp")
        && ref->timestamp >= NTP_UNIX_OFFSET * GST_SECOND)
      return ref->timestamp - NTP_UNIX_OFFSET * GST_SECOND;
  }
  return GST_CLOCK_TIME_NONE;
}

/* In a live pipeline, a frame's PTS is its capture time on the pipeline
 * clock (base time + running time): that instant in UTC is now in UTC
 * minus how long ago it was on the pipeline clock. */
static GstClockTime
clock_utc (GstSaliency * self, GstBuffer * buf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime running_time, capture, now;
  GstClock *clock;
  gint64 real;
  gboolean live;

  /* Asked once per run: the first frame can come before any LATENCY query
   * from downstream. */
  if (self->upstream_live < 0) {
    GstQuery *query = gst_query_new_latency ();

    live = FALSE;
    if (gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (trans), query))
      gst_query_parse_latency (query, &live, NULL, NULL);
    gst_query_unref (query);
    self->upstream_live = live;
    GST_DEBUG_OBJECT (self, "upstream is %slive: wall-clock time from %s",
        live ? "" : "not ", live ? "the pipeline clock" : "arrival");
  }
  live = self->upstream_live > 0;
  if (!live || trans->segment.format != GST_FORMAT_TIME
      || !GST_BUFFER_PTS_IS_VALID (buf))
    return GST_CLOCK_TIME_NONE;

  running_time = gst_segment_to_running_time (&trans->segment,
      GST_FORMAT_TIME, GST_BUFFER_PTS (buf));
  clock = gst_element_get_clock (GST_ELEMENT (self));
  if (!clock || !GST_CLOCK_TIME_IS_VALID (running_time)) {
    g_clear_object (&clock);
    return GST_CLOCK_TIME_NONE;
  }
  capture = gst_element_get_base_time (GST_ELEMENT (self)) + running_time;
  now = gst_clock_get_time (clock);
  real = g_get_real_time () * GST_USECOND;
  gst_object_unref (clock);

  return (GstClockTime) (real - GST_CLOCK_DIFF (capture, now));
}

/* Fills @stamp for @buf, the next frame; free with
 * gst_saliency_stamp_clear(). */
void
gst_saliency_stamp_frame (GstSaliency * self, GstBuffer * buf,
    GstSaliencyStamp * stamp)
{
  stamp->frame = self->frames++;
  stamp->pts = GST_BUFFER_PTS (buf);

  stamp->time_source = GST_SALIENCY_TIME_SOURCE_REFERENCE;
  stamp->utc = reference_utc (buf);
  if (!GST_CLOCK_TIME_IS_VALID (stamp->utc)) {
    stamp->time_source = GST_SALIENCY_TIME_SOURCE_CLOCK;
    stamp->utc = clock_utc (self, buf);
  }
  if (!GST_CLOCK_TIME_IS_VALID (stamp->utc)) {
    stamp->time_source = GST_SALIENCY_TIME_SOURCE_ARRIVAL;
    stamp->utc = g_get_real_time () * GST_USECOND;
  }

  GST_OBJECT_LOCK (self);
  stamp->source_id = g_strdup (self->source_id ? self->source_id
      : GST_OBJECT_NAME (self));
  stamp->tags = g_strdup (self->tags);
  GST_OBJECT_UNLOCK (self);
}

void
gst_saliency_stamp_clear (GstSaliencyStamp * stamp)
{
  g_clear_pointer (&stamp->source_id, g_free);
  g_clear_pointer (&stamp->tags, g_free);
}

/* message-interval: TRUE when the frame at @pts gets a message. Measured on
 * the running time, so that files give the same messages at any speed;
 * frames without a time always get one. */
gboolean
gst_saliency_message_due (GstSaliency * self, GstClockTime pts,
    const GstSaliencySettings * settings)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime running_time = GST_CLOCK_TIME_NONE;

  if (settings->message_interval == 0)
    return TRUE;
  if (trans->segment.format == GST_FORMAT_TIME && GST_CLOCK_TIME_IS_VALID (pts))
    running_time = gst_segment_to_running_time (&trans->segment,
        GST_FORMAT_TIME, pts);
  if (!GST_CLOCK_TIME_IS_VALID (running_time))
    return TRUE;

  /* Going back (a seek, a new segment) starts over. */
  if (GST_CLOCK_TIME_IS_VALID (self->last_message)
      && running_time >= self->last_message
      && running_time - self->last_message < settings->message_interval)
    return FALSE;

  self->last_message = running_time;
  return TRUE;
}
