/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthVolume"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "berth-volume-driver.h"
#include "berth-volume-plugin.h"
#include "berth-volume-store.h"

/* the operations of BerthVolumeDriver (berth-volume-module.c) that the
 * volumes go through: create, remove, mount, unmount, inspect, prune */
/* ---- state ---------------------------------------------------------------- */

/* the enabled plugin serving @volume, %NULL if none */
BerthVolumePlugin *
berth_volume_driver_active_plugin (BerthVolumeDriver *self, BerthVolume *volume)
{
  const gchar *id = berth_volume_get_plugin_id (volume);
  return id != NULL ? g_hash_table_lookup (self->plugins, id) : NULL;
}

/* the state `volume ls` shows for @volume */
BerthVolumeState
berth_volume_driver_state_of (BerthVolumeDriver *self, BerthVolume *volume)
{
  BerthVolumePlugin *plugin;

  if (berth_volume_is_local (volume))
    return BERTH_VOLUME_STATE_READY;
  plugin = berth_volume_driver_active_plugin (self, volume);
  if (plugin == NULL)
    return BERTH_VOLUME_STATE_DISABLED;
  return plugin->unresponsive ? BERTH_VOLUME_STATE_UNRESPONSIVE : BERTH_VOLUME_STATE_READY;
}

/* emits one of the service's signals, with the state brought up to date */
void
berth_volume_driver_emit (BerthVolumeDriver *self, const gchar *signal, BerthVolume *volume)
{
  berth_volume_set_state (volume, berth_volume_driver_state_of (self, volume));
  g_signal_emit_by_name (self, signal, volume);
}

/* writes the record; a failure is the operator's to see, not the caller's */
void
berth_volume_driver_save (BerthVolumeDriver *self, BerthVolume *volume)
{
  g_autoptr(GError) error = NULL;
  if (!berth_volume_store_save (self->dir, volume, &error))
    g_warning ("%s", error->message);
}

/* the record goes, whatever the driver said: docker's purge */
void
berth_volume_driver_purge (BerthVolumeDriver *self, BerthVolume *volume)
{
  g_autoptr(BerthVolume) ref = g_object_ref (volume);
  g_autoptr(GError) error = NULL;

  if (!berth_volume_store_delete (self->dir, berth_volume_get_name (volume), &error))
    g_warning ("volume %s: %s", berth_volume_get_name (volume), error->message);
  g_hash_table_remove (self->volumes, berth_volume_get_name (volume));
  berth_volume_driver_emit (self, "volume-removed", ref);
}

/* ---- finding plugins ------------------------------------------------------ */

/* without the engine's lookup: the enabled plugins, by full name, by name
 * without its `:latest`, or by a unique ID prefix */
static gboolean
lookup_active (BerthVolumeDriver *self,
               const gchar *driver,
               gchar **out_id,
               gchar **out_name,
               gboolean *out_enabled,
               GError **error)
{
  g_autofree gchar *tagged = g_strconcat (driver, ":latest", NULL);
  BerthVolumePlugin *match = NULL;
  guint prefix_matches = 0;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->plugins);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BerthVolumePlugin *plugin = value;
      if (g_str_equal (plugin->name, driver) || g_str_equal (plugin->name, tagged))
        {
          match = plugin;
          prefix_matches = 1;
          break;
        }
      if (g_str_has_prefix (plugin->id, driver))
        {
          match = plugin;
          prefix_matches++;
        }
    }
  if (prefix_matches > 1)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "multiple plugins found for \"%s\"", driver);
      return FALSE;
    }
  if (match == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "plugin \"%s\" not found", driver);
      return FALSE;
    }
  *out_id = g_strdup (match->id);
  *out_name = g_strdup (match->name);
  *out_enabled = TRUE;
  return TRUE;
}

/* the plugin @driver names, enabled and serving volumes; errors as
 * docker's: `error looking up volume plugin foo: plugin "foo" not found` */
