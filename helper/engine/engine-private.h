/* Engine internals shared by the library (launch, cleanup) and the
 * supervisor. Not part of the service's view of the engine. */
#pragma once

#include <glib.h>
#include "engine.h"

G_BEGIN_DECLS

/* STATE_DIR/layers/<id>, the parent of upper, work and merged. */
char *gocker_layer_dir (const char *state_dir, const char *id);
/* STATE_DIR/logs/<id>.log, the default log of a detached container. */
char *gocker_log_path (const char *state_dir, const char *id);
/* STATE_DIR/logs/<id>.supervisor.log: the supervisor's own stderr. */
char *gocker_supervisor_log_path (const char *state_dir, const char *id);
/* STATE_DIR/containers/<id>.exit */
char *gocker_exit_record_path (const char *state_dir, const char *id);

/* Write the exit record atomically. */
gboolean gocker_exit_record_write (const char *state_dir, const char *id,
                                   const GockerExitRecord *record, GError **error);

/* Remove @path and everything below it without following symbolic links
 * and without descending into other mounts (a directory on another device
 * is an error, never emptied). A missing @path is not an error. */
gboolean gocker_remove_tree (const char *path, GError **error);

G_END_DECLS
