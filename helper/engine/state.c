/* Container state records and their atomic JSON files. */
#define G_LOG_DOMAIN "gocker-state"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "log-file.h"
#include "state.h"

static const char *const status_names[] = {
  [GOCKER_STATUS_CREATED] = "created",
  [GOCKER_STATUS_RUNNING] = "running",
  [GOCKER_STATUS_STOPPED] = "stopped",
  [GOCKER_STATUS_EXITED] = "exited",
};

const char *
gocker_status_to_string (GockerStatus status)
{
  g_return_val_if_fail (status < G_N_ELEMENTS (status_names), "exited");
  return status_names[status];
}

gboolean
gocker_status_from_string (const char *text, GockerStatus *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (text, status_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

GockerState *
gocker_state_new (void)
{
  GockerState *state = g_new0 (GockerState, 1);

  state->exit_code = -1;
  state->status = GOCKER_STATUS_CREATED;
  state->log_max_size = GOCKER_LOG_DEFAULT_MAX_SIZE;
  state->log_max_files = GOCKER_LOG_DEFAULT_MAX_FILES;
  return state;
}

void
gocker_state_free (GockerState *state)
{
  if (state == NULL)
    return;
  g_free (state->id);
  gocker_spec_free (state->spec);
  g_free (state->log_path);
  g_free (state->lower_dir);
  g_free (state->ip_address);
  g_free (state->mac_address);
  g_free (state->cgroup_path);
  g_free (state);
}

char *
gocker_state_path (const char *state_dir, const char *id)
{
  g_autofree char *file = g_strconcat (id, ".json", NULL);

  return g_build_filename (state_dir, "containers", file, NULL);
}

JsonNode *
gocker_state_to_json (const GockerState *state)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, state->id);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, gocker_status_to_string (state->status));
  json_builder_set_member_name (builder, "owner-uid");
  json_builder_add_int_value (builder, state->owner_uid);
  json_builder_set_member_name (builder, "owner-gid");
  json_builder_add_int_value (builder, state->owner_gid);
  json_builder_set_member_name (builder, "created-at");
  json_builder_add_int_value (builder, state->created_at);
  json_builder_set_member_name (builder, "finished-at");
  json_builder_add_int_value (builder, state->finished_at);
  json_builder_set_member_name (builder, "exit-code");
  json_builder_add_int_value (builder, state->exit_code);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, state->pid);
  json_builder_set_member_name (builder, "supervisor-pid");
  json_builder_add_int_value (builder, state->supervisor_pid);
  json_builder_set_member_name (builder, "supervisor-start-time");
  json_builder_add_int_value (builder, (gint64) state->supervisor_start_time);
  json_builder_set_member_name (builder, "stop-requested");
  json_builder_add_boolean_value (builder, state->stop_requested);
  json_builder_set_member_name (builder, "log-path");
  json_builder_add_string_value (builder, state->log_path);
  json_builder_set_member_name (builder, "lower-dir");
  json_builder_add_string_value (builder, state->lower_dir);
  json_builder_set_member_name (builder, "cgroup-path");
  json_builder_add_string_value (builder, state->cgroup_path);
  json_builder_set_member_name (builder, "ip-address");
  json_builder_add_string_value (builder, state->ip_address);
  json_builder_set_member_name (builder, "mac-address");
  json_builder_add_string_value (builder, state->mac_address);
  json_builder_set_member_name (builder, "log-max-size");
  json_builder_add_int_value (builder, (gint64) state->log_max_size);
  json_builder_set_member_name (builder, "log-max-files");
  json_builder_add_int_value (builder, state->log_max_files);
  json_builder_set_member_name (builder, "spec");
  json_builder_add_value (builder, gocker_spec_to_json (state->spec));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static char *
member_string (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static gint64
member_int (JsonObject *object, const char *member, gint64 fallback)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (node);
}

