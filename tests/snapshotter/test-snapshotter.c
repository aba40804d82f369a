/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* the snapshotter conformance suite: every test runs against the overlay
 * module (loaded as berthd loads it) over each content store this build
 * has: a fake whose checkouts hardlink into a directory the test controls,
 * and the OSTree module when it is built (BERTH_TEST_CONTENT_STORE), after
 * which `ostree fsck` must pass */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshotter-env.h"

static gboolean have_private_mount_namespace;

typedef struct
{
  SnapEnv env;
  BerthSnapshotter *snap; /* NULL when the test is skipped */
  gchar *tree;
  gchar *chain;
  gchar *checkout;
  GHashTable *checkout_state;
  GPtrArray *children;
} Fixture;

static void
write_file (const gchar *path, const gchar *contents, mode_t mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static gchar *
read_file (const gchar *path)
{
  g_autoptr(GError) error = NULL;
  gchar *contents = NULL;
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static gchar *
big_contents (void)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; s->len < 256 * 1024; i++)
    g_string_append_printf (s, "line %u of a file big enough to notice\n", i);
  return g_string_free (s, FALSE);
}

/* the tree every test starts from; data/a and data/b have the same bytes,
 * so the store keeps them as one object and the checkout has one inode at
 * both paths */
static void
make_tree (const gchar *tree)
{
  g_autofree gchar *config = g_build_filename (tree, "etc", "config", NULL);
  g_autofree gchar *tool = g_build_filename (tree, "bin", "tool", NULL);
  g_autofree gchar *a = g_build_filename (tree, "data", "a", NULL);
  g_autofree gchar *b = g_build_filename (tree, "data", "b", NULL);
  g_autofree gchar *big = g_build_filename (tree, "data", "big", NULL);
  g_autofree gchar *link = g_build_filename (tree, "link", NULL);
  g_autofree gchar *empty = g_build_filename (tree, "var", "empty", NULL);
  g_autofree gchar *contents = big_contents ();

  write_file (config, "original config\n", 0644);
  write_file (tool, "#!/bin/sh\necho tool\n", 0755);
  write_file (a, "shared bytes\n", 0644);
  write_file (b, "shared bytes\n", 0644);
  write_file (big, contents, 0644);
  g_assert_cmpint (symlink ("etc/config", link), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (empty, 0755), ==, 0);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  const gchar *backend = data;
  g_autoptr(GError) error = NULL;

  fx->children = g_ptr_array_new_with_free_func (g_object_unref);
  if (!have_private_mount_namespace)
    {
      g_test_skip ("needs root: mounts overlayfs in a mount namespace of its own");
      return;
    }
  if (!snap_env_init (&fx->env, backend, &error))
    {
      if (g_error_matches (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED))
        {
          g_test_skip (error->message);
          return;
        }
      g_assert_no_error (error);
    }
  fx->tree = g_build_filename (fx->env.root, "tree", NULL);
  make_tree (fx->tree);
  fx->chain = snap_env_add_tree (&fx->env, fx->tree, &error);
  g_assert_no_error (error);
  fx->checkout = berth_content_store_checkout_chain (fx->env.store, fx->chain, NULL, &error);
  g_assert_no_error (error);
  fx->checkout_state = snap_tree_state (fx->checkout, &error);
  g_assert_no_error (error);
  fx->snap = snap_env_new_snapshotter (&fx->env, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  for (guint i = 0; i < fx->children->len; i++)
    {
      g_subprocess_force_exit (fx->children->pdata[i]);
      g_subprocess_wait (fx->children->pdata[i], NULL, NULL);
    }
  g_ptr_array_unref (fx->children);
  g_clear_object (&fx->snap);
  g_clear_pointer (&fx->checkout_state, g_hash_table_unref);
  g_free (fx->tree);
  g_free (fx->chain);
  g_free (fx->checkout);
  snap_env_clear (&fx->env);
}

static gchar *
snapshots_dir (Fixture *fx)
{
  return realpath (berth_paths_get (fx->env.paths, BERTH_PATH_SNAPSHOTS), NULL);
}

static gchar *
prepare (Fixture *fx, BerthSnapshotter *snap, const gchar *key)
{
  g_autoptr(GError) error = NULL;
  gchar *rootfs = berth_snapshotter_prepare (snap, key, fx->chain, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rootfs);
  g_assert_cmpuint (snap_mount_count (rootfs), ==, 1);
  return rootfs;
}

static void
assert_keys (BerthSnapshotter *snap, const gchar *const *expected)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) keys = berth_snapshotter_list (snap, NULL, &error);
  g_autofree gchar *got = NULL;
  g_autofree gchar *want = NULL;
  g_assert_no_error (error);
  got = g_strjoinv (" ", keys);
  want = g_strjoinv (" ", (gchar **)expected);
  g_assert_cmpstr (got, ==, want);
}

