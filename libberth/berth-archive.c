/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <isa-l.h>
#include <nettle/sha2.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "berth-archive.h"
#include "berth-error.h"

/* A directory as a gzip-compressed tar layer, as `docker plugin create`
 * makes one: paths relative to the directory, directories with a trailing
 * slash, entries in lexical order, numeric owners, the file's mode and
 * mtime, hardlinks as links to the first path, device nodes kept, and the
 * `security.capability` extended attribute kept as docker's archive code
 * keeps it. The same tree gives the same bytes every time: the gzip header
 * carries no name and no time. Compression is isa-l's level 1, many times
 * faster than zlib's default for a few percent more bytes. */

typedef struct
{
  GOutputStream *out;
  GOutputStream *tar_out; /* nullable: the tar itself goes there too */
  GCancellable *cancellable;
  GError *error;
  gboolean hash_tar; /* or the tar is not hashed here */
  struct sha256_ctx tar_hash;
  struct sha256_ctx blob_hash;
  struct isal_zstream zs;
  guint8 *level_buf;
  guint8 buf[128 * 1024];
  gint64 size;
} LayerWriter;

void
berth_layer_blob_clear (BerthLayerBlob *blob)
{
  g_clear_pointer (&blob->digest, g_free);
  g_clear_pointer (&blob->diff_id, g_free);
  blob->size = 0;
}

static gboolean
flush_output (LayerWriter *w)
{
  gsize n = sizeof w->buf - w->zs.avail_out;
  if (n == 0)
    return TRUE;
  sha256_update (&w->blob_hash, n, w->buf);
  if (!g_output_stream_write_all (w->out, w->buf, n, NULL, w->cancellable, &w->error))
    return FALSE;
  w->size += n;
  w->zs.next_out = w->buf;
  w->zs.avail_out = sizeof w->buf;
  return TRUE;
}

static gboolean
deflate_some (LayerWriter *w, const void *data, gsize len, gboolean finish)
{
  w->zs.next_in = (guint8 *)data;
  w->zs.avail_in = len;
  w->zs.end_of_stream = finish;
  w->zs.flush = NO_FLUSH;
  do
    {
      if (isal_deflate (&w->zs) != COMP_OK)
        {
          g_set_error_literal (&w->error, BERTH_ERROR, BERTH_ERROR_FAILED, "gzip failed");
          return FALSE;
        }
      if (w->zs.avail_out == 0 && !flush_output (w))
        return FALSE;
    }
  while (w->zs.avail_in > 0 || (finish && w->zs.internal_state.state != ZSTATE_END));
  return TRUE;
}

static la_ssize_t
archive_write_cb (struct archive *a, void *data, const void *buffer, size_t length)
{
  LayerWriter *w = data;
  if (w->hash_tar)
    sha256_update (&w->tar_hash, length, buffer);
  if ((w->tar_out != NULL
       && !g_output_stream_write_all (w->tar_out, buffer, length, NULL, w->cancellable, &w->error))
      || !deflate_some (w, buffer, length, FALSE))
    {
      archive_set_error (a, EIO, "%s", w->error->message);
      return -1;
    }
  return length;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar **)a, *(const gchar **)b);
}

typedef struct
{
  dev_t dev;
  ino_t ino;
} InodeKey;

static guint
inode_hash (gconstpointer key)
{
  const InodeKey *k = key;
  return g_int64_hash (&k->ino) ^ (guint)k->dev;
}

static gboolean
inode_equal (gconstpointer a, gconstpointer b)
{
  const InodeKey *x = a, *y = b;
  return x->dev == y->dev && x->ino == y->ino;
}

