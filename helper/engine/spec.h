/* Container specification: the parsed, validated request to run a container.
 *
 * The parsers here are shared by the helper, the CLI and the desktop app so
 * that every client rejects the same values with the same messages. They
 * need only GLib; nothing here touches the kernel or D-Bus. */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GOCKER_DEFAULT_HOSTNAME "gocker-container"
#define GOCKER_DEFAULT_IMAGE "busybox"
#define GOCKER_DEFAULT_PIDS_LIMIT 20
/* Docker's minimum too: below this the runtime itself cannot start. */
#define GOCKER_MIN_MEMORY_LIMIT (6 * 1024 * 1024)
/* The kernel rejects a CFS quota under 1 ms; with the 100 ms period that
 * gocker uses, 0.01 CPU is the smallest limit that can be applied. */
#define GOCKER_CPU_PERIOD_US 100000
#define GOCKER_MIN_CPU_LIMIT 0.01
#define GOCKER_MAX_PIDS_LIMIT 4194304
#define GOCKER_MAX_NAME_LEN 64
#define GOCKER_MAX_HOSTNAME_LEN 64
#define GOCKER_MAX_VOLUMES 128
#define GOCKER_MAX_ENV 1024
#define GOCKER_MAX_ARGS 4096
#define GOCKER_MAX_STRING 4096

/* GError domain for invalid input; the message names the value and what
 * is allowed. */
#define GOCKER_SPEC_ERROR (gocker_spec_error_quark ())
GQuark gocker_spec_error_quark (void);

typedef enum {
  GOCKER_SPEC_ERROR_INVALID,   /* a value is malformed or out of range */
  GOCKER_SPEC_ERROR_NOT_FOUND, /* a host path does not exist */
} GockerSpecError;

typedef struct {
  char *source;      /* absolute host path */
  char *target;      /* absolute path inside the container */
  gboolean readonly;
} GockerVolume;

/* One -p mapping: [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp]. */
typedef struct {
  char *host_ip;            /* NULL or "0.0.0.0": every host address */
  guint16 host_port;
  guint16 container_port;
  char *protocol;           /* "tcp" or "udp" */
} GockerPortMapping;

typedef struct {
  char **argv;              /* command and arguments, non-empty */
  char **env;               /* extra "KEY=VALUE" entries, may be NULL */
  char *name;               /* NULL: the helper generates one */
  char *hostname;           /* never NULL after gocker_spec_new() */
  char *workdir;            /* never NULL: "/" by default */
  char *image;              /* image name; NULL when rootfs is set */
  char *rootfs;             /* absolute directory, or NULL */
  double cpu_limit;         /* CPUs; 0 = unlimited */
  guint64 memory_limit;     /* bytes; 0 = unlimited */
  guint64 pids_limit;       /* processes; 0 = unlimited */
  GPtrArray *volumes;       /* of GockerVolume*, never NULL */
  gboolean detach;
  gboolean tty;
  gboolean auto_remove;

  /* Networking. */
  char *network;            /* "bridge" (default), "none" or "host" */
  GPtrArray *ports;         /* of GockerPortMapping*, never NULL */

  /* Hardening. */
  char *userns;             /* NULL: default mapping; "host": none; or "C:H:COUNT" */
  char **cap_add;           /* capability names such as "CAP_NET_ADMIN", may be NULL */
  char **cap_drop;
  gboolean seccomp_unconfined;
  gboolean init;            /* run gocker's reaper as PID 1 */
} GockerSpec;

GockerSpec *gocker_spec_new (void);
void gocker_spec_free (GockerSpec *spec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GockerSpec, gocker_spec_free)

GockerVolume *gocker_volume_new (const char *source, const char *target, gboolean readonly);
void gocker_volume_free (GockerVolume *volume);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GockerVolume, gocker_volume_free)

typedef enum {
  GOCKER_SIZE_OK,
  GOCKER_SIZE_INVALID,
  GOCKER_SIZE_TOO_LARGE,
} GockerSizeParse;

/* Parse bytes with an optional K, M or G suffix (powers of 1024, either
 * case; "KB" and "KiB" too). "max" is the caller's business. */
GockerSizeParse gocker_parse_size (const char *text, guint64 *out_bytes);

/* Limits. Each accepts "max" (stored as 0 = unlimited). */
gboolean gocker_parse_cpu_limit (const char *text, double *out_cpus, GError **error);
gboolean gocker_parse_memory_limit (const char *text, guint64 *out_bytes, GError **error);
gboolean gocker_parse_pids_limit (const char *text, guint64 *out_pids, GError **error);

/* Format a limit back to the syntax the parsers accept ("max", "512M"). */
char *gocker_format_memory (guint64 bytes);
char *gocker_format_cpus (double cpus);

/* "HOST:CONTAINER[:ro|:rw]". A relative HOST is resolved against @cwd;
 * nothing is checked on disk here. */
gboolean gocker_parse_volume (const char *text, const char *cwd, GockerVolume **out, GError **error);

/* Check a volume against the host file system: absolute paths without "..",
 * a source that exists. Run by the helper before anything is created. */
gboolean gocker_volume_validate (const GockerVolume *volume, GError **error);

GockerPortMapping *gocker_port_mapping_new (const char *host_ip, guint16 host_port,
                                            guint16 container_port, const char *protocol);
void gocker_port_mapping_free (GockerPortMapping *mapping);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GockerPortMapping, gocker_port_mapping_free)
/* Docker's -p syntax: [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp].
 * Implemented in ports.c. */
gboolean gocker_parse_port_mapping (const char *text, GockerPortMapping **out, GError **error);
/* Format back to the -p syntax. */
char *gocker_port_mapping_to_string (const GockerPortMapping *mapping);

gboolean gocker_validate_name (const char *name, GError **error);
gboolean gocker_validate_hostname (const char *hostname, GError **error);
gboolean gocker_validate_env_entry (const char *entry, GError **error);
gboolean gocker_validate_workdir (const char *workdir, GError **error);
gboolean gocker_validate_command (const char *const *argv, GError **error);

/* Split a command line like a POSIX shell does for words and quotes
 * (g_shell_parse_argv), with an error that names the line. */
gboolean gocker_parse_command_line (const char *line, char ***out_argv, GError **error);

/* The a{sv} request of Manager.Run. Unknown keys, wrong types and invalid
 * values are errors naming the key. File descriptor keys (stdin, stdout,
 * stderr) are skipped here: the service reads them itself. */
GockerSpec *gocker_spec_from_variant (GVariant *asv, GError **error);
/* Build the a{sv} request, without descriptors. Limits are sent in their
 * text form. */
GVariant *gocker_spec_to_variant (const GockerSpec *spec);

JsonNode *gocker_spec_to_json (const GockerSpec *spec);
GockerSpec *gocker_spec_from_json (JsonNode *node, GError **error);

G_END_DECLS
