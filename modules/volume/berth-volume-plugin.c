/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthVolume"

#include "config.h"

#include <string.h>

#include "berth-volume-plugin.h"

static gchar *
detail_string (GVariant *details, const gchar *key)
{
  const gchar *value = NULL;

  if (details == NULL || !g_variant_lookup (details, key, "&s", &value) || value[0] == '\0')
    return NULL;
  return g_strdup (value);
}

/**
 * berth_volume_plugin_new:
 * @id: the plugin's ID
 * @name: the plugin's full name
 * @socket_path: the host path of its socket
 * @details: (nullable): what berth_driver_activate_with_details() got
 * @retry_ms: how long a call retries to connect
 *
 * Without details (a plugin run on the host, as in tests), paths the plugin
 * answers are host paths already; with details, a path is mapped through
 * them or refused.
 *
 * Returns: (transfer full): the plugin as the volume module sees it
 */
BerthVolumePlugin *
berth_volume_plugin_new (
  const gchar *id, const gchar *name, const gchar *socket_path, GVariant *details, guint retry_ms)
{
  static guint64 serial = 0;
  BerthVolumePlugin *self = g_atomic_rc_box_new0 (BerthVolumePlugin);
  g_autofree gchar *propagated = detail_string (details, BERTH_DRIVER_DETAIL_PROPAGATED_MOUNT);

  self->id = g_strdup (id);
  self->name = g_strdup (name != NULL ? name : id);
  if (propagated != NULL && g_path_is_absolute (propagated))
    self->propagated_mount = g_canonicalize_filename (propagated, "/");
  self->propagated_mount_host = detail_string (details, BERTH_DRIVER_DETAIL_PROPAGATED_MOUNT_HOST);
  self->rootfs = detail_string (details, BERTH_DRIVER_DETAIL_ROOTFS);
  self->mapped = details != NULL;
  self->client = berth_plugin_client_new (socket_path);
  berth_plugin_client_set_retry_budget (self->client, retry_ms);
  self->serial = ++serial;
  return self;
}

static void
plugin_clear (gpointer data)
{
  BerthVolumePlugin *self = data;

  g_free (self->id);
  g_free (self->name);
  g_free (self->propagated_mount);
  g_free (self->propagated_mount_host);
  g_free (self->rootfs);
  g_free (self->scope);
  g_clear_object (&self->client);
}

/**
 * berth_volume_plugin_ref:
 * @self: a #BerthVolumePlugin
 *
 * Returns: (transfer full): @self
 */
BerthVolumePlugin *
berth_volume_plugin_ref (BerthVolumePlugin *self)
{
  return g_atomic_rc_box_acquire (self);
}

/**
 * berth_volume_plugin_unref:
 * @self: a #BerthVolumePlugin
 */
void
berth_volume_plugin_unref (BerthVolumePlugin *self)
{
  g_atomic_rc_box_release_full (self, plugin_clear);
}

/**
 * berth_volume_plugin_request:
 * @name: the volume's name
 * @mount_id: (nullable): the mount ID, for Mount and Unmount
 * @opts: (nullable): the options, for Create (`null` when %NULL, as docker)
 *
 * Returns: (transfer full): `{"Name": …}` with `ID` or `Opts` as docker sends
 */
JsonNode *
berth_volume_plugin_request (const gchar *name, const gchar *mount_id, GHashTable *opts)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, name);
  if (mount_id != NULL)
    {
      json_builder_set_member_name (builder, "ID");
      json_builder_add_string_value (builder, mount_id);
    }
  if (opts != NULL || mount_id == NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      json_builder_set_member_name (builder, "Opts");
      if (opts == NULL || g_hash_table_size (opts) == 0)
        json_builder_add_null_value (builder);
      else
        {
          json_builder_begin_object (builder);
          g_hash_table_iter_init (&iter, opts);
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              json_builder_set_member_name (builder, key);
              json_builder_add_string_value (builder, value);
            }
          json_builder_end_object (builder);
        }
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/**
 * berth_volume_plugin_empty_request:
 *
 * Returns: (transfer full): `{}`, what docker sends to List and Capabilities
 */
JsonNode *
berth_volume_plugin_empty_request (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

static void
on_called (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthVolumePlugin *self = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint status = 0;
  JsonNode *node
    = berth_plugin_client_call_finish_full (BERTH_PLUGIN_CLIENT (source), result, &status, &error);

  /* a deadline missed marks the plugin unresponsive until it answers again */
  self->unresponsive = g_error_matches (error, BERTH_ERROR, BERTH_ERROR_TIMED_OUT);
  g_object_set_data (G_OBJECT (task), "answered", GUINT_TO_POINTER (status != 0));
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, node, (GDestroyNotify)json_node_unref);
}

