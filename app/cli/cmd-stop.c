/* gocker stop: stop running containers. */
#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <glib/gi18n.h>

#include "client.h"
#include "gocker-cli.h"

#define DEFAULT_STOP_TIMEOUT 10

int
gocker_cmd_stop (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GDBusObjectManager) manager = NULL;
  int timeout = DEFAULT_STOP_TIMEOUT;
  int status = 0;
  GOptionEntry entries[] = {
    { "time", 't', 0, G_OPTION_ARG_INT, &timeout,
      N_("Seconds to wait after SIGTERM before SIGKILL; 0 kills at once (default: 10)"),
      N_("SECONDS") },
    { NULL }
  };

  context = g_option_context_new (_("CONTAINER…"));
  g_option_context_set_summary (context,
                                _("Stop containers: send SIGTERM, then SIGKILL to every process "
                                  "of the container after the timeout.\nStopping a container "
                                  "that is not running does nothing. CONTAINER is an id, a unique "
                                  "id prefix or a name."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!gocker_parse_options (context, "stop", &argc, &argv))
    return GOCKER_EXIT_ERROR;
  if (argc < 2)
    return gocker_usage_error ("stop", _("stop needs at least one container"));
  if (timeout < 0)
    {
      g_autofree char *message = g_strdup_printf (_("invalid --time %d: give 0 or more seconds"),
                                                  timeout);
      return gocker_usage_error ("stop", message);
    }

  bus = gocker_client_connect (&error);
  if (bus != NULL)
    manager = gocker_client_get_containers (bus, &error);
  if (manager == NULL)
    {
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GockerContainer) container = NULL;
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *action = g_strdup_printf (_("stop the container %s"), argv[i]);

      container = gocker_client_find_container (manager, argv[i], &local_error);
      if (container != NULL)
        reply = gocker_client_call (G_DBUS_PROXY (container), "Stop",
                                    g_variant_new ("(u)", (guint32) timeout),
                                    NULL, NULL, action, &local_error);
      if (reply == NULL)
        {
          gocker_print_error (local_error);
          status = GOCKER_EXIT_ERROR;
          continue;
        }
      g_print ("%s\n", argv[i]);
    }

  return status;
}
