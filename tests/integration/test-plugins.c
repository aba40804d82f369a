/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* the plugin lifecycle, through the real berth CLI, against a real berthd
 * with the real content store, snapshotter and runc, and the example sshfs
 * plugin built from this tree */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth-test-harness.h"

#define SLEEPER_CONFIG                                                                             \
  "{\"description\": \"sleeps\", \"entrypoint\": [\"/bin/sh\", \"-c\", \"echo starting; exec "     \
  "sleep 1000\"],"                                                                                 \
  " \"interface\": {\"types\": [\"docker.volumedriver/1.0\"], \"socket\": \"never.sock\"}}"
#define QUITTER_CONFIG                                                                             \
  "{\"description\": \"quits\", \"entrypoint\": [\"/bin/sh\", \"-c\", \"echo giving up >&2; exit " \
  "3\"],"                                                                                          \
  " \"interface\": {\"types\": [\"docker.volumedriver/1.0\"], \"socket\": \"quit.sock\"}}"

static void
restart_daemon (BerthTestDaemon *d, gint signum)
{
  g_autoptr(GError) error = NULL;
  berth_test_daemon_stop (d, signum);
  if (!berth_test_daemon_start (d, NULL, &error))
    g_error ("cannot start berthd again: %s", error->message);
}

static gchar *
sshfs_plugin_dir (void)
{
  return g_strdup (berth_test_binary ("BERTH_TEST_SSHFS_PLUGIN"));
}

static void
set_sshfs_sources (BerthTestDaemon *d, const gchar *name)
{
  g_autofree gchar *state = g_build_filename (d->tmp, "state", NULL);
  g_autofree gchar *keys = g_build_filename (d->tmp, "keys", NULL);
  g_autofree gchar *state_arg = g_strdup_printf ("state.source=%s", state);
  g_autofree gchar *keys_arg = g_strdup_printf ("sshkey.source=%s", keys);
  g_autofree gchar *out = NULL;

  g_assert_no_errno (g_mkdir_with_parents (state, 0700));
  g_assert_no_errno (g_mkdir_with_parents (keys, 0700));
  out = berth_test_run_ok (d, "plugin", "set", name, state_arg, keys_arg, NULL);
  g_assert_cmpstr (out, ==, "");
}

static void
assert_result (BerthTestResult *r, gint status, const gchar *out, const gchar *err_part)
{
  g_assert_cmpint (r->status, ==, status);
  if (out != NULL)
    g_assert_cmpstr (r->out, ==, out);
  if (err_part != NULL && strstr (r->err, err_part) == NULL)
    g_error ("stderr \"%s\" does not contain \"%s\"", r->err, err_part);
}

