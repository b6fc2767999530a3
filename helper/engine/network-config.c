/* The helper's network settings: the [network] group of
 * /etc/gocker/helper.conf, and the copy in force under STATE_DIR/network. */
#define G_LOG_DOMAIN "gocker-network"

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <net/if.h>
#include <string.h>

#include "network.h"

G_DEFINE_QUARK (gocker-network-error-quark, gocker_network_error)

GockerNetworkConfig *
gocker_network_config_new_default (void)
{
  GockerNetworkConfig *config = g_new0 (GockerNetworkConfig, 1);
  gboolean ok;

  config->bridge = g_strdup (GOCKER_NETWORK_DEFAULT_BRIDGE);
  ok = gocker_network_parse_subnet (GOCKER_NETWORK_DEFAULT_SUBNET, &config->subnet,
                                    &config->prefix, NULL);
  g_assert_true (ok);
  config->source = g_strdup ("the built-in defaults");
  return config;
}

void
gocker_network_config_free (GockerNetworkConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->bridge);
  g_free (config->source);
  g_free (config);
}

gboolean
gocker_ipv4_from_string (const char *text, guint32 *out)
{
  struct in_addr in;

  /* inet_pton accepts only the dotted-quad form, no octal or short forms. */
  if (text == NULL || inet_pton (AF_INET, text, &in) != 1)
    return FALSE;
  *out = ntohl (in.s_addr);
  return TRUE;
}

char *
gocker_ipv4_to_string (guint32 address)
{
  return g_strdup_printf ("%u.%u.%u.%u", (address >> 24) & 0xff, (address >> 16) & 0xff,
                          (address >> 8) & 0xff, address & 0xff);
}

gboolean
gocker_network_parse_subnet (const char *text,
                             guint32    *out_subnet,
                             guint      *out_prefix,
                             GError    **error)
{
  g_auto(GStrv) parts = NULL;
  guint64 prefix = 0;
  guint32 address;
  guint32 mask;

  if (text != NULL)
    parts = g_strsplit (text, "/", -1);
  if (parts == NULL || g_strv_length (parts) != 2 ||
      !gocker_ipv4_from_string (parts[0], &address) ||
      strspn (parts[1], "0123456789") != strlen (parts[1]) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, 32, &prefix, NULL))
    {
      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID,
                   "invalid subnet \"%s\": expected an IPv4 network such as 10.0.0.0/24",
                   text != NULL ? text : "");
      return FALSE;
    }
  /* /31 and /32 leave no address for a container besides the bridge's;
   * below /8 the allocation scan and the route check make little sense. */
  if (prefix < 8 || prefix > 30)
    {
      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID,
                   "invalid subnet \"%s\": the prefix length must be from 8 to 30", text);
      return FALSE;
    }
  mask = 0xffffffffu << (32 - prefix);
  if ((address & ~mask) != 0)
    {
      g_autofree char *network = gocker_ipv4_to_string (address & mask);

      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID,
                   "invalid subnet \"%s\": host bits are set; did you mean %s/%u?",
                   text, network, (guint) prefix);
      return FALSE;
    }
  *out_subnet = address;
  *out_prefix = (guint) prefix;
  return TRUE;
}

gboolean
gocker_network_validate_bridge_name (const char *name, GError **error)
{
  gsize len = name != NULL ? strlen (name) : 0;

  /* The kernel's own rules for an interface name, minus characters that
   * would need quoting in an nftables rule. */
  if (len == 0 || len >= IFNAMSIZ ||
      strspn (name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != len ||
      g_str_equal (name, ".") || g_str_equal (name, ".."))
    {
      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID,
                   "invalid bridge name \"%s\": use 1 to %d characters of a-z, A-Z, 0-9, _, - and .",
                   name != NULL ? name : "", IFNAMSIZ - 1);
      return FALSE;
    }
  if (g_str_has_prefix (name, "gk") && len == 14)
    {
      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID,
                   "invalid bridge name \"%s\": names of gk and 12 characters are used for container veths",
                   name);
      return FALSE;
    }
  return TRUE;
}

static GockerNetworkConfig *
config_from_key_file (GKeyFile *keyfile, const char *source, GError **error)
{
  g_autoptr(GockerNetworkConfig) config = gocker_network_config_new_default ();
  g_auto(GStrv) keys = NULL;

  g_free (config->source);
  config->source = g_strdup (source);

  if (!g_key_file_has_group (keyfile, "network"))
    return g_steal_pointer (&config);

  keys = g_key_file_get_keys (keyfile, "network", NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *value = g_key_file_get_string (keyfile, "network", keys[i], NULL);

      if (g_str_equal (keys[i], "subnet"))
        {
          if (!gocker_network_parse_subnet (value, &config->subnet, &config->prefix, error))
            {
              g_prefix_error (error, "%s, [network] subnet: ", source);
              return NULL;
            }
        }
      else if (g_str_equal (keys[i], "bridge"))
        {
          if (!gocker_network_validate_bridge_name (value, error))
            {
              g_prefix_error (error, "%s, [network] bridge: ", source);
              return NULL;
            }
          g_free (config->bridge);
          config->bridge = g_steal_pointer (&value);
        }
      else
        {
          g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID,
                       "%s: unknown key \"%s\" in [network]; the keys are subnet and bridge",
                       source, keys[i]);
          return NULL;
        }
    }
  return g_steal_pointer (&config);
}

GockerNetworkConfig *
gocker_network_config_load (const char *path, GError **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          GockerNetworkConfig *config = gocker_network_config_new_default ();

          g_free (config->source);
          config->source = g_strdup (path);
          return config;
        }
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "reading the helper configuration %s: ", path);
      return NULL;
    }
  return config_from_key_file (keyfile, path, error);
}

static char *
current_config_path (const char *state_dir)
{
  return g_build_filename (state_dir, "network", "network.conf", NULL);
}

gboolean
gocker_network_config_save (const GockerNetworkConfig *config,
                            const char                *state_dir,
                            GError                   **error)
{
  g_autofree char *dir = g_build_filename (state_dir, "network", NULL);
  g_autofree char *path = current_config_path (state_dir);
  g_autofree char *subnet = gocker_network_config_subnet_string (config);
  g_autofree char *contents = NULL;

  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                   "creating %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  contents = g_strdup_printf ("# The network settings in force, copied from %s.\n"
                              "[network]\nsubnet=%s\nbridge=%s\n",
                              config->source, subnet, config->bridge);
  return g_file_set_contents_full (path, contents, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

GockerNetworkConfig *
gocker_network_config_load_current (const char *state_dir, GError **error)
{
  g_autofree char *path = current_config_path (state_dir);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     "%s does not exist: the bridge network is not set up", path);
      else
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "reading %s: ", path);
      return NULL;
    }
  return config_from_key_file (keyfile, path, error);
}

guint32
gocker_network_config_gateway (const GockerNetworkConfig *config)
{
  return config->subnet + 1;
}

char *
gocker_network_config_subnet_string (const GockerNetworkConfig *config)
{
  g_autofree char *network = gocker_ipv4_to_string (config->subnet);

  return g_strdup_printf ("%s/%u", network, config->prefix);
}

char *
gocker_network_mac_for_address (guint32 address)
{
  return g_strdup_printf ("02:42:%02x:%02x:%02x:%02x", (address >> 24) & 0xff,
                          (address >> 16) & 0xff, (address >> 8) & 0xff, address & 0xff);
}
