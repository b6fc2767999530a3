/* Parsers and validation of container specifications, shared by the helper,
 * the CLI and the desktop app. */
#define G_LOG_DOMAIN "gocker-spec"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"
#include "spec-private.h"

G_DEFINE_QUARK (gocker-spec-error-quark, gocker_spec_error)

static const char *const valid_networks[] = { "bridge", "none", "host", NULL };

GockerSpec *
gocker_spec_new (void)
{
  GockerSpec *spec = g_new0 (GockerSpec, 1);

  spec->hostname = g_strdup (GOCKER_DEFAULT_HOSTNAME);
  spec->workdir = g_strdup ("/");
  spec->image = g_strdup (GOCKER_DEFAULT_IMAGE);
  spec->pids_limit = GOCKER_DEFAULT_PIDS_LIMIT;
  spec->volumes = g_ptr_array_new_with_free_func ((GDestroyNotify) gocker_volume_free);
  spec->network = g_strdup ("bridge");
  spec->ports = g_ptr_array_new_with_free_func ((GDestroyNotify) gocker_port_mapping_free);
  return spec;
}

void
gocker_spec_free (GockerSpec *spec)
{
  if (spec == NULL)
    return;
  g_strfreev (spec->argv);
  g_strfreev (spec->env);
  g_free (spec->name);
  g_free (spec->hostname);
  g_free (spec->workdir);
  g_free (spec->image);
  g_free (spec->rootfs);
  g_ptr_array_unref (spec->volumes);
  g_free (spec->network);
  g_ptr_array_unref (spec->ports);
  g_free (spec->userns);
  g_strfreev (spec->cap_add);
  g_strfreev (spec->cap_drop);
  g_free (spec);
}

GockerVolume *
gocker_volume_new (const char *source, const char *target, gboolean readonly)
{
  GockerVolume *volume = g_new0 (GockerVolume, 1);

  volume->source = g_strdup (source);
  volume->target = g_strdup (target);
  volume->readonly = readonly;
  return volume;
}

void
gocker_volume_free (GockerVolume *volume)
{
  if (volume == NULL)
    return;
  g_free (volume->source);
  g_free (volume->target);
  g_free (volume);
}

gboolean
gocker_path_has_dotdot (const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (strcmp (parts[i], "..") == 0)
      return TRUE;
  return FALSE;
}

gboolean
gocker_spec_check_path (const char *what, const char *path, GError **error)
{
  if (strlen (path) > GOCKER_MAX_STRING)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid %s: longer than %d bytes"), what, GOCKER_MAX_STRING);
      return FALSE;
    }
  if (!g_utf8_validate (path, -1, NULL))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid %s: not valid UTF-8"), what);
      return FALSE;
    }
  if (!g_path_is_absolute (path))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid %s \"%s\": the path must be absolute (start with /)"), what, path);
      return FALSE;
    }
  if (gocker_path_has_dotdot (path))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid %s \"%s\": the path must not contain \"..\""), what, path);
      return FALSE;
    }
  return TRUE;
}

gboolean
gocker_validate_name (const char *name, GError **error)
{
  gsize length = strlen (name);

  if (length == 0 || length > GOCKER_MAX_NAME_LEN || !g_ascii_isalnum (name[0]))
    goto invalid;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '_' && name[i] != '.' && name[i] != '-')
      goto invalid;
  return TRUE;

invalid:
  g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
               _("invalid name \"%s\": use 1 to %d characters of a-z, A-Z, 0-9, _, . and -, "
               "starting with a letter or digit"),
               g_utf8_validate (name, -1, NULL) ? name : "(not UTF-8)", GOCKER_MAX_NAME_LEN);
  return FALSE;
}

