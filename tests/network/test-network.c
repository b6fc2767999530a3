/* Tests of the network library against the real kernel.
 *
 * Needs root. The whole program first moves into a network namespace of its
 * own (unshare in main, before GLib starts any thread), so the bridge,
 * veths, routes and nftables rules it makes exist only there and vanish with
 * the process, even if it crashes. "Containers" are child processes that
 * unshare a further network namespace and wait; commands run inside them
 * with nsenter. Every packet goes to an address these tests created. */
#define G_LOG_DOMAIN "gocker-test"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "network.h"

#define BUSYBOX "/bin/busybox"

static char *
sysctl_read (const char *key)
{
  g_autofree char *path = g_build_filename ("/proc/sys", key, NULL);
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, NULL);
  return contents != NULL ? g_strstrip (contents) : NULL;
}

static void
sysctl_write (const char *key, const char *value)
{
  g_autofree char *path = g_build_filename ("/proc/sys", key, NULL);
  FILE *file = fopen (path, "w");

  if (file != NULL)
    {
      fputs (value, file);
      fclose (file);
    }
}

typedef struct {
  char *state_dir;
  GockerNetworkConfig *config;
  GArray *children;        /* of pid_t: fake containers and servers */
  GPtrArray *states;       /* of GockerState* */
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->state_dir = g_dir_make_tmp ("gocker-nettest-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->config = gocker_network_config_new_default ();
  fixture->children = g_array_new (FALSE, FALSE, sizeof (pid_t));
  fixture->states = g_ptr_array_new_with_free_func ((GDestroyNotify) gocker_state_free);
}

static void
kill_child (pid_t pid)
{
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
}

static gboolean
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL &&
         g_file_enumerator_iterate (children, &info, NULL, NULL, NULL) && info != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_unlink (child);
    }
  return g_rmdir (path) == 0;
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  for (guint i = 0; i < fixture->children->len; i++)
    kill_child (g_array_index (fixture->children, pid_t, i));
  g_array_unref (fixture->children);
  /* Whatever a failed test left in this namespace. */
  gocker_nat_remove (NULL);
  gocker_link_delete (fixture->config->bridge, NULL);
  sysctl_write ("net/ipv4/ip_forward", "0");
  g_ptr_array_unref (fixture->states);
  remove_tree (fixture->state_dir);
  g_free (fixture->state_dir);
  gocker_network_config_free (fixture->config);
}

/* A process in a new network namespace, waiting to be killed. */
static pid_t
start_fake_container (Fixture *fixture)
{
  int ready[2];
  char byte;
  pid_t pid;

  g_assert_cmpint (pipe2 (ready, O_CLOEXEC), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (unshare (CLONE_NEWNET) < 0)
        _exit (1);
      if (write (ready[1], "x", 1) != 1)
        _exit (1);
      for (;;)
        pause ();
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);
  g_array_append_val (fixture->children, pid);
  return pid;
}

/* Run argv (NULL-terminated) inside the network namespace of @pid, or in
 * the test's own when @pid is 0. Returns the exit status; output in @out. */
