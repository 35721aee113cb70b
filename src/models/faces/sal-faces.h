/* The face cue: a Viola-Jones (Haar) face detector on the host, and the map
 * of the faces it finds. tools/face_cascade.py is the specification (detect,
 * face_map); the cascade is OpenCV's frontal-face one in our model file
 * format (models/faces.safetensors, embedded). */
#ifndef SAL_FACES_H
#define SAL_FACES_H

#include <glib.h>

#include "saliency.h"
#include "sal-model-file.h"

G_BEGIN_DECLS

typedef struct _SalFaceCascade SalFaceCascade;

typedef struct
{
  int x, y, w, h;               /* in the grey image */
  int n;                        /* hits grouped into this face */
} SalFace;

/* From a "haar-cascade" model file; NULL and a GError naming the problem
 * when a tensor is missing, misshapen or out of range. */
SalFaceCascade *sal_face_cascade_new (SalModelFile * file, GError ** error);
/* The embedded cascade. */
SalFaceCascade *sal_face_cascade_new_builtin (GError ** error);
void sal_face_cascade_free (SalFaceCascade * c);

/* The faces in grey [height][stride] (uint8, width x height used), most
 * hits first. The pyramid's scales are searched on n_threads threads (0:
 * one per processor); the faces do not depend on it. g_array_unref the
 * result. */
GArray *sal_face_cascade_detect (const SalFaceCascade * c,
    const guint8 * grey, int width, int height, int stride,
    guint n_threads);

/* map [height][width] = max over faces of c exp (-d^2 / (2 r^2)), d the
 * distance to the face's centre and r half its width, both scaled from
 * the grey_w x grey_h image the faces were found on, and c the face's
 * confidence from its hits, 1 - exp (-(n - 3) / 5); 0 without faces. */
void sal_face_map (const SalFace * faces, guint n_faces, int grey_w,
    int grey_h, float *map, int width, int height);

G_END_DECLS

#endif