gboolean
gocker_validate_hostname (const char *hostname, GError **error)
{
  gsize length = strlen (hostname);
  g_auto (GStrv) labels = NULL;

  if (length == 0 || length > GOCKER_MAX_HOSTNAME_LEN)
    goto invalid;

  labels = g_strsplit (hostname, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      const char *label = labels[i];
      gsize label_length = strlen (label);

      if (label_length == 0 || label_length > 63 || label[0] == '-' || label[label_length - 1] == '-')
        goto invalid;
      for (gsize j = 0; j < label_length; j++)
        if (!g_ascii_isalnum (label[j]) && label[j] != '-')
          goto invalid;
    }
  return TRUE;

invalid:
  g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
               _("invalid hostname \"%s\": use at most %d bytes of letters, digits, - and ., "
               "in labels of 1 to 63 characters that do not start or end with -"),
               g_utf8_validate (hostname, -1, NULL) ? hostname : "(not UTF-8)",
               GOCKER_MAX_HOSTNAME_LEN);
  return FALSE;
}

gboolean
gocker_validate_env_entry (const char *entry, GError **error)
{
  const char *equals = strchr (entry, '=');

  if (strlen (entry) > GOCKER_MAX_STRING || !g_utf8_validate (entry, -1, NULL))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid environment entry: longer than %d bytes or not valid UTF-8"),
                   GOCKER_MAX_STRING);
      return FALSE;
    }
  if (equals == NULL || equals == entry)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid environment entry \"%s\": expected KEY=VALUE with a non-empty KEY"), entry);
      return FALSE;
    }
  return TRUE;
}

gboolean
gocker_validate_workdir (const char *workdir, GError **error)
{
  return gocker_spec_check_path ("working directory", workdir, error);
}

gboolean
gocker_validate_command (const char *const *argv, GError **error)
{
  guint n = argv ? g_strv_length ((char **) argv) : 0;

  if (n == 0 || argv[0][0] == '\0')
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid command: a command to run is required"));
      return FALSE;
    }
  if (n > GOCKER_MAX_ARGS)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid command: %u arguments, at most %d are allowed"), n, GOCKER_MAX_ARGS);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    if (strlen (argv[i]) > GOCKER_MAX_STRING * 32 || !g_utf8_validate (argv[i], -1, NULL))
      {
        g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                     _("invalid command: argument %u is longer than %d bytes or not valid UTF-8"),
                     i, GOCKER_MAX_STRING * 32);
        return FALSE;
      }
  return TRUE;
}

gboolean
gocker_parse_command_line (const char *line, char ***out_argv, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (line ? line : ""));

  if (*stripped == '\0')
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid command: a command to run is required"));
      return FALSE;
    }
  if (!g_shell_parse_argv (line, NULL, out_argv, &local_error))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid command \"%s\": %s"), line, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_network (const char *network, GError **error)
{
  if (g_strv_contains (valid_networks, network))
    return TRUE;
  g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
               _("invalid network \"%s\": expected bridge, none or host"),
               g_utf8_validate (network, -1, NULL) ? network : "(not UTF-8)");
  return FALSE;
}

static gboolean
validate_capability_list (const char *key, char **caps, GError **error)
{
  guint n = caps ? g_strv_length (caps) : 0;

  if (n > 64)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid %s: %u entries, at most 64 are allowed"), key, n);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      const char *cap = caps[i];
      gsize length = strlen (cap);
      gboolean ok = length > 0 && length <= 32;

      for (gsize j = 0; ok && j < length; j++)
        ok = g_ascii_isalnum (cap[j]) || cap[j] == '_';
      if (!ok)
        {
          g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                       _("invalid %s entry \"%s\": expected a capability name such as CAP_NET_ADMIN or ALL"),
                       key, g_utf8_validate (cap, -1, NULL) ? cap : "(not UTF-8)");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
validate_userns (const char *userns, GError **error)
{
  g_auto (GStrv) parts = NULL;
  guint64 value;

  if (strcmp (userns, "host") == 0 || strcmp (userns, "auto") == 0)
    return TRUE;
  parts = g_strsplit (userns, ":", -1);
  if (g_strv_length (parts) == 3 &&
      g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT32 - 1, &value, NULL) &&
      g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT32 - 1, &value, NULL) &&
      g_ascii_string_to_unsigned (parts[2], 10, 1, G_MAXUINT32 - 1, &value, NULL))
    return TRUE;
  g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
               _("invalid user namespace \"%s\": expected host, auto or CONTAINER_ID:HOST_ID:COUNT"),
               g_utf8_validate (userns, -1, NULL) ? userns : "(not UTF-8)");
  return FALSE;
}

