#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "format.h"

#define SHORT_ID_LEN 12
#define COLUMN_GAP 3

char *
gocker_format_short_id (const char *id)
{
  if (id == NULL)
    return g_strdup ("");
  return g_strndup (id, SHORT_ID_LEN);
}

/* Same thresholds as Docker's HumanDuration (github.com/docker/go-units),
 * so that `gocker ps` reads like `docker ps`. */
char *
gocker_format_duration (gint64 microseconds)
{
  gint64 seconds = MAX (microseconds, 0) / G_USEC_PER_SEC;
  gint64 minutes = seconds / 60;
  /* Hours are rounded, as Docker does. */
  gint64 hours = (seconds + 1800) / 3600;

  if (seconds < 1)
    return g_strdup (_("Less than a second"));
  if (seconds < 60)
    return g_strdup_printf (ngettext ("%d second", "%d seconds", seconds), (int) seconds);
  if (minutes == 1)
    return g_strdup (_("About a minute"));
  if (minutes < 60)
    return g_strdup_printf (ngettext ("%d minute", "%d minutes", minutes), (int) minutes);
  if (hours == 1)
    return g_strdup (_("About an hour"));
  if (hours < 48)
    return g_strdup_printf (ngettext ("%d hour", "%d hours", hours), (int) hours);
  if (hours < 24 * 7 * 2)
    return g_strdup_printf (ngettext ("%d day", "%d days", hours / 24), (int) (hours / 24));
  if (hours < 24 * 30 * 2)
    return g_strdup_printf (ngettext ("%d week", "%d weeks", hours / 24 / 7), (int) (hours / 24 / 7));
  if (hours < 24 * 365 * 2)
    return g_strdup_printf (ngettext ("%d month", "%d months", hours / 24 / 30), (int) (hours / 24 / 30));
  return g_strdup_printf (ngettext ("%d year", "%d years", hours / 24 / 365), (int) (hours / 24 / 365));
}

char *
gocker_format_time_ago (gint64 now_us, gint64 then_us)
{
  g_autofree char *duration = gocker_format_duration (now_us - then_us);

  /* TRANSLATORS: %s is a duration such as "5 seconds". */
  return g_strdup_printf (_("%s ago"), duration);
}

char *
gocker_format_status (const char *status,
                      int exit_code,
                      gint64 now_us,
                      gint64 created_us,
                      gint64 finished_us)
{
  if (g_strcmp0 (status, "running") == 0)
    {
      g_autofree char *duration = gocker_format_duration (now_us - created_us);
      /* TRANSLATORS: %s is a duration such as "3 minutes". */
      return g_strdup_printf (_("Up %s"), duration);
    }

  if (g_strcmp0 (status, "created") == 0)
    return g_strdup (_("Created"));

  if (g_strcmp0 (status, "exited") == 0)
    {
      g_autofree char *ago = NULL;

      if (finished_us <= 0)
        return g_strdup_printf (_("Exited (%d)"), exit_code);
      ago = gocker_format_time_ago (now_us, finished_us);
      /* TRANSLATORS: "Exited (0) 5 seconds ago". */
      return g_strdup_printf (_("Exited (%d) %s"), exit_code, ago);
    }

  if (g_strcmp0 (status, "stopped") == 0)
    {
      g_autofree char *ago = NULL;

      if (finished_us <= 0)
        return g_strdup (_("Stopped"));
      ago = gocker_format_time_ago (now_us, finished_us);
      /* TRANSLATORS: "Stopped 5 seconds ago". */
      return g_strdup_printf (_("Stopped %s"), ago);
    }

  /* A status this client does not know yet: show it unchanged. */
  return g_strdup (status != NULL ? status : "");
}

static void
append_escaped (GString *out, const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, c);
    }
}

char *
gocker_format_command (const char *const *argv, gboolean truncate)
{
  g_autoptr(GString) joined = g_string_new (NULL);

  for (gsize i = 0; argv != NULL && argv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (joined, ' ');
      append_escaped (joined, argv[i]);
    }

  /* D-Bus strings are valid UTF-8, so cutting by characters is safe. */
  if (truncate && g_utf8_strlen (joined->str, -1) > GOCKER_COMMAND_COLUMN_WIDTH)
    {
      const char *cut = g_utf8_offset_to_pointer (joined->str, GOCKER_COMMAND_COLUMN_WIDTH - 1);

      g_string_truncate (joined, cut - joined->str);
      g_string_append (joined, "…");
    }

  return g_strdup_printf ("\"%s\"", joined->str);
}

char *
gocker_format_table (GPtrArray *rows)
{
  g_autoptr(GArray) widths = g_array_new (FALSE, TRUE, sizeof (glong));
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint r = 0; r < rows->len; r++)
    {
      char **cells = g_ptr_array_index (rows, r);

      for (guint c = 0; cells[c] != NULL; c++)
        {
          glong width = g_utf8_strlen (cells[c], -1);

          if (c >= widths->len)
            g_array_set_size (widths, c + 1);
          if (width > g_array_index (widths, glong, c))
            g_array_index (widths, glong, c) = width;
        }
    }

  for (guint r = 0; r < rows->len; r++)
    {
      char **cells = g_ptr_array_index (rows, r);

      for (guint c = 0; cells[c] != NULL; c++)
        {
          g_string_append (out, cells[c]);
          if (cells[c + 1] == NULL)
            break;
          for (glong pad = g_utf8_strlen (cells[c], -1);
               pad < g_array_index (widths, glong, c) + COLUMN_GAP;
               pad++)
            g_string_append_c (out, ' ');
        }
      g_string_append_c (out, '\n');
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
