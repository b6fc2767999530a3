#define G_LOG_DOMAIN "gocker-desktop"

#include "config.h"

#include <glib/gi18n.h>

#include "gocker-container-row.h"
#include "gocker-format.h"

struct _GockerContainerRow
{
  GtkWidget parent_instance;

  GockerContainerModel *model;
  GockerContainer *container;
  GCancellable *stats_cancellable;
  const char *status_class;

  GtkImage *status_icon;
  GtkLabel *name_label;
  GtkLabel *id_label;
  GtkLabel *command_label;
  GtkLabel *status_label;
  GtkLabel *age_label;
  GtkLabel *stats_label;
};

G_DEFINE_FINAL_TYPE (GockerContainerRow, gocker_container_row, GTK_TYPE_WIDGET)

static void
update_age (GockerContainerRow *self)
{
  g_autofree char *age = NULL;

  age = gocker_format_age (gocker_container_get_created_at (self->container),
                           g_get_real_time (), /* with_seconds= */ FALSE);
  gtk_label_set_label (self->age_label, age);
}

static void
on_stats_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GockerContainerStats stats;
  g_autoptr(GError) error = NULL;
  GockerContainerRow *self;
  g_autofree char *memory = NULL;
  g_autofree char *text = NULL;

  if (!gocker_container_fetch_stats_finish (GOCKER_CONTAINER (source), result, &stats, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self = user_data;
      gtk_widget_set_visible (GTK_WIDGET (self->stats_label), FALSE);
      return;
    }

  self = user_data;
  memory = g_format_size_full (stats.memory_bytes, G_FORMAT_SIZE_IEC_UNITS);
  if (stats.has_cpu_percent)
    /* TRANSLATORS: CPU use in percent of one CPU, then memory use */
    text = g_strdup_printf (_("%.1f%% CPU · %s"), stats.cpu_percent, memory);
  else
    text = g_strdup (memory);
  gtk_label_set_label (self->stats_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->stats_label), TRUE);
}

static void
update_stats (GockerContainerRow *self)
{
  if (g_strcmp0 (gocker_container_get_status (self->container), "running") != 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->stats_label), FALSE);
      return;
    }

  g_cancellable_cancel (self->stats_cancellable);
  g_clear_object (&self->stats_cancellable);
  self->stats_cancellable = g_cancellable_new ();
  gocker_container_fetch_stats_async (self->container, self->stats_cancellable,
                                      on_stats_ready, self);
}

static void
update_properties (GockerContainerRow *self)
{
  const char *name = gocker_container_get_name (self->container);
  const char *status = gocker_container_get_status (self->container);
  const char *status_class = gocker_status_css_class (status);
  g_autofree char *short_id = gocker_format_short_id (gocker_container_get_id (self->container));
  g_autofree char *command = gocker_format_command (gocker_container_get_command (self->container));
  g_autofree char *status_text = NULL;
  g_autofree char *accessible = NULL;
  int exit_code = gocker_container_get_exit_code (self->container);

  gtk_label_set_label (self->name_label, name != NULL && *name != '\0' ? name : short_id);
  gtk_label_set_label (self->id_label, short_id);
  gtk_label_set_label (self->command_label, command);

  if (g_strcmp0 (status, "exited") == 0 && exit_code >= 0)
    /* TRANSLATORS: a status with the exit code, such as "Exited (0)" */
    status_text = g_strdup_printf (_("%s (%d)"), gocker_format_status (status), exit_code);
  else
    status_text = g_strdup (gocker_format_status (status));
  gtk_label_set_label (self->status_label, status_text);
  gtk_image_set_from_icon_name (self->status_icon, gocker_status_icon_name (status));

  if (self->status_class != status_class)
    {
      if (self->status_class != NULL)
        gtk_widget_remove_css_class (GTK_WIDGET (self), self->status_class);
      gtk_widget_add_css_class (GTK_WIDGET (self), status_class);
      self->status_class = status_class;
    }

  /* TRANSLATORS: what a screen reader says for a row: name, status, command */
  accessible = g_strdup_printf (_("%s, %s, %s"),
                                gtk_label_get_label (self->name_label), status_text, command);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);

  update_age (self);
}

static void
on_properties_changed (GDBusProxy *proxy, GVariant *changed, GStrv invalidated,
                       gpointer user_data)
{
  GockerContainerRow *self = user_data;

  update_properties (self);
  if (g_variant_lookup (changed, "Status", "&s", NULL))
    update_stats (self);
}

static void
on_refresh (GockerContainerModel *model, gpointer user_data)
{
  GockerContainerRow *self = user_data;

  if (self->container == NULL)
    return;
  update_age (self);
  update_stats (self);
}

/* Binds the row to @container, or unbinds it when NULL. A row is reused
 * for other containers as the list scrolls. */
void
gocker_container_row_set_container (GockerContainerRow *self, GockerContainer *container)
{
  g_return_if_fail (GOCKER_IS_CONTAINER_ROW (self));

  if (self->container == container)
    return;

  g_cancellable_cancel (self->stats_cancellable);
  g_clear_object (&self->stats_cancellable);
  if (self->container != NULL)
    g_signal_handlers_disconnect_by_data (self->container, self);
  g_set_object (&self->container, container);
  gtk_widget_set_visible (GTK_WIDGET (self->stats_label), FALSE);

  if (container == NULL)
    return;

  g_signal_connect_object (container, "g-properties-changed",
                           G_CALLBACK (on_properties_changed), self, 0);
  update_properties (self);
  update_stats (self);
}

static void
gocker_container_row_dispose (GObject *object)
{
  GockerContainerRow *self = GOCKER_CONTAINER_ROW (object);

  gocker_container_row_set_container (self, NULL);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  gtk_widget_dispose_template (GTK_WIDGET (self), GOCKER_TYPE_CONTAINER_ROW);
  /* Children of the template that are not bound to a field. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (gocker_container_row_parent_class)->dispose (object);
}

static void
gocker_container_row_class_init (GockerContainerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gocker_container_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/Gocker/gocker-container-row.ui");
  gtk_widget_class_bind_template_child (widget_class, GockerContainerRow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, GockerContainerRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, GockerContainerRow, id_label);
  gtk_widget_class_bind_template_child (widget_class, GockerContainerRow, command_label);
  gtk_widget_class_bind_template_child (widget_class, GockerContainerRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, GockerContainerRow, age_label);
  gtk_widget_class_bind_template_child (widget_class, GockerContainerRow, stats_label);
  gtk_widget_class_set_css_name (widget_class, "containerrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
gocker_container_row_init (GockerContainerRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
gocker_container_row_new (GockerContainerModel *model)
{
  GockerContainerRow *self = g_object_new (GOCKER_TYPE_CONTAINER_ROW, NULL);

  self->model = g_object_ref (model);
  g_signal_connect_object (model, "refresh", G_CALLBACK (on_refresh), self, 0);
  return GTK_WIDGET (self);
}
