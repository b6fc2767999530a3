/* Parsers and validation of container specifications, shared by the helper,
 * the CLI and the desktop app. */
#define G_LOG_DOMAIN "gocker-spec"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"

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

static gboolean
is_max (const char *text)
{
  return g_ascii_strcasecmp (text, "max") == 0;
}

gboolean
gocker_parse_cpu_limit (const char *text, double *out_cpus, GError **error)
{
  char *end = NULL;
  double cpus;
  long ncpus = sysconf (_SC_NPROCESSORS_CONF);

  if (ncpus < 1)
    ncpus = 1;

  if (text == NULL || *text == '\0')
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid CPU limit \"\": expected a number of CPUs from %.2f to %ld, or max",
                   GOCKER_MIN_CPU_LIMIT, ncpus);
      return FALSE;
    }
  if (is_max (text))
    {
      *out_cpus = 0;
      return TRUE;
    }

  errno = 0;
  cpus = g_ascii_strtod (text, &end);
  if (errno != 0 || end == text || *end != '\0' || !isfinite (cpus))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid CPU limit \"%s\": expected a number of CPUs such as 0.5 or 2, or max",
                   text);
      return FALSE;
    }
  if (cpus < GOCKER_MIN_CPU_LIMIT || cpus > (double) ncpus)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid CPU limit \"%s\": allowed are %.2f to %ld CPUs (the number of CPUs of this host), or max; "
                   "below %.2f the kernel's minimum quota of 1 ms per 100 ms cannot be met",
                   text, GOCKER_MIN_CPU_LIMIT, ncpus, GOCKER_MIN_CPU_LIMIT);
      return FALSE;
    }

  *out_cpus = cpus;
  return TRUE;
}

gboolean
gocker_parse_memory_limit (const char *text, guint64 *out_bytes, GError **error)
{
  const char *p;
  guint64 value = 0;
  guint64 multiplier = 1;

  if (text == NULL || *text == '\0')
    goto invalid;
  if (is_max (text))
    {
      *out_bytes = 0;
      return TRUE;
    }

  for (p = text; g_ascii_isdigit (*p); p++)
    {
      guint digit = *p - '0';

      if (value > (G_MAXUINT64 - digit) / 10)
        goto too_large;
      value = value * 10 + digit;
    }
  if (p == text)
    goto invalid;

  switch (g_ascii_toupper (*p))
    {
    case '\0':
      break;
    case 'K':
      multiplier = 1024;
      break;
    case 'M':
      multiplier = 1024 * 1024;
      break;
    case 'G':
      multiplier = 1024 * 1024 * 1024;
      break;
    default:
      goto invalid;
    }
  if (*p != '\0')
    {
      p++;
      /* Accept the "KB", "MB", "GB" and "KiB" spellings as well. */
      if (g_ascii_strcasecmp (p, "b") == 0 || g_ascii_strcasecmp (p, "ib") == 0)
        p += strlen (p);
      if (*p != '\0')
        goto invalid;
    }

  if (value > G_MAXINT64 / multiplier)
    goto too_large;
  value *= multiplier;

  if (value < GOCKER_MIN_MEMORY_LIMIT)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid memory limit \"%s\": the minimum is 6M (6291456 bytes), or use max",
                   text);
      return FALSE;
    }

  *out_bytes = value;
  return TRUE;

invalid:
  g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
               "invalid memory limit \"%s\": expected bytes with an optional K, M or G suffix "
               "(such as 512M or 1g), at least 6M, or max",
               text ? text : "");
  return FALSE;

too_large:
  g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
               "invalid memory limit \"%s\": the value is too large; use max for no limit", text);
  return FALSE;
}

gboolean
gocker_parse_pids_limit (const char *text, guint64 *out_pids, GError **error)
{
  guint64 value;

  if (text != NULL && is_max (text))
    {
      *out_pids = 0;
      return TRUE;
    }
  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, GOCKER_MAX_PIDS_LIMIT, &value, NULL))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid pids limit \"%s\": expected a whole number from 1 to %d, or max",
                   text ? text : "", GOCKER_MAX_PIDS_LIMIT);
      return FALSE;
    }
  *out_pids = value;
  return TRUE;
}

