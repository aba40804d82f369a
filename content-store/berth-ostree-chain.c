/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* chains: the layers of an image applied in order into one tree, committed
 * once under chain/sha256/<chain ID>, and checked out once, as hardlinks,
 * into <root>/trees/<hex>.
 *
 * Layers are merged as trees, never by extracting: a directory of a layer
 * that has no counterpart below is attached lazily, by checksum, so a chain
 * costs the directories it changes. Whiteouts of a layer apply to the layers
 * below it only (the OCI rule), before its own entries. A directory a layer
 * only implies (as the parent of an entry) keeps the metadata it has below;
 * if below it is a symlink or a file, the layer would write through it and
 * is refused: this is the "symlink planted by an earlier layer" case. */
#define G_LOG_DOMAIN "BerthContentStore"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "berth-ostree-store-private.h"

typedef struct
{
  const gchar *diff_id;
  OstreeRepo *repo;
  GHashTable *implicit_dirs;
  GHashTable *whiteout_dirs;
  GCancellable *cancellable;
} MergeLayer;

typedef struct
{
  gchar *name;
  gchar *diff_id;
  gchar *commit;
  GVariant *metadata;
} ChainLayer;

static void
chain_layer_free (ChainLayer *l)
{
  g_free (l->name);
  g_free (l->diff_id);
  g_free (l->commit);
  g_clear_pointer (&l->metadata, g_variant_unref);
  g_free (l);
}

static GHashTable *
set_from_metadata (GVariant *metadata, const gchar *key)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree const gchar **strv = NULL;

  if (g_variant_lookup (metadata, key, "^a&s", &strv))
    for (guint i = 0; strv[i] != NULL; i++)
      g_hash_table_add (set, g_strdup (strv[i]));
  return set;
}

static gboolean
has_whiteouts_below (MergeLayer *m, const gchar *path)
{
  GHashTableIter iter;
  gpointer key;
  gsize len = strlen (path);

  g_hash_table_iter_init (&iter, m->whiteout_dirs);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const gchar *dir = key;
      if (g_str_equal (dir, path) || (strncmp (dir, path, len) == 0 && dir[len] == '/'))
        return TRUE;
    }
  return FALSE;
}

static gboolean
clear_tree (OstreeMutableTree *tree, GError **error)
{
  g_autofree gpointer *files
    = g_hash_table_get_keys_as_array (ostree_mutable_tree_get_files (tree), NULL);
  g_autofree gpointer *dirs
    = g_hash_table_get_keys_as_array (ostree_mutable_tree_get_subdirs (tree), NULL);
  g_auto(GStrv) names = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  /* copy the names first: removing frees the table's keys */
  for (guint i = 0; files[i] != NULL; i++)
    g_strv_builder_add (builder, files[i]);
  for (guint i = 0; dirs[i] != NULL; i++)
    g_strv_builder_add (builder, dirs[i]);
  names = g_strv_builder_end (builder);
  for (guint i = 0; names[i] != NULL; i++)
    if (!ostree_mutable_tree_remove (tree, names[i], TRUE, error))
      return FALSE;
  return TRUE;
}

static gchar *
child_path (const gchar *path, const gchar *name)
{
  return *path == '\0' ? g_strdup (name) : g_strconcat (path, "/", name, NULL);
}

