/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthEngine"

#include "config.h"

#include "berth-plugin.h"

/**
 * BerthPlugin:
 *
 * One installed plugin: what it is (ID, name, reference, config), how the
 * user set it up (settings), where its content is (digests and chain) and
 * whether it is wanted running. Everything but the live state is saved as
 * one JSON record, written atomically; the engine never relies on memory
 * alone.
 */
struct _BerthPlugin
{
  GObject parent_instance;
  gchar *id;
  gchar *name;
  gchar *reference;
  BerthPluginConfig *config;
  BerthPluginSettings *settings;
  gchar *config_digest;
  gchar *manifest_digest;
  GStrv blobsums;
  gchar *chain_id;
  gboolean enabled;
  gint64 created;
  guint restart_count;
  gchar *last_exit;
  BerthPluginState state;
  GPid pid;
};

G_DEFINE_TYPE (BerthPlugin, berth_plugin, G_TYPE_OBJECT)

const gchar *
berth_plugin_state_to_string (BerthPluginState state)
{
  switch (state)
    {
      case BERTH_PLUGIN_STATE_DISABLED:
        return "disabled";
      case BERTH_PLUGIN_STATE_ENABLING:
        return "enabling";
      case BERTH_PLUGIN_STATE_ENABLED:
        return "enabled";
      case BERTH_PLUGIN_STATE_RESTARTING:
        return "restarting";
      case BERTH_PLUGIN_STATE_DISABLING:
        return "disabling";
      default:
        return "unknown";
    }
}

static void
berth_plugin_finalize (GObject *object)
{
  BerthPlugin *self = BERTH_PLUGIN (object);
  g_free (self->id);
  g_free (self->name);
  g_free (self->reference);
  g_clear_object (&self->config);
  g_clear_object (&self->settings);
  g_free (self->config_digest);
  g_free (self->manifest_digest);
  g_strfreev (self->blobsums);
  g_free (self->chain_id);
  g_free (self->last_exit);
  G_OBJECT_CLASS (berth_plugin_parent_class)->finalize (object);
}

static void
berth_plugin_class_init (BerthPluginClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = berth_plugin_finalize;
}

static void
berth_plugin_init (BerthPlugin *self)
{
  self->blobsums = g_new0 (gchar *, 1);
}

/**
 * berth_plugin_new:
 * @id: a 64-hex ID
 * @name: the local name, e.g. `vieux/sshfs:latest`
 * @reference: (nullable): where it came from, e.g. `docker.io/vieux/sshfs:latest`
 * @config: its configuration
 * @settings: (nullable): its settings; %NULL for the config's defaults
 *
 * Returns: (transfer full): a disabled plugin
 */
BerthPlugin *
berth_plugin_new (const gchar *id,
                  const gchar *name,
                  const gchar *reference,
                  BerthPluginConfig *config,
                  BerthPluginSettings *settings)
{
  BerthPlugin *self = g_object_new (BERTH_TYPE_PLUGIN, NULL);
  self->id = g_strdup (id);
  self->name = g_strdup (name);
  self->reference = g_strdup (reference);
  self->config = g_object_ref (config);
  self->settings = settings != NULL ? g_object_ref (settings) : berth_plugin_settings_new (config);
  self->created = g_get_real_time () / G_USEC_PER_SEC;
  return self;
}

/**
 * berth_plugin_load:
 * @path: a plugin record
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the plugin, disabled in its live state
 */
BerthPlugin *
berth_plugin_load (const gchar *path, GError **error)
{
  g_autofree gchar *contents = NULL;
  gsize length;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(BerthPluginConfig) config = NULL;
  g_autoptr(BerthPluginSettings) settings = NULL;
  g_autoptr(BerthPlugin) self = NULL;
  JsonObject *object;
  JsonNode *node;
  const gchar *id, *name;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  root = berth_json_parse (contents, length, error);
  if (root == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%s: not a plugin record",
                   path);
      return NULL;
    }
  object = json_node_get_object (root);
  id = berth_json_object_get_string (object, "Id");
  name = berth_json_object_get_string (object, "Name");
  node = json_object_get_member (object, "Config");
  if (id == NULL || name == NULL || node == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "%s: a plugin record needs Id, Name and Config", path);
      return NULL;
    }
  config = berth_plugin_config_new_from_json_node (node, error);
  if (config == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  node = json_object_get_member (object, "Settings");
  if (node != NULL)
    {
      settings = berth_plugin_settings_new_from_json_node (node, error);
      if (settings == NULL)
        {
          g_prefix_error (error, "%s: ", path);
          return NULL;
        }
    }
  self = berth_plugin_new (id, name, berth_json_object_get_string (object, "PluginReference"),
                           config, settings);
  self->enabled = json_object_get_boolean_member_with_default (object, "Enabled", FALSE);
  self->created = json_object_get_int_member_with_default (object, "Created", 0);
  self->restart_count = json_object_get_int_member_with_default (object, "RestartCount", 0);
  self->last_exit = g_strdup (berth_json_object_get_string (object, "LastExit"));
  self->config_digest = g_strdup (berth_json_object_get_string (object, "ConfigDigest"));
  self->manifest_digest = g_strdup (berth_json_object_get_string (object, "Manifest"));
  self->chain_id = g_strdup (berth_json_object_get_string (object, "ChainId"));
  node = json_object_get_member (object, "Blobsums");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      JsonArray *array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          if (JSON_NODE_HOLDS_VALUE (element)
              && json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
      g_strfreev (self->blobsums);
      self->blobsums = g_strv_builder_end (builder);
    }
  return g_steal_pointer (&self);
}

