/* The io.github.Gocker1.Error.* D-Bus errors. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define GOCKER_ERROR (gocker_error_quark ())
GQuark gocker_error_quark (void);

typedef enum {
  GOCKER_ERROR_FAILED,
  GOCKER_ERROR_NOT_AUTHORIZED,
  GOCKER_ERROR_CANCELLED,
  GOCKER_ERROR_INTERACTION_REQUIRED,
  GOCKER_ERROR_INVALID_ARGUMENT,
  GOCKER_ERROR_NOT_FOUND,
  GOCKER_ERROR_NAME_IN_USE,
  GOCKER_ERROR_CONTAINER_RUNNING,
} GockerError;

/* Complete @invocation with @error, mapped to a GOCKER_ERROR code when it
 * comes from another domain (spec errors become InvalidArgument, file
 * errors NotFound or Failed). */
void gocker_invocation_return_error (GDBusMethodInvocation *invocation, const GError *error);

G_END_DECLS
