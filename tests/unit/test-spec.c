/* Unit tests of the shared spec parsers: limits, volumes, names and the
 * a{sv} request of Manager.Run. */
#include "config.h"

#include <glib/gstdio.h>

#include "spec.h"

static void
test_cpu_limit_valid (void)
{
  double cpus = -1;

  g_assert_true (gocker_parse_cpu_limit ("0.5", &cpus, NULL));
  g_assert_cmpfloat (cpus, ==, 0.5);
  g_assert_true (gocker_parse_cpu_limit ("1", &cpus, NULL));
  g_assert_cmpfloat (cpus, ==, 1.0);
  g_assert_true (gocker_parse_cpu_limit ("max", &cpus, NULL));
  g_assert_cmpfloat (cpus, ==, 0.0);
  g_assert_true (gocker_parse_cpu_limit ("MAX", &cpus, NULL));
  g_assert_true (gocker_parse_cpu_limit ("0.01", &cpus, NULL));
  g_assert_cmpfloat (cpus, ==, 0.01);
}

static void
test_cpu_limit_invalid (void)
{
  const char *const cases[] = { "0", "-1", "abc", "0.001", "", "1e400", "nan", "inf", "0.5x", "100000", "0x1", "1e0", " 1" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      double cpus = 42;

      g_assert_false (gocker_parse_cpu_limit (cases[i], &cpus, &error));
      g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, cases[i]));
      g_assert_cmpfloat (cpus, ==, 42);
    }
}

static void
test_memory_limit_valid (void)
{
  const struct {
    const char *text;
    guint64 bytes;
  } cases[] = {
    { "64M", 64ULL << 20 },
    { "64m", 64ULL << 20 },
    { "1G", 1ULL << 30 },
    { "1g", 1ULL << 30 },
    { "8192K", 8192ULL << 10 },
    { "512MB", 512ULL << 20 },
    { "6291456", 6291456 },
    { "max", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint64 bytes = 1;

      g_assert_true (gocker_parse_memory_limit (cases[i].text, &bytes, NULL));
      g_assert_cmpuint (bytes, ==, cases[i].bytes);
    }
}

static void
test_memory_limit_invalid (void)
{
  const char *const cases[] = { "0", "1K", "5M", "12X", "-1M", "M", "", "1.5G", "99999999999999999999G", "64 M" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      guint64 bytes = 7;

      g_assert_false (gocker_parse_memory_limit (cases[i], &bytes, &error));
      g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, cases[i]));
      g_assert_cmpuint (bytes, ==, 7);
    }
}

static void
test_memory_format_round_trip (void)
{
  const guint64 values[] = { 0, 6ULL << 20, 1ULL << 30, 3ULL << 30, 15360ULL << 10, 6291457 };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *text = gocker_format_memory (values[i]);
      guint64 parsed = 1;

      g_assert_true (gocker_parse_memory_limit (text, &parsed, NULL));
      g_assert_cmpuint (parsed, ==, values[i]);
    }
}

static void
test_pids_limit (void)
{
  guint64 pids = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (gocker_parse_pids_limit ("20", &pids, NULL));
  g_assert_cmpuint (pids, ==, 20);
  g_assert_true (gocker_parse_pids_limit ("max", &pids, NULL));
  g_assert_cmpuint (pids, ==, 0);
  g_assert_false (gocker_parse_pids_limit ("0", &pids, &error));
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (gocker_parse_pids_limit ("-3", &pids, &error));
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (gocker_parse_pids_limit ("99999999", &pids, &error));
  g_assert_nonnull (strstr (error->message, "99999999"));
}

static void
test_volume_parse (void)
{
  g_autoptr (GockerVolume) volume = NULL;
  g_autoptr (GockerVolume) relative = NULL;
  g_autoptr (GockerVolume) readonly = NULL;

  g_assert_true (gocker_parse_volume ("/tmp:/mnt/tmp", NULL, &volume, NULL));
  g_assert_cmpstr (volume->source, ==, "/tmp");
  g_assert_cmpstr (volume->target, ==, "/mnt/tmp");
  g_assert_false (volume->readonly);

  g_assert_true (gocker_parse_volume ("data/x:/data", "/home/user", &relative, NULL));
  g_assert_cmpstr (relative->source, ==, "/home/user/data/x");

  g_assert_true (gocker_parse_volume ("/etc/hostname:/h:ro", NULL, &readonly, NULL));
  g_assert_true (readonly->readonly);
}

