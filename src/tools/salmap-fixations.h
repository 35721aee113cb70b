/* The fixations of every frame of an evaluation, kept as pixel lists, for
 * shuffled AUC: its negatives for a frame are the union of the fixations
 * of all the other frames.
 *
 * Frames may differ in size (a set of stills): another frame's fixation
 * (x, y) of a w x h map counts at ((x + 0.5) W / w, (y + 0.5) H / h),
 * rounded down, in a W x H frame, the same place relative to the picture. */
#ifndef SALMAP_FIXATIONS_H
#define SALMAP_FIXATIONS_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SalmapFixations SalmapFixations;

SalmapFixations *salmap_fixations_new (void);
void salmap_fixations_free (SalmapFixations * fix);

/* Adds the next frame: its fixation map as gray levels, > 0 at a
 * fixation. Returns how many fixations it has. */
int salmap_fixations_add (SalmapFixations * fix, const double *gray,
    int width, int height);

guint salmap_fixations_get_n_frames (SalmapFixations * fix);

/* Frame's own map, 1 at its fixations, 0 elsewhere (g_free it). */
guint8 *salmap_fixations_get_mask (SalmapFixations * fix, guint frame,
    int *width, int *height);

/* The union of the other frames' fixations, at frame's size, 1 where any
 * other frame has one (g_free it). */
guint8 *salmap_fixations_get_others (SalmapFixations * fix, guint frame);

G_END_DECLS

#endif