static int
run_in (pid_t pid, char **out, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  int status = -1;
  va_list args;

  if (pid != 0)
    {
      g_ptr_array_add (argv, g_strdup ("nsenter"));
      g_ptr_array_add (argv, g_strdup_printf ("--net=/proc/%d/ns/net", (int) pid));
    }
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &stdout_text, &stderr_text, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("%s: exit status %d: %s%s", (char *) argv->pdata[0], status,
                    stdout_text, stderr_text);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* Fetch /index.html from HOST:PORT with busybox nc (busybox wget crashes
 * with -T). Returns the response, or NULL when the connection failed. */
static char *
http_get (const char *host, guint port)
{
  g_autofree char *script = g_strdup_printf ("printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | "
                                             BUSYBOX " nc -w 3 %s %u", host, port);
  char *out = NULL;

  if (run_in (0, &out, "sh", "-c", script, NULL) != 0 || out == NULL || *out == '\0')
    g_clear_pointer (&out, g_free);
  return out;
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GockerState *
add_state (Fixture *fixture, const char *name, const char *network)
{
  GockerState *state = gocker_state_new ();

  state->id = gocker_generate_id ();
  state->spec = gocker_spec_new ();
  state->spec->name = g_strdup (name);
  g_free (state->spec->hostname);
  state->spec->hostname = g_strdup_printf ("%s-host", name);
  g_free (state->spec->network);
  state->spec->network = g_strdup (network);
  state->status = GOCKER_STATUS_CREATED;
  g_ptr_array_add (fixture->states, state);
  return state;
}

static void
add_port (GockerState *state, const char *text)
{
  g_autoptr(GError) error = NULL;
  GockerPortMapping *mapping = NULL;

  gocker_parse_port_mapping (text, &mapping, &error);
  g_assert_no_error (error);
  g_ptr_array_add (state->spec->ports, mapping);
}

/* What the service and the supervisor do to start a container. */
static pid_t
start_container (Fixture *fixture, GockerState *state)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;
  pid_t pid;

  ok = gocker_network_prepare (fixture->state_dir, fixture->config, state, fixture->states, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  pid = start_fake_container (fixture);
  ok = gocker_network_setup_container (fixture->state_dir, state, pid, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  state->pid = pid;
  state->status = GOCKER_STATUS_RUNNING;
  ok = gocker_network_sync (fixture->state_dir, fixture->states, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  return pid;
}

static guint
count_gocker_veths (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) veths = gocker_veth_list_host_ends (&error);

  g_assert_no_error (error);
  return veths->len;
}

static char *
nft_table_text (void)
{
  char *out = NULL;

  if (run_in (0, &out, "nft", "list", "table", "ip", GOCKER_NFT_TABLE, NULL) != 0)
    g_clear_pointer (&out, g_free);
  return out;
}

static guint
count_substrings (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* ---- configuration ---- */

static void
test_config_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->state_dir, "helper.conf", NULL);
  g_autoptr(GockerNetworkConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subnet = NULL;
  g_autofree char *gateway = NULL;

  /* Missing file: the defaults. */
  config = gocker_network_config_load (path, &error);
  g_assert_no_error (error);
  subnet = gocker_network_config_subnet_string (config);
  g_assert_cmpstr (subnet, ==, "10.0.0.0/24");
  g_assert_cmpstr (config->bridge, ==, "gocker0");
  gateway = gocker_ipv4_to_string (gocker_network_config_gateway (config));
  g_assert_cmpstr (gateway, ==, "10.0.0.1");
  g_clear_pointer (&config, gocker_network_config_free);
  g_clear_pointer (&subnet, g_free);

  g_file_set_contents (path, "[network]\nsubnet=10.88.0.0/16\nbridge=gktest0\n", -1, &error);
  g_assert_no_error (error);
  config = gocker_network_config_load (path, &error);
  g_assert_no_error (error);
  subnet = gocker_network_config_subnet_string (config);
  g_assert_cmpstr (subnet, ==, "10.88.0.0/16");
  g_assert_cmpstr (config->bridge, ==, "gktest0");
}

static void
test_config_invalid (Fixture *fixture, gconstpointer data)
{
  static const struct {
    const char *contents;
    const char *needle;
  } cases[] = {
    { "[network]\nsubnet=10.0.0.1/24\n", "host bits are set; did you mean 10.0.0.0/24?" },
    { "[network]\nsubnet=10.0.0.0/31\n", "the prefix length must be from 8 to 30" },
    { "[network]\nsubnet=10.0.0.0\n", "invalid subnet \"10.0.0.0\"" },
    { "[network]\nsubnet=10.0.0.0/24x\n", "invalid subnet \"10.0.0.0/24x\"" },
    { "[network]\nsubnet=fd00::/64\n", "invalid subnet \"fd00::/64\"" },
    { "[network]\nbridge=a-name-far-too-long\n", "invalid bridge name \"a-name-far-too-long\"" },
    { "[network]\nbridge=br;0\n", "invalid bridge name \"br;0\"" },
    { "[network]\nsubet=10.0.0.0/24\n", "unknown key \"subet\"" },
  };
  g_autofree char *path = g_build_filename (fixture->state_dir, "helper.conf", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GockerNetworkConfig) config = NULL;
      g_autoptr(GError) error = NULL;

      g_file_set_contents (path, cases[i].contents, -1, &error);
      g_assert_no_error (error);
      config = gocker_network_config_load (path, &error);
      g_assert_null (config);
      g_assert_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID);
      if (strstr (error->message, cases[i].needle) == NULL || strstr (error->message, path) == NULL)
        g_error ("message \"%s\" lacks \"%s\" or the path", error->message, cases[i].needle);
    }
}

/* ---- address allocation ---- */

static void
test_ipam_allocate (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id_a = gocker_generate_id ();
  g_autofree char *id_b = gocker_generate_id ();
  g_autofree char *id_c = gocker_generate_id ();
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *again = NULL;
  g_autofree char *c = NULL;
  g_autoptr(GHashTable) table = NULL;

  gocker_ipam_allocate (fixture->state_dir, fixture->config, id_a, &a, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a, ==, "10.0.0.2");
  gocker_ipam_allocate (fixture->state_dir, fixture->config, id_b, &b, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (b, ==, "10.0.0.3");
  gocker_ipam_allocate (fixture->state_dir, fixture->config, id_a, &again, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, "10.0.0.2");

  gocker_ipam_release (fixture->state_dir, id_a, &error);
  g_assert_no_error (error);
  gocker_ipam_allocate (fixture->state_dir, fixture->config, id_c, &c, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c, ==, "10.0.0.2");

  table = gocker_ipam_list (fixture->state_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (table), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (table, "10.0.0.2"), ==, id_c);
  g_assert_cmpstr (g_hash_table_lookup (table, "10.0.0.3"), ==, id_b);
}

static void
test_ipam_full (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first_id = gocker_generate_id ();
  g_autofree char *second_id = gocker_generate_id ();
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(GHashTable) table = NULL;

  /* A /30 has room for the bridge and one container. */
  gocker_network_parse_subnet ("10.9.9.0/30", &fixture->config->subnet, &fixture->config->prefix, &error);
  g_assert_no_error (error);
  gocker_ipam_allocate (fixture->state_dir, fixture->config, first_id, &first, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "10.9.9.2");

  g_assert_false (gocker_ipam_allocate (fixture->state_dir, fixture->config, second_id, &second, &error));
  g_assert_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_POOL_FULL);
  g_assert_nonnull (strstr (error->message, "the address pool 10.9.9.0/30 is full"));
  g_assert_null (second);
  g_clear_error (&error);

  table = gocker_ipam_list (fixture->state_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (table), ==, 1);
}

static void
test_ipam_reclaim (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *kept_id = gocker_generate_id ();
  g_autofree char *lost_id = gocker_generate_id ();
  g_autofree char *kept = NULL;
  g_autofree char *lost = NULL;
  g_autofree char *torn = g_build_filename (fixture->state_dir, "network", "addresses", "10.0.0.9", NULL);
  g_autoptr(GHashTable) table = NULL;

  gocker_ipam_allocate (fixture->state_dir, fixture->config, kept_id, &kept, &error);
  g_assert_no_error (error);
  gocker_ipam_allocate (fixture->state_dir, fixture->config, lost_id, &lost, &error);
  g_assert_no_error (error);
  /* An allocation a crash interrupted before the id was written. */
  g_file_set_contents (torn, "", 0, &error);
  g_assert_no_error (error);

  g_hash_table_add (known, kept_id);
  g_assert_cmpuint (gocker_ipam_reclaim (fixture->state_dir, known, &error), ==, 2);
  g_assert_no_error (error);
  table = gocker_ipam_list (fixture->state_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (table), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (table, kept), ==, kept_id);
}

/* ---- bridge ---- */

static void
test_bridge_route_overlap (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run_in (0, NULL, "ip", "link", "add", "gt-dummy", "type", "veth", "peer", "name", "gt-dummy-peer", NULL), ==, 0);
  g_assert_cmpint (run_in (0, NULL, "ip", "addr", "add", "10.0.0.5/16", "dev", "gt-dummy", NULL), ==, 0);
  g_assert_cmpint (run_in (0, NULL, "ip", "link", "set", "gt-dummy", "up", NULL), ==, 0);
  g_assert_cmpint (run_in (0, NULL, "ip", "link", "set", "gt-dummy-peer", "up", NULL), ==, 0);

  g_assert_false (gocker_bridge_ensure (fixture->config, &error));
  g_assert_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_CONFLICT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "overlaps the host route 10.0.0.0/16 dev gt-dummy"));
  g_assert_nonnull (strstr (error->message, "\"subnet=\" in the [network] group"));
  g_assert_false (gocker_link_exists ("gocker0"));

  gocker_link_delete ("gt-dummy", &error);
}

