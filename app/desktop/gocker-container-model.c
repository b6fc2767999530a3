#define G_LOG_DOMAIN "gocker-desktop"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "gocker-container-model.h"

/* The list of containers, newest first. Items are the GockerContainer
 * proxies of the helper's ObjectManager; a proxy stays the same object for
 * as long as the container exists, so property changes update rows in
 * place and only InterfacesAdded and InterfacesRemoved change the list. */
struct _GockerContainerModel
{
  GObject parent_instance;

  GPtrArray *items;
  GDBusConnection *connection;
  GDBusObjectManager *manager;
  GCancellable *cancellable;
  GockerHelperState state;
  char *error;
  guint refresh_source;
};

static void gocker_container_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GockerContainerModel, gocker_container_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      gocker_container_model_list_model_init))

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

enum {
  SIGNAL_REFRESH,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GType
gocker_container_model_get_item_type (GListModel *model)
{
  return GOCKER_TYPE_CONTAINER_PROXY;
}

static guint
gocker_container_model_get_n_items (GListModel *model)
{
  return GOCKER_CONTAINER_MODEL (model)->items->len;
}

static gpointer
gocker_container_model_get_item (GListModel *model, guint position)
{
  GockerContainerModel *self = GOCKER_CONTAINER_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
gocker_container_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = gocker_container_model_get_item_type;
  iface->get_n_items = gocker_container_model_get_n_items;
  iface->get_item = gocker_container_model_get_item;
}

/* Newest first; the object path breaks ties so the order is stable. */
static int
compare_containers (GockerContainer *a, GockerContainer *b)
{
  guint64 created_a = gocker_container_get_created_at (a);
  guint64 created_b = gocker_container_get_created_at (b);

  if (created_a != created_b)
    return created_a > created_b ? -1 : 1;
  return g_strcmp0 (g_dbus_proxy_get_object_path (G_DBUS_PROXY (a)),
                    g_dbus_proxy_get_object_path (G_DBUS_PROXY (b)));
}

static int
compare_container_pointers (gconstpointer a, gconstpointer b)
{
  return compare_containers (*(GockerContainer **) a, *(GockerContainer **) b);
}

static guint
find_insert_position (GockerContainerModel *self, GockerContainer *container)
{
  guint low = 0;
  guint high = self->items->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (compare_containers (g_ptr_array_index (self->items, middle), container) < 0)
        low = middle + 1;
      else
        high = middle;
    }

  return low;
}