static void
test_create_ls_inspect (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autofree gchar *dir = sshfs_plugin_dir ();
  g_autofree gchar *ls = NULL;
  g_autofree gchar *json = NULL;
  g_autofree gchar *id = NULL;
  g_autoptr(BerthTestResult) r = NULL;

  if (!berth_test_can_run_plugins ())
    return;
  d = berth_test_daemon_start_built ();

  ls = berth_test_run_ok (d, "plugin", "ls", NULL);
  g_assert_cmpstr (ls, ==, "ID        NAME      DESCRIPTION   ENABLED\n");
  g_clear_pointer (&ls, g_free);

  g_assert_cmpstr (berth_test_run_ok (d, "plugin", "create", "vieux/sshfs", dir, NULL), ==,
                   "vieux/sshfs\n");
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "create", "vieux/sshfs", dir, NULL);
  assert_result (r, 1, "",
                 "Error response from daemon: plugin vieux/sshfs:latest already exists\n");
  g_clear_pointer (&r, berth_test_result_free);

  /* docker refuses the same content under a second name; berth shares it */
  g_assert_cmpstr (berth_test_run_ok (d, "plugin", "create", "other/sshfs:1.0", dir, NULL), ==,
                   "other/sshfs:1.0\n");

  /* accounting: both use every byte, none is theirs alone */
  {
    g_autofree gchar *df = berth_test_run_ok (d, "--json", "system", "df", NULL);
    g_autoptr(JsonNode) node = berth_test_parse_json (df);
    JsonObject *root = json_node_get_object (node);
    JsonObject *store = json_object_get_object_member (root, "ContentStore");
    JsonObject *unique = json_object_get_object_member (root, "Unique");
    g_assert_cmpint (json_object_get_int_member (store, "Size"), >, 1000000);
    g_assert_cmpint (json_object_get_int_member (store, "Shared"), ==,
                     json_object_get_int_member (store, "Size"));
    g_assert_cmpint (json_object_get_int_member (unique, "vieux/sshfs:latest"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (unique, "other/sshfs:1.0"), ==, 0);
  }

  ls = berth_test_run_ok (d, "plugin", "ls", NULL);
  {
    g_auto(GStrv) lines = g_strsplit (ls, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 4);
    g_assert_cmpstr (lines[0], ==,
                     "ID             NAME                 DESCRIPTION               ENABLED");
    /* natural order by name */
    g_assert_true (
      g_str_has_suffix (lines[1], "   other/sshfs:1.0      sshFS plugin for Docker   false"));
    g_assert_true (
      g_str_has_suffix (lines[2], "   vieux/sshfs:latest   sshFS plugin for Docker   false"));
    g_assert_cmpuint (strlen (lines[1]), ==, strlen (lines[2]));
  }

  json
    = berth_test_run_ok (d, "plugin", "ls", "--format", "json", "--filter", "enabled=false", NULL);
  g_assert_true (g_str_has_prefix (
    json, "{\"Description\":\"sshFS plugin for Docker\",\"Enabled\":false,\"ID\":\""));
  g_assert_nonnull (
    strstr (json, "\"Name\":\"vieux/sshfs:latest\",\"PluginReference\":\"vieux/sshfs:latest\"}\n"));
  {
    g_autofree gchar *none
      = berth_test_run_ok (d, "plugin", "ls", "-q", "--filter", "enabled=true", NULL);
    g_autofree gchar *caps
      = berth_test_run_ok (d, "plugin", "ls", "-q", "--filter", "capability=volume", NULL);
    g_autofree gchar *nocaps
      = berth_test_run_ok (d, "plugin", "ls", "-q", "--filter", "capability=authz", NULL);
    g_assert_cmpstr (none, ==, "");
    g_assert_cmpuint (strlen (caps), ==, 2 * 13);
    g_assert_cmpstr (nocaps, ==, "");
  }
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "ls", "--filter", "foo=bar", NULL);
  assert_result (r, 1, NULL, "invalid filter 'foo'");
  g_clear_pointer (&r, berth_test_result_free);

  /* inspect: docker's JSON, four spaces, and templates */
  {
    g_autofree gchar *inspect = berth_test_run_ok (d, "plugin", "inspect", "vieux/sshfs", NULL);
    g_assert_true (
      g_str_has_prefix (inspect, "[\n    {\n        \"Config\": {\n            \"Args\": {\n"));
    g_assert_nonnull (strstr (inspect, "\n        \"Enabled\": false,\n        \"Id\": \""));
    g_assert_nonnull (strstr (
      inspect,
      "            \"Entrypoint\": [\n                \"/docker-volume-sshfs\"\n            ],\n"));
    g_assert_nonnull (strstr (inspect, "            \"PropagatedMount\": \"/mnt/volumes\",\n"));
    g_assert_nonnull (
      strstr (inspect, "            \"Env\": [\n                \"DEBUG=0\"\n            ],\n"));
  }
  id = berth_test_run_ok (d, "plugin", "inspect", "-f", "{{.Id}}", "vieux/sshfs:latest", NULL);
  g_strchomp (id);
  g_assert_cmpuint (strlen (id), ==, 64);
  {
    /* the same plugin by full ID, by a prefix, by its full reference */
    g_autofree gchar *prefix = g_strndup (id, 5);
    g_autofree gchar *by_id
      = berth_test_run_ok (d, "plugin", "inspect", "-f", "{{.Name}}", id, NULL);
    g_autofree gchar *by_prefix
      = berth_test_run_ok (d, "plugin", "inspect", "-f", "{{.Name}}", prefix, NULL);
    g_autofree gchar *by_ref = berth_test_run_ok (d, "plugin", "inspect", "-f", "{{.Name}}",
                                                  "docker.io/vieux/sshfs", NULL);
    g_autofree gchar *env = berth_test_run_ok (d, "plugin", "inspect", "-f",
                                               "{{.Settings.Env}} {{json .Config.Interface.Types}}",
                                               "vieux/sshfs", NULL);
    g_assert_cmpstr (by_id, ==, "vieux/sshfs:latest\n");
    g_assert_cmpstr (by_prefix, ==, "vieux/sshfs:latest\n");
    g_assert_cmpstr (by_ref, ==, "vieux/sshfs:latest\n");
    g_assert_cmpstr (env, ==, "[DEBUG=0] [\"docker.volumedriver/1.0\"]\n");
  }
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "inspect", "nosuch", NULL);
  assert_result (r, 1, "[]\n", "Error response from daemon: plugin \"nosuch\" not found\n");
  g_clear_pointer (&r, berth_test_result_free);

  /* settings, with docker's messages */
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "set", "vieux/sshfs", "DEBUG=1", "NOPE=1",
                      NULL);
  assert_result (
    r, 1, "",
    "Error response from daemon: setting \"NOPE\" not found in the plugin configuration\n");
  g_clear_pointer (&r, berth_test_result_free);
  {
    /* all or nothing: DEBUG did not change (docker changes it anyway) */
    g_autofree gchar *env
      = berth_test_run_ok (d, "plugin", "inspect", "-f", "{{.Settings.Env}}", "vieux/sshfs", NULL);
    g_assert_cmpstr (env, ==, "[DEBUG=0]\n");
  }
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "set", "vieux/sshfs",
                      "sshkey.destination=/x", NULL);
  assert_result (r, 1, "", "Error response from daemon: \"sshkey.destination\" is not settable\n");
  g_clear_pointer (&r, berth_test_result_free);
  g_free (berth_test_run_ok (d, "plugin", "set", "vieux/sshfs", "DEBUG=1", NULL));

  /* settings and plugins survive a restart */
  restart_daemon (d, SIGTERM);
  {
    g_autofree gchar *env
      = berth_test_run_ok (d, "plugin", "inspect", "-f", "{{.Settings.Env}}", "vieux/sshfs", NULL);
    g_autofree gchar *count = berth_test_run_ok (d, "plugin", "ls", "-q", NULL);
    g_assert_cmpstr (env, ==, "[DEBUG=1]\n");
    g_assert_cmpuint (strlen (count), ==, 2 * 13);
  }

  g_assert_cmpstr (berth_test_run_ok (d, "plugin", "rm", "other/sshfs:1.0", "vieux/sshfs", NULL),
                   ==, "other/sshfs:1.0\nvieux/sshfs\n");
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "rm", "vieux/sshfs", NULL);
  assert_result (r, 1, "", "plugin \"vieux/sshfs\" not found");
}