/**
 * berth_volume_plugin_call_async:
 * @self: a #BerthVolumePlugin
 * @method: e.g. `VolumeDriver.Mount`
 * @request: (nullable): the request
 * @timeout_ms: the deadline
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * berth_plugin_client_call_async(), keeping track of whether the plugin
 * answers in time.
 */
void
berth_volume_plugin_call_async (BerthVolumePlugin *self,
                                const gchar *method,
                                JsonNode *request,
                                guint timeout_ms,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_task_data (task, berth_volume_plugin_ref (self),
                        (GDestroyNotify)berth_volume_plugin_unref);
  berth_plugin_client_call_async (self->client, method, request, timeout_ms, cancellable, on_called,
                                  task);
}

/**
 * berth_volume_plugin_call_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the answer, or %NULL
 */
JsonNode *
berth_volume_plugin_call_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * berth_volume_plugin_call_answered:
 * @result: the #GAsyncResult of berth_volume_plugin_call_async()
 *
 * Returns: %TRUE if the plugin answered the call (with success or an
 *   error of its own), %FALSE if the call failed on the way
 */
gboolean
berth_volume_plugin_call_answered (GAsyncResult *result)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (result), "answered")) != 0;
}

/**
 * berth_volume_plugin_host_path:
 * @self: a #BerthVolumePlugin
 * @path: a mountpoint the plugin answered, inside the plugin
 * @error: return location for a #GError
 *
 * Docker's `ScopedPath`: a path under the plugin's PropagatedMount maps to
 * the host side of the propagated mount, any other path into the plugin's
 * root file system. Unlike docker, the path is cleaned first and the prefix
 * compared by components, so `/mnt/volumes/../../etc` cannot leave the
 * plugin's directories (moby#53023) and `/mnt/volumesX` is not under
 * `/mnt/volumes`.
 *
 * Returns: (transfer full): the host path, or %NULL if @path is not absolute
 */
gchar *
berth_volume_plugin_host_path (BerthVolumePlugin *self, const gchar *path, GError **error)
{
  g_autofree gchar *clean = NULL;
  gsize prefix_len;

  if (path == NULL || !g_path_is_absolute (path))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                   "the plugin answered a mountpoint that is not an absolute path: \"%s\"",
                   path != NULL ? path : "");
      return NULL;
    }
  clean = g_canonicalize_filename (path, "/");
  if (self->propagated_mount != NULL && self->propagated_mount_host != NULL)
    {
      prefix_len = strlen (self->propagated_mount);
      if (g_str_equal (self->propagated_mount, "/"))
        return g_build_filename (self->propagated_mount_host, clean, NULL);
      if (strncmp (clean, self->propagated_mount, prefix_len) == 0
          && (clean[prefix_len] == '\0' || clean[prefix_len] == '/'))
        return g_build_filename (self->propagated_mount_host, clean + prefix_len, NULL);
    }
  if (self->rootfs != NULL)
    return g_build_filename (self->rootfs, clean, NULL);
  /* a plugin in its own root whose root berth was not told: its path means
   * nothing on the host, and must not be taken as a host path */
  if (self->mapped)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                   "the plugin answered a mountpoint outside its propagated mount: \"%s\"", path);
      return NULL;
    }
  return g_steal_pointer (&clean);
}

/**
 * berth_volume_plugin_parse_scope:
 * @capabilities: (nullable): the answer to `VolumeDriver.Capabilities`
 *
 * Docker's reading: lower-cased; empty or invalid is `local`.
 *
 * Returns: `local` or `global`
 */
const gchar *
berth_volume_plugin_parse_scope (JsonNode *capabilities)
{
  JsonObject *caps = NULL;
  JsonNode *member;
  const gchar *scope;

  if (capabilities == NULL || !JSON_NODE_HOLDS_OBJECT (capabilities))
    return "local";
  member = json_object_get_member (json_node_get_object (capabilities), "Capabilities");
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    caps = json_node_get_object (member);
  scope = caps != NULL ? berth_json_object_get_string (caps, "Scope") : NULL;
  if (scope != NULL && g_ascii_strcasecmp (scope, "global") == 0)
    return "global";
  if (scope != NULL && scope[0] != '\0' && g_ascii_strcasecmp (scope, "local") != 0)
    g_warning ("Volume driver returned an invalid scope: %s", scope);
  return "local";
}