static BerthVolumePlugin *
find_plugin (BerthVolumeDriver *self, const gchar *driver, GError **error)
{
  g_autofree gchar *id = NULL;
  g_autofree gchar *name = NULL;
  gboolean enabled = FALSE;
  gboolean found;
  BerthVolumePlugin *plugin;

  if (self->lookup != NULL)
    found = self->lookup (driver, &id, &name, &enabled, self->lookup_data, error);
  else
    found = lookup_active (self, driver, &id, &name, &enabled, error);
  if (!found)
    {
      g_prefix_error (error, "error looking up volume plugin %s: ", driver);
      return NULL;
    }
  plugin = g_hash_table_lookup (self->plugins, id);
  if (!enabled)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_ENABLED,
                   "error looking up volume plugin %s: plugin %s found but disabled", driver,
                   driver);
      return NULL;
    }
  if (plugin == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                   "error looking up volume plugin %s: plugin %s does not provide the "
                   "docker.volumedriver/1.0 interface",
                   driver, name);
      return NULL;
    }
  return plugin;
}

static gboolean
volume_plugin_or_error (BerthVolumeDriver *self,
                        BerthVolume *volume,
                        const gchar *op,
                        BerthVolumePlugin **out,
                        GError **error)
{
  *out = berth_volume_driver_active_plugin (self, volume);
  if (*out != NULL)
    return TRUE;
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_ENABLED,
               "%s %s: error looking up volume plugin %s: plugin %s found but disabled", op,
               berth_volume_get_name (volume), berth_volume_get_driver (volume),
               berth_volume_get_driver (volume));
  return FALSE;
}

/* ---- one operation -------------------------------------------------------- */

/* frees what berth_volume_op_task() put in the task */
void
berth_volume_op_free (BerthVolumeOp *op)
{
  if (op->holds_busy)
    g_hash_table_remove (op->self->busy, op->name);
  g_clear_object (&op->self);
  g_free (op->name);
  g_free (op->driver);
  g_clear_pointer (&op->opts, g_hash_table_unref);
  g_clear_pointer (&op->labels, g_hash_table_unref);
  g_free (op->mount_id);
  g_free (op->before);
  g_clear_pointer (&op->plugin, berth_volume_plugin_unref);
  g_clear_object (&op->volume);
  g_clear_pointer (&op->answer, json_node_unref);
  g_clear_pointer (&op->candidates, g_ptr_array_unref);
  g_clear_pointer (&op->removed, g_strv_builder_unref);
  g_free (op);
}

/* the caller's callback, once the volume's name is free again: a caller may
 * chain another operation on it at once */
static void
op_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BerthVolumeOp *op = user_data;

  if (op->holds_busy)
    g_hash_table_remove (op->self->busy, op->name);
  op->holds_busy = FALSE;
  if (op->callback != NULL)
    op->callback (source, result, op->user_data);
}

/* a task for one operation on volume @name, its data a BerthVolumeOp */
GTask *
berth_volume_op_task (BerthVolumeDriver *self,
                      const gchar *name,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data,
                      gpointer tag)
{
  BerthVolumeOp *op = g_new0 (BerthVolumeOp, 1);
  GTask *task = g_task_new (self, cancellable, op_done, op);

  g_task_set_source_tag (task, tag);
  op->self = g_object_ref (self);
  op->name = g_strdup (name);
  op->callback = callback;
  op->user_data = user_data;
  g_task_set_task_data (task, op, (GDestroyNotify)berth_volume_op_free);
  return task;
}

static gboolean
op_take_busy (GTask *task, const gchar *verb)
{
  BerthVolumeOp *op = g_task_get_task_data (task);

  if (g_hash_table_contains (op->self->busy, op->name))
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_IN_USE,
                               "%s %s: another operation on the volume is in progress", verb,
                               op->name);
      return FALSE;
    }
  g_hash_table_add (op->self->busy, g_strdup (op->name));
  op->holds_busy = TRUE;
  return TRUE;
}

/* a plugin's error, with the plugin and the volume named */
void
berth_volume_op_return_plugin_error (GTask *task, const gchar *verb, GError *error)
{
  BerthVolumeOp *op = g_task_get_task_data (task);

  g_prefix_error (&error, "%s %s: %s: ", verb, op->name, op->plugin->name);
  g_task_return_error (task, error);
}

