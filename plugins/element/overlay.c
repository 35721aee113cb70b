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
} Axis;

/* Luma and chroma planes, horizontally and vertically. */
#define N_AXES 4

/* Row buffers of one band (bands.h): each band runs on one thread. */
typedef struct
{
  guint16 *row;                 /* two map rows interpolated; width + 1 */
  guint8 *plane_levels;         /* one plane row of levels */
  guint16 *colours;             /* and of colours */
  gsize row_size, plane_levels_size, colours_size;
} Rows;

struct _GstSaliencyRenderer
{
  const gfloat *map;
  gfloat max;
  gint width, height;

  guint8 *levels;               /* the map quantised; width x height */
  gsize levels_size;
  gboolean levels_valid;

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
  }
  g_free (r->levels);
  for (guint i = 0; i < GST_SALIENCY_MAX_BANDS; i++) {
    g_free (r->rows[i].row);
    g_free (r->rows[i].plane_levels);
    g_free (r->rows[i].colours);
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
   * samples, which upsample_row() interpolates without gathers. */
  for (gint k = 0, i = 0; k <= map_size; k++) {
    while (i < size && a->index[i] < k)
      i++;
    a->start[k] = i;
  }
}

/* The tables for one axis of a plane, computed once per geometry. */
static const Axis *
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

/* The levels of plane row @y, one per sample of the row (@ax->size). */
static void
upsample_row (const GstSaliencyRenderer * r, const Axis * ax,
    const Axis * ay, gint y, guint16 * restrict row, guint8 * restrict out)
{
  const guint8 *a = r->levels + (gsize) ay->index[y] * r->width;
  const guint8 *b = a + (ay->index[y] + 1 < r->height ? r->width : 0);
  guint wy = ay->weight[y], ky = WEIGHT_ONE - wy;
  const gint *restrict start = ax->start;
  const guint16 *restrict weight = ax->weight;

  /* Vertically at the map's width: a few hundred samples. */
  for (gint k = 0; k < r->width; k++)
    row[k] = a[k] * ky + b[k] * wy;
  /* The sample after the last one, so that index + 1 needs no test. */
  row[r->width] = row[r->width - 1];

  for (gint k = 0; k < r->width; k++) {
    gint base = row[k] << WEIGHT_BITS;
    gint delta = row[k + 1] - row[k];

    /* row[k] (1 - w) + row[k + 1] w, a loop the compiler vectorises. */
    for (gint i = start[k]; i < start[k + 1]; i++)
      out[i] = (base + delta * weight[i] + (1 << (2 * WEIGHT_BITS - 1)))
          >> (2 * WEIGHT_BITS);
  }
}

/* Prepares the row buffers of @n_bands bands for planes up to @width
 * samples wide. */
static void
prepare_rows (GstSaliencyRenderer * r, gint width, gint n_bands)
{
  for (gint b = 0; b < n_bands; b++) {
    Rows *rows = &r->rows[b];

    ensure_size ((gpointer *) & rows->row, &rows->row_size, r->width + 1,
        sizeof (guint16));
    ensure_size ((gpointer *) & rows->plane_levels, &rows->plane_levels_size,
        width, 1);
    /* + 1: an interleaved chroma row of an odd width (blend_pairs). */
    ensure_size ((gpointer *) & rows->colours, &rows->colours_size,
        width + 1, sizeof (guint16));
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

static void
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
 * and blended into all the components of the plane.
 */
/* Two components interleaved byte by byte (NV12's UV): one pass over the
 * row at stride 1, which vectorises, instead of two at stride 2. */
static void
blend_pairs (guint8 * p, const guint8 * restrict lev, gint n,
    const guint16 * restrict lut0, const guint16 * restrict lut1,
    guint16 * restrict colour, guint keep)
{
  for (gint i = 0; i < n; i++) {
    colour[2 * i] = lut0[lev[i]];
    colour[2 * i + 1] = lut1[lev[i]];
  }
  blend_samples (p, 1, colour, 2 * n, keep);
}

/* One plane of a frame being blended: its axes, and the components that
 * lie in it with their colour tables. */
typedef struct
{
  const Axis *ax, *ay;
  gboolean pairs;               /* two components, interleaved bytes */
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

static void
blend_band (gpointer ctx, gint band, gint n_bands)
{
  Blend *bl = ctx;
  Rows *rows = &bl->r->rows[band];

  for (gint i = 0; i < bl->n_planes; i++) {
    const BlendPlane *pl = &bl->planes[i];
    gint y1 = gst_saliency_band_start (pl->ay->size, band + 1, n_bands);

    for (gint y = gst_saliency_band_start (pl->ay->size, band, n_bands);
        y < y1; y++) {
      upsample_row (bl->r, pl->ax, pl->ay, y, rows->row, rows->plane_levels);
      if (pl->pairs) {
        blend_pairs (pl->data[0] + (gsize) y * pl->stride[0],
            rows->plane_levels, pl->ax->size, pl->lut[0], pl->lut[1],
            rows->colours, bl->keep);
        continue;
      }
      for (gint k = 0; k < pl->n; k++)
        blend_row (pl->data[k] + (gsize) y * pl->stride[k], pl->pstride[k],
            rows->plane_levels, pl->ax->size, pl->lut[k], rows->colours,
            bl->keep);
    }
  }
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
    pl->pairs = pl->n == 2 && pl->pstride[0] == 2 && pl->pstride[1] == 2
        && pl->data[1] == pl->data[0] + 1 && pl->stride[1] == pl->stride[0];

    /* The components of one plane share its subsampling. The axes are
     * looked up (and cached) here, before any band runs. */
    pl->ax = get_axis (r, GST_VIDEO_FRAME_COMP_WIDTH (frame, first),
        GST_VIDEO_FORMAT_INFO_W_SUB (finfo, first), width, r->width);
    pl->ay = get_axis (r, GST_VIDEO_FRAME_COMP_HEIGHT (frame, first),
        GST_VIDEO_FORMAT_INFO_H_SUB (finfo, first), height, r->height);
    bl.n_planes++;
  }

  gst_saliency_bands_run (n_bands, blend_band, &bl);
}

typedef struct
{
  GstSaliencyRenderer *r;
  const Axis *ax, *ay;
  guint8 *data;
  gint stride;
} Draw;

static void
draw_band (gpointer ctx, gint band, gint n_bands)
{
  Draw *d = ctx;
  Rows *rows = &d->r->rows[band];
  gint y1 = gst_saliency_band_start (d->ay->size, band + 1, n_bands);

  for (gint y = gst_saliency_band_start (d->ay->size, band, n_bands); y < y1;
      y++)
    upsample_row (d->r, d->ax, d->ay, y, rows->row,
        d->data + (gsize) y * d->stride);
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
  prepare_rows (r, width, n_bands);
  d.ax = get_axis (r, width, 0, width, r->width);
  d.ay = get_axis (r, height, 0, height, r->height);
  d.data = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  d.stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  gst_saliency_bands_run (n_bands, draw_band, &d);
}
