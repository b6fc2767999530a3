/* Text formatting for `gocker ps` and friends: short ids, relative times,
 * status lines and aligned tables. Pure functions, unit tested. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Width of the COMMAND column before it is cut with "…". */
#define GOCKER_COMMAND_COLUMN_WIDTH 20

/* The first 12 characters of @id (all of it when shorter). */
char *gocker_format_short_id (const char *id);

/* A duration the way Docker prints it: "Less than a second", "5 seconds",
 * "About a minute", "3 minutes", "About an hour", "5 hours", "3 days",
 * "2 weeks", "4 months", "2 years". Negative durations count as 0. */
char *gocker_format_duration (gint64 microseconds);

/* "5 seconds ago"; times are microseconds since the epoch. */
char *gocker_format_time_ago (gint64 now_us, gint64 then_us);

/* The STATUS column: "Created", "Up 3 minutes", "Exited (0) 2 minutes ago",
 * "Stopped 5 seconds ago". @status is the helper's Status property. */
char *gocker_format_status (const char *status,
                            int exit_code,
                            gint64 now_us,
                            gint64 created_us,
                            gint64 finished_us);

/* The COMMAND column: the arguments joined by spaces, with control
 * characters and double quotes escaped, in double quotes. When @truncate is
 * TRUE, the text is cut to GOCKER_COMMAND_COLUMN_WIDTH characters ending in "…". */
char *gocker_format_command (const char *const *argv, gboolean truncate);

/* Align @rows (each a NULL-terminated array of cells, all of the same
 * length) in columns separated by three spaces; every line ends in "\n". */
char *gocker_format_table (GPtrArray *rows);

G_END_DECLS