static void
test_create_errors (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  struct
  {
    const gchar *config;
    gboolean rootfs;
    const gchar *error;
  } cases[] = {
    { "{\"entrypoint\": [\"/x\"], \"interface\": {\"socket\": \"a.sock\"", TRUE,
      "failed to parse config" },
    { "{\"entrypoint\": [\"/x\"], \"interface\": {\"socket\": \"a.sock\", \"types\": "
      "[\"docker.volumedriver/1.0\"]}}",
      FALSE, "no rootfs found" },
    { "{\"interface\": {\"socket\": \"a.sock\", \"types\": [\"docker.volumedriver/1.0\"]}}", TRUE,
      "Entrypoint" },
    { "{\"entrypoint\": [\"/x\"], \"interface\": {\"socket\": \"a.sock\", \"types\": "
      "[\"docker.volumedriver/1.0\"]}, \"mounts\": [{\"destination\": \"relative\", \"type\": "
      "\"bind\"}]}",
      TRUE, "Mounts[0].Destination" },
    { "{\"entrypoint\": [\"/x\"], \"interface\": {\"socket\": \"a.sock\", \"types\": "
      "[\"docker.volumedriver/1.0\"]}, \"mounts\": [{\"destination\": \"/a/../../etc\", \"type\": "
      "\"bind\"}]}",
      TRUE, "Mounts[0].Destination" },
    { "{\"entrypoint\": [\"/x\"], \"interface\": {\"socket\": \"a.sock\", \"types\": "
      "[\"docker.volumedriver/1.0\"]}, \"linux\": {\"devices\": [{\"path\": \"/etc/passwd\"}]}}",
      TRUE, "Linux.Devices[0].Path" },
    { "{\"entrypoint\": [\"/x\"], \"interface\": {\"socket\": \"a.sock\", \"types\": "
      "[\"docker.volumedriver/1.0\"]}, \"linux\": {\"capabilities\": [\"CAP_NOPE\"]}}",
      TRUE, "CAP_NOPE" },
    { "{\"entrypoint\": [\"/x\"], \"interface\": {\"socket\": \"../escape.sock\", \"types\": "
      "[\"docker.volumedriver/1.0\"]}}",
      TRUE, "Interface.Socket" },
    { "{\"entrypoint\": [\"/x\"], \"interface\": {\"socket\": "
      "\"a-socket-name-that-is-far-far-far-too-long-for-the-sun-path-of-a-unix-socket-address."
      "sock\", \"types\": [\"docker.volumedriver/1.0\"]}}",
      TRUE, "Interface.Socket" },
    { "{\"entrypoint\": [\"/x\"], \"interface\": {\"socket\": \"a.sock\", \"types\": "
      "[\"docker.nosuchdriver/1.0\"]}}",
      TRUE, "docker.nosuchdriver/1.0" },
  };

  if (!berth_test_can_run_plugins ())
    return;
  d = berth_test_daemon_start_built ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *name = g_strdup_printf ("bad%u", i);
      g_autofree gchar *dir = berth_test_make_plugin (d, name, cases[i].config);
      g_autoptr(BerthTestResult) r = NULL;
      g_autofree gchar *ls = NULL;

      g_test_message ("case %u: %s", i, cases[i].config);
      if (!cases[i].rootfs)
        {
          g_autofree gchar *rootfs = g_build_filename (dir, "rootfs", NULL);
          g_autofree gchar *cmd = g_strdup_printf ("rm -rf '%s'", rootfs);
          g_assert_cmpint (system (cmd), ==, 0);
        }
      r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "create", name, dir, NULL);
      assert_result (r, 1, "", cases[i].error);
      ls = berth_test_run_ok (d, "plugin", "ls", "-q", NULL);
      g_assert_cmpstr (ls, ==, "");
    }
  {
    g_autoptr(BerthTestResult) r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "create",
                                                    "x", "/nonexistent", NULL);
    assert_result (r, 1, "", "context must be a directory");
  }
  {
    g_autofree gchar *dir = berth_test_make_plugin (d, "digest", SLEEPER_CONFIG);
    g_autoptr(BerthTestResult) r = berth_test_run (
      d, BERTH_TEST_AS_CALLER, "plugin", "create",
      "x@sha256:0000000000000000000000000000000000000000000000000000000000000000", dir, NULL);
    assert_result (r, 1, "", "canonical references are not permitted");
  }
}

