/* The options of `gocker run`, and their conversion to a validated
 * GockerSpec with the shared parsers of spec.h. No D-Bus here. */
#pragma once

#include <glib.h>

#include "spec.h"

G_BEGIN_DECLS

typedef struct {
  char *cpu_limit;
  char *memory_limit;
  char *pids_limit;
  char **volumes;       /* HOST:CONTAINER[:ro|:rw] */
  char **env;           /* KEY=VALUE, or KEY to copy from the client's environment */
  char *name;
  char *hostname;
  char *workdir;
  char *rootfs;
  char *image;
  char **publish;       /* [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp] */
  char *network;
  char *userns;         /* "host" */
  char *userns_map;     /* C:H:COUNT */
  char **cap_add;
  char **cap_drop;
  char **security_opt;  /* only "seccomp=unconfined" */
  gboolean init;
  gboolean detach;
  gboolean auto_remove;
  gboolean interactive; /* -i: accepted for Docker habits, stdin is always passed */
  gboolean tty;         /* -t: accepted for Docker habits, see cmd-run.c */
  char **command;
} GockerRunOptions;

void gocker_run_options_clear (GockerRunOptions *options);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GockerRunOptions, gocker_run_options_clear)

/* Build the spec from @options. Relative host paths (volumes, --rootfs) are
 * resolved against @cwd. "-e KEY" takes KEY's value from @envp and is
 * skipped when KEY is unset there, as Docker does. Every value is checked
 * with the shared parsers, and volume sources and the root filesystem are
 * checked on disk, so that a mistake fails before anything is sent. */
GockerSpec *gocker_run_options_to_spec (const GockerRunOptions *options,
                                        const char *cwd,
                                        const char *const *envp,
                                        GError **error);

G_END_DECLS
