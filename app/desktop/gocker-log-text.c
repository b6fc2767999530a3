#define G_LOG_DOMAIN "gocker-desktop"

#include "config.h"

#include <string.h>

#include "gocker-log-text.h"

/* Converts raw log bytes into valid UTF-8. Bytes that are not part of a
 * valid UTF-8 sequence, and control characters other than newline and tab,
 * become "\xNN", so binary output is shown instead of rejected. */
char *
gocker_log_text_escape (const char *data, gsize len)
{
  GString *text = g_string_sized_new (len + 16);
  const char *p = data;
  const char *end = data + len;

  while (p < end)
    {
      guchar byte = (guchar) *p;

      if (byte < 0x80)
        {
          if (byte == '\n' || byte == '\t' || (byte >= 0x20 && byte != 0x7f))
            g_string_append_c (text, (char) byte);
          else
            g_string_append_printf (text, "\\x%02x", byte);
          p++;
          continue;
        }

      /* A multi-byte sequence: keep one character when it is complete
       * and valid, so that a control byte after it is still escaped. */
      {
        gunichar ch = g_utf8_get_char_validated (p, end - p);

        if (ch != (gunichar) -1 && ch != (gunichar) -2)
          {
            const char *next = g_utf8_next_char (p);

            g_string_append_len (text, p, next - p);
            p = next;
          }
        else
          {
            g_string_append_printf (text, "\\x%02x", byte);
            p++;
          }
      }
    }

  return g_string_free (text, FALSE);
}

/* Returns the offset just past the first newline, or @len when there is
 * none: a chunk read from the middle of a file starts with the end of a
 * line whose beginning is not loaded yet. */
gsize
gocker_log_text_skip_partial_line (const char *data, gsize len)
{
  const char *newline = memchr (data, '\n', len);

  return newline != NULL ? (gsize) (newline - data) + 1 : len;
}

/* Returns the length of the complete lines at the start of @data, so that
 * a line still being written is not shown in two pieces. */
gsize
gocker_log_text_complete_length (const char *data, gsize len)
{
  const char *newline = memrchr (data, '\n', len);

  return newline != NULL ? (gsize) (newline - data) + 1 : 0;
}
