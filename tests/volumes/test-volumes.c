/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* the volume module in-process: the local driver, volume plugins that work
 * and plugins that misbehave (fake ones on real unix sockets), plugins that
 * go away, and the records across a restart */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "fake-plugin.h"
#include "volume-test-util.h"

#define ID1   "1111111111111111111111111111111111111111111111111111111111111111"
#define ID2   "2222222222222222222222222222222222222222222222222222222222222222"
#define ID3   "3333333333333333333333333333333333333333333333333333333333333333"
#define FAKE  "fake/plugin:latest"
#define OTHER "other/plugin:latest"

typedef struct
{
  gchar *tmpdir;
  BerthPaths *paths;
  GKeyFile *config;
  BerthVolumeService *service;
  gchar *socket1;
  gchar *socket2;
  gchar *propagated;
  gchar *rootfs;
  FakePlugin *fake1;
  FakePlugin *fake2;
  guint added;
  guint removed;
  guint changed;
} Fixture;

static void
on_signal (BerthVolumeService *service, BerthVolume *volume, guint *counter)
{
  (*counter)++;
}

static void
start_service (Fixture *f)
{
  f->service = vt_service_new (f->paths, f->config);
  g_signal_connect (f->service, "volume-added", G_CALLBACK (on_signal), &f->added);
  g_signal_connect (f->service, "volume-removed", G_CALLBACK (on_signal), &f->removed);
  g_signal_connect (f->service, "volume-changed", G_CALLBACK (on_signal), &f->changed);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *root = NULL;

  f->tmpdir = g_dir_make_tmp ("vol-XXXXXX", &error);
  g_assert_no_error (error);
  root = g_build_filename (f->tmpdir, "root", NULL);
  f->paths = berth_paths_new ();
  berth_paths_set (f->paths, BERTH_PATH_ROOT, root);
  f->config = g_key_file_new ();
  /* deadlines short enough for a test; connect retries off */
  g_key_file_set_double (f->config, "volumes", "mount-timeout", 0.5);
  g_key_file_set_double (f->config, "volumes", "timeout", 0.5);
  g_key_file_set_double (f->config, "volumes", "connect-retry", 0);
  f->socket1 = g_build_filename (f->tmpdir, "p1.sock", NULL);
  f->socket2 = g_build_filename (f->tmpdir, "p2.sock", NULL);
  f->propagated = g_build_filename (f->tmpdir, "propagated", NULL);
  f->rootfs = g_build_filename (f->tmpdir, "rootfs", NULL);
  f->fake1 = fake_plugin_new (f->socket1);
  f->fake2 = fake_plugin_new (f->socket2);
  start_service (f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree gchar *cmd = g_strdup_printf ("rm -rf '%s'", f->tmpdir);

  g_clear_object (&f->service);
  g_clear_pointer (&f->fake1, fake_plugin_free);
  g_clear_pointer (&f->fake2, fake_plugin_free);
  g_clear_object (&f->paths);
  g_clear_pointer (&f->config, g_key_file_unref);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->tmpdir);
  g_free (f->socket1);
  g_free (f->socket2);
  g_free (f->propagated);
  g_free (f->rootfs);
}

static void
activate_fakes (Fixture *f)
{
  vt_activate (f->service, ID1, FAKE, f->socket1, f->propagated, f->rootfs);
  vt_activate (f->service, ID2, OTHER, f->socket2, NULL, NULL);
}

