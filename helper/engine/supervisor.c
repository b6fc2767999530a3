/* gocker-supervisor: one per container, started by gocker_launch().
 *
 * It detaches from the service, creates the cgroup and clones the
 * container's first process. It then reports "OK <supervisor pid>
 * <container pid>" or "ERR <message>" on the sync descriptor. Afterwards it
 * copies a detached container's output into its log and writes the exit
 * record when the container ends.
 *
 * Its own messages go to STATE_DIR/logs/<id>.supervisor.log (stderr). It
 * runs no main loop and keeps no more than one buffer of output. */
#define G_LOG_DOMAIN "gocker-supervisor"

#include "cgroup.h"
#include "container-init.h"
#include "volumes.h"
#include "engine-private.h"
#include "log-file.h"
#include "network.h"
#include "rootfs.h"
#include "standby.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/sched.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  const char *state_dir;
  const char *id;
  int sync_fd;
  GockerState *state;

  char *layer_dir;
  gboolean created_layer;
  char *log_path;
  gboolean created_log;
  char *supervisor_log_path;
  gboolean created_cgroup;

  int log_fd;                    /* detached: the log file */
  int output_fd;                 /* detached: read end of the output pipe */
  int caller_stdio[3];           /* what gocker_launch() passed as 0, 1, 2 */
  int sync_fd_number;            /* --sync-fd, kept after sync_fd is closed */
  guint n_volume_fds;            /* volume sources at sync_fd_number + 1 on, or 0 */
  GockerInitContext ctx;
  pid_t child;
} Supervisor;

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

static void
write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      data += n;
      len -= n;
    }
}

