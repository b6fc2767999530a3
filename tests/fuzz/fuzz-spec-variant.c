/* Fuzz target: the a{sv} request of Manager.Run, as the helper receives it
 * from any caller on the bus, through gocker_spec_from_variant(). The input
 * is the serialized GVariant; GVariant checks untrusted data itself, as
 * GDBus does for a received message. */
#include "spec.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GVariant) request = NULL;
  g_autoptr(GockerSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  request = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes,
                                                          /* trusted= */ FALSE));
  spec = gocker_spec_from_variant (request, &error);
  if (spec != NULL)
    {
      /* A spec that passed must survive the round trips the helper makes. */
      g_autoptr(GVariant) again = g_variant_ref_sink (gocker_spec_to_variant (spec));
      g_autoptr(JsonNode) json = gocker_spec_to_json (spec);
      g_autoptr(GockerSpec) reparsed = gocker_spec_from_variant (again, NULL);
      g_autoptr(GockerSpec) from_json = gocker_spec_from_json (json, NULL);

      g_assert_nonnull (reparsed);
      g_assert_nonnull (from_json);
    }
  return 0;
}
