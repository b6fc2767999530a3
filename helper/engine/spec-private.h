/* Checks shared by the files of the spec library. */
#pragma once

#include "spec.h"

G_BEGIN_DECLS

/* Whether a "/"-separated path has a ".." component. */
gboolean gocker_path_has_dotdot (const char *path);

/* An absolute path without "..", of valid UTF-8 and at most
 * GOCKER_MAX_STRING bytes; @what names the field in the error. */
gboolean gocker_spec_check_path (const char *what, const char *path, GError **error);

/* Check the fields that every way into a spec shares: from D-Bus, from a
 * state file, or built by a client. */
gboolean gocker_spec_validate (GockerSpec *spec, GError **error);

G_END_DECLS
