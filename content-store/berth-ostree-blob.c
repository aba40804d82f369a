/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* blobs: each one a commit of a tree holding one file, "blob", under the ref
 * blob/sha256/<hex>, with its size, media type and labels in the commit's
 * metadata. ostree names objects by its own checksum (header included), so
 * the OCI digest is verified here, with nettle, while the bytes stream in. */
#define G_LOG_DOMAIN "BerthContentStore"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <nettle/sha2.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth-ostree-store-private.h"

#define BLOB_CHUNK (256 * 1024)

static gchar *
blob_ref (const gchar *digest, GError **error)
{
  const gchar *hex = berth_digest_hex (digest, "digest", error);
  if (hex == NULL)
    return NULL;
  return g_strconcat (BERTH_REF_BLOB, hex, NULL);
}

gboolean
berth_ostree_blob_exists (BerthContentStore *store,
                          const gchar *digest,
                          GCancellable *cancellable,
                          GError **error)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (store);
  g_autofree gchar *ref = blob_ref (digest, error);
  g_autofree gchar *commit = NULL;
  g_autoptr(GError) local_error = NULL;

  if (ref == NULL)
    return FALSE;
  commit = berth_ostree_resolve_ref (self->repo, ref, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return commit != NULL;
}

static gchar *
resolve_blob (BerthOstreeStore *self, const gchar *digest, GError **error)
{
  g_autofree gchar *ref = blob_ref (digest, error);
  g_autofree gchar *commit = NULL;
  g_autoptr(GError) local_error = NULL;

  if (ref == NULL)
    return NULL;
  commit = berth_ostree_resolve_ref (self->repo, ref, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (commit == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "blob %s not found", digest);
      return NULL;
    }
  return g_steal_pointer (&commit);
}

gboolean
berth_ostree_blob_info (BerthContentStore *store,
                        const gchar *digest,
                        gint64 *out_size,
                        gchar **out_media_type,
                        GHashTable **out_labels,
                        GCancellable *cancellable,
                        GError **error)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (store);
  g_autofree gchar *commit = resolve_blob (self, digest, error);
  g_autoptr(GVariant) metadata = NULL;
  g_autoptr(GVariantDict) dict = NULL;
  g_autoptr(GVariant) labels = NULL;
  guint64 size = 0;
  const gchar *media_type = NULL;

  if (commit == NULL)
    return FALSE;
  metadata = berth_ostree_load_commit_metadata (self->repo, commit, error);
  if (metadata == NULL)
    return FALSE;
  dict = g_variant_dict_new (metadata);
  g_variant_dict_lookup (dict, "berth.size", "t", &size);
  g_variant_dict_lookup (dict, "berth.media-type", "&s", &media_type);
  labels = g_variant_dict_lookup_value (dict, "berth.labels", G_VARIANT_TYPE ("a{ss}"));
  if (out_size != NULL)
    *out_size = (gint64)size;
  if (out_media_type != NULL)
    *out_media_type = media_type != NULL && *media_type != '\0' ? g_strdup (media_type) : NULL;
  if (out_labels != NULL)
    {
      GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      if (labels != NULL)
        {
          GVariantIter iter;
          const gchar *k, *v;
          g_variant_iter_init (&iter, labels);
          while (g_variant_iter_next (&iter, "{&s&s}", &k, &v))
            g_hash_table_insert (table, g_strdup (k), g_strdup (v));
        }
      *out_labels = table;
    }
  return TRUE;
}

GInputStream *
berth_ostree_read_blob (BerthContentStore *store,
                        const gchar *digest,
                        GCancellable *cancellable,
                        GError **error)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (store);
  g_autofree gchar *commit = resolve_blob (self, digest, error);
  g_autoptr(GFile) root = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GInputStream) input = NULL;

  if (commit == NULL)
    return NULL;
  if (!ostree_repo_read_commit (self->repo, commit, &root, NULL, cancellable, error))
    {
      berth_ostree_convert_error (error, digest);
      return NULL;
    }
  file = g_file_get_child (root, "blob");
  if (!ostree_repo_load_file (self->repo, ostree_repo_file_get_checksum (OSTREE_REPO_FILE (file)),
                              &input, NULL, NULL, cancellable, error))
    {
      berth_ostree_convert_error (error, digest);
      return NULL;
    }
  return g_steal_pointer (&input);
}

/* reads the whole of @stream into the writer @out, hashing it and refusing
 * more than @size bytes; returns the byte count in @out_total */
static gboolean
copy_hashing (GInputStream *stream,
              GOutputStream *out,
              struct sha256_ctx *md,
              gint64 size,
              const gchar *digest,
              guint64 *out_total,
              GCancellable *cancellable,
              GError **error)
{
  g_autofree guint8 *buf = g_malloc (BLOB_CHUNK);
  guint64 total = 0;

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buf, BLOB_CHUNK, cancellable, error);
      if (n < 0)
        {
          berth_ostree_convert_error (error, "reading the blob");
          return FALSE;
        }
      if (n == 0)
        break;
      total += n;
      if (size >= 0 && total > (guint64)size)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "blob %s is longer than expected: expected %" G_GINT64_FORMAT
                       " bytes, got at least %" G_GUINT64_FORMAT,
                       digest, size, total);
          return FALSE;
        }
      sha256_update (md, n, buf);
      if (!g_output_stream_write_all (out, buf, n, NULL, cancellable, error))
        {
          berth_ostree_convert_error (error, "writing the blob");
          return FALSE;
        }
    }
  *out_total = total;
  return TRUE;
}

