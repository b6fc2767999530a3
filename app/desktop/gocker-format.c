#define G_LOG_DOMAIN "gocker-desktop"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "gocker-format.h"

char *
gocker_format_short_id (const char *id)
{
  if (id == NULL)
    return g_strdup ("");
  return g_strndup (id, GOCKER_SHORT_ID_LEN);
}

/* Formats the time between @since_usec and @now_usec (both wall-clock
 * microseconds) as a short, translated duration such as "5 min". Without
 * @with_seconds, ages under a minute read "< 1 min", so a list refreshed
 * every 2 seconds changes its text (and redraws) once a minute at most. */
char *
gocker_format_age (gint64 since_usec, gint64 now_usec, gboolean with_seconds)
{
  gint64 seconds;

  if (since_usec <= 0)
    return g_strdup ("");

  seconds = MAX (now_usec - since_usec, 0) / G_USEC_PER_SEC;
  if (seconds < 60 && !with_seconds)
    /* TRANSLATORS: an age under one minute, shown in the container list */
    return g_strdup (_("< 1 min"));
  if (seconds < 60)
    /* TRANSLATORS: an age in seconds */
    return g_strdup_printf (_("%d s"), (int) seconds);
  if (seconds < 3600)
    /* TRANSLATORS: an age in minutes */
    return g_strdup_printf (_("%d min"), (int) (seconds / 60));
  if (seconds < 86400)
    /* TRANSLATORS: an age in hours */
    return g_strdup_printf (_("%d h"), (int) (seconds / 3600));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days",
                                       seconds / 86400),
                          (int) (seconds / 86400));
}

/* Formats microseconds since the Unix epoch as local date and time. */
char *
gocker_format_timestamp (guint64 usec)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (usec == 0)
    return g_strdup ("");

  utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  if (utc == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

/* Joins a command line, quoting the words a shell would split, so that
 * the text can be pasted back into the create form. */
char *
gocker_format_command (const char *const *argv)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (gsize i = 0; argv != NULL && argv[i] != NULL; i++)
    {
      const char *word = argv[i];
      gboolean plain = *word != '\0';

      for (const char *p = word; *p != '\0' && plain; p++)
        plain = g_ascii_isalnum (*p) || strchr ("-_./=:,+@%", *p) != NULL;

      if (i > 0)
        g_string_append_c (line, ' ');
      if (plain)
        g_string_append (line, word);
      else
        {
          g_autofree char *quoted = g_shell_quote (word);
          g_string_append (line, quoted);
        }
    }

  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* Returns the translated status word for a Container.Status value. */
const char *
gocker_format_status (const char *status)
{
  if (g_strcmp0 (status, "running") == 0)
    return C_("container status", "Running");
  if (g_strcmp0 (status, "stopped") == 0)
    return C_("container status", "Stopped");
  if (g_strcmp0 (status, "exited") == 0)
    return C_("container status", "Exited");
  if (g_strcmp0 (status, "created") == 0)
    return C_("container status", "Created");
  return C_("container status", "Unknown");
}

/* Each status has its own icon shape, so it is not told apart by color
 * alone. */
const char *
gocker_status_icon_name (const char *status)
{
  if (g_strcmp0 (status, "running") == 0)
    return "media-playback-start-symbolic";
  if (g_strcmp0 (status, "stopped") == 0)
    return "media-playback-stop-symbolic";
  if (g_strcmp0 (status, "exited") == 0)
    return "object-select-symbolic";
  if (g_strcmp0 (status, "created") == 0)
    return "content-loading-symbolic";
  return "dialog-question-symbolic";
}

const char *
gocker_status_css_class (const char *status)
{
  if (g_strcmp0 (status, "running") == 0)
    return "status-running";
  if (g_strcmp0 (status, "stopped") == 0)
    return "status-stopped";
  if (g_strcmp0 (status, "exited") == 0)
    return "status-exited";
  return "status-created";
}

/* Whether @error only says that the user closed the authentication
 * prompt, or that the call was cancelled locally: neither is shown as an
 * error. */
gboolean
gocker_error_is_dismissed (const GError *error)
{
  g_autofree char *remote = NULL;

  if (error == NULL)
    return FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return TRUE;
  remote = g_dbus_error_get_remote_error (error);
  return g_strcmp0 (remote, GOCKER_ERROR_CANCELLED) == 0;
}

/* Returns the message of @error without the D-Bus error name that GDBus
 * puts in front of remote errors. */
char *
gocker_format_error (const GError *error)
{
  g_autoptr(GError) copy = g_error_copy (error);

  g_dbus_error_strip_remote_error (copy);
  return g_strdup (copy->message);
}
