/* Fuzz target: state files, STATE_DIR/containers/<id>.json, which the
 * helper reads back at start: JSON text through gocker_state_from_json(). */
#include "state.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GockerState) state = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL))
    return 0;
  root = json_parser_get_root (parser);
  if (root == NULL)
    return 0;

  state = gocker_state_from_json (root, &error);
  if (state != NULL)
    {
      /* A state that loads must save and load again. */
      g_autoptr(JsonNode) saved = gocker_state_to_json (state);
      g_autoptr(GockerState) again = gocker_state_from_json (saved, NULL);

      g_assert_nonnull (again);
    }
  else
    g_assert_nonnull (error);
  return 0;
}
