/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* layer import: a tar stream becomes an OSTree commit keyed by its diff ID.
 *
 * Entries are never written to the host file system by their archive path:
 * each one becomes an object in the repository and a name in an in-memory
 * OstreeMutableTree, so no symlink is ever followed and nothing can land
 * outside the layer's tree by construction. The decisions per hostile case:
 *
 * - absolute names ("/etc/x") are neutralised to "etc/x", as moby's
 *   UnpackLayer does by joining every name under the layer root;
 * - ".." is resolved lexically ("a/../b" is "b", as filepath.Clean does);
 *   a name that climbs above the root is refused, as moby refuses it
 *   ("breakout");
 * - an entry whose parent is a symlink or a file is refused: moby would
 *   follow the symlink inside its chroot, we refuse to follow any;
 * - a hardlink to a target outside the tree, to a directory, or to a name
 *   not yet seen in this layer is refused (moby refuses the first two, and
 *   the third fails in os.Link);
 * - an entry that replaces a directory with a symlink within one layer is
 *   refused (the CVE-2021-31566 pattern); replacing a directory with a file
 *   or a file with a directory follows moby (the old one is removed);
 * - names that are not UTF-8 (OSTree cannot name them), components over
 *   NAME_MAX and paths over PATH_MAX are refused;
 * - more than max-layer-entries entries, more than max-layer-bytes of
 *   tar, or files that unpack to more than max-layer-bytes (a sparse
 *   entry's holes count), is refused: a tar bomb stops at the limit;
 * - top-level ".wh..wh.*" entries (AUFS metadata) are skipped, as moby does.
 *
 * Whiteouts are kept in the layer's tree as empty files and applied when a
 * chain is built. Device nodes and fifos, which OSTree cannot store, become
 * empty files carrying an xattr describing them, listed in the commit's
 * metadata and recreated by checkout_chain(). OSTree keeps no mtimes: files
 * of a checkout carry the time of the object. */
#define G_LOG_DOMAIN "BerthContentStore"

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <string.h>
#include <sys/stat.h>

#include "berth-layer-source.h"
#include "berth-ostree-store-private.h"

#define DATA_CHUNK (1024 * 1024)
#define INLINE_MAX (64 * 1024 * 1024)

typedef struct
{
  BerthOstreeStore *store;
  OstreeRepo *repo;
  GCancellable *cancellable;
  struct archive *archive;
  BerthLayerSource *source;
  GError *source_error;
  OstreeMutableTree *root;
  gchar *default_dirmeta;
  GHashTable *dirmeta_cache; /* serialized dirmeta → checksum */
  GHashTable *implicit_dirs; /* paths of directories made as parents */
  GHashTable *whiteout_dirs; /* paths of directories holding whiteouts */
  GHashTable *symlinks;      /* paths of symlinks, for error messages */
  GHashTable *devices;       /* path → placeholder checksum */
  GHashTable *device_specs;  /* placeholder checksum → "c 1 3" */
  guint64 entries;
  guint64 file_bytes; /* of regular files, sparse holes included */
  guint8 *buf;
  /* regular files are written by a pool of threads while the tar is read:
   * on ext4 most of an import is the kernel making inodes */
  GThreadPool *writers;
  GMutex write_lock;
  GCond write_cond;
  guint64 write_queued; /* bytes handed to writers and not yet written */
  GError *write_error;
} LayerBuild;

#define WRITE_THREADS     2
#define WRITE_QUEUE_BYTES (64 * 1024 * 1024)

typedef struct
{
  gchar *checksum;
  GBytes *data;
  guint32 uid, gid, mode;
  GVariant *xattrs;
} WriteJob;

static void
write_job_free (WriteJob *job)
{
  g_free (job->checksum);
  g_bytes_unref (job->data);
  g_clear_pointer (&job->xattrs, g_variant_unref);
  g_free (job);
}

static void
write_job_run (gpointer data, gpointer user_data)
{
  WriteJob *job = data;
  LayerBuild *b = user_data;
  g_autoptr(GError) error = NULL;
  gboolean failed;

  g_mutex_lock (&b->write_lock);
  failed = b->write_error != NULL;
  g_mutex_unlock (&b->write_lock);
  if (!failed)
    {
      g_autoptr(GFileInfo) info = g_file_info_new ();
      g_autoptr(GInputStream) mem = g_memory_input_stream_new_from_bytes (job->data);
      g_autoptr(GInputStream) content = NULL;
      guint64 length = 0;

      g_file_info_set_file_type (info, G_FILE_TYPE_REGULAR);
      g_file_info_set_size (info, g_bytes_get_size (job->data));
      g_file_info_set_attribute_uint32 (info, "unix::uid", job->uid);
      g_file_info_set_attribute_uint32 (info, "unix::gid", job->gid);
      g_file_info_set_attribute_uint32 (info, "unix::mode", job->mode);
      if (!ostree_raw_file_to_content_stream (mem, info, job->xattrs, &content, &length,
                                              b->cancellable, &error)
          || !ostree_repo_write_content_trusted (b->repo, job->checksum, content, length,
                                                 b->cancellable, &error))
        failed = TRUE;
    }
  g_mutex_lock (&b->write_lock);
  if (failed && error != NULL && b->write_error == NULL)
    b->write_error = g_steal_pointer (&error);
  b->write_queued -= g_bytes_get_size (job->data);
  g_cond_broadcast (&b->write_cond);
  g_mutex_unlock (&b->write_lock);
  write_job_free (job);
}

/* waits for every write handed to the pool; the first error, if any */
static gboolean
writers_finish (LayerBuild *b, GError **error)
{
  if (b->writers != NULL)
    {
      g_thread_pool_free (b->writers, FALSE, TRUE);
      b->writers = NULL;
    }
  if (b->write_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&b->write_error));
      return FALSE;
    }
  return TRUE;
}

