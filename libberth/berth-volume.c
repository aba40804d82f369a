/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <string.h>
#include <sys/random.h>

#include "berth-error.h"
#include "berth-json.h"
#include "berth-volume.h"

/**
 * BerthVolume:
 *
 * A volume as berth records it: its name, its driver (`local`, or the full
 * name of the plugin that serves it, with the plugin's ID), the options and
 * labels it was created with, the mounts that hold it (by mount ID), and
 * what its driver last said (mountpoint, status, scope). The record is what
 * survives a restart of berthd; the state is live.
 */
struct _BerthVolume
{
  GObject parent_instance;
  gchar *name;
  gchar *driver;
  gchar *plugin_id;
  gchar *created_at;
  gchar *mountpoint;
  const gchar *scope;  /* interned: `local` or `global` */
  GHashTable *labels;  /* nullable */
  GHashTable *options; /* nullable */
  JsonNode *status;    /* nullable */
  /* both NULL until the first mount: most volumes of a host with 10,000
   * are not mounted, and each array costs more than the volume's name */
  GPtrArray *mount_ids;
  GPtrArray *mount_paths;
  BerthVolumeState state;
};

G_DEFINE_FINAL_TYPE (BerthVolume, berth_volume, G_TYPE_OBJECT)

/**
 * berth_volume_state_to_string:
 * @state: a #BerthVolumeState
 *
 * Returns: `ready`, `disabled` or `unresponsive`
 */
const gchar *
berth_volume_state_to_string (BerthVolumeState state)
{
  switch (state)
    {
      case BERTH_VOLUME_STATE_READY:
        return "ready";
      case BERTH_VOLUME_STATE_DISABLED:
        return "disabled";
      case BERTH_VOLUME_STATE_UNRESPONSIVE:
        return "unresponsive";
      default:
        return "unknown";
    }
}

static void
berth_volume_finalize (GObject *object)
{
  BerthVolume *self = BERTH_VOLUME (object);

  g_free (self->name);
  g_free (self->driver);
  g_free (self->plugin_id);
  g_free (self->created_at);
  g_free (self->mountpoint);
  g_clear_pointer (&self->labels, g_hash_table_unref);
  g_clear_pointer (&self->options, g_hash_table_unref);
  g_clear_pointer (&self->status, json_node_unref);
  g_clear_pointer (&self->mount_ids, g_ptr_array_unref);
  g_clear_pointer (&self->mount_paths, g_ptr_array_unref);
  G_OBJECT_CLASS (berth_volume_parent_class)->finalize (object);
}

static void
berth_volume_class_init (BerthVolumeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = berth_volume_finalize;
}

static void
berth_volume_init (BerthVolume *self)
{
  self->scope = g_intern_static_string ("local");
}

/**
 * berth_volume_new:
 * @name: the volume's name
 * @driver: `local`, or the plugin's full name
 * @plugin_id: (nullable): the plugin's ID; %NULL for the local driver
 *
 * Returns: (transfer full): a new volume record, created now
 */
BerthVolume *
berth_volume_new (const gchar *name, const gchar *driver, const gchar *plugin_id)
{
  BerthVolume *self = g_object_new (BERTH_TYPE_VOLUME, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree gchar *created_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

  self->name = g_strdup (name);
  self->driver = g_strdup (driver);
  self->plugin_id = g_strdup (plugin_id);
  /* a copy: the formatted string keeps a buffer four times its size */
  self->created_at = g_strdup (created_at);
  return self;
}

static GHashTable *
string_map_from_json (JsonNode *node)
{
  GHashTable *map;
  JsonObjectIter iter;
  const gchar *key;
  JsonNode *value;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &key, &value))
    if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
      g_hash_table_insert (map, g_strdup (key), g_strdup (json_node_get_string (value)));
  return map;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* keys sorted, as Go's encoding/json writes a map */
