/* The "New Container" form. Fields are checked as the user types with the
 * parsers the CLI uses (spec.h), and Create calls Manager.Run. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GOCKER_TYPE_CREATE_DIALOG (gocker_create_dialog_get_type ())
G_DECLARE_FINAL_TYPE (GockerCreateDialog, gocker_create_dialog, GOCKER, CREATE_DIALOG, AdwWindow)

GtkWidget *gocker_create_dialog_new (GtkWindow *parent, GDBusConnection *connection);

G_END_DECLS
