/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthOverlay"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <berth.h>

#include "berth-overlay-fs.h"

/* the longest key: a snapshot's name is a path component and ends up three
 * times in overlayfs' mount options, which must fit in one page */
#define SNAPSHOT_KEY_MAX 128

#define RECORD_NAME "snapshot.json"

/**
 * BerthOverlaySnapshotter:
 *
 * The overlay snapshotter: a snapshot is an overlayfs mount whose lower
 * layer is the content store's read-only checkout of a chain (hardlinks into
 * the repository, shared by every snapshot of that chain) and whose upper
 * and work directories belong to the snapshot alone.
 *
 * Everything lives under the snapshots directory of the path store, one
 * directory per key:
 *
 * - `snapshot.json`: the record, written atomically: `{"chain": "sha256:…",
 *   "kind": "writable"|"view", "state": "active"|"removed"}`; a chain of ""
 *   is the empty tree
 * - `upper/`, `work/`: overlayfs' upper and work directories (writable only)
 * - `empty/`: an empty directory, the lower layer of a snapshot of the
 *   empty tree
 * - `bottom/`: an empty directory, the bottom layer of a view
 * - `rootfs/`: the mount point, the directory handed to callers
 *
 * Nothing is kept in memory: a second instance on the same directory (berthd
 * after a restart) sees the same snapshots, and restore() mounts again the
 * ones still wanted and cleans up the rest.
 *
 * What callers can rely on:
 *
 * - prepare() and view() are idempotent: asking again for a key with the same
 *   chain and kind returns the same directory, mounting it again if it was
 *   unmounted (a reboot); asking for a key that exists with another chain or
 *   kind fails with %BERTH_ERROR_ALREADY_EXISTS. A %NULL chain is the empty
 *   tree.
 * - keys are 1 to 128 letters, digits, `_`, `.` or `-`, starting with a
 *   letter or digit; others fail with %BERTH_ERROR_INVALID_ARGUMENT.
 * - remove() of a snapshot in use (an open file, a working directory, a
 *   mount inside it) fails with %BERTH_ERROR_IN_USE and leaves it mounted
 *   and whole; it never unmounts lazily. An unknown key is
 *   %BERTH_ERROR_NOT_FOUND.
 * - a view is an overlay without an upper layer: every write fails with
 *   `EROFS`, and no remount can make it writable.
 * - restore() keeps (and mounts if needed) the snapshots named in `keep` and
 *   removes every other one, including ones whose removal a crash
 *   interrupted (even if named in `keep`) and prepares that never finished;
 *   what it cannot remove now (busy) it warns about and tries again next
 *   time. It fails only if a kept snapshot could not be mounted, after doing
 *   all the rest.
 */
#define BERTH_TYPE_OVERLAY_SNAPSHOTTER (berth_overlay_snapshotter_get_type ())
G_DECLARE_FINAL_TYPE (
  BerthOverlaySnapshotter, berth_overlay_snapshotter, BERTH, OVERLAY_SNAPSHOTTER, GObject)

struct _BerthOverlaySnapshotter
{
  GObject parent_instance;
  BerthPaths *paths;
  GKeyFile *config;
  BerthContentStore *store;
  gchar *dir; /* the snapshots directory, resolved: it is compared with mountinfo */
  GMutex lock;
};