static void
test_volume_parse_invalid (void)
{
  const char *const cases[] = {
    "/tmp", "/tmp:", ":/x", "/tmp:relative", "/tmp:/x:rx", "/tmp:/a/../b", "a:b:c:d", "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      GockerVolume *volume = NULL;

      g_assert_false (gocker_parse_volume (cases[i], "/", &volume, &error));
      g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
      g_assert_null (volume);
      g_assert_nonnull (strstr (error->message, cases[i]));
    }
}

static void
test_volume_validate_missing_source (void)
{
  g_autoptr (GockerVolume) volume = gocker_volume_new ("/nonexistent/gocker-test", "/x", FALSE);
  g_autoptr (GError) error = NULL;

  g_assert_false (gocker_volume_validate (volume, &error));
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/gocker-test"));
}

static void
test_names_and_hostnames (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *long_hostname = g_strnfill (65, 'a');

  g_assert_true (gocker_validate_name ("web_1.test-a", NULL));
  g_assert_false (gocker_validate_name ("-web", &error));
  g_assert_nonnull (strstr (error->message, "-web"));
  g_clear_error (&error);
  g_assert_false (gocker_validate_name ("a b", &error));
  g_clear_error (&error);
  g_assert_false (gocker_validate_name ("", &error));
  g_clear_error (&error);

  g_assert_true (gocker_validate_hostname ("gocker-container", NULL));
  g_assert_true (gocker_validate_hostname ("a.b-c.d", NULL));
  g_assert_false (gocker_validate_hostname (long_hostname, &error));
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (gocker_validate_hostname ("bad_host", &error));
  g_clear_error (&error);
  g_assert_false (gocker_validate_hostname ("-x", &error));
}

static void
test_command_line (void)
{
  g_auto (GStrv) argv = NULL;
  g_autoptr (GError) error = NULL;
  char **unused = NULL;

  g_assert_true (gocker_parse_command_line ("/bin/sh -c 'echo \"a b\"'", &argv, NULL));
  g_assert_cmpuint (g_strv_length (argv), ==, 3);
  g_assert_cmpstr (argv[2], ==, "echo \"a b\"");
  g_assert_false (gocker_parse_command_line ("echo 'unterminated", &unused, &error));
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (gocker_parse_command_line ("   ", &unused, &error));
  g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
}

static GVariant *
make_request (const char *extra_key, GVariant *extra_value)
{
  GVariantBuilder builder;
  const char *command[] = { "/bin/true", NULL };

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "command", g_variant_new_strv (command, -1));
  if (extra_key != NULL)
    g_variant_builder_add (&builder, "{sv}", extra_key, extra_value);
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static void
test_variant_defaults (void)
{
  g_autoptr (GVariant) request = make_request (NULL, NULL);
  g_autoptr (GockerSpec) spec = gocker_spec_from_variant (request, NULL);

  g_assert_nonnull (spec);
  g_assert_cmpstr (spec->argv[0], ==, "/bin/true");
  g_assert_cmpstr (spec->hostname, ==, GOCKER_DEFAULT_HOSTNAME);
  g_assert_cmpstr (spec->image, ==, GOCKER_DEFAULT_IMAGE);
  g_assert_cmpuint (spec->pids_limit, ==, GOCKER_DEFAULT_PIDS_LIMIT);
  g_assert_cmpfloat (spec->cpu_limit, ==, 0);
  g_assert_cmpuint (spec->memory_limit, ==, 0);
  g_assert_cmpstr (spec->network, ==, "bridge");
}

static void
test_variant_rejects (void)
{
  const struct {
    const char *key;
    const char *value_text;
    const char *expected;
  } cases[] = {
    { "bogus", "'x'", "bogus" },
    { "name", "42", "name" },
    { "cpu-limit", "'0'", "CPU limit" },
    { "memory-limit", "'1K'", "memory limit" },
    { "hostname", "'a_b'", "hostname" },
    { "volumes", "[('relative', '/x', false)]", "absolute" },
    { "volumes", "[('/tmp', '/a/../b', false)]", ".." },
    { "env", "['NOEQUALS']", "NOEQUALS" },
    { "network", "'wifi'", "wifi" },
    { "workdir", "'relative'", "working directory" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GVariant) value = g_variant_parse (NULL, cases[i].value_text, NULL, NULL, NULL);
      g_autoptr (GVariant) request = NULL;
      g_autoptr (GockerSpec) spec = NULL;
      g_autoptr (GError) error = NULL;

      g_assert_nonnull (value);
      request = make_request (cases[i].key, g_variant_ref (value));
      spec = gocker_spec_from_variant (request, &error);
      g_assert_null (spec);
      g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, cases[i].expected));
    }
}

