/* Bind mounts of host paths into the container's root. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Take a detached copy of each volume's source tree (open_tree with
 * OPEN_TREE_CLONE), one descriptor per volume in the order of @volumes:
 * of @source_fds[i] when given (opened by the service as the requesting
 * user), otherwise of the source path. Call it in the supervisor, before
 * the container's mount namespace exists: a source that contains the state
 * directory would otherwise bring the container's root overlay and
 * ID-mapped image along, and those cannot be bound or ID-mapped again. */
gboolean gocker_volumes_clone_sources (GPtrArray *volumes, const int *source_fds,
                                       GArray **out_fds, GError **error);

/* Attach every GockerVolume of @volumes, from the copies that
 * gocker_volumes_clone_sources() made, into the root at @root_fd, parents
 * before children. Targets are resolved inside the root (see
 * gocker_rootfs_open_target()), and created with the source's type when
 * missing. A read-only volume is read-only with all its submounts. */
gboolean gocker_volumes_mount (int root_fd, GPtrArray *volumes, GArray *source_fds, GError **error);

/* Close the descriptors of gocker_volumes_clone_sources(). */
void gocker_volumes_free_sources (GArray *source_fds);

G_END_DECLS