static void
layer_build_clear (LayerBuild *b)
{
  g_clear_pointer (&b->source, berth_layer_source_free);
  g_clear_error (&b->source_error);
  g_clear_object (&b->root);
  g_free (b->default_dirmeta);
  g_clear_pointer (&b->dirmeta_cache, g_hash_table_unref);
  g_clear_pointer (&b->implicit_dirs, g_hash_table_unref);
  g_clear_pointer (&b->whiteout_dirs, g_hash_table_unref);
  g_clear_pointer (&b->symlinks, g_hash_table_unref);
  g_clear_pointer (&b->devices, g_hash_table_unref);
  g_clear_pointer (&b->device_specs, g_hash_table_unref);
  /* an import that failed half-way still waits for its writers */
  if (b->writers != NULL)
    g_thread_pool_free (b->writers, FALSE, TRUE);
  g_clear_error (&b->write_error);
  g_mutex_clear (&b->write_lock);
  g_cond_clear (&b->write_cond);
  g_free (b->buf);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LayerBuild, layer_build_clear)

static la_ssize_t
layer_read_cb (struct archive *a, void *data, const void **buf)
{
  LayerBuild *b = data;
  gsize len = 0;

  if (!berth_layer_source_read (b->source, buf, &len, &b->source_error))
    {
      archive_set_error (a, EIO, "%s", b->source_error->message);
      return -1;
    }
  return (la_ssize_t)len;
}

/* an error from libarchive, or better the one our read callback hit */
static gboolean
archive_fail (LayerBuild *b, const gchar *display, GError **error)
{
  if (b->source_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&b->source_error));
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (b->cancellable, error))
    {
      berth_error_convert (error);
      return FALSE;
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%s%s%s: %s",
               display != NULL ? "entry " : "", display != NULL ? display : "",
               display != NULL ? "" : "malformed tar", archive_error_string (b->archive));
  return FALSE;
}

/* a printable, bounded rendering of an archive name for messages */
static gchar *
display_name (const gchar *raw)
{
  g_autofree gchar *cut = g_strndup (raw, 96);
  g_autofree gchar *escaped = g_strescape (cut, NULL);
  return g_strdup_printf ("\"%s%s\"", escaped, strlen (raw) > 96 ? "…" : "");
}

/* splits an archive name into components below the root, lexically */
static GPtrArray *
split_path (const gchar *raw, const gchar *display, const gchar *what, GError **error)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) comps = NULL;

  if (raw == NULL || *raw == '\0')
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "entry %s: empty %s", display,
                   what);
      return NULL;
    }
  if (!g_utf8_validate (raw, -1, NULL))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "entry %s: %s is not valid UTF-8", display, what);
      return NULL;
    }
  if (strlen (raw) >= PATH_MAX)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "entry %s: %s is longer than PATH_MAX (%d)", display, what, PATH_MAX);
      return NULL;
    }
  comps = g_strsplit (raw, "/", -1);
  for (guint i = 0; comps[i] != NULL; i++)
    {
      const gchar *c = comps[i];
      if (*c == '\0' || g_str_equal (c, "."))
        continue;
      if (g_str_equal (c, ".."))
        {
          if (parts->len == 0)
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "entry %s: %s climbs out of the layer", display, what);
              return NULL;
            }
          g_ptr_array_remove_index (parts, parts->len - 1);
          continue;
        }
      if (strlen (c) > NAME_MAX)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "entry %s: %s has a component longer than NAME_MAX (%d)", display, what,
                       NAME_MAX);
          return NULL;
        }
      g_ptr_array_add (parts, g_strdup (c));
    }
  return g_steal_pointer (&parts);
}

