/* gocker-helper: the root D-Bus service io.github.Gocker1 on the system bus. */
#define G_LOG_DOMAIN "gocker-helper"

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "daemon.h"
#include "engine.h"
#include "errors.h"
#include "log-file.h"
#include "log-writer.h"
#include "network.h"

#define BUS_NAME "io.github.Gocker1"
#define DEFAULT_IDLE_TIMEOUT 300

typedef struct {
  GMainLoop *loop;
  GockerDaemonOptions options;
  GockerDaemon *daemon;
  int exit_status;
} Helper;

static void
on_bus_acquired (GDBusConnection *connection, const char *name, gpointer user_data)
{
  Helper *helper = user_data;
  g_autoptr (GError) error = NULL;

  helper->daemon = gocker_daemon_new (connection, &helper->options, helper->loop, &error);
  if (helper->daemon == NULL)
    {
      g_critical ("Starting the helper failed: %s", error->message);
      helper->exit_status = EXIT_FAILURE;
      g_main_loop_quit (helper->loop);
    }
}

static void
on_name_acquired (GDBusConnection *connection, const char *name, gpointer user_data)
{
  g_message ("Acquired the name %s; ready", name);
}

static void
on_name_lost (GDBusConnection *connection, const char *name, gpointer user_data)
{
  Helper *helper = user_data;

  if (connection == NULL)
    g_critical ("Cannot connect to the system bus; is dbus-daemon running? "
                "For tests, set DBUS_SYSTEM_BUS_ADDRESS");
  else
    g_critical ("Cannot own the name %s on the system bus: another helper owns it, or the bus "
                "policy (io.github.Gocker1.conf) does not allow this user to own it", name);
  helper->exit_status = EXIT_FAILURE;
  g_main_loop_quit (helper->loop);
}