char *
gocker_format_memory (guint64 bytes)
{
  static const char suffixes[] = { 'G', 'M', 'K' };
  guint64 unit = 1024ULL * 1024 * 1024;

  if (bytes == 0)
    return g_strdup ("max");
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++, unit /= 1024)
    if (bytes % unit == 0)
      return g_strdup_printf ("%" G_GUINT64_FORMAT "%c", bytes / unit, suffixes[i]);
  return g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
}

char *
gocker_format_cpus (double cpus)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (cpus <= 0)
    return g_strdup ("max");
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%g", cpus));
}

static gboolean
path_has_dotdot (const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (strcmp (parts[i], "..") == 0)
      return TRUE;
  return FALSE;
}

static gboolean
check_path_string (const char *what, const char *path, GError **error)
{
  if (strlen (path) > GOCKER_MAX_STRING)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid %s: longer than %d bytes", what, GOCKER_MAX_STRING);
      return FALSE;
    }
  if (!g_utf8_validate (path, -1, NULL))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid %s: not valid UTF-8", what);
      return FALSE;
    }
  if (!g_path_is_absolute (path))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid %s \"%s\": the path must be absolute (start with /)", what, path);
      return FALSE;
    }
  if (path_has_dotdot (path))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid %s \"%s\": the path must not contain \"..\"", what, path);
      return FALSE;
    }
  return TRUE;
}

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
                   "invalid volume \"\": expected HOST_PATH:CONTAINER_PATH[:ro|:rw]");
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
                       "invalid volume \"%s\": unknown mode \"%s\", expected ro or rw", text, parts[2]);
          return FALSE;
        }
    }
  else if (n != 2)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid volume \"%s\": expected HOST_PATH:CONTAINER_PATH[:ro|:rw]", text);
      return FALSE;
    }

  if (*parts[0] == '\0' || *parts[1] == '\0')
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid volume \"%s\": both the host path and the container path are required", text);
      return FALSE;
    }

  if (g_path_is_absolute (parts[0]))
    source = g_canonicalize_filename (parts[0], NULL);
  else if (cwd != NULL)
    source = g_canonicalize_filename (parts[0], cwd);
  else
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid volume \"%s\": the host path \"%s\" must be absolute", text, parts[0]);
      return FALSE;
    }

  if (!g_path_is_absolute (parts[1]))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid volume \"%s\": the container path \"%s\" must be absolute (start with /)",
                   text, parts[1]);
      return FALSE;
    }
  if (path_has_dotdot (parts[1]))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid volume \"%s\": the container path \"%s\" must not contain \"..\"",
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

  if (!check_path_string ("volume host path", volume->source, error) ||
      !check_path_string ("volume container path", volume->target, error))
    return FALSE;

  if (strcmp (volume->target, "/") == 0)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid volume %s:%s: the container path must not be /", volume->source, volume->target);
      return FALSE;
    }

  if (stat (volume->source, &st) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GOCKER_SPEC_ERROR,
                   saved_errno == ENOENT ? GOCKER_SPEC_ERROR_NOT_FOUND : GOCKER_SPEC_ERROR_INVALID,
                   "invalid volume %s:%s: the host path %s cannot be used: %s",
                   volume->source, volume->target, volume->source, g_strerror (saved_errno));
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid volume %s:%s: the host path must be a regular file or a directory",
                   volume->source, volume->target);
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
               "invalid name \"%s\": use 1 to %d characters of a-z, A-Z, 0-9, _, . and -, "
               "starting with a letter or digit",
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
               "invalid hostname \"%s\": use at most %d bytes of letters, digits, - and . "
               "in labels that do not start or end with -",
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
                   "invalid environment entry: longer than %d bytes or not valid UTF-8",
                   GOCKER_MAX_STRING);
      return FALSE;
    }
  if (equals == NULL || equals == entry)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid environment entry \"%s\": expected KEY=VALUE with a non-empty KEY", entry);
      return FALSE;
    }
  return TRUE;
}

