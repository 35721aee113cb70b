/* Fixations of all frames, for shuffled AUC's negatives; see
 * salmap-fixations.h. */
#include "salmap-fixations.h"

typedef struct
{
  int width;
  int height;
  GArray *points;               /* guint32 flat indices, ascending */
} Frame;

/* For each frame size met: how many frames have a fixation at each
 * pixel, all frames counted. A frame's negatives are this minus its own
 * fixations; computed once a size, not once a frame. */
typedef struct
{
  int width;
  int height;
  guint32 *count;
} Counts;

struct _SalmapFixations
{
  GPtrArray *frames;            /* Frame * */
  GPtrArray *counts;            /* Counts * */
};

static void
frame_free (gpointer p)
{
  Frame *f = p;

  g_array_unref (f->points);
  g_free (f);
}

static void
counts_free (gpointer p)
{
  Counts *c = p;

  g_free (c->count);
  g_free (c);
}

SalmapFixations *
salmap_fixations_new (void)
{
  SalmapFixations *fix = g_new0 (SalmapFixations, 1);

  fix->frames = g_ptr_array_new_with_free_func (frame_free);
  fix->counts = g_ptr_array_new_with_free_func (counts_free);
  return fix;
}

void
salmap_fixations_free (SalmapFixations * fix)
{
  if (fix == NULL)
    return;
  g_ptr_array_free (fix->frames, TRUE);
  g_ptr_array_free (fix->counts, TRUE);
  g_free (fix);
}

int
salmap_fixations_add (SalmapFixations * fix, const double *gray, int width,
    int height)
{
  Frame *f = g_new0 (Frame, 1);
  gsize n = (gsize) width * height;

  f->width = width;
  f->height = height;
  f->points = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (gsize i = 0; i < n; i++)
    if (gray[i] > 0) {
      guint32 p = (guint32) i;

      g_array_append_val (f->points, p);
    }
  g_ptr_array_add (fix->frames, f);
  /* Counts made so far lack this frame. */
  g_ptr_array_set_size (fix->counts, 0);
  return (int) f->points->len;
}

guint
salmap_fixations_get_n_frames (SalmapFixations * fix)
{
  return fix->frames->len;
}

guint8 *
salmap_fixations_get_mask (SalmapFixations * fix, guint frame, int *width,
    int *height)
{
  const Frame *f = g_ptr_array_index (fix->frames, frame);
  guint8 *mask = g_new0 (guint8, (gsize) f->width * f->height);

  for (guint i = 0; i < f->points->len; i++)
    mask[g_array_index (f->points, guint32, i)] = 1;
  *width = f->width;
  *height = f->height;
  return mask;
}

static guint32
map_point (const Frame * f, guint32 p, int width, int height)
{
  int x = p % f->width, y = p / f->width;

  if (f->width != width)
    x = MIN ((int) ((x + 0.5) * width / f->width), width - 1);
  if (f->height != height)
    y = MIN ((int) ((y + 0.5) * height / f->height), height - 1);
  return (guint32) y * width + x;
}

static const Counts *
get_counts (SalmapFixations * fix, int width, int height)
{
  gsize n = (gsize) width * height;
  guint32 *stamp;
  Counts *c;

  for (guint i = 0; i < fix->counts->len; i++) {
    c = g_ptr_array_index (fix->counts, i);
    if (c->width == width && c->height == height)
      return c;
  }
  c = g_new0 (Counts, 1);
  c->width = width;
  c->height = height;
  c->count = g_new0 (guint32, n);
  /* Several fixations of a larger frame can land on one pixel of a
   * smaller one: a frame counts once a pixel. */
  stamp = g_new0 (guint32, n);
  for (guint j = 0; j < fix->frames->len; j++) {
    const Frame *f = g_ptr_array_index (fix->frames, j);

    for (guint i = 0; i < f->points->len; i++) {
      guint32 q = map_point (f, g_array_index (f->points, guint32, i), width,
          height);

      if (stamp[q] != j + 1) {
        stamp[q] = j + 1;
        c->count[q]++;
      }
    }
  }
  g_free (stamp);
  g_ptr_array_add (fix->counts, c);
  return c;
}

guint8 *
salmap_fixations_get_others (SalmapFixations * fix, guint frame)
{
  const Frame *f = g_ptr_array_index (fix->frames, frame);
  const Counts *c = get_counts (fix, f->width, f->height);
  gsize n = (gsize) f->width * f->height;
  guint8 *others = g_new (guint8, n);

  for (gsize i = 0; i < n; i++)
    others[i] = c->count[i] > 0;
  /* The frame's own fixations at its own size are single pixels: take
   * away its one count from each. */
  for (guint i = 0; i < f->points->len; i++) {
    guint32 p = g_array_index (f->points, guint32, i);

    others[p] = c->count[p] > 1;
  }
  return others;
}
