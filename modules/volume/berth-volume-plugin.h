/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

G_BEGIN_DECLS

/**
 * BerthVolumeTimeouts:
 * @create_ms: `VolumeDriver.Create` (docker: 2 min)
 * @mount_ms: `VolumeDriver.Mount` (docker: 2 min)
 * @call_ms: every other call (docker: 1 min)
 * @retry_ms: how long a call retries to connect
 *
 * The deadlines of plugin calls, from `[volumes]` in berthd.conf.
 */
typedef struct
{
  guint create_ms;
  guint mount_ms;
  guint call_ms;
  guint retry_ms;
} BerthVolumeTimeouts;

/* one enabled volume plugin, as the volume module talks to it */
typedef struct
{
  gchar *id;
  gchar *name;
  gchar *propagated_mount;      /* nullable: inside the plugin */
  gchar *propagated_mount_host; /* nullable */
  gchar *rootfs;                /* nullable */
  gboolean mapped;              /* activated with details: it runs in its own root */
  gchar *scope;                 /* nullable until Capabilities answered */
  BerthPluginClient *client;
  gboolean unresponsive;
  guint64 serial; /* tells a reactivated plugin from the old one */
} BerthVolumePlugin;

BerthVolumePlugin *berth_volume_plugin_new (
  const gchar *id, const gchar *name, const gchar *socket_path, GVariant *details, guint retry_ms);
BerthVolumePlugin *berth_volume_plugin_ref (BerthVolumePlugin *self);
void berth_volume_plugin_unref (BerthVolumePlugin *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthVolumePlugin, berth_volume_plugin_unref)

JsonNode *berth_volume_plugin_empty_request (void);
JsonNode *berth_volume_plugin_request (const gchar *name, const gchar *mount_id, GHashTable *opts);
void berth_volume_plugin_call_async (BerthVolumePlugin *self,
                                     const gchar *method,
                                     JsonNode *request,
                                     guint timeout_ms,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
JsonNode *berth_volume_plugin_call_finish (GAsyncResult *result, GError **error);
gboolean berth_volume_plugin_call_answered (GAsyncResult *result);
gchar *berth_volume_plugin_host_path (BerthVolumePlugin *self, const gchar *path, GError **error);
const gchar *berth_volume_plugin_parse_scope (JsonNode *capabilities);

G_END_DECLS
