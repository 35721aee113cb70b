/* GStreamer saliency metadata
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_SALIENCY_META_H__
#define __GST_SALIENCY_META_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_SALIENCY_META_API_TYPE (gst_saliency_meta_api_get_type ())
#define GST_SALIENCY_META_INFO (gst_saliency_meta_get_info ())

typedef struct _GstSaliencyMeta GstSaliencyMeta;

/**
 * GstSaliencyMetaFlags:
 * @GST_SALIENCY_META_FLAG_NONE: the map was computed for this frame
 * @GST_SALIENCY_META_FLAG_REUSED: the map was computed for an earlier frame
 *   and is reused for this one (see #GstSaliencyMeta.age)
 * @GST_SALIENCY_META_FLAG_INTERVAL: set with %GST_SALIENCY_META_FLAG_REUSED
 *   when the reason is the element's inference-interval; without it, the
 *   frame was late (QoS)
 *
 * How the map of a #GstSaliencyMeta relates to its frame.
 */
typedef enum
{
  GST_SALIENCY_META_FLAG_NONE = 0,
  GST_SALIENCY_META_FLAG_REUSED = (1 << 0),
  GST_SALIENCY_META_FLAG_INTERVAL = (1 << 1),
} GstSaliencyMetaFlags;

/**
 * GstSaliencyTimeSource:
 * @GST_SALIENCY_TIME_SOURCE_NONE: no wall-clock time is known
 * @GST_SALIENCY_TIME_SOURCE_REFERENCE: from a #GstReferenceTimestampMeta of
 *   the frame (timestamp/x-ntp or timestamp/x-unix), for example the sender's
 *   clock in RTCP sender reports (rtspsrc add-reference-timestamp-meta=true)
 * @GST_SALIENCY_TIME_SOURCE_CLOCK: capture time by the pipeline clock (base
 *   time + the frame's running time) in a live pipeline, mapped to the
 *   system's real-time clock
 * @GST_SALIENCY_TIME_SOURCE_ARRIVAL: the system's real-time clock when the
 *   frame reached the saliency element (not live, or no clock)
 *
 * Where #GstSaliencyMeta.utc comes from, most trusted first.
 */
typedef enum
{
  GST_SALIENCY_TIME_SOURCE_NONE,
  GST_SALIENCY_TIME_SOURCE_REFERENCE,
  GST_SALIENCY_TIME_SOURCE_CLOCK,
  GST_SALIENCY_TIME_SOURCE_ARRIVAL,
} GstSaliencyTimeSource;

const gchar *gst_saliency_time_source_to_string (GstSaliencyTimeSource source);

/**
 * GstSaliencyMeta:
 * @meta: parent #GstMeta
 * @width: width of the map in samples (not the frame's width)
 * @height: height of the map in samples
 * @data: @width x @height floats, row-major with no padding: a probability
 *   distribution over the map (the values are >= 0 and sum to 1)
 * @max: the largest value of @data; divide by it for a map in [0, 1]
 * @peak_x: column of @max, in map samples
 * @peak_y: row of @max, in map samples
 * @frame_width: width in pixels of the frame the map covers
 * @frame_height: height in pixels of the frame the map covers
 * @flags: #GstSaliencyMetaFlags
 * @age: frames since the map was computed (0 when it is this frame's)
 * @frame: the frame's number at the saliency element, from 0 when it
 *   started (counting every frame, reused maps included)
 * @pts: the frame's PTS at the saliency element
 * @utc: wall-clock time of the frame in nanoseconds since the Unix epoch
 *   (UTC); #GST_CLOCK_TIME_NONE when unknown; see @time_source
 * @time_source: where @utc comes from
 * @source_id: (nullable): the saliency element's source-id (its name when
 *   the property is not set)
 * @tags: (nullable): the saliency element's tags, as the text of a JSON
 *   object; %NULL when none are set
 *
 * Where people are predicted to look in the frame of the buffer, as computed
 * by the saliency element. The map covers the whole frame at its own
 * resolution, usually much smaller than the frame (the model's), with the
 * frame's aspect ratio: sample (i, j) covers the frame pixels from
 * i * @frame_width / @width to (i + 1) * @frame_width / @width (and the
 * same vertically). gst_saliency_meta_sample() reads it at any frame pixel,
 * interpolated. Elements that scale the video keep the map and update
 * @frame_width and @frame_height; other transformations drop the meta.
 *
 * The data is shared between buffers, not copied: it is read-only.
 */
struct _GstSaliencyMeta
{
  GstMeta meta;

  guint width;
  guint height;
  const gfloat *data;
  gfloat max;
  guint peak_x;
  guint peak_y;
  guint frame_width;
  guint frame_height;
  GstSaliencyMetaFlags flags;
  guint age;
  guint64 frame;
  GstClockTime pts;
  GstClockTime utc;
  GstSaliencyTimeSource time_source;
  gchar *source_id;
  gchar *tags;

  /*< private >*/
  GBytes *bytes;
  gpointer _gst_reserved[GST_PADDING];
};

GType gst_saliency_meta_api_get_type (void);
const GstMetaInfo *gst_saliency_meta_get_info (void);

/**
 * gst_buffer_get_saliency_meta:
 * @b: a #GstBuffer
 *
 * Returns: (nullable) (transfer none): the #GstSaliencyMeta of @b, or %NULL
 */
#define gst_buffer_get_saliency_meta(b) \
  ((GstSaliencyMeta *) gst_buffer_get_meta ((b), GST_SALIENCY_META_API_TYPE))

GstSaliencyMeta *gst_buffer_add_saliency_meta (GstBuffer * buffer,
    GBytes * map, guint width, guint height, guint frame_width,
    guint frame_height);

const gfloat *gst_saliency_meta_get_map (const GstSaliencyMeta * meta,
    guint * width, guint * height);
GBytes *gst_saliency_meta_get_bytes (const GstSaliencyMeta * meta);
gfloat gst_saliency_meta_get_value (const GstSaliencyMeta * meta, guint x,
    guint y);
gfloat gst_saliency_meta_sample (const GstSaliencyMeta * meta, gdouble x,
    gdouble y);
void gst_saliency_meta_get_peak (const GstSaliencyMeta * meta, gdouble * x,
    gdouble * y);
void gst_saliency_meta_set_identity (GstSaliencyMeta * meta, guint64 frame,
    GstClockTime pts, GstClockTime utc, GstSaliencyTimeSource time_source,
    const gchar * source_id, const gchar * tags);

G_END_DECLS

#endif /* __GST_SALIENCY_META_H__ */
