/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cs-test-util.h"

const CsImpl cs_impls[] = {
  { "ostree", "BERTH_TEST_CONTENT_STORE", cs_ostree_fsck },
};
const guint cs_n_impls = G_N_ELEMENTS (cs_impls);

/* `ostree fsck` re-hashes every object: it proves that the checksums the
 * store computes itself are ostree's */
void
cs_ostree_fsck (const gchar *root)
{
  g_autofree gchar *repo = g_build_filename (root, "repo", NULL);
  g_autofree gchar *arg = g_strconcat ("--repo=", repo, NULL);
  const gchar *argv[] = { "ostree", "fsck", arg, NULL };
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr(GError) error = NULL;
  gint status = 0;

  g_assert_true (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("ostree fsck failed: %s\n%s%s", error->message, out, err);
  g_test_message ("ostree fsck passed: %s", g_strstrip (out));
}

/* loads the module the way berthd does, once per process */
BerthContentStore *
cs_open_store (const CsImpl *impl, const gchar *root, GKeyFile *config, GError **error)
{
  static GHashTable *loaded = NULL;
  const gchar *path = g_getenv (impl->env);
  g_autoptr(BerthPaths) paths = berth_paths_new ();
  g_autoptr(GKeyFile) empty = g_key_file_new ();
  GIOExtensionPoint *ep;
  GIOExtension *ext;
  const gchar *names[] = { "paths", "config" };
  GValue values[2] = { G_VALUE_INIT, G_VALUE_INIT };
  g_autoptr(GObject) object = NULL;

  if (path == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "%s is not set", impl->env);
      return NULL;
    }
  if (loaded == NULL)
    loaded = g_hash_table_new (g_str_hash, g_str_equal);
  if (!g_hash_table_contains (loaded, path))
    {
      BerthModule *module = berth_module_new_for_path (path);
      if (!berth_module_load_checked (module, error))
        return NULL;
      /* modules stay loaded for the life of the process, as in berthd */
      g_hash_table_add (loaded, (gpointer)g_intern_string (path));
    }
  ep = g_io_extension_point_lookup (BERTH_EXTENSION_POINT_CONTENT_STORE);
  ext = g_io_extension_point_get_extension_by_name (ep, impl->name);
  if (ext == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "no content store %s", impl->name);
      return NULL;
    }

  berth_paths_set (paths, BERTH_PATH_ROOT, root);
  {
    g_autofree gchar *repo = g_build_filename (root, "repo", NULL);
    g_autofree gchar *tmp = g_build_filename (root, "tmp", NULL);
    berth_paths_set (paths, BERTH_PATH_REPO, repo);
    berth_paths_set (paths, BERTH_PATH_TMP, tmp);
  }
  g_value_init (&values[0], BERTH_TYPE_PATHS);
  g_value_set_object (&values[0], paths);
  g_value_init (&values[1], G_TYPE_KEY_FILE);
  g_value_set_boxed (&values[1], config != NULL ? config : empty);
  object = g_object_new_with_properties (g_io_extension_get_type (ext), 2, names, values);
  g_value_unset (&values[0]);
  g_value_unset (&values[1]);
  if (!g_initable_init (G_INITABLE (object), NULL, error))
    return NULL;
  return BERTH_CONTENT_STORE (g_steal_pointer (&object));
}

static la_ssize_t
write_cb (struct archive *a, void *data, const void *buf, size_t len)
{
  g_byte_array_append (data, buf, len);
  return (la_ssize_t)len;
}

static int
open_cb (struct archive *a, void *data)
{
  return ARCHIVE_OK;
}

static int
close_cb (struct archive *a, void *data)
{
  return ARCHIVE_OK;
}

