/* Text shown for container properties: ages, ids, statuses, commands.
 * Shared by the list rows and the details pane so both read the same. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Short ids are the first 12 hexadecimal digits, as in the CLI. */
#define GOCKER_SHORT_ID_LEN 12

char *gocker_format_short_id (const char *id);
char *gocker_format_age (gint64 since_usec, gint64 now_usec, gboolean with_seconds);
char *gocker_format_timestamp (guint64 usec);
char *gocker_format_command (const char *const *argv);
const char *gocker_format_status (const char *status);
const char *gocker_status_icon_name (const char *status);
const char *gocker_status_css_class (const char *status);

G_END_DECLS

G_BEGIN_DECLS

#define GOCKER_ERROR_CANCELLED "io.github.Gocker1.Error.Cancelled"
#define GOCKER_ERROR_NOT_AUTHORIZED "io.github.Gocker1.Error.NotAuthorized"

gboolean gocker_error_is_dismissed (const GError *error);
char *gocker_format_error (const GError *error);

G_END_DECLS
