/* Tests for helper/engine/cgroup*.c on the real kernel.
 *
 * Needs root. Every test works under its own parent cgroup
 * "gocker-test-PID" in each hierarchy and removes it afterwards, killing
 * every process it started, whether the test passed or not. The mount-table
 * parser is tested on synthetic mountinfo text, because the other layouts
 * (pure v2, co-mounted cpu,cpuacct) cannot be produced on one host. */
#define G_LOG_DOMAIN "gocker-test-cgroup"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cgroup.h"
#include "cgroup-private.h"
#include "engine.h"

#define MiB (1024 * 1024)
/* How long the test waits for a child to report, before failing. */
#define CHILD_TIMEOUT_MS 20000

typedef enum {
  CHILD_IDLE,      /* touch a few MiB, report, sleep */
  CHILD_HOG,       /* touch more memory than any limit used here */
  CHILD_FORKER,    /* fork until the pids limit stops it, report why */
  CHILD_PARENT,    /* fork one sleeping grandchild, report, sleep */
} ChildMode;

typedef struct {
  char *parent;           /* "gocker-test-PID" */
  char *path;             /* "gocker-test-PID/RANDOM" */
  GArray *children;       /* pids to kill and reap in teardown */
} Fixture;

/* Test data of the variants that run as if the host had no unified
 * hierarchy: no cgroup.kill, cgroup.freeze or cgroup.events, so signals go
 * through cgroup.procs and kill(). */
#define WITHOUT_UNIFIED GINT_TO_POINTER (1)

static void
remove_parents (Fixture *fixture)
{
  const GockerCgroupLayout *layout = gocker_cgroup_layout_get (NULL);
  g_autoptr(GPtrArray) parents = NULL;

  if (layout == NULL)
    return;
  parents = gocker_cgroup_layout_dirs (layout, fixture->parent);
  for (guint i = 0; i < parents->len; i++)
    {
      const char *dir = g_ptr_array_index (parents, i);
      if (rmdir (dir) < 0 && errno != ENOENT)
        g_warning ("Teardown: cannot remove %s: %s", dir, g_strerror (errno));
    }
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  if (data == WITHOUT_UNIFIED)
    {
      const GockerCgroupLayout *real = gocker_cgroup_layout_get (NULL);
      GockerCgroupLayout *layout;

      g_assert_nonnull (real);
      layout = g_new0 (GockerCgroupLayout, 1);
      for (guint c = 0; c < GOCKER_CGROUP_N_CONTROLLERS; c++)
        layout->v1[c] = g_strdup (real->v1[c]);
      /* Must be the last use of @real, which this frees. */
      gocker_cgroup_layout_replace (layout);
    }

  fixture->parent = g_strdup_printf ("gocker-test-%d", (int) getpid ());
  fixture->path = g_strdup_printf ("%s/%08x", fixture->parent, g_random_int ());
  fixture->children = g_array_new (FALSE, FALSE, sizeof (pid_t));
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < fixture->children->len; i++)
    {
      pid_t pid = g_array_index (fixture->children, pid_t, i);
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
    }

  if (!gocker_cgroup_destroy (fixture->path, &error))
    g_warning ("Teardown: %s", error->message);
  remove_parents (fixture);

  if (data == WITHOUT_UNIFIED)
    {
      /* Back to the real mount table; remove what it has beyond the
       * replacement layout (nothing, unless the test went wrong). */
      gocker_cgroup_layout_replace (NULL);
      if (!gocker_cgroup_destroy (fixture->path, &error))
        g_warning ("Teardown: %s", error->message);
      remove_parents (fixture);
    }

  g_array_unref (fixture->children);
  g_free (fixture->path);
  g_free (fixture->parent);
}

static gboolean
skip_unless_root (void)
{
  if (getuid () == 0)
    return FALSE;
  g_test_skip ("cgroup tests need root");
  return TRUE;
}

/* Only the limit fields matter to the cgroup code. */
#define LIMITS(cpus, memory, pids) \
  { .cpu_limit = (cpus), .memory_limit = (memory), .pids_limit = (pids) }

