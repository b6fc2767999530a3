/* Per-container cgroups: finding the hierarchies, creating, attaching,
 * signalling and removing. The limit files, statistics and OOM events of
 * each version are in cgroup-v1.c and cgroup-v2.c.
 *
 * The hierarchies come from /proc/self/mountinfo. A cgroup2 mount whose
 * cgroup.controllers lists memory, cpu and pids makes this a v2 host.
 * Otherwise the v1 mounts with those controllers carry the limits, and a
 * cgroup2 mount without controllers (the unified hierarchy of a hybrid
 * host) still gets a cgroup for cgroup.kill, cgroup.freeze and
 * cgroup.events. */
#define G_LOG_DOMAIN "gocker-cgroup"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gio.h>

#include "cgroup.h"
#include "cgroup-private.h"
#include "engine.h"

/* How long destroy waits for killed processes to leave the cgroup, and the
 * interval for polling cgroup.procs or cgroup.events. */
#define DRAIN_TIMEOUT_US (5 * G_USEC_PER_SEC)
#define POLL_INTERVAL_US (10 * 1000)
/* Without cgroup.kill, signal_all reads cgroup.procs and kills every pid
 * at most this many times before giving up on processes that keep forking. */
#define KILL_ROUNDS 200
#define FREEZE_TIMEOUT_US (G_USEC_PER_SEC)
/* How often the prewarm thread writes, well within one grace period (5 to
 * 20 ms here), and how long one hold lasts at most. */
#define PREWARM_INTERVAL_US (2 * 1000)
#define PREWARM_LIMIT_US (2 * G_USEC_PER_SEC)

static const char *const controller_names[GOCKER_CGROUP_N_CONTROLLERS] = {
  [GOCKER_CGROUP_MEMORY] = "memory",
  [GOCKER_CGROUP_CPU] = "cpu",
  [GOCKER_CGROUP_CPUACCT] = "cpuacct",
  [GOCKER_CGROUP_PIDS] = "pids",
};

void
gocker_cgroup_layout_free (GockerCgroupLayout *layout)
{
  if (layout == NULL)
    return;
  g_free (layout->unified);
  for (guint i = 0; i < GOCKER_CGROUP_N_CONTROLLERS; i++)
    g_free (layout->v1[i]);
  g_free (layout);
}

/* Check whether the unified hierarchy at @mount_point offers memory, cpu
 * and pids. An unreadable cgroup.controllers counts as none, so the host
 * falls back to v1. */
static gboolean
unified_has_all_controllers (const char *mount_point)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  gboolean found[GOCKER_CGROUP_N_CONTROLLERS] = { FALSE, };

  text = gocker_cgroup_read (mount_point, "cgroup.controllers", &error);
  if (text == NULL)
    {
      g_debug ("No controllers in the unified hierarchy: %s", error->message);
      return FALSE;
    }

  names = g_strsplit_set (g_strstrip (text), " \n", -1);
  for (guint i = 0; names[i] != NULL; i++)
    for (guint c = 0; c < GOCKER_CGROUP_N_CONTROLLERS; c++)
      if (g_str_equal (names[i], controller_names[c]))
        found[c] = TRUE;

  /* cgroup2 has no cpuacct controller because its cpu.stat reports usage. */
  return found[GOCKER_CGROUP_MEMORY] && found[GOCKER_CGROUP_CPU] && found[GOCKER_CGROUP_PIDS];
}

