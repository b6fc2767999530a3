/* Internal interface between cgroup.c and the per-version files
 * cgroup-v1.c and cgroup-v2.c. Not used outside helper/engine apart from
 * tests/engine/test-cgroup.c. */
#pragma once

#include <glib.h>
#include "spec.h"
#include "engine.h"

G_BEGIN_DECLS

typedef enum {
  GOCKER_CGROUP_MEMORY,
  GOCKER_CGROUP_CPU,
  GOCKER_CGROUP_CPUACCT,
  GOCKER_CGROUP_PIDS,
  GOCKER_CGROUP_N_CONTROLLERS,
} GockerCgroupController;

/* Where the hierarchies are mounted, as read from the mount table. */
typedef struct {
  /* TRUE when the unified hierarchy has the memory, cpu and pids
   * controllers and therefore carries the limits ("v2"). */
  gboolean v2;
  /* Mount point of the cgroup2 hierarchy, or NULL. */
  char *unified;
  /* Mount points of v1 hierarchies per controller, or NULL. Two entries
   * are equal when the controllers are co-mounted ("cpu,cpuacct"). */
  char *v1[GOCKER_CGROUP_N_CONTROLLERS];
} GockerCgroupLayout;

void gocker_cgroup_layout_free (GockerCgroupLayout *layout);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GockerCgroupLayout, gocker_cgroup_layout_free)

/* Parse the text of /proc/self/mountinfo. The controllers of a cgroup2
 * mount are read from the cgroup.controllers file under its mount point. */
GockerCgroupLayout *gocker_cgroup_layout_parse (const char *mountinfo, GError **error);

/* The layout of this host, read from /proc/self/mountinfo once per process.
 * NULL with @error set if the mount table cannot be read. */
const GockerCgroupLayout *gocker_cgroup_layout_get (GError **error);
/* Replace the cached layout with @layout, taking ownership. NULL makes the
 * next call read the mount table again. Tests use it to run as if a
 * hierarchy were not mounted. It frees the old layout, so no caller may
 * keep a pointer to it across this call. */
void gocker_cgroup_layout_replace (GockerCgroupLayout *layout);

/* Return the absolute directories of @cgroup_path in every hierarchy
 * Gocker uses, each once. The unified one comes first when mounted, then,
 * in v1 mode, those of memory, cpu, cpuacct and pids. */
GPtrArray *gocker_cgroup_layout_dirs (const GockerCgroupLayout *layout, const char *cgroup_path);

/* Check that @cgroup_path is a relative path without "." or ".."
 * components, so it cannot point outside the hierarchy. */
gboolean gocker_cgroup_path_validate (const char *cgroup_path, GError **error);

/* Write @value to the cgroup interface file @dir/@name. The error names the
 * file and the value. */
gboolean gocker_cgroup_write (const char *dir, const char *name, const char *value, GError **error);
/* Read @dir/@name; NULL with @error set on failure. */
char *gocker_cgroup_read (const char *dir, const char *name, GError **error);
/* Find "KEY VALUE" in a flat keyed file such as cpu.stat or memory.events.
 * Returns FALSE when the key is missing. */
gboolean gocker_cgroup_read_key (const char *dir, const char *name, const char *key,
                                 guint64 *out, GError **error);
/* Read a file holding one unsigned number, such as pids.current. */
gboolean gocker_cgroup_read_u64 (const char *dir, const char *name, guint64 *out, GError **error);

/* v2: enable the memory, cpu and pids controllers for the children of every
 * ancestor of @cgroup_path, from the root down to its parent. */
gboolean gocker_cgroup_v2_enable_controllers (const char *unified, const char *cgroup_path,
                                              GError **error);
/* v2: write memory.max, cpu.max and pids.max in @dir. */
gboolean gocker_cgroup_v2_write_limits (const char *dir, const GockerSpec *spec, GError **error);
gboolean gocker_cgroup_v2_read_stats (const char *dir, GockerStats *out, GError **error);
gboolean gocker_cgroup_v2_oom_killed (const char *dir);

/* v1: write the limits of @spec under @cgroup_path in the memory, cpu and
 * pids hierarchies of @layout. */
gboolean gocker_cgroup_v1_write_limits (const GockerCgroupLayout *layout, const char *cgroup_path,
                                        const GockerSpec *spec, GError **error);
gboolean gocker_cgroup_v1_read_stats (const GockerCgroupLayout *layout, const char *cgroup_path,
                                      GockerStats *out, GError **error);
gboolean gocker_cgroup_v1_oom_killed (const GockerCgroupLayout *layout, const char *cgroup_path);

/* Format a limit for the kernel: "max" for 0 (unlimited) in v2 syntax. */
char *gocker_cgroup_format_limit (guint64 value);
/* The CFS quota in microseconds for @cpus per GOCKER_CPU_PERIOD_US, 0 for
 * unlimited. */
gint64 gocker_cgroup_cpu_quota (double cpus);

G_END_DECLS