gboolean
gocker_validate_workdir (const char *workdir, GError **error)
{
  return check_path_string ("working directory", workdir, error);
}

gboolean
gocker_validate_command (const char *const *argv, GError **error)
{
  guint n = argv ? g_strv_length ((char **) argv) : 0;

  if (n == 0 || argv[0][0] == '\0')
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid command: a command to run is required");
      return FALSE;
    }
  if (n > GOCKER_MAX_ARGS)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid command: %u arguments, at most %d are allowed", n, GOCKER_MAX_ARGS);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    if (strlen (argv[i]) > GOCKER_MAX_STRING * 32 || !g_utf8_validate (argv[i], -1, NULL))
      {
        g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                     "invalid command: argument %u is longer than %d bytes or not valid UTF-8",
                     i, GOCKER_MAX_STRING * 32);
        return FALSE;
      }
  return TRUE;
}

gboolean
gocker_parse_command_line (const char *line, char ***out_argv, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (line == NULL || *line == '\0' || g_strstrip (g_strdup (line))[0] == '\0')
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid command: a command to run is required");
      return FALSE;
    }
  if (!g_shell_parse_argv (line, NULL, out_argv, &local_error))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid command \"%s\": %s", line, local_error->message);
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
               "invalid network \"%s\": expected bridge, none or host",
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
                   "invalid %s: %u entries, at most 64 are allowed", key, n);
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
                       "invalid %s entry \"%s\": expected a capability name such as CAP_NET_ADMIN or ALL",
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
               "invalid user namespace \"%s\": expected host, auto or CONTAINER_ID:HOST_ID:COUNT",
               g_utf8_validate (userns, -1, NULL) ? userns : "(not UTF-8)");
  return FALSE;
}

/* Check the fields that every path into a spec shares, so a spec read from
 * D-Bus, from JSON or built by a client goes through the same rules. */
static gboolean
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
  if (spec->rootfs != NULL && !check_path_string ("root file system", spec->rootfs, error))
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
                       "invalid image name \"%s\": use letters, digits, _, ., - and :",
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
                       "invalid env: %u entries, at most %d are allowed", n, GOCKER_MAX_ENV);
          return FALSE;
        }
      for (guint i = 0; i < n; i++)
        if (!gocker_validate_env_entry (spec->env[i], error))
          return FALSE;
    }
  if (spec->volumes->len > GOCKER_MAX_VOLUMES)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid volumes: %u entries, at most %d are allowed",
                   spec->volumes->len, GOCKER_MAX_VOLUMES);
      return FALSE;
    }
  if (spec->ports->len > GOCKER_MAX_VOLUMES)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid ports: %u entries, at most %d are allowed",
                   spec->ports->len, GOCKER_MAX_VOLUMES);
      return FALSE;
    }
  if (!validate_network (spec->network, error))
    return FALSE;
  if (spec->ports->len > 0 && strcmp (spec->network, "bridge") != 0)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid ports: port mappings need the bridge network, not \"%s\"", spec->network);
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
                         "invalid ports: host port %u/%s is mapped twice", a->host_port, a->protocol);
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

/* D-Bus requests. */

typedef enum {
  KEY_COMMAND,
  KEY_NAME,
  KEY_HOSTNAME,
  KEY_CPU_LIMIT,
  KEY_MEMORY_LIMIT,
  KEY_PIDS_LIMIT,
  KEY_VOLUMES,
  KEY_ENV,
  KEY_WORKDIR,
  KEY_IMAGE,
  KEY_ROOTFS,
  KEY_DETACH,
  KEY_AUTO_REMOVE,
  KEY_TTY,
  KEY_NETWORK,
  KEY_PORTS,
  KEY_USERNS,
  KEY_CAP_ADD,
  KEY_CAP_DROP,
  KEY_SECCOMP_UNCONFINED,
  KEY_INIT,
  KEY_FD,
} SpecKey;