/**
 * berth_plugin_save:
 * @self: a #BerthPlugin
 * @path: where its record goes
 * @error: return location for a #GError
 *
 * Writes the record atomically: a crash leaves the old one or the new one.
 *
 * Returns: %TRUE on success
 */
gboolean
berth_plugin_save (BerthPlugin *self, const gchar *path, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree gchar *text = NULL;

  json_builder_begin_object (b);
  berth_json_builder_set_string (b, "Id", self->id);
  berth_json_builder_set_string (b, "Name", self->name);
  berth_json_builder_set_string (b, "PluginReference", self->reference);
  json_builder_set_member_name (b, "Enabled");
  json_builder_add_boolean_value (b, self->enabled);
  json_builder_set_member_name (b, "Created");
  json_builder_add_int_value (b, self->created);
  json_builder_set_member_name (b, "Config");
  json_builder_add_value (b, berth_plugin_config_to_json_node (self->config));
  json_builder_set_member_name (b, "Settings");
  json_builder_add_value (b, berth_plugin_settings_to_json_node (self->settings));
  berth_json_builder_set_string (b, "ConfigDigest", self->config_digest);
  berth_json_builder_set_string (b, "Manifest", self->manifest_digest);
  json_builder_set_member_name (b, "Blobsums");
  json_builder_begin_array (b);
  for (guint i = 0; self->blobsums[i] != NULL; i++)
    json_builder_add_string_value (b, self->blobsums[i]);
  json_builder_end_array (b);
  berth_json_builder_set_string (b, "ChainId", self->chain_id);
  json_builder_set_member_name (b, "RestartCount");
  json_builder_add_int_value (b, self->restart_count);
  berth_json_builder_set_string (b, "LastExit", self->last_exit);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = berth_json_to_string (root, TRUE);
  /* g_file_set_contents: a temporary file, fsync, rename */
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      berth_error_convert (error);
      return FALSE;
    }
  return TRUE;
}

const gchar *
berth_plugin_get_id (BerthPlugin *self)
{
  return self->id;
}

const gchar *
berth_plugin_get_name (BerthPlugin *self)
{
  return self->name;
}

const gchar *
berth_plugin_get_reference (BerthPlugin *self)
{
  return self->reference;
}

void
berth_plugin_set_reference (BerthPlugin *self, const gchar *reference)
{
  g_free (self->reference);
  self->reference = g_strdup (reference);
}

BerthPluginConfig *
berth_plugin_get_config (BerthPlugin *self)
{
  return self->config;
}

void
berth_plugin_set_config (BerthPlugin *self, BerthPluginConfig *config)
{
  g_set_object (&self->config, config);
}

BerthPluginSettings *
berth_plugin_get_settings (BerthPlugin *self)
{
  return self->settings;
}

void
berth_plugin_set_settings (BerthPlugin *self, BerthPluginSettings *settings)
{
  g_set_object (&self->settings, settings);
}

const gchar *
berth_plugin_get_config_digest (BerthPlugin *self)
{
  return self->config_digest;
}

const gchar *
berth_plugin_get_manifest_digest (BerthPlugin *self)
{
  return self->manifest_digest;
}

const gchar *const *
berth_plugin_get_blobsums (BerthPlugin *self)
{
  return (const gchar *const *)self->blobsums;
}

const gchar *
berth_plugin_get_chain_id (BerthPlugin *self)
{
  return self->chain_id;
}

/**
 * berth_plugin_set_content:
 * @self: a #BerthPlugin
 * @config_digest: (nullable): the config blob's digest
 * @manifest_digest: (nullable): the manifest's digest
 * @blobsums: the layer blobs' digests, bottom first
 * @chain_id: the chain ID of its tree
 */