static gboolean
check_digest (
  struct sha256_ctx *md, const gchar *digest, guint64 total, gint64 size, GError **error)
{
  guint8 raw[SHA256_DIGEST_SIZE];
  g_autofree gchar *hex = NULL;
  g_autofree gchar *actual = NULL;

  if (size >= 0 && total != (guint64)size)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "blob %s is shorter than expected: expected %" G_GINT64_FORMAT
                   " bytes, got %" G_GUINT64_FORMAT,
                   digest, size, total);
      return FALSE;
    }
  sha256_digest (md, sizeof raw, raw);
  hex = ostree_checksum_from_bytes (raw);
  actual = g_strconcat ("sha256:", hex, NULL);
  if (!g_str_equal (actual, digest))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "digest mismatch: expected %s, actual %s", digest, actual);
      return FALSE;
    }
  return TRUE;
}

/* an unknown size has to be learnt before ostree can take the content, so
 * the blob is spooled, verified, into an unlinked file first */
static GInputStream *
spool_unknown_size (BerthOstreeStore *self,
                    GInputStream *stream,
                    struct sha256_ctx *md,
                    const gchar *digest,
                    guint64 *out_total,
                    GCancellable *cancellable,
                    GError **error)
{
  g_autofree gchar *tmp = g_build_filename (self->repo_path, "tmp", NULL);
  g_autoptr(GOutputStream) out = NULL;
  int fd = open (tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      berth_ostree_set_error_from_errno (error, errno, "creating a file in %s", tmp);
      return NULL;
    }
  out = g_unix_output_stream_new (fd, FALSE);
  if (!copy_hashing (stream, out, md, -1, digest, out_total, cancellable, error))
    {
      close (fd);
      return NULL;
    }
  if (!check_digest (md, digest, *out_total, -1, error))
    {
      close (fd);
      return NULL;
    }
  if (lseek (fd, 0, SEEK_SET) < 0)
    {
      berth_ostree_set_error_from_errno (error, errno, "rewinding the spooled blob");
      close (fd);
      return NULL;
    }
  return g_unix_input_stream_new (fd, TRUE);
}

static GVariant *
blob_metadata (const gchar *digest, guint64 size, const gchar *media_type, GHashTable *labels)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_auto(GVariantBuilder) lb = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));

  g_variant_builder_add (&builder, "{sv}", "berth.digest", g_variant_new_string (digest));
  g_variant_builder_add (&builder, "{sv}", "berth.size", g_variant_new_uint64 (size));
  g_variant_builder_add (&builder, "{sv}", "berth.media-type",
                         g_variant_new_string (media_type != NULL ? media_type : ""));
  if (labels != NULL)
    {
      GHashTableIter iter;
      gpointer k, v;
      g_hash_table_iter_init (&iter, labels);
      while (g_hash_table_iter_next (&iter, &k, &v))
        g_variant_builder_add (&lb, "{ss}", (const gchar *)k, (const gchar *)v);
    }
  g_variant_builder_add (&builder, "{sv}", "berth.labels", g_variant_builder_end (&lb));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

