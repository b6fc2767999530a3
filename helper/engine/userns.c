/* User namespaces: ID maps, the "gocker" subordinate ID range, ID-mapped
 * mounts and the ownership-shifted copy used where those are missing. */
#define G_LOG_DOMAIN "gocker-userns"

#include "userns.h"
#include "spec.h"
#include "state.h"

#include <errno.h>
#include <gio/gio.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#define OVERFLOW_ID 65534

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
}
#define auto_fd __attribute__((cleanup (close_fd)))

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

static const char *
printable (const char *text)
{
  return g_utf8_validate (text, -1, NULL) ? text : "(not UTF-8)";
}

/* ---- Parsing and resolving ---------------------------------------------- */

gboolean
gocker_userns_parse_map (const char *text, GockerIdMap *out, GError **error)
{
  g_auto(GStrv) parts = NULL;
  guint64 container_id, host_id, count;

  parts = g_strsplit (text, ":", -1);
  if (g_strv_length (parts) != 3 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT32, &container_id, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT32, &host_id, NULL) ||
      !g_ascii_string_to_unsigned (parts[2], 10, 1, G_MAXUINT32, &count, NULL))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid user namespace map \"%s\": expected CONTAINER:HOST:COUNT "
                   "with decimal IDs, such as 0:200000:65536", printable (text));
      return FALSE;
    }

  if (container_id != 0)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid user namespace map \"%s\": the container range must start "
                   "at 0 so the container has a root user", printable (text));
      return FALSE;
    }
  if (host_id == 0)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid user namespace map \"%s\": it maps container root to host root; "
                   "use --userns host to run without a user namespace", printable (text));
      return FALSE;
    }
  if (host_id + count - 1 > G_MAXUINT32 - 1)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid user namespace map \"%s\": the host range ends after ID %u",
                   printable (text), G_MAXUINT32 - 1);
      return FALSE;
    }

  out->enabled = TRUE;
  out->host_uid = (guint32) host_id;
  out->host_gid = (guint32) host_id;
  out->count = (guint32) count;
  return TRUE;
}

gboolean
gocker_userns_validate (const char *userns, GError **error)
{
  GockerIdMap map;

  if (userns == NULL || strcmp (userns, "host") == 0 || strcmp (userns, "auto") == 0)
    return TRUE;
  return gocker_userns_parse_map (userns, &map, error);
}

/* ---- Subordinate ID files ----------------------------------------------- */

typedef struct {
  char *name;
  guint64 start;
  guint64 count;
} SubidRange;

static void
subid_range_free (SubidRange *range)
{
  g_free (range->name);
  g_free (range);
}

/* Ranges of a subuid-format file; lines that are not NAME:START:COUNT are
 * skipped, as shadow's tools do. A missing file has no ranges. */
static GPtrArray *
read_subid_file (const char *path, char **out_contents, GError **error)
{
  g_autoptr(GPtrArray) ranges = g_ptr_array_new_with_free_func ((GDestroyNotify) subid_range_free);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "reading %s: ", path);
          return NULL;
        }
      contents = g_strdup ("");
    }

  lines = g_strsplit (contents, "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ":", -1);
      guint64 start, count;
      SubidRange *range;

      if (g_strv_length (fields) != 3 ||
          !g_ascii_string_to_unsigned (fields[1], 10, 0, G_MAXUINT32, &start, NULL) ||
          !g_ascii_string_to_unsigned (fields[2], 10, 1, G_MAXUINT32, &count, NULL))
        continue;

      range = g_new0 (SubidRange, 1);
      range->name = g_strdup (fields[0]);
      range->start = start;
      range->count = count;
      g_ptr_array_add (ranges, range);
    }

  if (out_contents != NULL)
    *out_contents = g_steal_pointer (&contents);
  return g_steal_pointer (&ranges);
}

static const SubidRange *
find_range (GPtrArray *ranges, const char *name)
{
  for (guint i = 0; i < ranges->len; i++)
    {
      const SubidRange *range = g_ptr_array_index (ranges, i);

      if (strcmp (range->name, name) == 0)
        return range;
    }
  return NULL;
}

gboolean
gocker_subid_lookup (const char *path, const char *name,
                     guint32 *out_start, guint32 *out_count, GError **error)
{
  g_autoptr(GPtrArray) ranges = read_subid_file (path, NULL, error);
  const SubidRange *range;

  if (ranges == NULL)
    return FALSE;

  range = find_range (ranges, name);
  if (range == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s has no range for %s", path, name);
      return FALSE;
    }

  *out_start = (guint32) range->start;
  *out_count = (guint32) range->count;
  return TRUE;
}

