/* Hardening as a container sees it: real containers started through
 * gocker_launch() and the built supervisor, with the default settings
 * unless a test changes them. Needs root. */
#define G_LOG_DOMAIN "gocker-test-container"

#include "config.h"
#include "caps.h"
#include "engine.h"
#include "engine-private.h"
#include "state.h"
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char *state_dir;
static char *busybox_image;

typedef struct {
  GockerState *state;
  GockerLaunchResult result;
  gboolean launched;
  char *scratch;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  GockerState *state;

  fixture->scratch = g_dir_make_tmp ("gocker-harden-test-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (chmod (fixture->scratch, 0755), ==, 0);

  state = gocker_state_new ();
  state->id = gocker_generate_id ();
  state->spec = gocker_spec_new ();
  state->spec->name = g_strdup_printf ("harden_%.12s", state->id);
  state->spec->network = g_strdup ("none");
  state->status = GOCKER_STATUS_CREATED;
  state->created_at = g_get_real_time ();
  state->exit_code = -1;
  state->lower_dir = g_strdup (busybox_image);
  state->cgroup_path = g_strdup_printf ("gocker/%s", state->id);
  fixture->state = state;
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state_path = gocker_state_path (state_dir, fixture->state->id);

  if (!gocker_cgroup_signal_all (fixture->state->cgroup_path, SIGKILL, &error))
    {
      g_test_message ("killing leftovers: %s", error->message);
      g_clear_error (&error);
    }
  /* The supervisor removes the cgroup after writing the exit record. */
  for (int i = 0; fixture->launched && i < 1000; i++)
    {
      if (!gocker_process_is_alive (fixture->result.supervisor_pid,
                                    fixture->result.supervisor_start_time))
        break;
      g_usleep (10 * 1000);
    }
  if (!gocker_container_cleanup (state_dir, fixture->state, &error))
    {
      g_test_message ("cleanup: %s", error->message);
      g_clear_error (&error);
    }
  g_unlink (state_path);
  gocker_remove_tree (fixture->scratch, &error);
  g_assert_no_error (error);
  g_free (fixture->scratch);
  gocker_state_free (fixture->state);
}

static int
wait_exit (Fixture *fixture)
{
  GockerExitRecord record = { -1, 0 };

  for (int i = 0; i < 1000; i++)
    {
      g_autoptr(GError) error = NULL;

      if (gocker_exit_record_read (state_dir, fixture->state->id, &record, &error))
        return record.exit_code;
      g_usleep (10 * 1000);
    }
  g_test_fail_printf ("no exit record for container %s after 10 s", fixture->state->id);
  return -1;
}

static char *
read_to_end (int fd)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char buffer[4096];

  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (text, buffer, n);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Start the shell @script in the container with stdout and stderr on a
 * pipe. Returns the read end, or -1 with @error set. */
static int
start_script (Fixture *fixture, const char *script, GError **error)
{
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  g_autoptr(GError) save_error = NULL;
  int fds[2];
  int stdio[3];

  g_strfreev (fixture->state->spec->argv);
  fixture->state->spec->argv = g_strdupv ((char **) argv);
  gocker_state_save (fixture->state, state_dir, &save_error);
  g_assert_no_error (save_error);

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, NULL));
  stdio[0] = -1;
  stdio[1] = fds[1];
  stdio[2] = fds[1];
  fixture->launched = gocker_launch (GOCKER_TEST_SUPERVISOR, state_dir, fixture->state->id,
                                     stdio, &fixture->result, error);
  close (fds[1]);
  if (!fixture->launched)
    {
      close (fds[0]);
      return -1;
    }
  return fds[0];
}

/* Run @script; returns its exit code, and its output in @out_output. */
static int
run_script (Fixture *fixture, const char *script, char **out_output)
{
  g_autoptr(GError) error = NULL;
  int fd = start_script (fixture, script, &error);

  g_assert_no_error (error);
  if (fd < 0)
    return -1;
  *out_output = read_to_end (fd);
  close (fd);
  g_test_message ("output of \"%s\": %s", script, *out_output);
  return wait_exit (fixture);
}

