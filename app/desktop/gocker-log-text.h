/* Turning raw log bytes into text that a GtkTextBuffer accepts. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *gocker_log_text_escape (const char *data, gsize len);
gsize gocker_log_text_skip_partial_line (const char *data, gsize len);
gsize gocker_log_text_complete_length (const char *data, gsize len);

G_END_DECLS