static const struct {
  const char *name;
  const char *type;
  SpecKey key;
} spec_keys[] = {
  { "command", "as", KEY_COMMAND },
  { "name", "s", KEY_NAME },
  { "hostname", "s", KEY_HOSTNAME },
  { "cpu-limit", "s", KEY_CPU_LIMIT },
  { "memory-limit", "s", KEY_MEMORY_LIMIT },
  { "pids-limit", "s", KEY_PIDS_LIMIT },
  { "volumes", "a(ssb)", KEY_VOLUMES },
  { "env", "as", KEY_ENV },
  { "workdir", "s", KEY_WORKDIR },
  { "image", "s", KEY_IMAGE },
  { "rootfs", "s", KEY_ROOTFS },
  { "detach", "b", KEY_DETACH },
  { "auto-remove", "b", KEY_AUTO_REMOVE },
  { "tty", "b", KEY_TTY },
  { "network", "s", KEY_NETWORK },
  { "ports", "as", KEY_PORTS },
  { "userns", "s", KEY_USERNS },
  { "cap-add", "as", KEY_CAP_ADD },
  { "cap-drop", "as", KEY_CAP_DROP },
  { "seccomp-unconfined", "b", KEY_SECCOMP_UNCONFINED },
  { "init", "b", KEY_INIT },
  { "stdin", "h", KEY_FD },
  { "stdout", "h", KEY_FD },
  { "stderr", "h", KEY_FD },
};

static gboolean
check_string_field (const char *key, const char *value, gsize max_length, GError **error)
{
  if (strlen (value) > max_length)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid %s: longer than %" G_GSIZE_FORMAT " bytes", key, max_length);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid %s: not valid UTF-8", key);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_string_array (const char *key, const char *const *values, guint max_count, GError **error)
{
  guint n = g_strv_length ((char **) values);

  if (n > max_count)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid %s: %u entries, at most %u are allowed", key, n, max_count);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    if (!check_string_field (key, values[i], GOCKER_MAX_STRING * 32, error))
      return FALSE;
  return TRUE;
}

