/* cgroup v2: delegation of controllers down the tree, and the limit files
 * memory.max, cpu.max, pids.max and memory.swap.max. */
#define G_LOG_DOMAIN "gocker-cgroup"

#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <gio/gio.h>

#include "cgroup-private.h"

/* One write enables all three. It fails if one is missing, which the
 * layout check has ruled out. */
#define V2_CONTROLLERS "+memory +cpu +pids"

gboolean
gocker_cgroup_v2_enable_controllers (const char *unified, const char *cgroup_path, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (cgroup_path, "/", -1);
  g_autofree char *dir = g_strdup (unified);
  guint n_parts = g_strv_length (parts);

  /* A cgroup can use a controller only if every ancestor enabled it in
   * cgroup.subtree_control. Walk from the root to the parent, creating
   * the ancestors on the way. */
  for (guint i = 0; i < n_parts; i++)
    {
      char *child;

      if (!gocker_cgroup_write (dir, "cgroup.subtree_control", V2_CONTROLLERS, error))
        {
          g_prefix_error (error, "Delegating controllers to %s: ", cgroup_path);
          return FALSE;
        }
      if (i + 1 == n_parts)
        break;

      child = g_build_filename (dir, parts[i], NULL);
      g_free (dir);
      dir = child;
      if (mkdir (dir, 0755) < 0 && errno != EEXIST)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot create cgroup %s: %s", dir, g_strerror (saved_errno));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
has_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

gboolean
gocker_cgroup_v2_write_limits (const char *dir, const GockerSpec *spec, GError **error)
{
  g_autofree char *memory = gocker_cgroup_format_limit (spec->memory_limit);
  g_autofree char *pids = gocker_cgroup_format_limit (spec->pids_limit);
  gint64 quota = gocker_cgroup_cpu_quota (spec->cpu_limit);
  g_autofree char *cpu = NULL;

  if (quota > 0)
    cpu = g_strdup_printf ("%" G_GINT64_FORMAT " %d", quota, GOCKER_CPU_PERIOD_US);
  else
    cpu = g_strdup_printf ("max %d", GOCKER_CPU_PERIOD_US);

  if (!gocker_cgroup_write (dir, "memory.max", memory, error) ||
      !gocker_cgroup_write (dir, "cpu.max", cpu, error) ||
      !gocker_cgroup_write (dir, "pids.max", pids, error))
    return FALSE;

  /* v2 accounts swap apart from memory.max, so a limited container could
   * grow into swap. Allowing it no swap matches v1, where memsw equals the
   * memory limit. The file exists only when the kernel accounts swap. */
  if (has_file (dir, "memory.swap.max"))
    return gocker_cgroup_write (dir, "memory.swap.max", spec->memory_limit > 0 ? "0" : "max", error);
  return TRUE;
}

gboolean
gocker_cgroup_v2_read_stats (const char *dir, GockerStats *out, GError **error)
{
  guint64 usage_usec = 0;

  if (!gocker_cgroup_read_key (dir, "cpu.stat", "usage_usec", &usage_usec, error) ||
      !gocker_cgroup_read_u64 (dir, "memory.current", &out->memory_bytes, error) ||
      !gocker_cgroup_read_u64 (dir, "pids.current", &out->pids, error))
    return FALSE;
  out->cpu_usage_ns = usage_usec * 1000;
  return TRUE;
}

gboolean
gocker_cgroup_v2_oom_killed (const char *dir)
{
  guint64 kills = 0;

  return gocker_cgroup_read_key (dir, "memory.events", "oom_kill", &kills, NULL) && kills > 0;
}