static void
test_bridge_create (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_assert_true (gocker_bridge_ensure (fixture->config, &error));
  g_assert_no_error (error);
  /* A second call finds it in place and changes nothing. */
  g_assert_true (gocker_bridge_ensure (fixture->config, &error));
  g_assert_no_error (error);
  g_assert_cmpint (run_in (0, &out, "ip", "-4", "-o", "addr", "show", "dev", "gocker0", NULL), ==, 0);
  g_assert_cmpuint (count_substrings (out, "inet "), ==, 1);
  g_assert_nonnull (strstr (out, "inet 10.0.0.1/24"));
  /* The route check ignores the bridge's own route. */
  g_assert_true (gocker_bridge_check_routes (fixture->config, &error));
  g_assert_no_error (error);
}

/* ---- containers ---- */

static void
test_two_containers (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  GockerState *first = add_state (fixture, "first", "bridge");
  GockerState *second = add_state (fixture, "second", "bridge");
  g_autofree char *out = NULL;
  g_autofree char *hosts = NULL;
  g_autofree char *hosts_path = NULL;
  g_autofree char *forward = NULL;
  pid_t first_pid;
  pid_t second_pid;

  first_pid = start_container (fixture, first);
  second_pid = start_container (fixture, second);
  g_assert_cmpstr (first->ip_address, ==, "10.0.0.2");
  g_assert_cmpstr (second->ip_address, ==, "10.0.0.3");
  g_assert_cmpstr (first->mac_address, ==, "02:42:0a:00:00:02");

  g_assert_cmpint (run_in (first_pid, &out, "ip", "-4", "-o", "addr", "show", "dev", "eth0", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "inet 10.0.0.2/24"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_in (first_pid, &out, "ip", "route", "show", "default", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "default via 10.0.0.1 dev eth0"));

  g_assert_cmpint (run_in (first_pid, NULL, BUSYBOX, "ping", "-c", "1", "-W", "2", "10.0.0.3", NULL), ==, 0);
  g_assert_cmpint (run_in (second_pid, NULL, BUSYBOX, "ping", "-c", "1", "-W", "2", "10.0.0.2", NULL), ==, 0);
  g_assert_cmpint (run_in (second_pid, NULL, BUSYBOX, "ping", "-c", "1", "-W", "2", "10.0.0.1", NULL), ==, 0);

  hosts_path = g_build_filename (fixture->state_dir, "network", "etc", first->id, "hosts", NULL);
  g_file_get_contents (hosts_path, &hosts, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (hosts, "10.0.0.2\tfirst-host first\n"));

  forward = sysctl_read ("net/ipv4/ip_forward");
  g_assert_cmpstr (forward, ==, "1");
  g_assert_cmpuint (count_gocker_veths (), ==, 2);

  /* Both exit, then are removed: the network goes with the last one. */
  kill_child (first_pid);
  kill_child (second_pid);
  g_array_set_size (fixture->children, 0);
  first->status = GOCKER_STATUS_EXITED;
  second->status = GOCKER_STATUS_EXITED;
  g_assert_true (gocker_network_sync (fixture->state_dir, fixture->states, &error));
  g_assert_no_error (error);
  /* Stopped containers keep their addresses, so the bridge stays. */
  g_assert_true (gocker_link_exists ("gocker0"));

  gocker_network_release (fixture->state_dir, first->id, &error);
  g_assert_no_error (error);
  g_ptr_array_remove (fixture->states, first);
  g_assert_true (gocker_network_sync (fixture->state_dir, fixture->states, &error));
  g_assert_true (gocker_link_exists ("gocker0"));
  gocker_network_release (fixture->state_dir, second->id, &error);
  g_assert_no_error (error);
  g_ptr_array_remove (fixture->states, second);
  g_assert_true (gocker_network_sync (fixture->state_dir, fixture->states, &error));
  g_assert_no_error (error);

  g_assert_false (gocker_link_exists ("gocker0"));
  g_assert_false (gocker_nat_present ());
  g_clear_pointer (&forward, g_free);
  forward = sysctl_read ("net/ipv4/ip_forward");
  g_assert_cmpstr (forward, ==, "0");
  g_assert_false (g_file_test (hosts_path, G_FILE_TEST_EXISTS));
}

static void
test_nat_rules_once (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  GockerState *state = add_state (fixture, "web", "bridge");
  g_autofree char *text = NULL;

  add_port (state, "8080:80");
  start_container (fixture, state);
  /* Every start and exit rewrites the table; it must stay one copy. */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (gocker_network_sync (fixture->state_dir, fixture->states, &error));
      g_assert_no_error (error);
    }
  text = nft_table_text ();
  g_assert_nonnull (text);
  g_assert_cmpuint (count_substrings (text, "comment \"gocker outbound\""), ==, 1);
  g_assert_cmpuint (count_substrings (text, "dnat to 10.0.0.2:80"), ==, 1);
  g_assert_nonnull (strstr (text, "ip saddr 10.0.0.0/24 oifname != \"gocker0\" masquerade"));

  /* The container exits: its mapping goes, the masquerade stays. */
  state->status = GOCKER_STATUS_EXITED;
  g_assert_true (gocker_network_sync (fixture->state_dir, fixture->states, &error));
  g_clear_pointer (&text, g_free);
  text = nft_table_text ();
  g_assert_nonnull (text);
  g_assert_cmpuint (count_substrings (text, "dnat to"), ==, 0);
  g_assert_cmpuint (count_substrings (text, "masquerade"), ==, 2);
}