static void
test_variant_requires_command (void)
{
  g_autoptr (GVariant) request = g_variant_ref_sink (g_variant_new_parsed ("@a{sv} {'detach': <true>}"));
  g_autoptr (GError) error = NULL;
  g_autoptr (GockerSpec) spec = gocker_spec_from_variant (request, &error);

  g_assert_null (spec);
  g_assert_nonnull (strstr (error->message, "command"));
}

static void
test_variant_limits_on_counts (void)
{
  g_autoptr (GPtrArray) env = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GVariant) request = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GockerSpec) spec = NULL;

  for (guint i = 0; i < GOCKER_MAX_ENV + 1; i++)
    g_ptr_array_add (env, g_strdup_printf ("K%u=v", i));
  g_ptr_array_add (env, NULL);
  request = make_request ("env", g_variant_new_strv ((const char *const *) env->pdata, -1));
  spec = gocker_spec_from_variant (request, &error);
  g_assert_null (spec);
  g_assert_nonnull (strstr (error->message, "env"));
}

static void
test_variant_round_trip (void)
{
  g_autoptr (GockerSpec) spec = gocker_spec_new ();
  g_autoptr (GockerSpec) copy = NULL;
  g_autoptr (GVariant) request = NULL;
  const char *argv[] = { "/bin/sh", "-c", "echo hi", NULL };
  const char *env[] = { "A=1", NULL };

  spec->argv = g_strdupv ((char **) argv);
  spec->env = g_strdupv ((char **) env);
  spec->name = g_strdup ("web");
  spec->cpu_limit = 0.5;
  spec->memory_limit = 64ULL << 20;
  spec->pids_limit = 50;
  spec->detach = TRUE;
  g_ptr_array_add (spec->volumes, gocker_volume_new ("/tmp", "/mnt/tmp", TRUE));

  request = g_variant_ref_sink (gocker_spec_to_variant (spec));
  copy = gocker_spec_from_variant (request, NULL);
  g_assert_nonnull (copy);
  g_assert_cmpstrv (copy->argv, spec->argv);
  g_assert_cmpstrv (copy->env, spec->env);
  g_assert_cmpstr (copy->name, ==, "web");
  g_assert_cmpfloat (copy->cpu_limit, ==, 0.5);
  g_assert_cmpuint (copy->memory_limit, ==, 64ULL << 20);
  g_assert_cmpuint (copy->pids_limit, ==, 50);
  g_assert_true (copy->detach);
  g_assert_cmpuint (copy->volumes->len, ==, 1);
  g_assert_true (((GockerVolume *) g_ptr_array_index (copy->volumes, 0))->readonly);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gocker/spec/cpu-limit/valid", test_cpu_limit_valid);
  g_test_add_func ("/gocker/spec/cpu-limit/invalid", test_cpu_limit_invalid);
  g_test_add_func ("/gocker/spec/memory-limit/valid", test_memory_limit_valid);
  g_test_add_func ("/gocker/spec/memory-limit/invalid", test_memory_limit_invalid);
  g_test_add_func ("/gocker/spec/memory-limit/format-round-trip", test_memory_format_round_trip);
  g_test_add_func ("/gocker/spec/pids-limit", test_pids_limit);
  g_test_add_func ("/gocker/spec/volume/parse", test_volume_parse);
  g_test_add_func ("/gocker/spec/volume/invalid", test_volume_parse_invalid);
  g_test_add_func ("/gocker/spec/volume/missing-source", test_volume_validate_missing_source);
  g_test_add_func ("/gocker/spec/names", test_names_and_hostnames);
  g_test_add_func ("/gocker/spec/command-line", test_command_line);
  g_test_add_func ("/gocker/spec/variant/defaults", test_variant_defaults);
  g_test_add_func ("/gocker/spec/variant/rejects", test_variant_rejects);
  g_test_add_func ("/gocker/spec/variant/requires-command", test_variant_requires_command);
  g_test_add_func ("/gocker/spec/variant/count-limits", test_variant_limits_on_counts);
  g_test_add_func ("/gocker/spec/variant/round-trip", test_variant_round_trip);

  return g_test_run ();
}
