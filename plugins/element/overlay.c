/* GStreamer saliency element: drawing the map
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "overlay.h"
#include "bands.h"

#include <math.h>
#include <string.h>

/* Weights of the bilinear interpolation, in 1/256. */
#define WEIGHT_BITS 8
#define WEIGHT_ONE (1 << WEIGHT_BITS)

/* The per-pixel loops, built for AVX2 as well where the compiler can
 * pick the build at run time: the baseline x86-64 build has no 16 x 16
 * -> 32 bit multiply and emulates it. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define PIXEL_LOOPS __attribute__((target_clones ("avx2", "default")))
#endif
#endif
#ifndef PIXEL_LOOPS
#define PIXEL_LOOPS
#endif

/* Bytes of a pixel of a packed plane, at most (RGBx, BGRA, ...). */
#define MAX_PSTRIDE 4

/* One axis of a plane: for each of its @size samples, the map sample
 * before it and the weight of the one after. */
typedef struct
{
  gint size;                    /* samples of the plane along the axis */
  gint sub;                     /* its subsampling (log2) */
  gint frame_size;              /* pixels of the frame along the axis */
  gint map_size;                /* samples of the map along the axis */
  gint *index;
  guint16 *weight;              /* 0 .. WEIGHT_ONE - 1 */
  gint *start;                  /* first sample of index k; map_size + 1 */
  /* For a horizontal axis: the map's rows interpolated to its samples, in
   * 1/256 of a level, map height x size (prepare_columns), and the levels
   * they were made from. */
  guint16 *columns;
  gsize columns_size;
  guint64 columns_serial;
} Axis;

/* Luma and chroma planes, horizontally and vertically. */
#define N_AXES 4

/* Row buffers of one band (bands.h): each band runs on one thread. */
typedef struct
{
  guint8 *plane_levels;         /* one plane row of levels */
  guint16 *colours;             /* and of colours */
  guint16 *keeps;               /* per byte of a packed row (blend_packed) */
  gsize plane_levels_size, colours_size, keeps_size;
} Rows;

struct _GstSaliencyRenderer
{
  const gfloat *map;
  gfloat max;
  gint width, height;

  guint8 *levels;               /* the map quantised; width x height */
  gsize levels_size;
  gboolean levels_valid;
  guint64 levels_serial;        /* counts the maps quantised, from 1 */

  Axis axes[N_AXES];
  guint next_axis;              /* the one to replace on a miss */

  Rows rows[GST_SALIENCY_MAX_BANDS];
};

GstSaliencyRenderer *
gst_saliency_renderer_new (void)
{
  return g_new0 (GstSaliencyRenderer, 1);
}

void
gst_saliency_renderer_free (GstSaliencyRenderer * r)
{
  if (!r)
    return;
  for (guint i = 0; i < N_AXES; i++) {
    g_free (r->axes[i].index);
    g_free (r->axes[i].weight);
    g_free (r->axes[i].start);
    g_free (r->axes[i].columns);
  }
  g_free (r->levels);
  for (guint i = 0; i < GST_SALIENCY_MAX_BANDS; i++) {
    g_free (r->rows[i].plane_levels);
    g_free (r->rows[i].colours);
    g_free (r->rows[i].keeps);
  }
  g_free (r);
}

/**
 * gst_saliency_quantise:
 * @map: @n probabilities
 * @n: number of samples
 * @max: the largest value of @map
 * @levels: (out caller-allocates): @n levels
 *
 * Quantises @map normalised to its maximum: @max becomes 255.
 */
void
gst_saliency_quantise (const gfloat * map, gsize n, gfloat max,
    guint8 * levels)
{
  gfloat scale;

  if (!(max > 0.0f) || !isfinite (max)) {
    memset (levels, 0, n);
    return;
  }

  scale = 255.0f / max;
  for (gsize i = 0; i < n; i++) {
    gfloat v = map[i] * scale + 0.5f;

    /* The negated comparison also sends NaN to 0. */
    levels[i] = !(v > 0.0f) ? 0 : v >= 255.0f ? 255 : (guint8) v;
  }
}

/* Grows *@buf to hold @n elements of @elem bytes. */
static gpointer
ensure_size (gpointer * buf, gsize * size, gsize n, gsize elem)
{
  if (*size < n) {
    g_free (*buf);
    *buf = g_malloc (n * elem);
    *size = n;
  }
  return *buf;
}

