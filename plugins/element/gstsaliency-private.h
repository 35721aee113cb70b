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
#include "gstsaliencymeta.h"
#include "colormap.h"
#include "overlay.h"
#include "sal-prefilter.h"
#include "sal-qp.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_saliency_debug);
#define GST_CAT_DEFAULT gst_saliency_debug

#define MAX_ROIS 64

/* The properties the streaming thread uses, copied once per frame. */
typedef struct
{
  GstSaliencyMode mode;
  gdouble alpha;
  gdouble prefilter_strength;
  GstSaliencyColormap colormap;
  gdouble roi_threshold;
  guint max_rois;
  gint roi_delta_qp;
  gboolean post_messages;
  guint inference_interval;
  GstClockTime message_interval;
  GstClockTime stats_interval;
} GstSaliencySettings;

/* Which frame of which source, and when: what every result carries. */
typedef struct
{
  guint64 frame;
  GstClockTime pts;
  GstClockTime utc;             /* ns since the Unix epoch */
  GstSaliencyTimeSource time_source;
  gchar *source_id;
  gchar *tags;                  /* JSON object text; NULL: none */
} GstSaliencyStamp;

/* The frames since the last "saliency-stats" report. */
typedef struct
{
  gint64 start;                 /* monotonic, us; 0: not started */
  guint frames;
  guint maps;
  GArray *times;                /* GstClockTime: processing of each frame */
} GstSaliencyHealth;

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
  gchar *source_id;
  gchar *tags_text;             /* the property as set */
  gchar *tags;                  /* it as a JSON object; NULL: none */
  gchar *tags_error;            /* why tags_text is refused; NULL: valid */

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
  guint64 maps_made;            /* counts the maps computed */
  /* Pre-filter mode: the block field of docs/compression.md, and the last
   * map it was updated with (maps_made at the time). */
  SalQp *prefilter_field;
  SalPrefilter *prefilter;
  const float *prefilter_offsets;
  guint64 prefilter_map;
  gint prefilter_width;
  gint prefilter_height;
  GstSaliencyPalette palette;
  GstSaliencyColormap palette_colormap;
  gboolean palette_valid;
  guint64 frames;               /* since start */
  gint upstream_live;           /* -1: not asked yet */
  GstClockTime last_message;    /* running time of the last frame message */
  GstSaliencyHealth health;
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
    const GstSaliencySettings * settings, GstSaliencyReuse reuse,
    const GstSaliencyStamp * stamp);
void gst_saliency_post_frame_message (GstSaliency * self, GstBuffer * buf,
    GstSaliencyReuse reuse, GstClockTime elapsed,
    const GstSaliencyStamp * stamp);

/* gstsaliency-prefilter.c: mode prefilter */
gboolean gst_saliency_prefilter_frame (GstSaliency * self,
    GstVideoFrame * frame, gdouble strength);
void gst_saliency_prefilter_reset (GstSaliency * self);
void gst_saliency_prefilter_free (GstSaliency * self);

/* gstsaliency-identity.c: source, tags, frame number, wall-clock time */
gboolean gst_saliency_tags_to_json (const gchar * text, gchar ** json,
    GError ** error);
void gst_saliency_stamp_frame (GstSaliency * self, GstBuffer * buf,
    GstSaliencyStamp * stamp);
void gst_saliency_stamp_clear (GstSaliencyStamp * stamp);
gboolean gst_saliency_message_due (GstSaliency * self, GstClockTime pts,
    const GstSaliencySettings * settings);

/* gstsaliency-health.c: the periodic "saliency-stats" */
void gst_saliency_health_init (GstSaliencyHealth * health);
void gst_saliency_health_clear (GstSaliencyHealth * health);
void gst_saliency_health_add (GstSaliency * self, GstClockTime elapsed,
    gboolean reused, const GstSaliencySettings * settings,
    const GstSaliencyStamp * stamp);

G_END_DECLS

#endif /* __GST_SALIENCY_PRIVATE_H__ */
