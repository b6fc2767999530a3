/* io.github.Gocker1.Manager: Run creates and starts a container.
 *
 * Run is shaped like every handler: validate the request, authorize it,
 * then act. The slow part (assembling the image on first use, starting the
 * supervisor) runs in a worker thread so the bus stays responsive. */
#define G_LOG_DOMAIN "gocker-helper"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>

#include "authorize.h"
#include "caller.h"
#include "caps.h"
#include "cgroup.h"
#include "userns.h"
#include "container-object.h"
#include "daemon.h"
#include "engine.h"
#include "errors.h"

typedef struct {
  GockerDaemon *daemon;
  GockerManager *manager;
  GDBusMethodInvocation *invocation;  /* owned until a reply is sent */
  GockerSpec *spec;
  int stdio[3];
  char *name;                         /* reserved while the request runs */
  GockerContainerObject *object;      /* exported once the state file exists */
  GArray *volume_fds;                 /* volume sources opened as the caller */
  guint32 caller_gid;
  GockerLaunchResult launch;
  gboolean prewarm_held;              /* gocker_cgroup_prewarm_hold() until started */
} RunRequest;

static void
run_request_free (RunRequest *request)
{
  if (request->name != NULL)
    gocker_daemon_release_name (request->daemon, request->name);
  for (guint i = 0; i < 3; i++)
    if (request->stdio[i] >= 0)
      close (request->stdio[i]);
  if (request->volume_fds != NULL)
    {
      for (guint i = 0; i < request->volume_fds->len; i++)
        close (g_array_index (request->volume_fds, int, i));
      g_array_unref (request->volume_fds);
    }
  if (request->prewarm_held)
    gocker_cgroup_prewarm_release ();
  gocker_clear_fd (&request->launch.exit_report_fd);
  gocker_spec_free (request->spec);
  g_free (request->name);
  gocker_daemon_release (request->daemon);
  g_free (request);
}

static void
run_request_fail (RunRequest *request, const GError *error)
{
  gocker_invocation_return_error (request->invocation, error);
  request->invocation = NULL;
  run_request_free (request);
}

/* Take the caller's descriptors for an attached run out of the message. */
static gboolean
take_stdio (RunRequest *request, GVariant *spec_variant, GUnixFDList *fd_list, GError **error)
{
  static const char *const keys[] = { "stdin", "stdout", "stderr" };

  for (guint i = 0; i < 3; i++)
    {
      gint32 handle;
      int fd;
      struct stat st;

      if (!g_variant_lookup (spec_variant, keys[i], "h", &handle))
        continue;
      if (request->spec->detach)
        continue;
      if (fd_list == NULL || handle < 0 || handle >= g_unix_fd_list_get_length (fd_list))
        {
          g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_INVALID_ARGUMENT,
                       "invalid %s: handle %d is not in the message's descriptor list", keys[i], handle);
          return FALSE;
        }
      fd = g_unix_fd_list_get (fd_list, handle, error);
      if (fd < 0)
        return FALSE;
      request->stdio[i] = fd;
      if (fstat (fd, &st) < 0 || S_ISDIR (st.st_mode) || (fcntl (fd, F_GETFL) & O_PATH) != 0)
        {
          g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_INVALID_ARGUMENT,
                       "invalid %s: the descriptor must be a file, pipe, socket or terminal", keys[i]);
          return FALSE;
        }
    }

  if (request->spec->tty && !request->spec->detach &&
      (request->stdio[0] < 0 || !isatty (request->stdio[0])))
    {
      g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_INVALID_ARGUMENT,
                   "invalid tty: stdin must be the slave side of a pseudo-terminal when tty is true");
      return FALSE;
    }
  return TRUE;
}

/* Checks on the host that need the caller to be authorized first, so an
 * unauthorized caller cannot probe which paths exist. */
