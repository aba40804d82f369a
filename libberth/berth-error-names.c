/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include "berth-error.h"

/* GLib only: the CLI builds this file without GIO */

static const gchar *const berth_error_names[] = {
  [BERTH_ERROR_FAILED] = "org.berth.Berth1.Error.Failed",
  [BERTH_ERROR_NOT_FOUND] = "org.berth.Berth1.Error.NotFound",
  [BERTH_ERROR_ALREADY_EXISTS] = "org.berth.Berth1.Error.AlreadyExists",
  [BERTH_ERROR_IN_USE] = "org.berth.Berth1.Error.InUse",
  [BERTH_ERROR_INVALID_ARGUMENT] = "org.berth.Berth1.Error.InvalidArgument",
  [BERTH_ERROR_PERMISSION_DENIED] = "org.berth.Berth1.Error.PermissionDenied",
  [BERTH_ERROR_NOT_SUPPORTED] = "org.berth.Berth1.Error.NotSupported",
  [BERTH_ERROR_TIMED_OUT] = "org.berth.Berth1.Error.TimedOut",
  [BERTH_ERROR_CANCELLED] = "org.berth.Berth1.Error.Cancelled",
  [BERTH_ERROR_NOT_ENABLED] = "org.berth.Berth1.Error.NotEnabled",
  [BERTH_ERROR_ENABLED] = "org.berth.Berth1.Error.Enabled",
};

G_STATIC_ASSERT (G_N_ELEMENTS (berth_error_names) == BERTH_ERROR_LAST);

/**
 * berth_error_to_dbus_name:
 * @code: a #BerthError
 *
 * Returns: the D-Bus error name of @code
 */
const gchar *
berth_error_to_dbus_name (BerthError code)
{
  if ((guint)code >= BERTH_ERROR_LAST)
    code = BERTH_ERROR_FAILED;
  return berth_error_names[code];
}

/**
 * berth_error_from_dbus_name:
 * @name: a D-Bus error name
 *
 * Maps berth's own names to their codes, and the standard names a D-Bus
 * server answers with (access denied, invalid arguments, timeouts) to the
 * nearest code.
 *
 * Returns: a #BerthError, %BERTH_ERROR_FAILED for names it does not know
 */
BerthError
berth_error_from_dbus_name (const gchar *name)
{
  static const struct
  {
    const gchar *name;
    BerthError code;
  } standard[] = {
    { "org.freedesktop.DBus.Error.AccessDenied", BERTH_ERROR_PERMISSION_DENIED },
    { "org.freedesktop.DBus.Error.AuthFailed", BERTH_ERROR_PERMISSION_DENIED },
    { "org.freedesktop.DBus.Error.InvalidArgs", BERTH_ERROR_INVALID_ARGUMENT },
    { "org.freedesktop.DBus.Error.UnknownMethod", BERTH_ERROR_NOT_SUPPORTED },
    { "org.freedesktop.DBus.Error.UnknownInterface", BERTH_ERROR_NOT_SUPPORTED },
    { "org.freedesktop.DBus.Error.UnknownObject", BERTH_ERROR_NOT_FOUND },
    { "org.freedesktop.DBus.Error.NotSupported", BERTH_ERROR_NOT_SUPPORTED },
    { "org.freedesktop.DBus.Error.Timeout", BERTH_ERROR_TIMED_OUT },
    { "org.freedesktop.DBus.Error.TimedOut", BERTH_ERROR_TIMED_OUT },
    { "org.freedesktop.DBus.Error.NoReply", BERTH_ERROR_TIMED_OUT },
  };

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (berth_error_names); i++)
    if (g_str_equal (name, berth_error_names[i]))
      return i;
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (standard); i++)
    if (g_str_equal (name, standard[i].name))
      return standard[i].code;
  return BERTH_ERROR_FAILED;
}
