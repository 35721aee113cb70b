/* A codec-agnostic pre-filter for saliency-guided encoding: low-passes the
 * areas nobody looks at, so that any encoder spends fewer bits there, and
 * leaves the salient ones untouched.
 *
 * The rule (docs/compression.md, "Pre-filter"):
 *   o_k  = block k's QP offset of sal-qp.h at strength 1 (relative
 *          density, smoothed over time, zero-mean): positive where the
 *          block is less salient than the frame's average;
 *   q_k  = round (256 * clamp (strength * o_k / SAL_PREFILTER_FULL_QP,
 *          0, 1)): the block's blend weight in 1/256;
 *   a    = q interpolated bilinearly between block centres to each sample
 *          (8-bit fractions, rounded once), so no block edge appears;
 *   B    = the sample blurred by the separable kernel [1 2 3 4 5 4 3 2 1]
 *          / 25 along rows, then along columns (two 5-sample box blurs
 *          each way), edges replicated, rounded once: (sum + 312) / 625;
 *   out  = (in * (256 - a) + B * a + 128) >> 8.
 * Every plane is filtered in its own samples (chroma at its subsampling);
 * the fourth byte of RGBx/RGBA-style pixels is left alone. Strength 0
 * leaves the frame bit-exact. */
#ifndef SAL_PREFILTER_H
#define SAL_PREFILTER_H

#include <glib.h>

#include "saliency.h"

G_BEGIN_DECLS

/* The strength-1 QP offset at which a block is fully blurred, at
 * strength 1: two octaves below the frame's mean density. */
#define SAL_PREFILTER_FULL_QP 4.0
/* The samples each side of the blur kernel. */
#define SAL_PREFILTER_RADIUS 4

typedef struct _SalPrefilter SalPrefilter;

/* For frames of width x height whose field has blocks of block_size
 * pixels (that of the SalQp giving it). */
SalPrefilter *sal_prefilter_new (int width, int height, int block_size);
void sal_prefilter_free (SalPrefilter * pf);

/* Filters the frame's planes in place (data and stride as in SalFrame).
 * field: blocks_x * blocks_y offsets of a SalQp at strength 1 for this
 * frame size and block size. Fails only for SAL_FORMAT_UNKNOWN. */
gboolean sal_prefilter_apply (SalPrefilter * pf, const float *field,
    double strength, SalPixelFormat format, guint8 * const data[3],
    const int stride[3], GError ** error);

G_END_DECLS

#endif
