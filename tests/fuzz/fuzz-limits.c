/* Fuzz target: the limit parsers (--cpus, --memory, --pids-limit). The
 * first byte picks the parser, the rest is the text. */
#include "spec.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  if (size < 1)
    return 0;
  text = g_strndup ((const char *) data + 1, size - 1);

  switch (data[0] % 3)
    {
    case 0:
      {
        double cpus;

        if (gocker_parse_cpu_limit (text, &cpus, &error))
          {
            g_autofree char *formatted = gocker_format_cpus (cpus);
            double again;

            g_assert_true (gocker_parse_cpu_limit (formatted, &again, NULL));
          }
        break;
      }
    case 1:
      {
        guint64 bytes;

        if (gocker_parse_memory_limit (text, &bytes, &error))
          {
            g_autofree char *formatted = gocker_format_memory (bytes);
            guint64 again;

            g_assert_true (gocker_parse_memory_limit (formatted, &again, NULL));
            g_assert_cmpuint (again, ==, bytes);
          }
        break;
      }
    default:
      {
        guint64 pids;

        gocker_parse_pids_limit (text, &pids, &error);
        break;
      }
    }
  return 0;
}
