/* polkit authorization for the helper's methods.
 *
 * Every handler goes through gocker_authorize() with its verb; the actions
 * come from one table, so a test can walk all of them. */
#define G_LOG_DOMAIN "gocker-helper"

#include "config.h"

#include "authorize.h"
#include "errors.h"

static const GockerAuthorizationRule rules[] = {
  { GOCKER_VERB_RUN, "run", "io.github.Gocker1.create", "io.github.Gocker1.create" },
  { GOCKER_VERB_STOP, "stop", "io.github.Gocker1.manage-own", "io.github.Gocker1.manage" },
  { GOCKER_VERB_REMOVE, "remove", "io.github.Gocker1.manage-own", "io.github.Gocker1.manage" },
  { GOCKER_VERB_LOGS, "logs", "io.github.Gocker1.read-log-own", "io.github.Gocker1.read-log" },
};

const GockerAuthorizationRule *
gocker_authorization_rules (guint *n_rules)
{
  *n_rules = G_N_ELEMENTS (rules);
  return rules;
}

typedef struct {
  PolkitAuthority *authority;
  const GockerAuthorizationRule *rule;
  char *sender;
  char *id;
  char *name;
  guint32 owner_uid;
  gboolean has_owner;
  gboolean allow_interaction;
  guint32 caller_uid;
  GVariant *credentials;      /* a{sv} of GetConnectionCredentials */
  const char *action_id;
} AuthorizeData;

static void
authorize_data_free (AuthorizeData *data)
{
  g_clear_object (&data->authority);
  g_free (data->sender);
  g_free (data->id);
  g_free (data->name);
  g_clear_pointer (&data->credentials, g_variant_unref);
  g_free (data);
}

static void
on_check_authorization (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  AuthorizeData *data = g_task_get_task_data (task);
  g_autoptr (PolkitAuthorizationResult) auth = NULL;
  g_autoptr (GError) error = NULL;

  auth = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), result, &error);
  if (auth == NULL)
    {
      g_warning ("polkit check of %s for %s (uid %u) failed: %s",
                 data->action_id, data->sender, data->caller_uid, error->message);
      g_task_return_new_error (task, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                               "Checking authorization with polkit failed: %s. "
                               "Is polkitd running?", error->message);
      return;
    }

  if (polkit_authorization_result_get_is_authorized (auth))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (polkit_authorization_result_get_dismissed (auth))
    {
      g_message ("%s of container %s by uid %u: authentication dismissed",
                 data->rule->verb_name, data->name ? data->name : "", data->caller_uid);
      g_task_return_new_error (task, GOCKER_ERROR, GOCKER_ERROR_CANCELLED,
                               "Authentication for %s was dismissed", data->action_id);
      return;
    }

  if (polkit_authorization_result_get_is_challenge (auth))
    {
      g_message ("%s of container %s by uid %u: authentication required, no interaction possible",
                 data->rule->verb_name, data->name ? data->name : "", data->caller_uid);
      g_task_return_new_error (task, GOCKER_ERROR, GOCKER_ERROR_INTERACTION_REQUIRED,
                               "Authentication is required for %s, but the request did not allow "
                               "interaction or no authentication agent is running; start one "
                               "(the gocker command line does so in a terminal) and try again",
                               data->action_id);
      return;
    }

  g_message ("%s of container %s by uid %u: not authorized by %s",
             data->rule->verb_name, data->name ? data->name : "", data->caller_uid, data->action_id);
  g_task_return_new_error (task, GOCKER_ERROR, GOCKER_ERROR_NOT_AUTHORIZED,
                           "Not authorized: polkit denied %s; an administrator can allow it "
                           "with a polkit rule", data->action_id);
}

static void
on_get_credentials (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  AuthorizeData *data = g_task_get_task_data (task);
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (PolkitSubject) subject = NULL;
  g_autoptr (PolkitDetails) details = NULL;
  PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;
  GCancellable *cancellable;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_warning ("looking up the uid of %s failed: %s", data->sender, error->message);
      g_task_return_new_error (task, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                               "Could not identify the caller %s: %s", data->sender, error->message);
      return;
    }
  data->credentials = g_variant_get_child_value (reply, 0);
  if (!g_variant_lookup (data->credentials, "UnixUserID", "u", &data->caller_uid))
    {
      g_warning ("the bus did not report the uid of %s", data->sender);
      g_task_return_new_error (task, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                               "Could not identify the caller %s: the bus did not report its uid",
                               data->sender);
      return;
    }

  /* root may do anything already; asking polkit would only add a prompt
   * that no agent may be there to answer. */
  if (data->caller_uid == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (data->authority == NULL)
    {
      g_task_return_new_error (task, GOCKER_ERROR, GOCKER_ERROR_FAILED,
                               "polkit is not available, so no request can be authorized; "
                               "start polkitd and try again");
      return;
    }

  if (data->has_owner && data->owner_uid == data->caller_uid)
    data->action_id = data->rule->own_action;
  else
    data->action_id = data->rule->other_action;

  details = polkit_details_new ();
  polkit_details_insert (details, "verb", data->rule->verb_name);
  polkit_details_insert (details, "id", data->id ? data->id : "");
  polkit_details_insert (details, "name", data->name ? data->name : "");
  if (data->has_owner)
    {
      g_autofree char *owner = g_strdup_printf ("%u", data->owner_uid);

      polkit_details_insert (details, "owner", owner);
    }

  if (data->allow_interaction)
    flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;

  subject = polkit_system_bus_name_new (data->sender);
  cancellable = g_task_get_cancellable (task);
  polkit_authority_check_authorization (data->authority, subject, data->action_id, details, flags,
                                        cancellable, on_check_authorization, g_steal_pointer (&task));
}

void
gocker_authorize (PolkitAuthority *authority,
                  GDBusMethodInvocation *invocation,
                  GockerVerb verb,
                  const GockerAuthorizationTarget *target,
                  GAsyncReadyCallback callback,
                  gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  AuthorizeData *data = g_new0 (AuthorizeData, 1);
  GDBusMessage *message = g_dbus_method_invocation_get_message (invocation);

  g_task_set_source_tag (task, gocker_authorize);
  data->authority = authority ? g_object_ref (authority) : NULL;
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (rules[i].verb == verb)
      data->rule = &rules[i];
  g_assert (data->rule != NULL);
  data->sender = g_strdup (g_dbus_method_invocation_get_sender (invocation));
  data->id = g_strdup (target->id);
  data->name = g_strdup (target->name);
  data->owner_uid = target->owner_uid;
  data->has_owner = target->has_owner;
  data->allow_interaction =
    (g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION) != 0;
  g_task_set_task_data (task, data, (GDestroyNotify) authorize_data_free);

  g_dbus_connection_call (g_dbus_method_invocation_get_connection (invocation),
                          "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "GetConnectionCredentials", g_variant_new ("(s)", data->sender),
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          on_get_credentials, task);
}

gboolean
gocker_authorize_finish (GAsyncResult *result, guint32 *out_uid, GError **error)
{
  GTask *task = G_TASK (result);
  AuthorizeData *data = g_task_get_task_data (task);

  if (out_uid != NULL)
    *out_uid = data->caller_uid;
  return g_task_propagate_boolean (task, error);
}

GVariant *
gocker_authorize_get_credentials (GAsyncResult *result)
{
  AuthorizeData *data = g_task_get_task_data (G_TASK (result));

  return data->credentials;
}