static gboolean
check_host_paths (const GockerSpec *spec, const char *state_dir, GError **error)
{
  /* Volume sources are checked when they are opened as the caller
   * (caller.c): looked at as root here, they would tell the caller which
   * paths exist in directories it may not search. */

  if (spec->rootfs != NULL && !g_file_test (spec->rootfs, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_NOT_FOUND,
                   "invalid rootfs %s: not a directory; pass an extracted root file system", spec->rootfs);
      return FALSE;
    }
  if (spec->rootfs != NULL)
    {
      g_autofree char *rootfs = realpath (spec->rootfs, NULL);
      g_autofree char *state = realpath (state_dir, NULL);
      gsize length = rootfs ? strlen (rootfs) : 0;

      /* A root that contains the state directory would expose every other
       * container's files, and copying it for a user namespace would never
       * end. */
      if (rootfs == NULL || strcmp (rootfs, "/") == 0 ||
          (state != NULL && strncmp (state, rootfs, length) == 0 &&
           (state[length] == '/' || state[length] == '\0')))
        {
          g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_INVALID_ARGUMENT,
                       "invalid rootfs %s: it must be a directory of its own, not / and not one "
                       "that contains the state directory %s", spec->rootfs, state_dir);
          return FALSE;
        }
    }
  return TRUE;
}

static GockerState *
build_state (RunRequest *request, guint32 caller_uid)
{
  const GockerDaemonOptions *options = gocker_daemon_get_options (request->daemon);
  GockerState *state = gocker_state_new ();
  g_autofree char *log_name = NULL;

  state->id = gocker_generate_id ();
  state->spec = g_steal_pointer (&request->spec);
  g_free (state->spec->name);
  state->spec->name = g_strdup (request->name);
  state->owner_uid = caller_uid;
  state->owner_gid = request->caller_gid;
  state->created_at = g_get_real_time ();
  state->status = GOCKER_STATUS_CREATED;
  log_name = g_strconcat (state->id, ".log", NULL);
  state->log_path = g_build_filename (options->state_dir, "logs", log_name, NULL);
  state->cgroup_path = g_build_filename (options->cgroup_parent, state->id, NULL);
  state->log_max_size = options->log_max_size;
  state->log_max_files = options->log_max_files;
  return state;
}

static void
launch_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RunRequest *request = task_data;
  const GockerDaemonOptions *options = gocker_daemon_get_options (request->daemon);
  GockerState *state = gocker_container_object_get_state (request->object);
  g_autoptr (GError) error = NULL;

  if (!gocker_launch_with_standby (gocker_daemon_take_standby (request->daemon),
                                   options->supervisor_path, options->state_dir, state->id,
                                   request->stdio,
                                   (const int *) request->volume_fds->data, request->volume_fds->len,
                                   &request->launch, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
  /* After the task's result, so the next container's supervisor starts
   * while this one's reply goes out. */
  gocker_daemon_refill_standby (request->daemon);
}

static void
on_launched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RunRequest *request = user_data;
  GockerContainerObject *object = request->object;
  GockerState *state = gocker_container_object_get_state (object);
  g_autoptr (GError) error = NULL;

  gocker_cgroup_prewarm_release ();
  request->prewarm_held = FALSE;
  /* The container has its own copies now; closing ours lets a terminal
   * see end-of-file when the container exits. */
  for (guint i = 0; i < 3; i++)
    gocker_clear_fd (&request->stdio[i]);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      const GockerDaemonOptions *options = gocker_daemon_get_options (request->daemon);
      g_autofree char *path = gocker_state_path (options->state_dir, state->id);
      g_autoptr (GError) cleanup_error = NULL;

      gocker_log_container (G_LOG_LEVEL_WARNING, state->id, "Starting container %s (%s) failed: %s",
                            state->id, state->spec->name, error->message);
      if (!gocker_container_cleanup (options->state_dir, state, &cleanup_error))
        gocker_log_container (G_LOG_LEVEL_WARNING, state->id, "Cleaning up container %s failed: %s",
                              state->id, cleanup_error->message);
      g_unlink (path);
      gocker_container_object_start_failed (object, error);
      gocker_daemon_remove_container (request->daemon, object);
      request->object = NULL;
      g_prefix_error (&error, "Starting the container failed: ");
      run_request_fail (request, error);
      return;
    }

  state->pid = request->launch.container_pid;
  state->supervisor_pid = request->launch.supervisor_pid;
  state->supervisor_start_time = request->launch.supervisor_start_time;
  state->status = GOCKER_STATUS_RUNNING;
  gocker_container_object_save (object, NULL);
  gocker_container_object_sync (object);
  /* Networking: the DNAT rules of its port mappings. */
  if (state->spec->ports->len > 0)
    gocker_daemon_sync_network (request->daemon);

  gocker_log_container (G_LOG_LEVEL_MESSAGE, state->id,
                        "Started container %s (%s) for uid %u: pid %d, supervisor %d",
                        state->id, state->spec->name, state->owner_uid, state->pid, state->supervisor_pid);

  gocker_manager_complete_run (request->manager, request->invocation, NULL,
                               gocker_container_object_get_path (object));
  request->invocation = NULL;
  /* Before the watch: a supervisor that has already exited makes the
   * watch finish, and maybe remove, the object at once. */
  gocker_container_object_started (object);
  gocker_container_object_watch_exit_report (object, request->launch.exit_report_fd);
  request->launch.exit_report_fd = -1;
  gocker_container_object_watch (object);
  run_request_free (request);
}

