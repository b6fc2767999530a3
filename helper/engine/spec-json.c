/* Specs as stored in state files. */
#define G_LOG_DOMAIN "gocker-spec"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "spec.h"
#include "spec-private.h"

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
    {
      double value = json_node_get_double (node);

      /* Converting a double outside gint64's range is undefined; such a
       * value is invalid for every integer field, which all reject -1. */
      if (!isfinite (value) || value < -9.2e18 || value > 9.2e18)
        return -1;
      return (gint64) value;
    }
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
                   _("invalid spec: expected a JSON object"));
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
                   _("invalid cpu-limit %g: expected 0 (unlimited) or at least %.2f"),
                   spec->cpu_limit, GOCKER_MIN_CPU_LIMIT);
      return NULL;
    }

  number = json_get_int (object, "memory-limit", 0);
  if (number < 0 || (number > 0 && number < GOCKER_MIN_MEMORY_LIMIT))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid memory-limit %lld: expected 0 (unlimited) or at least %d"),
                   (long long) number, GOCKER_MIN_MEMORY_LIMIT);
      return NULL;
    }
  spec->memory_limit = number;

  number = json_get_int (object, "pids-limit", GOCKER_DEFAULT_PIDS_LIMIT);
  if (number < 0 || number > GOCKER_MAX_PIDS_LIMIT)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid pids-limit %lld: expected 0 (unlimited) to %d"),
                   (long long) number, GOCKER_MAX_PIDS_LIMIT);
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
                           _("invalid volume %u: source and target are required"), i);
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

      if (!gocker_spec_check_path ("volume host path", volume->source, error) ||
          !gocker_spec_check_path ("volume container path", volume->target, error))
        return NULL;
    }

  return g_steal_pointer (&spec);
}