static gboolean
apply_variant_key (GockerSpec *spec, SpecKey key, const char *name, GVariant *value, GError **error)
{
  const char *text;

  switch (key)
    {
    case KEY_COMMAND:
    case KEY_ENV:
    case KEY_PORTS:
    case KEY_CAP_ADD:
    case KEY_CAP_DROP:
      {
        g_autofree const char **strv = g_variant_get_strv (value, NULL);
        guint max_count = key == KEY_COMMAND ? GOCKER_MAX_ARGS : GOCKER_MAX_ENV;

        if (!check_string_array (name, strv, max_count, error))
          return FALSE;
        if (key == KEY_COMMAND)
          {
            g_strfreev (spec->argv);
            spec->argv = g_strdupv ((char **) strv);
          }
        else if (key == KEY_ENV)
          {
            g_strfreev (spec->env);
            spec->env = g_strdupv ((char **) strv);
          }
        else if (key == KEY_CAP_ADD)
          {
            g_strfreev (spec->cap_add);
            spec->cap_add = g_strdupv ((char **) strv);
          }
        else if (key == KEY_CAP_DROP)
          {
            g_strfreev (spec->cap_drop);
            spec->cap_drop = g_strdupv ((char **) strv);
          }
        else
          {
            g_ptr_array_set_size (spec->ports, 0);
            for (guint i = 0; strv[i] != NULL; i++)
              {
                GockerPortMapping *mapping = NULL;

                if (!gocker_parse_port_mapping (strv[i], &mapping, error))
                  return FALSE;
                g_ptr_array_add (spec->ports, mapping);
              }
          }
        return TRUE;
      }

    case KEY_VOLUMES:
      {
        GVariantIter iter;
        const char *source, *target;
        gboolean readonly;

        if (g_variant_n_children (value) > GOCKER_MAX_VOLUMES)
          {
            g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                         "invalid volumes: %" G_GSIZE_FORMAT " entries, at most %d are allowed",
                         g_variant_n_children (value), GOCKER_MAX_VOLUMES);
            return FALSE;
          }
        g_ptr_array_set_size (spec->volumes, 0);
        g_variant_iter_init (&iter, value);
        while (g_variant_iter_next (&iter, "(&s&sb)", &source, &target, &readonly))
          {
            if (!check_string_field ("volume host path", source, GOCKER_MAX_STRING, error) ||
                !check_string_field ("volume container path", target, GOCKER_MAX_STRING, error))
              return FALSE;
            g_ptr_array_add (spec->volumes, gocker_volume_new (source, target, readonly));
          }
        return TRUE;
      }

    case KEY_DETACH:
      spec->detach = g_variant_get_boolean (value);
      return TRUE;
    case KEY_AUTO_REMOVE:
      spec->auto_remove = g_variant_get_boolean (value);
      return TRUE;
    case KEY_TTY:
      spec->tty = g_variant_get_boolean (value);
      return TRUE;
    case KEY_SECCOMP_UNCONFINED:
      spec->seccomp_unconfined = g_variant_get_boolean (value);
      return TRUE;
    case KEY_INIT:
      spec->init = g_variant_get_boolean (value);
      return TRUE;
    case KEY_FD:
      return TRUE;

    default:
      break;
    }

  /* The remaining keys are strings. */
  text = g_variant_get_string (value, NULL);
  if (!check_string_field (name, text, GOCKER_MAX_STRING, error))
    return FALSE;

  switch (key)
    {
    case KEY_NAME:
      g_free (spec->name);
      spec->name = g_strdup (text);
      return TRUE;
    case KEY_HOSTNAME:
      g_free (spec->hostname);
      spec->hostname = g_strdup (text);
      return TRUE;
    case KEY_WORKDIR:
      g_free (spec->workdir);
      spec->workdir = g_strdup (text);
      return TRUE;
    case KEY_IMAGE:
      g_free (spec->image);
      spec->image = g_strdup (text);
      return TRUE;
    case KEY_ROOTFS:
      g_free (spec->rootfs);
      spec->rootfs = g_strdup (text);
      return TRUE;
    case KEY_NETWORK:
      g_free (spec->network);
      spec->network = g_strdup (text);
      return TRUE;
    case KEY_USERNS:
      g_free (spec->userns);
      spec->userns = g_strdup (text);
      return TRUE;
    case KEY_CPU_LIMIT:
      return gocker_parse_cpu_limit (text, &spec->cpu_limit, error);
    case KEY_MEMORY_LIMIT:
      return gocker_parse_memory_limit (text, &spec->memory_limit, error);
    case KEY_PIDS_LIMIT:
      return gocker_parse_pids_limit (text, &spec->pids_limit, error);
    default:
      g_assert_not_reached ();
    }
}

GockerSpec *
gocker_spec_from_variant (GVariant *asv, GError **error)
{
  g_autoptr (GockerSpec) spec = gocker_spec_new ();
  GVariantIter iter;
  const char *name;
  GVariant *value;

  if (!g_variant_is_of_type (asv, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid spec: expected a dictionary of type a{sv}, got %s",
                   g_variant_get_type_string (asv));
      return NULL;
    }

  g_variant_iter_init (&iter, asv);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      g_autoptr (GVariant) owned_value = value;
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (spec_keys); i++)
        {
          if (strcmp (spec_keys[i].name, name) != 0)
            continue;
          known = TRUE;
          if (!g_variant_is_of_type (value, G_VARIANT_TYPE (spec_keys[i].type)))
            {
              g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                           "invalid spec key \"%s\": expected type %s, got %s",
                           name, spec_keys[i].type, g_variant_get_type_string (value));
              return NULL;
            }
          if (!apply_variant_key (spec, spec_keys[i].key, name, value, error))
            return NULL;
          break;
        }
      if (!known)
        {
          g_autofree char *shown = g_utf8_make_valid (name, MIN (strlen (name), 64));

          g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                       "invalid spec: unknown key \"%s\"", shown);
          return NULL;
        }
    }

  if (spec->argv == NULL)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid spec: the key \"command\" (type as) is required");
      return NULL;
    }
  if (spec->rootfs != NULL)
    g_clear_pointer (&spec->image, g_free);

  if (!gocker_spec_validate (spec, error))
    return NULL;
  for (guint i = 0; i < spec->volumes->len; i++)
    {
      GockerVolume *volume = g_ptr_array_index (spec->volumes, i);

      if (!check_path_string ("volume host path", volume->source, error) ||
          !check_path_string ("volume container path", volume->target, error))
        return NULL;
    }

  return g_steal_pointer (&spec);
}