GockerCgroupLayout *
gocker_cgroup_layout_parse (const char *mountinfo, GError **error)
{
  g_autoptr(GockerCgroupLayout) layout = g_new0 (GockerCgroupLayout, 1);
  g_auto(GStrv) lines = g_strsplit (mountinfo, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* "ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS" */
      const char *separator = strstr (lines[i], " - ");
      g_auto(GStrv) before = NULL;
      g_auto(GStrv) after = NULL;
      g_autofree char *mount_point = NULL;

      if (separator == NULL)
        continue;
      before = g_strsplit (lines[i], " ", 6);
      after = g_strsplit (separator + 3, " ", 3);
      if (g_strv_length (before) < 6 || g_strv_length (after) < 3)
        continue;

      /* Spaces and backslashes in the mount point are octal escapes. */
      mount_point = g_strcompress (before[4]);

      if (g_str_equal (after[0], "cgroup2"))
        {
          if (layout->unified == NULL)
            layout->unified = g_steal_pointer (&mount_point);
        }
      else if (g_str_equal (after[0], "cgroup"))
        {
          g_auto(GStrv) options = g_strsplit (after[2], ",", -1);

          for (guint o = 0; options[o] != NULL; o++)
            for (guint c = 0; c < GOCKER_CGROUP_N_CONTROLLERS; c++)
              if (layout->v1[c] == NULL && g_str_equal (options[o], controller_names[c]))
                layout->v1[c] = g_strdup (mount_point);
        }
    }

  if (layout->unified != NULL)
    layout->v2 = unified_has_all_controllers (layout->unified);

  if (!layout->v2 && layout->unified == NULL &&
      layout->v1[GOCKER_CGROUP_MEMORY] == NULL &&
      layout->v1[GOCKER_CGROUP_CPU] == NULL &&
      layout->v1[GOCKER_CGROUP_PIDS] == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "No cgroup hierarchy is mounted (no cgroup or cgroup2 entry in the mount table); "
                   "mount cgroup2 on /sys/fs/cgroup");
      return NULL;
    }

  return g_steal_pointer (&layout);
}

static GMutex layout_lock;
static GockerCgroupLayout *layout_cached = NULL;

void
gocker_cgroup_layout_replace (GockerCgroupLayout *layout)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&layout_lock);

  g_clear_pointer (&layout_cached, gocker_cgroup_layout_free);
  layout_cached = layout;
}

const GockerCgroupLayout *
gocker_cgroup_layout_get (GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&layout_lock);
  g_autofree char *mountinfo = NULL;

  if (layout_cached != NULL)
    return layout_cached;

  if (!g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, error))
    {
      g_prefix_error (error, "Finding the cgroup hierarchies: ");
      return NULL;
    }

  /* Only a successful parse is kept, so a later call can retry. */
  layout_cached = gocker_cgroup_layout_parse (mountinfo, error);
  if (layout_cached != NULL)
    g_debug ("cgroup layout: %s, unified %s, memory %s, cpu %s, cpuacct %s, pids %s",
             layout_cached->v2 ? "v2" : "v1",
             layout_cached->unified ? layout_cached->unified : "-",
             layout_cached->v1[GOCKER_CGROUP_MEMORY] ? layout_cached->v1[GOCKER_CGROUP_MEMORY] : "-",
             layout_cached->v1[GOCKER_CGROUP_CPU] ? layout_cached->v1[GOCKER_CGROUP_CPU] : "-",
             layout_cached->v1[GOCKER_CGROUP_CPUACCT] ? layout_cached->v1[GOCKER_CGROUP_CPUACCT] : "-",
             layout_cached->v1[GOCKER_CGROUP_PIDS] ? layout_cached->v1[GOCKER_CGROUP_PIDS] : "-");
  return layout_cached;
}

static void
add_unique (GPtrArray *mounts, const char *mount_point)
{
  if (mount_point == NULL)
    return;
  for (guint i = 0; i < mounts->len; i++)
    if (g_str_equal (g_ptr_array_index (mounts, i), mount_point))
      return;
  g_ptr_array_add (mounts, (gpointer) mount_point);
}

GPtrArray *
gocker_cgroup_layout_dirs (const GockerCgroupLayout *layout, const char *cgroup_path)
{
  g_autoptr(GPtrArray) mounts = g_ptr_array_new ();
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);

  add_unique (mounts, layout->unified);
  if (!layout->v2)
    for (guint c = 0; c < GOCKER_CGROUP_N_CONTROLLERS; c++)
      add_unique (mounts, layout->v1[c]);

  for (guint i = 0; i < mounts->len; i++)
    g_ptr_array_add (dirs, g_build_filename (g_ptr_array_index (mounts, i), cgroup_path, NULL));
  return dirs;
}

gboolean
gocker_cgroup_path_validate (const char *cgroup_path, GError **error)
{
  g_auto(GStrv) parts = NULL;

  if (cgroup_path == NULL || cgroup_path[0] == '\0' || cgroup_path[0] == '/')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid cgroup path “%s”: expected a relative path such as “gocker/ID”",
                   cgroup_path ? cgroup_path : "");
      return FALSE;
    }

  parts = g_strsplit (cgroup_path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "Invalid cgroup path “%s”: empty, “.” and “..” components are not allowed",
                     cgroup_path);
        return FALSE;
      }
  return TRUE;
}

