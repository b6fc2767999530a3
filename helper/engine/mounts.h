/* The mounts of a container's root file system. Each runs in the
 * container's own mount namespace. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Stop mount events from propagating back to the host: / and everything
 * below it become private. Must come before any other mount. */
gboolean gocker_mounts_make_private (GError **error);

/* The overlay of the image (@lower) and the container's writable layer.
 * A @volatile_layer is never synced to disk: neither its files' fsync()
 * nor the unmount at the container's exit, which otherwise syncs the
 * whole file system under the layer, waits for the disk. For layers that
 * are deleted when the container ends (--rm); a crash can leave such a
 * layer incomplete. */
gboolean gocker_mounts_overlay (const char *lower, const char *upper,
                                const char *work, const char *merged,
                                gboolean volatile_layer, GError **error);

/* A tmpfs on /dev of the root at @root_fd with the host's null, zero,
 * full, random, urandom and tty bound in, a private devpts, /dev/shm and
 * the usual links. @root_path names the root in messages. */
gboolean gocker_mounts_dev (int root_fd, const char *root_path, GError **error);

/* A fresh /proc and a read-only /sys, after the switch to the new root. */
gboolean gocker_mounts_proc_sys (GError **error);

G_END_DECLS