/**
 * gst_saliency_renderer_set_map:
 * @renderer: a #GstSaliencyRenderer
 * @map: @width x @height probabilities, kept by the caller until the next
 *   call or the renderer is freed
 * @width: width of the map
 * @height: height of the map
 * @max: largest value of @map
 *
 * The map to draw from now on; it is quantised when first drawn.
 */
void
gst_saliency_renderer_set_map (GstSaliencyRenderer * r, const gfloat * map,
    gint width, gint height, gfloat max)
{
  r->map = map;
  r->width = width;
  r->height = height;
  r->max = max;
  r->levels_valid = FALSE;
}

static void
prepare_levels (GstSaliencyRenderer * r)
{
  gsize n = (gsize) r->width * r->height;

  if (r->levels_valid)
    return;
  ensure_size ((gpointer *) & r->levels, &r->levels_size, n, 1);
  gst_saliency_quantise (r->map, n, r->max, r->levels);
  r->levels_valid = TRUE;
  r->levels_serial++;
}

/* Sample i of a plane subsampled by 2^sub has its centre at frame pixel
 * (i + 0.5) * 2^sub; pixel centres of frame and map are aligned
 * (align_corners=False, as the engine resizes), clamped at the edges. */
static void
axis_init (Axis * a, gint size, gint sub, gint frame_size, gint map_size)
{
  gdouble scale = (gdouble) (1 << sub) * map_size / frame_size;

  a->size = size;
  a->sub = sub;
  a->frame_size = frame_size;
  a->map_size = map_size;
  a->index = g_renew (gint, a->index, size);
  a->weight = g_renew (guint16, a->weight, size);
  a->start = g_renew (gint, a->start, map_size + 1);
  a->columns_serial = 0;

  for (gint i = 0; i < size; i++) {
    gdouble u = CLAMP ((i + 0.5) * scale - 0.5, 0.0, map_size - 1.0);
    gint i0 = (gint) u;
    glong w = lround ((u - i0) * WEIGHT_ONE);

    if (w == WEIGHT_ONE) {
      i0++;
      w = 0;
    }
    a->index[i] = i0;
    a->weight[i] = w;
  }

  /* The index never decreases: samples come in runs between two map
   * samples, which prepare_columns() interpolates without gathers. */
  for (gint k = 0, i = 0; k <= map_size; k++) {
    while (i < size && a->index[i] < k)
      i++;
    a->start[k] = i;
  }
}

/* The tables for one axis of a plane, computed once per geometry. */
static Axis *
get_axis (GstSaliencyRenderer * r, gint size, gint sub, gint frame_size,
    gint map_size)
{
  Axis *a;

  for (guint i = 0; i < N_AXES; i++) {
    a = &r->axes[i];
    if (a->index && a->size == size && a->sub == sub
        && a->frame_size == frame_size && a->map_size == map_size)
      return a;
  }

  a = &r->axes[r->next_axis];
  r->next_axis = (r->next_axis + 1) % N_AXES;
  axis_init (a, size, sub, frame_size, map_size);
  return a;
}

/* The map's rows interpolated horizontally to the samples of @ax, once
 * per map: a few hundred thousand samples, where a 4K frame has millions.
 * Kept exact (level * 256 at most 65280), so that the vertical step rounds
 * once, as a two-dimensional bilinear interpolation does. */
static void
prepare_columns (GstSaliencyRenderer * r, Axis * ax)
{
  if (ax->columns_serial == r->levels_serial)
    return;
  ensure_size ((gpointer *) & ax->columns, &ax->columns_size,
      (gsize) r->height * ax->size, sizeof (guint16));

  for (gint y = 0; y < r->height; y++) {
    const guint8 *a = r->levels + (gsize) y * r->width;
    guint16 *restrict out = ax->columns + (gsize) y * ax->size;

    for (gint k = 0; k < r->width; k++) {
      guint base = a[k] << WEIGHT_BITS;
      gint delta = (k + 1 < r->width ? a[k + 1] : a[k]) - a[k];

      /* a[k] (1 - w) + a[k + 1] w over the run of samples between map
       * samples k and k + 1: a loop the compiler vectorises. */
      for (gint i = ax->start[k]; i < ax->start[k + 1]; i++)
        out[i] = base + delta * ax->weight[i];
    }
  }
  ax->columns_serial = r->levels_serial;
}