static void
add_string_map (JsonBuilder *builder, const gchar *member, GHashTable *map)
{
  g_autofree gpointer *keys = NULL;
  guint n = 0;

  json_builder_set_member_name (builder, member);
  if (map == NULL || g_hash_table_size (map) == 0)
    {
      json_builder_add_null_value (builder);
      return;
    }
  keys = g_hash_table_get_keys_as_array (map, &n);
  qsort (keys, n, sizeof (gpointer), compare_strings);
  json_builder_begin_object (builder);
  for (guint i = 0; i < n; i++)
    {
      json_builder_set_member_name (builder, keys[i]);
      json_builder_add_string_value (builder, g_hash_table_lookup (map, keys[i]));
    }
  json_builder_end_object (builder);
}

/**
 * berth_volume_new_from_record:
 * @record: what berth_volume_to_record() wrote
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the volume, or %NULL if @record is not one
 */
BerthVolume *
berth_volume_new_from_record (JsonNode *record, GError **error)
{
  g_autoptr(BerthVolume) self = NULL;
  JsonObject *object;
  JsonArray *mounts;
  const gchar *name;
  const gchar *driver;

  if (record == NULL || !JSON_NODE_HOLDS_OBJECT (record))
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "a volume record is a JSON object");
      return NULL;
    }
  object = json_node_get_object (record);
  name = berth_json_object_get_string (object, "Name");
  driver = berth_json_object_get_string (object, "Driver");
  if (name == NULL || !berth_volume_name_is_valid (name) || driver == NULL || driver[0] == '\0')
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "a volume record needs a valid Name and a Driver");
      return NULL;
    }
  self = berth_volume_new (name, driver, berth_json_object_get_string (object, "PluginId"));
  berth_volume_set_created_at (self, berth_json_object_get_string (object, "CreatedAt"));
  berth_volume_set_mountpoint (self, berth_json_object_get_string (object, "Mountpoint"));
  berth_volume_set_scope (self, berth_json_object_get_string (object, "Scope"));
  self->labels = string_map_from_json (json_object_get_member (object, "Labels"));
  self->options = string_map_from_json (json_object_get_member (object, "Options"));
  mounts = json_object_has_member (object, "Mounts")
               && JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "Mounts"))
             ? json_object_get_array_member (object, "Mounts")
             : NULL;
  for (guint i = 0; mounts != NULL && i < json_array_get_length (mounts); i++)
    {
      JsonNode *element = json_array_get_element (mounts, i);
      JsonObject *mount;
      const gchar *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      mount = json_node_get_object (element);
      id = berth_json_object_get_string (mount, "ID");
      if (id != NULL)
        berth_volume_add_mount (self, id, berth_json_object_get_string (mount, "Path"));
    }
  return g_steal_pointer (&self);
}

/**
 * berth_volume_to_record:
 * @self: a #BerthVolume
 *
 * Returns: (transfer full): what berth keeps of the volume across restarts
 */
JsonNode *
berth_volume_to_record (BerthVolume *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (BERTH_IS_VOLUME (self), NULL);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, self->name);
  json_builder_set_member_name (builder, "Driver");
  json_builder_add_string_value (builder, self->driver);
  if (self->plugin_id != NULL)
    {
      json_builder_set_member_name (builder, "PluginId");
      json_builder_add_string_value (builder, self->plugin_id);
    }
  json_builder_set_member_name (builder, "CreatedAt");
  json_builder_add_string_value (builder, self->created_at);
  if (self->mountpoint != NULL)
    {
      json_builder_set_member_name (builder, "Mountpoint");
      json_builder_add_string_value (builder, self->mountpoint);
    }
  json_builder_set_member_name (builder, "Scope");
  json_builder_add_string_value (builder, self->scope);
  add_string_map (builder, "Labels", self->labels);
  add_string_map (builder, "Options", self->options);
  json_builder_set_member_name (builder, "Mounts");
  json_builder_begin_array (builder);
  for (guint i = 0; self->mount_ids != NULL && i < self->mount_ids->len; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ID");
      json_builder_add_string_value (builder, self->mount_ids->pdata[i]);
      if (self->mount_paths->pdata[i] != NULL)
        {
          json_builder_set_member_name (builder, "Path");
          json_builder_add_string_value (builder, self->mount_paths->pdata[i]);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/**
 * berth_volume_to_inspect_json:
 * @self: a #BerthVolume
 *
 * Docker's `Volume` object (reference §2.7): CreatedAt, Driver, Labels,
 * Mountpoint, Name, Options, Scope, and Status when the driver gave one.
 * `Labels` and `Options` are null when unset, as docker writes them.
 *
 * Returns: (transfer full): the JSON `volume inspect` prints
 */
JsonNode *
berth_volume_to_inspect_json (BerthVolume *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (BERTH_IS_VOLUME (self), NULL);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "CreatedAt");
  json_builder_add_string_value (builder, self->created_at);
  json_builder_set_member_name (builder, "Driver");
  json_builder_add_string_value (builder, self->driver);
  add_string_map (builder, "Labels", self->labels);
  json_builder_set_member_name (builder, "Mountpoint");
  json_builder_add_string_value (builder, self->mountpoint != NULL ? self->mountpoint : "");
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, self->name);
  add_string_map (builder, "Options", self->options);
  json_builder_set_member_name (builder, "Scope");
  json_builder_add_string_value (builder, self->scope);
  if (self->status != NULL)
    {
      json_builder_set_member_name (builder, "Status");
      json_builder_add_value (builder, json_node_copy (self->status));
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/**
 * berth_volume_get_name:
 * @self: a #BerthVolume
 *
 * Returns: the volume's name
 */
const gchar *
berth_volume_get_name (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), NULL);
  return self->name;
}

