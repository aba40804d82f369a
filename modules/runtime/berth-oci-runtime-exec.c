/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthRuntime"

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "berth-oci-runtime-private.h"

/* running the runtime binary: one process per operation, its own messages
 * read as JSON lines (--log-format json) from its stderr or --log file */

/* the runtime's messages: with --log-format json one object per line, of
 * which the errors are kept; any other text is kept as it is */
static gchar *
runtime_message (const gchar *text)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  g_autoptr(GString) errors = g_string_new (NULL);
  g_autoptr(GString) raw = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const gchar *line = g_strstrip (lines[i]);
      g_autoptr(JsonNode) node = NULL;
      JsonObject *object;
      const gchar *msg;
      const gchar *level;

      if (line[0] == '\0')
        continue;
      if (line[0] == '{')
        node = berth_json_parse (line, -1, NULL);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          g_string_append_printf (raw, "%s%s", raw->len > 0 ? "; " : "", line);
          continue;
        }
      object = json_node_get_object (node);
      msg = json_object_get_string_member_with_default (object, "msg", NULL);
      level = json_object_get_string_member_with_default (object, "level", "error");
      if (msg != NULL
          && g_strv_contains ((const gchar *const[]){ "error", "fatal", "panic", NULL }, level))
        g_string_append_printf (errors, "%s%s", errors->len > 0 ? "; " : "", msg);
    }
  if (errors->len > 0)
    return g_string_free (g_steal_pointer (&errors), FALSE);
  if (raw->len > 0)
    return g_string_free (g_steal_pointer (&raw), FALSE);
  return NULL;
}

static GSubprocessLauncher *
new_launcher (GSubprocessFlags flags)
{
  /* every descriptor berthd opens is close-on-exec: GLib can then spawn
   * with posix_spawn (vfork) rather than fork the whole daemon */
  GSubprocessLauncher *launcher
    = g_subprocess_launcher_new (flags | G_SUBPROCESS_FLAGS_INHERIT_FDS);

  /* berthd may run under systemd: runc hands NOTIFY_SOCKET to the
   * container and waits for its READY=1, and passes LISTEN_FDS sockets on;
   * neither is meant for a plugin */
  g_subprocess_launcher_unsetenv (launcher, "NOTIFY_SOCKET");
  g_subprocess_launcher_unsetenv (launcher, "LISTEN_FDS");
  g_subprocess_launcher_unsetenv (launcher, "LISTEN_PID");
  g_subprocess_launcher_unsetenv (launcher, "LISTEN_FDNAMES");
  return launcher;
}

static GPtrArray *
new_argv (BerthOciRuntime *self, const gchar *log_path)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer)berth_oci_runtime_get_binary (self));
  g_ptr_array_add (argv, (gpointer) "--root");
  g_ptr_array_add (argv, (gpointer)berth_oci_runtime_get_root (self));
  if (log_path != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--log");
      g_ptr_array_add (argv, (gpointer)log_path);
    }
  g_ptr_array_add (argv, (gpointer) "--log-format");
  g_ptr_array_add (argv, (gpointer) "json");
  return argv;
}

static gboolean
set_exit_error (BerthOciRuntime *self, GSubprocess *process, const gchar *text, GError **error)
{
  g_autofree gchar *message = runtime_message (text);

  if (message != NULL)
    g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_FAILED, message);
  else if (g_subprocess_get_if_signaled (process))
    g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "%s was killed by signal %d",
                 BERTH_OCI_RUNTIME_GET_CLASS (self)->name, g_subprocess_get_term_sig (process));
  else
    g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "%s exited with code %d and said nothing",
                 BERTH_OCI_RUNTIME_GET_CLASS (self)->name, g_subprocess_get_exit_status (process));
  return FALSE;
}

static gboolean
spawn_failed (BerthOciRuntime *self, GError **error)
{
  berth_error_convert (error);
  g_prefix_error (error, "running %s: ", berth_oci_runtime_get_binary (self));
  return FALSE;
}

/**
 * berth_oci_runtime_run:
 * @self: a #BerthOciRuntime
 * @args: the command and its arguments, after the global options
 * @out_stdout: (out) (optional): what the runtime printed
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs a command that starts no container's process (state, kill, delete,
 * list); its output is read through pipes.
 *
 * Returns: %TRUE if the runtime exited with 0; else @error holds its own
 *   error messages
 */
