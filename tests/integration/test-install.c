/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plugins to and from a registry, through the real berth CLI: a real berthd
 * with the real modules and runc, a real docker-registry on 127.0.0.1, and
 * the example sshfs plugin built from this tree */
#include "config.h"

#include <gio/gio.h>
#include <signal.h>
#include <unistd.h>

#include "berth-test-harness.h"

static gboolean
can_run (void)
{
  g_autofree gchar *registry = NULL;

  if (!berth_test_can_run_plugins ())
    return FALSE;
  registry = g_find_program_in_path ("docker-registry");
  if (registry == NULL)
    {
      g_test_skip ("docker-registry is not installed (Debian package docker-registry)");
      return FALSE;
    }
  return TRUE;
}
/* the berth CLI with @answer on its stdin */
static BerthTestResult *
run_answering (BerthTestDaemon *d, const gchar *answer, const gchar *args)
{
  g_autofree gchar *script = g_strdup_printf ("printf '%s' | \"$BERTH\" %s", answer, args);
  g_auto(GStrv) envp = g_get_environ ();
  const gchar *argv[] = { "/bin/sh", "-c", script, NULL };

  envp = g_environ_setenv (envp, "BERTH_ADDRESS", d->address, TRUE);
  envp = g_environ_setenv (envp, "BERTH", berth_test_binary ("BERTH"), TRUE);
  return berth_test_spawn (argv, (const gchar *const *)envp, BERTH_TEST_AS_CALLER);
}

static gchar *
expected_prompt (const gchar *typed)
{
  return g_strdup_printf ("Plugin \"%s\" is requesting the following privileges:\n"
                          " - network: [host]\n"
                          " - mount: [/var/lib/docker/plugins/]\n"
                          " - mount: []\n"
                          " - device: [/dev/fuse]\n"
                          " - capabilities: [CAP_SYS_ADMIN]\n"
                          "Do you grant the above permissions? [y/N] ",
                          typed);
}

static gchar *
inspect (BerthTestDaemon *d, const gchar *format, const gchar *name)
{
  gchar *out = berth_test_run_ok (d, "plugin", "inspect", "-f", format, name, NULL);
  return g_strchomp (out);
}

/* berthd checks what was granted itself: a client that skips the prompt
 * and grants less gets nothing */
