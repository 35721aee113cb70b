/* salmap: what the subcommands share.
 *
 * Each subcommand is one file (salmap-run.c, later salmap-bench.c, ...) with
 * an entry point of the SalmapCommandFunc shape; salmap.c only dispatches.
 * Helpers with one concern each live in their own files (input, npy, png,
 * progress) so that the later subcommands reuse them as they are. */
#ifndef SALMAP_H
#define SALMAP_H

#include <glib.h>

G_BEGIN_DECLS

#define SALMAP_ERROR (salmap_error_quark ())
GQuark salmap_error_quark (void);

typedef enum
{
  SALMAP_ERROR_INPUT,           /* an input cannot be opened, demuxed, decoded */
  SALMAP_ERROR_OUTPUT,          /* an output cannot be encoded or written */
  SALMAP_ERROR_SHAPE,           /* frames of different sizes where one is needed */
} SalmapError;

/* Exit statuses shared by all subcommands, so scripts can tell a typo in
 * the command line from a failed run. */
enum
{
  SALMAP_EXIT_OK = 0,
  SALMAP_EXIT_FAILURE = 1,
  SALMAP_EXIT_USAGE = 2,
};

/* argv[0] is "salmap <command>", so GOptionContext prints usage lines and
 * errors with the subcommand's name. Returns an exit status. */
typedef int (*SalmapCommandFunc) (int argc, char **argv);

int salmap_cmd_run (int argc, char **argv);
int salmap_cmd_bench (int argc, char **argv);
int salmap_cmd_eval (int argc, char **argv);
int salmap_cmd_encode (int argc, char **argv);
int salmap_cmd_encode_eval (int argc, char **argv);

/* Prints "salmap: <message>" on stderr: the one format of every error. */
void salmap_printerr (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* Sets error from a libav status code, with av_err2str's text after the
 * caller's context ("clip.mp4: decoding frame 12: Invalid data ..."). */
void salmap_set_av_error (GError ** error, int code, int averr,
    const char *format, ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS

#endif /* SALMAP_H */
