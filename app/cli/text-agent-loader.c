/* Loads the polkit text agent module on first use; see text-agent.h. */
#define G_LOG_DOMAIN "gocker"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "text-agent.h"

typedef gpointer (*RegisterFunc) (GError **error);
typedef void (*UnregisterFunc) (gpointer handle);

static RegisterFunc register_func;
static UnregisterFunc unregister_func;

G_DEFINE_QUARK (gocker-text-agent-error-quark, gocker_text_agent_error)

/* Next to the gocker binary first, which is where a build tree has it, then
 * the installed module directory. The first file found is the one used. */
static GModule *
open_module (GError **error)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *exe_dir = exe != NULL ? g_path_get_dirname (exe) : NULL;
  const char *const dirs[] = { exe_dir, GOCKER_PKGLIBDIR };

  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = NULL;
      GModule *module;

      if (dirs[i] == NULL)
        continue;
      path = g_build_filename (dirs[i], GOCKER_TEXT_AGENT_MODULE, NULL);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      module = g_module_open (path, G_MODULE_BIND_LOCAL);
      if (module == NULL)
        g_set_error (error, GOCKER_TEXT_AGENT_ERROR, 0,
                     _("Cannot load the polkit text agent %s: %s. Reinstall gocker, "
                       "or run an authentication agent such as pkttyagent"),
                     path, g_module_error ());
      return module;
    }

  g_set_error (error, GOCKER_TEXT_AGENT_ERROR, 0,
               _("The polkit text agent %s is in neither %s nor %s. Reinstall gocker, "
                 "or run an authentication agent such as pkttyagent"),
               GOCKER_TEXT_AGENT_MODULE, exe_dir != NULL ? exe_dir : "?", GOCKER_PKGLIBDIR);
  return NULL;
}

gpointer
gocker_text_agent_register (GError **error)
{
  if (register_func == NULL)
    {
      GModule *module = open_module (error);

      if (module == NULL)
        return NULL;
      if (!g_module_symbol (module, "gocker_text_agent_module_register", (gpointer *) &register_func) ||
          !g_module_symbol (module, "gocker_text_agent_module_unregister", (gpointer *) &unregister_func))
        {
          g_set_error (error, GOCKER_TEXT_AGENT_ERROR, 0,
                       _("The polkit text agent %s is not the one of this gocker: %s. Reinstall gocker"),
                       g_module_name (module), g_module_error ());
          register_func = NULL;
          unregister_func = NULL;
          g_module_close (module);
          return NULL;
        }
      /* Kept loaded: polkit's types stay registered with GObject. */
      g_module_make_resident (module);
    }
  return register_func (error);
}

void
gocker_text_agent_unregister (gpointer handle)
{
  if (handle != NULL && unregister_func != NULL)
    unregister_func (handle);
}
