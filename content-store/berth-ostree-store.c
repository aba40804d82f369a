/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* the "ostree" content store: blobs, layer trees and chain trees in one
 * OSTree repository (mode bare, ownership kept) under the state root */
#define G_LOG_DOMAIN "BerthContentStore"

#include "config.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth-ostree-store-private.h"

enum
{
  PROP_0,
  PROP_PATHS,
  PROP_CONFIG,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

static void berth_ostree_store_content_store_iface_init (BerthContentStoreInterface *iface);
static void berth_ostree_store_initable_iface_init (GInitableIface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (
  BerthOstreeStore,
  berth_ostree_store,
  G_TYPE_OBJECT,
  G_TYPE_FLAG_FINAL,
  G_IMPLEMENT_INTERFACE_DYNAMIC (BERTH_TYPE_CONTENT_STORE,
                                 berth_ostree_store_content_store_iface_init)
    G_IMPLEMENT_INTERFACE_DYNAMIC (G_TYPE_INITABLE, berth_ostree_store_initable_iface_init))

/* errors */

gboolean
berth_ostree_set_error_from_errno (GError **error, gint errsv, const gchar *format, ...)
{
  va_list args;
  g_autofree gchar *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, BERTH_ERROR,
               errsv == ENOENT                     ? BERTH_ERROR_NOT_FOUND
               : errsv == EACCES || errsv == EPERM ? BERTH_ERROR_PERMISSION_DENIED
                                                   : BERTH_ERROR_FAILED,
               "%s: %s", msg, g_strerror (errsv));
  return FALSE;
}

/* converts an error from ostree or GIO into BERTH_ERROR, with context */
void
berth_ostree_convert_error (GError **error, const gchar *prefix)
{
  if (error == NULL || *error == NULL)
    return;
  berth_error_convert (error);
  if (prefix != NULL)
    g_prefix_error (error, "%s: ", prefix);
}

/**
 * berth_digest_hex:
 * @digest: an OCI digest
 * @what: what the digest names, for the error message
 * @error: return location for a #GError
 *
 * Only `sha256:` and 64 lowercase hex digits are accepted: the hex ends up in
 * ref names and directory names, so nothing else may pass.
 *
 * Returns: (transfer none): the hex part of @digest, or %NULL
 */
const gchar *
berth_digest_hex (const gchar *digest, const gchar *what, GError **error)
{
  const gchar *hex;

  if (digest == NULL || !g_str_has_prefix (digest, "sha256:"))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "invalid %s \"%s\": only sha256 digests are supported", what,
                   digest != NULL ? digest : "(null)");
      return NULL;
    }
  hex = digest + strlen ("sha256:");
  for (guint i = 0; i < 64; i++)
    {
      if (!g_ascii_isdigit (hex[i]) && !(hex[i] >= 'a' && hex[i] <= 'f'))
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "invalid %s \"%s\": not 64 lowercase hex digits", what, digest);
          return NULL;
        }
    }
  if (hex[64] != '\0')
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "invalid %s \"%s\": not 64 lowercase hex digits", what, digest);
      return NULL;
    }
  return hex;
}

/* repository helpers */

/* the commit a ref points to, or NULL without an error if there is none */
gchar *
berth_ostree_resolve_ref (OstreeRepo *repo, const gchar *ref, GError **error)
{
  g_autofree gchar *commit = NULL;

  if (!ostree_repo_resolve_rev_ext (repo, ref, TRUE, OSTREE_REPO_RESOLVE_REV_EXT_NONE, &commit,
                                    error))
    {
      berth_ostree_convert_error (error, ref);
      return NULL;
    }
  return g_steal_pointer (&commit);
}

GVariant *
berth_ostree_load_commit_metadata (OstreeRepo *repo, const gchar *commit, GError **error)
{
  g_autoptr(GVariant) variant = NULL;

  if (!ostree_repo_load_commit (repo, commit, &variant, NULL, error))
    {
      berth_ostree_convert_error (error, "loading commit");
      return NULL;
    }
  return g_variant_get_child_value (variant, 0);
}

