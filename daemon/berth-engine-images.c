/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthEngine"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>

#include "berth-engine-private.h"

/* Images: pulled through the same transport as plugins (any config media
 * type, the `repository` scope), or imported from a root file system tar as
 * `docker import` does; their layers land in the same content store, so a
 * layer an image shares with a plugin is stored once. Each image is a
 * record under <root>/images, written after its content is stored and
 * while that content is held from garbage collection. */

#define IMPORT_COMMENT "Imported from -"

static gchar *
record_path (BerthEngine *self, const gchar *id)
{
  g_autofree gchar *name = g_strconcat (id + strlen ("sha256:"), ".json", NULL);
  return berth_paths_build (self->paths, BERTH_PATH_IMAGES, name, NULL);
}

static gboolean
save_image (BerthEngine *self, BerthImage *image, GError **error)
{
  g_autofree gchar *path = record_path (self, berth_image_get_id (image));

  if (!berth_image_save (image, path, error))
    {
      g_prefix_error (error, "saving image %s: ", berth_image_get_id (image));
      return FALSE;
    }
  return TRUE;
}

static void
save_image_or_warn (BerthEngine *self, BerthImage *image)
{
  g_autoptr(GError) error = NULL;

  if (!save_image (self, image, &error))
    g_warning ("%s", error->message);
}

/* `busybox` → `docker.io/library/busybox:latest` */
static BerthReference *
parse_tagged (const gchar *text, GError **error)
{
  g_autoptr(BerthReference) ref = berth_reference_parse (text, error);

  if (ref == NULL)
    return NULL;
  return berth_reference_with_default_tag (ref);
}

/* ---- lookup ------------------------------------------------------------- */

static gint
compare_newest_first (gconstpointer a, gconstpointer b)
{
  BerthImage *x = *(BerthImage **)a, *y = *(BerthImage **)b;
  gint64 cx = berth_image_get_created_unix (x), cy = berth_image_get_created_unix (y);

  if (cx != cy)
    return cx > cy ? -1 : 1;
  return g_strcmp0 (berth_image_get_id (x), berth_image_get_id (y));
}

/**
 * berth_engine_list_images:
 * @self: a #BerthEngine
 *
 * Returns: (transfer container) (element-type BerthImage): every image,
 *   newest first, as `docker images` lists them
 */
GPtrArray *
berth_engine_list_images (BerthEngine *self)
{
  GPtrArray *images = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->images);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (images, g_object_ref (value));
  g_ptr_array_sort (images, compare_newest_first);
  return images;
}

static BerthImage *
find_by_tag (BerthEngine *self, const gchar *reference)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->images);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (berth_image_has_tag (value, reference))
      return value;
  return NULL;
}

/* `name@sha256:…`: the image pulled from there by that manifest or index */
static BerthImage *
find_by_repo_digest (BerthEngine *self, const gchar *reference)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->images);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_strv_contains (berth_image_get_repo_digests (value), reference))
      return value;
  return NULL;
}

static gboolean
is_hex (const gchar *text)
{
  if (text[0] == '\0')
    return FALSE;
  for (const gchar *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* an ID or a unique prefix of one, with or without `sha256:` */
static BerthImage *
find_by_id (BerthEngine *self, const gchar *text, GError **error)
{
  const gchar *hex = g_str_has_prefix (text, "sha256:") ? text + strlen ("sha256:") : text;
  BerthImage *found = NULL;
  GHashTableIter iter;
  gpointer value;

  if (!is_hex (hex) || strlen (hex) > 64)
    return NULL;
  g_hash_table_iter_init (&iter, self->images);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (!g_str_has_prefix (berth_image_get_id (value) + strlen ("sha256:"), hex))
        continue;
      if (found != NULL)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "image ID prefix %s is ambiguous: say more of it", text);
          return NULL;
        }
      found = value;
    }
  return found;
}

/* what the user meant by @text, else NULL: a reference, or an ID */
static BerthImage *
lookup (BerthEngine *self, const gchar *text, gboolean *out_by_reference, GError **error)
{
  g_autoptr(BerthReference) ref = NULL;
  g_autofree gchar *full = NULL;
  BerthImage *image = NULL;

  *out_by_reference = FALSE;
  if (strlen (text) != 64 || !is_hex (text))
    ref = parse_tagged (text, NULL);
  if (ref != NULL)
    {
      full = berth_reference_to_string (ref);
      image = berth_reference_is_canonical (ref) ? find_by_repo_digest (self, full)
                                                 : find_by_tag (self, full);
      *out_by_reference = image != NULL;
    }
  if (image == NULL)
    image = find_by_id (self, text, error);
  return image;
}

