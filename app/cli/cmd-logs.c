/* gocker logs: copy a detached container's log, raw, to stdout. */
#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "client.h"
#include "gocker-cli.h"

/* How often -f looks for new bytes at the end of the log. */
#define FOLLOW_POLL_MS 100
/* Wait calls that may fail (the helper restarting) before -f gives up. */
#define FOLLOW_MAX_WAIT_RETRIES 5

typedef struct {
  GMainLoop *loop;
  GockerContainer *container;
  int fd;
  int exit_status;
  guint wait_retries;
  guint retry_source;
} LogFollow;

/* Copy @fd from its current offset to its end into stdout. */
static gboolean
copy_to_end (int fd, GError **error)
{
  guint8 buffer[65536];

  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);
      const guint8 *p = buffer;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot read the log: %s"), g_strerror (saved_errno));
          return FALSE;
        }
      if (n == 0)
        return TRUE;

      while (n > 0)
        {
          ssize_t written = write (STDOUT_FILENO, p, n);

          if (written < 0 && errno == EINTR)
            continue;
          if (written < 0)
            {
              int saved_errno = errno;
              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                           _("Cannot write the log to stdout: %s"), g_strerror (saved_errno));
              return FALSE;
            }
          p += written;
          n -= written;
        }
    }
}

static void start_wait (LogFollow *follow);

static void
stop_following (LogFollow *follow, int exit_status)
{
  g_autoptr(GError) error = NULL;

  /* What the container wrote just before it exited. */
  if (!copy_to_end (follow->fd, &error))
    {
      gocker_print_error (error);
      exit_status = GOCKER_EXIT_ERROR;
    }
  follow->exit_status = exit_status;
  g_main_loop_quit (follow->loop);
}

static gboolean
on_poll (gpointer user_data)
{
  LogFollow *follow = user_data;
  g_autoptr(GError) error = NULL;

  if (!copy_to_end (follow->fd, &error))
    {
      gocker_print_error (error);
      follow->exit_status = GOCKER_EXIT_ERROR;
      g_main_loop_quit (follow->loop);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_retry_wait (gpointer user_data)
{
  LogFollow *follow = user_data;

  follow->retry_source = 0;
  start_wait (follow);
  return G_SOURCE_REMOVE;
}

static void
on_wait_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LogFollow *follow = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *remote = NULL;

  reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);
  if (reply != NULL)
    {
      stop_following (follow, 0);
      return;
    }

  remote = g_dbus_error_get_remote_error (error);
  if (g_strcmp0 (remote, "io.github.Gocker1.Error.NotFound") == 0 ||
      g_strcmp0 (remote, "org.freedesktop.DBus.Error.UnknownObject") == 0)
    {
      /* Removed while we followed it: nothing more will be written. */
      stop_following (follow, 0);
      return;
    }

  /* The helper may have been restarted; a new call activates it again. */
  if (follow->wait_retries++ < FOLLOW_MAX_WAIT_RETRIES)
    {
      g_debug ("Wait failed, trying again: %s", error->message);
      follow->retry_source = g_timeout_add_seconds (1, on_retry_wait, follow);
      return;
    }

  gocker_client_explain_error (error, _("wait for the container"));
  gocker_print_error (error);
  stop_following (follow, GOCKER_EXIT_ERROR);
}

static void
start_wait (LogFollow *follow)
{
  g_dbus_proxy_call (G_DBUS_PROXY (follow->container), "Wait", NULL, G_DBUS_CALL_FLAGS_NONE,
                     G_MAXINT, NULL, on_wait_done, follow);
}

static int
follow_log (GockerContainer *container, int fd)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  LogFollow follow = { 0 };
  guint poll_source;

  follow.loop = loop;
  follow.container = container;
  follow.fd = fd;

  /* Wait returns when the container exits, or at once when it already has;
   * then the rest of the log is copied and the command ends. */
  start_wait (&follow);
  poll_source = g_timeout_add (FOLLOW_POLL_MS, on_poll, &follow);
  g_main_loop_run (loop);

  g_source_remove (poll_source);
  g_clear_handle_id (&follow.retry_source, g_source_remove);
  return follow.exit_status;
}

int
gocker_cmd_logs (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GDBusObjectManager) manager = NULL;
  g_autoptr(GockerContainer) container = NULL;
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *action = NULL;
  gboolean follow = FALSE;
  gint32 index;
  int fd;
  int status;
  GOptionEntry entries[] = {
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow,
      N_("Keep printing what the container writes until it exits"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("CONTAINER"));
  g_option_context_set_summary (context,
                                _("Print the log of a detached container: the raw bytes of its "
                                  "stdout and stderr.\nCONTAINER is an id, a unique id prefix or "
                                  "a name."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!gocker_parse_options (context, "logs", &argc, &argv))
    return GOCKER_EXIT_ERROR;
  if (argc != 2)
    return gocker_usage_error ("logs", _("logs takes exactly one container"));

  bus = gocker_client_connect (&error);
  if (bus != NULL)
    manager = gocker_client_get_containers (bus, &error);
  if (manager != NULL)
    container = gocker_client_find_container (manager, argv[1], &error);
  if (container == NULL)
    {
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  action = g_strdup_printf (_("read the log of the container %s"), argv[1]);
  reply = gocker_client_call (G_DBUS_PROXY (container), "OpenLog", NULL, NULL, &fd_list,
                              action, &error);
  if (reply == NULL)
    {
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  g_variant_get (reply, "(h)", &index);
  fd = fd_list != NULL ? g_unix_fd_list_get (fd_list, index, &error) : -1;
  if (fd < 0)
    {
      if (error == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("gocker-helper returned no log descriptor"));
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  if (!copy_to_end (fd, &error))
    {
      gocker_print_error (error);
      close (fd);
      return GOCKER_EXIT_ERROR;
    }

  status = follow ? follow_log (container, fd) : 0;
  close (fd);
  return status;
}
