/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <berth.h>

static void
test_error_dbus_round_trip (void)
{
  g_autoptr(GError) local
             = g_error_new (BERTH_ERROR, BERTH_ERROR_IN_USE, "plugin x:latest is in use");
  g_autofree gchar *name = g_dbus_error_encode_gerror (local);
  g_autoptr(GError) remote = NULL;

  g_assert_cmpstr (name, ==, "org.berth.Berth1.Error.InUse");
  remote = g_dbus_error_new_for_dbus_error (name, local->message);
  g_assert_error (remote, BERTH_ERROR, BERTH_ERROR_IN_USE);
  berth_error_strip_remote (remote);
  g_assert_cmpstr (remote->message, ==, "plugin x:latest is in use");

  for (gint code = 0; code < BERTH_ERROR_LAST; code++)
    {
      g_autoptr(GError) e = NULL;
      const gchar *n = berth_error_to_dbus_name (code);
      g_assert_true (g_str_has_prefix (n, "org.berth.Berth1.Error."));
      e = g_dbus_error_new_for_dbus_error (n, "x");
      g_assert_error (e, BERTH_ERROR, code);
      /* the CLI maps names without GIO */
      g_assert_cmpint (berth_error_from_dbus_name (n), ==, code);
    }
  g_assert_cmpint (berth_error_from_dbus_name ("org.freedesktop.DBus.Error.AccessDenied"), ==,
                   BERTH_ERROR_PERMISSION_DENIED);
  g_assert_cmpint (berth_error_from_dbus_name ("org.freedesktop.DBus.Error.InvalidArgs"), ==,
                   BERTH_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (berth_error_from_dbus_name ("org.example.Unheard.Of"), ==, BERTH_ERROR_FAILED);
  g_assert_cmpint (berth_error_from_dbus_name (NULL), ==, BERTH_ERROR_FAILED);
}

static void
test_error_convert (void)
{
  struct
  {
    GQuark domain;
    gint code;
    BerthError expected;
  } cases[] = {
    { G_IO_ERROR, G_IO_ERROR_NOT_FOUND, BERTH_ERROR_NOT_FOUND },
    { G_IO_ERROR, G_IO_ERROR_EXISTS, BERTH_ERROR_ALREADY_EXISTS },
    { G_IO_ERROR, G_IO_ERROR_BUSY, BERTH_ERROR_IN_USE },
    { G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, BERTH_ERROR_PERMISSION_DENIED },
    { G_IO_ERROR, G_IO_ERROR_TIMED_OUT, BERTH_ERROR_TIMED_OUT },
    { G_IO_ERROR, G_IO_ERROR_CANCELLED, BERTH_ERROR_CANCELLED },
    { G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, BERTH_ERROR_NOT_SUPPORTED },
    { G_IO_ERROR, G_IO_ERROR_INVALID_DATA, BERTH_ERROR_INVALID_ARGUMENT },
    { G_IO_ERROR, G_IO_ERROR_NO_SPACE, BERTH_ERROR_FAILED },
    { G_FILE_ERROR, G_FILE_ERROR_NOENT, BERTH_ERROR_NOT_FOUND },
    { G_FILE_ERROR, G_FILE_ERROR_ACCES, BERTH_ERROR_PERMISSION_DENIED },
    { G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, BERTH_ERROR_PERMISSION_DENIED },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) e = g_error_new (cases[i].domain, cases[i].code, "message %u", i);
      g_autofree gchar *msg = g_strdup (e->message);
      berth_error_convert (&e);
      g_assert_error (e, BERTH_ERROR, (gint)cases[i].expected);
      g_assert_cmpstr (e->message, ==, msg);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/error/dbus-round-trip", test_error_dbus_round_trip);
  g_test_add_func ("/error/convert", test_error_convert);
  return g_test_run ();
}
