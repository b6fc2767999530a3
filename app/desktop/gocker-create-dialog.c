#define G_LOG_DOMAIN "gocker-desktop"

#include "config.h"

#include <glib/gi18n.h>

#include "gocker-container-model.h"
#include "gocker-create-dialog.h"
#include "gocker-format.h"
#include "gocker-volume-row.h"
#include "spec.h"

struct _GockerCreateDialog
{
  AdwWindow parent_instance;

  GDBusConnection *connection;
  GCancellable *cancellable;
  guint volume_count;

  GtkButton *create_button;
  GtkSpinner *spinner;
  GtkRevealer *helper_error_revealer;
  GtkLabel *helper_error_label;
  GtkEntry *command_entry;
  GtkLabel *command_error;
  GtkEntry *name_entry;
  GtkLabel *name_error;
  GtkEntry *cpu_entry;
  GtkLabel *cpu_error;
  GtkEntry *memory_entry;
  GtkLabel *memory_error;
  GtkSwitch *detach_switch;
  GtkBox *volumes_box;
  GtkButton *add_volume_button;
};

G_DEFINE_FINAL_TYPE (GockerCreateDialog, gocker_create_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Shows @error under @entry, or hides the message when NULL, and marks the
 * entry invalid for screen readers. */
static void
show_field_error (GtkEntry *entry, GtkLabel *label, const GError *error)
{
  gtk_label_set_label (label, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), error != NULL);
  if (error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_STATE_INVALID,
                               error != NULL ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  error != NULL ? error->message : "",
                                  -1);
}

static const char *
entry_text (GtkEntry *entry)
{
  return gtk_editable_get_text (GTK_EDITABLE (entry));
}

/* Parses every field into @spec with the shared parsers. Errors are shown
 * next to their fields; returns whether all fields are valid. */
static gboolean
parse_form (GockerCreateDialog *self, GockerSpec *spec)
{
  g_autoptr(GError) command_error = NULL;
  g_autoptr(GError) name_error = NULL;
  g_autoptr(GError) cpu_error = NULL;
  g_autoptr(GError) memory_error = NULL;
  g_auto(GStrv) argv = NULL;
  const char *command = entry_text (self->command_entry);
  const char *name = entry_text (self->name_entry);
  const char *cpu = entry_text (self->cpu_entry);
  const char *memory = entry_text (self->memory_entry);
  gboolean valid = TRUE;

  /* An empty command is not an error while the user has typed nothing. */
  if (*command == '\0')
    valid = FALSE;
  else if (!gocker_parse_command_line (command, &argv, &command_error)
           || !gocker_validate_command ((const char *const *) argv, &command_error))
    valid = FALSE;
  show_field_error (self->command_entry, self->command_error, command_error);

  if (*name != '\0' && !gocker_validate_name (name, &name_error))
    valid = FALSE;
  show_field_error (self->name_entry, self->name_error, name_error);

  if (*cpu != '\0' && !gocker_parse_cpu_limit (cpu, &spec->cpu_limit, &cpu_error))
    valid = FALSE;
  show_field_error (self->cpu_entry, self->cpu_error, cpu_error);

  if (*memory != '\0' && !gocker_parse_memory_limit (memory, &spec->memory_limit, &memory_error))
    valid = FALSE;
  show_field_error (self->memory_entry, self->memory_error, memory_error);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->volumes_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GockerVolume *volume;

      if (!gocker_volume_row_validate (GOCKER_VOLUME_ROW (child)))
        {
          valid = FALSE;
          continue;
        }
      volume = gocker_volume_row_get_volume (GOCKER_VOLUME_ROW (child), NULL);
      g_ptr_array_add (spec->volumes, volume);
    }

  if (!valid)
    return FALSE;

  g_strfreev (spec->argv);
  spec->argv = g_steal_pointer (&argv);
  g_free (spec->name);
  spec->name = *name != '\0' ? g_strdup (name) : NULL;
  spec->detach = gtk_switch_get_active (self->detach_switch);
  return TRUE;
}

static void
validate (GockerCreateDialog *self)
{
  g_autoptr(GockerSpec) spec = gocker_spec_new ();
  gboolean busy = self->cancellable != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button),
                            parse_form (self, spec) && !busy);
}

