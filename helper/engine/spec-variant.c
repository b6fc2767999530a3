/* The a{sv} request of Manager.Run: reading it with checks on every key, and building it. */
#define G_LOG_DOMAIN "gocker-spec"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "spec.h"
#include "spec-private.h"

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
                   _("invalid %s: longer than %lu bytes"), key, (unsigned long) max_length);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid %s: not valid UTF-8"), key);
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
                   _("invalid %s: %u entries, at most %u are allowed"), key, n, max_count);
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
                         _("invalid volumes: %lu entries, at most %d are allowed"),
                         (unsigned long) g_variant_n_children (value), GOCKER_MAX_VOLUMES);
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
                   _("invalid spec: expected a dictionary of type a{sv}, got %s"),
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
                           _("invalid spec key \"%s\": expected type %s, got %s"),
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
                       _("invalid spec: unknown key \"%s\""), shown);
          return NULL;
        }
    }

  if (spec->argv == NULL)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid spec: the key \"command\" (type as) is required"));
      return NULL;
    }
  if (spec->rootfs != NULL)
    g_clear_pointer (&spec->image, g_free);

  if (!gocker_spec_validate (spec, error))
    return NULL;
  for (guint i = 0; i < spec->volumes->len; i++)
    {
      GockerVolume *volume = g_ptr_array_index (spec->volumes, i);

      if (!gocker_spec_check_path ("volume host path", volume->source, error) ||
          !gocker_spec_check_path ("volume container path", volume->target, error))
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
