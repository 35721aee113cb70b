/* Engine options shared by the salmap commands. */
#include "salmap-engine-args.h"

#include <string.h>

void
salmap_engine_args_add (GOptionContext * context, SalmapEngineArgs * args)
{
  const GOptionEntry entries[] = {
    {"model", 'm', 0, G_OPTION_ARG_STRING, &args->model,
        "Model: \"default\" (built in, learned), \"classic\" "
          "(weight-free), \"centre\", \"sr\" (spectral residual x centre) or a "
          "model file such as "
          "unisal.safetensors (default: default)", "M"},
    {"device", 'd', 0, G_OPTION_ARG_STRING, &args->device,
        "OpenCL device: auto, cpu, gpu or an index (default: auto)", "D"},
    {"still", 's', 0, G_OPTION_ARG_NONE, &args->still,
        "Treat every frame as an independent image (no temporal state)",
        NULL},
    {"domain", 0, 0, G_OPTION_ARG_STRING, &args->domain,
          "UNISAL domain: DHF1K, Hollywood, UCFSports or SALICON "
          "(default: DHF1K)", "NAME"},
    {"net-size", 0, 0, G_OPTION_ARG_STRING, &args->net_size,
          "Network input size HxW, multiples of 32 (default: the model "
          "file's)", "HxW"},
    {"modulo", 0, 0, G_OPTION_ARG_INT, &args->modulo,
          "Interleaved GRU sequences: frame t continues frame t-M "
          "(default: the domain's, 5 for DHF1K, 4 otherwise)", "M"},
    {NULL}
  };

  g_option_context_add_main_entries (context, entries, NULL);
}

gboolean
salmap_engine_args_to_options (const SalmapEngineArgs * args,
    SalEngineOptions * opts, GError ** error)
{
  sal_engine_options_init (opts);
  opts->model = args->model;
  if (args->device)
    opts->device = args->device;
  opts->still = args->still;
  opts->domain = args->domain;
  if (args->modulo < 0) {
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID_ARGUMENT,
        "--modulo %d: give a positive number of sequences", args->modulo);
    return FALSE;
  }
  opts->modulo = args->modulo;
  if (args->net_size && !sal_parse_net_size (args->net_size,
          &opts->net_width, &opts->net_height, error))
    return FALSE;
  return TRUE;
}

void
salmap_engine_args_clear (SalmapEngineArgs * args)
{
  g_free (args->model);
  g_free (args->device);
  g_free (args->domain);
  g_free (args->net_size);
  memset (args, 0, sizeof (*args));
}

gboolean
salmap_parse_command (int *argc, char ***argv, const char *parameters,
    const char *summary, const char *description,
    const GOptionEntry * entries, SalmapEngineArgs * args)
{
  GOptionContext *context = g_option_context_new (parameters);
  GError *error = NULL;
  gboolean ok;

  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, description);
  /* Commands that run no engine pass no args. */
  if (args)
    salmap_engine_args_add (context, args);
  g_option_context_add_main_entries (context, entries, NULL);
  ok = g_option_context_parse (context, argc, argv, &error);
  if (!ok) {
    salmap_printerr ("%s (see %s --help)", error->message, (*argv)[0]);
    g_error_free (error);
  }
  g_option_context_free (context);
  return ok;
}
