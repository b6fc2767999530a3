/* Starting a container's supervisor and waiting for its report. */
#define G_LOG_DOMAIN "gocker-engine"

#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

G_DEFINE_QUARK (gocker-engine-error-quark, gocker_engine_error)

/* How long the supervisor may take to set the container up. Mounting an
 * overlay and a few tmpfs takes milliseconds; this only catches a hang. */
#define SUPERVISOR_REPORT_TIMEOUT_MS (60 * 1000)

/* The descriptor number of the sync pipe's write end in the supervisor. */
#define SUPERVISOR_SYNC_FD 3

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* Reads one line (without the newline) from @fd; gives up after the
 * timeout. Returns NULL and sets @error if nothing complete arrived. */
static char *
read_report (int fd, GError **error)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + SUPERVISOR_REPORT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      GPollFD pfd = { fd, G_IO_IN | G_IO_HUP | G_IO_ERR, 0 };
      gint64 remaining_ms = (deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND;
      char buffer[512];
      ssize_t n;
      char *newline;

      if (remaining_ms <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "the supervisor did not report within %d s; see its log in the state directory's logs",
                       SUPERVISOR_REPORT_TIMEOUT_MS / 1000);
          return NULL;
        }
      if (g_poll (&pfd, 1, (int) remaining_ms) < 0)
        {
          if (errno == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "waiting for the supervisor: %s", g_strerror (errno));
          return NULL;
        }
      if (pfd.revents == 0)
        continue;
      /* Byte by byte: the exit report may follow the start report on the
       * same pipe, and it is read by the container's watch. */
      n = read (fd, buffer, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "reading the supervisor's report: %s", g_strerror (errno));
          return NULL;
        }
      if (n == 0)
        break;
      g_string_append_len (line, buffer, n);
      newline = memchr (line->str, '\n', line->len);
      if (newline != NULL)
        {
          g_string_truncate (line, newline - line->str);
          return g_string_free (g_steal_pointer (&line), FALSE);
        }
      if (line->len > 64 * 1024)
        break;
    }

  g_set_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_FAILED,
               "the supervisor exited without reporting%s%s",
               line->len > 0 ? ": " : "", line->str);
  return NULL;
}

static gboolean
parse_report (const char *line, GockerLaunchResult *result, GError **error)
{
  g_auto(GStrv) words = NULL;
  gint64 supervisor_pid;
  gint64 container_pid;

  if (g_str_has_prefix (line, "ERR "))
    {
      g_set_error_literal (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_FAILED, line + 4);
      return FALSE;
    }
  words = g_strsplit (line, " ", -1);
  if (g_strv_length (words) != 3 || strcmp (words[0], "OK") != 0 ||
      !g_ascii_string_to_signed (words[1], 10, 1, G_MAXINT, &supervisor_pid, NULL) ||
      !g_ascii_string_to_signed (words[2], 10, 1, G_MAXINT, &container_pid, NULL))
    {
      g_set_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_FAILED,
                   "the supervisor sent an unexpected report \"%s\"", line);
      return FALSE;
    }
  result->supervisor_pid = (pid_t) supervisor_pid;
  result->container_pid = (pid_t) container_pid;
  return TRUE;
}

gboolean
gocker_launch (const char *supervisor_path, const char *state_dir,
               const char *id, const int stdio[3],
               GockerLaunchResult *result, GError **error)
{
  return gocker_launch_with_volumes (supervisor_path, state_dir, id, stdio, NULL, 0, result, error);
}

gboolean
gocker_launch_with_volumes (const char *supervisor_path, const char *state_dir,
                            const char *id, const int stdio[3],
                            const int *volume_fds, guint n_volume_fds,
                            GockerLaunchResult *result, GError **error)
{
  return gocker_launch_with_standby (NULL, supervisor_path, state_dir, id, stdio,
                                     volume_fds, n_volume_fds, result, error);
}

