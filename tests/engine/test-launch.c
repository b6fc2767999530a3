/* The launch path on the real kernel: gocker_launch() with the built
 * supervisor, real namespaces, overlayfs and cgroups. Needs root. */
#define G_LOG_DOMAIN "gocker-test"

#include "config.h"
#include "engine.h"
#include "engine-private.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Set by main() for the whole program: one state directory, so the busybox
 * image is assembled once. */
static char *state_dir;
static char *busybox_image;

typedef struct {
  GockerState *state;
  GockerLaunchResult result;
  gboolean launched;
  char *scratch;               /* a host directory for this test's files */
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  GockerState *state;

  fixture->scratch = g_dir_make_tmp ("gocker-engine-test-XXXXXX", &error);
  g_assert_no_error (error);

  state = gocker_state_new ();
  state->id = gocker_generate_id ();
  state->spec = gocker_spec_new ();
  state->spec->name = g_strdup_printf ("test_%.12s", state->id);
  state->spec->network = g_strdup ("none");
  state->status = GOCKER_STATUS_CREATED;
  state->created_at = g_get_real_time ();
  state->exit_code = -1;
  state->lower_dir = g_strdup (busybox_image);
  state->cgroup_path = g_strdup_printf ("gocker/%s", state->id);
  fixture->state = state;
}

/* The supervisor removes the cgroup after writing the exit record. */
static void
wait_supervisor (Fixture *fixture)
{
  for (int i = 0; i < 1000; i++)
    {
      if (!gocker_process_is_alive (fixture->result.supervisor_pid,
                                    fixture->result.supervisor_start_time))
        return;
      g_usleep (10 * 1000);
    }
  g_test_fail_printf ("supervisor %d still runs 10 s after the exit record",
                      (int) fixture->result.supervisor_pid);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state_path = gocker_state_path (state_dir, fixture->state->id);

  /* Kill whatever still runs: every process of the container is in its cgroup. */
  if (!gocker_cgroup_signal_all (fixture->state->cgroup_path, SIGKILL, &error))
    {
      g_test_message ("killing leftovers: %s", error->message);
      g_clear_error (&error);
    }
  if (fixture->launched)
    wait_supervisor (fixture);
  if (!gocker_container_cleanup (state_dir, fixture->state, &error))
    {
      g_test_message ("cleanup: %s", error->message);
      g_clear_error (&error);
    }
  g_unlink (state_path);
  if (fixture->scratch != NULL)
    {
      gocker_remove_tree (fixture->scratch, &error);
      g_assert_no_error (error);
      g_free (fixture->scratch);
    }
  gocker_state_free (fixture->state);
}

static void
set_command (Fixture *fixture, const char *const *argv)
{
  g_strfreev (fixture->state->spec->argv);
  fixture->state->spec->argv = g_strdupv ((char **) argv);
}

static gboolean
launch (Fixture *fixture, const int stdio[3], GError **error)
{
  g_autoptr(GError) save_error = NULL;

  gocker_state_save (fixture->state, state_dir, &save_error);
  g_assert_no_error (save_error);
  fixture->launched = gocker_launch (GOCKER_TEST_SUPERVISOR, state_dir, fixture->state->id,
                                     stdio, &fixture->result, error);
  return fixture->launched;
}

/* Wait for the exit record; the supervisor writes it after the exit. */
static int
wait_exit (Fixture *fixture)
{
  GockerExitRecord record = { -1, 0 };

  for (int i = 0; i < 1000; i++)
    {
      g_autoptr(GError) error = NULL;

      if (gocker_exit_record_read (state_dir, fixture->state->id, &record, &error))
        return record.exit_code;
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_usleep (10 * 1000);
    }
  g_test_fail_printf ("no exit record for container %s after 10 s", fixture->state->id);
  return -1;
}

