/* Unit tests of the -p parser (ports.c). No privileges needed. */
#define G_LOG_DOMAIN "gocker-test"

#include <glib.h>
#include <string.h>

#include "spec.h"

static void
test_valid (void)
{
  static const struct {
    const char *text;
    const char *host_ip;
    guint host_port;
    guint container_port;
    const char *protocol;
    const char *formatted;
  } cases[] = {
    { "8080:80", NULL, 8080, 80, "tcp", "8080:80/tcp" },
    { "8080:80/tcp", NULL, 8080, 80, "tcp", "8080:80/tcp" },
    { "5353:53/udp", NULL, 5353, 53, "udp", "5353:53/udp" },
    { "127.0.0.1:8080:80", "127.0.0.1", 8080, 80, "tcp", "127.0.0.1:8080:80/tcp" },
    { "0.0.0.0:1:65535/udp", NULL, 1, 65535, "udp", "1:65535/udp" },
    { "65535:1", NULL, 65535, 1, "tcp", "65535:1/tcp" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GockerPortMapping) mapping = NULL;
      g_autoptr(GockerPortMapping) again = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      gboolean ok;

      ok = gocker_parse_port_mapping (cases[i].text, &mapping, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpstr (mapping->host_ip, ==, cases[i].host_ip);
      g_assert_cmpuint (mapping->host_port, ==, cases[i].host_port);
      g_assert_cmpuint (mapping->container_port, ==, cases[i].container_port);
      g_assert_cmpstr (mapping->protocol, ==, cases[i].protocol);

      text = gocker_port_mapping_to_string (mapping);
      g_assert_cmpstr (text, ==, cases[i].formatted);
      /* What to_string writes, the parser reads back the same. */
      ok = gocker_parse_port_mapping (text, &again, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpuint (again->host_port, ==, mapping->host_port);
      g_assert_cmpstr (again->host_ip, ==, mapping->host_ip);
    }
}

static void
test_invalid (void)
{
  /* Each bad value, and a piece of text the error must contain. */
  static const struct {
    const char *text;
    const char *needle;
  } cases[] = {
    { "", "expected [HOST_IP:]HOST_PORT:CONTAINER_PORT" },
    { "80", "expected [HOST_IP:]HOST_PORT:CONTAINER_PORT" },
    { "1:2:3:4", "\"1:2:3:4\"" },
    { "0:80", "the host port \"0\" must be a number from 1 to 65535" },
    { "65536:80", "the host port \"65536\"" },
    { "8080:0", "the container port \"0\"" },
    { "8080:99999", "the container port \"99999\"" },
    { "-1:80", "the host port \"-1\"" },
    { "+80:80", "the host port \"+80\"" },
    { " 80:80", "the host port \" 80\"" },
    { "abc:80", "the host port \"abc\"" },
    { ":80", "the host port \"\"" },
    { "8080:80/sctp", "the protocol \"sctp\" must be tcp or udp" },
    { "8080:80/", "the protocol \"\"" },
    { "8080:80/tcp/udp", "the protocol \"tcp/udp\"" },
    { "localhost:8080:80", "the host address \"localhost\" must be an IPv4 address" },
    { "::1:8080:80", "expected [HOST_IP:]HOST_PORT:CONTAINER_PORT" },
    { "300.1.1.1:8080:80", "the host address \"300.1.1.1\"" },
    { "224.0.0.1:8080:80", "multicast" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GockerPortMapping) mapping = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      ok = gocker_parse_port_mapping (cases[i].text, &mapping, &error);
      g_assert_false (ok);
      g_assert_null (mapping);
      g_assert_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID);
      if (strstr (error->message, cases[i].needle) == NULL)
        g_error ("\"%s\": message \"%s\" lacks \"%s\"", cases[i].text, error->message, cases[i].needle);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gocker/ports/valid", test_valid);
  g_test_add_func ("/gocker/ports/invalid", test_invalid);
  return g_test_run ();
}