/* docker's words for a volume it does not know */
void
berth_volume_op_no_such_volume (GTask *task, const gchar *name)
{
  g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "get %s: no such volume",
                           name);
}

/* what `VolumeDriver.Get` or `.List` says of a volume, onto its record */
void
berth_volume_driver_apply_info (BerthVolumeDriver *self,
                                BerthVolume *volume,
                                BerthVolumePlugin *plugin,
                                JsonObject *info)
{
  const gchar *mountpoint = berth_json_object_get_string (info, "Mountpoint");
  const gchar *created = berth_json_object_get_string (info, "CreatedAt");
  JsonNode *status = json_object_get_member (info, "Status");

  if (mountpoint != NULL && mountpoint[0] != '\0')
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *host = berth_volume_plugin_host_path (plugin, mountpoint, &error);
      if (host == NULL)
        g_warning ("volume %s: %s", berth_volume_get_name (volume), error->message);
      else
        berth_volume_set_mountpoint (volume, host);
    }
  if (created != NULL && created[0] != '\0' && !g_str_has_prefix (created, "0001-01-01"))
    berth_volume_set_created_at (volume, created);
  berth_volume_set_status (volume, status);
}

/* the `Volume` of a `VolumeDriver.Get` answer; %NULL for null, as docker */
JsonObject *
berth_volume_answer_volume (JsonNode *answer)
{
  JsonNode *node;

  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    return NULL;
  node = json_object_get_member (json_node_get_object (answer), "Volume");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

/* ---- create --------------------------------------------------------------- */

/* the record, from what the plugin said (op->answer: its Get, if it knew
 * the volume) */
static void
create_finish_record (GTask *task)
{
  BerthVolumeOp *op = g_task_get_task_data (task);
  BerthVolumeDriver *self = op->self;
  BerthVolume *existing = g_hash_table_lookup (self->volumes, op->name);
  JsonObject *info = berth_volume_answer_volume (op->answer);
  g_autoptr(BerthVolume) volume = NULL;

  volume = existing != NULL ? g_object_ref (existing)
                            : berth_volume_new (op->name, op->plugin->name, op->plugin->id);
  berth_volume_set_driver (volume, op->plugin->name);
  berth_volume_set_plugin_id (volume, op->plugin->id);
  /* the options the plugin was created with: kept when it had the volume */
  if (existing == NULL || op->created)
    berth_volume_set_options (volume, op->opts);
  if (existing == NULL)
    berth_volume_set_labels (volume, op->labels);
  berth_volume_set_scope (volume, op->plugin->scope != NULL ? op->plugin->scope : "local");
  if (info != NULL)
    berth_volume_driver_apply_info (self, volume, op->plugin, info);
  berth_volume_driver_save (self, volume);
  if (existing == NULL)
    {
      g_hash_table_insert (self->volumes, g_strdup (op->name), g_object_ref (volume));
      berth_volume_driver_emit (self, "volume-added", volume);
    }
  else
    berth_volume_driver_emit (self, "volume-changed", volume);
  g_task_return_pointer (task, g_steal_pointer (&volume), g_object_unref);
}

static void
on_create_capabilities (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthVolumeOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = berth_volume_plugin_call_finish (result, &error);

  /* optional: a failure reads as local and is asked again next time */
  if (answer != NULL)
    {
      g_free (op->plugin->scope);
      op->plugin->scope = g_strdup (berth_volume_plugin_parse_scope (answer));
    }
  else
    g_debug ("%s: %s", op->plugin->name, error->message);
  create_finish_record (task);
}

/* the plugin's scope, asked once per plugin (docker caches it too) */
static void
create_scope_then_finish (GTask *task)
{
  BerthVolumeOp *op = g_task_get_task_data (task);
  g_autoptr(JsonNode) request = NULL;

  if (op->plugin->scope != NULL)
    {
      create_finish_record (task);
      return;
    }
  request = berth_volume_plugin_empty_request ();
  berth_volume_plugin_call_async (op->plugin, "VolumeDriver.Capabilities", request,
                                  op->self->timeouts.call_ms, NULL, on_create_capabilities,
                                  g_object_ref (task));
}

static void
on_create_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthVolumeOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = berth_volume_plugin_call_finish (result, &error);

  if (answer == NULL)
    {
      berth_volume_op_return_plugin_error (task, "create", g_steal_pointer (&error));
      return;
    }
  op->created = TRUE;
  create_scope_then_finish (task);
}