static GPtrArray *
dirs_of (const char *cgroup_path)
{
  g_autoptr(GError) error = NULL;
  const GockerCgroupLayout *layout = gocker_cgroup_layout_get (&error);

  g_assert_no_error (error);
  g_assert_nonnull (layout);
  return gocker_cgroup_layout_dirs (layout, cgroup_path);
}

static void
assert_dirs_exist (const char *cgroup_path, gboolean exist)
{
  g_autoptr(GPtrArray) dirs = dirs_of (cgroup_path);

  g_assert_cmpuint (dirs->len, >, 0);
  for (guint i = 0; i < dirs->len; i++)
    {
      const char *dir = g_ptr_array_index (dirs, i);
      g_test_message ("checking %s", dir);
      g_assert_cmpint (g_file_test (dir, G_FILE_TEST_IS_DIR), ==, exist);
    }
}

/* The directory of the container's cgroup in the hierarchy that carries
 * @controller: the unified one on v2, its v1 mount otherwise. */
static char *
controller_dir (const char *cgroup_path, GockerCgroupController controller)
{
  const GockerCgroupLayout *layout = gocker_cgroup_layout_get (NULL);

  g_assert_nonnull (layout);
  if (layout->v2)
    return g_build_filename (layout->unified, cgroup_path, NULL);
  g_assert_nonnull (layout->v1[controller]);
  return g_build_filename (layout->v1[controller], cgroup_path, NULL);
}

static char *
read_stripped (const char *dir, const char *name)
{
  g_autoptr(GError) error = NULL;
  char *text = gocker_cgroup_read (dir, name, &error);

  g_assert_no_error (error);
  return g_strstrip (text);
}

static void
assert_file (const char *dir, const char *name, const char *expected)
{
  g_autofree char *text = read_stripped (dir, name);

  g_test_message ("%s/%s = %s", dir, name, text);
  g_assert_cmpstr (text, ==, expected);
}

/* ---- children ---------------------------------------------------------- */

static void
write_all (int fd, const void *data, size_t len)
{
  if (write (fd, data, len) != (ssize_t) len)
    _exit (120);
}

static void
touch_memory (size_t bytes)
{
  char *block = mmap (NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  if (block == MAP_FAILED)
    _exit (121);
  for (size_t offset = 0; offset < bytes; offset += 4096)
    block[offset] = 1;
}

static G_NORETURN void
sleep_forever (void)
{
  for (;;)
    pause ();
}

static G_NORETURN void
run_child (ChildMode mode, int result_fd)
{
  switch (mode)
    {
    case CHILD_IDLE:
      touch_memory (4 * MiB);
      write_all (result_fd, "r", 1);
      sleep_forever ();

    case CHILD_HOG:
      touch_memory (256 * MiB);
      write_all (result_fd, "x", 1);
      _exit (0);

    case CHILD_PARENT:
    case CHILD_FORKER:
      {
        int forked = 0;
        int error_number = 0;

        for (; forked < 64; forked++)
          {
            pid_t pid = fork ();

            if (pid < 0)
              {
                error_number = errno;
                break;
              }
            if (pid == 0)
              {
                prctl (PR_SET_PDEATHSIG, SIGKILL);
                sleep_forever ();
              }
            if (mode == CHILD_PARENT)
              {
                forked++;
                break;
              }
          }
        write_all (result_fd, &forked, sizeof forked);
        write_all (result_fd, &error_number, sizeof error_number);
        sleep_forever ();
      }
    }
  _exit (122);
}

/* Fork a child, move it into the fixture's cgroup, then let it run @mode.
 * Returns the read end of the pipe the child reports on. */
static int
start_child (Fixture *fixture, ChildMode mode, pid_t *out_pid)
{
  g_autoptr(GError) error = NULL;
  int go[2], result[2];
  pid_t pid;
  char byte = 'g';

  g_assert_cmpint (pipe2 (go, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (result, O_CLOEXEC), ==, 0);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      close (go[1]);
      close (result[0]);
      /* Wait until the parent attached us, so what follows is charged to
       * the container's cgroup. */
      if (read (go[0], &byte, 1) != 1)
        _exit (123);
      run_child (mode, result[1]);
    }

  g_array_append_val (fixture->children, pid);
  close (go[0]);
  close (result[1]);

  gocker_cgroup_attach (fixture->path, pid, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (go[1], &byte, 1), ==, 1);
  close (go[1]);

  *out_pid = pid;
  return result[0];
}

/* Read @len bytes the child reported. FALSE on end-of-file (the child
 * died); fails the test after CHILD_TIMEOUT_MS. */
static gboolean
read_report (int fd, void *buffer, size_t len)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  size_t done = 0;

  while (done < len)
    {
      ssize_t n;

      g_assert_cmpint (poll (&pfd, 1, CHILD_TIMEOUT_MS), ==, 1);
      n = read (fd, (char *) buffer + done, len - done);
      g_assert_cmpint (n, >=, 0);
      if (n == 0)
        return FALSE;
      done += n;
    }
  return TRUE;
}

