/* A polkit text authentication agent for this process, registered only for
 * the duration of one call that needs it.
 *
 * The agent itself is a module (text-agent.c, linked with polkit-agent-1)
 * that gocker loads the first time a call needs a password
 * (text-agent-loader.c), so commands that need none do not pay for loading
 * polkit's libraries. */
#pragma once

#include <glib.h>
#include <gmodule.h>

G_BEGIN_DECLS

/* Errors of loading the module, as opposed to those of the agent. */
#define GOCKER_TEXT_AGENT_ERROR (gocker_text_agent_error_quark ())
GQuark gocker_text_agent_error_quark (void);

/* Register a text agent (prompting on the controlling terminal) for this
 * process. Fails when no terminal can be opened, or with a
 * GOCKER_TEXT_AGENT_ERROR when the module cannot be loaded. Returns a
 * handle for gocker_text_agent_unregister(). */
gpointer gocker_text_agent_register (GError **error);
void gocker_text_agent_unregister (gpointer handle);

/* The module's file name and entry points, with the contracts above. */
#define GOCKER_TEXT_AGENT_MODULE "gocker-text-agent." G_MODULE_SUFFIX
G_MODULE_EXPORT gpointer gocker_text_agent_module_register (GError **error);
G_MODULE_EXPORT void gocker_text_agent_module_unregister (gpointer handle);

G_END_DECLS
