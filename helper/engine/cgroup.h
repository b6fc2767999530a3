/* Per-container cgroups on cgroup v2, v1, or a hybrid of both.
 *
 * Every hierarchy gets the same relative path (GockerState.cgroup_path,
 * "gocker/<id>"). On v2 the memory, cpu and pids controllers are used when
 * the unified root lists them in cgroup.controllers; otherwise the v1
 * memory, cpu and pids hierarchies carry the limits, and the unified
 * hierarchy, when mounted, still gets a cgroup so cgroup.kill works. */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>
#include "spec.h"

G_BEGIN_DECLS

/* Create the container's cgroups and write its limits. A limit that cannot
 * be written fails the call and removes what was created, so a container
 * never runs unlimited by accident. */
gboolean gocker_cgroup_create (const char *cgroup_path, const GockerSpec *spec, GError **error);

/* Move @pid into every cgroup of the container. */
gboolean gocker_cgroup_attach (const char *cgroup_path, pid_t pid, GError **error);

/* Open the container's cgroup in the unified hierarchy, for clone3's
 * CLONE_INTO_CGROUP. Starting a process there directly avoids a write to
 * cgroup.procs, which waits for an RCU grace period (about 20 ms measured
 * here on Linux 6.18). Returns -1 without an error when there is no
 * unified hierarchy. */
int gocker_cgroup_open_unified (const char *cgroup_path, GError **error);

/* Write pids.max of the container's cgroup; 0 means no limit. */
gboolean gocker_cgroup_set_pids_max (const char *cgroup_path, guint64 pids_max, GError **error);

/* Whether every controller a container uses is in the unified hierarchy
 * (a v2 host), so clone3 can start a process inside all of its cgroups
 * and no cgroup.procs write is needed. FALSE on v1 and hybrid hosts, and
 * when the hierarchies cannot be found. */
gboolean gocker_cgroup_unified_only (void);

/* Keep the kernel's cgroup_threadgroup_rwsem on its fast path while held,
 * so that writes to cgroup.procs do not wait for an RCU grace period (5
 * to 20 ms here) each. The kernel leaves the fast path one grace period
 * after the last writer. So while any hold lasts (2 s at most), a thread
 * writes the calling process's own pid every 2 ms into the cgroup it is
 * already in, which moves nothing. Held from the moment a container is
 * requested until it started, the first wait overlaps the rest of the
 * setup and the supervisor's writes never start a new one. Does nothing on
 * a v2 host, where no such write is needed (gocker_cgroup_unified_only()).
 * Failures are ignored: this only saves time. */
void gocker_cgroup_prewarm_hold (void);
void gocker_cgroup_prewarm_release (void);

/* Like gocker_cgroup_attach(), leaving out the unified hierarchy, for a
 * process that clone3 already started there. */
gboolean gocker_cgroup_attach_except_unified (const char *cgroup_path, pid_t pid, GError **error);

/* Kill what is left and remove the cgroups. Missing cgroups are not errors. */
gboolean gocker_cgroup_destroy (const char *cgroup_path, GError **error);

/* Whether the kernel's OOM killer acted in this cgroup (memory.events or
 * memory.oom_control). */
gboolean gocker_cgroup_oom_killed (const char *cgroup_path);

G_END_DECLS
