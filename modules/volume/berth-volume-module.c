/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthVolume"

#include "config.h"

#include <string.h>

#include "berth-volume-driver.h"
#include "berth-volume-store.h"

/**
 * BerthVolumeDriver:
 *
 * The `docker.volumedriver/1.0` driver type and the built-in `local`
 * driver, behind #BerthVolumeService. Volumes are records on disk (one file
 * each), so they, their mounts and the plugins they hold outlive berthd.
 * Plugins are called only for what needs them, each call with its own
 * deadline, so a hung plugin holds up its own volumes and nothing else:
 * `volume ls` answers from the records.
 */

enum
{
  PROP_0,
  PROP_PATHS,
  PROP_CONFIG,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void berth_volume_driver_driver_iface_init (BerthDriverInterface *iface);
static void berth_volume_driver_service_iface_init (BerthVolumeServiceInterface *iface);
static void berth_volume_driver_initable_iface_init (GInitableIface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (
  BerthVolumeDriver,
  berth_volume_driver,
  G_TYPE_OBJECT,
  G_TYPE_FLAG_FINAL,
  G_IMPLEMENT_INTERFACE_DYNAMIC (BERTH_TYPE_DRIVER, berth_volume_driver_driver_iface_init)
    G_IMPLEMENT_INTERFACE_DYNAMIC (BERTH_TYPE_VOLUME_SERVICE,
                                   berth_volume_driver_service_iface_init)
      G_IMPLEMENT_INTERFACE_DYNAMIC (G_TYPE_INITABLE, berth_volume_driver_initable_iface_init))

/* ---- inspect -------------------------------------------------------------- */

static gchar *
inspect_text (BerthVolume *volume)
{
  g_autoptr(JsonNode) node = berth_volume_to_inspect_json (volume);
  return berth_json_to_string (node, FALSE);
}

static void
inspect_done (GTask *task)
{
  BerthVolumeOp *op = g_task_get_task_data (task);
  g_autofree gchar *after = inspect_text (op->volume);
  BerthVolumeState state = berth_volume_driver_state_of (op->self, op->volume);

  if (!g_str_equal (after, op->before) || state != berth_volume_get_state (op->volume))
    {
      berth_volume_driver_save (op->self, op->volume);
      berth_volume_driver_emit (op->self, "volume-changed", op->volume);
    }
  g_task_return_pointer (task, g_object_ref (op->volume), g_object_unref);
}

static void
on_inspect_capabilities (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthVolumeOp *op = g_task_get_task_data (task);
  g_autoptr(JsonNode) answer = berth_volume_plugin_call_finish (result, NULL);

  if (answer != NULL)
    {
      g_free (op->plugin->scope);
      op->plugin->scope = g_strdup (berth_volume_plugin_parse_scope (answer));
      berth_volume_set_scope (op->volume, op->plugin->scope);
    }
  inspect_done (task);
}

static void
inspect_scope (GTask *task)
{
  BerthVolumeOp *op = g_task_get_task_data (task);
  g_autoptr(JsonNode) request = NULL;

  if (op->plugin->scope != NULL)
    {
      berth_volume_set_scope (op->volume, op->plugin->scope);
      inspect_done (task);
      return;
    }
  request = berth_volume_plugin_empty_request ();
  berth_volume_plugin_call_async (op->plugin, "VolumeDriver.Capabilities", request,
                                  op->self->timeouts.call_ms, g_task_get_cancellable (task),
                                  on_inspect_capabilities, g_object_ref (task));
}

static void
on_inspect_path (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthVolumeOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = berth_volume_plugin_call_finish (result, &error);

  if (answer != NULL)
    berth_volume_driver_apply_info (op->self, op->volume, op->plugin,
                                    json_node_get_object (answer));
  else
    g_debug ("inspect %s: %s", op->name, error->message);
  inspect_scope (task);
}

static void
on_inspect_get (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthVolumeOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = berth_volume_plugin_call_finish (result, &error);
  JsonObject *info = berth_volume_answer_volume (answer);
  g_autoptr(JsonNode) request = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  /* the record stands whatever the plugin says: inspect shows what berth
   * knows, and the state tells whether the plugin answered */
  if (info == NULL)
    {
      g_debug ("inspect %s: %s: %s", op->name, op->plugin->name,
               error != NULL ? error->message : "the plugin does not know the volume");
      inspect_done (task);
      return;
    }
  berth_volume_driver_apply_info (op->self, op->volume, op->plugin, info);
  if (berth_volume_get_mountpoint (op->volume) != NULL)
    {
      inspect_scope (task);
      return;
    }
  request = berth_volume_plugin_request (op->name, NULL, NULL);
  json_object_remove_member (json_node_get_object (request), "Opts");
  berth_volume_plugin_call_async (op->plugin, "VolumeDriver.Path", request,
                                  op->self->timeouts.call_ms, cancellable, on_inspect_path,
                                  g_steal_pointer (&task));
}

static void
berth_volume_driver_inspect_async (BerthVolumeService *service,
                                   const gchar *name,
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
                               berth_volume_driver_inspect_async);
  op = g_task_get_task_data (task);
  volume = g_hash_table_lookup (self->volumes, name);
  if (volume == NULL)
    {
      berth_volume_op_no_such_volume (task, name);
      return;
    }
  op->volume = g_object_ref (volume);
  op->before = inspect_text (volume);
  op->plugin = berth_volume_driver_active_plugin (self, volume);
  if (op->plugin == NULL)
    {
      inspect_done (task);
      return;
    }
  berth_volume_plugin_ref (op->plugin);
  request = berth_volume_plugin_request (name, NULL, NULL);
  json_object_remove_member (json_node_get_object (request), "Opts");
  berth_volume_plugin_call_async (op->plugin, "VolumeDriver.Get", request, self->timeouts.call_ms,
                                  cancellable, on_inspect_get, g_steal_pointer (&task));
}

static BerthVolume *
berth_volume_driver_inspect_finish (BerthVolumeService *service,
                                    GAsyncResult *result,
                                    GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- list and lookup ------------------------------------------------------ */

static gint
compare_volumes (gconstpointer a, gconstpointer b)
{
  return strcmp (berth_volume_get_name (*(BerthVolume *const *)a),
                 berth_volume_get_name (*(BerthVolume *const *)b));
}

static GPtrArray *
berth_volume_driver_list (BerthVolumeService *service)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (service);
  GPtrArray *list = g_ptr_array_new_full (g_hash_table_size (self->volumes), g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->volumes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      berth_volume_set_state (value, berth_volume_driver_state_of (self, value));
      g_ptr_array_add (list, g_object_ref (value));
    }
  g_ptr_array_sort (list, compare_volumes);
  return list;
}

static BerthVolume *
berth_volume_driver_lookup (BerthVolumeService *service, const gchar *name)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (service);
  BerthVolume *volume = g_hash_table_lookup (self->volumes, name);

