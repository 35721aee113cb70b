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

/* Draws a map that is smaller than the frame (the model's resolution) at
 * the frame's resolution: bilinear upsampling, colour mapping and blending
 * in one pass over the frame, in fixed point. It keeps the quantised map
 * and the interpolation tables of the last geometry between frames. */
typedef struct _GstSaliencyRenderer GstSaliencyRenderer;

GstSaliencyRenderer *gst_saliency_renderer_new (void);
void gst_saliency_renderer_free (GstSaliencyRenderer * renderer);

void gst_saliency_renderer_set_map (GstSaliencyRenderer * renderer,
    const gfloat * map, gint width, gint height, gfloat max);

void gst_saliency_renderer_blend (GstSaliencyRenderer * renderer,
    GstVideoFrame * frame, const GstSaliencyPalette * palette,
    gdouble alpha);

void gst_saliency_renderer_draw_map (GstSaliencyRenderer * renderer,
    GstVideoFrame * frame);

void gst_saliency_quantise (const gfloat * map, gsize n, gfloat max,
    guint8 * levels);

G_END_DECLS

#endif /* __GST_SALIENCY_OVERLAY_H__ */
