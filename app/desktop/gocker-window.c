#define G_LOG_DOMAIN "gocker-desktop"

#include "config.h"

#include <glib/gi18n.h>

#include "gocker-container-model.h"
#include "gocker-container-row.h"
#include "gocker-create-dialog.h"
#include "gocker-details-pane.h"
#include "gocker-format.h"
#include "gocker-log-view.h"
#include "gocker-window.h"

#define GOCKER_SCHEMA_ID "io.github.Gocker"

struct _GockerWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
  GockerContainerModel *model;
  GtkSingleSelection *selection;
  GockerContainer *selected;
  char *pending_selection;   /* object path to select once it appears */

  AdwToastOverlay *toast_overlay;
  GtkStack *main_stack;
  AdwStatusPage *unavailable_page;
  GtkPaned *paned;
  GtkListView *list_view;
  GtkStack *detail_stack;
  GockerDetailsPane *details_pane;
  GockerLogView *log_view;
};

G_DEFINE_FINAL_TYPE (GockerWindow, gocker_window, ADW_TYPE_APPLICATION_WINDOW)

static const char *
container_display_name (GockerContainer *container)
{
  const char *name = gocker_container_get_name (container);

  return name != NULL && *name != '\0' ? name : gocker_container_get_id (container);
}

static void
update_actions (GockerWindow *self)
{
  gboolean available = gocker_container_model_get_state (self->model) == GOCKER_HELPER_AVAILABLE;
  gboolean running = self->selected != NULL
                     && g_strcmp0 (gocker_container_get_status (self->selected), "running") == 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-container", available);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop-container", available && running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.remove-container",
                                 available && self->selected != NULL);
}

static void
update_view (GockerWindow *self)
{
  const char *page;

  switch (gocker_container_model_get_state (self->model))
    {
    case GOCKER_HELPER_CONNECTING:
      page = "connecting";
      break;
    case GOCKER_HELPER_UNAVAILABLE:
      {
        g_autofree char *description = NULL;

        description = g_strdup_printf (
            _("Gocker manages containers through its helper service, %s, on the system bus. "
              "Install Gocker with its D-Bus and polkit files, or start the helper as root "
              "(%s/gocker-helper), then press Retry.\n\n%s"),
            GOCKER_BUS_NAME, GOCKER_LIBEXECDIR,
            gocker_container_model_get_error (self->model) != NULL
              ? gocker_container_model_get_error (self->model) : "");
        adw_status_page_set_description (self->unavailable_page, description);
        page = "unavailable";
      }
      break;
    case GOCKER_HELPER_AVAILABLE:
    default:
      page = g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0 ? "containers" : "empty";
      break;
    }

  gtk_stack_set_visible_child_name (self->main_stack, page);
  update_actions (self);
}

static void
on_selected_properties_changed (GDBusProxy *proxy, GVariant *changed, GStrv invalidated,
                                gpointer user_data)
{
  update_actions (user_data);
}

static void
on_selection_changed (GockerWindow *self)
{
  GockerContainer *container = gtk_single_selection_get_selected_item (self->selection);

  if (container == self->selected)
    return;

  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_data (self->selected, self);
  g_set_object (&self->selected, container);
  if (container != NULL)
    g_signal_connect_object (container, "g-properties-changed",
                             G_CALLBACK (on_selected_properties_changed), self, 0);

  gocker_details_pane_set_container (self->details_pane, container);
  gocker_log_view_set_container (self->log_view, container);
  update_actions (self);
}

static void
select_path (GockerWindow *self, const char *object_path)
{
  guint position;

  if (!gocker_container_model_find (self->model, object_path, &position))
    {
      /* Run's reply can arrive before InterfacesAdded is processed. */
      g_free (self->pending_selection);
      self->pending_selection = g_strdup (object_path);
      return;
    }

  g_clear_pointer (&self->pending_selection, g_free);
  gtk_single_selection_set_selected (self->selection, position);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item",
                              "u", position);
}

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added,
                  gpointer user_data)
{
  GockerWindow *self = user_data;

  update_view (self);
  if (self->pending_selection != NULL && added > 0)
    {
      g_autofree char *path = g_strdup (self->pending_selection);

      select_path (self, path);
    }
}

static void
on_state_changed (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  update_view (user_data);
}

