/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "berth-plugin.h"

/**
 * berth_plugin_volume_new:
 * @name: the volume name
 * @mountpoint: (nullable): its mountpoint inside the plugin
 *
 * Creates a volume description for `Get` and `List` answers.
 *
 * Returns: (transfer full): a new #BerthPluginVolume
 */
BerthPluginVolume *
berth_plugin_volume_new (const gchar *name, const gchar *mountpoint)
{
  BerthPluginVolume *volume;

  g_return_val_if_fail (name != NULL, NULL);
  volume = g_new0 (BerthPluginVolume, 1);
  volume->name = g_strdup (name);
  volume->mountpoint = g_strdup (mountpoint);
  return volume;
}

/**
 * berth_plugin_volume_copy:
 * @volume: a #BerthPluginVolume
 *
 * Copies @volume; the status object is shared.
 *
 * Returns: (transfer full): a copy
 */
BerthPluginVolume *
berth_plugin_volume_copy (const BerthPluginVolume *volume)
{
  BerthPluginVolume *copy;

  g_return_val_if_fail (volume != NULL, NULL);
  copy = berth_plugin_volume_new (volume->name, volume->mountpoint);
  copy->created_at = g_strdup (volume->created_at);
  if (volume->status != NULL)
    copy->status = json_object_ref (volume->status);
  return copy;
}

/**
 * berth_plugin_volume_free:
 * @volume: (nullable): a #BerthPluginVolume
 *
 * Frees @volume.
 */
void
berth_plugin_volume_free (BerthPluginVolume *volume)
{
  if (volume == NULL)
    return;
  g_free (volume->name);
  g_free (volume->mountpoint);
  g_free (volume->created_at);
  g_clear_pointer (&volume->status, json_object_unref);
  g_free (volume);
}

G_DEFINE_BOXED_TYPE (BerthPluginVolume,
                     berth_plugin_volume,
                     berth_plugin_volume_copy,
                     berth_plugin_volume_free)

typedef struct
{
  BerthPluginVolumeDriverFuncs funcs;
  gpointer user_data;
  GDestroyNotify destroy;
} Driver;

static void
driver_clear (Driver *driver)
{
  if (driver->destroy != NULL)
    driver->destroy (driver->user_data);
}

static void
driver_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, (GDestroyNotify)driver_clear);
}

/* Docker decodes with Go's encoding/json, which matches keys without regard
 * to case; do the same for requests from other clients */
static JsonNode *
member_ci (JsonObject *object, const gchar *key)
{
  JsonNode *node = json_object_get_member (object, key);
  g_autoptr(GList) members = NULL;

  if (node != NULL)
    return node;
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      if (g_ascii_strcasecmp (l->data, key) == 0)
        return json_object_get_member (object, l->data);
    }
  return NULL;
}

static gboolean
get_string (JsonObject *params, const gchar *key, const gchar **out, GError **error)
{
  JsonNode *node = member_ci (params, key);

  *out = "";
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                   "%s must be a string", key);
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_name (JsonObject *params, const gchar **name, GError **error)
{
  if (!get_string (params, "Name", name, error))
    return FALSE;
  if (**name == '\0')
    {
      g_set_error_literal (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                           "missing volume name");
      return FALSE;
    }
  return TRUE;
}

static GHashTable *
get_opts (JsonObject *params, GError **error)
{
  JsonNode *node = member_ci (params, "Opts");
  g_autoptr(GHashTable) opts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_steal_pointer (&opts);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                           "Opts must be an object");
      return NULL;
    }
  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (object, l->data);

      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        {
          g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                       "option %s must be a string", (const gchar *)l->data);
          return NULL;
        }
      g_hash_table_replace (opts, g_strdup (l->data), g_strdup (json_node_get_string (value)));
    }
  return g_steal_pointer (&opts);
}

/* the success answer of every VolumeDriver call carries an empty Err */
static JsonObject *
ok_response (void)
{
  JsonObject *response = json_object_new ();

  json_object_set_string_member (response, "Err", "");
  return response;
}

static JsonObject *
volume_to_json (const BerthPluginVolume *volume)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "Name", volume->name);
  if (volume->mountpoint != NULL && volume->mountpoint[0] != '\0')
    json_object_set_string_member (object, "Mountpoint", volume->mountpoint);
  if (volume->created_at != NULL && volume->created_at[0] != '\0')
    json_object_set_string_member (object, "CreatedAt", volume->created_at);
  if (volume->status != NULL)
    json_object_set_object_member (object, "Status", json_object_ref (volume->status));
  return object;
}

static JsonObject *
handle_create (const gchar *method, JsonObject *params, gpointer user_data, GError **error)
{
  Driver *driver = user_data;
  g_autoptr(GHashTable) opts = NULL;
  const gchar *name;

  if (!get_name (params, &name, error))
    return NULL;
  opts = get_opts (params, error);
  if (opts == NULL)
    return NULL;
  if (!driver->funcs.create (driver->user_data, name, opts, error))
    return NULL;
  return ok_response ();
}

static JsonObject *
handle_remove (const gchar *method, JsonObject *params, gpointer user_data, GError **error)
{
  Driver *driver = user_data;
  const gchar *name;

  if (!get_name (params, &name, error))
    return NULL;
  if (!driver->funcs.remove (driver->user_data, name, error))
    return NULL;
  return ok_response ();
}