static void
report (Supervisor *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
report (Supervisor *self, const char *format, ...)
{
  g_autofree char *line = NULL;
  va_list args;

  if (self->sync_fd < 0)
    return;
  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  write_all (self->sync_fd, line, strlen (line));
  /* After "OK" the descriptor stays for the exit report. */
  if (!g_str_has_prefix (line, "OK "))
    close_fd (&self->sync_fd);
}

/* Leave the service's process tree: fork, new session, fork again. The
 * supervisor then is a child of init (or of the nearest subreaper) and
 * has no controlling terminal.
 * The first process waits for the intermediate one, so the service only
 * has to reap its direct child. */
static gboolean
detach (Supervisor *self)
{
  pid_t pid = fork ();
  int status;

  if (pid < 0)
    return FALSE;
  if (pid > 0)
    {
      while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  /* The intermediate process reports its own failures, so the caller
   * reads an ERR line rather than a bare end-of-file. */
  if (setsid () < 0 || (pid = fork ()) < 0)
    {
      report (self, "ERR detaching the supervisor: %s\n", g_strerror (errno));
      _exit (1);
    }
  if (pid > 0)
    _exit (0);
  return TRUE;
}

static gboolean
make_dir (const char *path, mode_t mode, gboolean *created, GError **error)
{
  if (mkdir (path, mode) == 0)
    {
      if (created != NULL)
        *created = TRUE;
      return TRUE;
    }
  if (errno == EEXIST)
    return TRUE;
  return set_errno_error (error, errno, "creating", path);
}

static gboolean
prepare_layer (Supervisor *self, GockerInitContext *ctx, GError **error)
{
  self->layer_dir = gocker_layer_dir (self->state_dir, self->id);
  ctx->upper_dir = g_build_filename (self->layer_dir, "upper", NULL);
  ctx->work_dir = g_build_filename (self->layer_dir, "work", NULL);
  ctx->merged_dir = g_build_filename (self->layer_dir, "merged", NULL);

  /* upper's mode becomes the mode of the container's "/". */
  return make_dir (self->layer_dir, 0700, &self->created_layer, error) &&
         make_dir (ctx->upper_dir, 0755, NULL, error) &&
         make_dir (ctx->work_dir, 0700, NULL, error) &&
         make_dir (ctx->merged_dir, 0755, NULL, error);
}

/* Set the command's stdio up. Attached: the descriptors the supervisor
 * was started with. Detached: /dev/null in, a pipe out to the log. */
static gboolean
prepare_stdio (Supervisor *self, GockerInitContext *ctx, GError **error)
{
  int devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);

  if (devnull < 0)
    return set_errno_error (error, errno, "opening", "/dev/null");

  if (!self->state->spec->detach)
    {
      for (int i = 0; i < 3; i++)
        {
          ctx->stdio[i] = self->caller_stdio[i];
          self->caller_stdio[i] = -1;
        }
    }
  else
    {
      int pipe_fds[2];
      struct stat st;

      /* The service names the log in the state; the default path is a fallback. */
      self->log_path = self->state->log_path != NULL
        ? g_strdup (self->state->log_path)
        : gocker_log_path (self->state_dir, self->id);
      self->created_log = g_lstat (self->log_path, &st) < 0;
      self->log_fd = open (self->log_path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0640);
      if (self->log_fd < 0)
        {
          close (devnull);
          return set_errno_error (error, errno, "opening the log", self->log_path);
        }
      if (!g_unix_open_pipe (pipe_fds, FD_CLOEXEC, error))
        {
          close (devnull);
          return FALSE;
        }
      self->output_fd = pipe_fds[0];
      ctx->stdio[0] = fcntl (devnull, F_DUPFD_CLOEXEC, 3);
      ctx->stdio[1] = pipe_fds[1];
      ctx->stdio[2] = fcntl (pipe_fds[1], F_DUPFD_CLOEXEC, 3);
    }

  for (int i = 0; i < 3; i++)
    close_fd (&self->caller_stdio[i]);
  close (devnull);
  return TRUE;
}

/* Keep the caller's descriptors aside for the command and point the
 * supervisor's own 0, 1, 2 elsewhere. Only the command then has the
 * caller's terminal or pipes open, so the caller sees end-of-file when it
 * ends. The supervisor's stderr becomes its log file. */
/* The supervisor's log, by descriptor, so that messages never reach the
 * command's stderr once the container's process has replaced its own. */
static int log_fd = -1;

static GLogWriterOutput
write_log_entry (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  g_autofree char *line = NULL;
  const char *domain = NULL;
  gsize length;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
  if (log_fd < 0 || g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;
  line = g_log_writer_format_fields (level, fields, n_fields, FALSE);
  length = strlen (line);
  line = g_realloc (line, length + 2);
  line[length] = '\n';
  line[length + 1] = '\0';
  if (write (log_fd, line, length + 1) < 0)
    return G_LOG_WRITER_UNHANDLED;
  return G_LOG_WRITER_HANDLED;
}

static void
redirect_stdio (Supervisor *self)
{
  int devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  int fd;

  for (int i = 0; i < 3; i++)
    self->caller_stdio[i] = fcntl (i, F_DUPFD_CLOEXEC, 3);
  if (devnull >= 0)
    {
      dup2 (devnull, 0);
      dup2 (devnull, 1);
      close (devnull);
    }

  self->supervisor_log_path = gocker_supervisor_log_path (self->state_dir, self->id);
  fd = open (self->supervisor_log_path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (fd < 0)
    fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      dup2 (fd, 2);
      /* The container's first process logs here too, after its own 0, 1
       * and 2 have become the command's; closed by the exec. */
      log_fd = fcntl (fd, F_DUPFD_CLOEXEC, 3);
      close (fd);
    }
  g_log_set_writer_func (write_log_entry, NULL, NULL);
}

static int
clone_flags (const GockerSpec *spec)
{
  /* No CLONE_NEWNET: the child creates its network namespace itself, in
   * its user namespace (gocker_harden_enter_network()), and no
   * CLONE_NEWUSER: it joins that one last, right before the exec. */
  return CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC;
}

/* Reads the error pipe until the exec closes it. Returns the child's
 * message, or NULL if the command was executed. */
static char *
read_setup_error (int fd)
{
  g_autoptr(GString) message = g_string_new (NULL);
  char buffer[1024];

  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (message, buffer, n);
    }
  if (message->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&message), FALSE);
}