static guint32
default_host_uid (void)
{
  guint32 start = 0, count = 0;

  g_assert_true (gocker_subid_ensure (GOCKER_SUBUID_FILE, GOCKER_SUBGID_FILE, NULL));
  g_assert_true (gocker_subid_lookup (GOCKER_SUBUID_FILE, GOCKER_SUBID_NAME, &start, &count, NULL));
  return start;
}

static void
test_root_is_not_host_root (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status_path = NULL;
  g_autofree char *status_text = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *output = NULL;
  guint32 host_uid = default_host_uid ();
  int fd;

  fd = start_script (fixture, "id -u; read line", &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);

  /* The command runs (blocked on stdin, /dev/null here, so briefly):
   * look at it from the host. */
  status_path = g_strdup_printf ("/proc/%d/status", (int) fixture->result.container_pid);
  if (g_file_get_contents (status_path, &status_text, NULL, NULL))
    {
      expected = g_strdup_printf ("\nUid:\t%u\t%u\t%u\t%u\n", host_uid, host_uid, host_uid, host_uid);
      g_assert_nonnull (strstr (status_text, expected));
    }
  else
    g_test_message ("the container exited before its status was read");

  output = read_to_end (fd);
  close (fd);
  g_assert_cmpint (wait_exit (fixture), ==, 1);
  g_assert_cmpstr (output, ==, "0\n");
}

static void
test_uid_map_inside (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;
  g_autofree char *expected = g_strdup_printf ("0 %u 65536\n", default_host_uid ());

  g_assert_cmpint (run_script (fixture, "cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //'",
                               &output), ==, 0);
  g_assert_cmpstr (output, ==, expected);
}

static void
test_image_owned_by_container_root (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;

  /* Files of the root-owned image belong to the container's root, which
   * can change them (in its own layer). */
  g_assert_cmpint (run_script (fixture,
                               "stat -c %u /bin/busybox && echo x >> /etc/passwd && "
                               "touch /new-file && stat -c %u /new-file",
                               &output), ==, 0);
  g_assert_cmpstr (output, ==, "0\n0\n");
}

static void
test_cannot_load_module (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;

  /* insmod reaches init_module() with a file that is no module: without
   * the hardening root would get "Exec format error" or similar. */
  g_assert_cmpint (run_script (fixture, "echo x > /tmp/x.ko; insmod /tmp/x.ko 2>&1", &output),
                   !=, 0);
  g_assert_nonnull (strstr (output, "Operation not permitted"));
}

static void
test_cannot_mount (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;

  /* busybox reports EPERM from mount() as "permission denied". */
  g_assert_cmpint (run_script (fixture, "mkdir -p /mnt/t; mount -t tmpfs none /mnt/t 2>&1",
                               &output), !=, 0);
  g_assert_nonnull (strstr (output, "permission denied"));
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (run_script (fixture, "mount -o remount,rw /proc/sys 2>&1", &output), !=, 0);
  g_assert_nonnull (strstr (output, "permission denied"));
}

static void
test_cannot_write_proc_sys (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;

  /* kernel.panic is not namespaced: writable, it would change the host. */
  g_assert_cmpint (run_script (fixture, "echo 30 > /proc/sys/kernel/panic 2>&1", &output), !=, 0);
  g_assert_nonnull (strstr (output, "Read-only file system"));
}

static void
test_host_hidden (Fixture *fixture, gconstpointer data)
{
  g_autofree char *marker = g_build_filename (fixture->scratch, "host-marker", NULL);
  g_autofree char *script = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_set_contents (marker, "secret", -1, NULL));
  /* The only processes are the shell, ls and grep; the host's file is
   * not there, and masked files read empty. */
  script = g_strdup_printf ("ls /proc | grep -c '^[0-9]'; test -e %s && echo visible; "
                            "cat /proc/kcore /proc/timer_list /proc/keys 2>/dev/null | wc -c",
                            marker);
  g_assert_cmpint (run_script (fixture, script, &output), ==, 0);
  lines = g_strsplit (output, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  /* ls may have exited before grep reads /proc, so 2 or 3 processes. */
  g_assert_cmpint (atoi (lines[0]), >=, 1);
  g_assert_cmpint (atoi (lines[0]), <=, 3);
  g_assert_cmpstr (lines[1], ==, "0");
}

