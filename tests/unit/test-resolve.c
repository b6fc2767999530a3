/* Unit tests of the CLI's pure functions: container id resolution and the
 * text of `gocker ps`. */
#define G_LOG_DOMAIN "gocker-test"

#include "config.h"

#include <glib.h>
#include <locale.h>
#include <string.h>

#include "format.h"
#include "resolve.h"

#define ID_A "aaaa1111bbbb2222cccc3333dddd4444eeee5555ffff6666aaaa7777bbbb8888"
#define ID_B "aaaa1199bbbb2222cccc3333dddd4444eeee5555ffff6666aaaa7777bbbb8888"
#define ID_C "c0ffee00bbbb2222cccc3333dddd4444eeee5555ffff6666aaaa7777bbbb8888"

static const GockerContainerRef refs[] = {
  { ID_A, "web" },
  { ID_B, "db" },
  /* A name that is also a prefix of other ids. */
  { ID_C, "aaaa" },
};

static void
test_resolve_full_id (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gocker_resolve_container (refs, G_N_ELEMENTS (refs), ID_B, &error), ==, 1);
  g_assert_no_error (error);
}

static void
test_resolve_unique_prefix (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gocker_resolve_container (refs, G_N_ELEMENTS (refs), "aaaa111", &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (gocker_resolve_container (refs, G_N_ELEMENTS (refs), "c", &error), ==, 2);
  g_assert_no_error (error);
}

static void
test_resolve_name (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gocker_resolve_container (refs, G_N_ELEMENTS (refs), "db", &error), ==, 1);
  g_assert_no_error (error);
}

static void
test_resolve_name_beats_prefix (void)
{
  g_autoptr(GError) error = NULL;

  /* "aaaa" is a prefix of ID_A and ID_B, and the exact name of the third. */
  g_assert_cmpint (gocker_resolve_container (refs, G_N_ELEMENTS (refs), "aaaa", &error), ==, 2);
  g_assert_no_error (error);
}

static void
test_resolve_ambiguous (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gocker_resolve_container (refs, G_N_ELEMENTS (refs), "aaaa11", &error), ==, -1);
  g_assert_error (error, GOCKER_RESOLVE_ERROR, GOCKER_RESOLVE_ERROR_AMBIGUOUS);
  g_assert_nonnull (strstr (error->message, "aaaa1111bbbb  web"));
  g_assert_nonnull (strstr (error->message, "aaaa1199bbbb  db"));
  g_assert_null (strstr (error->message, "c0ffee"));
}

static void
test_resolve_not_found (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gocker_resolve_container (refs, G_N_ELEMENTS (refs), "nothere", &error), ==, -1);
  g_assert_error (error, GOCKER_RESOLVE_ERROR, GOCKER_RESOLVE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "No such container: nothere (gocker ps lists the containers)");
}

static void
test_resolve_empty (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gocker_resolve_container (refs, G_N_ELEMENTS (refs), "", &error), ==, -1);
  g_assert_error (error, GOCKER_RESOLVE_ERROR, GOCKER_RESOLVE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpint (gocker_resolve_container (NULL, 0, "web", &error), ==, -1);
  g_assert_error (error, GOCKER_RESOLVE_ERROR, GOCKER_RESOLVE_ERROR_NOT_FOUND);
}

static void
test_resolve_case_sensitive (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gocker_resolve_container (refs, G_N_ELEMENTS (refs), "WEB", &error), ==, -1);
  g_assert_error (error, GOCKER_RESOLVE_ERROR, GOCKER_RESOLVE_ERROR_NOT_FOUND);
}

#define SECOND G_GINT64_CONSTANT (1000000)
#define MINUTE (60 * SECOND)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