gboolean
gocker_launch_with_standby (GockerStandby *standby,
                            const char *supervisor_path, const char *state_dir,
                            const char *id, const int stdio[3],
                            const int *volume_fds, guint n_volume_fds,
                            GockerLaunchResult *result, GError **error)
{
  int sync_fds[2] = { -1, -1 };
  int child_stdio[3] = { -1, -1, -1 };
  int child_sync = -1;
  int devnull = -1;
  g_autofree char *volume_count = g_strdup_printf ("%u", n_volume_fds);
  const char *argv[] = {
    supervisor_path, "--state-dir", state_dir, "--id", id,
    "--sync-fd", G_STRINGIFY (SUPERVISOR_SYNC_FD), "--volume-fds", volume_count, NULL
  };
  g_autofree int *child_volumes = g_new (int, n_volume_fds + 1);
  g_autofree int *source_fds = g_new (int, n_volume_fds + 1);
  g_autofree int *target_fds = g_new (int, n_volume_fds + 1);
  gboolean volumes_ok = TRUE;
  g_autofree char *report = NULL;
  GPid pid = 0;
  int status = 0;
  gboolean ok;

  g_return_val_if_fail (supervisor_path != NULL && state_dir != NULL && id != NULL, FALSE);
  memset (result, 0, sizeof *result);
  result->exit_report_fd = -1;

  if (!g_unix_open_pipe (sync_fds, FD_CLOEXEC, error))
    {
      g_prefix_error (error, "creating the supervisor's sync pipe: ");
      gocker_standby_free (standby);
      return FALSE;
    }

  if (standby != NULL)
    {
      g_autoptr(GError) standby_error = NULL;

      if (gocker_standby_send (g_steal_pointer (&standby), id, sync_fds[1], stdio,
                               volume_fds, n_volume_fds, &pid, &standby_error))
        {
          close_fd (&sync_fds[1]);
          goto started;
        }
      /* A standby that died is no reason to fail the start. */
      g_info ("%s; starting a supervisor for it instead", standby_error->message);
    }

  /* Every descriptor handed to the child gets a number above the ones it
   * is mapped to (0 to SUPERVISOR_SYNC_FD + n_volume_fds), so no mapping
   * can overwrite another descriptor before it is used. */
  child_sync = fcntl (sync_fds[1], F_DUPFD_CLOEXEC, SUPERVISOR_SYNC_FD + 1 + n_volume_fds);
  for (int i = 0; i < 3; i++)
    {
      int fd = stdio != NULL && stdio[i] >= 0 ? stdio[i] : -1;

      if (fd < 0)
        {
          if (devnull < 0)
            devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
          fd = devnull;
        }
      child_stdio[i] = fd >= 0 ? fcntl (fd, F_DUPFD_CLOEXEC, SUPERVISOR_SYNC_FD + 1 + n_volume_fds) : -1;
    }
  /* The volumes follow the sync descriptor: SUPERVISOR_SYNC_FD + 1 on. */
  for (guint i = 0; i < n_volume_fds; i++)
    {
      child_volumes[i] = fcntl (volume_fds[i], F_DUPFD_CLOEXEC, SUPERVISOR_SYNC_FD + 1 + n_volume_fds);
      volumes_ok = volumes_ok && child_volumes[i] >= 0;
    }
  close_fd (&sync_fds[1]);
  close_fd (&devnull);
  if (child_sync < 0 || child_stdio[0] < 0 || child_stdio[1] < 0 || child_stdio[2] < 0 || !volumes_ok)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "preparing the supervisor's descriptors: %s", g_strerror (saved_errno));
      ok = FALSE;
    }
  else
    {
      source_fds[0] = child_sync;
      target_fds[0] = SUPERVISOR_SYNC_FD;
      for (guint i = 0; i < n_volume_fds; i++)
        {
          source_fds[i + 1] = child_volumes[i];
          target_fds[i + 1] = SUPERVISOR_SYNC_FD + 1 + i;
        }

      /* g_spawn forks and execs with only async-signal-safe work in
       * between, so it is safe from the helper's threaded process. */
      ok = g_spawn_async_with_pipes_and_fds (/* working_directory= */ "/",
                                             argv, /* envp= */ NULL,
                                             G_SPAWN_DO_NOT_REAP_CHILD,
                                             NULL, NULL,
                                             child_stdio[0], child_stdio[1], child_stdio[2],
                                             source_fds, target_fds, n_volume_fds + 1,
                                             &pid, NULL, NULL, NULL, error);
    }
  close_fd (&child_sync);
  for (int i = 0; i < 3; i++)
    close_fd (&child_stdio[i]);
  for (guint i = 0; i < n_volume_fds; i++)
    close_fd (&child_volumes[i]);
  if (!ok)
    {
      close_fd (&sync_fds[0]);
      g_prefix_error (error, "starting the supervisor %s: ", supervisor_path);
      return FALSE;
    }

started:
  /* The first supervisor process only forks the real one and exits. */
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;

  report = read_report (sync_fds[0], error);
  if (report == NULL || !parse_report (report, result, error))
    {
      close_fd (&sync_fds[0]);
      return FALSE;
    }
  result->exit_report_fd = sync_fds[0];

  result->supervisor_start_time = gocker_process_start_time (result->supervisor_pid);
  g_info ("Container %s started: supervisor %d, first process %d",
          id, (int) result->supervisor_pid, (int) result->container_pid);
  return TRUE;
}
