/* Container networking: the gocker0 bridge, one veth pair per container,
 * address allocation, outbound NAT and port mappings (nftables), and the
 * per-container /etc/hosts, /etc/hostname and /etc/resolv.conf.
 *
 * Who calls what:
 *   the service (single main thread)
 *     gocker_network_prepare()    before launch: checks ports, allocates the
 *                                 address, sets the bridge and NAT up on first use
 *     gocker_network_sync()       after a container started or ended: rewrites
 *                                 the port rules from the running containers and
 *                                 tears everything down when no container has
 *                                 an address any more
 *     gocker_network_release()    on remove: frees the address and the files
 *     gocker_network_reconcile()  on start: removes veths, addresses, files and
 *                                 rules whose container is gone
 *   the supervisor, before it starts the container's first process
 *     gocker_network_write_container_files()
 *   container-init, inside the new mount namespace before pivot_root
 *     gocker_network_bind_etc_files()
 *   the supervisor, once the child has entered its network namespace
 *   (owned by the container's user namespace) and waits for its exec
 *     gocker_network_setup_links()
 *
 * Layout under STATE_DIR/network:
 *   network.conf        the settings in force ([network] subnet, bridge), written
 *                       when the bridge is set up; the supervisor reads them here
 *   forward             present when gocker turned net.ipv4.ip_forward on, so
 *                       teardown turns it off again
 *   lock                flock()ed while addresses are allocated or released
 *   addresses/A.B.C.D   one file per allocated address, holding the container id
 *   etc/<id>/           hosts, hostname and resolv.conf of one container
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "spec.h"
#include "state.h"

G_BEGIN_DECLS

#define GOCKER_NETWORK_ERROR (gocker_network_error_quark ())
GQuark gocker_network_error_quark (void);

typedef enum {
  GOCKER_NETWORK_ERROR_FAILED,     /* a kernel or file operation failed */
  GOCKER_NETWORK_ERROR_INVALID,    /* a setting or value is malformed */
  GOCKER_NETWORK_ERROR_CONFLICT,   /* a route or port is already in use */
  GOCKER_NETWORK_ERROR_POOL_FULL,  /* no free address is left */
} GockerNetworkError;

#define GOCKER_NETWORK_DEFAULT_CONFIG "/etc/gocker/helper.conf"
#define GOCKER_NETWORK_DEFAULT_SUBNET "10.0.0.0/24"
#define GOCKER_NETWORK_DEFAULT_BRIDGE "gocker0"
/* The nftables table that contains every gocker rule. Its name is the tag
 * by which the rules are found. */
#define GOCKER_NFT_TABLE "gocker"

/* ---- network-config.c ---- */

typedef struct {
  char *bridge;       /* interface name, "gocker0" by default */
  guint32 subnet;     /* network address, host byte order */
  guint prefix;       /* prefix length, 8 to 30 */
  char *source;       /* the file the settings came from, for messages */
} GockerNetworkConfig;

GockerNetworkConfig *gocker_network_config_new_default (void);
void gocker_network_config_free (GockerNetworkConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GockerNetworkConfig, gocker_network_config_free)

/* Read the [network] group of a key file (keys subnet and bridge). A missing
 * file gives the defaults; unknown keys in [network] are errors. */
GockerNetworkConfig *gocker_network_config_load (const char *path, GError **error);
/* Write the settings in force to STATE_DIR/network/network.conf. */
gboolean gocker_network_config_save (const GockerNetworkConfig *config, const char *state_dir, GError **error);
/* Read STATE_DIR/network/network.conf; NULL with G_IO_ERROR_NOT_FOUND if it
 * does not exist. */
GockerNetworkConfig *gocker_network_config_load_current (const char *state_dir, GError **error);

/* "A.B.C.D/N", network address aligned to the prefix, N from 8 to 30. */
gboolean gocker_network_parse_subnet (const char *text, guint32 *out_subnet, guint *out_prefix, GError **error);
gboolean gocker_network_validate_bridge_name (const char *name, GError **error);

char *gocker_ipv4_to_string (guint32 address);
gboolean gocker_ipv4_from_string (const char *text, guint32 *out);
/* The bridge (host) address: the first address of the subnet. */
guint32 gocker_network_config_gateway (const GockerNetworkConfig *config);
char *gocker_network_config_subnet_string (const GockerNetworkConfig *config);
/* A locally administered MAC derived from the address, 02:42:A:B:C:D,
 * so a reused address never meets a stale neighbour entry. */
char *gocker_network_mac_for_address (guint32 address);

/* ---- network-ipam.c ---- */

/* Give @id the lowest free address of the subnet (the gateway excluded), or
 * the one it already holds. */
gboolean gocker_ipam_allocate (const char *state_dir, const GockerNetworkConfig *config,
                               const char *id, char **out_address, GError **error);
/* Free every address held by @id. Not holding one is not an error. */
gboolean gocker_ipam_release (const char *state_dir, const char *id, GError **error);
/* address -> container id, for every allocated address. */
GHashTable *gocker_ipam_list (const char *state_dir, GError **error);
/* Free the addresses whose container is not in @known_ids (a set of ids).
 * Returns how many were freed. */
guint gocker_ipam_reclaim (const char *state_dir, GHashTable *known_ids, GError **error);