/* The levels of plane row @y, one per sample of the row (@ax->size): two
 * rows of @ax's columns interpolated vertically, a loop over contiguous
 * samples that the compiler vectorises. */
static void
upsample_row (const GstSaliencyRenderer * r, const Axis * ax,
    const Axis * ay, gint y, guint8 * restrict out)
{
  const guint16 *restrict a = ax->columns + (gsize) ay->index[y] * ax->size;
  const guint16 *restrict b =
      a + (ay->index[y] + 1 < r->height ? ax->size : 0);
  guint wy = ay->weight[y], ky = WEIGHT_ONE - wy;

  for (gint i = 0; i < ax->size; i++)
    out[i] = (a[i] * ky + b[i] * wy + (1u << (2 * WEIGHT_BITS - 1)))
        >> (2 * WEIGHT_BITS);
}

/* Prepares the row buffers of @n_bands bands for planes up to @width
 * samples wide. */
static void
prepare_rows (GstSaliencyRenderer * r, gint width, gint n_bands)
{
  for (gint b = 0; b < n_bands; b++) {
    Rows *rows = &r->rows[b];

    ensure_size ((gpointer *) & rows->plane_levels, &rows->plane_levels_size,
        width, 1);
    /* Bytes of a packed row: up to four a pixel (blend_packed). */
    ensure_size ((gpointer *) & rows->colours, &rows->colours_size,
        (gsize) width * MAX_PSTRIDE, sizeof (guint16));
    ensure_size ((gpointer *) & rows->keeps, &rows->keeps_size,
        (gsize) width * MAX_PSTRIDE, sizeof (guint16));
  }
}

/* p = (p * keep + colour) / 256 for the samples of a row, with colour =
 * palette colour * alpha + 128. Inlined with a constant @pstride, so that
 * each format gets a loop of its own, which the compiler vectorises. */
static inline void
blend_samples (guint8 * restrict p, gint pstride,
    const guint16 * restrict colour, gint n, guint keep)
{
  for (gint i = 0; i < n; i++)
    p[i * pstride] = (p[i * pstride] * keep + colour[i]) >> WEIGHT_BITS;
}

PIXEL_LOOPS static void
blend_row (guint8 * p, gint pstride, const guint8 * restrict lev, gint n,
    const guint16 * restrict lut, guint16 * restrict colour, guint keep)
{
  /* The table look-ups apart: a gather does not vectorise, the blend
   * does. */
  for (gint i = 0; i < n; i++)
    colour[i] = lut[lev[i]];

  switch (pstride) {
    case 1:
      blend_samples (p, 1, colour, n, keep);
      break;
    case 2:
      blend_samples (p, 2, colour, n, keep);
      break;
    case 3:
      blend_samples (p, 3, colour, n, keep);
      break;
    case 4:
      blend_samples (p, 4, colour, n, keep);
      break;
    default:
      blend_samples (p, pstride, colour, n, keep);
      break;
  }
}

/* The colours of the bytes of each pixel of a packed plane (@pstride bytes
 * a pixel: NV12's UV, packed RGB), one load and store a pixel from a table
 * of whole pixels. Inlined with a constant @pstride. */
static inline void
packed_colours (guint16 * restrict colour, gint pstride,
    const guint8 * restrict lev, gint n,
    const guint16 (*restrict lut)[MAX_PSTRIDE])
{
  for (gint i = 0; i < n; i++)
    memcpy (colour + i * pstride, lut[lev[i]], pstride * sizeof (guint16));
}

/* All the components of a packed plane in one pass over the row's bytes
 * at stride 1, which vectorises, instead of one strided pass per
 * component. A byte of no component (x, alpha) has keep 256 and colour 0
 * in @keep and stays as it is. */
PIXEL_LOOPS static void
blend_packed (guint8 * restrict p, gint pstride, const guint8 * restrict lev,
    gint n, const guint16 (*lut)[MAX_PSTRIDE], const guint16 * restrict keep,
    guint16 * restrict colour)
{
  switch (pstride) {
    case 2:
      packed_colours (colour, 2, lev, n, lut);
      break;
    case 3:
      packed_colours (colour, 3, lev, n, lut);
      break;
    default:
      packed_colours (colour, 4, lev, n, lut);
      break;
  }
  for (gint i = 0; i < n * pstride; i++)
    p[i] = (p[i] * keep[i] + colour[i]) >> WEIGHT_BITS;
}

