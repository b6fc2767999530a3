/* polkit checks of every method that changes something or reads a log. */
#pragma once

#include <gio/gio.h>
#include <polkit/polkit.h>

G_BEGIN_DECLS

typedef enum {
  GOCKER_VERB_RUN,
  GOCKER_VERB_STOP,
  GOCKER_VERB_REMOVE,
  GOCKER_VERB_LOGS,
} GockerVerb;

typedef struct {
  GockerVerb verb;
  const char *verb_name;      /* "run", "stop", ... as passed to polkit */
  const char *own_action;     /* for a container the caller created */
  const char *other_action;   /* for any other container */
} GockerAuthorizationRule;

/* The one table of which polkit action guards which verb. */
const GockerAuthorizationRule *gocker_authorization_rules (guint *n_rules);

/* The container an action is about; for Run, id is NULL and owner_uid is
 * the caller. */
typedef struct {
  const char *id;
  const char *name;
  guint32 owner_uid;
  gboolean has_owner;
} GockerAuthorizationTarget;

/* Check @verb for the sender of @invocation. Callers with uid 0 pass
 * without a polkit call. User interaction is allowed only when the message
 * carries G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION. */
void gocker_authorize (PolkitAuthority *authority,
                       GDBusMethodInvocation *invocation,
                       GockerVerb verb,
                       const GockerAuthorizationTarget *target,
                       GAsyncReadyCallback callback,
                       gpointer user_data);

/* Returns TRUE when authorized and stores the caller's uid. Errors are in
 * the GOCKER_ERROR domain: NOT_AUTHORIZED, CANCELLED, INTERACTION_REQUIRED
 * or FAILED. */
gboolean gocker_authorize_finish (GAsyncResult *result, guint32 *out_uid, GError **error);

/* The bus daemon's GetConnectionCredentials record (a{sv}) of the caller
 * that @result checked, owned by @result; NULL when the lookup failed. */
GVariant *gocker_authorize_get_credentials (GAsyncResult *result);

G_END_DECLS
