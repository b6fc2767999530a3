/* Registration and mapping of the io.github.Gocker1.Error.* D-Bus errors. */
#define G_LOG_DOMAIN "gocker-helper"

#include "config.h"

#include "errors.h"
#include "engine.h"
#include "spec.h"

static const GDBusErrorEntry gocker_error_entries[] = {
  { GOCKER_ERROR_FAILED, "io.github.Gocker1.Error.Failed" },
  { GOCKER_ERROR_NOT_AUTHORIZED, "io.github.Gocker1.Error.NotAuthorized" },
  { GOCKER_ERROR_CANCELLED, "io.github.Gocker1.Error.Cancelled" },
  { GOCKER_ERROR_INTERACTION_REQUIRED, "io.github.Gocker1.Error.InteractionRequired" },
  { GOCKER_ERROR_INVALID_ARGUMENT, "io.github.Gocker1.Error.InvalidArgument" },
  { GOCKER_ERROR_NOT_FOUND, "io.github.Gocker1.Error.NotFound" },
  { GOCKER_ERROR_NAME_IN_USE, "io.github.Gocker1.Error.NameInUse" },
  { GOCKER_ERROR_CONTAINER_RUNNING, "io.github.Gocker1.Error.ContainerRunning" },
};

GQuark
gocker_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("gocker-error-quark", &quark,
                                      gocker_error_entries, G_N_ELEMENTS (gocker_error_entries));
  return (GQuark) quark;
}

static GockerError
map_error_code (const GError *error)
{
  if (error->domain == GOCKER_ERROR)
    return error->code;
  if (error->domain == GOCKER_SPEC_ERROR)
    return error->code == GOCKER_SPEC_ERROR_NOT_FOUND ? GOCKER_ERROR_NOT_FOUND : GOCKER_ERROR_INVALID_ARGUMENT;
  if (error->domain == GOCKER_ENGINE_ERROR)
    {
      switch (error->code)
        {
        case GOCKER_ENGINE_ERROR_NOT_FOUND:
          return GOCKER_ERROR_NOT_FOUND;
        case GOCKER_ENGINE_ERROR_INVALID:
          return GOCKER_ERROR_INVALID_ARGUMENT;
        default:
          return GOCKER_ERROR_FAILED;
        }
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return GOCKER_ERROR_NOT_FOUND;
  return GOCKER_ERROR_FAILED;
}

void
gocker_invocation_return_error (GDBusMethodInvocation *invocation, const GError *error)
{
  /* Messages can carry bytes from the kernel or the file system, such as a
   * path; D-Bus strings must be valid UTF-8. */
  g_autofree char *message = g_utf8_make_valid (error->message, -1);

  g_dbus_method_invocation_return_error_literal (invocation, GOCKER_ERROR,
                                                 map_error_code (error), message);
}
