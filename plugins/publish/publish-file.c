/* saliencypublish: JSON lines into a file or stdout
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* One record per line, flushed at once: a reader that follows the file
 * (tail -f, a pipe into jq) sees each frame when it is done. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "publish-file.h"

#include <errno.h>
#include <stdio.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

struct _GstSaliencyFileOutput
{
  FILE *file;
  gchar *location;
  gboolean owned;               /* FALSE for stdout */
};

/* @location: a path (created or truncated), or "-" for stdout. */
GstSaliencyFileOutput *
gst_saliency_file_output_open (const gchar * location, GError ** error)
{
  GstSaliencyFileOutput *out;
  FILE *file;

  if (!location || !*location) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "no location: set location=PATH, or location=- for stdout");
    return NULL;
  }
  if (g_str_equal (location, "-")) {
    file = stdout;
  } else {
    file = g_fopen (location, "wb");
    if (!file) {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
          "cannot open \"%s\" for writing: %s", location, g_strerror (errsv));
      return NULL;
    }
  }

  out = g_new0 (GstSaliencyFileOutput, 1);
  out->file = file;
  out->location = g_strdup (location);
  out->owned = file != stdout;
  return out;
}

gboolean
gst_saliency_file_output_write (GstSaliencyFileOutput * out,
    const gchar * line, gsize len, GError ** error)
{
  if (fwrite (line, 1, len, out->file) != len || fputc ('\n', out->file) < 0
      || fflush (out->file) != 0) {
    int errsv = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
        "cannot write to \"%s\": %s", out->location, g_strerror (errsv));
    clearerr (out->file);
    return FALSE;
  }
  return TRUE;
}

void
gst_saliency_file_output_close (GstSaliencyFileOutput * out)
{
  if (!out)
    return;
  if (out->owned)
    fclose (out->file);
  g_free (out->location);
  g_free (out);
}
