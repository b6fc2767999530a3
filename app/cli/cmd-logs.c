/* gocker logs: copy a detached container's log, raw, to stdout: the
 * rotated files oldest first, then the current one. */
#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "gocker-cli.h"

/* How often -f looks for new bytes at the end of the log. */
#define FOLLOW_POLL_MS 100
/* Wait calls that may fail (the helper restarting) before -f gives up. */
#define FOLLOW_MAX_WAIT_RETRIES 5
/* How long -f goes without new bytes before it asks the helper whether
 * the log was rotated although the file gave no sign of it. */
#define FOLLOW_ROTATION_CHECK_US (10 * G_USEC_PER_SEC)

typedef struct {
  GMainLoop *loop;
  GockerContainer *container;
  int fd;
  int exit_status;
  guint wait_retries;
  guint retry_source;
  gint64 last_check_us;          /* monotonic time of the last OpenLogs */
} LogFollow;

/* Copy @fd from its current offset to its end into stdout. */
static gboolean
copy_to_end (int fd, gsize *out_copied, GError **error)
{
  guint8 buffer[65536];

  if (out_copied != NULL)
    *out_copied = 0;
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
      if (out_copied != NULL)
        *out_copied += (gsize) n;

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

/* Every file of the log, oldest first, the current one last (OpenLogs).
 * Returns the descriptors, or NULL with @error. */
static GArray *
open_logs (GockerContainer *container, gboolean interactive, GError **error)
{
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *action = NULL;
  gint32 handle;

  if (interactive)
    {
      action = g_strdup_printf (_("read the log of the container %s"),
                                gocker_container_get_name (container));
      reply = gocker_client_call (G_DBUS_PROXY (container), "OpenLogs", NULL, NULL, &fd_list,
                                  action, error);
    }
  else
    {
      reply = g_dbus_proxy_call_with_unix_fd_list_sync (G_DBUS_PROXY (container), "OpenLogs", NULL,
                                                        G_DBUS_CALL_FLAGS_NONE, -1, NULL, &fd_list,
                                                        NULL, error);
    }
  if (reply == NULL)
    return NULL;

  g_variant_get (reply, "(ah)", &iter);
  while (g_variant_iter_next (iter, "h", &handle))
    {
      int fd = fd_list != NULL ? g_unix_fd_list_get (fd_list, handle, NULL) : -1;

      if (fd >= 0)
        g_array_append_val (fds, fd);
    }
  if (fds->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("gocker-helper returned no log descriptor"));
      return NULL;
    }
  return g_steal_pointer (&fds);
}

static void
close_fds (GArray *fds, guint from, guint to)
{
  for (guint i = from; i < to; i++)
    close (g_array_index (fds, int, i));
}

static gboolean
same_file (int a, int b)
{
  struct stat sa, sb;

  return fstat (a, &sa) == 0 && fstat (b, &sb) == 0 &&
         sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Ask the helper for the log's files. If the one being followed is no
 * longer the current one, print the rest of it and of every newer file,
 * and follow the current one from there. A follower that fell more than
 * a whole file behind finds its file gone and goes on with what is
 * left, as tail -F does. */
static gboolean
follow_rotation (LogFollow *follow, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) fds = NULL;
  guint start = 0;
  guint last;

  follow->last_check_us = g_get_monotonic_time ();
  fds = open_logs (follow->container, FALSE, &local_error);
  if (fds == NULL)
    {
      /* The helper restarting, or the container removed: Wait decides. */
      g_debug ("Checking for a rotated log failed: %s", local_error->message);
      return TRUE;
    }
  last = fds->len - 1;
  for (guint i = 0; i < fds->len; i++)
    if (same_file (follow->fd, g_array_index (fds, int, i)))
      start = i + 1;
  if (start == fds->len)
    {
      close_fds (fds, 0, fds->len);
      return TRUE;
    }

  g_debug ("The log was rotated; going on with the newer files");
  if (!copy_to_end (follow->fd, NULL, error))
    {
      close_fds (fds, 0, fds->len);
      return FALSE;
    }
  for (guint i = start; i < last; i++)
    if (!copy_to_end (g_array_index (fds, int, i), NULL, error))
      {
        close_fds (fds, 0, fds->len);
        return FALSE;
      }
  close_fds (fds, 0, last);
  close (follow->fd);
  follow->fd = g_array_index (fds, int, last);
  return copy_to_end (follow->fd, NULL, error);
}

/* Whether the followed file may have been rotated away. The supervisor
 * takes the owner's write bit away before it renames a full file, and
 * deletes it when it keeps one file only; a quiet file is checked now
 * and then in case neither sign came through. An emptied file is read
 * again from its start. */
static gboolean
may_be_rotated (LogFollow *follow, gsize copied)
{
  struct stat st;

  if (fstat (follow->fd, &st) < 0)
    return TRUE;
  if (lseek (follow->fd, 0, SEEK_CUR) > st.st_size)
    lseek (follow->fd, 0, SEEK_SET);
  if (st.st_nlink == 0 || (st.st_mode & S_IWUSR) == 0)
    return TRUE;
  return copied == 0 && g_get_monotonic_time () - follow->last_check_us >= FOLLOW_ROTATION_CHECK_US;
}

static void start_wait (LogFollow *follow);

static void
stop_following (LogFollow *follow, int exit_status)
{
  g_autoptr(GError) error = NULL;

  /* What the container wrote just before it exited, also when the log
   * was rotated since the last poll. */
  if (!follow_rotation (follow, &error) || !copy_to_end (follow->fd, NULL, &error))
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
  gsize copied = 0;

  if (!copy_to_end (follow->fd, &copied, &error) ||
      (may_be_rotated (follow, copied) && !follow_rotation (follow, &error)))
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

/* Takes @fd. */
static int
follow_log (GockerContainer *container, int fd)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  LogFollow follow = { 0 };
  guint poll_source;

  follow.loop = loop;
  follow.container = container;
  follow.fd = fd;
  follow.last_check_us = g_get_monotonic_time ();

  /* Wait returns when the container exits, or at once when it already has;
   * then the rest of the log is copied and the command ends. */
  start_wait (&follow);
  poll_source = g_timeout_add (FOLLOW_POLL_MS, on_poll, &follow);
  g_main_loop_run (loop);

  g_source_remove (poll_source);
  g_clear_handle_id (&follow.retry_source, g_source_remove);
  close (follow.fd);
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
  g_autoptr(GArray) fds = NULL;
  gboolean follow = FALSE;
  int fd;
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

  fds = open_logs (container, TRUE, &error);
  if (fds == NULL)
    {
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  for (guint i = 0; i < fds->len; i++)
    if (!copy_to_end (g_array_index (fds, int, i), NULL, &error))
      {
        gocker_print_error (error);
        close_fds (fds, 0, fds->len);
        return GOCKER_EXIT_ERROR;
      }
  close_fds (fds, 0, fds->len - 1);
  fd = g_array_index (fds, int, fds->len - 1);

  if (!follow)
    {
      close (fd);
      return 0;
    }
  return follow_log (container, fd);
}