static gboolean
on_terminate (gpointer user_data)
{
  Helper *helper = user_data;

  g_message ("Received a termination signal; exiting. Running containers are not affected.");
  g_main_loop_quit (helper->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  Helper helper = { 0 };
  g_autofree char *state_dir = NULL;
  g_autofree char *supervisor_path = NULL;
  g_autofree char *busybox_path = NULL;
  g_autofree char *cgroup_parent = NULL;
  g_autofree char *log_max_size = NULL;
  g_autofree char *log_max_files = NULL;
  g_autofree char *log_file = NULL;
  gint idle_timeout = DEFAULT_IDLE_TIMEOUT;
  gboolean persist = FALSE;
  gboolean show_version = FALSE;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  guint owner_id;
  const GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      "Directory for container state, logs and layers (default " GOCKER_STATE_DIR ")", "DIR" },
    { "supervisor", 0, 0, G_OPTION_ARG_FILENAME, &supervisor_path,
      "Path of gocker-supervisor (default " GOCKER_LIBEXECDIR "/gocker-supervisor)", "PATH" },
    { "busybox", 0, 0, G_OPTION_ARG_FILENAME, &busybox_path,
      "Static busybox used to assemble the default image (default " GOCKER_BUSYBOX ")", "PATH" },
    { "cgroup-parent", 0, 0, G_OPTION_ARG_STRING, &cgroup_parent,
      "Name of the cgroup that holds the containers' cgroups (default gocker)", "NAME" },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_timeout,
      "Exit after this many seconds without requests; 0 never exits (default 300)", "SECONDS" },
    { "log-max-size", 0, 0, G_OPTION_ARG_STRING, &log_max_size,
      "Rotate a container's log when it would pass SIZE, such as 10M, or max for no cap "
      "(default: [logs] max-size of " GOCKER_NETWORK_DEFAULT_CONFIG ", else 10M)", "SIZE" },
    { "log-max-files", 0, 0, G_OPTION_ARG_STRING, &log_max_files,
      "Log files kept per container, the current one included (default: [logs] max-files, else 2)",
      "N" },
    { "log-file", 0, 0, G_OPTION_ARG_FILENAME, &log_file,
      "Also append the helper's messages to FILE unless they go to the journal "
      "(the D-Bus service file passes one)", "FILE" },
    { "persist", 0, 0, G_OPTION_ARG_NONE, &persist,
      "Never exit when idle (same as --idle-timeout 0)", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &show_version, "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  g_setenv ("GIO_USE_VFS", "local", TRUE);

  context = g_option_context_new ("- the Gocker container service");
  g_option_context_set_summary (context,
                                "Runs containers for the gocker clients on the system bus as "
                                BUS_NAME ". Normally started by D-Bus activation.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("gocker-helper: %s\nRun gocker-helper --help for the options.\n", error->message);
      return 125;
    }
  gocker_log_writer_install (log_file);
  if (show_version)
    {
      g_print ("gocker-helper %s\n", GOCKER_VERSION);
      return EXIT_SUCCESS;
    }
  if (idle_timeout < 0)
    {
      g_printerr ("gocker-helper: invalid --idle-timeout %d: expected 0 or more seconds\n", idle_timeout);
      return 125;
    }
  if (cgroup_parent != NULL && !gocker_validate_name (cgroup_parent, &error))
    {
      g_printerr ("gocker-helper: invalid --cgroup-parent: %s\n", error->message);
      return 125;
    }
  /* Log rotation: the built-in defaults, then the configuration file,
   * then the options. A bad file leaves the defaults in force rather
   * than keeping the service from starting. */
  helper.options.log_max_size = GOCKER_LOG_DEFAULT_MAX_SIZE;
  helper.options.log_max_files = GOCKER_LOG_DEFAULT_MAX_FILES;
  if (!gocker_log_config_load (GOCKER_NETWORK_DEFAULT_CONFIG, &helper.options.log_max_size,
                               &helper.options.log_max_files, &error))
    {
      g_warning ("%s; using the default log rotation (max-size 10M, max-files 2)", error->message);
      g_clear_error (&error);
    }
  if ((log_max_size != NULL &&
       !gocker_log_parse_max_size (log_max_size, &helper.options.log_max_size, &error)) ||
      (log_max_files != NULL &&
       !gocker_log_parse_max_files (log_max_files, &helper.options.log_max_files, &error)))
    {
      g_printerr ("gocker-helper: %s\n", error->message);
      return 125;
    }
  if (geteuid () != 0)
    {
      g_printerr ("gocker-helper: must run as root; it is started by D-Bus activation\n");
      return EXIT_FAILURE;
    }

  /* Make sure the error domain is registered before any reply. */
  (void) GOCKER_ERROR;

  helper.options.state_dir = state_dir ? state_dir : (char *) GOCKER_STATE_DIR;
  helper.options.supervisor_path = supervisor_path ? supervisor_path
                                   : (char *) GOCKER_LIBEXECDIR "/gocker-supervisor";
  helper.options.busybox_path = busybox_path ? busybox_path : (char *) GOCKER_BUSYBOX;
  helper.options.cgroup_parent = cgroup_parent ? cgroup_parent : (char *) "gocker";
  helper.options.idle_timeout = persist ? 0 : (guint) idle_timeout;

  if (!g_path_is_absolute (helper.options.state_dir))
    {
      g_printerr ("gocker-helper: invalid --state-dir %s: the path must be absolute\n",
                  helper.options.state_dir);
      return 125;
    }
  if (!g_file_test (helper.options.supervisor_path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("gocker-helper: the supervisor %s is missing or not executable; "
                  "reinstall gocker or pass --supervisor\n", helper.options.supervisor_path);
      return EXIT_FAILURE;
    }

  g_message ("Starting gocker-helper %s (state in %s, cgroups under %s, limits on cgroup %s, "
             "idle timeout %u s, logs rotated at %" G_GUINT64_FORMAT " bytes keeping %u files)",
             GOCKER_VERSION, helper.options.state_dir, helper.options.cgroup_parent,
             gocker_cgroup_version (), helper.options.idle_timeout,
             helper.options.log_max_size, helper.options.log_max_files);

  helper.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_terminate, &helper);
  g_unix_signal_add (SIGINT, on_terminate, &helper);

  owner_id = g_bus_own_name (G_BUS_TYPE_SYSTEM, BUS_NAME, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                             on_bus_acquired, on_name_acquired, on_name_lost, &helper, NULL);
  g_main_loop_run (helper.loop);

  g_bus_unown_name (owner_id);
  gocker_daemon_free (helper.daemon);
  g_main_loop_unref (helper.loop);
  g_message ("gocker-helper stopped");
  return helper.exit_status;
}
