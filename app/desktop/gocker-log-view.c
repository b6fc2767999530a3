#define G_LOG_DOMAIN "gocker-desktop"

#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <adwaita.h>
#include <gio/gunixfdlist.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "gocker-format.h"
#include "gocker-log-text.h"
#include "gocker-log-view.h"

/* How much of the log is read at once: the tail when the log is opened,
 * and each earlier part when the view is scrolled to its top. The size is
 * an estimate that keeps escaping and layout short; bench/desktop.sh
 * measures the time to show the tail of a 100 MB log. */
#define LOG_CHUNK_SIZE (256 * 1024)
/* The maximum that one follow tick reads, so a container that writes fast
 * cannot stall the window. */
#define LOG_FOLLOW_MAX_READ (4 * 1024 * 1024)
#define LOG_FOLLOW_INTERVAL_MS 500
/* A line still being written is shown anyway once it is this long. */
#define LOG_MAX_PENDING_LINE (64 * 1024)
/* Searching stops highlighting after this many matches. */
#define LOG_MAX_MATCHES 10000

struct _GockerLogView
{
  GtkWidget parent_instance;

  GockerContainer *container;
  GCancellable *open_cancellable;
  int fd;
  gboolean opened;
  goffset start_offset;   /* file offset of the first loaded byte */
  goffset end_offset;     /* file offset after the last loaded byte */
  gint64 open_started_us; /* monotonic time of the OpenLog call */
  guint follow_source;
  GtkTextTag *timestamp_tag;
  GtkTextTag *match_tag;
  GtkTextMark *top_mark;

  GtkToggleButton *follow_button;
  GtkToggleButton *timestamps_button;
  GtkToggleButton *search_button;
  GtkLabel *position_label;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkButton *previous_button;
  GtkButton *next_button;
  GtkLabel *match_label;
  GtkStack *stack;
  GtkScrolledWindow *scrolled_window;
  GtkTextView *text_view;
  AdwStatusPage *status_page;
  GtkButton *retry_button;
};

G_DEFINE_FINAL_TYPE (GockerLogView, gocker_log_view, GTK_TYPE_WIDGET)

static gboolean
container_is_running (GockerLogView *self)
{
  return self->container != NULL
         && g_strcmp0 (gocker_container_get_status (self->container), "running") == 0;
}

static void
show_message (GockerLogView *self, const char *title, const char *description,
              gboolean can_retry)
{
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), can_retry);
  gtk_stack_set_visible_child_name (self->stack, "message");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.save", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.copy", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.clear", FALSE);
}

static void
update_position_label (GockerLogView *self)
{
  g_autofree char *loaded = NULL;
  g_autofree char *text = NULL;

  if (!self->opened || self->start_offset == 0)
    {
      gtk_label_set_label (self->position_label, "");
      return;
    }

  loaded = g_format_size (self->end_offset - self->start_offset);
  /* TRANSLATORS: %s is a size such as "256 kB" */
  text = g_strdup_printf (_("Showing the last %s; scroll up for earlier lines"), loaded);
  gtk_label_set_label (self->position_label, text);
}

/* Reads up to @len bytes at @offset. Log files are regular files, so the
 * read does not wait for a writer, and callers keep @len small. */
static GBytes *
read_log (GockerLogView *self, goffset offset, gsize len, GError **error)
{
  g_autofree char *data = g_malloc (len);
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = pread (self->fd, data + done, len - done, offset + done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_autofree char *position = g_strdup_printf ("%" G_GOFFSET_FORMAT, offset + (goffset) done);

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not read the log at byte %s: %s"),
                       position, g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      done += n;
    }

  return g_bytes_new_take (g_steal_pointer (&data), done);
}

static goffset
log_size (GockerLogView *self)
{
  struct stat st;

  if (fstat (self->fd, &st) < 0)
    return self->end_offset;
  return st.st_size;
}

/* Inserts escaped log text at @iter. With @timestamps, each line starts
 * with the time it arrived, in a tag that is hidden unless timestamps are
 * switched on. */