/**
 * berth_volume_get_driver:
 * @self: a #BerthVolume
 *
 * Returns: `local`, or the full name of the plugin serving the volume
 */
const gchar *
berth_volume_get_driver (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), NULL);
  return self->driver;
}

/**
 * berth_volume_set_driver:
 * @self: a #BerthVolume
 * @driver: the driver's name
 */
void
berth_volume_set_driver (BerthVolume *self, const gchar *driver)
{
  g_return_if_fail (BERTH_IS_VOLUME (self));
  g_free (self->driver);
  self->driver = g_strdup (driver);
}

/**
 * berth_volume_get_plugin_id:
 * @self: a #BerthVolume
 *
 * Returns: (nullable): the ID of the plugin serving the volume
 */
const gchar *
berth_volume_get_plugin_id (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), NULL);
  return self->plugin_id;
}

/**
 * berth_volume_set_plugin_id:
 * @self: a #BerthVolume
 * @plugin_id: (nullable): the plugin's ID
 */
void
berth_volume_set_plugin_id (BerthVolume *self, const gchar *plugin_id)
{
  g_return_if_fail (BERTH_IS_VOLUME (self));
  g_free (self->plugin_id);
  self->plugin_id = g_strdup (plugin_id);
}

/**
 * berth_volume_is_local:
 * @self: a #BerthVolume
 *
 * Returns: %TRUE if the built-in local driver serves the volume
 */
gboolean
berth_volume_is_local (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), FALSE);
  return g_strcmp0 (self->driver, BERTH_VOLUME_LOCAL_DRIVER) == 0;
}

/**
 * berth_volume_get_created_at:
 * @self: a #BerthVolume
 *
 * Returns: when the volume was created, RFC 3339
 */
const gchar *
berth_volume_get_created_at (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), NULL);
  return self->created_at;
}

/**
 * berth_volume_set_created_at:
 * @self: a #BerthVolume
 * @created_at: RFC 3339
 */
void
berth_volume_set_created_at (BerthVolume *self, const gchar *created_at)
{
  g_return_if_fail (BERTH_IS_VOLUME (self));
  if (created_at == NULL || created_at == self->created_at)
    return;
  g_free (self->created_at);
  self->created_at = g_strdup (created_at);
}

/**
 * berth_volume_get_mountpoint:
 * @self: a #BerthVolume
 *
 * Returns: (nullable): the host path of the volume's data, when known
 */
const gchar *
berth_volume_get_mountpoint (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), NULL);
  return self->mountpoint;
}

/**
 * berth_volume_set_mountpoint:
 * @self: a #BerthVolume
 * @mountpoint: (nullable): a host path
 */
void
berth_volume_set_mountpoint (BerthVolume *self, const gchar *mountpoint)
{
  g_return_if_fail (BERTH_IS_VOLUME (self));
  if (mountpoint == self->mountpoint)
    return;
  g_free (self->mountpoint);
  self->mountpoint = g_strdup (mountpoint);
}