static void
assert_wrong_grant_refused (BerthTestDaemon *d, const gchar *ref)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_dbus_connection_new_for_address_sync (
    d->address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
  g_autoptr(GVariant) reply = NULL;

  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (
    bus, NULL, "/org/berth/Berth1", "org.berth.Berth1.Plugins", "Install",
    g_variant_new_parsed ("(%s, '', [('network', '', ['host'])], @as [], true)", ref), NULL,
    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_null (reply);
  g_assert_nonnull (strstr (error->message, "PermissionDenied"));
  g_assert_nonnull (strstr (error->message, "privileges"));
}

static void
test_push_install (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestRegistry) reg = NULL;
  const gchar *dir = berth_test_binary ("BERTH_TEST_SSHFS_PLUGIN");
  g_autofree gchar *ref = NULL;
  g_autofree gchar *push_out = NULL;
  g_autofree gchar *digest = NULL;
  g_autofree gchar *expected = NULL;
  g_autoptr(BerthTestResult) r = NULL;
  g_autofree gchar *state_dir = NULL;
  g_autofree gchar *keys_dir = NULL;

  if (!can_run ())
    return;
  d = berth_test_daemon_start_built ();
  reg = berth_test_registry_start (d->tmp);
  state_dir = g_build_filename (d->tmp, "state", NULL);
  keys_dir = g_build_filename (d->tmp, "keys", NULL);
  ref = g_strdup_printf ("%s/berth/sshfs:1.0", reg->host);

  /* push: the name says where */
  g_free (berth_test_run_ok (d, "plugin", "create", ref, dir, NULL));
  push_out = berth_test_run_ok (d, "plugin", "push", ref, NULL);
  expected
    = g_strdup_printf ("The push refers to repository [%s/berth/sshfs]\n1.0: digest: ", reg->host);
  g_assert_true (g_str_has_prefix (push_out, expected));
  digest = g_strchomp (g_strdup (push_out + strlen (expected)));
  g_assert_true (g_str_has_prefix (digest, "sha256:"));
  g_assert_cmpuint (strlen (digest), ==, 7 + 64);
  g_free (berth_test_run_ok (d, "plugin", "rm", ref, NULL));

  assert_wrong_grant_refused (d, ref);

  /* refused: docker's prompt and words, nothing installed */
  {
    g_autofree gchar *args = g_strdup_printf ("plugin install %s", ref);
    g_autofree gchar *prompt = expected_prompt (ref);
    g_autofree gchar *denied
      = g_strdup_printf ("permission denied while installing plugin %s\n", ref);
    g_autofree gchar *ls = NULL;

    r = run_answering (d, "n\\n", args);
    g_assert_cmpint (r->status, ==, 1);
    g_assert_cmpstr (r->out, ==, prompt);
    g_assert_cmpstr (r->err, ==, denied);
    g_clear_pointer (&r, berth_test_result_free);
    /* no answer at all is no too */
    r = run_answering (d, "", args);
    g_assert_cmpint (r->status, ==, 1);
    g_assert_cmpstr (r->err, ==, denied);
    g_clear_pointer (&r, berth_test_result_free);
    ls = berth_test_run_ok (d, "plugin", "ls", "-q", NULL);
    g_assert_cmpstr (ls, ==, "");
  }

  /* granted at the prompt: installed and enabled under its own name, with
   * the host paths the plugin's mounts need */
  g_assert_no_errno (g_mkdir_with_parents (state_dir, 0700));
  g_assert_no_errno (g_mkdir_with_parents (keys_dir, 0700));
  {
    g_autofree gchar *args = g_strdup_printf ("plugin install %s state.source=%s sshkey.source=%s",
                                              ref, state_dir, keys_dir);
    g_autofree gchar *out = NULL;
    g_autofree gchar *enabled = NULL;
    g_autofree gchar *reference = NULL;

    r = run_answering (d, " Y \\n", args);
    if (r->status != 0)
      g_error ("install failed: %s", r->err);
    out = g_strdup_printf ("%sInstalled plugin %s\n", expected_prompt (ref), ref);
    g_assert_cmpstr (r->out, ==, out);
    g_clear_pointer (&r, berth_test_result_free);
    enabled = inspect (d, "{{.Enabled}} {{.Name}}", ref);
    reference = inspect (d, "{{.PluginReference}}", ref);
    g_assert_cmpstr (enabled, ==, g_strdup_printf ("true %s", ref));
    g_assert_cmpstr (reference, ==, ref);
  }

  /* a second install of one name fails before downloading anything */
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "install", "--grant-all-permissions", ref,
                      NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "already exists"));
  g_clear_pointer (&r, berth_test_result_free);

  /* --alias, --disable and settings; the store holds the content once */
  {
    g_autofree gchar *out
      = berth_test_run_ok (d, "plugin", "install", "--grant-all-permissions", "--alias",
                           "local/sshfs", "--disable", ref, "DEBUG=1", NULL);
    g_autofree gchar *state = inspect (d, "{{.Enabled}} {{.Settings.Env}}", "local/sshfs");
    g_autofree gchar *name = inspect (d, "{{.Name}}", "local/sshfs");
    g_autofree gchar *installed = g_strdup_printf ("Installed plugin %s\n", ref);
    g_autofree gchar *df = berth_test_run_ok (d, "--json", "system", "df", NULL);
    g_autoptr(JsonNode) node = berth_test_parse_json (df);
    JsonObject *unique = json_object_get_object_member (json_node_get_object (node), "Unique");

    g_assert_cmpstr (out, ==, installed);
    g_assert_cmpstr (state, ==, "false [DEBUG=1]");
    g_assert_cmpstr (name, ==, "local/sshfs:latest");
    g_assert_cmpint (json_object_get_int_member (unique, "local/sshfs:latest"), ==, 0);
  }

  /* pulled and pushed again, it keeps its digest: the bytes are the same */
  {
    g_autofree gchar *copy = g_strdup_printf ("%s/berth/copy:2", reg->host);
    g_autofree gchar *again = NULL;
    g_autofree gchar *line = NULL;

    g_free (berth_test_run_ok (d, "plugin", "install", "--grant-all-permissions", "--disable",
                               "--alias", copy, ref, NULL));
    again = berth_test_run_ok (d, "plugin", "push", copy, NULL);
    line = g_strdup_printf ("2: digest: %s\n", digest);
    g_assert_true (g_str_has_suffix (again, line));
  }

  /* installed, but it cannot start: it stays, disabled, and the error says so */
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "install", "--grant-all-permissions",
                      "--alias", "no/sources", ref, NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "installed no/sources:latest; it stays disabled: enabling "
                                    "no/sources:latest: mount source is not specified"));
  g_clear_pointer (&r, berth_test_result_free);
  {
    g_autofree gchar *state = inspect (d, "{{.Enabled}}", "no/sources");
    g_assert_cmpstr (state, ==, "false");
  }

  /* a wrong setting leaves nothing behind */
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "install", "--grant-all-permissions",
                      "--alias", "bad/setting", ref, "NOPE=1", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "NOPE"));
  g_clear_pointer (&r, berth_test_result_free);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "inspect", "bad/setting", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_clear_pointer (&r, berth_test_result_free);

  /* upgrade: a second version, with another description */
  {
    g_autofree gchar *v2 = g_strdup_printf ("%s/berth/sshfs:2.0", reg->host);
    g_autofree gchar *v2_dir = g_build_filename (d->tmp, "v2", NULL);
    g_autofree gchar *cmd = g_strdup_printf (
      "cp -a '%s' '%s' && sed -i -e 's/sshFS plugin for Docker/sshFS plugin, v2/' "
      "-e 's/\"value\": \"0\"/\"value\": \"1\"/' '%s/config.json'",
      dir, v2_dir, v2_dir);
    g_autofree gchar *id = inspect (d, "{{.Id}}", ref);
    g_autofree gchar *args = g_strdup_printf ("plugin upgrade %s %s", ref, v2);
    g_autofree gchar *expected_out = NULL;
    g_autofree gchar *after = NULL;

    g_assert_cmpint (system (cmd), ==, 0);
    g_free (berth_test_run_ok (d, "plugin", "create", v2, v2_dir, NULL));
    g_free (berth_test_run_ok (d, "plugin", "push", v2, NULL));
    g_free (berth_test_run_ok (d, "plugin", "rm", v2, NULL));

    /* refused while enabled, saying how to go on */
    r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "upgrade", ref, v2, NULL);
    g_assert_cmpint (r->status, ==, 1);
    g_assert_nonnull (strstr (r->err, "must be disabled before upgrading: berth plugin disable"));
    g_clear_pointer (&r, berth_test_result_free);
    g_free (berth_test_run_ok (d, "plugin", "disable", ref, NULL));

    /* not for a caller without the right to change state */
    r = berth_test_run (d, (uid_t)65534, "plugin", "upgrade", "--grant-all-permissions",
                        "--skip-remote-check", ref, v2, NULL);
    g_assert_cmpint (r->status, ==, 1);
    g_assert_nonnull (strstr (r->err, "permission denied"));
    g_clear_pointer (&r, berth_test_result_free);

    /* "no" to another image changes nothing */
    r = run_answering (d, "n\\n", args);
    g_assert_cmpint (r->status, ==, 0);
    g_clear_pointer (&r, berth_test_result_free);
    after = inspect (d, "{{.Config.Description}}", ref);
    g_assert_cmpstr (after, ==, "sshFS plugin for Docker");
    g_clear_pointer (&after, g_free);

    r = run_answering (d, "y\\ny\\n", args);
    if (r->status != 0)
      g_error ("upgrade failed: %s", r->err);
    expected_out = g_strdup_printf ("Upgrading plugin %s from %s to %s\n"
                                    "Plugin images do not match, are you sure? [y/N] "
                                    "%sUpgraded plugin %s to %s\n",
                                    ref, ref, v2, expected_prompt (v2), ref, v2);
    g_assert_cmpstr (r->out, ==, expected_out);
    g_clear_pointer (&r, berth_test_result_free);

    /* same ID, name and settings; new content and reference; it runs */
    after = inspect (d, "{{.Id}} {{.Config.Description}} {{.PluginReference}}", ref);
    g_assert_cmpstr (after, ==, g_strdup_printf ("%s sshFS plugin, v2 %s", id, v2));
    g_clear_pointer (&after, g_free);
    after = inspect (d, "{{json .Settings.Mounts}}", ref);
    g_assert_nonnull (strstr (after, state_dir));
    g_clear_pointer (&after, g_free);
    /* what the user set stays; a default the user kept becomes the new one */
    after = inspect (d, "{{.Settings.Env}}", ref);
    g_assert_cmpstr (after, ==, "[DEBUG=1]");
    g_free (berth_test_run_ok (d, "plugin", "enable", ref, NULL));
    g_free (berth_test_run_ok (d, "plugin", "disable", ref, NULL));
  }

  /* everything survives a restart of berthd */
  berth_test_daemon_stop (d, SIGKILL);
  {
    g_autoptr(GError) error = NULL;
    g_autofree gchar *state = NULL;
    if (!berth_test_daemon_start (d, NULL, &error))
      g_error ("cannot start berthd again: %s", error->message);
    state = inspect (d, "{{.Enabled}} {{.PluginReference}}", "local/sshfs");
    g_assert_cmpstr (state, ==, g_strdup_printf ("false %s", ref));
  }
  berth_test_remove_all_plugins (d);
}

