/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* garbage collection and storage accounting.
 *
 * A root is a digest, diff ID or chain ID; it keeps every ref ending in its
 * hex, and every other ref of the same namespace pointing at the same
 * commit (a layer's alias under its blob digest, a chain's under the names
 * it was built with). Collection takes the store's lock for writing, so it
 * waits for transactions in flight: a blob being written is never
 * collected, and no object is pruned while a writer may be deduplicating
 * against it. */
#define G_LOG_DOMAIN "BerthContentStore"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "berth-ostree-store-private.h"

static const gchar *const namespaces[] = { BERTH_REF_BLOB, BERTH_REF_LAYER, BERTH_REF_CHAIN };

static const gchar *
ref_namespace (const gchar *ref)
{
  for (guint i = 0; i < G_N_ELEMENTS (namespaces); i++)
    if (g_str_has_prefix (ref, namespaces[i]))
      return namespaces[i];
  return NULL;
}

/* the refs @roots keep, and those in @protected, as a set */
static GHashTable *
kept_refs (GHashTable *refs, const gchar *const *roots, GHashTable *protected, GError **error)
{
  g_autoptr(GHashTable) hexes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) kept_commits
             = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) kept = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer k, v;

  for (guint i = 0; roots != NULL && roots[i] != NULL; i++)
    {
      const gchar *hex = berth_digest_hex (roots[i], "root", error);
      if (hex == NULL)
        return NULL;
      g_hash_table_add (hexes, (gpointer)hex);
    }
  g_hash_table_iter_init (&iter, refs);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      const gchar *ns = ref_namespace (k);
      if (ns != NULL
          && (g_hash_table_contains (hexes, (const gchar *)k + strlen (ns))
              || g_hash_table_contains (protected, k)))
        g_hash_table_add (kept_commits, g_strconcat (ns, (const gchar *)v, NULL));
    }
  g_hash_table_iter_init (&iter, refs);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      const gchar *ns = ref_namespace (k);
      g_autofree gchar *commit_key = NULL;
      if (ns == NULL)
        {
          /* not ours: leave it alone */
          g_hash_table_add (kept, g_strdup (k));
          continue;
        }
      commit_key = g_strconcat (ns, (const gchar *)v, NULL);
      if (g_hash_table_contains (kept_commits, commit_key))
        g_hash_table_add (kept, g_strdup (k));
    }
  return g_steal_pointer (&kept);
}

/* removes checkouts whose chain is gone, and temporary ones */
static gboolean
clean_trees (BerthOstreeStore *self, GHashTable *refs, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open (self->trees_path, 0, NULL);
  const gchar *name;
  int dfd;

  if (dir == NULL)
    return TRUE;
  dfd = open (self->trees_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return berth_ostree_set_error_from_errno (error, errno, "opening %s", self->trees_path);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *ref = g_strconcat (BERTH_REF_CHAIN, name, NULL);
      if (refs != NULL && name[0] != '.' && g_hash_table_contains (refs, ref))
        continue;
      if (refs == NULL && name[0] != '.')
        continue;
      g_debug ("removing checkout %s/%s", self->trees_path, name);
      if (!berth_rm_rf_at (dfd, name, error))
        {
          close (dfd);
          return FALSE;
        }
    }
  close (dfd);
  return TRUE;
}

/**
 * berth_ostree_store_clean_trees:
 * @self: the store
 * @error: return location for a #GError
 *
 * Removes checkouts a crash left half made (`trees/.tmp-*`).
 *
 * Returns: %TRUE on success
 */
gboolean
berth_ostree_store_clean_trees (BerthOstreeStore *self, GError **error)
{
  return clean_trees (self, NULL, error);
}

gboolean
berth_ostree_garbage_collect (BerthContentStore *store,
                              const gchar *const *roots,
                              guint64 *out_freed,
                              GCancellable *cancellable,
                              GError **error)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (store);
  g_autoptr(GHashTable) refs = NULL;
  g_autoptr(GHashTable) kept = NULL;
  g_autoptr(GHashTable) protected = NULL;
  GHashTableIter iter;
  gpointer k;
  gint n_total = 0, n_pruned = 0;
  guint64 freed = 0;
  gboolean ok = TRUE;

  /* transactions in flight finish first; what they commit meanwhile is
   * kept: a blob being written is never collected */
  g_mutex_lock (&self->inflight_lock);
  self->gc_pending++;
  g_mutex_unlock (&self->inflight_lock);
  g_rw_lock_writer_lock (&self->gc_lock);
  g_mutex_lock (&self->inflight_lock);
  protected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_iter_init (&iter, self->gc_protected);
  while (g_hash_table_iter_next (&iter, &k, NULL))
    g_hash_table_add (protected, g_strdup (k));
  if (--self->gc_pending == 0)
    g_hash_table_remove_all (self->gc_protected);
  g_mutex_unlock (&self->inflight_lock);

  if (!ostree_repo_list_refs (self->repo, NULL, &refs, cancellable, error))
    ok = FALSE;
  if (ok)
    {
      kept = kept_refs (refs, roots, protected, error);
      ok = kept != NULL;
    }
  if (ok)
    {
      g_hash_table_iter_init (&iter, refs);
      while (ok && g_hash_table_iter_next (&iter, &k, NULL))
        {
          if (g_hash_table_contains (kept, k))
            continue;
          g_debug ("collecting %s", (const gchar *)k);
          ok = ostree_repo_set_ref_immediate (self->repo, NULL, k, NULL, cancellable, error);
        }
    }
  if (ok)
    ok = ostree_repo_prune (self->repo, OSTREE_REPO_PRUNE_FLAGS_REFS_ONLY, -1, &n_total, &n_pruned,
                            &freed, cancellable, error);
  if (ok)
    ok = clean_trees (self, kept, error);
  g_rw_lock_writer_unlock (&self->gc_lock);
  if (!ok)
    {
      berth_ostree_convert_error (error, "collecting garbage");
      return FALSE;
    }
  g_debug ("pruned %d of %d objects, %" G_GUINT64_FORMAT " bytes", n_pruned, n_total, freed);
  if (out_freed != NULL)
    *out_freed = freed;
  return TRUE;
}