/* applies the layer directory (@contents, @meta) onto @dir */
static gboolean
merge_dir (MergeLayer *m,
           OstreeMutableTree *dir,
           const gchar *contents,
           const gchar *meta,
           const gchar *path,
           gboolean implicit,
           gboolean lower_existed,
           GError **error)
{
  g_autoptr(GVariant) dirtree = NULL;
  g_autoptr(GVariant) files = NULL;
  g_autoptr(GVariant) dirs = NULL;
  GVariantIter iter;
  const gchar *name;
  GVariant *csum_v, *meta_v;

  if (!ostree_repo_load_variant (m->repo, OSTREE_OBJECT_TYPE_DIR_TREE, contents, &dirtree, error))
    return FALSE;
  files = g_variant_get_child_value (dirtree, 0);
  dirs = g_variant_get_child_value (dirtree, 1);

  if (g_hash_table_contains (m->whiteout_dirs, path))
    {
      g_variant_iter_init (&iter, files);
      while (g_variant_iter_next (&iter, "(&s@ay)", &name, &csum_v))
        {
          g_variant_unref (csum_v);
          if (g_str_equal (name, ".wh..wh..opq"))
            {
              if (!clear_tree (dir, error))
                return FALSE;
            }
        }
      g_variant_iter_init (&iter, files);
      while (g_variant_iter_next (&iter, "(&s@ay)", &name, &csum_v))
        {
          g_variant_unref (csum_v);
          if (g_str_has_prefix (name, ".wh.") && !g_str_has_prefix (name, ".wh..wh."))
            if (!ostree_mutable_tree_remove (dir, name + strlen (".wh."), TRUE, error))
              return FALSE;
        }
    }
  if (!(implicit && lower_existed))
    ostree_mutable_tree_set_metadata_checksum (dir, meta);

  g_variant_iter_init (&iter, files);
  while (g_variant_iter_next (&iter, "(&s@ay)", &name, &csum_v))
    {
      g_autofree gchar *checksum = ostree_checksum_from_bytes_v (csum_v);
      g_variant_unref (csum_v);
      if (g_str_has_prefix (name, ".wh."))
        continue;
      if (g_hash_table_contains (ostree_mutable_tree_get_subdirs (dir), name)
          && !ostree_mutable_tree_remove (dir, name, FALSE, error))
        return FALSE;
      if (!ostree_mutable_tree_replace_file (dir, name, checksum, error))
        return FALSE;
    }

  g_variant_iter_init (&iter, dirs);
  while (g_variant_iter_next (&iter, "(&s@ay@ay)", &name, &csum_v, &meta_v))
    {
      g_autofree gchar *sub_contents = ostree_checksum_from_bytes_v (csum_v);
      g_autofree gchar *sub_meta = ostree_checksum_from_bytes_v (meta_v);
      g_autofree gchar *sub_path = child_path (path, name);
      g_autoptr(OstreeMutableTree) sub = NULL;
      gboolean sub_implicit = g_hash_table_contains (m->implicit_dirs, sub_path);
      gboolean sub_lower;

      g_variant_unref (csum_v);
      g_variant_unref (meta_v);
      if (g_hash_table_contains (ostree_mutable_tree_get_files (dir), name))
        {
          if (sub_implicit)
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "layer %s writes into \"%s\", which a lower layer made a symlink or "
                           "a file",
                           m->diff_id, sub_path);
              return FALSE;
            }
          if (!ostree_mutable_tree_remove (dir, name, FALSE, error))
            return FALSE;
        }
      sub_lower = g_hash_table_contains (ostree_mutable_tree_get_subdirs (dir), name);
      if (!ostree_mutable_tree_ensure_dir (dir, name, &sub, error))
        return FALSE;
      if (!sub_lower && !has_whiteouts_below (m, sub_path)
          && ostree_mutable_tree_fill_empty_from_dirtree (sub, m->repo, sub_contents, sub_meta))
        continue;
      if (!merge_dir (m, sub, sub_contents, sub_meta, sub_path, sub_implicit, sub_lower, error))
        return FALSE;
    }
  return ostree_mutable_tree_check_error (dir, error);
}

static ChainLayer *
resolve_layer (OstreeRepo *repo, const gchar *name, GError **error)
{
  const gchar *hex = berth_digest_hex (name, "diff ID", error);
  g_autofree gchar *ref = NULL;
  g_autoptr(GError) local_error = NULL;
  ChainLayer *l;
  const gchar *diff_id = NULL;

  if (hex == NULL)
    return NULL;
  ref = g_strconcat (BERTH_REF_LAYER, hex, NULL);
  l = g_new0 (ChainLayer, 1);
  l->name = g_strdup (name);
  l->commit = berth_ostree_resolve_ref (repo, ref, &local_error);
  if (l->commit == NULL)
    {
      chain_layer_free (l);
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "layer %s is not stored", name);
      return NULL;
    }
  l->metadata = berth_ostree_load_commit_metadata (repo, l->commit, error);
  if (l->metadata == NULL)
    {
      chain_layer_free (l);
      return NULL;
    }
  g_variant_lookup (l->metadata, "berth.diff-id", "&s", &diff_id);
  l->diff_id = g_strdup (diff_id != NULL ? diff_id : name);
  return l;
}