static void
on_create_get (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthVolumeOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = berth_volume_plugin_call_finish (result, &error);
  g_autoptr(JsonNode) request = NULL;
  JsonObject *info = berth_volume_answer_volume (answer);
  GCancellable *cancellable = g_task_get_cancellable (task);

  /* the plugin knows the volume: nothing to create (docker: Get first) */
  if (info != NULL)
    {
      op->answer = g_steal_pointer (&answer);
      create_scope_then_finish (task);
      return;
    }
  /* no answer at all (refused, broken, too slow): Create would fare no
   * better; the plugin's own "no such volume" goes on to Create */
  if (!berth_volume_plugin_call_answered (result))
    {
      berth_volume_op_return_plugin_error (task, "create", g_steal_pointer (&error));
      return;
    }
  request = berth_volume_plugin_request (op->name, NULL, op->opts);
  berth_volume_plugin_call_async (op->plugin, "VolumeDriver.Create", request,
                                  op->self->timeouts.create_ms, cancellable, on_create_created,
                                  g_steal_pointer (&task));
}

/* a deep copy of a string map, empty for %NULL */
GHashTable *
berth_volume_copy_map (GHashTable *map)
{
  GHashTable *copy;
  GHashTableIter iter;
  gpointer key, value;

  copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (map == NULL)
    return copy;
  g_hash_table_iter_init (&iter, map);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  return copy;
}