static void
test_local (Fixture *f, gconstpointer data)
{
  const gchar *labels[] = { "a", "b", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume = NULL;
  g_autoptr(BerthVolume) again = NULL;
  g_autofree gchar *expected_path = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *id = NULL;
  g_autofree gchar *file = NULL;
  g_autofree gchar *in_use = NULL;
  g_autoptr(GPtrArray) list = NULL;

  volume = vt_create (f->service, "data", NULL, NULL, labels, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->added, ==, 1);
  expected_path = g_build_filename (f->tmpdir, "root", "volumes", "data", "_data", NULL);
  g_assert_true (g_file_test (expected_path, G_FILE_TEST_IS_DIR));
  text = vt_inspect_text (volume);
  g_assert_true (g_str_has_prefix (text, "{\"CreatedAt\":\""));
  g_assert_nonnull (
    strstr (text, "\"Driver\":\"local\",\"Labels\":{\"a\":\"b\"},\"Mountpoint\":\""));
  g_assert_true (
    g_str_has_suffix (text, "\"Name\":\"data\",\"Options\":null,\"Scope\":\"local\"}"));

  /* the same name and driver: the same volume (docker's idempotent create) */
  again = vt_create (f->service, "data", "local", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (again == volume);

  path = vt_mount (f->service, "data", &id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, expected_path);
  vt_assert_hex64 (id);
  file = g_build_filename (path, "f", NULL);
  g_file_set_contents (file, "x", -1, &error);
  g_assert_no_error (error);

  in_use = g_strdup_printf ("remove data: volume is in use - [%s]", id);
  g_assert_false (vt_remove (f->service, "data", FALSE, &error));
  vt_assert_error (error, BERTH_ERROR_IN_USE, in_use);
  g_clear_error (&error);
  g_assert_false (vt_remove (f->service, "data", TRUE, &error));
  vt_assert_error (error, BERTH_ERROR_IN_USE, in_use);
  g_clear_error (&error);

  g_assert_false (vt_unmount (f->service, "data", "nope", &error));
  vt_assert_error (error, BERTH_ERROR_NOT_FOUND, "unmount data: no mount with ID nope");
  g_clear_error (&error);
  g_assert_true (vt_unmount (f->service, "data", id, &error));
  g_assert_no_error (error);
  g_assert_true (vt_remove (f->service, "data", FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->removed, ==, 1);
  g_assert_false (g_file_test (expected_path, G_FILE_TEST_EXISTS));
  list = berth_volume_service_list (f->service);
  g_assert_cmpuint (list->len, ==, 0);

  g_assert_false (vt_remove (f->service, "data", FALSE, &error));
  vt_assert_error (error, BERTH_ERROR_NOT_FOUND, "get data: no such volume");
  g_clear_error (&error);
  g_assert_true (vt_remove (f->service, "data", TRUE, &error));
  g_assert_no_error (error);
}

static void
test_local_errors (Fixture *f, gconstpointer data)
{
  const gchar *opts[] = { "foo", "bar", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume = NULL;
  g_autofree gchar *mount_id = NULL;

  volume = vt_create (f->service, "../etc", NULL, NULL, NULL, &error);
  vt_assert_error (error, BERTH_ERROR_INVALID_ARGUMENT,
                   "create ../etc: \"../etc\" includes invalid characters for a local volume name");
  g_clear_error (&error);
  volume = vt_create (f->service, "x1", NULL, opts, NULL, &error);
  vt_assert_error (error, BERTH_ERROR_INVALID_ARGUMENT, "invalid option key: \"foo\"");
  g_clear_error (&error);
  g_assert_null (berth_volume_service_lookup (f->service, "x1"));
  g_assert_null (vt_mount (f->service, "x1", &mount_id, &error));
  vt_assert_error (error, BERTH_ERROR_NOT_FOUND, "get x1: no such volume");
  g_clear_error (&error);
  volume = vt_inspect (f->service, "x1", &error);
  vt_assert_error (error, BERTH_ERROR_NOT_FOUND, "get x1: no such volume");
}

static void
test_prune (Fixture *f, gconstpointer data)
{
  const gchar *prod[] = { "env", "prod", NULL };
  const gchar *dev[] = { "env", "dev", NULL };
  const gchar *all_dev[] = { "all=true", "label=env=dev", NULL };
  const gchar *all_not_prod[] = { "all=1", "label!=env=prod", NULL };
  const gchar *bad[] = { "dangling=maybe", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) anon = NULL;
  g_autoptr(BerthVolume) volume = NULL;
  g_autofree gchar *file = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *id = NULL;
  g_auto(GStrv) pruned = NULL;
  g_autoptr(GPtrArray) list = NULL;
  guint64 reclaimed = 0;

  anon = vt_create (f->service, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  vt_assert_hex64 (berth_volume_get_name (anon));
  g_assert_true (berth_volume_is_anonymous (anon));
  path = vt_mount (f->service, berth_volume_get_name (anon), &id, &error);
  g_assert_no_error (error);
  file = g_build_filename (path, "data", NULL);
  g_file_set_contents (file, "some bytes", -1, &error);
  g_assert_no_error (error);
  g_assert_true (vt_unmount (f->service, berth_volume_get_name (anon), id, &error));
  g_clear_pointer (&id, g_free);
  g_clear_object (&volume);
  volume = vt_create (f->service, "keep", NULL, NULL, prod, &error);
  g_clear_object (&volume);
  volume = vt_create (f->service, "devvol", NULL, NULL, dev, &error);
  g_clear_object (&volume);
  volume = vt_create (f->service, "busy", NULL, NULL, dev, &error);
  g_assert_no_error (error);
  g_free (vt_mount (f->service, "busy", &id, &error));
  g_assert_no_error (error);
  /* the filters of volume ls */
  g_assert_true (berth_volume_matches_filters (
    volume, (const gchar *[]){ "dangling=false", "label=env", "name=us", NULL }, &error));
  g_assert_false (
    berth_volume_matches_filters (volume, (const gchar *[]){ "dangling=true", NULL }, &error));
  g_assert_true (berth_volume_matches_filters (
    volume, (const gchar *[]){ "driver=local", "name=nope", "name=bus", NULL }, &error));
  g_assert_false (berth_volume_matches_filters (
    volume, (const gchar *[]){ "label=env=dev", "label=other", NULL }, &error));
  g_assert_no_error (error);
  g_assert_false (berth_volume_matches_filters (volume, bad, &error));
  vt_assert_error (error, BERTH_ERROR_INVALID_ARGUMENT, "invalid filter 'dangling=maybe'");
  g_clear_error (&error);

  /* by default only anonymous volumes (docker since API 1.42) */
  pruned = vt_prune (f->service, NULL, &reclaimed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (pruned), ==, 1);
  g_assert_cmpstr (pruned[0], ==, berth_volume_get_name (anon));
  g_assert_cmpuint (reclaimed, >, 0);
  g_clear_pointer (&pruned, g_strfreev);

  /* a mounted volume is never pruned */
  pruned = vt_prune (f->service, all_dev, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (pruned, ((const gchar *[]){ "devvol", NULL }));
  g_clear_pointer (&pruned, g_strfreev);
  g_assert_true (vt_unmount (f->service, "busy", id, &error));
  pruned = vt_prune (f->service, all_not_prod, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (pruned, ((const gchar *[]){ "busy", NULL }));
  g_clear_pointer (&pruned, g_strfreev);

  pruned = vt_prune (f->service, bad, NULL, &error);
  vt_assert_error (error, BERTH_ERROR_INVALID_ARGUMENT, "invalid filter 'dangling=maybe'");
  list = berth_volume_service_list (f->service);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (berth_volume_get_name (list->pdata[0]), ==, "keep");
}

static gboolean
lookup (const gchar *name_or_id,
        gchar **out_id,
        gchar **out_name,
        gboolean *out_enabled,
        gpointer user_data,
        GError **error)
{
  if (g_str_equal (name_or_id, "off") || g_str_equal (name_or_id, "net"))
    {
      *out_id = g_strdup (g_str_equal (name_or_id, "off") ? ID3 : ID2);
      *out_name = g_strconcat (name_or_id, ":latest", NULL);
      *out_enabled = g_str_equal (name_or_id, "net");
      return TRUE;
    }
  if (g_str_equal (name_or_id, "fake") || g_str_has_prefix (ID1, name_or_id))
    {
      *out_id = g_strdup (ID1);
      *out_name = g_strdup (FAKE);
      *out_enabled = TRUE;
      return TRUE;
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "plugin \"%s\" not found", name_or_id);
  return FALSE;
}

static void
test_driver_lookup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume = NULL;

  volume = vt_create (f->service, "x", "nosuchdriver", NULL, NULL, &error);
  vt_assert_error (error, BERTH_ERROR_NOT_FOUND,
                   "create x: error looking up volume plugin nosuchdriver: plugin "
                   "\"nosuchdriver\" not found");
  g_clear_error (&error);

  /* the engine's lookup: names, ID prefixes, and disabled plugins */
  vt_activate (f->service, ID1, FAKE, f->socket1, NULL, NULL);
  berth_volume_service_set_plugin_lookup (f->service, lookup, NULL, NULL);
  volume = vt_create (f->service, "x", "off", NULL, NULL, &error);
  vt_assert_error (error, BERTH_ERROR_NOT_ENABLED,
                   "create x: error looking up volume plugin off: plugin off found but disabled");
  g_clear_error (&error);
  volume = vt_create (f->service, "x", "net", NULL, NULL, &error);
  vt_assert_error (error, BERTH_ERROR_NOT_SUPPORTED,
                   "does not provide the docker.volumedriver/1.0");
  g_clear_error (&error);
  volume = vt_create (f->service, "x", "1111", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (berth_volume_get_driver (volume), ==, FAKE);
  g_assert_cmpstr (berth_volume_get_plugin_id (volume), ==, ID1);
}

static void
test_plugin (Fixture *f, gconstpointer data)
{
  const gchar *opts[] = { "size", "1", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume = NULL;
  g_autoptr(BerthVolume) inspected = NULL;
  g_autoptr(BerthVolume) again = NULL;
  g_autofree gchar *request = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *id = NULL;
  g_autofree gchar *expected = g_build_filename (f->propagated, "pv", NULL);
  g_autofree gchar *mount_request = NULL;
  g_auto(GStrv) holders = NULL;

  activate_fakes (f);
  volume = vt_create (f->service, "pv", "fake/plugin", opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (berth_volume_get_driver (volume), ==, FAKE);
  g_assert_cmpuint (fake_plugin_calls (f->fake1, "VolumeDriver.Get"), ==, 1);
  g_assert_cmpuint (fake_plugin_calls (f->fake1, "VolumeDriver.Create"), ==, 1);
  g_assert_cmpuint (fake_plugin_calls (f->fake1, "VolumeDriver.Capabilities"), ==, 1);
  g_assert_cmpuint (fake_plugin_calls (f->fake1, "VolumeDriver.Path"), ==, 0);
  request = fake_plugin_last_request (f->fake1, "VolumeDriver.Create");
  g_assert_true (g_str_has_suffix (request, "{\"Name\":\"pv\",\"Opts\":{\"size\":\"1\"}}\n"));
  g_assert_cmpstr (berth_volume_get_scope (volume), ==, "global");

  inspected = vt_inspect (f->service, "pv", &error);
  g_assert_no_error (error);
  text = vt_inspect_text (inspected);
  g_assert_nonnull (strstr (text, "\"Driver\":\"fake/plugin:latest\",\"Labels\":null"));
  g_assert_nonnull (strstr (text, "\"Options\":{\"size\":\"1\"},\"Scope\":\"global\","
                                  "\"Status\":{\"hello\":\"world\"}}"));
  g_assert_cmpstr (berth_volume_get_mountpoint (inspected), ==, expected);

  /* the plugin's path under its PropagatedMount, on the host */
  path = vt_mount (f->service, "pv", &id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, expected);
  vt_assert_hex64 (id);
  mount_request = fake_plugin_last_request (f->fake1, "VolumeDriver.Mount");
  g_assert_nonnull (strstr (mount_request, id));
  holders = berth_driver_get_holders (BERTH_DRIVER (f->service), ID1);
  g_assert_cmpstrv (holders, ((const gchar *[]){ "pv", NULL }));

  again = vt_create (f->service, "pv", FAKE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fake_plugin_calls (f->fake1, "VolumeDriver.Create"), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (berth_volume_get_options (again), "size"), ==, "1");
  g_clear_object (&again);
  again = vt_create (f->service, "pv", "local", NULL, NULL, &error);
  vt_assert_error (error, BERTH_ERROR_ALREADY_EXISTS,
                   "create pv: driver 'fake/plugin:latest' already has volume 'pv': volume name "
                   "must be unique");
  g_clear_error (&error);

  g_assert_false (vt_remove (f->service, "pv", FALSE, &error));
  vt_assert_error (error, BERTH_ERROR_IN_USE, "volume is in use");
  g_clear_error (&error);
  g_assert_true (vt_unmount (f->service, "pv", id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_plugin_calls (f->fake1, "VolumeDriver.Unmount"), ==, 1);
  g_assert_true (vt_remove (f->service, "pv", FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (fake_plugin_has_volume (f->fake1, "pv"));
  g_clear_pointer (&holders, g_strfreev);
  holders = berth_driver_get_holders (BERTH_DRIVER (f->service), ID1);
  g_assert_cmpstrv (holders, ((const gchar *[]){ NULL }));
}

static void
test_paths_confined (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *id = NULL;
  g_autofree gchar *expected = g_build_filename (f->rootfs, "etc", "esc", NULL);

  /* moby#53023: a `..` out of the propagated mount stays in the plugin */
  activate_fakes (f);
  fake_plugin_set_mount_root (f->fake1, "/mnt/volumes/../../etc");
  volume = vt_create (f->service, "esc", FAKE, NULL, NULL, &error);
  g_assert_no_error (error);
  path = vt_mount (f->service, "esc", &id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, expected);
}

static void
expect_plugin_error (
  Fixture *f, const gchar *method, FakeBehaviour behaviour, gint code, const gchar *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *id = NULL;
  guint unmounts = fake_plugin_calls (f->fake1, "VolumeDriver.Unmount");

  fake_plugin_set (f->fake1, method, behaviour);
  if (g_str_equal (method, "VolumeDriver.Create"))
    {
      volume = vt_create (f->service, "e1", FAKE, NULL, NULL, &error);
      g_assert_null (volume);
      g_assert_null (berth_volume_service_lookup (f->service, "e1"));
    }
  else
    {
      path = vt_mount (f->service, "e1", &id, &error);
      g_assert_null (path);
      volume = berth_volume_service_lookup (f->service, "e1");
      g_assert_false (berth_volume_has_mounts (volume));
      /* a failed mount is not unmounted */
      g_assert_cmpuint (fake_plugin_calls (f->fake1, "VolumeDriver.Unmount"), ==, unmounts);
    }
  vt_assert_error (error, code, message);
  fake_plugin_set (f->fake1, method, FAKE_OK);
}

static void
test_plugin_errors (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume = NULL;

  activate_fakes (f);
  expect_plugin_error (f, "VolumeDriver.Create", FAKE_ERR, BERTH_ERROR_FAILED,
                       "create e1: fake/plugin:latest: boom");
  expect_plugin_error (f, "VolumeDriver.Create", FAKE_ERR_500, BERTH_ERROR_FAILED,
                       "create e1: fake/plugin:latest: VolumeDriver.Create: nope");
  volume = vt_create (f->service, "e1", FAKE, NULL, NULL, &error);
  g_assert_no_error (error);
  expect_plugin_error (f, "VolumeDriver.Mount", FAKE_MALFORMED, BERTH_ERROR_FAILED,
                       "mount e1: fake/plugin:latest: VolumeDriver.Mount: malformed response");
  expect_plugin_error (f, "VolumeDriver.Mount", FAKE_HUGE, BERTH_ERROR_FAILED,
                       "is larger than 1048576 bytes");
  expect_plugin_error (f, "VolumeDriver.Mount", FAKE_CLOSE, BERTH_ERROR_FAILED,
                       "closed the connection without answering");
  expect_plugin_error (f, "VolumeDriver.Mount", FAKE_DIE, BERTH_ERROR_FAILED,
                       "closed the connection in the middle of its answer");
  expect_plugin_error (f, "VolumeDriver.Mount", FAKE_TEXT_500, BERTH_ERROR_FAILED,
                       "mount e1: fake/plugin:latest: VolumeDriver.Mount: plain trouble");

  /* remove: the plugin's error, unless forced (docker's purge) */
  fake_plugin_set (f->fake1, "VolumeDriver.Remove", FAKE_ERR);
  g_assert_false (vt_remove (f->service, "e1", FALSE, &error));
  vt_assert_error (error, BERTH_ERROR_FAILED, "remove e1: fake/plugin:latest: boom");
  g_clear_error (&error);
  g_test_expect_message ("BerthVolume", G_LOG_LEVEL_WARNING,
                         "remove e1: fake/plugin:latest: boom; removing its record anyway");
  g_assert_true (vt_remove (f->service, "e1", TRUE, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_null (berth_volume_service_lookup (f->service, "e1"));
}

typedef struct
{
  GAsyncResult *result;
  gint64 done_at;
} Pending;

static void
on_pending (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pending *p = user_data;
  p->result = g_object_ref (result);
  p->done_at = g_get_monotonic_time ();
}

static void
test_hung_plugin (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) v1 = NULL;
  g_autoptr(BerthVolume) v2 = NULL;
  g_autoptr(BerthVolume) v3 = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *id = NULL;
  g_autofree gchar *hung_path = NULL;
  Pending hung = { 0 };
  gint64 start;

  activate_fakes (f);
  v1 = vt_create (f->service, "slow", FAKE, NULL, NULL, &error);
  g_assert_no_error (error);
  v2 = vt_create (f->service, "quick", OTHER, NULL, NULL, &error);
  g_assert_no_error (error);

  fake_plugin_set (f->fake1, "VolumeDriver.Mount", FAKE_HANG);
  start = g_get_monotonic_time ();
  berth_volume_service_mount_async (f->service, "slow", NULL, on_pending, &hung);

  /* while it hangs: the local driver, another plugin and ls answer at once */
  v3 = vt_create (f->service, "local1", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  path = vt_mount (f->service, "local1", &id, &error);
  g_assert_no_error (error);
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&id, g_free);
  path = vt_mount (f->service, "quick", &id, &error);
  g_assert_no_error (error);
  list = berth_volume_service_list (f->service);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_null (hung.result);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 400 * 1000);

  while (hung.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  hung_path = berth_volume_service_mount_finish (f->service, hung.result, NULL, &error);
  g_object_unref (hung.result);
  vt_assert_error (error, BERTH_ERROR_TIMED_OUT,
                   "mount slow: fake/plugin:latest: VolumeDriver.Mount: the plugin on");
  g_clear_error (&error);
  g_assert_cmpint (hung.done_at - start, >=, 400 * 1000);
  g_clear_object (&v1);
  v1 = berth_volume_service_lookup (f->service, "slow");
  g_assert_cmpint (berth_volume_get_state (v1), ==, BERTH_VOLUME_STATE_UNRESPONSIVE);
  g_assert_false (berth_volume_has_mounts (v1));

  /* it answers again: ready again */
  fake_plugin_set (f->fake1, "VolumeDriver.Mount", FAKE_OK);
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&id, g_free);
  path = vt_mount (f->service, "slow", &id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (berth_volume_get_state (v1), ==, BERTH_VOLUME_STATE_READY);
}

static void
test_disabled_plugin (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume = NULL;
  g_autoptr(BerthVolume) inspected = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *id = NULL;
  g_auto(GStrv) holders = NULL;
  guint changed;

  activate_fakes (f);
  volume = vt_create (f->service, "pv", FAKE, NULL, NULL, &error);
  g_assert_no_error (error);
  changed = f->changed;
  berth_driver_deactivate (BERTH_DRIVER (f->service), ID1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->changed, ==, changed + 1);

  list = berth_volume_service_list (f->service);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (berth_volume_get_state (list->pdata[0]), ==, BERTH_VOLUME_STATE_DISABLED);
  inspected = vt_inspect (f->service, "pv", &error);
  g_assert_no_error (error);
  path = vt_mount (f->service, "pv", &id, &error);
  vt_assert_error (error, BERTH_ERROR_NOT_ENABLED,
                   "mount pv: error looking up volume plugin fake/plugin:latest: plugin "
                   "fake/plugin:latest found but disabled");
  g_clear_error (&error);
  holders = berth_driver_get_holders (BERTH_DRIVER (f->service), ID1);
  g_assert_cmpstrv (holders, ((const gchar *[]){ "pv", NULL }));
  g_assert_false (vt_remove (f->service, "pv", FALSE, &error));
  vt_assert_error (error, BERTH_ERROR_NOT_ENABLED, "found but disabled");
  g_clear_error (&error);

  /* docker orphans it; berth removes it with force */
  g_assert_true (vt_remove (f->service, "pv", TRUE, &error));
  g_assert_no_error (error);
  g_clear_pointer (&holders, g_strfreev);
  holders = berth_driver_get_holders (BERTH_DRIVER (f->service), ID1);
  g_assert_cmpstrv (holders, ((const gchar *[]){ NULL }));
  g_assert_cmpuint (fake_plugin_calls (f->fake1, "VolumeDriver.Remove"), ==, 0);
}

static void
wait_for_calls (FakePlugin *fake, const gchar *method, guint n)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (fake_plugin_calls (fake, method) < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
test_persistence (Fixture *f, gconstpointer data)
{
  const gchar *opts[] = { "o", "v", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) local = NULL;
  g_autoptr(BerthVolume) remote = NULL;
  g_autofree gchar *local_id = NULL;
  g_autofree gchar *remote_id = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *request = NULL;
  g_auto(GStrv) ids = NULL;
  g_auto(GStrv) holders = NULL;
  guint gets;

  activate_fakes (f);
  local = vt_create (f->service, "l1", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  remote = vt_create (f->service, "p1", FAKE, opts, NULL, &error);
  g_assert_no_error (error);
  g_free (vt_mount (f->service, "l1", &local_id, &error));
  g_free (vt_mount (f->service, "p1", &remote_id, &error));
  g_assert_no_error (error);

  /* berthd restarts; the plugin has not been enabled again yet */
  g_clear_object (&local);
  g_clear_object (&remote);
  g_clear_object (&f->service);
  start_service (f);
  local = berth_volume_service_lookup (f->service, "l1");
  remote = berth_volume_service_lookup (f->service, "p1");
  g_assert_nonnull (local);
  g_assert_nonnull (remote);
  ids = berth_volume_get_mount_ids (local);
  g_assert_cmpstrv (ids, ((const gchar *[]){ local_id, NULL }));
  g_clear_pointer (&ids, g_strfreev);
  ids = berth_volume_get_mount_ids (remote);
  g_assert_cmpstrv (ids, ((const gchar *[]){ remote_id, NULL }));
  g_assert_cmpint (berth_volume_get_state (remote), ==, BERTH_VOLUME_STATE_DISABLED);
  g_assert_cmpstr (berth_volume_get_driver (remote), ==, FAKE);
  holders = berth_driver_get_holders (BERTH_DRIVER (f->service), ID1);
  g_assert_cmpstrv (holders, ((const gchar *[]){ "p1", NULL }));

  /* the plugin comes back without its state: it learns of p1 again */
  fake_plugin_forget (f->fake1);
  gets = fake_plugin_calls (f->fake1, "VolumeDriver.Get");
  vt_activate (f->service, ID1, FAKE, f->socket1, f->propagated, f->rootfs);
  wait_for_calls (f->fake1, "VolumeDriver.Get", gets + 1);
  wait_for_calls (f->fake1, "VolumeDriver.Create", 2);
  request = fake_plugin_last_request (f->fake1, "VolumeDriver.Create");
  g_assert_true (g_str_has_suffix (request, "{\"Name\":\"p1\",\"Opts\":{\"o\":\"v\"}}\n"));
  g_assert_true (fake_plugin_has_volume (f->fake1, "p1"));
  g_assert_cmpint (berth_volume_get_state (remote), ==, BERTH_VOLUME_STATE_READY);

  g_assert_true (vt_unmount (f->service, "p1", remote_id, &error));
  g_assert_no_error (error);
  g_assert_true (vt_unmount (f->service, "l1", local_id, &error));
  g_assert_no_error (error);

  /* removed and installed again: a new ID, the same name; the volume follows */
  berth_driver_deactivate (BERTH_DRIVER (f->service), ID1, NULL, &error);
  vt_activate (f->service, ID3, FAKE, f->socket1, f->propagated, f->rootfs);
  g_clear_pointer (&holders, g_strfreev);
  holders = berth_driver_get_holders (BERTH_DRIVER (f->service), ID3);
  g_assert_cmpstrv (holders, ((const gchar *[]){ "p1", NULL }));
  g_clear_object (&f->service);
  start_service (f);
  g_clear_pointer (&holders, g_strfreev);
  holders = berth_driver_get_holders (BERTH_DRIVER (f->service), ID3);
  g_assert_cmpstrv (holders, ((const gchar *[]){ "p1", NULL }));
}

static void
test_restart_mid_mount (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume = NULL;
  g_autofree gchar *record
    = g_build_filename (f->tmpdir, "root", "volumes", "mm", "volume.json", NULL);
  g_autofree gchar *at_crash = NULL;
  g_autofree gchar *path = NULL;
  g_auto(GStrv) ids = NULL;
  Pending hung = { 0 };

  activate_fakes (f);
  volume = vt_create (f->service, "mm", FAKE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&volume);
  fake_plugin_set (f->fake1, "VolumeDriver.Mount", FAKE_HANG);
  berth_volume_service_mount_async (f->service, "mm", NULL, on_pending, &hung);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);

  /* what a crash of berthd now leaves on disk: the mount ID, recorded
   * before the plugin was asked */
  g_file_get_contents (record, &at_crash, NULL, &error);
  g_assert_no_error (error);
  while (hung.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&hung.result);
  g_clear_object (&f->service);
  g_file_set_contents (record, at_crash, -1, &error);
  g_assert_no_error (error);

  /* the next berthd: the mount holds the volume until it is unmounted */
  start_service (f);
  vt_activate (f->service, ID1, FAKE, f->socket1, f->propagated, f->rootfs);
  volume = berth_volume_service_lookup (f->service, "mm");
  ids = berth_volume_get_mount_ids (volume);
  g_assert_cmpuint (g_strv_length (ids), ==, 1);
  vt_assert_hex64 (ids[0]);
  g_assert_false (vt_remove (f->service, "mm", FALSE, &error));
  vt_assert_error (error, BERTH_ERROR_IN_USE, "volume is in use");
  g_clear_error (&error);
  fake_plugin_set (f->fake1, "VolumeDriver.Unmount", FAKE_ERR);
  g_assert_true (vt_unmount (f->service, "mm", ids[0], &error));
  g_assert_no_error (error);
  g_assert_true (vt_remove (f->service, "mm", FALSE, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/volumes/local/lifecycle", test_local);
  ADD ("/volumes/local/errors", test_local_errors);
  ADD ("/volumes/local/prune", test_prune);
  ADD ("/volumes/plugin/driver-lookup", test_driver_lookup);
  ADD ("/volumes/plugin/lifecycle", test_plugin);
  ADD ("/volumes/plugin/paths-confined", test_paths_confined);
  ADD ("/volumes/plugin/errors", test_plugin_errors);
  ADD ("/volumes/plugin/hung", test_hung_plugin);
  ADD ("/volumes/plugin/disabled", test_disabled_plugin);
  ADD ("/volumes/persistence", test_persistence);
  ADD ("/volumes/restart-mid-mount", test_restart_mid_mount);
#undef ADD
  return g_test_run ();
}
