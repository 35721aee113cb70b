/* Error reporting shared by the subcommands: one GError domain, one way to
 * word libav failures, one prefix on stderr. */
#include "salmap.h"

#include <stdarg.h>
#include <stdio.h>
#include <libavutil/error.h>

G_DEFINE_QUARK (salmap-error-quark, salmap_error);

void
salmap_printerr (const char *format, ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("salmap: %s\n", message);
  g_free (message);
}

void
salmap_set_av_error (GError ** error, int code, int averr,
    const char *format, ...)
{
  char errbuf[AV_ERROR_MAX_STRING_SIZE];
  va_list args;
  char *context;

  va_start (args, format);
  context = g_strdup_vprintf (format, args);
  va_end (args);
  /* av_err2str's text; the macro itself needs a compound literal per use. */
  av_strerror (averr, errbuf, sizeof (errbuf));
  g_set_error (error, SALMAP_ERROR, code, "%s: %s", context, errbuf);
  g_free (context);
}
