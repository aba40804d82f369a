/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshotter-env.h"

#ifdef BERTH_TEST_OVERLAY_BUILTIN
gboolean
berth_module_overlay_load (GTypeModule *module, GError **error);
#endif
#ifdef BERTH_TEST_OSTREE_BUILTIN
gboolean
berth_module_ostree_load (GTypeModule *module, GError **error);
#endif

/* the fake content store: checkout_chain only. Each tree's regular files
 * are copied once into <root>/fake-repo, one object per content and mode
 * (identical files share an inode, as in OSTree), and the first checkout of
 * a chain hardlinks them into <root>/fake-checkouts/<n>, as OSTree's
 * checkout does */

typedef struct
{
  gchar *path; /* relative */
  mode_t mode;
  gchar *object; /* regular files: the object to link */
  gchar *target; /* symlinks */
} FakeEntry;

static void
fake_entry_free (FakeEntry *entry)
{
  g_free (entry->path);
  g_free (entry->object);
  g_free (entry->target);
  g_free (entry);
}

#define TEST_TYPE_FAKE_STORE (test_fake_store_get_type ())
G_DECLARE_FINAL_TYPE (TestFakeStore, test_fake_store, TEST, FAKE_STORE, GObject)

struct _TestFakeStore
{
  GObject parent_instance;
  gchar *root;
  GHashTable *chains;    /* chain ID → GPtrArray of FakeEntry */
  GHashTable *checkouts; /* chain ID → directory */
};

static gboolean
fake_checkout_entries (const gchar *dir, GPtrArray *entries, GError **error)
{
  for (guint i = 0; i < entries->len; i++)
    {
      FakeEntry *entry = entries->pdata[i];
      g_autofree gchar *path = g_build_filename (dir, entry->path, NULL);
      int r;

      if (S_ISDIR (entry->mode))
        r = g_mkdir (path, 0755);
      else if (S_ISLNK (entry->mode))
        r = symlink (entry->target, path);
      else
        r = link (entry->object, path);
      if (r != 0)
        {
          int errsv = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "checking out %s: %s",
                       path, g_strerror (errsv));
          return FALSE;
        }
    }
  /* directories were made writable to fill them; now as the tree says,
   * deepest first */
  for (guint i = entries->len; i > 0; i--)
    {
      FakeEntry *entry = entries->pdata[i - 1];
      g_autofree gchar *path = g_build_filename (dir, entry->path, NULL);
      if (S_ISDIR (entry->mode) && g_chmod (path, entry->mode & 07777) != 0)
        return FALSE;
    }
  return TRUE;
}

static gchar *
test_fake_store_checkout_chain (BerthContentStore *store,
                                const gchar *chain_id,
                                GCancellable *cancellable,
                                GError **error)
{
  TestFakeStore *self = TEST_FAKE_STORE (store);
  GPtrArray *entries = g_hash_table_lookup (self->chains, chain_id);
  const gchar *done = g_hash_table_lookup (self->checkouts, chain_id);
  g_autofree gchar *dir = NULL;
  g_autofree gchar *tmp = NULL;
  g_autofree gchar *n = NULL;

  if (done != NULL)
    return g_strdup (done);
  if (entries == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "no chain %s", chain_id);
      return NULL;
    }
  n = g_strdup_printf ("%u", g_hash_table_size (self->checkouts));
  dir = g_build_filename (self->root, "fake-checkouts", n, NULL);
  tmp = g_strconcat (dir, ".tmp", NULL);
  if (g_mkdir_with_parents (tmp, 0755) != 0 || !fake_checkout_entries (tmp, entries, error)
      || g_rename (tmp, dir) != 0)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "checking out %s", chain_id);
      return NULL;
    }
  g_hash_table_insert (self->checkouts, g_strdup (chain_id), g_strdup (dir));
  return g_steal_pointer (&dir);
}

static void
test_fake_store_iface_init (BerthContentStoreInterface *iface)
{
  iface->checkout_chain = test_fake_store_checkout_chain;
}

G_DEFINE_TYPE_WITH_CODE (TestFakeStore,
                         test_fake_store,
                         G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (BERTH_TYPE_CONTENT_STORE,
                                                test_fake_store_iface_init))