GBytes *
cs_tar_build_raw (const CsEntry *entries, guint n_entries, CsCompression compression, gboolean pad)
{
  GByteArray *out = g_byte_array_new ();
  struct archive *a = archive_write_new ();

  archive_write_set_format_pax_restricted (a);
  if (compression == CS_TAR_GZIP)
    archive_write_add_filter_gzip (a);
  else if (compression == CS_TAR_ZSTD)
    g_assert_cmpint (archive_write_add_filter_zstd (a), ==, ARCHIVE_OK);
  /* libarchive pads what it writes to 10 KiB blocks, zeros after a
   * compressed stream included, which no registry serves; Go's writer, which
   * makes most layers, ends a tar after its two zero blocks */
  if (!pad)
    archive_write_set_bytes_in_last_block (a, 1);
  g_assert_cmpint (archive_write_open (a, out, open_cb, write_cb, close_cb), ==, ARCHIVE_OK);
  for (guint i = 0; i < n_entries; i++)
    {
      const CsEntry *e = &entries[i];
      struct archive_entry *ae = archive_entry_new ();
      g_autofree gchar *pattern = NULL;
      const gchar *data = e->data;
      gsize size = 0;

      archive_entry_set_pathname (ae, e->path);
      archive_entry_set_uid (ae, e->uid);
      archive_entry_set_gid (ae, e->gid);
      archive_entry_set_mtime (ae, 1700000000, 0);
      switch (e->type)
        {
          case CS_FILE:
            archive_entry_set_filetype (ae, AE_IFREG);
            archive_entry_set_perm (ae, e->mode != 0 ? e->mode : 0644);
            if (data == NULL && e->size > 0)
              {
                guint32 x = (guint32)e->size;
                /* as incompressible as real binaries, and a function of the size */
                pattern = g_malloc (e->size);
                for (gsize j = 0; j < e->size; j++)
                  {
                    x = x * 1103515245 + 12345;
                    pattern[j] = (gchar)(x >> 24);
                  }
                data = pattern;
              }
            size = data == NULL ? 0 : pattern != NULL ? e->size : strlen (data);
            archive_entry_set_size (ae, size);
            break;
          case CS_DIR:
            archive_entry_set_filetype (ae, AE_IFDIR);
            archive_entry_set_perm (ae, e->mode != 0 ? e->mode : 0755);
            break;
          case CS_SYMLINK:
            archive_entry_set_filetype (ae, AE_IFLNK);
            archive_entry_set_perm (ae, 0777);
            archive_entry_set_symlink (ae, data);
            data = NULL;
            break;
          case CS_HARDLINK:
            archive_entry_set_filetype (ae, AE_IFREG);
            archive_entry_set_perm (ae, e->mode != 0 ? e->mode : 0644);
            archive_entry_set_hardlink (ae, data);
            archive_entry_set_size (ae, 0);
            data = NULL;
            break;
          case CS_CHAR:
          case CS_BLOCK:
          case CS_FIFO:
            archive_entry_set_filetype (ae, e->type == CS_CHAR    ? AE_IFCHR
                                            : e->type == CS_BLOCK ? AE_IFBLK
                                                                  : AE_IFIFO);
            archive_entry_set_perm (ae, e->mode != 0 ? e->mode : 0666);
            archive_entry_set_rdevmajor (ae, e->major);
            archive_entry_set_rdevminor (ae, e->minor);
            data = NULL;
            break;
        }
      if (e->xattr_name != NULL)
        archive_entry_xattr_add_entry (ae, e->xattr_name, e->xattr_value, strlen (e->xattr_value));
      g_assert_cmpint (archive_write_header (a, ae), >=, ARCHIVE_WARN);
      if (data != NULL && size > 0)
        g_assert_cmpint (archive_write_data (a, data, size), ==, (la_ssize_t)size);
      archive_entry_free (ae);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
  return g_byte_array_free_to_bytes (out);
}

GBytes *
cs_tar_build (const CsEntry *entries, guint n_entries, CsCompression compression)
{
  return cs_tar_build_raw (entries, n_entries, compression, FALSE);
}

const gchar *
cs_media_type (CsCompression compression)
{
  switch (compression)
    {
      case CS_TAR_GZIP:
        return "application/vnd.docker.image.rootfs.diff.tar.gzip";
      case CS_TAR_ZSTD:
        return "application/vnd.oci.image.layer.v1.tar+zstd";
      default:
        return "application/vnd.oci.image.layer.v1.tar";
    }
}

gchar *
cs_digest (GBytes *bytes)
{
  g_autofree gchar *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  return g_strconcat ("sha256:", hex, NULL);
}

gchar *
cs_tar_diff_id (const CsEntry *entries, guint n_entries)
{
  g_autoptr(GBytes) tar = cs_tar_build (entries, n_entries, CS_TAR);
  return cs_digest (tar);
}

gchar *
cs_import (BerthContentStore *store,
           GBytes *blob,
           CsCompression compression,
           const gchar *digest,
           const gchar *diff_id,
           GError **error)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (blob);
  BerthLayerImport layer
    = { cs_media_type (compression), digest, diff_id, (gint64)g_bytes_get_size (blob) };
  return berth_content_store_import_layer (store, in, &layer, NULL, error);
}