gboolean
berth_ostree_ingest_blob (BerthContentStore *store,
                          GInputStream *stream,
                          const gchar *digest,
                          gint64 size,
                          const gchar *media_type,
                          GHashTable *labels,
                          GCancellable *cancellable,
                          GError **error)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (store);
  g_autofree gchar *ref = blob_ref (digest, error);
  g_autoptr(BerthOstreeTxn) txn = NULL;
  struct sha256_ctx md_ctx;
  struct sha256_ctx *md = &md_ctx;
  g_autoptr(OstreeMutableTree) mtree = ostree_mutable_tree_new ();
  g_autoptr(GVariant) metadata = NULL;
  g_autofree gchar *file_csum = NULL;
  g_autofree gchar *dirmeta = NULL;
  g_autofree gchar *commit = NULL;
  g_autoptr(GError) local_error = NULL;
  guint64 total = 0;

  if (ref == NULL)
    return FALSE;
  if (size < -1)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "invalid size %" G_GINT64_FORMAT " for blob %s", size, digest);
      return FALSE;
    }

  /* waits for a concurrent ingest of the same digest, which stores it once */
  txn = berth_ostree_txn_begin (self, ref, cancellable, error);
  if (txn == NULL)
    return FALSE;
  commit = berth_ostree_resolve_ref (txn->repo, ref, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (commit != NULL)
    {
      g_debug ("blob %s already stored", digest);
      return TRUE;
    }

  sha256_init (md);
  if (size >= 0)
    {
      /* stream straight into the object: a mismatch drops the writer, whose
       * unlinked file vanishes, and the transaction aborts */
      g_autoptr(OstreeContentWriter) writer = NULL;
      writer = ostree_repo_write_regfile (txn->repo, NULL, 0, 0, S_IFREG | 0644, size, NULL, error);
      if (writer == NULL)
        {
          berth_ostree_convert_error (error, digest);
          return FALSE;
        }
      if (!copy_hashing (stream, G_OUTPUT_STREAM (writer), md, size, digest, &total, cancellable,
                         error))
        return FALSE;
      if (!check_digest (md, digest, total, size, error))
        return FALSE;
      file_csum = ostree_content_writer_finish (writer, cancellable, error);
      if (file_csum == NULL)
        {
          berth_ostree_convert_error (error, digest);
          return FALSE;
        }
    }
  else
    {
      g_autoptr(GInputStream) spooled = NULL;
      g_autoptr(GFileInfo) info = g_file_info_new ();
      g_autoptr(GInputStream) content = NULL;
      g_autofree guchar *csum = NULL;
      guint64 length = 0;

      spooled = spool_unknown_size (self, stream, md, digest, &total, cancellable, error);
      if (spooled == NULL)
        return FALSE;
      g_file_info_set_file_type (info, G_FILE_TYPE_REGULAR);
      g_file_info_set_size (info, total);
      g_file_info_set_attribute_uint32 (info, "unix::uid", 0);
      g_file_info_set_attribute_uint32 (info, "unix::gid", 0);
      g_file_info_set_attribute_uint32 (info, "unix::mode", S_IFREG | 0644);
      if (!ostree_raw_file_to_content_stream (spooled, info, NULL, &content, &length, cancellable,
                                              error)
          || !ostree_repo_write_content (txn->repo, NULL, content, length, &csum, cancellable,
                                         error))
        {
          berth_ostree_convert_error (error, digest);
          return FALSE;
        }
      file_csum = ostree_checksum_from_bytes (csum);
    }

  dirmeta = berth_ostree_write_dirmeta (txn->repo, 0, 0, 0755, NULL, cancellable, error);
  if (dirmeta == NULL || !ostree_mutable_tree_replace_file (mtree, "blob", file_csum, error))
    {
      berth_ostree_convert_error (error, digest);
      return FALSE;
    }
  ostree_mutable_tree_set_metadata_checksum (mtree, dirmeta);
  metadata = blob_metadata (digest, total, media_type, labels);
  g_clear_pointer (&commit, g_free);
  commit = berth_ostree_commit_tree (txn->repo, mtree, digest, metadata, cancellable, error);
  if (commit == NULL)
    {
      berth_ostree_convert_error (error, digest);
      return FALSE;
    }
  berth_ostree_txn_set_ref (txn, ref, commit);
  if (!berth_ostree_txn_commit (txn, cancellable, error))
    return FALSE;
  g_debug ("stored blob %s (%" G_GUINT64_FORMAT " bytes) as commit %s", digest, total, commit);
  return TRUE;
}

gboolean
berth_ostree_delete_blob (BerthContentStore *store,
                          const gchar *digest,
                          GCancellable *cancellable,
                          GError **error)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (store);
  g_autofree gchar *ref = blob_ref (digest, error);
  g_autofree gchar *commit = NULL;

  if (ref == NULL)
    return FALSE;
  /* a blob being written is not there yet; wait for it rather than race */
  berth_ostree_store_inflight_acquire (self, ref);
  commit = resolve_blob (self, digest, error);
  if (commit == NULL)
    {
      berth_ostree_store_inflight_release (self, ref);
      return FALSE;
    }
  /* the objects go at the next garbage collection */
  if (!ostree_repo_set_ref_immediate (self->repo, NULL, ref, NULL, cancellable, error))
    {
      berth_ostree_store_inflight_release (self, ref);
      berth_ostree_convert_error (error, digest);
      return FALSE;
    }
  berth_ostree_store_inflight_release (self, ref);
  return TRUE;
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(const gchar *const *)a, *(const gchar *const *)b);
}

GStrv
berth_ostree_list_blobs (BerthContentStore *store, GCancellable *cancellable, GError **error)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (store);
  g_autoptr(GHashTable) refs = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree gpointer *keys = NULL;
  guint n = 0;

  if (!ostree_repo_list_refs (self->repo, NULL, &refs, cancellable, error))
    {
      berth_ostree_convert_error (error, "listing blobs");
      return NULL;
    }
  keys = g_hash_table_get_keys_as_array (refs, &n);
  qsort (keys, n, sizeof (gpointer), compare_strings);
  for (guint i = 0; i < n; i++)
    {
      const gchar *name = keys[i];
      if (g_str_has_prefix (name, BERTH_REF_BLOB))
        {
          g_autofree gchar *digest = g_strconcat ("sha256:", name + strlen (BERTH_REF_BLOB), NULL);
          g_strv_builder_add (builder, digest);
        }
    }
  return g_strv_builder_end (builder);
}
