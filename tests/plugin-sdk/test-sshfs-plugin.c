/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sshfs example plugin for real, on the host: the built
 * docker-volume-sshfs with its socket, state and volumes in a temporary
 * directory, a real sshd on 127.0.0.1 with a temporary host key and an
 * authorized key, and real FUSE mounts. Needs root, sshd, ssh-keygen, sshfs
 * and /dev/fuse (Debian: openssh-server openssh-client sshfs fuse3);
 * skipped without them.
 */

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "plugin-sdk-client.h"
#include "sshd-fixture.h"

static const gchar *skip_reason;
static const gchar *skip_chroot_reason;

typedef struct
{
  gboolean skipped;
  gboolean in_chroot; /* the plugin runs in a copy of the built rootfs */
  gchar *rootfs;
  gchar *key_in_plugin; /* the IdentityFile as the plugin sees it */
  gchar *tmpdir;
  gchar *remote;
  gchar *key;
  gchar *socket_path;
  gchar *state_dir;
  gchar *volumes_dir;
  gchar *sshcmd;
  guint16 port;
  GSubprocess *sshd;
  GSubprocess *plugin;
  gboolean plugin_exited;
} Fixture;

static void
on_plugin_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  f->plugin_exited = TRUE;
}

static void
start_plugin (Fixture *f)
{
  g_autofree gchar *log = g_build_filename (f->tmpdir, "plugin.log", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_child_setup (launcher, test_child_setup_die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "DEBUG", "1", TRUE);
  /* appended to, so that a restart keeps the earlier lines */
  g_subprocess_launcher_take_stderr_fd (launcher, open (log, O_WRONLY | O_CREAT | O_APPEND, 0644));
  f->plugin_exited = FALSE;
  if (f->in_chroot)
    {
      /* as in its container: the default paths, what the rootfs holds */
      g_subprocess_launcher_setenv (launcher, "PATH", "/usr/sbin:/usr/bin:/sbin:/bin", TRUE);
      f->plugin = g_subprocess_launcher_spawn (launcher, &error, "chroot", f->rootfs,
                                               "/docker-volume-sshfs", NULL);
    }
  else
    {
      f->plugin = g_subprocess_launcher_spawn (
        launcher, &error, g_getenv ("SSHFS_PLUGIN"), "--socket", f->socket_path, "--state-dir",
        f->state_dir, "--volumes-dir", f->volumes_dir, "--mount-timeout", "30", NULL);
    }
  g_assert_no_error (error);
  g_subprocess_wait_async (f->plugin, NULL, on_plugin_exited, f);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!test_unix_socket_answers (f->socket_path))
    {
      g_main_context_iteration (NULL, FALSE);
      if (f->plugin_exited || g_get_monotonic_time () > deadline)
        {
          g_autofree gchar *text = NULL;
          g_file_get_contents (log, &text, NULL, NULL);
          g_error ("the plugin did not start: %s", text);
        }
      g_usleep (10 * 1000);
    }
}

static void
stop_plugin (Fixture *f)
{
  if (f->plugin == NULL)
    return;
  g_subprocess_send_signal (f->plugin, SIGTERM);
  while (!f->plugin_exited)
    g_main_context_iteration (NULL, TRUE);
  /* it removed its socket on the way out */
  g_assert_false (g_file_test (f->socket_path, G_FILE_TEST_EXISTS));
  g_clear_object (&f->plugin);
}

/* a copy of the rootfs the build assembled, with the device nodes Docker
 * would give the plugin (config.json asks for /dev/fuse) */