gboolean
gocker_container_model_find (GockerContainerModel *self,
                             const char *object_path,
                             guint *out_position)
{
  g_return_val_if_fail (GOCKER_IS_CONTAINER_MODEL (self), FALSE);

  for (guint i = 0; i < self->items->len; i++)
    {
      GDBusProxy *proxy = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (g_dbus_proxy_get_object_path (proxy), object_path) == 0)
        {
          if (out_position != NULL)
            *out_position = i;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
on_refresh_timeout (gpointer user_data)
{
  GockerContainerModel *self = user_data;

  g_signal_emit (self, signals[SIGNAL_REFRESH], 0);
  return G_SOURCE_CONTINUE;
}

/* The timer runs only while there is something whose figures can change,
 * so an idle app with no containers does not wake up. */
static void
update_refresh_timer (GockerContainerModel *self)
{
  gboolean wanted = self->state == GOCKER_HELPER_AVAILABLE && self->items->len > 0;

  if (wanted && self->refresh_source == 0)
    self->refresh_source = g_timeout_add_seconds (GOCKER_REFRESH_INTERVAL_SECONDS,
                                                  on_refresh_timeout, self);
  else if (!wanted && self->refresh_source != 0)
    g_clear_handle_id (&self->refresh_source, g_source_remove);
}

static void
set_state (GockerContainerModel *self, GockerHelperState state, const char *error)
{
  if (g_strcmp0 (self->error, error) != 0)
    {
      g_free (self->error);
      self->error = g_strdup (error);
    }

  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }

  update_refresh_timer (self);
}

static void
add_object (GockerContainerModel *self, GDBusObject *object)
{
  GockerContainer *container = gocker_object_peek_container (GOCKER_OBJECT (object));
  guint position;

  if (container == NULL)
    return;
  if (gocker_container_model_find (self, g_dbus_object_get_object_path (object), NULL))
    return;

  position = find_insert_position (self, container);
  g_ptr_array_insert (self->items, position, g_object_ref (container));
  g_debug ("Container %s appeared", g_dbus_object_get_object_path (object));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  update_refresh_timer (self);
}

static void
remove_object (GockerContainerModel *self, GDBusObject *object)
{
  guint position;

  if (!gocker_container_model_find (self, g_dbus_object_get_object_path (object), &position))
    return;

  g_ptr_array_remove_index (self->items, position);
  g_debug ("Container %s disappeared", g_dbus_object_get_object_path (object));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  update_refresh_timer (self);
}

static void
on_object_added (GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
  add_object (user_data, object);
}

static void
on_object_removed (GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
  remove_object (user_data, object);
}

static void
on_interface_added (GDBusObjectManager *manager, GDBusObject *object,
                    GDBusInterface *interface, gpointer user_data)
{
  add_object (user_data, object);
}

static void
on_interface_removed (GDBusObjectManager *manager, GDBusObject *object,
                      GDBusInterface *interface, gpointer user_data)
{
  if (GOCKER_IS_CONTAINER (interface))
    remove_object (user_data, object);
}

/* Fills the list in one items-changed emission, so a list of hundreds of
 * containers is laid out once. */
static void
load_objects (GockerContainerModel *self)
{
  g_autolist(GDBusObject) objects = g_dbus_object_manager_get_objects (self->manager);
  guint removed = self->items->len;

  g_ptr_array_set_size (self->items, 0);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      GockerContainer *container = gocker_object_peek_container (GOCKER_OBJECT (l->data));

      if (container != NULL)
        g_ptr_array_add (self->items, g_object_ref (container));
    }
  g_ptr_array_sort (self->items, compare_container_pointers);

  g_info ("Helper lists %u containers", self->items->len);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->items->len);
}

static void
on_start_service_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GockerContainerModel) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_dbus_error_strip_remote_error (error);
      g_message ("Could not start the helper %s: %s", GOCKER_BUS_NAME, error->message);
      set_state (self, GOCKER_HELPER_UNAVAILABLE, error->message);
    }
  /* On success the name owner appears and on_name_owner_changed() runs. */
}

static void
request_start_service (GockerContainerModel *self)
{
  g_dbus_connection_call (self->connection,
                          "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "StartServiceByName",
                          g_variant_new ("(su)", GOCKER_BUS_NAME, 0),
                          G_VARIANT_TYPE ("(u)"),
                          G_DBUS_CALL_FLAGS_NONE, -1,
                          self->cancellable, on_start_service_done, g_object_ref (self));
}

static void
on_name_owner_changed (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  GockerContainerModel *self = user_data;
  g_autofree char *owner = g_dbus_object_manager_client_get_name_owner (
      G_DBUS_OBJECT_MANAGER_CLIENT (self->manager));

  if (owner != NULL)
    {
      g_info ("Helper %s is available as %s", GOCKER_BUS_NAME, owner);
      load_objects (self);
      set_state (self, GOCKER_HELPER_AVAILABLE, NULL);
    }
  else
    {
      /* The helper may have exited after being idle; ask the bus to start
       * it again before declaring it unavailable. */
      g_message ("Helper %s has gone away", GOCKER_BUS_NAME);
      set_state (self, GOCKER_HELPER_UNAVAILABLE,
                 _("The Gocker helper service is not running."));
      request_start_service (self);
    }
}

