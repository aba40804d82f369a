/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <berth.h>

#include "berth-log.h"

/* berthd's log: messages and worse always; info with --verbose; debug with
 * --verbose twice, G_MESSAGES_DEBUG, or SetLogLevel at run time. To the
 * journal when stderr is the journal, else one line per record on stderr. */

static GLogLevelFlags max_level = G_LOG_LEVEL_MESSAGE;
static const gchar *program_name = "berthd";

static const gchar *
level_name (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "error";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "critical";
  if (level & G_LOG_LEVEL_WARNING)
    return "warning";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "message";
  if (level & G_LOG_LEVEL_INFO)
    return "info";
  return "debug";
}

static GLogWriterOutput
berth_log_writer (GLogLevelFlags log_level,
                  const GLogField *fields,
                  gsize n_fields,
                  gpointer user_data)
{
  const gchar *domain = NULL;
  const gchar *message = NULL;
  GLogLevelFlags level = log_level & G_LOG_LEVEL_MASK;
  g_autoptr(GDateTime) now = NULL;
  g_autofree gchar *stamp = NULL;

  if (level > max_level)
    {
      /* G_MESSAGES_DEBUG keeps working for developers */
      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
          domain = fields[i].value;
      if (g_log_writer_default_would_drop (level, domain))
        return G_LOG_WRITER_HANDLED;
    }

  if (g_log_writer_is_journald (fileno (stderr)))
    return g_log_writer_journald (log_level, fields, n_fields, user_data);

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  now = g_date_time_new_now_local ();
  stamp = g_date_time_format (now, "%H:%M:%S.%f");
  stamp[12] = '\0'; /* milliseconds */
  fprintf (stderr, "%s %s[%d] %s: %s%s%s\n", stamp, program_name, (gint)getpid (),
           level_name (level), domain != NULL ? domain : "", domain != NULL ? ": " : "",
           message != NULL ? message : "");
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

/**
 * berth_log_setup:
 * @program: the name to print on each line
 *
 * Installs berthd's log writer.
 */
void
berth_log_setup (const gchar *program)
{
  program_name = program;
  g_log_set_writer_func (berth_log_writer, NULL, NULL);
}

/**
 * berth_log_set_level:
 * @level: `message`, `info` or `debug`
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @level is known
 */
gboolean
berth_log_set_level (const gchar *level, GError **error)
{
  if (g_strcmp0 (level, "message") == 0)
    max_level = G_LOG_LEVEL_MESSAGE;
  else if (g_strcmp0 (level, "info") == 0)
    max_level = G_LOG_LEVEL_INFO;
  else if (g_strcmp0 (level, "debug") == 0)
    max_level = G_LOG_LEVEL_DEBUG;
  else
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "unknown log level \"%s\": use message, info or debug", level);
      return FALSE;
    }
  return TRUE;
}

const gchar *
berth_log_get_level (void)
{
  return level_name (max_level);
}
