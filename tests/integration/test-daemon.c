/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berthd and berth, both real, on a temporary root and socket */
#include "config.h"

#include <glib/gstdio.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth-test-harness.h"

#define NOBODY ((uid_t)65534)

static void
start_or_fail (BerthTestDaemon *d, const gchar *const *extra)
{
  g_autoptr(GError) error = NULL;
  if (!berth_test_daemon_start (d, extra, &error))
    g_error ("cannot start berthd: %s", error->message);
}

static JsonObject *
find_module (JsonArray *modules, const gchar *kind, const gchar *name)
{
  for (guint i = 0; i < json_array_get_length (modules); i++)
    {
      JsonObject *m = json_array_get_object_element (modules, i);
      if (g_str_equal (json_object_get_string_member (m, "Kind"), kind)
          && g_str_equal (json_object_get_string_member (m, "Name"), name))
        return m;
    }
  return NULL;
}

static void
assert_module (JsonArray *modules,
               const gchar *kind,
               const gchar *name,
               const gchar *status,
               const gchar *error_part)
{
  JsonObject *m = find_module (modules, kind, name);
  if (m == NULL)
    g_error ("module %s/%s is not reported", kind, name);
  g_assert_cmpstr (json_object_get_string_member (m, "Status"), ==, status);
  if (error_part == NULL)
    g_assert_cmpstr (json_object_get_string_member (m, "Error"), ==, "");
  else if (strstr (json_object_get_string_member (m, "Error"), error_part) == NULL)
    g_error ("module %s: error \"%s\" does not say \"%s\"", name,
             json_object_get_string_member (m, "Error"), error_part);
}

static void
test_version (void)
{
  g_autoptr(BerthTestDaemon) d = berth_test_daemon_new ();
  g_autoptr(BerthTestResult) r = NULL;
  g_autoptr(BerthTestResult) j = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree gchar *expected_pid = NULL;
  JsonObject *server;

  start_or_fail (d, NULL);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "version", NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_nonnull (strstr (r->out, "Client:\n Version:       " PACKAGE_VERSION));
  g_assert_nonnull (strstr (r->out, "Server:\n Version:       " PACKAGE_VERSION));
  expected_pid = g_strdup_printf (" PID:           %d\n", d->pid);
  g_assert_nonnull (strstr (r->out, expected_pid));

  j = berth_test_run (d, BERTH_TEST_AS_CALLER, "version", "--json", NULL);
  g_assert_cmpint (j->status, ==, 0);
  node = berth_test_parse_json (j->out);
  server = json_object_get_object_member (json_node_get_object (node), "Server");
  g_assert_cmpstr (json_object_get_string_member (server, "Version"), ==, PACKAGE_VERSION);
  g_assert_cmpstr (json_object_get_string_member (server, "Address"), ==, d->address);
  g_assert_cmpint (json_object_get_int_member (server, "Pid"), ==, d->pid);
}

/* berthd runs itself again with plain malloc where GSlice would keep freed
 * memory: the same process, under its own name */