static void
show_toast (GockerWindow *self, const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* Reports a failed action in a dialog. A dismissed password prompt is
 * the user's choice and only logged. */
static void
report_error (GockerWindow *self, const char *heading, const GError *error)
{
  g_autofree char *message = gocker_format_error (error);
  g_autofree char *remote = g_dbus_error_get_remote_error (error);
  GtkWidget *dialog;

  g_message ("%s: %s", heading, message);
  if (gocker_error_is_dismissed (error))
    {
      show_toast (self, _("Authentication cancelled"));
      return;
    }

  if (g_strcmp0 (remote, GOCKER_ERROR_NOT_AUTHORIZED) == 0)
    {
      g_autofree char *body = g_strdup_printf (
          _("%s\n\nAsk an administrator to allow this action for your account."), message);

      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Not Authorized"), body);
    }
  else
    dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct {
  GockerWindow *window;
  char *heading;    /* shown when the call fails */
  char *done;       /* toast shown when it succeeds */
} CallData;

static void
call_data_free (CallData *data)
{
  g_object_unref (data->window);
  g_free (data->heading);
  g_free (data->done);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CallData, call_data_free)

static void
on_container_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(CallData) data = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);
  if (reply == NULL)
    {
      report_error (data->window, data->heading, error);
      return;
    }
  g_info ("%s", data->done);
  show_toast (data->window, data->done);
}

/* Calls @method on @container. The call may wait for a polkit password
 * prompt, so it is asynchronous and has no timeout. */
static void
call_container (GockerWindow *self, GockerContainer *container, const char *method,
                GVariant *parameters, char *heading, char *done)
{
  CallData *data = g_new0 (CallData, 1);

  data->window = g_object_ref (self);
  data->heading = heading;
  data->done = done;
  g_info ("Calling %s on %s", method, g_dbus_proxy_get_object_path (G_DBUS_PROXY (container)));
  g_dbus_proxy_call (G_DBUS_PROXY (container), method, parameters,
                     G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, G_MAXINT,
                     NULL, on_container_call_done, data);
}

static guint
stop_timeout (GockerWindow *self)
{
  if (self->settings == NULL)
    return 10;
  return g_settings_get_uint (self->settings, "stop-timeout");
}

static void
on_stop_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  GockerWindow *self = user_data;
  GockerContainer *container = g_object_get_data (G_OBJECT (dialog), "container");
  const char *name = container_display_name (container);

  if (g_strcmp0 (response, "stop") != 0)
    return;

  call_container (self, container, "Stop", g_variant_new ("(u)", stop_timeout (self)),
                  g_strdup_printf (_("Could Not Stop “%s”"), name),
                  g_strdup_printf (_("Stopped “%s”"), name));
}

static void
stop_container_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GockerWindow *self = GOCKER_WINDOW (widget);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (self->selected == NULL)
    return;

  heading = g_strdup_printf (_("Stop “%s”?"), container_display_name (self->selected));
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Its processes get SIGTERM, and SIGKILL after %u second.",
                                       "Its processes get SIGTERM, and SIGKILL after %u seconds.",
                                       stop_timeout (self)),
                          stop_timeout (self));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "stop", _("_Stop"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "stop");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "container", g_object_ref (self->selected),
                          g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_stop_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_remove_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  GockerWindow *self = user_data;
  GockerContainer *container = g_object_get_data (G_OBJECT (dialog), "container");
  const char *name = container_display_name (container);
  gboolean force = g_strcmp0 (response, "force") == 0;

  if (!force && g_strcmp0 (response, "remove") != 0)
    return;

  call_container (self, container, "Remove", g_variant_new ("(b)", force),
                  g_strdup_printf (_("Could Not Remove “%s”"), name),
                  g_strdup_printf (_("Removed “%s”"), name));
}

static void
remove_container_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GockerWindow *self = GOCKER_WINDOW (widget);
  g_autofree char *heading = NULL;
  const char *name;
  AdwMessageDialog *dialog;
  gboolean running;

  if (self->selected == NULL)
    return;

  name = container_display_name (self->selected);
  running = g_strcmp0 (gocker_container_get_status (self->selected), "running") == 0;
  if (running)
    {
      heading = g_strdup_printf (_("Remove Running Container “%s”?"), name);
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
          GTK_WINDOW (self), heading,
          _("The container is running. Forcing removal kills its processes at once, "
            "then deletes its log and files.")));
      adw_message_dialog_add_responses (dialog,
                                        "cancel", _("_Cancel"),
                                        "force", _("_Force Remove"),
                                        NULL);
      adw_message_dialog_set_response_appearance (dialog, "force", ADW_RESPONSE_DESTRUCTIVE);
    }
  else
    {
      heading = g_strdup_printf (_("Remove “%s”?"), name);
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
          GTK_WINDOW (self), heading,
          _("Its log and files are deleted. This cannot be undone.")));
      adw_message_dialog_add_responses (dialog,
                                        "cancel", _("_Cancel"),
                                        "remove", _("_Remove"),
                                        NULL);
      adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
    }
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "container", g_object_ref (self->selected),
                          g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_container_created (GockerCreateDialog *dialog, const char *object_path, gpointer user_data)
{
  GockerWindow *self = user_data;

  show_toast (self, _("Container created"));
  select_path (self, object_path);
}

