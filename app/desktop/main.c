/* gocker-desktop: the GTK desktop app of Gocker. It runs unprivileged and
 * manages containers through the io.github.Gocker1 helper on the system
 * bus; polkit asks for a password only for actions that need one. */
#define G_LOG_DOMAIN "gocker-desktop"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "gocker-application.h"

int
main (int argc, char *argv[])
{
  g_autoptr(GockerApplication) application = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, GOCKER_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = gocker_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
