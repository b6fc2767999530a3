#define G_LOG_DOMAIN "gocker-desktop"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "gocker-details-pane.h"
#include "gocker-format.h"
#include "spec.h"

typedef enum {
  FIELD_ID,
  FIELD_NAME,
  FIELD_STATUS,
  FIELD_PID,
  FIELD_CREATED,
  FIELD_FINISHED,
  FIELD_EXIT_CODE,
  FIELD_COMMAND,
  FIELD_DETACHED,
  FIELD_HOSTNAME,
  FIELD_WORKDIR,
  FIELD_IMAGE,
  FIELD_ADDRESS,
  FIELD_CPU_LIMIT,
  FIELD_MEMORY_LIMIT,
  FIELD_PIDS_LIMIT,
  FIELD_VOLUMES,
  N_FIELDS
} Field;

typedef enum {
  USAGE_UPTIME,
  USAGE_CPU,
  USAGE_MEMORY,
  USAGE_PIDS,
  N_USAGE
} Usage;

struct _GockerDetailsPane
{
  GtkWidget parent_instance;

  GockerContainerModel *model;
  GockerContainer *container;
  GCancellable *stats_cancellable;

  GtkImage *status_icon;
  GtkLabel *title_label;
  GtkListBox *usage_list;
  GtkListBox *properties_list;

  GtkWidget *field_rows[N_FIELDS];
  GtkLabel *field_values[N_FIELDS];
  GtkLabel *usage_values[N_USAGE];
};

G_DEFINE_FINAL_TYPE (GockerDetailsPane, gocker_details_pane, GTK_TYPE_WIDGET)

static const char *
field_title (Field field)
{
  switch (field)
    {
    case FIELD_ID: return _("ID");
    case FIELD_NAME: return _("Name");
    case FIELD_STATUS: return _("Status");
    case FIELD_PID: return _("Host PID");
    case FIELD_CREATED: return _("Created");
    case FIELD_FINISHED: return _("Finished");
    case FIELD_EXIT_CODE: return _("Exit code");
    case FIELD_COMMAND: return _("Command");
    case FIELD_DETACHED: return _("Detached");
    case FIELD_HOSTNAME: return _("Hostname");
    case FIELD_WORKDIR: return _("Working directory");
    case FIELD_IMAGE: return _("Image");
    case FIELD_ADDRESS: return _("Network address");
    case FIELD_CPU_LIMIT: return _("CPU limit");
    case FIELD_MEMORY_LIMIT: return _("Memory limit");
    case FIELD_PIDS_LIMIT: return _("Process limit");
    case FIELD_VOLUMES: return _("Volumes");
    case N_FIELDS:
    default: g_assert_not_reached ();
    }
}

static const char *
usage_title (Usage usage)
{
  switch (usage)
    {
    case USAGE_UPTIME: return _("Uptime");
    case USAGE_CPU: return _("CPU use");
    case USAGE_MEMORY: return _("Memory use");
    case USAGE_PIDS: return _("Processes");
    case N_USAGE:
    default: g_assert_not_reached ();
    }
}

/* An AdwActionRow whose value is a selectable label, so ids and paths can
 * be copied. The label is described by the row title for screen readers. */
static GtkWidget *
add_value_row (GtkListBox *list, const char *title, GtkLabel **out_value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *value = gtk_label_new (NULL);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (value), 1.0);
  gtk_label_set_justify (GTK_LABEL (value), GTK_JUSTIFY_RIGHT);
  gtk_widget_set_hexpand (value, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (value),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, title,
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);
  gtk_list_box_append (list, row);

  *out_value = GTK_LABEL (value);
  return row;
}

static void
set_field (GockerDetailsPane *self, Field field, const char *text)
{
  gboolean visible = text != NULL && *text != '\0';

  gtk_widget_set_visible (self->field_rows[field], visible);
  gtk_label_set_label (self->field_values[field], visible ? text : "");
}

static char *
format_volumes (GVariant *volumes)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GVariantIter iter;
  const char *source;
  const char *target;
  gboolean readonly;

  if (volumes == NULL)
    return g_strdup ("");

  g_variant_iter_init (&iter, volumes);
  while (g_variant_iter_next (&iter, "(&s&sb)", &source, &target, &readonly))
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      if (readonly)
        /* TRANSLATORS: a bind mount: host path, container path */
        g_string_append_printf (text, _("%s → %s (read-only)"), source, target);
      else
        g_string_append_printf (text, _("%s → %s"), source, target);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The network address is read from the cached property when the helper
 * publishes one; helpers without networking have no such property. */