static gchar *
join_parts (GPtrArray *parts, guint n)
{
  g_autoptr(GString) s = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (s, '/');
      g_string_append (s, parts->pdata[i]);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gint
compare_xattr (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* the entry's xattrs as a(ayay), sorted by name; ours are dropped, and
 * user.* on symlinks, which Linux refuses (moby ignores that failure too) */
static GVariant *
entry_xattrs (struct archive_entry *entry, gboolean is_symlink, const gchar *device_spec)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(ayay)"));
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  const gchar *name;
  const void *value;
  size_t size;

  if (archive_entry_xattr_reset (entry) > 0)
    {
      while (archive_entry_xattr_next (entry, &name, &value, &size) == ARCHIVE_OK)
        {
          if (name == NULL || g_str_has_prefix (name, "user.berth."))
            continue;
          if (is_symlink && g_str_has_prefix (name, "user."))
            continue;
          if (g_hash_table_contains (values, name))
            continue;
          g_ptr_array_add (names, (gpointer)name);
          g_hash_table_insert (values, (gpointer)name,
                               g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, value, size, 1));
        }
    }
  if (device_spec != NULL)
    {
      g_ptr_array_add (names, (gpointer)BERTH_DEVICE_XATTR);
      g_hash_table_insert (
        values, (gpointer)BERTH_DEVICE_XATTR,
        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, device_spec, strlen (device_spec), 1));
    }
  if (names->len == 0)
    return NULL;
  g_ptr_array_sort (names, compare_xattr);
  for (guint i = 0; i < names->len; i++)
    g_variant_builder_add (&builder, "(@ay@ay)", g_variant_new_bytestring (names->pdata[i]),
                           g_hash_table_lookup (values, names->pdata[i]));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static gboolean
entry_owner (
  struct archive_entry *entry, const gchar *display, guint32 *uid, guint32 *gid, GError **error)
{
  la_int64_t u = archive_entry_uid (entry);
  la_int64_t g = archive_entry_gid (entry);

  if (u < 0 || u > G_MAXUINT32 || g < 0 || g > G_MAXUINT32)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "entry %s: owner %" G_GINT64_FORMAT ":%" G_GINT64_FORMAT " is out of range",
                   display, (gint64)u, (gint64)g);
      return FALSE;
    }
  *uid = (guint32)u;
  *gid = (guint32)g;
  return TRUE;
}

static const gchar *
dirmeta_for (
  LayerBuild *b, guint32 uid, guint32 gid, guint32 mode, GVariant *xattrs, GError **error)
{
  g_autoptr(GFileInfo) info = g_file_info_new ();
  g_autoptr(GVariant) dirmeta = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autofree guchar *csum = NULL;
  const gchar *cached;
  gchar *checksum;

  g_file_info_set_attribute_uint32 (info, "unix::uid", uid);
  g_file_info_set_attribute_uint32 (info, "unix::gid", gid);
  g_file_info_set_attribute_uint32 (info, "unix::mode", S_IFDIR | (mode & 07777));
  /* already sunk: ostree returns it (transfer full), not floating */
  dirmeta = ostree_create_directory_metadata (info, xattrs);
  key = g_variant_get_data_as_bytes (dirmeta);
  cached = g_hash_table_lookup (b->dirmeta_cache, key);
  if (cached != NULL)
    return cached;
  if (!ostree_repo_write_metadata (b->repo, OSTREE_OBJECT_TYPE_DIR_META, NULL, dirmeta, &csum,
                                   b->cancellable, error))
    return NULL;
  checksum = ostree_checksum_from_bytes (csum);
  g_hash_table_insert (b->dirmeta_cache, g_steal_pointer (&key), checksum);
  return checksum;
}

/* the directory that holds the last component of @parts, made as needed;
 * never through anything but a directory */
static OstreeMutableTree *
ensure_parent (LayerBuild *b, GPtrArray *parts, const gchar *display, GError **error)
{
  OstreeMutableTree *dir = b->root;

  for (guint i = 0; i + 1 < parts->len; i++)
    {
      const gchar *name = parts->pdata[i];
      OstreeMutableTree *sub = g_hash_table_lookup (ostree_mutable_tree_get_subdirs (dir), name);

      if (sub == NULL)
        {
          g_autoptr(OstreeMutableTree) made = NULL;
          g_autofree gchar *path = join_parts (parts, i + 1);

          if (g_hash_table_contains (ostree_mutable_tree_get_files (dir), name))
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "entry %s: its parent \"%s\" is a %s, not a directory", display, path,
                           g_hash_table_contains (b->symlinks, path) ? "symlink" : "file");
              return NULL;
            }
          if (!ostree_mutable_tree_ensure_dir (dir, name, &made, error))
            return NULL;
          ostree_mutable_tree_set_metadata_checksum (made, b->default_dirmeta);
          g_hash_table_add (b->implicit_dirs, g_steal_pointer (&path));
          sub = made; /* the parent holds a reference */
        }
      dir = sub;
    }
  return dir;
}