/**
 * berth_volume_get_scope:
 * @self: a #BerthVolume
 *
 * Returns: `local` or `global`
 */
const gchar *
berth_volume_get_scope (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), NULL);
  return self->scope;
}

/**
 * berth_volume_set_scope:
 * @self: a #BerthVolume
 * @scope: `local` or `global`; anything else is `local`, as docker has
 *   only these two
 */
void
berth_volume_set_scope (BerthVolume *self, const gchar *scope)
{
  g_return_if_fail (BERTH_IS_VOLUME (self));
  self->scope = g_strcmp0 (scope, "global") == 0 ? g_intern_static_string ("global")
                                                 : g_intern_static_string ("local");
}

/**
 * berth_volume_get_labels:
 * @self: a #BerthVolume
 *
 * Returns: (transfer none) (nullable): the labels, %NULL when none were given
 */
GHashTable *
berth_volume_get_labels (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), NULL);
  return self->labels;
}

/**
 * berth_volume_set_labels:
 * @self: a #BerthVolume
 * @labels: (nullable): string to string
 */
void
berth_volume_set_labels (BerthVolume *self, GHashTable *labels)
{
  g_return_if_fail (BERTH_IS_VOLUME (self));
  if (labels != NULL)
    g_hash_table_ref (labels);
  g_clear_pointer (&self->labels, g_hash_table_unref);
  self->labels = labels;
}

/**
 * berth_volume_get_options:
 * @self: a #BerthVolume
 *
 * Returns: (transfer none) (nullable): the driver options it was created with
 */
GHashTable *
berth_volume_get_options (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), NULL);
  return self->options;
}

/**
 * berth_volume_set_options:
 * @self: a #BerthVolume
 * @options: (nullable): string to string
 */
void
berth_volume_set_options (BerthVolume *self, GHashTable *options)
{
  g_return_if_fail (BERTH_IS_VOLUME (self));
  if (options != NULL)
    g_hash_table_ref (options);
  g_clear_pointer (&self->options, g_hash_table_unref);
  self->options = options;
}

/**
 * berth_volume_get_status:
 * @self: a #BerthVolume
 *
 * Returns: (transfer none) (nullable): what the driver last said in `Status`
 */
JsonNode *
berth_volume_get_status (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), NULL);
  return self->status;
}

/**
 * berth_volume_set_status:
 * @self: a #BerthVolume
 * @status: (nullable): a JSON object
 */
void
berth_volume_set_status (BerthVolume *self, JsonNode *status)
{
  g_return_if_fail (BERTH_IS_VOLUME (self));
  g_clear_pointer (&self->status, json_node_unref);
  if (status != NULL && JSON_NODE_HOLDS_OBJECT (status))
    self->status = json_node_copy (status);
}

/**
 * berth_volume_get_state:
 * @self: a #BerthVolume
 *
 * Returns: the state of the volume's driver
 */
BerthVolumeState
berth_volume_get_state (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), BERTH_VOLUME_STATE_DISABLED);
  return self->state;
}

/**
 * berth_volume_set_state:
 * @self: a #BerthVolume
 * @state: the state of its driver
 */
void
berth_volume_set_state (BerthVolume *self, BerthVolumeState state)
{
  g_return_if_fail (BERTH_IS_VOLUME (self));
  self->state = state;
}

/**
 * berth_volume_is_anonymous:
 * @self: a #BerthVolume
 *
 * Returns: %TRUE if it was created without a name
 */
gboolean
berth_volume_is_anonymous (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), FALSE);
  return self->labels != NULL && g_hash_table_contains (self->labels, BERTH_VOLUME_ANONYMOUS_LABEL);
}

/**
 * berth_volume_get_mount_ids:
 * @self: a #BerthVolume
 *
 * Returns: (transfer full): the IDs of the mounts that hold the volume
 */
GStrv
berth_volume_get_mount_ids (BerthVolume *self)
{
  GStrv ids;

  g_return_val_if_fail (BERTH_IS_VOLUME (self), NULL);
  ids = g_new0 (gchar *, (self->mount_ids != NULL ? self->mount_ids->len : 0) + 1);
  for (guint i = 0; self->mount_ids != NULL && i < self->mount_ids->len; i++)
    ids[i] = g_strdup (self->mount_ids->pdata[i]);
  return ids;
}