/* One plane of a frame being blended: its axes, and the components that
 * lie in it with their colour tables. */
typedef struct
{
  Axis *ax, *ay;
  /* packed: the components share pixels of pstride[0] bytes; the colours
   * of a pixel's bytes for each level and their keep (blend_packed). */
  gboolean packed;
  guint16 pixel_lut[256][MAX_PSTRIDE];
  guint16 byte_keep[MAX_PSTRIDE];
  gint n;
  guint8 *data[3];
  gint stride[3], pstride[3];
  const guint16 *lut[3];
} BlendPlane;

typedef struct
{
  GstSaliencyRenderer *r;
  BlendPlane planes[GST_VIDEO_MAX_PLANES];
  gint n_planes;
  guint keep;
} Blend;

PIXEL_LOOPS static void
blend_band (gpointer ctx, gint band, gint n_bands)
{
  Blend *bl = ctx;
  Rows *rows = &bl->r->rows[band];

  for (gint i = 0; i < bl->n_planes; i++) {
    const BlendPlane *pl = &bl->planes[i];
    gint y1 = gst_saliency_band_start (pl->ay->size, band + 1, n_bands);

    if (pl->packed)
      for (gint k = 0; k < pl->ax->size * pl->pstride[0]; k++)
        rows->keeps[k] = pl->byte_keep[k % pl->pstride[0]];

    for (gint y = gst_saliency_band_start (pl->ay->size, band, n_bands);
        y < y1; y++) {
      upsample_row (bl->r, pl->ax, pl->ay, y, rows->plane_levels);
      if (pl->packed) {
        blend_packed (pl->data[0] + (gsize) y * pl->stride[0],
            pl->pstride[0], rows->plane_levels, pl->ax->size, pl->pixel_lut,
            rows->keeps, rows->colours);
        continue;
      }
      for (gint k = 0; k < pl->n; k++)
        blend_row (pl->data[k] + (gsize) y * pl->stride[k], pl->pstride[k],
            rows->plane_levels, pl->ax->size, pl->lut[k], rows->colours,
            bl->keep);
    }
  }
}

/* Whether the components of @pl share pixels of one pstride, packed from
 * @base (NV12's UV, packed RGB); if so, the table and keep of each byte of
 * a pixel, bytes of no component left as they are. */
static void
plane_packed (BlendPlane * pl, const guint8 * base, guint keep)
{
  gint ps = pl->pstride[0];

  pl->packed = pl->n >= 2 && ps <= MAX_PSTRIDE;
  for (gint k = 0; k < pl->n && pl->packed; k++)
    pl->packed = pl->pstride[k] == ps && pl->stride[k] == pl->stride[0]
        && pl->data[k] >= base && pl->data[k] < base + ps;
  if (!pl->packed)
    return;

  memset (pl->pixel_lut, 0, sizeof (pl->pixel_lut));
  for (gint j = 0; j < ps; j++)
    pl->byte_keep[j] = WEIGHT_ONE;
  for (gint k = 0; k < pl->n; k++) {
    gint j = pl->data[k] - base;

    for (gint v = 0; v < 256; v++)
      pl->pixel_lut[v][j] = pl->lut[k][v];
    pl->byte_keep[j] = keep;
  }
  pl->data[0] = (guint8 *) base;
}

/**
 * gst_saliency_renderer_blend:
 * @renderer: a #GstSaliencyRenderer with a map
 * @frame: a frame mapped for writing, of a format whose first components
 *   are R, G, B or Y, U, V or gray (with any alpha last)
 * @palette: colours in the frame's colour space
 * @alpha: opacity of the heatmap, 0 leaves the frame as it is
 *
 * Blends the heatmap into @frame: every colour component becomes
 * (1 - @alpha) * itself + @alpha * the palette colour of the map's level
 * at that sample, the map interpolated bilinearly at the sample's centre
 * (for subsampled chroma, the centre of the pixels it covers). An alpha
 * channel is left untouched. Each row of each plane is interpolated once
 * and blended into all the components of the plane; large frames are
 * split into bands of rows drawn on several cores.
 */