static void
test_install_errors (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestRegistry) reg = NULL;
  g_autoptr(BerthTestResult) r = NULL;
  g_autofree gchar *missing = NULL;
  g_autofree gchar *nobody = NULL;
  guint16 closed;

  if (!can_run ())
    return;
  d = berth_test_daemon_start_built ();
  reg = berth_test_registry_start (d->tmp);

  /* a plugin the registry does not have */
  missing = g_strdup_printf ("%s/no/such:1", reg->host);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "install", "--grant-all-permissions",
                      missing, NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "no/such"));
  g_clear_pointer (&r, berth_test_result_free);

  /* a registry that is not there: said, not an empty privilege list */
  closed = berth_test_free_port ();
  nobody = g_strdup_printf ("127.0.0.1:%u/a/b:1", closed);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "install", nobody, NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "127.0.0.1"));
  g_assert_null (strstr (r->out, "Do you grant"));
  g_clear_pointer (&r, berth_test_result_free);

  /* a caller without the right to change state may not make berthd fetch,
   * install or push anything */
  r = berth_test_run (d, (uid_t)65534, "plugin", "install", "--grant-all-permissions", missing,
                      NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "permission denied"));
  g_clear_pointer (&r, berth_test_result_free);
  r = berth_test_run (d, (uid_t)65534, "plugin", "push", missing, NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "permission denied"));
  g_clear_pointer (&r, berth_test_result_free);

  /* bad references and push without a stored plugin */
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "install", "vieux/SSHFS", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "invalid reference format"));
  g_clear_pointer (&r, berth_test_result_free);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "push", "nosuch", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "not found"));
  g_clear_pointer (&r, berth_test_result_free);

  {
    g_autofree gchar *ls = berth_test_run_ok (d, "plugin", "ls", "-q", NULL);
    g_assert_cmpstr (ls, ==, "");
  }
}

