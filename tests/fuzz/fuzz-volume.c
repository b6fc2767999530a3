/* Fuzz target: the -v/--volume syntax, gocker_parse_volume(), and the
 * host-side check the helper runs on each volume. */
#include "spec.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GockerVolume) volume = NULL;
  g_autoptr(GError) error = NULL;

  if (gocker_parse_volume (text, "/nonexistent-gocker-fuzz/cwd", &volume, &error))
    {
      g_autoptr(GError) validate_error = NULL;

      g_assert_nonnull (volume);
      g_assert_nonnull (volume->source);
      g_assert_nonnull (volume->target);
      gocker_volume_validate (volume, &validate_error);
    }
  else
    g_assert_nonnull (error);
  return 0;
}
