/* gocker version: the client's version and the helper's. */
#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <glib/gi18n.h>

#include "client.h"
#include "gocker-cli.h"

int
gocker_cmd_version (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GockerManager) manager = NULL;

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Print the version of this client and, when it can be reached, "
                                  "of gocker-helper with its cgroup version and state directory."));
  if (!gocker_parse_options (context, "version", &argc, &argv))
    return GOCKER_EXIT_ERROR;

  g_print (_("Client version: %s\n"), GOCKER_VERSION);

  bus = gocker_client_connect (&error);
  if (bus != NULL)
    manager = gocker_manager_proxy_new_sync (bus, G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS,
                                             GOCKER_BUS_NAME, GOCKER_MANAGER_PATH,
                                             NULL, &error);
  if (manager == NULL)
    {
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  g_print (_("Helper version: %s\n"), gocker_manager_get_version (manager));
  g_print (_("Cgroup version: %s\n"), gocker_manager_get_cgroup_version (manager));
  g_print (_("State directory: %s\n"), gocker_manager_get_state_directory (manager));
  return 0;
}
