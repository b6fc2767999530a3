/* One line of the container list: status, name, short id, command, age
 * and resource use. */
#pragma once

#include <gtk/gtk.h>

#include "gocker-container-model.h"

G_BEGIN_DECLS

#define GOCKER_TYPE_CONTAINER_ROW (gocker_container_row_get_type ())
G_DECLARE_FINAL_TYPE (GockerContainerRow, gocker_container_row, GOCKER, CONTAINER_ROW, GtkWidget)

GtkWidget *gocker_container_row_new (GockerContainerModel *model);
void gocker_container_row_set_container (GockerContainerRow *self, GockerContainer *container);

G_END_DECLS
