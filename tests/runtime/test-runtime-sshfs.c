/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sshfs example plugin of this tree, run the way berthd runs a plugin:
 * its config.json and settings through the OCI spec generator, its rootfs
 * as the bundle's root, runc through the runtime module. Then the seed's
 * scenario over its socket: a volume on a real sshd on 127.0.0.1, mounted
 * by sshfs (FUSE, CAP_SYS_ADMIN, no_new_privs) inside the sandbox and seen
 * on the host through the propagated mount. Needs root, runc, sshd,
 * ssh-keygen, /dev/fuse and the built plugin folder; skipped without them.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin-sdk-client.h"
#include "runtime-env.h"
#include "sshd-fixture.h"

#define CONTAINER_ID "sshfs-plugin"

static gchar *
request_body (const gchar *name, const gchar *const *opts)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "ID");
  json_builder_add_string_value (builder, "berth-test");
  if (opts != NULL)
    {
      json_builder_set_member_name (builder, "Opts");
      json_builder_begin_object (builder);
      for (guint i = 0; opts[i] != NULL; i += 2)
        {
          json_builder_set_member_name (builder, opts[i]);
          json_builder_add_string_value (builder, opts[i + 1]);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return berth_json_to_string (root, FALSE);
}

static JsonObject *
call_ok (const gchar *socket_path, const gchar *method, const gchar *body)
{
  g_autofree gchar *path = g_strconcat ("/VolumeDriver.", method, NULL);
  g_autoptr(TestResponse) response = test_post (socket_path, path, body);
  g_autoptr(JsonObject) object = NULL;

  g_assert_nonnull (response);
  if (response->status != 200)
    g_test_message ("%s: %u %s", method, response->status, response->body);
  g_assert_cmpuint (response->status, ==, 200);
  object = test_response_json (response);
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "Err", ""), ==, "");
  return g_steal_pointer (&object);
}

static const gchar *
skip_reason (void)
{
  if (geteuid () != 0)
    return "running containers needs root";
  if (g_getenv ("SSHFS_PLUGIN_FOLDER") == NULL)
    return "the sshfs plugin folder was not built (sshfs, ssh or fusermount3 missing)";
  if (!g_file_test (TEST_SSHD, G_FILE_TEST_IS_EXECUTABLE))
    return "no sshd (openssh-server)";
  if (!g_file_test ("/dev/fuse", G_FILE_TEST_EXISTS))
    return "no /dev/fuse";
  return NULL;
}

