/* The exit record: STATE_DIR/containers/<id>.exit, written once by the
 * supervisor when the container's first process has been reaped. */
#define G_LOG_DOMAIN "gocker-engine"

#include "engine-private.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

char *
gocker_exit_record_path (const char *state_dir, const char *id)
{
  g_autofree char *name = g_strconcat (id, ".exit", NULL);
  return g_build_filename (state_dir, "containers", name, NULL);
}

gboolean
gocker_exit_record_write (const char *state_dir, const char *id,
                          const GockerExitRecord *record, GError **error)
{
  g_autofree char *path = gocker_exit_record_path (state_dir, id);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "exit-code");
  json_builder_add_int_value (builder, record->exit_code);
  json_builder_set_member_name (builder, "finished-at");
  json_builder_add_int_value (builder, record->finished_at);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  if (!gocker_write_file_atomic (path, text, -1, 0644, error))
    {
      g_prefix_error (error, "writing exit record %s: ", path);
      return FALSE;
    }
  return TRUE;
}

gboolean
gocker_exit_record_read (const char *state_dir, const char *id,
                         GockerExitRecord *out, GError **error)
{
  g_autofree char *path = gocker_exit_record_path (state_dir, id);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonNode *code;
  JsonNode *finished;

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     "exit record %s does not exist yet", path);
      else
        g_set_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_INVALID,
                     "reading exit record %s: %s", path, local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  object = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  code = object ? json_object_get_member (object, "exit-code") : NULL;
  finished = object ? json_object_get_member (object, "finished-at") : NULL;
  if (code == NULL || json_node_get_value_type (code) != G_TYPE_INT64 ||
      finished == NULL || json_node_get_value_type (finished) != G_TYPE_INT64)
    {
      g_set_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_INVALID,
                   "exit record %s needs integer members exit-code and finished-at",
                   path);
      return FALSE;
    }
  out->exit_code = (int) json_node_get_int (code);
  out->finished_at = json_node_get_int (finished);
  return TRUE;
}

gboolean
gocker_exit_report_parse (const char *line, int *out_exit_code, gint64 *out_finished_at)
{
  g_auto(GStrv) words = g_strsplit (line, " ", -1);
  gint64 code;
  gint64 finished_at;

  if (g_strv_length (words) != 3 || strcmp (words[0], "EXIT") != 0 ||
      !g_ascii_string_to_signed (words[1], 10, -1, 255, &code, NULL) ||
      !g_ascii_string_to_signed (words[2], 10, 0, G_MAXINT64, &finished_at, NULL))
    return FALSE;
  *out_exit_code = (int) code;
  *out_finished_at = finished_at;
  return TRUE;
}