/* Reap @pid (with a bound) and forget it in the fixture. */
static int
reap (Fixture *fixture, pid_t pid)
{
  int status = 0;

  for (guint i = 0; i < CHILD_TIMEOUT_MS / 10; i++)
    {
      pid_t done = waitpid (pid, &status, WNOHANG);

      g_assert_cmpint (done, >=, 0);
      if (done == pid)
        {
          for (guint j = 0; j < fixture->children->len; j++)
            if (g_array_index (fixture->children, pid_t, j) == pid)
              g_array_remove_index (fixture->children, j);
          return status;
        }
      g_usleep (10 * 1000);
    }
  g_assert_not_reached ();
}

static gboolean
procs_contains (const char *dir, pid_t pid)
{
  g_autofree char *text = read_stripped (dir, "cgroup.procs");
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *expected = g_strdup_printf ("%d", (int) pid);

  return g_strv_contains ((const char *const *) lines, expected);
}

/* ---- tests ------------------------------------------------------------- */

static void
test_layout_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("gocker-cgroup-XXXXXX", &error);
  g_autofree char *mount_point = NULL;
  g_autofree char *controllers = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GockerCgroupLayout) layout = NULL;

  g_assert_no_error (error);

  /* A hybrid host: v1 controllers, cpu and cpuacct co-mounted, and a
   * unified hierarchy without controllers. */
  text = g_strdup ("24 1 0:20 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
                   "25 24 0:21 / /sys/fs/cgroup/unified rw shared:5 - cgroup2 cgroup2 rw\n"
                   "26 24 0:22 / /sys/fs/cgroup/cpu,cpuacct rw shared:6 - cgroup cgroup rw,cpu,cpuacct\n"
                   "27 24 0:23 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                   "28 24 0:24 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
                   "29 24 0:25 / /sys/fs/cgroup/my\\040dir rw - cgroup cgroup rw,name=systemd\n");
  layout = gocker_cgroup_layout_parse (text, &error);
  g_assert_no_error (error);
  g_assert_false (layout->v2);
  g_assert_cmpstr (layout->unified, ==, "/sys/fs/cgroup/unified");
  g_assert_cmpstr (layout->v1[GOCKER_CGROUP_CPU], ==, "/sys/fs/cgroup/cpu,cpuacct");
  g_assert_cmpstr (layout->v1[GOCKER_CGROUP_CPUACCT], ==, "/sys/fs/cgroup/cpu,cpuacct");
  g_assert_cmpstr (layout->v1[GOCKER_CGROUP_MEMORY], ==, "/sys/fs/cgroup/memory");
  g_assert_cmpstr (layout->v1[GOCKER_CGROUP_PIDS], ==, "/sys/fs/cgroup/pids");
  {
    /* Co-mounted controllers share one directory, listed once. */
    g_autoptr(GPtrArray) dirs = gocker_cgroup_layout_dirs (layout, "gocker/abc");
    g_assert_cmpuint (dirs->len, ==, 4);
    g_assert_cmpstr (g_ptr_array_index (dirs, 0), ==, "/sys/fs/cgroup/unified/gocker/abc");
  }
  g_clear_pointer (&layout, gocker_cgroup_layout_free);
  g_clear_pointer (&text, g_free);

  /* Pure v2, with the controllers listed by the root cgroup. The mount
   * point contains a space, which mountinfo writes as \040. */
  mount_point = g_build_filename (tmp, "cgroup root", NULL);
  g_assert_cmpint (g_mkdir (mount_point, 0700), ==, 0);
  controllers = g_build_filename (mount_point, "cgroup.controllers", NULL);
  g_file_set_contents (controllers, "cpuset cpu io memory hugetlb pids rdma misc\n", -1, &error);
  g_assert_no_error (error);
  text = g_strdup_printf ("30 1 0:26 / %s/cgroup\\040root rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n",
                          tmp);
  layout = gocker_cgroup_layout_parse (text, &error);
  g_assert_no_error (error);
  g_assert_true (layout->v2);
  g_assert_cmpstr (layout->unified, ==, mount_point);
  {
    g_autoptr(GPtrArray) dirs = gocker_cgroup_layout_dirs (layout, "gocker/abc");
    g_assert_cmpuint (dirs->len, ==, 1);
  }
  g_clear_pointer (&layout, gocker_cgroup_layout_free);
  g_clear_pointer (&text, g_free);

  /* cgroup2 without pids enabled at its root is not enough for v2. */
  g_file_set_contents (controllers, "cpu memory\n", -1, &error);
  g_assert_no_error (error);
  text = g_strdup_printf ("30 1 0:26 / %s/cgroup\\040root rw - cgroup2 cgroup2 rw\n"
                          "31 1 0:27 / /v1/pids rw - cgroup cgroup rw,pids\n", tmp);
  layout = gocker_cgroup_layout_parse (text, &error);
  g_assert_no_error (error);
  g_assert_false (layout->v2);
  g_assert_cmpstr (layout->v1[GOCKER_CGROUP_PIDS], ==, "/v1/pids");
  g_clear_pointer (&layout, gocker_cgroup_layout_free);
  g_clear_pointer (&text, g_free);

  /* No cgroup mounted at all. */
  layout = gocker_cgroup_layout_parse ("24 1 0:20 / / rw - ext4 /dev/sda1 rw\n", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_null (layout);

  g_assert_cmpint (g_unlink (controllers), ==, 0);
  g_assert_cmpint (g_rmdir (mount_point), ==, 0);
  g_assert_cmpint (g_rmdir (tmp), ==, 0);
}