static GBytes *
read_all (int fd)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  guint8 buffer[4096];

  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >=, 0);
      if (n == 0)
        break;
      g_byte_array_append (bytes, buffer, n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

/* Run attached with stdout and stderr on a pipe; returns the exit code and
 * the output as a string. */
static int
run_attached (Fixture *fixture, const char *const *argv, char **out_output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) output = NULL;
  int fds[2];
  int stdio[3];
  int code;

  set_command (fixture, argv);
  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_assert_no_error (error);
  stdio[0] = -1;
  stdio[1] = fds[1];
  stdio[2] = fds[1];
  launch (fixture, stdio, &error);
  close (fds[1]);
  g_assert_no_error (error);
  if (error != NULL)
    {
      close (fds[0]);
      return -1;
    }

  output = read_all (fds[0]);
  close (fds[0]);
  code = wait_exit (fixture);
  if (out_output != NULL)
    *out_output = g_strndup (g_bytes_get_data (output, NULL), g_bytes_get_size (output));
  return code;
}

static void
assert_no_cgroup (const char *cgroup_path)
{
  static const char *const roots[] = {
    "/sys/fs/cgroup", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu",
    "/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (roots); i++)
    {
      g_autofree char *path = g_build_filename (roots[i], cgroup_path, NULL);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
}

static pid_t
parent_of (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char *end;
  int ppid = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  end = strrchr (contents, ')');
  g_assert_nonnull (end);
  g_assert_cmpint (sscanf (end, ") %*c %d", &ppid), ==, 1);
  return ppid;
}

static void
test_hostname_default (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "hostname", NULL };
  g_autofree char *output = NULL;

  g_assert_cmpint (run_attached (fixture, argv, &output), ==, 0);
  g_assert_cmpstr (output, ==, GOCKER_DEFAULT_HOSTNAME "\n");
}

static void
test_hostname_custom (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", "hostname; echo $HOSTNAME", NULL };
  g_autofree char *output = NULL;

  g_free (fixture->state->spec->hostname);
  fixture->state->spec->hostname = g_strdup ("web-1");
  g_assert_cmpint (run_attached (fixture, argv, &output), ==, 0);
  g_assert_cmpstr (output, ==, "web-1\nweb-1\n");
}

static void
test_pid_one (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", "echo $$; readlink /proc/1/exe", NULL };
  g_autofree char *output = NULL;

  g_assert_cmpint (run_attached (fixture, argv, &output), ==, 0);
  /* The shell is PID 1, in $$ and in the container's /proc. */
  g_assert_cmpstr (output, ==, "1\n/bin/busybox\n");
}

static void
test_dev (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = {
    "/bin/sh", "-c",
    "echo x > /dev/null && head -c 4 /dev/zero | wc -c && test -c /dev/urandom && "
    "test -L /dev/ptmx && test -d /dev/pts && test -d /dev/shm && "
    "touch /dev/shm/f && ! touch /sys/f 2>/dev/null && echo ok", NULL
  };
  g_autofree char *output = NULL;

  g_assert_cmpint (run_attached (fixture, argv, &output), ==, 0);
  g_assert_cmpstr (output, ==, "4\nok\n");
}

static void
test_environment (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", "echo $HOME $FOO $PATH; pwd", NULL };
  const char *env[] = { "FOO=bar=baz", "HOME=/home/x", NULL };
  g_autofree char *output = NULL;

  fixture->state->spec->env = g_strdupv ((char **) env);
  g_free (fixture->state->spec->workdir);
  fixture->state->spec->workdir = g_strdup ("/srv/app");
  g_assert_cmpint (run_attached (fixture, argv, &output), ==, 0);
  g_assert_cmpstr (output, ==,
                   "/home/x bar=baz /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                   "/srv/app\n");
}

static void
test_volumes (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = {
    "/bin/sh", "-c",
    "cat /etc/greeting && echo from-container > /data/out && "
    "cat /ro/in && ! echo x 2>/dev/null > /ro/new && echo ok", NULL
  };
  g_autofree char *file = g_build_filename (fixture->scratch, "greeting", NULL);
  g_autofree char *dir = g_build_filename (fixture->scratch, "data", NULL);
  g_autofree char *ro = g_build_filename (fixture->scratch, "ro", NULL);
  g_autofree char *ro_in = g_build_filename (ro, "in", NULL);
  g_autofree char *ro_new = g_build_filename (ro, "new", NULL);
  g_autofree char *out_path = g_build_filename (dir, "out", NULL);
  g_autofree char *output = NULL;
  g_autofree char *written = NULL;
  GPtrArray *volumes = fixture->state->spec->volumes;

  g_assert_true (g_file_set_contents (file, "hello\n", -1, NULL));
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (ro, 0755), ==, 0);
  g_assert_true (g_file_set_contents (ro_in, "read-only\n", -1, NULL));
  g_ptr_array_add (volumes, gocker_volume_new (file, "/etc/greeting", FALSE));
  g_ptr_array_add (volumes, gocker_volume_new (dir, "/data", FALSE));
  g_ptr_array_add (volumes, gocker_volume_new (ro, "/ro", TRUE));

  g_assert_cmpint (run_attached (fixture, argv, &output), ==, 0);
  g_assert_cmpstr (output, ==, "hello\nread-only\nok\n");
  g_assert_true (g_file_get_contents (out_path, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, "from-container\n");
  g_assert_false (g_file_test (ro_new, G_FILE_TEST_EXISTS));
}

/* A target that is a link pointing far above the root must land inside
 * the container, never on the host. */
static void
test_volume_symlink_escape (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
  g_autofree char *escape_name = g_strdup_printf ("gocker-escape-%d", (int) getpid ());
  g_autofree char *host_escape = g_build_filename ("/tmp", escape_name, NULL);
  g_autofree char *link_target = g_strdup_printf ("/../../../tmp/%s", escape_name);
  g_autofree char *upper = g_build_filename (state_dir, "layers", fixture->state->id, "upper", NULL);
  g_autofree char *link_path = g_build_filename (upper, "escape", NULL);
  g_autofree char *source = g_build_filename (fixture->scratch, "vol", NULL);
  g_autofree char *marker = g_build_filename (source, "marker", NULL);
  g_autofree char *script = g_strdup_printf ("cat /tmp/%s/marker", escape_name);
  g_autofree char *output = NULL;

  g_assert_false (g_file_test (host_escape, G_FILE_TEST_EXISTS));
  /* Put the link in the container's own layer before it starts. */
  g_assert_cmpint (g_mkdir_with_parents (upper, 0755), ==, 0);
  g_assert_cmpint (symlink (link_target, link_path), ==, 0);
  g_assert_cmpint (g_mkdir (source, 0755), ==, 0);
  g_assert_true (g_file_set_contents (marker, "inside\n", -1, NULL));
  g_ptr_array_add (fixture->state->spec->volumes, gocker_volume_new (source, "/escape", FALSE));

  argv[2] = script;
  g_assert_cmpint (run_attached (fixture, argv, &output), ==, 0);
  g_assert_cmpstr (output, ==, "inside\n");
  g_assert_false (g_file_test (host_escape, G_FILE_TEST_EXISTS));
}

static void
test_volume_type_mismatch (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "true", NULL };
  g_autofree char *file = g_build_filename (fixture->scratch, "file", NULL);
  g_autofree char *layer = g_build_filename (state_dir, "layers", fixture->state->id, NULL);
  g_autoptr(GError) error = NULL;
  int stdio[3] = { -1, -1, -1 };

  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  g_ptr_array_add (fixture->state->spec->volumes, gocker_volume_new (file, "/etc", FALSE));
  set_command (fixture, argv);
  g_assert_false (launch (fixture, stdio, &error));
  g_assert_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, file));
  g_assert_nonnull (strstr (error->message, "/etc"));
  g_assert_false (g_file_test (layer, G_FILE_TEST_EXISTS));
  assert_no_cgroup (fixture->state->cgroup_path);
}

