/* Masked and read-only paths under the container's /proc and /sys. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Hide the kernel interfaces that runc hides by default and make the
 * writable ones that configure the whole host read-only. @root is the
 * container's root directory ("/" after pivot_root), with proc and sysfs
 * already mounted on @root/proc and @root/sys. A listed path that does not
 * exist under @root is skipped.
 *
 * Masked files get /dev/null bound over them and masked directories an
 * empty read-only tmpfs, so reading them gives nothing. Read-only paths
 * are bind-mounted onto themselves read-only. Needs CAP_SYS_ADMIN over the
 * mount namespace; the container's root cannot undo it once its
 * capabilities are dropped. */
gboolean gocker_masks_apply (const char *root, GError **error);

/* The lists, NULL-terminated, for documentation and tests. */
extern const char *const gocker_masked_paths[];
extern const char *const gocker_readonly_paths[];

G_END_DECLS
