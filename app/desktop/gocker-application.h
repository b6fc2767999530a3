/* The io.github.Gocker application: one window, app-wide actions and
 * keyboard accelerators. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GOCKER_APPLICATION_ID "io.github.Gocker"

#define GOCKER_TYPE_APPLICATION (gocker_application_get_type ())
G_DECLARE_FINAL_TYPE (GockerApplication, gocker_application, GOCKER, APPLICATION, AdwApplication)

GockerApplication *gocker_application_new (void);

G_END_DECLS
