/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "sshfs-volume.h"

#include <berth-plugin.h>
#include <string.h>

void
sshfs_volume_free (SshfsVolume *volume)
{
  if (volume == NULL)
    return;
  g_free (volume->sshcmd);
  g_free (volume->password);
  g_free (volume->port);
  g_ptr_array_unref (volume->options);
  g_free (volume->mountpoint);
  g_ptr_array_unref (volume->mount_ids);
  g_free (volume);
}

/* g_set_str() is GLib 2.76 */
static void
replace_str (gchar **slot, const gchar *value)
{
  g_free (*slot);
  *slot = g_strdup (value);
}

static SshfsVolume *
sshfs_volume_new (void)
{
  SshfsVolume *volume = g_new0 (SshfsVolume, 1);

  volume->options = g_ptr_array_new_with_free_func (g_free);
  volume->mount_ids = g_ptr_array_new_with_free_func (g_free);
  return volume;
}

/**
 * sshfs_mountpoint_for:
 * @volumes_dir: the propagated mount, /mnt/volumes in the plugin
 * @sshcmd: the remote, `user@host:path`
 *
 * Computes the mountpoint as the Go plugin does: the MD5 of @sshcmd, in hex,
 * under @volumes_dir. Volumes with the same remote share it.
 *
 * Returns: (transfer full): the mountpoint
 */
gchar *
sshfs_mountpoint_for (const gchar *volumes_dir, const gchar *sshcmd)
{
  g_autofree gchar *digest = g_compute_checksum_for_string (G_CHECKSUM_MD5, sshcmd, -1);

  return g_build_filename (volumes_dir, digest, NULL);
}

static gboolean
valid_port (const gchar *port)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (port, 10, 1, 65535, &value, NULL))
    return FALSE;
  return TRUE;
}

/* FUSE splits -o values at commas unless escaped with a backslash */
static gchar *
escape_option_value (const gchar *value)
{
  GString *out = g_string_sized_new (strlen (value));

  for (const gchar *p = value; *p != '\0'; p++)
    {
      if (*p == ',' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/**
 * sshfs_volume_new_from_opts:
 * @opts: the options of `volume create -o`
 * @volumes_dir: where mountpoints go
 * @error: return location for a #GError
 *
 * Reads the options as the Go plugin does: `sshcmd` (required), `password`
 * and `port` are its own; any other `key=value` becomes `-o key=value` for
 * sshfs (an empty value gives `-o key`), in the order of the keys.
 *
 * Returns: (transfer full): the volume, or %NULL with @error set
 */
SshfsVolume *
sshfs_volume_new_from_opts (GHashTable *opts, const gchar *volumes_dir, GError **error)
{
  g_autoptr(SshfsVolume) volume = sshfs_volume_new ();
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_hash_table_iter_init (&iter, opts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_strings);

  for (guint i = 0; i < keys->len; i++)
    {
      const gchar *k = g_ptr_array_index (keys, i);

      value = g_hash_table_lookup (opts, k);
      if (g_strcmp0 (k, "sshcmd") == 0)
        replace_str (&volume->sshcmd, value);
      else if (g_strcmp0 (k, "password") == 0)
        replace_str (&volume->password, value);
      else if (g_strcmp0 (k, "port") == 0)
        replace_str (&volume->port, value);
      else if (k[0] == '\0' || k[0] == '-' || strpbrk (k, ",=\\ \t\n") != NULL)
        {
          g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                       "invalid option name '%s'", k);
          return NULL;
        }
      else if (((const gchar *)value)[0] != '\0')
        {
          g_autofree gchar *escaped = escape_option_value (value);
          g_ptr_array_add (volume->options, g_strdup_printf ("%s=%s", k, escaped));
        }
      else
        g_ptr_array_add (volume->options, g_strdup (k));
    }

  if (volume->sshcmd == NULL || volume->sshcmd[0] == '\0')
    {
      g_set_error_literal (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                           "'sshcmd' option required");
      return NULL;
    }
  /* it is an argument of sshfs: it must not read as an option */
  if (volume->sshcmd[0] == '-')
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                   "invalid 'sshcmd' option '%s'", volume->sshcmd);
      return NULL;
    }
  if (volume->port != NULL && volume->port[0] != '\0' && !valid_port (volume->port))
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                   "invalid 'port' option '%s'", volume->port);
      return NULL;
    }
  volume->mountpoint = sshfs_mountpoint_for (volumes_dir, volume->sshcmd);
  return g_steal_pointer (&volume);
}

static gboolean
read_string (JsonObject *object, const gchar *key, gchar **out, GError **error)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                   "%s is not a string", key);
      return FALSE;
    }
  replace_str (out, json_node_get_string (node));
  return TRUE;
}