/* One byte from the child on the release socket: 'N' once it is in its
 * network namespace, 'R' when it is ready to exec. FALSE on end of file,
 * when it failed before. */
static gboolean
wait_for_child (int fd)
{
  char byte;
  ssize_t n;

  do
    n = read (fd, &byte, 1);
  while (n < 0 && errno == EINTR);
  return n == 1;
}

static int
wait_child (pid_t pid)
{
  int status = 0;

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        g_warning ("Waiting for process %d: %s", (int) pid, g_strerror (errno));
        return -1;
      }
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return -1;
}

/* Undo what this supervisor created after a failed setup. The state file
 * is the service's. */
static void
undo_setup (Supervisor *self)
{
  g_autoptr(GError) error = NULL;

  if (self->created_cgroup && !gocker_cgroup_destroy (self->state->cgroup_path, &error))
    {
      g_warning ("Removing cgroup %s: %s", self->state->cgroup_path, error->message);
      g_clear_error (&error);
    }
  if (self->created_layer && !gocker_remove_tree (self->layer_dir, &error))
    {
      g_warning ("Removing layer %s: %s", self->layer_dir, error->message);
      g_clear_error (&error);
    }
  if (self->created_log && self->log_path != NULL)
    g_unlink (self->log_path);
  if (self->supervisor_log_path != NULL)
    g_unlink (self->supervisor_log_path);
}

static void
close_stdio (GockerInitContext *ctx)
{
  for (int i = 0; i < 3; i++)
    close_fd (&ctx->stdio[i]);
}

/* Create everything and start the container. On FALSE, setup failed with
 * @error and the caller undoes what was created. */
/* Copy the volume sources while the supervisor is still in the host's
 * mount namespace: the container's namespace will hold its own root
 * overlay, which must not come along in a volume. */
static gboolean
clone_volume_sources (Supervisor *self, GockerInitContext *ctx, GError **error)
{
  GPtrArray *volumes = self->state->spec->volumes;
  g_autofree int *fds = NULL;
  gboolean ok;

  if (self->n_volume_fds > 0 && self->n_volume_fds != volumes->len)
    {
      g_set_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_INVALID,
                   "the service passed %u volume descriptors for %u volumes",
                   self->n_volume_fds, volumes->len);
      return FALSE;
    }
  if (self->n_volume_fds > 0)
    {
      fds = g_new (int, self->n_volume_fds);
      for (guint i = 0; i < self->n_volume_fds; i++)
        fds[i] = self->sync_fd_number + 1 + i;
    }
  ok = gocker_volumes_clone_sources (volumes, fds, &ctx->volume_trees, error);
  for (guint i = 0; fds != NULL && i < self->n_volume_fds; i++)
    close (fds[i]);
  return ok;
}

/* The container's first process forks short-lived helpers while it sets
 * itself up (user and network namespaces), one at a time: the pids limit
 * allows for them until the process is ready to exec. */
#define SETUP_PIDS 3

static gboolean
setup_raises_pids_limit (const GockerSpec *spec)
{
  return spec->pids_limit > 0 && spec->pids_limit < SETUP_PIDS;
}

static gboolean
create_cgroups (Supervisor *self, GError **error)
{
  if (!gocker_cgroup_create (self->state->cgroup_path, self->state->spec, error))
    return FALSE;
  self->created_cgroup = TRUE;
  return !setup_raises_pids_limit (self->state->spec) ||
         gocker_cgroup_set_pids_max (self->state->cgroup_path, SETUP_PIDS, error);
}

