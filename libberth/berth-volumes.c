/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include "berth-error.h"
#include "berth-volumes.h"

/**
 * BerthVolumeService:
 *
 * The volumes of berth: created, mounted and removed through their drivers
 * (the built-in `local` one, or a `docker.volumedriver/1.0` plugin), and
 * recorded so that they outlive berthd.
 */
G_DEFINE_INTERFACE (BerthVolumeService, berth_volume_service, G_TYPE_OBJECT)

static void
berth_volume_service_default_init (BerthVolumeServiceInterface *iface)
{
  /**
   * BerthVolumeService::volume-added:
   * @self: the service
   * @volume: the new #BerthVolume
   */
  g_signal_new ("volume-added", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 1, BERTH_TYPE_VOLUME);
  /**
   * BerthVolumeService::volume-removed:
   * @self: the service
   * @volume: the #BerthVolume that is gone
   */
  g_signal_new ("volume-removed", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 1, BERTH_TYPE_VOLUME);
  /**
   * BerthVolumeService::volume-changed:
   * @self: the service
   * @volume: the #BerthVolume: its mounts, state, status or mountpoint changed
   */
  g_signal_new ("volume-changed", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 1, BERTH_TYPE_VOLUME);
}

#define REPORT_MISSING(self, vfunc, callback, user_data, tag)                                      \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if (BERTH_VOLUME_SERVICE_GET_IFACE (self)->vfunc == NULL)                                      \
      {                                                                                            \
        g_task_report_new_error (self, callback, user_data, tag, BERTH_ERROR,                      \
                                 BERTH_ERROR_NOT_SUPPORTED, "%s does not implement %s",            \
                                 G_OBJECT_TYPE_NAME (self), #vfunc);                               \
        return;                                                                                    \
      }                                                                                            \
  }                                                                                                \
  G_STMT_END

/**
 * berth_volume_service_set_plugin_lookup:
 * @self: a #BerthVolumeService
 * @func: (scope notified): how to find a plugin by name or ID prefix
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data
 *
 * The engine's plugin lookup. Without one, the service finds only the
 * plugins its driver was activated with, by full name or ID prefix.
 */
void
berth_volume_service_set_plugin_lookup (BerthVolumeService *self,
                                        BerthVolumePluginLookupFunc func,
                                        gpointer user_data,
                                        GDestroyNotify notify)
{
  g_return_if_fail (BERTH_IS_VOLUME_SERVICE (self));
  if (BERTH_VOLUME_SERVICE_GET_IFACE (self)->set_plugin_lookup != NULL)
    BERTH_VOLUME_SERVICE_GET_IFACE (self)->set_plugin_lookup (self, func, user_data, notify);
  else if (notify != NULL)
    notify (user_data);
}

/**
 * berth_volume_service_create_async:
 * @self: a #BerthVolumeService
 * @name: (nullable): the volume's name; %NULL or empty for a generated
 *   64-hex name (the volume is then anonymous, as docker's)
 * @driver: (nullable): `local` (the default), or a plugin by name or ID prefix
 * @options: (nullable): driver options, passed to the plugin verbatim
 * @labels: (nullable): labels
 *
 * Creates a volume, or returns the one of that name if its driver is the
 * same (docker's idempotent create).
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
berth_volume_service_create_async (BerthVolumeService *self,
                                   const gchar *name,
                                   const gchar *driver,
                                   GHashTable *options,
                                   GHashTable *labels,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_return_if_fail (BERTH_IS_VOLUME_SERVICE (self));
  REPORT_MISSING (self, create_async, callback, user_data, berth_volume_service_create_async);
  BERTH_VOLUME_SERVICE_GET_IFACE (self)->create_async (self, name, driver, options, labels,
                                                       cancellable, callback, user_data);
}

/**
 * berth_volume_service_create_finish:
 * @self: a #BerthVolumeService
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the volume, or %NULL
 */
