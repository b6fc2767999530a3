/* The container's side of networking, run by the supervisor: its /etc
 * files, and lo or the veth into its network namespace. Apart from
 * network.c so the supervisor does not link the NAT code (libnftables). */
#define G_LOG_DOMAIN "gocker-network"

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "network.h"
#include "network-private.h"

static const char *
container_network (const GockerSpec *spec)
{
  return spec->network != NULL ? spec->network : "bridge";
}

gboolean
gocker_network_write_container_files (const char *state_dir, const GockerState *state, GError **error)
{
  g_autofree char *resolv_conf = NULL;

  /* A host without /etc/resolv.conf gives a container without nameservers. */
  g_file_get_contents ("/etc/resolv.conf", &resolv_conf, NULL, NULL);
  return gocker_network_write_etc_files (state_dir, state, resolv_conf, error);
}

gboolean
gocker_network_setup_links (const char *state_dir, const GockerState *state, pid_t pid,
                            GError **error)
{
  const char *network = container_network (state->spec);

  if (g_str_equal (network, "host"))
    return TRUE;
  if (g_str_equal (network, "none"))
    return gocker_netns_loopback_up (pid, error);

  {
    g_autoptr(GockerNetworkConfig) config = gocker_network_config_load_current (state_dir, error);

    if (config == NULL)
      return FALSE;
    if (state->ip_address == NULL || state->mac_address == NULL)
      {
        g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID,
                     "container %s has no address allocated for the bridge network", state->id);
        return FALSE;
      }
    return gocker_veth_setup (config, state->id, pid, state->ip_address, state->mac_address, error);
  }
}

gboolean
gocker_network_setup_container (const char        *state_dir,
                                const GockerState *state,
                                pid_t              pid,
                                GError           **error)
{
  return gocker_network_write_container_files (state_dir, state, error) &&
         gocker_network_setup_links (state_dir, state, pid, error);
}