static void
prepare_rootfs_copy (const gchar *rootfs)
{
  g_autofree gchar *source = g_build_filename (g_getenv ("SSHFS_PLUGIN_FOLDER"), "rootfs", NULL);
  g_autofree gchar *fuse = g_build_filename (rootfs, "dev", "fuse", NULL);
  g_autofree gchar *null = g_build_filename (rootfs, "dev", "null", NULL);

  test_run_sync ((const gchar *[]){ "cp", "-a", source, rootfs, NULL });
  g_assert_cmpint (mknod (fuse, S_IFCHR | 0666, makedev (10, 229)), ==, 0);
  g_assert_cmpint (mknod (null, S_IFCHR | 0666, makedev (1, 3)), ==, 0);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *file = NULL;

  if (skip_reason != NULL)
    {
      f->skipped = TRUE;
      g_test_skip (skip_reason);
      return;
    }
  f->in_chroot = data != NULL;
  if (f->in_chroot && skip_chroot_reason != NULL)
    {
      f->skipped = TRUE;
      g_test_skip (skip_chroot_reason);
      return;
    }
  f->tmpdir = g_dir_make_tmp ("sshfs-plugin-XXXXXX", &error);
  g_assert_no_error (error);
  f->remote = g_build_filename (f->tmpdir, "remote", NULL);
  if (f->in_chroot)
    {
      f->rootfs = g_build_filename (f->tmpdir, "rootfs", NULL);
      prepare_rootfs_copy (f->rootfs);
      f->key = g_build_filename (f->rootfs, "root", ".ssh", "id_ed25519", NULL);
      f->key_in_plugin = g_strdup ("/root/.ssh/id_ed25519");
      f->socket_path = g_build_filename (f->rootfs, "run/docker/plugins/sshfs.sock", NULL);
      f->state_dir = g_build_filename (f->rootfs, "mnt", "state", NULL);
      f->volumes_dir = g_build_filename (f->rootfs, "mnt", "volumes", NULL);
    }
  else
    {
      f->key = g_build_filename (f->tmpdir, "id_ed25519", NULL);
      f->key_in_plugin = g_strdup (f->key);
      f->socket_path = g_build_filename (f->tmpdir, "run", "docker", "plugins", "sshfs.sock", NULL);
      f->state_dir = g_build_filename (f->tmpdir, "state", NULL);
      f->volumes_dir = g_build_filename (f->tmpdir, "volumes", NULL);
    }
  f->sshcmd = g_strdup_printf ("root@127.0.0.1:%s", f->remote);
  g_assert_cmpint (g_mkdir (f->remote, 0755), ==, 0);
  file = g_build_filename (f->remote, "file.txt", NULL);
  g_file_set_contents (file, "hello from the remote\n", -1, &error);
  g_assert_no_error (error);

  f->sshd = test_sshd_start (f->tmpdir, f->key, &f->port);
  start_plugin (f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr(GDir) dir = NULL;
  g_autofree gchar *cmd = NULL;
  const gchar *name;

  if (f->skipped)
    return;
  stop_plugin (f);
  /* whatever a failed test left mounted goes before the files do */
  dir = g_dir_open (f->volumes_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (f->volumes_dir, name, NULL);
      umount2 (path, MNT_DETACH);
    }
  if (f->sshd != NULL)
    {
      g_subprocess_send_signal (f->sshd, SIGTERM);
      g_subprocess_wait (f->sshd, NULL, NULL);
      g_clear_object (&f->sshd);
    }
  cmd = g_strdup_printf ("rm -rf --one-file-system '%s'", f->tmpdir);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->tmpdir);
  g_free (f->rootfs);
  g_free (f->key_in_plugin);
  g_free (f->remote);
  g_free (f->key);
  g_free (f->socket_path);
  g_free (f->state_dir);
  g_free (f->volumes_dir);
  g_free (f->sshcmd);
}

static gchar *
request_body (const gchar *name, const gchar *id, const gchar *const *opts)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree gchar *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, name);
  if (id != NULL)
    {
      json_builder_set_member_name (builder, "ID");
      json_builder_add_string_value (builder, id);
    }
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
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  return g_strconcat (text, "\n", NULL);
}

/* a call that must succeed: its JSON answer */
static JsonObject *
call_ok (Fixture *f, const gchar *method, const gchar *body)
{
  g_autofree gchar *path = g_strconcat ("/VolumeDriver.", method, NULL);
  g_autoptr(TestResponse) response = test_post (f->socket_path, path, body);
  g_autoptr(JsonObject) object = test_response_json (response);

  if (response->status != 200)
    g_test_message ("%s: %u %s", method, response->status, response->body);
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (object, "Err"), ==, "");
  return g_steal_pointer (&object);
}

