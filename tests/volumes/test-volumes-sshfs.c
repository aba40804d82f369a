/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* the volume module with the real sshfs example plugin of this tree, run on
 * the host with its socket in a temporary directory, against a real sshd on
 * 127.0.0.1: create with options, mount (the remote file visible at the host
 * path), unmount, remove. Needs root, sshd, ssh-keygen, sshfs and /dev/fuse;
 * skipped without them */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "sshd-fixture.h"
#include "volume-test-util.h"

#define PLUGIN_ID "5555555555555555555555555555555555555555555555555555555555555555"

static const gchar *skip_reason;

typedef struct
{
  gchar *tmpdir;
  gchar *remote;
  gchar *key;
  gchar *socket_path;
  gchar *volumes_dir;
  guint16 port;
  GSubprocess *sshd;
  GSubprocess *plugin;
  BerthPaths *paths;
  BerthVolumeService *service;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *file = NULL;
  g_autofree gchar *state = NULL;
  g_autofree gchar *root = NULL;
  g_autofree gchar *log = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GKeyFile) config = g_key_file_new ();
  gint64 deadline;

  if (skip_reason != NULL)
    return;
  f->tmpdir = g_dir_make_tmp ("vol-sshfs-XXXXXX", &error);
  g_assert_no_error (error);
  f->remote = g_build_filename (f->tmpdir, "remote", NULL);
  f->key = g_build_filename (f->tmpdir, "id_ed25519", NULL);
  f->socket_path = g_build_filename (f->tmpdir, "sshfs.sock", NULL);
  f->volumes_dir = g_build_filename (f->tmpdir, "mnt", NULL);
  state = g_build_filename (f->tmpdir, "state", NULL);
  g_assert_cmpint (g_mkdir (f->remote, 0755), ==, 0);
  file = g_build_filename (f->remote, "file.txt", NULL);
  g_file_set_contents (file, "hello from the remote\n", -1, &error);
  g_assert_no_error (error);
  f->sshd = test_sshd_start (f->tmpdir, f->key, &f->port);

  log = g_build_filename (f->tmpdir, "plugin.log", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_child_setup (launcher, test_child_setup_die_with_parent, NULL, NULL);
  g_subprocess_launcher_take_stderr_fd (launcher, open (log, O_WRONLY | O_CREAT | O_APPEND, 0644));
  f->plugin = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SSHFS_PLUGIN"), "--socket",
                                           f->socket_path, "--state-dir", state, "--volumes-dir",
                                           f->volumes_dir, "--mount-timeout", "30", NULL);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!test_unix_socket_answers (f->socket_path))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }

  root = g_build_filename (f->tmpdir, "root", NULL);
  f->paths = berth_paths_new ();
  berth_paths_set (f->paths, BERTH_PATH_ROOT, root);
  f->service = vt_service_new (f->paths, config);
  /* run on the host: the paths it answers are host paths */
  vt_activate (f->service, PLUGIN_ID, "vieux/sshfs:latest", f->socket_path, NULL, NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr(GDir) dir = NULL;
  g_autofree gchar *cmd = NULL;
  const gchar *name;

  if (skip_reason != NULL)
    return;
  g_clear_object (&f->service);
  g_clear_object (&f->paths);
  if (f->plugin != NULL)
    {
      g_subprocess_send_signal (f->plugin, SIGTERM);
      g_subprocess_wait (f->plugin, NULL, NULL);
      g_clear_object (&f->plugin);
    }
  /* whatever a failed test left mounted goes before the files do */
  dir = g_dir_open (f->volumes_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (f->volumes_dir, name, NULL);
      umount2 (path, MNT_DETACH);
    }
  g_subprocess_send_signal (f->sshd, SIGTERM);
  g_subprocess_wait (f->sshd, NULL, NULL);
  g_clear_object (&f->sshd);
  cmd = g_strdup_printf ("rm -rf --one-file-system '%s'", f->tmpdir);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->tmpdir);
  g_free (f->remote);
  g_free (f->key);
  g_free (f->socket_path);
  g_free (f->volumes_dir);
}

static void
test_lifecycle (Fixture *f, gconstpointer data)
{
  g_autofree gchar *sshcmd = g_strdup_printf ("root@127.0.0.1:%s", f->remote);
  g_autofree gchar *port = g_strdup_printf ("%u", f->port);
  const gchar *opts[] = { "sshcmd",
                          sshcmd,
                          "port",
                          port,
                          "IdentityFile",
                          f->key,
                          "StrictHostKeyChecking",
                          "no",
                          "UserKnownHostsFile",
                          "/dev/null",
                          NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume = NULL;
  g_autoptr(BerthVolume) inspected = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *id = NULL;
  g_autofree gchar *file = NULL;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *text = NULL;
  g_auto(GStrv) holders = NULL;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  volume = vt_create (f->service, "sshvolume", "vieux/sshfs", opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (berth_volume_get_driver (volume), ==, "vieux/sshfs:latest");
  inspected = vt_inspect (f->service, "sshvolume", &error);
  g_assert_no_error (error);
  text = vt_inspect_text (inspected);
  g_test_message ("%s", text);
  holders = berth_driver_get_holders (BERTH_DRIVER (f->service), PLUGIN_ID);
  g_assert_cmpstrv (holders, ((const gchar *[]){ "sshvolume", NULL }));

  path = vt_mount (f->service, "sshvolume", &id, &error);
  g_assert_no_error (error);
  vt_assert_hex64 (id);
  g_assert_true (g_str_has_prefix (path, f->volumes_dir));
  g_assert_true (test_is_mounted (path));
  file = g_build_filename (path, "file.txt", NULL);
  g_file_get_contents (file, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "hello from the remote\n");

  g_assert_false (vt_remove (f->service, "sshvolume", FALSE, &error));
  vt_assert_error (error, BERTH_ERROR_IN_USE, "volume is in use");
  g_clear_error (&error);
  g_assert_true (vt_unmount (f->service, "sshvolume", id, &error));
  g_assert_no_error (error);
  g_assert_false (test_is_mounted (path));
  g_assert_true (vt_remove (f->service, "sshvolume", FALSE, &error));
  g_assert_no_error (error);
  g_assert_null (berth_volume_service_lookup (f->service, "sshvolume"));
}

static void
test_plugin_error (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume = NULL;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  /* the plugin's own Err, with the plugin and the volume named */
  volume = vt_create (f->service, "nocmd", "vieux/sshfs", NULL, NULL, &error);
  g_assert_null (volume);
  vt_assert_error (error, BERTH_ERROR_FAILED, "create nocmd: vieux/sshfs:latest: ");
  g_test_message ("%s", error->message);
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
  return NULL;
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGPIPE, SIG_IGN);
  skip_reason = find_skip_reason ();
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/volumes/sshfs/lifecycle", test_lifecycle);
  ADD ("/volumes/sshfs/plugin-error", test_plugin_error);
#undef ADD
  return g_test_run ();
}
