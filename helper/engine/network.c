/* The network steps of a container's life, as the service and the
 * supervisor call them. See network.h for who calls what. */
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

static const char *
spec_network (const GockerSpec *spec)
{
  return spec->network != NULL ? spec->network : "bridge";
}

/* A container whose network namespace may be alive. */
static gboolean
state_is_live (const GockerState *state)
{
  return state->status == GOCKER_STATUS_RUNNING || state->status == GOCKER_STATUS_CREATED;
}

static gboolean
mappings_collide (const GockerPortMapping *a, const GockerPortMapping *b)
{
  return a->host_port == b->host_port && g_strcmp0 (a->protocol, b->protocol) == 0 &&
         (a->host_ip == NULL || b->host_ip == NULL || g_str_equal (a->host_ip, b->host_ip));
}

/* Try to bind the host port. A process bound to it would silently lose its
 * traffic to the container, because DNAT happens before the socket lookup. */
static gboolean
host_port_free (const GockerPortMapping *mapping, GError **error)
{
  g_autofree char *text = gocker_port_mapping_to_string (mapping);
  gboolean udp = g_strcmp0 (mapping->protocol, "udp") == 0;
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (mapping->host_port) };
  int one = 1;
  int fd;

  if (mapping->host_ip != NULL && inet_pton (AF_INET, mapping->host_ip, &sin.sin_addr) != 1)
    {
      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID,
                   "invalid port mapping \"%s\": bad host address", text);
      return FALSE;
    }
  fd = socket (AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                   "checking port mapping \"%s\": socket: %s", text, g_strerror (saved_errno));
      return FALSE;
    }
  /* Connections of a closed server in TIME_WAIT do not make a port busy. */
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (struct sockaddr *) &sin, sizeof sin) < 0)
    {
      int saved_errno = errno;

      close (fd);
      if (saved_errno == EADDRINUSE)
        g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_CONFLICT,
                     "port mapping \"%s\": host port %u/%s is already in use by a process on the host; "
                     "choose another host port",
                     text, mapping->host_port, mapping->protocol);
      else if (saved_errno == EADDRNOTAVAIL)
        g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID,
                     "port mapping \"%s\": %s is not an address of this host; "
                     "use one of its addresses or leave it out",
                     text, mapping->host_ip);
      else
        g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                     "checking port mapping \"%s\": bind: %s", text, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

