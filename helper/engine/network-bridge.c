/* The gocker0 bridge: the route overlap check, creating and addressing the
 * bridge, and the netlink plumbing the other network files share. */
#define G_LOG_DOMAIN "gocker-network"

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "network-private.h"

void
gocker_nl_set_error (GError **error, int nl_error, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
               "%s: %s", what, nl_geterror (nl_error));
}

struct nl_sock *
gocker_nl_route_socket (GError **error)
{
  g_autoptr(nl_sock) sock = nl_socket_alloc ();
  int err;

  if (sock == NULL)
    {
      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                   "allocating a netlink socket: out of memory");
      return NULL;
    }
  err = nl_connect (sock, NETLINK_ROUTE);
  if (err < 0)
    {
      gocker_nl_set_error (error, err, "connecting a NETLINK_ROUTE socket");
      return NULL;
    }
  return g_steal_pointer (&sock);
}

struct nl_sock *
gocker_nl_route_socket_for_pid (pid_t pid, GError **error)
{
  g_autofree char *target_path = g_strdup_printf ("/proc/%d/ns/net", (int) pid);
  g_autoptr(GError) local_error = NULL;
  struct nl_sock *sock;
  int target_fd;
  int self_fd;

  target_fd = open (target_path, O_RDONLY | O_CLOEXEC);
  if (target_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                   "opening %s: %s", target_path, g_strerror (saved_errno));
      return NULL;
    }
  /* thread-self: setns() moves only the calling thread. */
  self_fd = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                   "opening /proc/thread-self/ns/net: %s", g_strerror (saved_errno));
      close (target_fd);
      return NULL;
    }
  if (setns (target_fd, CLONE_NEWNET) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                   "entering the network namespace %s: %s", target_path, g_strerror (saved_errno));
      close (target_fd);
      close (self_fd);
      return NULL;
    }

  /* A netlink socket stays bound to the namespace it was created in. */
  sock = gocker_nl_route_socket (&local_error);

  /* Staying in the container's namespace would point every later host
   * operation of this thread at the container: that cannot be survived. */
  if (setns (self_fd, CLONE_NEWNET) < 0)
    g_error ("returning to the original network namespace: %s", g_strerror (errno));
  close (target_fd);
  close (self_fd);

  if (sock == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "in the network namespace of process %d: ", (int) pid);
      return NULL;
    }
  return sock;
}

