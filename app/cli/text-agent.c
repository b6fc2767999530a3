#define G_LOG_DOMAIN "gocker"

#include "config.h"

#define POLKIT_AGENT_I_KNOW_API_IS_SUBJECT_TO_CHANGE
#include <gmodule.h>
#include <polkitagent/polkitagent.h>
#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include "text-agent.h"

typedef struct {
  PolkitAgentListener *listener;
  gpointer registration;
} TextAgent;

/* The terminal's settings before the agent turned echo off for the
 * password, restored when Ctrl-C or a termination signal ends gocker at
 * the prompt, so the shell does not go on without echo. */
static int saved_terminal_fd = -1;
static struct termios saved_terminal;
static struct sigaction previous_actions[3];
static const int restored_signals[3] = { SIGINT, SIGTERM, SIGHUP };

static void
restore_terminal_and_reraise (int signal_number)
{
  if (saved_terminal_fd >= 0)
    tcsetattr (saved_terminal_fd, TCSANOW, &saved_terminal);
  for (guint i = 0; i < G_N_ELEMENTS (restored_signals); i++)
    if (restored_signals[i] == signal_number)
      sigaction (signal_number, &previous_actions[i], NULL);
  raise (signal_number);
}

static void
guard_terminal (void)
{
  struct sigaction action = { .sa_handler = restore_terminal_and_reraise };
  int fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    return;
  if (tcgetattr (fd, &saved_terminal) < 0)
    {
      close (fd);
      return;
    }
  saved_terminal_fd = fd;
  sigemptyset (&action.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS (restored_signals); i++)
    sigaction (restored_signals[i], &action, &previous_actions[i]);
}

static void
unguard_terminal (void)
{
  if (saved_terminal_fd < 0)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (restored_signals); i++)
    sigaction (restored_signals[i], &previous_actions[i], NULL);
  close (saved_terminal_fd);
  saved_terminal_fd = -1;
}

G_MODULE_EXPORT gpointer
gocker_text_agent_module_register (GError **error)
{
  g_autoptr(PolkitAgentListener) listener = NULL;
  g_autoptr(PolkitSubject) subject = NULL;
  gpointer registration;
  TextAgent *agent;

  /* Opens the controlling terminal (ctermid), so this fails cleanly when
   * there is none, e.g. under a test harness or cron. */
  listener = polkit_agent_text_listener_new (NULL, error);
  if (listener == NULL)
    return NULL;

  /* polkitd looks up an agent registered for the caller's process when it
   * authorizes the bus name that this process owns, as it does for pkexec.
   * A start time of 0 makes polkit read it from /proc. */
  subject = polkit_unix_process_new_for_owner (getpid (), /* start_time= */ 0, getuid ());

  /* RUN_IN_THREAD: the agent replies to polkitd from its own thread and
   * main loop, while this thread is blocked in the method call it retries. */
  registration = polkit_agent_listener_register (listener,
                                                 POLKIT_AGENT_REGISTER_FLAGS_RUN_IN_THREAD,
                                                 subject,
                                                 /* object_path= */ NULL,
                                                 /* cancellable= */ NULL,
                                                 error);
  if (registration == NULL)
    {
      g_prefix_error (error, "Registering a polkit authentication agent: ");
      return NULL;
    }

  g_debug ("Registered a polkit text agent for process %d", (int) getpid ());
  guard_terminal ();

  agent = g_new0 (TextAgent, 1);
  agent->listener = g_steal_pointer (&listener);
  agent->registration = registration;
  return agent;
}

G_MODULE_EXPORT void
gocker_text_agent_module_unregister (gpointer handle)
{
  TextAgent *agent = handle;

  if (agent == NULL)
    return;

  unguard_terminal ();
  polkit_agent_listener_unregister (agent->registration);
  g_object_unref (agent->listener);
  g_free (agent);
}
