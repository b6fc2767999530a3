/* The state directory's layout, and removing what a container leaves on
 * the host. */
#define G_LOG_DOMAIN "gocker-engine"

#include "engine-private.h"
#include "cgroup.h"
#include "log-file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *
gocker_layer_dir (const char *state_dir, const char *id)
{
  return g_build_filename (state_dir, "layers", id, NULL);
}

char *
gocker_log_path (const char *state_dir, const char *id)
{
  g_autofree char *name = g_strconcat (id, ".log", NULL);
  return g_build_filename (state_dir, "logs", name, NULL);
}

char *
gocker_supervisor_log_path (const char *state_dir, const char *id)
{
  g_autofree char *name = g_strconcat (id, ".supervisor.log", NULL);
  return g_build_filename (state_dir, "logs", name, NULL);
}

static gboolean
make_dir (const char *path, mode_t mode, GError **error)
{
  if (g_mkdir_with_parents (path, mode) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "creating directory %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  /* An existing directory keeps whatever mode it had; set ours. */
  if (chmod (path, mode) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "setting mode %o on %s: %s", (unsigned) mode, path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
gocker_state_dir_prepare (const char *state_dir, GError **error)
{
  static const char *const private_subdirs[] = { "containers", "layers", "images" };
  g_autofree char *logs = g_build_filename (state_dir, "logs", NULL);

  if (!make_dir (state_dir, 0700, error))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (private_subdirs); i++)
    {
      g_autofree char *path = g_build_filename (state_dir, private_subdirs[i], NULL);
      if (!make_dir (path, 0700, error))
        return FALSE;
    }
  return make_dir (logs, 0755, error);
}

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

/* Whether @name in @dfd is the root of a mount, which is never emptied. */
static gboolean
is_mount_root (int dfd, const char *name, dev_t parent_dev, const struct stat *st)
{
  struct statx stx;

  if (st->st_dev != parent_dev)
    return TRUE;
  if (statx (dfd, name, AT_SYMLINK_NOFOLLOW, 0, &stx) == 0 &&
      (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0)
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  return FALSE;
}

static gboolean
remove_children (int dfd, dev_t dev, const char *path, GError **error)
{
  int dup_fd = fcntl (dfd, F_DUPFD_CLOEXEC, 3);
  DIR *dir;
  struct dirent *entry;
  gboolean ok = TRUE;

  if (dup_fd < 0 || (dir = fdopendir (dup_fd)) == NULL)
    {
      int saved_errno = errno;
      if (dup_fd >= 0)
        close (dup_fd);
      return set_errno_error (error, saved_errno, "reading directory", path);
    }

  while (ok && (entry = readdir (dir)) != NULL)
    {
      const char *name = entry->d_name;
      g_autofree char *child_path = NULL;
      struct stat st;

      if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
        continue;
      child_path = g_build_filename (path, name, NULL);
      if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno != ENOENT)
            ok = set_errno_error (error, errno, "inspecting", child_path);
          continue;
        }
      if (S_ISDIR (st.st_mode))
        {
          int child_fd;

          if (is_mount_root (dfd, name, dev, &st))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           "not removing %s: a file system is mounted there; unmount it first",
                           child_path);
              ok = FALSE;
              continue;
            }
          child_fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (child_fd < 0)
            {
              ok = set_errno_error (error, errno, "opening directory", child_path);
              continue;
            }
          ok = remove_children (child_fd, dev, child_path, error);
          close (child_fd);
          if (ok && unlinkat (dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
            ok = set_errno_error (error, errno, "removing directory", child_path);
        }
      else if (unlinkat (dfd, name, 0) < 0 && errno != ENOENT)
        ok = set_errno_error (error, errno, "removing", child_path);
    }
  closedir (dir);
  return ok;
}

gboolean
gocker_remove_tree (const char *path, GError **error)
{
  struct stat st;
  int fd;
  gboolean ok;

  if (lstat (path, &st) < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return set_errno_error (error, errno, "inspecting", path);
    }
  if (!S_ISDIR (st.st_mode))
    {
      if (unlink (path) < 0 && errno != ENOENT)
        return set_errno_error (error, errno, "removing", path);
      return TRUE;
    }

  fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return set_errno_error (error, errno, "opening directory", path);
  ok = remove_children (fd, st.st_dev, path, error);
  close (fd);
  if (ok && rmdir (path) < 0 && errno != ENOENT)
    return set_errno_error (error, errno, "removing directory", path);
  return ok;
}

static void
remove_file (const char *path, GError **first_error)
{
  if (g_unlink (path) < 0 && errno != ENOENT)
    {
      int saved_errno = errno;
      g_warning ("Removing %s: %s", path, g_strerror (saved_errno));
      if (*first_error == NULL)
        set_errno_error (first_error, saved_errno, "removing", path);
    }
}

gboolean
gocker_container_cleanup (const char *state_dir, const GockerState *state, GError **error)
{
  g_autoptr(GError) first_error = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *exit_path = gocker_exit_record_path (state_dir, state->id);
  g_autofree char *default_log = gocker_log_path (state_dir, state->id);
  g_autofree char *supervisor_log = gocker_supervisor_log_path (state_dir, state->id);
  g_autofree char *layer = gocker_layer_dir (state_dir, state->id);

  remove_file (exit_path, &first_error);
  {
    /* A supervisor killed while writing its record leaves ID.exit.XXXXXX. */
    g_autofree char *containers = g_path_get_dirname (exit_path);
    g_autofree char *prefix = g_strconcat (state->id, ".exit.", NULL);
    g_autoptr(GDir) listing = g_dir_open (containers, 0, NULL);
    const char *name;

    while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
      if (g_str_has_prefix (name, prefix))
        {
          g_autofree char *path = g_build_filename (containers, name, NULL);

          remove_file (path, &first_error);
        }
  }
  remove_file (default_log, &first_error);
  remove_file (supervisor_log, &first_error);
  if (!gocker_log_remove_rotated (default_log, &local_error))
    {
      g_warning ("Removing the rotated logs of container %s: %s", state->id, local_error->message);
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
      g_clear_error (&local_error);
    }

  if (!gocker_remove_tree (layer, &local_error))
    {
      g_warning ("Removing the layer of container %s: %s", state->id, local_error->message);
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
      g_clear_error (&local_error);
    }

  if (state->cgroup_path != NULL && !gocker_cgroup_destroy (state->cgroup_path, &local_error))
    {
      g_warning ("Removing the cgroup of container %s: %s", state->id, local_error->message);
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }

  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

/* The id a file or directory name in logs/, layers/ or containers/ belongs
 * to: the part before the first '.', when it is a container id. */
static char *
id_of_name (const char *name)
{
  g_autofree char *id = g_strndup (name, strcspn (name, "."));

  return gocker_is_valid_id (id) ? g_steal_pointer (&id) : NULL;
}

static void
sweep_dir (const char *dir, GHashTable *known, gboolean directories)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  if (listing == NULL)
    return;
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *id = id_of_name (name);
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;

      if (id == NULL || g_hash_table_contains (known, id))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (directories ? !gocker_remove_tree (path, &error) : g_unlink (path) < 0)
        g_warning ("Removing %s, left by a start that did not finish: %s", path,
                   error != NULL ? error->message : g_strerror (errno));
      else
        g_message ("Removed %s, left by a start that did not finish", path);
    }
}

