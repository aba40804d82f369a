/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "berth-test-harness.h"

/**
 * berth_test_die_with_parent:
 * @data: unused
 *
 * A child setup function: the daemons a test starts die with it, also when
 * an assertion aborts it before its cleanup runs.
 */
void
berth_test_die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

const gchar *
berth_test_binary (const gchar *env_name)
{
  const gchar *path = g_getenv (env_name);
  if (path == NULL)
    g_error ("%s is not set: run the tests with meson test", env_name);
  return path;
}

BerthTestDaemon *
berth_test_daemon_new (void)
{
  BerthTestDaemon *d = g_new0 (BerthTestDaemon, 1);
  g_autoptr(GError) error = NULL;

  d->tmp = g_dir_make_tmp ("berth-test-XXXXXX", &error);
  g_assert_no_error (error);
  /* other users (the non-root tests) must reach the socket */
  g_assert_no_errno (g_chmod (d->tmp, 0755));
  d->root = g_build_filename (d->tmp, "root", NULL);
  d->run_dir = g_build_filename (d->tmp, "run", NULL);
  d->module_dir = g_build_filename (d->tmp, "modules-1", NULL);
  d->log_path = g_build_filename (d->tmp, "berthd.log", NULL);
  d->address = g_strdup_printf ("unix:path=%s/berth.sock", d->run_dir);
  g_assert_no_errno (g_mkdir (d->module_dir, 0755));
  return d;
}

void
berth_test_daemon_set_config (BerthTestDaemon *d, const gchar *text)
{
  g_autoptr(GError) error = NULL;
  g_free (d->config);
  d->config = g_build_filename (d->tmp, "berthd.conf", NULL);
  g_file_set_contents (d->config, text, -1, &error);
  g_assert_no_error (error);
}

/* copies a test module into a module directory (NULL: the daemon's) */
void
berth_test_daemon_add_module (BerthTestDaemon *d, const gchar *name, const gchar *dir)
{
  const gchar *modules = berth_test_binary ("BERTH_TEST_MODULES");
  g_autofree gchar *file = g_strdup_printf ("libberth-module-%s.so", name);
  g_autofree gchar *src = g_build_filename (modules, file, NULL);
  g_autofree gchar *dst = g_build_filename (dir != NULL ? dir : d->module_dir, file, NULL);
  g_autofree gchar *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (src, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (dst, contents, len, &error);
  g_assert_no_error (error);
}

static gboolean
socket_answers (const gchar *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  gint fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gboolean ok;

  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
  ok = connect (fd, (struct sockaddr *)&addr, sizeof addr) == 0;
  close (fd);
  return ok;
}

gboolean
berth_test_daemon_start (BerthTestDaemon *d, const gchar *const *extra_args, GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree gchar *socket = g_build_filename (d->run_dir, "berth.sock", NULL);
  gint log_fd;
  gboolean ok;

  g_ptr_array_add (argv, (gpointer)berth_test_binary ("BERTHD"));
  g_ptr_array_add (argv, "--root");
  g_ptr_array_add (argv, d->root);
  g_ptr_array_add (argv, "--run-dir");
  g_ptr_array_add (argv, d->run_dir);
  g_ptr_array_add (argv, "--verbose");
  if (d->config != NULL)
    {
      g_ptr_array_add (argv, "--config");
      g_ptr_array_add (argv, d->config);
    }
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)extra_args[i]);
  g_ptr_array_add (argv, NULL);
  envp = g_environ_setenv (envp, "BERTH_MODULE_DIR", d->module_dir, TRUE);
  envp = g_environ_unsetenv (envp, "BERTH_CONFIG");

  log_fd = open (d->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  g_assert_cmpint (log_fd, >=, 0);
  ok = g_spawn_async_with_pipes_and_fds (NULL, (const gchar *const *)argv->pdata,
                                         (const gchar *const *)envp, G_SPAWN_DO_NOT_REAP_CHILD,
                                         berth_test_die_with_parent, NULL, -1, log_fd, log_fd, NULL,
                                         NULL, 0, &d->pid, NULL, NULL, NULL, error);
  close (log_fd);
  if (!ok)
    return FALSE;

  /* ready when the socket accepts; no fixed sleeps */
  for (guint i = 0; i < 10000; i++)
    {
      gint status;
      if (waitpid (d->pid, &status, WNOHANG) == d->pid)
        {
          g_autofree gchar *log = berth_test_daemon_log (d);
          d->pid = 0;
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "berthd exited (status %d): %s",
                       WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status), log);
          return FALSE;
        }
      if (g_file_test (socket, G_FILE_TEST_EXISTS) && socket_answers (socket))
        return TRUE;
      g_usleep (1000);
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_TIMED_OUT, "berthd did not listen within 10 s");
  return FALSE;
}

