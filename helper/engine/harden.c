/* Hardening of the container's first process; the order of the steps is
 * explained in harden.h and at each step. */
#define G_LOG_DOMAIN "gocker-harden"

#include "config.h"
#include "harden.h"
#include "caps.h"
#include "masks.h"
#include "seccomp-filter.h"
#include "userns.h"

#include <errno.h>
#include <gio/gio.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

struct _GockerHarden {
  const GockerState *state;
  guint64 caps_keep;
  GockerIdMap map;
  int userns_fd;             /* a namespace with @map, for the ID-mapped image */
  int volume_userns_fd;      /* maps the requesting user to container root, for volumes */
  int init_tree_fd;          /* detached read-only mount of gocker-init */
  char **command_argv;
};

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

void
gocker_harden_free (GockerHarden *harden)
{
  if (harden == NULL)
    return;
  if (harden->userns_fd >= 0)
    close (harden->userns_fd);
  if (harden->volume_userns_fd >= 0)
    close (harden->volume_userns_fd);
  if (harden->init_tree_fd >= 0)
    close (harden->init_tree_fd);
  g_strfreev (harden->command_argv);
  g_free (harden);
}

char *
gocker_harden_find_init (GError **error)
{
  const char *from_env = g_getenv ("GOCKER_INIT");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *self_dir = self != NULL ? g_path_get_dirname (self) : NULL;
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);

  if (from_env != NULL && *from_env != '\0')
    g_ptr_array_add (candidates, g_strdup (from_env));
  if (self_dir != NULL)
    {
      g_ptr_array_add (candidates, g_build_filename (self_dir, "gocker-init", NULL));
      /* The build tree: helper/engine/gocker-supervisor and
       * helper/init/gocker-init. */
      g_ptr_array_add (candidates, g_build_filename (self_dir, "..", "init", "gocker-init", NULL));
    }
  g_ptr_array_add (candidates, g_build_filename (GOCKER_LIBEXECDIR, "gocker-init", NULL));

  for (guint i = 0; i < candidates->len; i++)
    {
      const char *path = g_ptr_array_index (candidates, i);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && access (path, X_OK) == 0)
        return g_strdup (path);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               "gocker-init was not found in %s; reinstall gocker or run without --init",
               GOCKER_LIBEXECDIR);
  return NULL;
}

/* A detached, read-only clone of the gocker-init binary, made while the
 * host's file system is still reachable; attached in the new root later. */
