/* The helper's shared state: the object manager, the table of containers,
 * name reservations and the idle timer. */
#define G_LOG_DOMAIN "gocker-helper"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/file.h>
#include <unistd.h>

#include "container-object.h"
#include "daemon.h"
#include "engine.h"
#include "errors.h"
#include "network.h"

#define OBJECT_MANAGER_PATH "/io/github/Gocker1"
#define MANAGER_PATH "/io/github/Gocker1/Manager"
/* Seconds between the removal of a container and the network teardown
 * check; see gocker_daemon_release_network(). */
#define GOCKER_NETWORK_TEARDOWN_DELAY 2

struct _GockerDaemon {
  GDBusConnection *connection;
  GockerDaemonOptions options;
  GMainLoop *loop;
  GDBusObjectManagerServer *object_manager;
  GockerManager *manager;
  PolkitAuthority *authority;
  GHashTable *containers;       /* id → GockerContainerObject* (owned) */
  GHashTable *reserved_names;   /* names of Run calls in progress */
  guint holds;
  guint idle_source;
  gboolean stopping;          /* set while the containers are freed at exit */
  int lock_fd;                /* STATE_DIR/helper.lock, held while this helper runs */
  GMutex standby_lock;
  GockerStandby *standby;     /* the next container's supervisor, already started */
  guint network_teardown_source; /* pending gocker_network_sync() after a removal */
};

void
gocker_log_container (GLogLevelFlags level, const char *id, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_log_structured (G_LOG_DOMAIN, level,
                    "GOCKER_CONTAINER_ID", id ? id : "",
                    "MESSAGE", "%s", message);
}

static gboolean
on_idle_timeout (gpointer user_data)
{
  GockerDaemon *daemon = user_data;

  daemon->idle_source = 0;
  g_message ("No requests for %u seconds; exiting. Running containers are not affected, "
             "and the helper is started again by the next request.",
             daemon->options.idle_timeout);
  g_main_loop_quit (daemon->loop);
  return G_SOURCE_REMOVE;
}

static void
update_idle_timer (GockerDaemon *daemon)
{
  g_clear_handle_id (&daemon->idle_source, g_source_remove);
  if (daemon->holds == 0 && daemon->options.idle_timeout > 0)
    daemon->idle_source = g_timeout_add_seconds (daemon->options.idle_timeout, on_idle_timeout, daemon);
}

void
gocker_daemon_hold (GockerDaemon *daemon)
{
  daemon->holds++;
  g_clear_handle_id (&daemon->idle_source, g_source_remove);
}

void
gocker_daemon_release (GockerDaemon *daemon)
{
  g_return_if_fail (daemon->holds > 0);
  daemon->holds--;
  update_idle_timer (daemon);
}

GockerStandby *
gocker_daemon_take_standby (GockerDaemon *daemon)
{
  GockerStandby *standby;

  g_mutex_lock (&daemon->standby_lock);
  standby = g_steal_pointer (&daemon->standby);
  g_mutex_unlock (&daemon->standby_lock);
  return standby;
}

void
gocker_daemon_refill_standby (GockerDaemon *daemon)
{
  g_autoptr (GockerStandby) standby = NULL;
  g_autoptr (GError) error = NULL;
  gboolean needed;

  g_mutex_lock (&daemon->standby_lock);
  needed = daemon->standby == NULL && !daemon->stopping;
  g_mutex_unlock (&daemon->standby_lock);
  if (!needed)
    return;

  standby = gocker_standby_new (daemon->options.supervisor_path, daemon->options.state_dir, &error);
  if (standby == NULL)
    {
      g_warning ("%s; containers start without one", error->message);
      return;
    }
  g_mutex_lock (&daemon->standby_lock);
  if (daemon->standby == NULL && !daemon->stopping)
    daemon->standby = g_steal_pointer (&standby);
  g_mutex_unlock (&daemon->standby_lock);
}

gboolean
gocker_daemon_is_stopping (GockerDaemon *daemon)
{
  return daemon->stopping;
}

const GockerDaemonOptions *
gocker_daemon_get_options (GockerDaemon *daemon)
{
  return &daemon->options;
}