gboolean
gocker_cgroup_write (const char *dir, const char *name, const char *value, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  size_t len = strlen (value);
  ssize_t written;
  int fd;

  /* One write() per value, in place: the kernel parses each write as one
   * value and reports a rejected value as the error of write(). */
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot open %s to write “%s”: %s", path, value, g_strerror (saved_errno));
      return FALSE;
    }

  written = write (fd, value, len);
  if (written < 0 || (size_t) written != len)
    {
      int saved_errno = written < 0 ? errno : EIO;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot write “%s” to %s: %s", value, path, g_strerror (saved_errno));
      return FALSE;
    }

  if (close (fd) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot write “%s” to %s: %s", value, path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

char *
gocker_cgroup_read (const char *dir, const char *name, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;

  /* g_file_get_contents reads to end-of-file, as needed for pseudo files
   * that report a size of 0. Its error already names the path. */
  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  return text;
}

gboolean
gocker_cgroup_read_key (const char *dir, const char *name, const char *key,
                        guint64 *out, GError **error)
{
  g_autofree char *text = gocker_cgroup_read (dir, name, error);
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    return FALSE;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 2);

      if (g_strv_length (fields) == 2 && g_str_equal (fields[0], key))
        {
          if (!g_ascii_string_to_unsigned (g_strstrip (fields[1]), 10, 0, G_MAXUINT64, out, NULL))
            break;
          return TRUE;
        }
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "No numeric “%s” entry in %s/%s", key, dir, name);
  return FALSE;
}

gboolean
gocker_cgroup_read_u64 (const char *dir, const char *name, guint64 *out, GError **error)
{
  g_autofree char *text = gocker_cgroup_read (dir, name, error);

  if (text == NULL)
    return FALSE;
  if (!g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, G_MAXUINT64, out, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Unexpected content “%s” in %s/%s, expected a number", text, dir, name);
      return FALSE;
    }
  return TRUE;
}

char *
gocker_cgroup_format_limit (guint64 value)
{
  if (value == 0)
    return g_strdup ("max");
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

gint64
gocker_cgroup_cpu_quota (double cpus)
{
  if (cpus <= 0)
    return 0;
  /* Round rather than truncate: 0.29 * 100000 is 28999.999... in binary. */
  return (gint64) (cpus * GOCKER_CPU_PERIOD_US + 0.5);
}

/* Remove @dir and any cgroups a container created below it, deepest first.
 * A missing directory is not an error. */
static gboolean
remove_cgroup_tree (const char *dir, GError **error)
{
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  /* Interface files do not count, so a cgroup without child cgroups goes
   * with one rmdir(). The listing below is only for nested cgroups. */
  if (rmdir (dir) == 0 || errno == ENOENT)
    return TRUE;

  listing = g_dir_open (dir, 0, &local_error);
  if (listing == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      /* Interface files are regular files. Only child cgroups are
       * directories. */
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK)
          && !remove_cgroup_tree (child, error))
        return FALSE;
    }

  /* Retry EBUSY for up to a second, in case the last task is still
   * exiting. */
  for (guint attempt = 0; ; attempt++)
    {
      if (rmdir (dir) == 0 || errno == ENOENT)
        return TRUE;
      if (errno != EBUSY || attempt >= 100)
        break;
      g_usleep (POLL_INTERVAL_US);
    }

  {
    int saved_errno = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "Cannot remove cgroup %s: %s", dir, g_strerror (saved_errno));
  }
  return FALSE;
}

/* Append the pids in @dir/cgroup.procs and in its child cgroups. */
static gboolean
collect_pids (const char *dir, GArray *pids, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = gocker_cgroup_read (dir, "cgroup.procs", &local_error);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *name;

  if (text == NULL)
    {
      /* A cgroup removed during the walk has no processes left. */
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ||
          g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NODEV))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 pid;

      if (lines[i][0] != '\0' && g_ascii_string_to_unsigned (lines[i], 10, 1, G_MAXINT, &pid, NULL))
        {
          pid_t value = (pid_t) pid;
          g_array_append_val (pids, value);
        }
    }

  listing = g_dir_open (dir, 0, NULL);
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !collect_pids (child, pids, error))
        return FALSE;
    }
  return TRUE;
}