  if (volume == NULL)
    return NULL;
  berth_volume_set_state (volume, berth_volume_driver_state_of (self, volume));
  return g_object_ref (volume);
}

static void
berth_volume_driver_set_plugin_lookup (BerthVolumeService *service,
                                       BerthVolumePluginLookupFunc func,
                                       gpointer user_data,
                                       GDestroyNotify notify)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (service);

  if (self->lookup_notify != NULL)
    self->lookup_notify (self->lookup_data);
  self->lookup = func;
  self->lookup_data = user_data;
  self->lookup_notify = notify;
}

/* ---- prune ---------------------------------------------------------------- */

typedef struct
{
  gchar *key;
  gchar *value; /* nullable: the key alone */
  gboolean negate;
} LabelFilter;

static void
label_filter_free (LabelFilter *filter)
{
  g_free (filter->key);
  g_free (filter->value);
  g_free (filter);
}

static gboolean
label_matches (BerthVolume *volume, LabelFilter *filter)
{
  GHashTable *labels = berth_volume_get_labels (volume);
  const gchar *value = labels != NULL ? g_hash_table_lookup (labels, filter->key) : NULL;
  gboolean has = labels != NULL && g_hash_table_contains (labels, filter->key);
  gboolean match = has && (filter->value == NULL || g_strcmp0 (value, filter->value) == 0);

  return filter->negate ? !match : match;
}

static void prune_next (GTask *task);

