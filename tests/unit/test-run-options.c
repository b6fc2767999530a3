/* Unit tests of `gocker run` option handling: GockerRunOptions to a
 * validated GockerSpec, before anything is sent to the helper. */
#define G_LOG_DOMAIN "gocker-test"

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "run-options.h"

typedef struct {
  char *dir;               /* a temporary directory, used as cwd */
  GockerRunOptions options;
} Fixture;

static const char *const test_environ[] = { "HOME=/root", "LANG=C.UTF-8", NULL };

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const char *command[] = { "/bin/echo", "-c", "hi", NULL };

  fixture->dir = g_dir_make_tmp ("gocker-cli-test-XXXXXX", &error);
  g_assert_no_error (error);
  memset (&fixture->options, 0, sizeof fixture->options);
  fixture->options.command = g_strdupv ((char **) command);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_autofree char *sub = g_build_filename (fixture->dir, "data", NULL);

  g_rmdir (sub);
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->dir);
  gocker_run_options_clear (&fixture->options);
}

static GockerSpec *
to_spec (Fixture *fixture, GError **error)
{
  return gocker_run_options_to_spec (&fixture->options, fixture->dir, test_environ, error);
}

static void
test_defaults (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = to_spec (fixture, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (spec->argv[0], ==, "/bin/echo");
  g_assert_cmpstr (spec->argv[1], ==, "-c");
  g_assert_cmpstr (spec->hostname, ==, GOCKER_DEFAULT_HOSTNAME);
  g_assert_cmpuint (spec->pids_limit, ==, GOCKER_DEFAULT_PIDS_LIMIT);
  g_assert_cmpuint (spec->volumes->len, ==, 0);
  g_assert_false (spec->detach);
}

static void
test_no_command (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;

  g_clear_pointer (&fixture->options.command, g_strfreev);
  spec = to_spec (fixture, &error);
  g_assert_null (spec);
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
}

static void
test_limits (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;

  fixture->options.cpu_limit = g_strdup ("0.5");
  fixture->options.memory_limit = g_strdup ("64M");
  fixture->options.pids_limit = g_strdup ("max");
  spec = to_spec (fixture, &error);

  g_assert_no_error (error);
  g_assert_cmpfloat (spec->cpu_limit, ==, 0.5);
  g_assert_cmpuint (spec->memory_limit, ==, 64 * 1024 * 1024);
  g_assert_cmpuint (spec->pids_limit, ==, 0);
}

static void
test_bad_limits (Fixture *fixture, gconstpointer data)
{
  static const struct {
    gsize offset;
    const char *value;
    const char *option;
  } cases[] = {
    { G_STRUCT_OFFSET (GockerRunOptions, cpu_limit), "0", "--cpu-limit" },
    { G_STRUCT_OFFSET (GockerRunOptions, cpu_limit), "abc", "--cpu-limit" },
    { G_STRUCT_OFFSET (GockerRunOptions, cpu_limit), "0.001", "--cpu-limit" },
    { G_STRUCT_OFFSET (GockerRunOptions, memory_limit), "1K", "--memory-limit" },
    { G_STRUCT_OFFSET (GockerRunOptions, memory_limit), "12X", "--memory-limit" },
    { G_STRUCT_OFFSET (GockerRunOptions, pids_limit), "0", "--pids-limit" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GockerSpec) spec = NULL;
      char **field = G_STRUCT_MEMBER_P (&fixture->options, cases[i].offset);

      g_free (*field);
      *field = g_strdup (cases[i].value);
      spec = to_spec (fixture, &error);
      g_clear_pointer (field, g_free);

      g_assert_null (spec);
      g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, cases[i].option));
      g_assert_nonnull (strstr (error->message, cases[i].value));
    }
}

static void
test_env (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;
  const char *env[] = { "A=1", "HOME", "UNSET_IN_TEST", "EMPTY=", NULL };

  fixture->options.env = g_strdupv ((char **) env);
  spec = to_spec (fixture, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (spec->env), ==, 3);
  g_assert_cmpstr (spec->env[0], ==, "A=1");
  g_assert_cmpstr (spec->env[1], ==, "HOME=/root");
  g_assert_cmpstr (spec->env[2], ==, "EMPTY=");
}

