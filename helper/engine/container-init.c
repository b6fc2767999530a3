/* The container's first process, from clone to exec. It runs in the new
 * namespaces and builds its own root while the supervisor puts it into
 * the container's cgroups, and runs the command only after that. */
#define G_LOG_DOMAIN "gocker-supervisor"

#include "container-init.h"
#include "harden.h"
#include "mounts.h"
#include "network.h"
#include "rootfs.h"
#include "volumes.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONTAINER_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

extern char **environ;

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

/* Hardening settings of this container, from gocker_harden_prepare() in
 * build_root(); this process builds one container only. */
static GockerHarden *container_harden;

/* Hardening hook: masked paths, user namespace, capabilities,
 * no_new_privs and seccomp (harden.c). */
gboolean
gocker_container_init_harden (GockerInitContext *ctx, GError **error)
{
  return gocker_harden_apply (container_harden, error);
}

static gboolean
enter_workdir (const char *workdir, GError **error)
{
  /* Inside the new root now, so the path cannot lead out of it. */
  if (g_mkdir_with_parents (workdir, 0755) < 0)
    return set_errno_error (error, errno, "creating the working directory", workdir);
  if (chdir (workdir) < 0)
    return set_errno_error (error, errno, "entering the working directory", workdir);
  return TRUE;
}

/* The terminal is a pseudo-terminal of the caller's devpts, which the
 * container's own devpts instance does not show. Bound on /dev/console, as
 * runc does, it has a name inside the container, so tty(1) and ttyname(3)
 * find it. */
static gboolean
bind_console (int root_fd, int terminal_fd, GError **error)
{
  g_auto(GockerFd) target = -1;
  g_auto(GockerFd) tree = -1;
  g_autofree char *fd_link = g_strdup_printf ("/proc/self/fd/%d", terminal_fd);
  g_autofree char *path = g_file_read_link (fd_link, NULL);
  struct stat fd_st, path_st;

  /* The descriptor's mount belongs to the caller's mount namespace, which
   * open_tree cannot clone from; this namespace's copy of the same device
   * node can be, once it is checked to be the same terminal. */
  if (path == NULL || fstat (terminal_fd, &fd_st) < 0 || stat (path, &path_st) < 0 ||
      !S_ISCHR (path_st.st_mode) || fd_st.st_rdev != path_st.st_rdev)
    {
      g_info ("The terminal has no name in this mount namespace; /dev/console stays absent");
      return TRUE;
    }

  target = gocker_rootfs_open_target (root_fd, "/dev/console", GOCKER_TARGET_FILE, error);
  if (target < 0)
    return FALSE;
  tree = open_tree (AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0)
    return set_errno_error (error, errno, "cloning the terminal for /dev/console:", path);
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return set_errno_error (error, errno, "binding the terminal on", "/dev/console");
  return TRUE;
}

/* One byte to the supervisor on the release socket. */
static gboolean
tell_supervisor (GockerInitContext *ctx, char byte, GError **error)
{
  ssize_t n;

  do
    n = write (ctx->release_fd, &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1)
    return set_errno_error (error, n < 0 ? errno : EPIPE,
                            "reporting to the supervisor on", "the release socket");
  return TRUE;
}

/* The last step before the exec: tell the supervisor that this process
 * is ready, then wait while it finishes joining the container's cgroups
 * and configuring the network (network.c), which it started on the 'N'
 * byte: one byte each way on the release socket. The supervisor kills
 * this process if anything fails, so the command never runs outside its
 * cgroups. */
static gboolean
wait_for_release (GockerInitContext *ctx, GError **error)
{
  char byte = 'R';
  ssize_t n;

  do
    n = write (ctx->release_fd, &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n == 1)
    do
      n = read (ctx->release_fd, &byte, 1);
    while (n < 0 && errno == EINTR);
  if (n != 1)
    return set_errno_error (error, n < 0 ? errno : EPIPE,
                            "waiting for the supervisor to configure", "the network");
  close (ctx->release_fd);
  ctx->release_fd = -1;
  return TRUE;
}

