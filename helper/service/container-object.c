/* One container on the bus: properties from its state, the Stop, Remove,
 * OpenLog, OpenLogs, Wait and GetStats handlers, and the watch on its supervisor. */
#define G_LOG_DOMAIN "gocker-helper"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "authorize.h"
#include "cgroup.h"
#include "container-object.h"
#include "engine.h"
#include "errors.h"
#include "log-file.h"

struct _GockerContainerObject {
  GockerDaemon *daemon;
  GockerState *state;
  char *path;
  GockerObjectSkeleton *skeleton;
  GockerContainer *iface;
  GSource *exit_watch;
  int pidfd;                 /* of the supervisor while it is watched */
  guint exit_report_source;  /* the supervisor's early exit report, after a launch */
  int exit_report_fd;
  gboolean exit_reported;    /* waiters have their reply; the supervisor is still finishing */
  guint kill_timeout;
  /* Pending Wait, Stop and forced Remove calls. Each entry owns the
   * reference that completing the call consumes. */
  GPtrArray *waiters;
  gboolean remove_on_exit;   /* a forced Remove is waiting for the exit */
  gint pending_stop;         /* timeout of a Stop that arrived while starting, or -1 */
  gboolean held;             /* the daemon is held while waiters exist */
};

static void container_finish_remove (GockerContainerObject *object, GDBusMethodInvocation *invocation);

GockerState *
gocker_container_object_get_state (GockerContainerObject *object)
{
  return object->state;
}

GDBusObjectSkeleton *
gocker_container_object_get_skeleton (GockerContainerObject *object)
{
  return G_DBUS_OBJECT_SKELETON (object->skeleton);
}

const char *
gocker_container_object_get_path (GockerContainerObject *object)
{
  return object->path;
}

static gboolean
is_active (GockerContainerObject *object)
{
  return object->state->status == GOCKER_STATUS_RUNNING ||
         object->state->status == GOCKER_STATUS_CREATED;
}

void
gocker_container_object_sync (GockerContainerObject *object)
{
  GockerState *state = object->state;
  GockerSpec *spec = state->spec;
  GVariantBuilder volumes;
  GDBusInterfaceSkeleton *skeleton = G_DBUS_INTERFACE_SKELETON (object->iface);

  g_dbus_interface_skeleton_flush (skeleton);
  g_object_freeze_notify (G_OBJECT (object->iface));

  gocker_container_set_id (object->iface, state->id);
  gocker_container_set_name (object->iface, spec->name);
  gocker_container_set_status (object->iface, gocker_status_to_string (state->status));
  gocker_container_set_pid (object->iface, is_active (object) ? (guint) state->pid : 0);
  gocker_container_set_command (object->iface, (const char *const *) spec->argv);
  gocker_container_set_created_at (object->iface, state->created_at);
  gocker_container_set_finished_at (object->iface, state->finished_at);
  gocker_container_set_exit_code (object->iface, state->exit_code);
  gocker_container_set_cpu_limit (object->iface, spec->cpu_limit);
  gocker_container_set_memory_limit (object->iface, spec->memory_limit);
  gocker_container_set_pids_limit (object->iface, spec->pids_limit);

  g_variant_builder_init (&volumes, G_VARIANT_TYPE ("a(ssb)"));
  for (guint i = 0; i < spec->volumes->len; i++)
    {
      GockerVolume *volume = g_ptr_array_index (spec->volumes, i);

      g_variant_builder_add (&volumes, "(ssb)", volume->source, volume->target, volume->readonly);
    }
  gocker_container_set_volumes (object->iface, g_variant_builder_end (&volumes));

  gocker_container_set_detached (object->iface, spec->detach);
  gocker_container_set_hostname (object->iface, spec->hostname);
  gocker_container_set_working_directory (object->iface, spec->workdir);
  gocker_container_set_image (object->iface, spec->rootfs ? spec->rootfs : spec->image);
  gocker_container_set_log_path (object->iface, state->log_path ? state->log_path : "");
  gocker_container_set_owner (object->iface, state->owner_uid);
  gocker_container_set_auto_remove (object->iface, spec->auto_remove);
  gocker_container_set_network (object->iface, spec->network != NULL ? spec->network : "bridge");
  gocker_container_set_ip_address (object->iface, state->ip_address != NULL ? state->ip_address : "");
  gocker_container_set_mac_address (object->iface, state->mac_address != NULL ? state->mac_address : "");
  {
    g_autoptr (GPtrArray) ports = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < spec->ports->len; i++)
      g_ptr_array_add (ports, gocker_port_mapping_to_string (g_ptr_array_index (spec->ports, i)));
    g_ptr_array_add (ports, NULL);
    gocker_container_set_ports (object->iface, (const char *const *) ports->pdata);
  }

  g_object_thaw_notify (G_OBJECT (object->iface));
}

