/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(BERTH_PLUGIN_INSIDE) && !defined(BERTH_PLUGIN_COMPILATION)
#error "Only <berth-plugin.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * BERTH_PLUGIN_SOCKET_DIR:
 *
 * Where Docker and berth look for a plugin's socket, inside the plugin.
 */
#define BERTH_PLUGIN_SOCKET_DIR "/run/docker/plugins"

/**
 * BERTH_PLUGIN_CONTENT_TYPE:
 *
 * The media type of every response.
 */
#define BERTH_PLUGIN_CONTENT_TYPE "application/vnd.docker.plugins.v1+json"

/**
 * BERTH_PLUGIN_DEFAULT_MAX_BODY:
 *
 * The default limit on a request body, in bytes.
 */
#define BERTH_PLUGIN_DEFAULT_MAX_BODY (1024 * 1024)

/**
 * BerthPluginHandlerFunc:
 * @method: the method called, such as `VolumeDriver.Mount` (the path without
 *   its slash)
 * @params: the request body; an empty object when the body was empty
 * @user_data: the data given to berth_plugin_server_add_handler()
 * @error: return location for the error whose message becomes `Err`
 *
 * Answers one call. It runs in a worker thread of the server, one call at a
 * time unless berth_plugin_server_set_concurrent() was called.
 *
 * Returns: (transfer full) (nullable): the response object, or %NULL with
 *   @error set
 */
typedef JsonObject *(*BerthPluginHandlerFunc) (const gchar *method,
                                               JsonObject *params,
                                               gpointer user_data,
                                               GError **error);

#define BERTH_PLUGIN_TYPE_SERVER (berth_plugin_server_get_type ())
G_DECLARE_FINAL_TYPE (BerthPluginServer, berth_plugin_server, BERTH_PLUGIN, SERVER, GObject)

BerthPluginServer *berth_plugin_server_new (void);

void berth_plugin_server_add_handler (BerthPluginServer *self,
                                      const gchar *method,
                                      BerthPluginHandlerFunc func,
                                      gpointer user_data,
                                      GDestroyNotify destroy);
void berth_plugin_server_add_implements (BerthPluginServer *self, const gchar *interface_name);
const gchar *const *berth_plugin_server_get_implements (BerthPluginServer *self);

void berth_plugin_server_set_max_body_size (BerthPluginServer *self, gsize max_body_size);
void berth_plugin_server_set_concurrent (BerthPluginServer *self, gboolean concurrent);
void berth_plugin_server_set_error_status (BerthPluginServer *self, guint status);

gchar *berth_plugin_socket_path (const gchar *name);

gboolean
berth_plugin_server_listen (BerthPluginServer *self, const gchar *socket_path, GError **error);
gboolean
berth_plugin_server_listen_socket (BerthPluginServer *self, GSocket *socket, GError **error);
const gchar *berth_plugin_server_get_socket_path (BerthPluginServer *self);

gboolean berth_plugin_server_run (BerthPluginServer *self, GError **error);
void berth_plugin_server_stop (BerthPluginServer *self);

G_END_DECLS