enum
{
  PROP_0,
  PROP_PATHS,
  PROP_CONFIG,
  PROP_CONTENT_STORE,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

static void
berth_overlay_snapshotter_iface_init (BerthSnapshotterInterface *iface);
static void
berth_overlay_snapshotter_initable_iface_init (GInitableIface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (
  BerthOverlaySnapshotter,
  berth_overlay_snapshotter,
  G_TYPE_OBJECT,
  G_TYPE_FLAG_FINAL,
  G_IMPLEMENT_INTERFACE_DYNAMIC (BERTH_TYPE_SNAPSHOTTER, berth_overlay_snapshotter_iface_init)
    G_IMPLEMENT_INTERFACE_DYNAMIC (G_TYPE_INITABLE, berth_overlay_snapshotter_initable_iface_init))

typedef enum
{
  SNAPSHOT_WRITABLE,
  SNAPSHOT_VIEW,
} SnapshotKind;

typedef struct
{
  gchar *chain; /* "" for the empty tree */
  SnapshotKind kind;
  gboolean removed;
} SnapshotRecord;

static void
snapshot_record_free (SnapshotRecord *record)
{
  g_free (record->chain);
  g_free (record);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SnapshotRecord, snapshot_record_free)

static const gchar *
kind_to_string (SnapshotKind kind)
{
  return kind == SNAPSHOT_VIEW ? "view" : "writable";
}

static gboolean
validate_key (const gchar *key, GError **error)
{
  gsize len = strlen (key);
  gboolean valid = len > 0 && len <= SNAPSHOT_KEY_MAX && g_ascii_isalnum (key[0]);

  /* a key becomes a directory name and a part of overlayfs' mount options,
   * where ',' and ':' are separators: keep to a portable, quiet alphabet */
  for (const gchar *p = key; valid && *p != '\0'; p++)
    valid = g_ascii_isalnum (*p) || *p == '_' || *p == '.' || *p == '-';
  if (!valid)
    {
      g_autofree gchar *shown = g_strescape (key, NULL);
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "invalid snapshot key “%s”: it must be 1 to %u letters, digits, '_', '.' or "
                   "'-', and start with a letter or digit",
                   shown, (guint)SNAPSHOT_KEY_MAX);
      return FALSE;
    }
  return TRUE;
}

/* the records */

static SnapshotRecord *
record_load (const gchar *snapshot_dir, GError **error)
{
  g_autofree gchar *path = g_build_filename (snapshot_dir, RECORD_NAME, NULL);
  g_autofree gchar *text = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SnapshotRecord) record = g_new0 (SnapshotRecord, 1);
  JsonObject *object;
  const gchar *kind;
  gsize len;

  if (!g_file_get_contents (path, &text, &len, error))
    {
      berth_error_convert (error);
      return NULL;
    }
  root = berth_json_parse (text, len, error);
  if (root == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "%s: not a JSON object", path);
      return NULL;
    }
  object = json_node_get_object (root);
  kind = json_object_get_string_member_with_default (object, "kind", "");
  if (g_strcmp0 (kind, "writable") == 0)
    record->kind = SNAPSHOT_WRITABLE;
  else if (g_strcmp0 (kind, "view") == 0)
    record->kind = SNAPSHOT_VIEW;
  else
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "%s: unknown kind “%s”", path, kind);
      return NULL;
    }
  record->chain = g_strdup (json_object_get_string_member_with_default (object, "chain", ""));
  record->removed
    = g_strcmp0 (json_object_get_string_member_with_default (object, "state", ""), "removed") == 0;
  return g_steal_pointer (&record);
}

