/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "berth-volume.h"

G_BEGIN_DECLS

/**
 * BerthVolumePluginLookupFunc:
 * @name_or_id: the driver as the user gave it (`vieux/sshfs`, a full name,
 *   an ID or an ID prefix)
 * @out_id: (out) (transfer full): the plugin's full ID
 * @out_name: (out) (transfer full): the plugin's full name, e.g. `vieux/sshfs:latest`
 * @out_enabled: (out): whether the plugin is enabled
 * @user_data: the data given with the function
 * @error: return location for a #GError
 *
 * How the volume service finds a plugin: the engine's name resolution
 * (reference §2.2.0). Fails with %BERTH_ERROR_NOT_FOUND `plugin "foo" not
 * found`, or %BERTH_ERROR_INVALID_ARGUMENT `multiple plugins found for "ab"`.
 *
 * Returns: %TRUE if a plugin matched
 */
typedef gboolean (*BerthVolumePluginLookupFunc) (const gchar *name_or_id,
                                                 gchar **out_id,
                                                 gchar **out_name,
                                                 gboolean *out_enabled,
                                                 gpointer user_data,
                                                 GError **error);

#define BERTH_TYPE_VOLUME_SERVICE (berth_volume_service_get_type ())
G_DECLARE_INTERFACE (BerthVolumeService, berth_volume_service, BERTH, VOLUME_SERVICE, GObject)

/**
 * BerthVolumeServiceInterface:
 * @set_plugin_lookup: how the service finds plugins by name or ID prefix
 * @create_async: creates a volume (docker's `volume create`)
 * @create_finish: its result: the volume
 * @remove_async: removes a volume (`volume rm [-f]`)
 * @remove_finish: its result
 * @inspect_async: a volume, refreshed from its driver (`volume inspect`)
 * @inspect_finish: its result: the volume
 * @list: every volume, from the records, at once (`volume ls`)
 * @lookup: one volume from the records, at once
 * @mount_async: mounts a volume under a new mount ID
 * @mount_finish: its result: the host path and the mount ID
 * @unmount_async: releases one mount
 * @unmount_finish: its result
 * @prune_async: removes unused volumes (`volume prune`)
 * @prune_finish: its result: the names removed and the bytes reclaimed
 *
 * Volumes, as the engine, the D-Bus adaptor and `berth run` use them. The
 * volume module's driver object implements it beside #BerthDriver.
 *
 * Signals: `volume-added`, `volume-removed` and `volume-changed`, each with
 * the #BerthVolume, emitted on the main context the service runs on.
 */
struct _BerthVolumeServiceInterface
{
  GTypeInterface g_iface;

  void (*set_plugin_lookup) (BerthVolumeService *self,
                             BerthVolumePluginLookupFunc func,
                             gpointer user_data,
                             GDestroyNotify notify);
  void (*create_async) (BerthVolumeService *self,
                        const gchar *name,
                        const gchar *driver,
                        GHashTable *options,
                        GHashTable *labels,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data);
  BerthVolume *(*create_finish) (BerthVolumeService *self, GAsyncResult *result, GError **error);
  void (*remove_async) (BerthVolumeService *self,
                        const gchar *name,
                        gboolean force,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data);
  gboolean (*remove_finish) (BerthVolumeService *self, GAsyncResult *result, GError **error);
  void (*inspect_async) (BerthVolumeService *self,
                         const gchar *name,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data);
  BerthVolume *(*inspect_finish) (BerthVolumeService *self, GAsyncResult *result, GError **error);
  GPtrArray *(*list) (BerthVolumeService *self);
  BerthVolume *(*lookup) (BerthVolumeService *self, const gchar *name);
  void (*mount_async) (BerthVolumeService *self,
                       const gchar *name,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data);
  gchar *(*mount_finish) (BerthVolumeService *self,
                          GAsyncResult *result,
                          gchar **out_mount_id,
                          GError **error);
  void (*unmount_async) (BerthVolumeService *self,
                         const gchar *name,
                         const gchar *mount_id,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data);
  gboolean (*unmount_finish) (BerthVolumeService *self, GAsyncResult *result, GError **error);
  void (*prune_async) (BerthVolumeService *self,
                       const gchar *const *filters,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data);
  GStrv (*prune_finish) (BerthVolumeService *self,
                         GAsyncResult *result,
                         guint64 *out_space_reclaimed,
                         GError **error);

  /*< private >*/
  gpointer padding[16];
};

void berth_volume_service_set_plugin_lookup (BerthVolumeService *self,
                                             BerthVolumePluginLookupFunc func,
                                             gpointer user_data,
                                             GDestroyNotify notify);
void berth_volume_service_create_async (BerthVolumeService *self,
                                        const gchar *name,
                                        const gchar *driver,
                                        GHashTable *options,
                                        GHashTable *labels,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
BerthVolume *
berth_volume_service_create_finish (BerthVolumeService *self, GAsyncResult *result, GError **error);
void berth_volume_service_remove_async (BerthVolumeService *self,
                                        const gchar *name,
                                        gboolean force,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean
berth_volume_service_remove_finish (BerthVolumeService *self, GAsyncResult *result, GError **error);
void berth_volume_service_inspect_async (BerthVolumeService *self,
                                         const gchar *name,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
BerthVolume *berth_volume_service_inspect_finish (BerthVolumeService *self,
                                                  GAsyncResult *result,
                                                  GError **error);
GPtrArray *berth_volume_service_list (BerthVolumeService *self);
BerthVolume *berth_volume_service_lookup (BerthVolumeService *self, const gchar *name);
void berth_volume_service_mount_async (BerthVolumeService *self,
                                       const gchar *name,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
gchar *berth_volume_service_mount_finish (BerthVolumeService *self,
                                          GAsyncResult *result,
                                          gchar **out_mount_id,
                                          GError **error);
void berth_volume_service_unmount_async (BerthVolumeService *self,
                                         const gchar *name,
                                         const gchar *mount_id,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean berth_volume_service_unmount_finish (BerthVolumeService *self,
                                              GAsyncResult *result,
                                              GError **error);
void berth_volume_service_prune_async (BerthVolumeService *self,
                                       const gchar *const *filters,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
GStrv berth_volume_service_prune_finish (BerthVolumeService *self,
                                         GAsyncResult *result,
                                         guint64 *out_space_reclaimed,
                                         GError **error);

G_END_DECLS