/* ---- network-bridge.c ---- */

/* Fails with GOCKER_NETWORK_ERROR_CONFLICT when a host route (other than a
 * default route or one on the bridge itself) overlaps the subnet. */
gboolean gocker_bridge_check_routes (const GockerNetworkConfig *config, GError **error);
/* Create the bridge with the gateway address if it is missing, and bring it up. */
gboolean gocker_bridge_ensure (const GockerNetworkConfig *config, GError **error);
gboolean gocker_link_exists (const char *name);
/* Delete a link by name; a missing link is not an error. */
gboolean gocker_link_delete (const char *name, GError **error);
/* Names of the links whose name is a gocker veth name (gk + 12 hex digits). */
GPtrArray *gocker_veth_list_host_ends (GError **error);

/* ---- network-veth.c ---- */

/* "gk" followed by the first 12 characters of the id. */
char *gocker_veth_host_name (const char *id);
/* Create the veth pair: the host end on the bridge and up, the other end
 * named eth0 in the network namespace of @pid, with @address/prefix, @mac,
 * a default route via the gateway, and lo up. On failure nothing is left. */
gboolean gocker_veth_setup (const GockerNetworkConfig *config, const char *id, pid_t pid,
                            const char *address, const char *mac, GError **error);
/* Bring lo up in the network namespace of @pid. */
gboolean gocker_netns_loopback_up (pid_t pid, GError **error);

/* ---- network-nat.c ---- */

/* One running container's mappings, for gocker_nat_apply(). */
typedef struct {
  const char *id;
  const char *address;
  GPtrArray *ports;        /* of GockerPortMapping*, borrowed */
} GockerNatTarget;

/* Replace the gocker table atomically: masquerade for the subnet and DNAT
 * for @targets (of GockerNatTarget*). Never duplicates a rule. */
gboolean gocker_nat_apply (const GockerNetworkConfig *config, GPtrArray *targets, GError **error);
/* Delete the gocker table; missing is not an error. */
gboolean gocker_nat_remove (GError **error);
gboolean gocker_nat_present (void);
/* Turn net.ipv4.ip_forward on, remembering in STATE_DIR/network/forward
 * that gocker did it. */
gboolean gocker_ip_forward_enable (const char *state_dir, GError **error);
/* Turn it off again if gocker turned it on. */
gboolean gocker_ip_forward_restore (const char *state_dir, GError **error);

/* ---- network-etc.c ---- */

/* STATE_DIR/network/etc/<id> */
char *gocker_network_etc_dir (const char *state_dir, const char *id);
/* Write hosts, hostname and resolv.conf for the container. */
gboolean gocker_network_write_etc_files (const char *state_dir, const GockerState *state,
                                         const char *host_resolv_conf, GError **error);
/* Build resolv.conf from the host's: nameservers on loopback (unreachable
 * from the bridge) and IPv6 ones (the bridge is IPv4 only) are dropped. */
char *gocker_network_filter_resolv_conf (const char *host_contents, gboolean keep_all);
/* In the container's mount namespace, with @root the new root (not yet
 * pivoted into): bind-mount the three files over ROOT/etc/...
 * Creates ROOT/etc and missing files; refuses symlinks. Returns a negative
 * errno and fills @what (a static string naming the step) on failure. */
int gocker_network_bind_etc_files (const char *state_dir, const char *id, const char *root,
                                   const char **what);

/* ---- network.c: the service's and the supervisor's entry points ---- */

/* Check the requested ports: each host port at most once per protocol and
 * address, not used by a running container in @states, and free on the host
 * (a bind() test). */
gboolean gocker_network_check_ports (const GockerSpec *spec, GPtrArray *states, GError **error);
/* For a bridge container: check ports, allocate the address (sets
 * state->ip_address and state->mac_address), set up the bridge, forwarding
 * and NAT on first use. Does nothing for "none" and "host". On failure,
 * nothing of this container is left. */
gboolean gocker_network_prepare (const char *state_dir, const GockerNetworkConfig *config,
                                 GockerState *state, GPtrArray *states, GError **error);
/* Rewrite the port rules from the running containers in @states, or remove
 * the rules, the bridge and forwarding when no container has an address. */
gboolean gocker_network_sync (const char *state_dir, GPtrArray *states, GError **error);
/* Free the container's address and files. */
gboolean gocker_network_release (const char *state_dir, const char *id, GError **error);
/* On helper start: delete veths, addresses and files whose container is gone
 * or not running, then gocker_network_sync(). */
gboolean gocker_network_reconcile (const char *state_dir, GPtrArray *states, GError **error);
/* The container's /etc/hosts, /etc/hostname and /etc/resolv.conf, from
 * the host's resolv.conf, for gocker_network_bind_etc_files(). */
gboolean gocker_network_write_container_files (const char *state_dir, const GockerState *state,
                                               GError **error);
/* In the supervisor, while the child waits in its new network namespace
 * (@pid names it in /proc): for the bridge, create the veth pair; for
 * "none", bring lo up. */
gboolean gocker_network_setup_links (const char *state_dir, const GockerState *state,
                                     pid_t pid, GError **error);
/* Both of the above, in that order. */
gboolean gocker_network_setup_container (const char *state_dir, const GockerState *state,
                                         pid_t pid, GError **error);

G_END_DECLS