/* puts a non-directory at @name in @parent */
static gboolean
place_file (LayerBuild *b,
            OstreeMutableTree *parent,
            const gchar *name,
            const gchar *path,
            const gchar *checksum,
            gboolean is_symlink,
            const gchar *display,
            GError **error)
{
  if (g_hash_table_contains (ostree_mutable_tree_get_subdirs (parent), name))
    {
      if (is_symlink)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "entry %s: replaces a directory with a symlink", display);
          return FALSE;
        }
      if (!ostree_mutable_tree_remove (parent, name, FALSE, error))
        return FALSE;
    }
  if (!ostree_mutable_tree_replace_file (parent, name, checksum, error))
    return FALSE;
  g_hash_table_remove (b->devices, path);
  if (is_symlink)
    g_hash_table_add (b->symlinks, g_strdup (path));
  else
    g_hash_table_remove (b->symlinks, path);
  return TRUE;
}

/* the checksum ostree gives a regular file: SHA-256 of its header (uid,
 * gid, mode, xattrs sorted by name, as a length-prefixed GVariant) and its
 * contents. Debian's libostree hashes with GChecksum (0.28 GB/s here);
 * nettle does 1.4 GB/s (SHA-NI). test-content-store checks this against ostree. */
gchar *
berth_ostree_regfile_checksum (
  guint32 uid, guint32 gid, guint32 mode, GVariant *xattrs, const guint8 *data, gsize len)
{
  g_autoptr(GVariant) empty = NULL;
  g_autoptr(GVariant) header = NULL;
  struct sha256_ctx md;
  guint8 raw[SHA256_DIGEST_SIZE];
  guint32 prefix[2];

  if (xattrs == NULL)
    empty = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("(ayay)"), NULL, 0));
  header = g_variant_ref_sink (g_variant_new ("(uuuus@a(ayay))", GUINT32_TO_BE (uid),
                                              GUINT32_TO_BE (gid), GUINT32_TO_BE (mode), 0, "",
                                              xattrs != NULL ? xattrs : empty));
  prefix[0] = GUINT32_TO_BE ((guint32)g_variant_get_size (header));
  prefix[1] = 0;
  sha256_init (&md);
  sha256_update (&md, sizeof prefix, (const guint8 *)prefix);
  sha256_update (&md, g_variant_get_size (header), g_variant_get_data (header));
  sha256_update (&md, len, data);
  sha256_digest (&md, sizeof raw, raw);
  return ostree_checksum_from_bytes (raw);
}

/* writes a regular file whose contents are in memory: checksummed here,
 * then written as trusted, which skips the write of an object the
 * repository has (the same file in another layer or plugin) */
static gchar *
write_regfile (LayerBuild *b,
               guint32 uid,
               guint32 gid,
               guint32 mode,
               GVariant *xattrs,
               GBytes *bytes,
               GError **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autofree gchar *checksum = berth_ostree_regfile_checksum (uid, gid, mode, xattrs, data, len);
  WriteJob *job;

  /* a file the repository has (in another layer or plugin) is not written */
  {
    gboolean have = FALSE;
    if (!ostree_repo_has_object (b->repo, OSTREE_OBJECT_TYPE_FILE, checksum, &have, b->cancellable,
                                 error))
      return NULL;
    if (have)
      return g_steal_pointer (&checksum);
  }
  g_mutex_lock (&b->write_lock);
  while (b->write_queued > 0 && b->write_queued + len > WRITE_QUEUE_BYTES)
    g_cond_wait (&b->write_cond, &b->write_lock);
  if (b->write_error != NULL)
    {
      g_propagate_error (error, g_error_copy (b->write_error));
      g_mutex_unlock (&b->write_lock);
      return NULL;
    }
  b->write_queued += len;
  g_mutex_unlock (&b->write_lock);

  job = g_new0 (WriteJob, 1);
  job->checksum = g_strdup (checksum);
  job->data = g_bytes_ref (bytes);
  job->uid = uid;
  job->gid = gid;
  job->mode = mode;
  job->xattrs = xattrs != NULL ? g_variant_ref (xattrs) : NULL;
  if (!g_thread_pool_push (b->writers, job, error))
    {
      write_job_free (job);
      return NULL;
    }
  return g_steal_pointer (&checksum);
}