static void
on_prune_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthVolumeOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  const gchar *name = op->candidates->pdata[op->next - 1];

  if (berth_volume_service_remove_finish (BERTH_VOLUME_SERVICE (source), result, &error))
    {
      g_strv_builder_add (op->removed, name);
      op->reclaimed += op->candidate_size;
    }
  else
    g_warning ("prune: %s", error->message);
  prune_next (task);
}

static void
prune_next (GTask *task)
{
  BerthVolumeOp *op = g_task_get_task_data (task);
  BerthVolume *volume;
  const gchar *name;

  if (op->next >= op->candidates->len)
    {
      g_task_return_pointer (task, g_strv_builder_end (op->removed), (GDestroyNotify)g_strfreev);
      return;
    }
  name = op->candidates->pdata[op->next++];
  volume = g_hash_table_lookup (op->self->volumes, name);
  op->candidate_size = volume != NULL && berth_volume_is_local (volume)
                         ? berth_volume_local_size (op->self->dir, name)
                         : 0;
  berth_volume_service_remove_async (BERTH_VOLUME_SERVICE (op->self), name, FALSE,
                                     g_task_get_cancellable (task), on_prune_removed,
                                     g_object_ref (task));
}

static gboolean
parse_bool (const gchar *text, gboolean *out)
{
  if (g_ascii_strcasecmp (text, "true") == 0 || g_str_equal (text, "1"))
    *out = TRUE;
  else if (g_ascii_strcasecmp (text, "false") == 0 || g_str_equal (text, "0"))
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

static void
berth_volume_driver_prune_async (BerthVolumeService *service,
                                 const gchar *const *filters,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (service);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func ((GDestroyNotify)label_filter_free);
  g_autoptr(GPtrArray) volumes = NULL;
  g_autoptr(GTask) task = NULL;
  gboolean all = FALSE;
  BerthVolumeOp *op;

  task = berth_volume_op_task (self, NULL, cancellable, callback, user_data,
                               berth_volume_driver_prune_async);
  op = g_task_get_task_data (task);
  for (guint i = 0; filters != NULL && filters[i] != NULL; i++)
    {
      const gchar *eq = strchr (filters[i], '=');
      g_autofree gchar *key = eq != NULL ? g_strndup (filters[i], eq - filters[i]) : NULL;
      const gchar *value = eq != NULL ? eq + 1 : NULL;

      if (key != NULL && g_str_equal (key, "all") && parse_bool (value, &all))
        continue;
      if (key != NULL && (g_str_equal (key, "label") || g_str_equal (key, "label!"))
          && value[0] != '\0')
        {
          LabelFilter *filter = g_new0 (LabelFilter, 1);
          const gchar *veq = strchr (value, '=');

          filter->negate = g_str_equal (key, "label!");
          filter->key = veq != NULL ? g_strndup (value, veq - value) : g_strdup (value);
          filter->value = veq != NULL ? g_strdup (veq + 1) : NULL;
          g_ptr_array_add (labels, filter);
          continue;
        }
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "invalid filter '%s'", filters[i]);
      return;
    }

  op->candidates = g_ptr_array_new_with_free_func (g_free);
  op->removed = g_strv_builder_new ();
  volumes = berth_volume_driver_list (service);
  for (guint i = 0; i < volumes->len; i++)
    {
      BerthVolume *volume = volumes->pdata[i];
      gboolean keep
        = berth_volume_has_mounts (volume) || (!all && !berth_volume_is_anonymous (volume));

      for (guint f = 0; !keep && f < labels->len; f++)
        keep = !label_matches (volume, labels->pdata[f]);
      if (!keep)
        g_ptr_array_add (op->candidates, g_strdup (berth_volume_get_name (volume)));
    }
  prune_next (task);
}

static GStrv
berth_volume_driver_prune_finish (BerthVolumeService *service,
                                  GAsyncResult *result,
                                  guint64 *out_space_reclaimed,
                                  GError **error)
{
  BerthVolumeOp *op = g_task_get_task_data (G_TASK (result));
  GStrv removed = g_task_propagate_pointer (G_TASK (result), error);

  if (out_space_reclaimed != NULL)
    *out_space_reclaimed = removed != NULL ? op->reclaimed : 0;
  return removed;
}

/* ---- plugins come and go -------------------------------------------------- */