/* returns the exit status, or 128 + the signal that ended it */
gint
berth_test_daemon_stop (BerthTestDaemon *d, gint signum)
{
  gint status = 0;

  if (d->pid == 0)
    return -1;
  kill (d->pid, signum);
  g_assert_cmpint (waitpid (d->pid, &status, 0), ==, d->pid);
  d->pid = 0;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

gchar *
berth_test_daemon_log (BerthTestDaemon *d)
{
  gchar *log = NULL;
  if (!g_file_get_contents (d->log_path, &log, NULL, NULL))
    return g_strdup ("");
  return log;
}

static void
rm_rf (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree gchar *child = g_build_filename (path, name, NULL);
        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          rm_rf (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

/* plugins outlive berthd on purpose (live restore); a test leaves none
 * behind: processes whose root is below the test's directory go, and so do
 * mounts there */
static void
kill_leftovers (const gchar *tmp)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  g_autofree gchar *mountinfo = NULL;
  const gchar *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree gchar *link = g_strdup_printf ("/proc/%s/root", name);
      g_autofree gchar *root = g_file_read_link (link, NULL);
      if (g_ascii_isdigit (name[0]) && root != NULL && g_str_has_prefix (root, tmp))
        kill (atoi (name), SIGKILL);
    }
  if (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (mountinfo, "\n", -1);
      /* the newest mounts first */
      for (gint i = (gint)g_strv_length (lines) - 1; i >= 0; i--)
        {
          g_auto(GStrv) fields = g_strsplit (lines[i], " ", 6);
          if (g_strv_length (fields) >= 5 && g_str_has_prefix (fields[4], tmp))
            umount2 (fields[4], MNT_DETACH);
        }
    }
}

void
berth_test_daemon_free (BerthTestDaemon *d)
{
  if (d->pid != 0)
    berth_test_daemon_stop (d, SIGKILL);
  kill_leftovers (d->tmp);
  if (g_getenv ("BERTH_TEST_KEEP") == NULL)
    rm_rf (d->tmp);
  g_free (d->tmp);
  g_free (d->root);
  g_free (d->run_dir);
  g_free (d->module_dir);
  g_free (d->config);
  g_free (d->address);
  g_free (d->log_path);
  g_free (d);
}

static void
drop_to_uid (gpointer user_data)
{
  uid_t uid = GPOINTER_TO_UINT (user_data);
  /* the test runs as root; become an ordinary user with no groups */
  if (setgroups (0, NULL) != 0 || setgid (uid) != 0 || setuid (uid) != 0)
    _exit (126);
}

BerthTestResult *
berth_test_spawn (const gchar *const *argv, const gchar *const *envp, uid_t as_uid)
{
  BerthTestResult *r = g_new0 (BerthTestResult, 1);
  g_autoptr(GError) error = NULL;
  gint wait_status = 0;

  g_spawn_sync (NULL, (gchar **)argv, (gchar **)envp, G_SPAWN_DEFAULT,
                as_uid == BERTH_TEST_AS_CALLER ? NULL : drop_to_uid, GUINT_TO_POINTER (as_uid),
                &r->out, &r->err, &wait_status, &error);
  g_assert_no_error (error);
  r->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
  g_test_message ("$ %s → %d\n%s%s", argv[0], r->status, r->out, r->err);
  return r;
}

BerthTestResult *
berth_test_runv (BerthTestDaemon *d, uid_t as_uid, const gchar *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree gchar *copy = NULL;
  const gchar *berth = berth_test_binary ("BERTH");

  /* another user may not reach the build tree (a checkout in a private
   * directory): it runs a copy from the test's own directory */
  if (as_uid != BERTH_TEST_AS_CALLER && d != NULL)
    {
      copy = g_build_filename (d->tmp, "berth", NULL);
      if (!g_file_test (copy, G_FILE_TEST_EXISTS))
        {
          g_autoptr(GFile) from = g_file_new_for_path (berth);
          g_autoptr(GFile) to = g_file_new_for_path (copy);
          g_autoptr(GError) error = NULL;
          g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
          g_assert_no_error (error);
          g_assert_no_errno (g_chmod (copy, 0755));
        }
      berth = copy;
    }
  g_ptr_array_add (argv, (gpointer)berth);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);
  if (d != NULL)
    envp = g_environ_setenv (envp, "BERTH_ADDRESS", d->address, TRUE);
  return berth_test_spawn ((const gchar *const *)argv->pdata, (const gchar *const *)envp, as_uid);
}