/* reads the entry's data into one object; sparse holes come back as zeros */
static gchar *
write_regular (LayerBuild *b,
               struct archive_entry *entry,
               guint32 uid,
               guint32 gid,
               guint32 mode,
               GVariant *xattrs,
               const gchar *display,
               GError **error)
{
  la_int64_t size = archive_entry_size_is_set (entry) ? archive_entry_size (entry) : 0;
  g_autoptr(OstreeContentWriter) writer = NULL;
  guint64 total = 0;

  if (size < 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "entry %s: negative size",
                   display);
      return NULL;
    }
  /* max-layer-bytes bounds the tar; a sparse entry's holes come back as
   * zeros that were never in it (a 10 KiB tar can hold a 1 TiB file), so
   * what the files unpack to is bounded as well, before any of it is read */
  if ((guint64)size > b->store->max_bytes - MIN (b->file_bytes, b->store->max_bytes))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "entry %s: the layer's files unpack to more than %" G_GUINT64_FORMAT
                   " bytes (max-layer-bytes)",
                   display, b->store->max_bytes);
      return NULL;
    }
  b->file_bytes += (guint64)size;
  /* files up to INLINE_MAX are read whole, checksummed with nettle and
   * written only if new; larger ones stream through ostree's writer, which
   * hashes with GChecksum and (ostree 2022.7) replaces an existing object,
   * unsharing it from checkouts made earlier */
  if (size <= INLINE_MAX)
    {
      /* read straight into the buffer the writer thread takes */
      guint8 *buf = g_malloc (size);
      g_autoptr(GBytes) bytes = g_bytes_new_take (buf, size);

      while (total < (guint64)size)
        {
          la_ssize_t n = archive_read_data (b->archive, buf + total, size - total);
          if (n < 0)
            {
              archive_fail (b, display, error);
              return NULL;
            }
          if (n == 0)
            break;
          total += n;
        }
      if (total != (guint64)size)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "entry %s: truncated data",
                       display);
          return NULL;
        }
      return write_regfile (b, uid, gid, mode, xattrs, bytes, error);
    }

  writer = ostree_repo_write_regfile (b->repo, NULL, uid, gid, mode, size, xattrs, error);
  if (writer == NULL)
    return NULL;
  for (;;)
    {
      la_ssize_t n = archive_read_data (b->archive, b->buf, DATA_CHUNK);
      if (n < 0)
        {
          archive_fail (b, display, error);
          return NULL;
        }
      if (n == 0)
        break;
      if (total + n > (guint64)size)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "entry %s: more data than its size", display);
          return NULL;
        }
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (writer), b->buf, n, NULL, b->cancellable,
                                      error))
        return NULL;
      total += n;
    }
  if (total != (guint64)size)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "entry %s: truncated data",
                   display);
      return NULL;
    }
  return ostree_content_writer_finish (writer, b->cancellable, error);
}

/* looks a name of this layer up, through directories only */
static const gchar *
lookup_file (LayerBuild *b, GPtrArray *parts)
{
  OstreeMutableTree *dir = b->root;

  if (parts->len == 0)
    return NULL;
  for (guint i = 0; i + 1 < parts->len; i++)
    {
      dir = g_hash_table_lookup (ostree_mutable_tree_get_subdirs (dir), parts->pdata[i]);
      if (dir == NULL)
        return NULL;
    }
  return g_hash_table_lookup (ostree_mutable_tree_get_files (dir), parts->pdata[parts->len - 1]);
}

static gboolean
process_hardlink (LayerBuild *b,
                  OstreeMutableTree *parent,
                  const gchar *name,
                  const gchar *path,
                  const gchar *target,
                  const gchar *display,
                  GError **error)
{
  g_autoptr(GPtrArray) tparts = split_path (target, display, "hardlink target", error);
  g_autofree gchar *tpath = NULL;
  g_autofree gchar *checksum = NULL;
  const gchar *device;
  const gchar *found;

  if (tparts == NULL)
    return FALSE;
  tpath = join_parts (tparts, tparts->len);
  found = lookup_file (b, tparts);
  if (found == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "entry %s: hardlink to \"%s\", which is not an earlier file of this layer",
                   display, tpath);
      return FALSE;
    }
  checksum = g_strdup (found);
  device = g_hash_table_lookup (b->devices, tpath);
  if (!place_file (b, parent, name, path, checksum, g_hash_table_contains (b->symlinks, tpath),
                   display, error))
    return FALSE;
  if (device != NULL)
    g_hash_table_insert (b->devices, g_strdup (path), g_strdup (checksum));
  return TRUE;
}