static gboolean
commit_root (
  OstreeRepo *repo, const gchar *commit, gchar **out_contents, gchar **out_meta, GError **error)
{
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GVariant) contents = NULL;
  g_autoptr(GVariant) meta = NULL;

  if (!ostree_repo_load_commit (repo, commit, &variant, NULL, error))
    return FALSE;
  contents = g_variant_get_child_value (variant, 6);
  meta = g_variant_get_child_value (variant, 7);
  *out_contents = ostree_checksum_from_bytes_v (contents);
  *out_meta = ostree_checksum_from_bytes_v (meta);
  return TRUE;
}

/* the file checksum at @path in @root, through directories only */
static const gchar *
mtree_lookup_file (OstreeMutableTree *root, const gchar *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  OstreeMutableTree *dir = root;
  guint n = g_strv_length (parts);

  for (guint i = 0; i + 1 < n; i++)
    {
      dir = g_hash_table_lookup (ostree_mutable_tree_get_subdirs (dir), parts[i]);
      if (dir == NULL)
        return NULL;
    }
  return g_hash_table_lookup (ostree_mutable_tree_get_files (dir), parts[n - 1]);
}

/* device placeholders of all layers that the chain's tree still holds */
static GVariant *
chain_devices (OstreeMutableTree *root, GPtrArray *layers)
{
  g_autoptr(GHashTable) devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify)g_variant_unref);
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(sss)"));
  GHashTableIter hiter;
  gpointer k, v;

  for (guint i = 0; i < layers->len; i++)
    {
      ChainLayer *l = layers->pdata[i];
      g_autoptr(GVariant) list
                 = g_variant_lookup_value (l->metadata, "berth.devices", G_VARIANT_TYPE ("a(sss)"));
      GVariantIter iter;
      GVariant *child;

      if (list == NULL)
        continue;
      g_variant_iter_init (&iter, list);
      while ((child = g_variant_iter_next_value (&iter)) != NULL)
        {
          const gchar *path;
          g_variant_get_child (child, 0, "&s", &path);
          g_hash_table_insert (devices, g_strdup (path), child);
        }
    }
  g_hash_table_iter_init (&hiter, devices);
  while (g_hash_table_iter_next (&hiter, &k, &v))
    {
      const gchar *checksum = NULL;
      const gchar *found = mtree_lookup_file (root, k);
      g_variant_get_child (v, 1, "&s", &checksum);
      if (found != NULL && g_str_equal (found, checksum))
        g_variant_builder_add_value (&builder, v);
    }
  return g_variant_builder_end (&builder);
}