GockerState *
gocker_state_from_json (JsonNode *node, GError **error)
{
  g_autoptr (GockerState) state = gocker_state_new ();
  g_autofree char *status = NULL;
  JsonObject *object;
  JsonNode *spec_node;
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "expected a JSON object");
      return NULL;
    }
  object = json_node_get_object (node);

  state->id = member_string (object, "id");
  if (state->id == NULL || !gocker_is_valid_id (state->id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "missing or invalid \"id\": expected %d lower-case hexadecimal characters", GOCKER_ID_LEN);
      return NULL;
    }

  status = member_string (object, "status");
  if (!gocker_status_from_string (status, &state->status))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "invalid \"status\" \"%s\": expected created, running, stopped or exited",
                   status ? status : "");
      return NULL;
    }

  value = member_int (object, "owner-uid", -1);
  if (value < 0 || value > G_MAXUINT32)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "missing or invalid \"owner-uid\"");
      return NULL;
    }
  state->owner_uid = value;
  value = member_int (object, "owner-gid", state->owner_uid);
  state->owner_gid = value >= 0 && value <= G_MAXUINT32 ? value : state->owner_uid;

  state->created_at = member_int (object, "created-at", 0);
  state->finished_at = member_int (object, "finished-at", 0);
  value = member_int (object, "exit-code", -1);
  state->exit_code = CLAMP (value, -1, 255);
  value = member_int (object, "pid", 0);
  state->pid = value > 0 && value <= G_MAXINT32 ? value : 0;
  value = member_int (object, "supervisor-pid", 0);
  state->supervisor_pid = value > 0 && value <= G_MAXINT32 ? value : 0;
  state->supervisor_start_time = MAX (member_int (object, "supervisor-start-time", 0), 0);
  {
    JsonNode *stop = json_object_get_member (object, "stop-requested");

    state->stop_requested = stop != NULL && JSON_NODE_HOLDS_VALUE (stop) &&
                            json_node_get_value_type (stop) == G_TYPE_BOOLEAN &&
                            json_node_get_boolean (stop);
  }
  state->log_path = member_string (object, "log-path");
  state->lower_dir = member_string (object, "lower-dir");
  state->cgroup_path = member_string (object, "cgroup-path");
  state->ip_address = member_string (object, "ip-address");
  state->mac_address = member_string (object, "mac-address");
  /* Absent in files of older helpers: the defaults. */
  value = member_int (object, "log-max-size", GOCKER_LOG_DEFAULT_MAX_SIZE);
  state->log_max_size = value >= 0 ? (guint64) value : GOCKER_LOG_DEFAULT_MAX_SIZE;
  value = member_int (object, "log-max-files", GOCKER_LOG_DEFAULT_MAX_FILES);
  state->log_max_files = value >= 1 && value <= GOCKER_LOG_MAX_MAX_FILES ? (guint) value : GOCKER_LOG_DEFAULT_MAX_FILES;

  if (state->cgroup_path != NULL &&
      (state->cgroup_path[0] == '/' || strstr (state->cgroup_path, "..") != NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "invalid \"cgroup-path\" \"%s\": expected a relative path without \"..\"",
                   state->cgroup_path);
      return NULL;
    }

  spec_node = json_object_get_member (object, "spec");
  state->spec = gocker_spec_from_json (spec_node, error);
  if (state->spec == NULL)
    {
      g_prefix_error (error, "invalid \"spec\": ");
      return NULL;
    }
  if (state->spec->name == NULL)
    state->spec->name = g_strndup (state->id, GOCKER_SHORT_ID_LEN);

  return g_steal_pointer (&state);
}

gboolean
gocker_write_file_atomic (const char *path, const char *contents, gssize length,
                          mode_t mode, GError **error)
{
  /* With CONSISTENT, GLib writes a temporary file in the same directory,
   * fsyncs it and renames it over the target; DURABLE adds an fsync of
   * the directory after the rename, so the rename survives a crash. */
  return g_file_set_contents_full (path, contents, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   mode, error);
}

