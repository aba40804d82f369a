/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostile layers: each built here with libarchive's writer, each asserting
 * the exact outcome (refused with an error naming the entry, or neutralised
 * the way moby's pkg/archive does), and that nothing outside the store
 * changed: a victim directory beside the state root stays as it was, and a
 * refused layer leaves no ref and no staging directory behind */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cs-test-util.h"

typedef struct
{
  const CsImpl *impl;
  gchar *base;
  gchar *root;
  gchar *victim;
  gchar *victim_listing;
  BerthContentStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autofree gchar *passwd = NULL;

  f->impl = data;
  f->base = g_dir_make_tmp ("berth-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  f->root = g_build_filename (f->base, "state", NULL);
  f->victim = g_build_filename (f->base, "victim", NULL);
  passwd = g_build_filename (f->victim, "passwd", NULL);
  g_assert_no_errno (g_mkdir_with_parents (f->victim, 0755));
  g_assert_true (g_file_set_contents (passwd, "root:x:0:0::/root:/bin/sh\n", -1, NULL));
  f->victim_listing = cs_tree_listing (f->victim);

  /* small limits, so that bombs stop early */
  g_key_file_set_uint64 (config, "content-store", "max-layer-entries", 100);
  g_key_file_set_uint64 (config, "content-store", "max-layer-bytes", 4 * 1024 * 1024);
  f->store = cs_open_store (f->impl, f->root, config, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree gchar *cmd = g_strdup_printf ("rm -rf %s", f->base);
  g_autofree gchar *after = cs_tree_listing (f->victim);

  /* whatever happened, the victim beside the state root is untouched */
  g_assert_cmpstr (after, ==, f->victim_listing);
  g_assert_cmpuint (cs_count_entries (f->base), ==, 2);
  g_clear_object (&f->store);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  g_free (f->base);
  g_free (f->root);
  g_free (f->victim);
  g_free (f->victim_listing);
}

static guint
count_refs (Fixture *f, const gchar *ns)
{
  g_autofree gchar *dir = g_build_filename (f->root, "repo", "refs", "heads", ns, "sha256", NULL);
  return cs_count_entries (dir);
}

static guint
staging_leftovers (Fixture *f)
{
  g_autofree gchar *tmp = g_build_filename (f->root, "repo", "tmp", NULL);
  g_autoptr(GDir) d = g_dir_open (tmp, 0, NULL);
  const gchar *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (!g_str_equal (name, "cache"))
      n++;
  return n;
}

static void
assert_refused_blob (
  Fixture *f, GBytes *blob, CsCompression compression, const gchar *needle1, const gchar *needle2)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *diff_id = NULL;
  guint layers = count_refs (f, "layer");

  diff_id = cs_import (f->store, blob, compression, NULL, NULL, &error);
  g_assert_null (diff_id);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_test_message ("refused: %s", error->message);
  if (needle1 != NULL && strstr (error->message, needle1) == NULL)
    g_error ("\"%s\" not in \"%s\"", needle1, error->message);
  if (needle2 != NULL && strstr (error->message, needle2) == NULL)
    g_error ("\"%s\" not in \"%s\"", needle2, error->message);
  g_assert_cmpuint (count_refs (f, "layer"), ==, layers);
  g_assert_cmpuint (staging_leftovers (f), ==, 0);
}

static void
assert_refused (
  Fixture *f, const CsEntry *entries, guint n, const gchar *needle1, const gchar *needle2)
{
  g_autoptr(GBytes) tar = cs_tar_build (entries, n, CS_TAR_GZIP);
  assert_refused_blob (f, tar, CS_TAR_GZIP, needle1, needle2);
}

/* imports and checks out one layer, returning the checkout */
static gchar *
accept (Fixture *f, const CsEntry *entries, guint n)
{
  g_autoptr(GBytes) tar = cs_tar_build (entries, n, CS_TAR);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *diff_id = cs_import (f->store, tar, CS_TAR, NULL, NULL, &error);
  g_autofree gchar *chain = NULL;
  const gchar *ids[] = { diff_id, NULL };
  gchar *tree;

  g_assert_no_error (error);
  chain = berth_content_store_build_chain (f->store, ids, NULL, &error);
  g_assert_no_error (error);
  tree = berth_content_store_checkout_chain (f->store, chain, NULL, &error);
  g_assert_no_error (error);
  return tree;
}

static void
assert_file (const gchar *tree, const gchar *rel, const gchar *contents)
{
  g_autofree gchar *path = g_build_filename (tree, rel, NULL);
  g_autofree gchar *got = NULL;
  struct stat st;

  g_assert_no_errno (lstat (path, &st));
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_true (g_file_get_contents (path, &got, NULL, NULL));
  g_assert_cmpstr (got, ==, contents);
}

static void
test_absolute (Fixture *f, gconstpointer data)
{
  /* moby joins every name under the layer root: neutralised, not refused */
  g_autofree gchar *name = g_build_filename (f->victim, "passwd", NULL);
  const CsEntry entries[] = { { CS_FILE, name, "pwned\n" }, { CS_FILE, "/etc/hosts", "x\n" } };
  g_autofree gchar *tree = accept (f, entries, G_N_ELEMENTS (entries));

  assert_file (tree, name + 1, "pwned\n");
  assert_file (tree, "etc/hosts", "x\n");
}

static void
test_dotdot (Fixture *f, gconstpointer data)
{
  const CsEntry up[] = { { CS_FILE, "../victim/passwd", "pwned\n" } };
  const CsEntry deep[] = { { CS_DIR, "a/" }, { CS_FILE, "a/../../victim/passwd", "pwned\n" } };
  const CsEntry inside[] = { { CS_FILE, "a/../b", "fine\n" }, { CS_FILE, "./c/./d", "ok\n" } };
  g_autofree gchar *tree = NULL;

  assert_refused (f, up, G_N_ELEMENTS (up), "\"../victim/passwd\"", "climbs out");
  assert_refused (f, deep, G_N_ELEMENTS (deep), "\"a/../../victim/passwd\"", "climbs out");
  /* ".." that stays inside is resolved, as filepath.Clean does */
  tree = accept (f, inside, G_N_ELEMENTS (inside));
  assert_file (tree, "b", "fine\n");
  assert_file (tree, "c/d", "ok\n");
}

static void
test_symlink_escape (Fixture *f, gconstpointer data)
{
  const CsEntry abs[]
    = { { CS_SYMLINK, "evil", f->victim }, { CS_FILE, "evil/passwd", "pwned\n" } };
  const CsEntry rel[] = { { CS_SYMLINK, "up", "../../../../../../../../.." },
                          { CS_FILE, "up/etc/passwd", "pwned\n" } };
  const CsEntry dir[] = { { CS_SYMLINK, "evil", f->victim }, { CS_DIR, "evil/sub/" } };
  const CsEntry chain[] = { { CS_SYMLINK, "l1", "l2" },
                            { CS_SYMLINK, "l2", f->victim },
                            { CS_FILE, "l1/passwd", "pwned\n" } };

  assert_refused (f, abs, G_N_ELEMENTS (abs), "\"evil/passwd\"", "\"evil\" is a symlink");
  assert_refused (f, rel, G_N_ELEMENTS (rel), "\"up/etc/passwd\"", "\"up\" is a symlink");
  assert_refused (f, dir, G_N_ELEMENTS (dir), "\"evil/sub/\"", "is a symlink");
  assert_refused (f, chain, G_N_ELEMENTS (chain), "\"l1/passwd\"", "is a symlink");
}

static void
test_symlink_planted_earlier (Fixture *f, gconstpointer data)
{
  const CsEntry lower[] = { { CS_SYMLINK, "etc", f->victim } };
  const CsEntry upper[] = { { CS_FILE, "etc/passwd", "pwned\n" } };
  const CsEntry replace[] = { { CS_DIR, "etc/" }, { CS_FILE, "etc/passwd", "mine\n" } };
  g_autoptr(GBytes) t1 = cs_tar_build (lower, 1, CS_TAR);
  g_autoptr(GBytes) t2 = cs_tar_build (upper, 1, CS_TAR);
  g_autoptr(GBytes) t3 = cs_tar_build (replace, 2, CS_TAR);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *d1 = cs_import (f->store, t1, CS_TAR, NULL, NULL, &error);
  g_autofree gchar *d2 = cs_import (f->store, t2, CS_TAR, NULL, NULL, &error);
  g_autofree gchar *d3 = cs_import (f->store, t3, CS_TAR, NULL, NULL, &error);
  const gchar *ids[] = { d1, d2, NULL };
  const gchar *ids_replace[] = { d1, d3, NULL };
  g_autofree gchar *chain = NULL;
  g_autofree gchar *tree = NULL;
  g_autofree gchar *etc = NULL;
  guint chains;
  struct stat st;

  /* each layer alone is fine; stacked, the second writes through the first's symlink */
  g_assert_no_error (error);
  chains = count_refs (f, "chain");
  g_assert_null (berth_content_store_build_chain (f->store, ids, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "\"etc\""));
  g_assert_nonnull (strstr (error->message, d2));
  g_assert_cmpuint (count_refs (f, "chain"), ==, chains);
  g_assert_cmpuint (staging_leftovers (f), ==, 0);
  g_clear_error (&error);

  /* a layer that names etc/ as a directory replaces the symlink (moby removes it) */
  chain = berth_content_store_build_chain (f->store, ids_replace, NULL, &error);
  g_assert_no_error (error);
  tree = berth_content_store_checkout_chain (f->store, chain, NULL, &error);
  g_assert_no_error (error);
  etc = g_build_filename (tree, "etc", NULL);
  g_assert_no_errno (lstat (etc, &st));
  g_assert_true (S_ISDIR (st.st_mode));
  assert_file (tree, "etc/passwd", "mine\n");
}

static void
test_hardlinks (Fixture *f, gconstpointer data)
{
  const CsEntry out[] = { { CS_HARDLINK, "h", "../victim/passwd" } };
  const CsEntry abs[] = { { CS_HARDLINK, "h", "/etc/shadow" } };
  const CsEntry later[] = { { CS_HARDLINK, "h", "later" }, { CS_FILE, "later", "x" } };
  const CsEntry todir[] = { { CS_DIR, "d/" }, { CS_HARDLINK, "h", "d" } };
  const CsEntry via_symlink[]
    = { { CS_SYMLINK, "s", f->victim }, { CS_HARDLINK, "h", "s/passwd" } };
  const CsEntry to_symlink[] = { { CS_SYMLINK, "s", "/etc/shadow" },
                                 { CS_HARDLINK, "h", "s" },
                                 { CS_FILE, "f", "data" },
                                 { CS_HARDLINK, "g", "/f" } };
  g_autofree gchar *tree = NULL;
  g_autofree gchar *h = NULL;
  g_autofree gchar *target = NULL;
  g_autofree gchar *fpath = NULL;
  g_autofree gchar *gpath = NULL;
  struct stat st1, st2;

  assert_refused (f, out, 1, "\"h\"", "climbs out");
  assert_refused (f, abs, 1, "\"h\"", "not an earlier file of this layer");
  assert_refused (f, later, 2, "\"h\"", "not an earlier file of this layer");
  assert_refused (f, todir, 2, "\"h\"", "not an earlier file of this layer");
  assert_refused (f, via_symlink, 2, "\"h\"", "not an earlier file of this layer");

  /* a hardlink to a symlink is a second name of the symlink, which points
   * where it pointed: nothing is written outside */
  tree = accept (f, to_symlink, G_N_ELEMENTS (to_symlink));
  h = g_build_filename (tree, "h", NULL);
  target = g_file_read_link (h, NULL);
  g_assert_cmpstr (target, ==, "/etc/shadow");
  fpath = g_build_filename (tree, "f", NULL);
  gpath = g_build_filename (tree, "g", NULL);
  g_assert_no_errno (lstat (fpath, &st1));
  g_assert_no_errno (lstat (gpath, &st2));
  g_assert_cmpuint (st1.st_ino, ==, st2.st_ino);
}

static void
test_replace_dir (Fixture *f, gconstpointer data)
{
  const CsEntry dir_to_link[] = { { CS_DIR, "d/" },
                                  { CS_FILE, "d/x", "x" },
                                  { CS_SYMLINK, "d", f->victim },
                                  { CS_FILE, "d/passwd", "pwned" } };
  const CsEntry file_dir_file[] = { { CS_FILE, "p", "file" },
                                    { CS_DIR, "p/" },
                                    { CS_FILE, "p/q", "q" },
                                    { CS_DIR, "r/" },
                                    { CS_FILE, "r", "r" } };
  g_autofree gchar *tree = NULL;

  assert_refused (f, dir_to_link, G_N_ELEMENTS (dir_to_link), "\"d\"",
                  "replaces a directory with a symlink");
  /* a file replacing a directory and the reverse follow moby: the old goes */
  tree = accept (f, file_dir_file, G_N_ELEMENTS (file_dir_file));
  assert_file (tree, "p/q", "q");
  assert_file (tree, "r", "r");
}

static void
test_long_names (Fixture *f, gconstpointer data)
{
  g_autofree gchar *component = g_strnfill (256, 'n');
  g_autofree gchar *ok_component = g_strnfill (255, 'n');
  g_autoptr(GString) path = g_string_new (NULL);
  g_autofree gchar *tree = NULL;

  while (path->len < 4200)
    g_string_append (path, "dddddddddddddddddddddddddddddddddddddddddddddddddd/");
  g_string_append (path, "f");
  {
    const CsEntry too_long[] = { { CS_FILE, component, "x" } };
    const CsEntry too_deep[] = { { CS_FILE, path->str, "x" } };
    const CsEntry link_long[] = { { CS_FILE, "a", "x" }, { CS_HARDLINK, "h", path->str } };
    const CsEntry fine[] = { { CS_FILE, ok_component, "x" } };

    assert_refused (f, too_long, 1, "has a component longer than NAME_MAX", "\"nnnnnnnn");
    assert_refused (f, too_deep, 1, "PATH_MAX", "\"ddddddd");
    assert_refused (f, link_long, 2, "PATH_MAX", "\"h\"");
    tree = accept (f, fine, 1);
    assert_file (tree, ok_component, "x");
  }
}

static void
test_bad_names (Fixture *f, gconstpointer data)
{
  const CsEntry not_utf8[] = { { CS_FILE, "bad\xff\xfename", "x" } };
  const CsEntry empty_wh[] = { { CS_FILE, "dir/.wh.", "" } };
  const CsEntry dotdot_wh[] = { { CS_FILE, "dir/.wh...", "" } };
  const CsEntry root_link[] = { { CS_SYMLINK, ".", "/etc" } };
  const CsEntry root_file[] = { { CS_FILE, "a/..", "x" } };

  assert_refused (f, not_utf8, 1, "not valid UTF-8", "\"bad");
  assert_refused (f, empty_wh, 1, "\"dir/.wh.\"", "invalid whiteout");
  assert_refused (f, dotdot_wh, 1, "\"dir/.wh...\"", "invalid whiteout");
  assert_refused (f, root_link, 1, "\".\"", "replaces the root of the layer");
  assert_refused (f, root_file, 1, "\"a/..\"", "replaces the root of the layer");
}

static void
test_entry_bomb (Fixture *f, gconstpointer data)
{
  CsEntry entries[101];
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      gchar *name = g_strdup_printf ("f%03u", i);
      g_ptr_array_add (names, name);
      entries[i] = (CsEntry){ CS_FILE, name, "" };
    }
  assert_refused (f, entries, G_N_ELEMENTS (entries), "\"f100\"", "more than 100 entries");
}

static void
test_byte_bomb (Fixture *f, gconstpointer data)
{
  /* 64 MiB of zeros gzip to about 64 KiB: stopped at 4 MiB of tar */
  gsize size = 64 * 1024 * 1024;
  g_autofree gchar *zeros = g_malloc0 (size + 1);
  const CsEntry entries[] = { { CS_FILE, "zeros", NULL, 0644, 0, 0, 0, 0, NULL, NULL, 0 } };
  CsEntry e = entries[0];
  g_autoptr(GBytes) bomb = NULL;

  memset (zeros, 'z', size);
  e.data = zeros;
  bomb = cs_tar_build (&e, 1, CS_TAR_GZIP);
  g_test_message ("bomb of %" G_GSIZE_FORMAT " bytes", g_bytes_get_size (bomb));
  g_assert_cmpuint (g_bytes_get_size (bomb), <, 1024 * 1024);
  assert_refused_blob (f, bomb, CS_TAR_GZIP, "more than 4194304 bytes", "max-layer-bytes");
}

static la_ssize_t
append_to_array (struct archive *a, void *user_data, const void *buf, size_t len)
{
  g_byte_array_append (user_data, buf, (guint)len);
  return (la_ssize_t)len;
}

/* a pax tar of one sparse file: 64 MiB of hole, then one byte */
static GBytes *
sparse_tar (void)
{
  const la_int64_t hole = 64 * 1024 * 1024;
  GByteArray *out = g_byte_array_new ();
  struct archive *a = archive_write_new ();
  struct archive_entry *ae = archive_entry_new ();

  archive_write_set_format_pax_restricted (a);
  g_assert_cmpint (archive_write_open (a, out, NULL, append_to_array, NULL), ==, ARCHIVE_OK);
  archive_entry_set_pathname (ae, "sparse");
  archive_entry_set_filetype (ae, AE_IFREG);
  archive_entry_set_perm (ae, 0644);
  archive_entry_set_size (ae, hole + 1);
  archive_entry_sparse_add_entry (ae, hole, 1);
  g_assert_cmpint (archive_write_header (a, ae), ==, ARCHIVE_OK);
  /* the writer takes the data regions only, in order */
  g_assert_cmpint (archive_write_data (a, "x", 1), ==, 1);
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
  archive_entry_free (ae);
  return g_byte_array_free_to_bytes (out);
}

static void
test_sparse_bomb (Fixture *f, gconstpointer data)
{
  /* a few KiB of tar that unpack to 64 MiB: max-layer-bytes bounds what
   * the files unpack to as well as the tar (found by fuzzing) */
  g_autoptr(GBytes) bomb = sparse_tar ();

  g_test_message ("sparse bomb of %" G_GSIZE_FORMAT " bytes", g_bytes_get_size (bomb));
  g_assert_cmpuint (g_bytes_get_size (bomb), <, 64 * 1024);
  assert_refused_blob (f, bomb, CS_TAR, "\"sparse\"", "unpack to more than 4194304 bytes");
}

static void
test_bad_streams (Fixture *f, gconstpointer data)
{
  const CsEntry entries[] = { { CS_FILE, "file", NULL, 0644, 0, 0, 0, 0, NULL, NULL, 300000 } };
  g_autoptr(GBytes) gz = cs_tar_build (entries, 1, CS_TAR_GZIP);
  g_autoptr(GBytes) zst = cs_tar_build (entries, 1, CS_TAR_ZSTD);
  g_autoptr(GBytes) tar = cs_tar_build (entries, 1, CS_TAR);
  g_autoptr(GBytes) gz_half = g_bytes_new_from_bytes (gz, 0, g_bytes_get_size (gz) / 2);
  g_autoptr(GBytes) zst_half = g_bytes_new_from_bytes (zst, 0, g_bytes_get_size (zst) / 2);
  g_autoptr(GBytes) tar_half = g_bytes_new_from_bytes (tar, 0, 100000);
  g_autoptr(GByteArray) trailing = g_byte_array_new ();
  g_autoptr(GBytes) gz_trailing = NULL;
  g_autoptr(GByteArray) flipped = g_byte_array_new ();
  g_autoptr(GBytes) gz_flipped = NULL;

  assert_refused_blob (f, gz_half, CS_TAR_GZIP, "gzip stream is truncated", NULL);
  assert_refused_blob (f, zst_half, CS_TAR_ZSTD, "zstd stream is truncated", NULL);
  assert_refused_blob (f, tar_half, CS_TAR, "file", NULL);
  /* the media type decides: zstd bytes are not gzip */
  assert_refused_blob (f, zst, CS_TAR_GZIP, "not a gzip stream", NULL);
  assert_refused_blob (f, gz, CS_TAR, "malformed tar", NULL);

  g_byte_array_append (trailing, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz));
  g_byte_array_append (trailing, (const guint8 *)"trailing garbage, not gzip", 26);
  gz_trailing = g_byte_array_free_to_bytes (g_steal_pointer (&trailing));
  assert_refused_blob (f, gz_trailing, CS_TAR_GZIP, "not a gzip stream", NULL);

  g_byte_array_append (flipped, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz));
  flipped->data[flipped->len - 6] ^= 0xff; /* in the CRC */
  gz_flipped = g_byte_array_free_to_bytes (g_steal_pointer (&flipped));
  assert_refused_blob (f, gz_flipped, CS_TAR_GZIP, "gzip stream is corrupt", NULL);
}