typedef struct
{
  BerthVolumeDriver *self;
  BerthVolumePlugin *plugin;
  gchar *name;
  GHashTable *opts;
} Announce;

static void
announce_free (Announce *a)
{
  g_object_unref (a->self);
  berth_volume_plugin_unref (a->plugin);
  g_free (a->name);
  g_clear_pointer (&a->opts, g_hash_table_unref);
  g_free (a);
}

static void
on_announce_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Announce *a = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = berth_volume_plugin_call_finish (result, &error);

  if (answer == NULL)
    g_warning ("volume %s: %s lost it, and creating it again failed: %s", a->name, a->plugin->name,
               error->message);
  else
    g_info ("volume %s: created again in %s, which had lost it", a->name, a->plugin->name);
  announce_free (a);
}

static void
on_announce_get (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Announce *a = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = berth_volume_plugin_call_finish (result, &error);
  g_autoptr(JsonNode) request = NULL;
  JsonObject *info = berth_volume_answer_volume (answer);
  BerthVolume *volume = g_hash_table_lookup (a->self->volumes, a->name);

  if (info != NULL || volume == NULL
      || g_hash_table_lookup (a->self->plugins, a->plugin->id) != a->plugin)
    {
      if (info != NULL && volume != NULL)
        {
          berth_volume_driver_apply_info (a->self, volume, a->plugin, info);
          berth_volume_driver_save (a->self, volume);
          berth_volume_driver_emit (a->self, "volume-changed", volume);
        }
      announce_free (a);
      return;
    }
  /* only a plugin that answered may have lost the volume; one that did not
   * answer is asked again when it is activated again */
  if (!berth_volume_plugin_call_answered (result))
    {
      g_message ("volume %s: %s", a->name, error->message);
      announce_free (a);
      return;
    }
  request = berth_volume_plugin_request (a->name, NULL, a->opts);
  berth_volume_plugin_call_async (a->plugin, "VolumeDriver.Create", request,
                                  a->self->timeouts.create_ms, NULL, on_announce_created, a);
}

/* the plugin learns again of the volumes it serves: Get each, and Create
 * with the stored options what it lost (a plugin restarted without state) */
static void
announce_volumes (BerthVolumeDriver *self, BerthVolumePlugin *plugin)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->volumes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BerthVolume *volume = value;
      g_autoptr(JsonNode) request = NULL;
      Announce *a;

      if (g_strcmp0 (berth_volume_get_plugin_id (volume), plugin->id) != 0)
        continue;
      a = g_new0 (Announce, 1);
      a->self = g_object_ref (self);
      a->plugin = berth_volume_plugin_ref (plugin);
      a->name = g_strdup (berth_volume_get_name (volume));
      a->opts = berth_volume_get_options (volume) != NULL
                  ? g_hash_table_ref (berth_volume_get_options (volume))
                  : NULL;
      request = berth_volume_plugin_request (a->name, NULL, NULL);
      json_object_remove_member (json_node_get_object (request), "Opts");
      berth_volume_plugin_call_async (plugin, "VolumeDriver.Get", request, self->timeouts.call_ms,
                                      NULL, on_announce_get, a);
    }
}

static gboolean
berth_volume_driver_activate_with_details (BerthDriver *driver,
                                           const gchar *plugin_id,
                                           const gchar *plugin_name,
                                           const gchar *socket_path,
                                           GVariant *details,
                                           GCancellable *cancellable,
                                           GError **error)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (driver);
  BerthVolumePlugin *plugin = berth_volume_plugin_new (plugin_id, plugin_name, socket_path, details,
                                                       self->timeouts.retry_ms);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_replace (self->plugins, g_strdup (plugin_id), plugin);
  g_hash_table_iter_init (&iter, self->volumes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BerthVolume *volume = value;
      gboolean ours = g_strcmp0 (berth_volume_get_plugin_id (volume), plugin_id) == 0;

      /* plugin names are unique: a volume of a plugin of this name that
       * was removed and installed again (a new ID) follows the name, as
       * docker binds volumes to driver names (vsphere-storage-for-docker#1960) */
      if (!ours && !berth_volume_is_local (volume)
          && g_strcmp0 (berth_volume_get_driver (volume), plugin->name) == 0)
        {
          g_info ("volume %s: plugin %s has a new ID %s", berth_volume_get_name (volume),
                  plugin->name, plugin_id);
          berth_volume_set_plugin_id (volume, plugin_id);
          berth_volume_driver_save (self, volume);
          ours = TRUE;
        }
      if (ours)
        berth_volume_driver_emit (self, "volume-changed", volume);
    }
  announce_volumes (self, plugin);
  return TRUE;
}

