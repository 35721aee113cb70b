/* Progress on stderr for long runs: a line redrawn in place on a terminal,
 * a line every few seconds in a log. */
#ifndef SALMAP_PROGRESS_H
#define SALMAP_PROGRESS_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SalmapProgress SalmapProgress;

/* Starts the clock. Disabled: prints nothing, still measures. */
SalmapProgress *salmap_progress_new (gboolean enabled);
void salmap_progress_free (SalmapProgress * progress);

/* done frames of total (-1: unknown). Cheap enough to call every frame:
 * it only prints when a redraw is due. */
void salmap_progress_update (SalmapProgress * progress, int done, int total);

/* Erases the terminal line, so that a message or summary that follows
 * starts clean. Call before printing anything else to stderr. */
void salmap_progress_clear (SalmapProgress * progress);

/* Seconds since salmap_progress_new. */
double salmap_progress_elapsed (SalmapProgress * progress);

G_END_DECLS

#endif /* SALMAP_PROGRESS_H */