/* BerthVolumeService.create_async: see berth_volume_service_create_async() */
void
berth_volume_driver_create_async (BerthVolumeService *service,
                                  const gchar *name,
                                  const gchar *driver,
                                  GHashTable *options,
                                  GHashTable *labels,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (service);
  g_autofree gchar *generated = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  BerthVolume *existing;
  BerthVolumeOp *op;

  if (name == NULL || name[0] == '\0')
    name = generated = berth_volume_generate_id ();
  task = berth_volume_op_task (self, name, cancellable, callback, user_data,
                               berth_volume_driver_create_async);
  op = g_task_get_task_data (task);
  op->driver = g_strdup (driver != NULL && driver[0] != '\0' ? driver : BERTH_VOLUME_LOCAL_DRIVER);
  op->opts
    = options != NULL && g_hash_table_size (options) > 0 ? berth_volume_copy_map (options) : NULL;
  op->labels
    = labels != NULL && g_hash_table_size (labels) > 0 ? berth_volume_copy_map (labels) : NULL;
  if (generated != NULL)
    {
      if (op->labels == NULL)
        op->labels = berth_volume_copy_map (NULL);
      g_hash_table_insert (op->labels, g_strdup (BERTH_VOLUME_ANONYMOUS_LABEL), g_strdup (""));
    }

  if (!berth_volume_name_is_valid (name)
      || (g_str_equal (op->driver, BERTH_VOLUME_LOCAL_DRIVER) && strlen (name) < 2))
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "create %s: \"%s\" includes invalid characters for a local "
                               "volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If "
                               "you intended to pass a host directory, use absolute path",
                               name, name);
      return;
    }
  if (!op_take_busy (task, "create"))
    return;

  existing = g_hash_table_lookup (self->volumes, name);
  if (g_str_equal (op->driver, BERTH_VOLUME_LOCAL_DRIVER))
    {
      g_autoptr(BerthVolume) volume = NULL;
      g_autofree gchar *path = NULL;

      if (existing != NULL && berth_volume_is_local (existing))
        {
          g_task_return_pointer (task, g_object_ref (existing), g_object_unref);
          return;
        }
      if (existing != NULL)
        {
          g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_ALREADY_EXISTS,
                                   "create %s: driver '%s' already has volume '%s': volume name "
                                   "must be unique",
                                   name, berth_volume_get_driver (existing), name);
          return;
        }
      if (!berth_volume_local_create (self->dir, name, op->opts, &error))
        {
          g_prefix_error (&error, "create %s: ", name);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      volume = berth_volume_new (name, BERTH_VOLUME_LOCAL_DRIVER, NULL);
      path = berth_volume_local_path (self->dir, name);
      berth_volume_set_mountpoint (volume, path);
      berth_volume_set_options (volume, op->opts);
      berth_volume_set_labels (volume, op->labels);
      if (!berth_volume_store_save (self->dir, volume, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_hash_table_insert (self->volumes, g_strdup (name), g_object_ref (volume));
      berth_volume_driver_emit (self, "volume-added", volume);
      g_task_return_pointer (task, g_steal_pointer (&volume), g_object_unref);
      return;
    }

  op->plugin = find_plugin (self, op->driver, &error);
  if (op->plugin == NULL)
    {
      g_prefix_error (&error, "create %s: ", name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  berth_volume_plugin_ref (op->plugin);
  if (existing != NULL && g_strcmp0 (berth_volume_get_plugin_id (existing), op->plugin->id) != 0)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_ALREADY_EXISTS,
                               "create %s: driver '%s' already has volume '%s': volume name must "
                               "be unique",
                               name, berth_volume_get_driver (existing), name);
      return;
    }
  {
    g_autoptr(JsonNode) request = berth_volume_plugin_request (name, NULL, NULL);
    json_object_remove_member (json_node_get_object (request), "Opts");
    berth_volume_plugin_call_async (op->plugin, "VolumeDriver.Get", request, self->timeouts.call_ms,
                                    cancellable, on_create_get, g_steal_pointer (&task));
  }
}

BerthVolume *
berth_volume_driver_create_finish (BerthVolumeService *service,
                                   GAsyncResult *result,
                                   GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- remove --------------------------------------------------------------- */

static void
on_remove_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthVolumeOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = berth_volume_plugin_call_finish (result, &error);

  if (answer == NULL && !op->force)
    {
      berth_volume_op_return_plugin_error (task, "remove", g_steal_pointer (&error));
      return;
    }
  if (answer == NULL)
    g_warning ("remove %s: %s: %s; removing its record anyway", op->name, op->plugin->name,
               error->message);
  berth_volume_driver_purge (op->self, op->volume);
  g_task_return_boolean (task, TRUE);
}

/* BerthVolumeService.remove_async: see berth_volume_service_remove_async() */
void
berth_volume_driver_remove_async (BerthVolumeService *service,
                                  const gchar *name,
                                  gboolean force,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (service);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) request = NULL;
  BerthVolume *volume;
  BerthVolumeOp *op;

  task = berth_volume_op_task (self, name, cancellable, callback, user_data,
                               berth_volume_driver_remove_async);
  op = g_task_get_task_data (task);
  op->force = force;
  volume = g_hash_table_lookup (self->volumes, name);
  if (volume == NULL)
    {
      if (force)
        g_task_return_boolean (task, TRUE);
      else
        berth_volume_op_no_such_volume (task, name);
      return;
    }
  if (!op_take_busy (task, "remove"))
    return;
  op->volume = g_object_ref (volume);
  if (berth_volume_has_mounts (volume))
    {
      g_auto(GStrv) ids = berth_volume_get_mount_ids (volume);
      g_autofree gchar *list = g_strjoinv (", ", ids);
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_IN_USE,
                               "remove %s: volume is in use - [%s]", name, list);
      return;
    }
  if (berth_volume_is_local (volume))
    {
      if (!berth_volume_store_delete (self->dir, name, &error))
        {
          g_prefix_error (&error, "remove %s: ", name);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      berth_volume_driver_purge (self, volume);
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!volume_plugin_or_error (self, volume, "remove", &op->plugin, &error))
    {
      if (!force)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* docker orphans such a volume; berth lets force berth_volume_driver_purge it */
      g_message ("removing volume %s whose plugin %s is not enabled", name,
                 berth_volume_get_driver (volume));
      berth_volume_driver_purge (self, volume);
      g_task_return_boolean (task, TRUE);
      return;
    }
  berth_volume_plugin_ref (op->plugin);
  request = berth_volume_plugin_request (name, NULL, NULL);
  json_object_remove_member (json_node_get_object (request), "Opts");
  berth_volume_plugin_call_async (op->plugin, "VolumeDriver.Remove", request,
                                  self->timeouts.call_ms, cancellable, on_remove_removed,
                                  g_steal_pointer (&task));
}

