/* gocker run: validate the request locally, call Manager.Run, and for an
 * attached run relay the terminal and wait for the exit code. */
#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "gocker-cli.h"
#include "run-options.h"
#include "tty.h"

/* Grace period of the Stop sent on the first SIGINT, SIGTERM or SIGHUP. */
#define STOP_ON_SIGNAL_TIMEOUT 10

static const char run_description[] = N_(
  "Options end at the first argument that is not an option, so in\n"
  "\"gocker run /bin/sh -c 'echo hi'\" the -c belongs to the command.\n"
  "\n"
  "Without --detach the command's input and output are this terminal: when\n"
  "stdin is a terminal the container gets a new pseudo-terminal (so -t is\n"
  "implied and Ctrl-C reaches the command), otherwise it gets gocker's own\n"
  "stdin, stdout and stderr. gocker exits with the command's exit code, or\n"
  "125 when the container could not be created or its code is unknown.\n"
  "\n"
  "Signals: the first SIGINT, SIGTERM or SIGHUP that gocker receives stops\n"
  "the container (SIGTERM, then SIGKILL after 10 seconds); a second one\n"
  "kills it at once.\n"
  "\n"
  "With --detach the output goes to the container's log (see \"gocker logs\")\n"
  "and the full 64-character container id is printed.");

typedef struct {
  GMainLoop *loop;
  GDBusConnection *bus;
  GockerContainer *container;  /* NULL until Run has returned */
  char *object_path;
  /* Exit codes of Exited signals seen before Run returned, by object path. */
  GHashTable *early_exits;
  gboolean done;
  int exit_code;
  guint signals_received;
  gboolean raw_terminal;
} AttachedRun;

static void
finish (AttachedRun *run, int exit_code)
{
  if (run->done)
    return;
  run->done = TRUE;
  run->exit_code = exit_code;
  g_main_loop_quit (run->loop);
}

static void
on_exited_signal (GDBusConnection *connection,
                  const char *sender_name,
                  const char *object_path,
                  const char *interface_name,
                  const char *signal_name,
                  GVariant *parameters,
                  gpointer user_data)
{
  AttachedRun *run = user_data;
  int exit_code;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(i)")))
    return;
  g_variant_get (parameters, "(i)", &exit_code);

  if (run->object_path == NULL)
    g_hash_table_insert (run->early_exits, g_strdup (object_path), GINT_TO_POINTER (exit_code));
  else if (g_str_equal (object_path, run->object_path))
    finish (run, exit_code);
}

static void
on_wait_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AttachedRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  int exit_code;

  reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);
  if (reply == NULL)
    {
      /* An auto-removed container may be gone before Wait arrives; its
       * Exited signal, if seen, ends the run instead. */
      if (run->done)
        return;
      gocker_client_explain_error (error, _("wait for the container"));
      gocker_print_error (error);
      finish (run, -1);
      return;
    }

  g_variant_get (reply, "(i)", &exit_code);
  finish (run, exit_code);
}

static void
on_stop_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);
  if (reply == NULL)
    {
      gocker_client_explain_error (error, _("stop the container"));
      gocker_print_error (error);
    }
}

static gboolean
on_stop_signal (gpointer user_data)
{
  AttachedRun *run = user_data;
  guint timeout;

  run->signals_received++;
  timeout = run->signals_received == 1 ? STOP_ON_SIGNAL_TIMEOUT : 0;

  /* In raw mode "\n" alone does not return the carriage, and the cursor
   * may be in the middle of the container's output. */
  if (run->raw_terminal)
    g_printerr ("\r\n");
  g_printerr ("gocker: %s%s",
              timeout > 0 ? _("stopping the container (again to kill it now)")
                          : _("killing the container"),
              run->raw_terminal ? "\r\n" : "\n");

  g_dbus_proxy_call (G_DBUS_PROXY (run->container), "Stop", g_variant_new ("(u)", timeout),
                     G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, G_MAXINT,
                     NULL, on_stop_done, run);
  return G_SOURCE_CONTINUE;
}

