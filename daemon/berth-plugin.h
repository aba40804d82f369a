/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

G_BEGIN_DECLS

/**
 * BerthPluginState:
 * @BERTH_PLUGIN_STATE_DISABLED: not running, and not wanted running
 * @BERTH_PLUGIN_STATE_ENABLING: starting; waiting for its socket
 * @BERTH_PLUGIN_STATE_ENABLED: running and answering on its socket
 * @BERTH_PLUGIN_STATE_RESTARTING: wanted running; crashed, waiting to restart
 * @BERTH_PLUGIN_STATE_DISABLING: being stopped
 */
typedef enum
{
  BERTH_PLUGIN_STATE_DISABLED,
  BERTH_PLUGIN_STATE_ENABLING,
  BERTH_PLUGIN_STATE_ENABLED,
  BERTH_PLUGIN_STATE_RESTARTING,
  BERTH_PLUGIN_STATE_DISABLING,
} BerthPluginState;

const gchar *berth_plugin_state_to_string (BerthPluginState state);

#define BERTH_TYPE_PLUGIN (berth_plugin_get_type ())
G_DECLARE_FINAL_TYPE (BerthPlugin, berth_plugin, BERTH, PLUGIN, GObject)

BerthPlugin *berth_plugin_new (const gchar *id,
                               const gchar *name,
                               const gchar *reference,
                               BerthPluginConfig *config,
                               BerthPluginSettings *settings);
BerthPlugin *berth_plugin_load (const gchar *path, GError **error);
gboolean berth_plugin_save (BerthPlugin *self, const gchar *path, GError **error);

const gchar *berth_plugin_get_id (BerthPlugin *self);
const gchar *berth_plugin_get_name (BerthPlugin *self);
const gchar *berth_plugin_get_reference (BerthPlugin *self);
void berth_plugin_set_reference (BerthPlugin *self, const gchar *reference);
BerthPluginConfig *berth_plugin_get_config (BerthPlugin *self);
void berth_plugin_set_config (BerthPlugin *self, BerthPluginConfig *config);
BerthPluginSettings *berth_plugin_get_settings (BerthPlugin *self);
void berth_plugin_set_settings (BerthPlugin *self, BerthPluginSettings *settings);

/* content: the blobs it came from and the tree it runs from */
const gchar *berth_plugin_get_config_digest (BerthPlugin *self);
const gchar *berth_plugin_get_manifest_digest (BerthPlugin *self);
const gchar *const *berth_plugin_get_blobsums (BerthPlugin *self);
const gchar *berth_plugin_get_chain_id (BerthPlugin *self);
void berth_plugin_set_content (BerthPlugin *self,
                               const gchar *config_digest,
                               const gchar *manifest_digest,
                               const gchar *const *blobsums,
                               const gchar *chain_id);
GStrv berth_plugin_get_content_roots (BerthPlugin *self);

/* desired state, persisted; the live state is the engine's */
gboolean berth_plugin_get_enabled (BerthPlugin *self);
void berth_plugin_set_enabled (BerthPlugin *self, gboolean enabled);
BerthPluginState berth_plugin_get_state (BerthPlugin *self);
void berth_plugin_set_state (BerthPlugin *self, BerthPluginState state);
GPid berth_plugin_get_pid (BerthPlugin *self);
void berth_plugin_set_pid (BerthPlugin *self, GPid pid);

/* crashes and restarts, persisted so inspect tells them after a restart */
guint berth_plugin_get_restart_count (BerthPlugin *self);
void berth_plugin_set_restart_count (BerthPlugin *self, guint count);
const gchar *berth_plugin_get_last_exit (BerthPlugin *self);
void berth_plugin_set_last_exit (BerthPlugin *self, const gchar *description);
gint64 berth_plugin_get_created (BerthPlugin *self);

JsonNode *berth_plugin_to_inspect_json (BerthPlugin *self);
gboolean berth_plugin_has_capability (BerthPlugin *self, const gchar *capability);

G_END_DECLS