gboolean
berth_volume_driver_remove_finish (BerthVolumeService *service,
                                   GAsyncResult *result,
                                   GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- mount and unmount ---------------------------------------------------- */

static void
on_mount_mounted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthVolumeOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = berth_volume_plugin_call_finish (result, &error);
  g_autofree gchar *host = NULL;
  const gchar *mountpoint;

  if (answer == NULL)
    {
      /* a failed mount is not unmounted (docker neither) */
      berth_volume_remove_mount (op->volume, op->mount_id);
      berth_volume_driver_save (op->self, op->volume);
      berth_volume_driver_emit (op->self, "volume-changed", op->volume);
      berth_volume_op_return_plugin_error (task, "mount", g_steal_pointer (&error));
      return;
    }
  mountpoint = berth_json_object_get_string (json_node_get_object (answer), "Mountpoint");
  host = berth_volume_plugin_host_path (op->plugin, mountpoint, &error);
  if (host == NULL)
    {
      g_autoptr(JsonNode) request = berth_volume_plugin_request (op->name, op->mount_id, NULL);
      /* the plugin mounted something berth cannot use: release it */
      berth_volume_plugin_call_async (op->plugin, "VolumeDriver.Unmount", request,
                                      op->self->timeouts.call_ms, NULL, NULL, NULL);
      berth_volume_remove_mount (op->volume, op->mount_id);
      berth_volume_driver_save (op->self, op->volume);
      berth_volume_driver_emit (op->self, "volume-changed", op->volume);
      berth_volume_op_return_plugin_error (task, "mount", g_steal_pointer (&error));
      return;
    }
  berth_volume_add_mount (op->volume, op->mount_id, host);
  berth_volume_set_mountpoint (op->volume, host);
  berth_volume_driver_save (op->self, op->volume);
  berth_volume_driver_emit (op->self, "volume-changed", op->volume);
  g_task_return_pointer (task, g_steal_pointer (&host), g_free);
}

