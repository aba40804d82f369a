/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth run, through the real CLI: a real berthd with the real modules and
 * runc, a busybox image made from Debian's busybox-static, volumes of the
 * local driver and of the example sshfs plugin against a real sshd */
#include "config.h"

#include <gio/gio.h>
#include <signal.h>
#include <unistd.h>

#include "berth-test-harness.h"
#include "sshfs-fixture.h"

static gboolean
can_run (void)
{
  if (!berth_test_can_run_plugins ())
    return FALSE;
  if (!g_file_test ("/bin/busybox", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("needs /bin/busybox (Debian package busybox-static)");
      return FALSE;
    }
  return TRUE;
}

/* busybox and a few applets, imported as the image `busybox` */
static void
import_busybox (BerthTestDaemon *d)
{
  g_autofree gchar *dir = g_build_filename (d->tmp, "busybox", NULL);
  g_autofree gchar *bin = g_build_filename (dir, "bin", NULL);
  g_autofree gchar *tar = g_build_filename (d->tmp, "busybox.tar", NULL);
  g_autofree gchar *command = NULL;
  const gchar *const applets[]
    = { "sh", "ls", "cat", "echo", "id", "pwd", "sleep", "touch", "tty", "stty", NULL };

  g_assert_no_errno (g_mkdir_with_parents (bin, 0755));
  command = g_strdup_printf ("cp /bin/busybox '%s/busybox'", bin);
  g_assert_cmpint (system (command), ==, 0);
  for (guint i = 0; applets[i] != NULL; i++)
    {
      g_autofree gchar *link = g_build_filename (bin, applets[i], NULL);
      g_assert_no_errno (symlink ("busybox", link));
    }
  g_free (command);
  command = g_strdup_printf ("tar -C '%s' -cf '%s' .", dir, tar);
  g_assert_cmpint (system (command), ==, 0);
  g_free (berth_test_run_ok (d, "image", "import", tar, "busybox", NULL));
}

static BerthTestResult *
run (BerthTestDaemon *d, const gchar *first_arg, ...) G_GNUC_NULL_TERMINATED;

static BerthTestResult *
run (BerthTestDaemon *d, const gchar *first_arg, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (argv, (gpointer) "run");
  va_start (args, first_arg);
  for (const gchar *a = first_arg; a != NULL; a = va_arg (args, const gchar *))
    g_ptr_array_add (argv, (gpointer)a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return berth_test_runv (d, BERTH_TEST_AS_CALLER, (const gchar *const *)argv->pdata);
}

static gchar *
volume_mountpoint (BerthTestDaemon *d, const gchar *name)
{
  gchar *out = berth_test_run_ok (d, "volume", "inspect", "-f", "{{.Mountpoint}}", name, NULL);
  return g_strchomp (out);
}

/* how many mounts berthd holds on a volume: its object's Mounts property */
static guint
volume_mounts (BerthTestDaemon *d, const gchar *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_dbus_connection_new_for_address_sync (
    d->address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
  g_autofree gchar *element = g_dbus_escape_object_path (name);
  g_autofree gchar *path = g_strdup_printf ("/org/berth/Berth1/volumes/%s", element);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, NULL, path, "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", "org.berth.Berth1.Volume", "Mounts"),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return g_variant_get_uint32 (value);
}

/* the pid of a process whose command line is exactly @args */
static GPid
find_process (const gchar *const *args)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  g_autoptr(GString) want = g_string_new (NULL);
  const gchar *name;

  for (guint i = 0; args[i] != NULL; i++)
    g_string_append_len (want, args[i], strlen (args[i]) + 1);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree gchar *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree gchar *cmdline = NULL;
      gsize len = 0;
      if (g_ascii_isdigit (name[0]) && g_file_get_contents (path, &cmdline, &len, NULL)
          && len == want->len && memcmp (cmdline, want->str, len) == 0)
        return (GPid)atoi (name);
    }
  return 0;
}

static GPid
wait_for_process (const gchar *const *args)
{
  GPid pid = 0;
  for (guint i = 0; i < 200 && (pid = find_process (args)) == 0; i++)
    g_usleep (50000);
  g_assert_cmpint (pid, >, 0);
  return pid;
}

/* a `berth run` in the background */
static GSubprocess *
run_in_background (BerthTestDaemon *d, const gchar *const *args)
{
  g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                 | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  g_subprocess_launcher_setenv (l, "BERTH_ADDRESS", d->address, TRUE);
  g_ptr_array_add (argv, (gpointer)berth_test_binary ("BERTH"));
  g_ptr_array_add (argv, (gpointer) "run");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (l, (const gchar *const *)argv->pdata, &error);
  g_assert_no_error (error);
  return proc;
}