/* The Run request: the spec's dictionary plus the descriptor keys. */
static GVariant *
build_request (const GockerSpec *spec, int stdin_index, int stdout_index, int stderr_index)
{
  g_autoptr(GVariant) base = g_variant_ref_sink (gocker_spec_to_variant (spec));
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_iter_init (&iter, base);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_variant_builder_add (&builder, "{sv}", key, value);
      g_variant_unref (value);
    }

  if (stdin_index >= 0)
    g_variant_builder_add (&builder, "{sv}", "stdin", g_variant_new_handle (stdin_index));
  if (stdout_index >= 0)
    g_variant_builder_add (&builder, "{sv}", "stdout", g_variant_new_handle (stdout_index));
  if (stderr_index >= 0)
    g_variant_builder_add (&builder, "{sv}", "stderr", g_variant_new_handle (stderr_index));

  return g_variant_new ("(@a{sv})", g_variant_builder_end (&builder));
}

static char *
call_run (GockerManager *manager, GVariant *request, GUnixFDList *fd_list, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  char *object_path = NULL;

  reply = gocker_client_call (G_DBUS_PROXY (manager), "Run", request, fd_list, NULL,
                              _("run a container"), error);
  if (reply == NULL)
    return NULL;

  g_variant_get (reply, "(o)", &object_path);
  return object_path;
}

static const char *
id_from_path (const char *object_path)
{
  const char *slash = strrchr (object_path, '/');

  return slash != NULL ? slash + 1 : object_path;
}

static int
run_detached (GockerManager *manager, const GockerSpec *spec)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *object_path = NULL;

  object_path = call_run (manager, build_request (spec, -1, -1, -1), NULL, &error);
  if (object_path == NULL)
    {
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  g_print ("%s\n", id_from_path (object_path));
  return 0;
}