static gboolean
start_container (Supervisor *self, GError **error)
{
  GockerInitContext *ctx = &self->ctx;
  g_autofree char *state_path = gocker_state_path (self->state_dir, self->id);
  g_auto(GockerFd) release_child = -1;
  g_auto(GockerFd) release_parent = -1;
  g_auto(GockerFd) error_read = -1;
  g_auto(GockerFd) error_write = -1;
  g_autofree char *setup_error = NULL;
  gboolean network_ready = FALSE;
  int unified_fd = -1;
  gboolean start_inside;
  gboolean placed_in_unified = FALSE;
  int fds[2];

  self->state = gocker_state_load (state_path, error);
  if (self->state == NULL)
    return FALSE;
  if (self->state->lower_dir == NULL || self->state->cgroup_path == NULL)
    {
      g_set_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_INVALID,
                   "state file %s lacks the lower directory or cgroup path", state_path);
      return FALSE;
    }
  ctx->state_dir = self->state_dir;
  ctx->state = self->state;

  if (!clone_volume_sources (self, ctx, error))
    return FALSE;
  if (!prepare_stdio (self, ctx, error) || !prepare_layer (self, ctx, error))
    return FALSE;
  /* Where every controller is in the unified hierarchy, clone3 starts the
   * child inside its cgroup and no cgroup.procs write is needed. Otherwise
   * the cgroups are created and joined below, while the child builds its
   * root. */
  start_inside = gocker_cgroup_unified_only ();
  if (start_inside && !create_cgroups (self, error))
    return FALSE;

  if (!gocker_network_write_container_files (self->state_dir, self->state, error))
    return FALSE;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
    return set_errno_error (error, errno, "creating the release socket of container", self->id);
  release_child = fds[0];
  release_parent = fds[1];
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return FALSE;
  error_read = fds[0];
  error_write = fds[1];

  /* A fork-like clone: no separate stack. The supervisor has one thread,
   * so the child may use malloc and GLib freely before its exec. clone3
   * starts it in its unified cgroup right away; plain clone and a write to
   * cgroup.procs remain for kernels without that and for v1 controllers. */
  if (start_inside)
    unified_fd = gocker_cgroup_open_unified (self->state->cgroup_path, NULL);
  if (unified_fd >= 0)
    {
      struct clone_args args = {
        .flags = (guint64) clone_flags (self->state->spec) | CLONE_INTO_CGROUP,
        .exit_signal = SIGCHLD,
        .cgroup = (guint64) unified_fd,
      };

      self->child = (pid_t) syscall (SYS_clone3, &args, sizeof args);
      placed_in_unified = self->child >= 0;
      if (self->child < 0)
        g_info ("clone3 into the unified cgroup failed (%s); using clone", g_strerror (errno));
    }
  if (!placed_in_unified)
    self->child = (pid_t) syscall (SYS_clone,
                                   (unsigned long) (clone_flags (self->state->spec) | SIGCHLD),
                                   /* stack= */ NULL, NULL, NULL, NULL);
  close_fd (&unified_fd);
  if (self->child < 0)
    return set_errno_error (error, errno, "creating the namespaces of container", self->id);
  if (self->child == 0)
    {
      close_fd (&release_parent);
      close_fd (&error_read);
      close_fd (&self->output_fd);
      close_fd (&self->log_fd);
      close_fd (&self->sync_fd);
      ctx->release_fd = release_child;
      ctx->error_fd = error_write;
      gocker_container_init (ctx);
    }

  close_fd (&release_child);
  close_fd (&error_write);
  close_stdio (ctx);
  g_clear_pointer (&ctx->volume_trees, gocker_volumes_free_sources);

  /* Released first, the child builds its root while the supervisor
   * creates its cgroups and moves it in. The first write to cgroup.procs
   * waits for an RCU grace period (5 to 20 ms here) with the kernel's
   * cgroup lock held, so even a cgroup mkdir waits, and that would
   * otherwise add to every start. The child cannot exec before the 'R'
   * handshake below, so the limits hold from the first instruction of the
   * command. Only the short-lived helpers it forks during setup stay
   * outside. */
  write_all (release_parent, "R", 1);
  if ((!self->created_cgroup && !create_cgroups (self, error)) ||
      !(placed_in_unified
        ? gocker_cgroup_attach_except_unified (self->state->cgroup_path, self->child, error)
        : gocker_cgroup_attach (self->state->cgroup_path, self->child, error)))
    {
      kill (self->child, SIGKILL);
      wait_child (self->child);
      return FALSE;
    }

  /* The child builds its root and enters its network namespace, which
   * belongs to its user namespace ('N'), then pivots and hardens itself
   * and waits ('R'). End of file instead means it failed, and the error
   * pipe has the message. */
  if (wait_for_child (release_parent))
    {
      /* Networking (network.h), while the child goes on: for the bridge,
       * create the veth pair with eth0 inside the child's namespace; for
       * --network none, bring lo up. On failure no veth is left. */
      if (!gocker_network_setup_links (self->state_dir, self->state, self->child, error))
        {
          kill (self->child, SIGKILL);
          wait_child (self->child);
          return FALSE;
        }
      if (wait_for_child (release_parent))
        {
          /* Its helpers are gone, so the command's own pids limit applies. */
          if (setup_raises_pids_limit (self->state->spec) &&
              !gocker_cgroup_set_pids_max (self->state->cgroup_path,
                                           self->state->spec->pids_limit, error))
            {
              kill (self->child, SIGKILL);
              wait_child (self->child);
              return FALSE;
            }
          network_ready = TRUE;
          write_all (release_parent, "R", 1);
        }
    }
  close_fd (&release_parent);

  setup_error = read_setup_error (error_read);
  if (setup_error != NULL || !network_ready)
    {
      wait_child (self->child);
      g_set_error_literal (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_FAILED,
                           setup_error != NULL ? setup_error
                           : "the container's process exited before its network was set up; "
                             "see the supervisor log");
      return FALSE;
    }
  return TRUE;
}

