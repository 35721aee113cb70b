/* The QP-offset field as libavcodec side data: see sal-qp-attach.h. */
#include "sal-qp-attach.h"

#include <math.h>
#include <string.h>

/* libx264 and libx265 scale AVRegionOfInterest.qoffset by their QP range,
 * 51 at 8 bits: qoffset = dq / 51 is dq QP. */
#define QP_RANGE 51
#define QP_STEPS 16

gboolean
sal_qp_attach (const float *offsets, int bx, int by, int block,
    AVFrame * frame, GError ** error)
{
  GArray *rois = g_array_new (FALSE, FALSE, sizeof (AVRegionOfInterest));
  AVFrameSideData *sd;

  for (int j = 0; j < by; j++) {
    int k = 0;
    while (k < bx) {
      int q = (int) lrintf (offsets[j * bx + k] * QP_STEPS), end = k + 1;
      AVRegionOfInterest roi = { 0 };

      while (end < bx && (int) lrintf (offsets[j * bx + end] * QP_STEPS) == q)
        end++;
      roi.self_size = sizeof (AVRegionOfInterest);
      roi.top = j * block;
      roi.bottom = MIN ((j + 1) * block, frame->height);
      roi.left = k * block;
      roi.right = MIN (end * block, frame->width);
      roi.qoffset = (AVRational) {
      q, QP_RANGE * QP_STEPS};
      g_array_append_val (rois, roi);
      k = end;
    }
  }
  sd = av_frame_new_side_data (frame, AV_FRAME_DATA_REGIONS_OF_INTEREST,
      rois->len * sizeof (AVRegionOfInterest));
  if (sd)
    memcpy (sd->data, rois->data, rois->len * sizeof (AVRegionOfInterest));
  else
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "out of memory for the frame's regions of interest");
  g_array_unref (rois);
  return sd != NULL;
}