/**
 * berth_engine_find_image:
 * @self: a #BerthEngine
 * @ref_or_id: what the user typed: a reference (`busybox` is
 *   `docker.io/library/busybox:latest`), `name@sha256:…`, an image ID with
 *   or without `sha256:`, or a unique prefix of one
 * @error: return location for a #GError
 *
 * Finds an image as docker does: by reference first, then by ID.
 *
 * Returns: (transfer full): the image, or %NULL with %BERTH_ERROR_NOT_FOUND
 *   (`No such image: busybox:latest`)
 */
BerthImage *
berth_engine_find_image (BerthEngine *self, const gchar *ref_or_id, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(BerthReference) ref = NULL;
  g_autofree gchar *shown = NULL;
  gboolean by_reference;
  BerthImage *image = lookup (self, ref_or_id, &by_reference, &local_error);

  if (image != NULL)
    return g_object_ref (image);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  ref = parse_tagged (ref_or_id, NULL);
  shown = ref != NULL ? berth_reference_to_familiar (ref) : g_strdup (ref_or_id);
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "No such image: %s", shown);
  return NULL;
}

/* ---- records ------------------------------------------------------------ */

/* @image takes @tag (a full reference), which no other image keeps: the
 * new owner is saved first, so that after a crash in between the newest
 * record wins (see images_startup) */
static gboolean
record_image (
  BerthEngine *self, BerthImage *image, const gchar *tag, const gchar *repo_digest, GError **error)
{
  GHashTableIter iter;
  gpointer value;

  if (tag != NULL)
    berth_image_add_tag (image, tag);
  if (repo_digest != NULL)
    berth_image_add_repo_digest (image, repo_digest);
  if (!save_image (self, image, error))
    return FALSE;
  g_hash_table_replace (self->images, g_strdup (berth_image_get_id (image)), g_object_ref (image));
  g_hash_table_iter_init (&iter, self->images);
  while (tag != NULL && g_hash_table_iter_next (&iter, NULL, &value))
    if (value != image && berth_image_remove_tag (value, tag))
      save_image_or_warn (self, value);
  return TRUE;
}

/* records a new image, or gives the stored one with the same ID its names */
static BerthImage *
add_image (
  BerthEngine *self, BerthImage *image, const gchar *tag, const gchar *repo_digest, GError **error)
{
  BerthImage *existing = g_hash_table_lookup (self->images, berth_image_get_id (image));
  BerthImage *target = existing != NULL ? existing : image;

  if (!record_image (self, target, tag, repo_digest, error))
    return NULL;
  return g_object_ref (target);
}

/* a tag in two records (a crash between saving the new owner and the old
 * one): the newer record keeps it */
static void
claim_tags (BerthEngine *self, BerthImage *image)
{
  const gchar *const *tags = berth_image_get_repo_tags (image);

  for (guint i = 0; tags[i] != NULL; i++)
    {
      BerthImage *other = find_by_tag (self, tags[i]);
      if (other != NULL && other != image && berth_image_remove_tag (other, tags[i]))
        save_image_or_warn (self, other);
    }
}

static gint
compare_mtime (gconstpointer a, gconstpointer b)
{
  GStatBuf sa = { 0 }, sb = { 0 };

  g_stat (*(const gchar **)a, &sa);
  g_stat (*(const gchar **)b, &sb);
  if (sa.st_mtim.tv_sec != sb.st_mtim.tv_sec)
    return sa.st_mtim.tv_sec < sb.st_mtim.tv_sec ? -1 : 1;
  return sa.st_mtim.tv_nsec < sb.st_mtim.tv_nsec ? -1 : sa.st_mtim.tv_nsec > sb.st_mtim.tv_nsec;
}

/* the record files, oldest first; half-written temporary files go */
static GPtrArray *
record_files (BerthEngine *self, GError **error)
{
  const gchar *dir_path = berth_paths_get (self->paths, BERTH_PATH_IMAGES);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, error);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  if (dir == NULL)
    {
      berth_error_convert (error);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir_path, name, NULL);
      if (!g_str_has_suffix (name, ".json"))
        {
          g_debug ("removing %s, left by an interrupted write", path);
          g_unlink (path);
          continue;
        }
      g_ptr_array_add (files, g_steal_pointer (&path));
    }
  g_ptr_array_sort (files, compare_mtime);
  return g_steal_pointer (&files);
}

