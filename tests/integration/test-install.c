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
/* A proxy in front of the registry that stops answering on a connection
 * once it has sent @limit bytes on it: a blob download that never ends.
 * It notes when berthd gives up the stalled connection. */
typedef struct
{
  GSocketListener *listener;
  guint16 port;
  guint16 upstream;
  gsize limit;
  gint stalled;   /* atomic */
  gint abandoned; /* atomic: berthd closed a stalled connection */
} StallProxy;

typedef struct
{
  StallProxy *proxy;
  GSocketConnection *client;
  GSocketConnection *upstream;
  gint stalled;
} StallConnection;

/* registry → berthd, until the limit */
static gpointer
stall_down (gpointer data)
{
  StallConnection *c = data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (c->upstream));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (c->client));
  gchar buf[8192];
  gsize sent = 0;
  gssize n;

  while (
    (n = g_input_stream_read (in, buf, MIN (sizeof buf, c->proxy->limit - sent + 1), NULL, NULL))
    > 0)
    {
      if (sent + (gsize)n > c->proxy->limit)
        {
          g_atomic_int_set (&c->stalled, 1);
          g_atomic_int_set (&c->proxy->stalled, 1);
          return NULL;
        }
      if (!g_output_stream_write_all (out, buf, n, NULL, NULL, NULL))
        return NULL;
      sent += (gsize)n;
    }
  return NULL;
}

/* berthd → registry, until berthd closes */
static gpointer
stall_up (gpointer data)
{
  StallConnection *c = data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (c->client));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (c->upstream));
  gchar buf[8192];
  gssize n;

  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL)) > 0)
    if (!g_output_stream_write_all (out, buf, n, NULL, NULL, NULL))
      break;
  if (g_atomic_int_get (&c->stalled))
    g_atomic_int_set (&c->proxy->abandoned, 1);
  return NULL;
}

static gpointer
stall_accept (gpointer data)
{
  StallProxy *proxy = data;

  for (;;)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      StallConnection *c;
      GSocketConnection *conn = g_socket_listener_accept (proxy->listener, NULL, NULL, NULL);

      if (conn == NULL)
        return NULL;
      c = g_new0 (StallConnection, 1); /* lives as long as the test */
      c->proxy = proxy;
      c->client = conn;
      c->upstream
        = g_socket_client_connect_to_host (client, "127.0.0.1", proxy->upstream, NULL, NULL);
      if (c->upstream == NULL)
        continue;
      g_thread_unref (g_thread_new ("stall-down", stall_down, c));
      g_thread_unref (g_thread_new ("stall-up", stall_up, c));
    }
}

