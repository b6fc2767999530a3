/* The default seccomp filter of the container's command. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Load gocker's default filter into the calling thread, which its children
 * and everything it executes inherit. The filter allows every system call
 * except those Docker's default profile denies (the list is in seccomp.c);
 * those fail with EPERM, and clone3() fails with ENOSYS so that C libraries
 * fall back to clone(), whose flags the filter can inspect. A call that
 * Docker allows to holders of a capability is allowed when @caps_keep (as
 * from gocker_caps_compute()) contains it.
 *
 * The caller must have set no_new_privs (prctl PR_SET_NO_NEW_PRIVS) or
 * have CAP_SYS_ADMIN. Mount calls are denied too, so load it after the
 * last mount and right before execve(). */
gboolean gocker_seccomp_apply_default (guint64 caps_keep, GError **error);

/* Write the default filter in libseccomp's pseudo-filter-code text to
 * @fd, for inspection and tests. Loads nothing. */
gboolean gocker_seccomp_export_default (guint64 caps_keep, int fd, GError **error);

G_END_DECLS
