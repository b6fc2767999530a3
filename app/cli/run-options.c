#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "run-options.h"

void
gocker_run_options_clear (GockerRunOptions *options)
{
  g_clear_pointer (&options->cpu_limit, g_free);
  g_clear_pointer (&options->memory_limit, g_free);
  g_clear_pointer (&options->pids_limit, g_free);
  g_clear_pointer (&options->volumes, g_strfreev);
  g_clear_pointer (&options->env, g_strfreev);
  g_clear_pointer (&options->name, g_free);
  g_clear_pointer (&options->hostname, g_free);
  g_clear_pointer (&options->workdir, g_free);
  g_clear_pointer (&options->rootfs, g_free);
  g_clear_pointer (&options->image, g_free);
  g_clear_pointer (&options->publish, g_strfreev);
  g_clear_pointer (&options->network, g_free);
  g_clear_pointer (&options->userns, g_free);
  g_clear_pointer (&options->userns_map, g_free);
  g_clear_pointer (&options->cap_add, g_strfreev);
  g_clear_pointer (&options->cap_drop, g_strfreev);
  g_clear_pointer (&options->security_opt, g_strfreev);
  g_clear_pointer (&options->command, g_strfreev);
}

static gboolean
parse_limits (const GockerRunOptions *options, GockerSpec *spec, GError **error)
{
  if (options->cpu_limit != NULL &&
      !gocker_parse_cpu_limit (options->cpu_limit, &spec->cpu_limit, error))
    {
      g_prefix_error (error, "--cpu-limit: ");
      return FALSE;
    }

  if (options->memory_limit != NULL &&
      !gocker_parse_memory_limit (options->memory_limit, &spec->memory_limit, error))
    {
      g_prefix_error (error, "--memory-limit: ");
      return FALSE;
    }

  if (options->pids_limit != NULL &&
      !gocker_parse_pids_limit (options->pids_limit, &spec->pids_limit, error))
    {
      g_prefix_error (error, "--pids-limit: ");
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_volumes (const GockerRunOptions *options, const char *cwd, GockerSpec *spec, GError **error)
{
  for (gsize i = 0; options->volumes != NULL && options->volumes[i] != NULL; i++)
    {
      GockerVolume *volume = NULL;

      if (!gocker_parse_volume (options->volumes[i], cwd, &volume, error))
        {
          g_prefix_error (error, "--volume: ");
          return FALSE;
        }
      g_ptr_array_add (spec->volumes, volume);

      if (!gocker_volume_validate (volume, error))
        {
          g_prefix_error (error, "--volume: ");
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
parse_env (const GockerRunOptions *options, const char *const *envp, GockerSpec *spec, GError **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (gsize i = 0; options->env != NULL && options->env[i] != NULL; i++)
    {
      const char *entry = options->env[i];
      g_autofree char *copied = NULL;

      if (strchr (entry, '=') == NULL && *entry != '\0')
        {
          const char *value = g_environ_getenv ((char **) envp, entry);

          /* Docker skips a bare KEY that the client's environment lacks. */
          if (value == NULL)
            continue;
          copied = g_strconcat (entry, "=", value, NULL);
          entry = copied;
        }

      if (!gocker_validate_env_entry (entry, error))
        {
          g_prefix_error (error, "--env: ");
          return FALSE;
        }
      g_strv_builder_add (builder, entry);
    }

  g_clear_pointer (&spec->env, g_strfreev);
  spec->env = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
parse_root (const GockerRunOptions *options, const char *cwd, GockerSpec *spec, GError **error)
{
  g_autofree char *rootfs = NULL;

  if (options->rootfs != NULL && options->image != NULL)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("--image %s and --rootfs %s cannot be used together: choose one"),
                   options->image, options->rootfs);
      return FALSE;
    }

  if (options->image != NULL)
    {
      g_free (spec->image);
      spec->image = g_strdup (options->image);
      return TRUE;
    }

  if (options->rootfs == NULL)
    return TRUE;
  if (*options->rootfs == '\0')
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid --rootfs \"\": give the directory of an extracted root file system"));
      return FALSE;
    }

  rootfs = g_canonicalize_filename (options->rootfs, cwd);
  if (!g_file_test (rootfs, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_NOT_FOUND,
                   _("--rootfs %s: %s is not a directory; give the directory of an "
                     "extracted root file system"),
                   options->rootfs, rootfs);
      return FALSE;
    }

  g_clear_pointer (&spec->image, g_free);
  g_free (spec->rootfs);
  spec->rootfs = g_steal_pointer (&rootfs);
  return TRUE;
}

static gboolean
parse_network (const GockerRunOptions *options, GockerSpec *spec, GError **error)
{
  if (options->network != NULL)
    {
      g_free (spec->network);
      spec->network = g_strdup (options->network);
    }

  for (gsize i = 0; options->publish != NULL && options->publish[i] != NULL; i++)
    {
      GockerPortMapping *mapping = NULL;

      if (!gocker_parse_port_mapping (options->publish[i], &mapping, error))
        {
          g_prefix_error (error, "--publish: ");
          return FALSE;
        }
      g_ptr_array_add (spec->ports, mapping);
    }

  return TRUE;
}

static gboolean
parse_hardening (const GockerRunOptions *options, GockerSpec *spec, GError **error)
{
  if (options->userns != NULL && options->userns_map != NULL)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("--userns %s and --userns-map %s cannot be used together: choose one"),
                   options->userns, options->userns_map);
      return FALSE;
    }

  if (options->userns != NULL && g_strcmp0 (options->userns, "host") != 0)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("--userns %s: invalid value; the only one allowed is \"host\" "
                     "(use --userns-map C:H:COUNT for a custom mapping)"),
                   options->userns);
      return FALSE;
    }

  g_free (spec->userns);
  spec->userns = g_strdup (options->userns != NULL ? options->userns : options->userns_map);

  g_strfreev (spec->cap_add);
  spec->cap_add = g_strdupv (options->cap_add);
  g_strfreev (spec->cap_drop);
  spec->cap_drop = g_strdupv (options->cap_drop);

  for (gsize i = 0; options->security_opt != NULL && options->security_opt[i] != NULL; i++)
    {
      const char *opt = options->security_opt[i];

      if (g_strcmp0 (opt, "seccomp=unconfined") != 0 && g_strcmp0 (opt, "seccomp:unconfined") != 0)
        {
          g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                       _("--security-opt %s: invalid value; the only one allowed is "
                         "\"seccomp=unconfined\""),
                       opt);
          return FALSE;
        }
      spec->seccomp_unconfined = TRUE;
    }

  spec->init = options->init;
  return TRUE;
}