static void
test_status_flags (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;
  g_autofree char *expected = NULL;
  guint64 keep;

  g_assert_true (gocker_caps_compute (NULL, NULL, &keep, NULL));
  expected = g_strdup_printf ("CapInh:\t0000000000000000\nCapPrm:\t%016" G_GINT64_MODIFIER "x\n"
                              "CapEff:\t%016" G_GINT64_MODIFIER "x\nCapBnd:\t%016"
                              G_GINT64_MODIFIER "x\nCapAmb:\t0000000000000000\n"
                              "NoNewPrivs:\t1\nSeccomp:\t2\n", keep, keep, keep);
  g_assert_cmpint (run_script (fixture, "grep -E '^(Cap|NoNewPrivs|Seccomp:)' /proc/self/status",
                               &output), ==, 0);
  g_assert_cmpstr (output, ==, expected);
}

static void
test_seccomp_unconfined (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;

  fixture->state->spec->seccomp_unconfined = TRUE;
  g_assert_cmpint (run_script (fixture, "grep '^Seccomp:' /proc/self/status", &output), ==, 0);
  g_assert_cmpstr (output, ==, "Seccomp:\t0\n");
}

static void
test_cap_add (Fixture *fixture, gconstpointer data)
{
  const char *const add[] = { "NET_ADMIN", NULL };
  const char *const drop[] = { "CAP_CHOWN", NULL };
  g_autofree char *output = NULL;
  guint64 bounding;

  fixture->state->spec->cap_add = g_strdupv ((char **) add);
  fixture->state->spec->cap_drop = g_strdupv ((char **) drop);
  g_assert_cmpint (run_script (fixture, "grep '^CapBnd:' /proc/self/status | cut -f2", &output), ==, 0);
  bounding = g_ascii_strtoull (output, NULL, 16);
  g_assert_cmpuint (bounding & (G_GUINT64_CONSTANT (1) << CAP_NET_ADMIN), !=, 0);
  g_assert_cmpuint (bounding & (G_GUINT64_CONSTANT (1) << CAP_CHOWN), ==, 0);
}

static void
test_invalid_cap_fails (Fixture *fixture, gconstpointer data)
{
  const char *const add[] = { "CAP_BOGUS", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *layer = g_build_filename (state_dir, "layers", fixture->state->id, NULL);
  int fd;

  fixture->state->spec->cap_add = g_strdupv ((char **) add);
  fd = start_script (fixture, "true", &error);
  g_assert_cmpint (fd, ==, -1);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "CAP_BOGUS"));
  g_assert_false (g_file_test (layer, G_FILE_TEST_EXISTS));
}

static void
test_userns_host (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;

  fixture->state->spec->userns = g_strdup ("host");
  g_assert_cmpint (run_script (fixture, "cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //'",
                               &output), ==, 0);
  g_assert_cmpstr (output, ==, "0 0 4294967295\n");
}

static void
test_userns_custom_map (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;

  fixture->state->spec->userns = g_strdup ("0:3000000000:65536");
  g_assert_cmpint (run_script (fixture, "cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //'",
                               &output), ==, 0);
  g_assert_cmpstr (output, ==, "0 3000000000 65536\n");
}