static void
test_xattrs_and_modes (Fixture *f, gconstpointer data)
{
  /* setuid bits, owners and security.capability are kept as they are; our
   * own device marker cannot be smuggled in */
  const CsEntry entries[] = {
    { CS_FILE, "bin/su", "su", 04755, 0, 0 },
    { CS_FILE, "bin/nobody", "n", 0640, 65534, 65534 },
    { CS_FILE, "bin/fake-dev", "", 0644, 0, 0, 0, 0, "user.berth.device", "c 1 1" },
  };
  g_autofree gchar *tree = accept (f, entries, G_N_ELEMENTS (entries));
  g_autofree gchar *su = g_build_filename (tree, "bin/su", NULL);
  g_autofree gchar *nobody = g_build_filename (tree, "bin/nobody", NULL);
  g_autofree gchar *fake = g_build_filename (tree, "bin/fake-dev", NULL);
  struct stat st;

  g_assert_no_errno (lstat (su, &st));
  g_assert_cmpuint (st.st_mode & 07777, ==, 04755);
  g_assert_no_errno (lstat (nobody, &st));
  g_assert_cmpuint (st.st_uid, ==, 65534);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0640);
  g_assert_no_errno (lstat (fake, &st));
  g_assert_true (S_ISREG (st.st_mode));
}

int
main (int argc, char **argv)
{
  static const struct
  {
    const gchar *name;
    void (*func) (Fixture *, gconstpointer);
  } tests[] = {
    { "absolute-paths", test_absolute },
    { "dotdot", test_dotdot },
    { "symlink-escape", test_symlink_escape },
    { "symlink-planted-by-earlier-layer", test_symlink_planted_earlier },
    { "hardlinks", test_hardlinks },
    { "replace-dir", test_replace_dir },
    { "long-names", test_long_names },
    { "bad-names", test_bad_names },
    { "entry-bomb", test_entry_bomb },
    { "byte-bomb", test_byte_bomb },
    { "sparse-bomb", test_sparse_bomb },
    { "bad-streams", test_bad_streams },
    { "xattrs-and-modes", test_xattrs_and_modes },
  };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  for (guint i = 0; i < cs_n_impls; i++)
    for (guint j = 0; j < G_N_ELEMENTS (tests); j++)
      {
        g_autofree gchar *path
          = g_strdup_printf ("/hostile-layers/%s/%s", cs_impls[i].name, tests[j].name);
        g_test_add (path, Fixture, &cs_impls[i], fixture_setup, tests[j].func, fixture_teardown);
      }
  return g_test_run ();
}
