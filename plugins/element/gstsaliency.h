/* GStreamer saliency element
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_SALIENCY_H__
#define __GST_SALIENCY_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

/**
 * GstSaliencyMode:
 * @GST_SALIENCY_MODE_OVERLAY: blend a heatmap of the map into the frame
 * @GST_SALIENCY_MODE_MAP: output the map itself, as GRAY8 at the frame size
 * @GST_SALIENCY_MODE_NONE: leave the frame as it is (metadata only)
 * @GST_SALIENCY_MODE_PREFILTER: blur the areas nobody looks at, for
 *   encoders that read no saliency metadata
 *
 * What the saliency element does to the picture.
 */
typedef enum
{
  GST_SALIENCY_MODE_OVERLAY,
  GST_SALIENCY_MODE_MAP,
  GST_SALIENCY_MODE_NONE,
  GST_SALIENCY_MODE_PREFILTER,
} GstSaliencyMode;

#define GST_TYPE_SALIENCY_MODE (gst_saliency_mode_get_type ())
GType gst_saliency_mode_get_type (void);

#define GST_TYPE_SALIENCY (gst_saliency_get_type ())
G_DECLARE_FINAL_TYPE (GstSaliency, gst_saliency, GST, SALIENCY,
    GstVideoFilter);

GST_ELEMENT_REGISTER_DECLARE (saliency);

G_END_DECLS

#endif /* __GST_SALIENCY_H__ */
