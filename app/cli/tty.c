#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "tty.h"

#define RELAY_CHUNK 4096

gboolean
gocker_pty_open (int *out_master, int *out_slave, GError **error)
{
  char slave_name[256];
  int master;
  int slave;

  master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot open a pseudo-terminal (posix_openpt): %s"), g_strerror (saved_errno));
      return FALSE;
    }

  if (grantpt (master) < 0 || unlockpt (master) < 0 ||
      ptsname_r (master, slave_name, sizeof slave_name) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot prepare the pseudo-terminal slave: %s"), g_strerror (saved_errno));
      close (master);
      return FALSE;
    }

  slave = open (slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot open the pseudo-terminal slave %s: %s"),
                   slave_name, g_strerror (saved_errno));
      close (master);
      return FALSE;
    }

  *out_master = master;
  *out_slave = slave;
  return TRUE;
}

void
gocker_tty_copy_size (int from_fd, int to_fd)
{
  struct winsize size;

  if (ioctl (from_fd, TIOCGWINSZ, &size) == 0)
    {
      if (ioctl (to_fd, TIOCSWINSZ, &size) < 0)
        g_debug ("TIOCSWINSZ on fd %d: %s", to_fd, g_strerror (errno));
    }
}

/* Raw mode is process-wide state, so it lives in these globals, which the
 * atexit() handler reads on every exit path that runs it. */
static struct termios saved_termios;
static int raw_fd = -1;

void
gocker_tty_restore (void)
{
  if (raw_fd < 0)
    return;

  /* TCSADRAIN: let the last relayed output reach the terminal first. */
  if (tcsetattr (raw_fd, TCSADRAIN, &saved_termios) < 0)
    g_debug ("Restoring the terminal mode: %s", g_strerror (errno));
  raw_fd = -1;
}

gboolean
gocker_tty_make_raw (int fd, GError **error)
{
  static gboolean atexit_registered = FALSE;
  struct termios raw;

  if (tcgetattr (fd, &saved_termios) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot read the terminal mode: %s"), g_strerror (saved_errno));
      return FALSE;
    }

  raw = saved_termios;
  cfmakeraw (&raw);
  if (tcsetattr (fd, TCSADRAIN, &raw) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot put the terminal in raw mode: %s"), g_strerror (saved_errno));
      return FALSE;
    }

  raw_fd = fd;
  if (!atexit_registered)
    {
      atexit (gocker_tty_restore);
      atexit_registered = TRUE;
    }
  return TRUE;
}

struct _GockerRelay {
  int in_fd;
  int master_fd;
  int out_fd;
  guint in_source;
  guint master_in_source;
  guint master_out_source;
  guint winch_source;
  /* Bytes read from @in_fd that the master did not take yet. Reading from
   * @in_fd pauses while this is not empty, so it never grows past one
   * chunk. */
  GByteArray *pending;
};

static gboolean
write_all (int fd, const guint8 *data, gsize length)
{
  while (length > 0)
    {
      ssize_t written = write (fd, data, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0 && errno == EAGAIN)
        {
          /* A non-blocking descriptor inherited from the caller: wait. */
          GPollFD pfd = { fd, G_IO_OUT, 0 };
          g_poll (&pfd, 1, -1);
          continue;
        }
      if (written < 0)
        return FALSE;
      data += written;
      length -= written;
    }
  return TRUE;
}

/* Copy what the master has now to out_fd. Returns FALSE once the slave side
 * is closed everywhere (EIO) or on a write error. */
static gboolean
copy_from_master (GockerRelay *relay)
{
  guint8 buffer[RELAY_CHUNK];

  for (;;)
    {
      ssize_t n = read (relay->master_fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return TRUE;
      if (n <= 0)
        return FALSE;
      if (!write_all (relay->out_fd, buffer, n))
        return FALSE;
    }
}

static gboolean on_in_readable (int fd, GIOCondition condition, gpointer user_data);

static gboolean
on_master_writable (int fd, GIOCondition condition, gpointer user_data)
{
  GockerRelay *relay = user_data;
  ssize_t written;

  written = write (relay->master_fd, relay->pending->data, relay->pending->len);
  if (written < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (written < 0)
    {
      g_debug ("Writing to the pty master: %s", g_strerror (errno));
      g_byte_array_set_size (relay->pending, 0);
      relay->master_out_source = 0;
      return G_SOURCE_REMOVE;
    }

  g_byte_array_remove_range (relay->pending, 0, written);
  if (relay->pending->len > 0)
    return G_SOURCE_CONTINUE;

  relay->master_out_source = 0;
  relay->in_source = g_unix_fd_add (relay->in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                    on_in_readable, relay);
  return G_SOURCE_REMOVE;
}

static gboolean
on_in_readable (int fd, GIOCondition condition, gpointer user_data)
{
  GockerRelay *relay = user_data;
  guint8 buffer[RELAY_CHUNK];
  ssize_t n;

  n = read (relay->in_fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      /* The user's terminal went away; the container keeps its pty. */
      relay->in_source = 0;
      return G_SOURCE_REMOVE;
    }

  g_byte_array_append (relay->pending, buffer, n);
  relay->in_source = 0;
  relay->master_out_source = g_unix_fd_add (relay->master_fd, G_IO_OUT,
                                            on_master_writable, relay);
  return G_SOURCE_REMOVE;
}

static gboolean
on_master_readable (int fd, GIOCondition condition, gpointer user_data)
{
  GockerRelay *relay = user_data;

  if (copy_from_master (relay))
    return G_SOURCE_CONTINUE;

  relay->master_in_source = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
on_window_changed (gpointer user_data)
{
  GockerRelay *relay = user_data;

  gocker_tty_copy_size (relay->in_fd, relay->master_fd);
  return G_SOURCE_CONTINUE;
}

GockerRelay *
gocker_relay_start (int in_fd, int master_fd, int out_fd)
{
  GockerRelay *relay = g_new0 (GockerRelay, 1);

  relay->in_fd = in_fd;
  relay->master_fd = master_fd;
  relay->out_fd = out_fd;
  relay->pending = g_byte_array_new ();

  if (!g_unix_set_fd_nonblocking (master_fd, TRUE, NULL))
    g_debug ("Cannot make the pty master non-blocking: %s", g_strerror (errno));

  relay->in_source = g_unix_fd_add (in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                    on_in_readable, relay);
  relay->master_in_source = g_unix_fd_add (master_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                           on_master_readable, relay);
  relay->winch_source = g_unix_signal_add (SIGWINCH, on_window_changed, relay);
  return relay;
}

void
gocker_relay_finish (GockerRelay *relay)
{
  if (relay == NULL)
    return;

  if (relay->master_in_source != 0)
    copy_from_master (relay);

  g_clear_handle_id (&relay->in_source, g_source_remove);
  g_clear_handle_id (&relay->master_in_source, g_source_remove);
  g_clear_handle_id (&relay->master_out_source, g_source_remove);
  g_clear_handle_id (&relay->winch_source, g_source_remove);
  g_byte_array_unref (relay->pending);
  g_free (relay);
}