PolkitAuthority *
gocker_daemon_get_authority (GockerDaemon *daemon)
{
  /* polkitd may have started after the helper; try again. */
  if (daemon->authority == NULL)
    {
      g_autoptr (GError) error = NULL;

      daemon->authority = polkit_authority_get_sync (NULL, &error);
      if (daemon->authority == NULL)
        g_warning ("polkit is still not available: %s", error->message);
    }
  return daemon->authority;
}

GDBusObjectManagerServer *
gocker_daemon_get_object_manager (GockerDaemon *daemon)
{
  return daemon->object_manager;
}

GockerContainerObject *
gocker_daemon_lookup_name (GockerDaemon *daemon, const char *name)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, daemon->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GockerState *state = gocker_container_object_get_state (value);

      if (g_strcmp0 (state->spec->name, name) == 0)
        return value;
    }
  return NULL;
}

GockerContainerObject *
gocker_daemon_lookup_id (GockerDaemon *daemon, const char *id)
{
  return g_hash_table_lookup (daemon->containers, id);
}

gboolean
gocker_daemon_name_is_reserved (GockerDaemon *daemon, const char *name)
{
  return g_hash_table_contains (daemon->reserved_names, name) ||
         gocker_daemon_lookup_name (daemon, name) != NULL;
}

void
gocker_daemon_reserve_name (GockerDaemon *daemon, const char *name)
{
  g_hash_table_add (daemon->reserved_names, g_strdup (name));
}

void
gocker_daemon_release_name (GockerDaemon *daemon, const char *name)
{
  g_hash_table_remove (daemon->reserved_names, name);
}

void
gocker_daemon_add_container (GockerDaemon *daemon, GockerContainerObject *object)
{
  GockerState *state = gocker_container_object_get_state (object);

  g_hash_table_replace (daemon->containers, g_strdup (state->id), object);
  g_dbus_object_manager_server_export (daemon->object_manager,
                                       gocker_container_object_get_skeleton (object));
}

void
gocker_daemon_remove_container (GockerDaemon *daemon, GockerContainerObject *object)
{
  GockerState *state = gocker_container_object_get_state (object);
  g_autofree char *id = g_strdup (state->id);

  g_dbus_object_manager_server_unexport (daemon->object_manager,
                                         gocker_container_object_get_path (object));
  g_hash_table_remove (daemon->containers, id);
  gocker_daemon_release_network (daemon, id);
}

/* ---- Networking (network.h); every call runs on the main thread, which
 * is what serializes address allocation within the helper. ---- */

static GPtrArray *
list_states (GockerDaemon *daemon)
{
  GPtrArray *states = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, daemon->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (states, gocker_container_object_get_state (value));
  return states;
}

gboolean
gocker_daemon_prepare_network (GockerDaemon *daemon, GockerState *state, GError **error)
{
  g_autoptr (GPtrArray) states = list_states (daemon);
  g_autoptr (GockerNetworkConfig) config = NULL;
  g_autoptr (GError) local_error = NULL;

  if (g_strcmp0 (state->spec->network, "host") == 0)
    gocker_log_container (G_LOG_LEVEL_WARNING, state->id,
                          "Container %s (%s) shares the host's network namespace (--network host): "
                          "it can reach every service of the host, including ones bound to localhost",
                          state->id, state->spec->name);

  config = gocker_network_config_load (GOCKER_NETWORK_DEFAULT_CONFIG, &local_error);
  if (config == NULL ||
      !gocker_network_prepare (daemon->options.state_dir, config, state, states, &local_error))
    {
      /* Bad settings or taken ports are the request's problem to fix; a
       * kernel failure is the helper's. */
      gboolean invalid = local_error->domain == GOCKER_NETWORK_ERROR &&
                         local_error->code != GOCKER_NETWORK_ERROR_FAILED;

      g_set_error_literal (error, GOCKER_ERROR,
                           invalid ? GOCKER_ERROR_INVALID_ARGUMENT : GOCKER_ERROR_FAILED,
                           local_error->message);
      return FALSE;
    }
  return TRUE;
}

void
gocker_daemon_sync_network (GockerDaemon *daemon)
{
  g_autoptr (GPtrArray) states = list_states (daemon);
  g_autoptr (GError) error = NULL;

  if (!gocker_network_sync (daemon->options.state_dir, states, &error))
    g_warning ("Updating the network rules failed: %s", error->message);
}

