/* Pixel format names, as GStreamer spells them. */
#include "saliency.h"

#include <string.h>

static const char *const format_names[] = {
  [SAL_FORMAT_RGBx] = "RGBx",
  [SAL_FORMAT_BGRx] = "BGRx",
  [SAL_FORMAT_RGBA] = "RGBA",
  [SAL_FORMAT_BGRA] = "BGRA",
  [SAL_FORMAT_RGB] = "RGB",
  [SAL_FORMAT_BGR] = "BGR",
  [SAL_FORMAT_I420] = "I420",
  [SAL_FORMAT_NV12] = "NV12",
  [SAL_FORMAT_GRAY8] = "GRAY8",
};

SalPixelFormat
sal_pixel_format_from_string (const char *name)
{
  for (int i = 0; name && i < SAL_FORMAT_UNKNOWN; i++)
    if (strcmp (name, format_names[i]) == 0)
      return (SalPixelFormat) i;
  return SAL_FORMAT_UNKNOWN;
}

const char *
sal_pixel_format_to_string (SalPixelFormat format)
{
  if ((int) format < 0 || format >= SAL_FORMAT_UNKNOWN)
    return "unknown";
  return format_names[format];
}

static const struct
{
  SalPixelFormat format;
  int n_planes;
  SalPlaneLayout planes[3];
} plane_layouts[] = {
  {SAL_FORMAT_RGBx, 1, {{4, 3, 0}}},
  {SAL_FORMAT_BGRx, 1, {{4, 3, 0}}},
  {SAL_FORMAT_RGBA, 1, {{4, 3, 0}}},
  {SAL_FORMAT_BGRA, 1, {{4, 3, 0}}},
  {SAL_FORMAT_RGB, 1, {{3, 3, 0}}},
  {SAL_FORMAT_BGR, 1, {{3, 3, 0}}},
  {SAL_FORMAT_GRAY8, 1, {{1, 1, 0}}},
  {SAL_FORMAT_I420, 3, {{1, 1, 0}, {1, 1, 1}, {1, 1, 1}}},
  {SAL_FORMAT_NV12, 2, {{1, 1, 0}, {2, 2, 1}}},
};

int
sal_pixel_format_planes (SalPixelFormat format, SalPlaneLayout planes[3])
{
  for (guint i = 0; i < G_N_ELEMENTS (plane_layouts); i++)
    if (plane_layouts[i].format == format) {
      memcpy (planes, plane_layouts[i].planes,
          sizeof (SalPlaneLayout) * plane_layouts[i].n_planes);
      return plane_layouts[i].n_planes;
    }
  return 0;
}

gboolean
sal_parse_net_size (const char *text, int *width, int *height,
    GError ** error)
{
  guint64 h, w;
  char *end = NULL;

  if (text) {
    h = g_ascii_strtoull (text, &end, 10);
    if (end != text && (*end == 'x' || *end == 'X')) {
      const char *wtext = end + 1;
      w = g_ascii_strtoull (wtext, &end, 10);
      if (end != wtext && *end == '\0' && h >= 1 && w >= 1 && h <= 8192
          && w <= 8192) {
        *width = (int) w;
        *height = (int) h;
        return TRUE;
      }
    }
  }
  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
      "invalid network size \"%s\": write HEIGHTxWIDTH, e.g. 224x384",
      text ? text : "");
  return FALSE;
}