/* Whether [start, start + count) overlaps a range of @ranges or, when
 * @is_uid, a user's UID, else a group's GID. */
static gboolean
range_is_taken (GPtrArray *ranges, gboolean is_uid, guint64 start, guint64 count, guint64 *out_end)
{
  for (guint i = 0; i < ranges->len; i++)
    {
      const SubidRange *range = g_ptr_array_index (ranges, i);

      if (range->start < start + count && start < range->start + range->count)
        {
          *out_end = range->start + range->count;
          return TRUE;
        }
    }

  if (is_uid)
    {
      struct passwd *pw;

      setpwent ();
      while ((pw = getpwent ()) != NULL)
        if (pw->pw_uid >= start && pw->pw_uid < start + count)
          {
            *out_end = (guint64) pw->pw_uid + 1;
            endpwent ();
            return TRUE;
          }
      endpwent ();
    }
  else
    {
      struct group *gr;

      setgrent ();
      while ((gr = getgrent ()) != NULL)
        if (gr->gr_gid >= start && gr->gr_gid < start + count)
          {
            *out_end = (guint64) gr->gr_gid + 1;
            endgrent ();
            return TRUE;
          }
      endgrent ();
    }
  return FALSE;
}

/* Append a range for @name to @path unless it has one; returns the start. */
static gboolean
ensure_range (const char *path, gboolean is_uid, guint64 preferred_start,
              guint32 *out_start, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) ranges = read_subid_file (path, &contents, error);
  g_autofree char *updated = NULL;
  const SubidRange *existing;
  guint64 start = preferred_start;
  guint64 end;

  if (ranges == NULL)
    return FALSE;

  existing = find_range (ranges, GOCKER_SUBID_NAME);
  if (existing != NULL)
    {
      if (existing->count < GOCKER_SUBID_COUNT || existing->start == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "the %s range in %s is %" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT
                       "; it needs at least %d IDs and may not start at 0: fix or remove that line",
                       GOCKER_SUBID_NAME, path, existing->start, existing->count, GOCKER_SUBID_COUNT);
          return FALSE;
        }
      *out_start = (guint32) existing->start;
      return TRUE;
    }

  while (range_is_taken (ranges, is_uid, start, GOCKER_SUBID_COUNT, &end))
    start = MAX (end, start + 1);
  if (start + GOCKER_SUBID_COUNT - 1 > G_MAXUINT32 - 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "no free range of %d IDs is left in %s; add a line \"%s:START:%d\" by hand",
                   GOCKER_SUBID_COUNT, path, GOCKER_SUBID_NAME, GOCKER_SUBID_COUNT);
      return FALSE;
    }

  updated = g_strdup_printf ("%s%s%s:%" G_GUINT64_FORMAT ":%d\n",
                             contents,
                             contents[0] != '\0' && !g_str_has_suffix (contents, "\n") ? "\n" : "",
                             GOCKER_SUBID_NAME, start, GOCKER_SUBID_COUNT);
  if (!gocker_write_file_atomic (path, updated, -1, 0644, error))
    {
      g_prefix_error (error, "adding the %s range to %s: ", GOCKER_SUBID_NAME, path);
      return FALSE;
    }

  g_message ("added subordinate ID range %s:%" G_GUINT64_FORMAT ":%d to %s",
             GOCKER_SUBID_NAME, start, GOCKER_SUBID_COUNT, path);
  *out_start = (guint32) start;
  return TRUE;
}

