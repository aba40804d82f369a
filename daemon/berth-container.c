/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthEngine"

#include "config.h"

#include "berth-container.h"

#include <json-glib/json-glib.h>

/* A container's record: `<root>/containers/<id>.json`, in docker's words
 * where docker has them. */

static void
mount_free (BerthContainerMount *mount)
{
  g_free (mount->volume);
  g_free (mount->source);
  g_free (mount->destination);
  g_free (mount->mount_id);
  g_free (mount);
}

/**
 * berth_container_new:
 * @id: 64 hex digits
 *
 * Returns: (transfer full): a container being created
 */
BerthContainer *
berth_container_new (const gchar *id)
{
  BerthContainer *self = g_new0 (BerthContainer, 1);
  g_atomic_ref_count_init (&self->ref);
  self->id = g_strdup (id);
  self->exit_code = -1;
  self->mounts = g_ptr_array_new_with_free_func ((GDestroyNotify)mount_free);
  return self;
}

BerthContainer *
berth_container_ref (BerthContainer *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
berth_container_unref (BerthContainer *self)
{
  if (!g_atomic_ref_count_dec (&self->ref))
    return;
  g_free (self->id);
  g_free (self->name);
  g_free (self->image);
  g_free (self->image_id);
  g_free (self->chain_id);
  g_strfreev (self->command);
  g_free (self->created);
  g_free (self->finished);
  g_ptr_array_unref (self->mounts);
  g_free (self);
}

/**
 * berth_container_add_mount:
 * @self: a container
 * @volume: (nullable): a volume's name; %NULL for a host path
 * @source: (nullable): the host path, for a host path
 * @destination: where the container sees it
 * @readonly: read-only
 *
 * Returns: (transfer none): the new mount
 */
BerthContainerMount *
berth_container_add_mount (BerthContainer *self,
                           const gchar *volume,
                           const gchar *source,
                           const gchar *destination,
                           gboolean readonly)
{
  BerthContainerMount *mount = g_new0 (BerthContainerMount, 1);
  mount->volume = g_strdup (volume);
  mount->source = g_strdup (source);
  mount->destination = g_strdup (destination);
  mount->readonly = readonly;
  g_ptr_array_add (self->mounts, mount);
  return mount;
}

const gchar *
berth_container_state_to_string (BerthContainerState state)
{
  switch (state)
    {
      case BERTH_CONTAINER_STATE_CREATED:
        return "created";
      case BERTH_CONTAINER_STATE_RUNNING:
        return "running";
      case BERTH_CONTAINER_STATE_EXITED:
      default:
        return "exited";
    }
}

static BerthContainerState
state_from_string (const gchar *text)
{
  if (g_strcmp0 (text, "created") == 0)
    return BERTH_CONTAINER_STATE_CREATED;
  if (g_strcmp0 (text, "running") == 0)
    return BERTH_CONTAINER_STATE_RUNNING;
  return BERTH_CONTAINER_STATE_EXITED;
}

/* a member only when it has a value */
static void
add_string (JsonBuilder *builder, const gchar *name, const gchar *value)
{
  if (value != NULL)
    berth_json_builder_set_string (builder, name, value);
}

/**
 * berth_container_save:
 * @self: a container
 * @path: its record
 * @error: return location for a #GError
 *
 * Writes the record atomically.
 *
 * Returns: %TRUE on success
 */
gboolean
berth_container_save (BerthContainer *self, const gchar *path, GError **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree gchar *text = NULL;

  json_builder_begin_object (builder);
  add_string (builder, "Id", self->id);
  add_string (builder, "Name", self->name);
  add_string (builder, "Image", self->image);
  add_string (builder, "ImageID", self->image_id);
  add_string (builder, "ChainID", self->chain_id);
  berth_json_builder_set_strv (builder, "Command", (const gchar *const *)self->command);
  add_string (builder, "Created", self->created);
  add_string (builder, "State", berth_container_state_to_string (self->state));
  json_builder_set_member_name (builder, "Pid");
  json_builder_add_int_value (builder, self->pid);
  json_builder_set_member_name (builder, "ExitCode");
  json_builder_add_int_value (builder, self->exit_code);
  add_string (builder, "FinishedAt", self->finished);
  json_builder_set_member_name (builder, "AutoRemove");
  json_builder_add_boolean_value (builder, self->auto_remove);
  json_builder_set_member_name (builder, "Mounts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->mounts->len; i++)
    {
      BerthContainerMount *mount = g_ptr_array_index (self->mounts, i);
      json_builder_begin_object (builder);
      add_string (builder, "Name", mount->volume);
      add_string (builder, "Source", mount->source);
      add_string (builder, "Destination", mount->destination);
      json_builder_set_member_name (builder, "RW");
      json_builder_add_boolean_value (builder, !mount->readonly);
      add_string (builder, "MountID", mount->mount_id);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = berth_json_to_string (root, TRUE);
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      berth_error_convert (error);
      g_prefix_error (error, "saving container %.12s: ", self->id);
      return FALSE;
    }
  return TRUE;
}

/**
 * berth_container_to_inspect_json:
 * @self: a container
 *
 * Returns: (transfer full): docker's container object, the fields berth has
 */
JsonNode *
berth_container_to_inspect_json (BerthContainer *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree gchar *name = g_strconcat ("/", self->name, NULL);

  json_builder_begin_object (builder);
  berth_json_builder_set_string (builder, "Id", self->id);
  berth_json_builder_set_string (builder, "Created", self->created != NULL ? self->created : "");
  berth_json_builder_set_string (
    builder, "Path", self->command != NULL && self->command[0] != NULL ? self->command[0] : "");
  berth_json_builder_set_strv (builder, "Args",
                               self->command != NULL && self->command[0] != NULL
                                 ? (const gchar *const *)self->command + 1
                                 : (const gchar *const[]){ NULL });
  json_builder_set_member_name (builder, "State");
  json_builder_begin_object (builder);
  berth_json_builder_set_string (builder, "Status", berth_container_state_to_string (self->state));
  json_builder_set_member_name (builder, "Running");
  json_builder_add_boolean_value (builder, self->state == BERTH_CONTAINER_STATE_RUNNING);
  json_builder_set_member_name (builder, "Pid");
  json_builder_add_int_value (builder, self->pid);
  json_builder_set_member_name (builder, "ExitCode");
  json_builder_add_int_value (builder, self->exit_code < 0 ? 255 : self->exit_code);
  berth_json_builder_set_string (builder, "FinishedAt",
                                 self->finished != NULL ? self->finished : "0001-01-01T00:00:00Z");
  json_builder_end_object (builder);
  berth_json_builder_set_string (builder, "Image", self->image_id != NULL ? self->image_id : "");
  berth_json_builder_set_string (builder, "Name", name);
  json_builder_set_member_name (builder, "HostConfig");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "AutoRemove");
  json_builder_add_boolean_value (builder, self->auto_remove);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "Mounts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->mounts->len; i++)
    {
      BerthContainerMount *mount = g_ptr_array_index (self->mounts, i);
      json_builder_begin_object (builder);
      berth_json_builder_set_string (builder, "Type", mount->volume != NULL ? "volume" : "bind");
      add_string (builder, "Name", mount->volume);
      berth_json_builder_set_string (builder, "Source", mount->source != NULL ? mount->source : "");
      berth_json_builder_set_string (builder, "Destination", mount->destination);
      json_builder_set_member_name (builder, "RW");
      json_builder_add_boolean_value (builder, !mount->readonly);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "Config");
  json_builder_begin_object (builder);
  berth_json_builder_set_string (builder, "Image", self->image != NULL ? self->image : "");
  berth_json_builder_set_strv (builder, "Cmd", (const gchar *const *)self->command);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gchar *
dup_member (JsonObject *object, const gchar *name)
{
  return g_strdup (berth_json_object_get_string (object, name));
}

/**
 * berth_container_load:
 * @path: a record
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the container
 */
BerthContainer *
berth_container_load (const gchar *path, GError **error)
{
  g_autofree gchar *text = NULL;
  gsize length = 0;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(BerthContainer) self = NULL;
  JsonObject *object;
  JsonNode *mounts;
  JsonArray *array;
  const gchar *id;

  if (!g_file_get_contents (path, &text, &length, error))
    {
      berth_error_convert (error);
      return NULL;
    }
  root = berth_json_parse (text, (gssize)length, error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || (id = berth_json_object_get_string (json_node_get_object (root), "Id")) == NULL)
    {
      g_clear_error (error);
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%s: not a container record",
                   path);
      return NULL;
    }
  object = json_node_get_object (root);
  self = berth_container_new (id);
  self->name = dup_member (object, "Name");
  self->image = dup_member (object, "Image");
  self->image_id = dup_member (object, "ImageID");
  self->chain_id = dup_member (object, "ChainID");
  self->created = dup_member (object, "Created");
  self->finished = dup_member (object, "FinishedAt");
  self->state = state_from_string (berth_json_object_get_string (object, "State"));
  self->pid = (GPid)json_object_get_int_member_with_default (object, "Pid", 0);
  self->exit_code = (gint)json_object_get_int_member_with_default (object, "ExitCode", -1);
  self->auto_remove = json_object_get_boolean_member_with_default (object, "AutoRemove", FALSE);
  self->command = berth_json_object_get_strv (object, "Command", error);
  if (self->command == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  mounts = json_object_get_member (object, "Mounts");
  array = mounts != NULL && JSON_NODE_HOLDS_ARRAY (mounts) ? json_node_get_array (mounts) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *m;
      BerthContainerMount *mount;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      m = json_node_get_object (node);
      mount = berth_container_add_mount (
        self, berth_json_object_get_string (m, "Name"), berth_json_object_get_string (m, "Source"),
        berth_json_object_get_string (m, "Destination"),
        !json_object_get_boolean_member_with_default (m, "RW", TRUE));
      mount->mount_id = dup_member (m, "MountID");
    }
  return g_steal_pointer (&self);
}
