/* Capabilities of the container's command.
 *
 * The command keeps Docker's default set (default_caps in caps.c)
 * adjusted by --cap-add and --cap-drop. Every other capability is removed
 * from the bounding, permitted, effective, inheritable and ambient sets, so
 * neither the command nor anything it executes can get it back. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Check that every entry of @names is a capability name that
 * gocker_caps_compute() accepts: "CAP_NET_ADMIN", "net_admin" (any case,
 * with or without the CAP_ prefix) or "ALL". @names may be NULL. */
gboolean gocker_caps_validate_names (const char *const *names, GError **error);

/* Compute the set the command keeps, as a bit mask indexed by capability
 * number: the default set, plus @cap_add, minus @cap_drop. "ALL" in
 * @cap_add starts from every capability, and in @cap_drop from none; an
 * explicit name in the other list still applies, as in Docker. */
gboolean gocker_caps_compute (const char *const *cap_add, const char *const *cap_drop,
                              guint64 *out_keep, GError **error);

/* Reduce the calling process to @keep: drop the rest from the bounding set,
 * clear the ambient and inheritable sets, and set permitted and effective
 * to @keep. Capabilities that the caller itself does not have are left
 * out. Needs CAP_SETPCAP; run it after all mounts and before
 * no_new_privs and the seccomp filter. */
gboolean gocker_caps_apply (guint64 keep, GError **error);

/* The "CAP_..." names in @mask, comma-separated, for logs and tests. */
char *gocker_caps_to_string (guint64 mask);

G_END_DECLS