/* Return the first existing directory of @dirs, whose cgroup.procs lists
 * the container's processes. It is the unified one when mounted, or the
 * first v1 hierarchy. NULL if none exists. */
static const char *
find_tracking_dir (GPtrArray *dirs)
{
  for (guint i = 0; i < dirs->len; i++)
    {
      const char *dir = g_ptr_array_index (dirs, i);
      if (g_file_test (dir, G_FILE_TEST_IS_DIR))
        return dir;
    }
  return NULL;
}

/* Return the container's cgroup in the unified hierarchy if it has @file,
 * NULL otherwise. */
static const char *
unified_dir_with (const GockerCgroupLayout *layout, GPtrArray *dirs, const char *file)
{
  const char *dir;
  g_autofree char *path = NULL;

  if (layout->unified == NULL || dirs->len == 0)
    return NULL;
  /* gocker_cgroup_layout_dirs() lists the unified hierarchy first. */
  dir = g_ptr_array_index (dirs, 0);
  path = g_build_filename (dir, file, NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS) ? dir : NULL;
}

static void
remove_created (GPtrArray *created)
{
  for (guint i = created->len; i > 0; i--)
    {
      const char *dir = g_ptr_array_index (created, i - 1);
      if (rmdir (dir) < 0 && errno != ENOENT)
        g_warning ("Cannot remove cgroup %s after a failed setup: %s", dir, g_strerror (errno));
    }
}

gboolean
gocker_cgroup_create (const char *cgroup_path, const GockerSpec *spec, GError **error)
{
  const GockerCgroupLayout *layout;
  g_autoptr(GPtrArray) dirs = NULL;
  g_autoptr(GPtrArray) created = g_ptr_array_new ();
  gboolean ok;

  if (!gocker_cgroup_path_validate (cgroup_path, error))
    return FALSE;
  layout = gocker_cgroup_layout_get (error);
  if (layout == NULL)
    return FALSE;

  if (layout->v2 && !gocker_cgroup_v2_enable_controllers (layout->unified, cgroup_path, error))
    return FALSE;

  dirs = gocker_cgroup_layout_dirs (layout, cgroup_path);
  for (guint i = 0; i < dirs->len; i++)
    {
      char *dir = g_ptr_array_index (dirs, i);
      g_autofree char *parent = g_path_get_dirname (dir);

      if (g_mkdir_with_parents (parent, 0755) < 0 || mkdir (dir, 0755) < 0)
        {
          int saved_errno = errno;

          /* An existing cgroup belongs to someone else or to a container
           * that was not cleaned up, so its processes and limits are not
           * adopted. */
          if (saved_errno == EEXIST)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                         "Cgroup %s already exists; remove it with rmdir if no process uses it",
                         dir);
          else
            g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                         "Cannot create cgroup %s: %s", dir, g_strerror (saved_errno));
          remove_created (created);
          return FALSE;
        }
      g_ptr_array_add (created, dir);
    }

  if (layout->v2)
    ok = gocker_cgroup_v2_write_limits (g_ptr_array_index (dirs, 0), spec, error);
  else
    ok = gocker_cgroup_v1_write_limits (layout, cgroup_path, spec, error);
  if (!ok)
    {
      g_prefix_error (error, "Setting the limits of cgroup %s: ", cgroup_path);
      remove_created (created);
      return FALSE;
    }

  g_debug ("Created cgroup %s (%s) in %u hierarchies", cgroup_path,
           layout->v2 ? "v2" : "v1", dirs->len);
  return TRUE;
}