static void
test_fake_store_finalize (GObject *object)
{
  TestFakeStore *self = TEST_FAKE_STORE (object);
  g_free (self->root);
  g_hash_table_unref (self->chains);
  g_hash_table_unref (self->checkouts);
  G_OBJECT_CLASS (test_fake_store_parent_class)->finalize (object);
}

static void
test_fake_store_class_init (TestFakeStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_fake_store_finalize;
}

static void
test_fake_store_init (TestFakeStore *self)
{
  self->chains
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  self->checkouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static gboolean
fake_collect (
  const gchar *repo, const gchar *tree, const gchar *rel, GPtrArray *entries, GError **error)
{
  g_autofree gchar *dir_path = g_build_filename (tree, rel, NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree gchar *child_rel = g_build_filename (rel, names->pdata[i], NULL);
      g_autofree gchar *path = g_build_filename (tree, child_rel, NULL);
      FakeEntry *entry;
      struct stat st;

      if (lstat (path, &st) != 0)
        return FALSE;
      entry = g_new0 (FakeEntry, 1);
      entry->path = g_strdup (child_rel);
      entry->mode = st.st_mode;
      g_ptr_array_add (entries, entry);
      if (S_ISDIR (st.st_mode))
        {
          if (!fake_collect (repo, tree, child_rel, entries, error))
            return FALSE;
        }
      else if (S_ISLNK (st.st_mode))
        entry->target = g_file_read_link (path, NULL);
      else if (S_ISREG (st.st_mode))
        {
          g_autofree gchar *contents = NULL;
          g_autofree gchar *sum = NULL;
          g_autofree gchar *object_name = NULL;
          gsize len;

          if (!g_file_get_contents (path, &contents, &len, error))
            return FALSE;
          sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, len);
          object_name = g_strdup_printf ("%s.%o", sum, (guint)(st.st_mode & 07777));
          entry->object = g_build_filename (repo, object_name, NULL);
          if (!g_file_test (entry->object, G_FILE_TEST_EXISTS))
            {
              if (!g_file_set_contents (entry->object, contents, len, error))
                return FALSE;
              /* objects are read-only, as a bare OSTree repository's are */
              g_chmod (entry->object, st.st_mode & 07555);
            }
        }
    }
  return TRUE;
}

/* module loading, as berthd does it; modules stay loaded */

static GType
load_extension (const gchar *extension_point, const gchar *path, const gchar *name, GError **error)
{
  static GHashTable *loaded = NULL;
  GIOExtensionPoint *point;
  GIOExtension *extension;

  berth_extension_points_register ();
  if (loaded == NULL)
    loaded = g_hash_table_new (g_str_hash, g_str_equal);
  if (!g_hash_table_contains (loaded, path))
    {
      g_autoptr(BerthModule) module = NULL;
      /* a build with built-in modules links them into the test */
#ifdef BERTH_TEST_OVERLAY_BUILTIN
      if (g_str_equal (path, "builtin:overlay"))
        module = berth_module_new_builtin ("overlay", berth_module_overlay_load);
#endif
#ifdef BERTH_TEST_OSTREE_BUILTIN
      if (g_str_equal (path, "builtin:ostree"))
        module = berth_module_new_builtin ("ostree", berth_module_ostree_load);
#endif
      if (module == NULL)
        module = berth_module_new_for_path (path);
      if (!berth_module_load_checked (module, error))
        {
          g_prefix_error (error, "loading %s: ", path);
          return G_TYPE_INVALID;
        }
      /* a loaded module is never unloaded: keep it */
      g_hash_table_insert (loaded, g_strdup (path), g_steal_pointer (&module));
    }
  point = g_io_extension_point_lookup (extension_point);
  extension = name != NULL ? g_io_extension_point_get_extension_by_name (point, name) : NULL;
  if (extension == NULL && name == NULL && g_io_extension_point_get_extensions (point) != NULL)
    extension = g_io_extension_point_get_extensions (point)->data;
  if (extension == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "%s implements no %s", path,
                   extension_point);
      return G_TYPE_INVALID;
    }
  return g_io_extension_get_type (extension);
}

static GObject *
construct (GType type, SnapEnv *env, GError **error)
{
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autoptr(GObject) object = NULL;

  if (g_type_is_a (type, BERTH_TYPE_SNAPSHOTTER))
    object = g_object_new (type, "paths", env->paths, "config", config, "content-store", env->store,
                           NULL);
  else
    object = g_object_new (type, "paths", env->paths, "config", config, NULL);
  if (G_IS_INITABLE (object) && !g_initable_init (G_INITABLE (object), NULL, error))
    return NULL;
  return g_steal_pointer (&object);
}