/**
 * berth_engine_images_startup:
 * @self: a #BerthEngine
 * @error: return location for a #GError
 *
 * Loads the image records. A record that cannot be read is skipped with a
 * warning; its content is then collected like any unused content.
 *
 * Returns: %TRUE unless the records' directory cannot be read
 */
gboolean
berth_engine_images_startup (BerthEngine *self, GError **error)
{
  g_autoptr(GPtrArray) files = NULL;

  if (!berth_paths_ensure (self->paths, BERTH_PATH_IMAGES, error))
    return FALSE;
  files = record_files (self, error);
  if (files == NULL)
    return FALSE;
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(BerthImage) image = berth_image_load (files->pdata[i], &local_error);

      if (image == NULL)
        {
          g_warning ("cannot load image: %s", local_error->message);
          continue;
        }
      claim_tags (self, image);
      g_hash_table_replace (self->images, g_strdup (berth_image_get_id (image)),
                            g_object_ref (image));
    }
  g_info ("%u images", g_hash_table_size (self->images));
  return TRUE;
}

void
berth_engine_images_init (BerthEngine *self)
{
  self->images = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

void
berth_engine_images_finalize (BerthEngine *self)
{
  g_clear_pointer (&self->images, g_hash_table_unref);
}

/**
 * berth_engine_add_image_roots:
 * @self: a #BerthEngine
 * @roots: where the roots go
 *
 * Adds what every image keeps alive in the content store.
 */
void
berth_engine_add_image_roots (BerthEngine *self, GStrvBuilder *roots)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->images);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_auto(GStrv) image_roots = berth_image_get_content_roots (value);
      g_strv_builder_addv (roots, (const gchar **)image_roots);
    }
}

/**
 * berth_engine_add_image_owners:
 * @self: a #BerthEngine
 * @owners: an `a{sas}` builder: owner → its content roots
 *
 * Adds each image as an owner of content, named `image <first tag>` (or
 * `image <short ID>`), for disk usage: content an image shares with a
 * plugin counts as shared.
 */
void
berth_engine_add_image_owners (BerthEngine *self, GVariantBuilder *owners)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->images);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_auto(GStrv) roots = berth_image_get_content_roots (value);
      g_auto(GStrv) tags = berth_image_get_familiar_tags (value);
      g_autofree gchar *owner
        = tags[0] != NULL
            ? g_strconcat ("image ", tags[0], NULL)
            : g_strdup_printf ("image %.12s", berth_image_get_id (value) + strlen ("sha256:"));
      g_variant_builder_add (owners, "{s^as}", owner, roots);
    }
}

/* ---- pull --------------------------------------------------------------- */

typedef struct
{
  gchar *reference; /* full, tagged or with a digest */
  BerthRegistryManifest *manifest;
  BerthImage *image;
  BerthHeldRoots *held;
  BerthJob *job; /* nullable: who hears the layers' progress */
  gboolean updated;
} PullData;

static void
pull_data_free (PullData *data)
{
  g_free (data->reference);
  g_clear_pointer (&data->manifest, berth_registry_manifest_unref);
  g_clear_object (&data->image);
  g_clear_pointer (&data->held, berth_held_roots_free);
  g_clear_pointer (&data->job, berth_job_unref);
  g_free (data);
}

/* `docker.io/library/busybox@sha256:…`: where the image can be pulled by
 * digest, the index's if it came through one, as docker records it */
static gchar *
repo_digest_of (PullData *data)
{
  g_autoptr(BerthReference) ref = berth_reference_parse (data->reference, NULL);
  g_autofree gchar *name = berth_reference_name (ref);
  BerthRegistryManifest *index = berth_registry_manifest_get_index (data->manifest);
  BerthRegistryManifest *pulled = index != NULL ? index : data->manifest;

  return g_strdup_printf ("%s@%s", name, berth_registry_manifest_get_digest (pulled));
}

static const gchar *
tag_of (PullData *data)
{
  return strchr (data->reference, '@') == NULL ? data->reference : NULL;
}

