/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BERTH_TYPE_DRIVER (berth_driver_get_type ())
G_DECLARE_INTERFACE (BerthDriver, berth_driver, BERTH, DRIVER, GObject)

/**
 * BerthDriverInterface:
 * @get_types: the plugin interface types served, e.g. `docker.volumedriver/1.0`
 * @activate: a plugin of a served type is enabled and answers on @socket_path
 * @deactivate: the plugin is being disabled
 * @get_holders: what holds the plugin now (volume names, ...); a plugin with
 *   holders is not disabled or removed without force
 * @activate_with_details: optional; as @activate, with what a driver may need
 *   to know of the plugin besides its socket (see
 *   berth_driver_activate_with_details())
 *
 * One driver type. A new driver type is one new module implementing this;
 * the engine never changes for it.
 */
struct _BerthDriverInterface
{
  GTypeInterface g_iface;

  const gchar *const *(*get_types) (BerthDriver *self);
  gboolean (*activate) (BerthDriver *self,
                        const gchar *plugin_id,
                        const gchar *plugin_name,
                        const gchar *socket_path,
                        GCancellable *cancellable,
                        GError **error);
  gboolean (*deactivate) (BerthDriver *self,
                          const gchar *plugin_id,
                          GCancellable *cancellable,
                          GError **error);
  GStrv (*get_holders) (BerthDriver *self, const gchar *plugin_id);
  gboolean (*activate_with_details) (BerthDriver *self,
                                     const gchar *plugin_id,
                                     const gchar *plugin_name,
                                     const gchar *socket_path,
                                     GVariant *details,
                                     GCancellable *cancellable,
                                     GError **error);

  /*< private >*/
  gpointer padding[15];
};

const gchar *const *berth_driver_get_types (BerthDriver *self);
gboolean berth_driver_serves (BerthDriver *self, const gchar *interface_type);
gboolean berth_driver_activate (BerthDriver *self,
                                const gchar *plugin_id,
                                const gchar *plugin_name,
                                const gchar *socket_path,
                                GCancellable *cancellable,
                                GError **error);
gboolean berth_driver_deactivate (BerthDriver *self,
                                  const gchar *plugin_id,
                                  GCancellable *cancellable,
                                  GError **error);
GStrv berth_driver_get_holders (BerthDriver *self, const gchar *plugin_id);

/* keys of the details given to berth_driver_activate_with_details() */
#define BERTH_DRIVER_DETAIL_PROPAGATED_MOUNT      "propagated-mount"
#define BERTH_DRIVER_DETAIL_PROPAGATED_MOUNT_HOST "propagated-mount-host"
#define BERTH_DRIVER_DETAIL_ROOTFS                "rootfs"

gboolean berth_driver_activate_with_details (BerthDriver *self,
                                             const gchar *plugin_id,
                                             const gchar *plugin_name,
                                             const gchar *socket_path,
                                             GVariant *details,
                                             GCancellable *cancellable,
                                             GError **error);

G_END_DECLS