/* Copy the detached container's output into its log until every writer
 * is gone, which happens when the container's PID namespace ends. One
 * fixed buffer, no line splitting: a container that writes without
 * newlines or faster than the disk costs no memory here, and the log
 * writer rotates at the state's cap (log-file.h). */
static void
copy_output (Supervisor *self)
{
  char buffer[64 * 1024];
  GockerLogWriter writer;

  if (self->output_fd < 0)
    return;
  gocker_log_writer_init (&writer, self->log_fd, self->log_path,
                          self->state->log_max_size, self->state->log_max_files);
  self->log_fd = -1;
  for (;;)
    {
      ssize_t n = read (self->output_fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_warning ("Reading the output of container %s: %s", self->id, g_strerror (errno));
          break;
        }
      if (n == 0)
        break;
      /* On a write failure the writer logs once and drops the chunk, so
       * the container never blocks on a full pipe. */
      gocker_log_writer_write (&writer, buffer, (gsize) n);
    }
  close_fd (&self->output_fd);
  gocker_log_writer_close (&writer);
}

static void
finish_container (Supervisor *self)
{
  g_autoptr(GError) error = NULL;
  GockerExitRecord record;

  copy_output (self);
  record.exit_code = wait_child (self->child);
  record.finished_at = g_get_real_time ();
  g_message ("Container %s exited with %d", self->id, record.exit_code);

  /* The service replies to its waiters on this line. The exit record and
   * the cgroup removal below take a few milliseconds more. */
  if (self->sync_fd >= 0)
    {
      g_autofree char *line = g_strdup_printf ("EXIT %d %" G_GINT64_FORMAT "\n",
                                               record.exit_code, record.finished_at);

      write_all (self->sync_fd, line, strlen (line));
      close_fd (&self->sync_fd);
    }

  if (!gocker_exit_record_write (self->state_dir, self->id, &record, &error))
    {
      g_warning ("%s", error->message);
      g_clear_error (&error);
    }
  if (!gocker_cgroup_destroy (self->state->cgroup_path, &error))
    g_warning ("Removing cgroup %s: %s", self->state->cgroup_path, error->message);
}