static char *
lookup_address (GockerContainer *container)
{
  g_autoptr(GVariant) address = NULL;

  address = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (container), "IPAddress");
  if (address == NULL || !g_variant_is_of_type (address, G_VARIANT_TYPE_STRING))
    return NULL;
  return g_variant_dup_string (address, NULL);
}

static void
update_properties (GockerDetailsPane *self)
{
  GockerContainer *c = self->container;
  const char *status = gocker_container_get_status (c);
  gboolean exited = g_strcmp0 (status, "exited") == 0 || g_strcmp0 (status, "stopped") == 0;
  const char *name = gocker_container_get_name (c);
  g_autofree char *short_id = gocker_format_short_id (gocker_container_get_id (c));
  g_autofree char *pid = NULL;
  g_autofree char *created = gocker_format_timestamp (gocker_container_get_created_at (c));
  g_autofree char *finished = gocker_format_timestamp (gocker_container_get_finished_at (c));
  g_autofree char *exit_code = NULL;
  g_autofree char *command = gocker_format_command (gocker_container_get_command (c));
  g_autofree char *address = lookup_address (c);
  g_autofree char *cpu_limit = NULL;
  g_autofree char *memory_limit = NULL;
  g_autofree char *pids_limit = NULL;
  g_autofree char *volumes = format_volumes (gocker_container_get_volumes (c));

  gtk_label_set_label (self->title_label, name != NULL && *name != '\0' ? name : short_id);
  gtk_image_set_from_icon_name (self->status_icon, gocker_status_icon_name (status));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, gocker_format_status (status),
                                  -1);

  if (gocker_container_get_pid (c) != 0)
    pid = g_strdup_printf ("%u", gocker_container_get_pid (c));
  if (exited && gocker_container_get_exit_code (c) >= 0)
    exit_code = g_strdup_printf ("%d", gocker_container_get_exit_code (c));
  else if (exited)
    exit_code = g_strdup (_("Unknown"));

  if (gocker_container_get_cpu_limit (c) > 0)
    {
      g_autofree char *cpus = gocker_format_cpus (gocker_container_get_cpu_limit (c));
      /* TRANSLATORS: a CPU limit such as "0.5 CPUs" */
      cpu_limit = g_strdup_printf (_("%s CPUs"), cpus);
    }
  else
    cpu_limit = g_strdup (_("Unlimited"));

  if (gocker_container_get_memory_limit (c) > 0)
    memory_limit = g_format_size_full (gocker_container_get_memory_limit (c),
                                       G_FORMAT_SIZE_IEC_UNITS);
  else
    memory_limit = g_strdup (_("Unlimited"));

  if (gocker_container_get_pids_limit (c) > 0)
    pids_limit = g_strdup_printf ("%" G_GUINT64_FORMAT, gocker_container_get_pids_limit (c));
  else
    pids_limit = g_strdup (_("Unlimited"));

  set_field (self, FIELD_ID, gocker_container_get_id (c));
  set_field (self, FIELD_NAME, name);
  set_field (self, FIELD_STATUS, gocker_format_status (status));
  set_field (self, FIELD_PID, pid);
  set_field (self, FIELD_CREATED, created);
  set_field (self, FIELD_FINISHED, finished);
  set_field (self, FIELD_EXIT_CODE, exit_code);
  set_field (self, FIELD_COMMAND, command);
  set_field (self, FIELD_DETACHED, gocker_container_get_detached (c) ? _("Yes") : _("No"));
  set_field (self, FIELD_HOSTNAME, gocker_container_get_hostname (c));
  set_field (self, FIELD_WORKDIR, gocker_container_get_working_directory (c));
  set_field (self, FIELD_IMAGE, gocker_container_get_image (c));
  set_field (self, FIELD_ADDRESS, address);
  set_field (self, FIELD_CPU_LIMIT, cpu_limit);
  set_field (self, FIELD_MEMORY_LIMIT, memory_limit);
  set_field (self, FIELD_PIDS_LIMIT, pids_limit);
  set_field (self, FIELD_VOLUMES, volumes);
}

