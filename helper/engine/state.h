/* Container state: the record the helper keeps in
 * STATE_DIR/containers/<id>.json, one file per container. */
#pragma once

#include <glib.h>
#include <sys/types.h>
#include "spec.h"

G_BEGIN_DECLS

#define GOCKER_ID_LEN 64
#define GOCKER_SHORT_ID_LEN 12

typedef enum {
  GOCKER_STATUS_CREATED,
  GOCKER_STATUS_RUNNING,
  GOCKER_STATUS_STOPPED,
  GOCKER_STATUS_EXITED,
} GockerStatus;

const char *gocker_status_to_string (GockerStatus status);
gboolean gocker_status_from_string (const char *text, GockerStatus *out);

typedef struct {
  char *id;                      /* 64 lower-case hex characters */
  GockerSpec *spec;              /* name is always set in a saved state */
  GockerStatus status;
  guint32 owner_uid;
  guint32 owner_gid;              /* primary group of the owner, for volume ID maps */
  gint64 created_at;             /* microseconds since the epoch */
  gint64 finished_at;            /* 0 while not finished */
  int exit_code;                 /* -1 while running or when unknown */
  pid_t pid;                     /* container init, host pid; 0 if none */
  pid_t supervisor_pid;
  guint64 supervisor_start_time; /* /proc/PID/stat field 22, guards pid reuse */
  gboolean stop_requested;
  char *log_path;
  char *lower_dir;               /* resolved image or rootfs directory */
  char *ip_address;              /* bridge network only, NULL otherwise */
  char *mac_address;
  char *cgroup_path;             /* relative to each hierarchy's root: "gocker/<id>" */
  guint64 log_max_size;          /* bytes per log file before rotation; 0 = no cap */
  guint log_max_files;           /* log files kept, the current one included */
} GockerState;

/* Log rotation when the helper configuration and the state file say
 * nothing (see log-file.h). */
#define GOCKER_LOG_DEFAULT_MAX_SIZE (10 * 1024 * 1024)
#define GOCKER_LOG_DEFAULT_MAX_FILES 2

GockerState *gocker_state_new (void);
void gocker_state_free (GockerState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GockerState, gocker_state_free)

/* STATE_DIR/containers/<id>.json */
char *gocker_state_path (const char *state_dir, const char *id);

JsonNode *gocker_state_to_json (const GockerState *state);
GockerState *gocker_state_from_json (JsonNode *node, GError **error);

/* Write atomically: temporary file, fsync, rename, fsync of the directory. */
gboolean gocker_state_save (const GockerState *state, const char *state_dir, GError **error);
GockerState *gocker_state_load (const char *path, GError **error);

/* Load every *.json in STATE_DIR/containers. A file that cannot be parsed is
 * reported through @on_error (may be NULL) and skipped. */
typedef void (*GockerStateErrorFunc) (const char *path, const GError *error, gpointer user_data);
GPtrArray *gocker_state_load_all (const char *state_dir, GockerStateErrorFunc on_error, gpointer user_data);

/* A new random id. */
char *gocker_generate_id (void);
/* A generated "adjective_noun" name. */
char *gocker_generate_name (void);
gboolean gocker_is_valid_id (const char *id);

/* Write @contents to @path atomically (temporary file in the same
 * directory, fsync, rename, fsync of the directory). */
gboolean gocker_write_file_atomic (const char *path, const char *contents, gssize length, mode_t mode, GError **error);

G_END_DECLS
