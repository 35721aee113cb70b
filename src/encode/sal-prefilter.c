/* The pre-filter of saliency-guided encoding: see sal-prefilter.h. */
#include "sal-prefilter.h"

#include <math.h>
#include <string.h>

#define WEIGHT_BITS 8
#define WEIGHT_ONE (1 << WEIGHT_BITS)
#define R SAL_PREFILTER_RADIUS
#define TAPS (2 * R + 1)
/* The kernel's sum, squared: rows then columns. */
#define NORM 625
/* blur_row and blend_row write the nine taps out. */
G_STATIC_ASSERT (TAPS == 9);

struct _SalPrefilter
{
  int width, height, block, bx, by;
  guint16 *q;                   /* blend weight per block, 0 .. 256 */
  int *row_q;                   /* q interpolated to a row: bx + 1 */
  /* Per column subsampling (0: full width, 1: 4:2:0 chroma), set up once:
   * the first sample from block centre k (bx + 1), and per sample the
   * weight of the next centre. */
  int *start[2];
  int *weight[2];
  guint16 *sample_alpha;        /* per sample of a row */
  guint16 *alpha;               /* per byte of a row */
  guint8 *padded;               /* a row with R pixels replicated each side */
  guint16 *ring;                /* TAPS rows blurred along the row */
  gsize row_bytes;              /* the widest row the buffers hold */
};

/* Sample i of an axis subsampled by 2^sub has its centre at frame pixel
 * (i + 0.5) 2^sub; block k's centre is at (k + 0.5) block, clamped at the
 * edges. */
static void
axis_weights (int i, int sub, int block, int blocks, int *index, int *w)
{
  double u = CLAMP ((i + 0.5) * (1 << sub) / block - 0.5, 0.0,
      blocks - 1.0);
  int k = (int) u;
  long f = lround ((u - k) * WEIGHT_ONE);

  if (f == WEIGHT_ONE) {
    k++;
    f = 0;
  }
  *index = k;
  *w = (int) f;
}

/* The column tables of the frame's width subsampled by 2^sub. */
static void
column_tables (SalPrefilter * pf, int sub)
{
  int n = (pf->width + sub) >> sub;

  pf->start[sub] = g_new (int, pf->bx + 1);
  pf->weight[sub] = g_new (int, n);
  for (int k = 0; k <= pf->bx; k++)
    pf->start[sub][k] = n;
  for (int i = 0, k = 0; i < n; i++) {
    int index;
    axis_weights (i, sub, pf->block, pf->bx, &index, &pf->weight[sub][i]);
    /* The index never decreases. */
    for (; k <= index; k++)
      pf->start[sub][k] = i;
  }
}

SalPrefilter *
sal_prefilter_new (int width, int height, int block_size)
{
  SalPrefilter *pf = g_new0 (SalPrefilter, 1);

  pf->width = width;
  pf->height = height;
  pf->block = block_size;
  pf->bx = (width + block_size - 1) / block_size;
  pf->by = (height + block_size - 1) / block_size;
  pf->q = g_new0 (guint16, pf->bx * pf->by);
  pf->row_q = g_new0 (int, pf->bx + 1);
  column_tables (pf, 0);
  column_tables (pf, 1);
  return pf;
}

void
sal_prefilter_free (SalPrefilter * pf)
{
  if (!pf)
    return;
  g_free (pf->q);
  g_free (pf->row_q);
  for (int sub = 0; sub < 2; sub++) {
    g_free (pf->start[sub]);
    g_free (pf->weight[sub]);
  }
  g_free (pf->sample_alpha);
  g_free (pf->alpha);
  g_free (pf->padded);
  g_free (pf->ring);
  g_free (pf);
}

/* One plane: samples of pstride bytes, the first channels of which are
 * filtered. */
typedef struct
{
  guint8 *data;
  int stride, width, height, pstride, channels, sub_x, sub_y;
} Plane;

static void
ensure_rows (SalPrefilter * pf, gsize row_bytes)
{
  if (row_bytes <= pf->row_bytes)
    return;
  g_free (pf->sample_alpha);
  g_free (pf->alpha);
  g_free (pf->padded);
  g_free (pf->ring);
  pf->sample_alpha = g_new (guint16, row_bytes);
  pf->alpha = g_new (guint16, row_bytes);
  pf->padded = g_new (guint8, row_bytes + 2 * R * 4);
  pf->ring = g_new (guint16, row_bytes * TAPS);
  pf->row_bytes = row_bytes;
}

/* Row y of the plane blurred along the row into out: the kernel over a
 * copy padded with the edge pixels, a loop over bytes that the compiler
 * vectorises (sums up to 25 * 255 fit 16 bits). */
static void
blur_row (SalPrefilter * pf, const Plane * p, int y, guint16 * restrict out)
{
  const guint8 *row = p->data + (gsize) y * p->stride;
  int ps = p->pstride, n = p->width * ps;
  guint8 *restrict pad = pf->padded;
  const guint8 *c;

  for (int k = 0; k < R; k++) {
    memcpy (pad + k * ps, row, ps);
    memcpy (pad + (R + p->width + k) * ps, row + n - ps, ps);
  }
  memcpy (pad + R * ps, row, n);
  c = pad + R * ps;
  for (int i = 0; i < n; i++)
    out[i] = c[i - 4 * ps] + 2 * c[i - 3 * ps] + 3 * c[i - 2 * ps]
        + 4 * c[i - ps] + 5 * c[i] + 4 * c[i + ps] + 3 * c[i + 2 * ps]
        + 2 * c[i + 3 * ps] + c[i + 4 * ps];
}

/* The blend weight of each byte of plane row y. Returns FALSE when all are
 * 0: the row stays as it is. */
