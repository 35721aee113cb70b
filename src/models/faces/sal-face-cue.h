/* The face cue of a stream: when to search for faces, and a * F added to a
 * model's net-size logits (docs/default-model-spec.md, step 10). Every
 * still picture is searched, and its faces used at once. Video: frame 0
 * after a reset likewise; then frames SAL_FACE_EVERY, 2 SAL_FACE_EVERY,
 * ... are searched on a worker thread, and their faces used from
 * SAL_FACE_LAG frames later on; the faces in use are held in between. */
#ifndef SAL_FACE_CUE_H
#define SAL_FACE_CUE_H

#include "faces/sal-faces.h"

G_BEGIN_DECLS

/* The searched pictures' long sides of a model without its own (v7's). */
#define SAL_FACE_SIDE_STILL 512
#define SAL_FACE_SIDE_VIDEO 384
#define SAL_FACE_EVERY 15
#define SAL_FACE_LAG 7

typedef struct _SalFaceCue SalFaceCue;

/* weight[0] still mode, weight[1] video mode (>= 0; 0: no cue there);
 * side[]: the long side of the picture searched in each mode. */
SalFaceCue *sal_face_cue_new (const float weight[2], const int side[2],
    GError ** error);
void sal_face_cue_free (SalFaceCue * cue);
/* Forget the faces: the next video frame is searched. */
void sal_face_cue_reset (SalFaceCue * cue);
/* Searches the frame for faces when it is due (frame is read before this
 * returns). */
void sal_face_cue_see (SalFaceCue * cue, const SalFrame * frame,
    gboolean still);
/* Whether the cue adds anything to this mode's next output. */
gboolean sal_face_cue_active (SalFaceCue * cue, gboolean still);
/* logits [h][w] += weight * F, F the face map of the faces last found;
 * FALSE (nothing to add) without faces or weight. */
gboolean sal_face_cue_add (SalFaceCue * cue, float *logits, int w, int h,
    gboolean still);

G_END_DECLS

#endif
