/* GStreamer saliency element: drawing the map
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_SALIENCY_OVERLAY_H__
#define __GST_SALIENCY_OVERLAY_H__

#include <gst/video/video.h>

#include "colormap.h"

G_BEGIN_DECLS

void gst_saliency_quantise (const gfloat * map, gsize n, gfloat max,
    guint8 * levels);

void gst_saliency_blend (GstVideoFrame * frame, const guint8 * levels,
    const GstSaliencyPalette * palette, gdouble alpha);

void gst_saliency_draw_map (GstVideoFrame * frame, const guint8 * levels);

G_END_DECLS

#endif /* __GST_SALIENCY_OVERLAY_H__ */