static void
show_helper_error (GockerCreateDialog *self, const char *message)
{
  gtk_label_set_label (self->helper_error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->helper_error_revealer, message != NULL);
}

static void
set_busy (GockerCreateDialog *self, gboolean busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  validate (self);
}

static void
on_run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GockerCreateDialog *self;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *path;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);

  if (reply == NULL)
    {
      g_autofree char *message = gocker_format_error (error);

      g_message ("Manager.Run failed: %s", message);
      /* A dismissed password prompt is the user's choice, not an error. */
      if (gocker_error_is_dismissed (error))
        show_helper_error (self, NULL);
      else
        show_helper_error (self, message);
      return;
    }

  g_variant_get (reply, "(&o)", &path);
  g_info ("Created container %s", path);
  g_signal_emit (self, signals[SIGNAL_CREATED], 0, path);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_create_clicked (GockerCreateDialog *self)
{
  g_autoptr(GockerSpec) spec = gocker_spec_new ();
  GVariant *request;

  if (self->cancellable != NULL || !parse_form (self, spec))
    return;

  show_helper_error (self, NULL);
  request = gocker_spec_to_variant (spec);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);

  /* The call may wait for a polkit password prompt, hence no timeout. */
  g_dbus_connection_call (self->connection, GOCKER_BUS_NAME, GOCKER_MANAGER_PATH,
                          GOCKER_MANAGER_INTERFACE, "Run",
                          g_variant_new ("(@a{sv})", request),
                          G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                          G_MAXINT, self->cancellable, on_run_done, self);
}

static void
on_volume_remove (GockerVolumeRow *row, gpointer user_data)
{
  GockerCreateDialog *self = user_data;

  gtk_box_remove (self->volumes_box, GTK_WIDGET (row));
  validate (self);
}

static void
on_add_volume_clicked (GockerCreateDialog *self)
{
  GtkWidget *row;

  self->volume_count++;
  row = gocker_volume_row_new (self->volume_count);
  g_signal_connect_swapped (row, "changed", G_CALLBACK (validate), self);
  g_signal_connect (row, "remove", G_CALLBACK (on_volume_remove), self);
  gtk_box_append (self->volumes_box, row);
  validate (self);
}

static void
gocker_create_dialog_dispose (GObject *object)
{
  GockerCreateDialog *self = GOCKER_CREATE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->connection);
  gtk_widget_dispose_template (GTK_WIDGET (self), GOCKER_TYPE_CREATE_DIALOG);

  G_OBJECT_CLASS (gocker_create_dialog_parent_class)->dispose (object);
}

static void
gocker_create_dialog_class_init (GockerCreateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gocker_create_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/Gocker/gocker-create-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, helper_error_revealer);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, helper_error_label);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, command_entry);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, command_error);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, name_entry);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, name_error);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, cpu_entry);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, cpu_error);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, memory_entry);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, memory_error);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, detach_switch);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, volumes_box);
  gtk_widget_class_bind_template_child (widget_class, GockerCreateDialog, add_volume_button);

  /* Emitted with the new container's object path once Run succeeded. */
  signals[SIGNAL_CREATED] =
    g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
gocker_create_dialog_init (GockerCreateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  g_signal_connect_swapped (self->command_entry, "changed", G_CALLBACK (validate), self);
  g_signal_connect_swapped (self->name_entry, "changed", G_CALLBACK (validate), self);
  g_signal_connect_swapped (self->cpu_entry, "changed", G_CALLBACK (validate), self);
  g_signal_connect_swapped (self->memory_entry, "changed", G_CALLBACK (validate), self);
  g_signal_connect_swapped (self->create_button, "clicked", G_CALLBACK (on_create_clicked), self);
  g_signal_connect_swapped (self->add_volume_button, "clicked", G_CALLBACK (on_add_volume_clicked), self);
}

GtkWidget *
gocker_create_dialog_new (GtkWindow *parent, GDBusConnection *connection)
{
  GockerCreateDialog *self = g_object_new (GOCKER_TYPE_CREATE_DIALOG,
                                           "transient-for", parent,
                                           NULL);

  self->connection = g_object_ref (connection);
  return GTK_WIDGET (self);
}
