/* Capabilities of the container's command, with libcap. */
#define G_LOG_DOMAIN "gocker-caps"

#include "caps.h"
#include "spec.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (cap_t, cap_free, NULL)

#define CAP_BIT(cap) (G_GUINT64_CONSTANT (1) << (cap))

/* Docker's default set (moby oci/caps/defaults.go). */
static const cap_value_t default_caps[] = {
  CAP_CHOWN,
  CAP_DAC_OVERRIDE,
  CAP_FSETID,
  CAP_FOWNER,
  CAP_MKNOD,
  CAP_NET_RAW,
  CAP_SETGID,
  CAP_SETUID,
  CAP_SETFCAP,
  CAP_SETPCAP,
  CAP_NET_BIND_SERVICE,
  CAP_SYS_CHROOT,
  CAP_KILL,
  CAP_AUDIT_WRITE,
};

/* The capabilities of the running kernel, which may be fewer than libcap
 * has names for (cap_max_bits()). */
static guint64
all_caps_mask (void)
{
  cap_value_t max = cap_max_bits ();
  guint64 mask = 0;

  for (cap_value_t cap = 0; cap < max && cap < 64; cap++)
    mask |= CAP_BIT (cap);
  return mask;
}

/* Parse one name: "ALL" gives every capability. */
static gboolean
parse_cap_name (const char *name, guint64 *out_mask, GError **error)
{
  g_autofree char *lower = NULL;
  g_autofree char *with_prefix = NULL;
  cap_value_t value;

  if (name == NULL || *name == '\0')
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "capability name is empty; use a name such as CAP_NET_ADMIN or ALL");
      return FALSE;
    }

  if (g_ascii_strcasecmp (name, "ALL") == 0)
    {
      *out_mask = all_caps_mask ();
      return TRUE;
    }

  lower = g_ascii_strdown (name, -1);
  /* cap_from_name() also takes decimal numbers; capabilities are named here. */
  if (g_ascii_isdigit (lower[0]) || strchr (lower, ',') != NULL || strchr (lower, '=') != NULL)
    goto invalid;

  with_prefix = g_str_has_prefix (lower, "cap_") ? g_strdup (lower) : g_strconcat ("cap_", lower, NULL);
  if (cap_from_name (with_prefix, &value) != 0 || value < 0 || value >= 64)
    goto invalid;

  *out_mask = CAP_BIT (value);
  return TRUE;

invalid:
  g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
               "invalid capability \"%s\"; use a name from capabilities(7) such as "
               "CAP_NET_ADMIN, or ALL", name);
  return FALSE;
}

gboolean
gocker_caps_validate_names (const char *const *names, GError **error)
{
  for (gsize i = 0; names != NULL && names[i] != NULL; i++)
    {
      guint64 mask;

      if (!parse_cap_name (names[i], &mask, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
gocker_caps_compute (const char *const *cap_add, const char *const *cap_drop,
                     guint64 *out_keep, GError **error)
{
  guint64 keep = 0;
  guint64 add = 0;
  guint64 drop = 0;
  gboolean add_all = FALSE;
  gboolean drop_all = FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (default_caps); i++)
    keep |= CAP_BIT (default_caps[i]);

  for (gsize i = 0; cap_add != NULL && cap_add[i] != NULL; i++)
    {
      guint64 mask;

      if (!parse_cap_name (cap_add[i], &mask, error))
        return FALSE;
      if (g_ascii_strcasecmp (cap_add[i], "ALL") == 0)
        add_all = TRUE;
      else
        add |= mask;
    }

  for (gsize i = 0; cap_drop != NULL && cap_drop[i] != NULL; i++)
    {
      guint64 mask;

      if (!parse_cap_name (cap_drop[i], &mask, error))
        return FALSE;
      if (g_ascii_strcasecmp (cap_drop[i], "ALL") == 0)
        drop_all = TRUE;
      else
        drop |= mask;
    }

  /* ALL on either side sets the base, then named entries apply on top of
   * it, and a name in both lists is dropped. */
  if (add_all)
    keep = all_caps_mask ();
  if (drop_all)
    keep = 0;
  keep |= add;
  keep &= ~drop;

  *out_keep = keep & all_caps_mask ();
  return TRUE;
}

char *
gocker_caps_to_string (guint64 mask)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (cap_value_t cap = 0; cap < 64; cap++)
    {
      g_autofree char *name = NULL;

      if (!(mask & CAP_BIT (cap)))
        continue;

      name = cap_to_name (cap);
      if (text->len > 0)
        g_string_append_c (text, ',');
      if (name != NULL)
        {
          g_autofree char *upper = g_ascii_strup (name, -1);
          g_string_append (text, upper);
        }
      else
        g_string_append_printf (text, "%d", cap);
      /* cap_to_name() memory belongs to libcap's allocator. */
      cap_free (g_steal_pointer (&name));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

gboolean
gocker_caps_apply (guint64 keep, GError **error)
{
  g_auto(cap_t) current = NULL;
  g_auto(cap_t) wanted = NULL;
  cap_value_t max = cap_max_bits ();

  current = cap_get_proc ();
  if (current == NULL)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "reading the capabilities of the process: %s", g_strerror (errno));
      return FALSE;
    }

  /* The bounding set first: dropping from it needs CAP_SETPCAP in the
   * effective set, which the capset() below may remove. */
  for (cap_value_t cap = 0; cap < max; cap++)
    {
      if (cap < 64 && (keep & CAP_BIT (cap)))
        continue;
      if (cap_drop_bound (cap) != 0 && errno != EINVAL)
        {
          g_autofree char *name = cap_to_name (cap);
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "dropping %s from the bounding set: %s",
                       name != NULL ? name : "capability", g_strerror (saved_errno));
          return FALSE;
        }
    }

  if (CAP_AMBIENT_SUPPORTED () && cap_reset_ambient () != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "clearing the ambient capability set: %s", g_strerror (saved_errno));
      return FALSE;
    }

  /* Inheritable stays empty, as in current Docker releases, so a non-root
   * program gets no capability from file capabilities' inheritable bits. */
  wanted = cap_init ();
  for (cap_value_t cap = 0; cap < max && cap < 64; cap++)
    {
      cap_flag_value_t have = CAP_CLEAR;

      if (!(keep & CAP_BIT (cap)))
        continue;
      if (cap_get_flag (current, cap, CAP_PERMITTED, &have) != 0 || have != CAP_SET)
        continue;
      if (cap_set_flag (wanted, CAP_PERMITTED, 1, &cap, CAP_SET) != 0 ||
          cap_set_flag (wanted, CAP_EFFECTIVE, 1, &cap, CAP_SET) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "building the capability set: %s", g_strerror (saved_errno));
          return FALSE;
        }
    }

  if (cap_set_proc (wanted) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "setting the capabilities of the process: %s", g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}
