/* Viola-Jones face detection on the host, exactly as tools/face_cascade.py
 * specifies it: an image pyramid in fixed-point bilinear
 * (sal-face-picture.c), integral images, stumps compared in double in the
 * reference's order, and OpenCV's grouping of the hits. Integer inputs and
 * the same double operations in the same order give the reference's
 * detections bit for bit. */
#include "sal-faces.h"
#include "sal-face-picture.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "saliency.h"

#define FACES_RESOURCE "/org/gst-saliency/models/faces.safetensors"
#define SCALE_STEP 1.2
#define MIN_NEIGHBOURS 3
#define CONFIDENCE_HITS 5.0
#define GROUP_EPS 0.2
#define MAX_WINDOW 64

typedef struct
{
  int x, y, w, h;
  double weight;
} Rect;

typedef struct
{
  int feature;
  double threshold, left, right;
} Stump;

struct _SalFaceCascade
{
  int win_w, win_h;
  int n_features, n_stumps, n_stages;
  Rect *rects;                  /* [n_features][3]; weight 0: unused */
  Stump *stumps;
  int *stage_len;
  double *stage_thr;
};

void
sal_face_cascade_free (SalFaceCascade * c)
{
  if (!c)
    return;
  g_free (c->rects);
  g_free (c->stumps);
  g_free (c->stage_len);
  g_free (c->stage_thr);
  g_free (c);
}

static gboolean
bad (GError ** error, SalModelFile * f, const char *what)
{
  g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL_FILE,
      "%s: %s; convert the cascade again with tools/face_cascade.py",
      sal_model_file_get_name (f), what);
  return FALSE;
}

static gint64
dim0 (SalModelFile * f, const char *name)
{
  const SalModelTensor *t = sal_model_file_lookup (f, name);
  return t && t->ndim >= 1 ? t->shape[0] : -1;
}

static gboolean
read_rects (SalFaceCascade * c, SalModelFile * f, GError ** error)
{
  gint64 shape[3] = { c->n_features, 3, 5 };
  float *v = sal_model_file_read (f, "rects", 3, shape, error);

  if (!v)
    return FALSE;
  c->rects = g_new (Rect, (gsize) c->n_features * 3);
  for (int i = 0; i < c->n_features * 3; i++) {
    const float *r = v + 5 * i;
    Rect *o = &c->rects[i];

    o->x = (int) r[0];
    o->y = (int) r[1];
    o->w = (int) r[2];
    o->h = (int) r[3];
    o->weight = r[4];
    if (o->weight != 0 && (o->x != r[0] || o->y != r[1] || o->w != r[2]
            || o->h != r[3] || o->x < 0 || o->y < 0 || o->w <= 0
            || o->h <= 0 || o->x + o->w > c->win_w
            || o->y + o->h > c->win_h || !isfinite (r[4]))) {
      g_free (v);
      return bad (error, f, "a rectangle of tensor rects is not whole "
          "pixels inside the window");
    }
  }
  g_free (v);
  return TRUE;
}

static gboolean
read_stumps (SalFaceCascade * c, SalModelFile * f, GError ** error)
{
  gint64 wshape[2] = { c->n_stumps, 4 }, sshape[2] = { c->n_stages, 2 };
  float *w = sal_model_file_read (f, "weak", 2, wshape, error);
  float *s = w ? sal_model_file_read (f, "stages", 2, sshape, error) : NULL;
  gint64 total = 0;
  gboolean ok = s != NULL;

  if (ok) {
    c->stumps = g_new (Stump, c->n_stumps);
    for (int i = 0; ok && i < c->n_stumps; i++) {
      const float *r = w + 4 * i;

      c->stumps[i].feature = (int) r[0];
      c->stumps[i].threshold = r[1];
      c->stumps[i].left = r[2];
      c->stumps[i].right = r[3];
      ok = r[0] == c->stumps[i].feature && r[0] >= 0
          && r[0] < c->n_features && isfinite (r[1]) && isfinite (r[2])
          && isfinite (r[3]);
      if (!ok)
        bad (error, f, "a stump of tensor weak names a missing feature or "
            "holds a non-finite value");
    }
    c->stage_len = g_new (int, c->n_stages);
    c->stage_thr = g_new (double, c->n_stages);
    for (int i = 0; ok && i < c->n_stages; i++) {
      c->stage_len[i] = (int) s[2 * i];
      c->stage_thr[i] = s[2 * i + 1];
      total += c->stage_len[i];
      ok = s[2 * i] == c->stage_len[i] && c->stage_len[i] >= 1
          && isfinite (s[2 * i + 1]);
      if (!ok)
        bad (error, f, "a stage of tensor stages has no stumps or a "
            "non-finite threshold");
    }
    if (ok && total != c->n_stumps)
      ok = bad (error, f, "the stages' stump counts do not add up to the "
          "stumps in tensor weak");
  }
  g_free (w);
  g_free (s);
  return ok;
}