/* writes a dirmeta object and returns its checksum */
gchar *
berth_ostree_write_dirmeta (OstreeRepo *repo,
                            guint32 uid,
                            guint32 gid,
                            guint32 mode,
                            GVariant *xattrs,
                            GCancellable *cancellable,
                            GError **error)
{
  g_autoptr(GFileInfo) info = g_file_info_new ();
  g_autoptr(GVariant) dirmeta = NULL;
  g_autofree guchar *csum = NULL;

  g_file_info_set_attribute_uint32 (info, "unix::uid", uid);
  g_file_info_set_attribute_uint32 (info, "unix::gid", gid);
  g_file_info_set_attribute_uint32 (info, "unix::mode", S_IFDIR | (mode & 07777));
  /* (transfer full), already sunk */
  dirmeta = ostree_create_directory_metadata (info, xattrs);
  if (!ostree_repo_write_metadata (repo, OSTREE_OBJECT_TYPE_DIR_META, NULL, dirmeta, &csum,
                                   cancellable, error))
    return NULL;
  return ostree_checksum_from_bytes (csum);
}

/* writes @mtree and a commit of it with @metadata; returns the commit */
gchar *
berth_ostree_commit_tree (OstreeRepo *repo,
                          OstreeMutableTree *mtree,
                          const gchar *subject,
                          GVariant *metadata,
                          GCancellable *cancellable,
                          GError **error)
{
  g_autoptr(GFile) root = NULL;
  g_autofree gchar *commit = NULL;

  if (!ostree_repo_write_mtree (repo, mtree, &root, cancellable, error))
    return NULL;
  if (!ostree_repo_write_commit (repo, NULL, subject, NULL, metadata, OSTREE_REPO_FILE (root),
                                 &commit, cancellable, error))
    return NULL;
  return g_steal_pointer (&commit);
}

/* removes @name under @dfd and everything below it, never following a
 * symlink: trees hold whatever a layer put there */
gboolean
berth_rm_rf_at (int dfd, const gchar *name, GError **error)
{
  struct stat st;
  int fd;
  DIR *dir;
  struct dirent *de;

  if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return berth_ostree_set_error_from_errno (error, errno, "stat %s", name);
    }
  if (!S_ISDIR (st.st_mode))
    {
      if (unlinkat (dfd, name, 0) < 0 && errno != ENOENT)
        return berth_ostree_set_error_from_errno (error, errno, "removing %s", name);
      return TRUE;
    }

  /* a read-only checkout directory still has to be emptied */
  fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return berth_ostree_set_error_from_errno (error, errno, "opening %s", name);
  if ((st.st_mode & 0700) != 0700)
    (void)fchmod (fd, st.st_mode | 0700);
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      gint errsv = errno;
      close (fd);
      return berth_ostree_set_error_from_errno (error, errsv, "opening %s", name);
    }
  while ((de = readdir (dir)) != NULL)
    {
      if (g_str_equal (de->d_name, ".") || g_str_equal (de->d_name, ".."))
        continue;
      if (!berth_rm_rf_at (dirfd (dir), de->d_name, error))
        {
          closedir (dir);
          return FALSE;
        }
    }
  closedir (dir);
  if (unlinkat (dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return berth_ostree_set_error_from_errno (error, errno, "removing %s", name);
  return TRUE;
}

/* keys in flight */

void
berth_ostree_store_inflight_acquire (BerthOstreeStore *self, const gchar *key)
{
  g_mutex_lock (&self->inflight_lock);
  while (g_hash_table_contains (self->inflight, key))
    g_cond_wait (&self->inflight_cond, &self->inflight_lock);
  g_hash_table_add (self->inflight, g_strdup (key));
  g_mutex_unlock (&self->inflight_lock);
}

void
berth_ostree_store_inflight_release (BerthOstreeStore *self, const gchar *key)
{
  g_mutex_lock (&self->inflight_lock);
  g_hash_table_remove (self->inflight, key);
  g_cond_broadcast (&self->inflight_cond);
  g_mutex_unlock (&self->inflight_lock);
}

/* transactions */

static GPtrArray *
list_staging (BerthOstreeStore *self)
{
  g_autofree gchar *tmp = g_build_filename (self->repo_path, "tmp", NULL);
  g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "staging-") && !g_str_has_suffix (name, "-lock"))
      g_ptr_array_add (names, g_strdup (name));
  return names;
}

/**
 * berth_ostree_txn_begin:
 * @self: the store
 * @key: the ref (or other key) the transaction writes
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Waits until no other writer holds @key, then opens a repository object of
 * its own (ostree allows one transaction per #OstreeRepo, and a staging
 * directory per transaction, so ingests of different digests run in
 * parallel) and prepares a transaction on it.
 *
 * Returns: (transfer full): the transaction, or %NULL
 */
