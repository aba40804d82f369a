/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthRegistry"

#include "config.h"

#include "berth-registry-private.h"

gboolean berth_module_registry_load (GTypeModule *module, GError **error);

/**
 * berth_module_registry_load:
 * @module: the module registering the types
 * @error: return location for a #GError
 *
 * Registers the OCI distribution transport as "registry".
 *
 * Returns: %TRUE
 */
gboolean
berth_module_registry_load (GTypeModule *module, GError **error)
{
  berth_registry_transport_register (module);
  g_io_extension_point_implement (BERTH_EXTENSION_POINT_TRANSPORT, BERTH_TYPE_REGISTRY_TRANSPORT,
                                  "registry", 10);
  return TRUE;
}

BERTH_MODULE_DEFINE (registry)