static void
insert_text (GockerLogView *self, GtkTextIter *iter, const char *data, gsize len,
             gboolean timestamps)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  g_autofree char *text = gocker_log_text_escape (data, len);
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  const char *line = text;

  if (!timestamps)
    {
      gtk_text_buffer_insert (buffer, iter, text, -1);
      return;
    }

  now = g_date_time_new_now_local ();
  stamp = g_date_time_format (now, "%H:%M:%S ");
  while (*line != '\0')
    {
      const char *newline = strchr (line, '\n');
      gsize line_len = newline != NULL ? (gsize) (newline - line) + 1 : strlen (line);

      if (gtk_text_iter_starts_line (iter))
        gtk_text_buffer_insert_with_tags (buffer, iter, stamp, -1, self->timestamp_tag, NULL);
      gtk_text_buffer_insert (buffer, iter, line, line_len);
      line += line_len;
    }
}

static gboolean
is_scrolled_to_bottom (GockerLogView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);

  return gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment)
         >= gtk_adjustment_get_upper (adjustment) - 4.0;
}

static void
scroll_to_end (GockerLogView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);

  gtk_text_view_scroll_to_mark (self->text_view, gtk_text_buffer_get_insert (buffer),
                                0.0, FALSE, 0.0, 1.0);
}

/* Appends what the container wrote since the last read. While it runs,
 * only complete lines are shown, so a line is not split in two. */
static gboolean
read_new_output (GockerLogView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  goffset size = log_size (self);
  gboolean running = container_is_running (self);
  gboolean at_bottom;
  const char *data;
  gsize len;
  gsize shown;
  GtkTextIter end;

  if (size <= self->end_offset)
    return FALSE;

  bytes = read_log (self, self->end_offset, MIN (size - self->end_offset, LOG_FOLLOW_MAX_READ), &error);
  if (bytes == NULL)
    {
      g_warning ("Following the log of %s failed: %s",
                 gocker_container_get_id (self->container), error->message);
      return FALSE;
    }

  data = g_bytes_get_data (bytes, &len);
  shown = running ? gocker_log_text_complete_length (data, len) : len;
  if (shown == 0 && len >= LOG_MAX_PENDING_LINE)
    shown = len;
  if (shown == 0)
    return FALSE;

  at_bottom = is_scrolled_to_bottom (self);
  gtk_text_buffer_get_end_iter (buffer, &end);
  insert_text (self, &end, data, shown, TRUE);
  self->end_offset += shown;
  if (at_bottom)
    {
      gtk_text_buffer_place_cursor (buffer, &end);
      scroll_to_end (self);
    }
  return TRUE;
}

static gboolean
on_follow_tick (gpointer user_data)
{
  GockerLogView *self = user_data;

  read_new_output (self);
  return G_SOURCE_CONTINUE;
}

/* Follows the log while the container runs, the view is on screen and
 * the user wants it; otherwise no timer runs. */
static void
update_follow (GockerLogView *self)
{
  gboolean wanted = self->opened
                    && container_is_running (self)
                    && gtk_toggle_button_get_active (self->follow_button)
                    && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (wanted && self->follow_source == 0)
    {
      read_new_output (self);
      self->follow_source = g_timeout_add (LOG_FOLLOW_INTERVAL_MS, on_follow_tick, self);
    }
  else if (!wanted && self->follow_source != 0)
    {
      g_clear_handle_id (&self->follow_source, g_source_remove);
    }

  /* A container that has just exited may have left output behind. */
  if (self->opened && !container_is_running (self))
    read_new_output (self);
}

/* Loads the part of the log before the first loaded byte and keeps the
 * line that was at the top of the view in place. */