static gboolean
record_save (const gchar *snapshot_dir, const SnapshotRecord *record, GError **error)
{
  g_autofree gchar *path = g_build_filename (snapshot_dir, RECORD_NAME, NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree gchar *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "chain");
  json_builder_add_string_value (builder, record->chain);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind_to_string (record->kind));
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, record->removed ? "removed" : "active");
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = berth_json_to_string (root, TRUE);

  /* written beside and renamed over: a crash leaves the old record or the new */
  if (!g_file_set_contents (path, text, -1, error))
    {
      berth_error_convert (error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
mount_snapshot (const gchar *key,
                const gchar *snapshot_dir,
                SnapshotKind kind,
                const gchar *lower,
                GError **error)
{
  g_autofree gchar *rootfs = g_build_filename (snapshot_dir, "rootfs", NULL);
  g_autofree gchar *empty = g_build_filename (snapshot_dir, "empty", NULL);
  g_autofree gchar *bottom = g_build_filename (snapshot_dir, "bottom", NULL);
  g_autoptr(GString) options = g_string_new ("lowerdir=");
  unsigned long flags = 0;

  if (kind == SNAPSHOT_VIEW)
    {
      /* overlayfs wants two lower layers when it has no upper one; an
       * overlay rather than a read-only bind mount of the checkout, because
       * a plugin with CAP_SYS_ADMIN could remount a bind mount read-write and
       * write into repository objects, while an overlay without an upper
       * layer can never be written */
      berth_overlay_append_escaped_path (options, lower != NULL ? lower : empty);
      g_string_append_c (options, ':');
      berth_overlay_append_escaped_path (options, bottom);
      flags |= MS_RDONLY;
    }
  else
    {
      g_autofree gchar *upper = g_build_filename (snapshot_dir, "upper", NULL);
      g_autofree gchar *work = g_build_filename (snapshot_dir, "work", NULL);
      berth_overlay_append_escaped_path (options, lower != NULL ? lower : empty);
      g_string_append (options, ",upperdir=");
      berth_overlay_append_escaped_path (options, upper);
      g_string_append (options, ",workdir=");
      berth_overlay_append_escaped_path (options, work);
    }

  /* the lower layer is hardlinks into a deduplicated repository, so two
   * unrelated paths of a tree often share one inode:
   * - index=off: with the index, overlayfs keeps lower hardlinks together on
   *   copy-up, so writing one file changed every other file with the same
   *   content in that snapshot (measured on this kernel, 6.18);
   * - metacopy=off: a chmod copies the data up too, so the upper layer never
   *   depends on the lower file's data, which the store may check out again
   *   elsewhere or collect;
   * - redirect_dir=off: a renamed lower directory is copied, not recorded as
   *   a path into the lower layer, for the same reason.
   * these are the defaults of most kernels; saying so keeps a kernel built
   * with other defaults from changing what a snapshot means */
  g_string_append (options, ",index=off,redirect_dir=off,metacopy=off");

  if (mount ("overlay", rootfs, "overlay", flags, options->str) != 0)
    {
      int errsv = errno;
      if (errsv == ENODEV)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                       "mounting snapshot %s: the kernel has no overlay file system", key);
          return FALSE;
        }
      return berth_overlay_set_errno_error (error, errsv, "mounting snapshot %s at %s (%s)", key,
                                            rootfs, options->str);
    }
  return TRUE;
}

/* the snapshots */

static gchar *
snapshot_dir_for (BerthOverlaySnapshotter *self, const gchar *key)
{
  return g_build_filename (self->dir, key, NULL);
}

/* removes what is left of a snapshot: the mount first, then the files, the
 * record last but marked as removed first, so that a crash in between leaves
 * something restore() recognises and finishes */
static gboolean
destroy_snapshot (BerthOverlaySnapshotter *self,
                  const gchar *key,
                  SnapshotRecord *record,
                  GError **error)
{
  g_autofree gchar *snapshot_dir = snapshot_dir_for (self, key);
  g_autofree gchar *rootfs = g_build_filename (snapshot_dir, "rootfs", NULL);
  const gchar *parts[] = { "upper", "work", "empty", "bottom", "rootfs", RECORD_NAME };
  gboolean mounted = FALSE;
  struct stat st;
  int dfd;

  if (!berth_overlay_unmount_all (key, rootfs, error))
    return FALSE;
  if (!berth_overlay_is_mount_point (rootfs, &mounted, error))
    return FALSE;
  if (mounted)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_IN_USE, "snapshot %s is still mounted at %s",
                   key, rootfs);
      return FALSE;
    }
  if (record != NULL && !record->removed)
    {
      record->removed = TRUE;
      if (!record_save (snapshot_dir, record, error))
        {
          g_prefix_error (error, "removing snapshot %s: ", key);
          return FALSE;
        }
    }

  dfd = open (snapshot_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return berth_overlay_set_errno_error (error, errno, "removing snapshot %s", key);
    }
  if (fstat (dfd, &st) != 0)
    {
      int errsv = errno;
      close (dfd);
      return berth_overlay_set_errno_error (error, errsv, "removing snapshot %s", key);
    }
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      if (!berth_overlay_remove_tree_at (dfd, parts[i], st.st_dev, snapshot_dir, error))
        {
          close (dfd);
          g_prefix_error (error, "removing snapshot %s: ", key);
          return FALSE;
        }
    }
  close (dfd);
  /* anything else in the directory is not ours: keep it, and say so */
  if (g_rmdir (snapshot_dir) != 0)
    return berth_overlay_set_errno_error (error, errno, "removing snapshot %s: %s", key,
                                          snapshot_dir);
  return TRUE;
}

