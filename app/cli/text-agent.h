/* A polkit text authentication agent for this process, registered only for
 * the duration of one call that needs it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Register a text agent (prompting on the controlling terminal) for this
 * process. Fails when no terminal can be opened. Returns a handle for
 * gocker_text_agent_unregister(). */
gpointer gocker_text_agent_register (GError **error);
void gocker_text_agent_unregister (gpointer handle);

G_END_DECLS