static void
test_exit_codes (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
  g_autofree char *output = NULL;

  argv[2] = "echo bye; exit 3";
  g_assert_cmpint (run_attached (fixture, argv, &output), ==, 3);
  g_assert_cmpstr (output, ==, "bye\n");
}

static void
test_exit_command_not_found (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/no/such/command", NULL };
  g_autofree char *output = NULL;

  g_assert_cmpint (run_attached (fixture, argv, &output), ==, 127);
  g_assert_cmpstr (output, ==, "gocker: /no/such/command: command not found\n");
}

static void
test_exit_not_executable (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/etc/passwd", NULL };
  g_autofree char *output = NULL;

  g_assert_cmpint (run_attached (fixture, argv, &output), ==, 126);
  g_assert_cmpstr (output, ==, "gocker: /etc/passwd: permission denied\n");
}

static void
test_exit_killed (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "sleep", "1000", NULL };
  g_autoptr(GError) error = NULL;
  int stdio[3] = { -1, -1, -1 };

  set_command (fixture, argv);
  g_assert_true (launch (fixture, stdio, &error));
  g_assert_no_error (error);
  g_assert_true (gocker_process_is_alive (fixture->result.supervisor_pid,
                                          fixture->result.supervisor_start_time));
  /* Detached from us: the supervisor outlives the process that launched it. */
  g_assert_cmpint (parent_of (fixture->result.supervisor_pid), !=, getpid ());
  g_assert_cmpint (kill (fixture->result.container_pid, SIGKILL), ==, 0);
  g_assert_cmpint (wait_exit (fixture), ==, 128 + SIGKILL);
}

