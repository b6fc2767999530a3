/* Outbound NAT and port mappings with nftables, and IP forwarding.
 *
 * Every rule lives in one table, "ip gocker": its name is the tag that finds
 * the rules, and deleting it removes them all. The table is always written
 * whole, in one transaction that first deletes the old one, so a rule can
 * never be there twice and a reader never sees half of an update.
 *
 * Why libnftables and not the nft tool: one netlink transaction from inside
 * the helper, no process to spawn per container, and the error text comes
 * back in a buffer. The package dependency is libnftables1 (and the kernel's
 * nf_tables modules); iptables is not needed. */
#define G_LOG_DOMAIN "gocker-network"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <nftables/libnftables.h>

#include "network-private.h"

static void
nft_ctx_cleanup (struct nft_ctx *ctx)
{
  if (ctx != NULL)
    nft_ctx_free (ctx);
}
typedef struct nft_ctx nft_ctx;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (nft_ctx, nft_ctx_cleanup)

/* Run an nft script; on failure @error contains nft's own message. */
static gboolean
nft_run (const char *script, const char *what, GError **error)
{
  g_autoptr(nft_ctx) ctx = nft_ctx_new (NFT_CTX_DEFAULT);
  const char *message;

  if (ctx == NULL)
    {
      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                   "%s: cannot create an nftables context", what);
      return FALSE;
    }
  nft_ctx_buffer_output (ctx);
  nft_ctx_buffer_error (ctx);
  if (nft_run_cmd_from_buffer (ctx, script) == 0)
    return TRUE;
  message = nft_ctx_get_error_buffer (ctx);
  g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
               "%s: nftables: %s", what,
               message != NULL && *message != '\0' ? g_strchomp ((char *) message) : "failed");
  return FALSE;
}

static void
append_mapping (GString *script, const char *id, const char *address,
                const GockerPortMapping *mapping)
{
  g_string_append (script, "\t\t");
  if (mapping->host_ip != NULL)
    g_string_append_printf (script, "ip daddr %s ", mapping->host_ip);
  g_string_append_printf (script, "%s dport %u dnat to %s:%u comment \"gocker %.12s\"\n",
                          mapping->protocol, mapping->host_port, address,
                          mapping->container_port, id);
}

gboolean
gocker_nat_apply (const GockerNetworkConfig *config, GPtrArray *targets, GError **error)
{
  g_autoptr(GString) script = g_string_new (NULL);
  g_autofree char *subnet = gocker_network_config_subnet_string (config);

  /* "add" then "delete" makes the delete succeed whether or not the table
   * existed; the three commands are one transaction. */
  g_string_append (script,
                   "add table ip " GOCKER_NFT_TABLE "\n"
                   "delete table ip " GOCKER_NFT_TABLE "\n"
                   "table ip " GOCKER_NFT_TABLE " {\n");

  /* Port mappings apply to packets addressed to this host, whether they
   * arrive from outside (prerouting) or are sent by the host (output). */
  g_string_append (script,
                   "\tchain ports {\n");
  for (guint i = 0; targets != NULL && i < targets->len; i++)
    {
      const GockerNatTarget *target = g_ptr_array_index (targets, i);

      for (guint j = 0; target->ports != NULL && j < target->ports->len; j++)
        append_mapping (script, target->id, target->address, g_ptr_array_index (target->ports, j));
    }
  g_string_append (script, "\t}\n");
  g_string_append (script,
                   "\tchain prerouting {\n"
                   "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
                   "\t\tfib daddr type local jump ports\n"
                   "\t}\n"
                   "\tchain output {\n"
                   "\t\ttype nat hook output priority -100; policy accept;\n"
                   "\t\tfib daddr type local jump ports\n"
                   "\t}\n");
  g_string_append_printf (script,
                          "\tchain postrouting {\n"
                          "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
                          "\t\tip saddr %s oifname != \"%s\" masquerade comment \"gocker outbound\"\n"
                          "\t\tip saddr 127.0.0.0/8 oifname \"%s\" masquerade comment \"gocker localhost ports\"\n"
                          "\t}\n"
                          "}\n",
                          subnet, config->bridge, config->bridge);

  g_debug ("writing the gocker nftables table: %u containers with port mappings",
           targets != NULL ? targets->len : 0);
  return nft_run (script->str, "writing the gocker nftables table", error);
}

gboolean
gocker_nat_remove (GError **error)
{
  return nft_run ("add table ip " GOCKER_NFT_TABLE "\n"
                  "delete table ip " GOCKER_NFT_TABLE "\n",
                  "deleting the gocker nftables table", error);
}

gboolean
gocker_nat_present (void)
{
  return nft_run ("list table ip " GOCKER_NFT_TABLE "\n", "listing", NULL);
}

static char *
forward_marker (const char *state_dir)
{
  return g_build_filename (state_dir, "network", "forward", NULL);
}

gboolean
gocker_ip_forward_enable (const char *state_dir, GError **error)
{
  g_autofree char *marker = forward_marker (state_dir);
  g_autofree char *dir = g_path_get_dirname (marker);
  g_autofree char *current = gocker_sysctl_read ("net/ipv4/ip_forward", error);

  if (current == NULL)
    return FALSE;
  if (!g_str_equal (current, "0"))
    return TRUE;
  /* Remember first, so a crash right after the write still lets a later
   * teardown restore the old value. */
  if (g_mkdir_with_parents (dir, 0700) < 0 ||
      !g_file_set_contents (marker, "gocker turned net.ipv4.ip_forward on\n", -1, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                     "creating %s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  if (!gocker_sysctl_write ("net/ipv4/ip_forward", "1", error))
    {
      g_unlink (marker);
      return FALSE;
    }
  g_info ("turned net.ipv4.ip_forward on");
  return TRUE;
}

gboolean
gocker_ip_forward_restore (const char *state_dir, GError **error)
{
  g_autofree char *marker = forward_marker (state_dir);

  if (!g_file_test (marker, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!gocker_sysctl_write ("net/ipv4/ip_forward", "0", error))
    return FALSE;
  g_unlink (marker);
  g_info ("turned net.ipv4.ip_forward off again");
  return TRUE;
}
