/* gocker ps: list containers from the helper's object manager. */
#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <glib/gi18n.h>

#include "client.h"
#include "format.h"
#include "gocker-cli.h"

static int
compare_newest_first (gconstpointer a, gconstpointer b)
{
  GockerContainer *first = *(GockerContainer **) a;
  GockerContainer *second = *(GockerContainer **) b;
  guint64 first_created = gocker_container_get_created_at (first);
  guint64 second_created = gocker_container_get_created_at (second);

  if (first_created != second_created)
    return first_created > second_created ? -1 : 1;
  return g_strcmp0 (gocker_container_get_id (first), gocker_container_get_id (second));
}

static char **
format_row (GockerContainer *container, gint64 now, gboolean no_trunc)
{
  const char *id = gocker_container_get_id (container);
  const char *name = gocker_container_get_name (container);
  const char *image = gocker_container_get_image (container);
  const char *const *command = gocker_container_get_command (container);
  const char *address = gocker_container_get_ip_address (container);
  const char *const *ports = gocker_container_get_ports (container);
  char **row = g_new0 (char *, 9);

  row[0] = no_trunc ? g_strdup (id != NULL ? id : "") : gocker_format_short_id (id);
  row[1] = g_strdup (name != NULL ? name : "");
  row[2] = g_strdup (image != NULL ? image : "");
  row[3] = gocker_format_command (command, !no_trunc);
  row[4] = gocker_format_time_ago (now, gocker_container_get_created_at (container));
  row[5] = gocker_format_status (gocker_container_get_status (container),
                                 gocker_container_get_exit_code (container),
                                 now,
                                 gocker_container_get_created_at (container),
                                 gocker_container_get_finished_at (container));
  /* Networking: the bridge address (kept while the container exists) and
   * the port mappings, comma-separated. */
  row[6] = g_strdup (address != NULL ? address : "");
  row[7] = ports != NULL ? g_strjoinv (", ", (char **) ports) : g_strdup ("");
  return row;
}

int
gocker_cmd_ps (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GDBusObjectManager) manager = NULL;
  g_autolist(GDBusObject) objects = NULL;
  g_autoptr(GPtrArray) containers = g_ptr_array_new ();
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree char *table = NULL;
  gboolean all = FALSE;
  gboolean quiet = FALSE;
  gboolean no_trunc = FALSE;
  gint64 now;
  GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all,
      N_("List every container (the default: gocker always lists stopped ones too)"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      N_("Print only the container ids"), NULL },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc,
      N_("Print full ids and commands"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("List containers, newest first: running, stopped and exited "
                                  "ones alike, as the original gocker did."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!gocker_parse_options (context, "ps", &argc, &argv))
    return GOCKER_EXIT_ERROR;
  if (argc > 1)
    return gocker_usage_error ("ps", _("ps takes no arguments"));

  bus = gocker_client_connect (&error);
  if (bus == NULL)
    {
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  manager = gocker_client_get_containers (bus, &error);
  if (manager == NULL)
    {
      gocker_print_error (error);
      return GOCKER_EXIT_ERROR;
    }

  objects = g_dbus_object_manager_get_objects (manager);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      GockerContainer *container = gocker_object_peek_container (GOCKER_OBJECT (l->data));

      if (container != NULL)
        g_ptr_array_add (containers, container);
    }
  g_ptr_array_sort (containers, compare_newest_first);

  if (quiet)
    {
      for (guint i = 0; i < containers->len; i++)
        {
          const char *id = gocker_container_get_id (g_ptr_array_index (containers, i));
          g_autofree char *short_id = gocker_format_short_id (id);

          g_print ("%s\n", no_trunc ? id : short_id);
        }
      return 0;
    }

  {
    char *header[] = {
      /* TRANSLATORS: column headers of "gocker ps". */
      g_strdup (_("CONTAINER ID")), g_strdup (_("NAME")), g_strdup (_("IMAGE")),
      g_strdup (_("COMMAND")), g_strdup (_("CREATED")), g_strdup (_("STATUS")),
      g_strdup (_("ADDRESS")), g_strdup (_("PORTS")), NULL
    };
    g_ptr_array_add (rows, g_memdup2 (header, sizeof header));
  }

  now = g_get_real_time ();
  for (guint i = 0; i < containers->len; i++)
    g_ptr_array_add (rows, format_row (g_ptr_array_index (containers, i), now, no_trunc));

  table = gocker_format_table (rows);
  g_print ("%s", table);
  return 0;
}