static gboolean
on_network_teardown (gpointer user_data)
{
  GockerDaemon *daemon = user_data;

  daemon->network_teardown_source = 0;
  gocker_daemon_sync_network (daemon);
  gocker_daemon_release (daemon);
  return G_SOURCE_REMOVE;
}

void
gocker_daemon_release_network (GockerDaemon *daemon, const char *id)
{
  g_autoptr (GError) error = NULL;

  if (!gocker_network_release (daemon->options.state_dir, id, &error))
    gocker_log_container (G_LOG_LEVEL_WARNING, id, "Releasing the address of container %s failed: %s",
                          id, error->message);
  /* The sync tears the bridge and the rules down once no container holds
   * an address. It waits a moment: a container started meanwhile (a loop
   * of `gocker run --rm`) finds the bridge in place instead of paying for
   * its deletion and creation, which take tens of milliseconds each. */
  if (daemon->network_teardown_source == 0)
    {
      gocker_daemon_hold (daemon);
      daemon->network_teardown_source = g_timeout_add_seconds (GOCKER_NETWORK_TEARDOWN_DELAY,
                                                               on_network_teardown, daemon);
    }
}

static void
reconcile_network (GockerDaemon *daemon)
{
  g_autoptr (GPtrArray) states = list_states (daemon);
  g_autoptr (GError) error = NULL;

  if (!gocker_network_reconcile (daemon->options.state_dir, states, &error))
    g_warning ("Cleaning up the network of gone containers failed: %s", error->message);
}

static void
on_state_file_error (const char *path, const GError *error, gpointer user_data)
{
  g_warning ("Skipping state file %s that cannot be used: %s", path, error->message);
}

static void
load_containers (GockerDaemon *daemon)
{
  g_autoptr (GPtrArray) states = NULL;
  guint running = 0;

  gocker_sweep_unfinished_starts (daemon->options.state_dir);
  states = gocker_state_load_all (daemon->options.state_dir, on_state_file_error, daemon);

  for (guint i = 0; i < states->len; i++)
    {
      GockerState *state = g_ptr_array_steal_index (states, i--);
      GockerContainerObject *object;
      g_autofree char *cgroup_path = g_build_filename (daemon->options.cgroup_parent, state->id, NULL);
      g_autofree char *log_name = g_strconcat (state->id, ".log", NULL);

      /* The state file names paths that the helper kills, removes and
       * opens as root. Only the helper's own layout is trusted; a file
       * that names anything else was not written by this helper. */
      if (g_strcmp0 (state->cgroup_path, cgroup_path) != 0)
        {
          g_warning ("Skipping the state file of container %s: its cgroup %s is not %s, the "
                     "one this helper creates (was it written with another --cgroup-parent?)",
                     state->id, state->cgroup_path ? state->cgroup_path : "(none)", cgroup_path);
          gocker_state_free (state);
          continue;
        }
      if (gocker_daemon_lookup_name (daemon, state->spec->name) != NULL)
        {
          g_warning ("Skipping the state file of container %s: the name %s is already used by "
                     "another container", state->id, state->spec->name);
          gocker_state_free (state);
          continue;
        }
      g_free (state->log_path);
      state->log_path = g_build_filename (daemon->options.state_dir, "logs", log_name, NULL);

      object = gocker_container_object_new (daemon, state);

      gocker_daemon_add_container (daemon, object);
      gocker_container_object_reconcile (object);
      if (state->status == GOCKER_STATUS_RUNNING)
        running++;
    }

  /* After every container's status is known: veths, addresses and rules
   * of containers that are gone or not running go. */
  reconcile_network (daemon);

  g_message ("Loaded %u containers from %s, %u running",
             g_hash_table_size (daemon->containers), daemon->options.state_dir, running);
}

/* How long a starting helper waits for another one that uses the same
 * state directory: one that exits when idle may still hold it briefly
 * after a client has started the next. */
#define STATE_LOCK_TIMEOUT_US (5 * G_USEC_PER_SEC)
#define STATE_LOCK_POLL_US (50 * 1000)

/* Take STATE_DIR/helper.lock, so that no second helper sweeps, reconciles
 * or changes the state of this one's containers. */