BerthTestResult *
berth_test_run (BerthTestDaemon *d, uid_t as_uid, const gchar *first_arg, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const gchar *a = first_arg; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer)a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return berth_test_runv (d, as_uid, (const gchar *const *)args->pdata);
}

void
berth_test_result_free (BerthTestResult *r)
{
  g_free (r->out);
  g_free (r->err);
  g_free (r);
}

JsonNode *
berth_test_parse_json (const gchar *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = berth_json_parse (text, -1, &error);
  g_assert_no_error (error);
  return node;
}

/* berthd with the modules this build made (content store, snapshotter,
 * runtime), not the test modules */
void
berth_test_daemon_use_build_modules (BerthTestDaemon *d)
{
  g_free (d->module_dir);
  d->module_dir = g_strdup (berth_test_binary ("BERTH_TEST_BUILD_MODULES"));
}

/**
 * berth_test_daemon_start_built:
 *
 * Returns: (transfer full): a started berthd with the modules of this build
 */
BerthTestDaemon *
berth_test_daemon_start_built (void)
{
  BerthTestDaemon *d = berth_test_daemon_new ();
  g_autoptr(GError) error = NULL;

  berth_test_daemon_use_build_modules (d);
  if (!berth_test_daemon_start (d, NULL, &error))
    g_error ("cannot start berthd: %s", error->message);
  return d;
}

/* plugins need root (namespaces, mounts) and runc; else the test is skipped */
gboolean
berth_test_can_run_plugins (void)
{
  g_autofree gchar *runc = g_find_program_in_path ("runc");

  if (getuid () != 0)
    {
      g_test_skip ("plugins need root (namespaces, mounts)");
      return FALSE;
    }
  if (runc == NULL)
    {
      g_test_skip ("runc is not installed");
      return FALSE;
    }
  return TRUE;
}

/* plugins outlive berthd on purpose (live restore): tests stop them here */
void
berth_test_remove_all_plugins (BerthTestDaemon *d)
{
  g_autoptr(BerthTestResult) ids
             = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "ls", "-q", "--no-trunc", NULL);
  g_auto(GStrv) lines = g_strsplit (ids->out != NULL ? ids->out : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      {
        g_autoptr(BerthTestResult) r
                   = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "rm", "-f", lines[i], NULL);
      }
}