static gboolean
write_tree (struct archive *a,
            LayerWriter *w,
            gint dirfd,
            const gchar *prefix,
            GHashTable *links,
            GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  DIR *dir;
  struct dirent *de;
  gint dup_fd = dup (dirfd);

  if (dup_fd < 0 || (dir = fdopendir (dup_fd)) == NULL)
    {
      if (dup_fd >= 0)
        close (dup_fd);
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot read %s: %s",
                   prefix[0] != '\0' ? prefix : ".", g_strerror (errno));
      return FALSE;
    }
  while ((de = readdir (dir)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      g_ptr_array_add (names, g_strdup (de->d_name));
  closedir (dir);
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const gchar *name = names->pdata[i];
      g_autofree gchar *path = g_strconcat (prefix, name, NULL);
      struct archive_entry *entry;
      struct stat st;
      gint fd = -1;
      gchar capability[256];
      ssize_t cap_len;

      if (g_cancellable_set_error_if_cancelled (w->cancellable, error))
        return FALSE;
      if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot stat %s: %s", path,
                       g_strerror (errno));
          return FALSE;
        }
      if (S_ISSOCK (st.st_mode))
        continue; /* docker's archive skips sockets too */

      entry = archive_entry_new ();
      archive_entry_set_mode (entry, st.st_mode);
      archive_entry_set_uid (entry, st.st_uid);
      archive_entry_set_gid (entry, st.st_gid);
      archive_entry_set_mtime (entry, st.st_mtim.tv_sec, 0);
      if (S_ISDIR (st.st_mode))
        {
          g_autofree gchar *dir_path = g_strconcat (path, "/", NULL);
          archive_entry_set_pathname (entry, dir_path);
        }
      else
        archive_entry_set_pathname (entry, path);

      if (S_ISREG (st.st_mode) && st.st_nlink > 1)
        {
          InodeKey key = { st.st_dev, st.st_ino };
          const gchar *first = g_hash_table_lookup (links, &key);
          if (first != NULL)
            {
              archive_entry_set_hardlink (entry, first);
              archive_entry_set_size (entry, 0);
            }
          else
            g_hash_table_insert (links, g_memdup2 (&key, sizeof key), g_strdup (path));
        }
      if (S_ISLNK (st.st_mode))
        {
          gchar target[PATH_MAX + 1];
          ssize_t n = readlinkat (dirfd, name, target, PATH_MAX);
          if (n < 0)
            {
              archive_entry_free (entry);
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot read link %s: %s", path,
                           g_strerror (errno));
              return FALSE;
            }
          target[n] = '\0';
          archive_entry_set_symlink (entry, target);
        }
      else if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
        archive_entry_set_rdev (entry, st.st_rdev);
      else if (S_ISREG (st.st_mode) && archive_entry_hardlink (entry) == NULL)
        archive_entry_set_size (entry, st.st_size);

      if (!S_ISLNK (st.st_mode))
        {
          g_autofree gchar *proc = g_strdup_printf ("/proc/self/fd/%d/%s", dirfd, name);
          cap_len = lgetxattr (proc, "security.capability", capability, sizeof capability);
          if (cap_len > 0)
            archive_entry_xattr_add_entry (entry, "security.capability", capability, cap_len);
        }

      if (S_ISREG (st.st_mode) && archive_entry_hardlink (entry) == NULL)
        {
          fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
          if (fd < 0)
            {
              archive_entry_free (entry);
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot open %s: %s", path,
                           g_strerror (errno));
              return FALSE;
            }
        }
      if (archive_write_header (a, entry) != ARCHIVE_OK)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot add %s: %s", path,
                       w->error != NULL ? w->error->message : archive_error_string (a));
          archive_entry_free (entry);
          if (fd >= 0)
            close (fd);
          return FALSE;
        }
      archive_entry_free (entry);

      if (fd >= 0)
        {
          guint8 buf[64 * 1024];
          ssize_t n;
          while ((n = read (fd, buf, sizeof buf)) > 0)
            if (archive_write_data (a, buf, n) != n)
              {
                close (fd);
                g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot add %s: %s", path,
                             w->error != NULL ? w->error->message : archive_error_string (a));
                return FALSE;
              }
          close (fd);
          if (n < 0)
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot read %s: %s", path,
                           g_strerror (errno));
              return FALSE;
            }
        }

      if (S_ISDIR (st.st_mode))
        {
          g_autofree gchar *sub_prefix = g_strconcat (path, "/", NULL);
          gint sub = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
          gboolean ok;
          if (sub < 0)
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot open %s: %s", path,
                           g_strerror (errno));
              return FALSE;
            }
          ok = write_tree (a, w, sub, sub_prefix, links, error);
          close (sub);
          if (!ok)
            return FALSE;
        }
    }
  return TRUE;
}

