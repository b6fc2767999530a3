/* Tests of the hardening steps on the real kernel: each risky step runs in
 * a forked child (in its own mount namespace where it mounts), which
 * reports one line back; the test asserts on that line. Run as root. */
#define G_LOG_DOMAIN "gocker-test-harden"

#include "caps.h"
#include "masks.h"
#include "seccomp-filter.h"
#include "userns.h"
#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* An ID range far from real users, used instead of /etc/subuid. */
#define TEST_HOST_ID 3000000000u
#define TEST_COUNT 65536u

typedef char *(*ChildFunc) (gpointer user_data);

/* Run @func in a forked child and return the line it returned. */
static char *
run_in_child (ChildFunc func, gpointer user_data)
{
  int fds[2];
  pid_t pid;
  g_autoptr(GString) output = g_string_new (NULL);
  char buffer[512];
  int status;

  g_assert_cmpint (pipe2 (fds, O_CLOEXEC), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autofree char *result = NULL;

      close (fds[0]);
      result = func (user_data);
      if (write (fds[1], result, strlen (result)) < 0)
        _exit (2);
      _exit (0);
    }

  close (fds[1]);
  for (;;)
    {
      ssize_t n = read (fds[0], buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (output, buffer, n);
    }
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  if (!WIFEXITED (status))
    return g_strdup_printf ("child died with signal %d", WTERMSIG (status));
  return g_string_free (g_steal_pointer (&output), FALSE);
}

static char *
errno_result (long ret, int saved_errno)
{
  if (ret >= 0)
    return g_strdup ("succeeded");
  return g_strdup_printf ("errno %s", strerrorname_np (saved_errno));
}

/* Value of a field such as "CapBnd:" in /proc/self/status. */
static guint64
read_status_hex (const char *field)
{
  g_autofree char *contents = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &contents, NULL, NULL));
  line = strstr (contents, field);
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen (field), NULL, 16);
}

/* ---- Capabilities ------------------------------------------------------- */