gboolean
gocker_subid_ensure (const char *subuid_path, const char *subgid_path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (subuid_path);
  g_autoptr(GPtrArray) uid_ranges = NULL;
  g_autoptr(GPtrArray) gid_ranges = NULL;
  auto_fd int dir_fd = -1;
  guint64 start = GOCKER_SUBID_MIN;
  guint64 end;
  guint32 uid_start, gid_start;

  /* The files are replaced by rename(), so the lock is on their directory:
   * it serializes gocker's own writers. */
  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    return set_errno_error (error, errno, "opening", dir);
  if (flock (dir_fd, LOCK_EX) < 0)
    return set_errno_error (error, errno, "locking", dir);

  /* One start that is free in both files, so UIDs and GIDs line up. */
  uid_ranges = read_subid_file (subuid_path, NULL, error);
  if (uid_ranges == NULL)
    return FALSE;
  gid_ranges = read_subid_file (subgid_path, NULL, error);
  if (gid_ranges == NULL)
    return FALSE;
  for (;;)
    {
      if (range_is_taken (uid_ranges, TRUE, start, GOCKER_SUBID_COUNT, &end) ||
          range_is_taken (gid_ranges, FALSE, start, GOCKER_SUBID_COUNT, &end))
        start = MAX (end, start + 1);
      else
        break;
    }

  if (!ensure_range (subuid_path, TRUE, start, &uid_start, error))
    return FALSE;
  if (!ensure_range (subgid_path, FALSE, start, &gid_start, error))
    return FALSE;
  return TRUE;
}

/* Whether both files already have a "gocker" range that
 * gocker_subid_ensure() would accept as it is. */
static gboolean
subid_ranges_usable (void)
{
  const char *const paths[] = { GOCKER_SUBUID_FILE, GOCKER_SUBGID_FILE };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      guint32 start, count;

      if (!gocker_subid_lookup (paths[i], GOCKER_SUBID_NAME, &start, &count, NULL) ||
          start == 0 || count < GOCKER_SUBID_COUNT)
        return FALSE;
    }
  return TRUE;
}

gboolean
gocker_userns_resolve (const char *userns, GockerIdMap *out, GError **error)
{
  guint32 uid_start, uid_count, gid_start, gid_count;

  memset (out, 0, sizeof *out);
  if (g_strcmp0 (userns, "host") == 0)
    return TRUE;
  if (userns != NULL && strcmp (userns, "auto") != 0)
    return gocker_userns_parse_map (userns, out, error);

  /* Every start reads the ranges; only a missing or unusable one takes the
   * lock and walks the user database, which is slow with NSS modules. */
  if (!subid_ranges_usable () &&
      !gocker_subid_ensure (GOCKER_SUBUID_FILE, GOCKER_SUBGID_FILE, error))
    return FALSE;
  if (!gocker_subid_lookup (GOCKER_SUBUID_FILE, GOCKER_SUBID_NAME, &uid_start, &uid_count, error) ||
      !gocker_subid_lookup (GOCKER_SUBGID_FILE, GOCKER_SUBID_NAME, &gid_start, &gid_count, error))
    return FALSE;

  out->enabled = TRUE;
  out->host_uid = uid_start;
  out->host_gid = gid_start;
  out->count = MIN (MIN (uid_count, gid_count), GOCKER_SUBID_COUNT);
  return TRUE;
}

/* ---- Namespaces --------------------------------------------------------- */

static gboolean
write_all (int fd, const char *data, gsize length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

/* Write uid_map and gid_map of process @pid, as /proc names it. */
static gboolean
write_id_maps (const char *pid, const GockerIdMap *map, GError **error)
{
  const char *const files[] = { "uid_map", "gid_map" };
  const guint32 starts[] = { map->host_uid, map->host_gid };
  const guint32 insides[] = { map->inside_uid, map->inside_gid };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/%s", pid, files[i]);
      g_autofree char *line = g_strdup_printf ("%u %u %u\n", insides[i], starts[i], map->count);
      auto_fd int fd = open (path, O_WRONLY | O_CLOEXEC);

      if (fd < 0)
        return set_errno_error (error, errno, "opening", path);
      /* The kernel takes a map in one write() only. */
      if (write (fd, line, strlen (line)) != (ssize_t) strlen (line))
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "writing \"%u %u %u\" to %s: %s", insides[i], starts[i], map->count, path,
                       g_strerror (saved_errno));
          return FALSE;
        }
    }
  return TRUE;
}

static int
wait_child (pid_t pid)
{
  int status;

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return status;
}

/* A short-lived child that sits in a new namespace, so the parent can set
 * the namespace up from outside and open it through /proc. */
typedef struct {
  pid_t child;
  int release_fd;            /* closing it lets the child exit */
  char pid_text[32];         /* the child's pid as this /proc names it */
} NamespaceHolder;

/* Fork the holder: it joins @join_userns_fd unless that is -1, unshares
 * @flags and waits. @failure is the message when that fails. */
