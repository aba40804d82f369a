/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include "berth-content-store.h"
#include "berth-interface-private.h"

G_DEFINE_INTERFACE (BerthContentStore, berth_content_store, G_TYPE_OBJECT)

static void
berth_content_store_default_init (BerthContentStoreInterface *iface)
{
}

/**
 * berth_content_store_blob_exists:
 * @self: a #BerthContentStore
 * @digest: an OCI digest
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the blob is stored; %FALSE with @error unset if not
 */
gboolean
berth_content_store_blob_exists (BerthContentStore *self,
                                 const gchar *digest,
                                 GCancellable *cancellable,
                                 GError **error)
{
  BerthContentStoreInterface *iface;
  g_return_val_if_fail (BERTH_IS_CONTENT_STORE (self), FALSE);
  g_return_val_if_fail (digest != NULL, FALSE);
  iface = BERTH_CONTENT_STORE_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, blob_exists, self, error, FALSE);
  return iface->blob_exists (self, digest, cancellable, error);
}

/**
 * berth_content_store_read_blob:
 * @self: a #BerthContentStore
 * @digest: an OCI digest
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a stream of the blob's bytes
 */
GInputStream *
berth_content_store_read_blob (BerthContentStore *self,
                               const gchar *digest,
                               GCancellable *cancellable,
                               GError **error)
{
  BerthContentStoreInterface *iface;
  g_return_val_if_fail (BERTH_IS_CONTENT_STORE (self), NULL);
  g_return_val_if_fail (digest != NULL, NULL);
  iface = BERTH_CONTENT_STORE_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, read_blob, self, error, NULL);
  return iface->read_blob (self, digest, cancellable, error);
}

/**
 * berth_content_store_ingest_blob:
 * @self: a #BerthContentStore
 * @stream: the blob's bytes
 * @digest: the digest they must have
 * @size: the size they must have, or -1 if unknown
 * @media_type: (nullable): the blob's media type
 * @labels: (nullable) (element-type utf8 utf8): labels to keep with the blob
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the blob is stored and verified
 */
gboolean
berth_content_store_ingest_blob (BerthContentStore *self,
                                 GInputStream *stream,
                                 const gchar *digest,
                                 gint64 size,
                                 const gchar *media_type,
                                 GHashTable *labels,
                                 GCancellable *cancellable,
                                 GError **error)
{
  BerthContentStoreInterface *iface;
  g_return_val_if_fail (BERTH_IS_CONTENT_STORE (self), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (digest != NULL, FALSE);
  iface = BERTH_CONTENT_STORE_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, ingest_blob, self, error, FALSE);
  return iface->ingest_blob (self, stream, digest, size, media_type, labels, cancellable, error);
}

/**
 * berth_content_store_delete_blob:
 * @self: a #BerthContentStore
 * @digest: an OCI digest
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the blob is gone
 */
gboolean
berth_content_store_delete_blob (BerthContentStore *self,
                                 const gchar *digest,
                                 GCancellable *cancellable,
                                 GError **error)
{
  BerthContentStoreInterface *iface;
  g_return_val_if_fail (BERTH_IS_CONTENT_STORE (self), FALSE);
  g_return_val_if_fail (digest != NULL, FALSE);
  iface = BERTH_CONTENT_STORE_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, delete_blob, self, error, FALSE);
  return iface->delete_blob (self, digest, cancellable, error);
}

/**
 * berth_content_store_list_blobs:
 * @self: a #BerthContentStore
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the digests of all stored blobs
 */
GStrv
berth_content_store_list_blobs (BerthContentStore *self, GCancellable *cancellable, GError **error)
{
  BerthContentStoreInterface *iface;
  g_return_val_if_fail (BERTH_IS_CONTENT_STORE (self), NULL);
  iface = BERTH_CONTENT_STORE_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, list_blobs, self, error, NULL);
  return iface->list_blobs (self, cancellable, error);
}

/**
 * berth_content_store_blob_info:
 * @self: a #BerthContentStore
 * @digest: an OCI digest
 * @out_size: (out) (optional): the blob's size
 * @out_media_type: (out) (optional) (transfer full): its media type, or %NULL
 * @out_labels: (out) (optional) (transfer full): its labels
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the blob is stored; %BERTH_ERROR_NOT_FOUND if not
 */
gboolean
berth_content_store_blob_info (BerthContentStore *self,
                               const gchar *digest,
                               gint64 *out_size,
                               gchar **out_media_type,
                               GHashTable **out_labels,
                               GCancellable *cancellable,
                               GError **error)
{
  BerthContentStoreInterface *iface;
  g_return_val_if_fail (BERTH_IS_CONTENT_STORE (self), FALSE);
  g_return_val_if_fail (digest != NULL, FALSE);
  iface = BERTH_CONTENT_STORE_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, blob_info, self, error, FALSE);
  return iface->blob_info (self, digest, out_size, out_media_type, out_labels, cancellable, error);
}

/**
 * berth_content_store_import_layer:
 * @self: a #BerthContentStore
 * @stream: the layer blob's bytes
 * @layer: what is known of the layer
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the layer's diff ID (sha256 of its tar)
 */
