/* Hardening of the container's first process: user namespace, masked
 * paths, capabilities, no_new_privs, seccomp and the optional init.
 *
 * Three calls from the container's init process (container-init.c), which
 * runs as host root in its new namespaces:
 *   1. gocker_harden_prepare() after / was made private and before the
 *      overlay is mounted: resolves the settings, so invalid ones fail
 *      before anything is mounted, and replaces the image directory, in
 *      this mount namespace only, with a view owned by the container's
 *      root;
 *   2. gocker_harden_enter_network() before pivot_root: creates the
 *      container's network namespace and moves the process into it, so
 *      the supervisor can configure it and /sys is mounted for it;
 *   3. gocker_harden_apply() in the new root, after /proc, /sys and /dev
 *      are mounted and right before the command's exec.
 *
 * The user namespace is created in step 1 (gocker_userns_open_fd()) and
 * joined last, by setns(). The network namespace belongs to it, so
 * container root has its capabilities over its own interfaces. The UTS,
 * PID, mount and IPC namespaces were cloned by the supervisor and stay
 * owned by the host's user namespace: container root cannot mount or
 * change the hostname. */
#pragma once

#include <glib.h>
#include "state.h"

G_BEGIN_DECLS

typedef struct _GockerHarden GockerHarden;

/* Where the container sees gocker-init when spec->init is set. */
#define GOCKER_INIT_CONTAINER_PATH "/dev/init"

GockerHarden *gocker_harden_prepare (const GockerState *state, const char *state_dir,
                                     const char *upper_dir, const char *work_dir,
                                     GError **error);

/* Create the container's network namespace and enter it: none for
 * --network host; with a user namespace, one owned by it; without, an
 * ordinary one. Runs as host root, before /sys is mounted. */
gboolean gocker_harden_enter_network (GockerHarden *harden, GError **error);

gboolean gocker_harden_apply (GockerHarden *harden, GError **error);

/* The argv to execute: @argv itself, or gocker-init followed by @argv when
 * spec->init is set. Owned by @harden. */
char **gocker_harden_command_argv (GockerHarden *harden, char **argv);

void gocker_harden_free (GockerHarden *harden);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GockerHarden, gocker_harden_free)

/* Find the gocker-init binary: $GOCKER_INIT, then next to the running
 * program, then the build tree's helper/init, then GOCKER_LIBEXECDIR. */
char *gocker_harden_find_init (GError **error);

G_END_DECLS