/* the media types of a manifest in the registry: "manifest config layer..." */
static gchar *
media_types (BerthTestRegistry *reg, const gchar *repo, const gchar *tag)
{
  g_autofree gchar *url = g_strdup_printf ("http://%s/v2/%s/manifests/%s", reg->host, repo, tag);
  g_autofree gchar *python = g_find_program_in_path ("python3");
  const gchar *argv[]
    = { python, "-c",
        "import json, sys, urllib.request\n"
        "r = urllib.request.Request(sys.argv[1], headers={'Accept': "
        "'application/vnd.docker.distribution.manifest.v2+json'})\n"
        "m = json.load(urllib.request.urlopen(r))\n"
        "print(m['mediaType'], m['config']['mediaType'], *[l['mediaType'] for l in m['layers']])",
        url, NULL };
  g_autoptr(BerthTestResult) r = berth_test_spawn (argv, NULL, BERTH_TEST_AS_CALLER);

  if (r->status != 0)
    g_error ("reading %s: %s", url, r->err);
  return g_strchomp (g_strdup (r->out));
}

/* what berth pushes installs on docker, and the reverse */
static void
test_docker_interop (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestRegistry) reg = NULL;
  const gchar *dir = berth_test_binary ("BERTH_TEST_SSHFS_PLUGIN");
  g_autofree gchar *dockerd = g_find_program_in_path ("dockerd");
  g_autofree gchar *docker = g_find_program_in_path ("docker");
  g_autofree gchar *sock = NULL;
  g_autofree gchar *host = NULL;
  g_autofree gchar *data_root = NULL;
  g_autofree gchar *exec_root = NULL;
  g_autofree gchar *log = NULL;
  g_autofree gchar *from_berth = NULL;
  g_autofree gchar *from_docker = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GSubprocessLauncher) l = NULL;
  g_autoptr(GError) error = NULL;
  gboolean up = FALSE;

  if (!can_run ())
    return;
  if (dockerd == NULL || docker == NULL)
    {
      g_test_skip ("dockerd is not installed (Debian package docker.io)");
      return;
    }
  d = berth_test_daemon_start_built ();
  reg = berth_test_registry_start (d->tmp);
  sock = g_build_filename (d->tmp, "docker.sock", NULL);
  host = g_strdup_printf ("unix://%s", sock);
  data_root = g_build_filename (d->tmp, "docker-data", NULL);
  exec_root = g_strdup_printf ("/run/berth-test-docker-%d", (gint)getpid ());
  log = g_build_filename (d->tmp, "dockerd.log", NULL);
  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_stdout_file_path (l, log);
  g_subprocess_launcher_set_stderr_file_path (l, log);
  daemon = g_subprocess_launcher_spawn (l, &error, dockerd, "--data-root", data_root, "--exec-root",
                                        exec_root, "-H", host, "--iptables=false", "--bridge=none",
                                        NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 300 && !up; i++)
    {
      const gchar *argv[] = { docker, "-H", host, "version", NULL };
      g_autoptr(BerthTestResult) r = berth_test_spawn (argv, NULL, BERTH_TEST_AS_CALLER);
      up = r->status == 0;
      if (!up)
        g_usleep (100000);
    }
  if (!up)
    {
      g_autofree gchar *text = NULL;
      g_file_get_contents (log, &text, NULL, NULL);
      g_error ("dockerd did not start: %s", text);
    }

  from_berth = g_strdup_printf ("%s/berth/made:1.0", reg->host);
  from_docker = g_strdup_printf ("%s/docker/made:1.0", reg->host);
  {
    /* berth pushes, docker installs */
    const gchar *install[]
      = { docker,      "-H",       host, "plugin", "install", "--grant-all-permissions",
          "--disable", from_berth, NULL };
    const gchar *inspect_argv[] = {
      docker, "-H", host, "plugin", "inspect", "-f", "{{.Config.Description}}", from_berth, NULL
    };
    /* docker creates and pushes, berth installs */
    const gchar *create[] = { docker, "-H", host, "plugin", "create", from_docker, dir, NULL };
    const gchar *push[] = { docker, "-H", host, "plugin", "push", from_docker, NULL };
    g_autoptr(BerthTestResult) r = NULL;
    g_autofree gchar *ours = NULL;
    g_autofree gchar *theirs = NULL;
    g_autofree gchar *description = NULL;

    g_free (berth_test_run_ok (d, "plugin", "create", from_berth, dir, NULL));
    g_free (berth_test_run_ok (d, "plugin", "push", from_berth, NULL));
    r = berth_test_spawn (install, NULL, BERTH_TEST_AS_CALLER);
    if (r->status != 0)
      g_error ("docker could not install what berth pushed: %s", r->err);
    g_clear_pointer (&r, berth_test_result_free);
    r = berth_test_spawn (inspect_argv, NULL, BERTH_TEST_AS_CALLER);
    g_assert_cmpstr (r->out, ==, "sshFS plugin for Docker\n");
    g_clear_pointer (&r, berth_test_result_free);

    r = berth_test_spawn (create, NULL, BERTH_TEST_AS_CALLER);
    g_assert_cmpint (r->status, ==, 0);
    g_clear_pointer (&r, berth_test_result_free);
    r = berth_test_spawn (push, NULL, BERTH_TEST_AS_CALLER);
    if (r->status != 0)
      g_error ("docker push: %s", r->err);
    g_clear_pointer (&r, berth_test_result_free);
    g_free (berth_test_run_ok (d, "plugin", "install", "--grant-all-permissions", "--disable",
                               "--alias", "from/docker", from_docker, NULL));
    description = inspect (d, "{{.Config.Description}}", "from/docker");
    g_assert_cmpstr (description, ==, "sshFS plugin for Docker");

    /* the same media types as docker's, layer and all */
    ours = media_types (reg, "berth/made", "1.0");
    theirs = media_types (reg, "docker/made", "1.0");
    g_assert_cmpstr (ours, ==, theirs);
    g_assert_cmpstr (ours, ==,
                     "application/vnd.docker.distribution.manifest.v2+json "
                     "application/vnd.docker.plugin.v1+json "
                     "application/vnd.docker.image.rootfs.diff.tar.gzip");
  }
  {
    const gchar *rm[] = { docker, "-H", host, "plugin", "rm", "-f", from_berth, from_docker, NULL };
    g_autoptr(BerthTestResult) r = berth_test_spawn (rm, NULL, BERTH_TEST_AS_CALLER);
  }
  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_wait (daemon, NULL, NULL);
  {
    g_autofree gchar *cmd = g_strdup_printf ("rm -rf --one-file-system '%s'", exec_root);
    g_assert_cmpint (system (cmd), ==, 0);
  }
  berth_test_remove_all_plugins (d);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/install/push-install", test_push_install);
  g_test_add_func ("/install/errors", test_install_errors);
  g_test_add_func ("/install/docker-interop", test_docker_interop);
  return g_test_run ();
}