static JsonObject *
mountpoint_response (gchar *mountpoint, GError **error)
{
  g_autofree gchar *owned = mountpoint;
  JsonObject *response;

  if (owned == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error_literal (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_FAILED,
                             "the driver returned no mountpoint");
      return NULL;
    }
  response = ok_response ();
  json_object_set_string_member (response, "Mountpoint", owned);
  return response;
}

static JsonObject *
handle_mount (const gchar *method, JsonObject *params, gpointer user_data, GError **error)
{
  Driver *driver = user_data;
  const gchar *name;
  const gchar *id;

  if (!get_name (params, &name, error) || !get_string (params, "ID", &id, error))
    return NULL;
  return mountpoint_response (driver->funcs.mount (driver->user_data, name, id, error), error);
}

static JsonObject *
handle_unmount (const gchar *method, JsonObject *params, gpointer user_data, GError **error)
{
  Driver *driver = user_data;
  const gchar *name;
  const gchar *id;

  if (!get_name (params, &name, error) || !get_string (params, "ID", &id, error))
    return NULL;
  if (!driver->funcs.unmount (driver->user_data, name, id, error))
    return NULL;
  return ok_response ();
}

static JsonObject *
handle_path (const gchar *method, JsonObject *params, gpointer user_data, GError **error)
{
  Driver *driver = user_data;
  const gchar *name;

  if (!get_name (params, &name, error))
    return NULL;
  return mountpoint_response (driver->funcs.path (driver->user_data, name, error), error);
}

static JsonObject *
handle_get (const gchar *method, JsonObject *params, gpointer user_data, GError **error)
{
  Driver *driver = user_data;
  g_autoptr(BerthPluginVolume) volume = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *response;
  const gchar *name;

  if (!get_name (params, &name, error))
    return NULL;
  volume = driver->funcs.get (driver->user_data, name, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  response = ok_response ();
  if (volume != NULL)
    json_object_set_object_member (response, "Volume", volume_to_json (volume));
  else
    json_object_set_null_member (response, "Volume");
  return response;
}

static JsonObject *
handle_list (const gchar *method, JsonObject *params, gpointer user_data, GError **error)
{
  Driver *driver = user_data;
  g_autoptr(GPtrArray) volumes = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonArray *array;
  JsonObject *response;

  volumes = driver->funcs.list (driver->user_data, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (volumes == NULL)
    volumes = g_ptr_array_new ();
  array = json_array_sized_new (volumes->len);
  for (guint i = 0; i < volumes->len; i++)
    json_array_add_object_element (array, volume_to_json (g_ptr_array_index (volumes, i)));
  response = ok_response ();
  json_object_set_array_member (response, "Volumes", array);
  return response;
}

static JsonObject *
handle_capabilities (const gchar *method, JsonObject *params, gpointer user_data, GError **error)
{
  Driver *driver = user_data;
  BerthPluginVolumeScope scope = BERTH_PLUGIN_VOLUME_SCOPE_LOCAL;
  JsonObject *capabilities = json_object_new ();
  JsonObject *response;

  if (driver->funcs.capabilities != NULL)
    scope = driver->funcs.capabilities (driver->user_data);
  json_object_set_string_member (capabilities, "Scope",
                                 scope == BERTH_PLUGIN_VOLUME_SCOPE_GLOBAL ? "global" : "local");
  response = ok_response ();
  json_object_set_object_member (response, "Capabilities", capabilities);
  return response;
}

static void
add_method (BerthPluginServer *self,
            Driver *driver,
            const gchar *method,
            BerthPluginHandlerFunc func)
{
  berth_plugin_server_add_handler (self, method, func, g_atomic_rc_box_acquire (driver),
                                   driver_unref);
}

/**
 * berth_plugin_server_add_volume_driver:
 * @self: a #BerthPluginServer
 * @funcs: the volume logic; copied
 * @user_data: data for every function of @funcs
 * @destroy: (nullable): frees @user_data when the server is gone
 *
 * Serves `docker.volumedriver/1.0` (`/VolumeDriver.*`) with @funcs and adds
 * `VolumeDriver` to the `Plugin.Activate` answer.
 */
void
berth_plugin_server_add_volume_driver (BerthPluginServer *self,
                                       const BerthPluginVolumeDriverFuncs *funcs,
                                       gpointer user_data,
                                       GDestroyNotify destroy)
{
  Driver *driver;

  g_return_if_fail (BERTH_PLUGIN_IS_SERVER (self));
  g_return_if_fail (funcs != NULL);

  driver = g_atomic_rc_box_new0 (Driver);
  driver->funcs = *funcs;
  driver->user_data = user_data;
  driver->destroy = destroy;

  if (funcs->create != NULL)
    add_method (self, driver, "VolumeDriver.Create", handle_create);
  if (funcs->remove != NULL)
    add_method (self, driver, "VolumeDriver.Remove", handle_remove);
  if (funcs->mount != NULL)
    add_method (self, driver, "VolumeDriver.Mount", handle_mount);
  if (funcs->unmount != NULL)
    add_method (self, driver, "VolumeDriver.Unmount", handle_unmount);
  if (funcs->path != NULL)
    add_method (self, driver, "VolumeDriver.Path", handle_path);
  if (funcs->get != NULL)
    add_method (self, driver, "VolumeDriver.Get", handle_get);
  if (funcs->list != NULL)
    add_method (self, driver, "VolumeDriver.List", handle_list);
  add_method (self, driver, "VolumeDriver.Capabilities", handle_capabilities);
  berth_plugin_server_add_implements (self, "VolumeDriver");
  driver_unref (driver);
}
