/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(BERTH_PLUGIN_INSIDE) && !defined(BERTH_PLUGIN_COMPILATION)
#error "Only <berth-plugin.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define BERTH_PLUGIN_ERROR (berth_plugin_error_quark ())

/**
 * BerthPluginError:
 * @BERTH_PLUGIN_ERROR_FAILED: generic failure
 * @BERTH_PLUGIN_ERROR_NOT_FOUND: no such object (volume, network…)
 * @BERTH_PLUGIN_ERROR_INVALID_ARGUMENT: the request or an option is wrong
 * @BERTH_PLUGIN_ERROR_IN_USE: the object is in use
 * @BERTH_PLUGIN_ERROR_NOT_SUPPORTED: the plugin does not do this
 * @BERTH_PLUGIN_ERROR_ADDRESS_IN_USE: another process answers on the socket
 *
 * Errors of the plugin SDK, and codes handlers may use. Whatever the domain,
 * only the message of a handler's error reaches Docker or berth, in `Err`.
 */
typedef enum
{
  BERTH_PLUGIN_ERROR_FAILED,
  BERTH_PLUGIN_ERROR_NOT_FOUND,
  BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
  BERTH_PLUGIN_ERROR_IN_USE,
  BERTH_PLUGIN_ERROR_NOT_SUPPORTED,
  BERTH_PLUGIN_ERROR_ADDRESS_IN_USE,
} BerthPluginError;

GQuark berth_plugin_error_quark (void);

G_END_DECLS
