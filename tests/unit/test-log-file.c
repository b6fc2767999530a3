/* Unit tests of log rotation: the size and count parsers, the [logs]
 * group of the helper configuration, the writer's cap and rotation, and
 * the defaults of a state file without the log fields. */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log-file.h"
#include "network.h"
#include "state.h"

typedef struct {
  char *dir;
  char *log;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  fixture->dir = g_dir_make_tmp ("gocker-test-log-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  fixture->log = g_build_filename (fixture->dir, "c.log", NULL);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->log);
  g_free (fixture->dir);
}

static void
test_parse_size (void)
{
  guint64 bytes = 1;
  guint files = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (gocker_log_parse_max_size ("10M", &bytes, NULL));
  g_assert_cmpuint (bytes, ==, 10 * 1024 * 1024);
  g_assert_true (gocker_log_parse_max_size ("64kib", &bytes, NULL));
  g_assert_cmpuint (bytes, ==, 64 * 1024);
  g_assert_true (gocker_log_parse_max_size ("4096", &bytes, NULL));
  g_assert_cmpuint (bytes, ==, 4096);
  g_assert_true (gocker_log_parse_max_size ("max", &bytes, NULL));
  g_assert_cmpuint (bytes, ==, 0);

  g_assert_false (gocker_log_parse_max_size ("1K", &bytes, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "\"1K\""));
  g_clear_error (&error);
  for (guint i = 0; i < 5; i++)
    {
      const char *bad[] = { "", "M", "10X", "-5", "99999999999999999999G" };

      g_assert_false (gocker_log_parse_max_size (bad[i], &bytes, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }

  g_assert_true (gocker_log_parse_max_files ("2", &files, NULL));
  g_assert_cmpuint (files, ==, 2);
  g_assert_false (gocker_log_parse_max_files ("0", &files, NULL));
  g_assert_false (gocker_log_parse_max_files ("101", &files, NULL));
  g_assert_false (gocker_log_parse_max_files ("+3", &files, NULL));
}

static void
write_config (Fixture *fixture, const char *contents, char **out_path)
{
  *out_path = g_build_filename (fixture->dir, "helper.conf", NULL);
  g_assert_true (g_file_set_contents (*out_path, contents, -1, NULL));
}

static void
test_config (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = NULL;
  g_autofree char *missing = g_build_filename (fixture->dir, "none.conf", NULL);
  g_autoptr (GockerNetworkConfig) network = NULL;
  g_autoptr (GError) error = NULL;
  guint64 size = GOCKER_LOG_DEFAULT_MAX_SIZE;
  guint files = GOCKER_LOG_DEFAULT_MAX_FILES;

  g_assert_true (gocker_log_config_load (missing, &size, &files, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (size, ==, GOCKER_LOG_DEFAULT_MAX_SIZE);
  g_assert_cmpuint (files, ==, GOCKER_LOG_DEFAULT_MAX_FILES);

  /* Both groups in one file: each loader reads its own. */
  write_config (fixture, "[network]\nsubnet=10.9.0.0/24\n[logs]\nmax-size=1M\nmax-files=3\n", &path);
  g_assert_true (gocker_log_config_load (path, &size, &files, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (size, ==, 1024 * 1024);
  g_assert_cmpuint (files, ==, 3);
  network = gocker_network_config_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (network);
  g_assert_cmpuint (network->prefix, ==, 24);
  g_free (path);

  write_config (fixture, "[logs]\nmax-size=1K\n", &path);
  g_assert_false (gocker_log_config_load (path, &size, &files, &error));
  g_assert_nonnull (strstr (error->message, "[logs] max-size"));
  g_clear_error (&error);
  g_free (path);

  write_config (fixture, "[logs]\nmax-age=3\n", &path);
  g_assert_false (gocker_log_config_load (path, &size, &files, &error));
  g_assert_nonnull (strstr (error->message, "unknown key \"max-age\""));
  g_assert_cmpuint (size, ==, 1024 * 1024);
}

static goffset
file_size (const char *path)
{
  struct stat st;

  if (g_stat (path, &st) < 0)
    return -1;
  return st.st_size;
}

static void
test_rotation (Fixture *fixture, gconstpointer data)
{
  g_autofree char *first = gocker_log_rotated_path (fixture->log, 1);
  g_autofree char *second = gocker_log_rotated_path (fixture->log, 2);
  g_autofree char *chunk = g_strnfill (3000, 'x');
  g_autofree char *contents = NULL;
  GockerLogWriter writer;
  struct stat st;
  int fd = open (fixture->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

  g_assert_cmpint (fd, >=, 0);
  gocker_log_writer_init (&writer, fd, fixture->log, 4096, 2);
  /* 10 × 3000 bytes: files of exactly 4096 bytes, split inside writes. */
  for (guint i = 0; i < 10; i++)
    gocker_log_writer_write (&writer, chunk, 3000);
  gocker_log_writer_write (&writer, "END", 3);
  gocker_log_writer_close (&writer);

  g_assert_cmpint (file_size (fixture->log), ==, (30003 % 4096));
  g_assert_cmpint (file_size (first), ==, 4096);
  g_assert_cmpint (file_size (second), ==, -1);
  {
    g_autofree char *new_path = g_strconcat (fixture->log, ".new", NULL);

    g_assert_cmpint (file_size (new_path), ==, -1);
  }
  g_assert_cmpint (g_stat (first, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, GOCKER_LOG_ROTATED_MODE);
  g_assert_true (g_file_get_contents (fixture->log, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "xxEND"));

  g_assert_true (gocker_log_remove_rotated (fixture->log, NULL));
  g_assert_cmpint (file_size (first), ==, -1);
  g_assert_cmpint (file_size (fixture->log), >, 0);
}

static void
test_single_file_and_no_cap (Fixture *fixture, gconstpointer data)
{
  g_autofree char *first = gocker_log_rotated_path (fixture->log, 1);
  g_autofree char *chunk = g_strnfill (5000, 'y');
  GockerLogWriter writer;
  int fd = open (fixture->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

  gocker_log_writer_init (&writer, fd, fixture->log, 4096, 1);
  gocker_log_writer_write (&writer, chunk, 5000);
  gocker_log_writer_close (&writer);
  g_assert_cmpint (file_size (fixture->log), ==, 5000 - 4096);
  g_assert_cmpint (file_size (first), ==, -1);

  fd = open (fixture->log, O_WRONLY | O_APPEND | O_CLOEXEC);
  gocker_log_writer_init (&writer, fd, fixture->log, /* max_size= */ 0, 2);
  for (guint i = 0; i < 4; i++)
    gocker_log_writer_write (&writer, chunk, 5000);
  gocker_log_writer_close (&writer);
  g_assert_cmpint (file_size (fixture->log), ==, 5000 - 4096 + 20000);
  g_assert_cmpint (file_size (first), ==, -1);
}

static void
test_state_defaults (void)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GockerState) state = NULL;
  g_autoptr (GError) error = NULL;
  const char *text =
    "{\"id\": \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
    " \"status\": \"exited\", \"owner-uid\": 0, \"spec\": {\"command\": [\"/bin/true\"]}}";

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  state = gocker_state_from_json (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (state->log_max_size, ==, GOCKER_LOG_DEFAULT_MAX_SIZE);
  g_assert_cmpuint (state->log_max_files, ==, GOCKER_LOG_DEFAULT_MAX_FILES);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gocker/log/parse-size", test_parse_size);
  g_test_add ("/gocker/log/config", Fixture, NULL, fixture_setup, test_config, fixture_teardown);
  g_test_add ("/gocker/log/rotation", Fixture, NULL, fixture_setup, test_rotation, fixture_teardown);
  g_test_add ("/gocker/log/single-file-and-no-cap", Fixture, NULL, fixture_setup,
              test_single_file_and_no_cap, fixture_teardown);
  g_test_add_func ("/gocker/log/state-defaults", test_state_defaults);
  return g_test_run ();
}