static void
load_earlier (GockerLogView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  goffset chunk_start;
  const char *data;
  gsize len;
  gsize skip = 0;
  GtkTextIter start;
  GtkTextIter top;
  GdkRectangle visible;

  if (!self->opened || self->start_offset == 0)
    return;

  chunk_start = MAX (self->start_offset - LOG_CHUNK_SIZE, 0);
  bytes = read_log (self, chunk_start, self->start_offset - chunk_start, &error);
  if (bytes == NULL)
    {
      g_warning ("Reading earlier log of %s failed: %s",
                 gocker_container_get_id (self->container), error->message);
      return;
    }

  data = g_bytes_get_data (bytes, &len);
  if (chunk_start > 0)
    {
      skip = gocker_log_text_skip_partial_line (data, len);
      /* A single line longer than a chunk is shown in pieces. */
      if (skip == len)
        skip = 0;
    }

  gtk_text_view_get_visible_rect (self->text_view, &visible);
  gtk_text_view_get_iter_at_location (self->text_view, &top, visible.x, visible.y);
  gtk_text_buffer_move_mark (buffer, self->top_mark, &top);

  gtk_text_buffer_get_start_iter (buffer, &start);
  insert_text (self, &start, data + skip, len - skip, FALSE);
  self->start_offset = chunk_start + skip;

  gtk_text_view_scroll_to_mark (self->text_view, self->top_mark, 0.0, TRUE, 0.0, 0.0);
  update_position_label (self);
}

static void
on_edge_reached (GtkScrolledWindow *scrolled_window, GtkPositionType position,
                 gpointer user_data)
{
  if (position == GTK_POS_TOP)
    load_earlier (user_data);
}

static void
load_tail (GockerLogView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  goffset size = log_size (self);
  goffset chunk_start = MAX (size - LOG_CHUNK_SIZE, 0);
  const char *data;
  gsize len;
  gsize skip = 0;
  gsize shown;
  GtkTextIter end;

  gtk_text_buffer_set_text (buffer, "", 0);
  self->start_offset = chunk_start;
  self->end_offset = chunk_start;

  bytes = read_log (self, chunk_start, size - chunk_start, &error);
  if (bytes == NULL)
    {
      show_message (self, _("Could Not Read the Log"), error->message, TRUE);
      return;
    }

  data = g_bytes_get_data (bytes, &len);
  if (chunk_start > 0)
    {
      skip = gocker_log_text_skip_partial_line (data, len);
      if (skip == len)
        skip = 0;
    }
  shown = len - skip;
  if (container_is_running (self))
    {
      gsize complete = gocker_log_text_complete_length (data + skip, len - skip);

      if (complete > 0 || shown < LOG_MAX_PENDING_LINE)
        shown = complete;
    }

  gtk_text_buffer_get_end_iter (buffer, &end);
  insert_text (self, &end, data + skip, shown, FALSE);
  self->start_offset = chunk_start + skip;
  self->end_offset = self->start_offset + shown;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  scroll_to_end (self);
  update_position_label (self);

  /* bench/desktop.sh reads this line to time opening a large log. */
  g_debug ("Log of %s shown: last %" G_GSIZE_FORMAT " of %" G_GOFFSET_FORMAT " bytes, %.1f ms after OpenLog",
           gocker_container_get_id (self->container), shown, size,
           (g_get_monotonic_time () - self->open_started_us) / 1000.0);
}

static void
close_log (GockerLogView *self)
{
  g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  g_clear_handle_id (&self->follow_source, g_source_remove);
  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
  self->opened = FALSE;
  self->start_offset = 0;
  self->end_offset = 0;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", 0);
  gtk_label_set_label (self->match_label, "");
  update_position_label (self);
}

static void
on_open_log_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GockerLogView *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint32 index;

  reply = g_dbus_proxy_call_with_unix_fd_list_finish (G_DBUS_PROXY (source), &fd_list,
                                                      result, &error);
  if (reply == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  g_clear_object (&self->open_cancellable);

  if (reply == NULL)
    {
      g_autofree char *message = gocker_format_error (error);

      g_message ("OpenLog on %s failed: %s",
                 g_dbus_proxy_get_object_path (G_DBUS_PROXY (source)), message);
      if (gocker_error_is_dismissed (error))
        show_message (self, _("Authentication Cancelled"),
                      _("Reading this log needs authentication. Open the log again to retry."),
                      TRUE);
      else
        show_message (self, _("Could Not Open the Log"), message, TRUE);
      return;
    }

  g_variant_get (reply, "(h)", &index);
  self->fd = g_unix_fd_list_get (fd_list, index, &error);
  if (self->fd < 0)
    {
      show_message (self, _("Could Not Open the Log"), error->message, TRUE);
      return;
    }

  self->opened = TRUE;
  gtk_stack_set_visible_child_name (self->stack, "log");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.save", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.copy", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.clear", TRUE);
  load_tail (self);
  update_follow (self);
}

