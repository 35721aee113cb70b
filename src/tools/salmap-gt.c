/* Ground-truth files for salmap eval; see salmap-gt.h. */
#include "salmap-gt.h"

#include <string.h>
#include <libavutil/pixdesc.h>

#include "salmap.h"

#define MAX_CANDIDATES 3

/* The first of names that exists in dir, or NULL. */
static char *
first_existing (const char *dir, char **names)
{
  for (int i = 0; names[i] != NULL; i++) {
    char *path = g_build_filename (dir, names[i], NULL);

    if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
      return path;
    g_free (path);
  }
  return NULL;
}

static void
video_names (int number, char **names)
{
  names[0] = g_strdup_printf ("%04d.png", number);
  names[1] = g_strdup_printf ("%04d.jpg", number);
  names[2] = NULL;
}

char *
salmap_gt_find_video_frame (const char *dir, int number)
{
  char *names[MAX_CANDIDATES + 1] = { NULL };
  char *path;

  video_names (number, names);
  path = first_existing (dir, names);
  for (int i = 0; names[i] != NULL; i++)
    g_free (names[i]);
  return path;
}

char *
salmap_gt_find (const char *dir, const SalmapFrameInfo * info,
    GError ** error)
{
  char *names[MAX_CANDIDATES + 1] = { NULL };
  char *path, *looked, *what;

  if (info->name != NULL) {
    char *own = g_path_get_basename (info->path);

    names[0] = g_strdup_printf ("%s.png", info->name);
    names[1] = g_strdup_printf ("%s.jpg", info->name);
    /* The input's own name, unless it is one of the above already. */
    if (strcmp (own, names[0]) != 0 && strcmp (own, names[1]) != 0)
      names[2] = own;
    else
      g_free (own);
    what = g_strdup (info->path);
  } else {
    video_names (info->file_index + 1, names);
    what = g_strdup_printf ("frame %d of %s", info->file_index + 1,
        info->path);
  }

  path = first_existing (dir, names);
  if (path == NULL) {
    looked = g_strjoinv (", ", names);
    g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT,
        "%s: no ground truth for %s (looked for %s)", dir, what, looked);
    g_free (looked);
  }
  for (int i = 0; names[i] != NULL; i++)
    g_free (names[i]);
  g_free (what);
  return path;
}

/* Luma as stored, when plane 0 holds it as 8-bit samples: gray and YUV
 * formats. Video-range YUV is stretched to 0..255. FALSE for the rest. */
static gboolean
luma_from_plane (const AVFrame * f, double *out)
{
  const AVPixFmtDescriptor *d = av_pix_fmt_desc_get (f->format);
  const int not_luma = AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL
      | AV_PIX_FMT_FLAG_BAYER | AV_PIX_FMT_FLAG_FLOAT
      | AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BITSTREAM;
  gboolean full;

  if (d == NULL || (d->flags & not_luma) || d->comp[0].depth != 8
      || d->comp[0].plane != 0 || d->comp[0].shift != 0)
    return FALSE;
  /* Gray formats are full range whatever the tag; YUV ones unless tagged
   * (JPEG's yuvj formats are). */
  full = d->nb_components <= 2 || f->color_range == AVCOL_RANGE_JPEG
      || g_str_has_prefix (d->name, "yuvj");
  for (int y = 0; y < f->height; y++) {
    const guint8 *row = f->data[0] + (ptrdiff_t) y * f->linesize[0]
        + d->comp[0].offset;

    for (int x = 0; x < f->width; x++) {
      double v = row[x * d->comp[0].step];

      if (!full)
        v = CLAMP ((v - 16.0) * 255.0 / 219.0, 0.0, 255.0);
      out[(gsize) y * f->width + x] = v;
    }
  }
  return TRUE;
}

/* PIL's L from packed RGB, in its integer arithmetic. */
static gboolean
luma_from_rgb (const SalFrame * frame, double *out)
{
  int bpp, r, g, b;

  switch (frame->format) {
    case SAL_FORMAT_RGB:
      bpp = 3, r = 0, g = 1, b = 2;
      break;
    case SAL_FORMAT_BGR:
      bpp = 3, r = 2, g = 1, b = 0;
      break;
    case SAL_FORMAT_RGBA:
    case SAL_FORMAT_RGBx:
      bpp = 4, r = 0, g = 1, b = 2;
      break;
    case SAL_FORMAT_BGRA:
    case SAL_FORMAT_BGRx:
      bpp = 4, r = 2, g = 1, b = 0;
      break;
    default:
      return FALSE;
  }
  for (int y = 0; y < frame->height; y++) {
    const guint8 *p = frame->data[0] + (gsize) y * frame->stride[0];

    for (int x = 0; x < frame->width; x++, p += bpp)
      out[(gsize) y * frame->width + x] = (p[r] * 19595 + p[g] * 38470
          + p[b] * 7471 + 0x8000) >> 16;
  }
  return TRUE;
}

double *
salmap_gt_load (const char *path, int *width, int *height, GError ** error)
{
  const char *paths[] = { path, NULL };
  SalmapInput *input = salmap_input_new (paths, error);
  SalFrame frame;
  SalmapFrameInfo info;
  double *gray = NULL;

  if (input == NULL)
    return NULL;
  if (!salmap_input_next (input, &frame, &info, error)) {
    /* (An image always decodes to a frame or fails with an error.) */
    if (error != NULL && *error == NULL)
      g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT,
          "%s: no picture", path);
    salmap_input_free (input);
    return NULL;
  }

  gray = g_new (double, (gsize) frame.width * frame.height);
  if (!(info.av_frame->width == frame.width
          && info.av_frame->height == frame.height
          && luma_from_plane (info.av_frame, gray))
      && !luma_from_rgb (&frame, gray)) {
    g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT,
        "%s: cannot read %s pictures as gray levels", path,
        av_get_pix_fmt_name (info.av_frame->format));
    g_clear_pointer (&gray, g_free);
  }
  *width = frame.width;
  *height = frame.height;
  salmap_input_free (input);
  return gray;
}
