/* The helper's shared state: bus objects, known containers, idle exit. */
#pragma once

#include <gio/gio.h>
#include <unistd.h>
#include <polkit/polkit.h>

#include "gocker-dbus.h"
#include "standby.h"
#include "state.h"

G_BEGIN_DECLS

/* GLib 2.76 has g_clear_fd; this project stays on 2.74. */
static inline void
gocker_clear_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

typedef struct {
  char *state_dir;
  char *supervisor_path;
  char *busybox_path;
  char *cgroup_parent;      /* first component of every container's cgroup path */
  guint idle_timeout;       /* seconds without work before exiting; 0 = never */
  guint64 log_max_size;     /* log rotation of new containers (log-file.h) */
  guint log_max_files;
} GockerDaemonOptions;

typedef struct _GockerDaemon GockerDaemon;
typedef struct _GockerContainerObject GockerContainerObject;

GockerDaemon *gocker_daemon_new (GDBusConnection *connection, const GockerDaemonOptions *options,
                                 GMainLoop *loop, GError **error);
void gocker_daemon_free (GockerDaemon *daemon);

const GockerDaemonOptions *gocker_daemon_get_options (GockerDaemon *daemon);
/* Take the waiting standby supervisor (standby.h), or NULL; from any
 * thread. */
GockerStandby *gocker_daemon_take_standby (GockerDaemon *daemon);
/* Start a standby supervisor unless one waits; from any thread. */
void gocker_daemon_refill_standby (GockerDaemon *daemon);

/* Whether the helper is exiting and freeing its containers' objects. */
gboolean gocker_daemon_is_stopping (GockerDaemon *daemon);
PolkitAuthority *gocker_daemon_get_authority (GockerDaemon *daemon);
GDBusObjectManagerServer *gocker_daemon_get_object_manager (GockerDaemon *daemon);

/* Containers by id, and lookup by name. */
GockerContainerObject *gocker_daemon_lookup_name (GockerDaemon *daemon, const char *name);
GockerContainerObject *gocker_daemon_lookup_id (GockerDaemon *daemon, const char *id);
gboolean gocker_daemon_name_is_reserved (GockerDaemon *daemon, const char *name);
void gocker_daemon_reserve_name (GockerDaemon *daemon, const char *name);
void gocker_daemon_release_name (GockerDaemon *daemon, const char *name);

/* Take @object into the table and export it. */
void gocker_daemon_add_container (GockerDaemon *daemon, GockerContainerObject *object);
/* Unexport and free @object. */
void gocker_daemon_remove_container (GockerDaemon *daemon, GockerContainerObject *object);

/* Networking (network.h), on the main thread. Prepare: check the ports,
 * give @state its address, set the bridge and NAT up on first use; fails
 * with InvalidArgument for bad input. Sync: rewrite the port rules from
 * every known container. Release: free a removed container's address and
 * files, then sync (the last one takes the bridge and rules with it);
 * gocker_daemon_remove_container() calls it. */
gboolean gocker_daemon_prepare_network (GockerDaemon *daemon, GockerState *state, GError **error);
void gocker_daemon_sync_network (GockerDaemon *daemon);
void gocker_daemon_release_network (GockerDaemon *daemon, const char *id);

/* Work in progress keeps the helper from exiting when idle. */
void gocker_daemon_hold (GockerDaemon *daemon);
void gocker_daemon_release (GockerDaemon *daemon);

/* manager.c */
GockerManager *gocker_manager_object_new (GockerDaemon *daemon);

/* Structured log entry about one container (GOCKER_CONTAINER_ID field). */
void gocker_log_container (GLogLevelFlags level, const char *id, const char *format, ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