static StallProxy *
stall_proxy_start (BerthTestRegistry *reg, gsize limit)
{
  StallProxy *proxy = g_new0 (StallProxy, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  proxy->listener = g_socket_listener_new ();
  proxy->limit = limit;
  proxy->upstream = (guint16)atoi (strrchr (reg->host, ':') + 1);
  g_socket_listener_add_address (proxy->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_thread_unref (g_thread_new ("stall-accept", stall_accept, proxy));
  return proxy;
}

static gboolean
wait_for_flag (gint *flag, guint seconds)
{
  for (guint i = 0; i < seconds * 20 && !g_atomic_int_get (flag); i++)
    g_usleep (50000);
  return g_atomic_int_get (flag);
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

/* the Install after a Privileges call installs what Privileges saw, even
 * when the tag moves in between (docker resolves again) */
static void
assert_install_pinned (BerthTestDaemon *d,
                       BerthTestRegistry *reg,
                       const gchar *v1_dir,
                       const gchar *v2_dir)
{
  g_autofree gchar *pin = g_strdup_printf ("%s/berth/pin:1", reg->host);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_dbus_connection_new_for_address_sync (
    d->address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
  g_autoptr(GVariant) asked = NULL;
  g_autoptr(GVariant) privileges = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree gchar *description = NULL;

  g_assert_no_error (error);
  g_free (berth_test_run_ok (d, "plugin", "create", pin, v1_dir, NULL));
  g_free (berth_test_run_ok (d, "plugin", "push", pin, NULL));
  g_free (berth_test_run_ok (d, "plugin", "rm", pin, NULL));
  asked = g_dbus_connection_call_sync (bus, NULL, "/org/berth/Berth1", "org.berth.Berth1.Plugins",
                                       "Privileges", g_variant_new ("(s)", pin), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  privileges = g_variant_get_child_value (asked, 1);

  /* the tag moves to another version */
  g_free (berth_test_run_ok (d, "plugin", "create", pin, v2_dir, NULL));
  g_free (berth_test_run_ok (d, "plugin", "push", pin, NULL));
  g_free (berth_test_run_ok (d, "plugin", "rm", pin, NULL));

  reply = g_dbus_connection_call_sync (
    bus, NULL, "/org/berth/Berth1", "org.berth.Berth1.Plugins", "Install",
    g_variant_new ("(ss@a(ssas)^asb)", pin, "pinned", privileges, (const gchar *[]){ NULL }, TRUE),
    NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  description = inspect (d, "{{.Config.Description}}", "pinned");
  g_assert_cmpstr (description, ==, "sshFS plugin for Docker");
  g_clear_pointer (&description, g_free);

  /* asked again, it is the new one */
  g_free (berth_test_run_ok (d, "plugin", "install", "--grant-all-permissions", "--disable",
                             "--alias", "fresh", pin, NULL));
  description = inspect (d, "{{.Config.Description}}", "fresh");
  g_assert_cmpstr (description, ==, "sshFS plugin, v2");
  g_free (berth_test_run_ok (d, "plugin", "rm", "pinned", "fresh", NULL));
}

/* a job's output on a pipe, as docker prints it: its lines of their own
 * (@head), then one line per blob and status without byte counts, each
 * status one of @statuses and @must among them, then @last */
static void
assert_progress (const gchar *out,
                 const gchar *const *head,
                 const gchar *statuses,
                 const gchar *must,
                 const gchar *last)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree gchar *pattern = g_strdup_printf ("^[0-9a-f]{12}: (%s)$", statuses);
  g_autoptr(GRegex) blob_line = g_regex_new (pattern, 0, 0, NULL);
  guint n = g_strv_length (lines);
  guint i = 0;
  gboolean seen = FALSE;

  g_assert_cmpuint (n, >=, g_strv_length ((gchar **)head) + 3);
  for (; head[i] != NULL; i++)
    g_assert_cmpstr (lines[i], ==, head[i]);
  /* the last line ends with a newline: the split leaves "" after it */
  g_assert_cmpstr (lines[n - 1], ==, "");
  for (; i < n - 2; i++)
    {
      if (!g_regex_match (blob_line, lines[i], 0, NULL))
        g_error ("not a progress line: %s\nin:\n%s", lines[i], out);
      seen = seen || g_str_has_suffix (lines[i], must);
    }
  if (!seen)
    g_error ("no %s in:\n%s", must, out);
  g_assert_true (g_str_has_prefix (lines[n - 2], last));
}

/* on a terminal, docker's way: one line per blob rewritten in place, with
 * a bar when the terminal is wider than 110 columns */
static void
assert_terminal_progress (BerthTestDaemon *d, BerthTestRegistry *reg, const gchar *dir)
{
  g_autofree gchar *ref = g_strdup_printf ("%s/berth/terminal:1", reg->host);
  g_autofree gchar *command
    = g_strdup_printf ("stty cols 120 rows 40; \"$BERTH\" plugin push %s", ref);
  const gchar *argv[] = { "/usr/bin/script", "-qec", command, "/dev/null", NULL };
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "BERTH_ADDRESS", d->address, TRUE);
  g_autoptr(BerthTestResult) r = NULL;
  g_autoptr(GRegex) bar = g_regex_new (
    "\033\\[[0-9]+A\033\\[2K\r[0-9a-f]{12}: Uploading \\[=*> *\\] +[0-9.]+[kMG]?B/[0-9.]+[kMG]?B",
    0, 0, NULL);
  g_autoptr(GRegex) done = g_regex_new ("\033\\[2K\r[0-9a-f]{12}: Upload complete", 0, 0, NULL);

  envp = g_environ_setenv (envp, "BERTH", berth_test_binary ("BERTH"), TRUE);
  /* a new repository: the registry has none of its blobs */
  g_free (berth_test_run_ok (d, "plugin", "create", ref, dir, NULL));
  r = berth_test_spawn (argv, (const gchar *const *)envp, BERTH_TEST_AS_CALLER);
  g_assert_cmpint (r->status, ==, 0);
  if (!g_regex_match (bar, r->out, 0, NULL) || !g_regex_match (done, r->out, 0, NULL))
    g_error ("no progress bars in:\n%s", r->out);
  g_assert_nonnull (strstr (r->out, "1: digest: sha256:"));
  g_free (berth_test_run_ok (d, "plugin", "rm", ref, NULL));
}

/* a CLI killed during the pull cancels it in berthd at once: the download
 * stops, nothing half-stored stays, and the next install fetches it all */
static void
test_install_cancel (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestRegistry) reg = NULL;
  const gchar *dir = berth_test_binary ("BERTH_TEST_SSHFS_PLUGIN");
  g_autofree gchar *ref = NULL;
  g_autofree gchar *slow = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *ls = NULL;
  g_autoptr(GSubprocessLauncher) l = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;
  StallProxy *proxy;

  if (!can_run ())
    return;
  d = berth_test_daemon_start_built ();
  reg = berth_test_registry_start (d->tmp);
  ref = g_strdup_printf ("%s/berth/cancel:1", reg->host);
  g_free (berth_test_run_ok (d, "plugin", "create", ref, dir, NULL));
  g_free (berth_test_run_ok (d, "plugin", "push", ref, NULL));
  g_free (berth_test_run_ok (d, "plugin", "rm", ref, NULL));

  /* manifests and configs pass; the layer stalls after 64 KiB */
  proxy = stall_proxy_start (reg, 64 * 1024);
  slow = g_strdup_printf ("127.0.0.1:%u/berth/cancel:1", proxy->port);
  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (l, "BERTH_ADDRESS", d->address, TRUE);
  cli = g_subprocess_launcher_spawn (l, &error, berth_test_binary ("BERTH"), "plugin", "install",
                                     "--grant-all-permissions", slow, NULL);
  g_assert_no_error (error);
  g_assert_true (wait_for_flag (&proxy->stalled, 30));
  g_subprocess_force_exit (cli);
  g_assert_true (g_subprocess_wait (cli, NULL, NULL));
  /* berthd's own timeout is 30 s: this is the cancellation */
  g_assert_true (wait_for_flag (&proxy->abandoned, 5));

  ls = berth_test_run_ok (d, "plugin", "ls", "-q", NULL);
  g_assert_cmpstr (ls, ==, "");
  out
    = berth_test_run_ok (d, "plugin", "install", "--grant-all-permissions", "--disable", ref, NULL);
  g_assert_nonnull (strstr (out, ": Download complete\n"));
  g_assert_null (strstr (out, "Already exists"));
  g_socket_listener_close (proxy->listener);
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
  expected = g_strdup_printf ("The push refers to repository [%s/berth/sshfs]", reg->host);
  assert_progress (push_out, (const gchar *[]){ expected, NULL },
                   "Preparing|Upload complete|Layer already exists", "Upload complete",
                   "1.0: digest: ");
  digest = g_strchomp (g_strdup (strstr (push_out, "1.0: digest: ") + strlen ("1.0: digest: ")));
  g_assert_true (g_str_has_prefix (digest, "sha256:"));
  g_assert_cmpuint (strlen (digest), ==, 7 + 64);
  g_free (berth_test_run_ok (d, "plugin", "rm", ref, NULL));

  assert_wrong_grant_refused (d, ref);
  assert_terminal_progress (d, reg, dir);

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

    g_autofree gchar *prompt = expected_prompt (ref);
    g_autofree gchar *pulling = g_strdup_printf ("1.0: Pulling from %s/berth/sshfs", reg->host);
    g_autofree gchar *digest_line = g_strdup_printf ("Digest: %s", digest);

    r = run_answering (d, " Y \\n", args);
    if (r->status != 0)
      g_error ("install failed: %s", r->err);
    /* the prompt, then the pull as docker shows it on a pipe */
    g_assert_true (g_str_has_prefix (r->out, prompt));
    out = g_strdup_printf ("Installed plugin %s", ref);
    assert_progress (r->out + strlen (prompt), (const gchar *[]){ pulling, digest_line, NULL },
                     "Waiting|Pulling fs layer|Download complete|Extracting|Pull complete",
                     "Pull complete", out);
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
    g_autofree gchar *installed = g_strdup_printf ("Installed plugin %s", ref);
    g_autofree gchar *pulling = g_strdup_printf ("1.0: Pulling from %s/berth/sshfs", reg->host);
    g_autofree gchar *digest_line = g_strdup_printf ("Digest: %s", digest);
    g_autofree gchar *df = berth_test_run_ok (d, "--json", "system", "df", NULL);
    g_autoptr(JsonNode) node = berth_test_parse_json (df);
    JsonObject *unique = json_object_get_object_member (json_node_get_object (node), "Unique");

    /* its layers are stored already: nothing is downloaded */
    assert_progress (out, (const gchar *[]){ pulling, digest_line, NULL }, "Already exists",
                     "Already exists", installed);
    g_assert_null (strstr (out, "Download"));
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
    g_autofree gchar *v2_push = NULL;

    g_assert_cmpint (system (cmd), ==, 0);
    g_free (berth_test_run_ok (d, "plugin", "create", v2, v2_dir, NULL));
    v2_push = berth_test_run_ok (d, "plugin", "push", v2, NULL);
    g_free (berth_test_run_ok (d, "plugin", "rm", v2, NULL));
    assert_install_pinned (d, reg, dir, v2_dir);

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
                                    "Plugin images do not match, are you sure? [y/N] %s",
                                    ref, ref, v2, expected_prompt (v2));
    g_assert_true (g_str_has_prefix (r->out, expected_out));
    {
      g_autofree gchar *pulling = g_strdup_printf ("2.0: Pulling from %s/berth/sshfs", reg->host);
      g_autofree gchar *digest_line
        = g_strdup_printf ("Digest: %s", strstr (v2_push, "2.0: digest: ") + 13);
      g_autofree gchar *upgraded = g_strdup_printf ("Upgraded plugin %s to %s", ref, v2);

      g_strchomp (digest_line);
      assert_progress (r->out + strlen (expected_out),
                       (const gchar *[]){ pulling, digest_line, NULL }, "Already exists",
                       "Already exists", upgraded);
    }
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

static gint64
store_size (BerthTestDaemon *d)
{
  g_autofree gchar *df = berth_test_run_ok (d, "--json", "system", "df", NULL);
  g_autoptr(JsonNode) node = berth_test_parse_json (df);
  JsonObject *store = json_object_get_object_member (json_node_get_object (node), "ContentStore");
  return json_object_get_int_member (store, "Size");
}

/* an install whose layer the store refuses leaves the store as it was:
 * the blobs it downloaded go too */
static void
test_install_refused_layer (void)
{
  g_autoptr(BerthTestDaemon) maker = NULL;
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestRegistry) reg = NULL;
  g_autoptr(BerthTestResult) r = NULL;
  g_autoptr(GError) error = NULL;
  const gchar *dir = berth_test_binary ("BERTH_TEST_SSHFS_PLUGIN");
  g_autofree gchar *ref = NULL;
  g_autofree gchar *ls = NULL;
  gint64 before, after = -1;

  if (!can_run ())
    return;
  maker = berth_test_daemon_start_built ();
  reg = berth_test_registry_start (maker->tmp);
  ref = g_strdup_printf ("%s/berth/many-files:1", reg->host);
  g_free (berth_test_run_ok (maker, "plugin", "create", ref, dir, NULL));
  g_free (berth_test_run_ok (maker, "plugin", "push", ref, NULL));

  /* a berthd that takes layers of at most ten entries */
  d = berth_test_daemon_new ();
  berth_test_daemon_use_build_modules (d);
  berth_test_daemon_set_config (d, "[content-store]\nmax-layer-entries=10\n");
  g_assert_true (berth_test_daemon_start (d, NULL, &error));
  g_assert_no_error (error);
  before = store_size (d);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "install", "--grant-all-permissions",
                      "--disable", ref, NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "more than 10 entries (max-layer-entries)"));
  ls = berth_test_run_ok (d, "plugin", "ls", "-q", NULL);
  g_assert_cmpstr (ls, ==, "");
  /* the collection runs in the background */
  for (guint i = 0; i < 100 && after != before; i++)
    {
      g_usleep (100 * 1000);
      after = store_size (d);
    }
  g_assert_cmpint (after, ==, before);
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
  g_test_add_func ("/install/refused-layer", test_install_refused_layer);
  g_test_add_func ("/install/cancel", test_install_cancel);
  g_test_add_func ("/install/docker-interop", test_docker_interop);
  return g_test_run ();
}