static void
test_enable_disable (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autofree gchar *dir = sshfs_plugin_dir ();
  g_autoptr(BerthTestResult) r = NULL;
  g_autofree gchar *pid = NULL;
  g_autofree gchar *sock = NULL;
  g_autofree gchar *logs = NULL;

  if (!berth_test_can_run_plugins ())
    return;
  d = berth_test_daemon_start_built ();
  g_free (berth_test_run_ok (d, "plugin", "create", "vieux/sshfs", dir, NULL));
  set_sshfs_sources (d, "vieux/sshfs");

  g_assert_cmpstr (berth_test_run_ok (d, "plugin", "enable", "vieux/sshfs", NULL), ==,
                   "vieux/sshfs\n");
  {
    g_autofree gchar *ls = berth_test_run_ok (d, "plugin", "ls", NULL);
    g_assert_nonnull (strstr (ls, "vieux/sshfs:latest   sshFS plugin for Docker   true\n"));
  }
  /* the socket is where docker puts it, relative to berth's run dir */
  {
    g_autofree gchar *id
      = berth_test_run_ok (d, "plugin", "inspect", "-f", "{{.Id}}", "vieux/sshfs", NULL);
    g_strchomp (id);
    id[12] = '\0'; /* the directory has the short ID, so long run dirs still fit sun_path */
    sock = g_build_filename (d->run_dir, "plugins", id, "sshfs.sock", NULL);
    g_assert_true (g_file_test (sock, G_FILE_TEST_EXISTS));
  }
  pid = berth_test_run_ok (d, "plugin", "inspect", "-f", "{{.State.Pid}}", "vieux/sshfs", NULL);
  g_strchomp (pid);
  {
    g_autofree gchar *cmdline_path = g_strdup_printf ("/proc/%s/cmdline", pid);
    g_autofree gchar *cmdline = NULL;
    g_assert_true (g_file_get_contents (cmdline_path, &cmdline, NULL, NULL));
    g_assert_cmpstr (cmdline, ==, "/docker-volume-sshfs");
  }

  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "enable", "vieux/sshfs", NULL);
  assert_result (
    r, 1, "",
    "Error response from daemon: plugin already enabled: plugin vieux/sshfs:latest is enabled\n");
  g_clear_pointer (&r, berth_test_result_free);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "set", "vieux/sshfs", "DEBUG=1", NULL);
  assert_result (
    r, 1, "",
    "Error response from daemon: cannot set on an active plugin, disable plugin before setting\n");
  g_clear_pointer (&r, berth_test_result_free);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "rm", "vieux/sshfs", NULL);
  assert_result (r, 1, "", "Error response from daemon: plugin vieux/sshfs:latest is enabled\n");
  g_clear_pointer (&r, berth_test_result_free);

  /* logs: the plugin's own output, which docker hides in its daemon log */
  logs = berth_test_run_ok (d, "plugin", "logs", "vieux/sshfs", NULL);
  g_assert_nonnull (strstr (logs, "listening on /run/docker/plugins/sshfs.sock"));
  {
    g_autofree gchar *one
      = berth_test_run_ok (d, "plugin", "logs", "--tail", "1", "vieux/sshfs", NULL);
    g_auto(GStrv) lines = g_strsplit (one, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
  }

  /* a crash: restarted, counted, and said */
  g_assert_no_errno (kill (atoi (pid), SIGKILL));
  for (guint i = 0; i < 500; i++)
    {
      g_autofree gchar *state
        = berth_test_run_ok (d, "plugin", "inspect", "-f",
                             "{{.State.Status}} {{.State.RestartCount}}", "vieux/sshfs", NULL);
      if (g_str_equal (state, "enabled 1\n"))
        break;
      g_usleep (10000);
    }
  {
    g_autofree gchar *state = berth_test_run_ok (
      d, "plugin", "inspect", "-f", "{{.State.Status}} {{.State.RestartCount}} {{.State.LastExit}}",
      "vieux/sshfs", NULL);
    g_autofree gchar *new_pid
      = berth_test_run_ok (d, "plugin", "inspect", "-f", "{{.State.Pid}}", "vieux/sshfs", NULL);
    g_assert_true (g_str_has_prefix (state, "enabled 1 was killed by signal 9"));
    g_strchomp (new_pid);
    g_assert_cmpstr (new_pid, !=, pid);
    g_free (pid);
    pid = g_steal_pointer (&new_pid);
  }

  g_assert_cmpstr (berth_test_run_ok (d, "plugin", "disable", "vieux/sshfs", NULL), ==,
                   "vieux/sshfs\n");
  g_assert_false (g_file_test (sock, G_FILE_TEST_EXISTS));
  {
    g_autofree gchar *proc = g_strdup_printf ("/proc/%s", pid);
    g_assert_false (g_file_test (proc, G_FILE_TEST_EXISTS));
  }
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "disable", "vieux/sshfs", NULL);
  assert_result (r, 1, "",
                 "Error response from daemon: plugin is already disabled: plugin "
                 "vieux/sshfs:latest found but disabled\n");
  g_clear_pointer (&r, berth_test_result_free);

  /* enable again, then rm -f stops and removes it */
  g_free (berth_test_run_ok (d, "plugin", "enable", "vieux/sshfs", NULL));
  g_assert_cmpstr (berth_test_run_ok (d, "plugin", "rm", "-f", "vieux/sshfs", NULL), ==,
                   "vieux/sshfs\n");
  {
    g_autofree gchar *ls = berth_test_run_ok (d, "plugin", "ls", "-q", NULL);
    g_autofree gchar *plugins = g_build_filename (d->root, "plugins", NULL);
    g_autoptr(GDir) left = NULL;

    g_assert_cmpstr (ls, ==, "");
    /* the record went at once (renamed aside); its directory is deleted in
     * the background after the answer */
    for (guint i = 0; i < 100; i++)
      {
        g_clear_pointer (&left, g_dir_close);
        left = g_dir_open (plugins, 0, NULL);
        if (g_dir_read_name (left) == NULL)
          break;
        g_usleep (20000);
      }
    g_dir_rewind (left);
    g_assert_null (g_dir_read_name (left));
  }
}