static void
test_plain_malloc (void)
{
  g_autoptr(BerthTestDaemon) d = berth_test_daemon_new ();
  g_autofree gchar *path = NULL;
  g_autofree gchar *comm = NULL;
  g_autofree gchar *environ_ = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  gboolean found = FALSE;

  start_or_fail (d, NULL);
  path = g_strdup_printf ("/proc/%d/comm", d->pid);
  g_assert_true (g_file_get_contents (path, &comm, NULL, NULL));
  g_assert_cmpstr (comm, ==, "berthd\n");
  g_free (path);
  path = g_strdup_printf ("/proc/%d/environ", d->pid);
  g_assert_true (g_file_get_contents (path, &environ_, &len, NULL));
  for (const gchar *p = environ_; p < environ_ + len; p += strlen (p) + 1)
    found = found || g_str_equal (p, "G_SLICE=always-malloc");
  if (glib_check_version (2, 76, 0) != NULL)
    g_assert_true (found);
  /* and it serves */
  g_free (berth_test_run_ok (d, "version", NULL));

  /* nothing it holds reaches the programs it runs: the runtime spawns runc
   * with berthd's descriptors, trusting them to be close-on-exec */
  {
    g_autofree gchar *fds = g_strdup_printf ("/proc/%d/fdinfo", d->pid);
    g_autoptr(GDir) dir = g_dir_open (fds, 0, &error);
    const gchar *name;
    g_assert_no_error (error);
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree gchar *info_path = g_build_filename (fds, name, NULL);
        g_autofree gchar *info = NULL;
        const gchar *flags;
        if (atoi (name) <= 2 || !g_file_get_contents (info_path, &info, NULL, NULL))
          continue;
        flags = strstr (info, "flags:");
        g_assert_nonnull (flags);
        g_test_message ("fd %s: %.16s", name, flags);
        g_assert_true ((g_ascii_strtoull (flags + 6, NULL, 8) & 02000000) != 0);
      }
  }
}

static void
test_system_info (void)
{
  g_autoptr(BerthTestDaemon) d = berth_test_daemon_new ();
  g_autoptr(BerthTestResult) r = NULL;
  g_autoptr(BerthTestResult) text = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *info;

  start_or_fail (d, NULL);
  /* global options go before the command too, as with docker */
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "--json", "system", "info", NULL);
  g_assert_cmpint (r->status, ==, 0);
  node = berth_test_parse_json (r->out);
  info = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (info, "Root"), ==, d->root);
  g_assert_cmpstr (json_object_get_string_member (info, "RunDir"), ==, d->run_dir);
  g_assert_cmpstr (json_object_get_string_member (info, "ModuleDir"), ==, d->module_dir);
  g_assert_cmpint (json_object_get_int_member (info, "Plugins"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (info, "Volumes"), ==, 0);
  g_assert_true (g_file_test (d->root, G_FILE_TEST_IS_DIR));

  text = berth_test_run (d, BERTH_TEST_AS_CALLER, "system", "info", NULL);
  g_assert_cmpint (text->status, ==, 0);
  g_assert_true (g_str_has_prefix (text->out, "Server Version: " PACKAGE_VERSION "\n"));
  g_assert_nonnull (strstr (text->out, "Root: "));
  g_assert_nonnull (strstr (text->out, " KIND   NAME   MODULE   STATUS   ERROR\n"));
}

static void
test_modules (void)
{
  g_autoptr(BerthTestDaemon) d = berth_test_daemon_new ();
  g_autoptr(BerthTestResult) r = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree gchar *other_abi = NULL;
  JsonArray *modules;

  for (const gchar *const *m
       = (const gchar *const[]){ "good", "empty", "fails", "badsym", "abi2", "notberth", NULL };
       *m != NULL; m++)
    berth_test_daemon_add_module (d, *m, NULL);
  /* a module in another ABI's directory is never even opened */
  other_abi = g_build_filename (d->tmp, "modules-2", NULL);
  g_assert_no_errno (g_mkdir (other_abi, 0755));
  berth_test_daemon_add_module (d, "fails", other_abi);
  {
    g_autofree gchar *from = g_build_filename (other_abi, "libberth-module-fails.so", NULL);
    g_autofree gchar *to = g_build_filename (other_abi, "libberth-module-otherabi.so", NULL);
    g_assert_no_errno (g_rename (from, to));
  }

  start_or_fail (d, NULL);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "system", "info", "--json", NULL);
  g_assert_cmpint (r->status, ==, 0);
  node = berth_test_parse_json (r->out);
  modules = json_object_get_array_member (json_node_get_object (node), "Modules");

  assert_module (modules, "driver", "test-echo", "active", NULL);
  /* the higher priority wins by default */
  assert_module (modules, "runtime", "beta", "active", NULL);
  assert_module (modules, "runtime", "alpha", "standby", NULL);
  assert_module (modules, "", "empty", "empty", "implements no extension point");
  assert_module (modules, "", "fails", "failed", "needs a frobnicator");
  assert_module (modules, "", "badsym", "failed",
                 "undefined symbol: berth_test_symbol_that_does_not_exist");
  assert_module (modules, "", "abi2", "failed", "built for module ABI 2, berthd has ABI 1");
  assert_module (modules, "", "notberth", "failed", "not a berth module");
  g_assert_null (find_module (modules, "", "otherabi"));
  g_assert_cmpuint (json_array_get_length (modules), ==, 8);

  /* broken modules did not stop berthd from serving */
  {
    g_autoptr(BerthTestResult) v = berth_test_run (d, BERTH_TEST_AS_CALLER, "version", NULL);
    g_assert_cmpint (v->status, ==, 0);
  }
}