gboolean
berth_oci_runtime_run (BerthOciRuntime *self,
                       const gchar *const *args,
                       gchar **out_stdout,
                       GCancellable *cancellable,
                       GError **error)
{
  g_autoptr(GPtrArray) argv = new_argv (self, NULL);
  g_autoptr(GSubprocessLauncher) launcher
             = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;

  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const gchar *const *)argv->pdata, error);
  if (process == NULL)
    return spawn_failed (self, error);
  if (!g_subprocess_communicate_utf8 (process, NULL, cancellable, &out, &err, error))
    {
      g_subprocess_force_exit (process);
      berth_error_convert (error);
      return FALSE;
    }
  if (!g_subprocess_get_successful (process))
    return set_exit_error (self, process, err, error);
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  return TRUE;
}

/**
 * berth_oci_runtime_run_container:
 * @self: a #BerthOciRuntime
 * @args: the command and its arguments, after the global options
 * @stdin_fd: the container's stdin, or -1 for /dev/null
 * @stdout_fd: its stdout, or -1 for /dev/null
 * @stderr_fd: its stderr, or -1 for /dev/null
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs a command that starts a container's process (run, create). The
 * runtime hands its own stdio to that process, so none of it may be a pipe
 * berth waits on; the runtime's messages come from a `--log` file.
 *
 * Returns: %TRUE if the runtime exited with 0; else @error holds its own
 *   error messages
 */
gboolean
berth_oci_runtime_run_container (BerthOciRuntime *self,
                                 const gchar *const *args,
                                 gint stdin_fd,
                                 gint stdout_fd,
                                 gint stderr_fd,
                                 GCancellable *cancellable,
                                 GError **error)
{
  const gint fds[3] = { stdin_fd, stdout_fd, stderr_fd };
  gint dups[3] = { -1, -1, -1 };
  g_autofree gchar *log_path = berth_oci_runtime_next_work_path (self, "log");
  g_autoptr(GPtrArray) argv = new_argv (self, log_path);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) wait_error = NULL;
  g_autofree gchar *log = NULL;

  /* the launcher takes its descriptors: hand it copies */
  for (guint i = 0; i < 3; i++)
    if (fds[i] >= 0 && (dups[i] = fcntl (fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
      {
        int errsv = errno;
        for (guint j = 0; j < i; j++)
          if (dups[j] >= 0)
            close (dups[j]);
        g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                     "the container's stdio fd %d: %s", fds[i], g_strerror (errsv));
        return FALSE;
      }
  /* without a descriptor, stdin is /dev/null */
  launcher = new_launcher ((dups[1] < 0 ? G_SUBPROCESS_FLAGS_STDOUT_SILENCE : 0)
                           | (dups[2] < 0 ? G_SUBPROCESS_FLAGS_STDERR_SILENCE : 0));
  if (dups[0] >= 0)
    g_subprocess_launcher_take_stdin_fd (launcher, dups[0]);
  if (dups[1] >= 0)
    g_subprocess_launcher_take_stdout_fd (launcher, dups[1]);
  if (dups[2] >= 0)
    g_subprocess_launcher_take_stderr_fd (launcher, dups[2]);

  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const gchar *const *)argv->pdata, error);
  if (process == NULL)
    return spawn_failed (self, error);
  if (!g_subprocess_wait (process, cancellable, &wait_error))
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      (void)g_unlink (log_path);
      g_propagate_error (error, g_steal_pointer (&wait_error));
      berth_error_convert (error);
      return FALSE;
    }
  (void)g_file_get_contents (log_path, &log, NULL, NULL);
  (void)g_unlink (log_path);
  if (!g_subprocess_get_successful (process))
    return set_exit_error (self, process, log, error);
  return TRUE;
}

/**
 * berth_oci_runtime_read_pid_file:
 * @path: a `--pid-file` the runtime wrote
 * @out_pid: (out): the pid in it
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @path holds a pid
 */
gboolean
berth_oci_runtime_read_pid_file (const gchar *path, GPid *out_pid, GError **error)
{
  g_autofree gchar *text = NULL;
  guint64 pid = 0;

  if (!g_file_get_contents (path, &text, NULL, error))
    {
      berth_error_convert (error);
      g_prefix_error (error, "reading the container's pid: ");
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (g_strstrip (text), 10, 1, G_MAXINT32, &pid, error))
    {
      berth_error_convert (error);
      g_prefix_error (error, "reading the container's pid from %s: ", path);
      return FALSE;
    }
  *out_pid = (GPid)pid;
  return TRUE;
}
