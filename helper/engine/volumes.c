/* Volumes: host files and directories bound into the container. */
#define G_LOG_DOMAIN "gocker-supervisor"

#include "volumes.h"
#include "rootfs.h"
#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static guint
path_depth (const char *path)
{
  guint depth = 0;

  for (const char *p = path; *p != '\0'; p++)
    if (*p == '/' && p[1] != '/' && p[1] != '\0')
      depth++;
  return depth;
}

static gint
compare_depth (gconstpointer a, gconstpointer b)
{
  const GockerVolume *va = *(const GockerVolume *const *) a;
  const GockerVolume *vb = *(const GockerVolume *const *) b;
  guint da = path_depth (va->target);
  guint db = path_depth (vb->target);

  if (da < db)
    return -1;
  if (da > db)
    return 1;
  return 0;
}

static gboolean
make_read_only (int root_fd, const GockerVolume *volume, GError **error)
{
  /* Open the target again: the first descriptor still points at what the
   * bind mount now covers, not at the mount itself. */
  g_auto(GockerFd) fd = gocker_rootfs_open_target (root_fd, volume->target,
                                                   GOCKER_TARGET_DIRECTORY, error);
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
  g_autofree char *fd_path = NULL;

  if (fd < 0)
    return FALSE;
  /* mount_setattr() reaches submounts too and leaves the flags the source
   * had (nosuid, nodev) alone; remounting is for kernels before 5.12. */
  if (mount_setattr (fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    {
      int saved_errno = errno;

      fd_path = gocker_fd_path (fd);
      if (saved_errno != ENOSYS ||
          mount (NULL, fd_path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
        {
          saved_errno = saved_errno == ENOSYS ? errno : saved_errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "making volume %s read-only: %s", volume->target,
                       g_strerror (saved_errno));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
gocker_volumes_clone_sources (GPtrArray *volumes, const int *source_fds,
                              GArray **out_fds, GError **error)
{
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; volumes != NULL && i < volumes->len; i++)
    {
      const GockerVolume *volume = g_ptr_array_index (volumes, i);
      int fd = source_fds != NULL
               ? open_tree (source_fds[i], "",
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH)
               : open_tree (AT_FDCWD, volume->source,
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

      if (fd < 0)
        {
          int saved_errno = errno;

          gocker_volumes_free_sources (g_steal_pointer (&fds));
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "volume source %s: %s", volume->source, g_strerror (saved_errno));
          return FALSE;
        }
      g_array_append_val (fds, fd);
    }
  *out_fds = g_steal_pointer (&fds);
  return TRUE;
}

void
gocker_volumes_free_sources (GArray *source_fds)
{
  if (source_fds == NULL)
    return;
  for (guint i = 0; i < source_fds->len; i++)
    close (g_array_index (source_fds, int, i));
  g_array_unref (source_fds);
}

static gboolean
mount_volume (int root_fd, const GockerVolume *volume, int source_fd, GError **error)
{
  g_auto(GockerFd) target = -1;
  struct stat source_st;
  struct stat target_st;
  gboolean source_is_dir;

  /* The type of what is mounted, not of what the path names by now. */
  if (fstat (source_fd, &source_st) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "volume source %s: %s", volume->source, g_strerror (saved_errno));
      return FALSE;
    }
  source_is_dir = S_ISDIR (source_st.st_mode);

  target = gocker_rootfs_open_target (root_fd, volume->target,
                                      source_is_dir ? GOCKER_TARGET_DIRECTORY : GOCKER_TARGET_FILE,
                                      error);
  if (target < 0)
    {
      g_prefix_error (error, "volume %s:%s: ", volume->source, volume->target);
      return FALSE;
    }
  if (fstat (target, &target_st) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "volume target %s: %s", volume->target, g_strerror (saved_errno));
      return FALSE;
    }
  if (source_is_dir != S_ISDIR (target_st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   source_is_dir
                   ? "cannot mount directory %s on %s: it is not a directory in the container"
                   : "cannot mount file %s on %s: it is a directory in the container",
                   volume->source, volume->target);
      return FALSE;
    }

  /* Attach through the target's descriptor itself: a /proc/self/fd path
   * is rejected here with EINVAL for detached trees. */
  if (move_mount (source_fd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "binding %s on %s: %s", volume->source, volume->target,
                   g_strerror (saved_errno));
      return FALSE;
    }
  if (volume->readonly)
    return make_read_only (root_fd, volume, error);
  return TRUE;
}

gboolean
gocker_volumes_mount (int root_fd, GPtrArray *volumes, GArray *source_fds, GError **error)
{
  g_autoptr(GPtrArray) sorted = NULL;

  if (volumes == NULL || volumes->len == 0)
    return TRUE;
  sorted = g_ptr_array_copy (volumes, NULL, NULL);
  /* The copy inherits the free function; the volumes stay the spec's. */
  g_ptr_array_set_free_func (sorted, NULL);
  /* Stable, so volumes at the same depth keep the order they were given. */
  g_ptr_array_sort (sorted, compare_depth);
  g_return_val_if_fail (source_fds != NULL && source_fds->len == volumes->len, FALSE);
  for (guint i = 0; i < sorted->len; i++)
    {
      const GockerVolume *volume = g_ptr_array_index (sorted, i);
      guint index = 0;

      /* The descriptors follow the spec's order, not the sorted one. */
      g_ptr_array_find (volumes, volume, &index);
      if (!mount_volume (root_fd, volume, g_array_index (source_fds, int, index), error))
        return FALSE;
    }
  return TRUE;
}
