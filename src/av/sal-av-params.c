/* Encoder settings resolved by libx264/libx265: see sal-av-params.h.
 *
 * libavcodec applies the preset and tune first, then x264-params or
 * x265-params key by key, and skips the regions of interest when the
 * resulting aq-mode is 0. The encoders then turn AQ off themselves when its
 * strength is 0 and mb-tree (cutree) is off, which ignores the offsets
 * too. Doing the same here catches both before a frame is encoded. */
#include "sal-av-params.h"
#include "saliency.h"

#include <stdint.h>             /* before x264.h, which needs it */
#include <string.h>
#include <x264.h>
#include <x265.h>

typedef int (*ParseFunc) (gpointer param, const char *key, const char *value);

static int
parse_x264 (gpointer param, const char *key, const char *value)
{
  return x264_param_parse (param, key, value);
}

static int
parse_x265 (gpointer param, const char *key, const char *value)
{
  return x265_param_parse (param, key, value);
}

/* Applies "k=v:k=v" in order, as libavcodec does. */
static gboolean
apply_params (const char *codec, gpointer param, ParseFunc parse,
    int bad_name, const char *params, GError ** error)
{
  gchar **items;
  gboolean ok = TRUE;

  if (!params || !*params)
    return TRUE;
  items = g_strsplit (params, ":", -1);
  for (int i = 0; ok && items[i]; i++) {
    gchar **kv;
    int r;

    if (!*items[i])
      continue;
    kv = g_strsplit (items[i], "=", 2);
    if (!kv[1]) {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
          "\"%s\" in \"%s\" has no value: write key=value pairs joined "
          "by ':', e.g. aq-mode=2:bframes=3", items[i], params);
      ok = FALSE;
    } else if ((r = parse (param, kv[0], kv[1])) != 0) {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
          r == bad_name ? "%s has no parameter \"%s\" (in \"%s\")" :
          "%s cannot take \"%s\" (in \"%s\"): check its value", codec,
          r == bad_name ? kv[0] : items[i], params);
      ok = FALSE;
    }
    g_strfreev (kv);
  }
  g_strfreev (items);
  return ok;
}

static void
set_aq (SalAvParams * out, int mode, double strength, gboolean tree)
{
  out->aq_mode = mode;
  out->aq_strength = strength;
  out->mb_tree = tree;
  out->aq_off = mode == 0 || (strength <= 0 && !tree);
}

static gboolean
in_list (const char *const *names, const char *name)
{
  for (int i = 0; names[i]; i++)
    if (g_strcmp0 (names[i], name) == 0)
      return TRUE;
  return FALSE;
}

/* The preset and each tune against the library's own lists, so that a
 * typo gets these lists rather than the library's bare complaint. x264
 * takes several tunes, split at any of ",./-+"; x265 one. */
static gboolean
check_names (const char *codec, const char *preset, const char *tune,
    const char *const *presets, const char *const *tunes, gboolean several,
    GError ** error)
{
  gchar **parts = NULL;
  const char *what = NULL, *name = NULL;

  if (!in_list (presets, preset)) {
    what = "preset";
    name = preset;
  } else if (tune) {
    parts = several ? g_strsplit_set (tune, ",./-+", -1) : NULL;
    for (int i = 0; parts && parts[i] && !what; i++)
      if (!in_list (tunes, parts[i])) {
        what = "tune";
        name = parts[i];
      }
    if (!several && !in_list (tunes, tune)) {
      what = "tune";
      name = tune;
    }
  }
  if (what) {
    gchar *p = g_strjoinv (", ", (gchar **) presets);
    gchar *t = g_strjoinv (", ", (gchar **) tunes);

    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "%s has no %s \"%s\" (presets: %s; tunes: %s%s)", codec, what,
        name, p, t, several ? ", several joined by ','" : ", one at most");
    g_free (p);
    g_free (t);
  }
  g_strfreev (parts);
  return what == NULL;
}

static gboolean
rejected (const char *codec, const char *preset, const char *tune,
    GError ** error)
{
  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
      "%s rejects preset \"%s\" with tune \"%s\"", codec, preset,
      tune ? tune : "");
  return FALSE;
}

gboolean
sal_av_params_resolve (const char *codec, const char *preset,
    const char *tune, const char *params, SalAvParams * out,
    GError ** error)
{
  memset (out, 0, sizeof (*out));
  if (tune && !*tune)
    tune = NULL;
  if (g_strcmp0 (codec, "libx264") == 0) {
    x264_param_t p;

    if (!check_names (codec, preset, tune, x264_preset_names,
            x264_tune_names, TRUE, error))
      return FALSE;
    if (x264_param_default_preset (&p, preset, tune) < 0)
      return rejected (codec, preset, tune, error);
    if (!apply_params (codec, &p, parse_x264, X264_PARAM_BAD_NAME, params,
            error))
      return FALSE;
    set_aq (out, p.rc.i_aq_mode, p.rc.f_aq_strength, p.rc.b_mb_tree);
    out->roi_block = 16;
    return TRUE;
  }
  if (g_strcmp0 (codec, "libx265") == 0) {
    x265_param *p;
    gboolean ok;

    if (!check_names (codec, preset, tune, x265_preset_names,
            x265_tune_names, FALSE, error))
      return FALSE;
    p = x265_param_alloc ();
    ok = x265_param_default_preset (p, preset, tune) >= 0;
    if (!ok)
      rejected (codec, preset, tune, error);
    else
      ok = apply_params (codec, p, parse_x265, X265_PARAM_BAD_NAME, params,
          error);
    if (ok) {
      set_aq (out, p->rc.aqMode, p->rc.aqStrength, p->rc.cuTree);
      /* libavcodec's rule: 8x8 blocks for qg-size 8, else 16x16. */
      out->roi_block = p->rc.qgSize == 8 ? 8 : 16;
    }
    x265_param_free (p);
    return ok;
  }
  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
      "unknown codec \"%s\": use libx264 or libx265 (the encoders that "
      "read per-block QP offsets)", codec);
  return FALSE;
}