static gboolean
holder_start (int join_userns_fd, int flags, const char *what, const char *failure,
              NamespaceHolder *holder, GError **error)
{
  int to_parent[2];
  int to_child[2];
  ssize_t n;

  memset (holder, 0, sizeof *holder);
  holder->release_fd = -1;
  if (pipe2 (to_parent, O_CLOEXEC) < 0)
    return set_errno_error (error, errno, "creating a pipe for", what);
  if (pipe2 (to_child, O_CLOEXEC) < 0)
    {
      set_errno_error (error, errno, "creating a pipe for", what);
      close (to_parent[0]);
      close (to_parent[1]);
      return FALSE;
    }

  holder->child = fork ();
  if (holder->child < 0)
    {
      set_errno_error (error, errno, "forking for", what);
      close (to_parent[0]);
      close (to_parent[1]);
      close (to_child[0]);
      close (to_child[1]);
      return FALSE;
    }

  if (holder->child == 0)
    {
      char self[32];
      char byte;
      ssize_t len;

      /* The parent may be in another PID namespace than the /proc it sees,
       * so the child names itself the way that /proc does. A network
       * namespace belongs to the user namespace of the process that
       * creates it, so the child joins that one first, where it has every
       * capability. */
      close (to_parent[0]);
      close (to_child[1]);
      len = readlink ("/proc/self", self, sizeof self - 1);
      if (len <= 0 ||
          (join_userns_fd >= 0 && setns (join_userns_fd, CLONE_NEWUSER) < 0) ||
          unshare (flags) < 0)
        _exit (1);
      self[len] = '\0';
      if (!write_all (to_parent[1], self, strlen (self)))
        _exit (1);
      close (to_parent[1]);
      /* Stay alive, and so keep the namespace, until the parent is done. */
      while (read (to_child[0], &byte, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }

  close (to_parent[1]);
  close (to_child[0]);
  holder->release_fd = to_child[1];
  do
    n = read (to_parent[0], holder->pid_text, sizeof holder->pid_text - 1);
  while (n < 0 && errno == EINTR);
  close (to_parent[0]);

  if (n <= 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, failure);
      close (holder->release_fd);
      holder->release_fd = -1;
      wait_child (holder->child);
      return FALSE;
    }
  return TRUE;
}

/* Open the holder's namespace of kind @ns ("user", "net"). */
static int
holder_open (const NamespaceHolder *holder, const char *ns, GError **error)
{
  g_autofree char *ns_path = g_strdup_printf ("/proc/%s/ns/%s", holder->pid_text, ns);
  int fd = open (ns_path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    set_errno_error (error, errno, "opening", ns_path);
  return fd;
}

static void
holder_release (NamespaceHolder *holder)
{
  close (holder->release_fd);
  holder->release_fd = -1;
  wait_child (holder->child);
}

int
gocker_userns_open_fd (const GockerIdMap *map, GError **error)
{
  NamespaceHolder holder;
  int ns_fd = -1;

  if (!holder_start (-1, CLONE_NEWUSER, "the user namespace",
                     "creating a user namespace failed; check that the kernel allows them "
                     "(user.max_user_namespaces)", &holder, error))
    return -1;
  if (write_id_maps (holder.pid_text, map, error))
    ns_fd = holder_open (&holder, "user", error);
  holder_release (&holder);
  return ns_fd;
}

/* The creator of a user namespace, and a process that joins one, has
 * every capability in it. Becoming its root keeps them across the
 * execve() of the command. */
static gboolean
become_root (GError **error)
{
  if (setresgid (0, 0, 0) < 0)
    return set_errno_error (error, errno, "switching to", "group 0 of the user namespace");
  if (setgroups (0, NULL) < 0)
    return set_errno_error (error, errno, "clearing the supplementary groups in", "the user namespace");
  if (setresuid (0, 0, 0) < 0)
    return set_errno_error (error, errno, "switching to", "user 0 of the user namespace");
  return TRUE;
}

gboolean
gocker_userns_enter (const GockerIdMap *map, GError **error)
{
  int to_helper[2];
  int from_helper[2];
  g_autoptr(GString) message = g_string_new (NULL);
  char buffer[512];
  pid_t helper;
  int status;

  if (pipe2 (to_helper, O_CLOEXEC) < 0 || pipe2 (from_helper, O_CLOEXEC) < 0)
    return set_errno_error (error, errno, "creating a pipe for", "the user namespace");

  helper = fork ();
  if (helper < 0)
    return set_errno_error (error, errno, "forking for", "the user namespace");

  if (helper == 0)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *parent = g_strdup_printf ("%d", (int) getppid ());
      char byte;
      ssize_t n;

      /* Stays in the parent user namespace, where writing the maps is
       * allowed, until the parent has unshared. */
      close (to_helper[1]);
      close (from_helper[0]);
      do
        n = read (to_helper[0], &byte, 1);
      while (n < 0 && errno == EINTR);
      if (n != 1)
        _exit (1);
      if (!write_id_maps (parent, map, &local_error))
        {
          write_all (from_helper[1], local_error->message, strlen (local_error->message));
          _exit (1);
        }
      _exit (0);
    }

  close (to_helper[0]);
  close (from_helper[1]);

  if (unshare (CLONE_NEWUSER) < 0)
    {
      int saved_errno = errno;

      close (to_helper[1]);
      close (from_helper[0]);
      wait_child (helper);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "creating the container's user namespace: %s%s", g_strerror (saved_errno),
                   saved_errno == EPERM ? " (the process may not be chrooted)" : "");
      return FALSE;
    }

  write_all (to_helper[1], "u", 1);
  close (to_helper[1]);
  for (;;)
    {
      ssize_t n = read (from_helper[0], buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (message, buffer, n);
    }
  close (from_helper[0]);
  status = wait_child (helper);

  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "writing the ID maps of the container's user namespace: %s",
                   message->len > 0 ? message->str : "the helper process failed");
      return FALSE;
    }

  return become_root (error);
}