static void
test_this_host (void)
{
  const GockerCgroupLayout *layout = gocker_cgroup_layout_get (NULL);
  const char *version = gocker_cgroup_version ();

  g_assert_nonnull (layout);
  g_test_message ("cgroup version %s, unified %s", version, layout->unified);
  g_assert_cmpstr (version, ==, layout->v2 ? "v2" : "v1");
}

static void
test_cpu_quota (void)
{
  g_assert_cmpint (gocker_cgroup_cpu_quota (0), ==, 0);
  g_assert_cmpint (gocker_cgroup_cpu_quota (0.5), ==, 50000);
  g_assert_cmpint (gocker_cgroup_cpu_quota (0.29), ==, 29000);
  g_assert_cmpint (gocker_cgroup_cpu_quota (0.01), ==, 1000);
  g_assert_cmpint (gocker_cgroup_cpu_quota (2), ==, 200000);
}

static void
test_invalid_path (Fixture *fixture, gconstpointer data)
{
  const char *bad[] = { "", "/gocker/x", "../x", "gocker/../x", "gocker//x", "gocker/./x" };
  const GockerSpec spec = LIMITS (0, 0, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (gocker_cgroup_create (bad[i], &spec, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, bad[i]));
    }
}

static void
test_create_limits (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const GockerSpec spec = LIMITS (0.5, 64 * MiB, 20);
  g_autofree char *memory = NULL;
  g_autofree char *cpu = NULL;
  g_autofree char *pids = NULL;
  g_autofree char *memsw = NULL;

  if (skip_unless_root ())
    return;

  gocker_cgroup_create (fixture->path, &spec, &error);
  g_assert_no_error (error);
  assert_dirs_exist (fixture->path, TRUE);

  memory = controller_dir (fixture->path, GOCKER_CGROUP_MEMORY);
  cpu = controller_dir (fixture->path, GOCKER_CGROUP_CPU);
  pids = controller_dir (fixture->path, GOCKER_CGROUP_PIDS);

  if (g_str_equal (gocker_cgroup_version (), "v2"))
    {
      assert_file (memory, "memory.max", "67108864");
      assert_file (cpu, "cpu.max", "50000 100000");
      assert_file (pids, "pids.max", "20");
    }
  else
    {
      assert_file (memory, "memory.limit_in_bytes", "67108864");
      memsw = g_build_filename (memory, "memory.memsw.limit_in_bytes", NULL);
      if (g_file_test (memsw, G_FILE_TEST_EXISTS))
        assert_file (memory, "memory.memsw.limit_in_bytes", "67108864");
      assert_file (cpu, "cpu.cfs_period_us", "100000");
      assert_file (cpu, "cpu.cfs_quota_us", "50000");
      assert_file (pids, "pids.max", "20");
    }

  gocker_cgroup_destroy (fixture->path, &error);
  g_assert_no_error (error);
  assert_dirs_exist (fixture->path, FALSE);

  /* Destroying what is gone is not an error. */
  gocker_cgroup_destroy (fixture->path, &error);
  g_assert_no_error (error);
  gocker_cgroup_signal_all (fixture->path, SIGKILL, &error);
  g_assert_no_error (error);
}