BerthOstreeTxn *
berth_ostree_txn_begin (BerthOstreeStore *self,
                        const gchar *key,
                        GCancellable *cancellable,
                        GError **error)
{
  g_autoptr(BerthOstreeTxn) txn = g_new0 (BerthOstreeTxn, 1);
  g_autoptr(GFile) file = g_file_new_for_path (self->repo_path);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;

  berth_ostree_store_inflight_acquire (self, key);
  txn->store = g_object_ref (self);
  txn->key = g_strdup (key);
  txn->refs = g_ptr_array_new_with_free_func (g_free);
  g_rw_lock_reader_lock (&self->gc_lock);
  txn->repo = ostree_repo_new (file);
  if (!ostree_repo_open (txn->repo, cancellable, error))
    {
      berth_ostree_convert_error (error, "opening a transaction");
      return NULL;
    }
  /* berth_ostree_txn_commit() syncs instead, see there */
  ostree_repo_set_disable_fsync (txn->repo, TRUE);
  g_mutex_lock (&self->staging_lock);
  before = list_staging (self);
  if (!ostree_repo_prepare_transaction (txn->repo, NULL, cancellable, error))
    {
      g_mutex_unlock (&self->staging_lock);
      berth_ostree_convert_error (error, "opening a transaction");
      return NULL;
    }
  after = list_staging (self);
  g_mutex_unlock (&self->staging_lock);
  /* ours is the one that was not there before; another transaction may
   * have committed and removed its own meanwhile, so counts prove nothing */
  for (guint i = 0; i < after->len && txn->staging == NULL; i++)
    if (!g_ptr_array_find_with_equal_func (before, after->pdata[i], g_str_equal, NULL))
      txn->staging = g_strdup (after->pdata[i]);
  return g_steal_pointer (&txn);
}

static gboolean
sync_repo (BerthOstreeTxn *txn, GError **error)
{
  if (syncfs (ostree_repo_get_dfd (txn->repo)) < 0)
    return berth_ostree_set_error_from_errno (error, errno, "syncing %s", txn->store->repo_path);
  return TRUE;
}

/**
 * berth_ostree_txn_commit:
 * @txn: a transaction
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Commits with two syncfs() calls instead of ostree's syncfs() plus one
 * fsync() per objects/xx directory, which costs a journal commit each (226
 * of them for a 400-file layer, most of the import's time here): the
 * first makes every staged object durable before any is renamed into
 * objects/ or any ref is written; the renames and refs that follow are
 * metadata, which the journal (ext4, xfs) commits in order, and the second
 * makes them durable before we return. A crash or power loss in between
 * leaves staged objects (cleaned at start) or objects without a ref
 * (pruned), never a ref to missing data.
 *
 * Returns: %TRUE once the transaction's refs are durable
 */
gboolean
berth_ostree_txn_commit (BerthOstreeTxn *txn, GCancellable *cancellable, GError **error)
{
  if (!sync_repo (txn, error))
    return FALSE;
  if (!ostree_repo_commit_transaction (txn->repo, NULL, cancellable, error))
    {
      berth_ostree_convert_error (error, "committing");
      return FALSE;
    }
  txn->committed = TRUE;

  /* a collection waiting for us must not take what we just wrote */
  g_mutex_lock (&txn->store->inflight_lock);
  if (txn->store->gc_pending > 0)
    for (guint i = 0; i < txn->refs->len; i++)
      g_hash_table_add (txn->store->gc_protected, g_strdup (txn->refs->pdata[i]));
  g_mutex_unlock (&txn->store->inflight_lock);
  return sync_repo (txn, error);
}

/**
 * berth_ostree_txn_set_ref:
 * @txn: a transaction
 * @ref: a ref
 * @commit: the commit it is to point to
 *
 * Sets @ref when the transaction commits.
 */
void
berth_ostree_txn_set_ref (BerthOstreeTxn *txn, const gchar *ref, const gchar *commit)
{
  ostree_repo_transaction_set_ref (txn->repo, NULL, ref, commit);
  g_ptr_array_add (txn->refs, g_strdup (ref));
}