/**
 * snap_enter_private_mount_namespace:
 * @error: return location for a #GError
 *
 * Moves this process into a mount namespace of its own where nothing
 * propagates out: every mount a test makes disappears with the process,
 * even when an assertion aborts it before its teardown.
 *
 * Returns: %TRUE on success
 */
gboolean
snap_enter_private_mount_namespace (GError **error)
{
  if (unshare (CLONE_NEWNS) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "no mount namespace of our own: %s", g_strerror (errsv));
      return FALSE;
    }
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "making / private: %s",
                   g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/**
 * snap_env_init:
 * @env: an empty #SnapEnv
 * @backend: "fake" or "ostree"
 * @error: return location for a #GError; %BERTH_ERROR_NOT_SUPPORTED when
 *   the backend is not built here
 *
 * Returns: %TRUE on success
 */
gboolean
snap_env_init (SnapEnv *env, const gchar *backend, GError **error)
{
  g_autofree gchar *template = g_build_filename (g_get_tmp_dir (), "berth-snap-XXXXXX", NULL);
  gchar *root;

  memset (env, 0, sizeof (*env));
  env->backend = g_strdup (backend);

  if (g_str_equal (backend, "ostree"))
    {
      const gchar *module = g_getenv ("BERTH_TEST_CONTENT_STORE");
      if (module == NULL
          || (!g_str_has_prefix (module, "builtin:") && !g_file_test (module, G_FILE_TEST_EXISTS)))
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                       "the OSTree content store module %s is not built",
                       module != NULL ? module : "(none in this build)");
          return FALSE;
        }
    }

  root = g_mkdtemp (template);
  if (root == NULL)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "mkdtemp: %s",
                   g_strerror (errno));
      return FALSE;
    }
  env->root = g_strdup (root);
  env->paths = berth_paths_new ();
  berth_paths_set (env->paths, BERTH_PATH_ROOT, env->root);
  {
    g_autofree gchar *run = g_build_filename (env->root, "run", NULL);
    berth_paths_set (env->paths, BERTH_PATH_RUN_DIR, run);
  }

  if (g_str_equal (backend, "ostree"))
    {
      GType type = load_extension (BERTH_EXTENSION_POINT_CONTENT_STORE,
                                   g_getenv ("BERTH_TEST_CONTENT_STORE"), NULL, error);
      if (type == G_TYPE_INVALID)
        return FALSE;
      env->store = BERTH_CONTENT_STORE (construct (type, env, error));
      return env->store != NULL;
    }
  else
    {
      TestFakeStore *fake = g_object_new (TEST_TYPE_FAKE_STORE, NULL);
      g_autofree gchar *repo = g_build_filename (env->root, "fake-repo", NULL);
      fake->root = g_strdup (env->root);
      g_mkdir_with_parents (repo, 0755);
      env->store = BERTH_CONTENT_STORE (fake);
      return TRUE;
    }
}

/**
 * snap_env_clear:
 * @env: a #SnapEnv
 *
 * Unmounts everything below the state root and deletes it.
 */
void
snap_env_clear (SnapEnv *env)
{
  if (env->root != NULL)
    {
      g_autoptr(GError) error = NULL;
      /* --one-file-system: never into a mount that survived the unmounting */
      const gchar *argv[] = { "rm", "-rf", "--one-file-system", env->root, NULL };

      snap_unmount_below (env->root);
      if (!g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                         NULL, &error))
        g_printerr ("# cannot remove %s: %s\n", env->root, error->message);
    }
  g_clear_object (&env->store);
  g_clear_object (&env->paths);
  g_clear_pointer (&env->root, g_free);
  g_clear_pointer (&env->backend, g_free);
}

static gchar *
sha256_file (const gchar *path, GError **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, error);
  if (file == NULL)
    return NULL;
  g_checksum_update (sum, (const guchar *)g_mapped_file_get_contents (file),
                     g_mapped_file_get_length (file));
  return g_strdup (g_checksum_get_string (sum));
}

/**
 * snap_env_add_tree:
 * @env: a #SnapEnv
 * @tree: a directory
 * @error: return location for a #GError
 *
 * Stores @tree as a one-layer chain in the content store.
 *
 * Returns: (transfer full): the chain ID
 */
