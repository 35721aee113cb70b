/* From saliency maps to a per-block QP-offset field for an encoder: the
 * allocation of salmap encode and the saliencyenc element, and the weights
 * of the pre-filter (sal-prefilter.h). No codec library: sal-qp-attach.h
 * hands the field to libavcodec.
 *
 * The rule (docs/compression.md):
 *   d_i  = mean map density over block i, times the frame's pixel count
 *          (1 where attention is spread evenly);
 *   r_i  = EMA over frames of d_i (weight SAL_QP_SMOOTHING for the new
 *          frame), reset at a new clip, so the field does not flicker;
 *   o_i  = -strength * SAL_QP_PER_OCTAVE * log2 (max (r_i, SAL_QP_FLOOR)),
 *          clamped to +-strength * SAL_QP_MAX;
 *   the area-weighted mean of o is then subtracted: the offsets move bits
 *   between blocks and leave the frame's mean QP where the rate control put
 *   it. */
#ifndef SAL_QP_H
#define SAL_QP_H

#include <glib.h>

#include "saliency.h"

G_BEGIN_DECLS

#define SAL_QP_PER_OCTAVE 2.0
#define SAL_QP_FLOOR (1.0 / 32)
#define SAL_QP_MAX 8.0
#define SAL_QP_SMOOTHING 0.3

typedef struct _SalQp SalQp;

/* A field for frames of width x height in blocks of block_size pixels
 * (16 for x264's macroblocks and x265 unless qg-size is 8). */
SalQp *sal_qp_new (int width, int height, int block_size,
    double strength);
void sal_qp_free (SalQp * qp);

/* Forgets the smoothing history (a new clip). */
void sal_qp_reset (SalQp * qp);

/* Updates the field from map, which covers the whole frame at any size.
 * Returns the offsets in QP units, blocks_x * blocks_y row-major, valid
 * until the next call. */
const float *sal_qp_update (SalQp * qp, const SalMap * map);

void sal_qp_get_blocks (SalQp * qp, int *blocks_x, int *blocks_y);

G_END_DECLS

#endif