void
berth_plugin_set_content (BerthPlugin *self,
                          const gchar *config_digest,
                          const gchar *manifest_digest,
                          const gchar *const *blobsums,
                          const gchar *chain_id)
{
  g_free (self->config_digest);
  self->config_digest = g_strdup (config_digest);
  g_free (self->manifest_digest);
  self->manifest_digest = g_strdup (manifest_digest);
  g_strfreev (self->blobsums);
  self->blobsums = g_strdupv ((gchar **)blobsums);
  g_free (self->chain_id);
  self->chain_id = g_strdup (chain_id);
}

/**
 * berth_plugin_get_content_roots:
 * @self: a #BerthPlugin
 *
 * Returns: (transfer full): every digest and chain ID the plugin keeps alive
 *   in the content store, for garbage collection and accounting
 */
GStrv
berth_plugin_get_content_roots (BerthPlugin *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (self->config_digest != NULL)
    g_strv_builder_add (builder, self->config_digest);
  if (self->manifest_digest != NULL)
    g_strv_builder_add (builder, self->manifest_digest);
  g_strv_builder_addv (builder, (const gchar **)self->blobsums);
  for (const gchar *const *d = berth_plugin_config_get_rootfs_diff_ids (self->config);
       d != NULL && *d != NULL; d++)
    g_strv_builder_add (builder, *d);
  if (self->chain_id != NULL)
    g_strv_builder_add (builder, self->chain_id);
  return g_strv_builder_end (builder);
}

gboolean
berth_plugin_get_enabled (BerthPlugin *self)
{
  return self->enabled;
}

void
berth_plugin_set_enabled (BerthPlugin *self, gboolean enabled)
{
  self->enabled = enabled;
}

BerthPluginState
berth_plugin_get_state (BerthPlugin *self)
{
  return self->state;
}

void
berth_plugin_set_state (BerthPlugin *self, BerthPluginState state)
{
  self->state = state;
}

GPid
berth_plugin_get_pid (BerthPlugin *self)
{
  return self->pid;
}

void
berth_plugin_set_pid (BerthPlugin *self, GPid pid)
{
  self->pid = pid;
}

guint
berth_plugin_get_restart_count (BerthPlugin *self)
{
  return self->restart_count;
}

void
berth_plugin_set_restart_count (BerthPlugin *self, guint count)
{
  self->restart_count = count;
}

const gchar *
berth_plugin_get_last_exit (BerthPlugin *self)
{
  return self->last_exit;
}

void
berth_plugin_set_last_exit (BerthPlugin *self, const gchar *description)
{
  g_free (self->last_exit);
  self->last_exit = g_strdup (description);
}

gint64
berth_plugin_get_created (BerthPlugin *self)
{
  return self->created;
}

/**
 * berth_plugin_has_capability:
 * @self: a #BerthPlugin
 * @capability: e.g. `volumedriver`
 *
 * Returns: %TRUE if one of the plugin's interface types is @capability
 */
gboolean
berth_plugin_has_capability (BerthPlugin *self, const gchar *capability)
{
  return berth_plugin_config_has_capability (self->config, capability);
}

/**
 * berth_plugin_to_inspect_json:
 * @self: a #BerthPlugin
 *
 * Docker's Plugin object (keys in Docker's order), then berth's `State`:
 * live status, pid, restarts and the last exit, which Docker does not show.
 *
 * Returns: (transfer full): the object `berth plugin inspect` prints
 */
JsonNode *
berth_plugin_to_inspect_json (BerthPlugin *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Config");
  json_builder_add_value (b, berth_plugin_config_to_json_node (self->config));
  json_builder_set_member_name (b, "Enabled");
  json_builder_add_boolean_value (b, self->state == BERTH_PLUGIN_STATE_ENABLED
                                       || self->state == BERTH_PLUGIN_STATE_RESTARTING);
  json_builder_set_member_name (b, "Id");
  json_builder_add_string_value (b, self->id);
  json_builder_set_member_name (b, "Name");
  json_builder_add_string_value (b, self->name);
  if (self->reference != NULL && self->reference[0] != '\0')
    {
      json_builder_set_member_name (b, "PluginReference");
      json_builder_add_string_value (b, self->reference);
    }
  json_builder_set_member_name (b, "Settings");
  json_builder_add_value (b, berth_plugin_settings_to_json_node (self->settings));
  json_builder_set_member_name (b, "State");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Status");
  json_builder_add_string_value (b, berth_plugin_state_to_string (self->state));
  json_builder_set_member_name (b, "Pid");
  json_builder_add_int_value (b, self->pid);
  json_builder_set_member_name (b, "RestartCount");
  json_builder_add_int_value (b, self->restart_count);
  json_builder_set_member_name (b, "LastExit");
  json_builder_add_string_value (b, self->last_exit != NULL ? self->last_exit : "");
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