static void
test_volume_writable (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (fixture->scratch, "data", NULL);
  g_autofree char *written = g_build_filename (dir, "by-container", NULL);
  g_autofree char *output = NULL;
  struct stat st;

  /* A root-owned host directory stays writable by the container's root,
   * and what it writes is root's on the host, through the ID mapping. */
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  g_ptr_array_add (fixture->state->spec->volumes, gocker_volume_new (dir, "/data", FALSE));
  g_assert_cmpint (run_script (fixture, "touch /data/by-container && stat -c %u /data",
                               &output), ==, 0);
  g_assert_cmpstr (output, ==, "0\n");
  g_assert_cmpint (lstat (written, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, 0);
}

static void
test_init_pid_one (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;

  fixture->state->spec->init = TRUE;
  /* gocker-init is PID 1 and passes the command's exit status on. */
  g_assert_cmpint (run_script (fixture, "test $$ -ne 1 && echo not-pid-1; "
                               "tr '\\0' '\\n' < /proc/1/cmdline | head -n 1; exit 7", &output), ==, 7);
  g_assert_cmpstr (output, ==, "not-pid-1\n/dev/init\n");
}

static void
test_shifted_copy_fallback (Fixture *fixture, gconstpointer data)
{
  g_autofree char *root = g_build_filename (fixture->scratch, "ramfs-root", NULL);
  g_autofree char *copy_command = NULL;
  g_autofree char *shifted = g_build_filename (state_dir, "images", ".shifted", NULL);
  g_autofree char *output = NULL;

  /* ramfs cannot be ID-mapped, so a root file system on it takes the
   * ownership-shifted copy. */
  g_assert_cmpint (g_mkdir (root, 0755), ==, 0);
  if (mount ("none", root, "ramfs", 0, "mode=0755") < 0)
    {
      g_test_skip ("ramfs is not available");
      return;
    }
  copy_command = g_strdup_printf ("cp -a %s/. %s/", busybox_image, root);
  g_assert_cmpint (system (copy_command), ==, 0);
  g_free (fixture->state->lower_dir);
  fixture->state->lower_dir = g_strdup (root);

  g_assert_cmpint (run_script (fixture, "stat -c %u /bin/busybox && touch /etc/passwd && echo ok",
                               &output), ==, 0);
  g_assert_cmpstr (output, ==, "0\nok\n");
  g_assert_true (g_file_test (shifted, G_FILE_TEST_IS_DIR));

  g_assert_cmpint (umount2 (root, MNT_DETACH), ==, 0);
  gocker_remove_tree (shifted, NULL);
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
  /* A failed check must still reach the teardown that kills the container. */
  g_test_set_nonfatal_assertions ();

  if (geteuid () != 0)
    {
      g_test_skip ("the container hardening tests need root");
      return g_test_run ();
    }

  state_dir = g_dir_make_tmp ("gocker-harden-state-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (gocker_state_dir_prepare (state_dir, &error));
  g_assert_no_error (error);
  spec = gocker_spec_new ();
  busybox_image = gocker_image_resolve (state_dir, spec, GOCKER_BUSYBOX, &error);
  g_assert_no_error (error);

  ADD ("/gocker/harden/container/root-is-not-host-root", test_root_is_not_host_root);
  ADD ("/gocker/harden/container/uid-map", test_uid_map_inside);
  ADD ("/gocker/harden/container/image-owned-by-root", test_image_owned_by_container_root);
  ADD ("/gocker/harden/container/no-module-loading", test_cannot_load_module);
  ADD ("/gocker/harden/container/no-mount", test_cannot_mount);
  ADD ("/gocker/harden/container/proc-sys-read-only", test_cannot_write_proc_sys);
  ADD ("/gocker/harden/container/host-hidden", test_host_hidden);
  ADD ("/gocker/harden/container/status-flags", test_status_flags);
  ADD ("/gocker/harden/container/seccomp-unconfined", test_seccomp_unconfined);
  ADD ("/gocker/harden/container/cap-add-drop", test_cap_add);
  ADD ("/gocker/harden/container/invalid-cap", test_invalid_cap_fails);
  ADD ("/gocker/harden/container/userns-host", test_userns_host);
  ADD ("/gocker/harden/container/userns-map", test_userns_custom_map);
  ADD ("/gocker/harden/container/volume-writable", test_volume_writable);
  ADD ("/gocker/harden/container/init", test_init_pid_one);
  ADD ("/gocker/harden/container/shifted-copy-fallback", test_shifted_copy_fallback);

  status = g_test_run ();

  gocker_remove_tree (state_dir, &error);
  if (error != NULL)
    g_printerr ("removing %s: %s\n", state_dir, error->message);
  return status;
}