static void
finish_pull (BerthEngine *self, GTask *task)
{
  PullData *data = g_task_get_task_data (task);
  g_autofree gchar *repo_digest = repo_digest_of (data);
  g_autoptr(GError) error = NULL;
  BerthImage *existing = g_hash_table_lookup (self->images, berth_image_get_id (data->image));
  g_autoptr(BerthImage) image = NULL;

  /* docker's "Image is up to date": nothing fetched, no name moved */
  data->updated = existing == NULL
                  || (tag_of (data) != NULL && !berth_image_has_tag (existing, tag_of (data)))
                  || !g_strv_contains (berth_image_get_repo_digests (existing), repo_digest);
  /* stored under another name, nothing pulled: docker shows its layers as
   * there already */
  if (existing != NULL && data->updated && data->held == NULL)
    for (guint i = 0; i < berth_registry_manifest_get_n_layers (data->manifest); i++)
      berth_job_blob (data->job, berth_registry_manifest_get_layer (data->manifest, i)->digest,
                      "Already exists");
  image = add_image (self, data->image, tag_of (data), repo_digest, &error);
  if (image == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&image), g_object_unref);
}

static void
pull_import_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BerthEngine *self = source;
  PullData *data = task_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->storage_lock);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *chain_id = NULL;
  g_autoptr(GStrvBuilder) layers = g_strv_builder_new ();
  g_auto(GStrv) layer_list = NULL;
  gint64 size = berth_registry_manifest_get_config (data->manifest)->size;
  BerthRegistryManifest *index = berth_registry_manifest_get_index (data->manifest);

  chain_id
    = berth_engine_import_layers (self, data->manifest, berth_image_get_diff_ids (data->image),
                                  data->held, data->job, cancellable, &error);
  if (chain_id == NULL)
    {
      g_prefix_error (&error, "%s: ", data->reference);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < berth_registry_manifest_get_n_layers (data->manifest); i++)
    {
      const BerthRegistryDescriptor *layer = berth_registry_manifest_get_layer (data->manifest, i);
      g_strv_builder_add (layers, layer->digest);
      size += layer->size;
    }
  layer_list = g_strv_builder_end (layers);
  berth_image_set_content (data->image, berth_registry_manifest_get_digest (data->manifest),
                           index != NULL ? berth_registry_manifest_get_digest (index) : NULL,
                           (const gchar *const *)layer_list, chain_id, size);
  g_task_return_boolean (task, TRUE);
}

static void
on_pull_imported (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  finish_pull (BERTH_ENGINE (source), task);
}