static gint
mount_index (BerthVolume *self, const gchar *mount_id)
{
  for (guint i = 0; self->mount_ids != NULL && i < self->mount_ids->len; i++)
    if (g_str_equal (self->mount_ids->pdata[i], mount_id))
      return i;
  return -1;
}

/**
 * berth_volume_get_mount_path:
 * @self: a #BerthVolume
 * @mount_id: a mount ID
 *
 * Returns: (nullable): the host path that mount gave, %NULL if there is no
 *   such mount (or it is being made)
 */
const gchar *
berth_volume_get_mount_path (BerthVolume *self, const gchar *mount_id)
{
  gint i;

  g_return_val_if_fail (BERTH_IS_VOLUME (self), NULL);
  i = mount_index (self, mount_id);
  return i < 0 ? NULL : self->mount_paths->pdata[i];
}

/**
 * berth_volume_has_mounts:
 * @self: a #BerthVolume
 *
 * Returns: %TRUE if a mount holds the volume
 */
gboolean
berth_volume_has_mounts (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), FALSE);
  return self->mount_ids != NULL && self->mount_ids->len > 0;
}

/**
 * berth_volume_get_n_mounts:
 * @self: a #BerthVolume
 *
 * Returns: how many mounts hold the volume
 */
guint
berth_volume_get_n_mounts (BerthVolume *self)
{
  g_return_val_if_fail (BERTH_IS_VOLUME (self), 0);
  return self->mount_ids != NULL ? self->mount_ids->len : 0;
}

/**
 * berth_volume_add_mount:
 * @self: a #BerthVolume
 * @mount_id: a mount ID
 * @path: (nullable): its host path, %NULL while the mount is being made
 *
 * Adds the mount, or sets the path of the mount with that ID.
 */
void
berth_volume_add_mount (BerthVolume *self, const gchar *mount_id, const gchar *path)
{
  gint i;

  g_return_if_fail (BERTH_IS_VOLUME (self));
  g_return_if_fail (mount_id != NULL);
  i = mount_index (self, mount_id);
  if (i >= 0)
    {
      g_free (self->mount_paths->pdata[i]);
      self->mount_paths->pdata[i] = g_strdup (path);
      return;
    }
  if (self->mount_ids == NULL)
    {
      self->mount_ids = g_ptr_array_new_with_free_func (g_free);
      self->mount_paths = g_ptr_array_new_with_free_func (g_free);
    }
  g_ptr_array_add (self->mount_ids, g_strdup (mount_id));
  g_ptr_array_add (self->mount_paths, g_strdup (path));
}

/**
 * berth_volume_remove_mount:
 * @self: a #BerthVolume
 * @mount_id: a mount ID
 *
 * Returns: %TRUE if the volume had that mount
 */
gboolean
berth_volume_remove_mount (BerthVolume *self, const gchar *mount_id)
{
  gint i;

  g_return_val_if_fail (BERTH_IS_VOLUME (self), FALSE);
  i = mount_index (self, mount_id);
  if (i < 0)
    return FALSE;
  g_ptr_array_remove_index (self->mount_ids, i);
  g_ptr_array_remove_index (self->mount_paths, i);
  return TRUE;
}

/**
 * berth_volume_generate_id:
 *
 * Returns: (transfer full): 64 random lowercase hex digits, as docker's
 *   generated volume names and mount IDs
 */
gchar *
berth_volume_generate_id (void)
{
  guint8 bytes[32];
  GString *id = g_string_sized_new (64);

  /* the kernel's random bytes, as docker's crypto/rand; GRand only if the
   * kernel cannot give them */
  if (getrandom (bytes, sizeof bytes, 0) != sizeof bytes)
    for (guint i = 0; i < sizeof bytes; i++)
      bytes[i] = g_random_int_range (0, 256);
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (id, "%02x", bytes[i]);
  return g_string_free (id, FALSE);
}