gchar *
berth_content_store_import_layer (BerthContentStore *self,
                                  GInputStream *stream,
                                  const BerthLayerImport *layer,
                                  GCancellable *cancellable,
                                  GError **error)
{
  BerthContentStoreInterface *iface;
  g_return_val_if_fail (BERTH_IS_CONTENT_STORE (self), NULL);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (layer != NULL, NULL);
  iface = BERTH_CONTENT_STORE_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, import_layer, self, error, NULL);
  return iface->import_layer (self, stream, layer, cancellable, error);
}

/**
 * berth_content_store_has_layer:
 * @self: a #BerthContentStore
 * @diff_id: a layer's diff ID
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the layer tree is stored; %FALSE without an error if not
 */
gboolean
berth_content_store_has_layer (BerthContentStore *self,
                               const gchar *diff_id,
                               GCancellable *cancellable,
                               GError **error)
{
  BerthContentStoreInterface *iface;
  g_return_val_if_fail (BERTH_IS_CONTENT_STORE (self), FALSE);
  g_return_val_if_fail (diff_id != NULL, FALSE);
  iface = BERTH_CONTENT_STORE_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, has_layer, self, error, FALSE);
  return iface->has_layer (self, diff_id, cancellable, error);
}

/**
 * berth_content_store_build_chain:
 * @self: a #BerthContentStore
 * @diff_ids: the layers, bottom first, all imported
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the chain ID of the tree
 */
gchar *
berth_content_store_build_chain (BerthContentStore *self,
                                 const gchar *const *diff_ids,
                                 GCancellable *cancellable,
                                 GError **error)
{
  BerthContentStoreInterface *iface;
  g_return_val_if_fail (BERTH_IS_CONTENT_STORE (self), NULL);
  g_return_val_if_fail (diff_ids != NULL && diff_ids[0] != NULL, NULL);
  iface = BERTH_CONTENT_STORE_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, build_chain, self, error, NULL);
  return iface->build_chain (self, diff_ids, cancellable, error);
}

/**
 * berth_content_store_checkout_chain:
 * @self: a #BerthContentStore
 * @chain_id: a chain ID from berth_content_store_build_chain()
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a read-only directory with the chain's tree
 */
gchar *
berth_content_store_checkout_chain (BerthContentStore *self,
                                    const gchar *chain_id,
                                    GCancellable *cancellable,
                                    GError **error)
{
  BerthContentStoreInterface *iface;
  g_return_val_if_fail (BERTH_IS_CONTENT_STORE (self), NULL);
  g_return_val_if_fail (chain_id != NULL, NULL);
  iface = BERTH_CONTENT_STORE_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, checkout_chain, self, error, NULL);
  return iface->checkout_chain (self, chain_id, cancellable, error);
}

/**
 * berth_content_store_garbage_collect:
 * @self: a #BerthContentStore
 * @roots: digests, diff IDs and chain IDs still in use
 * @out_freed: (out) (optional): bytes freed
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
berth_content_store_garbage_collect (BerthContentStore *self,
                                     const gchar *const *roots,
                                     guint64 *out_freed,
                                     GCancellable *cancellable,
                                     GError **error)
{
  BerthContentStoreInterface *iface;
  g_return_val_if_fail (BERTH_IS_CONTENT_STORE (self), FALSE);
  iface = BERTH_CONTENT_STORE_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, garbage_collect, self, error, FALSE);
  return iface->garbage_collect (self, roots, out_freed, cancellable, error);
}

/**
 * berth_content_store_usage:
 * @self: a #BerthContentStore
 * @owners: `a{sas}`: each owner (a plugin, an image) and the roots it uses
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): `(tta{st})`: total bytes stored, bytes shared by
 *   more than one owner, and the bytes unique to each owner
 */
GVariant *
berth_content_store_usage (BerthContentStore *self,
                           GVariant *owners,
                           GCancellable *cancellable,
                           GError **error)
{
  BerthContentStoreInterface *iface;
  g_return_val_if_fail (BERTH_IS_CONTENT_STORE (self), NULL);
  g_return_val_if_fail (owners != NULL, NULL);
  iface = BERTH_CONTENT_STORE_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, usage, self, error, NULL);
  return iface->usage (self, owners, cancellable, error);
}

/**
 * berth_chain_id:
 * @diff_ids: layer diff IDs, bottom first
 *
 * The OCI chain ID: the first layer's diff ID, then
 * `sha256(chain(n-1) + " " + diff_id(n))` for each layer above it.
 *
 * Returns: (transfer full): the chain ID of @diff_ids
 */
gchar *
berth_chain_id (const gchar *const *diff_ids)
{
  g_autofree gchar *chain = NULL;

  g_return_val_if_fail (diff_ids != NULL && diff_ids[0] != NULL, NULL);
  chain = g_strdup (diff_ids[0]);
  for (guint i = 1; diff_ids[i] != NULL; i++)
    {
      g_autofree gchar *input = g_strdup_printf ("%s %s", chain, diff_ids[i]);
      g_autofree gchar *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);
      g_free (chain);
      chain = g_strdup_printf ("sha256:%s", hex);
    }
  return g_steal_pointer (&chain);
}
