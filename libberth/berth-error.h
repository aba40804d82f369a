/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BERTH_ERROR (berth_error_quark ())

/**
 * BerthError:
 * @BERTH_ERROR_FAILED: something failed; the message says what
 * @BERTH_ERROR_NOT_FOUND: the named thing does not exist
 * @BERTH_ERROR_ALREADY_EXISTS: a thing of that name exists already
 * @BERTH_ERROR_IN_USE: the thing is held by something else
 * @BERTH_ERROR_INVALID_ARGUMENT: the input is malformed or out of range
 * @BERTH_ERROR_PERMISSION_DENIED: the caller may not do this
 * @BERTH_ERROR_NOT_SUPPORTED: no implementation offers this
 * @BERTH_ERROR_TIMED_OUT: the operation did not finish in time
 * @BERTH_ERROR_CANCELLED: the caller cancelled the operation
 * @BERTH_ERROR_NOT_ENABLED: the plugin exists but is disabled
 * @BERTH_ERROR_ENABLED: the plugin is enabled, and the operation needs it disabled
 *
 * The one error domain of berth. Each code has a D-Bus error name
 * `org.berth.Berth1.Error.<Name>`, so errors keep their code across D-Bus.
 */
typedef enum
{
  BERTH_ERROR_FAILED,
  BERTH_ERROR_NOT_FOUND,
  BERTH_ERROR_ALREADY_EXISTS,
  BERTH_ERROR_IN_USE,
  BERTH_ERROR_INVALID_ARGUMENT,
  BERTH_ERROR_PERMISSION_DENIED,
  BERTH_ERROR_NOT_SUPPORTED,
  BERTH_ERROR_TIMED_OUT,
  BERTH_ERROR_CANCELLED,
  BERTH_ERROR_NOT_ENABLED,
  BERTH_ERROR_ENABLED,
  BERTH_ERROR_LAST /*< skip >*/
} BerthError;

GQuark berth_error_quark (void);
const gchar *berth_error_to_dbus_name (BerthError code);
BerthError berth_error_from_dbus_name (const gchar *name);
void berth_error_convert (GError **error);
void berth_error_strip_remote (GError *error);

G_END_DECLS