GockerSpec *
gocker_run_options_to_spec (const GockerRunOptions *options,
                            const char *cwd,
                            const char *const *envp,
                            GError **error)
{
  g_autoptr(GockerSpec) spec = gocker_spec_new ();

  if (options->command == NULL || options->command[0] == NULL)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("No command given: name the command to run, "
                     "such as \"gocker run /bin/sh\""));
      return NULL;
    }
  if (!gocker_validate_command ((const char *const *) options->command, error))
    return NULL;
  g_strfreev (spec->argv);
  spec->argv = g_strdupv (options->command);

  if (options->name != NULL)
    {
      if (!gocker_validate_name (options->name, error))
        {
          g_prefix_error (error, "--name: ");
          return NULL;
        }
      g_free (spec->name);
      spec->name = g_strdup (options->name);
    }

  if (options->hostname != NULL)
    {
      if (!gocker_validate_hostname (options->hostname, error))
        {
          g_prefix_error (error, "--hostname: ");
          return NULL;
        }
      g_free (spec->hostname);
      spec->hostname = g_strdup (options->hostname);
    }

  if (options->workdir != NULL)
    {
      if (!gocker_validate_workdir (options->workdir, error))
        {
          g_prefix_error (error, "--workdir: ");
          return NULL;
        }
      g_free (spec->workdir);
      spec->workdir = g_strdup (options->workdir);
    }

  if (!parse_limits (options, spec, error) ||
      !parse_env (options, envp, spec, error) ||
      !parse_root (options, cwd, spec, error) ||
      !parse_network (options, spec, error) ||
      !parse_hardening (options, spec, error) ||
      !parse_volumes (options, cwd, spec, error))
    return NULL;

  spec->detach = options->detach;
  spec->auto_remove = options->auto_remove;

  return g_steal_pointer (&spec);
}
