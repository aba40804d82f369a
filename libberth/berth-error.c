/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include "berth-error.h"

/**
 * berth_error_quark:
 *
 * Returns: the #GQuark of %BERTH_ERROR, registered with its D-Bus names
 */
GQuark
berth_error_quark (void)
{
  static GDBusErrorEntry entries[BERTH_ERROR_LAST];
  static gsize quark = 0;

  if (g_once_init_enter (&quark))
    {
      gsize registered = 0;
      for (guint i = 0; i < BERTH_ERROR_LAST; i++)
        entries[i] = (GDBusErrorEntry){ i, berth_error_to_dbus_name (i) };
      g_dbus_error_register_error_domain ("berth-error-quark", &registered, entries,
                                          G_N_ELEMENTS (entries));
      g_once_init_leave (&quark, registered);
    }
  return (GQuark)quark;
}

/**
 * berth_error_convert:
 * @error: (inout) (nullable): an error of any domain
 *
 * Turns #G_IO_ERROR, #G_FILE_ERROR and #G_DBUS_ERROR codes into the nearest
 * #BerthError at the edge of a module, keeping the message.
 */
void
berth_error_convert (GError **error)
{
  GError *e;

  if (error == NULL || *error == NULL)
    return;
  e = *error;
  if (e->domain == BERTH_ERROR)
    return;

  if (e->domain == G_IO_ERROR)
    {
      switch (e->code)
        {
          case G_IO_ERROR_NOT_FOUND:
            e->code = BERTH_ERROR_NOT_FOUND;
            break;
          case G_IO_ERROR_EXISTS:
            e->code = BERTH_ERROR_ALREADY_EXISTS;
            break;
          case G_IO_ERROR_BUSY:
            e->code = BERTH_ERROR_IN_USE;
            break;
          case G_IO_ERROR_INVALID_ARGUMENT:
          case G_IO_ERROR_INVALID_DATA:
          case G_IO_ERROR_INVALID_FILENAME:
          case G_IO_ERROR_FILENAME_TOO_LONG:
            e->code = BERTH_ERROR_INVALID_ARGUMENT;
            break;
          case G_IO_ERROR_PERMISSION_DENIED:
            e->code = BERTH_ERROR_PERMISSION_DENIED;
            break;
          case G_IO_ERROR_NOT_SUPPORTED:
            e->code = BERTH_ERROR_NOT_SUPPORTED;
            break;
          case G_IO_ERROR_TIMED_OUT:
            e->code = BERTH_ERROR_TIMED_OUT;
            break;
          case G_IO_ERROR_CANCELLED:
            e->code = BERTH_ERROR_CANCELLED;
            break;
          default:
            e->code = BERTH_ERROR_FAILED;
            break;
        }
    }
  else if (e->domain == G_FILE_ERROR)
    {
      switch (e->code)
        {
          case G_FILE_ERROR_NOENT:
            e->code = BERTH_ERROR_NOT_FOUND;
            break;
          case G_FILE_ERROR_EXIST:
            e->code = BERTH_ERROR_ALREADY_EXISTS;
            break;
          case G_FILE_ERROR_ACCES:
          case G_FILE_ERROR_PERM:
            e->code = BERTH_ERROR_PERMISSION_DENIED;
            break;
          case G_FILE_ERROR_INVAL:
          case G_FILE_ERROR_NAMETOOLONG:
            e->code = BERTH_ERROR_INVALID_ARGUMENT;
            break;
          default:
            e->code = BERTH_ERROR_FAILED;
            break;
        }
    }
  else if (e->domain == G_DBUS_ERROR && e->code == G_DBUS_ERROR_ACCESS_DENIED)
    e->code = BERTH_ERROR_PERMISSION_DENIED;
  else if (e->domain == G_DBUS_ERROR && e->code == G_DBUS_ERROR_TIMEOUT)
    e->code = BERTH_ERROR_TIMED_OUT;
  else
    e->code = BERTH_ERROR_FAILED;
  e->domain = BERTH_ERROR;
}

/**
 * berth_error_strip_remote:
 * @error: an error received over D-Bus
 *
 * Removes the `GDBus.Error:org.berth...: ` prefix GDBus puts on remote errors,
 * so the user reads the daemon's message only.
 */
void
berth_error_strip_remote (GError *error)
{
  if (error != NULL && g_dbus_error_is_remote_error (error))
    g_dbus_error_strip_remote_error (error);
}
