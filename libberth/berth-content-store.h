/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BERTH_TYPE_CONTENT_STORE (berth_content_store_get_type ())
G_DECLARE_INTERFACE (BerthContentStore, berth_content_store, BERTH, CONTENT_STORE, GObject)

/**
 * BerthContentStoreInterface:
 * @blob_exists: whether a blob of that digest is stored
 * @read_blob: opens a stored blob for reading
 * @ingest_blob: stores a blob from a stream, verified against digest and size
 * @delete_blob: removes a blob
 * @list_blobs: the digests of all stored blobs
 *
 * Content-addressed storage of blobs (manifests, configs, layers) keyed by
 * OCI digest (`sha256:<hex>`). Grows with the content store issue.
 */
struct _BerthContentStoreInterface {
  GTypeInterface g_iface;

  gboolean (*blob_exists) (BerthContentStore *self, const gchar *digest, GCancellable *cancellable,
                           GError **error);
  GInputStream *(*read_blob) (BerthContentStore *self, const gchar *digest,
                              GCancellable *cancellable, GError **error);
  gboolean (*ingest_blob) (BerthContentStore *self, GInputStream *stream, const gchar *digest,
                           gint64 size, const gchar *media_type, GCancellable *cancellable,
                           GError **error);
  gboolean (*delete_blob) (BerthContentStore *self, const gchar *digest, GCancellable *cancellable,
                           GError **error);
  GStrv (*list_blobs) (BerthContentStore *self, GCancellable *cancellable, GError **error);

  /*< private >*/
  gpointer padding[16];
};

gboolean berth_content_store_blob_exists (BerthContentStore *self, const gchar *digest,
                                          GCancellable *cancellable, GError **error);
GInputStream *berth_content_store_read_blob (BerthContentStore *self, const gchar *digest,
                                             GCancellable *cancellable, GError **error);
gboolean berth_content_store_ingest_blob (BerthContentStore *self, GInputStream *stream,
                                          const gchar *digest, gint64 size,
                                          const gchar *media_type, GCancellable *cancellable,
                                          GError **error);
gboolean berth_content_store_delete_blob (BerthContentStore *self, const gchar *digest,
                                          GCancellable *cancellable, GError **error);
GStrv berth_content_store_list_blobs (BerthContentStore *self, GCancellable *cancellable,
                                      GError **error);

G_END_DECLS
