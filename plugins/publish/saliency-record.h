/* saliencypublish: a frame's results as one JSON object
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __SALIENCY_RECORD_H__
#define __SALIENCY_RECORD_H__

#include <gst/gst.h>

#include "gstsaliencymeta.h"

G_BEGIN_DECLS

/* What goes into a record besides the metas of the buffer. */
typedef struct
{
  guint grid_cols;              /* 0: no grid */
  guint grid_rows;
  const GstStructure *stats;    /* nullable: "saliency-stats" to include */
  guint64 published;            /* the publisher's counts, for stats */
  guint64 dropped;
} GstSaliencyRecordOptions;

void gst_saliency_record_write (GString * out, GstBuffer * buf,
    const GstSaliencyMeta * meta, const GstSaliencyRecordOptions * options);

gboolean gst_saliency_parse_grid (const gchar * text, guint * cols,
    guint * rows);

G_END_DECLS

#endif /* __SALIENCY_RECORD_H__ */