gboolean
gocker_state_save (const GockerState *state, const char *state_dir, GError **error)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = gocker_state_to_json (state);
  g_autofree char *path = gocker_state_path (state_dir, state->id);
  g_autofree char *text = NULL;
  gsize length;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &length);

  if (!gocker_write_file_atomic (path, text, length, 0600, error))
    {
      g_prefix_error (error, "writing state file %s: ", path);
      return FALSE;
    }
  return TRUE;
}

GockerState *
gocker_state_load (const char *path, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  GockerState *state;

  if (!json_parser_load_from_mapped_file (parser, path, error))
    {
      g_prefix_error (error, "reading state file %s: ", path);
      return NULL;
    }
  state = gocker_state_from_json (json_parser_get_root (parser), error);
  if (state == NULL)
    {
      g_prefix_error (error, "state file %s: ", path);
      return NULL;
    }
  return state;
}

static gint
compare_created (gconstpointer a, gconstpointer b)
{
  const GockerState *left = *(const GockerState **) a;
  const GockerState *right = *(const GockerState **) b;

  return (left->created_at > right->created_at) - (left->created_at < right->created_at);
}

GPtrArray *
gocker_state_load_all (const char *state_dir, GockerStateErrorFunc on_error, gpointer user_data)
{
  g_autofree char *dir_path = g_build_filename (state_dir, "containers", NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *states = g_ptr_array_new_with_free_func ((GDestroyNotify) gocker_state_free);
  const char *name;

  if (dir == NULL)
    return states;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr (GError) error = NULL;
      GockerState *state;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      path = g_build_filename (dir_path, name, NULL);
      state = gocker_state_load (path, &error);
      if (state == NULL)
        {
          if (on_error != NULL)
            on_error (path, error, user_data);
          continue;
        }
      {
        g_autofree char *expected = g_strconcat (state->id, ".json", NULL);

        if (strcmp (expected, name) != 0)
          {
            g_autoptr (GError) mismatch =
              g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "the file name does not match the id %s", state->id);

            if (on_error != NULL)
              on_error (path, mismatch, user_data);
            gocker_state_free (state);
            continue;
          }
      }
      g_ptr_array_add (states, state);
    }

  g_ptr_array_sort (states, compare_created);
  return states;
}

char *
gocker_generate_id (void)
{
  guint8 bytes[GOCKER_ID_LEN / 2];
  GString *id = g_string_sized_new (GOCKER_ID_LEN);

  if (getrandom (bytes, sizeof bytes, 0) != sizeof bytes)
    for (guint i = 0; i < sizeof bytes; i++)
      bytes[i] = g_random_int_range (0, 256);
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (id, "%02x", bytes[i]);
  return g_string_free (id, FALSE);
}

gboolean
gocker_is_valid_id (const char *id)
{
  if (id == NULL || strlen (id) != GOCKER_ID_LEN)
    return FALSE;
  for (guint i = 0; i < GOCKER_ID_LEN; i++)
    if (!g_ascii_isdigit (id[i]) && !(id[i] >= 'a' && id[i] <= 'f'))
      return FALSE;
  return TRUE;
}

char *
gocker_generate_name (void)
{
  static const char *const adjectives[] = {
    "agile", "bold", "brave", "bright", "calm", "clever", "cool", "eager", "fast", "fierce",
    "gentle", "happy", "jolly", "keen", "kind", "lucid", "merry", "modest", "nimble", "noble",
    "proud", "quiet", "quick", "sharp", "steady", "sunny", "swift", "tender", "vivid", "witty",
  };
  static const char *const nouns[] = {
    "babbage", "bohr", "curie", "darwin", "dijkstra", "einstein", "euler", "faraday", "fermi",
    "galileo", "gauss", "hopper", "hypatia", "kepler", "knuth", "lamarr", "lovelace", "maxwell",
    "meitner", "newton", "noether", "pascal", "planck", "ritchie", "shannon", "tesla", "thompson",
    "torvalds", "turing", "wozniak",
  };

  return g_strdup_printf ("%s_%s",
                          adjectives[g_random_int_range (0, G_N_ELEMENTS (adjectives))],
                          nouns[g_random_int_range (0, G_N_ELEMENTS (nouns))]);
}
