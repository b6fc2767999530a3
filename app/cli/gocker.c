/* gocker: the command-line client of gocker-helper. Global options and
 * dispatch to the commands in cmd-*.c. */
#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "gocker-cli.h"

typedef struct {
  const char *name;
  GockerCommandFunc func;
  const char *summary;
} GockerCommand;

static const GockerCommand commands[] = {
  { "run", gocker_cmd_run, N_("Create a container and run a command in it") },
  { "ps", gocker_cmd_ps, N_("List containers") },
  { "logs", gocker_cmd_logs, N_("Print the log of a detached container") },
  { "stop", gocker_cmd_stop, N_("Stop running containers") },
  { "rm", gocker_cmd_rm, N_("Remove containers") },
  { "inspect", gocker_cmd_inspect, N_("Print every property of containers as JSON") },
  { "wait", gocker_cmd_wait, N_("Wait for containers to exit and print their exit codes") },
  { "gui", gocker_cmd_gui, N_("Start the desktop app") },
  { "version", gocker_cmd_version, N_("Print the versions of gocker and gocker-helper") },
};

gboolean
gocker_parse_options (GOptionContext *context,
                      const char *command,
                      int *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("gocker %s", command);

  /* Makes --help print "Usage: gocker COMMAND [OPTION…] …". */
  g_set_prgname (prgname);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      gocker_usage_error (command, error->message);
      return FALSE;
    }
  return TRUE;
}

int
gocker_usage_error (const char *command, const char *message)
{
  g_printerr ("gocker %s: %s\n", command, message);
  g_printerr (_("Run \"gocker %s --help\" for usage.\n"), command);
  return GOCKER_EXIT_ERROR;
}

static char *
commands_description (void)
{
  g_autoptr(GString) text = g_string_new (_("Commands:\n"));

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "  %-10s%s\n", commands[i].name, _(commands[i].summary));

  g_string_append (text, _("\nRun \"gocker COMMAND --help\" for the options of a command.\n"
                           "gocker talks to gocker-helper on the system bus; polkit decides what "
                           "each user may do.\nExit status: the container's for run and wait, "
                           "125 when gocker itself fails, 0 otherwise."));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static const GockerCommand *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *description = NULL;
  gboolean show_version = FALSE;
  gboolean debug = FALSE;
  const GockerCommand *command;
  GOptionEntry entries[] = {
    { "version", 'v', 0, G_OPTION_ARG_NONE, &show_version,
      N_("Print the version of gocker and exit"), NULL },
    { "debug", 'D', 0, G_OPTION_ARG_NONE, &debug,
      N_("Print debug messages on stderr"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  g_set_prgname ("gocker");
  bindtextdomain (GETTEXT_PACKAGE, GOCKER_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  description = commands_description ();
  context = g_option_context_new (_("COMMAND [OPTION…]"));
  g_option_context_set_summary (context, _("Run and manage Linux containers."));
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* Stop at the command name: what follows belongs to the command. */
  g_option_context_set_strict_posix (context, TRUE);

  {
    g_autoptr(GError) error = NULL;

    if (!g_option_context_parse (context, &argc, &argv, &error))
      {
        g_printerr ("gocker: %s\n", error->message);
        g_printerr (_("Run \"gocker --help\" for usage.\n"));
        return GOCKER_EXIT_ERROR;
      }
  }

  if (debug)
    g_log_set_debug_enabled (TRUE);

  if (show_version)
    {
      g_print ("gocker %s\n", GOCKER_VERSION);
      return 0;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("%s", help);
      return GOCKER_EXIT_ERROR;
    }

  /* "gocker help" and "gocker help COMMAND", as git and docker accept. */
  if (g_str_equal (argv[1], "help"))
    {
      if (argc < 3)
        {
          g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
          g_print ("%s", help);
          return 0;
        }
      command = find_command (argv[2]);
      if (command == NULL)
        {
          g_printerr (_("gocker: unknown command \"%s\"\n"), argv[2]);
          return GOCKER_EXIT_ERROR;
        }
      {
        char *help_argv[] = { argv[2], (char *) "--help", NULL };
        return command->func (2, help_argv);
      }
    }

  command = find_command (argv[1]);
  if (command == NULL)
    {
      g_printerr (_("gocker: unknown command \"%s\"\n"), argv[1]);
      g_printerr (_("Run \"gocker --help\" for the list of commands.\n"));
      return GOCKER_EXIT_ERROR;
    }

  return command->func (argc - 1, argv + 1);
}
