/* The pictures the face detector searches (sal-face-picture.c): a frame's
 * grey at a given size, and the pyramid's fixed-point bilinear resize. */
#ifndef SAL_FACE_PICTURE_H
#define SAL_FACE_PICTURE_H

#include "saliency.h"

G_BEGIN_DECLS

/* grey [h][stride] (w used) -> out [oh][ow], source coordinate
 * (x + 0.5) s - 0.5 clamped, weights in 1/2048ths
 * (face_cascade.resize_bilinear). */
void sal_face_resize (const guint8 * grey, int w, int h, int stride,
    double s, guint8 * out, int ow, int oh);

/* The picture faces are searched in (face_cascade.frame_grey): the
 * frame's grey (BT.601 luma; I420 and NV12 give their Y plane stretched
 * from video range) resized to a long side of side pixels, enlarged or
 * reduced, by fixed-point bilinear. Returns width x height bytes (g_free
 * them). */
guint8 *sal_face_picture (const SalFrame * frame, int side, int *width,
    int *height);

G_END_DECLS

#endif