static void
test_enable_failures (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autofree gchar *sleeper = NULL;
  g_autofree gchar *quitter = NULL;
  g_autoptr(BerthTestResult) r = NULL;

  if (!berth_test_can_run_plugins ())
    return;
  d = berth_test_daemon_start_built ();
  sleeper = berth_test_make_plugin (d, "sleeper", SLEEPER_CONFIG);
  quitter = berth_test_make_plugin (d, "quitter", QUITTER_CONFIG);
  g_free (berth_test_run_ok (d, "plugin", "create", "sleeper", sleeper, NULL));
  g_free (berth_test_run_ok (d, "plugin", "create", "quitter", quitter, NULL));

  /* exits at once: the error says how, and what it printed */
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "enable", "quitter", NULL);
  assert_result (r, 1, "", "the plugin exited with code 3");
  g_assert_nonnull (strstr (r->err, "giving up"));
  g_clear_pointer (&r, berth_test_result_free);

  /* never opens its socket: stopped after the timeout, and said so */
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "enable", "--timeout", "1", "sleeper",
                      NULL);
  assert_result (r, 1, "", "socket never.sock never appeared after 1.");
  g_assert_nonnull (strstr (r->err, "starting"));
  g_clear_pointer (&r, berth_test_result_free);
  {
    g_autofree gchar *ls
      = berth_test_run_ok (d, "plugin", "ls", "--format", "{{.Name}} {{.Enabled}}", NULL);
    g_assert_cmpstr (ls, ==, "quitter:latest false\nsleeper:latest false\n");
  }
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "enable", "--timeout", "-1", "sleeper",
                      NULL);
  assert_result (r, 1, "", "negative timeout -1 is invalid");
}