static void
new_container_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GockerWindow *self = GOCKER_WINDOW (widget);
  GDBusConnection *connection = gocker_container_model_get_connection (self->model);
  GtkWidget *dialog;

  if (connection == NULL)
    return;

  dialog = gocker_create_dialog_new (GTK_WINDOW (self), connection);
  g_signal_connect_object (dialog, "created", G_CALLBACK (on_container_created), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
refresh_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  gocker_container_model_refresh (GOCKER_WINDOW (widget)->model);
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GockerWindow *self = user_data;

  gtk_list_item_set_child (item, gocker_container_row_new (self->model));
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  gocker_container_row_set_container (GOCKER_CONTAINER_ROW (gtk_list_item_get_child (item)),
                                      gtk_list_item_get_item (item));
}

static void
unbind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  gocker_container_row_set_container (GOCKER_CONTAINER_ROW (gtk_list_item_get_child (item)),
                                      NULL);
}

static void
load_window_state (GockerWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, GOCKER_SCHEMA_ID, TRUE);
  if (schema == NULL)
    {
      /* Running from the build directory without GSETTINGS_SCHEMA_DIR. */
      g_message ("GSettings schema %s is not installed; window size and preferences are not saved",
                 GOCKER_SCHEMA_ID);
      return;
    }

  self->settings = g_settings_new (GOCKER_SCHEMA_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  gtk_paned_set_position (self->paned, g_settings_get_int (self->settings, "list-width"));
}

static gboolean
gocker_window_close_request (GtkWindow *window)
{
  GockerWindow *self = GOCKER_WINDOW (window);

  if (self->settings != NULL)
    {
      int width;
      int height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (self->settings);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      g_settings_set_int (self->settings, "list-width", gtk_paned_get_position (self->paned));
      g_settings_apply (self->settings);
    }

  return GTK_WINDOW_CLASS (gocker_window_parent_class)->close_request (window);
}

static void
gocker_window_dispose (GObject *object)
{
  GockerWindow *self = GOCKER_WINDOW (object);

  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_data (self->selected, self);
  g_clear_object (&self->selected);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), GOCKER_TYPE_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->pending_selection, g_free);

  G_OBJECT_CLASS (gocker_window_parent_class)->dispose (object);
}

static void
gocker_window_class_init (GockerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = gocker_window_dispose;
  window_class->close_request = gocker_window_close_request;

  g_type_ensure (GOCKER_TYPE_DETAILS_PANE);
  g_type_ensure (GOCKER_TYPE_LOG_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/Gocker/gocker-window.ui");
  gtk_widget_class_bind_template_child (widget_class, GockerWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, GockerWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, GockerWindow, unavailable_page);
  gtk_widget_class_bind_template_child (widget_class, GockerWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, GockerWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, GockerWindow, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, GockerWindow, details_pane);
  gtk_widget_class_bind_template_child (widget_class, GockerWindow, log_view);

  gtk_widget_class_install_action (widget_class, "win.new-container", NULL, new_container_action);
  gtk_widget_class_install_action (widget_class, "win.stop-container", NULL, stop_container_action);
  gtk_widget_class_install_action (widget_class, "win.remove-container", NULL, remove_container_action);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
}

static void
gocker_window_init (GockerWindow *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->model = gocker_container_model_new ();
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  gtk_single_selection_set_can_unselect (self->selection, FALSE);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  gocker_details_pane_set_model (self->details_pane, self->model);

  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (on_selection_changed), self);
  g_signal_connect (self->model, "items-changed", G_CALLBACK (on_items_changed), self);
  g_signal_connect (self->model, "notify::state", G_CALLBACK (on_state_changed), self);

  load_window_state (self);
  update_view (self);
  gocker_container_model_start (self->model);
}

GtkWindow *
gocker_window_new (GtkApplication *application)
{
  return g_object_new (GOCKER_TYPE_WINDOW, "application", application, NULL);
}