static void
test_format_duration (void)
{
  static const struct {
    gint64 us;
    const char *text;
  } cases[] = {
    { -5 * SECOND, "Less than a second" },
    { 0, "Less than a second" },
    { SECOND, "1 second" },
    { 59 * SECOND, "59 seconds" },
    { 60 * SECOND, "About a minute" },
    { 119 * SECOND, "About a minute" },
    { 2 * MINUTE, "2 minutes" },
    { 59 * MINUTE, "59 minutes" },
    { 60 * MINUTE, "About an hour" },
    { 89 * MINUTE, "About an hour" },
    { 90 * MINUTE, "2 hours" },
    { 47 * HOUR, "47 hours" },
    { 48 * HOUR, "2 days" },
    { 13 * DAY, "13 days" },
    { 14 * DAY, "2 weeks" },
    { 60 * DAY, "2 months" },
    { 730 * DAY, "2 years" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = gocker_format_duration (cases[i].us);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_format_status (void)
{
  gint64 now = 1700000000 * SECOND;
  g_autofree char *running = gocker_format_status ("running", -1, now, now - 3 * MINUTE, 0);
  g_autofree char *exited = gocker_format_status ("exited", 0, now, now - HOUR, now - 2 * MINUTE);
  g_autofree char *killed = gocker_format_status ("exited", 137, now, now - HOUR, now - 5 * SECOND);
  g_autofree char *stopped = gocker_format_status ("stopped", 143, now, now - HOUR, now - 5 * SECOND);
  g_autofree char *stopped_unknown = gocker_format_status ("stopped", -1, now, now - HOUR, 0);
  g_autofree char *created = gocker_format_status ("created", -1, now, now, 0);
  g_autofree char *unknown = gocker_format_status ("paused", -1, now, now, 0);

  g_assert_cmpstr (running, ==, "Up 3 minutes");
  g_assert_cmpstr (exited, ==, "Exited (0) 2 minutes ago");
  g_assert_cmpstr (killed, ==, "Exited (137) 5 seconds ago");
  g_assert_cmpstr (stopped, ==, "Stopped 5 seconds ago");
  g_assert_cmpstr (stopped_unknown, ==, "Stopped");
  g_assert_cmpstr (created, ==, "Created");
  g_assert_cmpstr (unknown, ==, "paused");
}

static void
test_format_time_ago (void)
{
  g_autofree char *text = gocker_format_time_ago (100 * SECOND, 95 * SECOND);

  g_assert_cmpstr (text, ==, "5 seconds ago");
}

static void
test_format_command (void)
{
  const char *short_argv[] = { "/bin/echo", "hi", NULL };
  const char *long_argv[] = { "/bin/sh", "-c", "while true; do echo hello; done", NULL };
  const char *odd_argv[] = { "printf", "a\"b\n", NULL };
  const char *utf8_argv[] = { "echo", "ééééééééééééééééééééé", NULL };
  g_autofree char *plain = gocker_format_command (short_argv, TRUE);
  g_autofree char *cut = gocker_format_command (long_argv, TRUE);
  g_autofree char *full = gocker_format_command (long_argv, FALSE);
  g_autofree char *escaped = gocker_format_command (odd_argv, FALSE);
  g_autofree char *utf8 = gocker_format_command (utf8_argv, TRUE);
  g_autofree char *empty = gocker_format_command (NULL, TRUE);

  g_assert_cmpstr (plain, ==, "\"/bin/echo hi\"");
  g_assert_cmpstr (cut, ==, "\"/bin/sh -c while tr…\"");
  g_assert_cmpstr (full, ==, "\"/bin/sh -c while true; do echo hello; done\"");
  g_assert_cmpstr (escaped, ==, "\"printf a\\\"b\\n\"");
  g_assert_cmpstr (utf8, ==, "\"echo éééééééééééééé…\"");
  g_assert_cmpstr (empty, ==, "\"\"");
}

static void
test_format_short_id (void)
{
  g_autofree char *short_id = gocker_format_short_id (ID_A);
  g_autofree char *tiny = gocker_format_short_id ("abc");

  g_assert_cmpstr (short_id, ==, "aaaa1111bbbb");
  g_assert_cmpstr (tiny, ==, "abc");
}

static void
test_format_table (void)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree char *table = NULL;
  char *header[] = { g_strdup ("ID"), g_strdup ("NAME"), g_strdup ("STATUS"), NULL };
  char *row[] = { g_strdup ("abc"), g_strdup ("é"), g_strdup ("Up"), NULL };

  g_ptr_array_add (rows, g_memdup2 (header, sizeof header));
  g_ptr_array_add (rows, g_memdup2 (row, sizeof row));
  table = gocker_format_table (rows);

  /* Columns padded to the widest cell plus three spaces, counted in
   * characters; the last column is not padded. */
  g_assert_cmpstr (table, ==,
                   "ID    NAME   STATUS\n"
                   "abc   é      Up\n");
}

int
main (int argc, char **argv)
{
  /* The expected strings are the untranslated ones. */
  g_setenv ("LANGUAGE", "C", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gocker/cli/resolve/full-id", test_resolve_full_id);
  g_test_add_func ("/gocker/cli/resolve/unique-prefix", test_resolve_unique_prefix);
  g_test_add_func ("/gocker/cli/resolve/name", test_resolve_name);
  g_test_add_func ("/gocker/cli/resolve/name-beats-prefix", test_resolve_name_beats_prefix);
  g_test_add_func ("/gocker/cli/resolve/ambiguous", test_resolve_ambiguous);
  g_test_add_func ("/gocker/cli/resolve/not-found", test_resolve_not_found);
  g_test_add_func ("/gocker/cli/resolve/empty", test_resolve_empty);
  g_test_add_func ("/gocker/cli/resolve/case-sensitive", test_resolve_case_sensitive);
  g_test_add_func ("/gocker/cli/format/duration", test_format_duration);
  g_test_add_func ("/gocker/cli/format/status", test_format_status);
  g_test_add_func ("/gocker/cli/format/time-ago", test_format_time_ago);
  g_test_add_func ("/gocker/cli/format/command", test_format_command);
  g_test_add_func ("/gocker/cli/format/short-id", test_format_short_id);
  g_test_add_func ("/gocker/cli/format/table", test_format_table);

  return g_test_run ();
}
