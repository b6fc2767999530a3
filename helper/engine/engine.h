/* The container engine as the service sees it. Nothing here talks D-Bus.
 *
 * Process model: for every container the service starts one supervisor
 * process (gocker-supervisor). The supervisor detaches from the service
 * (double fork, new session), creates the cgroup, clones the container's
 * first process into new namespaces, copies the container's output into its
 * log when detached, waits for it, writes the exit record and removes the
 * cgroup. The service watches the supervisor with a pidfd and may exit or
 * be restarted at any time without affecting the container.
 *
 * Layout of STATE_DIR (normally /var/lib/gocker):
 *   containers/<id>.json   state, written by the service only
 *   containers/<id>.exit   exit record, written once by the supervisor
 *   logs/<id>.log          output of detached containers, raw bytes
 *   logs/<id>.supervisor.log  the supervisor's own messages (its stderr)
 *   layers/<id>/upper      the container's writable overlayfs layer
 *   layers/<id>/work       overlayfs work directory
 *   layers/<id>/merged     mount point of the root; only mounted inside the
 *                          container's own mount namespace
 *   images/busybox         the default image, assembled on first use
 */
#pragma once

#include <glib.h>
#include <sys/types.h>
#include "spec.h"
#include "standby.h"
#include "state.h"

G_BEGIN_DECLS

#define GOCKER_ENGINE_ERROR (gocker_engine_error_quark ())
GQuark gocker_engine_error_quark (void);

typedef enum {
  GOCKER_ENGINE_ERROR_FAILED,
  GOCKER_ENGINE_ERROR_NOT_FOUND,
  GOCKER_ENGINE_ERROR_INVALID,
} GockerEngineError;

/* Create STATE_DIR and its subdirectories with mode 0700 (logs 0755). */
gboolean gocker_state_dir_prepare (const char *state_dir, GError **error);

/* Resolve the lower layer of @spec: the rootfs directory, or the image,
 * assembling the default busybox image under STATE_DIR/images on first use
 * (from @busybox_path, a static busybox binary). Returns the directory. */
char *gocker_image_resolve (const char *state_dir, const GockerSpec *spec,
                            const char *busybox_path, GError **error);

typedef struct {
  pid_t supervisor_pid;
  guint64 supervisor_start_time;
  pid_t container_pid;           /* host pid of the container's first process */
  int exit_report_fd;            /* the caller's: gocker_exit_report_parse() */
} GockerLaunchResult;

/* Start the supervisor for the container whose state file
 * STATE_DIR/containers/<id>.json already exists with status "created", and
 * wait until the container's command was started or setup failed. On
 * failure, everything the supervisor created (cgroup, layer, log) is gone
 * and @error says what failed, naming the path or value.
 *
 * @stdio: three descriptors for the command's stdin, stdout and stderr of an
 * attached run, -1 for /dev/null; ignored for detached runs. The caller
 * keeps ownership and should close them afterwards, so a terminal sees
 * end-of-file when the container exits. */
gboolean gocker_launch (const char *supervisor_path, const char *state_dir,
                        const char *id, const int stdio[3],
                        GockerLaunchResult *result, GError **error);

/* Start the container like gocker_launch_with_volumes(), but hand it to
 * @standby (standby.h) when that is not NULL. The call takes @standby. If
 * the standby is NULL or has died, a supervisor is started as usual. */
gboolean gocker_launch_with_standby (GockerStandby *standby,
                                     const char *supervisor_path, const char *state_dir,
                                     const char *id, const int stdio[3],
                                     const int *volume_fds, guint n_volume_fds,
                                     GockerLaunchResult *result, GError **error);

/* Parse a line "EXIT CODE FINISHED_AT" (without its newline). The
 * supervisor writes it on GockerLaunchResult.exit_report_fd as soon as the
 * container's first process has ended, before it writes the exit record
 * and removes the cgroups. The descriptor then reaches end of file. The
 * exit record remains the durable copy. */
gboolean gocker_exit_report_parse (const char *line, int *out_exit_code, gint64 *out_finished_at);

/* Like gocker_launch(), with one descriptor per volume of the spec, in
 * the spec's order. The service opens each volume's source as the user who
 * requested the container, so no user can bind a host file that they could
 * not open themselves. The supervisor mounts what these descriptors point
 * at, not what the paths name by then. */
gboolean gocker_launch_with_volumes (const char *supervisor_path, const char *state_dir,
                                     const char *id, const int stdio[3],
                                     const int *volume_fds, guint n_volume_fds,
                                     GockerLaunchResult *result, GError **error);

typedef struct {
  int exit_code;                 /* as Container.Wait returns it */
  gint64 finished_at;            /* microseconds since the epoch */
} GockerExitRecord;

/* Read STATE_DIR/containers/<id>.exit. Returns FALSE with
 * G_IO_ERROR_NOT_FOUND when the supervisor has not written it. */
gboolean gocker_exit_record_read (const char *state_dir, const char *id,
                                  GockerExitRecord *out, GError **error);

/* Process start time (field 22 of /proc/PID/stat), 0 if @pid does not exist. */
guint64 gocker_process_start_time (pid_t pid);
/* Whether @pid still is the process that had @start_time. */
gboolean gocker_process_is_alive (pid_t pid, guint64 start_time);

/* Which cgroup hierarchy enforces limits here: "v2" or "v1". */
const char *gocker_cgroup_version (void);

/* Send @signal to every process of the cgroup at @cgroup_path (as in
 * GockerState; SIGKILL uses cgroup.kill where the kernel has it).
 * Succeeds when the cgroup is gone. */
gboolean gocker_cgroup_signal_all (const char *cgroup_path, int signal, GError **error);

typedef struct {
  guint64 cpu_usage_ns;
  guint64 memory_bytes;
  guint64 pids;
} GockerStats;

gboolean gocker_cgroup_read_stats (const char *cgroup_path, GockerStats *out, GError **error);

/* Remove everything the container left on the host apart from its state
 * file: exit record, log, writable layer, cgroups. Missing pieces are not
 * errors. */
gboolean gocker_container_cleanup (const char *state_dir, const GockerState *state, GError **error);

/* Remove what killed starts left in STATE_DIR: the logs and layers of ids
 * without a state or exit file, and temporary files of interrupted state
 * writes. Called when the helper starts, before any container starts. A
 * container whose state file exists, even an unreadable one, keeps its
 * files. The caller holds the state directory's lock, so no other helper
 * writes there. */
void gocker_sweep_unfinished_starts (const char *state_dir);

G_END_DECLS