/* a plugin folder: config.json and a busybox rootfs, in the test's tmp */
gchar *
berth_test_make_plugin (BerthTestDaemon *d, const gchar *name, const gchar *config_json)
{
  g_autofree gchar *dir = g_build_filename (d->tmp, name, NULL);
  g_autofree gchar *bin = g_build_filename (dir, "rootfs", "bin", NULL);
  g_autofree gchar *config = g_build_filename (dir, "config.json", NULL);
  g_autofree gchar *busybox = g_build_filename (bin, "busybox", NULL);
  g_autofree gchar *sh = g_build_filename (bin, "sh", NULL);
  g_autofree gchar *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  g_assert_no_errno (g_mkdir_with_parents (bin, 0755));
  g_file_get_contents ("/bin/busybox", &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (busybox, contents, len, G_FILE_SET_CONTENTS_NONE, 0755, &error);
  g_assert_no_error (error);
  g_assert_no_errno (symlink ("busybox", sh));
  g_file_set_contents (config, config_json, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&dir);
}

/* runs berth and insists it succeeds; returns its stdout */
gchar *
berth_test_run_ok (BerthTestDaemon *d, const gchar *first_arg, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(BerthTestResult) r = NULL;
  va_list ap;

  va_start (ap, first_arg);
  for (const gchar *a = first_arg; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer)a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  r = berth_test_runv (d, BERTH_TEST_AS_CALLER, (const gchar *const *)args->pdata);
  if (r->status != 0)
    g_error ("berth %s failed (%d): %s", first_arg, r->status, r->err);
  return g_steal_pointer (&r->out);
}

/* runs berth as the caller with @input on its stdin: a pipe, never a
 * terminal, whatever the test's own stdin is */
BerthTestResult *
berth_test_run_with_input (BerthTestDaemon *d, const gchar *input, const gchar *first_arg, ...)
{
  BerthTestResult *r = g_new0 (BerthTestResult, 1);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                                                 | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                 | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;

  g_ptr_array_add (argv, (gpointer)berth_test_binary ("BERTH"));
  va_start (ap, first_arg);
  for (const gchar *a = first_arg; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (argv, (gpointer)a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (l, "BERTH_ADDRESS", d->address, TRUE);
  proc = g_subprocess_launcher_spawnv (l, (const gchar *const *)argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input, NULL, &r->out, &r->err, &error);
  g_assert_no_error (error);
  r->status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc)
                                                : 128 + g_subprocess_get_term_sig (proc);
  g_test_message ("$ %s → %d\n%s%s", first_arg, r->status, r->out, r->err);
  return r;
}
static gboolean
port_open (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_socket_client_set_enable_proxy (client, FALSE);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return conn != NULL;
}

/* a port on 127.0.0.1 nobody listens on, now */
guint16
berth_test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) any = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (any, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/**
 * berth_test_registry_start:
 * @dir: where its storage, configuration and log go
 *
 * Returns: (transfer full): a real docker-registry on 127.0.0.1, listening
 */
BerthTestRegistry *
berth_test_registry_start (const gchar *dir)
{
  BerthTestRegistry *r = g_new0 (BerthTestRegistry, 1);
  guint16 port = berth_test_free_port ();
  g_autofree gchar *yml_path = g_build_filename (dir, "registry.yml", NULL);
  g_autofree gchar *log = g_build_filename (dir, "registry.log", NULL);
  g_autofree gchar *yml
    = g_strdup_printf ("version: 0.1\nlog:\n  level: warn\n"
                       "storage:\n  filesystem:\n    rootdirectory: %s/registry\n"
                       "http:\n  addr: 127.0.0.1:%u\n",
                       dir, port);
  g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (yml_path, yml, -1, NULL));
  g_subprocess_launcher_set_stdout_file_path (l, log);
  g_subprocess_launcher_set_stderr_file_path (l, log);
  g_subprocess_launcher_set_child_setup (l, berth_test_die_with_parent, NULL, NULL);
  r->proc = g_subprocess_launcher_spawn (l, &error, "docker-registry", "serve", yml_path, NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 300 && !port_open (port); i++)
    g_usleep (50000);
  g_assert_true (port_open (port));
  r->host = g_strdup_printf ("127.0.0.1:%u", port);
  return r;
}

void
berth_test_registry_stop (BerthTestRegistry *r)
{
  g_subprocess_send_signal (r->proc, SIGTERM);
  g_subprocess_wait (r->proc, NULL, NULL);
  g_object_unref (r->proc);
  g_free (r->host);
  g_free (r);
}