static void
test_modules_configured (void)
{
  g_autoptr(BerthTestDaemon) d = berth_test_daemon_new ();
  g_autoptr(BerthTestResult) r = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *modules;

  berth_test_daemon_add_module (d, "good", NULL);
  berth_test_daemon_add_module (d, "fails", NULL);
  berth_test_daemon_set_config (d, "[modules]\nruntime=alpha\ndisable=fails;\n");
  start_or_fail (d, NULL);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "system", "info", "--json", NULL);
  g_assert_cmpint (r->status, ==, 0);
  node = berth_test_parse_json (r->out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "ConfigFile"), ==,
                   d->config);
  modules = json_object_get_array_member (json_node_get_object (node), "Modules");
  assert_module (modules, "runtime", "alpha", "active", NULL);
  assert_module (modules, "runtime", "beta", "standby", NULL);
  assert_module (modules, "", "fails", "disabled", "disabled by configuration");
}

static void
test_bad_config (void)
{
  g_autoptr(BerthTestDaemon) d = berth_test_daemon_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *log = NULL;

  berth_test_daemon_set_config (d, "[modules\nruntime=alpha\n");
  g_assert_false (berth_test_daemon_start (d, NULL, &error));
  g_assert_nonnull (strstr (error->message, "status 1"));
  log = berth_test_daemon_log (d);
  g_assert_nonnull (strstr (log, d->config));
}

static void
test_second_daemon_refused (void)
{
  g_autoptr(BerthTestDaemon) d = berth_test_daemon_new ();
  g_autofree gchar *other_run = NULL;
  g_autofree gchar *other_root = NULL;
  g_autofree gchar *pid = NULL;
  g_autoptr(BerthTestResult) r = NULL;
  g_autoptr(BerthTestResult) r2 = NULL;

  start_or_fail (d, NULL);
  other_run = g_build_filename (d->tmp, "run2", NULL);
  other_root = g_build_filename (d->tmp, "root2", NULL);
  pid = g_strdup_printf ("(pid %d)", d->pid);

  /* same root, another run dir */
  r = berth_test_spawn ((const gchar *const[]){ berth_test_binary ("BERTHD"), "--root", d->root,
                                                "--run-dir", other_run, NULL },
                        NULL, BERTH_TEST_AS_CALLER);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "another berthd"));
  g_assert_nonnull (strstr (r->err, pid));
  g_assert_nonnull (strstr (r->err, d->root));

  /* another root, the same run dir (and so the same socket) */
  r2 = berth_test_spawn ((const gchar *const[]){ berth_test_binary ("BERTHD"), "--root", other_root,
                                                 "--run-dir", d->run_dir, NULL },
                         NULL, BERTH_TEST_AS_CALLER);
  g_assert_cmpint (r2->status, ==, 1);
  g_assert_nonnull (strstr (r2->err, "another berthd"));

  /* the first one still serves */
  {
    g_autoptr(BerthTestResult) v = berth_test_run (d, BERTH_TEST_AS_CALLER, "version", NULL);
    g_assert_cmpint (v->status, ==, 0);
  }
}

