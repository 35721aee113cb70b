/* What libx264 and libx265 will make of a preset, a tune and a parameter
 * string, resolved by the encoder libraries themselves before libavcodec
 * opens them: whether they will read per-block QP offsets at all, and at
 * which block size. */
#ifndef SAL_AV_PARAMS_H
#define SAL_AV_PARAMS_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gboolean aq_off;              /* the encoder skips every region of interest */
  int aq_mode;                  /* as resolved, for the error message */
  double aq_strength;
  gboolean mb_tree;             /* x264's mb-tree, x265's cutree */
  int roi_block;                /* side of the blocks offsets apply to */
} SalAvParams;

/* codec: "libx264" or "libx265"; tune and params may be NULL; params is
 * "key=value:key=value" as libavcodec's x264-params and x265-params take
 * it. FALSE with error for an unknown preset, tune or key, or a bad
 * value. */
gboolean sal_av_params_resolve (const char *codec, const char *preset,
    const char *tune, const char *params, SalAvParams * out,
    GError ** error);

G_END_DECLS

#endif
