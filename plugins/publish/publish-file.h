/* saliencypublish: JSON lines into a file or stdout
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __PUBLISH_FILE_H__
#define __PUBLISH_FILE_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GstSaliencyFileOutput GstSaliencyFileOutput;

GstSaliencyFileOutput *gst_saliency_file_output_open (const gchar * location,
    GError ** error);
gboolean gst_saliency_file_output_write (GstSaliencyFileOutput * out,
    const gchar * line, gsize len, GError ** error);
void gst_saliency_file_output_close (GstSaliencyFileOutput * out);

G_END_DECLS

#endif /* __PUBLISH_FILE_H__ */
