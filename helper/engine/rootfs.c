/* Resolving paths inside the container's root, and pivot_root. */
#define G_LOG_DOMAIN "gocker-supervisor"

#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* How many symbolic links one lookup may follow by hand, as the kernel's
 * own limit for a path. */
#define MAX_LINKS 40

char *
gocker_fd_path (int fd)
{
  return g_strdup_printf ("/proc/self/fd/%d", fd);
}

static int
open_in_root (int root_fd, const char *path)
{
  struct open_how how = {
    .flags = O_PATH | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd;

  do
    fd = (int) syscall (SYS_openat2, root_fd, path, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  return fd;
}

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

typedef enum {
  WALK_DONE,
  WALK_FAILED,
  WALK_RESTART,       /* *next_path is the path with a link replaced */
} WalkResult;

/* Walk @path's components once. Creating a component fails with EEXIST
 * only when it is a dangling symbolic link, because openat2 found nothing
 * there. The link's target then replaces it in the path and the caller
 * starts over. */
static WalkResult
walk_once (int root_fd, const char *path, GockerTargetType type,
           int *out_fd, char **next_path, GError **error)
{
  g_auto(GStrv) split = g_strsplit (path, "/", -1);
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autoptr(GString) prefix = g_string_new (NULL);
  int parent_fd;

  for (char **p = split; *p != NULL; p++)
    if (**p != '\0' && strcmp (*p, ".") != 0)
      g_ptr_array_add (parts, *p);

  parent_fd = open_in_root (root_fd, "/");
  if (parent_fd < 0)
    {
      set_errno_error (error, errno, "opening the container's root for", path);
      return WALK_FAILED;
    }

  for (guint i = 0; i < parts->len; i++)
    {
      const char *name = g_ptr_array_index (parts, i);
      gboolean last = i + 1 == parts->len;
      gsize parent_len = prefix->len;
      int fd;
      int r;

      g_string_append_printf (prefix, "/%s", name);
      fd = open_in_root (root_fd, prefix->str);
      if (fd >= 0)
        {
          close (parent_fd);
          parent_fd = fd;
          continue;
        }
      if (errno != ENOENT)
        {
          set_errno_error (error, errno, "resolving", prefix->str);
          close (parent_fd);
          return WALK_FAILED;
        }

      if (last && type == GOCKER_TARGET_FILE)
        {
          r = openat (parent_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
          if (r >= 0)
            close (r);
        }
      else
        r = mkdirat (parent_fd, name, 0755);

      if (r < 0 && errno == EEXIST)
        {
          char target[PATH_MAX];
          ssize_t len = readlinkat (parent_fd, name, target, sizeof target - 1);
          g_autoptr(GString) next = NULL;

          if (len < 0)
            {
              set_errno_error (error, errno, "reading the link", prefix->str);
              close (parent_fd);
              return WALK_FAILED;
            }
          target[len] = '\0';
          next = g_string_new (NULL);
          if (target[0] != '/')
            g_string_append_len (next, prefix->str, parent_len);
          g_string_append_printf (next, "/%s", target);
          for (guint j = i + 1; j < parts->len; j++)
            g_string_append_printf (next, "/%s", (const char *) g_ptr_array_index (parts, j));
          *next_path = g_string_free (g_steal_pointer (&next), FALSE);
          close (parent_fd);
          return WALK_RESTART;
        }
      if (r < 0)
        {
          set_errno_error (error, errno, "creating", prefix->str);
          close (parent_fd);
          return WALK_FAILED;
        }

      fd = open_in_root (root_fd, prefix->str);
      close (parent_fd);
      if (fd < 0)
        {
          set_errno_error (error, errno, "opening", prefix->str);
          return WALK_FAILED;
        }
      parent_fd = fd;
    }

  *out_fd = parent_fd;
  return WALK_DONE;
}

int
gocker_rootfs_open_target (int root_fd, const char *path,
                           GockerTargetType type, GError **error)
{
  g_autofree char *current = g_strdup (path);

  for (int links = 0; links <= MAX_LINKS; links++)
    {
      g_autofree char *next = NULL;
      int fd = -1;

      switch (walk_once (root_fd, current, type, &fd, &next, error))
        {
        case WALK_DONE:
          return fd;
        case WALK_FAILED:
          return -1;
        case WALK_RESTART:
          g_free (current);
          current = g_steal_pointer (&next);
          break;
        }
    }
  set_errno_error (error, ELOOP, "resolving", path);
  return -1;
}

gboolean
gocker_rootfs_pivot (const char *new_root, GError **error)
{
  if (chdir (new_root) < 0)
    return set_errno_error (error, errno, "entering the new root", new_root);

  /* With both arguments ".", the old root ends up stacked on the new one
   * and is then detached: no directory for it is needed in the image. */
  if (syscall (SYS_pivot_root, ".", ".") == 0)
    {
      if (umount2 (".", MNT_DETACH) < 0)
        return set_errno_error (error, errno, "detaching the old root from", new_root);
      if (chdir ("/") < 0)
        return set_errno_error (error, errno, "entering", "/");
      return TRUE;
    }
  if (errno != EINVAL)
    return set_errno_error (error, errno, "pivot_root into", new_root);

  /* The initial ramfs cannot be unmounted, so pivot_root rejects it. The
   * old root then stays reachable with enough privileges, hence the log line. */
  fprintf (stderr, "gocker: pivot_root into %s: %s; using chroot instead\n",
           new_root, g_strerror (EINVAL));
  if (mount (new_root, "/", NULL, MS_MOVE, NULL) < 0)
    return set_errno_error (error, errno, "moving the new root over / from", new_root);
  if (chroot (".") < 0)
    return set_errno_error (error, errno, "chroot into", new_root);
  if (chdir ("/") < 0)
    return set_errno_error (error, errno, "entering", "/");
  return TRUE;
}