SalFaceCascade *
sal_face_cascade_new (SalModelFile * f, GError ** error)
{
  SalFaceCascade *c = g_new0 (SalFaceCascade, 1);
  const char *arch = sal_model_file_get_meta (f, "architecture");
  gint64 ww = 0, wh = 0;

  if (g_strcmp0 (arch, "haar-cascade") != 0) {
    bad (error, f, "not a face cascade (metadata architecture is not "
        "\"haar-cascade\")");
    goto fail;
  }
  if (!sal_model_file_get_meta_int (f, "window_w", 4, MAX_WINDOW, &ww, error)
      || !sal_model_file_get_meta_int (f, "window_h", 4, MAX_WINDOW, &wh,
          error))
    goto fail;
  c->win_w = ww;
  c->win_h = wh;
  c->n_features = dim0 (f, "rects");
  c->n_stumps = dim0 (f, "weak");
  c->n_stages = dim0 (f, "stages");
  if (c->n_features < 1 || c->n_stumps < 1 || c->n_stages < 1
      || c->n_features > 1 << 20 || c->n_stumps > 1 << 20
      || c->n_stages > 1 << 10) {
    bad (error, f, "tensors rects, weak and stages must each have 1 to "
        "2^20 rows");
    goto fail;
  }
  if (read_rects (c, f, error) && read_stumps (c, f, error))
    return c;
fail:
  sal_face_cascade_free (c);
  return NULL;
}

SalFaceCascade *
sal_face_cascade_new_builtin (GError ** error)
{
  GError *err = NULL;
  GBytes *bytes = g_resources_lookup_data (FACES_RESOURCE,
      G_RESOURCE_LOOKUP_FLAGS_NONE, &err);
  SalModelFile *file;
  SalFaceCascade *c = NULL;

  if (!bytes) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_MODEL,
        "the built-in face cascade is missing from this build (%s): "
        "rebuild libsaliency with models/faces.safetensors", err->message);
    g_error_free (err);
    return NULL;
  }
  file = sal_model_file_new_from_bytes (bytes, "faces", error);
  g_bytes_unref (bytes);
  if (file) {
    c = sal_face_cascade_new (file, error);
    sal_model_file_free (file);
  }
  return c;
}

/* Integral images [h + 1][w + 1] of the values and their squares. The
 * values' one is 32-bit and may wrap: the rectangles read lie inside a
 * window (at most win_w x win_h x 255, far below 2^32), so their sums are
 * still exact in unsigned arithmetic, and half the width keeps more of the
 * scan's scattered reads in cache. */
static void
integrals (const guint8 * im, int w, int h, guint32 * ii, gint64 * iq)
{
  int W = w + 1;

  memset (ii, 0, sizeof *ii * W);
  memset (iq, 0, sizeof *iq * W);
  for (int y = 0; y < h; y++) {
    guint32 rs = 0;
    gint64 rq = 0;

    ii[(gsize) (y + 1) * W] = 0;
    iq[(gsize) (y + 1) * W] = 0;
    for (int x = 0; x < w; x++) {
      guint32 v = im[(gsize) y * w + x];
      gint64 v2 = (gint64) v * v;

      rs += v;
      rq += v2;
      ii[(gsize) (y + 1) * W + x + 1] = ii[(gsize) y * W + x + 1] + rs;
      iq[(gsize) (y + 1) * W + x + 1] = iq[(gsize) y * W + x + 1] + rq;
    }
  }
}