static gchar *
digest_string (struct sha256_ctx *ctx)
{
  guint8 md[SHA256_DIGEST_SIZE];
  GString *s = g_string_new ("sha256:");

  sha256_digest (ctx, sizeof md, md);
  for (guint i = 0; i < sizeof md; i++)
    g_string_append_printf (s, "%02x", md[i]);
  return g_string_free (s, FALSE);
}

static void
layer_writer_init (LayerWriter *w,
                   GOutputStream *out,
                   gboolean hash_tar,
                   guint8 *level_buf,
                   GCancellable *cancellable)
{
  w->out = out;
  w->cancellable = cancellable;
  w->hash_tar = hash_tar;
  sha256_init (&w->tar_hash);
  sha256_init (&w->blob_hash);
  isal_deflate_init (&w->zs);
  w->zs.level = 1;
  w->zs.level_buf = level_buf;
  w->zs.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
  w->zs.gzip_flag = IGZIP_GZIP;
  w->zs.next_out = w->buf;
  w->zs.avail_out = sizeof w->buf;
}

/* ends the gzip stream (if all went well) and says what was made */
static gboolean
layer_writer_finish (LayerWriter *w, gboolean ok, BerthLayerBlob *blob, GError **error)
{
  if (ok && !deflate_some (w, NULL, 0, TRUE))
    ok = FALSE;
  if (ok && !flush_output (w))
    ok = FALSE;
  if (!ok)
    {
      if (w->error != NULL && error != NULL && *error == NULL)
        g_propagate_error (error, g_steal_pointer (&w->error));
      g_clear_error (&w->error);
      return FALSE;
    }
  blob->diff_id = w->hash_tar ? digest_string (&w->tar_hash) : NULL;
  blob->digest = digest_string (&w->blob_hash);
  blob->size = w->size;
  return TRUE;
}

/**
 * berth_archive_write_layer:
 * @dir: the directory to pack (its contents, not itself)
 * @out: where the gzip-compressed tar goes
 * @blob: (out caller-allocates): the blob's digest, diff ID and size
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Packs @dir as a layer blob, hashing both forms on the way.
 *
 * Returns: %TRUE on success
 */
gboolean
berth_archive_write_layer (const gchar *dir,
                           GOutputStream *out,
                           BerthLayerBlob *blob,
                           GCancellable *cancellable,
                           GError **error)
{
  return berth_archive_write_layer_tee (dir, out, NULL, blob, cancellable, error);
}

/**
 * berth_archive_write_layer_tee:
 * @dir: the directory to pack (its contents, not itself)
 * @out: where the gzip-compressed tar goes
 * @tar_out: (nullable): where the same tar goes uncompressed, as it is made
 * @blob: (out caller-allocates): the blob's digest, diff ID and size
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * berth_archive_write_layer(), also handing the tar to a reader as it is
 * written: `plugin create` imports the tree while the blob is compressed.
 * @tar_out is left open. With @tar_out, the tar is not hashed here: its
 * reader does that, and @blob's diff ID is %NULL.
 *
 * Returns: %TRUE on success
 */
gboolean
berth_archive_write_layer_tee (const gchar *dir,
                               GOutputStream *out,
                               GOutputStream *tar_out,
                               BerthLayerBlob *blob,
                               GCancellable *cancellable,
                               GError **error)
{
  LayerWriter w = { 0 };
  g_autoptr(GHashTable) links = g_hash_table_new_full (inode_hash, inode_equal, g_free, g_free);
  g_autofree guint8 *level_buf = g_malloc (ISAL_DEF_LVL1_DEFAULT);
  struct archive *a;
  gint dirfd;
  gboolean ok;

  dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    {
      g_set_error (error, BERTH_ERROR, errno == ENOENT ? BERTH_ERROR_NOT_FOUND : BERTH_ERROR_FAILED,
                   "cannot open %s: %s", dir, g_strerror (errno));
      return FALSE;
    }

  layer_writer_init (&w, out, tar_out == NULL, level_buf, cancellable);
  w.tar_out = tar_out;

  a = archive_write_new ();
  archive_write_set_format_pax_restricted (a);
  /* no padding to 10 KiB records beyond what tar needs: docker writes none */
  archive_write_set_bytes_per_block (a, 0);
  archive_write_open2 (a, &w, NULL, archive_write_cb, NULL, NULL);
  ok = write_tree (a, &w, dirfd, "", links, error);
  close (dirfd);
  if (ok && archive_write_close (a) != ARCHIVE_OK)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot finish the layer: %s",
                   w.error != NULL ? w.error->message : archive_error_string (a));
      ok = FALSE;
    }
  archive_write_free (a);
  return layer_writer_finish (&w, ok, blob, error);
}