static void
test_unreachable (void)
{
  g_autoptr(BerthTestDaemon) d = berth_test_daemon_new ();
  g_autoptr(BerthTestResult) r = NULL;
  g_autoptr(BerthTestResult) info = NULL;
  g_auto(GStrv) lines = NULL;

  /* nothing listens at d->address */
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "version", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->out, "Client:"));
  info = berth_test_run (d, BERTH_TEST_AS_CALLER, "system", "info", NULL);
  g_assert_cmpint (info->status, ==, 1);
  g_assert_cmpstr (info->out, ==, "");
  lines = g_strsplit (info->err, "\n", -1);
  /* one line, naming the address and how to start berthd */
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_cmpstr (lines[1], ==, "");
  g_assert_nonnull (strstr (lines[0], d->address));
  g_assert_nonnull (strstr (lines[0], "Start it with 'berthd'"));
}

static void
test_permissions (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestResult) read = NULL;
  g_autoptr(BerthTestResult) write = NULL;
  g_autoptr(BerthTestResult) root_write = NULL;
  g_autoptr(BerthTestResult) level = NULL;

  if (getuid () != 0)
    {
      g_test_skip ("needs root to run a client as another user");
      return;
    }
  d = berth_test_daemon_new ();
  start_or_fail (d, NULL);

  /* anyone may read */
  read = berth_test_run (d, NOBODY, "system", "info", NULL);
  g_assert_cmpint (read->status, ==, 0);
  /* nobody may not change state */
  write = berth_test_run (d, NOBODY, "system", "log-level", "debug", NULL);
  g_assert_cmpint (write->status, ==, 1);
  g_assert_nonnull (strstr (write->err, "Error response from daemon: permission denied"));
  level = berth_test_run (d, BERTH_TEST_AS_CALLER, "--json", "system", "info", NULL);
  g_assert_nonnull (strstr (level->out, "\"LogLevel\": \"info\""));
  /* root may */
  root_write = berth_test_run (d, BERTH_TEST_AS_CALLER, "system", "log-level", "debug", NULL);
  g_assert_cmpint (root_write->status, ==, 0);
}

static void
test_admin_group (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestResult) write = NULL;
  struct group *nogroup = getgrgid (65534);

  if (getuid () != 0 || nogroup == NULL)
    {
      g_test_skip ("needs root and group 65534");
      return;
    }
  d = berth_test_daemon_new ();
  {
    g_autofree gchar *conf = g_strdup_printf ("[daemon]\nadmin-group=%s\n", nogroup->gr_name);
    berth_test_daemon_set_config (d, conf);
  }
  start_or_fail (d, NULL);
  /* nobody's primary group is the admin group: allowed */
  write = berth_test_run (d, NOBODY, "system", "log-level", "debug", NULL);
  g_assert_cmpint (write->status, ==, 0);
}

static void
test_signals_and_kill (void)
{
  g_autoptr(BerthTestDaemon) d = berth_test_daemon_new ();
  g_autofree gchar *socket = g_build_filename (d->run_dir, "berth.sock", NULL);
  g_autoptr(BerthTestResult) r = NULL;

  /* SIGTERM: a clean exit that removes the socket */
  start_or_fail (d, NULL);
  g_assert_cmpint (berth_test_daemon_stop (d, SIGTERM), ==, 0);
  g_assert_false (g_file_test (socket, G_FILE_TEST_EXISTS));

  /* SIGINT likewise */
  start_or_fail (d, NULL);
  g_assert_cmpint (berth_test_daemon_stop (d, SIGINT), ==, 0);

  /* SIGKILL leaves a stale socket and lock file; the next start copes */
  start_or_fail (d, NULL);
  g_assert_cmpint (berth_test_daemon_stop (d, SIGKILL), ==, 128 + SIGKILL);
  g_assert_true (g_file_test (socket, G_FILE_TEST_EXISTS));
  start_or_fail (d, NULL);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "version", NULL);
  g_assert_cmpint (r->status, ==, 0);
}

