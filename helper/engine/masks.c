/* Masked and read-only paths, the lists runc and Docker apply by default. */
#define G_LOG_DOMAIN "gocker-masks"

#include "masks.h"

#include <errno.h>
#include <gio/gio.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Kernel interfaces that leak host information or reach hardware. */
const char *const gocker_masked_paths[] = {
  "/proc/acpi",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
  NULL,
};

/* Interfaces that would configure the whole host if written. */
const char *const gocker_readonly_paths[] = {
  "/proc/asound",
  "/proc/bus",
  "/proc/fs",
  "/proc/irq",
  "/proc/sys",
  "/proc/sysrq-trigger",
  NULL,
};

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
}
#define auto_fd __attribute__((cleanup (close_fd)))

/* Open @path below @root_fd without following any symbolic link, so a
 * link planted in the image cannot move a mask elsewhere. Returns -1 with
 * errno set. */
static int
open_in_root (int root_fd, const char *path)
{
  struct open_how how = {
    .flags = O_PATH | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };

  while (*path == '/')
    path++;
  return (int) syscall (SYS_openat2, root_fd, path, &how, sizeof how);
}

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
mask_directory (int target_fd, const char *path, GError **error)
{
  auto_fd int fs_fd = -1;
  auto_fd int mount_fd = -1;

  fs_fd = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  if (fs_fd < 0)
    return set_errno_error (error, errno, "creating the tmpfs that masks", path);

  if (fsconfig (fs_fd, FSCONFIG_SET_STRING, "size", "4k", 0) < 0 ||
      fsconfig (fs_fd, FSCONFIG_SET_STRING, "mode", "0555", 0) < 0 ||
      fsconfig (fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return set_errno_error (error, errno, "configuring the tmpfs that masks", path);

  mount_fd = fsmount (fs_fd, FSMOUNT_CLOEXEC,
                      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (mount_fd < 0)
    return set_errno_error (error, errno, "creating the tmpfs mount that masks", path);

  if (move_mount (mount_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return set_errno_error (error, errno, "mounting a read-only tmpfs on", path);

  return TRUE;
}

static gboolean
mask_file (int target_fd, int null_fd, const char *path, GError **error)
{
  auto_fd int tree_fd = -1;

  tree_fd = open_tree (null_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree_fd < 0)
    return set_errno_error (error, errno, "cloning /dev/null to mask", path);

  if (move_mount (tree_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return set_errno_error (error, errno, "binding /dev/null over", path);

  return TRUE;
}

static gboolean
make_readonly (int target_fd, const char *path, GError **error)
{
  auto_fd int tree_fd = -1;
  struct mount_attr attr = {
    .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
  };

  /* A recursive bind of the path onto itself, made read-only before it is
   * attached, so there is no moment where it is writable. */
  tree_fd = open_tree (target_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (tree_fd < 0)
    return set_errno_error (error, errno, "cloning the mount of", path);

  if (mount_setattr (tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    return set_errno_error (error, errno, "making a read-only bind mount of", path);

  if (move_mount (tree_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return set_errno_error (error, errno, "mounting read-only over", path);

  return TRUE;
}

gboolean
gocker_masks_apply (const char *root, GError **error)
{
  auto_fd int root_fd = -1;
  auto_fd int null_fd = -1;
  struct stat st;

  root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return set_errno_error (error, errno, "opening the container root", root);

  /* Masked files get the container's /dev/null, which must be the real
   * device and not a file from the image. */
  null_fd = open_in_root (root_fd, "/dev/null");
  if (null_fd < 0)
    return set_errno_error (error, errno, "opening /dev/null in", root);
  if (fstat (null_fd, &st) < 0)
    return set_errno_error (error, errno, "checking /dev/null in", root);
  if (!S_ISCHR (st.st_mode) || st.st_rdev != makedev (1, 3))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "/dev/null in %s is not the null device (1:3); mount /dev before masking paths",
                   root);
      return FALSE;
    }

  for (gsize i = 0; gocker_masked_paths[i] != NULL; i++)
    {
      const char *path = gocker_masked_paths[i];
      auto_fd int target_fd = open_in_root (root_fd, path);
      gboolean ok;

      if (target_fd < 0 && errno == ENOENT)
        {
          g_debug ("%s does not exist, nothing to mask", path);
          continue;
        }
      if (target_fd < 0)
        return set_errno_error (error, errno, "opening the masked path", path);
      if (fstat (target_fd, &st) < 0)
        return set_errno_error (error, errno, "checking the masked path", path);

      if (S_ISDIR (st.st_mode))
        ok = mask_directory (target_fd, path, error);
      else
        ok = mask_file (target_fd, null_fd, path, error);
      if (!ok)
        return FALSE;
    }

  for (gsize i = 0; gocker_readonly_paths[i] != NULL; i++)
    {
      const char *path = gocker_readonly_paths[i];
      auto_fd int target_fd = open_in_root (root_fd, path);

      if (target_fd < 0 && errno == ENOENT)
        {
          g_debug ("%s does not exist, nothing to make read-only", path);
          continue;
        }
      if (target_fd < 0)
        return set_errno_error (error, errno, "opening the read-only path", path);

      if (!make_readonly (target_fd, path, error))
        return FALSE;
    }

  return TRUE;
}