static gboolean
process_entry (LayerBuild *b, struct archive_entry *entry, GError **error)
{
  const gchar *raw = archive_entry_pathname_utf8 (entry);
  const gchar *hardlink;
  g_autofree gchar *display = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  g_autofree gchar *path = NULL;
  g_autoptr(GVariant) xattrs = NULL;
  g_autofree gchar *checksum = NULL;
  OstreeMutableTree *parent;
  const gchar *name;
  guint32 uid, gid, perm;
  mode_t type = archive_entry_filetype (entry);

  if (raw == NULL)
    raw = archive_entry_pathname (entry);
  display = display_name (raw != NULL ? raw : "");
  if (++b->entries > b->store->max_entries)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "entry %s: the layer has more than %" G_GUINT64_FORMAT
                   " entries (max-layer-entries)",
                   display, b->store->max_entries);
      return FALSE;
    }
  parts = split_path (raw, display, "name", error);
  if (parts == NULL)
    return FALSE;
  if (!entry_owner (entry, display, &uid, &gid, error))
    return FALSE;
  perm = archive_entry_perm (entry) & 07777;
  hardlink = archive_entry_hardlink_utf8 (entry);
  if (hardlink == NULL)
    hardlink = archive_entry_hardlink (entry);

  if (parts->len == 0)
    {
      const gchar *meta;
      if (type != AE_IFDIR || hardlink != NULL)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "entry %s: replaces the root of the layer with a non-directory", display);
          return FALSE;
        }
      xattrs = entry_xattrs (entry, FALSE, NULL);
      meta = dirmeta_for (b, uid, gid, perm, xattrs, error);
      if (meta == NULL)
        return FALSE;
      ostree_mutable_tree_set_metadata_checksum (b->root, meta);
      g_hash_table_remove (b->implicit_dirs, "");
      return TRUE;
    }
  /* AUFS metadata (.wh..wh.plnk, .wh..wh.aufs): moby skips it */
  if (g_str_has_prefix (parts->pdata[0], ".wh..wh."))
    return TRUE;

  path = join_parts (parts, parts->len);
  name = parts->pdata[parts->len - 1];
  parent = ensure_parent (b, parts, display, error);
  if (parent == NULL)
    return FALSE;

  if (g_str_has_prefix (name, ".wh."))
    {
      g_autofree gchar *dir = join_parts (parts, parts->len - 1);
      const gchar *hidden = name + strlen (".wh.");

      if (g_str_has_prefix (name, ".wh..wh.") && !g_str_equal (name, ".wh..wh..opq"))
        return TRUE;
      if (*hidden == '\0' || g_str_equal (hidden, ".") || g_str_equal (hidden, ".."))
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "entry %s: invalid whiteout", display);
          return FALSE;
        }
      g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
      checksum = write_regfile (b, 0, 0, S_IFREG | 0644, NULL, empty, error);
      if (checksum == NULL || !place_file (b, parent, name, path, checksum, FALSE, display, error))
        return FALSE;
      g_hash_table_add (b->whiteout_dirs, g_steal_pointer (&dir));
      return TRUE;
    }

  if (hardlink != NULL)
    return process_hardlink (b, parent, name, path, hardlink, display, error);

  switch (type)
    {
      case AE_IFDIR:
        {
          g_autoptr(OstreeMutableTree) sub = NULL;
          const gchar *meta;

          /* moby removes a non-directory that a directory replaces */
          if (g_hash_table_contains (ostree_mutable_tree_get_files (parent), name))
            {
              if (!ostree_mutable_tree_remove (parent, name, FALSE, error))
                return FALSE;
              g_hash_table_remove (b->devices, path);
              g_hash_table_remove (b->symlinks, path);
            }
          if (!ostree_mutable_tree_ensure_dir (parent, name, &sub, error))
            return FALSE;
          xattrs = entry_xattrs (entry, FALSE, NULL);
          meta = dirmeta_for (b, uid, gid, perm, xattrs, error);
          if (meta == NULL)
            return FALSE;
          ostree_mutable_tree_set_metadata_checksum (sub, meta);
          g_hash_table_remove (b->implicit_dirs, path);
          return TRUE;
        }
      case AE_IFREG:
        xattrs = entry_xattrs (entry, FALSE, NULL);
        checksum = write_regular (b, entry, uid, gid, S_IFREG | perm, xattrs, display, error);
        if (checksum == NULL)
          return FALSE;
        return place_file (b, parent, name, path, checksum, FALSE, display, error);
      case AE_IFLNK:
        {
          const gchar *target = archive_entry_symlink_utf8 (entry);
          if (target == NULL)
            target = archive_entry_symlink (entry);
          if (target == NULL || *target == '\0' || !g_utf8_validate (target, -1, NULL)
              || strlen (target) >= PATH_MAX)
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "entry %s: invalid symlink target", display);
              return FALSE;
            }
          xattrs = entry_xattrs (entry, TRUE, NULL);
          checksum = ostree_repo_write_symlink (b->repo, NULL, uid, gid, xattrs, target,
                                                b->cancellable, error);
          if (checksum == NULL)
            return FALSE;
          return place_file (b, parent, name, path, checksum, TRUE, display, error);
        }
      case AE_IFCHR:
      case AE_IFBLK:
      case AE_IFIFO:
        {
          g_autofree gchar *spec = g_strdup_printf ("%c %u %u",
                                                    type == AE_IFCHR   ? 'c'
                                                    : type == AE_IFBLK ? 'b'
                                                                       : 'p',
                                                    (guint)archive_entry_rdevmajor (entry),
                                                    (guint)archive_entry_rdevminor (entry));
          xattrs = entry_xattrs (entry, FALSE, spec);
          g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
          checksum = write_regfile (b, uid, gid, S_IFREG | perm, xattrs, empty, error);
          if (checksum == NULL
              || !place_file (b, parent, name, path, checksum, FALSE, display, error))
            return FALSE;
          g_hash_table_insert (b->devices, g_strdup (path), g_strdup (checksum));
          g_hash_table_insert (b->device_specs, g_strdup (checksum), g_steal_pointer (&spec));
          return TRUE;
        }
      default:
        g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                     "entry %s: unsupported file type 0%o", display, (guint)type);
        return FALSE;
    }
}