static void
test_caps_names (void)
{
  const char *const good[] = { "CAP_NET_ADMIN", "net_admin", "Sys_Admin", "ALL", NULL };
  const char *const bad[] = { "CAP_BOGUS", "", "12", "cap_chown,cap_kill", "cap_chown=ep" };

  g_assert_true (gocker_caps_validate_names (good, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *one[] = { bad[i], NULL };
      g_autoptr(GError) error = NULL;

      g_assert_false (gocker_caps_validate_names (one, &error));
      g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
      if (bad[i][0] != '\0')
        g_assert_nonnull (strstr (error->message, bad[i]));
    }
}

#define BIT(cap) (G_GUINT64_CONSTANT (1) << (cap))

static void
test_caps_compute (void)
{
  const char *const sys_admin[] = { "SYS_ADMIN", NULL };
  const char *const chown_cap[] = { "CAP_CHOWN", NULL };
  const char *const all[] = { "ALL", NULL };
  guint64 keep;

  g_assert_true (gocker_caps_compute (NULL, NULL, &keep, NULL));
  g_assert_cmpuint (keep & BIT (CAP_CHOWN), !=, 0);
  g_assert_cmpuint (keep & BIT (CAP_NET_BIND_SERVICE), !=, 0);
  g_assert_cmpuint (keep & BIT (CAP_SYS_ADMIN), ==, 0);
  g_assert_cmpuint (keep & BIT (CAP_NET_ADMIN), ==, 0);
  g_assert_cmpuint (keep & BIT (CAP_SYS_MODULE), ==, 0);
  g_assert_cmpint (__builtin_popcountll (keep), ==, 14);

  g_assert_true (gocker_caps_compute (sys_admin, chown_cap, &keep, NULL));
  g_assert_cmpuint (keep & BIT (CAP_SYS_ADMIN), !=, 0);
  g_assert_cmpuint (keep & BIT (CAP_CHOWN), ==, 0);

  g_assert_true (gocker_caps_compute (chown_cap, all, &keep, NULL));
  g_assert_cmpuint (keep, ==, BIT (CAP_CHOWN));

  g_assert_true (gocker_caps_compute (all, chown_cap, &keep, NULL));
  g_assert_cmpuint (keep & BIT (CAP_SYS_ADMIN), !=, 0);
  g_assert_cmpuint (keep & BIT (CAP_CHOWN), ==, 0);
}

static char *
child_apply_default_caps (gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  guint64 keep;

  if (!gocker_caps_compute (NULL, NULL, &keep, &error) || !gocker_caps_apply (keep, &error))
    return g_strdup (error->message);

  return g_strdup_printf ("bnd=%" G_GINT64_MODIFIER "x prm=%" G_GINT64_MODIFIER "x eff=%"
                          G_GINT64_MODIFIER "x inh=%" G_GINT64_MODIFIER "x amb=%"
                          G_GINT64_MODIFIER "x",
                          read_status_hex ("CapBnd:"), read_status_hex ("CapPrm:"),
                          read_status_hex ("CapEff:"), read_status_hex ("CapInh:"),
                          read_status_hex ("CapAmb:"));
}

static void
test_caps_apply (void)
{
  g_autofree char *result = run_in_child (child_apply_default_caps, NULL);
  g_autofree char *expected = NULL;
  guint64 keep;

  g_assert_true (gocker_caps_compute (NULL, NULL, &keep, NULL));
  expected = g_strdup_printf ("bnd=%" G_GINT64_MODIFIER "x prm=%" G_GINT64_MODIFIER "x eff=%"
                              G_GINT64_MODIFIER "x inh=0 amb=0", keep, keep, keep);
  g_assert_cmpstr (result, ==, expected);
}

/* ---- Seccomp ------------------------------------------------------------ */

typedef struct {
  guint64 caps_keep;
  const char *call;
} SeccompCase;

static long
try_call (const char *call)
{
  if (strcmp (call, "init_module") == 0)
    return syscall (SYS_init_module, NULL, 0, "");
  if (strcmp (call, "finit_module") == 0)
    return syscall (SYS_finit_module, -1, "", 0);
  if (strcmp (call, "kexec_load") == 0)
    return syscall (SYS_kexec_load, 0, 0, NULL, 0);
  if (strcmp (call, "mount") == 0)
    return mount ("none", "/", NULL, MS_REMOUNT | MS_BIND, NULL);
  if (strcmp (call, "umount2") == 0)
    return umount2 ("/nonexistent-gocker-test", 0);
  if (strcmp (call, "unshare-user") == 0)
    return unshare (CLONE_NEWUSER);
  if (strcmp (call, "unshare-mount") == 0)
    return unshare (CLONE_NEWNS);
  if (strcmp (call, "unshare-files") == 0)
    return unshare (CLONE_FILES);
  if (strcmp (call, "clone3") == 0)
    return syscall (SYS_clone3, NULL, 0);
  if (strcmp (call, "keyctl") == 0)
    return syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
  if (strcmp (call, "ptrace") == 0)
    return ptrace (PTRACE_PEEKDATA, getppid (), NULL, NULL);
  if (strcmp (call, "bpf") == 0)
    return syscall (SYS_bpf, 0, NULL, 0);
  if (strcmp (call, "perf_event_open") == 0)
    return syscall (SYS_perf_event_open, NULL, 0, -1, -1, 0);
  if (strcmp (call, "userfaultfd") == 0)
    return syscall (SYS_userfaultfd, 0);
  if (strcmp (call, "reboot") == 0)
    return syscall (SYS_reboot, 0, 0, 0, NULL);
  if (strcmp (call, "setns") == 0)
    return syscall (SYS_setns, -1, 0);
  if (strcmp (call, "personality-no-aslr") == 0)
    return personality (ADDR_NO_RANDOMIZE);
  if (strcmp (call, "personality-query") == 0)
    return personality (0xffffffff);
  if (strcmp (call, "personality-linux32") == 0)
    return personality (PER_LINUX32);
  if (strcmp (call, "personality-high-bit") == 0)
    return personality (0x80040000);
  if (strcmp (call, "fork") == 0)
    {
      pid_t pid = fork ();

      if (pid == 0)
        _exit (0);
      if (pid > 0)
        waitpid (pid, NULL, 0);
      return pid;
    }
  if (strcmp (call, "getpid") == 0)
    return getpid ();
  g_assert_not_reached ();
}

static char *
child_call_under_filter (gpointer user_data)
{
  const SeccompCase *test_case = user_data;
  g_autoptr(GError) error = NULL;
  long ret;

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return g_strdup ("prctl failed");
  if (!gocker_seccomp_apply_default (test_case->caps_keep, &error))
    return g_strdup (error->message);

  errno = 0;
  ret = try_call (test_case->call);
  return errno_result (ret, errno);
}

static void
check_call (const char *call, guint64 caps_keep, const char *expected)
{
  SeccompCase test_case = { caps_keep, call };
  g_autofree char *result = run_in_child (child_call_under_filter, &test_case);

  g_test_message ("%s: %s", call, result);
  g_assert_cmpstr (result, ==, expected);
}

static void
test_seccomp_denied (void)
{
  const char *const denied[] = {
    "init_module", "finit_module", "kexec_load", "mount", "umount2", "unshare-user",
    "unshare-mount", "keyctl", "ptrace", "bpf", "perf_event_open", "userfaultfd",
    "reboot", "setns", "personality-no-aslr", "personality-high-bit",
  };
  guint64 keep;

  g_assert_true (gocker_caps_compute (NULL, NULL, &keep, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (denied); i++)
    check_call (denied[i], keep, "errno EPERM");
  check_call ("clone3", keep, "errno ENOSYS");
}

static void
test_seccomp_allowed (void)
{
  guint64 keep;

  g_assert_true (gocker_caps_compute (NULL, NULL, &keep, NULL));
  check_call ("getpid", keep, "succeeded");
  check_call ("fork", keep, "succeeded");
  check_call ("unshare-files", keep, "succeeded");
  check_call ("personality-query", keep, "succeeded");
  check_call ("personality-linux32", keep, "succeeded");
}

static void
test_seccomp_cap_add (void)
{
  const char *const sys_admin[] = { "SYS_ADMIN", NULL };
  guint64 keep;

  /* Keeping CAP_SYS_ADMIN allows what Docker's profile ties to it. */
  g_assert_true (gocker_caps_compute (sys_admin, NULL, &keep, NULL));
  check_call ("unshare-mount", keep, "succeeded");
  check_call ("init_module", keep, "errno EPERM");
}

/* Without the filter the same calls do not fail with EPERM as root, so the
 * denial above comes from the filter. */
static char *
child_call_unfiltered (gpointer user_data)
{
  long ret;

  errno = 0;
  ret = try_call (user_data);
  return errno_result (ret, errno);
}

static void
test_seccomp_baseline (void)
{
  g_autofree char *init_module = run_in_child (child_call_unfiltered, (gpointer) "init_module");
  g_autofree char *keyctl = run_in_child (child_call_unfiltered, (gpointer) "keyctl");

  g_assert_cmpstr (init_module, !=, "errno EPERM");
  g_assert_cmpstr (keyctl, !=, "errno EPERM");
}

/* ---- Masked paths ------------------------------------------------------- */

/* "PATH=empty" or "PATH=readable" for each masked path that exists. */
static char *
describe_masked_paths (void)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (gsize i = 0; gocker_masked_paths[i] != NULL; i++)
    {
      const char *path = gocker_masked_paths[i];
      gboolean empty;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

          empty = dir != NULL && g_dir_read_name (dir) == NULL;
        }
      else
        {
          g_autofree char *contents = NULL;
          gsize length = 0;

          /* Unreadable counts as masked: what matters is that nothing leaks. */
          empty = !g_file_get_contents (path, &contents, &length, NULL) || length == 0;
        }
      g_string_append_printf (text, "%s=%s ", path, empty ? "empty" : "readable");
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
child_apply_masks (gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *masked = NULL;
  int fd;
  int write_errno;

  /* A private copy of the host's mounts, so the masks vanish with it. */
  if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return g_strdup_printf ("private mount namespace: %s", g_strerror (errno));
  if (!gocker_masks_apply ("/", &error))
    return g_strdup (error->message);

  masked = describe_masked_paths ();
  fd = open ("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);
  write_errno = fd < 0 ? errno : 0;
  if (fd >= 0)
    close (fd);

  return g_strdup_printf ("%sproc-sys=%s", masked,
                          write_errno ? strerrorname_np (write_errno) : "writable");
}

static void
test_masks_apply (void)
{
  g_autofree char *result = run_in_child (child_apply_masks, NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  guint existing = 0;
  int fd;

  for (gsize i = 0; gocker_masked_paths[i] != NULL; i++)
    if (g_file_test (gocker_masked_paths[i], G_FILE_TEST_EXISTS))
      {
        g_string_append_printf (expected, "%s=empty ", gocker_masked_paths[i]);
        existing++;
      }
  g_string_append (expected, "proc-sys=EROFS");

  g_test_message ("%u of the masked paths exist on this host", existing);
  g_assert_cmpuint (existing, >, 0);
  g_assert_cmpstr (result, ==, expected->str);

  /* The host's own /proc/sys is untouched. */
  fd = open ("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
}

static void
test_masks_symlinked_root (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gocker-masks-XXXXXX", NULL);
  g_autofree char *dev = g_build_filename (dir, "dev", NULL);
  g_autofree char *proc = g_build_filename (dir, "proc", NULL);
  g_autoptr(GError) error = NULL;

  /* /dev/null in the root is a link to the host's: rejected, not followed. */
  g_assert_cmpint (g_mkdir (dev, 0755), ==, 0);
  g_assert_cmpint (symlink ("/tmp", proc), ==, 0);
  g_autofree char *null_link = g_build_filename (dev, "null", NULL);
  g_assert_cmpint (symlink ("/dev/null", null_link), ==, 0);

  g_assert_false (gocker_masks_apply (dir, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/dev/null"));

  g_unlink (null_link);
  g_unlink (proc);
  g_rmdir (dev);
  g_rmdir (dir);
}

/* ---- User namespaces ---------------------------------------------------- */

static void
test_userns_parse_map (void)
{
  const char *const bad[] = {
    "", "0:0:65536", "1:100000:65536", "0:100000:0", "0:100000", "0:-1:5", "a:b:c",
    "0:4294967295:2", "0:100000:65536:1",
  };
  GockerIdMap map;

  g_assert_true (gocker_userns_parse_map ("0:200000:65536", &map, NULL));
  g_assert_true (map.enabled);
  g_assert_cmpuint (map.host_uid, ==, 200000);
  g_assert_cmpuint (map.host_gid, ==, 200000);
  g_assert_cmpuint (map.count, ==, 65536);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (gocker_userns_parse_map (bad[i], &map, &error));
      g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
    }

  g_assert_true (gocker_userns_validate (NULL, NULL));
  g_assert_true (gocker_userns_validate ("host", NULL));
  g_assert_true (gocker_userns_validate ("auto", NULL));
  g_assert_false (gocker_userns_validate ("0:0:1", NULL));
}

static void
test_subid_ensure (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gocker-subid-XXXXXX", NULL);
  g_autofree char *subuid = g_build_filename (dir, "subuid", NULL);
  g_autofree char *subgid = g_build_filename (dir, "subgid", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint32 start, count;

  g_assert_true (g_file_set_contents (subuid, "alice:100000:65536\nbob:165536:65536", -1, NULL));
  g_assert_true (g_file_set_contents (subgid, "alice:100000:65536\n", -1, NULL));

  g_assert_true (gocker_subid_ensure (subuid, subgid, NULL));
  g_assert_true (gocker_subid_lookup (subuid, GOCKER_SUBID_NAME, &start, &count, NULL));
  g_assert_cmpuint (start, ==, 231072);
  g_assert_cmpuint (count, ==, GOCKER_SUBID_COUNT);
  g_assert_true (gocker_subid_lookup (subgid, GOCKER_SUBID_NAME, &start, &count, NULL));
  g_assert_cmpuint (start, ==, 231072);

  /* Idempotent: a second call changes nothing. */
  g_assert_true (g_file_get_contents (subuid, &before, NULL, NULL));
  g_assert_true (gocker_subid_ensure (subuid, subgid, NULL));
  g_assert_true (g_file_get_contents (subuid, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpstr (after, ==, "alice:100000:65536\nbob:165536:65536\ngocker:231072:65536\n");

  g_unlink (subuid);
  g_unlink (subgid);
  g_rmdir (dir);
}

static void
test_subid_too_small (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gocker-subid-XXXXXX", NULL);
  g_autofree char *subuid = g_build_filename (dir, "subuid", NULL);
  g_autofree char *subgid = g_build_filename (dir, "subgid", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (subuid, "gocker:100000:10\n", -1, NULL));
  g_assert_true (g_file_set_contents (subgid, "", -1, NULL));
  g_assert_false (gocker_subid_ensure (subuid, subgid, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "100000:10"));

  g_unlink (subuid);
  g_unlink (subgid);
  g_rmdir (dir);
}

static const GockerIdMap test_map = { TRUE, TEST_HOST_ID, TEST_HOST_ID, TEST_COUNT };

static char *
child_enter_userns (gpointer user_data)
{
  int *ready_fd = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *uid_map = NULL;
  char byte = 0;

  if (!gocker_userns_enter (&test_map, &error))
    return g_strdup (error->message);
  if (!g_file_get_contents ("/proc/self/uid_map", &uid_map, NULL, NULL))
    return g_strdup ("uid_map unreadable");
  g_strstrip (uid_map);
  /* Let the parent look at this process from the host side. */
  if (write (ready_fd[1], "r", 1) != 1 || read (ready_fd[0], &byte, 1) != 1)
    return g_strdup ("sync failed");
  return g_strdup_printf ("uid=%u gid=%u map=%s", getuid (), getgid (), uid_map);
}

static void
test_userns_enter (void)
{
  int to_parent[2], to_child[2];
  int fds[2];
  pid_t pid;
  int status;
  char byte;
  g_autoptr(GString) result = g_string_new (NULL);
  g_autofree char *status_path = NULL;
  g_autofree char *status_text = NULL;
  g_autofree char *expected_uid = NULL;
  char buffer[256];
  ssize_t n;

  g_assert_cmpint (pipe (to_parent), ==, 0);
  g_assert_cmpint (pipe (to_child), ==, 0);
  g_assert_cmpint (pipe (fds), ==, 0);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int sync[2] = { to_child[0], to_parent[1] };
      g_autofree char *line = child_enter_userns (sync);

      if (write (fds[1], line, strlen (line)) < 0)
        _exit (2);
      _exit (0);
    }
  close (fds[1]);
  close (to_parent[1]);
  close (to_child[0]);

  g_assert_cmpint (read (to_parent[0], &byte, 1), ==, 1);
  status_path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_assert_true (g_file_get_contents (status_path, &status_text, NULL, NULL));
  g_assert_cmpint (write (to_child[1], "c", 1), ==, 1);

  while ((n = read (fds[0], buffer, sizeof buffer)) > 0)
    g_string_append_len (result, buffer, n);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);

  /* Root inside, an unprivileged range on the host. */
  g_assert_cmpstr (result->str, ==, "uid=0 gid=0 map=0 3000000000      65536");
  expected_uid = g_strdup_printf ("\nUid:\t%u\t%u\t%u\t%u\n", TEST_HOST_ID, TEST_HOST_ID,
                                  TEST_HOST_ID, TEST_HOST_ID);
  g_assert_nonnull (strstr (status_text, expected_uid));

  close (fds[0]);
  close (to_parent[0]);
  close (to_child[1]);
}

typedef struct {
  char *dir;
  char *lower;
  char *upper;
  char *work;
  char *merged;
} OverlayFixture;

static char *
child_overlay_in_userns (gpointer user_data)
{
  OverlayFixture *fixture = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *options = NULL;
  g_autofree char *passwd = g_build_filename (fixture->merged, "etc", "passwd", NULL);
  g_autofree char *new_file = g_build_filename (fixture->merged, "new-file", NULL);
  struct stat st;
  int userns_fd;
  int lower_fd;
  int fd;

  if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return g_strdup_printf ("private mount namespace: %s", g_strerror (errno));

  userns_fd = gocker_userns_open_fd (&test_map, &error);
  if (userns_fd < 0)
    return g_strdup (error->message);
  lower_fd = open (fixture->lower, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (lower_fd < 0)
    return g_strdup_printf ("open lower: %s", g_strerror (errno));
  if (!gocker_userns_idmap_in_place (userns_fd, lower_fd, fixture->lower, &error))
    return g_strdup (error->message);
  close (lower_fd);
  if (lchown (fixture->upper, TEST_HOST_ID, TEST_HOST_ID) < 0 ||
      lchown (fixture->work, TEST_HOST_ID, TEST_HOST_ID) < 0)
    return g_strdup ("chown of the layer failed");

  options = g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s",
                             fixture->lower, fixture->upper, fixture->work);
  if (mount ("overlay", fixture->merged, "overlay", 0, options) < 0)
    return g_strdup_printf ("overlay: %s", g_strerror (errno));

  if (!gocker_userns_enter (&test_map, &error))
    return g_strdup (error->message);

  if (stat (passwd, &st) < 0)
    return g_strdup_printf ("stat: %s", g_strerror (errno));
  fd = open (passwd, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0)
    return g_strdup_printf ("owner=%u, append: %s", st.st_uid, g_strerror (errno));
  close (fd);
  fd = open (new_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return g_strdup_printf ("create: %s", g_strerror (errno));
  close (fd);
  return g_strdup_printf ("owner=%u", st.st_uid);
}

static void
test_userns_overlay (void)
{
  OverlayFixture fixture;
  g_autofree char *etc = NULL;
  g_autofree char *passwd = NULL;
  g_autofree char *result = NULL;
  g_autofree char *upper_new = NULL;
  g_autofree char *upper_passwd = NULL;
  g_autofree char *command = NULL;
  struct stat st;

  fixture.dir = g_dir_make_tmp ("gocker-overlay-XXXXXX", NULL);
  g_assert_cmpint (chmod (fixture.dir, 0755), ==, 0);
  fixture.lower = g_build_filename (fixture.dir, "lower", NULL);
  fixture.upper = g_build_filename (fixture.dir, "upper", NULL);
  fixture.work = g_build_filename (fixture.dir, "work", NULL);
  fixture.merged = g_build_filename (fixture.dir, "merged", NULL);
  etc = g_build_filename (fixture.lower, "etc", NULL);
  passwd = g_build_filename (etc, "passwd", NULL);
  g_assert_cmpint (g_mkdir_with_parents (etc, 0755), ==, 0);
  g_assert_true (g_file_set_contents (passwd, "root:x:0:0::/root:/bin/sh\n", -1, NULL));
  g_assert_cmpint (chmod (passwd, 0644), ==, 0);
  g_assert_cmpint (g_mkdir (fixture.upper, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (fixture.work, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (fixture.merged, 0755), ==, 0);

  result = run_in_child (child_overlay_in_userns, &fixture);
  /* The image's root-owned file is the container root's, and writable. */
  g_assert_cmpstr (result, ==, "owner=0");

  /* On the host, what container root wrote belongs to the mapped range. */
  upper_new = g_build_filename (fixture.upper, "new-file", NULL);
  upper_passwd = g_build_filename (fixture.upper, "etc", "passwd", NULL);
  g_assert_cmpint (lstat (upper_new, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, TEST_HOST_ID);
  g_assert_cmpint (lstat (upper_passwd, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, TEST_HOST_ID);
  /* The image itself is unchanged and still host root's. */
  g_assert_cmpint (lstat (passwd, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, 0);

  command = g_strdup_printf ("rm -rf %s", fixture.dir);
  g_assert_cmpint (system (command), ==, 0);
  g_free (fixture.dir);
  g_free (fixture.lower);
  g_free (fixture.upper);
  g_free (fixture.work);
  g_free (fixture.merged);
}

static void
test_userns_shift_copy (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gocker-shift-XXXXXX", NULL);
  g_autofree char *source = g_build_filename (dir, "source", NULL);
  g_autofree char *dest = g_build_filename (dir, "dest", NULL);
  g_autofree char *tool = g_build_filename (source, "tool", NULL);
  g_autofree char *home = g_build_filename (source, "home", NULL);
  g_autofree char *link = g_build_filename (source, "link", NULL);
  g_autofree char *command = NULL;
  g_autofree char *copied = NULL;
  char target[64];
  ssize_t len;
  struct stat st;
  const GockerIdMap map = { TRUE, 200000, 300000, 65536 };

  g_assert_cmpint (g_mkdir (source, 0755), ==, 0);
  g_assert_true (g_file_set_contents (tool, "#!/bin/sh\n", -1, NULL));
  g_assert_cmpint (chmod (tool, 04755), ==, 0);
  g_assert_cmpint (g_mkdir (home, 0750), ==, 0);
  g_assert_cmpint (chown (home, 1000, 1000), ==, 0);
  g_assert_cmpint (symlink ("/etc/passwd", link), ==, 0);

  g_assert_true (gocker_userns_shift_copy (source, dest, &map, NULL));

  copied = g_build_filename (dest, "tool", NULL);
  g_assert_cmpint (lstat (copied, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, 200000);
  g_assert_cmpuint (st.st_gid, ==, 300000);
  g_assert_cmpuint (st.st_mode & 07777, ==, 04755);
  g_clear_pointer (&copied, g_free);

  copied = g_build_filename (dest, "home", NULL);
  g_assert_cmpint (lstat (copied, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, 201000);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0750);
  g_clear_pointer (&copied, g_free);

  copied = g_build_filename (dest, "link", NULL);
  len = readlink (copied, target, sizeof target - 1);
  g_assert_cmpint (len, >, 0);
  target[len] = '\0';
  g_assert_cmpstr (target, ==, "/etc/passwd");
  g_assert_cmpint (lstat (copied, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, 200000);

  command = g_strdup_printf ("rm -rf %s", dir);
  g_assert_cmpint (system (command), ==, 0);
}

/* ---- gocker-init -------------------------------------------------------- */

static int
run_init (const char *script, int signal_after_ms)
{
  const char *init = g_getenv ("GOCKER_INIT");
  const char *argv[] = { init, "--", "/bin/sh", "-c", script, NULL };
  GPid pid;
  int status;

  g_assert_nonnull (init);
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &pid, NULL));
  if (signal_after_ms > 0)
    {
      g_usleep (signal_after_ms * 1000);
      kill (pid, SIGTERM);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_init_exit_status (void)
{
  g_assert_cmpint (run_init ("exit 0", 0), ==, 0);
  g_assert_cmpint (run_init ("exit 3", 0), ==, 3);
  g_assert_cmpint (run_init ("kill -KILL $$", 0), ==, 137);
}

static void
test_init_forwards_signals (void)
{
  gint64 start = g_get_monotonic_time ();

  /* The trap runs only if gocker-init passes SIGTERM on; it also stops the
   * sleep, so no process outlives the test. */
  g_assert_cmpint (run_init ("trap 'kill $!; exit 143' TERM; sleep 30 & wait", 300), ==, 143);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

static void
test_init_reaps_orphans (void)
{
  /* The orphaned true is reparented to gocker-init; left unreaped it would
   * stay a zombie whose parent is gocker-init ($PPID), and the script
   * exits 9. */
  g_assert_cmpint (run_init ("(/bin/true &); sleep 0.3; "
                             "if grep -l \"(true) Z $PPID \" /proc/[0-9]*/stat >/dev/null 2>&1; "
                             "then exit 9; fi; exit 5", 0), ==, 5);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (getuid () != 0)
    {
      g_test_skip ("the hardening tests need root");
      return g_test_run ();
    }

  g_test_add_func ("/gocker/harden/caps/names", test_caps_names);
  g_test_add_func ("/gocker/harden/caps/compute", test_caps_compute);
  g_test_add_func ("/gocker/harden/caps/apply", test_caps_apply);
  g_test_add_func ("/gocker/harden/seccomp/denied", test_seccomp_denied);
  g_test_add_func ("/gocker/harden/seccomp/allowed", test_seccomp_allowed);
  g_test_add_func ("/gocker/harden/seccomp/cap-add", test_seccomp_cap_add);
  g_test_add_func ("/gocker/harden/seccomp/baseline", test_seccomp_baseline);
  g_test_add_func ("/gocker/harden/masks/apply", test_masks_apply);
  g_test_add_func ("/gocker/harden/masks/symlinked-null", test_masks_symlinked_root);
  g_test_add_func ("/gocker/harden/userns/parse-map", test_userns_parse_map);
  g_test_add_func ("/gocker/harden/userns/subid-ensure", test_subid_ensure);
  g_test_add_func ("/gocker/harden/userns/subid-too-small", test_subid_too_small);
  g_test_add_func ("/gocker/harden/userns/enter", test_userns_enter);
  g_test_add_func ("/gocker/harden/userns/idmapped-overlay", test_userns_overlay);
  g_test_add_func ("/gocker/harden/userns/shift-copy", test_userns_shift_copy);
  g_test_add_func ("/gocker/harden/init/exit-status", test_init_exit_status);
  g_test_add_func ("/gocker/harden/init/forwards-signals", test_init_forwards_signals);
  g_test_add_func ("/gocker/harden/init/reaps-orphans", test_init_reaps_orphans);

  return g_test_run ();
}