BerthVolume *
berth_volume_service_create_finish (BerthVolumeService *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (BERTH_IS_VOLUME_SERVICE (self), NULL);
  if (g_async_result_is_tagged (result, berth_volume_service_create_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  return BERTH_VOLUME_SERVICE_GET_IFACE (self)->create_finish (self, result, error);
}

/**
 * berth_volume_service_remove_async:
 * @self: a #BerthVolumeService
 * @name: the volume's name
 * @force: remove the record even if the driver fails or cannot be
 *   reached, and do not fail on a missing volume (docker's force purge)
 *
 * Removes a volume. A mounted volume is never removed.
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
berth_volume_service_remove_async (BerthVolumeService *self,
                                   const gchar *name,
                                   gboolean force,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_return_if_fail (BERTH_IS_VOLUME_SERVICE (self));
  REPORT_MISSING (self, remove_async, callback, user_data, berth_volume_service_remove_async);
  BERTH_VOLUME_SERVICE_GET_IFACE (self)->remove_async (self, name, force, cancellable, callback,
                                                       user_data);
}

/**
 * berth_volume_service_remove_finish:
 * @self: a #BerthVolumeService
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the volume is gone
 */
gboolean
berth_volume_service_remove_finish (BerthVolumeService *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (BERTH_IS_VOLUME_SERVICE (self), FALSE);
  if (g_async_result_is_tagged (result, berth_volume_service_remove_async))
    return g_task_propagate_boolean (G_TASK (result), error);
  return BERTH_VOLUME_SERVICE_GET_IFACE (self)->remove_finish (self, result, error);
}

/**
 * berth_volume_service_inspect_async:
 * @self: a #BerthVolumeService
 * @name: the volume's name
 *
 * The volume, with what its plugin says now (`VolumeDriver.Get`: status,
 * mountpoint); the record alone when the plugin is disabled or fails.
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
berth_volume_service_inspect_async (BerthVolumeService *self,
                                    const gchar *name,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_return_if_fail (BERTH_IS_VOLUME_SERVICE (self));
  REPORT_MISSING (self, inspect_async, callback, user_data, berth_volume_service_inspect_async);
  BERTH_VOLUME_SERVICE_GET_IFACE (self)->inspect_async (self, name, cancellable, callback,
                                                        user_data);
}

/**
 * berth_volume_service_inspect_finish:
 * @self: a #BerthVolumeService
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the volume, or %NULL
 */
BerthVolume *
berth_volume_service_inspect_finish (BerthVolumeService *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (BERTH_IS_VOLUME_SERVICE (self), NULL);
  if (g_async_result_is_tagged (result, berth_volume_service_inspect_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  return BERTH_VOLUME_SERVICE_GET_IFACE (self)->inspect_finish (self, result, error);
}

/**
 * berth_volume_service_mount_async:
 * @self: a #BerthVolumeService
 * @name: the volume's name
 *
 * Mounts the volume under a new random 64-hex mount ID, recorded until
 * berth_volume_service_unmount_async() releases it.
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
berth_volume_service_mount_async (BerthVolumeService *self,
                                  const gchar *name,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_return_if_fail (BERTH_IS_VOLUME_SERVICE (self));
  REPORT_MISSING (self, mount_async, callback, user_data, berth_volume_service_mount_async);
  BERTH_VOLUME_SERVICE_GET_IFACE (self)->mount_async (self, name, cancellable, callback, user_data);
}

/**
 * berth_volume_service_mount_finish:
 * @self: a #BerthVolumeService
 * @result: the #GAsyncResult
 * @out_mount_id: (out) (optional) (transfer full): the new mount ID
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the host path of the volume's data, or %NULL
 */
gchar *
berth_volume_service_mount_finish (BerthVolumeService *self,
                                   GAsyncResult *result,
                                   gchar **out_mount_id,
                                   GError **error)
{
  g_return_val_if_fail (BERTH_IS_VOLUME_SERVICE (self), NULL);
  if (g_async_result_is_tagged (result, berth_volume_service_mount_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  return BERTH_VOLUME_SERVICE_GET_IFACE (self)->mount_finish (self, result, out_mount_id, error);
}

/**
 * berth_volume_service_unmount_async:
 * @self: a #BerthVolumeService
 * @name: the volume's name
 * @mount_id: what berth_volume_service_mount_finish() gave
 *
 * Releases one mount of the volume.
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
berth_volume_service_unmount_async (BerthVolumeService *self,
                                    const gchar *name,
                                    const gchar *mount_id,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_return_if_fail (BERTH_IS_VOLUME_SERVICE (self));
  REPORT_MISSING (self, unmount_async, callback, user_data, berth_volume_service_unmount_async);
  BERTH_VOLUME_SERVICE_GET_IFACE (self)->unmount_async (self, name, mount_id, cancellable, callback,
                                                        user_data);
}

/**
 * berth_volume_service_unmount_finish:
 * @self: a #BerthVolumeService
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the mount was released
 */
gboolean
berth_volume_service_unmount_finish (BerthVolumeService *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (BERTH_IS_VOLUME_SERVICE (self), FALSE);
  if (g_async_result_is_tagged (result, berth_volume_service_unmount_async))
    return g_task_propagate_boolean (G_TASK (result), error);
  return BERTH_VOLUME_SERVICE_GET_IFACE (self)->unmount_finish (self, result, error);
}

/**
 * berth_volume_service_prune_async:
 * @self: a #BerthVolumeService
 * @filters: (nullable) (array zero-terminated=1): `label=KEY`,
 *   `label=KEY=VALUE`, `label!=KEY`, `label!=KEY=VALUE`, `all=true`
 *
 * Removes the volumes that no mount holds and that match @filters; only
 * anonymous ones unless `all=true` (docker since API 1.42).
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
berth_volume_service_prune_async (BerthVolumeService *self,
                                  const gchar *const *filters,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_return_if_fail (BERTH_IS_VOLUME_SERVICE (self));
  REPORT_MISSING (self, prune_async, callback, user_data, berth_volume_service_prune_async);
  BERTH_VOLUME_SERVICE_GET_IFACE (self)->prune_async (self, filters, cancellable, callback,
                                                      user_data);
}

/**
 * berth_volume_service_prune_finish:
 * @self: a #BerthVolumeService
 * @result: the #GAsyncResult
 * @out_space_reclaimed: (out) (optional): bytes freed (local volumes)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the names of the volumes removed, or %NULL
 */
GStrv
berth_volume_service_prune_finish (BerthVolumeService *self,
                                   GAsyncResult *result,
                                   guint64 *out_space_reclaimed,
                                   GError **error)
{
  g_return_val_if_fail (BERTH_IS_VOLUME_SERVICE (self), NULL);
  if (g_async_result_is_tagged (result, berth_volume_service_prune_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  return BERTH_VOLUME_SERVICE_GET_IFACE (self)->prune_finish (self, result, out_space_reclaimed,
                                                              error);
}

/**
 * berth_volume_service_list:
 * @self: a #BerthVolumeService
 *
 * Every volume from the records, each with its driver's state; answers at
 * once, whatever the plugins do.
 *
 * Returns: (transfer container) (element-type BerthVolume): the volumes
 */
GPtrArray *
berth_volume_service_list (BerthVolumeService *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME_SERVICE (self), NULL);
  if (BERTH_VOLUME_SERVICE_GET_IFACE (self)->list == NULL)
    return g_ptr_array_new_with_free_func (g_object_unref);
  return BERTH_VOLUME_SERVICE_GET_IFACE (self)->list (self);
}

/**
 * berth_volume_service_lookup:
 * @self: a #BerthVolumeService
 * @name: a volume's name
 *
 * Returns: (transfer full) (nullable): the volume's record, at once
 */
BerthVolume *
berth_volume_service_lookup (BerthVolumeService *self, const gchar *name)
{
  g_return_val_if_fail (BERTH_IS_VOLUME_SERVICE (self), NULL);
  if (BERTH_VOLUME_SERVICE_GET_IFACE (self)->lookup == NULL)
    return NULL;
  return BERTH_VOLUME_SERVICE_GET_IFACE (self)->lookup (self, name);
}
