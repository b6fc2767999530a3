#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "client.h"
#include "resolve.h"
#include "text-agent.h"

#define GOCKER_ERROR_PREFIX "io.github.Gocker1.Error."

static const char *const helper_missing_hint =
  N_("Is gocker-helper installed? Run the README's setup command (./setup.sh) "
     "to install it and start the system bus and polkitd.");

/* Replace the message of @error, keeping its domain and code. */
static void
set_message (GError *error, char *message)
{
  g_free (error->message);
  error->message = message;
}

static gboolean
remote_error_is (const char *remote, const char *name)
{
  return remote != NULL && g_str_equal (remote, name);
}

void
gocker_client_explain_error (GError *error, const char *action)
{
  g_autofree char *remote = g_dbus_error_get_remote_error (error);
  g_autofree char *original = NULL;

  if (remote == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        set_message (error, g_strdup_printf (_("The connection to gocker-helper was lost (%s). "
                                               "Check the helper's log, then try again."),
                                             error->message));
      return;
    }

  g_dbus_error_strip_remote_error (error);
  original = g_strdup (error->message);
  g_debug ("The helper returned %s: %s", remote, original);

  if (remote_error_is (remote, GOCKER_ERROR_PREFIX "NotAuthorized"))
    {
      /* The helper's text starts with the same words. */
      const char *reason = g_str_has_prefix (original, "Not authorized: ")
                           ? original + strlen ("Not authorized: ") : original;

      set_message (error, g_strdup_printf (_("Not authorized to %s: %s"), action, reason));
    }
  else if (remote_error_is (remote, GOCKER_ERROR_PREFIX "Cancelled"))
    set_message (error, g_strdup (_("Authentication cancelled")));
  else if (remote_error_is (remote, GOCKER_ERROR_PREFIX "InteractionRequired"))
    set_message (error, g_strdup_printf (_("Authentication is required to %s, but there is no "
                                           "terminal to ask for a password on. Run gocker in a "
                                           "terminal or as root, or allow the action with a polkit "
                                           "rule."),
                                         action));
  else if (remote_error_is (remote, GOCKER_ERROR_PREFIX "ContainerRunning"))
    set_message (error, g_strdup_printf (_("%s. Stop it first with \"gocker stop\", "
                                           "or use \"gocker rm -f\""),
                                         original));
  else if (g_str_has_prefix (remote, GOCKER_ERROR_PREFIX))
    ; /* The helper's message already names the value and what is allowed. */
  else if (remote_error_is (remote, "org.freedesktop.DBus.Error.ServiceUnknown") ||
           remote_error_is (remote, "org.freedesktop.DBus.Error.NameHasNoOwner") ||
           g_str_has_prefix (remote, "org.freedesktop.DBus.Error.Spawn."))
    set_message (error, g_strdup_printf (_("gocker-helper (%s) is not available on the system "
                                           "bus: %s. %s"),
                                         GOCKER_BUS_NAME, original, _(helper_missing_hint)));
  else if (remote_error_is (remote, "org.freedesktop.DBus.Error.AccessDenied"))
    set_message (error, g_strdup_printf (_("The system bus refused the call to %s: %s. Is the "
                                           "bus policy io.github.Gocker1.conf installed? Run the "
                                           "README's setup command (./setup.sh)."),
                                         GOCKER_BUS_NAME, original));
  else if (remote_error_is (remote, "org.freedesktop.DBus.Error.UnknownObject") ||
           remote_error_is (remote, "org.freedesktop.DBus.Error.UnknownMethod"))
    set_message (error, g_strdup_printf (_("Failed to %s: the container no longer exists"),
                                         action));
  else if (remote_error_is (remote, "org.freedesktop.DBus.Error.NoReply") ||
           remote_error_is (remote, "org.freedesktop.DBus.Error.Disconnected"))
    set_message (error, g_strdup_printf (_("gocker-helper did not answer (%s). Check the "
                                           "helper's log, then try again."),
                                         original));
  else
    set_message (error, g_strdup_printf (_("Failed to %s: %s (%s)"), action, original, remote));
}

void
gocker_print_error (const GError *error)
{
  g_printerr ("gocker: %s\n", error->message);
}

GDBusConnection *
gocker_client_connect (GError **error)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GDBusMessage) ping = NULL;
  g_autoptr(GDBusMessage) reply = NULL;
  g_autoptr(GError) local_error = NULL;

  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &local_error);
  if (bus == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   _("Cannot connect to the system bus: %s. Is dbus-daemon running? "
                     "Run the README's setup command (./setup.sh) to start it."),
                   local_error->message);
      return NULL;
    }

  /* GDBus replies to org.freedesktop.DBus.Peer.Ping on every object path,
   * so this activates the helper and distinguishes a missing helper from a
   * later failure with one round trip. The reply names the helper's unique
   * bus name, which later calls use directly. */
  ping = g_dbus_message_new_method_call (GOCKER_BUS_NAME, GOCKER_MANAGER_PATH,
                                         "org.freedesktop.DBus.Peer", "Ping");
  reply = g_dbus_connection_send_message_with_reply_sync (bus, ping, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                                          -1, NULL, NULL, &local_error);
  if (reply != NULL)
    g_dbus_message_to_gerror (reply, &local_error);
  if (local_error != NULL)
    {
      gocker_client_explain_error (local_error, _("reach gocker-helper"));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (g_dbus_message_get_sender (reply) != NULL)
    g_object_set_data_full (G_OBJECT (bus), "gocker-helper-name",
                            g_strdup (g_dbus_message_get_sender (reply)), g_free);
  return g_steal_pointer (&bus);
}