guint
cs_count_entries (const gchar *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  if (d == NULL)
    return 0;
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
listing_walk (GString *out, const gchar *base, const gchar *rel)
{
  g_autofree gchar *path = g_build_filename (base, rel, NULL);
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc)g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree gchar *child_rel = g_build_filename (rel, names->pdata[i], NULL);
      g_autofree gchar *child = g_build_filename (base, child_rel, NULL);
      struct stat st;

      g_assert_no_errno (lstat (child, &st));
      g_string_append_printf (out, "%s %o %u:%u %" G_GINT64_FORMAT, child_rel, st.st_mode,
                              st.st_uid, st.st_gid, (gint64)st.st_size);
      if (S_ISREG (st.st_mode))
        {
          g_autofree gchar *contents = NULL;
          gsize len = 0;
          if (g_file_get_contents (child, &contents, &len, NULL))
            {
              g_autofree gchar *sum
                = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *)contents, len);
              g_string_append_printf (out, " %s", sum);
            }
        }
      else if (S_ISLNK (st.st_mode))
        {
          g_autofree gchar *target = g_file_read_link (child, NULL);
          g_string_append_printf (out, " -> %s", target);
        }
      g_string_append_c (out, '\n');
      if (S_ISDIR (st.st_mode))
        listing_walk (out, base, child_rel);
    }
}

/* everything under @dir, with types, modes, owners and content hashes */
gchar *
cs_tree_listing (const gchar *dir)
{
  GString *out = g_string_new (NULL);
  listing_walk (out, dir, "");
  return g_string_free (out, FALSE);
}

/* the test stream */

#define CS_TYPE_TEST_STREAM (cs_test_stream_get_type ())
G_DECLARE_FINAL_TYPE (CsTestStream, cs_test_stream, CS, TEST_STREAM, GInputStream)

struct _CsTestStream
{
  GInputStream parent_instance;
  GBytes *bytes;
  gsize pos;
  gsize chunk;
  gulong delay_us;
  gssize fail_at;
  GCancellable *cancel;
  gssize cancel_at;
};

G_DEFINE_TYPE (CsTestStream, cs_test_stream, G_TYPE_INPUT_STREAM)

static gssize
cs_test_stream_read (
  GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable, GError **error)
{
  CsTestStream *self = CS_TEST_STREAM (stream);
  gsize len = g_bytes_get_size (self->bytes);
  gsize n = MIN (MIN (count, self->chunk), len - self->pos);

  if (self->delay_us > 0)
    g_usleep (self->delay_us);
  if (self->cancel != NULL && self->cancel_at >= 0 && (gssize)self->pos >= self->cancel_at)
    g_cancellable_cancel (self->cancel);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  if (self->fail_at >= 0 && (gssize)self->pos >= self->fail_at)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                           "connection reset by test");
      return -1;
    }
  memcpy (buffer, (const guint8 *)g_bytes_get_data (self->bytes, NULL) + self->pos, n);
  self->pos += n;
  return n;
}

static void
cs_test_stream_finalize (GObject *object)
{
  CsTestStream *self = CS_TEST_STREAM (object);
  g_bytes_unref (self->bytes);
  g_clear_object (&self->cancel);
  G_OBJECT_CLASS (cs_test_stream_parent_class)->finalize (object);
}

static void
cs_test_stream_class_init (CsTestStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cs_test_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = cs_test_stream_read;
}

static void
cs_test_stream_init (CsTestStream *self)
{
}

GInputStream *
cs_test_stream_new (GBytes *bytes,
                    gsize chunk,
                    gulong delay_us,
                    gssize fail_at,
                    GCancellable *cancel,
                    gssize cancel_at)
{
  CsTestStream *self = g_object_new (CS_TYPE_TEST_STREAM, NULL);
  self->bytes = g_bytes_ref (bytes);
  self->chunk = chunk;
  self->delay_us = delay_us;
  self->fail_at = fail_at;
  self->cancel = cancel != NULL ? g_object_ref (cancel) : NULL;
  self->cancel_at = cancel_at;
  return G_INPUT_STREAM (self);
}