/* the lower layer of @chain, or NULL (no error) for the empty tree */
static gchar *
lower_for_chain (BerthOverlaySnapshotter *self,
                 const gchar *key,
                 const gchar *chain,
                 GCancellable *cancellable,
                 GError **error)
{
  gchar *lower;

  if (chain == NULL || chain[0] == '\0')
    return NULL;
  if (self->store == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                   "snapshot %s: no content store to check out %s from", key, chain);
      return NULL;
    }
  lower = berth_content_store_checkout_chain (self->store, chain, cancellable, error);
  if (lower == NULL)
    g_prefix_error (error, "snapshot %s: checking out %s: ", key, chain);
  return lower;
}

/* the top of the writable layer looks like the top of the tree: overlayfs
 * shows the upper directory's owner and mode as the root's */
static gboolean
copy_root_attributes (const gchar *key, const gchar *lower, const gchar *upper, GError **error)
{
  struct stat st;

  if (stat (lower, &st) != 0)
    return berth_overlay_set_errno_error (error, errno, "snapshot %s: reading %s", key, lower);
  if (chown (upper, st.st_uid, st.st_gid) != 0)
    return berth_overlay_set_errno_error (error, errno, "snapshot %s: preparing %s", key, upper);
  if (chmod (upper, st.st_mode & 07777) != 0)
    return berth_overlay_set_errno_error (error, errno, "snapshot %s: preparing %s", key, upper);
  return TRUE;
}

static gboolean
create_snapshot (BerthOverlaySnapshotter *self,
                 const gchar *key,
                 const gchar *chain,
                 SnapshotKind kind,
                 const gchar *lower,
                 GError **error)
{
  g_autofree gchar *snapshot_dir = snapshot_dir_for (self, key);
  g_autofree gchar *upper = g_build_filename (snapshot_dir, "upper", NULL);
  g_autofree gchar *work = g_build_filename (snapshot_dir, "work", NULL);
  g_autofree gchar *empty = g_build_filename (snapshot_dir, "empty", NULL);
  g_autofree gchar *bottom = g_build_filename (snapshot_dir, "bottom", NULL);
  g_autofree gchar *rootfs = g_build_filename (snapshot_dir, "rootfs", NULL);
  SnapshotRecord record = { (gchar *)chain, kind, FALSE };

  if (g_mkdir (snapshot_dir, 0700) != 0)
    return berth_overlay_set_errno_error (error, errno, "creating snapshot %s", key);
  if (g_mkdir (rootfs, 0755) != 0)
    return berth_overlay_set_errno_error (error, errno, "creating snapshot %s", key);
  if (lower == NULL && g_mkdir (empty, 0755) != 0)
    return berth_overlay_set_errno_error (error, errno, "creating snapshot %s", key);
  if (kind == SNAPSHOT_VIEW && g_mkdir (bottom, 0755) != 0)
    return berth_overlay_set_errno_error (error, errno, "creating snapshot %s", key);
  if (kind == SNAPSHOT_WRITABLE)
    {
      if (g_mkdir (upper, 0755) != 0 || g_mkdir (work, 0700) != 0)
        return berth_overlay_set_errno_error (error, errno, "creating snapshot %s", key);
      if (!copy_root_attributes (key, lower != NULL ? lower : empty, upper, error))
        return FALSE;
    }
  /* the record comes last: a directory without one is a prepare that never
   * finished, and restore() removes it */
  if (!record_save (snapshot_dir, &record, error))
    {
      g_prefix_error (error, "creating snapshot %s: ", key);
      return FALSE;
    }
  return mount_snapshot (key, snapshot_dir, kind, lower, error);
}

