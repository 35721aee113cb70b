/* The pictures faces are searched in (face_cascade.frame_grey and
 * resize_bilinear): luma in integers and a fixed-point bilinear resize, so
 * that the engine and its specification agree byte for byte. */
#include "sal-face-picture.h"

#include <math.h>

#define BILINEAR_BITS 11

/* Source taps of a fixed-point bilinear resize by s (face_cascade._taps). */
static void
taps (int n_src, int n_dst, double s, int *i0, int *i1, int *w1)
{
  for (int i = 0; i < n_dst; i++) {
    double f = CLAMP ((i + 0.5) * s - 0.5, 0.0, (double) (n_src - 1));
    int a = (int) floor (f);

    i0[i] = a;
    i1[i] = MIN (a + 1, n_src - 1);
    w1[i] = (int) floor ((f - a) * (1 << BILINEAR_BITS) + 0.5);
  }
}

/* A source of grey bytes: a plane and the byte step between pixels
 * (sal_face_resize), or a frame's pixels turned into luma
 * (sal_face_picture). */
typedef struct
{
  const guint8 *data;
  int stride, step;
  int r, g, b;                  /* byte offsets; r < 0: data is grey */
  gboolean video_range;
} Source;

static inline int
luma (const Source * src, int x, int y)
{
  const guint8 *p = src->data + (gsize) y * src->stride + (gsize) x *
      src->step;

  if (src->r >= 0)
    return (77 * p[src->r] + 150 * p[src->g] + 29 * p[src->b] + 128) >> 8;
  if (src->video_range)
    return CLAMP (((p[0] - 16) * 298 + 128) >> 8, 0, 255);
  return p[0];
}

static void
resize_source (const Source * src, int w, int h, double s, guint8 * out,
    int ow, int oh)
{
  const int one = 1 << BILINEAR_BITS;
  int *y0 = g_new (int, oh), *y1 = g_new (int, oh), *wy = g_new (int, oh);
  int *x0 = g_new (int, ow), *x1 = g_new (int, ow), *wx = g_new (int, ow);
  gint64 *row = g_new (gint64, w);

  taps (h, oh, s, y0, y1, wy);
  taps (w, ow, s, x0, x1, wx);
  /* Only the columns the output reads: a 1080p frame is searched at a
   * few hundred pixels. */
  for (int x = 0; x < w; x++)
    row[x] = 0;
  for (int y = 0; y < oh; y++) {
    for (int x = 0; x < ow; x++)
      for (int k = 0; k < 2; k++) {
        int sx = k ? x1[x] : x0[x];
        row[sx] = (gint64) luma (src, sx, y0[y]) * (one - wy[y])
            + (gint64) luma (src, sx, y1[y]) * wy[y];
      }
    for (int x = 0; x < ow; x++)
      out[(gsize) y * ow + x] = (row[x0[x]] * (one - wx[x])
          + row[x1[x]] * wx[x] + ((gint64) 1 << (2 * BILINEAR_BITS - 1)))
          >> (2 * BILINEAR_BITS);
  }
  g_free (y0);
  g_free (y1);
  g_free (wy);
  g_free (x0);
  g_free (x1);
  g_free (wx);
  g_free (row);
}

void
sal_face_resize (const guint8 * g, int w, int h, int stride, double s,
    guint8 * out, int ow, int oh)
{
  Source src = { g, stride, 1, -1, -1, -1, FALSE };

  resize_source (&src, w, h, s, out, ow, oh);
}

guint8 *
sal_face_picture (const SalFrame * frame, int side, int *width, int *height)
{
  SalPlaneLayout planes[3];
  Source src = { frame->data[0], frame->stride[0], 1, -1, -1, -1, FALSE };
  int fw = frame->width, fh = frame->height, lng = MAX (fw, fh);
  double s = (double) lng / side;
  guint8 *out;

  g_return_val_if_fail (side >= 1
      && sal_pixel_format_planes (frame->format, planes) > 0, NULL);
  src.step = planes[0].pixel_stride;
  switch (frame->format) {
    case SAL_FORMAT_RGBx:
    case SAL_FORMAT_RGBA:
    case SAL_FORMAT_RGB:
      src.r = 0, src.g = 1, src.b = 2;
      break;
    case SAL_FORMAT_BGRx:
    case SAL_FORMAT_BGRA:
    case SAL_FORMAT_BGR:
      src.r = 2, src.g = 1, src.b = 0;
      break;
    case SAL_FORMAT_I420:
    case SAL_FORMAT_NV12:
      src.video_range = TRUE;
      break;
    default:                   /* GRAY8 */
      break;
  }
  *width = MAX (1, (int) nearbyint ((double) fw * side / lng));
  *height = MAX (1, (int) nearbyint ((double) fh * side / lng));
  out = g_new (guint8, (gsize) * width * *height);
  resize_source (&src, fw, fh, s, out, *width, *height);
  return out;
}