void
gst_saliency_renderer_blend (GstSaliencyRenderer * r, GstVideoFrame * frame,
    const GstSaliencyPalette * palette, gdouble alpha)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  gint width = GST_VIDEO_FRAME_WIDTH (frame);
  gint height = GST_VIDEO_FRAME_HEIGHT (frame);
  gint n_comps = MIN (GST_VIDEO_FRAME_N_COMPONENTS (frame), 3);
  guint a = (guint) lround (CLAMP (alpha, 0.0, 1.0) * WEIGHT_ONE);
  guint16 lut[3][256];
  Blend bl = {.r = r,.keep = WEIGHT_ONE - a };
  gint n_bands;

  if (a == 0 || !r->map)
    return;

  n_bands = gst_saliency_bands_for ((gsize) width * height);
  prepare_levels (r);
  prepare_rows (r, width, n_bands);

  for (gint comp = 0; comp < n_comps; comp++)
    for (gint i = 0; i < 256; i++)
      lut[comp][i] = palette->c[i][comp] * a + WEIGHT_ONE / 2;

  for (guint plane = 0; plane < GST_VIDEO_FRAME_N_PLANES (frame); plane++) {
    BlendPlane *pl = &bl.planes[bl.n_planes];
    gint first = 0;

    pl->n = 0;
    for (gint comp = 0; comp < n_comps; comp++) {
      if (GST_VIDEO_FORMAT_INFO_PLANE (finfo, comp) != plane)
        continue;
      if (pl->n == 0)
        first = comp;
      pl->data[pl->n] = GST_VIDEO_FRAME_COMP_DATA (frame, comp);
      pl->stride[pl->n] = GST_VIDEO_FRAME_COMP_STRIDE (frame, comp);
      pl->pstride[pl->n] = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, comp);
      pl->lut[pl->n] = lut[comp];
      pl->n++;
    }
    if (pl->n == 0)
      continue;
    plane_packed (pl, GST_VIDEO_FRAME_PLANE_DATA (frame, plane), bl.keep);

    /* The components of one plane share its subsampling. The axes are
     * looked up (and cached) here, before any band runs. */
    pl->ax = get_axis (r, GST_VIDEO_FRAME_COMP_WIDTH (frame, first),
        GST_VIDEO_FORMAT_INFO_W_SUB (finfo, first), width, r->width);
    pl->ay = get_axis (r, GST_VIDEO_FRAME_COMP_HEIGHT (frame, first),
        GST_VIDEO_FORMAT_INFO_H_SUB (finfo, first), height, r->height);
    bl.n_planes++;
  }
  /* After every get_axis(), which may reuse an axis. */
  for (gint i = 0; i < bl.n_planes; i++)
    prepare_columns (r, bl.planes[i].ax);

  gst_saliency_bands_run (n_bands, blend_band, &bl);
}

typedef struct
{
  GstSaliencyRenderer *r;
  Axis *ax, *ay;
  guint8 *data;
  gint stride;
} Draw;

PIXEL_LOOPS static void
draw_band (gpointer ctx, gint band, gint n_bands)
{
  Draw *d = ctx;
  gint y1 = gst_saliency_band_start (d->ay->size, band + 1, n_bands);

  for (gint y = gst_saliency_band_start (d->ay->size, band, n_bands); y < y1;
      y++)
    upsample_row (d->r, d->ax, d->ay, y, d->data + (gsize) y * d->stride);
}

/**
 * gst_saliency_renderer_draw_map:
 * @renderer: a #GstSaliencyRenderer with a map
 * @frame: a GRAY8 frame mapped for writing
 *
 * Writes the map itself as the picture, upsampled to the frame's size.
 */
void
gst_saliency_renderer_draw_map (GstSaliencyRenderer * r,
    GstVideoFrame * frame)
{
  gint width = GST_VIDEO_FRAME_WIDTH (frame);
  gint height = GST_VIDEO_FRAME_HEIGHT (frame);
  Draw d = {.r = r };
  gint n_bands;

  g_return_if_fail (GST_VIDEO_FRAME_FORMAT (frame) == GST_VIDEO_FORMAT_GRAY8);
  g_return_if_fail (r->map != NULL);

  n_bands = gst_saliency_bands_for ((gsize) width * height);
  prepare_levels (r);
  d.ax = get_axis (r, width, 0, width, r->width);
  d.ay = get_axis (r, height, 0, height, r->height);
  prepare_columns (r, d.ax);
  d.data = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  d.stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  gst_saliency_bands_run (n_bands, draw_band, &d);
}