/**
 * berth_volume_name_is_valid:
 * @name: a volume name
 *
 * Docker's rule for local volume names, `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, less
 * its two-character minimum, which berth applies to every driver: the name
 * is a directory of the state root. (docker's local driver also wants two
 * characters; plugins take one.)
 *
 * Returns: %TRUE if @name is a valid volume name
 */
gboolean
berth_volume_name_is_valid (const gchar *name)
{
  gsize len;

  if (name == NULL)
    return FALSE;
  len = strlen (name);
  if (len < 1 || len > 255 || !g_ascii_isalnum (name[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '_' && name[i] != '.' && name[i] != '-')
      return FALSE;
  return TRUE;
}

static gboolean
filter_bool (const gchar *key, const gchar *value, gboolean *out, GError **error)
{
  if (g_ascii_strcasecmp (value, "true") == 0 || g_str_equal (value, "1"))
    *out = TRUE;
  else if (g_ascii_strcasecmp (value, "false") == 0 || g_str_equal (value, "0"))
    *out = FALSE;
  else
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "invalid filter '%s=%s'", key,
                   value);
      return FALSE;
    }
  return TRUE;
}

/**
 * berth_volume_matches_filters:
 * @self: a #BerthVolume
 * @filters: (nullable) (array zero-terminated=1): `volume ls` filters,
 *   `KEY=VALUE` each: `dangling=true|false` (no mount holds it),
 *   `driver=NAME` (`vieux/sshfs` matches `vieux/sshfs:latest`),
 *   `name=TEXT` (a part of the name), `label=KEY` or `label=KEY=VALUE`
 * @error: return location for a #GError
 *
 * Filters of different keys must all match; several `label` filters must
 * all match, several of another key match if any does, as docker's.
 *
 * Returns: %TRUE if the volume matches, %FALSE if not or with @error set
 *   for a filter that is not one
 */
gboolean
berth_volume_matches_filters (BerthVolume *self, const gchar *const *filters, GError **error)
{
  const gchar *keys[] = { "dangling", "driver", "name", "label" };
  gboolean seen[G_N_ELEMENTS (keys)] = { FALSE };
  gboolean matched[G_N_ELEMENTS (keys)] = { FALSE };

  g_return_val_if_fail (BERTH_IS_VOLUME (self), FALSE);
  for (guint i = 0; filters != NULL && filters[i] != NULL; i++)
    {
      const gchar *eq = strchr (filters[i], '=');
      g_autofree gchar *key = eq != NULL ? g_strndup (filters[i], eq - filters[i]) : NULL;
      const gchar *value = eq != NULL ? eq + 1 : NULL;
      gboolean match = FALSE;
      guint k;

      for (k = 0; key != NULL && k < G_N_ELEMENTS (keys); k++)
        if (g_str_equal (key, keys[k]))
          break;
      if (key == NULL || k == G_N_ELEMENTS (keys))
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "invalid filter '%s'",
                       filters[i]);
          return FALSE;
        }
      if (k == 0)
        {
          gboolean dangling;
          if (!filter_bool (key, value, &dangling, error))
            return FALSE;
          match = dangling == !berth_volume_has_mounts (self);
        }
      else if (k == 1)
        {
          g_autofree gchar *tagged = g_strconcat (value, ":latest", NULL);
          match = g_strcmp0 (self->driver, value) == 0 || g_strcmp0 (self->driver, tagged) == 0;
        }
      else if (k == 2)
        match = strstr (self->name, value) != NULL;
      else
        {
          const gchar *veq = strchr (value, '=');
          g_autofree gchar *lkey = veq != NULL ? g_strndup (value, veq - value) : g_strdup (value);
          const gchar *lvalue
            = self->labels != NULL ? g_hash_table_lookup (self->labels, lkey) : NULL;
          match = self->labels != NULL && g_hash_table_contains (self->labels, lkey)
                  && (veq == NULL || g_strcmp0 (lvalue, veq + 1) == 0);
        }
      /* labels must all match (docker's MatchKVList); the rest any */
      matched[k] = k == 3 ? (seen[k] ? matched[k] : TRUE) && match : matched[k] || match;
      seen[k] = TRUE;
    }
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    if (seen[k] && !matched[k])
      return FALSE;
  return TRUE;
}
