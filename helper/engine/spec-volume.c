/* Parsing of -v volume specs and their checks against the host. */
#define G_LOG_DOMAIN "gocker-spec"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "spec.h"
#include "spec-private.h"

gboolean
gocker_parse_volume (const char *text, const char *cwd, GockerVolume **out, GError **error)
{
  g_auto (GStrv) parts = NULL;
  g_autofree char *source = NULL;
  gboolean readonly = FALSE;
  guint n;

  if (text == NULL || *text == '\0')
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid volume \"\": expected HOST_PATH:CONTAINER_PATH[:ro|:rw]"));
      return FALSE;
    }

  parts = g_strsplit (text, ":", -1);
  n = g_strv_length (parts);
  if (n == 3)
    {
      if (strcmp (parts[2], "ro") == 0)
        readonly = TRUE;
      else if (strcmp (parts[2], "rw") != 0)
        {
          g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                       _("invalid volume \"%s\": unknown mode \"%s\", expected ro or rw"), text, parts[2]);
          return FALSE;
        }
    }
  else if (n != 2)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid volume \"%s\": expected HOST_PATH:CONTAINER_PATH[:ro|:rw]"), text);
      return FALSE;
    }

  if (*parts[0] == '\0' || *parts[1] == '\0')
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid volume \"%s\": both the host path and the container path are required"), text);
      return FALSE;
    }

  if (g_path_is_absolute (parts[0]))
    source = g_canonicalize_filename (parts[0], NULL);
  else if (cwd != NULL)
    source = g_canonicalize_filename (parts[0], cwd);
  else
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid volume \"%s\": the host path \"%s\" must be absolute"), text, parts[0]);
      return FALSE;
    }

  if (!g_path_is_absolute (parts[1]))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid volume \"%s\": the container path \"%s\" must be absolute (start with /)"),
                   text, parts[1]);
      return FALSE;
    }
  if (gocker_path_has_dotdot (parts[1]))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid volume \"%s\": the container path \"%s\" must not contain \"..\""),
                   text, parts[1]);
      return FALSE;
    }

  *out = gocker_volume_new (source, parts[1], readonly);
  return TRUE;
}

gboolean
gocker_volume_validate (const GockerVolume *volume, GError **error)
{
  struct stat st;

  if (!gocker_spec_check_path ("volume host path", volume->source, error) ||
      !gocker_spec_check_path ("volume container path", volume->target, error))
    return FALSE;

  if (strcmp (volume->target, "/") == 0)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid volume %s:%s: the container path must not be /"), volume->source, volume->target);
      return FALSE;
    }

  if (stat (volume->source, &st) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GOCKER_SPEC_ERROR,
                   saved_errno == ENOENT ? GOCKER_SPEC_ERROR_NOT_FOUND : GOCKER_SPEC_ERROR_INVALID,
                   _("invalid volume %s:%s: the host path %s cannot be used: %s"),
                   volume->source, volume->target, volume->source, g_strerror (saved_errno));
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid volume %s:%s: the host path must be a regular file or a directory"),
                   volume->source, volume->target);
      return FALSE;
    }
  return TRUE;
}
