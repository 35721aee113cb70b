#include "salmap-json.h"

char *
salmap_json_string (const char *text)
{
  GString *s;

  if (!text)
    return g_strdup ("null");
  s = g_string_new ("\"");
  for (const guchar * p = (const guchar *) text; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_printf (s, "\\%c", *p);
    else if (*p < 0x20)
      g_string_append_printf (s, "\\u%04x", *p);
    else
      g_string_append_c (s, *p);
  }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}
