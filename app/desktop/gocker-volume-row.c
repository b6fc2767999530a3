#define G_LOG_DOMAIN "gocker-desktop"

#include "config.h"

#include <glib/gi18n.h>

#include "gocker-volume-row.h"

struct _GockerVolumeRow
{
  GtkWidget parent_instance;

  GtkEntry *source_entry;
  GtkButton *choose_button;
  GtkEntry *target_entry;
  GtkCheckButton *readonly_check;
  GtkButton *remove_button;
  GtkLabel *error_label;
};

G_DEFINE_FINAL_TYPE (GockerVolumeRow, gocker_volume_row, GTK_TYPE_WIDGET)

enum {
  SIGNAL_CHANGED,
  SIGNAL_REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Builds the volume and checks it with the helper's own rules
 * (gocker_volume_validate): absolute paths, no "..", an existing host
 * path. */
GockerVolume *
gocker_volume_row_get_volume (GockerVolumeRow *self, GError **error)
{
  const char *source = gtk_editable_get_text (GTK_EDITABLE (self->source_entry));
  const char *target = gtk_editable_get_text (GTK_EDITABLE (self->target_entry));
  g_autoptr(GockerVolume) volume = NULL;

  if (*source == '\0')
    {
      g_set_error_literal (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                           _("Enter the host path to mount, or remove this volume."));
      return NULL;
    }
  if (*target == '\0')
    {
      g_set_error_literal (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                           _("Enter the absolute path inside the container, such as /data."));
      return NULL;
    }

  volume = gocker_volume_new (source, target,
                              gtk_check_button_get_active (self->readonly_check));
  if (!gocker_volume_validate (volume, error))
    return NULL;
  return g_steal_pointer (&volume);
}

/* Shows the error of the current values under the row; returns whether
 * they are valid. */
gboolean
gocker_volume_row_validate (GockerVolumeRow *self)
{
  g_autoptr(GockerVolume) volume = NULL;
  g_autoptr(GError) error = NULL;

  volume = gocker_volume_row_get_volume (self, &error);
  gtk_label_set_label (self->error_label, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->source_entry),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  error != NULL ? error->message : "",
                                  -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->source_entry),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               error != NULL ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
  return volume != NULL;
}

static void
on_changed (GockerVolumeRow *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
on_remove_clicked (GockerVolumeRow *self)
{
  g_signal_emit (self, signals[SIGNAL_REMOVE], 0);
}

static void
on_chooser_response (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  g_autoptr(GockerVolumeRow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->source_entry), path);
    }
  g_object_unref (chooser);
}

/* NOTE: the chooser selects folders only; a file to mount is typed into
 * the host path entry. GTK 4.8 has no chooser for "file or folder". */
static void
on_choose_clicked (GockerVolumeRow *self)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Choose a Host Folder"),
                                         GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
gocker_volume_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GOCKER_TYPE_VOLUME_ROW);
  /* Children of the template that are not bound to a field. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (object));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (object)))
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (gocker_volume_row_parent_class)->dispose (object);
}

static void
gocker_volume_row_class_init (GockerVolumeRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gocker_volume_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/Gocker/gocker-volume-row.ui");
  gtk_widget_class_bind_template_child (widget_class, GockerVolumeRow, source_entry);
  gtk_widget_class_bind_template_child (widget_class, GockerVolumeRow, choose_button);
  gtk_widget_class_bind_template_child (widget_class, GockerVolumeRow, target_entry);
  gtk_widget_class_bind_template_child (widget_class, GockerVolumeRow, readonly_check);
  gtk_widget_class_bind_template_child (widget_class, GockerVolumeRow, remove_button);
  gtk_widget_class_bind_template_child (widget_class, GockerVolumeRow, error_label);

  /* Emitted when any value changes. */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Emitted when the user asks to remove this volume from the form. */
  signals[SIGNAL_REMOVE] =
    g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gocker_volume_row_init (GockerVolumeRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->source_entry, "changed", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->target_entry, "changed", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->readonly_check, "toggled", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->remove_button, "clicked", G_CALLBACK (on_remove_clicked), self);
  g_signal_connect_swapped (self->choose_button, "clicked", G_CALLBACK (on_choose_clicked), self);
}

/* @number counts volumes from 1 and names the row's controls for screen
 * readers, such as "Volume 2 host path". */
GtkWidget *
gocker_volume_row_new (guint number)
{
  GockerVolumeRow *self = g_object_new (GOCKER_TYPE_VOLUME_ROW, NULL);
  g_autofree char *source = g_strdup_printf (_("Volume %u host path"), number);
  g_autofree char *choose = g_strdup_printf (_("Choose volume %u host folder"), number);
  g_autofree char *target = g_strdup_printf (_("Volume %u container path"), number);
  g_autofree char *readonly = g_strdup_printf (_("Volume %u read-only"), number);
  g_autofree char *remove = g_strdup_printf (_("Remove volume %u"), number);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->source_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, source, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->choose_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, choose, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->target_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, target, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->readonly_check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, readonly, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->remove_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove, -1);
  return GTK_WIDGET (self);
}
