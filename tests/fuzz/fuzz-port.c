/* Fuzz target: the -p syntax, gocker_parse_port_mapping(), and the
 * round trip through gocker_port_mapping_to_string(). */
#include "spec.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GockerPortMapping) mapping = NULL;
  g_autoptr(GError) error = NULL;

  if (gocker_parse_port_mapping (text, &mapping, &error))
    {
      g_autofree char *formatted = gocker_port_mapping_to_string (mapping);
      g_autoptr(GockerPortMapping) again = NULL;

      /* What the helper prints must parse back to the same mapping. */
      g_assert_true (gocker_parse_port_mapping (formatted, &again, NULL));
      g_assert_cmpuint (again->host_port, ==, mapping->host_port);
      g_assert_cmpuint (again->container_port, ==, mapping->container_port);
    }
  else
    g_assert_nonnull (error);
  return 0;
}