static inline guint32
rsum (const guint32 * ii, int W, int x, int y, int w, int h)
{
  const guint32 *a = ii + (gsize) y * W + x, *b = a + (gsize) h * W;
  return b[w] - a[w] - b[0] + a[0];
}

static inline gint64
rsum_sq (const gint64 * iq, int W, int x, int y, int w, int h)
{
  const gint64 *a = iq + (gsize) y * W + x, *b = a + (gsize) h * W;
  return b[w] - a[w] - b[0] + a[0];
}

/* A stump laid out for one scale: its rectangles' corners as offsets from
 * a window's corner in the integral image (row length W), in stump order,
 * so that the hot first stages read memory in sequence. Always three
 * rectangles, the unused ones with weight 0 at offset 0 (they add an exact
 * 0), and the leaf picked by index: the scan then has no branch the CPU
 * must guess per stump. */
typedef struct
{
  guint32 off[3][4];            /* top-left, top-right, bottom-left, -right */
  double weight[3];
  double threshold;
  double leaf[2];               /* right (v >= threshold), left */
} Node;

static void
layout (const SalFaceCascade * c, int W, Node * nodes)
{
  for (int j = 0; j < c->n_stumps; j++) {
    const Stump *st = &c->stumps[j];
    const Rect *r = c->rects + 3 * st->feature;
    Node *o = &nodes[j];
    int n = 0;

    memset (o, 0, sizeof *o);
    for (int i = 0; i < 3; i++) {
      guint32 top = (guint32) (r[i].y * W + r[i].x), bottom =
          top + (guint32) (r[i].h * W);

      if (r[i].weight == 0)
        continue;
      o->off[n][0] = top;
      o->off[n][1] = top + r[i].w;
      o->off[n][2] = bottom;
      o->off[n][3] = bottom + r[i].w;
      o->weight[n++] = r[i].weight;
    }
    o->threshold = st->threshold;
    o->leaf[0] = st->right;
    o->leaf[1] = st->left;
  }
}

/* Does the window at (x, y) pass every stage? */
static gboolean
window_passes (const SalFaceCascade * c, const Node * nodes,
    const guint32 * ii, const gint64 * iq, int W, int x, int y)
{
  double a = (double) (c->win_w - 2) * (c->win_h - 2);
  gint64 s = rsum (ii, W, x + 1, y + 1, c->win_w - 2, c->win_h - 2);
  gint64 q = rsum_sq (iq, W, x + 1, y + 1, c->win_w - 2, c->win_h - 2);
  double nf = a * (double) q - (double) s * (double) s;
  const guint32 *p = ii + (gsize) y * W + x;
  const Node *nd = nodes;

  if (!(nf > 0))
    return FALSE;
  nf = sqrt (nf);
  if (!(a / nf < 0.1))
    return FALSE;
  for (int j = 0; j < c->n_stages; j++) {
    double acc = 0;

    for (int n = 0; n < c->stage_len[j]; n++, nd++) {
      double v = 0;

      for (int i = 0; i < 3; i++)
        v = v + nd->weight[i] * (double) (guint32) (p[nd->off[i][3]]
            - p[nd->off[i][1]] - p[nd->off[i][2]] + p[nd->off[i][0]]);
      acc = acc + nd->leaf[v < nd->threshold * nf];
    }
    if (!(acc >= c->stage_thr[j]))
      return FALSE;
  }
  return TRUE;
}

/* One scale of the pyramid: s, the picture's size at it, and the windows
 * that pass there. */
typedef struct
{
  double s;
  int w, h;
  GArray *hits;
} Scale;

typedef struct
{
  const SalFaceCascade *c;
  const guint8 *grey;
  int w, h, stride;
  Scale *scales;
  int n_scales;
  gint next;                    /* the next scale to take, atomically */
} Pyramid;