GVariant *
gocker_spec_to_variant (const GockerSpec *spec)
{
  GVariantBuilder builder;
  GVariantBuilder volumes;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "command",
                         g_variant_new_strv ((const char *const *) spec->argv, -1));
  if (spec->name != NULL)
    g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string (spec->name));
  g_variant_builder_add (&builder, "{sv}", "hostname", g_variant_new_string (spec->hostname));
  g_variant_builder_add (&builder, "{sv}", "workdir", g_variant_new_string (spec->workdir));
  if (spec->rootfs != NULL)
    g_variant_builder_add (&builder, "{sv}", "rootfs", g_variant_new_string (spec->rootfs));
  else if (spec->image != NULL)
    g_variant_builder_add (&builder, "{sv}", "image", g_variant_new_string (spec->image));

  g_variant_builder_add (&builder, "{sv}", "cpu-limit",
                         g_variant_new_take_string (gocker_format_cpus (spec->cpu_limit)));
  g_variant_builder_add (&builder, "{sv}", "memory-limit",
                         g_variant_new_take_string (gocker_format_memory (spec->memory_limit)));
  g_variant_builder_add (&builder, "{sv}", "pids-limit",
                         spec->pids_limit == 0 ? g_variant_new_string ("max")
                         : g_variant_new_take_string (g_strdup_printf ("%" G_GUINT64_FORMAT, spec->pids_limit)));

  g_variant_builder_init (&volumes, G_VARIANT_TYPE ("a(ssb)"));
  for (guint i = 0; i < spec->volumes->len; i++)
    {
      GockerVolume *volume = g_ptr_array_index (spec->volumes, i);

      g_variant_builder_add (&volumes, "(ssb)", volume->source, volume->target, volume->readonly);
    }
  g_variant_builder_add (&builder, "{sv}", "volumes", g_variant_builder_end (&volumes));

  if (spec->env != NULL)
    g_variant_builder_add (&builder, "{sv}", "env",
                           g_variant_new_strv ((const char *const *) spec->env, -1));
  g_variant_builder_add (&builder, "{sv}", "detach", g_variant_new_boolean (spec->detach));
  g_variant_builder_add (&builder, "{sv}", "auto-remove", g_variant_new_boolean (spec->auto_remove));
  if (spec->tty)
    g_variant_builder_add (&builder, "{sv}", "tty", g_variant_new_boolean (TRUE));

  if (g_strcmp0 (spec->network, "bridge") != 0)
    g_variant_builder_add (&builder, "{sv}", "network", g_variant_new_string (spec->network));
  if (spec->ports->len > 0)
    {
      g_autoptr (GPtrArray) ports = g_ptr_array_new_with_free_func (g_free);

      for (guint i = 0; i < spec->ports->len; i++)
        g_ptr_array_add (ports, gocker_port_mapping_to_string (g_ptr_array_index (spec->ports, i)));
      g_ptr_array_add (ports, NULL);
      g_variant_builder_add (&builder, "{sv}", "ports",
                             g_variant_new_strv ((const char *const *) ports->pdata, -1));
    }
  if (spec->userns != NULL)
    g_variant_builder_add (&builder, "{sv}", "userns", g_variant_new_string (spec->userns));
  if (spec->cap_add != NULL)
    g_variant_builder_add (&builder, "{sv}", "cap-add",
                           g_variant_new_strv ((const char *const *) spec->cap_add, -1));
  if (spec->cap_drop != NULL)
    g_variant_builder_add (&builder, "{sv}", "cap-drop",
                           g_variant_new_strv ((const char *const *) spec->cap_drop, -1));
  if (spec->seccomp_unconfined)
    g_variant_builder_add (&builder, "{sv}", "seccomp-unconfined", g_variant_new_boolean (TRUE));
  if (spec->init)
    g_variant_builder_add (&builder, "{sv}", "init", g_variant_new_boolean (TRUE));

  return g_variant_builder_end (&builder);
}

