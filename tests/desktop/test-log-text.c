/* Unit tests of the log escaping and the formatting helpers of the
 * desktop app. */
#define G_LOG_DOMAIN "gocker-desktop-test"

#include "config.h"

#include <string.h>

#include "gocker-format.h"
#include "gocker-log-text.h"

static void
test_escape_plain (void)
{
  g_autofree char *text = gocker_log_text_escape ("hello\tworld\n", 12);

  g_assert_cmpstr (text, ==, "hello\tworld\n");
}

static void
test_escape_binary (void)
{
  const char data[] = { 'a', '\0', 'b', '\x1b', '\xff', '\xc3', '\n' };
  g_autofree char *text = gocker_log_text_escape (data, sizeof data);

  g_assert_cmpstr (text, ==, "a\\x00b\\x1b\\xff\\xc3\n");
  g_assert_true (g_utf8_validate (text, -1, NULL));
}

static void
test_escape_utf8 (void)
{
  const char *data = "caf\xc3\xa9 \xe2\x86\x92 ok\x01";
  g_autofree char *text = gocker_log_text_escape (data, strlen (data));

  g_assert_cmpstr (text, ==, "caf\xc3\xa9 \xe2\x86\x92 ok\\x01");
}

static void
test_escape_truncated_sequence (void)
{
  /* The first two bytes of a three-byte character, cut at a chunk end. */
  const char data[] = { 'x', '\xe2', '\x86' };
  g_autofree char *text = gocker_log_text_escape (data, sizeof data);

  g_assert_cmpstr (text, ==, "x\\xe2\\x86");
}

static void
test_escape_random_bytes (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  char data[4096];

  for (guint round = 0; round < 64; round++)
    {
      g_autofree char *text = NULL;

      for (gsize i = 0; i < sizeof data; i++)
        data[i] = (char) g_rand_int_range (rand, 0, 256);
      text = gocker_log_text_escape (data, sizeof data);
      g_assert_true (g_utf8_validate (text, -1, NULL));
    }
}

static void
test_partial_lines (void)
{
  const char *data = "tail of a line\nfull line\npartial";

  g_assert_cmpuint (gocker_log_text_skip_partial_line (data, strlen (data)), ==, 15);
  g_assert_cmpuint (gocker_log_text_complete_length (data, strlen (data)), ==, 25);
  g_assert_cmpuint (gocker_log_text_skip_partial_line ("none", 4), ==, 4);
  g_assert_cmpuint (gocker_log_text_complete_length ("none", 4), ==, 0);
}

static void
test_format_age (void)
{
  gint64 now = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  g_autofree char *seconds = gocker_format_age (now - 5 * G_USEC_PER_SEC, now, TRUE);
  g_autofree char *coarse = gocker_format_age (now - 5 * G_USEC_PER_SEC, now, FALSE);
  g_autofree char *minutes = gocker_format_age (now - 125 * G_USEC_PER_SEC, now, FALSE);
  g_autofree char *hours = gocker_format_age (now - G_GINT64_CONSTANT (7200) * G_USEC_PER_SEC, now, FALSE);
  g_autofree char *days = gocker_format_age (now - G_GINT64_CONSTANT (3) * 86400 * G_USEC_PER_SEC, now, FALSE);

  g_assert_cmpstr (seconds, ==, "5 s");
  g_assert_cmpstr (coarse, ==, "< 1 min");
  g_assert_cmpstr (minutes, ==, "2 min");
  g_assert_cmpstr (hours, ==, "2 h");
  g_assert_cmpstr (days, ==, "3 days");
}

static void
test_format_command (void)
{
  const char *argv[] = { "sh", "-c", "echo hi; sleep 1", "", NULL };
  g_autofree char *line = gocker_format_command (argv);

  g_assert_cmpstr (line, ==, "sh -c 'echo hi; sleep 1' ''");
}

static void
test_format_short_id (void)
{
  g_autofree char *id = gocker_format_short_id ("0123456789abcdef0123");

  g_assert_cmpstr (id, ==, "0123456789ab");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gocker/desktop/log-text/escape-plain", test_escape_plain);
  g_test_add_func ("/gocker/desktop/log-text/escape-binary", test_escape_binary);
  g_test_add_func ("/gocker/desktop/log-text/escape-utf8", test_escape_utf8);
  g_test_add_func ("/gocker/desktop/log-text/escape-truncated", test_escape_truncated_sequence);
  g_test_add_func ("/gocker/desktop/log-text/escape-random", test_escape_random_bytes);
  g_test_add_func ("/gocker/desktop/log-text/partial-lines", test_partial_lines);
  g_test_add_func ("/gocker/desktop/format/age", test_format_age);
  g_test_add_func ("/gocker/desktop/format/command", test_format_command);
  g_test_add_func ("/gocker/desktop/format/short-id", test_format_short_id);

  return g_test_run ();
}
