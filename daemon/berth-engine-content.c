/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthEngine"

#include "config.h"

#include "berth-engine-private.h"

/* Steps that plugins and images share on their way into the content store:
 * holding what was stored from garbage collection until a record names it,
 * and making a pulled manifest's layer blobs into trees and a chain. */

struct _BerthHeldRoots
{
  BerthEngine *engine;
  GPtrArray *roots;
};

/**
 * berth_held_roots_new:
 * @engine: a #BerthEngine
 *
 * Returns: (transfer full): an empty set of roots held from garbage
 *   collection; freeing it releases them
 */
BerthHeldRoots *
berth_held_roots_new (BerthEngine *engine)
{
  BerthHeldRoots *held = g_new0 (BerthHeldRoots, 1);
  held->engine = g_object_ref (engine);
  held->roots = g_ptr_array_new_with_free_func (g_free);
  return held;
}

/**
 * berth_held_roots_add:
 * @held: a #BerthHeldRoots
 * @root: (nullable): a digest or chain ID stored and not yet recorded
 *
 * Holds @root; call with the engine's storage_lock held.
 */
void
berth_held_roots_add (BerthHeldRoots *held, const gchar *root)
{
  if (root == NULL)
    return;
  berth_engine_hold_root (held->engine, root);
  g_ptr_array_add (held->roots, g_strdup (root));
}

/**
 * berth_held_roots_add_manifest:
 * @held: a #BerthHeldRoots
 * @manifest: a resolved manifest
 *
 * Holds every blob a pull of @manifest stores: the manifest, its index,
 * its config and its layers. Takes the storage lock.
 */
void
berth_held_roots_add_manifest (BerthHeldRoots *held, BerthRegistryManifest *manifest)
{
  BerthRegistryManifest *index = berth_registry_manifest_get_index (manifest);

  g_mutex_lock (&held->engine->storage_lock);
  berth_held_roots_add (held, berth_registry_manifest_get_digest (manifest));
  if (index != NULL)
    berth_held_roots_add (held, berth_registry_manifest_get_digest (index));
  berth_held_roots_add (held, berth_registry_manifest_get_config (manifest)->digest);
  for (guint i = 0; i < berth_registry_manifest_get_n_layers (manifest); i++)
    berth_held_roots_add (held, berth_registry_manifest_get_layer (manifest, i)->digest);
  g_mutex_unlock (&held->engine->storage_lock);
}

/**
 * berth_held_roots_release:
 * @held: a #BerthHeldRoots
 *
 * Lets a collection take what @held kept: the work that stored it failed.
 */
void
berth_held_roots_release (BerthHeldRoots *held)
{
  g_mutex_lock (&held->engine->storage_lock);
  for (guint i = 0; i < held->roots->len; i++)
    berth_engine_release_root (held->engine, held->roots->pdata[i]);
  g_mutex_unlock (&held->engine->storage_lock);
  g_ptr_array_set_size (held->roots, 0);
}

void
berth_held_roots_free (BerthHeldRoots *held)
{
  berth_held_roots_release (held);
  g_ptr_array_unref (held->roots);
  g_object_unref (held->engine);
  g_free (held);
}

/**
 * berth_engine_import_layers:
 * @self: a #BerthEngine
 * @manifest: a pulled manifest: its layer blobs are in the content store
 * @diff_ids: (nullable): what the config says each layer's tar digests to,
 *   checked on the way
 * @held: where the trees and chain made are held
 * @job: (nullable): hears `Extracting` and `Pull complete` for each layer
 *   not stored before, as docker says them
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes each layer blob a tree (once: a layer shared with another image or
 * plugin is already there) and the layers a chain. Call in a worker
 * thread, with storage_lock held.
 *
 * Returns: (transfer full): the chain ID
 */
gchar *
berth_engine_import_layers (BerthEngine *self,
                            BerthRegistryManifest *manifest,
                            const gchar *const *diff_ids,
                            BerthHeldRoots *held,
                            BerthJob *job,
                            GCancellable *cancellable,
                            GError **error)
{
  BerthContentStore *store = berth_engine_content_store (self);
  guint n = berth_registry_manifest_get_n_layers (manifest);
  guint n_diff_ids = diff_ids != NULL ? g_strv_length ((gchar **)diff_ids) : 0;
  g_autoptr(GPtrArray) imported = g_ptr_array_new_with_free_func (g_free);
  gchar *chain_id;

  for (guint i = 0; i < n; i++)
    {
      const BerthRegistryDescriptor *layer = berth_registry_manifest_get_layer (manifest, i);
      g_autoptr(GInputStream) in
                 = berth_content_store_read_blob (store, layer->digest, cancellable, error);
      BerthLayerImport import = {
        .media_type = layer->media_type,
        .digest = layer->digest,
        /* docker-made plugins name the compressed blob here; the store knows */
        .diff_id = i < n_diff_ids ? diff_ids[i] : NULL,
        .size = layer->size,
      };
      gchar *diff_id;
      gboolean stored;

      if (in == NULL)
        return NULL;
      /* docker shows no extraction of a layer it has */
      stored = import.diff_id != NULL
               && berth_content_store_has_layer (store, import.diff_id, cancellable, NULL);
      if (!stored)
        berth_job_blob (job, layer->digest, "Extracting");
      diff_id = berth_content_store_import_layer (store, in, &import, cancellable, error);
      if (diff_id == NULL)
        {
          g_prefix_error (error, "layer %s: ", layer->digest);
          return NULL;
        }
      if (!stored)
        berth_job_blob (job, layer->digest, "Pull complete");
      g_ptr_array_add (imported, diff_id);
      berth_held_roots_add (held, diff_id);
    }
  g_ptr_array_add (imported, NULL);
  chain_id = berth_content_store_build_chain (store, (const gchar *const *)imported->pdata,
                                              cancellable, error);
  berth_held_roots_add (held, chain_id);
  return chain_id;
}

/**
 * berth_engine_transport_or_fail:
 * @self: a #BerthEngine
 * @task: the task that needs it
 *
 * Returns: (transfer none) (nullable): the transport, if it and a content
 *   store are loaded; else %NULL, and @task fails saying which is missing
 */
BerthTransport *
berth_engine_transport_or_fail (BerthEngine *self, GTask *task)
{
  BerthTransport *transport
    = (BerthTransport *)berth_modules_get_active (self->modules, BERTH_EXTENSION_POINT_TRANSPORT);

  if (transport == NULL || berth_engine_content_store (self) == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                               "no %s module is loaded: see berth system info",
                               transport == NULL ? "transport" : "content-store");
      return NULL;
    }
  return transport;
}
