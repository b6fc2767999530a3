#define G_LOG_DOMAIN "gocker-desktop"

#include "config.h"

#include <glib/gi18n.h>

#include "gocker-application.h"
#include "gocker-window.h"

struct _GockerApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (GockerApplication, gocker_application, ADW_TYPE_APPLICATION)

static void
gocker_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = gocker_window_new (GTK_APPLICATION (application));
  gtk_window_present (window);
}

static void
about_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *application = user_data;
  const char *developers[] = { "Gocker contributors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (application),
                        "application-name", _("Gocker"),
                        "application-icon", GOCKER_APPLICATION_ID,
                        "version", GOCKER_VERSION,
                        "comments", _("Run and watch Linux containers"),
                        "developers", developers,
                        "license-type", GTK_LICENSE_GPL_2_0,
                        /* TRANSLATORS: your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *application = user_data;
  GList *windows = gtk_application_get_windows (application);

  /* Closing the windows lets them save their size before the app quits. */
  while (windows != NULL)
    {
      GtkWindow *window = windows->data;

      windows = windows->next;
      gtk_window_close (window);
    }
  g_application_quit (G_APPLICATION (application));
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = about_action },
  { .name = "quit", .activate = quit_action },
};

static void
gocker_application_startup (GApplication *application)
{
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *new_accels[] = { "<Control>n", NULL };
  const char *stop_accels[] = { "<Control>period", NULL };
  const char *remove_accels[] = { "Delete", NULL };
  const char *refresh_accels[] = { "<Control>r", "F5", NULL };

  G_APPLICATION_CLASS (gocker_application_parent_class)->startup (application);

  g_info ("Gocker desktop %s starting", GOCKER_VERSION);
  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                   G_N_ELEMENTS (app_actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.new-container", new_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.stop-container", stop_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.remove-container", remove_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.refresh", refresh_accels);
}

static void
gocker_application_shutdown (GApplication *application)
{
  g_info ("Gocker desktop stopping");
  G_APPLICATION_CLASS (gocker_application_parent_class)->shutdown (application);
}

static void
gocker_application_class_init (GockerApplicationClass *klass)
{
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  application_class->activate = gocker_application_activate;
  application_class->startup = gocker_application_startup;
  application_class->shutdown = gocker_application_shutdown;
}

static void
gocker_application_init (GockerApplication *self)
{
}

GockerApplication *
gocker_application_new (void)
{
  return g_object_new (GOCKER_TYPE_APPLICATION,
                       "application-id", GOCKER_APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/Gocker",
                       NULL);
}