static void
assert_fails_with (BerthTestResult *r, gint status, const gchar *words)
{
  if (r->status != status || strstr (r->err, words) == NULL)
    g_error ("expected exit %d and “%s”, got %d: %s%s", status, words, r->status, r->out, r->err);
}

/* the image's process: its output on our streams, its exit code ours, its
 * environment, working directory and user as asked */
static void
test_run_basics (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestResult) r = NULL;
  g_autofree gchar *ps = NULL;
  g_autofree gchar *mountpoint = NULL;

  if (!can_run ())
    return;
  d = berth_test_daemon_start_built ();
  import_busybox (d);

  r = run (d, "busybox", "sh", "-c", "echo out; echo err >&2; exit 3", NULL);
  g_assert_cmpint (r->status, ==, 3);
  g_assert_cmpstr (r->out, ==, "out\n");
  g_assert_cmpstr (r->err, ==, "err\n");
  g_clear_pointer (&r, berth_test_result_free);

  r = run (d, "--rm", "-e", "GREETING=hello", "-w", "/tmp/work", "-u", "1000:1001", "busybox", "sh",
           "-c", "echo $GREETING $(pwd) $(id -u):$(id -g) $PATH", NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->out, ==,
                   "hello /tmp/work 1000:1001 "
                   "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
  g_clear_pointer (&r, berth_test_result_free);

  /* docker's default confinement: its 14 capabilities, no CAP_SYS_ADMIN */
  r = run (d, "--rm", "busybox", "sh", "-c", "cat /proc/self/status", NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_nonnull (strstr (r->out, "CapEff:\t00000000a80425fb\n"));
  g_clear_pointer (&r, berth_test_result_free);

  /* a named volume that does not exist is made with the local driver; it
   * is mounted while the process runs and released after */
  r = run (d, "--name", "writer", "-v", "data:/data", "busybox", "sh", "-c",
           "echo kept > /data/file; cat /data/file", NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->out, ==, "kept\n");
  g_clear_pointer (&r, berth_test_result_free);
  g_assert_cmpuint (volume_mounts (d, "data"), ==, 0);
  mountpoint = volume_mountpoint (d, "data");
  {
    g_autofree gchar *file = g_build_filename (mountpoint, "file", NULL);
    g_autofree gchar *text = NULL;
    g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "kept\n");
  }
  r = run (d, "--rm", "-v", "data:/data:ro", "busybox", "touch", "/data/other", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "Read-only file system"));
  g_clear_pointer (&r, berth_test_result_free);

  /* without --rm it stays for ps -a and rm; with --rm nothing stays */
  ps = berth_test_run_ok (d, "ps", "-a", NULL);
  g_assert_true (g_str_has_prefix (ps, "CONTAINER ID   IMAGE     COMMAND"));
  g_assert_nonnull (strstr (ps, "writer"));
  g_assert_nonnull (strstr (ps, "Exited (0)"));
  g_assert_nonnull (strstr (ps, "\"sh -c echo kept > /…\""));
  g_clear_pointer (&ps, g_free);
  /* nothing runs */
  ps = berth_test_run_ok (d, "ps", NULL);
  g_assert_cmpstr (strchr (ps, '\n') + 1, ==, "");
  g_clear_pointer (&ps, g_free);
  /* docker's --format fields and filters */
  {
    g_autofree gchar *named = berth_test_run_ok (d, "ps", "-a", "-f", "name=writ", "--format",
                                                 "{{.Names}} {{.State}} {{.Mounts}}", NULL);
    g_autofree gchar *exited = berth_test_run_ok (d, "ps", "-q", "-f", "status=exited", NULL);
    g_autofree gchar *json = berth_test_run_ok (d, "ps", "-a", "--format", "json", NULL);
    g_autoptr(BerthTestResult) bad
               = berth_test_run (d, BERTH_TEST_AS_CALLER, "ps", "-f", "colour=blue", NULL);
    g_auto(GStrv) json_lines = g_strsplit (g_strchomp (json), "\n", -1);

    g_assert_cmpstr (named, ==, "writer exited data:/data\n");
    g_assert_cmpuint (strlen (exited), ==, 2 * 13);
    g_assert_cmpuint (g_strv_length (json_lines), ==, 2);
    for (guint i = 0; json_lines[i] != NULL; i++)
      {
        g_autoptr(JsonNode) node = berth_test_parse_json (json_lines[i]);
        g_assert_nonnull (json_object_get_string_member (json_node_get_object (node), "Status"));
      }
    g_assert_cmpint (bad->status, ==, 1);
    g_assert_nonnull (strstr (bad->err, "invalid filter 'colour=blue'"));
  }
  /* docker's container object */
  {
    g_autofree gchar *state
      = berth_test_run_ok (d, "container", "inspect", "-f",
                           "{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.Path}} "
                           "{{json .Mounts}}",
                           "writer", NULL);
    g_autofree gchar *json = berth_test_run_ok (d, "container", "inspect", "writer", NULL);
    g_autoptr(JsonNode) node = berth_test_parse_json (json);

    g_assert_true (g_str_has_prefix (state, "/writer exited 0 sh [{"));
    g_assert_nonnull (strstr (state, "\"Name\":\"data\""));
    g_assert_nonnull (strstr (state, "\"Destination\":\"/data\""));
    g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
    g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 1);
  }
  g_assert_cmpstr (berth_test_run_ok (d, "rm", "writer", NULL), ==, "writer\n");
  ps = berth_test_run_ok (d, "ps", "-aq", NULL);
  /* the first run (exit 3) is still there; the --rm ones are not */
  g_assert_cmpuint (strlen (ps), ==, 13);
}

