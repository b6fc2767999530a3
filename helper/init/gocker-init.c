/* gocker-init: a minimal PID 1 for containers run with --init.
 *
 * Usage: gocker-init [--] COMMAND [ARG]...
 *
 * Runs COMMAND as its only child, forwards every signal it receives to
 * it, reaps every process that the kernel reparents to it (orphans of the
 * container), and exits with COMMAND's exit status, or 128 + N when
 * COMMAND was killed by signal N. Processes still running when COMMAND
 * exits are killed by the kernel together with the PID namespace.
 *
 * Plain libc and linked statically where possible, because it is
 * bind-mounted into images that may have no C library at all. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int
exit_code_of (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 1;
}

static void
run_command (char **argv, const sigset_t *original_mask)
{
  int saved_errno;

  /* The command starts with default signal handling, like any program. */
  for (int sig = 1; sig < NSIG; sig++)
    signal (sig, SIG_DFL);
  sigprocmask (SIG_SETMASK, original_mask, NULL);

  execvp (argv[0], argv);
  saved_errno = errno;
  fprintf (stderr, "gocker-init: %s: %s\n", argv[0], strerror (saved_errno));
  _exit (saved_errno == ENOENT || saved_errno == ENOTDIR ? 127 : 126);
}

/* Reap every child that has exited. Returns 1 once @command has, with its
 * status in @out_status, and 0 before. */
static int
reap_children (pid_t command, int *out_status)
{
  int command_done = 0;

  for (;;)
    {
      int status;
      pid_t pid = waitpid (-1, &status, WNOHANG);

      if (pid < 0 && errno == EINTR)
        continue;
      if (pid <= 0)
        break;
      if (pid == command)
        {
          *out_status = status;
          command_done = 1;
        }
    }
  return command_done;
}

int
main (int argc, char **argv)
{
  sigset_t all, original_mask;
  pid_t command;
  int first = 1;

  if (argc > 1 && strcmp (argv[1], "--") == 0)
    first = 2;
  if (first >= argc)
    {
      fprintf (stderr, "usage: gocker-init [--] COMMAND [ARG]...\n");
      return 125;
    }

  /* Outside PID 1 (in tests, say), still receive the orphans. */
  if (getpid () != 1)
    prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  /* Every signal is taken with sigwaitinfo() below, so none can be lost
   * between fork() and the wait loop. */
  sigfillset (&all);
  sigprocmask (SIG_BLOCK, &all, &original_mask);

  command = fork ();
  if (command < 0)
    {
      fprintf (stderr, "gocker-init: fork: %s\n", strerror (errno));
      return 125;
    }
  if (command == 0)
    run_command (argv + first, &original_mask);

  for (;;)
    {
      siginfo_t info;
      int sig = sigwaitinfo (&all, &info);
      int status;

      if (sig < 0)
        continue;

      if (sig == SIGCHLD)
        {
          if (reap_children (command, &status))
            return exit_code_of (status);
          continue;
        }

      /* Everything else is for the command; kill() fails only once it is
       * gone, and its SIGCHLD follows. */
      kill (command, sig);
    }
}
