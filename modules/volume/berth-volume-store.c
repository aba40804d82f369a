/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthVolume"

#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <glib/gstdio.h>

#include "berth-volume-store.h"

#define RECORD_NAME "volume.json"

/**
 * berth_volume_store_save:
 * @dir: the volumes directory
 * @volume: the volume
 * @error: return location for a #GError
 *
 * Writes the volume's record atomically and durably: a crash leaves the old
 * record or the new one.
 *
 * Returns: %TRUE on success
 */
gboolean
berth_volume_store_save (const gchar *dir, BerthVolume *volume, GError **error)
{
  g_autofree gchar *vdir = g_build_filename (dir, berth_volume_get_name (volume), NULL);
  g_autofree gchar *path = g_build_filename (vdir, RECORD_NAME, NULL);
  g_autoptr(JsonNode) record = berth_volume_to_record (volume);
  g_autofree gchar *text = berth_json_to_string (record, TRUE);

  if (g_mkdir_with_parents (vdir, 0700) != 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "creating %s: %s", vdir,
                   g_strerror (errno));
      return FALSE;
    }
  if (!g_file_set_contents_full (
        path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error))
    {
      berth_error_convert (error);
      g_prefix_error (error, "saving the record of volume %s: ", berth_volume_get_name (volume));
      return FALSE;
    }
  return TRUE;
}

/**
 * berth_volume_store_delete:
 * @dir: the volumes directory
 * @name: the volume's name
 * @error: return location for a #GError
 *
 * Removes the record and, for a local volume, its data; the record goes
 * first, so that a crash never leaves a record without its data.
 *
 * Returns: %TRUE on success
 */
gboolean
berth_volume_store_delete (const gchar *dir, const gchar *name, GError **error)
{
  g_autofree gchar *vdir = g_build_filename (dir, name, NULL);
  g_autofree gchar *path = g_build_filename (vdir, RECORD_NAME, NULL);

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "removing %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  return berth_rm_rf (vdir, error);
}

/**
 * berth_volume_store_load_all:
 * @dir: the volumes directory
 * @error: return location for a #GError
 *
 * A record that cannot be read is logged and skipped: one bad file must not
 * hide the other volumes.
 *
 * Returns: (transfer container) (element-type BerthVolume): the volumes
 */
GPtrArray *
berth_volume_store_load_all (const gchar *dir, GError **error)
{
  g_autoptr(GPtrArray) volumes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDir) d = NULL;
  g_autoptr(GError) local_error = NULL;
  const gchar *entry;

  d = g_dir_open (dir, 0, &local_error);
  if (d == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&volumes);
      g_propagate_error (error, g_steal_pointer (&local_error));
      berth_error_convert (error);
      return NULL;
    }
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir, entry, RECORD_NAME, NULL);
      g_autofree gchar *text = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(BerthVolume) volume = NULL;
      g_autoptr(GError) e = NULL;
      gsize len;

      if (!berth_volume_name_is_valid (entry))
        continue;
      if (!g_file_get_contents (path, &text, &len, &e))
        {
          if (!g_error_matches (e, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            g_warning ("skipping volume %s: %s", entry, e->message);
          continue;
        }
      node = berth_json_parse (text, len, &e);
      if (node != NULL)
        volume = berth_volume_new_from_record (node, &e);
      if (volume == NULL)
        {
          g_warning ("skipping volume %s: %s: %s", entry, path, e->message);
          continue;
        }
      if (!g_str_equal (berth_volume_get_name (volume), entry))
        {
          g_warning ("skipping volume %s: its record names %s", entry,
                     berth_volume_get_name (volume));
          continue;
        }
      g_ptr_array_add (volumes, g_steal_pointer (&volume));
    }
  return g_steal_pointer (&volumes);
}

/**
 * berth_volume_local_path:
 * @dir: the volumes directory
 * @name: the volume's name
 *
 * Returns: (transfer full): where a local volume keeps its data
 */
gchar *
berth_volume_local_path (const gchar *dir, const gchar *name)
{
  return g_build_filename (dir, name, "_data", NULL);
}

/**
 * berth_volume_local_create:
 * @dir: the volumes directory
 * @name: the volume's name
 * @options: (nullable): driver options
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the data directory exists
 */
gboolean
berth_volume_local_create (const gchar *dir, const gchar *name, GHashTable *options, GError **error)
{
  g_autofree gchar *data = berth_volume_local_path (dir, name);
  g_autofree gchar *vdir = g_build_filename (dir, name, NULL);
  GHashTableIter iter;
  gpointer key;

  if (options != NULL)
    {
      g_hash_table_iter_init (&iter, options);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          /* docker's local driver mounts type/device/o at first use;
           * berth does not yet, and says so rather than ignore them */
          if (g_str_equal (key, "type") || g_str_equal (key, "device") || g_str_equal (key, "o")
              || g_str_equal (key, "size"))
            g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                         "the local driver of berth does not support the option \"%s\" yet",
                         (const gchar *)key);
          else
            g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                         "invalid option key: \"%s\"", (const gchar *)key);
          return FALSE;
        }
    }
  if (g_mkdir_with_parents (vdir, 0701) != 0 || (g_mkdir (data, 0755) != 0 && errno != EEXIST))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "creating %s: %s", data,
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static guint64 tree_size;

static int
add_size (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  if (flag == FTW_F)
    tree_size += (guint64)st->st_blocks * 512;
  return 0;
}

/**
 * berth_volume_local_size:
 * @dir: the volumes directory
 * @name: the volume's name
 *
 * Returns: the bytes a local volume's data uses on disk
 */
guint64
berth_volume_local_size (const gchar *dir, const gchar *name)
{
  G_LOCK_DEFINE_STATIC (tree_size);
  g_autofree gchar *data = berth_volume_local_path (dir, name);
  guint64 size;

  G_LOCK (tree_size);
  tree_size = 0;
  (void)nftw (data, add_size, 16, FTW_PHYS | FTW_MOUNT);
  size = tree_size;
  G_UNLOCK (tree_size);
  return size;
}