static gboolean
berth_volume_driver_activate (BerthDriver *driver,
                              const gchar *plugin_id,
                              const gchar *plugin_name,
                              const gchar *socket_path,
                              GCancellable *cancellable,
                              GError **error)
{
  return berth_volume_driver_activate_with_details (driver, plugin_id, plugin_name, socket_path,
                                                    NULL, cancellable, error);
}

static gboolean
berth_volume_driver_deactivate (BerthDriver *driver,
                                const gchar *plugin_id,
                                GCancellable *cancellable,
                                GError **error)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (driver);
  GHashTableIter iter;
  gpointer value;

  if (!g_hash_table_remove (self->plugins, plugin_id))
    return TRUE;
  g_hash_table_iter_init (&iter, self->volumes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_strcmp0 (berth_volume_get_plugin_id (value), plugin_id) == 0)
      berth_volume_driver_emit (self, "volume-changed", value);
  return TRUE;
}

static GStrv
berth_volume_driver_get_holders (BerthDriver *driver, const gchar *plugin_id)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (driver);
  g_autoptr(GPtrArray) volumes = berth_volume_driver_list (BERTH_VOLUME_SERVICE (self));
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < volumes->len; i++)
    if (g_strcmp0 (berth_volume_get_plugin_id (volumes->pdata[i]), plugin_id) == 0)
      g_strv_builder_add (builder, berth_volume_get_name (volumes->pdata[i]));
  return g_strv_builder_end (builder);
}

static const gchar *const *
berth_volume_driver_get_types (BerthDriver *driver)
{
  static const gchar *const types[] = { "docker.volumedriver/1.0", NULL };
  return types;
}

/* ---- the object ----------------------------------------------------------- */

static guint
config_ms (GKeyFile *config, const gchar *key, guint fallback_ms)
{
  g_autoptr(GError) error = NULL;
  gdouble seconds;

  if (config == NULL || !g_key_file_has_key (config, "volumes", key, NULL))
    return fallback_ms;
  seconds = g_key_file_get_double (config, "volumes", key, &error);
  if (error != NULL || seconds < 0 || seconds > 24 * 3600)
    {
      g_warning ("berthd.conf: [volumes] %s: not a number of seconds; using %u s", key,
                 fallback_ms / 1000);
      return fallback_ms;
    }
  return (guint)(seconds * 1000);
}

static gboolean
berth_volume_driver_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (initable);
  g_autoptr(GPtrArray) volumes = NULL;

  if (self->paths == NULL)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "the volume driver needs the path store");
      return FALSE;
    }
  /* docker's deadlines: Create and Mount 2 min, the rest 1 min */
  self->timeouts.create_ms = config_ms (self->config, "create-timeout", 120000);
  self->timeouts.mount_ms = config_ms (self->config, "mount-timeout", 120000);
  self->timeouts.call_ms = config_ms (self->config, "timeout", 60000);
  self->timeouts.retry_ms
    = config_ms (self->config, "connect-retry", BERTH_PLUGIN_CLIENT_DEFAULT_RETRY_BUDGET);
  self->dir = g_strdup (berth_paths_get (self->paths, BERTH_PATH_VOLUMES));
  if (!berth_paths_ensure (self->paths, BERTH_PATH_VOLUMES, error))
    return FALSE;
  volumes = berth_volume_store_load_all (self->dir, error);
  if (volumes == NULL)
    return FALSE;
  for (guint i = 0; i < volumes->len; i++)
    {
      BerthVolume *volume = volumes->pdata[i];
      berth_volume_set_state (volume, berth_volume_driver_state_of (self, volume));
      g_hash_table_insert (self->volumes, g_strdup (berth_volume_get_name (volume)),
                           g_object_ref (volume));
    }
  g_debug ("%u volumes in %s", volumes->len, self->dir);
  return TRUE;
}

