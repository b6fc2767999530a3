/* One exported container: its state, its D-Bus object and its exit watch. */
#pragma once

#include "daemon.h"

G_BEGIN_DECLS

/* Takes ownership of @state. */
GockerContainerObject *gocker_container_object_new (GockerDaemon *daemon, GockerState *state);
void gocker_container_object_free (GockerContainerObject *object);

GockerState *gocker_container_object_get_state (GockerContainerObject *object);
GDBusObjectSkeleton *gocker_container_object_get_skeleton (GockerContainerObject *object);
const char *gocker_container_object_get_path (GockerContainerObject *object);

/* Copy the state into the D-Bus properties (emits PropertiesChanged). */
void gocker_container_object_sync (GockerContainerObject *object);
/* Save the state file; logs and returns FALSE on failure. */
gboolean gocker_container_object_save (GockerContainerObject *object, GError **error);

/* Start watching the supervisor (pidfd); handles an already-dead one. */
void gocker_container_object_watch (GockerContainerObject *object);

/* Take @fd, the launch's exit report descriptor (GockerLaunchResult), and
 * reply to the container's waiters as soon as the supervisor reports the
 * exit there. Saving the state and removal still wait for the supervisor
 * to end (gocker_container_object_watch()). Call before that function,
 * which may free the object. */
void gocker_container_object_watch_exit_report (GockerContainerObject *object, int fd);

/* Begin a Stop or forced Remove that arrived while the container was
 * being set up; called once its command runs. */
void gocker_container_object_started (GockerContainerObject *object);
/* Answer the calls waiting on a container whose start failed, before the
 * object goes. */
void gocker_container_object_start_failed (GockerContainerObject *object, const GError *error);

/* Bring a state loaded at start-up in line with the processes that exist. */
void gocker_container_object_reconcile (GockerContainerObject *object);

G_END_DECLS
