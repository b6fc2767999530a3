/* Container reference resolution: full id, unique id prefix or exact name.
 *
 * Pure functions over a list of (id, name) pairs, so the rules can be unit
 * tested without a bus. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GOCKER_RESOLVE_ERROR (gocker_resolve_error_quark ())
GQuark gocker_resolve_error_quark (void);

typedef enum {
  GOCKER_RESOLVE_ERROR_NOT_FOUND,
  GOCKER_RESOLVE_ERROR_AMBIGUOUS,
} GockerResolveError;

typedef struct {
  const char *id;   /* 64 hexadecimal characters */
  const char *name;
} GockerContainerRef;

/* Find @query in @refs: a full id wins, then an exact name, then an id
 * prefix that matches exactly one container. Returns the index into @refs,
 * or -1 with GOCKER_RESOLVE_ERROR_NOT_FOUND ("No such container: X") or
 * GOCKER_RESOLVE_ERROR_AMBIGUOUS (listing the short id and name of every
 * candidate). */
gssize gocker_resolve_container (const GockerContainerRef *refs,
                                 gsize n_refs,
                                 const char *query,
                                 GError **error);

G_END_DECLS
