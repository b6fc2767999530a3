/* The container's own /etc/hosts, /etc/hostname and /etc/resolv.conf.
 *
 * They are written to STATE_DIR/network/etc/<id>/ and bind-mounted over the
 * root's files, so the image is never edited and the host can read the files
 * the container uses. */
#define G_LOG_DOMAIN "gocker-network"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "network.h"

static const char *const etc_files[] = { "hosts", "hostname", "resolv.conf" };

char *
gocker_network_etc_dir (const char *state_dir, const char *id)
{
  return g_build_filename (state_dir, "network", "etc", id, NULL);
}

static gboolean
nameserver_reachable (const char *address)
{
  guint32 ipv4;

  /* The bridge is IPv4 only, and a loopback resolver (a local cache such
   * as systemd-resolved's 127.0.0.53) is the container's own loopback
   * once inside it. */
  if (!gocker_ipv4_from_string (address, &ipv4))
    return FALSE;
  return (ipv4 >> 24) != 127 && ipv4 != 0;
}

char *
gocker_network_filter_resolv_conf (const char *host_contents, gboolean keep_all)
{
  g_autoptr(GString) out = g_string_new ("# Written by gocker from the host's /etc/resolv.conf.\n");
  g_auto(GStrv) lines = g_strsplit (host_contents != NULL ? host_contents : "", "\n", -1);
  guint kept = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strstrip (g_strdup (lines[i]));
      g_auto(GStrv) words = NULL;

      if (*line == '\0' || *line == '#' || *line == ';')
        continue;
      words = g_strsplit_set (line, " \t", -1);
      if (g_str_equal (words[0], "nameserver"))
        {
          const char *address = words[1] != NULL ? words[1] : "";

          if (!keep_all && !nameserver_reachable (address))
            {
              g_string_append_printf (out, "# left out, not reachable from the container: %s\n", line);
              continue;
            }
          kept++;
        }
      g_string_append_printf (out, "%s\n", line);
    }
  if (kept == 0)
    g_string_append (out, "# No nameserver of the host is reachable from the container.\n");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
hosts_contents (const GockerState *state)
{
  const GockerSpec *spec = state->spec;
  const char *network = spec->network != NULL ? spec->network : "bridge";
  g_autoptr(GString) out = g_string_new ("# Written by gocker for this container.\n"
                                         "127.0.0.1\tlocalhost\n"
                                         "::1\tlocalhost ip6-localhost ip6-loopback\n");
  g_autofree char *names = NULL;

  if (spec->name != NULL && g_strcmp0 (spec->name, spec->hostname) != 0)
    names = g_strdup_printf ("%s %s", spec->hostname, spec->name);
  else
    names = g_strdup (spec->hostname);

  if (g_str_equal (network, "bridge") && state->ip_address != NULL)
    g_string_append_printf (out, "%s\t%s\n", state->ip_address, names);
  else
    g_string_append_printf (out, "127.0.1.1\t%s\n", names);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
gocker_network_write_etc_files (const char        *state_dir,
                                const GockerState *state,
                                const char        *host_resolv_conf,
                                GError           **error)
{
  g_autofree char *dir = gocker_network_etc_dir (state_dir, state->id);
  const char *network = state->spec->network != NULL ? state->spec->network : "bridge";
  g_autofree char *hosts = NULL;
  g_autofree char *hostname = NULL;
  g_autofree char *resolv = NULL;

  if (g_mkdir_with_parents (dir, 0755) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                   "creating %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  hosts = hosts_contents (state);
  hostname = g_strdup_printf ("%s\n", state->spec->hostname);
  if (g_str_equal (network, "host"))
    resolv = g_strdup (host_resolv_conf != NULL ? host_resolv_conf : "");
  else if (g_str_equal (network, "none"))
    resolv = g_strdup ("# Written by gocker: --network none has no nameserver.\n");
  else
    resolv = gocker_network_filter_resolv_conf (host_resolv_conf, FALSE);

  {
    const char *contents[] = { hosts, hostname, resolv };

    G_STATIC_ASSERT (G_N_ELEMENTS (contents) == G_N_ELEMENTS (etc_files));
    for (guint i = 0; i < G_N_ELEMENTS (etc_files); i++)
      {
        g_autofree char *path = g_build_filename (dir, etc_files[i], NULL);

        /* 0644: the container's users read these, root may edit them.
         * No fsync: they are written anew for every start, before the
         * container exists, and a crash ends the container with them. */
        if (!g_file_set_contents_full (path, contents[i], -1, G_FILE_SET_CONTENTS_NONE,
                                       0644, error))
          return FALSE;
      }
  }
  return TRUE;
}

/* Open ROOT/etc/NAME as a regular file to mount over, without following a
 * symlink out of the root. A symlink or a missing file is replaced by an
 * empty file: the change lands in the container's writable layer. */
static int
open_mount_target (int etc_fd, const char *name)
{
  struct stat st;
  int fd;

  gboolean exists = FALSE;

  if (fstatat (etc_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (S_ISLNK (st.st_mode))
        {
          if (unlinkat (etc_fd, name, 0) < 0)
            return -errno;
        }
      else if (!S_ISREG (st.st_mode))
        return -EISDIR;
      else
        exists = TRUE;
    }
  else if (errno != ENOENT)
    return -errno;

  /* Opening the image's own file for writing would copy it up into the
   * writable layer for nothing: the bind mount covers it. */
  if (!exists)
    {
      fd = openat (etc_fd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0)
        return -errno;
      close (fd);
    }
  fd = openat (etc_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

int
gocker_network_bind_etc_files (const char  *state_dir,
                               const char  *id,
                               const char  *root,
                               const char **what)
{
  char source[4096];
  char target[64];
  int root_fd;
  int etc_fd;
  int ret = 0;

  root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    {
      *what = "opening the container root";
      return -errno;
    }
  if (mkdirat (root_fd, "etc", 0755) < 0 && errno != EEXIST)
    {
      ret = -errno;
      *what = "creating /etc in the container";
      close (root_fd);
      return ret;
    }
  etc_fd = openat (root_fd, "etc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  close (root_fd);
  if (etc_fd < 0)
    {
      *what = "opening /etc in the container (it must be a directory, not a symlink)";
      return -errno;
    }

  for (guint i = 0; i < G_N_ELEMENTS (etc_files); i++)
    {
      int target_fd;

      snprintf (source, sizeof source, "%s/network/etc/%s/%s", state_dir, id, etc_files[i]);
      target_fd = open_mount_target (etc_fd, etc_files[i]);
      if (target_fd < 0)
        {
          ret = target_fd;
          *what = i == 0 ? "preparing /etc/hosts in the container"
                  : i == 1 ? "preparing /etc/hostname in the container"
                  : "preparing /etc/resolv.conf in the container";
          break;
        }
      snprintf (target, sizeof target, "/proc/self/fd/%d", target_fd);
      if (mount (source, target, NULL, MS_BIND, NULL) < 0)
        {
          ret = -errno;
          *what = i == 0 ? "bind-mounting /etc/hosts in the container"
                  : i == 1 ? "bind-mounting /etc/hostname in the container"
                  : "bind-mounting /etc/resolv.conf in the container";
          close (target_fd);
          break;
        }
      close (target_fd);
    }
  close (etc_fd);
  return ret;
}