const char *
gocker_client_helper_name (GDBusConnection *bus)
{
  const char *name = g_object_get_data (G_OBJECT (bus), "gocker-helper-name");

  return name != NULL ? name : GOCKER_BUS_NAME;
}

GockerManager *
gocker_client_get_manager (GDBusConnection *bus, GError **error)
{
  GockerManager *manager;

  /* Only Run is called on it; `gocker version` reads the properties with
   * its own proxy. */
  manager = gocker_manager_proxy_new_sync (bus,
                                           G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                           G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS |
                                           G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                                           gocker_client_helper_name (bus), GOCKER_MANAGER_PATH,
                                           NULL, error);
  if (manager != NULL)
    g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (manager), G_MAXINT);
  return manager;
}

GDBusObjectManager *
gocker_client_get_containers (GDBusConnection *bus, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  GDBusObjectManager *manager;

  manager = gocker_object_manager_client_new_sync (bus,
                                                   G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                                   GOCKER_BUS_NAME,
                                                   GOCKER_OBJECT_MANAGER_PATH,
                                                   NULL, &local_error);
  if (manager == NULL)
    {
      gocker_client_explain_error (local_error, _("list the containers"));
      g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return manager;
}

static const char *
container_id (GockerContainer *container)
{
  const char *id = gocker_container_get_id (container);

  /* The object path ends in the id, should the property be missing. */
  if (id == NULL || *id == '\0')
    {
      const char *path = g_dbus_proxy_get_object_path (G_DBUS_PROXY (container));
      const char *slash = strrchr (path, '/');

      id = slash != NULL ? slash + 1 : path;
    }
  return id;
}

GockerContainer *
gocker_client_find_container (GDBusObjectManager *manager,
                              const char *query,
                              GError **error)
{
  g_autolist(GDBusObject) objects = g_dbus_object_manager_get_objects (manager);
  g_autoptr(GPtrArray) containers = g_ptr_array_new ();
  g_autoptr(GArray) refs = g_array_new (FALSE, TRUE, sizeof (GockerContainerRef));
  gssize index;

  for (GList *l = objects; l != NULL; l = l->next)
    {
      GockerContainer *container = gocker_object_peek_container (GOCKER_OBJECT (l->data));
      GockerContainerRef ref;

      if (container == NULL)
        continue;

      ref.id = container_id (container);
      ref.name = gocker_container_get_name (container);
      g_array_append_val (refs, ref);
      g_ptr_array_add (containers, container);
    }

  index = gocker_resolve_container ((const GockerContainerRef *) refs->data, refs->len,
                                    query, error);
  if (index < 0)
    return NULL;

  return g_object_ref (g_ptr_array_index (containers, index));
}

GVariant *
gocker_client_call (GDBusProxy *proxy,
                    const char *method,
                    GVariant *parameters,
                    GUnixFDList *fd_list,
                    GUnixFDList **out_fd_list,
                    const char *action,
                    GError **error)
{
  g_autoptr(GVariant) params = parameters != NULL ? g_variant_ref_sink (parameters) : NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *remote = NULL;
  GVariant *result;

  /* No timeout: a polkit prompt, or Stop waiting out its grace period, can
   * take longer than the 25 s default. */
  result = g_dbus_proxy_call_with_unix_fd_list_sync (proxy, method, params,
                                                     G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                                                     G_MAXINT, fd_list, out_fd_list,
                                                     NULL, &local_error);
  if (result != NULL)
    return result;

  remote = g_dbus_error_get_remote_error (local_error);
  if (remote_error_is (remote, GOCKER_ERROR_PREFIX "InteractionRequired"))
    {
      g_autoptr(GError) agent_error = NULL;
      gpointer agent = gocker_text_agent_register (&agent_error);

      if (agent != NULL)
        {
          g_clear_error (&local_error);
          result = g_dbus_proxy_call_with_unix_fd_list_sync (proxy, method, params,
                                                             G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                                                             G_MAXINT, fd_list, out_fd_list,
                                                             NULL, &local_error);
          gocker_text_agent_unregister (agent);
          if (result != NULL)
            return result;
        }
      else if (agent_error->domain == GOCKER_TEXT_AGENT_ERROR)
        {
          /* A broken installation, not a missing terminal: print the cause. */
          g_printerr ("gocker: %s\n", agent_error->message);
        }
      else
        {
          g_debug ("No polkit text agent: %s", agent_error->message);
        }
    }

  gocker_client_explain_error (local_error, action);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}