static void
on_pulled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) import = NULL;

  if (!berth_transport_pull_finish (BERTH_TRANSPORT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* the layers become trees off the main thread; the task data is shared */
  import = g_task_new (self, g_task_get_cancellable (task), on_pull_imported, g_object_ref (task));
  g_task_set_task_data (import, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (import, pull_import_thread);
}

/* the config says as many layers as the manifest has */
static gboolean
check_layers (PullData *data, GError **error)
{
  guint n_layers = berth_registry_manifest_get_n_layers (data->manifest);
  guint n_diff_ids = g_strv_length ((gchar **)berth_image_get_diff_ids (data->image));

  if (n_layers == n_diff_ids)
    return TRUE;
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
               "%s: its manifest has %u layers and its config %u diff IDs", data->reference,
               n_layers, n_diff_ids);
  return FALSE;
}

static void
on_pull_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  GBytes *config;

  data->manifest = berth_transport_resolve_finish (BERTH_TRANSPORT (source), result, &error);
  if (data->manifest == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  config = berth_registry_manifest_get_config_bytes (data->manifest);
  data->image = config != NULL ? berth_image_new_from_config (config, &error) : NULL;
  if (data->image == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "the image config of %s: %s", data->reference,
                               error != NULL ? error->message : "missing");
      return;
    }
  if (!check_layers (data, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* stored whole already: only the names change */
  if (g_hash_table_contains (self->images, berth_image_get_id (data->image)))
    {
      finish_pull (self, task);
      return;
    }
  data->held = berth_held_roots_new (self);
  berth_held_roots_add_manifest (data->held, data->manifest);
  berth_transport_pull_async (
    BERTH_TRANSPORT (source), data->manifest, berth_engine_content_store (self),
    BERTH_TRANSPORT_FLAGS_NONE, data->job != NULL ? berth_job_transport_progress : NULL,
    data->job != NULL ? berth_job_ref (data->job) : NULL, (GDestroyNotify)berth_job_unref,
    cancellable, on_pulled, g_steal_pointer (&task));
}

/**
 * berth_engine_pull_image_async:
 * @self: a #BerthEngine
 * @reference: e.g. `busybox`, `registry:5000/app:1` or `app@sha256:…`
 * @job: (nullable): hears each layer's progress
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Pulls an image (a schema 2 or OCI manifest, or this host's entry of an
 * index), makes its layers trees and records it under its tag.
 */
void
berth_engine_pull_image_async (BerthEngine *self,
                               const gchar *reference,
                               BerthJob *job,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  BerthTransport *transport = berth_engine_transport_or_fail (self, task);
  g_autoptr(BerthReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  PullData *data;

  if (transport == NULL)
    return;
  ref = parse_tagged (reference, &error);
  if (ref == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data = g_new0 (PullData, 1);
  data->reference = berth_reference_to_string (ref);
  data->job = job != NULL ? berth_job_ref (job) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify)pull_data_free);
  berth_transport_resolve_async (transport, data->reference, BERTH_TRANSPORT_FLAGS_NONE,
                                 cancellable, on_pull_resolved, g_steal_pointer (&task));
}

/**
 * berth_engine_pull_image_finish:
 * @self: a #BerthEngine
 * @result: the result
 * @out_reference: (out) (optional): the full reference pulled,
 *   `docker.io/library/busybox:latest`
 * @out_updated: (out) (optional): %FALSE when the image was there under
 *   that name already (docker's "Image is up to date")
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the image
 */
BerthImage *
berth_engine_pull_image_finish (BerthEngine *self,
                                GAsyncResult *result,
                                gchar **out_reference,
                                gboolean *out_updated,
                                GError **error)
{
  PullData *data = g_task_get_task_data (G_TASK (result));
  BerthImage *image = g_task_propagate_pointer (G_TASK (result), error);

  if (image == NULL)
    return NULL;
  if (out_reference != NULL)
    *out_reference = g_strdup (data->reference);
  if (out_updated != NULL)
    *out_updated = data->updated;
  return image;
}

/* ---- import ------------------------------------------------------------- */

typedef struct
{
  GInputStream *tar;
  gchar *reference;     /* full and tagged, or NULL */
  GHashTable *imported; /* diff ID → ID of an image imported from that tar */
  gchar *platform;
  BerthImage *image;
  BerthHeldRoots *held;
  gchar *tmp_path;
} ImportData;

static void
import_data_free (ImportData *data)
{
  if (data->tmp_path != NULL)
    g_unlink (data->tmp_path);
  g_free (data->tmp_path);
  g_clear_object (&data->tar);
  g_free (data->reference);
  g_hash_table_unref (data->imported);
  g_free (data->platform);
  g_clear_object (&data->image);
  g_clear_pointer (&data->held, berth_held_roots_free);
  g_free (data);
}

static guint64
max_layer_bytes (BerthEngine *self)
{
  g_autoptr(GError) error = NULL;
  guint64 value = g_key_file_get_uint64 (self->config, "content-store", "max-layer-bytes", &error);

  return error == NULL && value > 0 ? value : G_GUINT64_CONSTANT (64) << 30;
}

/* the tar as a gzip blob in a file on the state root's file system */
static gboolean
write_blob (BerthEngine *self,
            ImportData *data,
            BerthLayerBlob *blob,
            GCancellable *cancellable,
            GError **error)
{
  g_autoptr(GOutputStream) out = NULL;
  gint fd;

  data->tmp_path = berth_paths_build (self->paths, BERTH_PATH_TMP, "import-XXXXXX", NULL);
  fd = g_mkstemp_full (data->tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot create %s: %s", data->tmp_path,
                   g_strerror (errno));
      g_clear_pointer (&data->tmp_path, g_free);
      return FALSE;
    }
  out = g_unix_output_stream_new (fd, TRUE);
  return berth_archive_compress_layer (data->tar, out, max_layer_bytes (self), blob, cancellable,
                                       error)
         && g_output_stream_close (out, cancellable, error);
}

/* docker import's config: this host's platform, one layer, no settings */
static GBytes *
import_config (ImportData *data, const gchar *diff_id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree gchar *created = g_date_time_format_iso8601 (now);
  g_auto(GStrv) platform = g_strsplit (data->platform, "/", 3);
  g_autofree gchar *text = NULL;

  json_builder_begin_object (b);
  berth_json_builder_set_string (b, "architecture", platform[1]);
  if (platform[1] != NULL && platform[2] != NULL)
    berth_json_builder_set_string (b, "variant", platform[2]);
  berth_json_builder_set_string (b, "comment", IMPORT_COMMENT);
  json_builder_set_member_name (b, "config");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  berth_json_builder_set_string (b, "created", created);
  json_builder_set_member_name (b, "history");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  berth_json_builder_set_string (b, "created", created);
  berth_json_builder_set_string (b, "comment", IMPORT_COMMENT);
  json_builder_end_object (b);
  json_builder_end_array (b);
  berth_json_builder_set_string (b, "os", platform[0]);
  json_builder_set_member_name (b, "rootfs");
  json_builder_begin_object (b);
  berth_json_builder_set_string (b, "type", "layers");
  berth_json_builder_set_strv (b, "diff_ids", (const gchar *const[]){ diff_id, NULL });
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = berth_json_to_string (root, FALSE);
  return g_bytes_new_take (g_steal_pointer (&text), strlen (text));
}

/* the config of an image imported from the same tar before, so that the
 * same tar gives the same image, or a new one */
static GBytes *
config_for (BerthEngine *self, ImportData *data, const gchar *diff_id, GCancellable *cancellable)
{
  const gchar *id = g_hash_table_lookup (data->imported, diff_id);
  g_autoptr(GInputStream) in = NULL;

  if (id != NULL)
    in = berth_content_store_read_blob (berth_engine_content_store (self), id, cancellable, NULL);
  if (in != NULL)
    {
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
      /* the whole of it: one read may return less */
      if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, cancellable, NULL)
          > 0)
        return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
    }
  return import_config (data, diff_id);
}