typedef struct
{
  GInputStream *in;
  GCancellable *cancellable;
  GError *error;
  guint8 buf[128 * 1024];
} LayerReader;

static la_ssize_t
archive_read_cb (struct archive *a, void *data, const void **buffer)
{
  LayerReader *r = data;
  gssize n = g_input_stream_read (r->in, r->buf, sizeof r->buf, r->cancellable, &r->error);

  if (n < 0)
    {
      archive_set_error (a, EIO, "%s", r->error->message);
      return -1;
    }
  *buffer = r->buf;
  return n;
}

/* the decompressed bytes of @a's one raw entry, gzipped into @w */
static gboolean
recompress (struct archive *a, LayerWriter *w, guint64 max_bytes, GError **error)
{
  g_autofree guint8 *chunk = g_malloc (128 * 1024);
  guint64 total = 0;
  la_ssize_t n;

  while ((n = archive_read_data (a, chunk, 128 * 1024)) > 0)
    {
      total += n;
      if (max_bytes > 0 && total > max_bytes)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "its tar is over the limit of %" G_GUINT64_FORMAT " bytes", max_bytes);
          return FALSE;
        }
      sha256_update (&w->tar_hash, n, chunk);
      if (!deflate_some (w, chunk, n, FALSE))
        return FALSE;
    }
  if (n < 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "cannot read it: %s",
                   archive_error_string (a));
      return FALSE;
    }
  if (total == 0)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "it is empty, not a tar archive");
      return FALSE;
    }
  return TRUE;
}

/**
 * berth_archive_compress_layer:
 * @in: a tar, plain or compressed with anything libarchive reads (gzip,
 *   zstd, xz, bzip2)
 * @out: where the gzip-compressed tar goes
 * @max_bytes: the most bytes the tar may have once decompressed; 0 for no limit
 * @blob: (out caller-allocates): the blob's digest, diff ID and size
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a layer blob of a root file system tar, as `docker import` does:
 * the tar is kept byte for byte (its digest is the diff ID) and stored
 * gzip-compressed. Whether it is a tar at all, and a safe one, is for the
 * layer import to check.
 *
 * Returns: %TRUE on success
 */
gboolean
berth_archive_compress_layer (GInputStream *in,
                              GOutputStream *out,
                              guint64 max_bytes,
                              BerthLayerBlob *blob,
                              GCancellable *cancellable,
                              GError **error)
{
  LayerWriter w = { 0 };
  LayerReader r = { .in = in, .cancellable = cancellable };
  g_autofree guint8 *level_buf = g_malloc (ISAL_DEF_LVL1_DEFAULT);
  struct archive *a = archive_read_new ();
  struct archive_entry *entry = NULL;
  gboolean ok;

  layer_writer_init (&w, out, TRUE, level_buf, cancellable);
  /* the compression is sniffed here, where the user hands berth a file, as
   * docker import does; layers from registries are never sniffed */
  archive_read_support_filter_all (a);
  archive_read_support_format_raw (a);
  ok = archive_read_open (a, &r, NULL, archive_read_cb, NULL) == ARCHIVE_OK
       && archive_read_next_header (a, &entry) == ARCHIVE_OK;
  if (!ok)
    g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "cannot read it: %s",
                 r.error != NULL ? r.error->message : archive_error_string (a));
  else
    ok = recompress (a, &w, max_bytes, error);
  if (!ok && r.error != NULL && error != NULL && *error != NULL)
    {
      /* the stream's own error says more than libarchive's copy of it */
      g_clear_error (error);
      g_propagate_error (error, g_steal_pointer (&r.error));
    }
  g_clear_error (&r.error);
  archive_read_free (a);
  return layer_writer_finish (&w, ok, blob, error);
}