/* `berth` under a terminal of its own (script(1)) running @command */
static BerthTestResult *
run_on_terminal (BerthTestDaemon *d, const gchar *input, const gchar *command)
{
  g_autofree gchar *script
    = g_strdup_printf ("printf '%s' | /usr/bin/script -qec 'stty cols 120 rows 40; %s; echo "
                       "rc=$?' /dev/null",
                       input, command);
  const gchar *argv[] = { "/bin/sh", "-c", script, NULL };
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "BERTH_ADDRESS", d->address, TRUE);

  envp = g_environ_setenv (envp, "BERTH", berth_test_binary ("BERTH"), TRUE);
  return berth_test_spawn (argv, (const gchar *const *)envp, BERTH_TEST_AS_CALLER);
}

/* -t: the process on a terminal of its own (its controlling terminal, the
 * size of ours, TERM=xterm), and -it: what we type reaches it */
static void
test_run_terminal (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestResult) r = NULL;

  if (!can_run ())
    return;
  d = berth_test_daemon_start_built ();
  import_busybox (d);

  r = run_on_terminal (
    d, "", "\"$BERTH\" run --rm -t busybox sh -c \"tty; stty size; echo \\$TERM; exit 5\"");
  if (strstr (r->out, "/dev/pts/0") == NULL || strstr (r->out, "40 120") == NULL
      || strstr (r->out, "xterm") == NULL || strstr (r->out, "rc=5") == NULL)
    g_error ("unexpected output of run -t: %s%s", r->out, r->err);
  g_clear_pointer (&r, berth_test_result_free);

  r = run_on_terminal (d, "echo typed; exit 3\\n", "\"$BERTH\" run --rm -it busybox sh");
  if (strstr (r->out, "\ntyped") == NULL || strstr (r->out, "rc=3") == NULL)
    g_error ("unexpected output of run -it: %s%s", r->out, r->err);
  g_clear_pointer (&r, berth_test_result_free);

  /* our terminal resized meanwhile: the process's follows */
  r = run_on_terminal (d, "",
                       "(sleep 0.7; stty -F /dev/tty cols 100 rows 30) & \"$BERTH\" run --rm -t "
                       "busybox sh -c \"sleep 1.5; stty size\"");
  if (strstr (r->out, "30 100") == NULL)
    g_error ("the terminal was not resized: %s%s", r->out, r->err);
}

