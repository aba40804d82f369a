/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>
#include <ostree.h>

G_BEGIN_DECLS

#define BERTH_TYPE_OSTREE_STORE (berth_ostree_store_get_type ())
G_DECLARE_FINAL_TYPE (BerthOstreeStore, berth_ostree_store, BERTH, OSTREE_STORE, GObject)

/* ref namespaces of the repository; each ref ends in the digest's hex */
#define BERTH_REF_BLOB  "blob/sha256/"
#define BERTH_REF_LAYER "layer/sha256/"
#define BERTH_REF_CHAIN "chain/sha256/"

/* the xattr that marks a placeholder for a device node or fifo: "c 1 3" */
#define BERTH_DEVICE_XATTR "user.berth.device"

#define BERTH_CONTENT_STORE_DEFAULT_MAX_ENTRIES 1000000
#define BERTH_CONTENT_STORE_DEFAULT_MAX_BYTES   (G_GUINT64_CONSTANT (64) << 30)

struct _BerthOstreeStore
{
  GObject parent_instance;

  BerthPaths *paths;
  GKeyFile *config;
  gchar *repo_path;
  gchar *trees_path;
  OstreeRepo *repo; /* reads only; each transaction opens its own */
  guint64 max_entries;
  guint64 max_bytes;

  /* transactions and checkouts hold it for reading, garbage collection for
   * writing: a prune never runs while an object may be deduplicated against */
  GRWLock gc_lock;

  /* keys being written (refs, checkout names): a second writer of the same
   * key waits for the first, then finds its work done */
  GMutex inflight_lock;
  GCond inflight_cond;
  GHashTable *inflight;

  /* serialises preparing and aborting transactions, so each one knows its
   * staging directory: ostree keeps an aborted one for reuse, berth
   * removes it so that a refused write leaves nothing behind */
  GMutex staging_lock;

  /* while a collection waits for transactions in flight, the refs they
   * commit are recorded here (under inflight_lock), and kept */
  guint gc_pending;
  GHashTable *gc_protected;
};

/* a transaction on a repository of its own, holding a key in flight */
typedef struct
{
  BerthOstreeStore *store;
  OstreeRepo *repo;
  gchar *key;
  gchar *staging; /* its staging directory under <repo>/tmp, if known */
  GPtrArray *refs;
  gboolean committed;
} BerthOstreeTxn;

BerthOstreeTxn *berth_ostree_txn_begin (BerthOstreeStore *self,
                                        const gchar *key,
                                        GCancellable *cancellable,
                                        GError **error);
void berth_ostree_txn_set_ref (BerthOstreeTxn *txn, const gchar *ref, const gchar *commit);
gboolean berth_ostree_txn_commit (BerthOstreeTxn *txn, GCancellable *cancellable, GError **error);
void berth_ostree_txn_free (BerthOstreeTxn *txn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthOstreeTxn, berth_ostree_txn_free)

void berth_ostree_store_inflight_acquire (BerthOstreeStore *self, const gchar *key);
void berth_ostree_store_inflight_release (BerthOstreeStore *self, const gchar *key);

/* helpers shared by the parts of the module */
const gchar *berth_digest_hex (const gchar *digest, const gchar *what, GError **error);
gboolean berth_ostree_set_error_from_errno (GError **error, gint errsv, const gchar *format, ...)
  G_GNUC_PRINTF (3, 4);
void berth_ostree_convert_error (GError **error, const gchar *prefix);
gchar *berth_ostree_resolve_ref (OstreeRepo *repo, const gchar *ref, GError **error);
GVariant *berth_ostree_load_commit_metadata (OstreeRepo *repo, const gchar *commit, GError **error);
gchar *berth_ostree_write_dirmeta (OstreeRepo *repo,
                                   guint32 uid,
                                   guint32 gid,
                                   guint32 mode,
                                   GVariant *xattrs,
                                   GCancellable *cancellable,
                                   GError **error);
gchar *berth_ostree_commit_tree (OstreeRepo *repo,
                                 OstreeMutableTree *mtree,
                                 const gchar *subject,
                                 GVariant *metadata,
                                 GCancellable *cancellable,
                                 GError **error);
gboolean berth_rm_rf_at (int dfd, const gchar *name, GError **error);

/* blob store: berth-ostree-blob.c */
gboolean berth_ostree_blob_exists (BerthContentStore *store,
                                   const gchar *digest,
                                   GCancellable *cancellable,
                                   GError **error);
gboolean berth_ostree_blob_info (BerthContentStore *store,
                                 const gchar *digest,
                                 gint64 *out_size,
                                 gchar **out_media_type,
                                 GHashTable **out_labels,
                                 GCancellable *cancellable,
                                 GError **error);
GInputStream *berth_ostree_read_blob (BerthContentStore *store,
                                      const gchar *digest,
                                      GCancellable *cancellable,
                                      GError **error);
gboolean berth_ostree_ingest_blob (BerthContentStore *store,
                                   GInputStream *stream,
                                   const gchar *digest,
                                   gint64 size,
                                   const gchar *media_type,
                                   GHashTable *labels,
                                   GCancellable *cancellable,
                                   GError **error);
gboolean berth_ostree_delete_blob (BerthContentStore *store,
                                   const gchar *digest,
                                   GCancellable *cancellable,
                                   GError **error);
GStrv berth_ostree_list_blobs (BerthContentStore *store, GCancellable *cancellable, GError **error);

/* layer import: berth-ostree-layer.c */
gchar *berth_ostree_import_layer (BerthContentStore *store,
                                  GInputStream *stream,
                                  const BerthLayerImport *layer,
                                  GCancellable *cancellable,
                                  GError **error);
gchar *berth_ostree_regfile_checksum (
  guint32 uid, guint32 gid, guint32 mode, GVariant *xattrs, const guint8 *data, gsize len);
gboolean berth_ostree_has_layer (BerthContentStore *store,
                                 const gchar *diff_id,
                                 GCancellable *cancellable,
                                 GError **error);

/* chains and checkouts: berth-ostree-chain.c */
gchar *berth_ostree_build_chain (BerthContentStore *store,
                                 const gchar *const *diff_ids,
                                 GCancellable *cancellable,
                                 GError **error);
gchar *berth_ostree_checkout_chain (BerthContentStore *store,
                                    const gchar *chain_id,
                                    GCancellable *cancellable,
                                    GError **error);

/* garbage collection and accounting: berth-ostree-gc.c */
gboolean berth_ostree_garbage_collect (BerthContentStore *store,
                                       const gchar *const *roots,
                                       guint64 *out_freed,
                                       GCancellable *cancellable,
                                       GError **error);
GVariant *berth_ostree_usage (BerthContentStore *store,
                              GVariant *owners,
                              GCancellable *cancellable,
                              GError **error);
gboolean berth_ostree_store_clean_trees (BerthOstreeStore *self, GError **error);

G_END_DECLS
