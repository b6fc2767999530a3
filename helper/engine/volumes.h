/* Bind mounts of host paths into the container's root. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bind every GockerVolume of @volumes into the root at @root_fd, parents
 * before children. Targets are resolved inside the root (see
 * gocker_rootfs_open_target()), and created with the source's type when
 * missing. A read-only volume is read-only with all its submounts. */
gboolean gocker_volumes_mount (int root_fd, GPtrArray *volumes, GError **error);

G_END_DECLS
