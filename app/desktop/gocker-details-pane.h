/* The properties and resource use of the selected container. */
#pragma once

#include <gtk/gtk.h>

#include "gocker-container-model.h"

G_BEGIN_DECLS

#define GOCKER_TYPE_DETAILS_PANE (gocker_details_pane_get_type ())
G_DECLARE_FINAL_TYPE (GockerDetailsPane, gocker_details_pane, GOCKER, DETAILS_PANE, GtkWidget)

void gocker_details_pane_set_model (GockerDetailsPane *self, GockerContainerModel *model);
void gocker_details_pane_set_container (GockerDetailsPane *self, GockerContainer *container);

G_END_DECLS
