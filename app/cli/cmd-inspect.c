/* gocker inspect: every property of containers, as a JSON array. */
#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "client.h"
#include "gocker-cli.h"

/* Volumes as objects rather than bare (ssb) triples, so scripts can use
 * names. */
static JsonNode *
serialize_volumes (GVariant *volumes)
{
  g_autoptr(JsonArray) array = json_array_new ();
  GVariantIter iter;
  const char *source;
  const char *target;
  gboolean readonly;
  JsonNode *node;

  g_variant_iter_init (&iter, volumes);
  while (g_variant_iter_next (&iter, "(&s&sb)", &source, &target, &readonly))
    {
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "Source", source);
      json_object_set_string_member (object, "Destination", target);
      json_object_set_boolean_member (object, "ReadOnly", readonly);
      json_array_add_object_element (array, object);
    }

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);
  return node;
}

static int
compare_names (const void *a, const void *b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static JsonNode *
serialize_container (GockerContainer *container)
{
  g_auto(GStrv) names = g_dbus_proxy_get_cached_property_names (G_DBUS_PROXY (container));
  JsonObject *object = json_object_new ();
  JsonNode *node;

  if (names != NULL)
    qsort (names, g_strv_length (names), sizeof (char *), compare_names);

  for (gsize i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (container),
                                                                   names[i]);

      if (value == NULL)
        continue;
      if (g_variant_is_of_type (value, G_VARIANT_TYPE ("a(ssb)")))
        json_object_set_member (object, names[i], serialize_volumes (value));
      else
        json_object_set_member (object, names[i], json_gvariant_serialize (value));
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

int
gocker_cmd_inspect (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GDBusObjectManager) manager = NULL;
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *text = NULL;
  int status = 0;

  context = g_option_context_new (_("CONTAINER…"));
  g_option_context_set_summary (context,
                                _("Print every property of the containers as a JSON array, one "
                                  "object each, keys named as the D-Bus properties.\nCONTAINER is "
                                  "an id, a unique id prefix or a name."));
  if (!gocker_parse_options (context, "inspect", &argc, &argv))
    return GOCKER_EXIT_ERROR;
  if (argc < 2)
    return gocker_usage_error ("inspect", _("inspect needs at least one container"));

  bus = gocker_client_connect (&error);
  if (bus != NULL)
    manager = gocker_client_get_containers (bus, &error);
  if (manager == NULL)
    {
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GockerContainer) container = NULL;
      g_autoptr(GError) local_error = NULL;

      container = gocker_client_find_container (manager, argv[i], &local_error);
      if (container == NULL)
        {
          gocker_print_error (local_error);
          status = GOCKER_EXIT_ERROR;
          continue;
        }
      json_array_add_element (array, serialize_container (container));
    }

  /* Like docker inspect: the containers found are printed even when
   * another one was not. */
  root = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (root, array);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);

  return status;
}