static gboolean
row_alpha (SalPrefilter * pf, const Plane * p, int y)
{
  int j, wy, any = 0, ps = p->pstride;
  const guint16 *q0, *q1;
  const int *start, *weight;
  guint16 *a;

  axis_weights (y, p->sub_y, pf->block, pf->by, &j, &wy);
  q0 = pf->q + (gsize) j * pf->bx;
  q1 = j + 1 < pf->by ? q0 + pf->bx : q0;
  for (int k = 0; k < pf->bx; k++) {
    pf->row_q[k] = q0[k] * (WEIGHT_ONE - wy) + q1[k] * wy;
    any |= pf->row_q[k];
  }
  if (!any)
    return FALSE;
  pf->row_q[pf->bx] = pf->row_q[pf->bx - 1];
  /* The samples between two block centres in runs, linear in the weight:
   * loops the compiler vectorises, where a per-sample index would not. */
  a = ps == 1 ? pf->alpha : pf->sample_alpha;
  start = pf->start[p->sub_x];
  weight = pf->weight[p->sub_x];
  for (int k = 0; k < pf->bx; k++) {
    int q0k = pf->row_q[k], dq = pf->row_q[k + 1] - q0k;
    for (int i = start[k]; i < start[k + 1]; i++)
      a[i] = (q0k * WEIGHT_ONE + dq * weight[i]
          + (1 << (2 * WEIGHT_BITS - 1))) >> (2 * WEIGHT_BITS);
  }
  /* Per byte, spelt out for each layout (a generic loop over the bytes of
   * a pixel is not vectorised: RGBx took 19 ms a 1080p frame, not 12). A
   * packed pixel's fourth byte is never blended. */
  if (ps == 4 && p->channels == 3)
    for (int i = 0; i < p->width; i++) {
      guint16 *b = pf->alpha + 4 * i;
      b[0] = b[1] = b[2] = a[i];
      b[3] = 0;
  } else if (ps == 3 && p->channels == 3)
    for (int i = 0; i < p->width; i++) {
      guint16 *b = pf->alpha + 3 * i;
      b[0] = b[1] = b[2] = a[i];
  } else if (ps == 2 && p->channels == 2)
    for (int i = 0; i < p->width; i++)
      pf->alpha[2 * i] = pf->alpha[2 * i + 1] = a[i];
  else if (ps > 1)
    for (int i = 0; i < p->width; i++)
      for (int c = 0; c < ps; c++)
        pf->alpha[i * ps + c] = c < p->channels ? a[i] : 0;
  return TRUE;
}

/* Blends the column blur of the TAPS ring rows r[] into row out. */
static void
blend_row (guint8 * restrict out, const guint16 * const *r,
    const guint16 * restrict alpha, int n)
{
  const guint16 *restrict r0 = r[0], *restrict r1 = r[1], *restrict r2 = r[2],
      *restrict r3 = r[3], *restrict r4 = r[4], *restrict r5 = r[5],
      *restrict r6 = r[6], *restrict r7 = r[7], *restrict r8 = r[8];

  for (int i = 0; i < n; i++) {
    guint32 s = r0[i] + 2u * r1[i] + 3u * r2[i] + 4u * r3[i] + 5u * r4[i]
        + 4u * r5[i] + 3u * r6[i] + 2u * r7[i] + r8[i];
    guint32 b = (s + NORM / 2) / NORM;

    out[i] = (out[i] * (WEIGHT_ONE - alpha[i]) + b * alpha[i]
        + WEIGHT_ONE / 2) >> WEIGHT_BITS;
  }
}

static void
filter_plane (SalPrefilter * pf, const Plane * p)
{
  gsize n = (gsize) p->width * p->pstride;
  int next = 0;

  ensure_rows (pf, n);

  /* Row y is overwritten after rows up to y + R were blurred along the
   * row from the original: a ring of TAPS rows suffices. */
  for (int y = 0; y < p->height; y++) {
    const guint16 *rows[TAPS];

    for (; next <= MIN (y + R, p->height - 1); next++)
      blur_row (pf, p, next, pf->ring + (gsize) (next % TAPS) * n);
    if (!row_alpha (pf, p, y))
      continue;
    for (int d = -R; d <= R; d++) {
      int r = CLAMP (y + d, 0, p->height - 1);
      rows[d + R] = pf->ring + (gsize) (r % TAPS) * n;
    }
    blend_row (p->data + (gsize) y * p->stride, rows, pf->alpha, n);
  }
}

gboolean
sal_prefilter_apply (SalPrefilter * pf, const float *field, double strength,
    SalPixelFormat format, guint8 * const data[3], const int stride[3],
    GError ** error)
{
  SalPlaneLayout layout[3];
  int n_planes = sal_pixel_format_planes (format, layout);
  int any = 0;

  if (n_planes == 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED_FORMAT,
        "the pre-filter cannot read this pixel format: give it RGB, I420, "
        "NV12 or GRAY8");
    return FALSE;
  }

  for (int k = 0; k < pf->bx * pf->by; k++) {
    double a = CLAMP (strength * field[k] / SAL_PREFILTER_FULL_QP, 0.0, 1.0);

    pf->q[k] = (guint16) lround (a * WEIGHT_ONE);
    any |= pf->q[k];
  }
  /* Strength 0, or a field without a less salient block: untouched. */
  if (!any)
    return TRUE;
  for (int i = 0; i < n_planes; i++) {
    const SalPlaneLayout *lay = &layout[i];
    Plane p = { data[i], stride[i], SAL_PLANE_SIZE (pf->width, lay),
      SAL_PLANE_SIZE (pf->height, lay), lay->pixel_stride, lay->channels,
      lay->subsampling, lay->subsampling
    };
    filter_plane (pf, &p);
  }
  return TRUE;
}
