/* Standby supervisors; see standby.h. */
#define G_LOG_DOMAIN "gocker-engine"

#include "standby.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spec.h"

/* The descriptor of the socket in the standby, as gocker_launch() numbers
 * the sync descriptor: 3. */
#define STANDBY_SOCKET_FD 3
/* sync, stdin, stdout, stderr, then the volumes. */
#define MAX_STANDBY_FDS (4 + GOCKER_MAX_VOLUMES)
/* Received descriptors are moved above this first, so none is closed by
 * a dup2() onto its final number. */
#define STANDBY_PARKING_FD (MAX_STANDBY_FDS + 16)

struct _GockerStandby {
  GPid pid;
  int socket_fd;
};

GockerStandby *
gocker_standby_new (const char *supervisor_path, const char *state_dir, GError **error)
{
  g_autoptr(GockerStandby) standby = g_new0 (GockerStandby, 1);
  const char *argv[] = { supervisor_path, "--state-dir", state_dir, "--standby", NULL };
  int sockets[2];
  int source_fds[1];
  int target_fds[1] = { STANDBY_SOCKET_FD };
  int devnull;
  gboolean ok;

  standby->socket_fd = -1;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "creating the socket of a standby supervisor: %s", g_strerror (errno));
      return NULL;
    }
  devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  source_fds[0] = sockets[1];
  ok = devnull >= 0 &&
       g_spawn_async_with_pipes_and_fds ("/", argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                         devnull, devnull, devnull, source_fds, target_fds, 1,
                                         &standby->pid, NULL, NULL, NULL, error);
  if (devnull < 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "opening /dev/null: %s", g_strerror (errno));
  if (devnull >= 0)
    close (devnull);
  close (sockets[1]);
  if (!ok)
    {
      close (sockets[0]);
      g_prefix_error (error, "starting a standby supervisor %s: ", supervisor_path);
      standby->pid = 0;
      return NULL;
    }
  standby->socket_fd = sockets[0];
  return g_steal_pointer (&standby);
}

void
gocker_standby_free (GockerStandby *standby)
{
  if (standby == NULL)
    return;
  if (standby->socket_fd >= 0)
    close (standby->socket_fd);
  if (standby->pid > 0)
    while (waitpid (standby->pid, NULL, 0) < 0 && errno == EINTR)
      ;
  g_free (standby);
}

gboolean
gocker_standby_send (GockerStandby *standby, const char *id, int sync_fd,
                     const int stdio[3], const int *volume_fds, guint n_volume_fds,
                     int *out_pid, GError **error)
{
  g_autoptr(GockerStandby) owned = standby;
  g_autofree char *text = g_strdup_printf ("%s %u", id, n_volume_fds);
  g_autofree char *control = NULL;
  guint n_fds = 4 + n_volume_fds;
  int devnull = -1;
  int fds[MAX_STANDBY_FDS];
  struct iovec iov = { text, strlen (text) + 1 };
  struct msghdr message = { 0 };
  struct cmsghdr *header;
  ssize_t sent;

  g_return_val_if_fail (n_volume_fds <= GOCKER_MAX_VOLUMES, FALSE);

  fds[0] = sync_fd;
  for (guint i = 0; i < 3; i++)
    {
      fds[1 + i] = stdio != NULL ? stdio[i] : -1;
      if (fds[1 + i] < 0)
        {
          if (devnull < 0)
            devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
          fds[1 + i] = devnull;
        }
    }
  for (guint i = 0; i < n_volume_fds; i++)
    fds[4 + i] = volume_fds[i];

  control = g_malloc0 (CMSG_SPACE (sizeof (int) * n_fds));
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = CMSG_SPACE (sizeof (int) * n_fds);
  header = CMSG_FIRSTHDR (&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
  memcpy (CMSG_DATA (header), fds, sizeof (int) * n_fds);

  do
    sent = sendmsg (standby->socket_fd, &message, MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  if (sent < 0)
    {
      int saved_errno = errno;

      if (devnull >= 0)
        close (devnull);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "handing container %s to the standby supervisor: %s", id,
                   g_strerror (saved_errno));
      return FALSE;
    }
  if (devnull >= 0)
    close (devnull);

  /* Like a supervisor started for the container, the standby forks the
   * real one and exits; the caller reaps it. */
  *out_pid = owned->pid;
  owned->pid = 0;
  return TRUE;
}

gboolean
gocker_standby_receive (int socket_fd, char **out_id, int *out_n_volume_fds, GError **error)
{
  char text[128];
  g_autofree char *control = g_malloc0 (CMSG_SPACE (sizeof (int) * MAX_STANDBY_FDS));
  struct iovec iov = { text, sizeof text - 1 };
  struct msghdr message = { 0 };
  struct cmsghdr *header;
  int fds[MAX_STANDBY_FDS];
  guint n_fds = 0;
  g_auto(GStrv) words = NULL;
  guint64 n_volumes;
  ssize_t n;

  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = CMSG_SPACE (sizeof (int) * MAX_STANDBY_FDS);
  do
    n = recvmsg (socket_fd, &message, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n == 0)
    return FALSE;
  if (n < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "waiting for a container: %s", g_strerror (errno));
      return FALSE;
    }
  text[n] = '\0';

  for (header = CMSG_FIRSTHDR (&message); header != NULL; header = CMSG_NXTHDR (&message, header))
    if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS)
      {
        n_fds = (header->cmsg_len - CMSG_LEN (0)) / sizeof (int);
        memcpy (fds, CMSG_DATA (header), sizeof (int) * n_fds);
      }

  words = g_strsplit (text, " ", -1);
  if ((message.msg_flags & MSG_CTRUNC) || g_strv_length (words) != 2 ||
      !g_ascii_string_to_unsigned (words[1], 10, 0, GOCKER_MAX_VOLUMES, &n_volumes, NULL) ||
      n_fds != 4 + n_volumes)
    {
      for (guint i = 0; i < n_fds; i++)
        close (fds[i]);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the service sent the standby supervisor an invalid message \"%s\" with %u "
                   "descriptors", text, n_fds);
      return FALSE;
    }

  /* Park them high, then put each on its number: stdin, stdout and stderr
   * on 0 to 2 (inheritable, for the container), the sync descriptor on 3
   * and the volumes after it. */
  for (guint i = 0; i < n_fds; i++)
    {
      int parked = fcntl (fds[i], F_DUPFD_CLOEXEC, STANDBY_PARKING_FD);

      close (fds[i]);
      fds[i] = parked;
      if (parked < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "moving a received descriptor: %s", g_strerror (errno));
          return FALSE;
        }
    }
  close (socket_fd);
  for (guint i = 0; i < n_fds; i++)
    {
      int target = (int) i;

      if (i == 0)
        target = STANDBY_SOCKET_FD;
      else if (i <= 3)
        target = (int) i - 1;

      if (dup2 (fds[i], target) < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "placing a received descriptor on %d: %s", target, g_strerror (errno));
          return FALSE;
        }
      close (fds[i]);
    }

  *out_id = g_strdup (words[0]);
  *out_n_volume_fds = (int) n_volumes;
  return TRUE;
}