int
main (int argc, char **argv)
{
  g_autofree char *state_dir = NULL;
  g_autofree char *id = NULL;
  int sync_fd = -1;
  int n_volume_fds = 0;
  gboolean standby = FALSE;
  GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir, "The state directory", "DIR" },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, "The container's id", "ID" },
    { "sync-fd", 0, 0, G_OPTION_ARG_INT, &sync_fd, "Descriptor to report the start on", "FD" },
    { "volume-fds", 0, 0, G_OPTION_ARG_INT, &n_volume_fds,
      "Number of volume source descriptors after the sync descriptor", "N" },
    { "standby", 0, 0, G_OPTION_ARG_NONE, &standby,
      "Wait on descriptor 3 for the service to hand over a container (standby.h)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- run one gocker container");
  g_autoptr(GError) error = NULL;
  Supervisor self = {
    .sync_fd = -1, .log_fd = -1, .output_fd = -1, .caller_stdio = { -1, -1, -1 },
    .ctx = { .release_fd = -1, .error_fd = -1, .stdio = { -1, -1, -1 } },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("gocker-supervisor: %s\n", error->message);
      return 2;
    }
  if (standby)
    {
      if (!gocker_standby_receive (3, &id, &n_volume_fds, &error))
        {
          /* No error: the service closed the socket, because it exits. */
          if (error == NULL)
            return 0;
          g_printerr ("gocker-supervisor: %s\n", error->message);
          return 2;
        }
      sync_fd = 3;
    }
  if (sync_fd < 3 || fcntl (sync_fd, F_SETFD, FD_CLOEXEC) < 0)
    {
      g_printerr ("gocker-supervisor: --sync-fd must name an open descriptor above 2\n");
      return 2;
    }
  self.sync_fd = sync_fd;
  self.sync_fd_number = sync_fd;
  if (n_volume_fds < 0 || n_volume_fds > GOCKER_MAX_VOLUMES)
    {
      report (&self, "ERR --volume-fds must be from 0 to %d\n", GOCKER_MAX_VOLUMES);
      return 2;
    }
  for (int i = 0; i < n_volume_fds; i++)
    if (fcntl (sync_fd + 1 + i, F_SETFD, FD_CLOEXEC) < 0)
      {
        report (&self, "ERR volume descriptor %d is not open\n", sync_fd + 1 + i);
        return 2;
      }
  self.n_volume_fds = n_volume_fds;
  if (state_dir == NULL || id == NULL || !gocker_is_valid_id (id))
    {
      report (&self, "ERR the supervisor needs --state-dir and a valid --id\n");
      return 2;
    }
  self.state_dir = state_dir;
  self.id = id;

  /* The service may exit or restart at any time; a closed terminal or
   * reader must not take the supervisor with it. */
  signal (SIGHUP, SIG_IGN);
  signal (SIGPIPE, SIG_IGN);
  if (!detach (&self))
    {
      report (&self, "ERR forking the supervisor: %s\n", g_strerror (errno));
      return 1;
    }
  umask (022);
  if (chdir ("/") < 0)
    g_warning ("Entering /: %s", g_strerror (errno));

  redirect_stdio (&self);
  g_message ("Starting container %s", id);

  if (!start_container (&self, &error))
    {
      g_warning ("Container %s did not start: %s", id, error->message);
      close_stdio (&self.ctx);
      for (int i = 0; i < 3; i++)
        close_fd (&self.caller_stdio[i]);
      undo_setup (&self);
      report (&self, "ERR %s\n", error->message);
      return 1;
    }

  report (&self, "OK %d %d\n", (int) getpid (), (int) self.child);
  finish_container (&self);
  return 0;
}