static void
test_cleanup (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", "echo data > /file; echo out", NULL };
  g_autofree char *layer = g_build_filename (state_dir, "layers", fixture->state->id, NULL);
  g_autofree char *exit_name = g_strconcat (fixture->state->id, ".exit", NULL);
  g_autofree char *exit_path = g_build_filename (state_dir, "containers", exit_name, NULL);
  g_autofree char *log_name = g_strconcat (fixture->state->id, ".log", NULL);
  g_autofree char *log_path = g_build_filename (state_dir, "logs", log_name, NULL);
  g_autofree char *supervisor_name = g_strconcat (fixture->state->id, ".supervisor.log", NULL);
  g_autofree char *supervisor_log = g_build_filename (state_dir, "logs", supervisor_name, NULL);
  g_autoptr(GError) error = NULL;

  fixture->state->spec->detach = TRUE;
  set_command (fixture, argv);
  g_assert_true (launch (fixture, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (wait_exit (fixture), ==, 0);
  wait_supervisor (fixture);
  g_assert_true (g_file_test (layer, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (log_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (supervisor_log, G_FILE_TEST_IS_REGULAR));
  assert_no_cgroup (fixture->state->cgroup_path);

  g_assert_true (gocker_container_cleanup (state_dir, fixture->state, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (layer, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (exit_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (log_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (supervisor_log, G_FILE_TEST_EXISTS));
  /* A second cleanup finds nothing and succeeds. */
  g_assert_true (gocker_container_cleanup (state_dir, fixture->state, &error));
  g_assert_no_error (error);
}

static gpointer
resolve_in_thread (gpointer data)
{
  g_autoptr(GockerSpec) spec = gocker_spec_new ();
  g_autoptr(GError) error = NULL;
  char *dir = gocker_image_resolve (data, spec, GOCKER_BUSYBOX, &error);

  g_assert_no_error (error);
  return dir;
}

/* Several first runs at once all get the complete image. */
static void
test_image_concurrent (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gocker-engine-image-XXXXXX", &error);
  g_autofree char *images = g_build_filename (dir, "images", NULL);
  g_autofree char *expected = g_build_filename (images, "busybox", NULL);
  g_autofree char *shell = g_build_filename (expected, "bin", "sh", NULL);
  g_autofree char *tmp = g_build_filename (expected, "tmp", NULL);
  GThread *threads[4];
  g_autoptr(GDir) listing = NULL;
  struct stat st;

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("resolve", resolve_in_thread, dir);
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_autofree char *result = g_thread_join (threads[i]);
      g_assert_cmpstr (result, ==, expected);
    }

  g_assert_true (g_file_test (shell, G_FILE_TEST_IS_SYMLINK));
  g_assert_cmpint (g_stat (tmp, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 01777);
  /* No scratch directory of the losing builds is left. */
  listing = g_dir_open (images, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_dir_read_name (listing), ==, "busybox");
  g_assert_null (g_dir_read_name (listing));

  gocker_remove_tree (dir, &error);
  g_assert_no_error (error);
}

static void
test_exit_zero (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "true", NULL };

  g_assert_cmpint (run_attached (fixture, argv, NULL), ==, 0);
}

/* With a terminal the command gets it as controlling terminal and TERM. */
static void
test_tty (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", "test -t 0 && test -t 1 && echo $TERM; "
                         "echo -n \"sid=$(cut -d' ' -f6 /proc/1/stat)\"", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) output = g_string_new (NULL);
  int master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  int slave;
  int stdio[3];

  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = open (ptsname (master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (slave, >=, 0);

  fixture->state->spec->tty = TRUE;
  set_command (fixture, argv);
  stdio[0] = stdio[1] = stdio[2] = slave;
  launch (fixture, stdio, &error);
  close (slave);
  g_assert_no_error (error);

  for (;;)
    {
      char buffer[256];
      ssize_t n = read (master, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      /* EIO: the last holder of the terminal's other side is gone. */
      if (n <= 0)
        break;
      g_string_append_len (output, buffer, n);
    }
  close (master);
  g_assert_cmpint (wait_exit (fixture), ==, 0);
  /* The terminal turns "\n" into "\r\n"; PID 1 leads its own session. */
  g_assert_cmpstr (output->str, ==, "xterm\r\nsid=1");
}

static void
test_detached_log (Fixture *fixture, gconstpointer data)
{
  /* A NUL and a byte that is not UTF-8, on stdout and stderr. */
  const char *argv[] = { "/bin/sh", "-c", "printf 'a\\000b\\377c'; printf 'E' >&2", NULL };
  static const char expected[] = { 'a', '\0', 'b', (char) 0xff, 'c', 'E' };
  g_autofree char *log_path = g_build_filename (state_dir, "logs", NULL);
  g_autofree char *log_name = g_strconcat (fixture->state->id, ".log", NULL);
  g_autofree char *log_file = g_build_filename (log_path, log_name, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  struct stat st;

  fixture->state->spec->detach = TRUE;
  set_command (fixture, argv);
  g_assert_true (launch (fixture, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (wait_exit (fixture), ==, 0);

  g_assert_true (g_file_get_contents (log_file, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (contents, length, expected, sizeof expected);
  g_assert_cmpint (g_stat (log_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);
}

static void
test_image_unchanged (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "/bin/sh", "-c", "echo new > /bin/newfile && rm /bin/ls && echo ok", NULL };
  g_autofree char *image_new = g_build_filename (busybox_image, "bin", "newfile", NULL);
  g_autofree char *image_ls = g_build_filename (busybox_image, "bin", "ls", NULL);
  g_autofree char *upper_new = g_build_filename (state_dir, "layers", fixture->state->id,
                                                 "upper", "bin", "newfile", NULL);
  g_autofree char *output = NULL;

  g_assert_cmpint (run_attached (fixture, argv, &output), ==, 0);
  g_assert_cmpstr (output, ==, "ok\n");
  g_assert_false (g_file_test (image_new, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (image_ls, G_FILE_TEST_IS_SYMLINK));
  /* The change lives in the container's own layer, which outlives it. */
  g_assert_true (g_file_test (upper_new, G_FILE_TEST_IS_REGULAR));
}

static void
test_bad_rootfs (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "true", NULL };
  g_autofree char *missing = g_build_filename (fixture->scratch, "no-such-rootfs", NULL);
  g_autofree char *layer = g_build_filename (state_dir, "layers", fixture->state->id, NULL);
  g_autofree char *log_name = g_strconcat (fixture->state->id, ".log", NULL);
  g_autofree char *log_file = g_build_filename (state_dir, "logs", log_name, NULL);
  g_autoptr(GError) error = NULL;

  g_free (fixture->state->lower_dir);
  fixture->state->lower_dir = g_strdup (missing);
  fixture->state->spec->detach = TRUE;
  set_command (fixture, argv);
  g_assert_false (launch (fixture, NULL, &error));
  g_assert_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_nonnull (strstr (error->message, "No such file or directory"));
  g_assert_false (g_file_test (layer, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (log_file, G_FILE_TEST_EXISTS));
  assert_no_cgroup (fixture->state->cgroup_path);
}

static void
test_image_resolve_errors (void)
{
  g_autoptr(GockerSpec) spec = gocker_spec_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;

  g_free (spec->image);
  spec->image = g_strdup ("alpine");
  g_assert_null (gocker_image_resolve (state_dir, spec, GOCKER_BUSYBOX, &error));
  g_assert_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==,
                   "image alpine not found; the only image is busybox, or use --rootfs DIR");
  g_clear_error (&error);

  g_clear_pointer (&spec->image, g_free);
  spec->rootfs = g_strdup ("/nonexistent/rootfs");
  g_assert_null (gocker_image_resolve (state_dir, spec, GOCKER_BUSYBOX, &error));
  g_assert_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/rootfs"));
  g_clear_error (&error);

  g_free (spec->rootfs);
  spec->rootfs = g_strdup ("/etc/passwd");
  g_assert_null (gocker_image_resolve (state_dir, spec, GOCKER_BUSYBOX, &error));
  g_assert_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  g_free (spec->rootfs);
  spec->rootfs = g_strdup ("/usr");
  dir = gocker_image_resolve (state_dir, spec, GOCKER_BUSYBOX, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dir, ==, "/usr");
}

static void
test_exit_record_missing (void)
{
  g_autoptr(GError) error = NULL;
  GockerExitRecord record;
  g_autofree char *id = gocker_generate_id ();

  g_assert_false (gocker_exit_record_read (state_dir, id, &record, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_process_start_time (void)
{
  guint64 start = gocker_process_start_time (getpid ());

  g_assert_cmpuint (start, >, 0);
  g_assert_true (gocker_process_is_alive (getpid (), start));
  g_assert_false (gocker_process_is_alive (getpid (), start + 1));
  g_assert_cmpuint (gocker_process_start_time (0), ==, 0);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* A failed check must not skip the teardown that kills the container
   * and removes its cgroup and layer. */
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/gocker/engine/process/start-time", test_process_start_time);
  if (geteuid () != 0)
    {
      g_test_message ("the launch tests need root");
      return g_test_run ();
    }

  state_dir = g_dir_make_tmp ("gocker-engine-state-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (gocker_state_dir_prepare (state_dir, &error));
  g_assert_no_error (error);
  spec = gocker_spec_new ();
  busybox_image = gocker_image_resolve (state_dir, spec, GOCKER_BUSYBOX, &error);
  g_assert_no_error (error);

  g_test_add_func ("/gocker/engine/image/errors", test_image_resolve_errors);
  g_test_add_func ("/gocker/engine/exit-record/missing", test_exit_record_missing);
  ADD ("/gocker/engine/hostname/default", test_hostname_default);
  ADD ("/gocker/engine/hostname/custom", test_hostname_custom);
  ADD ("/gocker/engine/pid/one", test_pid_one);
  ADD ("/gocker/engine/dev/nodes", test_dev);
  ADD ("/gocker/engine/environment/defaults-and-overrides", test_environment);
  ADD ("/gocker/engine/volume/file-dir-read-only", test_volumes);
  ADD ("/gocker/engine/volume/symlink-stays-inside", test_volume_symlink_escape);
  ADD ("/gocker/engine/volume/type-mismatch", test_volume_type_mismatch);
  ADD ("/gocker/engine/exit/zero", test_exit_zero);
  ADD ("/gocker/engine/exit/three", test_exit_codes);
  ADD ("/gocker/engine/exit/command-not-found", test_exit_command_not_found);
  ADD ("/gocker/engine/exit/not-executable", test_exit_not_executable);
  ADD ("/gocker/engine/exit/killed", test_exit_killed);
  ADD ("/gocker/engine/log/raw-bytes", test_detached_log);
  ADD ("/gocker/engine/tty/controlling-terminal", test_tty);
  ADD ("/gocker/engine/image/unchanged", test_image_unchanged);
  ADD ("/gocker/engine/rootfs/missing", test_bad_rootfs);
  ADD ("/gocker/engine/cleanup/removes-everything", test_cleanup);
  g_test_add_func ("/gocker/engine/image/concurrent-first-use", test_image_concurrent);

  status = g_test_run ();

  if (!gocker_remove_tree (state_dir, &error))
    g_printerr ("removing %s: %s\n", state_dir, error->message);
  g_free (busybox_image);
  g_free (state_dir);
  return status;
}