static gboolean
attach (const char *cgroup_path, pid_t pid, gboolean skip_unified, GError **error)
{
  const GockerCgroupLayout *layout;
  g_autoptr(GPtrArray) dirs = NULL;
  g_autofree char *value = g_strdup_printf ("%d", (int) pid);
  g_autofree char *unified_dir = NULL;

  if (!gocker_cgroup_path_validate (cgroup_path, error))
    return FALSE;
  layout = gocker_cgroup_layout_get (error);
  if (layout == NULL)
    return FALSE;

  if (skip_unified && layout->unified != NULL)
    unified_dir = g_build_filename (layout->unified, cgroup_path, NULL);
  dirs = gocker_cgroup_layout_dirs (layout, cgroup_path);
  for (guint i = 0; i < dirs->len; i++)
    {
      const char *dir = g_ptr_array_index (dirs, i);

      if (g_strcmp0 (dir, unified_dir) == 0)
        continue;
      if (!gocker_cgroup_write (dir, "cgroup.procs", value, error))
        {
          g_prefix_error (error, "Moving process %d into its cgroup: ", (int) pid);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
gocker_cgroup_attach (const char *cgroup_path, pid_t pid, GError **error)
{
  return attach (cgroup_path, pid, FALSE, error);
}

gboolean
gocker_cgroup_attach_except_unified (const char *cgroup_path, pid_t pid, GError **error)
{
  return attach (cgroup_path, pid, TRUE, error);
}

gboolean
gocker_cgroup_set_pids_max (const char *cgroup_path, guint64 pids_max, GError **error)
{
  const GockerCgroupLayout *layout;
  g_autofree char *dir = NULL;
  g_autofree char *value = gocker_cgroup_format_limit (pids_max);

  if (!gocker_cgroup_path_validate (cgroup_path, error))
    return FALSE;
  layout = gocker_cgroup_layout_get (error);
  if (layout == NULL)
    return FALSE;
  if (layout->v2)
    dir = g_build_filename (layout->unified, cgroup_path, NULL);
  else if (layout->v1[GOCKER_CGROUP_PIDS] != NULL)
    dir = g_build_filename (layout->v1[GOCKER_CGROUP_PIDS], cgroup_path, NULL);
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "No pids controller is mounted, so the process count cannot be limited");
      return FALSE;
    }
  return gocker_cgroup_write (dir, "pids.max", value, error);
}

gboolean
gocker_cgroup_unified_only (void)
{
  const GockerCgroupLayout *layout = gocker_cgroup_layout_get (NULL);

  return layout != NULL && layout->v2;
}

/* The path of the calling process's cgroup.procs in the unified
 * hierarchy, or NULL. */
static char *
own_unified_procs (const GockerCgroupLayout *layout)
{
  g_autofree char *self = NULL;
  g_autofree char *own_cgroup = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/cgroup", &self, NULL, NULL))
    return NULL;
  /* The unified hierarchy's line is "0::/PATH". */
  line = strstr (self, "0::/");
  if (line == NULL || (line != self && line[-1] != '\n'))
    return NULL;
  line += 3;
  own_cgroup = g_strndup (line, strcspn (line, "\n"));
  return g_build_filename (layout->unified, own_cgroup, "cgroup.procs", NULL);
}

static GMutex prewarm_lock;
static guint prewarm_holders;
static gint64 prewarm_deadline;   /* monotonic; a forgotten release ends here */
static gboolean prewarm_running;

static gpointer
prewarm_thread (gpointer data)
{
  g_autofree char *procs = data;
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  int fd = open (procs, O_WRONLY | O_CLOEXEC);

  if (fd < 0)
    g_debug ("Opening %s failed (%s); container starts wait longer", procs, g_strerror (errno));

  for (;;)
    {
      if (fd >= 0 && write (fd, pid, strlen (pid)) < 0)
        {
          g_debug ("Writing %s to %s failed (%s); container starts wait longer",
                   pid, procs, g_strerror (errno));
          close (fd);
          fd = -1;
        }
      g_usleep (PREWARM_INTERVAL_US);

      g_mutex_lock (&prewarm_lock);
      if (fd < 0 || prewarm_holders == 0 || g_get_monotonic_time () >= prewarm_deadline)
        {
          prewarm_running = FALSE;
          g_mutex_unlock (&prewarm_lock);
          break;
        }
      g_mutex_unlock (&prewarm_lock);
    }
  if (fd >= 0)
    close (fd);
  return NULL;
}

void
gocker_cgroup_prewarm_hold (void)
{
  const GockerCgroupLayout *layout = gocker_cgroup_layout_get (NULL);

  if (layout == NULL || layout->unified == NULL || layout->v2)
    return;

  g_mutex_lock (&prewarm_lock);
  prewarm_holders++;
  prewarm_deadline = g_get_monotonic_time () + PREWARM_LIMIT_US;
  if (!prewarm_running)
    {
      char *procs = own_unified_procs (layout);

      if (procs != NULL)
        {
          prewarm_running = TRUE;
          g_thread_unref (g_thread_new ("gocker-prewarm", prewarm_thread, procs));
        }
    }
  g_mutex_unlock (&prewarm_lock);
}

void
gocker_cgroup_prewarm_release (void)
{
  g_mutex_lock (&prewarm_lock);
  if (prewarm_holders > 0)
    prewarm_holders--;
  g_mutex_unlock (&prewarm_lock);
}

int
gocker_cgroup_open_unified (const char *cgroup_path, GError **error)
{
  const GockerCgroupLayout *layout;
  g_autofree char *dir = NULL;
  int fd;

  if (!gocker_cgroup_path_validate (cgroup_path, error))
    return -1;
  layout = gocker_cgroup_layout_get (error);
  if (layout == NULL || layout->unified == NULL)
    return -1;

  dir = g_build_filename (layout->unified, cgroup_path, NULL);
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Opening cgroup %s: %s", dir, g_strerror (saved_errno));
    }
  return fd;
}

