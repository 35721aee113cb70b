/* salmap: saliency maps from the command line.
 *
 * "salmap COMMAND [OPTION...]": this file only finds the command and hands
 * it the rest of the command line; each command parses its own options
 * (GOptionContext, with its own --help) in its own file. A new command is
 * one line in the table below. */
#include "salmap.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <libavutil/log.h>

#ifndef SALMAP_VERSION
#define SALMAP_VERSION "unknown"
#endif

typedef struct
{
  const char *name;
  const char *summary;
  SalmapCommandFunc func;
} SalmapCommand;

static const SalmapCommand commands[] = {
  {"run", "Compute saliency maps for a video, images or a folder",
      salmap_cmd_run},
  {"bench", "Time the engine on synthetic frames (ms per frame, fps)",
      salmap_cmd_bench},
  {"eval", "Score maps against eye-tracking data, beside the centre prior",
      salmap_cmd_eval},
  {"encode", "Encode a video with more bits where people look",
      salmap_cmd_encode},
  {"encode-eval", "PSNR, SSIM and eye-tracking-weighted PSNR of an encode",
      salmap_cmd_encode_eval},
};

static void
print_usage (FILE * out)
{
  fprintf (out, "Usage:\n  salmap COMMAND [OPTION...]\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-12s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nOptions:\n"
      "  -h, --help     Show this help\n"
      "  --version      Show the version\n"
      "\n\"salmap COMMAND --help\" shows a command's options.\n");
}

static const SalmapCommand *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

int
main (int argc, char **argv)
{
  const SalmapCommand *command;
  char *prgname;
  int status;

  /* GOption prints and converts in the user's locale. */
  setlocale (LC_ALL, "");
  /* libav's errors add context to ours ("moov atom not found"); its
   * warnings ("misdetection possible", probe size hints) are noise to
   * someone who asked for saliency maps. */
  av_log_set_level (AV_LOG_ERROR);

  if (argc < 2) {
    print_usage (stderr);
    return SALMAP_EXIT_USAGE;
  }
  if (strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "--help") == 0
      || strcmp (argv[1], "help") == 0) {
    /* "salmap help run" is "salmap run --help". */
    if (argc > 2 && strcmp (argv[1], "help") == 0) {
      char *help_argv[] = { NULL, (char *) "--help", NULL };

      command = find_command (argv[2]);
      if (command == NULL) {
        salmap_printerr ("unknown command \"%s\" (see salmap --help)",
            argv[2]);
        return SALMAP_EXIT_USAGE;
      }

      prgname = g_strdup_printf ("salmap %s", command->name);
      help_argv[0] = prgname;
      status = command->func (2, help_argv);
      g_free (prgname);
      return status;
    }
    print_usage (stdout);
    return SALMAP_EXIT_OK;
  }
  if (strcmp (argv[1], "--version") == 0) {
    printf ("salmap %s\n", SALMAP_VERSION);
    return SALMAP_EXIT_OK;
  }

  command = find_command (argv[1]);
  if (command == NULL) {
    salmap_printerr ("unknown command \"%s\" (see salmap --help)", argv[1]);
    return SALMAP_EXIT_USAGE;
  }

  /* The command sees itself as the program: "salmap run" in GOption's
   * usage and error lines. */
  prgname = g_strdup_printf ("salmap %s", command->name);
  argv[1] = prgname;
  status = command->func (argc - 1, argv + 1);
  g_free (prgname);
  return status;
}