/* Asks the helper for the log descriptor. The call may show a polkit
 * prompt, so it never blocks and has no timeout. */
static void
open_log (GockerLogView *self)
{
  close_log (self);

  if (self->container == NULL)
    return;

  if (!gocker_container_get_detached (self->container))
    {
      show_message (self, _("No Log"),
                    _("This container was not started detached, so its output went to the terminal that started it."),
                    FALSE);
      return;
    }

  show_message (self, _("Opening the Log…"), NULL, FALSE);
  self->open_cancellable = g_cancellable_new ();
  self->open_started_us = g_get_monotonic_time ();
  g_dbus_proxy_call_with_unix_fd_list (G_DBUS_PROXY (self->container), "OpenLog",
                                       NULL, G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                                       G_MAXINT, /* fd_list= */ NULL,
                                       self->open_cancellable, on_open_log_done, self);
}

static void
maybe_open_log (GockerLogView *self)
{
  if (self->container != NULL && !self->opened && self->open_cancellable == NULL
      && gtk_widget_get_mapped (GTK_WIDGET (self))
      && !gtk_widget_get_visible (GTK_WIDGET (self->retry_button)))
    open_log (self);
}

static void
on_properties_changed (GDBusProxy *proxy, GVariant *changed, GStrv invalidated,
                       gpointer user_data)
{
  update_follow (user_data);
}

/* Shows the log of @container. The log is opened only once the view is
 * on screen, so selecting containers does not ask for authentication. */
void
gocker_log_view_set_container (GockerLogView *self, GockerContainer *container)
{
  g_return_if_fail (GOCKER_IS_LOG_VIEW (self));

  if (self->container == container)
    return;

  close_log (self);
  if (self->container != NULL)
    g_signal_handlers_disconnect_by_data (self->container, self);
  g_set_object (&self->container, container);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);

  if (container == NULL)
    {
      show_message (self, _("No Container Selected"), NULL, FALSE);
      return;
    }

  g_signal_connect_object (container, "g-properties-changed",
                           G_CALLBACK (on_properties_changed), self, 0);
  show_message (self, _("Opening the Log…"), NULL, FALSE);
  maybe_open_log (self);
}

static void
on_retry_clicked (GtkButton *button, gpointer user_data)
{
  open_log (user_data);
}

static void
on_timestamps_toggled (GtkToggleButton *button, gpointer user_data)
{
  GockerLogView *self = user_data;

  g_object_set (self->timestamp_tag, "invisible", !gtk_toggle_button_get_active (button), NULL);
}

static void
on_follow_toggled (GtkToggleButton *button, gpointer user_data)
{
  GockerLogView *self = user_data;

  update_follow (self);
  if (gtk_toggle_button_get_active (button) && self->opened)
    scroll_to_end (self);
}

/* Search */

static void
select_match (GockerLogView *self, gboolean forward)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  const char *needle = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  GtkTextIter selection_start;
  GtkTextIter selection_end;
  GtkTextIter match_start;
  GtkTextIter match_end;
  GtkTextIter from;
  gboolean found;

  if (*needle == '\0')
    return;

  gtk_text_buffer_get_selection_bounds (buffer, &selection_start, &selection_end);
  if (forward)
    {
      found = gtk_text_iter_forward_search (&selection_end, needle, GTK_TEXT_SEARCH_CASE_INSENSITIVE,
                                            &match_start, &match_end, NULL);
      if (!found)
        {
          gtk_text_buffer_get_start_iter (buffer, &from);
          found = gtk_text_iter_forward_search (&from, needle, GTK_TEXT_SEARCH_CASE_INSENSITIVE,
                                                &match_start, &match_end, NULL);
        }
    }
  else
    {
      found = gtk_text_iter_backward_search (&selection_start, needle, GTK_TEXT_SEARCH_CASE_INSENSITIVE,
                                             &match_start, &match_end, NULL);
      if (!found)
        {
          gtk_text_buffer_get_end_iter (buffer, &from);
          found = gtk_text_iter_backward_search (&from, needle, GTK_TEXT_SEARCH_CASE_INSENSITIVE,
                                                 &match_start, &match_end, NULL);
        }
    }

  if (!found)
    return;

  /* Following would move the view away from the match. */
  gtk_toggle_button_set_active (self->follow_button, FALSE);
  gtk_text_buffer_select_range (buffer, &match_start, &match_end);
  gtk_text_view_scroll_to_iter (self->text_view, &match_start, 0.1, FALSE, 0.0, 0.5);
}