/* a call that must fail: its Err */
static gchar *
call_err (Fixture *f, const gchar *method, const gchar *body)
{
  g_autofree gchar *path = g_strconcat ("/VolumeDriver.", method, NULL);
  g_autoptr(TestResponse) response = test_post (f->socket_path, path, body);
  g_autoptr(JsonObject) object = test_response_json (response);

  g_assert_cmpuint (response->status, ==, 500);
  return g_strdup (json_object_get_string_member (object, "Err"));
}

static void
create_volume (Fixture *f, const gchar *name, guint16 port)
{
  g_autofree gchar *port_text = g_strdup_printf ("%u", port);
  const gchar *opts[] = { "sshcmd",
                          f->sshcmd,
                          "port",
                          port_text,
                          "IdentityFile",
                          f->key_in_plugin,
                          "StrictHostKeyChecking",
                          "no",
                          "UserKnownHostsFile",
                          "/dev/null",
                          NULL };
  g_autofree gchar *body = request_body (name, NULL, opts);
  g_autoptr(JsonObject) created = call_ok (f, "Create", body);
}

static gchar *
mount_volume (Fixture *f, const gchar *name, const gchar *id)
{
  g_autofree gchar *body = request_body (name, id, NULL);
  g_autoptr(JsonObject) mounted = call_ok (f, "Mount", body);

  return g_strdup (json_object_get_string_member (mounted, "Mountpoint"));
}

static void
unmount_volume (Fixture *f, const gchar *name, const gchar *id)
{
  g_autofree gchar *body = request_body (name, id, NULL);
  g_autoptr(JsonObject) unmounted = call_ok (f, "Unmount", body);
}

static void
assert_remote_visible (const gchar *mountpoint)
{
  g_autofree gchar *file = g_build_filename (mountpoint, "file.txt", NULL);
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (test_is_mounted (mountpoint));
  g_file_get_contents (file, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "hello from the remote\n");
}

