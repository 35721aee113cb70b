/* From saliency maps to a per-block QP-offset field for an encoder.
 *
 * The rule (docs/compression.md):
 *   d_i  = mean map density over block i, times the frame's pixel count
 *          (1 where attention is spread evenly);
 *   r_i  = EMA over frames of d_i (weight SALMAP_QP_SMOOTHING for the new
 *          frame), reset at a new clip, so the field does not flicker;
 *   o_i  = -strength * SALMAP_QP_PER_OCTAVE * log2 (max (r_i, SALMAP_QP_FLOOR)),
 *          clamped to +-strength * SALMAP_QP_MAX;
 *   the area-weighted mean of o is then subtracted: the offsets move bits
 *   between blocks and leave the frame's mean QP where the rate control put
 *   it. */
#ifndef SALMAP_QP_H
#define SALMAP_QP_H

#include <glib.h>
#include <libavutil/frame.h>

#include "saliency.h"

G_BEGIN_DECLS

#define SALMAP_QP_PER_OCTAVE 2.0
#define SALMAP_QP_FLOOR (1.0 / 32)
#define SALMAP_QP_MAX 8.0
#define SALMAP_QP_SMOOTHING 0.3

typedef struct _SalmapQp SalmapQp;

/* A field for frames of width x height in blocks of block_size pixels
 * (16 for x264's macroblocks and x265 unless qg-size is 8). */
SalmapQp *salmap_qp_new (int width, int height, int block_size,
    double strength);
void salmap_qp_free (SalmapQp * qp);

/* Forgets the smoothing history (a new clip). */
void salmap_qp_reset (SalmapQp * qp);

/* Updates the field from map, which covers the whole frame at any size.
 * Returns the offsets in QP units, blocks_x * blocks_y row-major, valid
 * until the next call. */
const float *salmap_qp_update (SalmapQp * qp, const SalMap * map);

void salmap_qp_get_blocks (SalmapQp * qp, int *blocks_x, int *blocks_y);

/* Attaches offsets (blocks_x * blocks_y, QP units) to frame as
 * AV_FRAME_DATA_REGIONS_OF_INTEREST, one region per run of equal offsets
 * along a row of blocks. Offsets are rounded to 1/16 QP. */
gboolean salmap_qp_attach (const float *offsets, int blocks_x, int blocks_y,
    int block_size, AVFrame * frame, GError ** error);

G_END_DECLS

#endif