/* BerthVolumeService.mount_async: see berth_volume_service_mount_async() */
void
berth_volume_driver_mount_async (BerthVolumeService *service,
                                 const gchar *name,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (service);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) request = NULL;
  BerthVolume *volume;
  BerthVolumeOp *op;

  task = berth_volume_op_task (self, name, cancellable, callback, user_data,
                               berth_volume_driver_mount_async);
  op = g_task_get_task_data (task);
  volume = g_hash_table_lookup (self->volumes, name);
  if (volume == NULL)
    {
      berth_volume_op_no_such_volume (task, name);
      return;
    }
  if (g_hash_table_contains (self->busy, name))
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_IN_USE,
                               "mount %s: another operation on the volume is in progress", name);
      return;
    }
  op->volume = g_object_ref (volume);
  op->mount_id = berth_volume_generate_id ();
  if (berth_volume_is_local (volume))
    {
      g_autofree gchar *path = berth_volume_local_path (self->dir, name);
      if (g_mkdir_with_parents (path, 0755) != 0)
        {
          g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_FAILED, "mount %s: %s: %s", name,
                                   path, g_strerror (errno));
          return;
        }
      berth_volume_add_mount (volume, op->mount_id, path);
      berth_volume_driver_save (self, volume);
      berth_volume_driver_emit (self, "volume-changed", volume);
      g_task_return_pointer (task, g_steal_pointer (&path), g_free);
      return;
    }
  if (!volume_plugin_or_error (self, volume, "mount", &op->plugin, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  berth_volume_plugin_ref (op->plugin);
  /* recorded before the plugin is asked: a crash in between leaves a
   * mount ID that holds the volume and can be unmounted, never a mount
   * nobody knows of */
  berth_volume_add_mount (volume, op->mount_id, NULL);
  berth_volume_driver_save (self, volume);
  request = berth_volume_plugin_request (name, op->mount_id, NULL);
  berth_volume_plugin_call_async (op->plugin, "VolumeDriver.Mount", request,
                                  self->timeouts.mount_ms, cancellable, on_mount_mounted,
                                  g_steal_pointer (&task));
}

gchar *
berth_volume_driver_mount_finish (BerthVolumeService *service,
                                  GAsyncResult *result,
                                  gchar **out_mount_id,
                                  GError **error)
{
  BerthVolumeOp *op = g_task_get_task_data (G_TASK (result));
  gchar *path = g_task_propagate_pointer (G_TASK (result), error);

  if (path != NULL && out_mount_id != NULL)
    *out_mount_id = g_strdup (op->mount_id);
  return path;
}

static void
unmount_done (GTask *task)
{
  BerthVolumeOp *op = g_task_get_task_data (task);

  berth_volume_remove_mount (op->volume, op->mount_id);
  berth_volume_driver_save (op->self, op->volume);
  berth_volume_driver_emit (op->self, "volume-changed", op->volume);
  g_task_return_boolean (task, TRUE);
}

static void
on_unmount_unmounted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthVolumeOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = berth_volume_plugin_call_finish (result, &error);

  /* a mount that never completed (berthd stopped in the middle of it) may
   * be unknown to the plugin: its refusal must not pin the volume */
  if (answer == NULL && berth_volume_plugin_call_answered (result)
      && berth_volume_get_mount_path (op->volume, op->mount_id) == NULL)
    {
      g_message ("unmount %s: %s: %s; releasing mount %s, which never completed", op->name,
                 op->plugin->name, error->message, op->mount_id);
      unmount_done (task);
      return;
    }
  if (answer == NULL)
    {
      berth_volume_op_return_plugin_error (task, "unmount", g_steal_pointer (&error));
      return;
    }
  unmount_done (task);
}

/* BerthVolumeService.unmount_async: see berth_volume_service_unmount_async() */
void
berth_volume_driver_unmount_async (BerthVolumeService *service,
                                   const gchar *name,
                                   const gchar *mount_id,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (service);
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) request = NULL;
  BerthVolume *volume;
  BerthVolumeOp *op;

  task = berth_volume_op_task (self, name, cancellable, callback, user_data,
                               berth_volume_driver_unmount_async);
  op = g_task_get_task_data (task);
  op->mount_id = g_strdup (mount_id);
  volume = g_hash_table_lookup (self->volumes, name);
  if (volume == NULL)
    {
      berth_volume_op_no_such_volume (task, name);
      return;
    }
  op->volume = g_object_ref (volume);
  {
    g_auto(GStrv) ids = berth_volume_get_mount_ids (volume);
    if (mount_id == NULL || !g_strv_contains ((const gchar *const *)ids, mount_id))
      {
        g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_FOUND,
                                 "unmount %s: no mount with ID %s", name,
                                 mount_id != NULL ? mount_id : "(null)");
        return;
      }
  }
  if (berth_volume_is_local (volume))
    {
      unmount_done (task);
      return;
    }
  op->plugin = berth_volume_driver_active_plugin (self, volume);
  if (op->plugin == NULL)
    {
      /* the plugin stopped, and its mounts went with it (the engine
       * unmounts the propagated mount): only the record is left to release */
      g_message ("unmount %s: plugin %s is not enabled; releasing mount %s", name,
                 berth_volume_get_driver (volume), mount_id);
      unmount_done (task);
      return;
    }
  berth_volume_plugin_ref (op->plugin);
  request = berth_volume_plugin_request (name, mount_id, NULL);
  berth_volume_plugin_call_async (op->plugin, "VolumeDriver.Unmount", request,
                                  self->timeouts.call_ms, cancellable, on_unmount_unmounted,
                                  g_steal_pointer (&task));
}

gboolean
berth_volume_driver_unmount_finish (BerthVolumeService *service,
                                    GAsyncResult *result,
                                    GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