static void
test_sshfs_plugin (void)
{
  const gchar *reason = skip_reason ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *tmp = NULL;
  g_autofree gchar *bundle = NULL;
  g_autofree gchar *rootfs = NULL;
  g_autofree gchar *config_json = NULL;
  g_autofree gchar *config_path = NULL;
  g_autofree gchar *source_rootfs = NULL;
  g_autofree gchar *keys = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *state = NULL;
  g_autofree gchar *remote = NULL;
  g_autofree gchar *propagated = NULL;
  g_autofree gchar *sockets = NULL;
  g_autofree gchar *socket_path = NULL;
  g_autofree gchar *log_path = NULL;
  g_autofree gchar *settings = NULL;
  g_autofree gchar *sshcmd = NULL;
  g_autofree gchar *port = NULL;
  g_autofree gchar *body = NULL;
  g_autofree gchar *digest = NULL;
  g_autofree gchar *on_host = NULL;
  g_autofree gchar *seen = NULL;
  g_autofree gchar *remote_file = NULL;
  g_autofree gchar *run_dir = NULL;
  g_autoptr(BerthPaths) paths = berth_paths_new ();
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(BerthRuntime) runtime = NULL;
  g_autoptr(BerthPluginConfig) config = NULL;
  g_autoptr(BerthPluginSettings) plugin_settings = NULL;
  g_autoptr(JsonNode) settings_node = NULL;
  g_autoptr(JsonNode) spec = NULL;
  g_autoptr(GSubprocess) sshd = NULL;
  g_autoptr(JsonObject) mounted = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) unmounted = NULL;
  g_autoptr(JsonObject) removed = NULL;
  guint16 sshd_port = 0;
  GPid pid = 0;
  int status;
  int fd;

  if (reason != NULL)
    {
      g_test_skip (reason);
      return;
    }
  tmp = g_dir_make_tmp ("berth-runtime-sshfs-XXXXXX", &error);
  g_assert_no_error (error);
  bundle = g_build_filename (tmp, "bundle", NULL);
  rootfs = g_build_filename (bundle, "rootfs", NULL);
  keys = g_build_filename (tmp, "keys", NULL);
  key = g_build_filename (keys, "id_ed25519", NULL);
  state = g_build_filename (tmp, "state", NULL);
  remote = g_build_filename (tmp, "remote", NULL);
  remote_file = g_build_filename (remote, "file.txt", NULL);
  propagated = g_build_filename (tmp, "propagated-mount", NULL);
  sockets = g_build_filename (tmp, "sockets", NULL);
  socket_path = g_build_filename (sockets, "sshfs.sock", NULL);
  log_path = g_build_filename (tmp, "plugin.log", NULL);
  run_dir = g_build_filename (tmp, "run", NULL);
  for (guint i = 0; i < 5; i++)
    {
      const gchar *const dirs[] = { bundle, keys, state, remote, sockets };
      g_assert_cmpint (g_mkdir_with_parents (dirs[i], 0700), ==, 0);
    }
  g_assert_cmpint (g_mkdir_with_parents (propagated, 0755), ==, 0);
  g_assert_true (g_file_set_contents (remote_file, "hello from the remote\n", -1, NULL));

  /* the snapshotter's part: a rootfs of the plugin's own (runc creates
   * mount points in it) */
  source_rootfs = g_build_filename (g_getenv ("SSHFS_PLUGIN_FOLDER"), "rootfs", NULL);
  test_run_sync ((const gchar *[]){ "cp", "-a", source_rootfs, rootfs, NULL });

  /* the engine's part: the propagated-mount directory, rshared */
  g_assert_cmpint (mount (propagated, propagated, NULL, MS_BIND, NULL), ==, 0);
  g_assert_cmpint (mount (NULL, propagated, NULL, MS_SHARED, NULL), ==, 0);

  sshd = test_sshd_start (tmp, key, &sshd_port);

  /* `docker plugin set vieux/sshfs sshkey.source=… state.source=… DEBUG=1` */
  config_path = g_build_filename (g_getenv ("SSHFS_PLUGIN_FOLDER"), "config.json", NULL);
  g_assert_true (g_file_get_contents (config_path, &config_json, NULL, &error));
  config = berth_plugin_config_new_from_data (config_json, -1, &error);
  g_assert_no_error (error);
  plugin_settings = berth_plugin_settings_new (config);
  {
    g_autofree gchar *state_arg = g_strconcat ("state.source=", state, NULL);
    g_autofree gchar *key_arg = g_strconcat ("sshkey.source=", keys, NULL);
    const gchar *args[] = { state_arg, key_arg, "DEBUG=1", NULL };
    g_assert_true (berth_plugin_settings_set (plugin_settings, config, args, &error));
    g_assert_no_error (error);
  }
  settings_node = berth_plugin_settings_to_json_node (plugin_settings);
  settings = berth_json_to_string (settings_node, FALSE);
  g_test_message ("settings: %s", settings);
  spec
    = berth_oci_spec_new_for_plugin (config, plugin_settings, rootfs, sockets, propagated, &error);
  g_assert_no_error (error);
  g_assert_true (berth_oci_spec_write_bundle (spec, bundle, NULL, &error));
  g_assert_no_error (error);

  berth_paths_set (paths, BERTH_PATH_RUN_DIR, run_dir);
  runtime = runtime_env_new ("runc", paths, keyfile, &error);
  if (g_error_matches (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND))
    {
      g_test_skip (error->message);
      return;
    }
  g_assert_no_error (error);
  fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (berth_runtime_start (runtime, CONTAINER_ID, bundle, fd, &pid, NULL, &error));
  g_assert_no_error (error);
  close (fd);

  /* enable waits for the socket to accept a connection */
  for (guint i = 0; !test_unix_socket_answers (socket_path); i++)
    {
      if (i > 1000)
        {
          g_autofree gchar *log = NULL;
          g_file_get_contents (log_path, &log, NULL, NULL);
          g_error ("the plugin's socket never appeared: %s", log);
        }
      g_usleep (10 * 1000);
    }

  /* docker volume create -d vieux/sshfs --name sshvolume -o sshcmd=… */
  sshcmd = g_strdup_printf ("root@127.0.0.1:%s", remote);
  port = g_strdup_printf ("%u", sshd_port);
  body = request_body ("sshvolume",
                       (const gchar *const[]){ "sshcmd", sshcmd, "port", port, "IdentityFile",
                                               "/root/.ssh/id_ed25519", NULL });
  created = call_ok (socket_path, "Create", body);
  g_clear_pointer (&body, g_free);

  /* the mount happens inside the sandbox, under /mnt/volumes */
  body = request_body ("sshvolume", NULL);
  mounted = call_ok (socket_path, "Mount", body);
  digest = g_compute_checksum_for_string (G_CHECKSUM_MD5, sshcmd, -1);
  {
    g_autofree gchar *expected = g_build_filename ("/mnt/volumes", digest, NULL);
    g_assert_cmpstr (json_object_get_string_member (mounted, "Mountpoint"), ==, expected);
  }

  /* and reaches the host through the propagated mount */
  on_host = g_build_filename (propagated, digest, "file.txt", NULL);
  g_assert_true (g_file_get_contents (on_host, &seen, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (seen, ==, "hello from the remote\n");

  unmounted = call_ok (socket_path, "Unmount", body);
  g_assert_false (g_file_test (on_host, G_FILE_TEST_EXISTS));
  removed = call_ok (socket_path, "Remove", body);

  /* disable: SIGTERM, and the exit code comes to this subreaper */
  g_assert_true (berth_runtime_kill (runtime, CONTAINER_ID, SIGTERM, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_test_message ("the plugin exited: %s %d", WIFEXITED (status) ? "code" : "signal",
                  WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status));
  g_assert_true (berth_runtime_delete (runtime, CONTAINER_ID, FALSE, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree gchar *log = NULL;
    g_file_get_contents (log_path, &log, NULL, NULL);
    g_test_message ("plugin log:\n%s", log);
  }

  g_subprocess_send_signal (sshd, SIGTERM);
  g_subprocess_wait (sshd, NULL, NULL);
  (void)umount2 (propagated, MNT_DETACH);
  runtime_env_remove_tree (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* the propagated mount stays in a mount namespace of the test's own */
  if (geteuid () == 0
      && (unshare (CLONE_NEWNS) != 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0))
    g_error ("no private mount namespace: %s", g_strerror (errno));
  /* as berthd */
  if (prctl (PR_SET_CHILD_SUBREAPER, 1) != 0)
    g_error ("PR_SET_CHILD_SUBREAPER: %s", g_strerror (errno));

  g_test_add_func ("/runtime/runc/sshfs-plugin", test_sshfs_plugin);
  return g_test_run ();
}