static void
on_run_authorized (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RunRequest *request = user_data;
  const GockerDaemonOptions *options = gocker_daemon_get_options (request->daemon);
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = NULL;
  GockerState *state;
  guint32 caller_uid = 0;
  int log_fd;

  if (!gocker_authorize_finish (result, &caller_uid, &error))
    {
      run_request_fail (request, error);
      return;
    }

  if (!check_host_paths (request->spec, options->state_dir, &error))
    {
      g_message ("Rejected a run request of uid %u: %s", caller_uid, error->message);
      run_request_fail (request, error);
      return;
    }

  {
    g_auto (GockerCaller) caller = { 0 };

    if (!gocker_caller_from_credentials (gocker_authorize_get_credentials (result), &caller, &error) ||
        (request->volume_fds = gocker_caller_open_volumes (&caller, request->spec->volumes, &error)) == NULL)
      {
        g_message ("Rejected a run request of uid %u: %s", caller_uid, error->message);
        run_request_fail (request, error);
        return;
      }
    request->caller_gid = caller.gid;

    /* Without a user namespace container root is host root, and on a
     * volume it could reach every file below the source. */
    if (caller.uid != 0 && request->spec->volumes->len > 0 &&
        g_strcmp0 (request->spec->userns, "host") == 0)
      {
        g_set_error (&error, GOCKER_ERROR, GOCKER_ERROR_NOT_AUTHORIZED,
                     "invalid userns \"host\" with volumes: without a user namespace the "
                     "container's root would be host root on the volume; only root may combine "
                     "them, so drop --userns host or the volumes");
        g_message ("Rejected a run request of uid %u: %s", caller_uid, error->message);
        run_request_fail (request, error);
        return;
      }
  }

  state = build_state (request, caller_uid);
  state->lower_dir = gocker_image_resolve (options->state_dir, state->spec, options->busybox_path, &error);
  if (state->lower_dir == NULL)
    {
      g_message ("Rejected a run request of uid %u: %s", caller_uid, error->message);
      gocker_state_free (state);
      run_request_fail (request, error);
      return;
    }

  /* The log exists for every container, empty for attached ones, so
   * OpenLog always has a file to return. */
  log_fd = open (state->log_path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (log_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (&error, GOCKER_ERROR, GOCKER_ERROR_FAILED, "Creating the log %s failed: %s",
                   state->log_path, g_strerror (saved_errno));
      g_warning ("%s", error->message);
      gocker_state_free (state);
      run_request_fail (request, error);
      return;
    }
  close (log_fd);

  /* Networking: check the ports, allocate the address, set the bridge up
   * on first use. gocker_daemon_remove_container() undoes it. */
  if (!gocker_daemon_prepare_network (request->daemon, state, &error))
    {
      g_message ("Rejected a run request of uid %u: %s", caller_uid, error->message);
      g_unlink (state->log_path);
      gocker_state_free (state);
      run_request_fail (request, error);
      return;
    }

  if (!gocker_state_save (state, options->state_dir, &error))
    {
      g_warning ("%s", error->message);
      g_unlink (state->log_path);
      gocker_daemon_release_network (request->daemon, state->id);
      gocker_state_free (state);
      run_request_fail (request, error);
      return;
    }

  request->object = gocker_container_object_new (request->daemon, state);
  gocker_daemon_add_container (request->daemon, request->object);
  gocker_daemon_release_name (request->daemon, request->name);
  g_clear_pointer (&request->name, g_free);

  gocker_log_container (G_LOG_LEVEL_MESSAGE, state->id, "Created container %s (%s) for uid %u: %s",
                        state->id, state->spec->name, caller_uid, state->spec->argv[0]);

  task = g_task_new (NULL, NULL, on_launched, request);
  g_task_set_task_data (task, request, NULL);
  g_task_run_in_thread (task, launch_thread);
}

static gboolean
handle_run (GockerManager *manager, GDBusMethodInvocation *invocation, GUnixFDList *fd_list,
            GVariant *spec_variant, gpointer user_data)
{
  GockerDaemon *daemon = user_data;
  RunRequest *request = g_new0 (RunRequest, 1);
  g_autoptr (GError) error = NULL;
  GockerAuthorizationTarget target = { 0 };

  request->daemon = daemon;
  request->manager = manager;
  request->invocation = invocation;
  request->stdio[0] = request->stdio[1] = request->stdio[2] = -1;
  request->launch.exit_report_fd = -1;
  gocker_daemon_hold (daemon);
  /* The grace period of the supervisor's first cgroup.procs write starts
   * now, in parallel with checking, authorizing and launching. */
  gocker_cgroup_prewarm_hold ();
  request->prewarm_held = TRUE;

  request->spec = gocker_spec_from_variant (spec_variant, &error);
  if (request->spec == NULL)
    {
      g_message ("Rejected a run request from %s: %s",
                 g_dbus_method_invocation_get_sender (invocation), error->message);
      run_request_fail (request, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  /* Capability names and user namespace maps need libcap and the host's
   * id ranges, so the spec library leaves them to the helper. */
  if ((request->spec->cap_add != NULL &&
       !gocker_caps_validate_names ((const char *const *) request->spec->cap_add, &error)) ||
      (request->spec->cap_drop != NULL &&
       !gocker_caps_validate_names ((const char *const *) request->spec->cap_drop, &error)) ||
      (request->spec->userns != NULL && !gocker_userns_validate (request->spec->userns, &error)))
    {
      g_message ("Rejected a run request from %s: %s",
                 g_dbus_method_invocation_get_sender (invocation), error->message);
      g_dbus_method_invocation_return_error_literal (invocation, GOCKER_ERROR,
                                                     GOCKER_ERROR_INVALID_ARGUMENT, error->message);
      request->invocation = NULL;
      run_request_free (request);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  if (!take_stdio (request, spec_variant, fd_list, &error))
    {
      g_message ("Rejected a run request from %s: %s",
                 g_dbus_method_invocation_get_sender (invocation), error->message);
      run_request_fail (request, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  /* Reserve the name now so two concurrent requests cannot both get it
   * while polkit is being asked. */
  if (request->spec->name != NULL)
    {
      if (gocker_daemon_name_is_reserved (daemon, request->spec->name))
        {
          g_set_error (&error, GOCKER_ERROR, GOCKER_ERROR_NAME_IN_USE,
                       "The name %s is already in use by another container; choose another "
                       "name or remove that container", request->spec->name);
          run_request_fail (request, error);
          return G_DBUS_METHOD_INVOCATION_HANDLED;
        }
      request->name = g_strdup (request->spec->name);
    }
  else
    {
      /* 900 adjective_noun pairs run out on a busy host; a number after
       * them keeps the search finite. */
      for (guint attempt = 0; request->name == NULL || gocker_daemon_name_is_reserved (daemon, request->name); attempt++)
        {
          g_autofree char *base = gocker_generate_name ();

          g_free (request->name);
          request->name = attempt < 16 ? g_steal_pointer (&base)
                                       : g_strdup_printf ("%s_%u", base, g_random_int_range (2, 1000000));
        }
    }
  gocker_daemon_reserve_name (daemon, request->name);

  target.name = request->name;
  gocker_authorize (gocker_daemon_get_authority (daemon), invocation, GOCKER_VERB_RUN, &target,
                    on_run_authorized, request);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

GockerManager *
gocker_manager_object_new (GockerDaemon *daemon)
{
  const GockerDaemonOptions *options = gocker_daemon_get_options (daemon);
  GockerManager *manager = gocker_manager_skeleton_new ();

  gocker_manager_set_version (manager, GOCKER_VERSION);
  gocker_manager_set_cgroup_version (manager, gocker_cgroup_version ());
  gocker_manager_set_state_directory (manager, options->state_dir);
  g_signal_connect (manager, "handle-run", G_CALLBACK (handle_run), daemon);
  return manager;
}