gboolean
gocker_sysctl_write (const char *key, const char *value, GError **error)
{
  g_autofree char *path = g_build_filename ("/proc/sys", key, NULL);
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gsize len = strlen (value);

  if (fd < 0 || write (fd, value, len) != (ssize_t) len)
    {
      int saved_errno = errno;

      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                   "writing %s to %s: %s", value, path, g_strerror (saved_errno));
      if (fd >= 0)
        close (fd);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

char *
gocker_sysctl_read (const char *key, GError **error)
{
  g_autofree char *path = g_build_filename ("/proc/sys", key, NULL);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  return g_strstrip (g_steal_pointer (&contents));
}

/* Whether two IPv4 prefixes share an address. */
static gboolean
prefixes_overlap (guint32 a, guint a_len, guint32 b, guint b_len)
{
  guint shorter = MIN (a_len, b_len);
  guint32 mask = shorter == 0 ? 0 : 0xffffffffu << (32 - shorter);

  return (a & mask) == (b & mask);
}

static int
link_index (struct nl_sock *sock, const char *name)
{
  g_autoptr(rtnl_link) link = NULL;

  if (rtnl_link_get_kernel (sock, 0, name, &link) < 0)
    return 0;
  return rtnl_link_get_ifindex (link);
}

gboolean
gocker_bridge_check_routes (const GockerNetworkConfig *config, GError **error)
{
  g_autoptr(nl_sock) sock = NULL;
  g_autoptr(nl_cache) routes = NULL;
  struct nl_object *object;
  int bridge_index;
  int err;

  sock = gocker_nl_route_socket (error);
  if (sock == NULL)
    return FALSE;
  bridge_index = link_index (sock, config->bridge);

  /* Flags 0: every table, so a policy-routing table counts too. */
  err = rtnl_route_alloc_cache (sock, AF_INET, /* flags= */ 0, &routes);
  if (err < 0)
    {
      gocker_nl_set_error (error, err, "listing the host's IPv4 routes");
      return FALSE;
    }

  for (object = nl_cache_get_first (routes); object != NULL; object = nl_cache_get_next (object))
    {
      struct rtnl_route *route = (struct rtnl_route *) object;
      struct nl_addr *dst = rtnl_route_get_dst (route);
      struct rtnl_nexthop *nexthop;
      guint32 network;
      guint len;
      int oif = 0;

      if (dst == NULL || nl_addr_get_len (dst) != 4)
        continue;
      len = nl_addr_get_prefixlen (dst);
      /* A default route covers every address; it does not make the subnet
       * unreachable, the bridge's more specific route takes precedence. */
      if (len == 0)
        continue;
      nexthop = rtnl_route_nexthop_n (route, 0);
      if (nexthop != NULL)
        oif = rtnl_route_nh_get_ifindex (nexthop);
      if (bridge_index != 0 && oif == bridge_index)
        continue;
      network = ntohl (*(const guint32 *) nl_addr_get_binary_addr (dst));
      if (prefixes_overlap (network, len, config->subnet, config->prefix))
        {
          g_autofree char *subnet = gocker_network_config_subnet_string (config);
          g_autofree char *route_dst = gocker_ipv4_to_string (network);
          char ifname[IF_NAMESIZE] = "";

          if (oif != 0)
            if_indextoname (oif, ifname);
          g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_CONFLICT,
                       "the container subnet %s overlaps the host route %s/%u%s%s; "
                       "set another subnet with \"subnet=\" in the [network] group of %s",
                       subnet, route_dst, len, *ifname != '\0' ? " dev " : "", ifname,
                       config->source);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
link_set_up (struct nl_sock *sock, const char *name, GError **error)
{
  g_autoptr(rtnl_link) link = NULL;
  g_autoptr(rtnl_link) change = rtnl_link_alloc ();
  int err;

  err = rtnl_link_get_kernel (sock, 0, name, &link);
  if (err < 0)
    {
      gocker_nl_set_error (error, err, "looking up %s", name);
      return FALSE;
    }
  rtnl_link_set_flags (change, IFF_UP);
  err = rtnl_link_change (sock, link, change, 0);
  if (err < 0)
    {
      gocker_nl_set_error (error, err, "bringing %s up", name);
      return FALSE;
    }
  return TRUE;
}

gboolean
gocker_bridge_ensure (const GockerNetworkConfig *config, GError **error)
{
  g_autoptr(nl_sock) sock = NULL;
  g_autoptr(rtnl_link) bridge = NULL;
  g_autoptr(rtnl_addr) addr = NULL;
  g_autoptr(nl_addr) local = NULL;
  g_autofree char *key = NULL;
  guint32 gateway = htonl (gocker_network_config_gateway (config));
  gboolean created = FALSE;
  int index;
  int err;

  sock = gocker_nl_route_socket (error);
  if (sock == NULL)
    return FALSE;

  if (rtnl_link_get_kernel (sock, 0, config->bridge, &bridge) < 0)
    {
      g_autoptr(rtnl_link) request = NULL;

      if (!gocker_bridge_check_routes (config, error))
        return FALSE;
      request = rtnl_link_alloc ();
      rtnl_link_set_name (request, config->bridge);
      err = rtnl_link_set_type (request, "bridge");
      if (err >= 0)
        err = rtnl_link_add (sock, request, NLM_F_CREATE | NLM_F_EXCL);
      /* Another helper instance may have won the race; that is fine. */
      if (err < 0 && err != -NLE_EXIST)
        {
          gocker_nl_set_error (error, err, "creating the bridge %s", config->bridge);
          return FALSE;
        }
      created = err >= 0;
      err = rtnl_link_get_kernel (sock, 0, config->bridge, &bridge);
      if (err < 0)
        {
          gocker_nl_set_error (error, err, "looking up the bridge %s", config->bridge);
          return FALSE;
        }
      g_info ("created the bridge %s", config->bridge);
    }
  else if (g_strcmp0 (rtnl_link_get_type (bridge), "bridge") != 0)
    {
      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_CONFLICT,
                   "the interface %s exists and is not a bridge; delete it or set another "
                   "name with \"bridge=\" in the [network] group of %s",
                   config->bridge, config->source);
      return FALSE;
    }
  index = rtnl_link_get_ifindex (bridge);

  addr = rtnl_addr_alloc ();
  local = nl_addr_build (AF_INET, &gateway, sizeof gateway);
  nl_addr_set_prefixlen (local, (int) config->prefix);
  rtnl_addr_set_ifindex (addr, index);
  rtnl_addr_set_local (addr, local);
  err = rtnl_addr_add (sock, addr, 0);
  if (err < 0 && err != -NLE_EXIST)
    {
      g_autofree char *text = gocker_ipv4_to_string (gocker_network_config_gateway (config));

      gocker_nl_set_error (error, err, "adding %s/%u to %s", text, config->prefix, config->bridge);
      if (created)
        gocker_link_delete (config->bridge, NULL);
      return FALSE;
    }

  /* Lets a port mapping work for connections to 127.0.0.1 from the host:
   * the DNAT'ed packet keeps its loopback source on its way to gocker0. */
  key = g_strdup_printf ("net/ipv4/conf/%s/route_localnet", config->bridge);
  if (!gocker_sysctl_write (key, "1", error) ||
      !link_set_up (sock, config->bridge, error))
    {
      if (created)
        gocker_link_delete (config->bridge, NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
gocker_link_exists (const char *name)
{
  g_autoptr(nl_sock) sock = gocker_nl_route_socket (NULL);

  return sock != NULL && link_index (sock, name) != 0;
}

gboolean
gocker_link_delete (const char *name, GError **error)
{
  g_autoptr(nl_sock) sock = gocker_nl_route_socket (error);
  g_autoptr(rtnl_link) link = rtnl_link_alloc ();
  int err;

  if (sock == NULL)
    return FALSE;
  rtnl_link_set_name (link, name);
  err = rtnl_link_delete (sock, link);
  if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV)
    {
      gocker_nl_set_error (error, err, "deleting the interface %s", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_veth_host_name (const char *name)
{
  return name != NULL && strlen (name) == 14 && g_str_has_prefix (name, "gk") &&
         strspn (name + 2, "0123456789abcdef") == 12;
}

GPtrArray *
gocker_veth_list_host_ends (GError **error)
{
  g_autoptr(nl_sock) sock = gocker_nl_route_socket (error);
  g_autoptr(nl_cache) links = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  struct nl_object *object;
  int err;

  if (sock == NULL)
    return NULL;
  err = rtnl_link_alloc_cache (sock, AF_UNSPEC, &links);
  if (err < 0)
    {
      gocker_nl_set_error (error, err, "listing network interfaces");
      return NULL;
    }
  for (object = nl_cache_get_first (links); object != NULL; object = nl_cache_get_next (object))
    {
      const char *name = rtnl_link_get_name ((struct rtnl_link *) object);

      if (is_veth_host_name (name))
        g_ptr_array_add (names, g_strdup (name));
    }
  return g_steal_pointer (&names);
}