static gboolean
build_root (GockerInitContext *ctx, GError **error)
{
  const GockerSpec *spec = ctx->state->spec;
  g_auto(GockerFd) root_fd = -1;

  if (sethostname (spec->hostname, strlen (spec->hostname)) < 0)
    return set_errno_error (error, errno, "setting the hostname to", spec->hostname);
  if (!gocker_mounts_make_private (error))
    return FALSE;
  /* Hardening: check the settings and give the image to the container's
   * root before the overlay uses it. */
  container_harden = gocker_harden_prepare (ctx->state, ctx->state_dir, ctx->upper_dir,
                                            ctx->work_dir, error);
  if (container_harden == NULL)
    return FALSE;
  if (!gocker_mounts_overlay (ctx->state->lower_dir, ctx->upper_dir, ctx->work_dir,
                              ctx->merged_dir, spec->auto_remove, error))
    return FALSE;

  root_fd = open (ctx->merged_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return set_errno_error (error, errno, "opening", ctx->merged_dir);
  if (!gocker_mounts_dev (root_fd, ctx->merged_dir, error))
    return FALSE;
  if (spec->tty && !bind_console (root_fd, ctx->stdio[0], error))
    return FALSE;
  if (!gocker_volumes_mount (root_fd, spec->volumes, ctx->volume_trees, error))
    return FALSE;
  g_clear_pointer (&ctx->volume_trees, gocker_volumes_free_sources);

  /* Networking: the namespace comes before /sys is mounted, so /sys shows
   * the container's interfaces. The 'N' byte lets the supervisor set up
   * its links while this process goes on; wait_for_release() waits for
   * that. Then bind the container's own /etc/hosts, /etc/hostname and
   * /etc/resolv.conf (network-etc.c), which the supervisor wrote before
   * starting this process. */
  if (!gocker_harden_enter_network (container_harden, error) ||
      !tell_supervisor (ctx, 'N', error))
    return FALSE;
  {
    const char *what = NULL;
    int err = gocker_network_bind_etc_files (ctx->state_dir, ctx->state->id, ctx->merged_dir, &what);

    if (err < 0)
      return set_errno_error (error, -err, what, ctx->merged_dir);
  }

  /* Hardening hook: mounts that need host paths, such as gocker-init for
   * spec->init, go here too, before the host's tree is detached. */

  if (!gocker_rootfs_pivot (ctx->merged_dir, error))
    return FALSE;
  if (!gocker_mounts_proc_sys (error))
    return FALSE;
  return enter_workdir (spec->workdir != NULL ? spec->workdir : "/", error);
}

static char **
build_environment (const GockerSpec *spec)
{
  char **env = NULL;

  env = g_environ_setenv (env, "PATH", CONTAINER_PATH, TRUE);
  env = g_environ_setenv (env, "HOME", "/root", TRUE);
  env = g_environ_setenv (env, "HOSTNAME", spec->hostname, TRUE);
  if (spec->tty)
    env = g_environ_setenv (env, "TERM", "xterm", TRUE);
  for (char **entry = spec->env; entry != NULL && *entry != NULL; entry++)
    {
      const char *equals = strchr (*entry, '=');
      g_autofree char *key = NULL;

      /* The parser only lets KEY=VALUE through; be safe anyway. */
      if (equals == NULL || equals == *entry)
        continue;
      key = g_strndup (*entry, equals - *entry);
      env = g_environ_setenv (env, key, equals + 1, TRUE);
    }
  return env;
}

static gboolean
install_stdio (GockerInitContext *ctx, GError **error)
{
  for (int i = 0; i < 3; i++)
    if (dup2 (ctx->stdio[i], i) < 0)
      {
        g_autofree char *descriptor = g_strdup_printf ("descriptor %d", i);
        return set_errno_error (error, errno, "installing the command's", descriptor);
      }

  if (ctx->state->spec->tty)
    {
      /* The terminal becomes the controlling terminal of a new session, so
       * ^C and window size changes reach the command. */
      if (setsid () < 0)
        return set_errno_error (error, errno, "starting a session for", "the terminal");
      if (ioctl (0, TIOCSCTTY, 0) < 0)
        return set_errno_error (error, errno, "taking the terminal on", "stdin");
    }
  return TRUE;
}

static G_GNUC_NORETURN void
report_and_exit (GockerInitContext *ctx, const char *message)
{
  gsize len = strlen (message);

  while (len > 0)
    {
      ssize_t n = write (ctx->error_fd, message, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      message += n;
      len -= n;
    }
  _exit (1);
}

static G_GNUC_NORETURN void
exec_command (char **argv, char **env)
{
  int saved_errno;

  environ = env;
  /* execvp searches the PATH of the environment just set. */
  execvp (argv[0], argv);
  saved_errno = errno;

  switch (saved_errno)
    {
    case ENOENT:
    case ENOTDIR:
      dprintf (2, "gocker: %s: command not found\n", argv[0]);
      _exit (127);
    case EACCES:
    case EPERM:
      dprintf (2, "gocker: %s: permission denied\n", argv[0]);
      _exit (126);
    case ENOEXEC:
      dprintf (2, "gocker: %s: exec format error\n", argv[0]);
      _exit (126);
    default:
      dprintf (2, "gocker: %s: %s\n", argv[0], g_strerror (saved_errno));
      _exit (126);
    }
}

void
gocker_container_init (GockerInitContext *ctx)
{
  g_autoptr(GError) error = NULL;
  sigset_t all;
  char byte;
  ssize_t n;
  char **env;

  /* The supervisor ignores these; the command gets the defaults. */
  signal (SIGPIPE, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  sigemptyset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);
  /* Die with the supervisor during setup, because no process would read
   * a setup error otherwise. Cleared again before the exec. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  umask (022);

  /* Released as soon as the supervisor is ready, before it has moved this
   * process into the cgroups; wait_for_release() waits for that. */
  do
    n = read (ctx->release_fd, &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1)
    _exit (1);

  if (!build_root (ctx, &error))
    report_and_exit (ctx, error->message);

  env = build_environment (ctx->state->spec);
  if (!install_stdio (ctx, &error))
    report_and_exit (ctx, error->message);
  if (!gocker_container_init_harden (ctx, &error))
    report_and_exit (ctx, error->message);
  if (!wait_for_release (ctx, &error))
    report_and_exit (ctx, error->message);

  /* Only the command's stdio stays open across the exec. The error pipe
   * is close-on-exec, so its end-of-file signals a successful exec. */
  if (close_range (3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    report_and_exit (ctx, "marking descriptors close-on-exec failed");
  prctl (PR_SET_PDEATHSIG, 0);
  exec_command (gocker_harden_command_argv (container_harden, ctx->state->spec->argv), env);
}