static void
test_port_mapping (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  GockerState *state = add_state (fixture, "web", "bridge");
  g_autofree char *www = g_build_filename (fixture->state_dir, "www", NULL);
  g_autofree char *index = g_build_filename (www, "index.html", NULL);
  g_autofree char *netns = NULL;
  g_autofree char *out = NULL;
  const char *server_argv[] = { "nsenter", NULL, BUSYBOX, "httpd", "-f", "-p", "80", "-h", NULL, NULL };
  GPid server;
  pid_t pid;

  add_port (state, "8080:80");
  add_port (state, "127.0.0.1:8081:80/tcp");
  pid = start_container (fixture, state);

  g_mkdir (www, 0755);
  g_file_set_contents (index, "hello from the container\n", -1, &error);
  g_assert_no_error (error);
  netns = g_strdup_printf ("--net=/proc/%d/ns/net", (int) pid);
  server_argv[1] = netns;
  server_argv[8] = www;
  g_spawn_async (NULL, (char **) server_argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                 die_with_parent, NULL, &server, &error);
  g_assert_no_error (error);
  g_array_append_val (fixture->children, server);

  /* Through the DNAT rule: to the bridge address, which is the host's; the
   * first try also waits for the server to listen. */
  for (guint i = 0; i < 40; i++)
    {
      g_clear_pointer (&out, g_free);
      out = http_get ("10.0.0.1", 8080);
      if (out != NULL && strstr (out, "hello from the container") != NULL)
        break;
      g_usleep (G_USEC_PER_SEC / 20);
    }
  g_assert_nonnull (out);
  g_assert_nonnull (strstr (out, "hello from the container"));
  g_clear_pointer (&out, g_free);
  /* To localhost, which the rule limited to 127.0.0.1 serves. */
  out = http_get ("127.0.0.1", 8081);
  g_assert_nonnull (out);
  g_assert_nonnull (strstr (out, "hello from the container"));
  g_clear_pointer (&out, g_free);
  /* 8081 is mapped on 127.0.0.1 only. */
  out = http_get ("10.0.0.1", 8081);
  g_assert_true (out == NULL || strstr (out, "hello from the container") == NULL);
}