static int
lock_state_dir (const char *state_dir, GError **error)
{
  g_autofree char *path = g_build_filename (state_dir, "helper.lock", NULL);
  gint64 deadline = g_get_monotonic_time () + STATE_LOCK_TIMEOUT_US;
  gboolean waited = FALSE;
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_FAILED, "Opening %s failed: %s",
                   path, g_strerror (saved_errno));
      return -1;
    }
  while (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      if (errno != EWOULDBLOCK || g_get_monotonic_time () >= deadline)
        {
          int saved_errno = errno;

          g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                       "Another gocker-helper uses the state directory %s (%s is locked: %s); "
                       "stop it first, or give this one another --state-dir",
                       state_dir, path, g_strerror (saved_errno));
          close (fd);
          return -1;
        }
      if (!waited)
        g_message ("Waiting for another gocker-helper to release %s", path);
      waited = TRUE;
      g_usleep (STATE_LOCK_POLL_US);
    }
  return fd;
}

GockerDaemon *
gocker_daemon_new (GDBusConnection *connection, const GockerDaemonOptions *options,
                   GMainLoop *loop, GError **error)
{
  GockerDaemon *daemon = g_new0 (GockerDaemon, 1);
  g_autoptr (GockerObjectSkeleton) manager_object = NULL;
  g_autoptr (GError) polkit_error = NULL;

  daemon->connection = g_object_ref (connection);
  daemon->options.state_dir = g_strdup (options->state_dir);
  daemon->options.supervisor_path = g_strdup (options->supervisor_path);
  daemon->options.busybox_path = g_strdup (options->busybox_path);
  daemon->options.cgroup_parent = g_strdup (options->cgroup_parent);
  daemon->options.idle_timeout = options->idle_timeout;
  daemon->options.log_max_size = options->log_max_size;
  daemon->options.log_max_files = options->log_max_files;
  daemon->loop = g_main_loop_ref (loop);
  daemon->containers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) gocker_container_object_free);
  daemon->reserved_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  daemon->lock_fd = -1;
  if (!gocker_state_dir_prepare (daemon->options.state_dir, error) ||
      (daemon->lock_fd = lock_state_dir (daemon->options.state_dir, error)) < 0)
    {
      gocker_daemon_free (daemon);
      return NULL;
    }

  daemon->authority = polkit_authority_get_sync (NULL, &polkit_error);
  if (daemon->authority == NULL)
    g_warning ("polkit is not available (%s); only root callers will be authorized",
               polkit_error->message);

  daemon->object_manager = g_dbus_object_manager_server_new (OBJECT_MANAGER_PATH);

  daemon->manager = gocker_manager_object_new (daemon);
  manager_object = gocker_object_skeleton_new (MANAGER_PATH);
  gocker_object_skeleton_set_manager (manager_object, daemon->manager);
  g_dbus_object_manager_server_export (daemon->object_manager, G_DBUS_OBJECT_SKELETON (manager_object));

  load_containers (daemon);
  gocker_daemon_refill_standby (daemon);

  g_dbus_object_manager_server_set_connection (daemon->object_manager, connection);
  update_idle_timer (daemon);
  return daemon;
}

void
gocker_daemon_free (GockerDaemon *daemon)
{
  if (daemon == NULL)
    return;
  g_clear_handle_id (&daemon->idle_source, g_source_remove);
  g_mutex_lock (&daemon->standby_lock);
  daemon->stopping = TRUE;
  g_clear_pointer (&daemon->standby, gocker_standby_free);
  g_mutex_unlock (&daemon->standby_lock);
  g_clear_pointer (&daemon->containers, g_hash_table_unref);
  g_clear_pointer (&daemon->reserved_names, g_hash_table_unref);
  g_clear_object (&daemon->manager);
  g_clear_object (&daemon->object_manager);
  g_clear_object (&daemon->authority);
  g_clear_object (&daemon->connection);
  g_clear_pointer (&daemon->loop, g_main_loop_unref);
  g_free (daemon->options.state_dir);
  g_free (daemon->options.supervisor_path);
  g_free (daemon->options.busybox_path);
  g_free (daemon->options.cgroup_parent);
  if (daemon->lock_fd >= 0)
    close (daemon->lock_fd);
  g_free (daemon);
}
