/* The log of a detached container: size cap, rotation and the [logs]
 * group of the helper configuration.
 *
 * STATE_DIR/logs/<id>.log is the file being written. When the next byte
 * would pass the cap, it is made read-only and becomes <id>.log.1, an
 * older <id>.log.1 becomes <id>.log.2 and so on, keeping max-files files
 * in all. The oldest is deleted. A reader holding a descriptor keeps
 * reading the renamed file, and <id>.log exists at every moment. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Smallest cap accepted: one page, so a rotation is never needed for
 * every few bytes. */
#define GOCKER_LOG_MIN_MAX_SIZE 4096
/* Maximum number of files per container: the current one and 99 rotated ones. */
#define GOCKER_LOG_MAX_MAX_FILES 100
/* The file being written, and a rotated one: the missing owner write bit
 * tells a reader that its descriptor's file was rotated away. */
#define GOCKER_LOG_MODE 0640
#define GOCKER_LOG_ROTATED_MODE 0440

/* "10M", "64K", "4096", "1G", or "max" (0: no cap). Same suffixes as the
 * memory limit, at least GOCKER_LOG_MIN_MAX_SIZE. */
gboolean gocker_log_parse_max_size (const char *text, guint64 *out_bytes, GError **error);
/* A whole number from 1 to GOCKER_LOG_MAX_MAX_FILES. */
gboolean gocker_log_parse_max_files (const char *text, guint *out_files, GError **error);

/* Read the [logs] group (max-size, max-files) of the helper configuration
 * at @path. A missing file, group or key leaves the value in @max_size or
 * @max_files as it is. Unknown keys and bad values are errors naming the
 * file and key. */
gboolean gocker_log_config_load (const char *path, guint64 *max_size, guint *max_files, GError **error);

/* "<log_path>.<n>" */
char *gocker_log_rotated_path (const char *log_path, guint n);

/* Remove every rotated file <log_path>.<digits> of one log, and
 * <log_path>.new, which a rotation creates and renames to <log_path>. */
gboolean gocker_log_remove_rotated (const char *log_path, GError **error);

/* Writes a container's output with the cap applied. The output is copied
 * in bounded chunks, so memory does not grow with what the container
 * writes, with or without newlines. */
typedef struct {
  char *path;
  int fd;
  guint64 size;        /* bytes in the current file */
  guint64 max_size;    /* 0: no cap */
  guint max_files;
  gboolean warned;     /* a write or rotation failure was logged */
} GockerLogWriter;

/* Take @fd, open on @path for appending. */
void gocker_log_writer_init (GockerLogWriter *writer, int fd, const char *path,
                             guint64 max_size, guint max_files);
/* Append @data, rotating as often as needed. Failures are logged once and
 * the data dropped, so the container never blocks on its output. */
void gocker_log_writer_write (GockerLogWriter *writer, const char *data, gsize length);
void gocker_log_writer_close (GockerLogWriter *writer);

G_END_DECLS
