#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "resolve.h"
#include "format.h"

G_DEFINE_QUARK (gocker-resolve-error-quark, gocker_resolve_error)

gssize
gocker_resolve_container (const GockerContainerRef *refs,
                          gsize n_refs,
                          const char *query,
                          GError **error)
{
  g_autoptr(GArray) prefix_matches = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize query_len;

  g_return_val_if_fail (query != NULL, -1);

  query_len = strlen (query);
  if (query_len == 0)
    {
      g_set_error (error, GOCKER_RESOLVE_ERROR, GOCKER_RESOLVE_ERROR_NOT_FOUND,
                   _("No such container: \"\" (give an id, an id prefix or a name)"));
      return -1;
    }

  for (gsize i = 0; i < n_refs; i++)
    if (g_strcmp0 (refs[i].id, query) == 0)
      return i;

  /* Docker's order: an exact name beats an id prefix, so a container named
   * "abc" stays reachable even when some id starts with "abc". */
  for (gsize i = 0; i < n_refs; i++)
    if (g_strcmp0 (refs[i].name, query) == 0)
      return i;

  for (gsize i = 0; i < n_refs; i++)
    if (refs[i].id != NULL && strncmp (refs[i].id, query, query_len) == 0)
      g_array_append_val (prefix_matches, i);

  if (prefix_matches->len == 1)
    return g_array_index (prefix_matches, gsize, 0);

  if (prefix_matches->len == 0)
    {
      g_set_error (error, GOCKER_RESOLVE_ERROR, GOCKER_RESOLVE_ERROR_NOT_FOUND,
                   _("No such container: %s (gocker ps lists the containers)"), query);
      return -1;
    }

  {
    g_autoptr(GString) list = g_string_new (NULL);

    for (guint j = 0; j < prefix_matches->len; j++)
      {
        const GockerContainerRef *ref = &refs[g_array_index (prefix_matches, gsize, j)];
        g_autofree char *short_id = gocker_format_short_id (ref->id);

        g_string_append_printf (list, "\n  %s  %s", short_id,
                                ref->name != NULL ? ref->name : "");
      }

    g_set_error (error, GOCKER_RESOLVE_ERROR, GOCKER_RESOLVE_ERROR_AMBIGUOUS,
                 _("The id prefix %s matches %u containers; give more characters "
                   "of the id, or the name:%s"),
                 query, prefix_matches->len, list->str);
  }
  return -1;
}