static void
test_lifecycle (Fixture *f, gconstpointer data)
{
  g_autofree gchar *digest = NULL;
  g_autofree gchar *expected = NULL;
  g_autofree gchar *first = NULL;
  g_autofree gchar *second = NULL;
  g_autofree gchar *busy = NULL;
  g_autofree gchar *gone = NULL;
  g_autofree gchar *name_body = request_body ("sshvolume", NULL, NULL);
  g_autoptr(JsonObject) got = NULL;
  g_autoptr(JsonObject) path = NULL;
  g_autoptr(JsonObject) listed = NULL;
  g_autoptr(JsonObject) caps = NULL;
  g_autoptr(JsonObject) removed = NULL;
  g_autoptr(JsonObject) empty = NULL;
  JsonArray *volumes;

  if (f->skipped)
    return;
  create_volume (f, "sshvolume", f->port);

  /* the mountpoint is the Go plugin's: MD5 of sshcmd under the volumes dir */
  digest = g_compute_checksum_for_string (G_CHECKSUM_MD5, f->sshcmd, -1);
  expected = g_build_filename (f->volumes_dir, digest, NULL);
  got = call_ok (f, "Get", name_body);
  g_assert_cmpstr (
    json_object_get_string_member (json_object_get_object_member (got, "Volume"), "Name"), ==,
    "sshvolume");
  g_assert_cmpstr (
    json_object_get_string_member (json_object_get_object_member (got, "Volume"), "Mountpoint"), ==,
    expected);
  path = call_ok (f, "Path", name_body);
  g_assert_cmpstr (json_object_get_string_member (path, "Mountpoint"), ==, expected);
  listed = call_ok (f, "List", "{}\n");
  volumes = json_object_get_array_member (listed, "Volumes");
  g_assert_cmpuint (json_array_get_length (volumes), ==, 1);
  caps = call_ok (f, "Capabilities", "{}\n");
  g_assert_cmpstr (
    json_object_get_string_member (json_object_get_object_member (caps, "Capabilities"), "Scope"),
    ==, "local");

  first = mount_volume (f, "sshvolume", "id-one");
  g_assert_cmpstr (first, ==, expected);
  assert_remote_visible (first);

  /* a second container */
  second = mount_volume (f, "sshvolume", "id-two");
  g_assert_cmpstr (second, ==, expected);
  assert_remote_visible (second);

  busy = call_err (f, "Remove", name_body);
  g_assert_cmpstr (busy, ==, "volume sshvolume is currently used by a container");

  unmount_volume (f, "sshvolume", "id-one");
  assert_remote_visible (expected);
  unmount_volume (f, "sshvolume", "id-two");
  g_assert_false (test_is_mounted (expected));

  removed = call_ok (f, "Remove", name_body);
  g_assert_false (g_file_test (expected, G_FILE_TEST_EXISTS));
  empty = call_ok (f, "List", "{}\n");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (empty, "Volumes")), ==, 0);
  gone = call_err (f, "Get", name_body);
  g_assert_cmpstr (gone, ==, "volume sshvolume not found");
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  const gchar *no_sshcmd[] = { "port", "22", NULL };
  const gchar *bad_port[] = { "sshcmd", "root@127.0.0.1:/x", "port", "http", NULL };
  g_autofree gchar *no_sshcmd_body = request_body ("v", NULL, no_sshcmd);
  g_autofree gchar *bad_port_body = request_body ("v", NULL, bad_port);
  g_autofree gchar *unknown_body = request_body ("nope", "id", NULL);
  g_autofree gchar *wrong_body = request_body ("wrong", "id", NULL);
  g_autofree gchar *err = NULL;
  g_autoptr(JsonObject) listed = NULL;
  guint16 closed_port = test_free_tcp_port ();

  if (f->skipped)
    return;

  err = call_err (f, "Create", no_sshcmd_body);
  g_assert_cmpstr (err, ==, "'sshcmd' option required");
  g_clear_pointer (&err, g_free);

  err = call_err (f, "Create", bad_port_body);
  g_assert_cmpstr (err, ==, "invalid 'port' option 'http'");
  g_clear_pointer (&err, g_free);

  /* nothing was kept of the failed creates */
  listed = call_ok (f, "List", "{}\n");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (listed, "Volumes")), ==,
                    0);

  err = call_err (f, "Mount", unknown_body);
  g_assert_cmpstr (err, ==, "volume nope not found");
  g_clear_pointer (&err, g_free);
  err = call_err (f, "Unmount", unknown_body);
  g_assert_cmpstr (err, ==, "volume nope not found");
  g_clear_pointer (&err, g_free);
  err = call_err (f, "Remove", unknown_body);
  g_assert_cmpstr (err, ==, "volume nope not found");
  g_clear_pointer (&err, g_free);

  /* nobody listens on that port: sshfs fails, and says why */
  create_volume (f, "wrong", closed_port);
  err = call_err (f, "Mount", wrong_body);
  g_test_message ("sshfs said: %s", err);
  g_assert_true (g_str_has_prefix (err, "sshfs command execute failed: exit status 1 ("));
  g_assert_nonnull (strstr (err, "Connection reset by peer"));
  g_clear_pointer (&err, g_free);
}

