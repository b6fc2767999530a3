/* Fuzz target: the hardening options a caller sends: --userns-map through
 * gocker_userns_parse_map() and capability names through
 * gocker_caps_compute(). The input is split at the first newline. */
#include "caps.h"
#include "userns.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  char *newline = strchr (text, '\n');
  const char *map_text = text;
  const char *caps_text = "";
  g_auto(GStrv) names = NULL;
  GockerIdMap map;
  guint64 keep;

  if (newline != NULL)
    {
      *newline = '\0';
      caps_text = newline + 1;
    }

  if (gocker_userns_parse_map (map_text, &map, NULL))
    {
      g_assert_cmpuint (map.host_uid, !=, 0);
      g_assert_cmpuint (map.count, >, 0);
      g_assert_cmpuint ((guint64) map.host_uid + map.count - 1, <=, G_MAXUINT32 - 1);
    }

  names = g_strsplit (caps_text, ",", 64);
  if (gocker_caps_compute ((const char *const *) names, (const char *const *) names, &keep, NULL))
    g_assert_true (gocker_caps_validate_names ((const char *const *) names, NULL));
  return 0;
}
