/* The identity of the process that sent a request, and host files opened
 * with its permissions instead of root's. */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct {
  uid_t uid;
  gid_t gid;
  GArray *groups;   /* of gid_t: the supplementary groups */
} GockerCaller;

void gocker_caller_clear (GockerCaller *caller);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GockerCaller, gocker_caller_clear)

/* Fill @caller from the bus daemon's record of the caller
 * (GetConnectionCredentials, as gocker_authorize_get_credentials() returns
 * it), with the primary group from the user database. */
gboolean gocker_caller_from_credentials (GVariant *credentials, GockerCaller *caller,
                                         GError **error);

/* Open the source of every GockerVolume of @volumes as @caller would: read
 * permission is needed for every volume and write permission for the ones
 * that are not read-only, so a volume can expose no host file that its
 * requester could not use directly. Returns the descriptors in the order of
 * @volumes; errors name the volume and the uid. */
GArray *gocker_caller_open_volumes (const GockerCaller *caller, GPtrArray *volumes, GError **error);

G_END_DECLS
