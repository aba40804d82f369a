/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

#include "berth-volume-plugin.h"

G_BEGIN_DECLS

#define BERTH_TYPE_VOLUME_DRIVER (berth_volume_driver_get_type ())
G_DECLARE_FINAL_TYPE (BerthVolumeDriver, berth_volume_driver, BERTH, VOLUME_DRIVER, GObject)

struct _BerthVolumeDriver
{
  GObject parent_instance;
  BerthPaths *paths;
  GKeyFile *config;
  gchar *dir;
  GHashTable *volumes; /* name → BerthVolume */
  GHashTable *plugins; /* id → BerthVolumePlugin: the enabled ones */
  GHashTable *busy;    /* names with a create or a remove in flight */
  BerthVolumeTimeouts timeouts;
  BerthVolumePluginLookupFunc lookup;
  gpointer lookup_data;
  GDestroyNotify lookup_notify;
};

/* one operation on one volume: the data of its GTask */
typedef struct
{
  BerthVolumeDriver *self;
  GAsyncReadyCallback callback;
  gpointer user_data;
  gchar *name;
  gchar *driver;
  GHashTable *opts;
  GHashTable *labels;
  gchar *mount_id;
  gboolean force;
  gboolean holds_busy;
  gboolean created; /* create: the plugin was asked to Create */
  JsonNode *answer; /* create: what Get said */
  BerthVolumePlugin *plugin;
  BerthVolume *volume;
  gchar *before; /* inspect: the volume as it was */
  /* prune */
  GPtrArray *candidates;
  guint next;
  GStrvBuilder *removed;
  guint64 reclaimed;
  guint64 candidate_size;
} BerthVolumeOp;

void berth_volume_op_free (BerthVolumeOp *op);
GTask *berth_volume_op_task (BerthVolumeDriver *self,
                             const gchar *name,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data,
                             gpointer tag);
void berth_volume_op_return_plugin_error (GTask *task, const gchar *verb, GError *error);
void berth_volume_op_no_such_volume (GTask *task, const gchar *name);

BerthVolumePlugin *berth_volume_driver_active_plugin (BerthVolumeDriver *self, BerthVolume *volume);
BerthVolumeState berth_volume_driver_state_of (BerthVolumeDriver *self, BerthVolume *volume);
void berth_volume_driver_emit (BerthVolumeDriver *self, const gchar *signal, BerthVolume *volume);
void berth_volume_driver_save (BerthVolumeDriver *self, BerthVolume *volume);
void berth_volume_driver_purge (BerthVolumeDriver *self, BerthVolume *volume);
void berth_volume_driver_apply_info (BerthVolumeDriver *self,
                                     BerthVolume *volume,
                                     BerthVolumePlugin *plugin,
                                     JsonObject *info);
JsonObject *berth_volume_answer_volume (JsonNode *answer);
GHashTable *berth_volume_copy_map (GHashTable *map);

void berth_volume_driver_create_async (BerthVolumeService *service,
                                       const gchar *name,
                                       const gchar *driver,
                                       GHashTable *options,
                                       GHashTable *labels,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
BerthVolume *berth_volume_driver_create_finish (BerthVolumeService *service,
                                                GAsyncResult *result,
                                                GError **error);
void berth_volume_driver_remove_async (BerthVolumeService *service,
                                       const gchar *name,
                                       gboolean force,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean berth_volume_driver_remove_finish (BerthVolumeService *service,
                                            GAsyncResult *result,
                                            GError **error);
void berth_volume_driver_mount_async (BerthVolumeService *service,
                                      const gchar *name,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
gchar *berth_volume_driver_mount_finish (BerthVolumeService *service,
                                         GAsyncResult *result,
                                         gchar **out_mount_id,
                                         GError **error);
void berth_volume_driver_unmount_async (BerthVolumeService *service,
                                        const gchar *name,
                                        const gchar *mount_id,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean berth_volume_driver_unmount_finish (BerthVolumeService *service,
                                             GAsyncResult *result,
                                             GError **error);

G_END_DECLS