/* JSON, as stored in the state file. */

static JsonNode *
strv_to_json (char **strv)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  json_node_take_array (node, array);
  return node;
}

JsonNode *
gocker_spec_to_json (const GockerSpec *spec)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "command");
  json_builder_add_value (builder, strv_to_json (spec->argv));
  json_builder_set_member_name (builder, "env");
  json_builder_add_value (builder, strv_to_json (spec->env));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, spec->name);
  json_builder_set_member_name (builder, "hostname");
  json_builder_add_string_value (builder, spec->hostname);
  json_builder_set_member_name (builder, "workdir");
  json_builder_add_string_value (builder, spec->workdir);
  json_builder_set_member_name (builder, "image");
  json_builder_add_string_value (builder, spec->image);
  json_builder_set_member_name (builder, "rootfs");
  json_builder_add_string_value (builder, spec->rootfs);
  json_builder_set_member_name (builder, "cpu-limit");
  json_builder_add_double_value (builder, spec->cpu_limit);
  json_builder_set_member_name (builder, "memory-limit");
  json_builder_add_int_value (builder, (gint64) spec->memory_limit);
  json_builder_set_member_name (builder, "pids-limit");
  json_builder_add_int_value (builder, (gint64) spec->pids_limit);

  json_builder_set_member_name (builder, "volumes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < spec->volumes->len; i++)
    {
      GockerVolume *volume = g_ptr_array_index (spec->volumes, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, volume->source);
      json_builder_set_member_name (builder, "target");
      json_builder_add_string_value (builder, volume->target);
      json_builder_set_member_name (builder, "readonly");
      json_builder_add_boolean_value (builder, volume->readonly);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "detach");
  json_builder_add_boolean_value (builder, spec->detach);
  json_builder_set_member_name (builder, "tty");
  json_builder_add_boolean_value (builder, spec->tty);
  json_builder_set_member_name (builder, "auto-remove");
  json_builder_add_boolean_value (builder, spec->auto_remove);

  json_builder_set_member_name (builder, "network");
  json_builder_add_string_value (builder, spec->network);
  json_builder_set_member_name (builder, "ports");
  json_builder_begin_array (builder);
  for (guint i = 0; i < spec->ports->len; i++)
    {
      g_autofree char *text = gocker_port_mapping_to_string (g_ptr_array_index (spec->ports, i));

      json_builder_add_string_value (builder, text);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "userns");
  json_builder_add_string_value (builder, spec->userns);
  json_builder_set_member_name (builder, "cap-add");
  json_builder_add_value (builder, strv_to_json (spec->cap_add));
  json_builder_set_member_name (builder, "cap-drop");
  json_builder_add_value (builder, strv_to_json (spec->cap_drop));
  json_builder_set_member_name (builder, "seccomp-unconfined");
  json_builder_add_boolean_value (builder, spec->seccomp_unconfined);
  json_builder_set_member_name (builder, "init");
  json_builder_add_boolean_value (builder, spec->init);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static char **
json_to_strv (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *array;
  GPtrArray *strv;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  array = json_node_get_array (node);
  strv = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_ptr_array_add (strv, g_strdup (json_node_get_string (element)));
    }
  g_ptr_array_add (strv, NULL);
  return (char **) g_ptr_array_free (strv, FALSE);
}

static char *
json_dup_string (JsonObject *object, const char *member, const char *fallback)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return g_strdup (fallback);
  return g_strdup (json_node_get_string (node));
}

static gboolean
json_get_boolean (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

static gint64
json_get_int (JsonObject *object, const char *member, gint64 fallback)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  return fallback;
}

