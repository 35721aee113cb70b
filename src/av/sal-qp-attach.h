/* The QP-offset field of sal-qp.h handed to libavcodec's libx264 and
 * libx265 wrappers, as frame side data. */
#ifndef SAL_QP_ATTACH_H
#define SAL_QP_ATTACH_H

#include <glib.h>
#include <libavutil/frame.h>

#include "sal-qp.h"

G_BEGIN_DECLS

/* Attaches offsets (blocks_x * blocks_y, QP units) to frame as
 * AV_FRAME_DATA_REGIONS_OF_INTEREST, one region per run of equal offsets
 * along a row of blocks. Offsets are rounded to 1/16 QP. */
gboolean sal_qp_attach (const float *offsets, int blocks_x, int blocks_y,
    int block_size, AVFrame * frame, GError ** error);

G_END_DECLS

#endif
