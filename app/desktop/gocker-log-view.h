/* The log of the selected container, read through Container.OpenLog. */
#pragma once

#include <gtk/gtk.h>

#include "gocker-container-model.h"

G_BEGIN_DECLS

#define GOCKER_TYPE_LOG_VIEW (gocker_log_view_get_type ())
G_DECLARE_FINAL_TYPE (GockerLogView, gocker_log_view, GOCKER, LOG_VIEW, GtkWidget)

void gocker_log_view_set_container (GockerLogView *self, GockerContainer *container);

G_END_DECLS
