/* Address allocation for the bridge network.
 *
 * Each allocated address is a file STATE_DIR/network/addresses/A.B.C.D that
 * contains the container id. The file is created with O_EXCL, so even without
 * the lock two containers could never get the same address. The lock
 * (flock on STATE_DIR/network/lock) makes "does it have one already?" and "take the
 * lowest free one" a single step. A crash between creating the file and
 * saving the container's state leaves a file whose id has no state, which
 * the helper's reconciliation frees (gocker_ipam_reclaim). */
#define G_LOG_DOMAIN "gocker-network"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "network.h"

static char *
addresses_dir (const char *state_dir)
{
  return g_build_filename (state_dir, "network", "addresses", NULL);
}

/* Take the allocation lock; returns the descriptor, or -1 with @error set. */
static int
ipam_lock (const char *state_dir, GError **error)
{
  g_autofree char *dir = addresses_dir (state_dir);
  g_autofree char *path = g_build_filename (state_dir, "network", "lock", NULL);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                   "creating %s: %s", dir, g_strerror (saved_errno));
      return -1;
    }
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || flock (fd, LOCK_EX) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                   "locking %s: %s", path, g_strerror (saved_errno));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

static void
ipam_unlock (int fd)
{
  /* Closing the descriptor drops the flock. */
  if (fd >= 0)
    close (fd);
}

/* Read the table of allocations without taking the lock. */
static GHashTable *
ipam_read (const char *state_dir, GError **error)
{
  g_autofree char *dir_path = addresses_dir (state_dir);
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  dir = g_dir_open (dir_path, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&table);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "listing allocated addresses: ");
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *contents = NULL;
      guint32 address;

      if (!gocker_ipv4_from_string (name, &address))
        continue;
      /* An empty file is an allocation interrupted by a crash: it belongs
       * to no container, so reclaim frees it. */
      if (!g_file_get_contents (path, &contents, NULL, NULL))
        contents = g_strdup ("");
      g_strstrip (contents);
      g_hash_table_insert (table, g_strdup (name), g_steal_pointer (&contents));
    }
  return g_steal_pointer (&table);
}

GHashTable *
gocker_ipam_list (const char *state_dir, GError **error)
{
  return ipam_read (state_dir, error);
}

gboolean
gocker_ipam_allocate (const char                *state_dir,
                      const GockerNetworkConfig *config,
                      const char                *id,
                      char                     **out_address,
                      GError                   **error)
{
  g_autofree char *dir_path = addresses_dir (state_dir);
  g_autoptr(GHashTable) table = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint32 mask = 0xffffffffu << (32 - config->prefix);
  guint32 broadcast = config->subnet | ~mask;
  guint32 first = gocker_network_config_gateway (config) + 1;
  int lock_fd;

  g_return_val_if_fail (gocker_is_valid_id (id), FALSE);

  lock_fd = ipam_lock (state_dir, error);
  if (lock_fd < 0)
    return FALSE;

  table = ipam_read (state_dir, error);
  if (table == NULL)
    {
      ipam_unlock (lock_fd);
      return FALSE;
    }

  /* Asking twice for the same container gives the same address. */
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint32 held;

      if (g_str_equal (value, id) && gocker_ipv4_from_string (key, &held) &&
          (held & mask) == config->subnet)
        {
          *out_address = g_strdup (key);
          ipam_unlock (lock_fd);
          return TRUE;
        }
    }

  for (guint32 candidate = first; candidate < broadcast; candidate++)
    {
      g_autofree char *name = gocker_ipv4_to_string (candidate);
      g_autofree char *path = NULL;
      int fd;

      if (g_hash_table_contains (table, name))
        continue;
      path = g_build_filename (dir_path, name, NULL);
      fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EEXIST)
            continue;
          g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                       "creating %s: %s", path, g_strerror (saved_errno));
          ipam_unlock (lock_fd);
          return FALSE;
        }
      /* No fsync: the lock and O_EXCL make the allocation. A crash ends
       * the container, and an address file that lost its id then names
       * no known container, so gocker_network_reconcile() frees it. */
      if (write (fd, id, strlen (id)) != (ssize_t) strlen (id))
        {
          int saved_errno = errno;

          g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                       "writing %s: %s", path, g_strerror (saved_errno));
          close (fd);
          g_unlink (path);
          ipam_unlock (lock_fd);
          return FALSE;
        }
      close (fd);
      g_debug ("allocated %s to container %s", name, id);
      *out_address = g_steal_pointer (&name);
      ipam_unlock (lock_fd);
      return TRUE;
    }

  ipam_unlock (lock_fd);
  {
    g_autofree char *subnet = gocker_network_config_subnet_string (config);

    g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_POOL_FULL,
                 "the address pool %s is full: all %u container addresses are taken; remove "
                 "containers with 'gocker rm', or set a larger subnet in [network] of %s",
                 subnet, broadcast - first, config->source);
  }
  return FALSE;
}

static gboolean
release_where (const char *state_dir,
               gboolean  (*should_free) (const char *id, gpointer data),
               gpointer    data,
               guint      *out_count,
               GError    **error)
{
  g_autofree char *dir_path = addresses_dir (state_dir);
  g_autoptr(GHashTable) table = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint count = 0;
  int lock_fd;

  lock_fd = ipam_lock (state_dir, error);
  if (lock_fd < 0)
    return FALSE;
  table = ipam_read (state_dir, error);
  if (table == NULL)
    {
      ipam_unlock (lock_fd);
      return FALSE;
    }
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *path = NULL;

      if (!should_free (value, data))
        continue;
      path = g_build_filename (dir_path, key, NULL);
      if (g_unlink (path) < 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                       "removing %s: %s", path, g_strerror (saved_errno));
          ipam_unlock (lock_fd);
          return FALSE;
        }
      g_debug ("released %s of container %s", (const char *) key,
               *(const char *) value != '\0' ? (const char *) value : "(none)");
      count++;
    }
  ipam_unlock (lock_fd);
  if (out_count != NULL)
    *out_count = count;
  return TRUE;
}

static gboolean
id_equals (const char *id, gpointer data)
{
  return g_str_equal (id, data);
}

gboolean
gocker_ipam_release (const char *state_dir, const char *id, GError **error)
{
  return release_where (state_dir, id_equals, (gpointer) id, NULL, error);
}

static gboolean
id_unknown (const char *id, gpointer data)
{
  return !g_hash_table_contains (data, id);
}

guint
gocker_ipam_reclaim (const char *state_dir, GHashTable *known_ids, GError **error)
{
  guint count = 0;

  if (!release_where (state_dir, id_unknown, known_ids, &count, error))
    return 0;
  return count;
}
