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
berth_content_store_blob_exists (BerthContentStore *self, const gchar *digest,
                                 GCancellable *cancellable, GError **error)
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
berth_content_store_read_blob (BerthContentStore *self, const gchar *digest,
                               GCancellable *cancellable, GError **error)
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
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the blob is stored and verified
 */
gboolean
berth_content_store_ingest_blob (BerthContentStore *self, GInputStream *stream,
                                 const gchar *digest, gint64 size, const gchar *media_type,
                                 GCancellable *cancellable, GError **error)
{
  BerthContentStoreInterface *iface;
  g_return_val_if_fail (BERTH_IS_CONTENT_STORE (self), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (digest != NULL, FALSE);
  iface = BERTH_CONTENT_STORE_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, ingest_blob, self, error, FALSE);
  return iface->ingest_blob (self, stream, digest, size, media_type, cancellable, error);
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
berth_content_store_delete_blob (BerthContentStore *self, const gchar *digest,
                                 GCancellable *cancellable, GError **error)
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
