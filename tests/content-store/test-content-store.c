/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* the conformance suite of BerthContentStore, run against every
 * implementation in cs_impls: ingest, verification, interruption and
 * restart, abort, concurrency, labels, layers, chains, checkouts, GC and
 * usage */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cs-test-util.h"

typedef struct
{
  const CsImpl *impl;
  gchar *root;
  BerthContentStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->impl = data;
  f->root = g_dir_make_tmp ("berth-cs-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = cs_open_store (f->impl, f->root, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree gchar *cmd = g_strdup_printf ("rm -rf %s", f->root);
  g_clear_object (&f->store);
  /* whatever a test did, the store is consistent afterwards */
  if (f->impl->verify != NULL)
    f->impl->verify (f->root);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  g_free (f->root);
}

static void
reopen (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_clear_object (&f->store);
  f->store = cs_open_store (f->impl, f->root, NULL, &error);
  g_assert_no_error (error);
}

static GBytes *
make_blob (gsize size, guint seed)
{
  guint8 *data = g_malloc (size);
  for (gsize i = 0; i < size; i++)
    data[i] = (guint8)((i * 31 + seed * 17 + i / 997) & 0xff);
  return g_bytes_new_take (data, size);
}

static gboolean
ingest (Fixture *f, GBytes *blob, const gchar *digest, gint64 size, GError **error)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (blob);
  return berth_content_store_ingest_blob (f->store, in, digest, size, "application/octet-stream",
                                          NULL, NULL, error);
}

static guint
repo_tmp_leftovers (Fixture *f)
{
  /* ostree keeps tmp/cache; anything else is a leftover of a transaction */
  g_autofree gchar *tmp = g_build_filename (f->root, "repo", "tmp", NULL);
  g_autoptr(GDir) d = g_dir_open (tmp, 0, NULL);
  const gchar *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (!g_str_equal (name, "cache"))
      {
        g_test_message ("leftover: %s", name);
        n++;
      }
  return n;
}

static void
assert_blob_absent (Fixture *f, const gchar *digest)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) list = NULL;

  g_assert_false (berth_content_store_blob_exists (f->store, digest, NULL, &error));
  g_assert_no_error (error);
  list = berth_content_store_list_blobs (f->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_strv_contains ((const gchar *const *)list, digest));
  g_assert_cmpuint (repo_tmp_leftovers (f), ==, 0);
}