static void
test_listen_address (void)
{
  g_autoptr(BerthTestDaemon) d = berth_test_daemon_new ();
  g_autofree gchar *path = g_build_filename (d->tmp, "elsewhere.sock", NULL);
  g_autofree gchar *listen = g_strdup_printf ("unix:path=%s", path);
  g_autoptr(BerthTestResult) by_path = NULL;
  g_autoptr(BerthTestResult) by_flag = NULL;
  g_autoptr(GError) error = NULL;

  /* the harness waits on the default socket: wait here on ours instead */
  g_free (d->address);
  d->address = g_strdup (listen);
  g_assert_false (berth_test_daemon_start (
    d, (const gchar *const[]){ "--listen", "tcp:host=127.0.0.1", NULL }, &error));
  g_assert_nonnull (strstr (error->message, "unix sockets only"));
  g_clear_error (&error);
  {
    g_autoptr(GPtrArray) argv = g_ptr_array_new ();
    g_ptr_array_add (argv, (gpointer)berth_test_binary ("BERTHD"));
    g_ptr_array_add (argv, "--root");
    g_ptr_array_add (argv, d->root);
    g_ptr_array_add (argv, "--run-dir");
    g_ptr_array_add (argv, d->run_dir);
    g_ptr_array_add (argv, "--listen");
    g_ptr_array_add (argv, listen);
    g_ptr_array_add (argv, NULL);
    g_assert_true (g_spawn_async (NULL, (gchar **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                  NULL, NULL, &d->pid, &error));
    g_assert_no_error (error);
  }
  for (guint i = 0; i < 5000 && !g_file_test (path, G_FILE_TEST_EXISTS); i++)
    g_usleep (1000);
  /* BERTH_ADDRESS is the harness's way; --address with a bare path is the user's */
  by_flag = berth_test_run (NULL, BERTH_TEST_AS_CALLER, "--address", path, "version", NULL);
  g_assert_cmpint (by_flag->status, ==, 0);
  by_path = berth_test_run (d, BERTH_TEST_AS_CALLER, "version", NULL);
  g_assert_cmpint (by_path->status, ==, 0);
  g_assert_cmpint (berth_test_daemon_stop (d, SIGTERM), ==, 0);
}

/* a bus of the test's own, shaped like the system bus, for berthd --system */
static GPid
start_bus (const gchar *dir, gchar **out_address)
{
  g_autofree gchar *conf_path = g_build_filename (dir, "bus.conf", NULL);
  g_autofree gchar *socket = g_build_filename (dir, "system_bus_socket", NULL);
  g_autofree gchar *conf = g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig><type>system</type><listen>unix:path=%s</listen><auth>EXTERNAL</auth>"
    "<policy context=\"default\"><allow user=\"*\"/><allow own=\"*\"/>"
    "<allow send_destination=\"*\"/><allow receive_sender=\"*\"/></policy></busconfig>\n",
    socket);
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_file_set_contents (conf_path, conf, -1, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_async (
    NULL, (gchar *[]){ "dbus-daemon", "--nofork", "--config-file", conf_path, NULL }, NULL,
    G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 5000 && !g_file_test (socket, G_FILE_TEST_EXISTS); i++)
    g_usleep (1000);
  *out_address = g_strdup_printf ("unix:path=%s", socket);
  return pid;
}

static void
test_system_bus (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autofree gchar *bus_address = NULL;
  g_autofree gchar *introspect = NULL;
  g_autoptr(GError) error = NULL;
  gint status;
  GPid bus;

  if (g_find_program_in_path ("dbus-daemon") == NULL)
    {
      g_test_skip ("dbus-daemon is not installed");
      return;
    }
  d = berth_test_daemon_new ();
  bus = start_bus (d->tmp, &bus_address);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", bus_address, TRUE);
  start_or_fail (d, (const gchar *const[]){ "--system", NULL });

  /* berth finds berthd on the bus by name, and so does gdbus */
  for (guint i = 0; i < 5000; i++)
    {
      g_autoptr(BerthTestResult) v
                 = berth_test_run (NULL, BERTH_TEST_AS_CALLER, "-H", "system", "version", NULL);
      if (v->status == 0)
        break;
      g_usleep (1000);
    }
  {
    g_autoptr(BerthTestResult) info = berth_test_run (NULL, BERTH_TEST_AS_CALLER, "-H", "system",
                                                       "--json", "system", "info", NULL);
    g_autoptr(JsonNode) node = NULL;
    g_assert_cmpint (info->status, ==, 0);
    node = berth_test_parse_json (info->out);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "Root"), ==,
                     d->root);
  }
  g_spawn_sync (NULL,
                (gchar *[]){ "gdbus", "introspect", "--address", bus_address, "--dest",
                             "org.berth.Berth1", "--object-path", "/org/berth/Berth1", NULL },
                NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &introspect, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (introspect, "interface org.berth.Berth1"));
  g_assert_nonnull (strstr (introspect, "SetLogLevel"));
  /* and the peer-to-peer socket still serves */
  {
    g_autoptr(BerthTestResult) v = berth_test_run (d, BERTH_TEST_AS_CALLER, "version", NULL);
    g_assert_cmpint (v->status, ==, 0);
  }
  g_assert_cmpint (berth_test_daemon_stop (d, SIGTERM), ==, 0);
  kill (bus, SIGTERM);
  waitpid (bus, NULL, 0);
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
}