GockerSpec *
gocker_spec_from_json (JsonNode *node, GError **error)
{
  g_autoptr (GockerSpec) spec = gocker_spec_new ();
  JsonObject *object;
  JsonNode *member;
  gint64 number;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid spec: expected a JSON object");
      return NULL;
    }
  object = json_node_get_object (node);

  spec->argv = json_to_strv (object, "command");
  spec->env = json_to_strv (object, "env");
  g_free (spec->name);
  spec->name = json_dup_string (object, "name", NULL);
  g_free (spec->hostname);
  spec->hostname = json_dup_string (object, "hostname", GOCKER_DEFAULT_HOSTNAME);
  g_free (spec->workdir);
  spec->workdir = json_dup_string (object, "workdir", "/");
  g_free (spec->image);
  spec->image = json_dup_string (object, "image", NULL);
  spec->rootfs = json_dup_string (object, "rootfs", NULL);
  if (spec->image == NULL && spec->rootfs == NULL)
    spec->image = g_strdup (GOCKER_DEFAULT_IMAGE);

  member = json_object_get_member (object, "cpu-limit");
  if (member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
      (json_node_get_value_type (member) == G_TYPE_DOUBLE || json_node_get_value_type (member) == G_TYPE_INT64))
    spec->cpu_limit = json_node_get_double (member);
  if (!isfinite (spec->cpu_limit) || spec->cpu_limit < 0 ||
      (spec->cpu_limit > 0 && spec->cpu_limit < GOCKER_MIN_CPU_LIMIT))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid cpu-limit %g: expected 0 (unlimited) or at least %.2f",
                   spec->cpu_limit, GOCKER_MIN_CPU_LIMIT);
      return NULL;
    }

  number = json_get_int (object, "memory-limit", 0);
  if (number < 0 || (number > 0 && number < GOCKER_MIN_MEMORY_LIMIT))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid memory-limit %" G_GINT64_FORMAT ": expected 0 (unlimited) or at least %d",
                   number, GOCKER_MIN_MEMORY_LIMIT);
      return NULL;
    }
  spec->memory_limit = number;

  number = json_get_int (object, "pids-limit", GOCKER_DEFAULT_PIDS_LIMIT);
  if (number < 0 || number > GOCKER_MAX_PIDS_LIMIT)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid pids-limit %" G_GINT64_FORMAT ": expected 0 (unlimited) to %d",
                   number, GOCKER_MAX_PIDS_LIMIT);
      return NULL;
    }
  spec->pids_limit = number;

  member = json_object_get_member (object, "volumes");
  if (member != NULL && JSON_NODE_HOLDS_ARRAY (member))
    {
      JsonArray *array = json_node_get_array (member);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          JsonObject *volume;
          g_autofree char *source = NULL;
          g_autofree char *target = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;
          volume = json_node_get_object (element);
          source = json_dup_string (volume, "source", NULL);
          target = json_dup_string (volume, "target", NULL);
          if (source == NULL || target == NULL)
            {
              g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                           "invalid volume %u: source and target are required", i);
              return NULL;
            }
          g_ptr_array_add (spec->volumes,
                           gocker_volume_new (source, target, json_get_boolean (volume, "readonly")));
        }
    }

  spec->detach = json_get_boolean (object, "detach");
  spec->tty = json_get_boolean (object, "tty");
  spec->auto_remove = json_get_boolean (object, "auto-remove");

  g_free (spec->network);
  spec->network = json_dup_string (object, "network", "bridge");
  {
    g_auto (GStrv) ports = json_to_strv (object, "ports");

    for (guint i = 0; ports != NULL && ports[i] != NULL; i++)
      {
        GockerPortMapping *mapping = NULL;

        if (!gocker_parse_port_mapping (ports[i], &mapping, error))
          return NULL;
        g_ptr_array_add (spec->ports, mapping);
      }
  }

  spec->userns = json_dup_string (object, "userns", NULL);
  spec->cap_add = json_to_strv (object, "cap-add");
  spec->cap_drop = json_to_strv (object, "cap-drop");
  spec->seccomp_unconfined = json_get_boolean (object, "seccomp-unconfined");
  spec->init = json_get_boolean (object, "init");

  if (!gocker_spec_validate (spec, error))
    return NULL;
  for (guint i = 0; i < spec->volumes->len; i++)
    {
      GockerVolume *volume = g_ptr_array_index (spec->volumes, i);

      if (!check_path_string ("volume host path", volume->source, error) ||
          !check_path_string ("volume container path", volume->target, error))
        return NULL;
    }

  return g_steal_pointer (&spec);
}