static gchar *
make_snapshot (BerthOverlaySnapshotter *self,
               const gchar *key,
               const gchar *chain_id,
               SnapshotKind kind,
               GCancellable *cancellable,
               GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree gchar *snapshot_dir = NULL;
  g_autofree gchar *rootfs = NULL;
  g_autofree gchar *lower = NULL;
  g_autoptr(SnapshotRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;
  const gchar *chain = chain_id != NULL ? chain_id : "";

  if (!validate_key (key, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  locker = g_mutex_locker_new (&self->lock);
  snapshot_dir = snapshot_dir_for (self, key);
  rootfs = g_build_filename (snapshot_dir, "rootfs", NULL);

  record = record_load (snapshot_dir, &local_error);
  if (record != NULL && !record->removed)
    {
      gboolean mounted = FALSE;

      /* the same request finds the same snapshot again; another is refused */
      if (record->kind != kind || g_strcmp0 (record->chain, chain) != 0)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_ALREADY_EXISTS,
                       "snapshot %s exists already, as a %s snapshot of %s", key,
                       kind_to_string (record->kind),
                       record->chain[0] != '\0' ? record->chain : "the empty tree");
          return NULL;
        }
      if (!berth_overlay_is_mount_point (rootfs, &mounted, error))
        return NULL;
      if (mounted)
        return g_steal_pointer (&rootfs);
      lower = lower_for_chain (self, key, chain, cancellable, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (!mount_snapshot (key, snapshot_dir, kind, lower, error))
        return NULL;
      return g_steal_pointer (&rootfs);
    }
  if (record == NULL && !g_error_matches (local_error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND))
    g_debug ("snapshot %s: unreadable record, removing leftovers: %s", key, local_error->message);
  g_clear_error (&local_error);

  /* leftovers of a removal or a prepare that did not finish */
  if (g_file_test (snapshot_dir, G_FILE_TEST_EXISTS)
      && !destroy_snapshot (self, key, record, error))
    return NULL;

  lower = lower_for_chain (self, key, chain, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (!create_snapshot (self, key, chain, kind, lower, error))
    {
      g_autoptr(GError) cleanup_error = NULL;
      if (!destroy_snapshot (self, key, NULL, &cleanup_error))
        g_warning ("snapshot %s: cleaning up after a failed prepare: %s", key,
                   cleanup_error->message);
      return NULL;
    }
  g_debug ("snapshot %s: %s snapshot of %s at %s", key, kind_to_string (kind),
           chain[0] != '\0' ? chain : "the empty tree", rootfs);
  return g_steal_pointer (&rootfs);
}

static gchar *
berth_overlay_snapshotter_prepare (BerthSnapshotter *snapshotter,
                                   const gchar *key,
                                   const gchar *chain_id,
                                   GCancellable *cancellable,
                                   GError **error)
{
  return make_snapshot (BERTH_OVERLAY_SNAPSHOTTER (snapshotter), key, chain_id, SNAPSHOT_WRITABLE,
                        cancellable, error);
}

static gchar *
berth_overlay_snapshotter_view (BerthSnapshotter *snapshotter,
                                const gchar *key,
                                const gchar *chain_id,
                                GCancellable *cancellable,
                                GError **error)
{
  return make_snapshot (BERTH_OVERLAY_SNAPSHOTTER (snapshotter), key, chain_id, SNAPSHOT_VIEW,
                        cancellable, error);
}

static gboolean
berth_overlay_snapshotter_remove (BerthSnapshotter *snapshotter,
                                  const gchar *key,
                                  GCancellable *cancellable,
                                  GError **error)
{
  BerthOverlaySnapshotter *self = BERTH_OVERLAY_SNAPSHOTTER (snapshotter);
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree gchar *snapshot_dir = NULL;
  g_autoptr(SnapshotRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!validate_key (key, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  locker = g_mutex_locker_new (&self->lock);
  snapshot_dir = snapshot_dir_for (self, key);
  record = record_load (snapshot_dir, &local_error);
  if (record == NULL && !g_file_test (snapshot_dir, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "no snapshot %s", key);
      return FALSE;
    }
  return destroy_snapshot (self, key, record, error);
}

static gint
compare_keys (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

static GStrv
berth_overlay_snapshotter_list (BerthSnapshotter *snapshotter,
                                GCancellable *cancellable,
                                GError **error)
{
  BerthOverlaySnapshotter *self = BERTH_OVERLAY_SNAPSHOTTER (snapshotter);
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  locker = g_mutex_locker_new (&self->lock);
  dir = g_dir_open (self->dir, 0, error);
  if (dir == NULL)
    {
      berth_error_convert (error);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *snapshot_dir = NULL;
      g_autoptr(SnapshotRecord) record = NULL;

      if (!validate_key (name, NULL))
        continue;
      snapshot_dir = snapshot_dir_for (self, name);
      record = record_load (snapshot_dir, NULL);
      if (record != NULL && !record->removed)
        g_ptr_array_add (keys, g_strdup (name));
    }
  g_ptr_array_sort (keys, compare_keys);
  g_ptr_array_add (keys, NULL);
  return (GStrv)g_ptr_array_free (g_steal_pointer (&keys), FALSE);
}

static gboolean
berth_overlay_snapshotter_usage (BerthSnapshotter *snapshotter,
                                 const gchar *key,
                                 guint64 *out_bytes,
                                 GCancellable *cancellable,
                                 GError **error)
{
  BerthOverlaySnapshotter *self = BERTH_OVERLAY_SNAPSHOTTER (snapshotter);
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree gchar *snapshot_dir = NULL;
  g_autofree gchar *upper = NULL;
  g_autoptr(SnapshotRecord) record = NULL;
  g_autoptr(GHashTable) seen = NULL;
  guint64 total = 0;
  int fd;

  if (!validate_key (key, error))
    return FALSE;

  locker = g_mutex_locker_new (&self->lock);
  snapshot_dir = snapshot_dir_for (self, key);
  record = record_load (snapshot_dir, NULL);
  if (record == NULL || record->removed)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "no snapshot %s", key);
      return FALSE;
    }
  /* a view has nothing of its own */
  if (record->kind == SNAPSHOT_VIEW)
    {
      *out_bytes = 0;
      return TRUE;
    }
  upper = g_build_filename (snapshot_dir, "upper", NULL);
  fd = open (upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return berth_overlay_set_errno_error (error, errno, "usage of snapshot %s", key);
  seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  if (!berth_overlay_sum_usage_at (fd, upper, seen, &total, cancellable, error))
    {
      g_prefix_error (error, "usage of snapshot %s: ", key);
      return FALSE;
    }
  *out_bytes = total;
  return TRUE;
}

static gboolean
restore_one (BerthOverlaySnapshotter *self,
             const gchar *key,
             const SnapshotRecord *record,
             GHashTable *mount_points,
             GCancellable *cancellable,
             GError **error)
{
  g_autofree gchar *snapshot_dir = snapshot_dir_for (self, key);
  g_autofree gchar *rootfs = g_build_filename (snapshot_dir, "rootfs", NULL);
  g_autofree gchar *lower = NULL;
  g_autoptr(GError) local_error = NULL;

  if (g_hash_table_contains (mount_points, rootfs))
    {
      g_debug ("snapshot %s: still mounted", key);
      return TRUE;
    }
  lower = lower_for_chain (self, key, record->chain, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!mount_snapshot (key, snapshot_dir, record->kind, lower, error))
    return FALSE;
  g_debug ("snapshot %s: mounted again", key);
  return TRUE;
}

static gboolean
berth_overlay_snapshotter_restore (BerthSnapshotter *snapshotter,
                                   const gchar *const *keep,
                                   GCancellable *cancellable,
                                   GError **error)
{
  BerthOverlaySnapshotter *self = BERTH_OVERLAY_SNAPSHOTTER (snapshotter);
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GHashTable) mount_points = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) failed = g_string_new (NULL);
  g_autoptr(GError) first_error = NULL;
  const gchar *name;

  locker = g_mutex_locker_new (&self->lock);
  mount_points = berth_overlay_mount_points_read (error);
  if (mount_points == NULL)
    return FALSE;
  dir = g_dir_open (self->dir, 0, error);
  if (dir == NULL)
    {
      berth_error_convert (error);
      g_prefix_error (error, "restoring snapshots: ");
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));

  for (guint i = 0; i < names->len; i++)
    {
      const gchar *key = names->pdata[i];
      g_autofree gchar *snapshot_dir = NULL;
      g_autoptr(SnapshotRecord) record = NULL;
      g_autoptr(GError) local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!validate_key (key, NULL))
        {
          g_warning ("%s/%s is not a snapshot; leaving it alone", self->dir, key);
          continue;
        }
      snapshot_dir = snapshot_dir_for (self, key);
      record = record_load (snapshot_dir, NULL);
      if (record != NULL && !record->removed && keep != NULL && g_strv_contains (keep, key))
        {
          if (!restore_one (self, key, record, mount_points, cancellable, &local_error))
            {
              g_warning ("snapshot %s not restored: %s", key, local_error->message);
              g_string_append_printf (failed, "%s%s", failed->len > 0 ? ", " : "", key);
              if (first_error == NULL)
                first_error = g_steal_pointer (&local_error);
            }
          continue;
        }
      /* not wanted, removed before a crash (kept or not), or a prepare that
       * never finished; one that cannot go now is tried again next time */
      if (!destroy_snapshot (self, key, record, &local_error))
        {
          g_warning ("leftover snapshot %s not removed: %s", key, local_error->message);
          continue;
        }
      g_info ("removed leftover snapshot %s", key);
    }

  if (first_error != NULL)
    {
      g_set_error (error, BERTH_ERROR, first_error->code, "snapshots not restored: %s; %s",
                   failed->str, first_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
berth_overlay_snapshotter_iface_init (BerthSnapshotterInterface *iface)
{
  iface->prepare = berth_overlay_snapshotter_prepare;
  iface->view = berth_overlay_snapshotter_view;
  iface->remove = berth_overlay_snapshotter_remove;
  iface->list = berth_overlay_snapshotter_list;
  iface->usage = berth_overlay_snapshotter_usage;
  iface->restore = berth_overlay_snapshotter_restore;
}

static gboolean
berth_overlay_snapshotter_initable_init (GInitable *initable,
                                         GCancellable *cancellable,
                                         GError **error)
{
  BerthOverlaySnapshotter *self = BERTH_OVERLAY_SNAPSHOTTER (initable);
  const gchar *dir;
  g_autofree gchar *resolved = NULL;

  if (self->paths == NULL)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "the overlay snapshotter needs a path store");
      return FALSE;
    }
  if (self->store == NULL)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                           "the overlay snapshotter needs a content store, and none is active");
      return FALSE;
    }
  dir = berth_paths_get (self->paths, BERTH_PATH_SNAPSHOTS);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    return berth_overlay_set_errno_error (error, errno, "creating the snapshots directory %s", dir);
  /* mountinfo shows resolved paths: resolve ours once to compare with it */
  resolved = realpath (dir, NULL);
  if (resolved == NULL)
    return berth_overlay_set_errno_error (error, errno, "resolving the snapshots directory %s",
                                          dir);
  self->dir = g_steal_pointer (&resolved);
  return TRUE;
}

