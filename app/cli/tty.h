/* Terminal handling for attached runs: a pseudo-terminal pair, raw mode
 * with restore on exit, and the relay between the user's terminal and the
 * pty master, including window size changes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Open a pty pair; both descriptors are close-on-exec, and the slave does
 * not become this process's controlling terminal. */
gboolean gocker_pty_open (int *out_master, int *out_slave, GError **error);

/* Copy the window size of terminal @from_fd to @to_fd (TIOCSWINSZ). */
void gocker_tty_copy_size (int from_fd, int to_fd);

/* Put terminal @fd in raw mode. The previous mode is restored by
 * gocker_tty_restore(), which also runs at exit(). */
gboolean gocker_tty_make_raw (int fd, GError **error);
void gocker_tty_restore (void);

typedef struct _GockerRelay GockerRelay;

/* Copy @in_fd to @master_fd and @master_fd to @out_fd from the thread-default
 * main context, and forward SIGWINCH of @in_fd's terminal to @master_fd. */
GockerRelay *gocker_relay_start (int in_fd, int master_fd, int out_fd);

/* Copy what is still buffered in the master to @out_fd, then stop relaying
 * and free @relay. */
void gocker_relay_finish (GockerRelay *relay);

G_END_DECLS
