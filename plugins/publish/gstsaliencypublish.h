/* GStreamer saliencypublish element
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_SALIENCY_PUBLISH_H__
#define __GST_SALIENCY_PUBLISH_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

/**
 * GstSaliencyPublishMethod:
 * @GST_SALIENCY_PUBLISH_METHOD_FILE: JSON lines into a file or stdout
 * @GST_SALIENCY_PUBLISH_METHOD_MQTT: one MQTT message per frame
 *
 * Where saliencypublish sends its records.
 */
typedef enum
{
  GST_SALIENCY_PUBLISH_METHOD_FILE,
  GST_SALIENCY_PUBLISH_METHOD_MQTT,
} GstSaliencyPublishMethod;

#define GST_TYPE_SALIENCY_PUBLISH_METHOD \
  (gst_saliency_publish_method_get_type ())
GType gst_saliency_publish_method_get_type (void);

#define GST_TYPE_SALIENCY_PUBLISH (gst_saliency_publish_get_type ())
G_DECLARE_FINAL_TYPE (GstSaliencyPublish, gst_saliency_publish, GST,
    SALIENCY_PUBLISH, GstBaseTransform);

GST_ELEMENT_REGISTER_DECLARE (saliencypublish);

G_END_DECLS

#endif /* __GST_SALIENCY_PUBLISH_H__ */
