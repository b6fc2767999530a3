/* gocker gui: start the desktop app, gocker-desktop. */
#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "gocker-cli.h"

#define DESKTOP_PROGRAM "gocker-desktop"

int
gocker_cmd_gui (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) desktop_argv = g_ptr_array_new ();

  context = g_option_context_new (_("[-- APP OPTION…]"));
  g_option_context_set_summary (context,
                                _("Start the desktop app, gocker-desktop, with any arguments after "
                                  "\"--\". It needs no root: polkit asks for a password when an "
                                  "action needs one."));
  if (!gocker_parse_options (context, "gui", &argc, &argv))
    return GOCKER_EXIT_ERROR;

  path = g_build_filename (GOCKER_BINDIR, DESKTOP_PROGRAM, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_free (path);
      path = g_find_program_in_path (DESKTOP_PROGRAM);
    }
  if (path == NULL)
    {
      g_printerr (_("gocker: the desktop app is not installed: no %s in %s or in PATH. "
                    "Build gocker with -Ddesktop_app=true and install it.\n"),
                  DESKTOP_PROGRAM, GOCKER_BINDIR);
      return GOCKER_EXIT_ERROR;
    }

  g_ptr_array_add (desktop_argv, (char *) DESKTOP_PROGRAM);
  for (int i = 1; i < argc; i++)
    if (i > 1 || g_strcmp0 (argv[i], "--") != 0)
      g_ptr_array_add (desktop_argv, argv[i]);
  g_ptr_array_add (desktop_argv, NULL);

  execv (path, (char **) desktop_argv->pdata);

  {
    int saved_errno = errno;
    g_printerr (_("gocker: cannot start %s: %s\n"), path, g_strerror (saved_errno));
  }
  return GOCKER_EXIT_ERROR;
}