static void
test_port_conflicts (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  GockerState *running = add_state (fixture, "running", "bridge");
  GockerState *twice = add_state (fixture, "twice", "bridge");
  GockerState *clash = add_state (fixture, "clash", "bridge");
  GockerState *busy = add_state (fixture, "busy", "bridge");
  GockerState *hostnet = add_state (fixture, "hostnet", "host");
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (9090) };
  g_autoptr(GHashTable) table = NULL;
  int fd;

  add_port (running, "7070:80");
  start_container (fixture, running);

  add_port (twice, "6060:80");
  add_port (twice, "6060:81");
  g_assert_false (gocker_network_prepare (fixture->state_dir, fixture->config, twice, fixture->states, &error));
  g_assert_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "host port 6060/tcp is mapped twice"));
  g_clear_error (&error);

  add_port (clash, "7070:90");
  g_assert_false (gocker_network_prepare (fixture->state_dir, fixture->config, clash, fixture->states, &error));
  g_assert_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "already mapped by the running container running"));
  g_clear_error (&error);

  fd = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  g_assert_cmpint (listen (fd, 1), ==, 0);
  add_port (busy, "9090:80");
  g_assert_false (gocker_network_prepare (fixture->state_dir, fixture->config, busy, fixture->states, &error));
  g_assert_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "host port 9090/tcp is already in use by a process"));
  g_clear_error (&error);
  close (fd);

  add_port (hostnet, "5050:80");
  g_assert_false (gocker_network_prepare (fixture->state_dir, fixture->config, hostnet, fixture->states, &error));
  g_assert_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_INVALID);
  g_clear_error (&error);

  /* None of the rejected containers got an address. */
  table = gocker_ipam_list (fixture->state_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (table), ==, 1);
  g_assert_null (twice->ip_address);
  g_assert_null (clash->ip_address);
  g_assert_null (busy->ip_address);
}