gchar *
snap_env_add_tree (SnapEnv *env, const gchar *tree, GError **error)
{
  if (TEST_IS_FAKE_STORE (env->store))
    {
      TestFakeStore *fake = TEST_FAKE_STORE (env->store);
      g_autofree gchar *repo = g_build_filename (env->root, "fake-repo", NULL);
      g_autoptr(GPtrArray) entries
                 = g_ptr_array_new_with_free_func ((GDestroyNotify)fake_entry_free);
      g_autofree gchar *seed = g_strdup_printf ("%s#%u", tree, env->n_trees++);
      g_autofree gchar *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);
      gchar *chain = g_strconcat ("sha256:", sum, NULL);

      if (!fake_collect (repo, tree, "", entries, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "reading %s", tree);
          g_free (chain);
          return NULL;
        }
      g_hash_table_insert (fake->chains, g_strdup (chain), g_steal_pointer (&entries));
      return chain;
    }
  else
    {
      g_autofree gchar *tar = g_strdup_printf ("%s/layer-%u.tar", env->root, env->n_trees++);
      const gchar *argv[]
        = { "tar", "--numeric-owner", "--xattrs", "-C", tree, "-cf", tar, ".", NULL };
      g_autofree gchar *sum = NULL;
      g_autofree gchar *digest = NULL;
      g_autofree gchar *diff_id = NULL;
      g_autoptr(GFile) file = g_file_new_for_path (tar);
      g_autoptr(GFileInputStream) stream = NULL;
      gint status = 0;
      struct stat st;
      BerthLayerImport layer = { 0 };

      if (!g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                         &status, error)
          || !g_spawn_check_wait_status (status, error))
        return NULL;
      sum = sha256_file (tar, error);
      if (sum == NULL || stat (tar, &st) != 0)
        return NULL;
      digest = g_strconcat ("sha256:", sum, NULL);
      stream = g_file_read (file, NULL, error);
      if (stream == NULL)
        return NULL;
      layer.media_type = "application/vnd.oci.image.layer.v1.tar";
      layer.digest = digest;
      layer.diff_id = digest;
      layer.size = st.st_size;
      diff_id = berth_content_store_import_layer (env->store, G_INPUT_STREAM (stream), &layer, NULL,
                                                  error);
      if (diff_id == NULL)
        return NULL;
      {
        const gchar *diff_ids[] = { diff_id, NULL };
        return berth_content_store_build_chain (env->store, diff_ids, NULL, error);
      }
    }
}

/**
 * snap_env_check_repo:
 * @env: a #SnapEnv
 * @error: return location for a #GError
 *
 * Runs `ostree fsck` on the OSTree backend's repository; nothing for the
 * fake, whose objects the tests compare themselves.
 *
 * Returns: %TRUE if the repository is sound
 */
gboolean
snap_env_check_repo (SnapEnv *env, GError **error)
{
  g_autofree gchar *repo_arg = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  gint status = 0;

  if (TEST_IS_FAKE_STORE (env->store))
    return TRUE;
  repo_arg = g_strconcat ("--repo=", berth_paths_get (env->paths, BERTH_PATH_REPO), NULL);
  {
    const gchar *argv[] = { "ostree", "fsck", repo_arg, NULL };
    if (!g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                       &status, error))
      return FALSE;
  }
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "ostree fsck: %s%s: ", out, err);
      return FALSE;
    }
  return TRUE;
}

/**
 * snap_env_new_snapshotter:
 * @env: a #SnapEnv
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a new overlay snapshotter on @env's state, as
 *   berthd makes one; each call is like a berthd start
 */
BerthSnapshotter *
snap_env_new_snapshotter (SnapEnv *env, GError **error)
{
  const gchar *path = g_getenv ("BERTH_TEST_OVERLAY_MODULE");
  GType type;

  if (path == NULL)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND,
                           "BERTH_TEST_OVERLAY_MODULE is not set");
      return NULL;
    }
  type = load_extension (BERTH_EXTENSION_POINT_SNAPSHOTTER, path, "overlay", error);
  if (type == G_TYPE_INVALID)
    return NULL;
  return BERTH_SNAPSHOTTER (construct (type, env, error));
}