static void
test_restart (Fixture *f, gconstpointer data)
{
  g_autofree gchar *mountpoint = NULL;
  g_autofree gchar *name_body = request_body ("kept", NULL, NULL);
  g_autofree gchar *state_file = NULL;
  g_autofree gchar *state = NULL;
  g_autoptr(JsonObject) got = NULL;
  struct stat st;

  if (f->skipped)
    return;
  create_volume (f, "kept", f->port);
  mountpoint = mount_volume (f, "kept", "id-kept");
  assert_remote_visible (mountpoint);

  /* the state file is the Go plugin's, private, written atomically */
  state_file = g_build_filename (f->state_dir, "sshfs-state.json", NULL);
  g_assert_cmpint (stat (state_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_file_get_contents (state_file, &state, NULL, NULL);
  g_assert_nonnull (strstr (state, "\"Sshcmd\":\""));
  g_assert_nonnull (strstr (state, "\"MountIDs\":[\"id-kept\"]"));

  /* the volume, its mount and its mount ID outlive the plugin process */
  stop_plugin (f);
  assert_remote_visible (mountpoint);
  start_plugin (f);
  got = call_ok (f, "Get", name_body);
  g_assert_cmpstr (
    json_object_get_string_member (json_object_get_object_member (got, "Volume"), "Mountpoint"), ==,
    mountpoint);
  unmount_volume (f, "kept", "id-kept");
  g_assert_false (test_is_mounted (mountpoint));
}

static void
test_rootfs_chroot (Fixture *f, gconstpointer data)
{
  g_autofree gchar *digest = NULL;
  g_autofree gchar *in_plugin = NULL;
  g_autofree gchar *on_host = NULL;
  g_autofree gchar *mountpoint = NULL;
  g_autofree gchar *state_file = NULL;

  if (f->skipped)
    return;
  /* the plugin, sshfs, ssh and the libraries all come from the rootfs */
  create_volume (f, "sshvolume", f->port);
  digest = g_compute_checksum_for_string (G_CHECKSUM_MD5, f->sshcmd, -1);
  in_plugin = g_build_filename ("/mnt/volumes", digest, NULL);
  on_host = g_build_filename (f->volumes_dir, digest, NULL);
  mountpoint = mount_volume (f, "sshvolume", "id-chroot");
  /* a path inside the plugin, below its PropagatedMount */
  g_assert_cmpstr (mountpoint, ==, in_plugin);
  assert_remote_visible (on_host);
  unmount_volume (f, "sshvolume", "id-chroot");
  g_assert_false (test_is_mounted (on_host));
  state_file = g_build_filename (f->state_dir, "sshfs-state.json", NULL);
  g_assert_true (g_file_test (state_file, G_FILE_TEST_EXISTS));
}

/* root in a container may still lack the right to mount */
static gboolean
can_mount (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("sshfs-probe-XXXXXX", NULL);
  gboolean ok;

  if (dir == NULL)
    return FALSE;
  ok = mount ("probe", dir, "tmpfs", 0, "size=4k") == 0;
  if (ok)
    umount2 (dir, MNT_DETACH);
  g_rmdir (dir);
  return ok;
}

static const gchar *
find_skip_reason (void)
{
  const gchar *plugin = g_getenv ("SSHFS_PLUGIN");
  g_autofree gchar *sshfs = g_find_program_in_path ("sshfs");
  g_autofree gchar *keygen = g_find_program_in_path ("ssh-keygen");
  gint fd;

  if (plugin == NULL || !g_file_test (plugin, G_FILE_TEST_IS_EXECUTABLE))
    return "SSHFS_PLUGIN does not name the built plugin";
  if (getuid () != 0)
    return "needs root for FUSE mounts and sshd";
  if (!g_file_test (TEST_SSHD, G_FILE_TEST_IS_EXECUTABLE))
    return "no " TEST_SSHD " (Debian: openssh-server)";
  if (keygen == NULL)
    return "no ssh-keygen (Debian: openssh-client)";
  if (sshfs == NULL)
    return "no sshfs (Debian: sshfs)";
  fd = open ("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return "no usable /dev/fuse (Debian: fuse3, and a kernel with FUSE)";
  close (fd);
  if (!can_mount ())
    return "cannot mount here (a container without CAP_SYS_ADMIN?)";
  return NULL;
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGPIPE, SIG_IGN);
  skip_reason = find_skip_reason ();
  if (skip_reason != NULL)
    skip_chroot_reason = skip_reason;
  else if (g_getenv ("SSHFS_PLUGIN_FOLDER") == NULL
           || !g_file_test (g_getenv ("SSHFS_PLUGIN_FOLDER"), G_FILE_TEST_IS_DIR))
    skip_chroot_reason = "the sshfs plugin folder was not built (sshfs, ssh or fusermount3 "
                         "missing at build time)";

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/sshfs-plugin/lifecycle", test_lifecycle);
  ADD ("/sshfs-plugin/errors", test_errors);
  ADD ("/sshfs-plugin/restart", test_restart);
#undef ADD
  g_test_add ("/sshfs-plugin/rootfs-chroot", Fixture, "chroot", fixture_set_up, test_rootfs_chroot,
              fixture_tear_down);
  return g_test_run ();
}
