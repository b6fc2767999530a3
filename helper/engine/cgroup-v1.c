/* cgroup v1: one hierarchy per controller, cpu possibly co-mounted with
 * cpuacct. Limits go to memory.limit_in_bytes, memory.memsw.limit_in_bytes,
 * cpu.cfs_quota_us and pids.max. */
#define G_LOG_DOMAIN "gocker-cgroup"

#include "config.h"

#include <gio/gio.h>

#include "cgroup-private.h"

/* The container's directory in the v1 hierarchy of @controller, or NULL
 * when that controller is not mounted. */
static char *
v1_dir (const GockerCgroupLayout *layout, GockerCgroupController controller,
        const char *cgroup_path)
{
  if (layout->v1[controller] == NULL)
    return NULL;
  return g_build_filename (layout->v1[controller], cgroup_path, NULL);
}

static gboolean
require_dir (const char *dir, const char *controller, const char *what, GError **error)
{
  if (dir != NULL)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "Cannot apply the %s limit: no cgroup hierarchy has the %s controller; "
               "mount it (mount -t cgroup -o %s cgroup /sys/fs/cgroup/%s) or set the limit to max",
               what, controller, controller, controller);
  return FALSE;
}

gboolean
gocker_cgroup_v1_write_limits (const GockerCgroupLayout *layout, const char *cgroup_path,
                               const GockerSpec *spec, GError **error)
{
  g_autofree char *memory_dir = v1_dir (layout, GOCKER_CGROUP_MEMORY, cgroup_path);
  g_autofree char *cpu_dir = v1_dir (layout, GOCKER_CGROUP_CPU, cgroup_path);
  g_autofree char *pids_dir = v1_dir (layout, GOCKER_CGROUP_PIDS, cgroup_path);
  gint64 quota = gocker_cgroup_cpu_quota (spec->cpu_limit);

  if (spec->memory_limit > 0)
    {
      g_autofree char *value = g_strdup_printf ("%" G_GUINT64_FORMAT, spec->memory_limit);
      g_autofree char *memsw = NULL;

      if (!require_dir (memory_dir, "memory", "memory", error) ||
          !gocker_cgroup_write (memory_dir, "memory.limit_in_bytes", value, error))
        return FALSE;

      /* Without this the container could grow into swap past its limit.
       * The kernel requires memsw >= limit, so memsw is written second. The
       * file exists only when swap accounting is on. */
      memsw = g_build_filename (memory_dir, "memory.memsw.limit_in_bytes", NULL);
      if (g_file_test (memsw, G_FILE_TEST_EXISTS) &&
          !gocker_cgroup_write (memory_dir, "memory.memsw.limit_in_bytes", value, error))
        return FALSE;
    }
  /* A new v1 cgroup starts unlimited, so 0 needs no write. */

  if (quota > 0)
    {
      g_autofree char *period = g_strdup_printf ("%d", GOCKER_CPU_PERIOD_US);
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, quota);

      if (!require_dir (cpu_dir, "cpu", "CPU", error) ||
          !gocker_cgroup_write (cpu_dir, "cpu.cfs_period_us", period, error) ||
          !gocker_cgroup_write (cpu_dir, "cpu.cfs_quota_us", value, error))
        return FALSE;
    }

  if (spec->pids_limit > 0)
    {
      g_autofree char *value = g_strdup_printf ("%" G_GUINT64_FORMAT, spec->pids_limit);

      if (!require_dir (pids_dir, "pids", "process count", error) ||
          !gocker_cgroup_write (pids_dir, "pids.max", value, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
gocker_cgroup_v1_read_stats (const GockerCgroupLayout *layout, const char *cgroup_path,
                             GockerStats *out, GError **error)
{
  g_autofree char *memory_dir = v1_dir (layout, GOCKER_CGROUP_MEMORY, cgroup_path);
  g_autofree char *cpuacct_dir = v1_dir (layout, GOCKER_CGROUP_CPUACCT, cgroup_path);
  g_autofree char *pids_dir = v1_dir (layout, GOCKER_CGROUP_PIDS, cgroup_path);

  if (memory_dir != NULL &&
      !gocker_cgroup_read_u64 (memory_dir, "memory.usage_in_bytes", &out->memory_bytes, error))
    return FALSE;
  if (pids_dir != NULL &&
      !gocker_cgroup_read_u64 (pids_dir, "pids.current", &out->pids, error))
    return FALSE;

  if (cpuacct_dir != NULL)
    return gocker_cgroup_read_u64 (cpuacct_dir, "cpuacct.usage", &out->cpu_usage_ns, error);

  /* Without cpuacct, the unified hierarchy of a hybrid host still counts
   * CPU time in cpu.stat, even without the cpu controller. */
  if (layout->unified != NULL)
    {
      g_autofree char *unified_dir = g_build_filename (layout->unified, cgroup_path, NULL);
      guint64 usage_usec = 0;

      if (!gocker_cgroup_read_key (unified_dir, "cpu.stat", "usage_usec", &usage_usec, error))
        return FALSE;
      out->cpu_usage_ns = usage_usec * 1000;
    }
  return TRUE;
}

gboolean
gocker_cgroup_v1_oom_killed (const GockerCgroupLayout *layout, const char *cgroup_path)
{
  g_autofree char *memory_dir = v1_dir (layout, GOCKER_CGROUP_MEMORY, cgroup_path);
  guint64 kills = 0;

  return memory_dir != NULL &&
         gocker_cgroup_read_key (memory_dir, "memory.oom_control", "oom_kill", &kills, NULL) &&
         kills > 0;
}
