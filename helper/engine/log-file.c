/* Container logs: the size cap, rotation, and the [logs] group of the
 * helper configuration. */
#define G_LOG_DOMAIN "gocker-engine"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log-file.h"
#include "spec.h"

gboolean
gocker_log_parse_max_size (const char *text, guint64 *out_bytes, GError **error)
{
  guint64 value = 0;

  if (text != NULL && g_ascii_strcasecmp (text, "max") == 0)
    {
      *out_bytes = 0;
      return TRUE;
    }
  if (gocker_parse_size (text, &value) != GOCKER_SIZE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "invalid log size \"%s\": expected bytes with an optional K, M or G suffix "
                   "(such as 10M), at least 4K, or max", text != NULL ? text : "");
      return FALSE;
    }
  if (value < GOCKER_LOG_MIN_MAX_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "invalid log size \"%s\": the minimum is 4K (%d bytes), or use max for no cap",
                   text, GOCKER_LOG_MIN_MAX_SIZE);
      return FALSE;
    }
  *out_bytes = value;
  return TRUE;
}

gboolean
gocker_log_parse_max_files (const char *text, guint *out_files, GError **error)
{
  guint64 value;

  if (text == NULL || strspn (text, "0123456789") != strlen (text) ||
      !g_ascii_string_to_unsigned (text, 10, 1, GOCKER_LOG_MAX_MAX_FILES, &value, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "invalid number of log files \"%s\": expected a whole number from 1 "
                   "(the current file only) to %d", text != NULL ? text : "", GOCKER_LOG_MAX_MAX_FILES);
      return FALSE;
    }
  *out_files = (guint) value;
  return TRUE;
}

gboolean
gocker_log_config_load (const char *path, guint64 *max_size, guint *max_files, GError **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) keys = NULL;
  guint64 size = *max_size;
  guint files = *max_files;

  if (!g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "reading the helper configuration %s: ", path);
      return FALSE;
    }
  if (!g_key_file_has_group (keyfile, "logs"))
    return TRUE;

  keys = g_key_file_get_keys (keyfile, "logs", NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *value = g_key_file_get_string (keyfile, "logs", keys[i], NULL);
      gboolean ok;

      if (g_str_equal (keys[i], "max-size"))
        ok = gocker_log_parse_max_size (value, &size, error);
      else if (g_str_equal (keys[i], "max-files"))
        ok = gocker_log_parse_max_files (value, &files, error);
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "%s: unknown key \"%s\" in [logs]; the keys are max-size and max-files",
                       path, keys[i]);
          return FALSE;
        }
      if (!ok)
        {
          g_prefix_error (error, "%s, [logs] %s: ", path, keys[i]);
          return FALSE;
        }
    }
  *max_size = size;
  *max_files = files;
  return TRUE;
}

char *
gocker_log_rotated_path (const char *log_path, guint n)
{
  return g_strdup_printf ("%s.%u", log_path, n);
}

