/* GStreamer saliency element: caps negotiation
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* overlay, none and prefilter keep the caps (the pre-filter reads and
 * writes every input format); map turns any input format into GRAY8
 * of the same size and rate. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsaliency-private.h"

/* The formats of the sink pad, in order of preference. */
static const gchar *const input_formats[] = {
  "RGBx", "BGRx", "RGBA", "BGRA", "RGB", "BGR", "I420", "NV12", "GRAY8", NULL
};

static const gchar *const map_formats[] = { "GRAY8", NULL };

/* Copies of the structures of @caps with the format field set to @formats
 * and no colour fields (GRAY8 has none; the input can have any). */
static GstCaps *
gst_saliency_caps_set_formats (GstCaps * caps, const gchar * const *formats)
{
  GstCaps *result = gst_caps_new_empty ();
  GValue value = G_VALUE_INIT;
  guint i, n = gst_caps_get_size (caps);

  if (formats[1] == NULL) {
    g_value_init (&value, G_TYPE_STRING);
    g_value_set_static_string (&value, formats[0]);
  } else {
    g_value_init (&value, GST_TYPE_LIST);
    for (i = 0; formats[i]; i++) {
      GValue format = G_VALUE_INIT;

      g_value_init (&format, G_TYPE_STRING);
      g_value_set_static_string (&format, formats[i]);
      gst_value_list_append_and_take_value (&value, &format);
    }
  }

  for (i = 0; i < n; i++) {
    GstStructure *s = gst_structure_copy (gst_caps_get_structure (caps, i));
    GstCapsFeatures *f = gst_caps_get_features (caps, i);

    gst_structure_set_value (s, "format", &value);
    gst_structure_remove_fields (s, "colorimetry", "chroma-site", NULL);
    result = gst_caps_merge_structure_full (result, s,
        f ? gst_caps_features_copy (f) : NULL);
  }
  g_value_unset (&value);

  return result;
}

GstCaps *
gst_saliency_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter)
{
  GstSaliency *self = GST_SALIENCY (trans);
  GstCaps *result;
  gboolean map;

  GST_OBJECT_LOCK (self);
  map = self->settings.mode == GST_SALIENCY_MODE_MAP;
  GST_OBJECT_UNLOCK (self);

  if (!map) {
    /* overlay, none and prefilter: the same caps on both sides */
    result = gst_caps_ref (caps);
  } else if (direction == GST_PAD_SINK) {
    /* any of our formats in, the map out: GRAY8, same size and rate */
    result = gst_saliency_caps_set_formats (caps, map_formats);
  } else {
    /* only GRAY8 can come out; then any of our formats can go in */
    GstCaps *gray = gst_caps_from_string (GST_VIDEO_CAPS_MAKE ("GRAY8"));
    GstCaps *out = gst_caps_intersect (caps, gray);

    result = gst_saliency_caps_set_formats (out, input_formats);
    gst_caps_unref (out);
    gst_caps_unref (gray);
  }

  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, result,
        GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (result);
    result = tmp;
  }

  GST_DEBUG_OBJECT (self, "%s mode, %s caps %" GST_PTR_FORMAT
      " -> %" GST_PTR_FORMAT, map ? "map" : "in-place",
      direction == GST_PAD_SINK ? "sink" : "src", caps, result);

  return result;
}

/* In map mode, picks the output closest to the input's geometry. */
GstCaps *
gst_saliency_fixate_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * othercaps)
{
  const GstStructure *in = gst_caps_get_structure (caps, 0);
  GstStructure *out;
  gint width, height, num, den;

  othercaps = gst_caps_truncate (othercaps);
  othercaps = gst_caps_make_writable (othercaps);
  out = gst_caps_get_structure (othercaps, 0);

  if (gst_structure_get_int (in, "width", &width))
    gst_structure_fixate_field_nearest_int (out, "width", width);
  if (gst_structure_get_int (in, "height", &height))
    gst_structure_fixate_field_nearest_int (out, "height", height);
  if (gst_structure_get_fraction (in, "framerate", &num, &den))
    gst_structure_fixate_field_nearest_fraction (out, "framerate", num, den);
  if (gst_structure_get_fraction (in, "pixel-aspect-ratio", &num, &den)
      && gst_structure_has_field (out, "pixel-aspect-ratio"))
    gst_structure_fixate_field_nearest_fraction (out, "pixel-aspect-ratio",
        num, den);

  othercaps = gst_caps_fixate (othercaps);
  GST_DEBUG_OBJECT (trans, "fixated to %" GST_PTR_FORMAT, othercaps);

  return othercaps;
}
