/* GStreamer saliency-guided encoder
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_SALIENCY_ENC_H__
#define __GST_SALIENCY_ENC_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideoencoder.h>

G_BEGIN_DECLS

#define GST_TYPE_SALIENCY_ENC (gst_saliency_enc_get_type ())
G_DECLARE_FINAL_TYPE (GstSaliencyEnc, gst_saliency_enc, GST, SALIENCY_ENC,
    GstVideoEncoder)

GST_ELEMENT_REGISTER_DECLARE (saliencyenc);

G_END_DECLS

#endif /* __GST_SALIENCY_ENC_H__ */
