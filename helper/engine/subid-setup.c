/* gocker-subid-setup: create the "gocker" subordinate ID range in
 * /etc/subuid and /etc/subgid if it is missing. Run by `meson install`
 * (unless DESTDIR is set) and safe to run again; the helper also creates
 * the range on the first container start. */
#define G_LOG_DOMAIN "gocker-subid-setup"

#include "userns.h"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *destdir = g_getenv ("DESTDIR");
  guint32 start = 0, count = 0;

  /* A staged install for a package must not edit the build machine's /etc. */
  if (argc > 1 && strcmp (argv[1], "--install-hook") == 0 && destdir != NULL && *destdir != '\0')
    {
      g_print ("DESTDIR is set: not adding the %s range to /etc/subuid; run %s after installing\n",
               GOCKER_SUBID_NAME, argv[0]);
      return EXIT_SUCCESS;
    }

  if (!gocker_subid_ensure (GOCKER_SUBUID_FILE, GOCKER_SUBGID_FILE, &error) ||
      !gocker_subid_lookup (GOCKER_SUBUID_FILE, GOCKER_SUBID_NAME, &start, &count, &error))
    {
      g_printerr ("gocker-subid-setup: %s\n", error->message);
      return EXIT_FAILURE;
    }

  g_print ("container root maps to host IDs %u-%u (%s in %s and %s)\n",
           start, start + count - 1, GOCKER_SUBID_NAME, GOCKER_SUBUID_FILE, GOCKER_SUBGID_FILE);
  return EXIT_SUCCESS;
}
