/* Opening volume sources with the requesting user's permissions.
 *
 * The helper runs as root, so a path it opens itself proves nothing about
 * the user who named it. A short-lived child takes on the caller's uid, gid
 * and groups, opens each source and sends the descriptors back over a
 * socket; the container gets exactly those files. */
#define G_LOG_DOMAIN "gocker-helper"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caller.h"
#include "errors.h"
#include "spec.h"

void
gocker_caller_clear (GockerCaller *caller)
{
  g_clear_pointer (&caller->groups, g_array_unref);
}

gboolean
gocker_caller_from_credentials (GVariant *credentials, GockerCaller *caller, GError **error)
{
  g_autoptr (GVariant) group_ids = NULL;
  struct passwd pwd, *result = NULL;
  char buffer[4096];
  guint32 uid;

  if (credentials == NULL || !g_variant_lookup (credentials, "UnixUserID", "u", &uid))
    {
      g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_FAILED, "the bus did not report the caller's uid");
      return FALSE;
    }

  caller->uid = uid;
  caller->gid = (gid_t) -1;
  caller->groups = g_array_new (FALSE, FALSE, sizeof (gid_t));

  group_ids = g_variant_lookup_value (credentials, "UnixGroupIDs", G_VARIANT_TYPE ("au"));
  if (group_ids != NULL)
    {
      gsize n = 0;
      const guint32 *ids = g_variant_get_fixed_array (group_ids, &n, sizeof (guint32));

      for (gsize i = 0; i < n; i++)
        {
          gid_t gid = ids[i];

          g_array_append_val (caller->groups, gid);
        }
    }

  if (getpwuid_r (uid, &pwd, buffer, sizeof buffer, &result) == 0 && result != NULL)
    caller->gid = pwd.pw_gid;
  else if (caller->groups->len > 0)
    caller->gid = g_array_index (caller->groups, gid_t, 0);
  else
    {
      g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                   "uid %u has no entry in the user database and the bus reported no groups", uid);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  gint32 index;
  gint32 error;       /* errno, 0 when a descriptor comes with the message */
  gint32 writable;    /* 1 when the write check failed, so the message can say so */
} OpenReply;

/* Runs in the forked child: only system calls from here on, because the
 * helper has other threads that may hold malloc's locks. */
static G_GNUC_NORETURN void
open_as_caller (int socket_fd, const GockerCaller *caller, const gid_t *groups, guint n_groups,
                const char *const *sources, const gboolean *readonly, guint n_volumes)
{
  if (caller->uid != 0 &&
      (setgroups (n_groups, groups) < 0 ||
       setresgid (caller->gid, caller->gid, caller->gid) < 0 ||
       setresuid (caller->uid, caller->uid, caller->uid) < 0))
    _exit (1);

  for (guint i = 0; i < n_volumes; i++)
    {
      OpenReply reply = { .index = i, .error = 0, .writable = 0 };
      char control[CMSG_SPACE (sizeof (int))];
      struct iovec iov = { .iov_base = &reply, .iov_len = sizeof reply };
      struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1 };
      struct stat st;
      int fd = open (sources[i], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

      if (fd < 0)
        reply.error = errno;
      else if (fstat (fd, &st) < 0)
        reply.error = errno;
      else if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
        reply.error = EINVAL;
      else if (!readonly[i] && syscall (SYS_faccessat2, fd, "", W_OK, AT_EMPTY_PATH | AT_EACCESS) < 0)
        {
          reply.error = errno;
          reply.writable = 1;
        }

      if (reply.error == 0)
        {
          struct cmsghdr *header;

          memset (control, 0, sizeof control);
          message.msg_control = control;
          message.msg_controllen = sizeof control;
          header = CMSG_FIRSTHDR (&message);
          header->cmsg_level = SOL_SOCKET;
          header->cmsg_type = SCM_RIGHTS;
          header->cmsg_len = CMSG_LEN (sizeof (int));
          memcpy (CMSG_DATA (header), &fd, sizeof (int));
        }
      if (sendmsg (socket_fd, &message, MSG_NOSIGNAL) < 0)
        _exit (1);
      if (fd >= 0)
        close (fd);
    }
  _exit (0);
}

static int
receive_reply (int socket_fd, OpenReply *reply)
{
  char control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = reply, .iov_len = sizeof *reply };
  struct msghdr message = {
    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control,
  };
  struct cmsghdr *header;
  ssize_t n;
  int fd = -1;

  do
    n = recvmsg (socket_fd, &message, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n != sizeof *reply)
    return -2;
  for (header = CMSG_FIRSTHDR (&message); header != NULL; header = CMSG_NXTHDR (&message, header))
    if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS)
      memcpy (&fd, CMSG_DATA (header), sizeof (int));
  return fd;
}

static void
close_all (GArray *fds)
{
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
  g_array_unref (fds);
}

GArray *
gocker_caller_open_volumes (const GockerCaller *caller, GPtrArray *volumes, GError **error)
{
  g_autoptr (GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree const char **sources = g_new0 (const char *, volumes->len + 1);
  g_autofree gboolean *readonly = g_new0 (gboolean, volumes->len + 1);
  int sockets[2];
  pid_t child;
  int status = 0;

  if (volumes->len == 0)
    return g_steal_pointer (&fds);

  for (guint i = 0; i < volumes->len; i++)
    {
      const GockerVolume *volume = g_ptr_array_index (volumes, i);

      sources[i] = volume->source;
      readonly[i] = volume->readonly;
    }

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) < 0)
    {
      g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                   "creating a socket to open the volumes: %s", g_strerror (errno));
      return NULL;
    }

  child = fork ();
  if (child < 0)
    {
      int saved_errno = errno;

      close (sockets[0]);
      close (sockets[1]);
      g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                   "forking to open the volumes as uid %u: %s", caller->uid, g_strerror (saved_errno));
      return NULL;
    }
  if (child == 0)
    {
      close (sockets[0]);
      open_as_caller (sockets[1], caller, (const gid_t *) caller->groups->data, caller->groups->len,
                      sources, readonly, volumes->len);
    }
  close (sockets[1]);

  for (guint i = 0; i < volumes->len; i++)
    {
      const GockerVolume *volume = g_ptr_array_index (volumes, i);
      OpenReply reply = { 0 };
      int fd = receive_reply (sockets[0], &reply);

      if (fd == -2 || reply.index != (gint32) i)
        {
          g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                       "opening the volume %s as uid %u failed: the child gave no answer",
                       volume->source, caller->uid);
          break;
        }
      if (reply.error != 0)
        {
          if (reply.writable)
            g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_NOT_AUTHORIZED,
                         "invalid volume %s:%s: uid %u may not write to %s (%s); "
                         "mount it read-only with :ro",
                         volume->source, volume->target, caller->uid, volume->source,
                         g_strerror (reply.error));
          else
            g_set_error (error, GOCKER_ERROR,
                         reply.error == ENOENT ? GOCKER_ERROR_NOT_FOUND : GOCKER_ERROR_NOT_AUTHORIZED,
                         "invalid volume %s:%s: uid %u cannot open %s: %s",
                         volume->source, volume->target, caller->uid, volume->source,
                         g_strerror (reply.error));
          break;
        }
      g_array_append_val (fds, fd);
    }
  close (sockets[0]);

  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (fds->len != volumes->len)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                     "opening the volumes as uid %u failed", caller->uid);
      close_all (g_steal_pointer (&fds));
      return NULL;
    }
  return g_steal_pointer (&fds);
}