static gboolean
read_strings (JsonObject *object, const gchar *key, GPtrArray *out, GError **error)
{
  JsonNode *node = json_object_get_member (object, key);
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                   "%s is not an array", key);
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                       "%s holds something other than strings", key);
          return FALSE;
        }
      g_ptr_array_add (out, g_strdup (json_node_get_string (element)));
    }
  return TRUE;
}

/**
 * sshfs_volume_new_from_json:
 * @object: one value of the state file
 * @error: return location for a #GError
 *
 * Reads a volume back from the state file.
 *
 * Returns: (transfer full): the volume, or %NULL with @error set
 */
SshfsVolume *
sshfs_volume_new_from_json (JsonObject *object, GError **error)
{
  g_autoptr(SshfsVolume) volume = sshfs_volume_new ();

  if (!read_string (object, "Sshcmd", &volume->sshcmd, error)
      || !read_string (object, "Password", &volume->password, error)
      || !read_string (object, "Port", &volume->port, error)
      || !read_strings (object, "Options", volume->options, error)
      || !read_string (object, "Mountpoint", &volume->mountpoint, error)
      || !read_strings (object, "MountIDs", volume->mount_ids, error))
    return NULL;
  if (volume->sshcmd == NULL || volume->mountpoint == NULL)
    {
      g_set_error_literal (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                           "Sshcmd or Mountpoint missing");
      return NULL;
    }
  return g_steal_pointer (&volume);
}

static JsonArray *
strings_to_json (GPtrArray *strings)
{
  JsonArray *array = json_array_sized_new (strings->len);

  for (guint i = 0; i < strings->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (strings, i));
  return array;
}

/**
 * sshfs_volume_to_json:
 * @volume: a volume
 *
 * Writes @volume for the state file.
 *
 * Returns: (transfer full): a JSON object
 */
JsonObject *
sshfs_volume_to_json (const SshfsVolume *volume)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "Password",
                                 volume->password != NULL ? volume->password : "");
  json_object_set_string_member (object, "Sshcmd", volume->sshcmd);
  json_object_set_string_member (object, "Port", volume->port != NULL ? volume->port : "");
  json_object_set_array_member (object, "Options", strings_to_json (volume->options));
  json_object_set_string_member (object, "Mountpoint", volume->mountpoint);
  json_object_set_array_member (object, "MountIDs", strings_to_json (volume->mount_ids));
  return object;
}

static gboolean
has_option (const SshfsVolume *volume, const gchar *name)
{
  gsize len = strlen (name);

  for (guint i = 0; i < volume->options->len; i++)
    {
      const gchar *option = g_ptr_array_index (volume->options, i);

      if (g_ascii_strncasecmp (option, name, len) == 0
          && (option[len] == '=' || option[len] == '\0'))
        return TRUE;
    }
  return FALSE;
}

/**
 * sshfs_volume_build_argv:
 * @volume: a volume
 * @sshfs_program: the sshfs executable
 *
 * Builds the command line the Go plugin runs: `sshfs <sshcmd> <mountpoint>
 * [-p <port>] [-o workaround=rename -o password_stdin] [-o <option>]...`,
 * with `-o StrictHostKeyChecking=no` first unless the volume sets it (ssh
 * takes the first value it is given). The password, if any, goes to stdin.
 *
 * Returns: (transfer full): the argument vector
 */
GStrv
sshfs_volume_build_argv (const SshfsVolume *volume, const gchar *sshfs_program)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, sshfs_program);
  if (!has_option (volume, "StrictHostKeyChecking"))
    g_strv_builder_add (builder, "-oStrictHostKeyChecking=no");
  g_strv_builder_add (builder, volume->sshcmd);
  g_strv_builder_add (builder, volume->mountpoint);
  if (volume->port != NULL && volume->port[0] != '\0')
    g_strv_builder_addv (builder, (const gchar *[]){ "-p", volume->port, NULL });
  if (volume->password != NULL && volume->password[0] != '\0')
    g_strv_builder_addv (
      builder, (const gchar *[]){ "-o", "workaround=rename", "-o", "password_stdin", NULL });
  for (guint i = 0; i < volume->options->len; i++)
    g_strv_builder_addv (builder,
                         (const gchar *[]){ "-o", g_ptr_array_index (volume->options, i), NULL });
  return g_strv_builder_end (builder);
}

/**
 * sshfs_volume_has_mount_id:
 * @volume: a volume
 * @id: a mount ID
 *
 * Returns: whether @id holds @volume mounted
 */
gboolean
sshfs_volume_has_mount_id (const SshfsVolume *volume, const gchar *id)
{
  for (guint i = 0; i < volume->mount_ids->len; i++)
    {
      if (g_strcmp0 (g_ptr_array_index (volume->mount_ids, i), id) == 0)
        return TRUE;
    }
  return FALSE;
}