static GVariant *
strv_variant_from_set (GHashTable *set)
{
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (set, NULL);
  return g_variant_new_strv ((const gchar *const *)keys, -1);
}

static GVariant *
layer_metadata (LayerBuild *b,
                const gchar *diff_id,
                const gchar *blob_digest,
                const gchar *media_type)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_auto(GVariantBuilder) devices = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(sss)"));
  GHashTableIter iter;
  gpointer k, v;

  g_hash_table_iter_init (&iter, b->devices);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_variant_builder_add (&devices, "(sss)", (const gchar *)k, (const gchar *)v,
                           (const gchar *)g_hash_table_lookup (b->device_specs, v));
  g_variant_builder_add (&builder, "{sv}", "berth.diff-id", g_variant_new_string (diff_id));
  g_variant_builder_add (&builder, "{sv}", "berth.digest", g_variant_new_string (blob_digest));
  g_variant_builder_add (&builder, "{sv}", "berth.media-type",
                         g_variant_new_string (media_type != NULL ? media_type : ""));
  g_variant_builder_add (&builder, "{sv}", "berth.implicit-dirs",
                         strv_variant_from_set (b->implicit_dirs));
  g_variant_builder_add (&builder, "{sv}", "berth.whiteout-dirs",
                         strv_variant_from_set (b->whiteout_dirs));
  g_variant_builder_add (&builder, "{sv}", "berth.devices", g_variant_builder_end (&devices));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* the diff ID a stored layer answers to under @name, or NULL */
static gchar *
stored_layer (OstreeRepo *repo, const gchar *name, GError **error)
{
  const gchar *hex = berth_digest_hex (name, "diff ID", error);
  g_autofree gchar *ref = NULL;
  g_autofree gchar *commit = NULL;
  g_autoptr(GVariant) metadata = NULL;
  g_autoptr(GError) local_error = NULL;
  const gchar *diff_id = NULL;

  if (hex == NULL)
    return NULL;
  ref = g_strconcat (BERTH_REF_LAYER, hex, NULL);
  commit = berth_ostree_resolve_ref (repo, ref, &local_error);
  if (commit == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  metadata = berth_ostree_load_commit_metadata (repo, commit, error);
  if (metadata == NULL)
    return NULL;
  if (!g_variant_lookup (metadata, "berth.diff-id", "&s", &diff_id))
    return g_strdup (name);
  return g_strdup (diff_id);
}

static gboolean
check_match (const gchar *what, const gchar *expected, const gchar *actual, GError **error)
{
  if (expected == NULL || g_str_equal (expected, actual))
    return TRUE;
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
               "%s mismatch: expected %s, actual %s", what, expected, actual);
  return FALSE;
}