gboolean
gocker_log_remove_rotated (const char *log_path, GError **error)
{
  g_autofree char *dir_path = g_path_get_dirname (log_path);
  g_autofree char *base = g_path_get_basename (log_path);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) first_error = NULL;
  gsize base_length = strlen (base);
  const char *name;

  dir = g_dir_open (dir_path, 0, &first_error);
  if (dir == NULL)
    {
      if (g_error_matches (first_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  /* Every number, not only those below the container's max-files, and
   * the .new file of an interrupted rotation. */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      const char *suffix;
      g_autofree char *path = NULL;

      if (strncmp (name, base, base_length) != 0 || name[base_length] != '.')
        continue;
      suffix = name + base_length + 1;
      if (!g_str_equal (suffix, "new") &&
          (*suffix == '\0' || strspn (suffix, "0123456789") != strlen (suffix)))
        continue;
      path = g_build_filename (dir_path, name, NULL);
      if (g_unlink (path) < 0 && errno != ENOENT && first_error == NULL)
        {
          int saved_errno = errno;

          g_set_error (&first_error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "removing %s: %s", path, g_strerror (saved_errno));
        }
    }
  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

void
gocker_log_writer_init (GockerLogWriter *writer, int fd, const char *path,
                        guint64 max_size, guint max_files)
{
  struct stat st;

  writer->path = g_strdup (path);
  writer->fd = fd;
  writer->size = fd >= 0 && fstat (fd, &st) == 0 ? (guint64) st.st_size : 0;
  writer->max_size = max_size;
  writer->max_files = CLAMP (max_files, 1, GOCKER_LOG_MAX_MAX_FILES);
  writer->warned = FALSE;
}

static void
warn_once (GockerLogWriter *writer, const char *what, const char *path, int saved_errno)
{
  if (writer->warned)
    return;
  writer->warned = TRUE;
  g_warning ("%s %s: %s; output is dropped or the log truncated until this works again",
             what, path, g_strerror (saved_errno));
}

/* Start an empty current file after a full one. The full file becomes
 * <log>.1 after older files have moved up one number (<log>.1 to
 * <log>.2 and so on), or is deleted when only one file is kept. The
 * current path always exists: the full file gets its second name by a
 * hard link, and the new file replaces the current one by a rename. */
static void
rotate (GockerLogWriter *writer)
{
  g_autofree char *new_path = g_strconcat (writer->path, ".new", NULL);
  int fd;

  fd = open (new_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
             GOCKER_LOG_MODE);
  if (fd < 0)
    {
      /* Keep the full file and empty it, so the cap still holds. */
      warn_once (writer, "Opening a new log", new_path, errno);
      if (writer->fd >= 0 && ftruncate (writer->fd, 0) < 0)
        warn_once (writer, "Emptying the log", writer->path, errno);
      writer->size = 0;
      return;
    }

  /* Read-only from now on. A reader holding the file sees the mode
   * change on its descriptor (gocker logs -f), which no timestamp tells
   * as reliably: a rename in the same clock tick as the last write
   * leaves ctime equal to mtime. */
  if (writer->fd >= 0 && fchmod (writer->fd, GOCKER_LOG_ROTATED_MODE) < 0)
    warn_once (writer, "Marking the full log read-only", writer->path, errno);

  if (writer->max_files > 1)
    {
      g_autofree char *first = gocker_log_rotated_path (writer->path, 1);

      for (guint n = writer->max_files - 1; n >= 2; n--)
        {
          g_autofree char *from = gocker_log_rotated_path (writer->path, n - 1);
          g_autofree char *to = gocker_log_rotated_path (writer->path, n);

          if (rename (from, to) < 0 && errno != ENOENT)
            warn_once (writer, "Rotating the log", from, errno);
        }
      /* With two files, <log>.1 is the oldest and goes. */
      if (g_unlink (first) < 0 && errno != ENOENT)
        warn_once (writer, "Removing the oldest log", first, errno);
      if (link (writer->path, first) < 0)
        warn_once (writer, "Rotating the log", writer->path, errno);
    }

  if (rename (new_path, writer->path) < 0)
    {
      warn_once (writer, "Replacing the full log", writer->path, errno);
      close (fd);
      g_unlink (new_path);
      if (writer->fd >= 0 && ftruncate (writer->fd, 0) < 0)
        warn_once (writer, "Emptying the log", writer->path, errno);
    }
  else
    {
      if (writer->fd >= 0)
        close (writer->fd);
      writer->fd = fd;
    }
  writer->size = 0;
}

void
gocker_log_writer_write (GockerLogWriter *writer, const char *data, gsize length)
{
  while (length > 0)
    {
      gsize chunk = length;
      ssize_t n;

      if (writer->max_size > 0)
        {
          if (writer->size >= writer->max_size)
            rotate (writer);
          chunk = MIN (chunk, writer->max_size - writer->size);
        }
      if (writer->fd < 0)
        return;
      n = write (writer->fd, data, chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          /* A full disk: drop this chunk, keep draining the container. */
          warn_once (writer, "Writing the log", writer->path, n < 0 ? errno : ENOSPC);
          return;
        }
      writer->size += (guint64) n;
      data += n;
      length -= (gsize) n;
    }
}

void
gocker_log_writer_close (GockerLogWriter *writer)
{
  if (writer->fd >= 0)
    close (writer->fd);
  writer->fd = -1;
  g_clear_pointer (&writer->path, g_free);
}
