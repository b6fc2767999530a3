/* The container's first process between clone and exec: it sets up its
 * own root file system and environment, then runs the command. */
#pragma once

#include <glib.h>
#include "state.h"

G_BEGIN_DECLS

typedef struct {
  const char *state_dir;
  const GockerState *state;
  char *upper_dir;             /* STATE_DIR/layers/<id>/upper */
  char *work_dir;              /* STATE_DIR/layers/<id>/work */
  char *merged_dir;            /* STATE_DIR/layers/<id>/merged */
  int release_fd;              /* socket: the supervisor sends one byte once the cgroup
                                * is joined; the child sends one once it is in its
                                * network namespace and gets one back once that is
                                * configured */
  int error_fd;                /* write end, close-on-exec: setup errors */
  int stdio[3];                /* the command's stdin, stdout, stderr */
  GArray *volume_trees;        /* detached copies of the volume sources, in the spec's order */
} GockerInitContext;

/* Runs in the cloned child: waits for the release byte, builds the root,
 * execs the command. A setup failure is written to @error_fd as one line
 * and the process exits with status 1; a failed exec prints to the
 * command's stderr and exits with 126 or 127, like a shell. */
G_GNUC_NORETURN void gocker_container_init (GockerInitContext *ctx);

/* Hardening hook: runs in the new root with /proc and /sys mounted and the
 * command's stdio and terminal in place, right before the exec. */
gboolean gocker_container_init_harden (GockerInitContext *ctx, GError **error);

G_END_DECLS
