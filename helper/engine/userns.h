/* User namespaces: the ID mapping of a container and the mounts that make
 * the image and volumes usable by the container's root.
 *
 * By default container root is host ID H, the start of the "gocker" range
 * in /etc/subuid and /etc/subgid (65536 IDs, created on first use). So no
 * process of the container has the host ID of root or of a real user. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GOCKER_SUBID_NAME "gocker"
#define GOCKER_SUBID_COUNT 65536
/* Lowest start of a new range, as useradd's SUB_UID_MIN. */
#define GOCKER_SUBID_MIN 100000
#define GOCKER_SUBUID_FILE "/etc/subuid"
#define GOCKER_SUBGID_FILE "/etc/subgid"

typedef struct {
  gboolean enabled;          /* FALSE for --userns host: no user namespace */
  guint32 host_uid;          /* host UID of container UID 0 */
  guint32 host_gid;          /* host GID of container GID 0 */
  guint32 count;             /* container IDs 0 .. count-1 are mapped */
  guint32 inside_uid;        /* first ID inside the namespace: 0, but for volume maps */
  guint32 inside_gid;
} GockerIdMap;

/* Parse --userns-map "CONTAINER:HOST:COUNT". CONTAINER must be 0, so the
 * container has a root, and the host range may not contain host ID 0
 * (use --userns host for that). */
gboolean gocker_userns_parse_map (const char *text, GockerIdMap *out, GError **error);

/* Check spec->userns: NULL, "host", or a map as above. */
gboolean gocker_userns_validate (const char *userns, GError **error);

/* Find @name's first range in a subordinate ID file (/etc/subuid format:
 * NAME:START:COUNT lines). G_IO_ERROR_NOT_FOUND if there is none. */
gboolean gocker_subid_lookup (const char *path, const char *name,
                              guint32 *out_start, guint32 *out_count, GError **error);

/* Make sure both files have a GOCKER_SUBID_NAME range of at least
 * GOCKER_SUBID_COUNT IDs, appending one that overlaps no other range and
 * no user of the passwd database when missing. The files are rewritten
 * atomically under a lock, so concurrent callers add one range. The same
 * start is used in both files. */
gboolean gocker_subid_ensure (const char *subuid_path, const char *subgid_path, GError **error);

/* The mapping for spec->userns: NULL gives the "gocker" range (created if
 * missing), "host" gives no namespace, "C:H:COUNT" that mapping. */
gboolean gocker_userns_resolve (const char *userns, GockerIdMap *out, GError **error);

/* Create a user namespace with @map and return a descriptor of it, for
 * ID-mapped mounts. Forks a short-lived child; needs CAP_SETUID and
 * CAP_SETGID. Returns -1 on error. */
int gocker_userns_open_fd (const GockerIdMap *map, GError **error);

/* Mount a clone of the mount tree at @fd (an O_PATH descriptor) over
 * itself with IDs shifted by the namespace @userns_fd: a file owned by ID N
 * on disk appears owned by container ID N. @display names the path in
 * errors. Fails with G_IO_ERROR_NOT_SUPPORTED when the kernel or the file
 * system cannot. */
gboolean gocker_userns_idmap_in_place (int userns_fd, int fd, const char *display,
                                       GError **error);

/* Copy the tree at @source to @dest (which must not exist), shifting every
 * owner by @map: ID N becomes host ID host_uid + N. An ID at or above the
 * count becomes that of container ID 65534 (the overflow ID), or of the
 * last container ID when the range is smaller. For
 * kernels or file systems without ID-mapped mounts. */
gboolean gocker_userns_shift_copy (const char *source, const char *dest,
                                   const GockerIdMap *map, GError **error);

/* Move the calling process into a new user namespace with @map and make it
 * root there. Forks a child that stays outside to write the maps through
 * /proc, which must belong to the caller's PID namespace. The caller may
 * not be chrooted or threaded. Other namespaces the caller is in stay
 * owned by the parent user namespace, so container root cannot mount or
 * reconfigure them. */
gboolean gocker_userns_enter (const GockerIdMap *map, GError **error);

/* Move the calling process into the user namespace @userns_fd (from
 * gocker_userns_open_fd(), so its maps are written) and make it root
 * there. The caller may not be threaded. Other namespaces keep their
 * owner: the network namespace from gocker_userns_open_netns() is the
 * one container root has capabilities over. */
gboolean gocker_userns_join (int userns_fd, GError **error);

/* Create a network namespace owned by the user namespace @userns_fd and
 * return a descriptor of it, for setns(). Forks a short-lived child that
 * joins @userns_fd and unshares; the caller keeps its own namespaces.
 * Needs CAP_SYS_ADMIN over @userns_fd. Returns -1 on error. */
int gocker_userns_open_netns (int userns_fd, GError **error);

G_END_DECLS
