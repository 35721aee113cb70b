/* GStreamer saliency element: the instance, shared by its source files
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_SALIENCY_PRIVATE_H__
#define __GST_SALIENCY_PRIVATE_H__

#include <saliency.h>

#include "gstsaliency.h"
#include "colormap.h"
#include "overlay.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_saliency_debug);
#define GST_CAT_DEFAULT gst_saliency_debug

#define MAX_ROIS 64

/* The properties the streaming thread uses, copied once per frame. */
typedef struct
{
  GstSaliencyMode mode;
  gdouble alpha;
  GstSaliencyColormap colormap;
  gdouble roi_threshold;
  guint max_rois;
  gint roi_delta_qp;
  gboolean post_messages;
  guint inference_interval;
} GstSaliencySettings;

/* Why a frame has no map of its own. */
typedef enum
{
  GST_SALIENCY_REUSE_NONE,
  GST_SALIENCY_REUSE_QOS,       /* late: see the QoS events */
  GST_SALIENCY_REUSE_INTERVAL,  /* inference-interval */
} GstSaliencyReuse;

struct _GstSaliency
{
  GstVideoFilter parent;

  /* Properties and the QoS/latency bookkeeping, with the object lock. */
  GstSaliencySettings settings;
  gchar *model;
  gchar *device;
  gchar *domain;
  gchar *net_size;
  gint modulo;
  gboolean still;
  gint64 latency;
  GstClockTime earliest_time;   /* from QOS events; late frames skip */
  GstClockTime max_processing;  /* the slowest frame so far */
  GstClockTime reported_latency;        /* in the last LATENCY answer */
  gboolean live;                /* as the last LATENCY answer found it */

  /* Streaming state. */
  SalEngine *engine;
  gboolean warm;                /* a frame went through since the reset */
  GstClockTime next_pts;        /* where the stream is expected to go on */
  GBytes *map;                  /* the latest map; NULL: none yet */
  SalMap stats;                 /* its size, max and peak; data not owned */
  gint frame_width;             /* of the frame the map was computed for */
  gint frame_height;
  guint age;                    /* frames since the map was computed */
  GstSaliencyRenderer *renderer;
  SalRegion regions[MAX_ROIS];  /* in frame pixels */
  gint n_regions;
  gdouble regions_threshold;
  guint regions_max;
  gboolean regions_valid;
  GstSaliencyPalette palette;
  GstSaliencyColormap palette_colormap;
  gboolean palette_valid;
};

/* gstsaliency.c */
void gst_saliency_reset (GstSaliency * self);
void gst_saliency_post_error (GstSaliency * self, const GError * error,
    gboolean streaming);

/* gstsaliency-caps.c */
GstCaps *gst_saliency_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter);
GstCaps *gst_saliency_fixate_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * othercaps);

/* gstsaliency-transform.c: per frame */
GstFlowReturn gst_saliency_transform_ip (GstBaseTransform * trans,
    GstBuffer * buf);
GstFlowReturn gst_saliency_transform_frame (GstVideoFilter * filter,
    GstVideoFrame * in_frame, GstVideoFrame * out_frame);

/* gstsaliency-outputs.c: what the map becomes besides pixels */
void gst_saliency_find_regions (GstSaliency * self,
    const GstSaliencySettings * settings);
void gst_saliency_attach_metas (GstSaliency * self, GstBuffer * buf,
    const GstSaliencySettings * settings, GstSaliencyReuse reuse);
void gst_saliency_post_frame_message (GstSaliency * self, GstBuffer * buf,
    GstSaliencyReuse reuse, GstClockTime elapsed);

G_END_DECLS

#endif /* __GST_SALIENCY_PRIVATE_H__ */