/* bad input gets docker's exit codes and words, and leaves nothing behind */
static void
test_run_errors (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestResult) r = NULL;
  g_autofree gchar *ps = NULL;

  if (!can_run ())
    return;
  d = berth_test_daemon_start_built ();
  import_busybox (d);

  r = run (d, "no/such-image:1", "ls", NULL);
  assert_fails_with (r, 125, "Unable to find image 'no/such-image:1' locally");
  g_clear_pointer (&r, berth_test_result_free);
  r = run (d, "-v", "data", "busybox", "ls", NULL);
  assert_fails_with (r, 125, "invalid volume specification: 'data'");
  g_clear_pointer (&r, berth_test_result_free);
  r = run (d, "-v", "data:relative", "busybox", "ls", NULL);
  assert_fails_with (r, 125, "invalid mount path: 'relative' mount path must be absolute");
  g_clear_pointer (&r, berth_test_result_free);
  r = run (d, "-v", "data:/data:rx", "busybox", "ls", NULL);
  assert_fails_with (r, 125, "invalid mode: rx");
  g_clear_pointer (&r, berth_test_result_free);
  r = run (d, "--network", "bridge", "busybox", "ls", NULL);
  assert_fails_with (r, 125, "network bridge not found");
  g_clear_pointer (&r, berth_test_result_free);
  r = run (d, "--rm", "busybox", "no-such-command", NULL);
  assert_fails_with (r, 127, "no-such-command");
  g_clear_pointer (&r, berth_test_result_free);
  r = run (d, "--user", "nobody", "busybox", "ls", NULL);
  assert_fails_with (r, 125, "unable to find user nobody");
  g_clear_pointer (&r, berth_test_result_free);

  /* a caller without the right to change state */
  r = berth_test_run (d, (uid_t)65534, "run", "busybox", "ls", NULL);
  g_assert_cmpint (r->status, ==, 125);
  g_assert_nonnull (strstr (r->err, "permission denied"));
  g_clear_pointer (&r, berth_test_result_free);

  /* what the CLI would never send: berthd answers with an error, and lives */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GDBusConnection) bus = g_dbus_connection_new_for_address_sync (
      d->address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
    const gchar *const bad[] = {
      "({'Cmd': <['ls']>}, @h 0, @h 1, @h 2)",
      "({'Image': <''>}, @h 0, @h 1, @h 2)",
      "({'Image': <42>, 'Cmd': <'not an array'>}, @h 0, @h 1, @h 2)",
      "({'Image': <'busybox'>, 'Cmd': <@as []>, 'Volumes': <['a:b:c:d']>}, @h 7, @h -1, @h 99)",
      "({'Image': <'busybox'>, 'User': <'0:no-such-group'>}, @h 0, @h 1, @h 2)",
    };

    g_assert_no_error (error);
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GVariant) reply = g_dbus_connection_call_with_unix_fd_list_sync (
          bus, NULL, "/org/berth/Berth1", "org.berth.Berth1.Containers", "Run",
          g_variant_new_parsed (bad[i]), NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL,
          &error);
        if (reply != NULL)
          g_error ("berthd ran %s", bad[i]);
        g_clear_error (&error);
      }
  }
  g_free (berth_test_run_ok (d, "version", NULL));

  ps = berth_test_run_ok (d, "ps", "-aq", NULL);
  g_assert_cmpstr (ps, ==, "");
  /* checked before anything is made: no volume was created either */
  g_clear_pointer (&ps, g_free);
  ps = berth_test_run_ok (d, "volume", "ls", "-q", NULL);
  g_assert_cmpstr (ps, ==, "");
}

/* volumes are unmounted however the process ends: it exits non-zero, it is
 * killed, berthd is killed while it runs, or both */
