/* The helper's log writer; see log-writer.h. */
#define G_LOG_DOMAIN "gocker-helper"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log-writer.h"

static char *log_path;
static gboolean log_path_failed;  /* reported once on stderr */

/* Say once on stderr why @log_path takes no messages. */
static void
report_failure (const char *reason)
{
  if (log_path_failed)
    return;
  log_path_failed = TRUE;
  fprintf (stderr, "gocker-helper: cannot write messages to %s: %s; they go to stderr only\n",
           log_path, reason);
}

static const char *
field_value (const GLogField *fields, gsize n_fields, const char *key)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, key) == 0 && fields[i].length < 0)
      return fields[i].value;
  return NULL;
}

static const char *
level_name (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "error";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "critical";
  if (level & G_LOG_LEVEL_WARNING)
    return "warning";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "message";
  if (level & G_LOG_LEVEL_INFO)
    return "info";
  return "debug";
}

/* One line: "2026-12-04 22:47:19.499 pid 123 message gocker-helper: TEXT". */
static void
append_to_file (GLogLevelFlags level, const GLogField *fields, gsize n_fields)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S.%f");
  const char *domain = field_value (fields, n_fields, "GLIB_DOMAIN");
  const char *message = field_value (fields, n_fields, "MESSAGE");
  g_autofree char *line = g_strdup_printf ("%.23s pid %d %s %s: %s\n", stamp, (int) getpid (),
                                           level_name (level), domain != NULL ? domain : "gocker",
                                           message != NULL ? message : "");
  gsize length = strlen (line);
  struct stat st;
  /* O_NONBLOCK: a FIFO without a reader must not hang the helper. */
  int fd = open (log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
                 0640);

  if (fd < 0)
    {
      report_failure (g_strerror (errno));
      return;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      report_failure ("not a regular file");
      close (fd);
      return;
    }
  /* One write() per message, so lines of concurrent threads do not mix. */
  while (write (fd, line, length) < 0 && errno == EINTR)
    ;
  close (fd);
}

static GLogWriterOutput
write_log (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  if (log_path != NULL && !g_log_writer_is_journald (fileno (stderr)) &&
      !g_log_writer_default_would_drop (level, field_value (fields, n_fields, "GLIB_DOMAIN")))
    append_to_file (level, fields, n_fields);
  return g_log_writer_default (level, fields, n_fields, user_data);
}

void
gocker_log_writer_install (const char *path)
{
  log_path = g_strdup (path);
  g_log_set_writer_func (write_log, NULL, NULL);
}
