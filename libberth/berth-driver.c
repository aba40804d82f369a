/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include "berth-driver.h"
#include "berth-interface-private.h"

G_DEFINE_INTERFACE (BerthDriver, berth_driver, G_TYPE_OBJECT)

static void
berth_driver_default_init (BerthDriverInterface *iface)
{
}

/**
 * berth_driver_get_types:
 * @self: a #BerthDriver
 *
 * Returns: (transfer none): the plugin interface types this driver serves
 */
const gchar *const *
berth_driver_get_types (BerthDriver *self)
{
  static const gchar *const none[] = { NULL };
  BerthDriverInterface *iface;
  g_return_val_if_fail (BERTH_IS_DRIVER (self), none);
  iface = BERTH_DRIVER_GET_IFACE (self);
  if (iface->get_types == NULL || iface->get_types (self) == NULL)
    return none;
  return iface->get_types (self);
}

/**
 * berth_driver_serves:
 * @self: a #BerthDriver
 * @interface_type: a plugin interface type, e.g. `docker.volumedriver/1.0`
 *
 * Returns: %TRUE if this driver serves @interface_type
 */
gboolean
berth_driver_serves (BerthDriver *self, const gchar *interface_type)
{
  return g_strv_contains (berth_driver_get_types (self), interface_type);
}

/**
 * berth_driver_activate:
 * @self: a #BerthDriver
 * @plugin_id: the plugin's ID
 * @plugin_name: the plugin's name
 * @socket_path: the host path of the plugin's socket
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the driver took the plugin on
 */
gboolean
berth_driver_activate (BerthDriver *self,
                       const gchar *plugin_id,
                       const gchar *plugin_name,
                       const gchar *socket_path,
                       GCancellable *cancellable,
                       GError **error)
{
  BerthDriverInterface *iface;
  g_return_val_if_fail (BERTH_IS_DRIVER (self), FALSE);
  g_return_val_if_fail (plugin_id != NULL && socket_path != NULL, FALSE);
  iface = BERTH_DRIVER_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, activate, self, error, FALSE);
  return iface->activate (self, plugin_id, plugin_name, socket_path, cancellable, error);
}

/**
 * berth_driver_deactivate:
 * @self: a #BerthDriver
 * @plugin_id: the plugin's ID
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * A driver without a deactivate function has nothing to release.
 *
 * Returns: %TRUE if the driver let the plugin go
 */
gboolean
berth_driver_deactivate (BerthDriver *self,
                         const gchar *plugin_id,
                         GCancellable *cancellable,
                         GError **error)
{
  BerthDriverInterface *iface;
  g_return_val_if_fail (BERTH_IS_DRIVER (self), FALSE);
  g_return_val_if_fail (plugin_id != NULL, FALSE);
  iface = BERTH_DRIVER_GET_IFACE (self);
  if (iface->deactivate == NULL)
    return TRUE;
  return iface->deactivate (self, plugin_id, cancellable, error);
}

/**
 * berth_driver_get_holders:
 * @self: a #BerthDriver
 * @plugin_id: the plugin's ID
 *
 * Returns: (transfer full): what holds the plugin, empty if nothing
 */
GStrv
berth_driver_get_holders (BerthDriver *self, const gchar *plugin_id)
{
  BerthDriverInterface *iface;
  g_return_val_if_fail (BERTH_IS_DRIVER (self), NULL);
  iface = BERTH_DRIVER_GET_IFACE (self);
  if (iface->get_holders == NULL)
    return g_new0 (gchar *, 1);
  return iface->get_holders (self, plugin_id);
}

/**
 * berth_driver_activate_with_details:
 * @self: a #BerthDriver
 * @plugin_id: the plugin's ID
 * @plugin_name: the plugin's name
 * @socket_path: the host path of the plugin's socket
 * @details: (nullable): a `a{sv}` dictionary: `propagated-mount` (s, the
 *   plugin's `PropagatedMount` as its config says, inside the plugin),
 *   `propagated-mount-host` (s, the host directory it is bound to,
 *   `<root>/plugins/<id>/propagated-mount`) and `rootfs` (s, the host path of
 *   the plugin's root file system); each may be missing
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * As berth_driver_activate(), for drivers that map what the plugin answers
 * (paths inside the plugin) to the host. A driver without this function is
 * activated with berth_driver_activate().
 *
 * Returns: %TRUE if the driver took the plugin on
 */
gboolean
berth_driver_activate_with_details (BerthDriver *self,
                                    const gchar *plugin_id,
                                    const gchar *plugin_name,
                                    const gchar *socket_path,
                                    GVariant *details,
                                    GCancellable *cancellable,
                                    GError **error)
{
  BerthDriverInterface *iface;
  g_return_val_if_fail (BERTH_IS_DRIVER (self), FALSE);
  g_return_val_if_fail (plugin_id != NULL && socket_path != NULL, FALSE);
  g_return_val_if_fail (details == NULL || g_variant_is_of_type (details, G_VARIANT_TYPE_VARDICT),
                        FALSE);
  iface = BERTH_DRIVER_GET_IFACE (self);
  if (iface->activate_with_details == NULL)
    return berth_driver_activate (self, plugin_id, plugin_name, socket_path, cancellable, error);
  return iface->activate_with_details (self, plugin_id, plugin_name, socket_path, details,
                                       cancellable, error);
}