static gchar *
import_into (LayerBuild *b,
             BerthOstreeTxn *txn,
             const BerthLayerImport *layer,
             BerthLayerCompression compression,
             GInputStream *stream,
             GError **error)
{
  g_autoptr(GVariant) metadata = NULL;
  g_autofree gchar *blob_digest = NULL;
  g_autofree gchar *tar_digest = NULL;
  g_autofree gchar *commit = NULL;
  gboolean names_blob = layer->diff_id != NULL && layer->digest != NULL
                        && g_str_equal (layer->diff_id, layer->digest);
  guint64 blob_size = 0;
  int r;

  g_mutex_init (&b->write_lock);
  g_cond_init (&b->write_cond);
  b->writers = g_thread_pool_new (write_job_run, b, WRITE_THREADS, FALSE, error);
  if (b->writers == NULL)
    return NULL;
  b->source = berth_layer_source_new (stream, compression, b->store->max_bytes, b->cancellable);
  b->archive = archive_read_new ();
  archive_read_support_format_tar (b->archive);
  if (archive_read_open (b->archive, b, NULL, layer_read_cb, NULL) != ARCHIVE_OK)
    {
      archive_fail (b, NULL, error);
      return NULL;
    }
  for (;;)
    {
      struct archive_entry *entry = NULL;
      r = archive_read_next_header (b->archive, &entry);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          archive_fail (b, NULL, error);
          return NULL;
        }
      if (!process_entry (b, entry, error))
        return NULL;
      if (g_cancellable_set_error_if_cancelled (b->cancellable, error))
        {
          berth_error_convert (error);
          return NULL;
        }
    }
  if (!berth_layer_source_finish (b->source, &blob_digest, &blob_size, &tar_digest, error))
    return NULL;
  if (!writers_finish (b, error))
    return NULL;

  if (layer->size >= 0 && blob_size != (guint64)layer->size)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "layer %s: size mismatch: expected %" G_GINT64_FORMAT
                   " bytes, actual %" G_GUINT64_FORMAT,
                   layer->digest != NULL ? layer->digest : blob_digest, layer->size, blob_size);
      return NULL;
    }
  if (!check_match ("digest", layer->digest, blob_digest, error))
    return NULL;
  if (!names_blob && !check_match ("diff ID", layer->diff_id, tar_digest, error))
    return NULL;
  /* the diff ID was not known up front (`plugin create` imports while it
   * packs): a layer stored already is kept, and nothing new is committed */
  if (layer->diff_id == NULL)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree gchar *stored = stored_layer (txn->repo, tar_digest, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (stored != NULL)
        return g_steal_pointer (&stored);
    }

  metadata = layer_metadata (b, tar_digest, blob_digest, layer->media_type);
  commit
    = berth_ostree_commit_tree (txn->repo, b->root, tar_digest, metadata, b->cancellable, error);
  if (commit == NULL)
    return NULL;
  {
    g_autofree gchar *ref = g_strconcat (BERTH_REF_LAYER, tar_digest + 7, NULL);
    berth_ostree_txn_set_ref (txn, ref, commit);
  }
  /* Docker's `plugin create` names layers by their blob digest: answer to it */
  if (names_blob)
    {
      g_autofree gchar *alias = g_strconcat (BERTH_REF_LAYER, blob_digest + 7, NULL);
      berth_ostree_txn_set_ref (txn, alias, commit);
    }
  if (!berth_ostree_txn_commit (txn, b->cancellable, error))
    return NULL;
  g_debug ("imported layer %s (%" G_GUINT64_FORMAT " entries) as commit %s", tar_digest, b->entries,
           commit);
  return g_steal_pointer (&tar_digest);
}

gchar *
berth_ostree_import_layer (BerthContentStore *store,
                           GInputStream *stream,
                           const BerthLayerImport *layer,
                           GCancellable *cancellable,
                           GError **error)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (store);
  g_autoptr(BerthOstreeTxn) txn = NULL;
  /* after txn: cleared first, so writers finish before an abort */
  g_auto(LayerBuild) b = { 0 };
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *diff_id = NULL;
  BerthLayerCompression compression;

  if (!berth_layer_compression_for_media_type (layer->media_type, &compression, error))
    return NULL;
  if (layer->digest != NULL && berth_digest_hex (layer->digest, "digest", error) == NULL)
    return NULL;
  if (layer->diff_id != NULL && berth_digest_hex (layer->diff_id, "diff ID", error) == NULL)
    return NULL;

  /* concurrent imports of one layer: the second finds it stored */
  if (layer->diff_id != NULL)
    key = g_strconcat (BERTH_REF_LAYER, layer->diff_id + 7, NULL);
  else if (layer->digest != NULL)
    key = g_strconcat ("import/", layer->digest + 7, NULL);
  else
    key = g_strdup_printf ("import/%p", (gpointer)stream);
  txn = berth_ostree_txn_begin (self, key, cancellable, error);
  if (txn == NULL)
    return NULL;
  if (layer->diff_id != NULL)
    {
      diff_id = stored_layer (txn->repo, layer->diff_id, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (diff_id != NULL)
        return g_steal_pointer (&diff_id);
    }

  b.store = self;
  b.repo = txn->repo;
  b.cancellable = cancellable;
  b.root = ostree_mutable_tree_new ();
  b.buf = g_malloc (DATA_CHUNK);
  b.dirmeta_cache
    = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, g_free);
  b.implicit_dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  b.whiteout_dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  b.symlinks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  b.devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  b.device_specs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  b.default_dirmeta = berth_ostree_write_dirmeta (txn->repo, 0, 0, 0755, NULL, cancellable, error);
  if (b.default_dirmeta == NULL)
    {
      berth_ostree_convert_error (error, "importing a layer");
      return NULL;
    }
  ostree_mutable_tree_set_metadata_checksum (b.root, b.default_dirmeta);
  /* the root counts as made-up until a "./" entry describes it */
  g_hash_table_add (b.implicit_dirs, g_strdup (""));

  diff_id = import_into (&b, txn, layer, compression, stream, error);
  if (b.archive != NULL)
    archive_read_free (b.archive);
  if (diff_id == NULL)
    {
      berth_ostree_convert_error (error, NULL);
      if (layer->digest != NULL)
        g_prefix_error (error, "layer %s: ", layer->digest);
      return NULL;
    }
  return g_steal_pointer (&diff_id);
}

gboolean
berth_ostree_has_layer (BerthContentStore *store,
                        const gchar *diff_id,
                        GCancellable *cancellable,
                        GError **error)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (store);
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *found = stored_layer (self->repo, diff_id, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return found != NULL;
}