gboolean
gocker_network_check_ports (const GockerSpec *spec, GPtrArray *states, GError **error)
{
  GPtrArray *ports = spec->ports;

  if (ports == NULL || ports->len == 0)
    return TRUE;
  if (!g_str_equal (spec_network (spec), "bridge"))
    {
      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID,
                   "port mappings need the bridge network, not --network %s; "
                   "leave out -p or --network",
                   spec_network (spec));
      return FALSE;
    }

  for (guint i = 0; i < ports->len; i++)
    {
      const GockerPortMapping *mapping = g_ptr_array_index (ports, i);
      g_autofree char *text = gocker_port_mapping_to_string (mapping);

      for (guint j = 0; j < i; j++)
        if (mappings_collide (mapping, g_ptr_array_index (ports, j)))
          {
            g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID,
                         "duplicate host port in \"%s\": host port %u/%s is mapped twice",
                         text, mapping->host_port, mapping->protocol);
            return FALSE;
          }

      for (guint s = 0; states != NULL && s < states->len; s++)
        {
          const GockerState *other = g_ptr_array_index (states, s);

          if (other->spec == spec || !state_is_live (other) || other->spec->ports == NULL)
            continue;
          for (guint k = 0; k < other->spec->ports->len; k++)
            if (mappings_collide (mapping, g_ptr_array_index (other->spec->ports, k)))
              {
                g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_CONFLICT,
                             "port mapping \"%s\": host port %u/%s is already mapped by the "
                             "running container %s; stop it or choose another host port",
                             text, mapping->host_port, mapping->protocol, other->spec->name);
                return FALSE;
              }
        }

      if (!host_port_free (mapping, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
same_settings (const GockerNetworkConfig *a, const GockerNetworkConfig *b)
{
  return a->subnet == b->subnet && a->prefix == b->prefix && g_str_equal (a->bridge, b->bridge);
}

/* Remove the bridge, the rules and forwarding, and forget the settings. */
static gboolean
teardown (const char *state_dir, const GockerNetworkConfig *current, GError **error)
{
  g_autofree char *path = g_build_filename (state_dir, "network", "network.conf", NULL);

  if (!gocker_nat_remove (error) ||
      !gocker_link_delete (current->bridge, error) ||
      !gocker_ip_forward_restore (state_dir, error))
    return FALSE;
  if (g_unlink (path) < 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_FAILED,
                   "removing %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  g_info ("removed the bridge %s and the gocker nftables table: no container holds an address",
          current->bridge);
  return TRUE;
}

static gboolean
addresses_held (const char *state_dir, gboolean *out_held, GError **error)
{
  g_autoptr(GHashTable) table = gocker_ipam_list (state_dir, error);

  if (table == NULL)
    return FALSE;
  *out_held = g_hash_table_size (table) > 0;
  return TRUE;
}

/* Bridge, forwarding, base NAT rules and network.conf, on first use. */
static gboolean
ensure_shared (const char *state_dir, const GockerNetworkConfig *config, GError **error)
{
  g_autoptr(GockerNetworkConfig) current = gocker_network_config_load_current (state_dir, NULL);

  if (current != NULL && !same_settings (current, config))
    {
      g_autofree char *old_subnet = gocker_network_config_subnet_string (current);
      g_autofree char *new_subnet = gocker_network_config_subnet_string (config);
      gboolean held = TRUE;

      if (!addresses_held (state_dir, &held, error))
        return FALSE;
      if (held)
        {
          g_set_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_CONFLICT,
                       "the bridge network is in use with subnet %s on %s, but %s asks for %s on %s; "
                       "remove every container (gocker rm) to switch",
                       old_subnet, current->bridge, config->source, new_subnet, config->bridge);
          return FALSE;
        }
      if (!teardown (state_dir, current, error))
        return FALSE;
      g_clear_pointer (&current, gocker_network_config_free);
    }

  if (current != NULL && gocker_link_exists (config->bridge) && gocker_nat_present ())
    return TRUE;

  return gocker_bridge_ensure (config, error) &&
         gocker_ip_forward_enable (state_dir, error) &&
         gocker_network_config_save (config, state_dir, error) &&
         (gocker_nat_present () || gocker_nat_apply (config, /* targets= */ NULL, error));
}

gboolean
gocker_network_prepare (const char                *state_dir,
                        const GockerNetworkConfig *config,
                        GockerState               *state,
                        GPtrArray                 *states,
                        GError                   **error)
{
  g_autofree char *address = NULL;
  guint32 value;

  if (!gocker_network_check_ports (state->spec, states, error))
    return FALSE;
  if (!g_str_equal (spec_network (state->spec), "bridge"))
    return TRUE;

  if (!gocker_ipam_allocate (state_dir, config, state->id, &address, error))
    return FALSE;
  if (!ensure_shared (state_dir, config, error))
    {
      g_autoptr(GError) cleanup_error = NULL;

      gocker_ipam_release (state_dir, state->id, NULL);
      /* Leave no bridge or rule behind for a container that never ran. */
      if (!gocker_network_sync (state_dir, states, &cleanup_error))
        g_warning ("cleaning up after a failed network setup: %s", cleanup_error->message);
      return FALSE;
    }

  gocker_ipv4_from_string (address, &value);
  g_free (state->ip_address);
  g_free (state->mac_address);
  state->mac_address = gocker_network_mac_for_address (value);
  state->ip_address = g_steal_pointer (&address);
  g_info ("container %s gets %s on %s", state->spec->name, state->ip_address, config->bridge);
  return TRUE;
}

gboolean
gocker_network_sync (const char *state_dir, GPtrArray *states, GError **error)
{
  g_autoptr(GockerNetworkConfig) current = NULL;
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  gboolean held = FALSE;

  current = gocker_network_config_load_current (state_dir, &local_error);
  if (current == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!addresses_held (state_dir, &held, error))
    return FALSE;
  if (!held)
    return teardown (state_dir, current, error);

  for (guint i = 0; states != NULL && i < states->len; i++)
    {
      const GockerState *state = g_ptr_array_index (states, i);
      GockerNatTarget *target;

      if (!state_is_live (state) || state->ip_address == NULL ||
          state->spec->ports == NULL || state->spec->ports->len == 0)
        continue;
      target = g_new0 (GockerNatTarget, 1);
      target->id = state->id;
      target->address = state->ip_address;
      target->ports = state->spec->ports;
      g_ptr_array_add (targets, target);
    }
  return gocker_nat_apply (current, targets, error);
}

static void
remove_etc_dir (const char *state_dir, const char *id)
{
  g_autofree char *dir = gocker_network_etc_dir (state_dir, id);
  static const char *const names[] = { "hosts", "hostname", "resolv.conf" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_unlink (path);
    }
  if (g_rmdir (dir) < 0 && errno != ENOENT)
    g_warning ("removing %s: %s", dir, g_strerror (errno));
}

gboolean
gocker_network_release (const char *state_dir, const char *id, GError **error)
{
  remove_etc_dir (state_dir, id);
  return gocker_ipam_release (state_dir, id, error);
}

gboolean
gocker_network_reconcile (const char *state_dir, GPtrArray *states, GError **error)
{
  g_autoptr(GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) live_veths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) veths = NULL;
  g_autofree char *etc_root = g_build_filename (state_dir, "network", "etc", NULL);
  g_autoptr(GDir) dir = NULL;
  guint reclaimed;
  const char *name;

  for (guint i = 0; states != NULL && i < states->len; i++)
    {
      const GockerState *state = g_ptr_array_index (states, i);

      g_hash_table_add (known, state->id);
      if (state_is_live (state))
        g_hash_table_add (live_veths, gocker_veth_host_name (state->id));
    }

  /* A veth normally goes with its container's namespace. One whose
   * container is not running is a leftover: its namespace was kept alive by
   * another process, or its setup was interrupted. */
  veths = gocker_veth_list_host_ends (error);
  if (veths == NULL)
    return FALSE;
  for (guint i = 0; i < veths->len; i++)
    {
      const char *veth = g_ptr_array_index (veths, i);
      g_autoptr(GError) local_error = NULL;

      if (g_hash_table_contains (live_veths, veth))
        continue;
      if (gocker_link_delete (veth, &local_error))
        g_info ("deleted the veth %s: its container is not running", veth);
      else
        g_warning ("%s", local_error->message);
    }

  {
    g_autoptr(GError) local_error = NULL;

    reclaimed = gocker_ipam_reclaim (state_dir, known, &local_error);
    if (local_error != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&local_error));
        return FALSE;
      }
  }
  if (reclaimed > 0)
    g_info ("freed %u addresses whose container is gone", reclaimed);

  dir = g_dir_open (etc_root, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (!g_hash_table_contains (known, name))
      remove_etc_dir (state_dir, name);

  return gocker_network_sync (state_dir, states, error);
}