static void
berth_volume_driver_initable_iface_init (GInitableIface *iface)
{
  iface->init = berth_volume_driver_initable_init;
}

static void
berth_volume_driver_driver_iface_init (BerthDriverInterface *iface)
{
  iface->get_types = berth_volume_driver_get_types;
  iface->activate = berth_volume_driver_activate;
  iface->activate_with_details = berth_volume_driver_activate_with_details;
  iface->deactivate = berth_volume_driver_deactivate;
  iface->get_holders = berth_volume_driver_get_holders;
}

static void
berth_volume_driver_service_iface_init (BerthVolumeServiceInterface *iface)
{
  iface->set_plugin_lookup = berth_volume_driver_set_plugin_lookup;
  iface->create_async = berth_volume_driver_create_async;
  iface->create_finish = berth_volume_driver_create_finish;
  iface->remove_async = berth_volume_driver_remove_async;
  iface->remove_finish = berth_volume_driver_remove_finish;
  iface->inspect_async = berth_volume_driver_inspect_async;
  iface->inspect_finish = berth_volume_driver_inspect_finish;
  iface->list = berth_volume_driver_list;
  iface->lookup = berth_volume_driver_lookup;
  iface->mount_async = berth_volume_driver_mount_async;
  iface->mount_finish = berth_volume_driver_mount_finish;
  iface->unmount_async = berth_volume_driver_unmount_async;
  iface->unmount_finish = berth_volume_driver_unmount_finish;
  iface->prune_async = berth_volume_driver_prune_async;
  iface->prune_finish = berth_volume_driver_prune_finish;
}

static void
berth_volume_driver_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (object);

  switch (prop_id)
    {
      case PROP_PATHS:
        g_value_set_object (value, self->paths);
        break;
      case PROP_CONFIG:
        g_value_set_boxed (value, self->config);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
berth_volume_driver_set_property (GObject *object,
                                  guint prop_id,
                                  const GValue *value,
                                  GParamSpec *pspec)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (object);

  switch (prop_id)
    {
      case PROP_PATHS:
        self->paths = g_value_dup_object (value);
        break;
      case PROP_CONFIG:
        self->config = g_value_dup_boxed (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
berth_volume_driver_finalize (GObject *object)
{
  BerthVolumeDriver *self = BERTH_VOLUME_DRIVER (object);

  if (self->lookup_notify != NULL)
    self->lookup_notify (self->lookup_data);
  g_clear_object (&self->paths);
  g_clear_pointer (&self->config, g_key_file_unref);
  g_free (self->dir);
  g_hash_table_unref (self->volumes);
  g_hash_table_unref (self->plugins);
  g_hash_table_unref (self->busy);
  G_OBJECT_CLASS (berth_volume_driver_parent_class)->finalize (object);
}

static void
berth_volume_driver_class_init (BerthVolumeDriverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = berth_volume_driver_get_property;
  object_class->set_property = berth_volume_driver_set_property;
  object_class->finalize = berth_volume_driver_finalize;

  props[PROP_PATHS]
    = g_param_spec_object ("paths", NULL, NULL, BERTH_TYPE_PATHS,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_CONFIG]
    = g_param_spec_boxed ("config", NULL, NULL, G_TYPE_KEY_FILE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
berth_volume_driver_class_finalize (BerthVolumeDriverClass *klass)
{
}

static void
berth_volume_driver_init (BerthVolumeDriver *self)
{
  self->volumes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->plugins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)berth_volume_plugin_unref);
  self->busy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

gboolean berth_module_volume_load (GTypeModule *module, GError **error);

/**
 * berth_module_volume_load:
 * @module: the module registering the types
 * @error: return location for a #GError
 *
 * Registers the volume driver (`docker.volumedriver/1.0` and `local`) on
 * the driver extension point.
 *
 * Returns: %TRUE
 */
gboolean
berth_module_volume_load (GTypeModule *module, GError **error)
{
  berth_volume_driver_register_type (module);
  g_io_extension_point_implement (BERTH_EXTENSION_POINT_DRIVER, BERTH_TYPE_VOLUME_DRIVER, "volume",
                                  10);
  return TRUE;
}

BERTH_MODULE_DEFINE (volume)
