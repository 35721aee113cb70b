/* Ground truth for salmap eval: which file holds a frame's density or
 * fixation map, and reading it as a grayscale image.
 *
 * The rule: an image input's ground truth has the image's basename, as
 * BASE.png, else BASE.jpg, else the input's own file name (photo.jpeg ->
 * photo.png, photo.jpg, photo.jpeg). The frames of a video are numbered
 * from 1 with four digits, as DHF1K names them: 0001.png, else 0001.jpg,
 * ...; numbers past 9999 simply have more digits. */
#ifndef SALMAP_GT_H
#define SALMAP_GT_H

#include <glib.h>

#include "salmap-input.h"

G_BEGIN_DECLS

/* The path of the ground truth in dir for this frame, or NULL with an
 * error naming the files looked for. */
char *salmap_gt_find (const char *dir, const SalmapFrameInfo * info,
    GError ** error);

/* The path of the ground truth in dir for frame number (1-based) of a
 * video, or NULL (no error) when there is none. */
char *salmap_gt_find_video_frame (const char *dir, int number);

/* The first picture of an image file, as gray levels 0..255 in doubles,
 * row-major (g_free it). Gray and YUV images give their luma as stored;
 * colour images L = (19595 R + 38470 G + 7471 B + 2^15) >> 16, as
 * PIL's convert("L") computes it, so that a Python check reading the
 * same file with PIL sees the same numbers. */
double *salmap_gt_load (const char *path, int *width, int *height,
    GError ** error);

G_END_DECLS

#endif