static void
test_create_unlimited (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const GockerSpec spec = LIMITS (0, 0, 0);
  g_autofree char *cpu = NULL;
  g_autofree char *pids = NULL;

  if (skip_unless_root ())
    return;

  gocker_cgroup_create (fixture->path, &spec, &error);
  g_assert_no_error (error);

  cpu = controller_dir (fixture->path, GOCKER_CGROUP_CPU);
  pids = controller_dir (fixture->path, GOCKER_CGROUP_PIDS);
  assert_file (pids, "pids.max", "max");
  if (g_str_equal (gocker_cgroup_version (), "v2"))
    assert_file (cpu, "cpu.max", "max 100000");
  else
    assert_file (cpu, "cpu.cfs_quota_us", "-1");
}

static void
test_create_exists (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const GockerSpec spec = LIMITS (0, 0, 20);
  const GockerSpec other = LIMITS (0, 0, 5);
  g_autofree char *pids = NULL;

  if (skip_unless_root ())
    return;

  gocker_cgroup_create (fixture->path, &spec, &error);
  g_assert_no_error (error);

  g_assert_false (gocker_cgroup_create (fixture->path, &other, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_test_message ("%s", error->message);

  /* The first cgroup is untouched. */
  assert_dirs_exist (fixture->path, TRUE);
  pids = controller_dir (fixture->path, GOCKER_CGROUP_PIDS);
  assert_file (pids, "pids.max", "20");
}

static void
test_create_invalid_write (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  /* 0.001 CPU is a 100 µs quota, below the kernel's 1 ms minimum. The spec
   * parser rejects it; here it stands for any value the kernel refuses
   * after the directories exist. */
  const GockerSpec spec = LIMITS (0.001, 64 * MiB, 20);
  const char *file = g_str_equal (gocker_cgroup_version (), "v2") ? "cpu.max" : "cpu.cfs_quota_us";

  if (skip_unless_root ())
    return;

  g_assert_false (gocker_cgroup_create (fixture->path, &spec, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, file));
  g_assert_nonnull (strstr (error->message, "“100"));
  assert_dirs_exist (fixture->path, FALSE);
}

static void
test_attach_stats_kill (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const GockerSpec spec = LIMITS (1, 64 * MiB, 20);
  g_autoptr(GPtrArray) dirs = NULL;
  GockerStats stats;
  pid_t pid;
  int fd, status;
  char report;

  if (skip_unless_root ())
    return;

  gocker_cgroup_create (fixture->path, &spec, &error);
  g_assert_no_error (error);

  fd = start_child (fixture, CHILD_IDLE, &pid);
  g_assert_true (read_report (fd, &report, 1));
  g_assert_cmpint (report, ==, 'r');

  dirs = dirs_of (fixture->path);
  for (guint i = 0; i < dirs->len; i++)
    {
      g_test_message ("looking for %d in %s", (int) pid, (char *) g_ptr_array_index (dirs, i));
      g_assert_true (procs_contains (g_ptr_array_index (dirs, i), pid));
    }

  gocker_cgroup_read_stats (fixture->path, &stats, &error);
  g_assert_no_error (error);
  g_test_message ("cpu %" G_GUINT64_FORMAT " ns, memory %" G_GUINT64_FORMAT " B, pids %" G_GUINT64_FORMAT,
                  stats.cpu_usage_ns, stats.memory_bytes, stats.pids);
  g_assert_cmpuint (stats.pids, ==, 1);
  g_assert_cmpuint (stats.memory_bytes, >=, 4 * MiB);
  g_assert_cmpuint (stats.cpu_usage_ns, >, 0);
  g_assert_false (gocker_cgroup_oom_killed (fixture->path));

  gocker_cgroup_signal_all (fixture->path, SIGKILL, &error);
  g_assert_no_error (error);
  status = reap (fixture, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
  close (fd);

  gocker_cgroup_destroy (fixture->path, &error);
  g_assert_no_error (error);
  assert_dirs_exist (fixture->path, FALSE);
}

static void
test_signal_term (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const GockerSpec spec = LIMITS (0, 0, 20);
  pid_t pid;
  int fd, status;
  char report;

  if (skip_unless_root ())
    return;

  gocker_cgroup_create (fixture->path, &spec, &error);
  g_assert_no_error (error);
  fd = start_child (fixture, CHILD_IDLE, &pid);
  g_assert_true (read_report (fd, &report, 1));

  gocker_cgroup_signal_all (fixture->path, SIGTERM, &error);
  g_assert_no_error (error);
  status = reap (fixture, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGTERM);
  close (fd);
}

static void
test_destroy_kills (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const GockerSpec spec = LIMITS (0, 0, 20);
  pid_t pid;
  int fd, status, forked = 0, error_number = 0;

  if (skip_unless_root ())
    return;

  gocker_cgroup_create (fixture->path, &spec, &error);
  g_assert_no_error (error);
  fd = start_child (fixture, CHILD_PARENT, &pid);
  g_assert_true (read_report (fd, &forked, sizeof forked));
  g_assert_true (read_report (fd, &error_number, sizeof error_number));
  g_assert_cmpint (forked, ==, 1);

  /* Two processes, the child and its child; destroy kills both without
   * anyone reaping the child first. */
  gocker_cgroup_destroy (fixture->path, &error);
  g_assert_no_error (error);
  assert_dirs_exist (fixture->path, FALSE);

  status = reap (fixture, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
  close (fd);
}

static void
test_memory_limit_kills (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const GockerSpec spec = LIMITS (0, 16 * MiB, 20);
  pid_t pid;
  int fd, status;
  char report;

  if (skip_unless_root ())
    return;

  gocker_cgroup_create (fixture->path, &spec, &error);
  g_assert_no_error (error);
  g_assert_false (gocker_cgroup_oom_killed (fixture->path));

  fd = start_child (fixture, CHILD_HOG, &pid);
  /* End-of-file rather than a report: the child died allocating. */
  g_assert_false (read_report (fd, &report, 1));
  status = reap (fixture, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
  g_assert_true (gocker_cgroup_oom_killed (fixture->path));
  close (fd);
}

static void
test_pids_limit (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const GockerSpec spec = LIMITS (0, 0, 4);
  GockerStats stats;
  pid_t pid;
  int fd, forked = 0, error_number = 0;

  if (skip_unless_root ())
    return;

  gocker_cgroup_create (fixture->path, &spec, &error);
  g_assert_no_error (error);
  fd = start_child (fixture, CHILD_FORKER, &pid);
  g_assert_true (read_report (fd, &forked, sizeof forked));
  g_assert_true (read_report (fd, &error_number, sizeof error_number));

  /* The child itself counts: 4 processes = the child + 3 forks. */
  g_assert_cmpint (forked, ==, 3);
  g_assert_cmpint (error_number, ==, EAGAIN);

  gocker_cgroup_read_stats (fixture->path, &stats, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats.pids, ==, 4);

  gocker_cgroup_destroy (fixture->path, &error);
  g_assert_no_error (error);
  assert_dirs_exist (fixture->path, FALSE);
  reap (fixture, pid);
  close (fd);
}

/* Remove what a test process left behind: the cgroups under
 * "gocker-test-@runner" in every hierarchy, killing anything in them. */
static void
sweep (pid_t runner)
{
  g_autofree char *parent = g_strdup_printf ("gocker-test-%d", (int) runner);
  g_autoptr(GPtrArray) dirs = dirs_of (parent);

  for (guint i = 0; i < dirs->len; i++)
    {
      const char *dir = g_ptr_array_index (dirs, i);
      g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
      const char *name;

      while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
        {
          g_autofree char *child = g_build_filename (dir, name, NULL);
          g_autofree char *path = g_build_filename (parent, name, NULL);
          g_autoptr(GError) error = NULL;

          if (!g_file_test (child, G_FILE_TEST_IS_DIR))
            continue;
          g_printerr ("Removing cgroup %s left by a failed test\n", path);
          if (!gocker_cgroup_destroy (path, &error))
            g_printerr ("Cannot remove cgroup %s: %s\n", path, error->message);
        }
      if (rmdir (dir) < 0 && errno != ENOENT)
        g_printerr ("Cannot remove %s: %s\n", dir, g_strerror (errno));
    }
}

int
main (int argc, char **argv)
{
  pid_t runner;
  int status = 0;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gocker/cgroup/layout/parse", test_layout_parse);
  g_test_add_func ("/gocker/cgroup/layout/this-host", test_this_host);
  g_test_add_func ("/gocker/cgroup/cpu-quota", test_cpu_quota);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/gocker/cgroup/create/invalid-path", test_invalid_path);
  ADD ("/gocker/cgroup/create/limits", test_create_limits);
  ADD ("/gocker/cgroup/create/unlimited", test_create_unlimited);
  ADD ("/gocker/cgroup/create/exists", test_create_exists);
  ADD ("/gocker/cgroup/create/invalid-write", test_create_invalid_write);
  ADD ("/gocker/cgroup/attach/stats-and-kill", test_attach_stats_kill);
  ADD ("/gocker/cgroup/signal/term", test_signal_term);
  ADD ("/gocker/cgroup/destroy/kills", test_destroy_kills);
  ADD ("/gocker/cgroup/limits/memory-kills", test_memory_limit_kills);
  ADD ("/gocker/cgroup/limits/pids-fork-fails", test_pids_limit);

  /* Without the unified hierarchy, only on hosts where the limits are on
   * v1; a v2 host has no other hierarchy to fall back to. */
  if (!g_str_equal (gocker_cgroup_version (), "v2"))
    {
#define ADD_WITHOUT_UNIFIED(path, func) \
  g_test_add (path, Fixture, WITHOUT_UNIFIED, fixture_setup, func, fixture_teardown)
      ADD_WITHOUT_UNIFIED ("/gocker/cgroup/without-unified/attach/stats-and-kill", test_attach_stats_kill);
      ADD_WITHOUT_UNIFIED ("/gocker/cgroup/without-unified/signal/term", test_signal_term);
      ADD_WITHOUT_UNIFIED ("/gocker/cgroup/without-unified/destroy/kills", test_destroy_kills);
      ADD_WITHOUT_UNIFIED ("/gocker/cgroup/without-unified/limits/pids-fork-fails", test_pids_limit);
#undef ADD_WITHOUT_UNIFIED
    }
#undef ADD

  if (getuid () != 0)
    return g_test_run ();

  /* A failed assertion aborts the process before any teardown runs, so the
   * tests run in a child and this process removes what it left behind. */
  runner = fork ();
  g_assert_cmpint (runner, >=, 0);
  if (runner == 0)
    return g_test_run ();

  while (waitpid (runner, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  sweep (runner);

  if (WIFSIGNALED (status))
    {
      g_printerr ("Test process died from signal %d (%s)\n",
                  WTERMSIG (status), g_strsignal (WTERMSIG (status)));
      return 128 + WTERMSIG (status);
    }
  return WEXITSTATUS (status);
}
