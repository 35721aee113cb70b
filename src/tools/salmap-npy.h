/* Streaming writer of one float32 .npy array [T, H, W]: maps are appended
 * as they come, T is only known at the end. */
#ifndef SALMAP_NPY_H
#define SALMAP_NPY_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SalmapNpy SalmapNpy;

/* Nothing is written until the first frame; the array goes to a temporary
 * file next to path, renamed to path by a successful close, so that a
 * failed run leaves no truncated array that looks complete. */
SalmapNpy *salmap_npy_new (const char *path);

/* Appends one [H, W] map. All maps must have the first one's size
 * (SALMAP_ERROR_SHAPE otherwise). */
gboolean salmap_npy_append (SalmapNpy * npy, const float *data, int width,
    int height, GError ** error);

/* Writes the final header and renames the file into place. At least one
 * map must have been appended. */
gboolean salmap_npy_close (SalmapNpy * npy, GError ** error);

/* Frees; removes the temporary file unless closed successfully. */
void salmap_npy_free (SalmapNpy * npy);

G_END_DECLS

#endif /* SALMAP_NPY_H */