static void
scan (const Pyramid * p, Scale * sc, guint8 * im, guint32 * ii, gint64 * iq,
    Node * nodes)
{
  const SalFaceCascade *c = p->c;
  int step = sc->s <= 2 ? 2 : 1;

  sal_face_resize (p->grey, p->w, p->h, p->stride, sc->s, im, sc->w, sc->h);
  integrals (im, sc->w, sc->h, ii, iq);
  layout (c, sc->w + 1, nodes);
  sc->hits = g_array_new (FALSE, FALSE, sizeof (SalFace));
  for (int y = 0; y < sc->h - c->win_h; y += step)
    for (int x = 0; x < sc->w - c->win_w; x += step)
      if (window_passes (c, nodes, ii, iq, sc->w + 1, x, y)) {
        SalFace f = { (int) nearbyint (x * sc->s),
          (int) nearbyint (y * sc->s), (int) nearbyint (c->win_w * sc->s),
          (int) nearbyint (c->win_h * sc->s), 1
        };
        g_array_append_val (sc->hits, f);
      }
}

/* A worker: takes scales, largest first, until none is left. */
static gpointer
scan_scales (gpointer data)
{
  Pyramid *p = data;
  gsize n = (gsize) p->w * p->h, n1 = (gsize) (p->w + 1) * (p->h + 1);
  guint8 *im = g_new (guint8, n);
  guint32 *ii = g_new (guint32, n1);
  gint64 *iq = g_new (gint64, n1);
  Node *nodes = g_new (Node, p->c->n_stumps);
  int i;

  while ((i = g_atomic_int_add (&p->next, 1)) < p->n_scales)
    scan (p, &p->scales[i], im, ii, iq, nodes);
  g_free (im);
  g_free (ii);
  g_free (iq);
  g_free (nodes);
  return NULL;
}

/* Every window that passes, as rectangles in the grey image, in the
 * reference's order (scale by scale). The scales are independent, so
 * n_threads threads share them; the order of the result does not depend
 * on which thread scanned what. */
static GArray *
hits (const SalFaceCascade * c, const guint8 * grey, int w, int h,
    int stride, guint n_threads)
{
  Pyramid p = { c, grey, w, h, stride, NULL, 0, 0 };
  GArray *out = g_array_new (FALSE, FALSE, sizeof (SalFace));
  GArray *scales = g_array_new (FALSE, FALSE, sizeof (Scale));
  GThread **threads;
  guint n_extra;

  for (double s = 1.0;; s *= SCALE_STEP) {
    Scale sc = { s, (int) nearbyint (w / s), (int) nearbyint (h / s), NULL };

    if (sc.w <= c->win_w + 1 || sc.h <= c->win_h + 1)
      break;
    g_array_append_val (scales, sc);
  }
  p.n_scales = scales->len;
  p.scales = (Scale *) g_array_free (scales, FALSE);
  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  n_extra = MIN (n_threads, (guint) MAX (p.n_scales, 1)) - 1;
  threads = g_new0 (GThread *, n_extra + 1);
  for (guint t = 0; t < n_extra; t++)
    threads[t] = g_thread_new ("sal-faces-scan", scan_scales, &p);
  scan_scales (&p);
  for (guint t = 0; t < n_extra; t++)
    g_thread_join (threads[t]);
  for (int i = 0; i < p.n_scales; i++) {
    g_array_append_vals (out, p.scales[i].hits->data, p.scales[i].hits->len);
    g_array_unref (p.scales[i].hits);
  }
  g_free (threads);
  g_free (p.scales);
  return out;
}

static gboolean
similar (const SalFace * a, const SalFace * b)
{
  double d = GROUP_EPS * (MIN (a->w, b->w) + MIN (a->h, b->h)) * 0.5;

  return fabs ((double) (a->x - b->x)) <= d
      && fabs ((double) (a->y - b->y)) <= d
      && fabs ((double) (a->x + a->w - b->x - b->w)) <= d
      && fabs ((double) (a->y + a->h - b->y - b->h)) <= d;
}

