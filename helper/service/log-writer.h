/* The writer of the helper's own messages: the journal or stderr, and a file. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Send the helper's messages through GLib's default writer (the journal
 * when stderr is connected to it, else stderr) and, when @path is not NULL
 * and stderr is not the journal, also append them to @path, with the date.
 * D-Bus activation without systemd leaves stderr on /dev/null, so the file
 * is the only record there. The file is opened for each message, so a
 * rotating tool may move it away at any time. */
void gocker_log_writer_install (const char *path);

G_END_DECLS
