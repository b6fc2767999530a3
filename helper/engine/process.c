/* Identify processes across pid reuse by their start time. */
#define G_LOG_DOMAIN "gocker-engine"

#include "engine.h"

#include <stdlib.h>
#include <string.h>

/* Reads /proc/PID/stat and returns the text after the command name, which
 * is in parentheses and may itself contain spaces and parentheses. */
static char *
read_stat_fields (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char *end;

  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  end = strrchr (contents, ')');
  if (end == NULL || end[1] != ' ')
    return NULL;
  return g_strdup (end + 2);
}

guint64
gocker_process_start_time (pid_t pid)
{
  g_autofree char *fields = read_stat_fields (pid);
  g_auto(GStrv) parts = NULL;

  if (fields == NULL)
    return 0;
  /* After the command name the fields start at 3 (state); starttime is
   * field 22, so index 22 - 3 = 19. */
  parts = g_strsplit (fields, " ", 21);
  if (g_strv_length (parts) < 20)
    return 0;
  return g_ascii_strtoull (parts[19], NULL, 10);
}

gboolean
gocker_process_is_alive (pid_t pid, guint64 start_time)
{
  g_autofree char *fields = read_stat_fields (pid);
  g_auto(GStrv) parts = NULL;

  if (fields == NULL || start_time == 0)
    return FALSE;
  parts = g_strsplit (fields, " ", 21);
  if (g_strv_length (parts) < 20)
    return FALSE;
  /* A zombie has finished; it only waits for its parent to reap it. */
  if (parts[0][0] == 'Z' || parts[0][0] == 'X')
    return FALSE;
  return g_ascii_strtoull (parts[19], NULL, 10) == start_time;
}