/* Freeze or thaw @dir with the v2 freezer, which needs no controller and
 * so also works in the unified hierarchy of a hybrid host. Frozen, no
 * process forks between reading cgroup.procs and signalling. Returns
 * whether the write succeeded; the wait for "frozen 1" is bounded. */
static gboolean
freeze (const char *dir, gboolean frozen)
{
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  if (!gocker_cgroup_write (dir, "cgroup.freeze", frozen ? "1" : "0", &error))
    {
      g_debug ("%s", error->message);
      return FALSE;
    }
  if (!frozen)
    return TRUE;

  deadline = g_get_monotonic_time () + FREEZE_TIMEOUT_US;
  while (g_get_monotonic_time () < deadline)
    {
      guint64 state = 0;

      if (gocker_cgroup_read_key (dir, "cgroup.events", "frozen", &state, NULL) && state == 1)
        return TRUE;
      g_usleep (POLL_INTERVAL_US);
    }
  g_debug ("Cgroup %s did not freeze within a second; signalling anyway", dir);
  return TRUE;
}

gboolean
gocker_cgroup_signal_all (const char *cgroup_path, int signal, GError **error)
{
  const GockerCgroupLayout *layout;
  g_autoptr(GPtrArray) dirs = NULL;
  const char *tracking;
  const char *freezer;
  gboolean frozen = FALSE;
  gboolean ok = TRUE;

  if (!gocker_cgroup_path_validate (cgroup_path, error))
    return FALSE;
  layout = gocker_cgroup_layout_get (error);
  if (layout == NULL)
    return FALSE;

  dirs = gocker_cgroup_layout_dirs (layout, cgroup_path);
  tracking = find_tracking_dir (dirs);
  if (tracking == NULL)
    return TRUE;

  if (signal == SIGKILL)
    {
      const char *killer = unified_dir_with (layout, dirs, "cgroup.kill");

      /* cgroup.kill also reaches descendant cgroups and processes forked
       * while it runs. */
      if (killer != NULL)
        {
          if (gocker_cgroup_write (killer, "cgroup.kill", "1", error))
            return TRUE;
          if (!g_file_test (killer, G_FILE_TEST_IS_DIR))
            {
              g_clear_error (error);
              return TRUE;
            }
          return FALSE;
        }
    }

  freezer = signal == SIGKILL ? NULL : unified_dir_with (layout, dirs, "cgroup.freeze");
  if (freezer != NULL)
    frozen = freeze (freezer, TRUE);

  /* NOTE: without cgroup.kill or the freezer, a process can fork between
   * reading cgroup.procs and kill(). The SIGKILL loop catches such
   * children, but other signals may miss them. */
  for (guint round = 0; ; round++)
    {
      g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (pid_t));

      if (!collect_pids (tracking, pids, error))
        {
          ok = FALSE;
          break;
        }
      if (pids->len == 0)
        break;

      for (guint i = 0; i < pids->len; i++)
        {
          pid_t pid = g_array_index (pids, pid_t, i);

          if (kill (pid, signal) < 0 && errno != ESRCH)
            {
              int saved_errno = errno;
              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                           "Cannot send signal %d to process %d of cgroup %s: %s",
                           signal, (int) pid, tracking, g_strerror (saved_errno));
              ok = FALSE;
              break;
            }
        }
      if (!ok || signal != SIGKILL)
        break;

      if (round >= KILL_ROUNDS)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                       "Processes keep appearing in cgroup %s after %u rounds of SIGKILL",
                       tracking, KILL_ROUNDS);
          ok = FALSE;
          break;
        }
      g_usleep (POLL_INTERVAL_US);
    }

  if (frozen)
    freeze (freezer, FALSE);
  return ok;
}

