/* GStreamer saliency element: mode prefilter
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The frame is low-passed where the block field of docs/compression.md
 * (the one saliencyenc gives x264) says it is less salient than average,
 * for encoders that read no metadata. The field follows the maps: a
 * reused map (QoS, inference-interval) leaves it as it is. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsaliency-private.h"

/* The block of the field: x264's macroblocks. */
#define BLOCK 16

/* Brings the field up to date with the latest map, at the frame's size. */
static void
gst_saliency_prefilter_update (GstSaliency * self, gint width, gint height)
{
  if (!self->prefilter || self->prefilter_width != width
      || self->prefilter_height != height) {
    gst_saliency_prefilter_free (self);
    self->prefilter_field = sal_qp_new (width, height, BLOCK, 1.0);
    self->prefilter = sal_prefilter_new (width, height, BLOCK);
    self->prefilter_width = width;
    self->prefilter_height = height;
    self->prefilter_offsets = NULL;
  }
  if (self->prefilter_offsets && self->prefilter_map == self->maps_made)
    return;
  /* Maps were made in another mode since: their history is not in the
   * field, so it starts again rather than blend in a stale one. */
  if (self->prefilter_map + 1 != self->maps_made)
    sal_qp_reset (self->prefilter_field);
  self->prefilter_offsets = sal_qp_update (self->prefilter_field,
      &self->stats);
  self->prefilter_map = self->maps_made;
}

gboolean
gst_saliency_prefilter_frame (GstSaliency * self, GstVideoFrame * frame,
    gdouble strength)
{
  SalPixelFormat format = sal_pixel_format_from_string
      (gst_video_format_to_string (GST_VIDEO_FRAME_FORMAT (frame)));
  guint8 *data[3] = { NULL, };
  int stride[3] = { 0, };
  GError *error = NULL;

  gst_saliency_prefilter_update (self, GST_VIDEO_FRAME_WIDTH (frame),
      GST_VIDEO_FRAME_HEIGHT (frame));
  for (guint i = 0; i < GST_VIDEO_FRAME_N_PLANES (frame) && i < 3; i++) {
    data[i] = GST_VIDEO_FRAME_PLANE_DATA (frame, i);
    stride[i] = GST_VIDEO_FRAME_PLANE_STRIDE (frame, i);
  }
  if (!sal_prefilter_apply (self->prefilter, self->prefilter_offsets,
          strength, format, data, stride, &error)) {
    gst_saliency_post_error (self, error, TRUE);
    g_clear_error (&error);
    return FALSE;
  }
  return TRUE;
}

/* A new stream: the field's smoothing starts again. */
void
gst_saliency_prefilter_reset (GstSaliency * self)
{
  if (self->prefilter_field)
    sal_qp_reset (self->prefilter_field);
  self->prefilter_offsets = NULL;
  self->prefilter_map = self->maps_made;
}

void
gst_saliency_prefilter_free (GstSaliency * self)
{
  g_clear_pointer (&self->prefilter_field, sal_qp_free);
  g_clear_pointer (&self->prefilter, sal_prefilter_free);
  self->prefilter_offsets = NULL;
}