static void
test_ingest (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) blob = make_blob (3 * 1024 * 1024 + 7, 1);
  g_autofree gchar *digest = cs_digest (blob);
  g_autoptr(GHashTable) labels = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) got_labels = NULL;
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (blob);
  g_autoptr(GInputStream) out = NULL;
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) read_back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *media_type = NULL;
  g_auto(GStrv) list = NULL;
  gint64 size = 0;

  g_assert_false (berth_content_store_blob_exists (f->store, digest, NULL, &error));
  g_assert_no_error (error);
  g_hash_table_insert (labels, "org.berth.owner", "vieux/sshfs:latest");
  g_assert_true (berth_content_store_ingest_blob (
    f->store, in, digest, g_bytes_get_size (blob),
    "application/vnd.docker.image.rootfs.diff.tar.gzip", labels, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (berth_content_store_blob_exists (f->store, digest, NULL, &error));

  g_assert_true (berth_content_store_blob_info (f->store, digest, &size, &media_type, &got_labels,
                                                NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (size, ==, g_bytes_get_size (blob));
  g_assert_cmpstr (media_type, ==, "application/vnd.docker.image.rootfs.diff.tar.gzip");
  g_assert_cmpstr (g_hash_table_lookup (got_labels, "org.berth.owner"), ==, "vieux/sshfs:latest");
  g_assert_cmpuint (g_hash_table_size (got_labels), ==, 1);

  out = berth_content_store_read_blob (f->store, digest, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_splice (mem, out, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  read_back = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
  g_assert_true (g_bytes_equal (read_back, blob));

  list = berth_content_store_list_blobs (f->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (list), ==, 1);
  g_assert_cmpstr (list[0], ==, digest);

  /* again: already there, stored once */
  g_assert_true (ingest (f, blob, digest, g_bytes_get_size (blob), &error));
  g_assert_no_error (error);

  /* it survives a restart */
  reopen (f);
  g_assert_true (berth_content_store_blob_exists (f->store, digest, NULL, &error));

  g_assert_true (berth_content_store_delete_blob (f->store, digest, NULL, &error));
  g_assert_no_error (error);
  assert_blob_absent (f, digest);
  g_assert_false (berth_content_store_delete_blob (f->store, digest, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (berth_content_store_read_blob (f->store, digest, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (berth_content_store_blob_info (f->store, digest, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND);
}

static void
test_bad_digest_argument (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) blob = make_blob (10, 1);
  const gchar *bad[] = { "sha256:../../etc", "md5:abc", "sha256:ABCDEF", "", "sha256:" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_false (ingest (f, blob, bad[i], -1, &error));
      g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_mismatch (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) blob = make_blob (1024 * 1024, 2);
  g_autoptr(GBytes) other = make_blob (1024 * 1024, 3);
  g_autofree gchar *actual = cs_digest (blob);
  g_autofree gchar *expected = cs_digest (other);

  for (gint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      /* known size streams into the repository; unknown size spools */
      gint64 size = i == 0 ? (gint64)g_bytes_get_size (blob) : -1;
      g_assert_false (ingest (f, blob, expected, size, &error));
      g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, expected));
      g_assert_nonnull (strstr (error->message, actual));
      assert_blob_absent (f, expected);
      assert_blob_absent (f, actual);
    }
}

static void
test_short_long (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) blob = make_blob (100000, 4);
  g_autofree gchar *digest = cs_digest (blob);
  g_autoptr(GError) error = NULL;

  /* the stream is shorter than announced */
  g_assert_false (ingest (f, blob, digest, 100001, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "expected 100001 bytes, got 100000"));
  g_clear_error (&error);
  assert_blob_absent (f, digest);

  /* longer */
  g_assert_false (ingest (f, blob, digest, 99999, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "expected 99999 bytes"));
  g_clear_error (&error);
  assert_blob_absent (f, digest);

  /* unknown size */
  g_assert_true (ingest (f, blob, digest, -1, &error));
  g_assert_no_error (error);
  {
    gint64 size = 0;
    g_assert_true (
      berth_content_store_blob_info (f->store, digest, &size, NULL, NULL, NULL, &error));
    g_assert_cmpint (size, ==, 100000);
  }
}

static void
test_interrupted (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) blob = make_blob (2 * 1024 * 1024, 5);
  g_autofree gchar *digest = cs_digest (blob);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = cs_test_stream_new (blob, 64 * 1024, 0, 1024 * 1024, NULL, -1);

  /* the connection drops half way: nothing is kept, a restart succeeds */
  g_assert_false (berth_content_store_ingest_blob (f->store, in, digest, g_bytes_get_size (blob),
                                                   NULL, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "connection reset by test"));
  g_clear_error (&error);
  assert_blob_absent (f, digest);
  reopen (f);
  assert_blob_absent (f, digest);
  g_assert_true (ingest (f, blob, digest, g_bytes_get_size (blob), &error));
  g_assert_no_error (error);
  g_assert_true (berth_content_store_blob_exists (f->store, digest, NULL, &error));
}

static void
test_abort (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) blob = make_blob (2 * 1024 * 1024, 6);
  g_autofree gchar *digest = cs_digest (blob);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(GInputStream) in = cs_test_stream_new (blob, 64 * 1024, 0, -1, cancel, 512 * 1024);

  g_assert_false (berth_content_store_ingest_blob (f->store, in, digest, g_bytes_get_size (blob),
                                                   NULL, NULL, cancel, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_CANCELLED);
  g_clear_error (&error);
  assert_blob_absent (f, digest);
  g_assert_true (ingest (f, blob, digest, g_bytes_get_size (blob), &error));
  g_assert_no_error (error);

  /* an import, cancelled half way, leaves no layer and no staging */
  {
    const CsEntry entries[] = {
      { CS_FILE, "a", NULL, 0644, 0, 0, 0, 0, NULL, NULL, 3 * 1024 * 1024 },
      { CS_FILE, "b", NULL, 0644, 0, 0, 0, 0, NULL, NULL, 3 * 1024 * 1024 + 1 },
    };
    g_autoptr(GBytes) tar = cs_tar_build (entries, 2, CS_TAR_GZIP);
    g_autofree gchar *diff_id = cs_tar_diff_id (entries, 2);
    g_autoptr(GCancellable) cancel2 = g_cancellable_new ();
    g_autoptr(GInputStream) lin
               = cs_test_stream_new (tar, 64 * 1024, 0, -1, cancel2, g_bytes_get_size (tar) / 2);
    BerthLayerImport layer = { cs_media_type (CS_TAR_GZIP), NULL, diff_id, -1 };
    g_autofree gchar *got = NULL;

    g_assert_null (berth_content_store_import_layer (f->store, lin, &layer, cancel2, &error));
    g_assert_error (error, BERTH_ERROR, BERTH_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_false (berth_content_store_has_layer (f->store, diff_id, NULL, NULL));
    g_assert_cmpuint (repo_tmp_leftovers (f), ==, 0);
    got = cs_import (f->store, tar, CS_TAR_GZIP, NULL, diff_id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (got, ==, diff_id);
  }
}

static void
test_restart_cleans (Fixture *f, gconstpointer data)
{
  g_autofree gchar *staging = g_build_filename (f->root, "repo", "tmp", "staging-dead-XXXX", NULL);
  g_autofree gchar *half = g_build_filename (f->root, "trees", ".tmp-dead-0000", "etc", NULL);
  g_autofree gchar *half_top = g_build_filename (f->root, "trees", ".tmp-dead-0000", NULL);

  /* what a killed berthd leaves: a staging directory, a half checkout */
  g_assert_no_errno (g_mkdir_with_parents (staging, 0700));
  g_assert_no_errno (g_mkdir_with_parents (half, 0700));
  g_assert_true (g_file_set_contents (half, "x", 1, NULL) || TRUE);
  reopen (f);
  g_assert_false (g_file_test (staging, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (half_top, G_FILE_TEST_EXISTS));
}

typedef struct
{
  Fixture *f;
  GBytes *blob;
  const gchar *digest;
  gboolean ok;
  gulong delay_us;
} IngestThread;

static gpointer
ingest_thread (gpointer data)
{
  IngestThread *t = data;
  g_autoptr(GInputStream) in = cs_test_stream_new (t->blob, 32 * 1024, t->delay_us, -1, NULL, -1);
  g_autoptr(GError) error = NULL;

  t->ok = berth_content_store_ingest_blob (t->f->store, in, t->digest, g_bytes_get_size (t->blob),
                                           NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return NULL;
}

static guint
count_objects_of_size (const gchar *dir, goffset size)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir, name, NULL);
      struct stat st;
      g_assert_no_errno (lstat (path, &st));
      if (S_ISDIR (st.st_mode))
        n += count_objects_of_size (path, size);
      else if (S_ISREG (st.st_mode) && st.st_size == size)
        n++;
    }
  return n;
}

static void
test_concurrent (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) blob = make_blob (512 * 1024, 7);
  g_autoptr(GBytes) other = make_blob (512 * 1024 + 1, 8);
  g_autofree gchar *digest = cs_digest (blob);
  g_autofree gchar *other_digest = cs_digest (other);
  g_autofree gchar *objects = g_build_filename (f->root, "repo", "objects", NULL);
  IngestThread t[3]
    = { { f, blob, digest, FALSE }, { f, blob, digest, FALSE }, { f, other, other_digest, FALSE } };
  GThread *threads[3];
  g_auto(GStrv) list = NULL;

  /* two of the same digest and one other, all at once */
  for (guint i = 0; i < 3; i++)
    threads[i] = g_thread_new ("ingest", ingest_thread, &t[i]);
  for (guint i = 0; i < 3; i++)
    g_thread_join (threads[i]);
  for (guint i = 0; i < 3; i++)
    g_assert_true (t[i].ok);
  list = berth_content_store_list_blobs (f->store, NULL, NULL);
  g_assert_cmpuint (g_strv_length (list), ==, 2);
  g_assert_cmpuint (count_objects_of_size (objects, g_bytes_get_size (blob)), ==, 1);
  g_assert_cmpuint (repo_tmp_leftovers (f), ==, 0);
}

static void
test_gc (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) a = make_blob (300000, 9);
  g_autoptr(GBytes) b = make_blob (400000, 10);
  g_autofree gchar *da = cs_digest (a);
  g_autofree gchar *db = cs_digest (b);
  const CsEntry entries[] = { { CS_FILE, "etc/config", NULL, 0, 0, 0, 0, 0, NULL, NULL, 200000 } };
  const CsEntry entries2[] = { { CS_FILE, "etc/other", "other" } };
  g_autoptr(GBytes) tar = cs_tar_build (entries, G_N_ELEMENTS (entries), CS_TAR);
  g_autoptr(GBytes) tar2 = cs_tar_build (entries2, G_N_ELEMENTS (entries2), CS_TAR);
  g_autofree gchar *diff_id = NULL;
  g_autofree gchar *diff_id2 = NULL;
  g_autofree gchar *chain = NULL;
  g_autofree gchar *tree = NULL;
  g_autoptr(GError) error = NULL;
  guint64 freed = 0;

  g_assert_true (ingest (f, a, da, -1, &error));
  g_assert_true (ingest (f, b, db, -1, &error));
  diff_id = cs_import (f->store, tar, CS_TAR, NULL, NULL, &error);
  g_assert_no_error (error);
  diff_id2 = cs_import (f->store, tar2, CS_TAR, NULL, NULL, &error);
  g_assert_no_error (error);
  {
    /* two layers: a one-layer chain's ID is its layer's diff ID */
    const gchar *ids[] = { diff_id, diff_id2, NULL };
    chain = berth_content_store_build_chain (f->store, ids, NULL, &error);
    g_assert_no_error (error);
  }
  tree = berth_content_store_checkout_chain (f->store, chain, NULL, &error);
  g_assert_no_error (error);

  /* keep a and the chain: b and the layer go, the chain's tree stays */
  {
    const gchar *roots[] = { da, chain, NULL };
    g_assert_true (berth_content_store_garbage_collect (f->store, roots, &freed, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (freed, >=, 400000);
  g_assert_true (berth_content_store_blob_exists (f->store, da, NULL, NULL));
  g_assert_false (berth_content_store_blob_exists (f->store, db, NULL, NULL));
  g_assert_false (berth_content_store_has_layer (f->store, diff_id, NULL, NULL));
  g_assert_true (g_file_test (tree, G_FILE_TEST_IS_DIR));
  {
    g_autofree gchar *again = berth_content_store_checkout_chain (f->store, chain, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, tree);
  }

  /* nothing kept: everything goes, checkouts too */
  g_assert_true (berth_content_store_garbage_collect (f->store, NULL, &freed, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (freed, >=, 500000);
  g_assert_false (berth_content_store_blob_exists (f->store, da, NULL, NULL));
  g_assert_false (g_file_test (tree, G_FILE_TEST_EXISTS));
  g_assert_null (berth_content_store_checkout_chain (f->store, chain, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND);
}

static gpointer
gc_thread (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (berth_content_store_garbage_collect (f->store, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return NULL;
}

static void
test_gc_while_writing (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) blob = make_blob (256 * 1024, 11);
  g_autofree gchar *digest = cs_digest (blob);
  IngestThread t = { f, blob, digest, FALSE, 25000 };
  GThread *writer = NULL;
  GThread *collector;

  /* collect once the ingest's transaction is open: it takes 25 ms per
   * 32 KiB chunk, 200 ms in all */
  writer = g_thread_new ("ingest", ingest_thread, &t);
  while (repo_tmp_leftovers (f) == 0)
    g_usleep (500);
  collector = g_thread_new ("gc", gc_thread, f);
  g_thread_join (writer);
  g_thread_join (collector);
  g_assert_true (t.ok);
  g_assert_true (berth_content_store_blob_exists (f->store, digest, NULL, NULL));
  g_assert_cmpuint (repo_tmp_leftovers (f), ==, 0);
}

static void
test_empty (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autofree gchar *digest = cs_digest (empty);
  g_autoptr(GError) error = NULL;
  const CsCompression kinds[] = { CS_TAR, CS_TAR_GZIP, CS_TAR_ZSTD };

  /* an empty blob, of known and of unknown size */
  g_assert_true (ingest (f, empty, digest, 0, &error));
  g_assert_no_error (error);
  g_assert_true (berth_content_store_delete_blob (f->store, digest, NULL, &error));
  g_assert_true (ingest (f, empty, digest, -1, &error));
  g_assert_no_error (error);

  /* a layer without entries (Docker's empty layer) makes an empty tree */
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(GBytes) tar = cs_tar_build (NULL, 0, kinds[i]);
      g_autofree gchar *diff_id = cs_import (f->store, tar, kinds[i], NULL, NULL, &error);
      const gchar *ids[] = { diff_id, NULL };
      g_autofree gchar *chain = NULL;
      g_autofree gchar *tree = NULL;

      g_assert_no_error (error);
      chain = berth_content_store_build_chain (f->store, ids, NULL, &error);
      g_assert_no_error (error);
      tree = berth_content_store_checkout_chain (f->store, chain, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (cs_count_entries (tree), ==, 0);
    }
  /* zero bytes are no tar at all */
  g_assert_null (cs_import (f->store, empty, CS_TAR, NULL, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (cs_import (f->store, empty, CS_TAR_GZIP, NULL, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
}

static void
test_layer_formats (Fixture *f, gconstpointer data)
{
  const CsEntry entries[] = {
    { CS_DIR, "usr/", NULL, 0755 },
    { CS_FILE, "usr/big", NULL, 0644, 0, 0, 0, 0, NULL, NULL, 3 * 1024 * 1024 + 5 },
    { CS_FILE, "usr/small", "hello\n", 0600, 1000, 1000 },
  };
  const CsCompression kinds[] = { CS_TAR, CS_TAR_GZIP, CS_TAR_ZSTD };
  g_autofree gchar *diff_id = cs_tar_diff_id (entries, G_N_ELEMENTS (entries));

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(GBytes) blob = cs_tar_build (entries, G_N_ELEMENTS (entries), kinds[i]);
      g_autofree gchar *digest = cs_digest (blob);
      g_autofree gchar *got = NULL;
      g_autoptr(GError) error = NULL;

      got = cs_import (f->store, blob, kinds[i], digest, diff_id, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got, ==, diff_id);
      g_assert_true (berth_content_store_has_layer (f->store, diff_id, NULL, &error));
      g_assert_no_error (error);
      /* the next one finds it stored; collect it so each format is read */
      {
        g_assert_true (berth_content_store_garbage_collect (f->store, NULL, NULL, NULL, &error));
        g_assert_no_error (error);
      }
    }
}

static void
test_layer_verify (Fixture *f, gconstpointer data)
{
  const CsEntry entries[] = { { CS_FILE, "a", "alpha" } };
  g_autoptr(GBytes) blob = cs_tar_build (entries, 1, CS_TAR_GZIP);
  g_autofree gchar *digest = cs_digest (blob);
  g_autofree gchar *diff_id = cs_tar_diff_id (entries, 1);
  const gchar *wrong = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
  g_autoptr(GError) error = NULL;
  g_autofree gchar *got = NULL;

  g_assert_null (cs_import (f->store, blob, CS_TAR_GZIP, wrong, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, wrong));
  g_assert_nonnull (strstr (error->message, digest));
  g_clear_error (&error);
  g_assert_null (cs_import (f->store, blob, CS_TAR_GZIP, digest, wrong, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "diff ID mismatch"));
  g_assert_nonnull (strstr (error->message, diff_id));
  g_clear_error (&error);
  g_assert_false (berth_content_store_has_layer (f->store, diff_id, NULL, NULL));
  g_assert_false (berth_content_store_has_layer (f->store, wrong, NULL, NULL));
  g_assert_cmpuint (repo_tmp_leftovers (f), ==, 0);

  /* Docker's `plugin create` names the layer by its blob digest */
  got = cs_import (f->store, blob, CS_TAR_GZIP, digest, digest, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, diff_id);
  g_assert_true (berth_content_store_has_layer (f->store, diff_id, NULL, NULL));
  g_assert_true (berth_content_store_has_layer (f->store, digest, NULL, NULL));
  {
    const gchar *by_blob[] = { digest, NULL };
    const gchar *by_diff[] = { diff_id, NULL };
    g_autofree gchar *c1 = berth_content_store_build_chain (f->store, by_blob, NULL, &error);
    g_autofree gchar *c2 = NULL;
    g_autofree gchar *t1 = NULL;
    g_assert_no_error (error);
    c2 = berth_content_store_build_chain (f->store, by_diff, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (c1, ==, c2);
    /* a chain named as its config names it checks out too */
    t1 = berth_content_store_checkout_chain (f->store, digest, NULL, &error);
    g_assert_no_error (error);
  }
  /* a size that does not match */
  {
    g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (blob);
    BerthLayerImport layer = { cs_media_type (CS_TAR_GZIP), NULL, NULL, 5 };
    g_assert_null (berth_content_store_import_layer (f->store, in, &layer, NULL, &error));
    g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "size mismatch"));
  }
}

static void
test_chain (Fixture *f, gconstpointer data)
{
  const CsEntry lower[] = {
    { CS_DIR, "etc/", NULL, 0755 },
    { CS_FILE, "etc/passwd", "root:x:0:0\n", 0644 },
    { CS_FILE, "etc/shadow", "secret\n", 0640, 0, 42 },
    { CS_DIR, "var/cache/", NULL, 0700, 7, 8 },
    { CS_FILE, "var/cache/a", "a" },
    { CS_FILE, "var/cache/b", "b" },
    { CS_FILE, "bin/tool", "#!/bin/sh\n", 04755 },
    { CS_HARDLINK, "bin/tool-link", "bin/tool" },
    { CS_SYMLINK, "bin/sh", "/bin/busybox" },
    { CS_FILE, "bin/cap", "caps", 0755, 0, 0, 0, 0, "user.berth-test", "value" },
    { CS_CHAR, "dev/null", NULL, 0666, 0, 0, 1, 3 },
    { CS_FIFO, "run/fifo", NULL, 0620, 0, 5 },
    { CS_DIR, "gone/", NULL },
    { CS_FILE, "gone/file", "x" },
  };
  const CsEntry upper[] = {
    { CS_FILE, "etc/.wh.shadow", "" },
    { CS_FILE, "var/cache/.wh..wh..opq", "" },
    { CS_FILE, "var/cache/c", "c" },
    { CS_FILE, ".wh.gone", "" },
    { CS_FILE, "etc/hostname", "berth\n" },
    { CS_FILE, "etc/.wh.hostname", "" }, /* hides only lower layers */
  };
  g_autoptr(GBytes) l1 = cs_tar_build (lower, G_N_ELEMENTS (lower), CS_TAR_GZIP);
  g_autoptr(GBytes) l2 = cs_tar_build (upper, G_N_ELEMENTS (upper), CS_TAR_ZSTD);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *d1 = cs_import (f->store, l1, CS_TAR_GZIP, NULL, NULL, &error);
  g_autofree gchar *d2 = cs_import (f->store, l2, CS_TAR_ZSTD, NULL, NULL, &error);
  const gchar *ids[] = { d1, d2, NULL };
  g_autofree gchar *expected_chain = NULL;
  g_autofree gchar *chain = NULL;
  g_autofree gchar *tree = NULL;
  g_autofree gchar *p = NULL;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *link = NULL;
  struct stat st, st2;
  gchar xattr[64] = { 0 };

  g_assert_no_error (error);
  g_assert_nonnull (d1);
  g_assert_nonnull (d2);
  expected_chain = berth_chain_id (ids);
  chain = berth_content_store_build_chain (f->store, ids, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (chain, ==, expected_chain);
  tree = berth_content_store_checkout_chain (f->store, chain, NULL, &error);
  g_assert_no_error (error);

#define AT(rel) (g_free (p), p = g_build_filename (tree, rel, NULL))
  g_assert_true (g_file_get_contents (AT ("etc/passwd"), &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "root:x:0:0\n");
  g_assert_false (g_file_test (AT ("etc/shadow"), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (AT ("etc/hostname"), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (AT ("etc/.wh.hostname"), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (AT ("var/cache/a"), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (AT ("var/cache/b"), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (AT ("var/cache/c"), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (AT ("var/cache/.wh..wh..opq"), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (AT ("gone"), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (AT (".wh.gone"), G_FILE_TEST_EXISTS));

  /* the opaque directory keeps the metadata of its lower layer: upper only
   * implied it as a parent */
  g_assert_no_errno (lstat (AT ("var/cache"), &st));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpuint (st.st_uid, ==, 7);
  g_assert_cmpuint (st.st_gid, ==, 8);

  g_assert_no_errno (lstat (AT ("bin/tool"), &st));
  g_assert_cmpuint (st.st_mode & 07777, ==, 04755);
  g_assert_no_errno (lstat (AT ("bin/tool-link"), &st2));
  g_assert_cmpuint (st.st_ino, ==, st2.st_ino);

  g_assert_no_errno (lstat (AT ("bin/sh"), &st));
  g_assert_true (S_ISLNK (st.st_mode));
  link = g_file_read_link (p, NULL);
  g_assert_cmpstr (link, ==, "/bin/busybox");

  g_assert_cmpint (lgetxattr (AT ("bin/cap"), "user.berth-test", xattr, sizeof xattr), ==, 5);
  g_assert_cmpstr (xattr, ==, "value");

  g_assert_no_errno (lstat (AT ("dev/null"), &st));
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_cmpuint (major (st.st_rdev), ==, 1);
  g_assert_cmpuint (minor (st.st_rdev), ==, 3);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0666);
  g_assert_no_errno (lstat (AT ("run/fifo"), &st));
  g_assert_true (S_ISFIFO (st.st_mode));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0620);
  g_assert_cmpuint (st.st_gid, ==, 5);
#undef AT

  /* once: a second build and checkout reuse the first */
  {
    g_autofree gchar *again = berth_content_store_build_chain (f->store, ids, NULL, &error);
    g_autofree gchar *tree2 = NULL;
    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, chain);
    tree2 = berth_content_store_checkout_chain (f->store, chain, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (tree2, ==, tree);
  }
  /* a missing layer */
  {
    const gchar *missing[]
      = { d1, "sha256:1111111111111111111111111111111111111111111111111111111111111111", NULL };
    g_assert_null (berth_content_store_build_chain (f->store, missing, NULL, &error));
    g_assert_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND);
  }
}

static void
test_usage (Fixture *f, gconstpointer data)
{
  const CsEntry base[] = { { CS_FILE, "lib/libc.so", NULL, 0755, 0, 0, 0, 0, NULL, NULL, 500000 } };
  const CsEntry a[] = { { CS_FILE, "a/bin", NULL, 0755, 0, 0, 0, 0, NULL, NULL, 100000 } };
  const CsEntry b[] = { { CS_FILE, "b/bin", NULL, 0700, 0, 0, 0, 0, NULL, NULL, 200000 } };
  g_autoptr(GBytes) tb = cs_tar_build (base, 1, CS_TAR);
  g_autoptr(GBytes) ta = cs_tar_build (a, 1, CS_TAR);
  g_autoptr(GBytes) tbb = cs_tar_build (b, 1, CS_TAR);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *db = cs_import (f->store, tb, CS_TAR, NULL, NULL, &error);
  g_autofree gchar *da = cs_import (f->store, ta, CS_TAR, NULL, NULL, &error);
  g_autofree gchar *dbb = cs_import (f->store, tbb, CS_TAR, NULL, NULL, &error);
  g_autoptr(GVariant) owners = NULL;
  g_autoptr(GVariant) usage = NULL;
  g_autoptr(GVariant) unique = NULL;
  guint64 total = 0, shared = 0, ua = 0, ub = 0;

  g_assert_no_error (error);
  owners = g_variant_ref_sink (
    g_variant_new_parsed ("{'plugin-a': [%s, %s], 'plugin-b': [%s, %s]}", db, da, db, dbb));
  usage = berth_content_store_usage (f->store, owners, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (usage, "(tt@a{st})", &total, &shared, &unique);
  g_assert_true (g_variant_lookup (unique, "plugin-a", "t", &ua));
  g_assert_true (g_variant_lookup (unique, "plugin-b", "t", &ub));
  g_test_message ("total %" G_GUINT64_FORMAT " shared %" G_GUINT64_FORMAT " a %" G_GUINT64_FORMAT
                  " b %" G_GUINT64_FORMAT,
                  total, shared, ua, ub);
  g_assert_cmpuint (shared, >=, 500000);
  g_assert_cmpuint (shared, <, 600000);
  g_assert_cmpuint (ua, >=, 100000);
  g_assert_cmpuint (ua, <, 200000);
  g_assert_cmpuint (ub, >=, 200000);
  g_assert_cmpuint (ub, <, 300000);
  g_assert_cmpuint (total, >=, shared + ua + ub);
}

int
main (int argc, char **argv)
{
  static const struct
  {
    const gchar *name;
    void (*func) (Fixture *, gconstpointer);
  } tests[] = {
    { "ingest", test_ingest },
    { "bad-digest-argument", test_bad_digest_argument },
    { "digest-mismatch", test_mismatch },
    { "short-long", test_short_long },
    { "interrupted", test_interrupted },
    { "abort", test_abort },
    { "restart-cleans", test_restart_cleans },
    { "concurrent", test_concurrent },
    { "gc", test_gc },
    { "gc-while-writing", test_gc_while_writing },
    { "empty", test_empty },
    { "layer-formats", test_layer_formats },
    { "layer-verify", test_layer_verify },
    { "chain", test_chain },
    { "usage", test_usage },
  };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  for (guint i = 0; i < cs_n_impls; i++)
    for (guint j = 0; j < G_N_ELEMENTS (tests); j++)
      {
        g_autofree gchar *path
          = g_strdup_printf ("/content-store/%s/%s", cs_impls[i].name, tests[j].name);
        g_test_add (path, Fixture, &cs_impls[i], fixture_setup, tests[j].func, fixture_teardown);
      }
  return g_test_run ();
}