/* Wait until no process is left in the cgroup. Polls cgroup.events where
 * the unified hierarchy has it, cgroup.procs otherwise. */
static gboolean
wait_until_empty (const GockerCgroupLayout *layout, GPtrArray *dirs, GError **error)
{
  const char *events = unified_dir_with (layout, dirs, "cgroup.events");
  const char *tracking = find_tracking_dir (dirs);
  gint64 deadline = g_get_monotonic_time () + DRAIN_TIMEOUT_US;

  while (tracking != NULL)
    {
      gboolean empty;

      if (events != NULL)
        {
          guint64 populated = 1;
          g_autoptr(GError) local_error = NULL;

          if (!gocker_cgroup_read_key (events, "cgroup.events", "populated", &populated, &local_error))
            {
              if (!g_file_test (events, G_FILE_TEST_IS_DIR))
                return TRUE;
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          empty = populated == 0;
        }
      else
        {
          g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (pid_t));

          if (!collect_pids (tracking, pids, error))
            return FALSE;
          empty = pids->len == 0;
        }

      if (empty)
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        break;
      g_usleep (POLL_INTERVAL_US);
    }

  if (tracking == NULL)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
               "Processes are still in cgroup %s %d seconds after SIGKILL; "
               "they may be stuck in the kernel (state D in ps)",
               tracking, (int) (DRAIN_TIMEOUT_US / G_USEC_PER_SEC));
  return FALSE;
}

gboolean
gocker_cgroup_destroy (const char *cgroup_path, GError **error)
{
  const GockerCgroupLayout *layout;
  g_autoptr(GPtrArray) dirs = NULL;

  if (!gocker_cgroup_path_validate (cgroup_path, error))
    return FALSE;
  layout = gocker_cgroup_layout_get (error);
  if (layout == NULL)
    return FALSE;

  dirs = gocker_cgroup_layout_dirs (layout, cgroup_path);
  if (find_tracking_dir (dirs) == NULL)
    return TRUE;
  if (!gocker_cgroup_signal_all (cgroup_path, SIGKILL, error) ||
      !wait_until_empty (layout, dirs, error))
    {
      g_prefix_error (error, "Removing cgroup %s: ", cgroup_path);
      return FALSE;
    }

  /* The shared parent ("gocker") stays, because it may contain other
   * containers and removing it could race with their creation. */
  for (guint i = 0; i < dirs->len; i++)
    if (!remove_cgroup_tree (g_ptr_array_index (dirs, i), error))
      return FALSE;

  g_debug ("Removed cgroup %s", cgroup_path);
  return TRUE;
}

const char *
gocker_cgroup_version (void)
{
  g_autoptr(GError) error = NULL;
  const GockerCgroupLayout *layout = gocker_cgroup_layout_get (&error);

  if (layout == NULL)
    {
      g_warning ("%s", error->message);
      return "v1";
    }
  return layout->v2 ? "v2" : "v1";
}

gboolean
gocker_cgroup_read_stats (const char *cgroup_path, GockerStats *out, GError **error)
{
  const GockerCgroupLayout *layout;

  memset (out, 0, sizeof *out);
  if (!gocker_cgroup_path_validate (cgroup_path, error))
    return FALSE;
  layout = gocker_cgroup_layout_get (error);
  if (layout == NULL)
    return FALSE;

  if (layout->v2)
    {
      g_autofree char *dir = g_build_filename (layout->unified, cgroup_path, NULL);
      return gocker_cgroup_v2_read_stats (dir, out, error);
    }
  return gocker_cgroup_v1_read_stats (layout, cgroup_path, out, error);
}

gboolean
gocker_cgroup_oom_killed (const char *cgroup_path)
{
  const GockerCgroupLayout *layout;

  if (!gocker_cgroup_path_validate (cgroup_path, NULL))
    return FALSE;
  layout = gocker_cgroup_layout_get (NULL);
  if (layout == NULL)
    return FALSE;

  if (layout->v2)
    {
      g_autofree char *dir = g_build_filename (layout->unified, cgroup_path, NULL);
      return gocker_cgroup_v2_oom_killed (dir);
    }
  return gocker_cgroup_v1_oom_killed (layout, cgroup_path);
}