static int
open_init_tree (GError **error)
{
  g_autofree char *path = gocker_harden_find_init (error);
  struct mount_attr attr = {
    .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
  };
  int fd;

  if (path == NULL)
    return -1;

  fd = open_tree (AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (fd < 0)
    {
      set_errno_error (error, errno, "cloning the mount of", path);
      return -1;
    }
  if (mount_setattr (fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    {
      set_errno_error (error, errno, "making a read-only mount of", path);
      close (fd);
      return -1;
    }
  return fd;
}

/* The directory under STATE_DIR/images that caches the shifted copy of
 * @lower_dir for @map. */
static char *
shifted_copy_path (const char *state_dir, const char *lower_dir, const GockerIdMap *map)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, lower_dir, -1);
  g_autofree char *name = g_strdup_printf ("%.16s-%u-%u-%u", digest, map->host_uid,
                                           map->host_gid, map->count);

  return g_build_filename (state_dir, "images", ".shifted", name, NULL);
}

static int
remove_entry (const char *path, const struct stat *st, int type, struct FTW *ftw)
{
  if (remove (path) < 0)
    g_warning ("removing %s: %s", path, g_strerror (errno));
  return 0;
}

static void
remove_tree (const char *path)
{
  nftw (path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Build the shifted copy once: in a temporary sibling renamed into place,
 * so concurrent first runs cannot see a half-made copy. */
static char *
ensure_shifted_copy (const char *state_dir, const char *lower_dir, const GockerIdMap *map,
                     GError **error)
{
  g_autofree char *path = shifted_copy_path (state_dir, lower_dir, map);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *temporary = NULL;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&path);

  if (g_mkdir_with_parents (parent, 0700) < 0)
    {
      set_errno_error (error, errno, "creating", parent);
      return NULL;
    }

  temporary = g_strdup_printf ("%s.tmp-%d", path, (int) getpid ());
  g_message ("ID-mapped mounts are not available for %s; copying it to %s with owners "
             "shifted to host ID %u (done once)", lower_dir, path, map->host_uid);
  if (!gocker_userns_shift_copy (lower_dir, temporary, map, error))
    {
      g_prefix_error (error, "copying %s for the user namespace: ", lower_dir);
      remove_tree (temporary);
      return NULL;
    }
  if (rename (temporary, path) < 0)
    {
      int saved_errno = errno;

      remove_tree (temporary);
      /* Another run finished the same copy first. */
      if (saved_errno != ENOTEMPTY && saved_errno != EEXIST)
        {
          set_errno_error (error, saved_errno, "renaming the shifted copy to", path);
          return NULL;
        }
    }
  /* NOTE: the copy is never refreshed: a changed --rootfs directory keeps
   * its old shifted copy until STATE_DIR/images/.shifted is removed. */
  return g_steal_pointer (&path);
}

/* Give the image a view owned by the container's root, in this mount
 * namespace only: an ID-mapped mount over @lower_dir, or the shifted copy
 * bound over it. */
static gboolean
prepare_lower (GockerHarden *harden, const char *state_dir, const char *lower_dir,
               GError **error)
{
  g_autoptr(GError) idmap_error = NULL;
  g_autofree char *copy = NULL;
  int lower_fd;
  gboolean mapped;

  lower_fd = open (lower_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (lower_fd < 0)
    return set_errno_error (error, errno, "opening the image", lower_dir);
  mapped = gocker_userns_idmap_in_place (harden->userns_fd, lower_fd, lower_dir, &idmap_error);
  close (lower_fd);
  if (mapped)
    {
      g_message ("image %s: ID-mapped mount, container root is host ID %u",
                 lower_dir, harden->map.host_uid);
      return TRUE;
    }
  if (!g_error_matches (idmap_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      g_propagate_error (error, g_steal_pointer (&idmap_error));
      return FALSE;
    }

  g_message ("image %s: %s; using an ownership-shifted copy", lower_dir, idmap_error->message);
  copy = ensure_shifted_copy (state_dir, lower_dir, &harden->map, error);
  if (copy == NULL)
    return FALSE;
  if (mount (copy, lower_dir, NULL, MS_BIND | MS_REC, NULL) < 0)
    return set_errno_error (error, errno, "binding the shifted copy over", lower_dir);
  g_message ("image %s: shifted copy %s, container root is host ID %u",
             lower_dir, copy, harden->map.host_uid);
  return TRUE;
}

GockerHarden *
gocker_harden_prepare (const GockerState *state, const char *state_dir,
                       const char *upper_dir, const char *work_dir, GError **error)
{
  const GockerSpec *spec = state->spec;
  g_autoptr(GockerHarden) harden = g_new0 (GockerHarden, 1);

  harden->state = state;
  harden->userns_fd = -1;
  harden->volume_userns_fd = -1;
  harden->init_tree_fd = -1;

  if (!gocker_caps_compute ((const char *const *) spec->cap_add,
                            (const char *const *) spec->cap_drop,
                            &harden->caps_keep, error))
    return NULL;
  if (!gocker_userns_resolve (spec->userns, &harden->map, error))
    return NULL;

  if (harden->map.enabled)
    {
      const char *const layer_dirs[] = { upper_dir, work_dir };

      harden->userns_fd = gocker_userns_open_fd (&harden->map, error);
      if (harden->userns_fd < 0)
        return NULL;
      if (!prepare_lower (harden, state_dir, state->lower_dir, error))
        return NULL;

      /* The volumes of a user other than root map only that user's IDs
       * to container root. On a volume, container root then has exactly
       * that user's rights: files of other host users, root's included,
       * stay out of its reach below a directory the user could open. The
       * price: the kernel lets no one create files in a directory whose
       * owner is unmapped, even a world-writable one such as /tmp. */
      if (state->owner_uid != 0 && spec->volumes->len > 0)
        {
          GockerIdMap caller_map = {
            .enabled = TRUE,
            .host_uid = harden->map.host_uid,
            .host_gid = harden->map.host_gid,
            .count = 1,
            .inside_uid = state->owner_uid,
            .inside_gid = state->owner_gid,
          };

          harden->volume_userns_fd = gocker_userns_open_fd (&caller_map, error);
          if (harden->volume_userns_fd < 0)
            return NULL;
        }

      /* The overlay's root directory is the upper directory, and the
       * container's root must be able to write to it. */
      for (gsize i = 0; i < G_N_ELEMENTS (layer_dirs); i++)
        if (lchown (layer_dirs[i], harden->map.host_uid, harden->map.host_gid) < 0)
          {
            set_errno_error (error, errno, "giving the container's root", layer_dirs[i]);
            return NULL;
          }
    }

  if (spec->init)
    {
      harden->init_tree_fd = open_init_tree (error);
      if (harden->init_tree_fd < 0)
        return NULL;
    }

  return g_steal_pointer (&harden);
}

static gboolean
attach_init (GockerHarden *harden, GError **error)
{
  int fd;

  /* /dev is the container's own tmpfs, so the mount point leaves nothing
   * in the image or the writable layer. */
  fd = open (GOCKER_INIT_CONTAINER_PATH, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
  if (fd < 0)
    return set_errno_error (error, errno, "creating the mount point", GOCKER_INIT_CONTAINER_PATH);
  close (fd);

  if (move_mount (harden->init_tree_fd, "", AT_FDCWD, GOCKER_INIT_CONTAINER_PATH,
                  MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return set_errno_error (error, errno, "mounting gocker-init on", GOCKER_INIT_CONTAINER_PATH);
  return TRUE;
}

/* Open @path inside the container's root; the current directory is the
 * workdir, so the root is opened explicitly. */
static int
open_in_root (const char *path)
{
  struct open_how how = {
    .flags = O_PATH | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int root_fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int fd;
  int saved_errno;

  if (root_fd < 0)
    return -1;
  fd = (int) syscall (SYS_openat2, root_fd, path, &how, sizeof how);
  saved_errno = errno;
  close (root_fd);
  errno = saved_errno;
  return fd;
}

/* Each volume was bound by the engine as host root; a clone with the
 * container's ID mapping goes on top, so the container's root owns what
 * host root owns. */
static gboolean
idmap_volumes (GockerHarden *harden, GError **error)
{
  const GPtrArray *volumes = harden->state->spec->volumes;

  for (guint i = 0; i < volumes->len; i++)
    {
      const GockerVolume *volume = g_ptr_array_index (volumes, i);
      g_autoptr(GError) local_error = NULL;
      gboolean mapped;
      int fd;

      /* Resolved as the engine resolved it when binding the volume, so a
       * link in the image leads to the same place inside the root. */
      fd = open_in_root (volume->target);
      if (fd < 0)
        return set_errno_error (error, errno, "opening the volume target", volume->target);
      mapped = gocker_userns_idmap_in_place (harden->volume_userns_fd >= 0 ? harden->volume_userns_fd
                                                                            : harden->userns_fd,
                                             fd, volume->target, &local_error);
      close (fd);
      if (mapped)
        continue;

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                     "volume %s: its file system does not support ID-mapped mounts, so the "
                     "container's root (host UID %u) could not write to files that host root "
                     "owns there; use a volume on another file system, or --userns host",
                     volume->source, harden->map.host_uid);
      else
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                    "volume %s: ", volume->source);
      return FALSE;
    }
  return TRUE;
}

gboolean
gocker_harden_enter_network (GockerHarden *harden, GError **error)
{
  int netns_fd;

  if (g_strcmp0 (harden->state->spec->network, "host") == 0)
    return TRUE;
  if (!harden->map.enabled)
    {
      if (unshare (CLONE_NEWNET) < 0)
        return set_errno_error (error, errno, "creating the network namespace of",
                                "the container");
      return TRUE;
    }

  /* Owned by the user namespace the process joins last, so container root
   * has CAP_NET_RAW, CAP_NET_BIND_SERVICE (and, if added, CAP_NET_ADMIN)
   * over its own interfaces. This process stays host root in it until
   * then, so it can still mount a /sys that belongs to it. */
  netns_fd = gocker_userns_open_netns (harden->userns_fd, error);
  if (netns_fd < 0)
    return FALSE;
  if (setns (netns_fd, CLONE_NEWNET) < 0)
    {
      set_errno_error (error, errno, "entering the network namespace of", "the container");
      close (netns_fd);
      return FALSE;
    }
  close (netns_fd);
  return TRUE;
}

static gboolean
chown_container_dirs (GockerHarden *harden, GError **error)
{
  const char *const dirs[] = { "/dev", "/dev/shm" };

  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (lchown (dirs[i], harden->map.host_uid, harden->map.host_gid) < 0 && errno != ENOENT)
      return set_errno_error (error, errno, "giving the container's root", dirs[i]);
  return TRUE;
}

gboolean
gocker_harden_apply (GockerHarden *harden, GError **error)
{
  const GockerSpec *spec = harden->state->spec;
  g_autofree char *caps_text = NULL;

  if (harden->init_tree_fd >= 0 && !attach_init (harden, error))
    return FALSE;

  if (harden->map.enabled)
    {
      if (!idmap_volumes (harden, error))
        return FALSE;
      if (!chown_container_dirs (harden, error))
        return FALSE;
    }

  if (!gocker_masks_apply ("/", error))
    return FALSE;

  /* Last of the steps that need host root: after this the process is root
   * only in its own user namespace, the one that also owns its network
   * namespace (gocker_harden_enter_network()). */
  if (harden->map.enabled && !gocker_userns_join (harden->userns_fd, error))
    return FALSE;

  if (!gocker_caps_apply (harden->caps_keep, error))
    return FALSE;

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return set_errno_error (error, errno, "setting", "no_new_privs");

  if (!spec->seccomp_unconfined && !gocker_seccomp_apply_default (harden->caps_keep, error))
    return FALSE;

  caps_text = gocker_caps_to_string (harden->caps_keep);
  g_info ("hardened: user namespace %s, capabilities %s, seccomp %s, init %s",
          harden->map.enabled ? "on" : "off (host)", caps_text,
          spec->seccomp_unconfined ? "unconfined" : "default filter",
          harden->init_tree_fd >= 0 ? "on" : "off");
  return TRUE;
}

char **
gocker_harden_command_argv (GockerHarden *harden, char **argv)
{
  g_autoptr(GStrvBuilder) builder = NULL;

  if (harden == NULL || harden->init_tree_fd < 0)
    return argv;

  if (harden->command_argv == NULL)
    {
      builder = g_strv_builder_new ();
      g_strv_builder_add (builder, GOCKER_INIT_CONTAINER_PATH);
      g_strv_builder_add (builder, "--");
      g_strv_builder_addv (builder, (const char **) argv);
      harden->command_argv = g_strv_builder_end (builder);
    }
  return harden->command_argv;
}