gboolean
gocker_userns_join (int userns_fd, GError **error)
{
  if (setns (userns_fd, CLONE_NEWUSER) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "entering the container's user namespace: %s", g_strerror (saved_errno));
      return FALSE;
    }
  return become_root (error);
}

int
gocker_userns_open_netns (int userns_fd, GError **error)
{
  NamespaceHolder holder;
  int ns_fd;

  if (!holder_start (userns_fd, CLONE_NEWNET, "the network namespace",
                     "creating a network namespace in the container's user namespace failed; "
                     "check that the kernel allows network namespaces (user.max_net_namespaces)",
                     &holder, error))
    return -1;
  ns_fd = holder_open (&holder, "net", error);
  holder_release (&holder);
  return ns_fd;
}

/* ---- ID-mapped mounts --------------------------------------------------- */

gboolean
gocker_userns_idmap_in_place (int userns_fd, int fd, const char *display, GError **error)
{
  auto_fd int tree_fd = -1;
  struct mount_attr attr = {
    .attr_set = MOUNT_ATTR_IDMAP,
    .userns_fd = (guint64) userns_fd,
  };

  tree_fd = open_tree (fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (tree_fd < 0)
    return set_errno_error (error, errno, "cloning the mount of", display);

  if (mount_setattr (tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    {
      int saved_errno = errno;

      /* EINVAL: the file system (or one mounted below) cannot be
       * ID-mapped; ENOSYS: the kernel predates mount_setattr() (5.12). */
      g_set_error (error, G_IO_ERROR,
                   saved_errno == EINVAL || saved_errno == ENOSYS || saved_errno == EOPNOTSUPP
                     ? G_IO_ERROR_NOT_SUPPORTED : g_io_error_from_errno (saved_errno),
                   "creating an ID-mapped mount of %s: %s", display, g_strerror (saved_errno));
      return FALSE;
    }

  if (move_mount (tree_fd, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return set_errno_error (error, errno, "attaching the ID-mapped mount on", display);

  return TRUE;
}

/* ---- Ownership-shifted copy --------------------------------------------- */

static guint32
shift_id (guint32 id, guint32 host_start, guint32 count)
{
  if (id < count)
    return host_start + id;
  /* Never host_start, which is container root. */
  return OVERFLOW_ID < count ? host_start + OVERFLOW_ID : host_start + count - 1;
}

static gboolean
copy_file_data (int source_dir, int dest_dir, const char *name, mode_t mode, GError **error)
{
  auto_fd int in = openat (source_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  auto_fd int out = -1;
  char buffer[65536];

  if (in < 0)
    return set_errno_error (error, errno, "opening for the copy", name);
  out = openat (dest_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
  if (out < 0)
    return set_errno_error (error, errno, "creating the copy of", name);

  for (;;)
    {
      ssize_t n = read (in, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return set_errno_error (error, errno, "reading", name);
      if (n == 0)
        break;
      if (!write_all (out, buffer, n))
        return set_errno_error (error, errno, "writing the copy of", name);
    }
  return TRUE;
}

static gboolean
shift_copy_dir (int source_dir, int dest_dir, const char *display, const GockerIdMap *map,
                guint depth, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  DIR *dir;
  struct dirent *entry;
  int list_fd;

  if (depth > 256)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
                   "copying %s: directories nest deeper than 256 levels", display);
      return FALSE;
    }

  list_fd = fcntl (source_dir, F_DUPFD_CLOEXEC, 0);
  if (list_fd < 0 || (dir = fdopendir (list_fd)) == NULL)
    {
      if (list_fd >= 0)
        close (list_fd);
      return set_errno_error (error, errno, "listing", display);
    }
  while ((entry = readdir (dir)) != NULL)
    if (strcmp (entry->d_name, ".") != 0 && strcmp (entry->d_name, "..") != 0)
      g_ptr_array_add (names, g_strdup (entry->d_name));
  closedir (dir);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (display, name, NULL);
      struct stat st;

      if (fstatat (source_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return set_errno_error (error, errno, "reading the attributes of", path);

      if (S_ISDIR (st.st_mode))
        {
          auto_fd int child_source = -1;
          auto_fd int child_dest = -1;

          if (mkdirat (dest_dir, name, 0700) < 0)
            return set_errno_error (error, errno, "creating the copy of", path);
          child_source = openat (source_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          child_dest = openat (dest_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (child_source < 0 || child_dest < 0)
            return set_errno_error (error, errno, "opening", path);
          if (!shift_copy_dir (child_source, child_dest, path, map, depth + 1, error))
            return FALSE;
        }
      else if (S_ISREG (st.st_mode))
        {
          if (!copy_file_data (source_dir, dest_dir, name, st.st_mode, error))
            return FALSE;
        }
      else if (S_ISLNK (st.st_mode))
        {
          g_autofree char *link_target = g_malloc (st.st_size + 1);
          ssize_t len = readlinkat (source_dir, name, link_target, st.st_size + 1);

          if (len < 0 || len > st.st_size)
            return set_errno_error (error, len < 0 ? errno : ERANGE, "reading the link", path);
          link_target[len] = '\0';
          if (symlinkat (link_target, dest_dir, name) < 0)
            return set_errno_error (error, errno, "creating the link", path);
        }
      else if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode) || S_ISFIFO (st.st_mode) ||
               S_ISSOCK (st.st_mode))
        {
          if (mknodat (dest_dir, name, st.st_mode & ~07777, st.st_rdev) < 0)
            return set_errno_error (error, errno, "creating the node", path);
        }

      if (fchownat (dest_dir, name, shift_id (st.st_uid, map->host_uid, map->count),
                    shift_id (st.st_gid, map->host_gid, map->count), AT_SYMLINK_NOFOLLOW) < 0)
        return set_errno_error (error, errno, "changing the owner of the copy of", path);
      /* After chown, which clears the set-user-ID and set-group-ID bits. */
      if (!S_ISLNK (st.st_mode) &&
          fchmodat (dest_dir, name, st.st_mode & 07777, 0) < 0)
        return set_errno_error (error, errno, "setting the mode of the copy of", path);
    }
  return TRUE;
}

gboolean
gocker_userns_shift_copy (const char *source, const char *dest, const GockerIdMap *map,
                          GError **error)
{
  auto_fd int source_fd = -1;
  auto_fd int dest_fd = -1;
  struct stat st;

  source_fd = open (source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (source_fd < 0)
    return set_errno_error (error, errno, "opening", source);
  if (fstat (source_fd, &st) < 0)
    return set_errno_error (error, errno, "reading the attributes of", source);
  if (mkdir (dest, 0700) < 0)
    return set_errno_error (error, errno, "creating", dest);
  dest_fd = open (dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dest_fd < 0)
    return set_errno_error (error, errno, "opening", dest);

  if (!shift_copy_dir (source_fd, dest_fd, source, map, 0, error))
    return FALSE;

  if (fchown (dest_fd, shift_id (st.st_uid, map->host_uid, map->count),
              shift_id (st.st_gid, map->host_gid, map->count)) < 0 ||
      fchmod (dest_fd, st.st_mode & 07777) < 0)
    return set_errno_error (error, errno, "setting the owner and mode of", dest);
  return TRUE;
}
