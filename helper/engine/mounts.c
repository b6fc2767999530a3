/* Mounts of the container's root: overlay, /dev, /proc, /sys. */
#define G_LOG_DOMAIN "gocker-supervisor"

#include "mounts.h"
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

gboolean
gocker_mounts_make_private (GError **error)
{
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return set_errno_error (error, errno, "making the mounts private under", "/");
  return TRUE;
}

/* overlayfs splits its options on ',' and lowerdir on ':'. */
static gboolean
check_overlay_path (const char *what, const char *path, GError **error)
{
  if (strpbrk (path, ",:\\") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the %s %s contains ',', ':' or '\\', which overlayfs cannot take; move it to a path without them",
                   what, path);
      return FALSE;
    }
  return TRUE;
}

gboolean
gocker_mounts_overlay (const char *lower, const char *upper,
                       const char *work, const char *merged,
                       gboolean volatile_layer, GError **error)
{
  g_autofree char *options = NULL;
  struct stat st;

  if (!check_overlay_path ("image directory", lower, error) ||
      !check_overlay_path ("layer directory", upper, error) ||
      !check_overlay_path ("layer directory", work, error))
    return FALSE;
  /* overlayfs reports ENOENT without naming the missing directory. */
  if (stat (lower, &st) < 0)
    return set_errno_error (error, errno, "using the image directory", lower);
  if (!S_ISDIR (st.st_mode))
    return set_errno_error (error, ENOTDIR, "using the image directory", lower);

  options = g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
  if (volatile_layer)
    {
      g_autofree char *volatile_options = g_strconcat (options, ",volatile", NULL);

      if (mount ("overlay", merged, "overlay", 0, volatile_options) == 0)
        return TRUE;
      /* Kernels before 5.10 do not know the option: sync as usual. */
      if (errno != EINVAL)
        return set_errno_error (error, errno, "mounting overlay on", merged);
    }
  if (mount ("overlay", merged, "overlay", 0, options) < 0)
    return set_errno_error (error, errno, "mounting overlay on", merged);
  return TRUE;
}

/* Mount @fstype (or bind @source when @fstype is NULL) on the open
 * target @fd, which @what names in messages. */
static gboolean
mount_on_fd (const char *source, int fd, const char *fstype,
             unsigned long flags, const char *data, const char *what,
             GError **error)
{
  g_autofree char *target = gocker_fd_path (fd);

  if (mount (source, target, fstype, flags, data) < 0)
    {
      g_autofree char *action = fstype != NULL
        ? g_strdup_printf ("mounting %s on", fstype)
        : g_strdup_printf ("binding %s on", source);
      return set_errno_error (error, errno, action, what);
    }
  return TRUE;
}

static gboolean
make_dir_at (int dir_fd, const char *name, mode_t mode, const char *path, GError **error)
{
  if (mkdirat (dir_fd, name, mode) < 0 && errno != EEXIST)
    return set_errno_error (error, errno, "creating", path);
  return TRUE;
}

gboolean
gocker_mounts_dev (int root_fd, const char *root_path, GError **error)
{
  static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
  static const struct { const char *name; const char *target; } links[] = {
    { "ptmx", "pts/ptmx" },
    { "fd", "/proc/self/fd" },
    { "stdin", "/proc/self/fd/0" },
    { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" },
  };
  g_autofree char *dev_path = g_build_filename (root_path, "dev", NULL);
  g_autofree char *pts_path = g_build_filename (dev_path, "pts", NULL);
  g_autofree char *shm_path = g_build_filename (dev_path, "shm", NULL);
  g_auto(GockerFd) old_dev = -1;
  g_auto(GockerFd) dev = -1;
  g_auto(GockerFd) pts = -1;
  g_auto(GockerFd) shm = -1;

  old_dev = gocker_rootfs_open_target (root_fd, "/dev", GOCKER_TARGET_DIRECTORY, error);
  if (old_dev < 0)
    return FALSE;
  if (!mount_on_fd ("tmpfs", old_dev, "tmpfs", MS_NOSUID | MS_STRICTATIME,
                    "mode=755,size=65536k", dev_path, error))
    return FALSE;
  /* Open again: the old descriptor still points under the new tmpfs. */
  dev = gocker_rootfs_open_target (root_fd, "/dev", GOCKER_TARGET_DIRECTORY, error);
  if (dev < 0)
    return FALSE;

  /* Binding the host's nodes works where mknod is not allowed (a user
   * namespace) and keeps the container from creating other devices. */
  for (gsize i = 0; i < G_N_ELEMENTS (devices); i++)
    {
      g_autofree char *host = g_build_filename ("/dev", devices[i], NULL);
      g_autofree char *path = g_build_filename (dev_path, devices[i], NULL);
      g_auto(GockerFd) node = gocker_rootfs_open_target (dev, devices[i], GOCKER_TARGET_FILE, error);

      if (node < 0)
        return FALSE;
      if (!mount_on_fd (host, node, NULL, MS_BIND, NULL, path, error))
        return FALSE;
    }

  if (!make_dir_at (dev, "pts", 0755, pts_path, error))
    return FALSE;
  pts = gocker_rootfs_open_target (dev, "pts", GOCKER_TARGET_DIRECTORY, error);
  if (pts < 0)
    return FALSE;
  /* newinstance: the container's ptys are its own, not the host's. */
  if (!mount_on_fd ("devpts", pts, "devpts", MS_NOSUID | MS_NOEXEC,
                    "newinstance,ptmxmode=0666,mode=0620,gid=5", pts_path, error))
    return FALSE;

  if (!make_dir_at (dev, "shm", 01777, shm_path, error))
    return FALSE;
  shm = gocker_rootfs_open_target (dev, "shm", GOCKER_TARGET_DIRECTORY, error);
  if (shm < 0)
    return FALSE;
  if (!mount_on_fd ("shm", shm, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                    "mode=1777,size=65536k", shm_path, error))
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (links); i++)
    if (symlinkat (links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
      {
        g_autofree char *path = g_build_filename (dev_path, links[i].name, NULL);
        return set_errno_error (error, errno, "creating the link", path);
      }
  return TRUE;
}

/* After pivot_root, "/" is the container's root: any symbolic link in a
 * path resolves inside it, so plain paths are safe here. */
static gboolean
mount_pseudo (const char *fstype, const char *path, unsigned long flags, GError **error)
{
  if (mkdir (path, 0555) < 0 && errno != EEXIST)
    return set_errno_error (error, errno, "creating", path);
  if (mount (fstype, path, fstype, flags, NULL) < 0)
    {
      g_autofree char *action = g_strdup_printf ("mounting %s on", fstype);
      return set_errno_error (error, errno, action, path);
    }
  return TRUE;
}

gboolean
gocker_mounts_proc_sys (GError **error)
{
  if (!mount_pseudo ("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, error))
    return FALSE;
  return mount_pseudo ("sysfs", "/sys", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, error);
}
