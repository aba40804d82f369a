/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * BERTH_PLUGIN_CLIENT_MAX_RESPONSE_SIZE:
 *
 * The default cap on a plugin's response body: 1 MiB. A volume list of
 * 10,000 volumes with mountpoints fits; a runaway plugin does not fill
 * berthd's memory.
 */
#define BERTH_PLUGIN_CLIENT_MAX_RESPONSE_SIZE (1024 * 1024)

/**
 * BERTH_PLUGIN_CLIENT_DEFAULT_RETRY_BUDGET:
 *
 * How long, in milliseconds, a call keeps retrying to connect by default:
 * 5 s. Docker retries for 30 s (1, 2, 4, 8, 16 s), which is the 30 s hang of
 * `volume create` on a dead plugin (moby#23452). berth hands a plugin to its
 * drivers only once its socket accepted a connection, so a refused connection
 * means the plugin crashed and the engine is restarting it: a few seconds
 * cover that restart, and anything longer is better reported at once.
 */
#define BERTH_PLUGIN_CLIENT_DEFAULT_RETRY_BUDGET 5000

#define BERTH_TYPE_PLUGIN_CLIENT (berth_plugin_client_get_type ())
G_DECLARE_FINAL_TYPE (BerthPluginClient, berth_plugin_client, BERTH, PLUGIN_CLIENT, GObject)

BerthPluginClient *berth_plugin_client_new (const gchar *socket_path);
const gchar *berth_plugin_client_get_socket_path (BerthPluginClient *self);
void berth_plugin_client_set_retry_budget (BerthPluginClient *self, guint msec);
guint berth_plugin_client_get_retry_budget (BerthPluginClient *self);
void berth_plugin_client_set_max_response_size (BerthPluginClient *self, gsize size);

void berth_plugin_client_call_async (BerthPluginClient *self,
                                     const gchar *method,
                                     JsonNode *request,
                                     guint timeout_ms,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
JsonNode *
berth_plugin_client_call_finish (BerthPluginClient *self, GAsyncResult *result, GError **error);
JsonNode *berth_plugin_client_call_finish_full (BerthPluginClient *self,
                                                GAsyncResult *result,
                                                guint *out_status,
                                                GError **error);

G_END_DECLS