gchar *
berth_ostree_build_chain (BerthContentStore *store,
                          const gchar *const *diff_ids,
                          GCancellable *cancellable,
                          GError **error)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (store);
  g_autoptr(GPtrArray) layers = g_ptr_array_new_with_free_func ((GDestroyNotify)chain_layer_free);
  g_autoptr(GStrvBuilder) canonical_builder = g_strv_builder_new ();
  g_auto(GStrv) canonical = NULL;
  g_autofree gchar *chain_id = NULL;
  g_autofree gchar *given_chain_id = NULL;
  g_autofree gchar *ref = NULL;
  g_autofree gchar *alias = NULL;
  g_autofree gchar *commit = NULL;
  g_autoptr(BerthOstreeTxn) txn = NULL;
  g_autoptr(OstreeMutableTree) root = ostree_mutable_tree_new ();
  g_auto(GVariantBuilder) mb = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autoptr(GVariant) metadata = NULL;
  g_autoptr(GError) local_error = NULL;

  for (guint i = 0; diff_ids[i] != NULL; i++)
    {
      ChainLayer *l = resolve_layer (self->repo, diff_ids[i], error);
      if (l == NULL)
        return NULL;
      g_ptr_array_add (layers, l);
      g_strv_builder_add (canonical_builder, l->diff_id);
    }
  canonical = g_strv_builder_end (canonical_builder);
  chain_id = berth_chain_id ((const gchar *const *)canonical);
  given_chain_id = berth_chain_id (diff_ids);
  ref = g_strconcat (BERTH_REF_CHAIN, chain_id + 7, NULL);
  if (!g_str_equal (chain_id, given_chain_id))
    alias = g_strconcat (BERTH_REF_CHAIN, given_chain_id + 7, NULL);

  txn = berth_ostree_txn_begin (self, ref, cancellable, error);
  if (txn == NULL)
    return NULL;
  commit = berth_ostree_resolve_ref (txn->repo, ref, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (commit == NULL)
    {
      for (guint i = 0; i < layers->len; i++)
        {
          ChainLayer *l = layers->pdata[i];
          g_autofree gchar *contents = NULL;
          g_autofree gchar *meta = NULL;
          g_autoptr(GHashTable) implicit = set_from_metadata (l->metadata, "berth.implicit-dirs");
          g_autoptr(GHashTable) whiteouts = set_from_metadata (l->metadata, "berth.whiteout-dirs");
          MergeLayer m = { l->diff_id, txn->repo, implicit, whiteouts, cancellable };

          if (!commit_root (txn->repo, l->commit, &contents, &meta, error)
              || !merge_dir (&m, root, contents, meta, "", g_hash_table_contains (implicit, ""),
                             i > 0, error))
            {
              berth_ostree_convert_error (error, "building a chain");
              return NULL;
            }
        }
      g_variant_builder_add (&mb, "{sv}", "berth.chain-id", g_variant_new_string (chain_id));
      g_variant_builder_add (&mb, "{sv}", "berth.layers",
                             g_variant_new_strv ((const gchar *const *)canonical, -1));
      g_variant_builder_add (&mb, "{sv}", "berth.devices", chain_devices (root, layers));
      metadata = g_variant_ref_sink (g_variant_builder_end (&mb));
      commit = berth_ostree_commit_tree (txn->repo, root, chain_id, metadata, cancellable, error);
      if (commit == NULL)
        {
          berth_ostree_convert_error (error, "building a chain");
          return NULL;
        }
      berth_ostree_txn_set_ref (txn, ref, commit);
    }
  if (alias != NULL)
    berth_ostree_txn_set_ref (txn, alias, commit);
  if (!berth_ostree_txn_commit (txn, cancellable, error))
    return NULL;
  return g_steal_pointer (&chain_id);
}

/* opens the directory holding @path below @root_fd, never through a symlink */
static int
open_parent_beneath (int root_fd, const gchar *path, const gchar **out_name)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  guint n = g_strv_length (parts);
  int fd = dup (root_fd);

  for (guint i = 0; fd >= 0 && i + 1 < n; i++)
    {
      int next = openat (fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (fd);
      fd = next;
    }
  *out_name = path + strlen (path) - strlen (parts[n - 1]);
  return fd;
}

