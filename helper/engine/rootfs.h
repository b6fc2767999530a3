/* The container's root: resolving paths inside it without escaping, and
 * switching to it. */
#pragma once

#include <glib.h>
#include <unistd.h>

G_BEGIN_DECLS

/* A descriptor closed when it goes out of scope: g_auto(GockerFd) fd = -1; */
typedef int GockerFd;
static inline void
gocker_fd_clear (GockerFd *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GockerFd, gocker_fd_clear)

typedef enum {
  GOCKER_TARGET_DIRECTORY,
  GOCKER_TARGET_FILE,
} GockerTargetType;

/* Open @path as an O_PATH descriptor, resolved as if @root_fd were "/".
 * Every lookup goes through openat2() with RESOLVE_IN_ROOT and
 * RESOLVE_NO_MAGICLINKS, so neither ".." nor a symbolic link in the image
 * can lead outside. Missing components are created as directories, and the
 * last one as @type. A dangling symbolic link is followed inside the root,
 * and its target is created there. Returns -1 and sets @error on failure. */
int gocker_rootfs_open_target (int root_fd, const char *path,
                               GockerTargetType type, GError **error);

/* "/proc/self/fd/N": how mount(2) is pointed at a descriptor. */
char *gocker_fd_path (int fd);

/* Make @new_root the process's root with pivot_root(2) and detach the old
 * root. When the kernel refuses pivot_root with EINVAL (the current root
 * is the initial ramfs), moves the mount over / and chroots instead. */
gboolean gocker_rootfs_pivot (const char *new_root, GError **error);

G_END_DECLS
