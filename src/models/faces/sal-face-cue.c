/* The face cue of one stream (sal-face-cue.h); tools/default_model.py's
 * DefaultStream is its reference.
 *
 * On video, the search after a reset runs at once; the later ones run on a
 * worker thread, started on their frame and joined SAL_FACE_LAG frames
 * later, so that no frame waits for a whole search. Both are fixed frame
 * counts, so the maps do not depend on the machine's speed. */
#include "sal-face-cue.h"
#include "sal-face-picture.h"

typedef struct
{
  const SalFaceCascade *cascade;
  guint8 *pic;
  int w, h;
  guint n_threads;
  GArray *faces;                /* the worker's result */
} Search;

struct _SalFaceCue
{
  SalFaceCascade *cascade;
  float weight[2];
  int side[2];                  /* the searched pictures' long sides */
  GArray *faces;                /* in use */
  int pic_w, pic_h;             /* the picture they were found in */
  int t;                        /* video frames since a reset; -1: none */
  GThread *worker;              /* a search in flight, or NULL */
  float *map;                   /* F of the faces in use, grown */
  gsize map_size;
  int map_w, map_h;             /* its size; 0: to be made */
};

SalFaceCue *
sal_face_cue_new (const float weight[2], const int side[2], GError ** error)
{
  SalFaceCascade *c = sal_face_cascade_new_builtin (error);
  SalFaceCue *cue;

  if (!c)
    return NULL;
  cue = g_new0 (SalFaceCue, 1);
  cue->cascade = c;
  cue->weight[0] = weight[0];
  cue->weight[1] = weight[1];
  cue->side[0] = side[0];
  cue->side[1] = side[1];
  cue->faces = g_array_new (FALSE, FALSE, sizeof (SalFace));
  cue->t = -1;
  return cue;
}

/* A search the frame waits for uses every processor (0); one on the
 * worker uses one, beside the streaming thread. */
static Search *
search_new (SalFaceCue * cue, const SalFrame * frame, int side,
    guint n_threads)
{
  Search *s = g_new0 (Search, 1);

  s->cascade = cue->cascade;
  s->pic = sal_face_picture (frame, side, &s->w, &s->h);
  s->n_threads = n_threads;
  return s;
}

static gpointer
search_run (gpointer data)
{
  Search *s = data;

  s->faces = sal_face_cascade_detect (s->cascade, s->pic, s->w, s->h, s->w,
      s->n_threads);
  return s;
}

/* The search's faces become the ones in use. */
static void
take (SalFaceCue * cue, Search * s)
{
  g_array_unref (cue->faces);
  cue->faces = s->faces;
  cue->pic_w = s->w;
  cue->pic_h = s->h;
  cue->map_w = cue->map_h = 0;
  g_free (s->pic);
  g_free (s);
}

/* Waits for the search in flight; its faces are used when keep. */
static void
join (SalFaceCue * cue, gboolean keep)
{
  Search *s;

  if (!cue->worker)
    return;
  s = g_thread_join (cue->worker);
  cue->worker = NULL;
  if (keep) {
    take (cue, s);
  } else {
    g_array_unref (s->faces);
    g_free (s->pic);
    g_free (s);
  }
}

void
sal_face_cue_free (SalFaceCue * cue)
{
  if (!cue)
    return;
  join (cue, FALSE);
  sal_face_cascade_free (cue->cascade);
  g_array_unref (cue->faces);
  g_free (cue->map);
  g_free (cue);
}

void
sal_face_cue_reset (SalFaceCue * cue)
{
  join (cue, FALSE);
  g_array_set_size (cue->faces, 0);
  cue->map_w = cue->map_h = 0;
  cue->t = -1;
}

void
sal_face_cue_see (SalFaceCue * cue, const SalFrame * frame, gboolean still)
{
  if (cue->weight[still ? 0 : 1] <= 0)
    return;
  if (still) {
    /* A still picture's faces are not a video's: the next video frame
     * starts over. */
    sal_face_cue_reset (cue);
    take (cue, search_run (search_new (cue, frame, cue->side[0], 0)));
    return;
  }
  cue->t++;
  if (cue->t == 0) {
    take (cue, search_run (search_new (cue, frame, cue->side[1], 0)));
  } else if (cue->t % SAL_FACE_EVERY == 0) {
    Search *s = search_new (cue, frame, cue->side[1], 1);

    join (cue, TRUE);           /* only if SAL_FACE_LAG >= SAL_FACE_EVERY */
    cue->worker = g_thread_new ("sal-faces", search_run, s);
  } else if (cue->t % SAL_FACE_EVERY == SAL_FACE_LAG) {
    join (cue, TRUE);
  }
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
  /* F changes only with the faces (every 15th video frame at most). */
  if (cue->map_w != w || cue->map_h != h) {
    if (cue->map_size < n) {
      g_free (cue->map);
      cue->map = g_new (float, n);
      cue->map_size = n;
    }
    sal_face_map ((const SalFace *) cue->faces->data, cue->faces->len,
        cue->pic_w, cue->pic_h, cue->map, w, h);
    cue->map_w = w;
    cue->map_h = h;
  }
  for (gsize i = 0; i < n; i++)
    logits[i] += a * cue->map[i];
  return TRUE;
}