static gboolean
ingest_file (BerthContentStore *store,
             const gchar *path,
             const BerthLayerBlob *blob,
             GCancellable *cancellable,
             GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;

  if (berth_content_store_blob_exists (store, blob->digest, cancellable, NULL))
    return TRUE;
  in = g_file_read (file, cancellable, error);
  return in != NULL
         && berth_content_store_ingest_blob (store, G_INPUT_STREAM (in), blob->digest, blob->size,
                                             BERTH_MEDIA_TYPE_DOCKER_LAYER_GZIP, NULL, cancellable,
                                             error);
}

/* the layer's tree, checked entry by entry: a hostile tar stops here */
static gchar *
import_tree (BerthContentStore *store,
             const gchar *path,
             const BerthLayerBlob *blob,
             GCancellable *cancellable,
             GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, cancellable, error);
  BerthLayerImport layer = {
    .media_type = BERTH_MEDIA_TYPE_DOCKER_LAYER_GZIP,
    .digest = blob->digest,
    .diff_id = blob->diff_id,
    .size = blob->size,
  };

  if (in == NULL)
    return NULL;
  return berth_content_store_import_layer (store, G_INPUT_STREAM (in), &layer, cancellable, error);
}

/* config and manifest, as `docker push` would want them */
static gboolean
store_config_and_manifest (BerthEngine *self,
                           ImportData *data,
                           const BerthLayerBlob *blob,
                           gchar **out_manifest_digest,
                           gint64 *out_config_size,
                           GCancellable *cancellable,
                           GError **error)
{
  g_autoptr(GBytes) config = config_for (self, data, blob->diff_id, cancellable);
  g_autoptr(GBytes) manifest = NULL;
  g_autofree gchar *config_digest = NULL;
  BerthRegistryDescriptor config_desc
    = { .media_type = "application/vnd.docker.container.image.v1+json" };
  BerthRegistryDescriptor layer_desc = { .media_type = BERTH_MEDIA_TYPE_DOCKER_LAYER_GZIP,
                                         .digest = blob->digest,
                                         .size = blob->size };

  data->image = berth_image_new_from_config (config, error);
  if (data->image == NULL
      || !berth_engine_ingest_bytes (self, config, config_desc.media_type, &config_digest,
                                     cancellable, error))
    return FALSE;
  berth_held_roots_add (data->held, config_digest);
  config_desc.digest = config_digest;
  config_desc.size = g_bytes_get_size (config);
  *out_config_size = config_desc.size;
  manifest = berth_registry_manifest_build (&config_desc, &layer_desc, 1);
  if (!berth_engine_ingest_bytes (self, manifest, BERTH_MEDIA_TYPE_DOCKER_MANIFEST,
                                  out_manifest_digest, cancellable, error))
    return FALSE;
  berth_held_roots_add (data->held, *out_manifest_digest);
  return TRUE;
}

/* "importing the tar as busybox:latest: " */
static void
prefix_import_error (ImportData *data, GError **error)
{
  g_autoptr(BerthReference) ref
             = data->reference != NULL ? berth_reference_parse (data->reference, NULL) : NULL;
  g_autofree gchar *name = ref != NULL ? berth_reference_to_familiar (ref) : NULL;

  g_prefix_error (error, "importing the tar%s%s: ", name != NULL ? " as " : "",
                  name != NULL ? name : "");
}