void
berth_ostree_txn_free (BerthOstreeTxn *txn)
{
  if (txn->repo != NULL)
    {
      /* abort removes the staging directory; it ignores cancellation */
      if (!txn->committed && txn->store != NULL)
        {
          g_autofree gchar *tmp = g_build_filename (txn->store->repo_path, "tmp", NULL);
          g_mutex_lock (&txn->store->staging_lock);
          (void)ostree_repo_abort_transaction (txn->repo, NULL, NULL);
          if (txn->staging != NULL)
            {
              int dfd = open (tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
              if (dfd >= 0)
                {
                  (void)berth_rm_rf_at (dfd, txn->staging, NULL);
                  close (dfd);
                }
            }
          g_mutex_unlock (&txn->store->staging_lock);
        }
      g_object_unref (txn->repo);
    }
  if (txn->store != NULL)
    {
      g_rw_lock_reader_unlock (&txn->store->gc_lock);
      berth_ostree_store_inflight_release (txn->store, txn->key);
      g_object_unref (txn->store);
    }
  g_free (txn->key);
  g_free (txn->staging);
  g_clear_pointer (&txn->refs, g_ptr_array_unref);
  g_free (txn);
}

/* startup */

/* berthd holds the state root's lock, so whatever is in the repository's
 * tmp/ is left over from a process that died: staging directories of
 * unfinished transactions and temporary objects */
static gboolean
berth_ostree_store_clean_repo_tmp (BerthOstreeStore *self, GError **error)
{
  g_autofree gchar *tmp_path = g_build_filename (self->repo_path, "tmp", NULL);
  g_autofree gchar *txn_path = g_build_filename (self->repo_path, "transaction", NULL);
  g_autoptr(GDir) dir = NULL;
  int dfd;
  const gchar *name;

  if (unlink (txn_path) < 0 && errno != ENOENT)
    return berth_ostree_set_error_from_errno (error, errno, "removing %s", txn_path);
  dir = g_dir_open (tmp_path, 0, NULL);
  if (dir == NULL)
    return TRUE;
  dfd = open (tmp_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return berth_ostree_set_error_from_errno (error, errno, "opening %s", tmp_path);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_equal (name, "cache"))
        continue;
      g_debug ("removing %s/%s left by an interrupted transaction", tmp_path, name);
      if (!berth_rm_rf_at (dfd, name, error))
        {
          close (dfd);
          return FALSE;
        }
    }
  close (dfd);
  return TRUE;
}

static guint64
config_get_uint64 (GKeyFile *config, const gchar *key, guint64 fallback)
{
  g_autoptr(GError) local_error = NULL;
  guint64 value;

  if (config == NULL || !g_key_file_has_key (config, "content-store", key, NULL))
    return fallback;
  value = g_key_file_get_uint64 (config, "content-store", key, &local_error);
  if (local_error != NULL || value == 0)
    {
      g_warning ("ignoring [content-store] %s: %s", key,
                 local_error != NULL ? local_error->message : "must be positive");
      return fallback;
    }
  return value;
}

static gboolean
berth_ostree_store_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (initable);
  g_autoptr(GFile) file = NULL;
  const gchar *root;

  if (self->paths == NULL)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "the ostree content store needs a path store");
      return FALSE;
    }
  self->max_entries = config_get_uint64 (self->config, "max-layer-entries",
                                         BERTH_CONTENT_STORE_DEFAULT_MAX_ENTRIES);
  self->max_bytes
    = config_get_uint64 (self->config, "max-layer-bytes", BERTH_CONTENT_STORE_DEFAULT_MAX_BYTES);

  root = berth_paths_get (self->paths, BERTH_PATH_ROOT);
  if (!berth_paths_ensure (self->paths, BERTH_PATH_ROOT, error))
    return FALSE;
  self->repo_path = g_strdup (berth_paths_get (self->paths, BERTH_PATH_REPO));
  self->trees_path = g_build_filename (root, "trees", NULL);
  if (g_mkdir_with_parents (self->trees_path, 0700) < 0)
    return berth_ostree_set_error_from_errno (error, errno, "creating %s", self->trees_path);

  /* creating an existing repository opens it, and completes a half-created one */
  file = g_file_new_for_path (self->repo_path);
  self->repo = ostree_repo_new (file);
  if (!ostree_repo_create (self->repo, OSTREE_REPO_MODE_BARE, cancellable, error))
    {
      berth_ostree_convert_error (error, self->repo_path);
      return FALSE;
    }
  if (ostree_repo_get_mode (self->repo) != OSTREE_REPO_MODE_BARE)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                   "%s is an OSTree repository of another mode than bare", self->repo_path);
      return FALSE;
    }
  if (!berth_ostree_store_clean_repo_tmp (self, error))
    return FALSE;
  /* ostree makes objects/xx as objects arrive; made here once, the first
   * import does not pay 256 directory creations */
  {
    g_autofree gchar *objects = g_build_filename (self->repo_path, "objects", NULL);
    int dfd = open (objects, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
      return berth_ostree_set_error_from_errno (error, errno, "opening %s", objects);
    for (guint i = 0; i < 256; i++)
      {
        gchar name[3];
        g_snprintf (name, sizeof name, "%02x", i);
        if (mkdirat (dfd, name, 0755) < 0 && errno != EEXIST)
          {
            gint errsv = errno;
            close (dfd);
            return berth_ostree_set_error_from_errno (error, errsv, "creating %s/%s", objects,
                                                      name);
          }
      }
    close (dfd);
  }
  return berth_ostree_store_clean_trees (self, error);
}