static void
test_live_restore (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autofree gchar *dir = sshfs_plugin_dir ();
  g_autofree gchar *pid = NULL;
  g_autofree gchar *after = NULL;

  if (!berth_test_can_run_plugins ())
    return;
  d = berth_test_daemon_start_built ();
  g_free (berth_test_run_ok (d, "plugin", "create", "vieux/sshfs", dir, NULL));
  set_sshfs_sources (d, "vieux/sshfs");
  g_free (berth_test_run_ok (d, "plugin", "enable", "vieux/sshfs", NULL));
  pid = berth_test_run_ok (d, "plugin", "inspect", "-f", "{{.State.Pid}}", "vieux/sshfs", NULL);

  /* berthd killed: the plugin keeps running and is taken back */
  restart_daemon (d, SIGKILL);
  for (guint i = 0; i < 500; i++)
    {
      g_autofree gchar *state = berth_test_run_ok (d, "plugin", "inspect", "-f",
                                                   "{{.State.Status}}", "vieux/sshfs", NULL);
      if (g_str_equal (state, "enabled\n"))
        break;
      g_usleep (10000);
    }
  after = berth_test_run_ok (d, "plugin", "inspect", "-f", "{{.State.Pid}}", "vieux/sshfs", NULL);
  g_assert_cmpstr (after, ==, pid);

  /* berthd stopped, and the plugin died meanwhile: started again */
  berth_test_daemon_stop (d, SIGTERM);
  g_strchomp (pid);
  g_assert_no_errno (kill (atoi (pid), SIGKILL));
  restart_daemon (d, 0);
  for (guint i = 0; i < 500; i++)
    {
      g_autofree gchar *state = berth_test_run_ok (d, "plugin", "inspect", "-f",
                                                   "{{.State.Status}}", "vieux/sshfs", NULL);
      if (g_str_equal (state, "enabled\n"))
        break;
      g_usleep (10000);
    }
  {
    g_autofree gchar *state = berth_test_run_ok (
      d, "plugin", "inspect", "-f", "{{.State.Status}} {{.State.Pid}}", "vieux/sshfs", NULL);
    g_autofree gchar *old = g_strdup_printf ("enabled %s\n", pid);
    g_assert_true (g_str_has_prefix (state, "enabled "));
    g_assert_cmpstr (state, !=, old);
  }
  berth_test_remove_all_plugins (d);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/plugins/create-ls-inspect", test_create_ls_inspect);
  g_test_add_func ("/plugins/create-errors", test_create_errors);
  g_test_add_func ("/plugins/enable-disable", test_enable_disable);
  g_test_add_func ("/plugins/enable-failures", test_enable_failures);
  g_test_add_func ("/plugins/live-restore", test_live_restore);
  return g_test_run ();
}
