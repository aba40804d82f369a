/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plugin folder the build assembles, on Docker itself: a private dockerd
 * (its own data root, exec root and socket; no bridge, no iptables) takes it
 * with `docker plugin create`, and a container reads the remote through a
 * volume of it. Opt-in (BERTH_TEST_DOCKER=1): it starts a Docker daemon.
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "sshd-fixture.h"

#define PLUGIN "berth-test/sshfs"
#define IMAGE  "berth-test/cat"

typedef struct
{
  gchar *tmpdir;
  gchar **envp;
  GSubprocess *sshd;
  GSubprocess *dockerd;
  guint16 port;
} Fixture;

static const gchar *skip_reason;

/* runs the docker CLI against the private daemon */
static gint
docker (Fixture *f, gchar **out, gchar **err, const gchar *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *stdout_text = NULL;
  g_autofree gchar *stderr_text = NULL;
  gint status = 0;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "docker");
  va_start (args, first);
  for (const gchar *arg = first; arg != NULL; arg = va_arg (args, const gchar *))
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (gchar **)argv->pdata, f->envp, G_SPAWN_SEARCH_PATH, NULL, NULL, &stdout_text,
                &stderr_text, &status, &error);
  g_assert_no_error (error);
  g_test_message ("docker %s: %s%s", first, stdout_text, stderr_text);
  if (out != NULL)
    *out = g_strstrip (g_steal_pointer (&stdout_text));
  if (err != NULL)
    *err = g_strstrip (g_steal_pointer (&stderr_text));
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
start_dockerd (Fixture *f)
{
  g_autofree gchar *root = g_build_filename (f->tmpdir, "root", NULL);
  /* short: the daemon dials <exec-root>/plugins/<64 hex>/sshfs.sock */
  g_autofree gchar *exec_root = g_build_filename (f->tmpdir, "x", NULL);
  g_autofree gchar *pidfile = g_build_filename (f->tmpdir, "dockerd.pid", NULL);
  g_autofree gchar *host = g_strdup_printf ("unix://%s/docker.sock", f->tmpdir);
  g_autofree gchar *log = g_build_filename (f->tmpdir, "dockerd.log", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  f->envp = g_environ_setenv (g_get_environ (), "DOCKER_HOST", host, TRUE);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_child_setup (launcher, test_child_setup_die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  f->dockerd = g_subprocess_launcher_spawn (
    launcher, &error, "dockerd", "--data-root", root, "--exec-root", exec_root, "--pidfile",
    pidfile, "-H", host, "--iptables=false", "--ip6tables=false", "--bridge=none", NULL);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (docker (f, NULL, NULL, "version", NULL) != 0)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree gchar *text = NULL;
          g_file_get_contents (log, &text, NULL, NULL);
          g_error ("dockerd did not start: %s", text);
        }
      g_usleep (200 * 1000);
    }
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree gchar *keys = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *remote = NULL;
  g_autofree gchar *file = NULL;
  g_autoptr(GError) error = NULL;
  gchar template[] = "/tmp/bdXXXXXX";

  if (skip_reason != NULL)
    return;
  g_assert_nonnull (g_mkdtemp (template));
  f->tmpdir = g_strdup (template);
  keys = g_build_filename (f->tmpdir, "keys", NULL);
  key = g_build_filename (keys, "id_ed25519", NULL);
  remote = g_build_filename (f->tmpdir, "remote", NULL);
  file = g_build_filename (remote, "file.txt", NULL);
  g_assert_cmpint (g_mkdir (keys, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (remote, 0755), ==, 0);
  g_file_set_contents (file, "hello through docker\n", -1, &error);
  g_assert_no_error (error);
  f->sshd = test_sshd_start (f->tmpdir, key, &f->port);
  start_dockerd (f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree gchar *cmd = NULL;

  if (f->tmpdir == NULL)
    return;
  docker (f, NULL, NULL, "volume", "rm", "-f", "sshvolume", NULL);
  docker (f, NULL, NULL, "plugin", "rm", "-f", PLUGIN, NULL);
  docker (f, NULL, NULL, "rmi", "-f", IMAGE, NULL);
  g_subprocess_send_signal (f->dockerd, SIGTERM);
  g_subprocess_wait (f->dockerd, NULL, NULL);
  g_clear_object (&f->dockerd);
  g_subprocess_send_signal (f->sshd, SIGTERM);
  g_subprocess_wait (f->sshd, NULL, NULL);
  g_clear_object (&f->sshd);
  cmd = g_strdup_printf ("rm -rf --one-file-system '%s'", f->tmpdir);
  g_assert_cmpint (system (cmd), ==, 0);
  g_strfreev (f->envp);
  g_free (f->tmpdir);
}

/* an image holding cat and its libraries, made by the same tool */
static void
import_cat_image (Fixture *f)
{
  g_autofree gchar *folder = g_build_filename (f->tmpdir, "img", NULL);
  g_autofree gchar *cmd = NULL;

  test_run_sync ((const gchar *[]){ g_getenv ("BERTH_PLUGIN_ROOTFS"), "--entrypoint",
                                    "/usr/bin/cat", folder, "/usr/bin/cat", NULL });
  cmd = g_strdup_printf ("tar -C '%s/rootfs' -c . | DOCKER_HOST='%s' docker import - " IMAGE,
                         folder, g_environ_getenv (f->envp, "DOCKER_HOST"));
  test_run_sync ((const gchar *[]){ "sh", "-c", cmd, NULL });
}

static void
test_docker (Fixture *f, gconstpointer data)
{
  g_autofree gchar *keys_source = NULL;
  g_autofree gchar *state_source = NULL;
  g_autofree gchar *sshcmd = NULL;
  g_autofree gchar *port = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autofree gchar *digest = NULL;
  g_autofree gchar *expected = NULL;
  g_autofree gchar *volume_arg = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *inspected;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  keys_source = g_strdup_printf ("sshkey.source=%s/keys", f->tmpdir);
  state_source = g_strdup_printf ("state.source=%s", f->tmpdir);
  sshcmd = g_strdup_printf ("sshcmd=root@127.0.0.1:%s/remote", f->tmpdir);
  port = g_strdup_printf ("port=%u", f->port);

  g_assert_cmpint (
    docker (f, &out, NULL, "plugin", "create", PLUGIN, g_getenv ("SSHFS_PLUGIN_FOLDER"), NULL), ==,
    0);
  g_assert_cmpstr (out, ==, PLUGIN);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (
    docker (f, NULL, NULL, "plugin", "set", PLUGIN, keys_source, state_source, "DEBUG=1", NULL), ==,
    0);
  g_assert_cmpint (docker (f, NULL, NULL, "plugin", "enable", PLUGIN, NULL), ==, 0);

  g_assert_cmpint (docker (f, &out, NULL, "volume", "create", "-d", PLUGIN, "--name", "sshvolume",
                           "-o", sshcmd, "-o", port, "-o", "IdentityFile=/root/.ssh/id_ed25519",
                           NULL),
                   ==, 0);
  g_assert_cmpstr (out, ==, "sshvolume");
  g_clear_pointer (&out, g_free);

  /* as docker-observed.md shows it for the Go plugin */
  g_assert_cmpint (docker (f, &out, NULL, "volume", "inspect", "sshvolume", NULL), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  inspected
    = json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0);
  digest = g_compute_checksum_for_string (G_CHECKSUM_MD5, sshcmd + strlen ("sshcmd="), -1);
  expected = g_build_filename ("/mnt/volumes", digest, NULL);
  g_assert_cmpstr (json_object_get_string_member (inspected, "Mountpoint"), ==, expected);
  g_assert_cmpstr (json_object_get_string_member (inspected, "Driver"), ==, PLUGIN ":latest");
  g_assert_cmpstr (json_object_get_string_member (inspected, "Scope"), ==, "local");
  g_assert_cmpstr (json_object_get_string_member (inspected, "CreatedAt"), ==,
                   "0001-01-01T00:00:00Z");
  g_clear_pointer (&out, g_free);

  /* a container reads the remote through the volume */
  import_cat_image (f);
  volume_arg = g_strdup ("sshvolume:/data");
  g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", "--network", "none", "-v", volume_arg,
                           IMAGE, "/usr/bin/cat", "/data/file.txt", NULL),
                   ==, 0);
  g_assert_cmpstr (out, ==, "hello through docker");
  g_clear_pointer (&out, g_free);

  /* the plugin's Err, as Docker words it */
  g_assert_cmpint (docker (f, NULL, &err, "volume", "create", "-d", PLUGIN, "--name", "bad", NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "VolumeDriver.Create: 'sshcmd' option required"));

  g_assert_cmpint (docker (f, NULL, NULL, "volume", "rm", "sshvolume", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "plugin", "disable", PLUGIN, NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "plugin", "rm", PLUGIN, NULL), ==, 0);
}

