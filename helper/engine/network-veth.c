/* One veth pair per container: the host end "gk<id prefix>" on the bridge,
 * the other end created directly inside the container's network namespace
 * as eth0, then addressed and routed through a netlink socket opened in
 * that namespace. */
#define G_LOG_DOMAIN "gocker-network"

#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>

#include <netlink/route/link/veth.h>

#include "network-private.h"

char *
gocker_veth_host_name (const char *id)
{
  /* 14 characters: within IFNAMSIZ, and 48 bits of the id are plenty to
   * keep the containers of one host apart. */
  return g_strdup_printf ("gk%.12s", id);
}

static gboolean
link_up_by_name (struct nl_sock *sock, const char *name, int *out_index, GError **error)
{
  g_autoptr(rtnl_link) link = NULL;
  g_autoptr(rtnl_link) change = rtnl_link_alloc ();
  int err;

  err = rtnl_link_get_kernel (sock, 0, name, &link);
  if (err < 0)
    {
      gocker_nl_set_error (error, err, "looking up %s in the container", name);
      return FALSE;
    }
  rtnl_link_set_flags (change, IFF_UP);
  err = rtnl_link_change (sock, link, change, 0);
  if (err < 0)
    {
      gocker_nl_set_error (error, err, "bringing %s up in the container", name);
      return FALSE;
    }
  if (out_index != NULL)
    *out_index = rtnl_link_get_ifindex (link);
  return TRUE;
}

gboolean
gocker_netns_loopback_up (pid_t pid, GError **error)
{
  g_autoptr(nl_sock) sock = gocker_nl_route_socket_for_pid (pid, error);

  return sock != NULL && link_up_by_name (sock, "lo", NULL, error);
}

static gboolean
configure_inside (struct nl_sock *sock,
                  const GockerNetworkConfig *config,
                  guint32 address,
                  GError **error)
{
  g_autoptr(rtnl_addr) addr = rtnl_addr_alloc ();
  g_autoptr(nl_addr) local = NULL;
  g_autoptr(nl_addr) any = NULL;
  g_autoptr(nl_addr) gateway = NULL;
  g_autoptr(rtnl_route) route = rtnl_route_alloc ();
  struct rtnl_nexthop *nexthop;
  guint32 be_address = htonl (address);
  guint32 be_gateway = htonl (gocker_network_config_gateway (config));
  guint32 zero = 0;
  int index = 0;
  int err;

  if (!link_up_by_name (sock, "lo", NULL, error) ||
      !link_up_by_name (sock, "eth0", &index, error))
    return FALSE;

  local = nl_addr_build (AF_INET, &be_address, sizeof be_address);
  nl_addr_set_prefixlen (local, (int) config->prefix);
  rtnl_addr_set_ifindex (addr, index);
  rtnl_addr_set_local (addr, local);
  err = rtnl_addr_add (sock, addr, 0);
  if (err < 0)
    {
      g_autofree char *text = gocker_ipv4_to_string (address);

      gocker_nl_set_error (error, err, "adding %s/%u to eth0 in the container", text, config->prefix);
      return FALSE;
    }

  any = nl_addr_build (AF_INET, &zero, sizeof zero);
  nl_addr_set_prefixlen (any, 0);
  gateway = nl_addr_build (AF_INET, &be_gateway, sizeof be_gateway);
  nexthop = rtnl_route_nh_alloc ();
  rtnl_route_nh_set_gateway (nexthop, gateway);
  rtnl_route_nh_set_ifindex (nexthop, index);
  rtnl_route_set_family (route, AF_INET);
  rtnl_route_set_table (route, RT_TABLE_MAIN);
  rtnl_route_set_scope (route, RT_SCOPE_UNIVERSE);
  rtnl_route_set_protocol (route, RTPROT_BOOT);
  rtnl_route_set_type (route, RTN_UNICAST);
  rtnl_route_set_dst (route, any);
  /* The route takes ownership of the nexthop. */
  rtnl_route_add_nexthop (route, nexthop);
  err = rtnl_route_add (sock, route, NLM_F_CREATE | NLM_F_EXCL);
  if (err < 0)
    {
      g_autofree char *text = gocker_ipv4_to_string (gocker_network_config_gateway (config));

      gocker_nl_set_error (error, err, "adding the default route via %s in the container", text);
      return FALSE;
    }
  return TRUE;
}

gboolean
gocker_veth_setup (const GockerNetworkConfig *config,
                   const char                *id,
                   pid_t                      pid,
                   const char                *address,
                   const char                *mac,
                   GError                   **error)
{
  g_autofree char *host_name = gocker_veth_host_name (id);
  g_autoptr(nl_sock) sock = NULL;
  g_autoptr(nl_sock) inside = NULL;
  g_autoptr(rtnl_link) bridge = NULL;
  g_autoptr(rtnl_link) veth = NULL;
  g_autoptr(rtnl_link) peer = NULL;
  g_autoptr(nl_addr) lladdr = NULL;
  guint32 container_address;
  int err;

  if (!gocker_ipv4_from_string (address, &container_address))
    {
      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID,
                   "invalid container address \"%s\"", address);
      return FALSE;
    }
  err = nl_addr_parse (mac, AF_LLC, &lladdr);
  if (err < 0)
    {
      gocker_nl_set_error (error, err, "invalid MAC address \"%s\"", mac);
      return FALSE;
    }

  sock = gocker_nl_route_socket (error);
  if (sock == NULL)
    return FALSE;
  err = rtnl_link_get_kernel (sock, 0, config->bridge, &bridge);
  if (err < 0)
    {
      gocker_nl_set_error (error, err, "looking up the bridge %s", config->bridge);
      return FALSE;
    }

  /* One request creates both ends: the host end already enslaved and up,
   * the peer born in the container's namespace under its final name, so
   * no half-configured interface is ever visible on the host. */
  veth = rtnl_link_veth_alloc ();
  if (veth == NULL)
    {
      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                   "allocating a veth link: out of memory");
      return FALSE;
    }
  rtnl_link_set_name (veth, host_name);
  rtnl_link_set_master (veth, rtnl_link_get_ifindex (bridge));
  rtnl_link_set_flags (veth, IFF_UP);
  peer = rtnl_link_veth_get_peer (veth);
  rtnl_link_set_name (peer, "eth0");
  rtnl_link_set_addr (peer, lladdr);
  rtnl_link_set_ns_pid (peer, pid);
  err = rtnl_link_add (sock, veth, NLM_F_CREATE | NLM_F_EXCL);
  if (err < 0)
    {
      gocker_nl_set_error (error, err, "creating the veth pair %s (eth0 in process %d)",
                           host_name, (int) pid);
      return FALSE;
    }

  inside = gocker_nl_route_socket_for_pid (pid, error);
  if (inside == NULL || !configure_inside (inside, config, container_address, error))
    {
      /* Deleting one end deletes the pair. */
      gocker_link_delete (host_name, NULL);
      return FALSE;
    }
  g_debug ("veth %s on %s, eth0 %s/%u in process %d", host_name, config->bridge, address,
           config->prefix, (int) pid);
  return TRUE;
}
