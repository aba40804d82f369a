/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* volumes through the real berth CLI and a real berthd: the local driver,
 * and the example sshfs plugin under runc against a real sshd */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#include "berth-test-harness.h"
#include "sshd-fixture.h"
#include "sshfs-fixture.h"

static void
assert_fails (BerthTestResult *r, const gchar *err_part)
{
  g_assert_cmpint (r->status, ==, 1);
  if (strstr (r->err, err_part) == NULL)
    g_error ("stderr \"%s\" does not contain \"%s\"", r->err, err_part);
}

/* each volume is an object with org.berth.Berth1.Volume, listed by the
 * ObjectManager, its properties readable and gone with the volume */
static void
assert_volume_objects (BerthTestDaemon *d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_dbus_connection_new_for_address_sync (
    d->address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) managed = NULL;
  g_autoptr(GVariant) missing = NULL;
  g_autoptr(GVariant) xml = NULL;
  g_autoptr(GVariant) dict = NULL;
  const gchar *text;
  const gchar *driver;

  g_assert_no_error (error);
  props = g_dbus_connection_call_sync (
    bus, NULL, "/org/berth/Berth1/volumes/data", "org.freedesktop.DBus.Properties", "GetAll",
    g_variant_new ("(s)", "org.berth.Berth1.Volume"), G_VARIANT_TYPE ("(a{sv})"),
    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  dict = g_variant_get_child_value (props, 0);
  g_assert_true (g_variant_lookup (dict, "Driver", "&s", &driver));
  g_assert_cmpstr (driver, ==, "local");

  xml = g_dbus_connection_call_sync (
    bus, NULL, "/org/berth/Berth1/volumes/data", "org.freedesktop.DBus.Introspectable",
    "Introspect", NULL, G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (xml, "(&s)", &text);
  g_assert_nonnull (strstr (text, "org.berth.Berth1.Volume"));

  managed = g_dbus_connection_call_sync (bus, NULL, "/org/berth/Berth1",
                                         "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                         NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree gchar *printed = g_variant_print (managed, FALSE);
    g_assert_nonnull (strstr (printed, "/org/berth/Berth1/volumes/data"));
  }

  missing = g_dbus_connection_call_sync (bus, NULL, "/org/berth/Berth1/volumes/nosuch",
                                         "org.freedesktop.DBus.Properties", "GetAll",
                                         g_variant_new ("(s)", "org.berth.Berth1.Volume"), NULL,
                                         G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_null (missing);
  g_assert_nonnull (error);
}

static void
test_local (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autofree gchar *anonymous = NULL;
  g_autofree gchar *ls = NULL;
  g_autofree gchar *mount = NULL;
  g_auto(GStrv) mount_lines = NULL;
  g_autoptr(BerthTestResult) r = NULL;

  if (getuid () != 0)
    {
      g_test_skip ("needs root");
      return;
    }
  d = berth_test_daemon_start_built ();
  g_assert_cmpstr (berth_test_run_ok (d, "volume", "ls", NULL), ==, "DRIVER    VOLUME NAME\n");
  g_assert_cmpstr (
    berth_test_run_ok (d, "volume", "create", "--name", "data", "--label", "tier=db", NULL), ==,
    "data\n");
  g_assert_cmpstr (berth_test_run_ok (d, "volume", "create", "other", NULL), ==, "other\n");
  anonymous = berth_test_run_ok (d, "volume", "create", NULL);
  g_strchomp (anonymous);
  g_assert_cmpuint (strlen (anonymous), ==, 64);

  assert_volume_objects (d);

  ls = berth_test_run_ok (d, "volume", "ls", NULL);
  {
    /* sorted by name: the random one goes before or after "data" */
    g_autofree gchar *expected
      = strcmp (anonymous, "data") < 0
          ? g_strdup_printf (
            "DRIVER    VOLUME NAME\nlocal     %s\nlocal     data\nlocal     other\n", anonymous)
          : g_strdup_printf (
            "DRIVER    VOLUME NAME\nlocal     data\nlocal     %s\nlocal     other\n", anonymous);
    g_assert_cmpstr (ls, ==, expected);
  }
  {
    g_autofree gchar *labelled
      = berth_test_run_ok (d, "volume", "ls", "-q", "--filter", "label=tier=db", NULL);
    g_autofree gchar *named
      = berth_test_run_ok (d, "volume", "ls", "-q", "--filter", "name=oth", NULL);
    g_autofree gchar *json
      = berth_test_run_ok (d, "volume", "ls", "--format", "json", "--filter", "name=data", NULL);
    g_assert_cmpstr (labelled, ==, "data\n");
    g_assert_cmpstr (named, ==, "other\n");
    g_assert_true (
      g_str_has_prefix (json, "{\"Driver\":\"local\",\"Labels\":\"tier=db\",\"Mountpoint\":\""));
  }
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "volume", "ls", "--filter", "bogus=1", NULL);
  assert_fails (r, "invalid filter 'bogus'");
  g_clear_pointer (&r, berth_test_result_free);

  {
    g_autofree gchar *inspect = berth_test_run_ok (d, "volume", "inspect", "data", NULL);
    g_autofree gchar *driver = berth_test_run_ok (
      d, "volume", "inspect", "-f", "{{.Driver}} {{.Scope}} {{.Labels.tier}}", "data", NULL);
    g_assert_true (g_str_has_prefix (inspect, "[\n    {\n        \"CreatedAt\": \""));
    g_assert_nonnull (strstr (inspect, "        \"Driver\": \"local\",\n"));
    g_assert_nonnull (strstr (inspect, "        \"Name\": \"data\",\n"));
    g_assert_cmpstr (driver, ==, "local local db\n");
  }
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "volume", "inspect", "nosuch", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_cmpstr (r->out, ==, "[]\n");
  g_clear_pointer (&r, berth_test_result_free);

  /* mount: a host path and an ID; the volume is held until unmount */
  mount = berth_test_run_ok (d, "volume", "mount", "data", NULL);
  mount_lines = g_strsplit (mount, "\n", -1);
  g_assert_cmpuint (g_strv_length (mount_lines), ==, 3);
  g_assert_true (g_file_test (mount_lines[0], G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (strlen (mount_lines[1]), ==, 64);
  {
    g_autofree gchar *file = g_build_filename (mount_lines[0], "hello", NULL);
    g_autoptr(GError) error = NULL;
    g_file_set_contents (file, "kept", -1, &error);
    g_assert_no_error (error);
  }
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "volume", "rm", "data", NULL);
  assert_fails (r, "volume is in use");
  g_clear_pointer (&r, berth_test_result_free);

  /* the volume and its mount survive a restart */
  berth_test_daemon_stop (d, SIGKILL);
  {
    g_autoptr(GError) error = NULL;
    g_assert_true (berth_test_daemon_start (d, NULL, &error));
  }
  {
    g_autofree gchar *held
      = berth_test_run_ok (d, "volume", "ls", "-q", "--filter", "dangling=false", NULL);
    g_assert_cmpstr (held, ==, "data\n");
  }
  g_free (berth_test_run_ok (d, "volume", "unmount", "data", mount_lines[1], NULL));
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "volume", "unmount", "data", mount_lines[1], NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_clear_pointer (&r, berth_test_result_free);

  /* prune takes the anonymous one only; rm takes the rest */
  {
    g_autofree gchar *pruned = berth_test_run_ok (d, "volume", "prune", "-f", NULL);
    g_autofree gchar *expected = g_strdup_printf ("Deleted Volumes:\n%s\n\n", anonymous);
    g_assert_true (g_str_has_prefix (pruned, expected));
    g_assert_nonnull (strstr (pruned, "Total reclaimed space: "));
  }
  g_assert_cmpstr (berth_test_run_ok (d, "volume", "rm", "data", "other", NULL), ==,
                   "data\nother\n");
  g_assert_cmpstr (berth_test_run_ok (d, "volume", "ls", "-q", NULL), ==, "");

  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "volume", "create", "-d", "nosuch", "--name", "x",
                      NULL);
  assert_fails (r, "create x: error looking up volume plugin nosuch: plugin \"nosuch\" not found");
}

static void
test_sshfs (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestSshfs) sshfs = NULL;
  g_autofree gchar *mount = NULL;
  g_autofree gchar *created = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(BerthTestResult) r = NULL;

  if (!berth_test_sshfs_can_run ())
    return;
  d = berth_test_daemon_start_built ();
  sshfs = berth_test_sshfs_start (d);
  {
    g_autofree gchar *file = g_build_filename (sshfs->remote, "remote-file.txt", NULL);
    g_autoptr(GError) error = NULL;
    g_file_set_contents (file, "through sshfs\n", -1, &error);
    g_assert_no_error (error);
  }
  created = berth_test_sshfs_create_volume (d, sshfs, "sshvolume", NULL);
  g_assert_cmpstr (created, ==, "sshvolume\n");
  {
    g_autofree gchar *ls = berth_test_run_ok (d, "volume", "ls", NULL);
    g_autofree gchar *driver = berth_test_run_ok (
      d, "volume", "inspect", "-f", "{{.Driver}} {{.Options.port}}", "sshvolume", NULL);
    g_autofree gchar *expected = g_strdup_printf ("vieux/sshfs:latest %u\n", sshfs->port);
    g_assert_cmpstr (ls, ==, "DRIVER               VOLUME NAME\nvieux/sshfs:latest   sshvolume\n");
    g_assert_cmpstr (driver, ==, expected);
  }

  /* the remote file, read on the host through the plugin's mount */
  mount = berth_test_run_ok (d, "volume", "mount", "sshvolume", NULL);
  lines = g_strsplit (mount, "\n", -1);
  {
    g_autofree gchar *file = g_build_filename (lines[0], "remote-file.txt", NULL);
    g_autofree gchar *contents = NULL;
    g_autoptr(GError) error = NULL;
    g_file_get_contents (file, &contents, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (contents, ==, "through sshfs\n");
  }

  /* a plugin with volumes is held, and the error says by what */
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "plugin", "disable", "vieux/sshfs", NULL);
  assert_fails (r, "sshvolume");
  g_clear_pointer (&r, berth_test_result_free);

  g_free (berth_test_run_ok (d, "volume", "unmount", "sshvolume", lines[1], NULL));
  g_assert_false (test_is_mounted (lines[0]));
  g_assert_cmpstr (berth_test_run_ok (d, "volume", "rm", "sshvolume", NULL), ==, "sshvolume\n");
  g_free (berth_test_run_ok (d, "plugin", "disable", "vieux/sshfs", NULL));
  g_free (berth_test_run_ok (d, "plugin", "rm", "vieux/sshfs", NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/volumes/local", test_local);
  g_test_add_func ("/volumes/sshfs", test_sshfs);
  return g_test_run ();
}