static gboolean
make_devices (int root_fd, GVariant *devices, GError **error)
{
  GVariantIter iter;
  const gchar *path, *checksum, *spec;

  g_variant_iter_init (&iter, devices);
  while (g_variant_iter_next (&iter, "(&s&s&s)", &path, &checksum, &spec))
    {
      const gchar *name = NULL;
      int fd = open_parent_beneath (root_fd, path, &name);
      struct stat st;
      gchar type = 0;
      guint major = 0, minor = 0;
      mode_t fmt;

      if (fd < 0)
        return berth_ostree_set_error_from_errno (error, errno, "checkout of device %s", path);
      if (sscanf (spec, "%c %u %u", &type, &major, &minor) != 3
          || fstatat (fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG (st.st_mode))
        {
          close (fd);
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "checkout of device %s: bad entry",
                       path);
          return FALSE;
        }
      fmt = type == 'c' ? S_IFCHR : type == 'b' ? S_IFBLK : S_IFIFO;
      /* the checkout is berth's own cache: the placeholder, a copy (ostree
       * copies empty files), is replaced by the real node */
      if (unlinkat (fd, name, 0) < 0 || mknodat (fd, name, fmt | 0600, makedev (major, minor)) < 0
          || fchownat (fd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0
          || fchmodat (fd, name, st.st_mode & 07777, 0) < 0)
        {
          gint errsv = errno;
          close (fd);
          return berth_ostree_set_error_from_errno (error, errsv, "checkout of device %s", path);
        }
      close (fd);
    }
  return TRUE;
}

gchar *
berth_ostree_checkout_chain (BerthContentStore *store,
                             const gchar *chain_id,
                             GCancellable *cancellable,
                             GError **error)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (store);
  const gchar *hex = berth_digest_hex (chain_id, "chain ID", error);
  g_autofree gchar *ref = NULL;
  g_autofree gchar *commit = NULL;
  g_autofree gchar *final = NULL;
  g_autofree gchar *tmp_name = NULL;
  g_autofree gchar *tmp = NULL;
  g_autofree gchar *key = NULL;
  g_autoptr(GVariant) metadata = NULL;
  g_autoptr(GVariant) devices = NULL;
  g_autoptr(GError) local_error = NULL;
  OstreeRepoCheckoutAtOptions opts = { 0 };
  gboolean ok;
  int fd;

  if (hex == NULL)
    return NULL;
  ref = g_strconcat (BERTH_REF_CHAIN, hex, NULL);
  final = g_build_filename (self->trees_path, hex, NULL);
  key = g_strconcat ("trees/", hex, NULL);

  berth_ostree_store_inflight_acquire (self, key);
  g_rw_lock_reader_lock (&self->gc_lock);
  commit = berth_ostree_resolve_ref (self->repo, ref, &local_error);
  if (commit == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "chain %s is not stored", chain_id);
      ok = FALSE;
    }
  else if (g_file_test (final, G_FILE_TEST_IS_DIR))
    ok = TRUE;
  else
    {
      /* made under a temporary name, then renamed: a crash never leaves a
       * half tree under the final name, and startup removes the rest */
      tmp_name = g_strdup_printf (".tmp-%s-%08x", hex, g_random_int ());
      tmp = g_build_filename (self->trees_path, tmp_name, NULL);
      opts.mode = OSTREE_REPO_CHECKOUT_MODE_NONE;
      opts.overwrite_mode = OSTREE_REPO_CHECKOUT_OVERWRITE_NONE;
      opts.no_copy_fallback = TRUE;
      ok = ostree_repo_checkout_at (self->repo, &opts, AT_FDCWD, tmp, commit, cancellable, error);
      if (ok)
        {
          metadata = berth_ostree_load_commit_metadata (self->repo, commit, error);
          ok = metadata != NULL;
        }
      if (ok)
        {
          devices = g_variant_lookup_value (metadata, "berth.devices", G_VARIANT_TYPE ("a(sss)"));
          fd = open (tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          ok = fd >= 0 || berth_ostree_set_error_from_errno (error, errno, "opening %s", tmp);
          if (ok && devices != NULL)
            ok = make_devices (fd, devices, error);
          /* hardlinks and directories only: cheap to make durable */
          if (ok && syncfs (fd) < 0)
            ok = berth_ostree_set_error_from_errno (error, errno, "syncing %s", tmp);
          if (fd >= 0)
            close (fd);
        }
      if (ok && rename (tmp, final) < 0)
        ok = berth_ostree_set_error_from_errno (error, errno, "renaming %s", tmp);
      if (!ok)
        {
          int dfd = open (self->trees_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (dfd >= 0)
            {
              (void)berth_rm_rf_at (dfd, tmp_name, NULL);
              close (dfd);
            }
          berth_ostree_convert_error (error, chain_id);
        }
    }
  g_rw_lock_reader_unlock (&self->gc_lock);
  berth_ostree_store_inflight_release (self, key);
  if (!ok)
    return NULL;
  return g_steal_pointer (&final);
}