static void
test_cli_usage (void)
{
  struct
  {
    const gchar *args[4];
    gint status;
    const gchar *err;
  } cases[] = {
    { { "system", "info", "extra" },
      1,
      "berth: 'berth system info' accepts no arguments\n\nUsage:  berth system info [OPTIONS]\n\n"
      "Run 'berth system info --help' for more information\n" },
    { { "system", "info", "--bogus" }, 125, "unknown flag: --bogus\n" },
    { { "system", "log-level" }, 1, "berth: 'berth system log-level' requires 1 argument\n" },
    { { "nope" }, 1, "berth: 'nope' is not a berth command.\nSee 'berth --help'\n" },
    { { "system" }, 1, "berth: 'berth system' requires a command.\n" },
    { { "system", "nope" }, 1, "berth: 'nope' is not a berth system command." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BerthTestResult) r = berth_test_runv (NULL, BERTH_TEST_AS_CALLER, cases[i].args);
      g_test_message ("case %u: %s", i, cases[i].args[0]);
      g_assert_cmpint (r->status, ==, cases[i].status);
      g_assert_true (g_str_has_prefix (r->err, cases[i].err));
    }
  {
    g_autoptr(BerthTestResult) help = berth_test_run (NULL, BERTH_TEST_AS_CALLER, "--help", NULL);
    g_assert_cmpint (help->status, ==, 0);
    g_assert_nonnull (strstr (help->out, "Usage:  berth [OPTIONS] COMMAND"));
    g_assert_nonnull (strstr (help->out, "  system"));
    g_assert_nonnull (strstr (help->out, "  version"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/daemon/version", test_version);
  g_test_add_func ("/daemon/system-info", test_system_info);
  g_test_add_func ("/daemon/plain-malloc", test_plain_malloc);
  g_test_add_func ("/daemon/modules", test_modules);
  g_test_add_func ("/daemon/modules-configured", test_modules_configured);
  g_test_add_func ("/daemon/bad-config", test_bad_config);
  g_test_add_func ("/daemon/second-daemon-refused", test_second_daemon_refused);
  g_test_add_func ("/daemon/unreachable", test_unreachable);
  g_test_add_func ("/daemon/permissions", test_permissions);
  g_test_add_func ("/daemon/admin-group", test_admin_group);
  g_test_add_func ("/daemon/signals-and-kill", test_signals_and_kill);
  g_test_add_func ("/daemon/listen-address", test_listen_address);
  g_test_add_func ("/daemon/system-bus", test_system_bus);
  g_test_add_func ("/cli/usage", test_cli_usage);
  return g_test_run ();
}
