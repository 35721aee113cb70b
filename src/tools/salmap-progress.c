/* Progress display; see salmap-progress.h. */
#include "salmap-progress.h"

#include <stdio.h>
#include <unistd.h>

/* A terminal redraws often enough to look alive; a log (CI, a file) gets a
 * line now and then rather than one per frame. */
#define TTY_INTERVAL_US (G_USEC_PER_SEC / 10)
#define LOG_INTERVAL_US (5 * G_USEC_PER_SEC)

struct _SalmapProgress
{
  gboolean enabled;
  gboolean tty;
  gint64 start;
  gint64 last;                  /* last print, or start */
  int drawn;                    /* characters on the terminal line */
};

SalmapProgress *
salmap_progress_new (gboolean enabled)
{
  SalmapProgress *progress = g_new0 (SalmapProgress, 1);

  progress->enabled = enabled;
  progress->tty = isatty (STDERR_FILENO);
  progress->start = progress->last = g_get_monotonic_time ();
  return progress;
}

void
salmap_progress_free (SalmapProgress * progress)
{
  if (progress == NULL)
    return;
  salmap_progress_clear (progress);
  g_free (progress);
}

double
salmap_progress_elapsed (SalmapProgress * progress)
{
  return (g_get_monotonic_time () - progress->start) / (double) G_USEC_PER_SEC;
}

void
salmap_progress_update (SalmapProgress * progress, int done, int total)
{
  gint64 now = g_get_monotonic_time ();
  double seconds, fps;
  char line[128];
  int len;

  if (!progress->enabled || now - progress->last
      < (progress->tty ? TTY_INTERVAL_US : LOG_INTERVAL_US))
    return;
  progress->last = now;
  seconds = (now - progress->start) / (double) G_USEC_PER_SEC;
  fps = seconds > 0 ? done / seconds : 0;
  if (total > 0)
    len = g_snprintf (line, sizeof (line), "frame %d/%d  %.1f fps", done,
        total, fps);
  else
    len = g_snprintf (line, sizeof (line), "frame %d  %.1f fps", done, fps);

  if (progress->tty) {
    /* Pad over the tail of a longer previous line. */
    fprintf (stderr, "\r%s%*s", line, MAX (progress->drawn - len, 0), "");
    progress->drawn = MAX (len, progress->drawn);
  } else {
    fprintf (stderr, "%s\n", line);
  }
  fflush (stderr);
}

void
salmap_progress_clear (SalmapProgress * progress)
{
  if (progress->drawn > 0) {
    fprintf (stderr, "\r%*s\r", progress->drawn, "");
    fflush (stderr);
  }
  progress->drawn = 0;
}