/* everything but the record; what is stored stays held until then */
static gboolean
store_import (BerthEngine *self, ImportData *data, GCancellable *cancellable, GError **error)
{
  BerthContentStore *store = berth_engine_content_store (self);
  g_auto(BerthLayerBlob) blob = { 0 };
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree gchar *diff_id = NULL;
  g_autofree gchar *manifest_digest = NULL;
  g_autofree gchar *chain_id = NULL;
  gint64 config_size = 0;

  if (!write_blob (self, data, &blob, cancellable, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->storage_lock);
  diff_id = import_tree (store, data->tmp_path, &blob, cancellable, error);
  if (diff_id == NULL)
    return FALSE;
  berth_held_roots_add (data->held, diff_id);
  berth_held_roots_add (data->held, blob.digest);
  if (!ingest_file (store, data->tmp_path, &blob, cancellable, error)
      || !store_config_and_manifest (self, data, &blob, &manifest_digest, &config_size, cancellable,
                                     error))
    return FALSE;
  chain_id = berth_content_store_build_chain (store, (const gchar *const[]){ diff_id, NULL },
                                              cancellable, error);
  if (chain_id == NULL)
    return FALSE;
  berth_held_roots_add (data->held, chain_id);
  berth_image_set_content (data->image, manifest_digest, NULL,
                           (const gchar *const[]){ blob.digest, NULL }, chain_id,
                           blob.size + config_size);
  berth_image_set_imported (data->image, TRUE);
  return TRUE;
}

static void
import_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ImportData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (!store_import (source, data, cancellable, &error))
    {
      prefix_import_error (data, &error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_import_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthEngine *self = BERTH_ENGINE (source);
  /* the content stays held until the record is written, then is released */
  ImportData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthImage) image = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* a refused layer may have left loose objects (its root directory's
       * metadata): collected now, not at some later removal */
      berth_engine_collect_garbage (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  image = add_image (self, data->image, data->reference, NULL, &error);
  if (image == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&image), g_object_unref);
}

/* diff ID → ID of each image `image import` made */
static GHashTable *
imported_images (BerthEngine *self)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->images);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (berth_image_get_imported (value) && berth_image_get_diff_ids (value)[0] != NULL)
      g_hash_table_insert (table, g_strdup (berth_image_get_diff_ids (value)[0]),
                           g_strdup (berth_image_get_id (value)));
  return table;
}

/**
 * berth_engine_import_image_async:
 * @self: a #BerthEngine
 * @tar: a root file system tar: plain, gzip, zstd, xz or bzip2
 * @reference: (nullable): the name it gets, e.g. `busybox` (`busybox:latest`)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Makes an image of a tar, as `docker import` does: one layer stored as a
 * gzip blob, a config for this host's platform and a schema 2 manifest,
 * all in the content store, so that the image could be pushed. The layer
 * import refuses what a hostile tar holds (`../` names and the like), and
 * nothing is recorded then. The same tar imported again gives the same
 * image.
 */
void
berth_engine_import_image_async (BerthEngine *self,
                                 GInputStream *tar,
                                 const gchar *reference,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) import = NULL;
  g_autoptr(GError) error = NULL;
  ImportData *data;

  if (berth_engine_content_store (self) == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                               "no content-store module is loaded: see berth system info");
      return;
    }
  data = g_new0 (ImportData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify)import_data_free);
  data->tar = g_object_ref (tar);
  data->imported = imported_images (self);
  data->platform = berth_registry_host_platform ();
  data->held = berth_held_roots_new (self);
  if (reference != NULL && reference[0] != '\0')
    {
      g_autoptr(BerthReference) ref = parse_tagged (reference, &error);
      if (ref == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (berth_reference_is_canonical (ref))
        {
          g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                                   "refusing to create a tag with a digest reference: %s",
                                   reference);
          return;
        }
      data->reference = berth_reference_to_string (ref);
    }
  /* stored off the main thread; recorded on it, where the records live */
  import = g_task_new (self, cancellable, on_import_done, g_steal_pointer (&task));
  g_task_set_task_data (import, data, NULL);
  g_task_run_in_thread (import, import_thread);
}

/**
 * berth_engine_import_image_finish:
 * @self: a #BerthEngine
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the image
 */
