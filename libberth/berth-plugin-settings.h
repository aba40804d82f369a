/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "berth-plugin-config.h"

G_BEGIN_DECLS

#define BERTH_TYPE_PLUGIN_SETTINGS (berth_plugin_settings_get_type ())
G_DECLARE_FINAL_TYPE (BerthPluginSettings, berth_plugin_settings, BERTH, PLUGIN_SETTINGS, GObject)

BerthPluginSettings *berth_plugin_settings_new (BerthPluginConfig *config);
BerthPluginSettings *berth_plugin_settings_new_from_json_node (JsonNode *node, GError **error);
BerthPluginSettings *berth_plugin_settings_new_for_upgrade (BerthPluginSettings *old_settings,
                                                            BerthPluginConfig *old_config,
                                                            BerthPluginConfig *new_config);
BerthPluginSettings *berth_plugin_settings_copy (BerthPluginSettings *self);

gboolean berth_plugin_settings_set (BerthPluginSettings *self,
                                    BerthPluginConfig *config,
                                    const gchar *const *args,
                                    GError **error);

JsonNode *berth_plugin_settings_to_json_node (BerthPluginSettings *self);

const gchar *const *berth_plugin_settings_get_env (BerthPluginSettings *self);
const gchar *const *berth_plugin_settings_get_args (BerthPluginSettings *self);
GPtrArray *berth_plugin_settings_get_mounts (BerthPluginSettings *self);
GPtrArray *berth_plugin_settings_get_devices (BerthPluginSettings *self);

G_END_DECLS