/* GObject */

static void
berth_ostree_store_set_property (GObject *object,
                                 guint prop_id,
                                 const GValue *value,
                                 GParamSpec *pspec)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (object);

  switch (prop_id)
    {
      case PROP_PATHS:
        self->paths = g_value_dup_object (value);
        break;
      case PROP_CONFIG:
        self->config = g_value_dup_boxed (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
berth_ostree_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (object);

  switch (prop_id)
    {
      case PROP_PATHS:
        g_value_set_object (value, self->paths);
        break;
      case PROP_CONFIG:
        g_value_set_boxed (value, self->config);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
berth_ostree_store_finalize (GObject *object)
{
  BerthOstreeStore *self = BERTH_OSTREE_STORE (object);

  g_clear_object (&self->paths);
  g_clear_pointer (&self->config, g_key_file_unref);
  g_clear_object (&self->repo);
  g_free (self->repo_path);
  g_free (self->trees_path);
  g_rw_lock_clear (&self->gc_lock);
  g_mutex_clear (&self->inflight_lock);
  g_cond_clear (&self->inflight_cond);
  g_mutex_clear (&self->staging_lock);
  g_hash_table_unref (self->inflight);
  g_hash_table_unref (self->gc_protected);
  G_OBJECT_CLASS (berth_ostree_store_parent_class)->finalize (object);
}

static void
berth_ostree_store_class_init (BerthOstreeStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = berth_ostree_store_set_property;
  object_class->get_property = berth_ostree_store_get_property;
  object_class->finalize = berth_ostree_store_finalize;

  props[PROP_PATHS]
    = g_param_spec_object ("paths", NULL, NULL, BERTH_TYPE_PATHS,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_CONFIG]
    = g_param_spec_boxed ("config", NULL, NULL, G_TYPE_KEY_FILE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
berth_ostree_store_class_finalize (BerthOstreeStoreClass *klass)
{
}

static void
berth_ostree_store_init (BerthOstreeStore *self)
{
  g_rw_lock_init (&self->gc_lock);
  g_mutex_init (&self->inflight_lock);
  g_cond_init (&self->inflight_cond);
  g_mutex_init (&self->staging_lock);
  self->inflight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->gc_protected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
berth_ostree_store_initable_iface_init (GInitableIface *iface)
{
  iface->init = berth_ostree_store_initable_init;
}

static void
berth_ostree_store_content_store_iface_init (BerthContentStoreInterface *iface)
{
  iface->blob_exists = berth_ostree_blob_exists;
  iface->blob_info = berth_ostree_blob_info;
  iface->read_blob = berth_ostree_read_blob;
  iface->ingest_blob = berth_ostree_ingest_blob;
  iface->delete_blob = berth_ostree_delete_blob;
  iface->list_blobs = berth_ostree_list_blobs;
  iface->import_layer = berth_ostree_import_layer;
  iface->has_layer = berth_ostree_has_layer;
  iface->build_chain = berth_ostree_build_chain;
  iface->checkout_chain = berth_ostree_checkout_chain;
  iface->garbage_collect = berth_ostree_garbage_collect;
  iface->usage = berth_ostree_usage;
}

/* module entry */

gboolean berth_module_ostree_load (GTypeModule *module, GError **error);

/**
 * berth_module_ostree_load:
 * @module: the #GTypeModule to register with
 * @error: return location for a #GError
 *
 * Registers the "ostree" content store.
 *
 * Returns: %TRUE
 */
gboolean
berth_module_ostree_load (GTypeModule *module, GError **error)
{
  berth_ostree_store_register_type (module);
  g_io_extension_point_implement (BERTH_EXTENSION_POINT_CONTENT_STORE, BERTH_TYPE_OSTREE_STORE,
                                  "ostree", 10);
  return TRUE;
}

BERTH_MODULE_DEFINE (ostree)