/* usage */

static gboolean
add_reachable (BerthOstreeStore *self,
               GHashTable *refs,
               const gchar *root,
               GHashTable *into,
               GCancellable *cancellable,
               GError **error)
{
  const gchar *hex = berth_digest_hex (root, "root", error);

  if (hex == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (namespaces); i++)
    {
      g_autofree gchar *ref = g_strconcat (namespaces[i], hex, NULL);
      const gchar *commit = g_hash_table_lookup (refs, ref);
      g_autoptr(GHashTable) reachable = NULL;
      GHashTableIter iter;
      gpointer k;

      if (commit == NULL)
        continue;
      if (!ostree_repo_traverse_commit (self->repo, commit, 0, &reachable, cancellable, error))
        return FALSE;
      g_hash_table_iter_init (&iter, reachable);
      while (g_hash_table_iter_next (&iter, &k, NULL))
        g_hash_table_add (into, g_variant_ref (k));
    }
  return TRUE;
}

static guint64
object_size (BerthOstreeStore *self, GVariant *object, GCancellable *cancellable)
{
  const gchar *checksum;
  OstreeObjectType type;
  guint64 size = 0;

  ostree_object_name_deserialize (object, &checksum, &type);
  if (!ostree_repo_query_object_storage_size (self->repo, type, checksum, &size, cancellable, NULL))
    return 0;
  return size;
}

GVariant *
berth_ostree_usage (BerthContentStore *store,
                    GVariant *owners,
                    GCancellable *cancellable,
                    GError **error)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (store);
  g_autoptr(GHashTable) refs = NULL;
  g_autoptr(GHashTable) objects = NULL;
  g_autoptr(GHashTable) owner_count = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func ((GDestroyNotify)g_hash_table_unref);
  g_auto(GVariantBuilder) unique = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{st}"));
  GVariantIter iter;
  const gchar *owner;
  GVariant *owner_roots;
  GHashTableIter hiter;
  gpointer k, v;
  guint64 total = 0, shared = 0;

  if (!g_variant_is_of_type (owners, G_VARIANT_TYPE ("a{sas}")))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "owners must be of type a{sas}, not %s", g_variant_get_type_string (owners));
      return NULL;
    }
  g_rw_lock_reader_lock (&self->gc_lock);
  if (!ostree_repo_list_refs (self->repo, NULL, &refs, cancellable, error)
      || !ostree_repo_list_objects (self->repo, OSTREE_REPO_LIST_OBJECTS_LOOSE, &objects,
                                    cancellable, error))
    {
      g_rw_lock_reader_unlock (&self->gc_lock);
      berth_ostree_convert_error (error, "measuring usage");
      return NULL;
    }
  g_hash_table_iter_init (&hiter, objects);
  while (g_hash_table_iter_next (&hiter, &k, NULL))
    total += object_size (self, k, cancellable);

  owner_count = g_hash_table_new_full (ostree_hash_object_name, g_variant_equal,
                                       (GDestroyNotify)g_variant_unref, NULL);
  g_variant_iter_init (&iter, owners);
  while (g_variant_iter_next (&iter, "{&s@as}", &owner, &owner_roots))
    {
      g_autoptr(GVariant) roots_v = owner_roots;
      g_autofree const gchar **roots = g_variant_get_strv (roots_v, NULL);
      GHashTable *set = g_hash_table_new_full (ostree_hash_object_name, g_variant_equal,
                                               (GDestroyNotify)g_variant_unref, NULL);
      g_ptr_array_add (names, g_strdup (owner));
      g_ptr_array_add (sets, set);
      for (guint i = 0; roots[i] != NULL; i++)
        {
          if (!add_reachable (self, refs, roots[i], set, cancellable, error))
            {
              g_rw_lock_reader_unlock (&self->gc_lock);
              berth_ostree_convert_error (error, "measuring usage");
              return NULL;
            }
        }
      g_hash_table_iter_init (&hiter, set);
      while (g_hash_table_iter_next (&hiter, &k, NULL))
        {
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (owner_count, k));
          g_hash_table_replace (owner_count, g_variant_ref (k), GUINT_TO_POINTER (n + 1));
        }
    }

  g_hash_table_iter_init (&hiter, owner_count);
  while (g_hash_table_iter_next (&hiter, &k, &v))
    if (GPOINTER_TO_UINT (v) > 1)
      shared += object_size (self, k, cancellable);
  for (guint i = 0; i < names->len; i++)
    {
      guint64 own = 0;
      g_hash_table_iter_init (&hiter, sets->pdata[i]);
      while (g_hash_table_iter_next (&hiter, &k, NULL))
        if (GPOINTER_TO_UINT (g_hash_table_lookup (owner_count, k)) == 1)
          own += object_size (self, k, cancellable);
      g_variant_builder_add (&unique, "{st}", (const gchar *)names->pdata[i], own);
    }
  g_rw_lock_reader_unlock (&self->gc_lock);
  return g_variant_ref_sink (
    g_variant_new ("(tt@a{st})", total, shared, g_variant_builder_end (&unique)));
}