static void
test_run_unmount_paths (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestResult) r = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;
  /* a sleep no other test's container runs: the pid of this test in it */
  g_autofree gchar *seconds = g_strdup_printf ("%d", 100000 + (gint)getpid ());
  const gchar *sleeper[] = { "sleep", seconds, NULL };
  GPid pid;

  if (!can_run ())
    return;
  d = berth_test_daemon_start_built ();
  import_busybox (d);

  r = run (d, "--rm", "-v", "data:/data", "busybox", "sh", "-c", "exit 9", NULL);
  g_assert_cmpint (r->status, ==, 9);
  g_assert_cmpuint (volume_mounts (d, "data"), ==, 0);
  g_clear_pointer (&r, berth_test_result_free);

  /* SIGKILL of the process: 128 + 9, as docker says */
  cli = run_in_background (
    d, (const gchar *const[]){ "--rm", "-v", "data:/data", "busybox", "sleep", seconds, NULL });
  pid = wait_for_process (sleeper);
  g_assert_cmpuint (volume_mounts (d, "data"), ==, 1);
  g_assert_no_errno (kill (pid, SIGKILL));
  g_assert_true (g_subprocess_wait (cli, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 137);
  g_assert_cmpuint (volume_mounts (d, "data"), ==, 0);
  g_clear_object (&cli);

  /* berthd killed while the process runs: the next berthd watches it and
   * unmounts when it ends */
  cli = run_in_background (d, (const gchar *const[]){ "--name", "survivor", "-v", "data:/data",
                                                      "busybox", "sleep", seconds, NULL });
  pid = wait_for_process (sleeper);
  g_assert_cmpint (berth_test_daemon_stop (d, SIGKILL), ==, 128 + SIGKILL);
  g_assert_true (berth_test_daemon_start (d, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (volume_mounts (d, "data"), ==, 1);
  g_assert_no_errno (kill (pid, SIGKILL));
  for (guint i = 0; i < 100 && volume_mounts (d, "data") > 0; i++)
    g_usleep (50000);
  g_assert_cmpuint (volume_mounts (d, "data"), ==, 0);
  {
    g_autofree gchar *ps = berth_test_run_ok (d, "ps", "-a", NULL);
    g_assert_nonnull (strstr (ps, "Exited (255)"));
  }
  g_free (berth_test_run_ok (d, "rm", "survivor", NULL));
  g_subprocess_wait (cli, NULL, NULL);
  g_clear_object (&cli);

  /* and ended while no berthd was there: the next one unmounts at start */
  cli = run_in_background (
    d, (const gchar *const[]){ "--rm", "-v", "data:/data", "busybox", "sleep", seconds, NULL });
  pid = wait_for_process (sleeper);
  g_assert_cmpint (berth_test_daemon_stop (d, SIGKILL), ==, 128 + SIGKILL);
  g_assert_no_errno (kill (pid, SIGKILL));
  g_assert_true (berth_test_daemon_start (d, NULL, &error));
  for (guint i = 0; i < 100 && volume_mounts (d, "data") > 0; i++)
    g_usleep (50000);
  g_assert_cmpuint (volume_mounts (d, "data"), ==, 0);
  {
    g_autofree gchar *ps = berth_test_run_ok (d, "ps", "-aq", NULL);
    g_assert_cmpstr (ps, ==, "");
  }
  g_subprocess_wait (cli, NULL, NULL);
}

/* the seed's scenario: a volume of the sshfs plugin, the remote file read
 * inside a container; and a driver that refuses the mount */
static void
test_run_sshfs (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestSshfs) sshfs = NULL;
  g_autoptr(BerthTestResult) r = NULL;
  g_autofree gchar *ps = NULL;

  if (!can_run () || !berth_test_sshfs_can_run ())
    return;
  d = berth_test_daemon_start_built ();
  import_busybox (d);
  sshfs = berth_test_sshfs_start (d);
  {
    g_autofree gchar *file = g_build_filename (sshfs->remote, "hello.txt", NULL);
    g_assert_true (g_file_set_contents (file, "hello from the remote side\n", -1, NULL));
  }
  g_free (berth_test_sshfs_create_volume (d, sshfs, "sshvolume", NULL));

  /* docker run -v sshvolume:/data busybox ls /data */
  r = run (d, "-v", "sshvolume:/data", "busybox", "ls", "/data", NULL);
  if (r->status != 0)
    g_error ("berth run failed: %s", r->err);
  g_assert_cmpstr (r->out, ==, "hello.txt\n");
  g_clear_pointer (&r, berth_test_result_free);
  r = run (d, "--rm", "-v", "sshvolume:/data", "busybox", "cat", "/data/hello.txt", NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->out, ==, "hello from the remote side\n");
  g_clear_pointer (&r, berth_test_result_free);
  g_assert_cmpuint (volume_mounts (d, "sshvolume"), ==, 0);

  /* a driver that refuses the mount: the error says so, nothing stays */
  g_free (berth_test_sshfs_create_volume (d, sshfs, "badvolume", "missing"));
  r = run (d, "--rm", "-v", "sshvolume:/ok", "-v", "badvolume:/data", "busybox", "ls", NULL);
  assert_fails_with (r, 125, "mounting volume badvolume");
  g_clear_pointer (&r, berth_test_result_free);
  g_assert_cmpuint (volume_mounts (d, "sshvolume"), ==, 0);
  ps = berth_test_run_ok (d, "ps", "-aq", NULL);
  g_assert_cmpuint (strlen (ps), ==, 13);

  g_free (berth_test_run_ok (d, "rm", g_strchomp (ps), NULL));
  g_free (berth_test_run_ok (d, "volume", "rm", "sshvolume", "badvolume", NULL));
  g_free (berth_test_run_ok (d, "plugin", "disable", "vieux/sshfs", NULL));
  g_free (berth_test_run_ok (d, "plugin", "rm", "vieux/sshfs", NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/run/basics", test_run_basics);
  g_test_add_func ("/run/errors", test_run_errors);
  g_test_add_func ("/run/terminal", test_run_terminal);
  g_test_add_func ("/run/unmount-paths", test_run_unmount_paths);
  g_test_add_func ("/run/sshfs", test_run_sshfs);
  return g_test_run ();
}
