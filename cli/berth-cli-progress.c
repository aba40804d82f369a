/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "berth-cli-progress.h"

#include "berth-cli.h"

#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Draws a job's progress as docker's jsonmessage does: on a terminal one
 * line per blob, rewritten in place, with a bar when the terminal is wider
 * than 110 columns; otherwise one plain line per status, without the byte
 * counts. */

typedef struct
{
  guint line;
  gint64 started; /* monotonic µs of the first bytes, for the time left */
} BlobLine;

struct _BerthCliProgress
{
  FILE *out;
  gboolean terminal;
  guint width;
  GHashTable *lines; /* id → BlobLine */
};

/**
 * berth_cli_progress_new:
 * @fd: where it is drawn: 1 for standard output
 *
 * Returns: (transfer full): a renderer
 */
BerthCliProgress *
berth_cli_progress_new (gint fd)
{
  BerthCliProgress *self = g_new0 (BerthCliProgress, 1);
  struct winsize ws = { 0 };

  self->out = fd == 2 ? stderr : stdout;
  self->terminal = isatty (fd);
  if (self->terminal && ioctl (fd, TIOCGWINSZ, &ws) == 0)
    self->width = ws.ws_col;
  self->lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
berth_cli_progress_free (BerthCliProgress *self)
{
  fflush (self->out);
  g_hash_table_unref (self->lines);
  g_free (self);
}

/* Go's time.Duration, whole seconds: `0s`, `42s`, `1m5s`, `2h0m1s` */
static gchar *
duration_string (guint64 seconds)
{
  if (seconds < 60)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "s", seconds);
  if (seconds < 3600)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "m%" G_GUINT64_FORMAT "s", seconds / 60,
                            seconds % 60);
  return g_strdup_printf ("%" G_GUINT64_FORMAT "h%" G_GUINT64_FORMAT "m%" G_GUINT64_FORMAT "s",
                          seconds / 3600, seconds / 60 % 60, seconds % 60);
}

/* `[=====>     ]  1.2MB/7.68MB 3s`, as docker's JSONProgress.String */
static gchar *
progress_string (BerthCliProgress *self, BlobLine *blob, guint64 current, guint64 total)
{
  GString *text = g_string_new (NULL);
  g_autofree gchar *done = NULL;
  g_autofree gchar *all = NULL;
  guint percentage;

  if (current == 0 && total == 0)
    return g_string_free (text, FALSE);
  done = berth_human_size (current);
  if (total == 0)
    {
      g_string_printf (text, "%8s", done);
      return g_string_free (text, FALSE);
    }
  percentage = MIN ((guint)((gdouble)current / (gdouble)total * 100) / 2, 50);
  if (self->width > 110)
    {
      g_string_append_c (text, '[');
      for (guint i = 0; i < percentage; i++)
        g_string_append_c (text, '=');
      g_string_append_c (text, '>');
      for (guint i = percentage; i < 50; i++)
        g_string_append_c (text, ' ');
      g_string_append (text, "] ");
    }
  all = berth_human_size (total);
  if (current <= total)
    g_string_append_printf (text, "%8s/%s", done, all);
  if (current > 0 && current < total && self->width > 50 && blob->started > 0)
    {
      gdouble elapsed = (gdouble)(g_get_monotonic_time () - blob->started) / G_USEC_PER_SEC;
      g_autofree gchar *left
        = duration_string ((guint64)(elapsed / (gdouble)current * (gdouble)(total - current)));
      g_string_append_printf (text, " %s", left);
    }
  return g_string_free (text, FALSE);
}

static void
update_terminal (
  BerthCliProgress *self, const gchar *id, const gchar *status, guint64 current, guint64 total)
{
  BlobLine *blob = g_hash_table_lookup (self->lines, id);
  g_autofree gchar *bar = NULL;
  guint diff;

  if (blob == NULL)
    {
      blob = g_new0 (BlobLine, 1);
      blob->line = g_hash_table_size (self->lines);
      g_hash_table_insert (self->lines, g_strdup (id), blob);
      fputc ('\n', self->out);
    }
  if (current > 0 && blob->started == 0)
    blob->started = g_get_monotonic_time ();
  bar = progress_string (self, blob, current, total);
  /* up to the blob's line, rewrite it, back down below the last one */
  diff = g_hash_table_size (self->lines) - blob->line;
  fprintf (self->out, "\033[%uA\033[2K\r%s: %s %s\r\033[%uB", diff, id, status, bar, diff);
}

/**
 * berth_cli_progress_update:
 * @self: a renderer
 * @id: a blob's short ID, or "" for a line of its own
 * @status: docker's words
 * @current: bytes done, or 0
 * @total: bytes in all, or 0
 */
void
berth_cli_progress_update (
  BerthCliProgress *self, const gchar *id, const gchar *status, guint64 current, guint64 total)
{
  if (id[0] == '\0')
    {
      /* a line of its own ends the block of blob lines above it */
      g_hash_table_remove_all (self->lines);
      fprintf (self->out, "%s\n", status);
    }
  else if (self->terminal)
    update_terminal (self, id, status, current, total);
  else if (total == 0)
    fprintf (self->out, "%s: %s\n", id, status);
  fflush (self->out);
}