BerthImage *
berth_engine_import_image_finish (BerthEngine *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- remove ------------------------------------------------------------- */

static gchar *
familiar_of (const gchar *reference)
{
  g_autoptr(BerthReference) ref = berth_reference_parse (reference, NULL);
  return ref != NULL ? berth_reference_to_familiar (ref) : g_strdup (reference);
}

/* the image goes: its record first (the removal), its content with the
 * next collection */
static gboolean
delete_image (BerthEngine *self, BerthImage *image, GStrvBuilder *untagged, GError **error)
{
  g_autofree gchar *path = record_path (self, berth_image_get_id (image));
  g_auto(GStrv) tags = berth_image_get_familiar_tags (image);
  g_auto(GStrv) digests = berth_image_get_familiar_digests (image);

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot remove image record %s: %s",
                   path, g_strerror (errno));
      return FALSE;
    }
  g_strv_builder_addv (untagged, (const gchar **)tags);
  g_strv_builder_addv (untagged, (const gchar **)digests);
  g_hash_table_remove (self->images, berth_image_get_id (image));
  berth_engine_collect_garbage (self);
  return TRUE;
}

/* by a name: that name goes; the image with it if it has no other tag */
static gboolean
untag_image (BerthEngine *self,
             BerthImage *image,
             const gchar *name,
             GStrvBuilder *untagged,
             gboolean *out_delete,
             GError **error)
{
  g_autoptr(BerthReference) ref = parse_tagged (name, NULL);
  g_autofree gchar *full = berth_reference_to_string (ref);

  *out_delete = FALSE;
  if (berth_image_get_repo_tags (image)[0] == NULL
      || (g_strv_length ((gchar **)berth_image_get_repo_tags (image)) == 1
          && berth_image_has_tag (image, full)))
    {
      *out_delete = TRUE;
      return TRUE;
    }
  if (!berth_image_remove_tag (image, full))
    return TRUE;
  if (!save_image (self, image, error))
    {
      berth_image_add_tag (image, full);
      return FALSE;
    }
  {
    g_autofree gchar *shown = familiar_of (full);
    g_strv_builder_add (untagged, shown);
  }
  return TRUE;
}

/**
 * berth_engine_remove_image:
 * @self: a #BerthEngine
 * @ref_or_id: a reference or an ID (prefix), as berth_engine_find_image() takes
 * @force: remove an image by ID even if it has several tags
 * @out_untagged: (out) (transfer full): the names that went, `busybox:latest`
 * @out_deleted: (out) (transfer full): the IDs of the images that went
 * @error: return location for a #GError
 *
 * Removes as `docker rmi` does: by a name, that name, and the image if it
 * had no other; by ID, the image with all its names. An image a container
 * uses stays (berth_engine_image_in_use()). Content no image or plugin
 * uses any more is collected in the background.
 *
 * Returns: %TRUE on success
 */
gboolean
berth_engine_remove_image (BerthEngine *self,
                           const gchar *ref_or_id,
                           gboolean force,
                           GStrv *out_untagged,
                           GStrv *out_deleted,
                           GError **error)
{
  g_autoptr(BerthImage) image = berth_engine_find_image (self, ref_or_id, error);
  g_autoptr(GStrvBuilder) untagged = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) deleted = g_strv_builder_new ();
  g_autofree gchar *holder = NULL;
  gboolean by_reference = FALSE, delete = TRUE;
  guint n_tags;

  if (image == NULL)
    return FALSE;
  lookup (self, ref_or_id, &by_reference, NULL);
  n_tags = g_strv_length ((gchar **)berth_image_get_repo_tags (image));
  if (berth_engine_image_in_use (self, image, &holder))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_IN_USE,
                   "conflict: unable to delete %s (cannot be forced) - image %.12s is being used "
                   "by %s",
                   ref_or_id, berth_image_get_id (image) + strlen ("sha256:"), holder);
      return FALSE;
    }
  if (by_reference && strchr (ref_or_id, '@') == NULL
      && !untag_image (self, image, ref_or_id, untagged, &delete, error))
    return FALSE;
  if (!by_reference && n_tags > 1 && !force)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_IN_USE,
                   "conflict: unable to delete %.12s (must be forced) - image is referenced in "
                   "multiple repositories",
                   berth_image_get_id (image) + strlen ("sha256:"));
      return FALSE;
    }
  if (delete)
    {
      if (!delete_image (self, image, untagged, error))
        return FALSE;
      g_strv_builder_add (deleted, berth_image_get_id (image));
    }
  *out_untagged = g_strv_builder_end (untagged);
  *out_deleted = g_strv_builder_end (deleted);
  return TRUE;
}