static void
highlight_matches (GockerLogView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  const char *needle = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  GtkTextIter start;
  GtkTextIter end;
  GtkTextIter match_start;
  GtkTextIter match_end;
  guint count = 0;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->match_tag, &start, &end);

  if (*needle == '\0')
    {
      gtk_label_set_label (self->match_label, "");
      return;
    }

  while (count < LOG_MAX_MATCHES
         && gtk_text_iter_forward_search (&start, needle, GTK_TEXT_SEARCH_CASE_INSENSITIVE,
                                          &match_start, &match_end, NULL))
    {
      gtk_text_buffer_apply_tag (buffer, self->match_tag, &match_start, &match_end);
      start = match_end;
      count++;
    }

  if (count == 0)
    text = g_strdup (_("No matches"));
  else if (count >= LOG_MAX_MATCHES)
    text = g_strdup_printf (_("Over %u matches"), (guint) LOG_MAX_MATCHES);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u match", "%u matches", count), count);
  gtk_label_set_label (self->match_label, text);
}

static void
on_search_changed (GtkSearchEntry *entry, gpointer user_data)
{
  GockerLogView *self = user_data;

  highlight_matches (self);
  select_match (self, TRUE);
}

static void
on_next_match (gpointer user_data)
{
  select_match (user_data, TRUE);
}

static void
on_previous_match (gpointer user_data)
{
  select_match (user_data, FALSE);
}

/* Actions */

