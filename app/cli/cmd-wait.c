/* gocker wait: wait for containers to exit and print their exit codes. */
#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <glib/gi18n.h>

#include "client.h"
#include "gocker-cli.h"

int
gocker_cmd_wait (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GDBusObjectManager) manager = NULL;
  int status = 0;

  context = g_option_context_new (_("CONTAINER…"));
  g_option_context_set_summary (context,
                                _("Wait for each container to exit, then print its exit code on a "
                                  "line of its own (-1 when unknown).\nCONTAINER is an id, a "
                                  "unique id prefix or a name."));
  if (!gocker_parse_options (context, "wait", &argc, &argv))
    return GOCKER_EXIT_ERROR;
  if (argc < 2)
    return gocker_usage_error ("wait", _("wait needs at least one container"));

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
      int exit_code;

      container = gocker_client_find_container (manager, argv[i], &local_error);
      if (container != NULL)
        reply = g_dbus_proxy_call_sync (G_DBUS_PROXY (container), "Wait", NULL,
                                        G_DBUS_CALL_FLAGS_NONE, G_MAXINT, NULL, &local_error);
      if (reply == NULL)
        {
          if (container != NULL)
            gocker_client_explain_error (local_error, _("wait for the container"));
          gocker_print_error (local_error);
          status = GOCKER_EXIT_ERROR;
          continue;
        }
      g_variant_get (reply, "(i)", &exit_code);
      g_print ("%d\n", exit_code);
    }

  return status;
}