static void
on_manager_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GockerContainerModel) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusObjectManager *manager;

  manager = gocker_object_manager_client_new_finish (result, &error);
  if (manager == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_dbus_error_strip_remote_error (error);
      g_warning ("Could not follow the helper's containers: %s", error->message);
      set_state (self, GOCKER_HELPER_UNAVAILABLE, error->message);
      return;
    }

  self->manager = manager;
  g_signal_connect_object (manager, "object-added", G_CALLBACK (on_object_added), self, 0);
  g_signal_connect_object (manager, "object-removed", G_CALLBACK (on_object_removed), self, 0);
  g_signal_connect_object (manager, "interface-added", G_CALLBACK (on_interface_added), self, 0);
  g_signal_connect_object (manager, "interface-removed", G_CALLBACK (on_interface_removed), self, 0);
  g_signal_connect_object (manager, "notify::name-owner", G_CALLBACK (on_name_owner_changed), self, 0);

  if (g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (manager)) == NULL)
    {
      g_message ("Helper %s is not running and could not be started", GOCKER_BUS_NAME);
      set_state (self, GOCKER_HELPER_UNAVAILABLE,
                 _("The Gocker helper service is not running."));
      return;
    }

  load_objects (self);
  set_state (self, GOCKER_HELPER_AVAILABLE, NULL);
}

static void
on_bus_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GockerContainerModel) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  connection = g_bus_get_finish (result, &error);
  if (connection == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("Could not connect to the system bus: %s", error->message);
      set_state (self, GOCKER_HELPER_UNAVAILABLE, error->message);
      return;
    }

  g_clear_object (&self->connection);
  self->connection = connection;
  /* Without the auto-start flag the bus activates the helper when it is
   * installed as a D-Bus system service. */
  gocker_object_manager_client_new (connection,
                                    G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                    GOCKER_BUS_NAME, GOCKER_OBJECT_MANAGER_PATH,
                                    self->cancellable, on_manager_ready, g_object_ref (self));
}

/* Connects to the system bus and starts following the helper. Calling it
 * again, as the "Retry" button does, starts over. */
void
gocker_container_model_start (GockerContainerModel *self)
{
  guint removed;

  g_return_if_fail (GOCKER_IS_CONTAINER_MODEL (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);

  removed = self->items->len;
  g_ptr_array_set_size (self->items, 0);
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);

  set_state (self, GOCKER_HELPER_CONNECTING, NULL);
  g_info ("Connecting to the helper %s on the system bus", GOCKER_BUS_NAME);
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, on_bus_ready, g_object_ref (self));
}

/* Asks every row and pane to read their changing figures again now. */
void
gocker_container_model_refresh (GockerContainerModel *self)
{
  g_return_if_fail (GOCKER_IS_CONTAINER_MODEL (self));

  if (self->state == GOCKER_HELPER_UNAVAILABLE)
    {
      gocker_container_model_start (self);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_REFRESH], 0);
}

GockerHelperState
gocker_container_model_get_state (GockerContainerModel *self)
{
  g_return_val_if_fail (GOCKER_IS_CONTAINER_MODEL (self), GOCKER_HELPER_UNAVAILABLE);
  return self->state;
}

const char *
gocker_container_model_get_error (GockerContainerModel *self)
{
  g_return_val_if_fail (GOCKER_IS_CONTAINER_MODEL (self), NULL);
  return self->error;
}

GDBusConnection *
gocker_container_model_get_connection (GockerContainerModel *self)
{
  g_return_val_if_fail (GOCKER_IS_CONTAINER_MODEL (self), NULL);
  return self->connection;
}

/* The previous GetStats sample of a container, kept on its proxy to turn
 * cumulative CPU time into a percentage. */
typedef struct {
  guint64 cpu_usage_ns;
  gint64 monotonic_us;
  gboolean has_cpu_percent;
  double cpu_percent;
} StatsSample;

static GQuark
stats_sample_quark (void)
{
  return g_quark_from_static_string ("gocker-stats-sample");
}

static void
on_get_stats_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) stats = NULL;
  GError *error = NULL;

  if (!gocker_container_call_get_stats_finish (GOCKER_CONTAINER (source), &stats, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&stats), (GDestroyNotify) g_variant_unref);
}

