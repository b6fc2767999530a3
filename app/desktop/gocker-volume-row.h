/* One bind mount in the create form: host path, container path,
 * read-only. */
#pragma once

#include <gtk/gtk.h>

#include "spec.h"

G_BEGIN_DECLS

#define GOCKER_TYPE_VOLUME_ROW (gocker_volume_row_get_type ())
G_DECLARE_FINAL_TYPE (GockerVolumeRow, gocker_volume_row, GOCKER, VOLUME_ROW, GtkWidget)

GtkWidget *gocker_volume_row_new (guint number);
GockerVolume *gocker_volume_row_get_volume (GockerVolumeRow *self, GError **error);
gboolean gocker_volume_row_validate (GockerVolumeRow *self);

G_END_DECLS
