/* GStreamer saliency element: splitting per-row work over threads
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_SALIENCY_BANDS_H__
#define __GST_SALIENCY_BANDS_H__

#include <glib.h>

G_BEGIN_DECLS

/* The most bands a frame is split into. */
#define GST_SALIENCY_MAX_BANDS 8

/* Processes band @band of @n_bands (rows band * n / n_bands up to
 * (band + 1) * n / n_bands of whatever the caller splits). */
typedef void (*GstSaliencyBandFunc) (gpointer ctx, gint band, gint n_bands);

gint gst_saliency_bands_for (gsize samples);

void gst_saliency_bands_run (gint n_bands, GstSaliencyBandFunc func,
    gpointer ctx);

static inline gint
gst_saliency_band_start (gint n, gint band, gint n_bands)
{
  return (gint) ((gint64) n * band / n_bands);
}

G_END_DECLS

#endif /* __GST_SALIENCY_BANDS_H__ */