void
gocker_sweep_unfinished_starts (const char *state_dir)
{
  g_autofree char *containers = g_build_filename (state_dir, "containers", NULL);
  g_autofree char *logs = g_build_filename (state_dir, "logs", NULL);
  g_autofree char *layers = g_build_filename (state_dir, "layers", NULL);
  g_autoptr(GHashTable) known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) exit_temps = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) listing = g_dir_open (containers, 0, NULL);
  const char *name;

  if (listing == NULL)
    return;
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      char *id = id_of_name (name);

      if (id == NULL)
        continue;
      /* ID.json and ID.exit keep the container's files, readable or not.
       * ID.json.XXXXXX is a temporary file of a state write that this
       * helper's predecessor did not finish. ID.exit.XXXXXX may belong to a
       * supervisor that is writing its exit record right now: it stays. */
      if (g_str_has_suffix (name, ".json") || g_str_has_suffix (name, ".exit"))
        {
          g_hash_table_add (known, id);
        }
      else
        {
          g_autofree char *path = g_build_filename (containers, name, NULL);

          g_free (id);
          if (strstr (name, ".json.") != NULL && g_unlink (path) == 0)
            g_message ("Removed %s, left by an interrupted write", path);
          else if (strstr (name, ".exit.") != NULL)
            g_ptr_array_add (exit_temps, g_strdup (name));
        }
    }
  /* An exit record in the making of a container that has no state file
   * any more belongs to no live supervisor. */
  for (guint i = 0; i < exit_temps->len; i++)
    {
      const char *temp = g_ptr_array_index (exit_temps, i);
      g_autofree char *id = id_of_name (temp);
      g_autofree char *path = g_build_filename (containers, temp, NULL);

      if (!g_hash_table_contains (known, id) && g_unlink (path) == 0)
        g_message ("Removed %s, left by an interrupted write", path);
    }
  sweep_dir (logs, known, FALSE);
  sweep_dir (layers, known, TRUE);
}
