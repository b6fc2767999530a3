/* Port mappings: Docker's -p syntax, [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp].
 *
 * Part of the gocker-spec library that the CLI and the desktop app link too,
 * so this file uses GLib and GIO only. Whether a host port is free is the
 * helper's business (network.c); here only the text is checked. */
#define G_LOG_DOMAIN "gocker-spec"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "spec.h"

GockerPortMapping *
gocker_port_mapping_new (const char *host_ip,
                         guint16     host_port,
                         guint16     container_port,
                         const char *protocol)
{
  GockerPortMapping *mapping = g_new0 (GockerPortMapping, 1);

  mapping->host_ip = g_strdup (host_ip);
  mapping->host_port = host_port;
  mapping->container_port = container_port;
  mapping->protocol = g_strdup (protocol != NULL ? protocol : "tcp");
  return mapping;
}

void
gocker_port_mapping_free (GockerPortMapping *mapping)
{
  if (mapping == NULL)
    return;
  g_free (mapping->host_ip);
  g_free (mapping->protocol);
  g_free (mapping);
}

/* A port number: decimal digits only (no sign, no spaces), 1 to 65535. */
static gboolean
parse_port (const char *text,
            const char *whole,
            const char *which,
            guint16    *out,
            GError    **error)
{
  guint64 value = 0;

  if (*text == '\0' || strspn (text, "0123456789") != strlen (text) ||
      !g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT16, &value, NULL))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid port mapping \"%s\": the %s port \"%s\" must be a number from 1 to 65535",
                   whole, which, text);
      return FALSE;
    }
  *out = (guint16) value;
  return TRUE;
}

gboolean
gocker_parse_port_mapping (const char         *text,
                           GockerPortMapping **out,
                           GError            **error)
{
  g_autofree char *body = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *host_ip = NULL;
  const char *protocol = "tcp";
  const char *host_port_text;
  const char *container_port_text;
  guint16 host_port;
  guint16 container_port;
  char *slash;
  guint n_parts;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (*text == '\0' || strlen (text) > 64)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid port mapping \"%s\": expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp], "
                   "such as 8080:80 or 127.0.0.1:5353:53/udp",
                   text);
      return FALSE;
    }

  body = g_strdup (text);
  slash = strchr (body, '/');
  if (slash != NULL)
    {
      *slash = '\0';
      protocol = slash + 1;
      if (g_strcmp0 (protocol, "tcp") != 0 && g_strcmp0 (protocol, "udp") != 0)
        {
          g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                       "invalid port mapping \"%s\": the protocol \"%s\" must be tcp or udp",
                       text, protocol);
          return FALSE;
        }
    }

  parts = g_strsplit (body, ":", -1);
  n_parts = g_strv_length (parts);
  if (n_parts == 2)
    {
      host_port_text = parts[0];
      container_port_text = parts[1];
    }
  else if (n_parts == 3)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (parts[0]);

      /* Only IPv4: the bridge network and its NAT rules are IPv4 only. */
      if (address == NULL || g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV4 ||
          strspn (parts[0], "0123456789.") != strlen (parts[0]))
        {
          g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                       "invalid port mapping \"%s\": the host address \"%s\" must be an IPv4 address "
                       "such as 127.0.0.1, or left out for every address",
                       text, parts[0]);
          return FALSE;
        }
      if (g_inet_address_get_is_multicast (address) ||
          strcmp (parts[0], "255.255.255.255") == 0)
        {
          g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                       "invalid port mapping \"%s\": the host address \"%s\" is a multicast or "
                       "broadcast address; use an address of this host",
                       text, parts[0]);
          return FALSE;
        }
      host_ip = g_inet_address_to_string (address);
      host_port_text = parts[1];
      container_port_text = parts[2];
    }
  else
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   "invalid port mapping \"%s\": expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp], "
                   "such as 8080:80 or 127.0.0.1:5353:53/udp",
                   text);
      return FALSE;
    }

  if (!parse_port (host_port_text, text, "host", &host_port, error) ||
      !parse_port (container_port_text, text, "container", &container_port, error))
    return FALSE;

  /* "0.0.0.0" and no address mean the same; store one form. */
  if (g_strcmp0 (host_ip, "0.0.0.0") == 0)
    g_clear_pointer (&host_ip, g_free);

  *out = gocker_port_mapping_new (host_ip, host_port, container_port, protocol);
  return TRUE;
}

char *
gocker_port_mapping_to_string (const GockerPortMapping *mapping)
{
  g_return_val_if_fail (mapping != NULL, NULL);

  if (mapping->host_ip != NULL && g_strcmp0 (mapping->host_ip, "0.0.0.0") != 0)
    return g_strdup_printf ("%s:%u:%u/%s", mapping->host_ip, mapping->host_port,
                            mapping->container_port, mapping->protocol);
  return g_strdup_printf ("%u:%u/%s", mapping->host_port, mapping->container_port,
                          mapping->protocol);
}
