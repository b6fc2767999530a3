/* Unit tests of container state records: JSON round trip, atomic saves
 * and skipping of files that cannot be parsed. */
#include "config.h"

#include <glib/gstdio.h>

#include "state.h"

typedef struct {
  char *dir;
  char *containers;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  fixture->dir = g_dir_make_tmp ("gocker-test-state-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  fixture->containers = g_build_filename (fixture->dir, "containers", NULL);
  g_assert_cmpint (g_mkdir (fixture->containers, 0700), ==, 0);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (fixture->containers, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->containers, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->containers);
  g_rmdir (fixture->dir);
  g_free (fixture->containers);
  g_free (fixture->dir);
}

static GockerState *
make_state (void)
{
  GockerState *state = gocker_state_new ();
  const char *argv[] = { "/bin/echo", "hello", NULL };

  state->id = gocker_generate_id ();
  state->spec = gocker_spec_new ();
  state->spec->argv = g_strdupv ((char **) argv);
  state->spec->name = g_strdup ("test_one");
  state->spec->memory_limit = 64ULL << 20;
  g_ptr_array_add (state->spec->volumes, gocker_volume_new ("/tmp", "/mnt", TRUE));
  state->status = GOCKER_STATUS_RUNNING;
  state->owner_uid = 1000;
  state->created_at = 1700000000000000;
  state->pid = 4242;
  state->supervisor_pid = 4241;
  state->supervisor_start_time = 123456;
  state->log_path = g_strdup ("/var/lib/gocker/logs/x.log");
  state->cgroup_path = g_strdup_printf ("gocker/%s", state->id);
  return state;
}

static void
test_id_generation (void)
{
  g_autofree char *a = gocker_generate_id ();
  g_autofree char *b = gocker_generate_id ();

  g_assert_true (gocker_is_valid_id (a));
  g_assert_cmpstr (a, !=, b);
  g_assert_false (gocker_is_valid_id ("abc"));
  g_assert_false (gocker_is_valid_id ("../../../../etc/passwd"));
}

static void
test_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GockerState) state = make_state ();
  g_autoptr (GockerState) loaded = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (gocker_state_save (state, fixture->dir, &error));
  g_assert_no_error (error);
  path = gocker_state_path (fixture->dir, state->id);
  loaded = gocker_state_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->id, ==, state->id);
  g_assert_cmpint (loaded->status, ==, GOCKER_STATUS_RUNNING);
  g_assert_cmpuint (loaded->owner_uid, ==, 1000);
  g_assert_cmpint (loaded->created_at, ==, state->created_at);
  g_assert_cmpint (loaded->pid, ==, 4242);
  g_assert_cmpuint (loaded->supervisor_start_time, ==, 123456);
  g_assert_cmpstr (loaded->spec->name, ==, "test_one");
  g_assert_cmpstrv (loaded->spec->argv, state->spec->argv);
  g_assert_cmpuint (loaded->spec->memory_limit, ==, 64ULL << 20);
  g_assert_cmpuint (loaded->spec->volumes->len, ==, 1);
  g_assert_cmpstr (loaded->cgroup_path, ==, state->cgroup_path);
}

static void
test_save_leaves_no_temporary (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GockerState) state = make_state ();
  g_autoptr (GDir) dir = NULL;
  guint count = 0;

  for (guint i = 0; i < 5; i++)
    g_assert_true (gocker_state_save (state, fixture->dir, NULL));
  dir = g_dir_open (fixture->containers, 0, NULL);
  while (g_dir_read_name (dir) != NULL)
    count++;
  g_assert_cmpuint (count, ==, 1);
}

static void
record_error (const char *path, const GError *error, gpointer user_data)
{
  GPtrArray *errors = user_data;

  g_ptr_array_add (errors, g_strdup (path));
}

static void
test_load_all_skips_broken (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GockerState) state = make_state ();
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) states = NULL;
  g_autofree char *broken = g_build_filename (fixture->containers, "broken.json", NULL);
  g_autofree char *wrong_type = g_build_filename (fixture->containers, "wrong.json", NULL);
  g_autofree char *bad_cgroup = NULL;
  g_autoptr (GockerState) escaping = make_state ();

  g_assert_true (gocker_state_save (state, fixture->dir, NULL));
  g_assert_true (g_file_set_contents (broken, "{ not json", -1, NULL));
  g_assert_true (g_file_set_contents (wrong_type, "[1, 2, 3]", -1, NULL));
  g_free (escaping->cgroup_path);
  escaping->cgroup_path = g_strdup ("../../escape");
  g_assert_true (gocker_state_save (escaping, fixture->dir, NULL));
  bad_cgroup = gocker_state_path (fixture->dir, escaping->id);

  states = gocker_state_load_all (fixture->dir, record_error, errors);
  g_assert_cmpuint (states->len, ==, 1);
  g_assert_cmpuint (errors->len, ==, 3);
}

static void
test_huge_limit_rejected (void)
{
  g_autoptr (GockerState) state = make_state ();
  g_autoptr (JsonNode) node = gocker_state_to_json (state);
  JsonObject *spec = json_object_get_object_member (json_node_get_object (node), "spec");
  g_autoptr (GockerState) loaded = NULL;
  g_autoptr (GError) error = NULL;

  /* Found by the state fuzzer: a double beyond gint64's range. */
  json_object_set_double_member (spec, "memory-limit", 1e300);
  loaded = gocker_state_from_json (node, &error);
  g_assert_null (loaded);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "memory-limit"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gocker/state/id", test_id_generation);
  g_test_add_func ("/gocker/state/huge-limit", test_huge_limit_rejected);
  g_test_add ("/gocker/state/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/gocker/state/atomic-save", Fixture, NULL, fixture_setup, test_save_leaves_no_temporary,
              fixture_teardown);
  g_test_add ("/gocker/state/skip-broken", Fixture, NULL, fixture_setup, test_load_all_skips_broken,
              fixture_teardown);

  return g_test_run ();
}