static GHashTable *
mount_points (void)
{
  g_autofree gchar *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *points = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!g_file_get_contents ("/proc/self/mountinfo", &text, NULL, NULL))
    return points;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 6);
      gchar *point;
      if (g_strv_length (fields) < 5)
        continue;
      point = g_strcompress (fields[4]);
      g_hash_table_insert (
        points, point,
        GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (points, point)) + 1));
    }
  return points;
}

/**
 * snap_mount_count:
 * @path: a resolved path
 *
 * Returns: how many mounts are stacked on @path
 */
guint
snap_mount_count (const gchar *path)
{
  g_autoptr(GHashTable) points = mount_points ();
  return GPOINTER_TO_UINT (g_hash_table_lookup (points, path));
}

static gint
longest_first (gconstpointer a, gconstpointer b)
{
  return (gint)strlen (*(const gchar *const *)b) - (gint)strlen (*(const gchar *const *)a);
}

/**
 * snap_unmount_below:
 * @dir: a resolved directory
 *
 * Detaches every mount below @dir, deepest first: the teardown of a test
 * that may have failed half way.
 */
void
snap_unmount_below (const gchar *dir)
{
  g_autofree gchar *prefix = g_strconcat (dir, "/", NULL);

  for (guint round = 0; round < 16; round++)
    {
      g_autoptr(GHashTable) points = mount_points ();
      g_autoptr(GPtrArray) below = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, points);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (g_str_has_prefix (key, prefix))
          g_ptr_array_add (below, key);
      if (below->len == 0)
        return;
      g_ptr_array_sort (below, longest_first);
      for (guint i = 0; i < below->len; i++)
        umount2 (below->pdata[i], MNT_DETACH);
    }
}

static gboolean
tree_state_collect (const gchar *top, const gchar *rel, GHashTable *state, GError **error)
{
  g_autofree gchar *dir_path = g_build_filename (top, rel, NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, error);
  const gchar *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child_rel = g_build_filename (rel, name, NULL);
      g_autofree gchar *path = g_build_filename (top, child_rel, NULL);
      g_autofree gchar *sum = NULL;
      struct stat st;

      if (lstat (path, &st) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "lstat %s", path);
          return FALSE;
        }
      if (S_ISDIR (st.st_mode))
        {
          if (!tree_state_collect (top, child_rel, state, error))
            return FALSE;
          continue;
        }
      if (S_ISREG (st.st_mode))
        {
          sum = sha256_file (path, error);
          if (sum == NULL)
            return FALSE;
        }
      g_hash_table_insert (state, g_steal_pointer (&child_rel),
                           g_strdup_printf ("ino=%lu mode=%o uid=%u gid=%u links=%lu size=%ld "
                                            "mtime=%ld.%09ld ctime=%ld.%09ld sha256=%s",
                                            (gulong)st.st_ino, (guint)st.st_mode, (guint)st.st_uid,
                                            (guint)st.st_gid, (gulong)st.st_nlink,
                                            (glong)st.st_size, (glong)st.st_mtim.tv_sec,
                                            st.st_mtim.tv_nsec, (glong)st.st_ctim.tv_sec,
                                            st.st_ctim.tv_nsec, sum != NULL ? sum : "-"));
    }
  return TRUE;
}

/**
 * snap_tree_state:
 * @dir: a directory
 * @error: return location for a #GError
 *
 * Returns: (transfer full): every file below @dir → its inode, mode,
 *   owner, link count, size, times and content digest
 */
GHashTable *
snap_tree_state (const gchar *dir, GError **error)
{
  g_autoptr(GHashTable) state = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!tree_state_collect (dir, "", state, error))
    return NULL;
  return g_steal_pointer (&state);
}

/**
 * snap_tree_state_diff:
 * @before: a tree state
 * @after: another
 *
 * Returns: (transfer full) (nullable): what differs, or %NULL if nothing
 */
gchar *
snap_tree_state_diff (GHashTable *before, GHashTable *after)
{
  g_autoptr(GString) diff = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const gchar *now = g_hash_table_lookup (after, key);
      if (g_strcmp0 (now, value) != 0)
        g_string_append_printf (diff, "%s: %s → %s\n", (const gchar *)key, (const gchar *)value,
                                now != NULL ? now : "(gone)");
    }
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (before, key))
      g_string_append_printf (diff, "%s: new\n", (const gchar *)key);
  return diff->len > 0 ? g_string_free (g_steal_pointer (&diff), FALSE) : NULL;
}
