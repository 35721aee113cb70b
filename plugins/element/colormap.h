/* GStreamer saliency element: colormaps
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_SALIENCY_COLORMAP_H__
#define __GST_SALIENCY_COLORMAP_H__

#include <gst/video/video.h>

G_BEGIN_DECLS

/**
 * GstSaliencyColormap:
 * @GST_SALIENCY_COLORMAP_JET: blue - cyan - yellow - red (MATLAB's jet)
 * @GST_SALIENCY_COLORMAP_TURBO: Google's turbo, a smoother jet
 * @GST_SALIENCY_COLORMAP_INFERNO: black - purple - orange - yellow
 * @GST_SALIENCY_COLORMAP_VIRIDIS: purple - green - yellow
 * @GST_SALIENCY_COLORMAP_GRAY: black to white
 *
 * How a saliency value in [0, 1] is coloured in the overlay.
 */
typedef enum
{
  GST_SALIENCY_COLORMAP_JET,
  GST_SALIENCY_COLORMAP_TURBO,
  GST_SALIENCY_COLORMAP_INFERNO,
  GST_SALIENCY_COLORMAP_VIRIDIS,
  GST_SALIENCY_COLORMAP_GRAY,
} GstSaliencyColormap;

#define GST_TYPE_SALIENCY_COLORMAP (gst_saliency_colormap_get_type ())
GType gst_saliency_colormap_get_type (void);

/* 256 colours for the 256 levels of a quantised map, in the colour space
 * of the frame they are blended into. */
typedef struct
{
  guint8 c[256][3];             /* R, G, B or Y, U, V; gray uses c[i][0] */
} GstSaliencyPalette;

void gst_saliency_palette_init (GstSaliencyPalette * palette,
    GstSaliencyColormap colormap, const GstVideoInfo * info);

G_END_DECLS

#endif /* __GST_SALIENCY_COLORMAP_H__ */
