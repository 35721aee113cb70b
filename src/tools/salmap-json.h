/* Just enough JSON writing for the --json outputs. */
#ifndef SALMAP_JSON_H
#define SALMAP_JSON_H

#include <glib.h>

G_BEGIN_DECLS

/* A quoted, escaped JSON string literal for text (NULL: null). */
char *salmap_json_string (const char *text);

G_END_DECLS

#endif
