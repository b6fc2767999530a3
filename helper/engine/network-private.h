/* Helpers shared by the network-*.c files: cleanup functions for libnl
 * objects and a connected route socket. */
#pragma once

#include <glib.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "network.h"

/* Plain names for the libnl structs, so g_autoptr() can name them. */
typedef struct nl_sock nl_sock;
typedef struct rtnl_link rtnl_link;
typedef struct rtnl_addr rtnl_addr;
typedef struct rtnl_route rtnl_route;
typedef struct nl_addr nl_addr;
typedef struct nl_cache nl_cache;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (nl_sock, nl_socket_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (rtnl_link, rtnl_link_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (rtnl_addr, rtnl_addr_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (rtnl_route, rtnl_route_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (nl_addr, nl_addr_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (nl_cache, nl_cache_free)

/* A NETLINK_ROUTE socket connected in the caller's network namespace. */
struct nl_sock *gocker_nl_route_socket (GError **error);

/* A NETLINK_ROUTE socket connected in the network namespace of @pid. The
 * calling thread enters that namespace only for the socket() call. */
struct nl_sock *gocker_nl_route_socket_for_pid (pid_t pid, GError **error);

/* Set @error from a negative libnl error code: "WHAT: message". */
void gocker_nl_set_error (GError **error, int nl_error, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* Write @value to /proc/sys/@key (dots are not translated). */
gboolean gocker_sysctl_write (const char *key, const char *value, GError **error);
char *gocker_sysctl_read (const char *key, GError **error);
