/* The engine options every salmap command takes (--model, --device,
 * --still, --domain, --net-size, --modulo). */
#ifndef SALMAP_ENGINE_ARGS_H
#define SALMAP_ENGINE_ARGS_H

#include <glib.h>

#include "saliency.h"
#include "salmap.h"

G_BEGIN_DECLS

typedef struct
{
  char *model;
  char *device;
  gboolean still;
  char *domain;
  char *net_size;
  int modulo;
} SalmapEngineArgs;

/* Adds the options to context; they write into args. */
void salmap_engine_args_add (GOptionContext * context,
    SalmapEngineArgs * args);
/* Fills opts (which borrows args' strings) from the parsed args. */
gboolean salmap_engine_args_to_options (const SalmapEngineArgs * args,
    SalEngineOptions * opts, GError ** error);
void salmap_engine_args_clear (SalmapEngineArgs * args);

/* Parses a command's line: its own entries plus the engine options (none
 * when args is NULL), with the help texts given. FALSE, the error printed, on a bad command line. */
gboolean salmap_parse_command (int *argc, char ***argv,
    const char *parameters, const char *summary, const char *description,
    const GOptionEntry * entries, SalmapEngineArgs * args);

G_END_DECLS

#endif
