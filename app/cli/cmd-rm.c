/* gocker rm: remove containers. */
#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <glib/gi18n.h>

#include "client.h"
#include "gocker-cli.h"

int
gocker_cmd_rm (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GDBusObjectManager) manager = NULL;
  gboolean force = FALSE;
  int status = 0;
  GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force,
      N_("Kill a running container (no grace period) and remove it"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("CONTAINER…"));
  g_option_context_set_summary (context,
                                _("Remove containers: their state, log, cgroup and writable layer."
                                  "\nA running container is only removed with --force. CONTAINER "
                                  "is an id, a unique id prefix or a name."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!gocker_parse_options (context, "rm", &argc, &argv))
    return GOCKER_EXIT_ERROR;
  if (argc < 2)
    return gocker_usage_error ("rm", _("rm needs at least one container"));

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
      g_autofree char *action = g_strdup_printf (_("remove the container %s"), argv[i]);

      container = gocker_client_find_container (manager, argv[i], &local_error);
      if (container != NULL)
        reply = gocker_client_call (G_DBUS_PROXY (container), "Remove",
                                    g_variant_new ("(b)", force),
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
