/* A GListModel of the helper's containers, following its ObjectManager. */
#pragma once

#include <gio/gio.h>

#include "gocker-dbus.h"

G_BEGIN_DECLS

#define GOCKER_BUS_NAME "io.github.Gocker1"
#define GOCKER_OBJECT_MANAGER_PATH "/io/github/Gocker1"
#define GOCKER_MANAGER_PATH "/io/github/Gocker1/Manager"
#define GOCKER_MANAGER_INTERFACE "io.github.Gocker1.Manager"
#define GOCKER_CONTAINER_INTERFACE "io.github.Gocker1.Container"

/* How often figures that change on their own (ages, CPU, memory) are
 * read again. */
#define GOCKER_REFRESH_INTERVAL_SECONDS 2

typedef enum {
  GOCKER_HELPER_CONNECTING,
  GOCKER_HELPER_AVAILABLE,
  GOCKER_HELPER_UNAVAILABLE,
} GockerHelperState;

/* Resource use of a running container, from Container.GetStats. */
typedef struct {
  gboolean has_cpu_percent; /* false for the first sample */
  double cpu_percent;       /* of one CPU, over the last refresh interval */
  guint64 cpu_usage_ns;
  guint64 memory_bytes;
  guint64 pids;
} GockerContainerStats;

#define GOCKER_TYPE_CONTAINER_MODEL (gocker_container_model_get_type ())
G_DECLARE_FINAL_TYPE (GockerContainerModel, gocker_container_model, GOCKER, CONTAINER_MODEL, GObject)

GockerContainerModel *gocker_container_model_new (void);
void gocker_container_model_start (GockerContainerModel *self);
void gocker_container_model_refresh (GockerContainerModel *self);
GockerHelperState gocker_container_model_get_state (GockerContainerModel *self);
const char *gocker_container_model_get_error (GockerContainerModel *self);
GDBusConnection *gocker_container_model_get_connection (GockerContainerModel *self);
gboolean gocker_container_model_find (GockerContainerModel *self,
                                      const char *object_path,
                                      guint *out_position);

void gocker_container_fetch_stats_async (GockerContainer *container,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean gocker_container_fetch_stats_finish (GockerContainer *container,
                                              GAsyncResult *result,
                                              GockerContainerStats *out_stats,
                                              GError **error);

G_END_DECLS