static void
test_bad_env (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;
  const char *env[] = { "=value", NULL };

  fixture->options.env = g_strdupv ((char **) env);
  spec = to_spec (fixture, &error);

  g_assert_null (spec);
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "--env"));
}

static void
test_relative_volume (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;
  g_autofree char *sub = g_build_filename (fixture->dir, "data", NULL);
  const char *volumes[] = { "data:/mnt:ro", NULL };
  GockerVolume *volume;

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  fixture->options.volumes = g_strdupv ((char **) volumes);
  spec = to_spec (fixture, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (spec->volumes->len, ==, 1);
  volume = g_ptr_array_index (spec->volumes, 0);
  g_assert_cmpstr (volume->source, ==, sub);
  g_assert_cmpstr (volume->target, ==, "/mnt");
  g_assert_true (volume->readonly);
}

static void
test_missing_volume (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;
  const char *volumes[] = { "missing:/mnt", NULL };

  fixture->options.volumes = g_strdupv ((char **) volumes);
  spec = to_spec (fixture, &error);

  g_assert_null (spec);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "--volume"));
  g_assert_nonnull (strstr (error->message, "missing"));
}

static void
test_relative_container_path (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;
  const char *volumes[] = { "/tmp:mnt", NULL };

  fixture->options.volumes = g_strdupv ((char **) volumes);
  spec = to_spec (fixture, &error);

  g_assert_null (spec);
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
}

static void
test_rootfs (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;
  g_autofree char *sub = g_build_filename (fixture->dir, "data", NULL);

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  fixture->options.rootfs = g_strdup ("./data");
  spec = to_spec (fixture, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (spec->rootfs, ==, sub);
  g_assert_null (spec->image);
}

static void
test_rootfs_missing (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;

  fixture->options.rootfs = g_strdup ("nothere");
  spec = to_spec (fixture, &error);

  g_assert_null (spec);
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nothere"));
}

static void
test_image_and_rootfs (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;

  fixture->options.rootfs = g_strdup ("/");
  fixture->options.image = g_strdup ("busybox");
  spec = to_spec (fixture, &error);

  g_assert_null (spec);
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
}

static void
test_bad_name_hostname (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;
  g_autofree char *long_hostname = g_strnfill (65, 'h');

  fixture->options.name = g_strdup ("-bad name");
  spec = to_spec (fixture, &error);
  g_assert_null (spec);
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "--name"));
  g_clear_error (&error);
  g_clear_pointer (&fixture->options.name, g_free);

  fixture->options.hostname = g_strdup (long_hostname);
  spec = to_spec (fixture, &error);
  g_assert_null (spec);
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "--hostname"));
}

static void
test_security_opt (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GockerSpec) spec = NULL;
  const char *good[] = { "seccomp=unconfined", NULL };
  const char *bad[] = { "apparmor=x", NULL };

  fixture->options.security_opt = g_strdupv ((char **) good);
  spec = to_spec (fixture, &error);
  g_assert_no_error (error);
  g_assert_true (spec->seccomp_unconfined);
  g_clear_pointer (&spec, gocker_spec_free);
  g_strfreev (fixture->options.security_opt);

  fixture->options.security_opt = g_strdupv ((char **) bad);
  spec = to_spec (fixture, &error);
  g_assert_null (spec);
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_setenv ("LANGUAGE", "C", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/gocker/cli/run-options/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("defaults", test_defaults);
  ADD ("no-command", test_no_command);
  ADD ("limits", test_limits);
  ADD ("bad-limits", test_bad_limits);
  ADD ("env", test_env);
  ADD ("bad-env", test_bad_env);
  ADD ("relative-volume", test_relative_volume);
  ADD ("missing-volume", test_missing_volume);
  ADD ("relative-container-path", test_relative_container_path);
  ADD ("rootfs", test_rootfs);
  ADD ("rootfs-missing", test_rootfs_missing);
  ADD ("image-and-rootfs", test_image_and_rootfs);
  ADD ("bad-name-hostname", test_bad_name_hostname);
  ADD ("security-opt", test_security_opt);

  return g_test_run ();
}