static int
run_attached (GDBusConnection *bus, GockerManager *manager, GockerSpec *spec)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fd_list = g_unix_fd_list_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GHashTable) early_exits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GockerRelay *relay = NULL;
  AttachedRun run = { 0 };
  GVariant *request;
  int master = -1;
  int slave = -1;
  int in_index, out_index, err_index;
  guint exited_subscription;
  guint signal_sources[3];
  gpointer early_code;

  run.loop = loop;
  run.bus = bus;
  run.early_exits = early_exits;
  run.exit_code = -1;
  run.raw_terminal = spec->tty;

  if (spec->tty)
    {
      if (!gocker_pty_open (&master, &slave, &error))
        {
          gocker_print_error (error);
          return GOCKER_EXIT_ERROR;
        }
      gocker_tty_copy_size (STDIN_FILENO, master);
      in_index = g_unix_fd_list_append (fd_list, slave, &error);
      out_index = in_index;
      err_index = in_index;
      close (slave);
    }
  else
    {
      in_index = g_unix_fd_list_append (fd_list, STDIN_FILENO, &error);
      out_index = in_index >= 0 ? g_unix_fd_list_append (fd_list, STDOUT_FILENO, &error) : -1;
      err_index = out_index >= 0 ? g_unix_fd_list_append (fd_list, STDERR_FILENO, &error) : -1;
    }
  if (in_index < 0 || out_index < 0 || err_index < 0)
    {
      g_prefix_error (&error, _("Cannot pass the standard streams to the helper: "));
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  /* Subscribe before Run: a short command can exit, and with --rm be
   * removed, before a Wait call reaches the helper. */
  exited_subscription =
    g_dbus_connection_signal_subscribe (bus, gocker_client_helper_name (bus),
                                        "io.github.Gocker1.Container",
                                        "Exited", /* object_path= */ NULL, /* arg0= */ NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_exited_signal, &run, NULL);

  request = build_request (spec, in_index, out_index, err_index);
  run.object_path = call_run (manager, request, fd_list, &error);
  /* The helper has its own copies now. The container must be the last
   * owner of the slave, so that reading the master ends with EIO. */
  g_clear_object (&fd_list);
  if (run.object_path == NULL)
    {
      g_dbus_connection_signal_unsubscribe (bus, exited_subscription);
      if (master >= 0)
        close (master);
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  run.container = gocker_container_proxy_new_sync (bus,
                                                   G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                                   G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS |
                                                   G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                                                   gocker_client_helper_name (bus), run.object_path,
                                                   NULL, &error);
  if (run.container == NULL)
    {
      g_dbus_connection_signal_unsubscribe (bus, exited_subscription);
      gocker_print_error (error);
      g_free (run.object_path);
      return GOCKER_EXIT_ERROR;
    }

  g_dbus_proxy_call (G_DBUS_PROXY (run.container), "Wait", NULL, G_DBUS_CALL_FLAGS_NONE,
                     G_MAXINT, NULL, on_wait_done, &run);

  if (g_hash_table_lookup_extended (early_exits, run.object_path, NULL, &early_code))
    finish (&run, GPOINTER_TO_INT (early_code));

  if (spec->tty)
    {
      if (!gocker_tty_make_raw (STDIN_FILENO, &error))
        {
          g_debug ("%s", error->message);
          g_clear_error (&error);
        }
      /* A closed stdout must end the relay with EPIPE, not kill gocker
       * with SIGPIPE before the terminal mode is restored. */
      signal (SIGPIPE, SIG_IGN);
      relay = gocker_relay_start (STDIN_FILENO, master, STDOUT_FILENO);
    }

  signal_sources[0] = g_unix_signal_add (SIGINT, on_stop_signal, &run);
  signal_sources[1] = g_unix_signal_add (SIGTERM, on_stop_signal, &run);
  signal_sources[2] = g_unix_signal_add (SIGHUP, on_stop_signal, &run);

  if (!run.done)
    g_main_loop_run (loop);

  for (gsize i = 0; i < G_N_ELEMENTS (signal_sources); i++)
    g_source_remove (signal_sources[i]);
  gocker_relay_finish (relay);
  gocker_tty_restore ();
  if (master >= 0)
    close (master);
  g_dbus_connection_signal_unsubscribe (bus, exited_subscription);
  g_clear_object (&run.container);
  g_free (run.object_path);

  g_debug ("The container exited with code %d", run.exit_code);
  /* -1: the helper could not learn the exit code. */
  return run.exit_code >= 0 ? run.exit_code : GOCKER_EXIT_ERROR;
}

int
gocker_cmd_run (int argc, char **argv)
{
  g_auto(GockerRunOptions) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GockerManager) manager = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_auto(GStrv) envp = g_get_environ ();
  GOptionEntry entries[] = {
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &options.detach,
      N_("Run in the background, output to the log, and print the container id"), NULL },
    { "name", 0, 0, G_OPTION_ARG_STRING, &options.name,
      N_("Name of the container: 1 to 64 of [a-zA-Z0-9_.-], starting with a letter or digit"),
      N_("NAME") },
    { "hostname", 0, 0, G_OPTION_ARG_STRING, &options.hostname,
      N_("Host name inside the container (default: gocker-container)"), N_("HOSTNAME") },
    { "cpu-limit", 0, 0, G_OPTION_ARG_STRING, &options.cpu_limit,
      N_("Number of CPUs, such as 0.5 or 2, or max (default: max)"), N_("CPUS") },
    { "memory-limit", 0, 0, G_OPTION_ARG_STRING, &options.memory_limit,
      N_("Memory in bytes with an optional K, M or G suffix, at least 6M, or max "
         "(default: max)"), N_("SIZE") },
    { "pids-limit", 0, 0, G_OPTION_ARG_STRING, &options.pids_limit,
      N_("Maximum number of processes, or max (default: 20)"), N_("N") },
    { "volume", 'v', 0, G_OPTION_ARG_STRING_ARRAY, &options.volumes,
      N_("Bind-mount a host file or directory; a relative host path is relative to the "
         "current directory (repeatable)"), N_("HOST:CONTAINER[:ro]") },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &options.env,
      N_("Set an environment variable; KEY alone copies it from this environment "
         "(repeatable)"), N_("KEY[=VALUE]") },
    { "workdir", 'w', 0, G_OPTION_ARG_STRING, &options.workdir,
      N_("Absolute working directory inside the container (default: /)"), N_("DIR") },
    { "rm", 0, 0, G_OPTION_ARG_NONE, &options.auto_remove,
      N_("Remove the container when it exits"), NULL },
    { "image", 0, 0, G_OPTION_ARG_STRING, &options.image,
      N_("Image to run (default: busybox)"), N_("NAME") },
    { "rootfs", 0, 0, G_OPTION_ARG_FILENAME, &options.rootfs,
      N_("Directory of an extracted root file system to run instead of an image"), N_("DIR") },
    { "publish", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &options.publish,
      N_("Publish a container port on a host port, with /tcp (the default) or /udp "
         "after it (repeatable)"),
      N_("[IP:]HOST_PORT:PORT") },
    { "network", 0, 0, G_OPTION_ARG_STRING, &options.network,
      N_("Network: bridge, none or host (default: bridge)"), N_("MODE") },
    { "userns", 0, 0, G_OPTION_ARG_STRING, &options.userns,
      N_("\"host\" to run without a user namespace"), N_("host") },
    { "userns-map", 0, 0, G_OPTION_ARG_STRING, &options.userns_map,
      N_("Map COUNT ids from container id C to host id H"), N_("C:H:COUNT") },
    { "cap-add", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.cap_add,
      N_("Add a capability, such as CAP_NET_ADMIN (repeatable)"), N_("CAP") },
    { "cap-drop", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.cap_drop,
      N_("Drop a capability (repeatable)"), N_("CAP") },
    { "security-opt", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.security_opt,
      N_("seccomp=unconfined to run without the seccomp filter"), N_("OPTION") },
    { "init", 0, 0, G_OPTION_ARG_NONE, &options.init,
      N_("Run an init process as PID 1 that reaps zombies and forwards signals"), NULL },
    { "interactive", 'i', 0, G_OPTION_ARG_NONE, &options.interactive,
      N_("Accepted for Docker habits: stdin is always passed"), NULL },
    { "tty", 't', 0, G_OPTION_ARG_NONE, &options.tty,
      N_("Accepted for Docker habits: a terminal is used whenever stdin is one"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.command, NULL,
      N_("COMMAND [ARG…]") },
    { NULL }
  };

  /* The usage line gets "COMMAND [ARG…]" from the G_OPTION_REMAINING entry. */
  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Create a container and run a command in it."));
  g_option_context_set_description (context, _(run_description));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_strict_posix (context, TRUE);
  if (!gocker_parse_options (context, "run", &argc, &argv))
    return GOCKER_EXIT_ERROR;

  spec = gocker_run_options_to_spec (&options, cwd, (const char *const *) envp, &error);
  if (spec == NULL)
    {
      g_printerr ("gocker run: %s\n", error->message);
      return GOCKER_EXIT_ERROR;
    }

  spec->tty = !options.detach && isatty (STDIN_FILENO);
  if (g_strcmp0 (spec->network, "host") == 0)
    g_printerr (_("gocker run: warning: --network host shares the host's network namespace: the "
                  "container can use every host interface and port\n"));

  bus = gocker_client_connect (&error);
  if (bus == NULL)
    {
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  manager = gocker_client_get_manager (bus, &error);
  if (manager == NULL)
    {
      gocker_client_explain_error (error, _("run a container"));
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  if (options.detach)
    return run_detached (manager, spec);
  return run_attached (bus, manager, spec);
}