static const gchar *
find_skip_reason (void)
{
  g_autofree gchar *dockerd = g_find_program_in_path ("dockerd");
  g_autofree gchar *docker_cli = g_find_program_in_path ("docker");

  if (g_strcmp0 (g_getenv ("BERTH_TEST_DOCKER"), "1") != 0)
    return "starts a Docker daemon: set BERTH_TEST_DOCKER=1 to run it";
  if (getuid () != 0)
    return "needs root";
  if (dockerd == NULL || docker_cli == NULL)
    return "no dockerd or docker (Debian: docker.io)";
  if (!g_file_test (TEST_SSHD, G_FILE_TEST_IS_EXECUTABLE))
    return "no " TEST_SSHD " (Debian: openssh-server)";
  if (g_getenv ("SSHFS_PLUGIN_FOLDER") == NULL)
    return "the sshfs plugin folder was not built";
  if (!g_file_test ("/dev/fuse", G_FILE_TEST_EXISTS))
    return "no /dev/fuse";
  return NULL;
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGPIPE, SIG_IGN);
  skip_reason = find_skip_reason ();

  g_test_add ("/sshfs-docker/create-enable-volume-run", Fixture, NULL, fixture_set_up, test_docker,
              fixture_tear_down);
  return g_test_run ();
}
