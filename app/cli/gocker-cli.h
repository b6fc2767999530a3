/* The commands of the gocker client, one file each (cmd-*.c). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit status for errors of gocker itself (bad input, helper errors), as
 * Docker uses it, so it is not confused with the exit codes of a container's
 * command. */
#define GOCKER_EXIT_ERROR 125

/* Each command gets its own argv, with the command name as argv[0], and
 * returns the process exit status. */
typedef int (*GockerCommandFunc) (int argc, char **argv);

int gocker_cmd_run (int argc, char **argv);
int gocker_cmd_ps (int argc, char **argv);
int gocker_cmd_logs (int argc, char **argv);
int gocker_cmd_stop (int argc, char **argv);
int gocker_cmd_rm (int argc, char **argv);
int gocker_cmd_inspect (int argc, char **argv);
int gocker_cmd_wait (int argc, char **argv);
int gocker_cmd_gui (int argc, char **argv);
int gocker_cmd_version (int argc, char **argv);

/* Parse the options of @command; on a usage error print it with a pointer to
 * --help and return FALSE. --help itself prints and exits with status 0. */
gboolean gocker_parse_options (GOptionContext *context,
                               const char *command,
                               int *argc,
                               char ***argv);

/* Print a usage error of @command ("gocker stop: MESSAGE") with a pointer
 * to --help; returns GOCKER_EXIT_ERROR. */
int gocker_usage_error (const char *command, const char *message);

G_END_DECLS
