/* 8-bit grayscale PNG files from saliency maps, encoded with libavcodec's
 * png encoder (no image library besides libav). */
#ifndef SALMAP_PNG_H
#define SALMAP_PNG_H

#include <glib.h>

#include "saliency.h"

G_BEGIN_DECLS

typedef struct _SalmapPng SalmapPng;

/* The encoder is kept between files and reopened only when the size
 * changes. */
SalmapPng *salmap_png_new (void);
void salmap_png_free (SalmapPng * png);

/* Writes width x height gray pixels to path. */
gboolean salmap_png_write_gray8 (SalmapPng * png, const guint8 * pixels,
    int stride, int width, int height, const char *path, GError ** error);

/* Writes map scaled for display, value / max * 255 (all black when the
 * map is all zero). map->max must be up to date. */
gboolean salmap_png_write_map (SalmapPng * png, const SalMap * map,
    const char *path, GError ** error);

G_END_DECLS

#endif /* SALMAP_PNG_H */