/* Reads a container's resource use with Container.GetStats. */
void
gocker_container_fetch_stats_async (GockerContainer *container,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  GTask *task = g_task_new (container, cancellable, callback, user_data);

  g_task_set_source_tag (task, gocker_container_fetch_stats_async);
  gocker_container_call_get_stats (container, cancellable, on_get_stats_done, task);
}

gboolean
gocker_container_fetch_stats_finish (GockerContainer *container,
                                     GAsyncResult *result,
                                     GockerContainerStats *out_stats,
                                     GError **error)
{
  g_autoptr(GVariant) stats = NULL;
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  StatsSample *sample;
  gint64 now = g_get_monotonic_time ();

  stats = g_task_propagate_pointer (G_TASK (result), error);
  if (stats == NULL)
    return FALSE;

  memset (out_stats, 0, sizeof *out_stats);
  g_variant_dict_init (&dict, stats);
  if (!g_variant_dict_lookup (&dict, "cpu-usage", "t", &out_stats->cpu_usage_ns))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("The container is not running"));
      return FALSE;
    }
  g_variant_dict_lookup (&dict, "memory-usage", "t", &out_stats->memory_bytes);
  g_variant_dict_lookup (&dict, "pids", "t", &out_stats->pids);

  /* Several widgets may read the same container within one refresh; a
   * percentage over a few milliseconds would be noise, so the sample is
   * replaced at most once a second. */
  sample = g_object_get_qdata (G_OBJECT (container), stats_sample_quark ());
  if (sample == NULL)
    {
      sample = g_new0 (StatsSample, 1);
      sample->cpu_usage_ns = out_stats->cpu_usage_ns;
      sample->monotonic_us = now;
      g_object_set_qdata_full (G_OBJECT (container), stats_sample_quark (), sample, g_free);
    }
  else if (now - sample->monotonic_us >= G_USEC_PER_SEC)
    {
      guint64 cpu_delta = out_stats->cpu_usage_ns >= sample->cpu_usage_ns
                          ? out_stats->cpu_usage_ns - sample->cpu_usage_ns : 0;

      sample->cpu_percent = (double) cpu_delta / 1000.0 / (double) (now - sample->monotonic_us) * 100.0;
      sample->has_cpu_percent = TRUE;
      sample->cpu_usage_ns = out_stats->cpu_usage_ns;
      sample->monotonic_us = now;
    }

  out_stats->has_cpu_percent = sample->has_cpu_percent;
  out_stats->cpu_percent = sample->cpu_percent;
  return TRUE;
}

static void
gocker_container_model_dispose (GObject *object)
{
  GockerContainerModel *self = GOCKER_CONTAINER_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  if (self->items != NULL)
    g_ptr_array_set_size (self->items, 0);

  G_OBJECT_CLASS (gocker_container_model_parent_class)->dispose (object);
}

static void
gocker_container_model_finalize (GObject *object)
{
  GockerContainerModel *self = GOCKER_CONTAINER_MODEL (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_free (self->error);

  G_OBJECT_CLASS (gocker_container_model_parent_class)->finalize (object);
}

static void
gocker_container_model_get_property (GObject *object, guint prop_id,
                                     GValue *value, GParamSpec *pspec)
{
  GockerContainerModel *self = GOCKER_CONTAINER_MODEL (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gocker_container_model_class_init (GockerContainerModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gocker_container_model_dispose;
  object_class->finalize = gocker_container_model_finalize;
  object_class->get_property = gocker_container_model_get_property;

  /* A GockerHelperState value. */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      GOCKER_HELPER_CONNECTING, GOCKER_HELPER_UNAVAILABLE,
                      GOCKER_HELPER_CONNECTING,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted every GOCKER_REFRESH_INTERVAL_SECONDS while containers exist,
   * and on request: listeners read ages and GetStats figures again. */
  signals[SIGNAL_REFRESH] =
    g_signal_new ("refresh", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gocker_container_model_init (GockerContainerModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->state = GOCKER_HELPER_CONNECTING;
}

GockerContainerModel *
gocker_container_model_new (void)
{
  return g_object_new (GOCKER_TYPE_CONTAINER_MODEL, NULL);
}