static void
copy_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GockerLogView *self = GOCKER_LOG_VIEW (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start;
  GtkTextIter end;
  g_autofree char *text = NULL;

  if (!gtk_text_buffer_get_selection_bounds (buffer, &start, &end))
    gtk_text_buffer_get_bounds (buffer, &start, &end);
  /* Timestamps are copied only while they are shown. */
  text = gtk_text_buffer_get_text (buffer, &start, &end,
                                   gtk_toggle_button_get_active (self->timestamps_button));
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

static void
clear_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GockerLogView *self = GOCKER_LOG_VIEW (widget);

  /* The view keeps following from here; earlier output is not loaded
   * again because the cleared part is before start_offset. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", 0);
  self->start_offset = self->end_offset;
  gtk_label_set_label (self->match_label, "");
  update_position_label (self);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GockerLogView *self = GOCKER_LOG_VIEW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

typedef struct {
  int fd;
  GFile *file;
} SaveData;

static void
save_data_free (SaveData *data)
{
  if (data->fd >= 0)
    close (data->fd);
  g_clear_object (&data->file);
  g_free (data);
}

/* Copies the whole log, raw, into the chosen file. Runs in a worker thread
 * because a log may be large. */
static void
save_thread (GTask *task, gpointer source_object, gpointer task_data,
             GCancellable *cancellable)
{
  SaveData *data = task_data;
  g_autoptr(GFileOutputStream) output = NULL;
  char buffer[64 * 1024];
  goffset offset = 0;
  GError *error = NULL;

  output = g_file_replace (data->file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, &error);
  if (output == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (;;)
    {
      ssize_t n = pread (data->fd, buffer, sizeof buffer, offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                   _("Could not read the log: %s"), g_strerror (saved_errno));
          return;
        }
      if (n == 0)
        break;
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (output), buffer, n, NULL,
                                      cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      offset += n;
    }

  if (!g_output_stream_close (G_OUTPUT_STREAM (output), cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_save_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GockerLogView *self = GOCKER_LOG_VIEW (source);
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    return;

  g_warning ("Saving the log failed: %s", error->message);
  dialog = adw_message_dialog_new (GTK_WINDOW (root), _("Could Not Save the Log"), error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_save_response (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  g_autoptr(GockerLogView) self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GTask) task = NULL;
  SaveData *data;

  if (response == GTK_RESPONSE_ACCEPT && self->fd >= 0)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      data = g_new0 (SaveData, 1);
      /* The worker gets its own descriptor, so closing the view's does not
       * pull it away mid-copy. */
      data->fd = dup (self->fd);
      data->file = g_steal_pointer (&file);
      task = g_task_new (self, NULL, on_save_done, NULL);
      g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
      g_task_run_in_thread (task, save_thread);
    }

  g_object_unref (chooser);
}

static void
save_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GockerLogView *self = GOCKER_LOG_VIEW (widget);
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  if (self->fd < 0 || self->container == NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Save Log"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  name = g_strdup_printf ("%s.log", gocker_container_get_name (self->container));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
gocker_log_view_map (GtkWidget *widget)
{
  GockerLogView *self = GOCKER_LOG_VIEW (widget);

  GTK_WIDGET_CLASS (gocker_log_view_parent_class)->map (widget);
  maybe_open_log (self);
  update_follow (self);
}

static void
gocker_log_view_unmap (GtkWidget *widget)
{
  GockerLogView *self = GOCKER_LOG_VIEW (widget);

  GTK_WIDGET_CLASS (gocker_log_view_parent_class)->unmap (widget);
  update_follow (self);
}

static void
gocker_log_view_dispose (GObject *object)
{
  GockerLogView *self = GOCKER_LOG_VIEW (object);

  g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  g_clear_handle_id (&self->follow_source, g_source_remove);
  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
  if (self->container != NULL)
    g_signal_handlers_disconnect_by_data (self->container, self);
  g_clear_object (&self->container);
  gtk_widget_dispose_template (GTK_WIDGET (self), GOCKER_TYPE_LOG_VIEW);
  /* Children of the template that are not bound to a field. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (gocker_log_view_parent_class)->dispose (object);
}

static void
gocker_log_view_class_init (GockerLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gocker_log_view_dispose;
  widget_class->map = gocker_log_view_map;
  widget_class->unmap = gocker_log_view_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/Gocker/gocker-log-view.ui");
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, follow_button);
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, timestamps_button);
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, search_button);
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, position_label);
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, search_bar);
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, previous_button);
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, next_button);
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, match_label);
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, stack);
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, text_view);
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, status_page);
  gtk_widget_class_bind_template_child (widget_class, GockerLogView, retry_button);

  gtk_widget_class_install_action (widget_class, "log.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "log.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "log.clear", NULL, clear_action);
  gtk_widget_class_install_action (widget_class, "log.search", NULL, search_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "log.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "log.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "log.clear", NULL);
}

static void
gocker_log_view_init (GockerLogView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start;

  self->fd = -1;
  gtk_widget_init_template (GTK_WIDGET (self));

  buffer = gtk_text_view_get_buffer (self->text_view);
  self->timestamp_tag = gtk_text_buffer_create_tag (buffer, "timestamp",
                                                    "invisible", TRUE,
                                                    "foreground", "#808080",
                                                    NULL);
  self->match_tag = gtk_text_buffer_create_tag (buffer, "match",
                                                "background", "#f6d32d",
                                                "foreground", "#000000",
                                                NULL);
  gtk_text_buffer_get_start_iter (buffer, &start);
  self->top_mark = gtk_text_buffer_create_mark (buffer, NULL, &start, TRUE);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->search_entry, "activate", G_CALLBACK (on_next_match), self);
  g_signal_connect_swapped (self->search_entry, "next-match", G_CALLBACK (on_next_match), self);
  g_signal_connect_swapped (self->search_entry, "previous-match", G_CALLBACK (on_previous_match), self);
  g_signal_connect_swapped (self->next_button, "clicked", G_CALLBACK (on_next_match), self);
  g_signal_connect_swapped (self->previous_button, "clicked", G_CALLBACK (on_previous_match), self);
  g_signal_connect (self->scrolled_window, "edge-reached", G_CALLBACK (on_edge_reached), self);
  g_signal_connect (self->timestamps_button, "toggled", G_CALLBACK (on_timestamps_toggled), self);
  g_signal_connect (self->follow_button, "toggled", G_CALLBACK (on_follow_toggled), self);
  g_signal_connect (self->retry_button, "clicked", G_CALLBACK (on_retry_clicked), self);

  show_message (self, _("No Container Selected"), NULL, FALSE);
}
