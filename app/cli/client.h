/* The connection to gocker-helper on the system bus: proxies, container
 * lookup by id, prefix or name, polkit-aware method calls and the mapping of
 * D-Bus errors to messages for people. */
#pragma once

#include <gio/gio.h>
#include <gio/gunixfdlist.h>

#include "gocker-dbus.h"

G_BEGIN_DECLS

#define GOCKER_BUS_NAME "io.github.Gocker1"
#define GOCKER_OBJECT_MANAGER_PATH "/io/github/Gocker1"
#define GOCKER_MANAGER_PATH "/io/github/Gocker1/Manager"

/* Connect to the system bus (DBUS_SYSTEM_BUS_ADDRESS is honoured) and make
 * sure the helper replies, activating it when needed. */
GDBusConnection *gocker_client_connect (GError **error);

/* The helper's unique bus name, as the connection check found it, else the
 * well-known name. Proxies and signal subscriptions of one-shot commands
 * use it, which spares the bus round trips that a well-known name costs
 * (owner lookup, match rules, activation). */
const char *gocker_client_helper_name (GDBusConnection *bus);

GockerManager *gocker_client_get_manager (GDBusConnection *bus, GError **error);

/* An object manager client holding every container with its properties. */
GDBusObjectManager *gocker_client_get_containers (GDBusConnection *bus, GError **error);

/* Resolve @query (full id, unique id prefix or exact name) among the
 * containers of @manager. */
GockerContainer *gocker_client_find_container (GDBusObjectManager *manager,
                                               const char *query,
                                               GError **error);

/* Call @method on @proxy with G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
 * and no timeout. When the helper returns InteractionRequired and a
 * terminal is available, registers a polkit text agent for this process and
 * calls once more. Errors are rewritten by gocker_client_explain_error()
 * with @action, such as "stop the container web". */
GVariant *gocker_client_call (GDBusProxy *proxy,
                              const char *method,
                              GVariant *parameters,
                              GUnixFDList *fd_list,
                              GUnixFDList **out_fd_list,
                              const char *action,
                              GError **error);

/* Rewrite @error, from a call to the helper, into a message that names what
 * failed and what to do. The remote error prefix is stripped, and the
 * io.github.Gocker1.Error.* and bus errors get their own wording. @action
 * is what the call tried, such as "stop the container web", for NotAuthorized. */
void gocker_client_explain_error (GError *error, const char *action);

/* Print "gocker: MESSAGE" on stderr. */
void gocker_print_error (const GError *error);

G_END_DECLS