static void
berth_overlay_snapshotter_initable_iface_init (GInitableIface *iface)
{
  iface->init = berth_overlay_snapshotter_initable_init;
}

static void
berth_overlay_snapshotter_set_property (GObject *object,
                                        guint prop_id,
                                        const GValue *value,
                                        GParamSpec *pspec)
{
  BerthOverlaySnapshotter *self = BERTH_OVERLAY_SNAPSHOTTER (object);

  switch (prop_id)
    {
      case PROP_PATHS:
        g_set_object (&self->paths, g_value_get_object (value));
        break;
      case PROP_CONFIG:
        g_clear_pointer (&self->config, g_key_file_unref);
        self->config = g_value_dup_boxed (value);
        break;
      case PROP_CONTENT_STORE:
        g_set_object (&self->store, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
}

static void
berth_overlay_snapshotter_get_property (GObject *object,
                                        guint prop_id,
                                        GValue *value,
                                        GParamSpec *pspec)
{
  BerthOverlaySnapshotter *self = BERTH_OVERLAY_SNAPSHOTTER (object);

  switch (prop_id)
    {
      case PROP_PATHS:
        g_value_set_object (value, self->paths);
        break;
      case PROP_CONFIG:
        g_value_set_boxed (value, self->config);
        break;
      case PROP_CONTENT_STORE:
        g_value_set_object (value, self->store);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
}

static void
berth_overlay_snapshotter_finalize (GObject *object)
{
  BerthOverlaySnapshotter *self = BERTH_OVERLAY_SNAPSHOTTER (object);

  /* snapshots outlive the object: plugins keep running across a restart */
  g_clear_object (&self->paths);
  g_clear_pointer (&self->config, g_key_file_unref);
  g_clear_object (&self->store);
  g_free (self->dir);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (berth_overlay_snapshotter_parent_class)->finalize (object);
}

static void
berth_overlay_snapshotter_class_init (BerthOverlaySnapshotterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = berth_overlay_snapshotter_set_property;
  object_class->get_property = berth_overlay_snapshotter_get_property;
  object_class->finalize = berth_overlay_snapshotter_finalize;

  props[PROP_PATHS]
    = g_param_spec_object ("paths", NULL, NULL, BERTH_TYPE_PATHS,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* berthd.conf; the [snapshotter] group has no options for overlay yet */
  props[PROP_CONFIG]
    = g_param_spec_boxed ("config", NULL, NULL, G_TYPE_KEY_FILE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_CONTENT_STORE]
    = g_param_spec_object ("content-store", NULL, NULL, BERTH_TYPE_CONTENT_STORE,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
berth_overlay_snapshotter_class_finalize (BerthOverlaySnapshotterClass *klass)
{
}

static void
berth_overlay_snapshotter_init (BerthOverlaySnapshotter *self)
{
  g_mutex_init (&self->lock);
}

gboolean
berth_module_overlay_load (GTypeModule *module, GError **error);

/**
 * berth_module_overlay_load:
 * @module: the module registering the types
 * @error: return location for a #GError
 *
 * Registers the overlay snapshotter.
 *
 * Returns: %TRUE
 */
gboolean
berth_module_overlay_load (GTypeModule *module, GError **error)
{
  berth_overlay_snapshotter_register_type (module);
  g_io_extension_point_implement (BERTH_EXTENSION_POINT_SNAPSHOTTER, BERTH_TYPE_OVERLAY_SNAPSHOTTER,
                                  "overlay", 10);
  return TRUE;
}

BERTH_MODULE_DEFINE (overlay)