/* Check the fields that every path into a spec shares, so a spec read from
 * D-Bus, from JSON or built by a client goes through the same rules. */
gboolean
gocker_spec_validate (GockerSpec *spec, GError **error)
{
  if (!gocker_validate_command ((const char *const *) spec->argv, error))
    return FALSE;
  if (spec->name != NULL && !gocker_validate_name (spec->name, error))
    return FALSE;
  if (!gocker_validate_hostname (spec->hostname, error))
    return FALSE;
  if (!gocker_validate_workdir (spec->workdir, error))
    return FALSE;
  if (spec->init && spec->pids_limit == 1)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid pids limit 1 with --init: the init and the command are two "
                     "processes, so use at least 2"));
      return FALSE;
    }
  if (spec->rootfs != NULL && !gocker_spec_check_path ("root file system", spec->rootfs, error))
    return FALSE;
  if (spec->image != NULL)
    {
      gsize length = strlen (spec->image);
      gboolean ok = length > 0 && length <= 128;

      for (gsize i = 0; ok && i < length; i++)
        ok = g_ascii_isalnum (spec->image[i]) || strchr ("_.-:", spec->image[i]) != NULL;
      if (!ok)
        {
          g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                       _("invalid image name \"%s\": use letters, digits, _, ., - and :"),
                       g_utf8_validate (spec->image, -1, NULL) ? spec->image : "(not UTF-8)");
          return FALSE;
        }
    }
  if (spec->env != NULL)
    {
      guint n = g_strv_length (spec->env);

      if (n > GOCKER_MAX_ENV)
        {
          g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                       _("invalid env: %u entries, at most %d are allowed"), n, GOCKER_MAX_ENV);
          return FALSE;
        }
      for (guint i = 0; i < n; i++)
        if (!gocker_validate_env_entry (spec->env[i], error))
          return FALSE;
    }
  if (spec->volumes->len > GOCKER_MAX_VOLUMES)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid volumes: %u entries, at most %d are allowed"),
                   spec->volumes->len, GOCKER_MAX_VOLUMES);
      return FALSE;
    }
  if (spec->ports->len > GOCKER_MAX_VOLUMES)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid ports: %u entries, at most %d are allowed"),
                   spec->ports->len, GOCKER_MAX_VOLUMES);
      return FALSE;
    }
  if (spec->tty && spec->detach)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid tty: a terminal needs an attached run, but detach is true"));
      return FALSE;
    }
  if (!validate_network (spec->network, error))
    return FALSE;
  if (spec->ports->len > 0 && strcmp (spec->network, "bridge") != 0)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid ports: port mappings need the bridge network, not \"%s\""), spec->network);
      return FALSE;
    }
  for (guint i = 0; i < spec->ports->len; i++)
    for (guint j = i + 1; j < spec->ports->len; j++)
      {
        GockerPortMapping *a = g_ptr_array_index (spec->ports, i);
        GockerPortMapping *b = g_ptr_array_index (spec->ports, j);

        if (a->host_port == b->host_port && g_strcmp0 (a->protocol, b->protocol) == 0)
          {
            g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                         _("invalid ports: host port %u/%s is mapped twice"), a->host_port, a->protocol);
            return FALSE;
          }
      }
  if (spec->userns != NULL && !validate_userns (spec->userns, error))
    return FALSE;
  if (!validate_capability_list ("cap-add", spec->cap_add, error) ||
      !validate_capability_list ("cap-drop", spec->cap_drop, error))
    return FALSE;
  return TRUE;
}

