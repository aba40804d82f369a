/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BERTH_TYPE_CONTENT_STORE (berth_content_store_get_type ())
G_DECLARE_INTERFACE (BerthContentStore, berth_content_store, BERTH, CONTENT_STORE, GObject)

/**
 * BerthLayerImport:
 * @media_type: the layer's media type (tar, tar+gzip, tar+zstd; docker or OCI)
 * @digest: (nullable): the digest the blob's bytes must have, checked while streaming
 * @diff_id: (nullable): the digest the uncompressed tar must have
 * @size: the blob's size, or -1 if unknown
 *
 * What is known about a layer before it is imported. Docker's own
 * `plugin create` writes the *compressed* digest into `rootfs.diff_ids`, so
 * a @diff_id equal to @digest is accepted as naming the blob.
 */
typedef struct
{
  const gchar *media_type;
  const gchar *digest;
  const gchar *diff_id;
  gint64 size;
} BerthLayerImport;

/**
 * BerthContentStoreInterface:
 * @blob_exists: whether a blob is stored; %FALSE without an error if not
 * @blob_info: a blob's size, media type and labels
 * @read_blob: opens a stored blob for reading
 * @ingest_blob: stores a blob from a stream, verified against its digest and
 *   size while it streams; a mismatch stores nothing
 * @delete_blob: removes a blob
 * @list_blobs: the digests of all stored blobs
 * @import_layer: unpacks a layer blob into a layer tree keyed by its diff ID,
 *   refusing entries that would escape the tree; returns the diff ID
 * @has_layer: whether a layer tree is stored
 * @build_chain: applies layers in order (whiteouts included) into one tree
 *   keyed by its chain ID, once; returns the chain ID
 * @checkout_chain: a read-only directory holding the chain's tree, made
 *   once and shared; files are hardlinks into the store, never to be written
 * @garbage_collect: removes blobs, layers and chains not named in @roots,
 *   never one being written; returns the bytes freed
 * @usage: disk usage per owner: total bytes, bytes shared by more than one
 *   owner, bytes unique to each
 *
 * Content-addressed storage: blobs keyed by OCI digest (`sha256:<hex>`) and
 * layer trees. Missing functions are reported as not supported.
 */
struct _BerthContentStoreInterface
{
  GTypeInterface g_iface;

  gboolean (*blob_exists) (BerthContentStore *self,
                           const gchar *digest,
                           GCancellable *cancellable,
                           GError **error);
  gboolean (*blob_info) (BerthContentStore *self,
                         const gchar *digest,
                         gint64 *out_size,
                         gchar **out_media_type,
                         GHashTable **out_labels,
                         GCancellable *cancellable,
                         GError **error);
  GInputStream *(*read_blob) (BerthContentStore *self,
                              const gchar *digest,
                              GCancellable *cancellable,
                              GError **error);
  gboolean (*ingest_blob) (BerthContentStore *self,
                           GInputStream *stream,
                           const gchar *digest,
                           gint64 size,
                           const gchar *media_type,
                           GHashTable *labels,
                           GCancellable *cancellable,
                           GError **error);
  gboolean (*delete_blob) (BerthContentStore *self,
                           const gchar *digest,
                           GCancellable *cancellable,
                           GError **error);
  GStrv (*list_blobs) (BerthContentStore *self, GCancellable *cancellable, GError **error);

  gchar *(*import_layer) (BerthContentStore *self,
                          GInputStream *stream,
                          const BerthLayerImport *layer,
                          GCancellable *cancellable,
                          GError **error);
  gboolean (*has_layer) (BerthContentStore *self,
                         const gchar *diff_id,
                         GCancellable *cancellable,
                         GError **error);
  gchar *(*build_chain) (BerthContentStore *self,
                         const gchar *const *diff_ids,
                         GCancellable *cancellable,
                         GError **error);
  gchar *(*checkout_chain) (BerthContentStore *self,
                            const gchar *chain_id,
                            GCancellable *cancellable,
                            GError **error);
  gboolean (*garbage_collect) (BerthContentStore *self,
                               const gchar *const *roots,
                               guint64 *out_freed,
                               GCancellable *cancellable,
                               GError **error);
  GVariant *(*usage) (BerthContentStore *self,
                      GVariant *owners,
                      GCancellable *cancellable,
                      GError **error);

  /*< private >*/
  gpointer padding[16];
};

gboolean berth_content_store_blob_exists (BerthContentStore *self,
                                          const gchar *digest,
                                          GCancellable *cancellable,
                                          GError **error);
gboolean berth_content_store_blob_info (BerthContentStore *self,
                                        const gchar *digest,
                                        gint64 *out_size,
                                        gchar **out_media_type,
                                        GHashTable **out_labels,
                                        GCancellable *cancellable,
                                        GError **error);
GInputStream *berth_content_store_read_blob (BerthContentStore *self,
                                             const gchar *digest,
                                             GCancellable *cancellable,
                                             GError **error);
gboolean berth_content_store_ingest_blob (BerthContentStore *self,
                                          GInputStream *stream,
                                          const gchar *digest,
                                          gint64 size,
                                          const gchar *media_type,
                                          GHashTable *labels,
                                          GCancellable *cancellable,
                                          GError **error);
gboolean berth_content_store_delete_blob (BerthContentStore *self,
                                          const gchar *digest,
                                          GCancellable *cancellable,
                                          GError **error);
GStrv
berth_content_store_list_blobs (BerthContentStore *self, GCancellable *cancellable, GError **error);
gchar *berth_content_store_import_layer (BerthContentStore *self,
                                         GInputStream *stream,
                                         const BerthLayerImport *layer,
                                         GCancellable *cancellable,
                                         GError **error);
gboolean berth_content_store_has_layer (BerthContentStore *self,
                                        const gchar *diff_id,
                                        GCancellable *cancellable,
                                        GError **error);
gchar *berth_content_store_build_chain (BerthContentStore *self,
                                        const gchar *const *diff_ids,
                                        GCancellable *cancellable,
                                        GError **error);
gchar *berth_content_store_checkout_chain (BerthContentStore *self,
                                           const gchar *chain_id,
                                           GCancellable *cancellable,
                                           GError **error);
gboolean berth_content_store_garbage_collect (BerthContentStore *self,
                                              const gchar *const *roots,
                                              guint64 *out_freed,
                                              GCancellable *cancellable,
                                              GError **error);
GVariant *berth_content_store_usage (BerthContentStore *self,
                                     GVariant *owners,
                                     GCancellable *cancellable,
                                     GError **error);

gchar *berth_chain_id (const gchar *const *diff_ids);

G_END_DECLS
