/* A standby supervisor: a gocker-supervisor process started ahead of time,
 * which waits until the service hands it a container. Its exec and the
 * loading of its libraries, about 2 ms, then happen before a start instead
 * of during one.
 *
 * The service keeps one standby. gocker_launch_with_standby() sends it the
 * container's id and descriptors over a socket. From then on it runs as if
 * gocker_launch() had started it, and the service starts the next one. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GockerStandby GockerStandby;

/* Start `SUPERVISOR --state-dir STATE_DIR --standby`. */
GockerStandby *gocker_standby_new (const char *supervisor_path, const char *state_dir,
                                   GError **error);

/* End a standby that was not used: it exits when its socket closes. */
void gocker_standby_free (GockerStandby *standby);

/* Supervisor side: wait on @socket_fd for the service's message, then
 * place the descriptors where gocker_launch() puts them (stdio on 0 to 2,
 * the sync descriptor on 3, volumes from 4 on) and return the container's
 * id and volume count. FALSE without an error when the socket closed. */
gboolean gocker_standby_receive (int socket_fd, char **out_id, int *out_n_volume_fds,
                                 GError **error);

/* Internal to launch.c: hand the container to @standby. Takes @standby. */
gboolean gocker_standby_send (GockerStandby *standby, const char *id, int sync_fd,
                              const int stdio[3], const int *volume_fds, guint n_volume_fds,
                              int *out_pid, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GockerStandby, gocker_standby_free)

G_END_DECLS