static void
on_stats_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GockerContainerStats stats;
  g_autoptr(GError) error = NULL;
  GockerDetailsPane *self;
  g_autofree char *uptime = NULL;
  g_autofree char *cpu = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *pids = NULL;

  if (!gocker_container_fetch_stats_finish (GOCKER_CONTAINER (source), result, &stats, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self = user_data;
      g_debug ("No resource use for %s: %s",
               g_dbus_proxy_get_object_path (G_DBUS_PROXY (source)), error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->usage_list), FALSE);
      return;
    }

  self = user_data;
  uptime = gocker_format_age (gocker_container_get_created_at (self->container),
                              g_get_real_time (), /* with_seconds= */ TRUE);
  if (stats.has_cpu_percent)
    cpu = g_strdup_printf (_("%.1f%% of one CPU"), stats.cpu_percent);
  else
    cpu = g_strdup (_("Measuring…"));
  memory = g_format_size_full (stats.memory_bytes, G_FORMAT_SIZE_IEC_UNITS);
  pids = g_strdup_printf ("%" G_GUINT64_FORMAT, stats.pids);

  gtk_label_set_label (self->usage_values[USAGE_UPTIME], uptime);
  gtk_label_set_label (self->usage_values[USAGE_CPU], cpu);
  gtk_label_set_label (self->usage_values[USAGE_MEMORY], memory);
  gtk_label_set_label (self->usage_values[USAGE_PIDS], pids);
  gtk_widget_set_visible (GTK_WIDGET (self->usage_list), TRUE);
}

static void
update_stats (GockerDetailsPane *self)
{
  g_cancellable_cancel (self->stats_cancellable);
  g_clear_object (&self->stats_cancellable);

  if (g_strcmp0 (gocker_container_get_status (self->container), "running") != 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->usage_list), FALSE);
      return;
    }

  self->stats_cancellable = g_cancellable_new ();
  gocker_container_fetch_stats_async (self->container, self->stats_cancellable,
                                      on_stats_ready, self);
}

static void
on_properties_changed (GDBusProxy *proxy, GVariant *changed, GStrv invalidated,
                       gpointer user_data)
{
  GockerDetailsPane *self = user_data;

  update_properties (self);
  if (g_variant_lookup (changed, "Status", "&s", NULL))
    update_stats (self);
}

static void
on_refresh (GockerContainerModel *model, gpointer user_data)
{
  GockerDetailsPane *self = user_data;

  if (self->container != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    update_stats (self);
}

void
gocker_details_pane_set_model (GockerDetailsPane *self, GockerContainerModel *model)
{
  g_return_if_fail (GOCKER_IS_DETAILS_PANE (self));

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);
  if (model != NULL)
    g_signal_connect_object (model, "refresh", G_CALLBACK (on_refresh), self, 0);
}

void
gocker_details_pane_set_container (GockerDetailsPane *self, GockerContainer *container)
{
  g_return_if_fail (GOCKER_IS_DETAILS_PANE (self));

  if (self->container == container)
    return;

  g_cancellable_cancel (self->stats_cancellable);
  g_clear_object (&self->stats_cancellable);
  if (self->container != NULL)
    g_signal_handlers_disconnect_by_data (self->container, self);
  g_set_object (&self->container, container);
  gtk_widget_set_visible (GTK_WIDGET (self->usage_list), FALSE);

  if (container == NULL)
    return;

  g_signal_connect_object (container, "g-properties-changed",
                           G_CALLBACK (on_properties_changed), self, 0);
  update_properties (self);
  update_stats (self);
}

static void
gocker_details_pane_dispose (GObject *object)
{
  GockerDetailsPane *self = GOCKER_DETAILS_PANE (object);

  gocker_details_pane_set_container (self, NULL);
  gocker_details_pane_set_model (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), GOCKER_TYPE_DETAILS_PANE);
  /* Children of the template that are not bound to a field. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (gocker_details_pane_parent_class)->dispose (object);
}

static void
gocker_details_pane_class_init (GockerDetailsPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gocker_details_pane_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/Gocker/gocker-details-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, GockerDetailsPane, status_icon);
  gtk_widget_class_bind_template_child (widget_class, GockerDetailsPane, title_label);
  gtk_widget_class_bind_template_child (widget_class, GockerDetailsPane, usage_list);
  gtk_widget_class_bind_template_child (widget_class, GockerDetailsPane, properties_list);
}

static void
gocker_details_pane_init (GockerDetailsPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (Usage usage = 0; usage < N_USAGE; usage++)
    add_value_row (self->usage_list, usage_title (usage), &self->usage_values[usage]);
  for (Field field = 0; field < N_FIELDS; field++)
    self->field_rows[field] = add_value_row (self->properties_list, field_title (field),
                                             &self->field_values[field]);
}
