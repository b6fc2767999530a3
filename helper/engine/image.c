/* The container's lower layer: a rootfs directory, or the busybox image
 * that gocker assembles itself on first use. */
#define G_LOG_DOMAIN "gocker-engine"

#include "engine.h"
#include "engine-private.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char image_passwd[] =
  "root:x:0:0:root:/root:/bin/sh\n"
  "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
static const char image_group[] =
  "root:x:0:\n"
  "tty:x:5:\n"
  "nogroup:x:65534:\n";
static const char image_os_release[] =
  "NAME=\"gocker busybox\"\n"
  "ID=gocker-busybox\n"
  "PRETTY_NAME=\"gocker busybox image\"\n";

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
make_dir (const char *root, const char *relative, mode_t mode, GError **error)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);

  if (g_mkdir_with_parents (path, 0755) < 0)
    return set_errno_error (error, errno, "creating", path);
  /* Explicitly, since the umask may have cleared bits (1777 for tmp). */
  if (chmod (path, mode) < 0)
    return set_errno_error (error, errno, "setting the mode of", path);
  return TRUE;
}

static gboolean
write_file (const char *root, const char *relative, const char *contents, GError **error)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);

  if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_NONE, 0644, error))
    {
      g_prefix_error (error, "writing the image file %s: ", path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
copy_busybox (const char *busybox_path, const char *root, GError **error)
{
  g_autoptr(GFile) source = g_file_new_for_path (busybox_path);
  g_autofree char *target_path = g_build_filename (root, "bin", "busybox", NULL);
  g_autoptr(GFile) target = g_file_new_for_path (target_path);

  if (!g_file_copy (source, target, G_FILE_COPY_NOFOLLOW_SYMLINKS, NULL, NULL, NULL, error))
    {
      g_prefix_error (error, "copying %s into the busybox image: ", busybox_path);
      return FALSE;
    }
  if (chmod (target_path, 0755) < 0)
    return set_errno_error (error, errno, "setting the mode of", target_path);
  return TRUE;
}

/* Create one symbolic link to /bin/busybox per applet, at the path that
 * `busybox --list-full` prints for it ("usr/bin/awk"). */
static gboolean
link_applets (const char *busybox_path, const char *root, GError **error)
{
  const char *argv[] = { busybox_path, "--list-full", NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, error))
    {
      g_prefix_error (error, "listing the applets of %s: ", busybox_path);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s --list-full: ", busybox_path);
      return FALSE;
    }

  lines = g_strsplit (out, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_autofree char *path = NULL;
      g_autofree char *dir = NULL;

      g_strstrip (*line);
      /* Applet paths are relative and plain; anything else is skipped. */
      if (**line == '\0' || **line == '/' || strstr (*line, "..") != NULL ||
          strcmp (*line, "bin/busybox") == 0)
        continue;
      path = g_build_filename (root, *line, NULL);
      dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0755) < 0)
        return set_errno_error (error, errno, "creating", dir);
      if (symlink ("/bin/busybox", path) < 0 && errno != EEXIST)
        return set_errno_error (error, errno, "creating the applet link", path);
    }
  return TRUE;
}

static gboolean
assemble_busybox (const char *busybox_path, const char *root, GError **error)
{
  static const struct { const char *path; mode_t mode; } dirs[] = {
    { "bin", 0755 }, { "sbin", 0755 }, { "usr/bin", 0755 }, { "usr/sbin", 0755 },
    { "etc", 0755 }, { "proc", 0555 }, { "sys", 0555 }, { "dev", 0755 },
    { "tmp", 01777 }, { "root", 0700 }, { "var/tmp", 01777 }, { "mnt", 0755 },
    { "home", 0755 }, { "run", 0755 },
  };

  if (chmod (root, 0755) < 0)
    return set_errno_error (error, errno, "setting the mode of", root);
  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (!make_dir (root, dirs[i].path, dirs[i].mode, error))
      return FALSE;
  return copy_busybox (busybox_path, root, error) &&
         link_applets (busybox_path, root, error) &&
         write_file (root, "etc/passwd", image_passwd, error) &&
         write_file (root, "etc/group", image_group, error) &&
         write_file (root, "etc/hostname", GOCKER_DEFAULT_HOSTNAME "\n", error) &&
         /* Placeholders: every container binds its own over them, and a
          * file the image lacks would be created in each container's
          * writable layer first. */
         write_file (root, "etc/hosts", "127.0.0.1\tlocalhost\n", error) &&
         write_file (root, "etc/resolv.conf", "", error) &&
         write_file (root, "etc/os-release", image_os_release, error);
}

static char *
resolve_busybox (const char *state_dir, const char *busybox_path, GError **error)
{
  g_autofree char *images = g_build_filename (state_dir, "images", NULL);
  g_autofree char *image = g_build_filename (images, "busybox", NULL);
  g_autofree char *scratch = NULL;
  g_autoptr(GError) local_error = NULL;

  if (g_file_test (image, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&image);

  if (g_mkdir_with_parents (images, 0700) < 0)
    {
      set_errno_error (error, errno, "creating", images);
      return NULL;
    }
  /* Build next to the final place and rename, so two concurrent first
   * runs both build, one rename wins, and no run sees half an image. */
  scratch = g_build_filename (images, ".busybox-XXXXXX", NULL);
  if (g_mkdtemp_full (scratch, 0755) == NULL)
    {
      set_errno_error (error, errno, "creating", scratch);
      return NULL;
    }
  g_message ("Assembling the busybox image in %s from %s", image, busybox_path);
  if (!assemble_busybox (busybox_path, scratch, error))
    {
      gocker_remove_tree (scratch, NULL);
      g_prefix_error (error, "assembling the busybox image: ");
      return NULL;
    }
  if (rename (scratch, image) < 0)
    {
      int saved_errno = errno;

      gocker_remove_tree (scratch, NULL);
      if ((saved_errno != EEXIST && saved_errno != ENOTEMPTY) ||
          !g_file_test (image, G_FILE_TEST_IS_DIR))
        {
          set_errno_error (error, saved_errno, "installing the busybox image at", image);
          return NULL;
        }
    }
  return g_steal_pointer (&image);
}

char *
gocker_image_resolve (const char *state_dir, const GockerSpec *spec,
                      const char *busybox_path, GError **error)
{
  const char *image = spec->image != NULL ? spec->image : GOCKER_DEFAULT_IMAGE;
  struct stat st;

  if (spec->rootfs != NULL)
    {
      if (stat (spec->rootfs, &st) < 0)
        {
          int saved_errno = errno;
          g_set_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_NOT_FOUND,
                       "rootfs directory %s: %s", spec->rootfs, g_strerror (saved_errno));
          return NULL;
        }
      if (!S_ISDIR (st.st_mode))
        {
          g_set_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_INVALID,
                       "rootfs %s is not a directory; pass a directory holding the container's files",
                       spec->rootfs);
          return NULL;
        }
      return g_strdup (spec->rootfs);
    }

  if (strcmp (image, GOCKER_DEFAULT_IMAGE) != 0)
    {
      g_set_error (error, GOCKER_ENGINE_ERROR, GOCKER_ENGINE_ERROR_NOT_FOUND,
                   "image %s not found; the only image is busybox, or use --rootfs DIR",
                   image);
      return NULL;
    }
  return resolve_busybox (state_dir, busybox_path, error);
}
