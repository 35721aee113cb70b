/* The face cue of one stream (sal-face-cue.h); tools/default_model.py's
 * DefaultStream is its reference. */
#include "sal-face-cue.h"

struct _SalFaceCue
{
  SalFaceCascade *cascade;
  float weight[2];
  GArray *faces;                /* of the last search */
  int pic_w, pic_h;             /* the picture they were found in */
  int age;                      /* video frames since it; -1: none yet */
  float *map;                   /* net size, grown */
  gsize map_size;
};

SalFaceCue *
sal_face_cue_new (const float weight[2], GError ** error)
{
  SalFaceCascade *c = sal_face_cascade_new_builtin (error);
  SalFaceCue *cue;

  if (!c)
    return NULL;
  cue = g_new0 (SalFaceCue, 1);
  cue->cascade = c;
  cue->weight[0] = weight[0];
  cue->weight[1] = weight[1];
  cue->faces = g_array_new (FALSE, FALSE, sizeof (SalFace));
  cue->age = -1;
  return cue;
}

void
sal_face_cue_free (SalFaceCue * cue)
{
  if (!cue)
    return;
  sal_face_cascade_free (cue->cascade);
  g_array_unref (cue->faces);
  g_free (cue->map);
  g_free (cue);
}

void
sal_face_cue_reset (SalFaceCue * cue)
{
  g_array_set_size (cue->faces, 0);
  cue->age = -1;
}

void
sal_face_cue_see (SalFaceCue * cue, const SalFrame * frame, gboolean still)
{
  guint8 *pic;

  if (cue->weight[still ? 0 : 1] <= 0)
    return;
  if (!still && cue->age >= 0 && cue->age < SAL_FACE_EVERY) {
    cue->age++;
    return;
  }
  pic = sal_face_picture (frame, still ? SAL_FACE_SIDE_STILL :
      SAL_FACE_SIDE_VIDEO, &cue->pic_w, &cue->pic_h);
  g_array_unref (cue->faces);
  cue->faces = sal_face_cascade_detect (cue->cascade, pic, cue->pic_w,
      cue->pic_h, cue->pic_w);
  g_free (pic);
  /* A still picture's faces are not a video's: the next frame searches. */
  cue->age = still ? -1 : 1;
}

gboolean
sal_face_cue_active (SalFaceCue * cue, gboolean still)
{
  return cue->weight[still ? 0 : 1] > 0 && cue->faces->len > 0;
}

gboolean
sal_face_cue_add (SalFaceCue * cue, float *logits, int w, int h,
    gboolean still)
{
  float a = cue->weight[still ? 0 : 1];
  gsize n = (gsize) w * h;

  if (!sal_face_cue_active (cue, still))
    return FALSE;
  if (cue->map_size < n) {
    g_free (cue->map);
    cue->map = g_new (float, n);
    cue->map_size = n;
  }
  sal_face_map ((const SalFace *) cue->faces->data, cue->faces->len,
      cue->pic_w, cue->pic_h, cue->map, w, h);
  for (gsize i = 0; i < n; i++)
    logits[i] += a * cue->map[i];
  return TRUE;
}