gboolean
gocker_container_object_save (GockerContainerObject *object, GError **error)
{
  const GockerDaemonOptions *options = gocker_daemon_get_options (object->daemon);
  g_autoptr (GError) local_error = NULL;

  if (!gocker_state_save (object->state, options->state_dir, &local_error))
    {
      gocker_log_container (G_LOG_LEVEL_WARNING, object->state->id,
                            "Saving the state of container %s failed: %s",
                            object->state->id, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static void
update_hold (GockerContainerObject *object)
{
  gboolean want = object->waiters->len > 0;

  if (want && !object->held)
    gocker_daemon_hold (object->daemon);
  else if (!want && object->held)
    gocker_daemon_release (object->daemon);
  object->held = want;
}

/* Exit handling. */

static void
complete_waiters (GockerContainerObject *object)
{
  g_autoptr (GPtrArray) waiters = g_steal_pointer (&object->waiters);

  object->waiters = g_ptr_array_new ();
  for (guint i = 0; i < waiters->len; i++)
    {
      GDBusMethodInvocation *invocation = g_ptr_array_index (waiters, i);
      const char *method = g_dbus_method_invocation_get_method_name (invocation);

      if (g_strcmp0 (method, "Wait") == 0)
        gocker_container_complete_wait (object->iface, invocation, object->state->exit_code);
      else if (g_strcmp0 (method, "Stop") == 0)
        gocker_container_complete_stop (object->iface, invocation);
      else if (g_strcmp0 (method, "Remove") == 0)
        {
          /* Removal frees the object: it must come last. */
          g_ptr_array_add (object->waiters, invocation);
        }
    }
}

static void
clear_exit_report (GockerContainerObject *object)
{
  g_clear_handle_id (&object->exit_report_source, g_source_remove);
  gocker_clear_fd (&object->exit_report_fd);
}

static void
stop_watching (GockerContainerObject *object)
{
  g_clear_handle_id (&object->kill_timeout, g_source_remove);
  clear_exit_report (object);
  if (object->exit_watch != NULL)
    {
      g_source_destroy (object->exit_watch);
      g_clear_pointer (&object->exit_watch, g_source_unref);
    }
  gocker_clear_fd (&object->pidfd);
}

/* The first half of an exit: the state in memory, the Exited signal and
 * the waiting calls. Queued Removes stay for container_exited(). */
static void
report_exit (GockerContainerObject *object, int exit_code, gint64 finished_at)
{
  GockerState *state = object->state;

  g_clear_handle_id (&object->kill_timeout, g_source_remove);
  state->status = state->stop_requested ? GOCKER_STATUS_STOPPED : GOCKER_STATUS_EXITED;
  state->exit_code = exit_code;
  state->finished_at = finished_at > 0 ? finished_at : g_get_real_time ();
  state->pid = 0;
  object->exit_reported = TRUE;
  /* Networking: its port mappings go before Stop and Wait return; the
   * kernel deletes the veth with the namespace, in the background, and the
   * address stays until Remove. */
  if (state->spec->ports->len > 0)
    gocker_daemon_sync_network (object->daemon);
  gocker_container_object_sync (object);
  gocker_container_emit_exited (object->iface, exit_code);
  complete_waiters (object);
}

static void
container_exited (GockerContainerObject *object, int exit_code, gint64 finished_at)
{
  GockerState *state = object->state;
  GDBusMethodInvocation *remove_invocation = NULL;

  stop_watching (object);

  if (!object->exit_reported)
    report_exit (object, exit_code, finished_at);
  object->exit_reported = FALSE;
  /* Saved after the replies to the waiters. Until then the supervisor's
   * exit record, which stays until Remove, keeps the code for a helper
   * that restarts in between. */
  gocker_container_object_save (object, NULL);

  gocker_log_container (G_LOG_LEVEL_MESSAGE, state->id, "Container %s (%s) %s with exit code %d",
                        state->id, state->spec->name,
                        state->status == GOCKER_STATUS_STOPPED ? "stopped" : "exited",
                        state->exit_code);

  if (object->waiters->len > 0)
    remove_invocation = g_ptr_array_steal_index (object->waiters, 0);
  update_hold (object);

  if (remove_invocation != NULL)
    container_finish_remove (object, remove_invocation);
  else if (state->spec->auto_remove)
    container_finish_remove (object, NULL);
}

static void
read_exit_and_finish (GockerContainerObject *object)
{
  const GockerDaemonOptions *options = gocker_daemon_get_options (object->daemon);
  GockerExitRecord record = { .exit_code = -1, .finished_at = 0 };
  g_autoptr (GError) error = NULL;

  if (!gocker_exit_record_read (options->state_dir, object->state->id, &record, &error))
    {
      g_autoptr (GError) cgroup_error = NULL;

      if (object->exit_reported)
        {
          gocker_log_container (G_LOG_LEVEL_WARNING, object->state->id,
                                "The supervisor of container %s ended without an exit record "
                                "(%s); keeping the exit code %d it reported", object->state->id,
                                error->message, object->state->exit_code);
          record.exit_code = object->state->exit_code;
          record.finished_at = object->state->finished_at;
        }
      else
        {
          gocker_log_container (G_LOG_LEVEL_WARNING, object->state->id,
                                "The supervisor of container %s ended without an exit record "
                                "(%s); its exit code is unknown", object->state->id, error->message);
          record.exit_code = -1;
        }
      /* Without its supervisor no process reads the container's output or
       * records its exit, so whatever still runs in its cgroup is ended
       * rather than left unmanaged. */
      if (object->state->cgroup_path != NULL &&
          !gocker_cgroup_destroy (object->state->cgroup_path, &cgroup_error))
        gocker_log_container (G_LOG_LEVEL_WARNING, object->state->id,
                              "Ending the processes of container %s failed: %s",
                              object->state->id, cgroup_error->message);
    }
  container_exited (object, record.exit_code, record.finished_at);
}

static gboolean
on_supervisor_exit (gint fd, GIOCondition condition, gpointer user_data)
{
  GockerContainerObject *object = user_data;

  read_exit_and_finish (object);
  return G_SOURCE_REMOVE;
}

static int
open_pidfd (pid_t pid)
{
  return (int) syscall (SYS_pidfd_open, pid, 0);
}

void
gocker_container_object_watch (GockerContainerObject *object)
{
  GockerState *state = object->state;
  int pidfd = -1;

  if (state->supervisor_pid > 0 &&
      gocker_process_is_alive (state->supervisor_pid, state->supervisor_start_time))
    pidfd = open_pidfd (state->supervisor_pid);

  /* Check again after opening: the pid could have been reused between the
   * two steps, and then the pidfd would watch a stranger. */
  if (pidfd >= 0 && !gocker_process_is_alive (state->supervisor_pid, state->supervisor_start_time))
    gocker_clear_fd (&pidfd);

  if (pidfd < 0)
    {
      read_exit_and_finish (object);
      return;
    }

  /* A pidfd becomes readable when the process exits, even though the
   * supervisor is not the helper's child after its double fork. */
  object->pidfd = pidfd;
  object->exit_watch = g_unix_fd_source_new (pidfd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (object->exit_watch, G_SOURCE_FUNC (on_supervisor_exit), object, NULL);
  g_source_attach (object->exit_watch, NULL);
}

static gboolean
on_exit_report (gint fd, GIOCondition condition, gpointer user_data)
{
  GockerContainerObject *object = user_data;
  char line[128];
  ssize_t n;
  int exit_code;
  gint64 finished_at;

  object->exit_report_source = 0;
  do
    n = read (fd, line, sizeof line - 1);
  while (n < 0 && errno == EINTR);
  gocker_clear_fd (&object->exit_report_fd);
  /* End of file: the supervisor ended without a report, which its pidfd
   * watch handles. Not active: that watch came first. */
  if (n <= 0 || !is_active (object))
    return G_SOURCE_REMOVE;

  line[n] = '\0';
  line[strcspn (line, "\n")] = '\0';
  if (gocker_exit_report_parse (line, &exit_code, &finished_at))
    report_exit (object, exit_code, finished_at);
  else
    gocker_log_container (G_LOG_LEVEL_WARNING, object->state->id,
                          "Ignoring an unexpected report from the supervisor of container %s: "
                          "\"%s\"", object->state->id, line);
  return G_SOURCE_REMOVE;
}

void
gocker_container_object_watch_exit_report (GockerContainerObject *object, int fd)
{
  clear_exit_report (object);
  object->exit_report_fd = fd;
  object->exit_report_source = g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                              on_exit_report, object);
}

typedef struct {
  GockerDaemon *daemon;
  char *id;
} PendingRemoval;

static void
pending_removal_free (PendingRemoval *removal)
{
  g_free (removal->id);
  g_free (removal);
}

/* An --rm container that ended while no helper ran, or whose removal a
 * crash cut short, goes once the loading is done. */
static gboolean
remove_ended_container (gpointer user_data)
{
  PendingRemoval *removal = user_data;
  GockerContainerObject *object = gocker_daemon_lookup_id (removal->daemon, removal->id);

  if (object != NULL && !is_active (object))
    {
      gocker_log_container (G_LOG_LEVEL_MESSAGE, removal->id,
                            "Removing container %s, which ended while the helper was not "
                            "running (--rm)", removal->id);
      container_finish_remove (object, NULL);
    }
  return G_SOURCE_REMOVE;
}

void
gocker_container_object_reconcile (GockerContainerObject *object)
{
  GockerState *state = object->state;

  if (!is_active (object))
    {
      if (state->spec->auto_remove)
        {
          PendingRemoval *removal = g_new0 (PendingRemoval, 1);

          removal->daemon = object->daemon;
          removal->id = g_strdup (state->id);
          g_idle_add_full (G_PRIORITY_DEFAULT, remove_ended_container, removal,
                           (GDestroyNotify) pending_removal_free);
        }
      return;
    }

  gocker_log_container (G_LOG_LEVEL_INFO, state->id, "Reconciling container %s (was %s)",
                        state->id, gocker_status_to_string (state->status));
  gocker_container_object_watch (object);
}

/* Stop. */

static gboolean
on_kill_timeout (gpointer user_data)
{
  GockerContainerObject *object = user_data;
  g_autoptr (GError) error = NULL;

  object->kill_timeout = 0;
  gocker_log_container (G_LOG_LEVEL_MESSAGE, object->state->id,
                        "Container %s did not exit after SIGTERM; killing all its processes",
                        object->state->id);
  if (object->state->pid > 0)
    kill (object->state->pid, SIGKILL);
  if (!gocker_cgroup_signal_all (object->state->cgroup_path, SIGKILL, &error))
    gocker_log_container (G_LOG_LEVEL_WARNING, object->state->id,
                          "Killing the cgroup of container %s failed: %s",
                          object->state->id, error->message);
  return G_SOURCE_REMOVE;
}

static void
begin_stop (GockerContainerObject *object, guint timeout)
{
  GockerState *state = object->state;

  if (!state->stop_requested)
    {
      state->stop_requested = TRUE;
      gocker_container_object_save (object, NULL);
      gocker_log_container (G_LOG_LEVEL_MESSAGE, state->id,
                            "Stopping container %s (%s), SIGKILL after %u s",
                            state->id, state->spec->name, timeout);
    }

  if (timeout == 0)
    {
      g_clear_handle_id (&object->kill_timeout, g_source_remove);
      on_kill_timeout (object);
      return;
    }

  if (state->pid > 0 && kill (state->pid, SIGTERM) < 0 && errno != ESRCH)
    gocker_log_container (G_LOG_LEVEL_WARNING, state->id, "Sending SIGTERM to pid %d failed: %s",
                          state->pid, g_strerror (errno));

  if (object->kill_timeout == 0)
    object->kill_timeout = g_timeout_add (timeout * 1000, on_kill_timeout, object);  /* exact, unlike g_timeout_add_seconds */
}

/* A call being authorized. It names its container by id, not by pointer,
 * because another call may remove the container while polkit is asked. It
 * takes over the handler's reference to the invocation, which returning a
 * reply or an error consumes. */
typedef struct {
  GockerDaemon *daemon;
  char *id;
  GDBusMethodInvocation *invocation;
  guint timeout;
  gboolean force;
} Request;

static Request *
request_new (GockerContainerObject *object, GDBusMethodInvocation *invocation)
{
  Request *request = g_new0 (Request, 1);

  request->daemon = object->daemon;
  request->id = g_strdup (object->state->id);
  request->invocation = invocation;
  gocker_daemon_hold (object->daemon);
  return request;
}

static void
request_free (Request *request)
{
  gocker_daemon_release (request->daemon);
  g_free (request->id);
  g_free (request);
}

/* The container of an authorized request, or NULL, after answering the
 * call, when it was removed in the meantime. */
static GockerContainerObject *
request_lookup (Request *request)
{
  GockerContainerObject *object = gocker_daemon_lookup_id (request->daemon, request->id);

  if (object == NULL)
    g_dbus_method_invocation_return_error (request->invocation, GOCKER_ERROR, GOCKER_ERROR_NOT_FOUND,
                                           "Container %s was removed", request->id);
  return object;
}

/* The container of a request once polkit has answered. On a denial, or
 * when the container was removed meanwhile, the call gets its error, the
 * request is freed and NULL returned. */
static GockerContainerObject *
request_finish_authorization (Request *request, GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;
  GockerContainerObject *object;

  if (!gocker_authorize_finish (result, NULL, &error))
    {
      gocker_invocation_return_error (request->invocation, error);
      request_free (request);
      return NULL;
    }
  object = request_lookup (request);
  if (object == NULL)
    request_free (request);
  return object;
}

static void
authorize_request (Request *request, GockerVerb verb, GAsyncReadyCallback callback)
{
  GockerContainerObject *object = gocker_daemon_lookup_id (request->daemon, request->id);
  GockerState *state = gocker_container_object_get_state (object);
  GockerAuthorizationTarget target = {
    .id = state->id,
    .name = state->spec->name,
    .owner_uid = state->owner_uid,
    .has_owner = TRUE,
  };

  gocker_authorize (gocker_daemon_get_authority (request->daemon), request->invocation,
                    verb, &target, callback, request);
}

static void
on_stop_authorized (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Request *request = user_data;
  GockerContainerObject *object;

  object = request_finish_authorization (request, result);
  if (object == NULL)
    return;

  if (!is_active (object))
    {
      gocker_container_complete_stop (object->iface, request->invocation);
      request_free (request);
      return;
    }

  g_ptr_array_add (object->waiters, request->invocation);
  update_hold (object);
  /* Signals sent while the supervisor sets the container up would only
   * make the start fail with a confusing message; the stop begins once the
   * command runs. */
  if (object->state->status == GOCKER_STATUS_CREATED)
    object->pending_stop = object->pending_stop < 0 ? (gint) request->timeout
                                                    : MIN (object->pending_stop, (gint) request->timeout);
  else
    begin_stop (object, request->timeout);
  request_free (request);
}

static gboolean
handle_stop (GockerContainer *iface, GDBusMethodInvocation *invocation, guint timeout, gpointer user_data)
{
  GockerContainerObject *object = user_data;
  Request *request = request_new (object, invocation);

  request->timeout = MIN (timeout, 24 * 3600);
  authorize_request (request, GOCKER_VERB_STOP, on_stop_authorized);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* Remove. */

static void
container_finish_remove (GockerContainerObject *object, GDBusMethodInvocation *invocation)
{
  const GockerDaemonOptions *options = gocker_daemon_get_options (object->daemon);
  GockerState *state = object->state;
  g_autofree char *path = gocker_state_path (options->state_dir, state->id);
  g_autofree char *id = g_strdup (state->id);
  g_autofree char *name = g_strdup (state->spec->name);
  g_autoptr (GError) error = NULL;

  if (!gocker_container_cleanup (options->state_dir, state, &error))
    {
      gocker_log_container (G_LOG_LEVEL_WARNING, id, "Removing container %s failed: %s", id, error->message);
      if (invocation != NULL)
        gocker_invocation_return_error (invocation, error);
      object->remove_on_exit = FALSE;
      return;
    }
  if (g_unlink (path) < 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      gocker_log_container (G_LOG_LEVEL_WARNING, id, "Deleting %s failed: %s", path, g_strerror (saved_errno));
      if (invocation != NULL)
        g_dbus_method_invocation_return_error (invocation, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                                               "Deleting the state file %s failed: %s",
                                               path, g_strerror (saved_errno));
      object->remove_on_exit = FALSE;
      return;
    }

  gocker_log_container (G_LOG_LEVEL_MESSAGE, id, "Removed container %s (%s)", id, name);
  if (invocation != NULL)
    gocker_container_complete_remove (object->iface, invocation);
  /* Frees @object. */
  gocker_daemon_remove_container (object->daemon, object);
}

static void
on_remove_authorized (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Request *request = user_data;
  GockerContainerObject *object;

  object = request_finish_authorization (request, result);
  if (object == NULL)
    return;

  if (object->remove_on_exit)
    {
      g_dbus_method_invocation_return_error (request->invocation, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                                             "Container %s is already being removed", object->state->spec->name);
      request_free (request);
      return;
    }

  /* Exited, but its supervisor still writes the exit record and removes
   * the cgroups: the removal waits until it has ended. */
  if (object->exit_reported)
    {
      object->remove_on_exit = TRUE;
      g_ptr_array_add (object->waiters, request->invocation);
      update_hold (object);
      request_free (request);
      return;
    }

  if (is_active (object))
    {
      if (!request->force)
        {
          g_dbus_method_invocation_return_error (request->invocation, GOCKER_ERROR,
                                                 GOCKER_ERROR_CONTAINER_RUNNING,
                                                 "Container %s is running; stop it first, or remove it with force "
                                                 "(gocker rm -f)", object->state->spec->name);
          request_free (request);
          return;
        }
      object->remove_on_exit = TRUE;
      g_ptr_array_add (object->waiters, request->invocation);
      update_hold (object);
      if (object->state->status == GOCKER_STATUS_CREATED)
        object->pending_stop = 0;
      else
        begin_stop (object, 0);
      request_free (request);
      return;
    }

  {
    GDBusMethodInvocation *invocation = request->invocation;

    request_free (request);
    container_finish_remove (object, invocation);
  }
}

static gboolean
handle_remove (GockerContainer *iface, GDBusMethodInvocation *invocation, gboolean force, gpointer user_data)
{
  GockerContainerObject *object = user_data;
  Request *request = request_new (object, invocation);

  request->force = force;
  authorize_request (request, GOCKER_VERB_REMOVE, on_remove_authorized);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* OpenLog. */

static void
on_open_log_authorized (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Request *request = user_data;
  GockerContainerObject *object;
  g_autoptr (GUnixFDList) fd_list = NULL;
  int fd;

  object = request_finish_authorization (request, result);
  if (object == NULL)
    return;

  fd = open (object->state->log_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
  if (fd < 0)
    {
      int saved_errno = errno;

      gocker_log_container (G_LOG_LEVEL_WARNING, object->state->id, "Opening log %s failed: %s",
                            object->state->log_path, g_strerror (saved_errno));
      g_dbus_method_invocation_return_error (request->invocation, GOCKER_ERROR,
                                             saved_errno == ENOENT ? GOCKER_ERROR_NOT_FOUND : GOCKER_ERROR_FAILED,
                                             "Opening the log %s failed: %s",
                                             object->state->log_path, g_strerror (saved_errno));
      request_free (request);
      return;
    }

  fd_list = g_unix_fd_list_new_from_array (&fd, 1);
  gocker_container_complete_open_log (object->iface, request->invocation, fd_list,
                                      g_variant_new_handle (0));
  request_free (request);
}

static gboolean
handle_open_log (GockerContainer *iface, GDBusMethodInvocation *invocation,
                 GUnixFDList *fd_list, gpointer user_data)
{
  GockerContainerObject *object = user_data;
  Request *request = request_new (object, invocation);

  authorize_request (request, GOCKER_VERB_LOGS, on_open_log_authorized);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* OpenLogs: the rotated files, then the current one. */

static void
on_open_logs_authorized (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Request *request = user_data;
  GockerContainerObject *object;
  const char *log_path;
  g_autoptr (GError) error = NULL;
  g_autoptr (GUnixFDList) fd_list = g_unix_fd_list_new ();
  g_autoptr (GArray) inodes = g_array_new (FALSE, FALSE, sizeof (ino_t));
  GVariantBuilder handles;

  object = request_finish_authorization (request, result);
  if (object == NULL)
    return;
  log_path = object->state->log_path;

  /* Newest first: a rotation between two opens then hands out the same
   * file twice, which the inode check drops, rather than skipping one.
   * Rotated files go up to the container's max-files; a missing one ends
   * the list. */
  for (guint n = 0; n < MAX (object->state->log_max_files, 1); n++)
    {
      g_autofree char *path = n == 0 ? g_strdup (log_path) : gocker_log_rotated_path (log_path, n);
      gboolean seen = FALSE;
      struct stat st;
      int fd;

      fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
      if (fd < 0 && n > 0 && errno == ENOENT)
        break;
      if (fd < 0 || fstat (fd, &st) < 0)
        {
          int saved_errno = errno;

          if (fd >= 0)
            close (fd);
          gocker_log_container (G_LOG_LEVEL_WARNING, object->state->id, "Opening log %s failed: %s",
                                path, g_strerror (saved_errno));
          g_dbus_method_invocation_return_error (request->invocation, GOCKER_ERROR,
                                                 saved_errno == ENOENT ? GOCKER_ERROR_NOT_FOUND : GOCKER_ERROR_FAILED,
                                                 "Opening the log %s failed: %s", path, g_strerror (saved_errno));
          request_free (request);
          return;
        }
      for (guint i = 0; i < inodes->len; i++)
        seen = seen || g_array_index (inodes, ino_t, i) == st.st_ino;
      if (!seen)
        {
          g_array_append_val (inodes, st.st_ino);
          if (g_unix_fd_list_append (fd_list, fd, &error) < 0)
            {
              close (fd);
              gocker_invocation_return_error (request->invocation, error);
              request_free (request);
              return;
            }
        }
      close (fd);
    }

  g_variant_builder_init (&handles, G_VARIANT_TYPE ("ah"));
  for (gint i = g_unix_fd_list_get_length (fd_list) - 1; i >= 0; i--)
    g_variant_builder_add (&handles, "h", i);
  gocker_container_complete_open_logs (object->iface, request->invocation, fd_list,
                                       g_variant_builder_end (&handles));
  request_free (request);
}

static gboolean
handle_open_logs (GockerContainer *iface, GDBusMethodInvocation *invocation,
                  GUnixFDList *fd_list, gpointer user_data)
{
  GockerContainerObject *object = user_data;
  Request *request = request_new (object, invocation);

  authorize_request (request, GOCKER_VERB_LOGS, on_open_logs_authorized);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* Wait and GetStats need no authorization: they change nothing and tell
 * no more than the properties do. */

static gboolean
handle_wait (GockerContainer *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
  GockerContainerObject *object = user_data;

  if (!is_active (object))
    {
      gocker_container_complete_wait (iface, invocation, object->state->exit_code);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_ptr_array_add (object->waiters, invocation);
  update_hold (object);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_stats (GockerContainer *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
  GockerContainerObject *object = user_data;
  GVariantBuilder builder;
  GockerStats stats = { 0 };
  g_autoptr (GError) error = NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  if (object->state->status == GOCKER_STATUS_RUNNING &&
      gocker_cgroup_read_stats (object->state->cgroup_path, &stats, &error))
    {
      g_variant_builder_add (&builder, "{sv}", "cpu-usage", g_variant_new_uint64 (stats.cpu_usage_ns));
      g_variant_builder_add (&builder, "{sv}", "memory-usage", g_variant_new_uint64 (stats.memory_bytes));
      g_variant_builder_add (&builder, "{sv}", "pids", g_variant_new_uint64 (stats.pids));
    }
  else if (error != NULL)
    gocker_log_container (G_LOG_LEVEL_INFO, object->state->id, "Reading stats of %s failed: %s",
                          object->state->id, error->message);

  gocker_container_complete_get_stats (iface, invocation, g_variant_builder_end (&builder));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

GockerContainerObject *
gocker_container_object_new (GockerDaemon *daemon, GockerState *state)
{
  GockerContainerObject *object = g_new0 (GockerContainerObject, 1);

  object->daemon = daemon;
  object->state = state;
  object->path = g_strdup_printf ("/io/github/Gocker1/containers/%s", state->id);
  object->waiters = g_ptr_array_new ();
  object->pidfd = -1;
  object->exit_report_fd = -1;
  object->pending_stop = -1;
  object->skeleton = gocker_object_skeleton_new (object->path);
  object->iface = gocker_container_skeleton_new ();
  gocker_object_skeleton_set_container (object->skeleton, object->iface);

  g_signal_connect (object->iface, "handle-stop", G_CALLBACK (handle_stop), object);
  g_signal_connect (object->iface, "handle-remove", G_CALLBACK (handle_remove), object);
  g_signal_connect (object->iface, "handle-open-log", G_CALLBACK (handle_open_log), object);
  g_signal_connect (object->iface, "handle-open-logs", G_CALLBACK (handle_open_logs), object);
  g_signal_connect (object->iface, "handle-wait", G_CALLBACK (handle_wait), object);
  g_signal_connect (object->iface, "handle-get-stats", G_CALLBACK (handle_get_stats), object);

  gocker_container_object_sync (object);
  return object;
}

void
gocker_container_object_free (GockerContainerObject *object)
{
  if (object == NULL)
    return;

  stop_watching (object);
  for (guint i = 0; i < object->waiters->len; i++)
    {
      GDBusMethodInvocation *invocation = g_ptr_array_index (object->waiters, i);

      if (gocker_daemon_is_stopping (object->daemon))
        g_dbus_method_invocation_return_error (invocation, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                                               "gocker-helper stopped while container %s was "
                                               "running; the container goes on, and gocker wait "
                                               "%s waits for it again",
                                               object->state->id, object->state->id);
      else
        g_dbus_method_invocation_return_error (invocation, GOCKER_ERROR, GOCKER_ERROR_NOT_FOUND,
                                               "Container %s was removed", object->state->id);
    }
  g_ptr_array_set_size (object->waiters, 0);
  update_hold (object);
  g_ptr_array_unref (object->waiters);

  g_signal_handlers_disconnect_by_data (object->iface, object);
  g_clear_object (&object->iface);
  g_clear_object (&object->skeleton);
  gocker_state_free (object->state);
  g_free (object->path);
  g_free (object);
}

void
gocker_container_object_started (GockerContainerObject *object)
{
  if (object->pending_stop >= 0)
    {
      begin_stop (object, (guint) object->pending_stop);
      object->pending_stop = -1;
    }
}

void
gocker_container_object_start_failed (GockerContainerObject *object, const GError *error)
{
  g_autoptr (GPtrArray) waiters = g_steal_pointer (&object->waiters);

  /* The container is gone before it ran: a forced Remove got what it asked
   * for, while Wait and Stop learn why there is nothing to wait for. */
  object->waiters = g_ptr_array_new ();
  for (guint i = 0; i < waiters->len; i++)
    {
      GDBusMethodInvocation *invocation = g_ptr_array_index (waiters, i);

      if (g_strcmp0 (g_dbus_method_invocation_get_method_name (invocation), "Remove") == 0)
        gocker_container_complete_remove (object->iface, invocation);
      else
        g_dbus_method_invocation_return_error (invocation, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                                               "Container %s failed to start: %s",
                                               object->state->spec->name, error->message);
    }
  update_hold (object);
}