static void
assert_file (const gchar *root, const gchar *rel, const gchar *expected)
{
  g_autofree gchar *path = g_build_filename (root, rel, NULL);
  g_autofree gchar *contents = read_file (path);
  g_assert_cmpstr (contents, ==, expected);
}

static void
assert_checkout_untouched (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) now = snap_tree_state (fx->checkout, &error);
  g_autofree gchar *diff = NULL;
  g_assert_no_error (error);
  diff = snap_tree_state_diff (fx->checkout_state, now);
  g_assert_cmpstr (diff, ==, NULL);
  snap_env_check_repo (&fx->env, &error);
  g_assert_no_error (error);
}

static void
mark_removed (const gchar *snapshot_dir)
{
  g_autofree gchar *path = g_build_filename (snapshot_dir, "snapshot.json", NULL);
  g_autofree gchar *text = read_file (path);
  g_autoptr(GString) s = g_string_new (text);
  g_assert_cmpuint (g_string_replace (s, "\"active\"", "\"removed\"", 1), ==, 1);
  write_file (path, s->str, 0644);
}

static void
test_prepare (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *rootfs = NULL;
  g_autofree gchar *again = NULL;
  g_autofree gchar *other = NULL;
  g_autofree gchar *dir = NULL;
  g_autofree gchar *note = NULL;
  g_autofree gchar *big = big_contents ();
  const gchar *one[] = { "one", NULL };
  const gchar *none[] = { NULL };
  struct stat st_lower, st_root;

  if (fx->snap == NULL)
    return;
  rootfs = prepare (fx, fx->snap, "one");
  assert_file (rootfs, "etc/config", "original config\n");
  assert_file (rootfs, "link", "original config\n");
  assert_file (rootfs, "data/big", big);
  /* the root looks like the tree's root */
  g_assert_cmpint (stat (fx->checkout, &st_lower), ==, 0);
  g_assert_cmpint (stat (rootfs, &st_root), ==, 0);
  g_assert_cmpuint (st_root.st_mode, ==, st_lower.st_mode);

  note = g_build_filename (rootfs, "var", "empty", "note", NULL);
  write_file (note, "written in one\n", 0600);
  assert_file (rootfs, "var/empty/note", "written in one\n");
  assert_keys (fx->snap, one);

  /* the same request finds the same snapshot, contents and all */
  again = berth_snapshotter_prepare (fx->snap, "one", fx->chain, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, rootfs);
  g_assert_cmpuint (snap_mount_count (rootfs), ==, 1);
  assert_file (rootfs, "var/empty/note", "written in one\n");

  /* another request for the key is refused */
  other = berth_snapshotter_prepare (fx->snap, "one", NULL, NULL, &error);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_ALREADY_EXISTS);
  g_assert_nonnull (strstr (error->message, "one"));
  g_assert_null (other);
  g_clear_error (&error);
  other = berth_snapshotter_view (fx->snap, "one", fx->chain, NULL, &error);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_ALREADY_EXISTS);
  g_assert_null (other);
  g_clear_error (&error);

  /* unmounted behind its back (a reboot): prepare mounts it again */
  g_assert_cmpint (umount2 (rootfs, 0), ==, 0);
  g_free (again);
  again = berth_snapshotter_prepare (fx->snap, "one", fx->chain, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, rootfs);
  g_assert_cmpuint (snap_mount_count (rootfs), ==, 1);
  assert_file (rootfs, "var/empty/note", "written in one\n");

  g_assert_true (berth_snapshotter_remove (fx->snap, "one", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (snap_mount_count (rootfs), ==, 0);
  dir = g_path_get_dirname (rootfs);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  assert_keys (fx->snap, none);
  g_assert_false (berth_snapshotter_remove (fx->snap, "one", NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND);
  assert_checkout_untouched (fx);
}

static void
test_never_writes_repository (Fixture *fx, gconstpointer data)
{
  g_autofree gchar *first = NULL;
  g_autofree gchar *second = NULL;
  g_autofree gchar *view = NULL;
  g_autofree gchar *big = big_contents ();
  g_autoptr(GError) error = NULL;
  struct stat st_a, st_b;
  const struct timespec times[2] = { { 1, 0 }, { 1, 0 } };

  if (fx->snap == NULL)
    return;
  first = prepare (fx, fx->snap, "first");
  second = prepare (fx, fx->snap, "second");

  /* the premise: files of the lower layer are repository objects, and the
   * two identical files are one of them */
  {
    g_autofree gchar *a = g_build_filename (fx->checkout, "data", "a", NULL);
    g_autofree gchar *b = g_build_filename (fx->checkout, "data", "b", NULL);
    g_assert_cmpint (lstat (a, &st_a), ==, 0);
    g_assert_cmpint (lstat (b, &st_b), ==, 0);
    g_assert_cmpuint (st_a.st_nlink, >=, 2);
    g_assert_cmpuint (st_a.st_ino, ==, st_b.st_ino);
  }

  /* write, truncate, chmod, chown, touch, delete and rename through the
   * first */
  {
    g_autofree gchar *config = g_build_filename (first, "etc", "config", NULL);
    g_autofree gchar *a = g_build_filename (first, "data", "a", NULL);
    g_autofree gchar *b = g_build_filename (first, "data", "b", NULL);
    g_autofree gchar *tool = g_build_filename (first, "bin", "tool", NULL);
    g_autofree gchar *bigpath = g_build_filename (first, "data", "big", NULL);
    int fd = open (config, O_WRONLY | O_APPEND);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (write (fd, "appended\n", 9), ==, 9);
    close (fd);
    fd = open (a, O_WRONLY | O_TRUNC);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (write (fd, "rewritten\n", 10), ==, 10);
    close (fd);
    g_assert_cmpint (truncate (bigpath, 5), ==, 0);
    g_assert_cmpint (chmod (tool, 0700), ==, 0);
    g_assert_cmpint (chown (tool, 1000, 1000), ==, 0);
    g_assert_cmpint (utimensat (AT_FDCWD, b, times, AT_SYMLINK_NOFOLLOW), ==, 0);
    g_assert_cmpint (g_unlink (b), ==, 0);
    {
      g_autofree gchar *renamed = g_build_filename (first, "bin", "renamed", NULL);
      g_assert_cmpint (g_rename (tool, renamed), ==, 0);
    }

    assert_file (first, "etc/config", "original config\nappended\n");
    assert_file (first, "data/a", "rewritten\n");
    assert_file (first, "data/big", "line ");
    g_assert_false (g_file_test (b, G_FILE_TEST_EXISTS));
  }

  /* the second still reads the tree as it was */
  assert_file (second, "etc/config", "original config\n");
  assert_file (second, "data/a", "shared bytes\n");
  assert_file (second, "data/b", "shared bytes\n");
  assert_file (second, "data/big", big);
  {
    g_autofree gchar *tool = g_build_filename (second, "bin", "tool", NULL);
    g_autofree gchar *lower_tool = g_build_filename (fx->checkout, "bin", "tool", NULL);
    struct stat st, st_lower;
    g_assert_cmpint (stat (tool, &st), ==, 0);
    g_assert_cmpint (stat (lower_tool, &st_lower), ==, 0);
    g_assert_cmpuint (st.st_mode, ==, st_lower.st_mode);
    g_assert_cmpuint (st.st_uid, ==, 0);
  }
  /* so does a view made afterwards */
  view = berth_snapshotter_view (fx->snap, "after", fx->chain, NULL, &error);
  g_assert_no_error (error);
  assert_file (view, "etc/config", "original config\n");
  assert_file (view, "data/b", "shared bytes\n");

  /* one inode below, two independent files above (index=off) */
  {
    g_autofree gchar *b = g_build_filename (second, "data", "b", NULL);
    int fd = open (b, O_WRONLY | O_TRUNC);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (write (fd, "only b\n", 7), ==, 7);
    close (fd);
    assert_file (second, "data/b", "only b\n");
    assert_file (second, "data/a", "shared bytes\n");
  }

  assert_checkout_untouched (fx);
  g_assert_true (berth_snapshotter_remove (fx->snap, "first", NULL, &error));
  g_assert_true (berth_snapshotter_remove (fx->snap, "second", NULL, &error));
  g_assert_true (berth_snapshotter_remove (fx->snap, "after", NULL, &error));
  g_assert_no_error (error);
  assert_checkout_untouched (fx);
}

static void
assert_errno (int result, int expected)
{
  int errsv = errno;
  g_assert_cmpint (result, ==, -1);
  g_assert_cmpstr (g_strerror (errsv), ==, g_strerror (expected));
}

static void
test_view (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *view = NULL;
  g_autofree gchar *again = NULL;
  g_autofree gchar *config = NULL;
  g_autofree gchar *fresh = NULL;
  g_autofree gchar *dir = NULL;
  guint64 bytes = 1;
  const gchar *keys[] = { "ro", NULL };

  if (fx->snap == NULL)
    return;
  view = berth_snapshotter_view (fx->snap, "ro", fx->chain, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (snap_mount_count (view), ==, 1);
  assert_file (view, "etc/config", "original config\n");
  assert_keys (fx->snap, keys);

  config = g_build_filename (view, "etc", "config", NULL);
  fresh = g_build_filename (view, "fresh", NULL);
  dir = g_build_filename (view, "newdir", NULL);
  assert_errno (open (config, O_WRONLY), EROFS);
  assert_errno (open (fresh, O_WRONLY | O_CREAT, 0644), EROFS);
  assert_errno (truncate (config, 0), EROFS);
  assert_errno (chmod (config, 0600), EROFS);
  assert_errno (unlink (config), EROFS);
  assert_errno (mkdir (dir, 0755), EROFS);
  /* and it cannot be made writable */
  assert_errno (mount (NULL, view, NULL, MS_REMOUNT, NULL), EROFS);
  assert_file (view, "etc/config", "original config\n");

  again = berth_snapshotter_view (fx->snap, "ro", fx->chain, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, view);
  g_assert_cmpuint (snap_mount_count (view), ==, 1);
  g_assert_true (berth_snapshotter_usage (fx->snap, "ro", &bytes, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bytes, ==, 0);

  g_assert_true (berth_snapshotter_remove (fx->snap, "ro", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (snap_mount_count (view), ==, 0);
  assert_checkout_untouched (fx);
}

static void
test_remove_busy (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *rootfs = NULL;
  g_autofree gchar *config = NULL;
  g_autofree gchar *cwd = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  GSubprocess *child;
  const gchar *keys[] = { "busy", NULL };
  const gchar *none[] = { NULL };
  int fd;

  if (fx->snap == NULL)
    return;
  rootfs = prepare (fx, fx->snap, "busy");
  config = g_build_filename (rootfs, "etc", "config", NULL);

  /* an open file */
  fd = open (config, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_false (berth_snapshotter_remove (fx->snap, "busy", NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_IN_USE);
  g_assert_nonnull (strstr (error->message, "busy"));
  g_clear_error (&error);
  g_assert_cmpuint (snap_mount_count (rootfs), ==, 1);
  assert_file (rootfs, "etc/config", "original config\n");
  assert_keys (fx->snap, keys);
  close (fd);

  /* a process working in it */
  cwd = g_build_filename (rootfs, "etc", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_cwd (launcher, cwd);
  child = g_subprocess_launcher_spawn (launcher, &error, "sleep", "600", NULL);
  g_assert_no_error (error);
  g_ptr_array_add (fx->children, child);
  g_assert_false (berth_snapshotter_remove (fx->snap, "busy", NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_IN_USE);
  g_clear_error (&error);
  g_assert_cmpuint (snap_mount_count (rootfs), ==, 1);
  assert_keys (fx->snap, keys);
  g_subprocess_force_exit (child);
  g_subprocess_wait (child, NULL, NULL);

  g_assert_true (berth_snapshotter_remove (fx->snap, "busy", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (snap_mount_count (rootfs), ==, 0);
  assert_keys (fx->snap, none);
  assert_checkout_untouched (fx);
}

#define N_MANY    20
#define N_THREADS 8

static void
test_many (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) roots = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  const gchar *none[] = { NULL };

  if (fx->snap == NULL)
    return;
  for (guint i = 0; i < N_MANY; i++)
    {
      g_autofree gchar *key = g_strdup_printf ("many-%02u", i);
      g_autofree gchar *config = NULL;
      g_autofree gchar *text = g_strdup_printf ("config of %u\n", i);
      gchar *rootfs = prepare (fx, fx->snap, key);

      config = g_build_filename (rootfs, "etc", "config", NULL);
      write_file (config, text, 0600);
      g_ptr_array_add (roots, rootfs);
      g_ptr_array_add (keys, g_steal_pointer (&key));
    }
  g_ptr_array_add (keys, NULL);
  assert_keys (fx->snap, (const gchar *const *)keys->pdata);

  for (guint i = 0; i < N_MANY; i++)
    {
      g_autofree gchar *text = g_strdup_printf ("config of %u\n", i);
      guint64 bytes = 0;
      assert_file (roots->pdata[i], "etc/config", text);
      assert_file (roots->pdata[i], "data/a", "shared bytes\n");
      g_assert_true (berth_snapshotter_usage (fx->snap, keys->pdata[i], &bytes, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (bytes, >, 0);
    }
  assert_checkout_untouched (fx);

  for (guint i = 0; i < N_MANY; i++)
    {
      g_assert_true (berth_snapshotter_remove (fx->snap, keys->pdata[i], NULL, &error));
      g_assert_no_error (error);
    }
  assert_keys (fx->snap, none);
  assert_checkout_untouched (fx);
}

typedef struct
{
  Fixture *fx;
  guint index;
} ThreadData;

static gpointer
prepare_and_remove_thread (gpointer user_data)
{
  ThreadData *data = user_data;
  g_autoptr(GError) error = NULL;

  for (guint round = 0; round < 3; round++)
    {
      g_autofree gchar *key = g_strdup_printf ("thread-%u-%u", data->index, round);
      g_autofree gchar *rootfs = NULL;
      g_autofree gchar *note = NULL;

      rootfs = berth_snapshotter_prepare (data->fx->snap, key, data->fx->chain, NULL, &error);
      g_assert_no_error (error);
      note = g_build_filename (rootfs, "note", NULL);
      write_file (note, key, 0644);
      assert_file (rootfs, "note", key);
      if (round < 2)
        {
          g_assert_true (berth_snapshotter_remove (data->fx->snap, key, NULL, &error));
          g_assert_no_error (error);
        }
    }
  return NULL;
}

/* calls from several threads at once (berthd's jobs run in threads) */
static void
test_threads (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  ThreadData td[N_THREADS];
  g_auto(GStrv) keys = NULL;
  g_autoptr(GError) error = NULL;

  if (fx->snap == NULL)
    return;
  for (guint i = 0; i < N_THREADS; i++)
    {
      td[i].fx = fx;
      td[i].index = i;
      g_ptr_array_add (threads, g_thread_new ("snap", prepare_and_remove_thread, &td[i]));
    }
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (threads->pdata[i]);
  keys = berth_snapshotter_list (fx->snap, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (keys), ==, N_THREADS);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_assert_true (g_str_has_suffix (keys[i], "-2"));
      g_assert_true (berth_snapshotter_remove (fx->snap, keys[i], NULL, &error));
      g_assert_no_error (error);
    }
  assert_checkout_untouched (fx);
}

static void
test_usage (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *rootfs = NULL;
  g_autofree gchar *blob = NULL;
  g_autofree gchar *blob_link = NULL;
  g_autofree gchar *big = NULL;
  g_autofree gchar *random = g_malloc (1024 * 1024);
  guint64 bytes = 1, with_blob = 0, with_link = 0, with_big = 0;

  if (fx->snap == NULL)
    return;
  rootfs = prepare (fx, fx->snap, "usage");
  g_assert_true (berth_snapshotter_usage (fx->snap, "usage", &bytes, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bytes, ==, 0);

  for (guint i = 0; i < 1024 * 1024; i++)
    random[i] = (gchar)g_random_int ();
  blob = g_build_filename (rootfs, "blob", NULL);
  g_file_set_contents (blob, random, 1024 * 1024, &error);
  g_assert_no_error (error);
  g_assert_true (berth_snapshotter_usage (fx->snap, "usage", &with_blob, NULL, &error));
  g_assert_cmpuint (with_blob, >=, 1024 * 1024);
  g_assert_cmpuint (with_blob, <, 1024 * 1024 + 64 * 1024);

  /* a second link is not a second copy */
  blob_link = g_build_filename (rootfs, "blob-link", NULL);
  g_assert_cmpint (link (blob, blob_link), ==, 0);
  g_assert_true (berth_snapshotter_usage (fx->snap, "usage", &with_link, NULL, &error));
  g_assert_cmpuint (with_link, ==, with_blob);

  /* a chmod copies the whole file up (metacopy=off): its bytes are the
   * snapshot's now */
  big = g_build_filename (rootfs, "data", "big", NULL);
  g_assert_cmpint (chmod (big, 0600), ==, 0);
  g_assert_true (berth_snapshotter_usage (fx->snap, "usage", &with_big, NULL, &error));
  g_assert_cmpuint (with_big, >=, with_link + 256 * 1024);

  g_assert_cmpint (g_unlink (blob), ==, 0);
  g_assert_cmpint (g_unlink (blob_link), ==, 0);
  g_assert_true (berth_snapshotter_usage (fx->snap, "usage", &bytes, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bytes, <, with_big - 1024 * 1024 + 4096);

  g_assert_false (berth_snapshotter_usage (fx->snap, "no-such", &bytes, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND);
}

/* restore() warns about what it leaves alone (.stray here): not fatal */
static void
restore (BerthSnapshotter *snap, const gchar *const *keep)
{
  g_autoptr(GError) error = NULL;
  GLogLevelFlags fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_assert_true (berth_snapshotter_restore (snap, keep, NULL, &error));
  g_assert_no_error (error);
  g_log_set_always_fatal (fatal);
}

static void
test_restore (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthSnapshotter) second = NULL;
  g_autofree gchar *dir = NULL;
  g_autofree gchar *live = NULL;
  g_autofree gchar *rebooted = NULL;
  g_autofree gchar *view = NULL;
  g_autofree gchar *gone = NULL;
  g_autofree gchar *removed = NULL;
  g_autofree gchar *again = NULL;
  g_autofree gchar *half = NULL;
  g_autofree gchar *stray = NULL;
  const gchar *keep[] = { "live", "rebooted", "view", "removed", "never-made", NULL };
  const gchar *kept[] = { "live", "rebooted", "view", NULL };

  if (fx->snap == NULL)
    return;
  dir = snapshots_dir (fx);
  half = g_build_filename (dir, "half", "upper", "file", NULL);
  stray = g_build_filename (dir, ".stray", NULL);
  live = prepare (fx, fx->snap, "live");
  rebooted = prepare (fx, fx->snap, "rebooted");
  gone = prepare (fx, fx->snap, "gone");
  removed = prepare (fx, fx->snap, "removed");
  view = berth_snapshotter_view (fx->snap, "view", fx->chain, NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree gchar *note = g_build_filename (rebooted, "note", NULL);
    g_autofree gchar *live_note = g_build_filename (live, "note", NULL);
    write_file (note, "survives\n", 0644);
    write_file (live_note, "live\n", 0644);
  }

  /* a reboot unmounted two; a crash came in the middle of removing one,
   * and of preparing another; something not ours lies beside them */
  g_assert_cmpint (umount2 (rebooted, 0), ==, 0);
  g_assert_cmpint (umount2 (view, 0), ==, 0);
  {
    g_autofree gchar *removed_dir = g_path_get_dirname (removed);
    mark_removed (removed_dir);
  }
  write_file (half, "half made\n", 0644);
  write_file (stray, "not a snapshot\n", 0644);
  g_clear_object (&fx->snap);

  second = snap_env_new_snapshotter (&fx->env, &error);
  g_assert_no_error (error);
  restore (second, keep);

  assert_keys (second, kept);
  g_assert_cmpuint (snap_mount_count (live), ==, 1);
  g_assert_cmpuint (snap_mount_count (rebooted), ==, 1);
  g_assert_cmpuint (snap_mount_count (view), ==, 1);
  g_assert_cmpuint (snap_mount_count (gone), ==, 0);
  g_assert_cmpuint (snap_mount_count (removed), ==, 0);
  assert_file (live, "note", "live\n");
  assert_file (rebooted, "note", "survives\n");
  assert_file (view, "etc/config", "original config\n");
  {
    g_autofree gchar *fresh = g_build_filename (view, "fresh", NULL);
    assert_errno (open (fresh, O_WRONLY | O_CREAT, 0644), EROFS);
  }
  {
    g_autofree gchar *gone_dir = g_path_get_dirname (gone);
    g_autofree gchar *removed_dir = g_path_get_dirname (removed);
    g_autofree gchar *half_dir = g_build_filename (dir, "half", NULL);
    g_assert_false (g_file_test (gone_dir, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (removed_dir, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (half_dir, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (stray, G_FILE_TEST_EXISTS));
  }

  /* found again, not mounted twice */
  again = berth_snapshotter_prepare (second, "live", fx->chain, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, live);
  g_assert_cmpuint (snap_mount_count (live), ==, 1);

  /* a second restore changes nothing */
  restore (second, keep);
  assert_keys (second, kept);
  g_assert_cmpuint (snap_mount_count (live), ==, 1);
  g_assert_cmpuint (snap_mount_count (rebooted), ==, 1);
  assert_checkout_untouched (fx);
}

/* prepare over what a crash left: a removal marked but not done, and a
 * prepare that never wrote its record; both start afresh */
static void
test_prepare_after_crash (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = NULL;
  g_autofree gchar *rootfs = NULL;
  g_autofree gchar *again = NULL;
  g_autofree gchar *half = NULL;
  g_autofree gchar *half_root = NULL;
  g_autofree gchar *note = NULL;
  g_autofree gchar *stale = NULL;

  if (fx->snap == NULL)
    return;
  dir = snapshots_dir (fx);
  rootfs = prepare (fx, fx->snap, "crashed");
  note = g_build_filename (rootfs, "note", NULL);
  write_file (note, "before the crash\n", 0644);
  {
    g_autofree gchar *snapshot_dir = g_path_get_dirname (rootfs);
    mark_removed (snapshot_dir);
  }
  again = prepare (fx, fx->snap, "crashed");
  g_assert_cmpstr (again, ==, rootfs);
  g_assert_false (g_file_test (note, G_FILE_TEST_EXISTS));
  assert_file (rootfs, "etc/config", "original config\n");

  half = g_build_filename (dir, "half", "upper", "stale", NULL);
  write_file (half, "stale\n", 0644);
  half_root = prepare (fx, fx->snap, "half");
  stale = g_build_filename (half_root, "stale", NULL);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  assert_file (half_root, "etc/config", "original config\n");

  g_assert_true (berth_snapshotter_remove (fx->snap, "crashed", NULL, &error));
  g_assert_true (berth_snapshotter_remove (fx->snap, "half", NULL, &error));
  g_assert_no_error (error);
}

static void
test_invalid_keys (Fixture *fx, gconstpointer data)
{
  g_autofree gchar *too_long = g_strnfill (129, 'k');
  g_autofree gchar *longest = g_strnfill (128, 'k');
  const gchar *bad[]
    = { "",        ".",          "..",        "a/b",       "../escape", "/abs",   "-dash",
        ".hidden", "with space", "comma,key", "colon:key", "new\nline", too_long, NULL };
  const gchar *none[] = { NULL };
  g_autoptr(GError) error = NULL;

  if (fx->snap == NULL)
    return;
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autofree gchar *path = NULL;
      guint64 bytes;

      path = berth_snapshotter_prepare (fx->snap, bad[i], fx->chain, NULL, &error);
      g_assert_null (path);
      g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
      if (g_ascii_isprint (bad[i][0]) && strchr (bad[i], '\n') == NULL)
        g_assert_nonnull (strstr (error->message, bad[i]));
      g_clear_error (&error);
      path = berth_snapshotter_view (fx->snap, bad[i], fx->chain, NULL, &error);
      g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      g_assert_false (berth_snapshotter_remove (fx->snap, bad[i], NULL, &error));
      g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      g_assert_false (berth_snapshotter_usage (fx->snap, bad[i], &bytes, NULL, &error));
      g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  assert_keys (fx->snap, none);

  {
    g_autofree gchar *a = prepare (fx, fx->snap, longest);
    g_autofree gchar *b = prepare (fx, fx->snap, "plugin-1.2_x");
    g_assert_true (g_str_has_suffix (a, "/rootfs"));
    g_assert_true (g_str_has_suffix (b, "/rootfs"));
    g_assert_true (berth_snapshotter_remove (fx->snap, longest, NULL, &error));
    g_assert_true (berth_snapshotter_remove (fx->snap, "plugin-1.2_x", NULL, &error));
    g_assert_no_error (error);
  }
}

static void
test_empty_tree (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *rootfs = NULL;
  g_autofree gchar *view = NULL;
  g_autofree gchar *file = NULL;
  g_autoptr(GDir) dir = NULL;

  if (fx->snap == NULL)
    return;
  rootfs = berth_snapshotter_prepare (fx->snap, "scratch", NULL, NULL, &error);
  g_assert_no_error (error);
  dir = g_dir_open (rootfs, 0, &error);
  g_assert_no_error (error);
  g_assert_null (g_dir_read_name (dir));
  g_clear_pointer (&dir, g_dir_close); /* an open directory would keep it busy */
  file = g_build_filename (rootfs, "file", NULL);
  write_file (file, "scratch\n", 0644);

  view = berth_snapshotter_view (fx->snap, "scratch-view", NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&file, g_free);
  file = g_build_filename (view, "file", NULL);
  assert_errno (open (file, O_WRONLY | O_CREAT, 0644), EROFS);
  g_assert_true (berth_snapshotter_remove (fx->snap, "scratch", NULL, &error));
  g_assert_true (berth_snapshotter_remove (fx->snap, "scratch-view", NULL, &error));
  g_assert_no_error (error);
}

static void
test_unknown_chain (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *rootfs = NULL;
  g_autofree gchar *dir = NULL;
  g_autofree gchar *key_dir = NULL;
  const gchar *none[] = { NULL };

  if (fx->snap == NULL)
    return;
  rootfs = berth_snapshotter_prepare (
    fx->snap, "orphan", "sha256:0000000000000000000000000000000000000000000000000000000000000000",
    NULL, &error);
  g_assert_null (rootfs);
  g_assert_nonnull (error);
  g_assert_true (error->domain == BERTH_ERROR);
  g_assert_nonnull (strstr (error->message, "orphan"));
  assert_keys (fx->snap, none);
  dir = snapshots_dir (fx);
  key_dir = g_build_filename (dir, "orphan", NULL);
  g_assert_false (g_file_test (key_dir, G_FILE_TEST_EXISTS));
}

static void
test_commit (Fixture *fx, gconstpointer data)
{
  if (fx->snap == NULL)
    return;
  g_test_skip ("BerthSnapshotterInterface offers no commit");
}

int
main (int argc, char **argv)
{
  const gchar *backends[] = { "fake", "ostree" };
  const struct
  {
    const gchar *name;
    void (*func) (Fixture *, gconstpointer);
  } tests[] = {
    { "prepare", test_prepare },
    { "never-writes-repository", test_never_writes_repository },
    { "view", test_view },
    { "remove-busy", test_remove_busy },
    { "many", test_many },
    { "threads", test_threads },
    { "usage", test_usage },
    { "restore", test_restore },
    { "prepare-after-crash", test_prepare_after_crash },
    { "invalid-keys", test_invalid_keys },
    { "empty-tree", test_empty_tree },
    { "unknown-chain", test_unknown_chain },
    { "commit", test_commit },
  };
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  have_private_mount_namespace = snap_enter_private_mount_namespace (&error);
  if (!have_private_mount_namespace)
    g_test_message ("%s", error->message);

  for (guint b = 0; b < G_N_ELEMENTS (backends); b++)
    for (guint t = 0; t < G_N_ELEMENTS (tests); t++)
      {
        g_autofree gchar *path
          = g_strdup_printf ("/snapshotter/overlay/%s/%s", backends[b], tests[t].name);
        g_test_add (path, Fixture, backends[b], fixture_setup, tests[t].func, fixture_teardown);
      }
  return g_test_run ();
}
