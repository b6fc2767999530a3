/* The main window: the container list, with details and log of the
 * selected container. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GOCKER_TYPE_WINDOW (gocker_window_get_type ())
G_DECLARE_FINAL_TYPE (GockerWindow, gocker_window, GOCKER, WINDOW, AdwApplicationWindow)

GtkWindow *gocker_window_new (GtkApplication *application);

G_END_DECLS