static int
find (int *parent, int i)
{
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

static gint
by_hits (gconstpointer pa, gconstpointer pb)
{
  const SalFace *a = pa, *b = pb;

  if (a->n != b->n)
    return b->n - a->n;
  return a->y != b->y ? a->y - b->y : a->x - b->x;
}

/* OpenCV's groupRectangles (eps 0.2), as face_cascade.group. */
static GArray *
group (GArray * hit)
{
  int n = hit->len;
  const SalFace *r = (const SalFace *) hit->data;
  int *parent = g_new (int, MAX (n, 1));
  gint64 *sum = g_new0 (gint64, 5 * (gsize) MAX (n, 1));
  GArray *cand = g_array_new (FALSE, FALSE, sizeof (SalFace));
  GArray *out = g_array_new (FALSE, FALSE, sizeof (SalFace));

  for (int i = 0; i < n; i++)
    parent[i] = i;
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (similar (&r[i], &r[j])) {
        int ri = find (parent, i), rj = find (parent, j);
        if (ri != rj)
          parent[MAX (ri, rj)] = MIN (ri, rj);
      }
  for (int i = 0; i < n; i++) {
    gint64 *s = sum + 5 * find (parent, i);
    s[0] += r[i].x;
    s[1] += r[i].y;
    s[2] += r[i].w;
    s[3] += r[i].h;
    s[4]++;
  }
  /* Roots in increasing order, as the reference's sorted(clusters). */
  for (int i = 0; i < n; i++) {
    gint64 *s = sum + 5 * i;
    if (s[4] > MIN_NEIGHBOURS) {
      SalFace f = { (int) nearbyint ((double) s[0] / s[4]),
        (int) nearbyint ((double) s[1] / s[4]),
        (int) nearbyint ((double) s[2] / s[4]),
        (int) nearbyint ((double) s[3] / s[4]), (int) s[4]
      };
      g_array_append_val (cand, f);
    }
  }
  for (guint i = 0; i < cand->len; i++) {
    const SalFace *a = &g_array_index (cand, SalFace, i);
    gboolean inside = FALSE;

    for (guint j = 0; j < cand->len && !inside; j++) {
      const SalFace *b = &g_array_index (cand, SalFace, j);
      double dx = nearbyint (b->w * GROUP_EPS), dy =
          nearbyint (b->h * GROUP_EPS);

      if (i == j || b->n <= MAX (3, a->n))
        continue;
      inside = a->x >= b->x - dx && a->y >= b->y - dy
          && a->x + a->w <= b->x + b->w + dx
          && a->y + a->h <= b->y + b->h + dy;
    }
    if (!inside)
      g_array_append_val (out, *a);
  }
  g_array_sort (out, by_hits);
  g_free (parent);
  g_free (sum);
  g_array_unref (cand);
  return out;
}

GArray *
sal_face_cascade_detect (const SalFaceCascade * c, const guint8 * grey,
    int width, int height, int stride, guint n_threads)
{
  GArray *h = hits (c, grey, width, height, stride, n_threads);
  GArray *out = group (h);

  g_array_unref (h);
  return out;
}

void
sal_face_map (const SalFace * faces, guint n_faces, int grey_w, int grey_h,
    float *map, int width, int height)
{
  double sx = (double) width / grey_w, sy = (double) height / grey_h;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++) {
      double m = 0;

      for (guint i = 0; i < n_faces; i++) {
        const SalFace *f = &faces[i];
        double cx = (f->x + f->w / 2.0) * sx, cy = (f->y + f->h / 2.0) * sy;
        double r = f->w / 2.0 * sx, dx = x + 0.5 - cx, dy = y + 0.5 - cy;
        double c = 1 - exp (-(f->n - MIN_NEIGHBOURS) / CONFIDENCE_HITS);

        m = MAX (m, c * exp (-(dx * dx + dy * dy) / (2 * r * r)));
      }
      map[(gsize) y * width + x] = (float) m;
    }
}