static void
test_pool_full_leaves_nothing (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  GockerState *only = add_state (fixture, "only", "bridge");
  GockerState *extra = add_state (fixture, "extra", "bridge");

  gocker_network_parse_subnet ("10.9.9.0/30", &fixture->config->subnet, &fixture->config->prefix, &error);
  g_assert_no_error (error);
  start_container (fixture, only);
  g_assert_false (gocker_network_prepare (fixture->state_dir, fixture->config, extra, fixture->states, &error));
  g_assert_error (error, GOCKER_NETWORK_ERROR, GOCKER_NETWORK_ERROR_POOL_FULL);
  g_assert_null (extra->ip_address);
  g_assert_cmpuint (count_gocker_veths (), ==, 1);
}

static void
test_reconcile (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  GockerState *alive = add_state (fixture, "alive", "bridge");
  GockerState *dead = add_state (fixture, "dead", "bridge");
  g_autofree char *stray = NULL;
  g_autoptr(GHashTable) table = NULL;
  g_autofree char *text = NULL;
  pid_t dead_pid;

  add_port (dead, "8088:80");
  start_container (fixture, alive);
  dead_pid = start_container (fixture, dead);

  /* A helper killed with its containers: the dead container's state is
   * gone, and a veth was left behind (here: a made-up one, since the
   * kernel deletes a real one with its namespace). */
  stray = g_strdup_printf ("gk%.12s", dead->id);
  kill_child (dead_pid);
  /* The kernel deletes the real veth asynchronously with the namespace. */
  for (guint i = 0; i < 100 && gocker_link_exists (stray); i++)
    g_usleep (G_USEC_PER_SEC / 50);
  g_assert_cmpint (run_in (0, NULL, "ip", "link", "add", stray, "type", "veth", "peer", "name", "gt-peer", NULL), ==, 0);
  g_ptr_array_remove (fixture->states, dead);

  g_assert_true (gocker_network_reconcile (fixture->state_dir, fixture->states, &error));
  g_assert_no_error (error);
  g_assert_false (gocker_link_exists (stray));
  g_assert_cmpuint (count_gocker_veths (), ==, 1);
  table = gocker_ipam_list (fixture->state_dir, &error);
  g_assert_cmpuint (g_hash_table_size (table), ==, 1);
  text = nft_table_text ();
  g_assert_nonnull (text);
  g_assert_null (strstr (text, "8088"));

  /* Then the live one is gone too: reconcile removes everything. */
  alive->status = GOCKER_STATUS_EXITED;
  g_ptr_array_remove (fixture->states, alive);
  g_assert_true (gocker_network_reconcile (fixture->state_dir, fixture->states, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_gocker_veths (), ==, 0);
  g_assert_false (gocker_link_exists ("gocker0"));
  g_assert_false (gocker_nat_present ());
}

static void
test_network_none (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  GockerState *state = add_state (fixture, "alone", "none");
  g_autofree char *out = NULL;
  g_autofree char *resolv = NULL;
  g_autofree char *resolv_path = NULL;
  pid_t pid;

  g_assert_true (gocker_network_prepare (fixture->state_dir, fixture->config, state, fixture->states, &error));
  g_assert_null (state->ip_address);
  pid = start_fake_container (fixture);
  g_assert_true (gocker_network_setup_container (fixture->state_dir, state, pid, &error));
  g_assert_no_error (error);

  g_assert_cmpint (run_in (pid, &out, "ip", "-o", "link", "show", NULL), ==, 0);
  g_assert_cmpuint (count_substrings (out, "\n"), ==, 1);
  g_assert_nonnull (strstr (out, "1: lo: <LOOPBACK,UP,LOWER_UP>"));
  g_assert_false (gocker_link_exists ("gocker0"));

  resolv_path = g_build_filename (fixture->state_dir, "network", "etc", state->id, "resolv.conf", NULL);
  g_file_get_contents (resolv_path, &resolv, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (resolv, "\nnameserver"));
}

static void
test_resolv_conf (void)
{
  g_autofree char *out = gocker_network_filter_resolv_conf ("# comment\n"
                                                             "nameserver 127.0.0.53\n"
                                                             "nameserver 192.0.2.53\n"
                                                             "nameserver fd00::1\n"
                                                             "search example.org\n"
                                                             "options edns0\n",
                                                             FALSE);
  g_autofree char *none = gocker_network_filter_resolv_conf ("nameserver 127.0.0.1\n", FALSE);

  g_assert_nonnull (strstr (out, "\nnameserver 192.0.2.53\n"));
  g_assert_null (strstr (out, "\nnameserver 127.0.0.53"));
  g_assert_null (strstr (out, "\nnameserver fd00::1"));
  g_assert_nonnull (strstr (out, "\nsearch example.org\n"));
  g_assert_nonnull (strstr (out, "\noptions edns0\n"));
  g_assert_nonnull (strstr (none, "No nameserver of the host is reachable"));
}

static void
add (const char *path, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gocker/network/etc/resolv-conf", test_resolv_conf);
  if (geteuid () != 0)
    {
      g_test_message ("not root: skipping the tests that need a network namespace");
      return g_test_run ();
    }
  /* Before any thread exists: this process and its children now have a
   * network of their own. */
  if (unshare (CLONE_NEWNET) < 0)
    g_error ("unshare(CLONE_NEWNET): %s", g_strerror (errno));
  if (system ("ip link set lo up") != 0)
    g_error ("bringing lo up in the test namespace failed");

  add ("/gocker/network/config/file", test_config_file);
  add ("/gocker/network/config/invalid", test_config_invalid);
  add ("/gocker/network/ipam/allocate", test_ipam_allocate);
  add ("/gocker/network/ipam/full", test_ipam_full);
  add ("/gocker/network/ipam/reclaim", test_ipam_reclaim);
  add ("/gocker/network/bridge/route-overlap", test_bridge_route_overlap);
  add ("/gocker/network/bridge/create", test_bridge_create);
  add ("/gocker/network/container/two", test_two_containers);
  add ("/gocker/network/container/none", test_network_none);
  add ("/gocker/network/nat/rules-once", test_nat_rules_once);
  add ("/gocker/network/ports/mapping", test_port_mapping);
  add ("/gocker/network/ports/conflicts", test_port_conflicts);
  add ("/gocker/network/ipam/full-leaves-nothing", test_pool_full_leaves_nothing);
  add ("/gocker/network/reconcile", test_reconcile);
  return g_test_run ();
}
