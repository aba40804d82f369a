/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include "berth-interface-private.h"
#include "berth-snapshotter.h"

G_DEFINE_INTERFACE (BerthSnapshotter, berth_snapshotter, G_TYPE_OBJECT)

static void
berth_snapshotter_default_init (BerthSnapshotterInterface *iface)
{
}

/**
 * berth_snapshotter_prepare:
 * @self: a #BerthSnapshotter
 * @key: the snapshot's name
 * @chain_id: the layer tree it starts from
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the writable root directory of the snapshot
 */
gchar *
berth_snapshotter_prepare (BerthSnapshotter *self,
                           const gchar *key,
                           const gchar *chain_id,
                           GCancellable *cancellable,
                           GError **error)
{
  BerthSnapshotterInterface *iface;
  g_return_val_if_fail (BERTH_IS_SNAPSHOTTER (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  iface = BERTH_SNAPSHOTTER_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, prepare, self, error, NULL);
  return iface->prepare (self, key, chain_id, cancellable, error);
}

/**
 * berth_snapshotter_view:
 * @self: a #BerthSnapshotter
 * @key: the snapshot's name
 * @chain_id: the layer tree it shows
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the read-only root directory of the snapshot
 */
gchar *
berth_snapshotter_view (BerthSnapshotter *self,
                        const gchar *key,
                        const gchar *chain_id,
                        GCancellable *cancellable,
                        GError **error)
{
  BerthSnapshotterInterface *iface;
  g_return_val_if_fail (BERTH_IS_SNAPSHOTTER (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  iface = BERTH_SNAPSHOTTER_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, view, self, error, NULL);
  return iface->view (self, key, chain_id, cancellable, error);
}

/**
 * berth_snapshotter_remove:
 * @self: a #BerthSnapshotter
 * @key: the snapshot's name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the snapshot is gone
 */
gboolean
berth_snapshotter_remove (BerthSnapshotter *self,
                          const gchar *key,
                          GCancellable *cancellable,
                          GError **error)
{
  BerthSnapshotterInterface *iface;
  g_return_val_if_fail (BERTH_IS_SNAPSHOTTER (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  iface = BERTH_SNAPSHOTTER_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, remove, self, error, FALSE);
  return iface->remove (self, key, cancellable, error);
}

/**
 * berth_snapshotter_list:
 * @self: a #BerthSnapshotter
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the keys of all snapshots
 */
GStrv
berth_snapshotter_list (BerthSnapshotter *self, GCancellable *cancellable, GError **error)
{
  BerthSnapshotterInterface *iface;
  g_return_val_if_fail (BERTH_IS_SNAPSHOTTER (self), NULL);
  iface = BERTH_SNAPSHOTTER_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, list, self, error, NULL);
  return iface->list (self, cancellable, error);
}

/**
 * berth_snapshotter_usage:
 * @self: a #BerthSnapshotter
 * @key: the snapshot's name
 * @out_bytes: (out): bytes that belong to the snapshot alone
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
berth_snapshotter_usage (BerthSnapshotter *self,
                         const gchar *key,
                         guint64 *out_bytes,
                         GCancellable *cancellable,
                         GError **error)
{
  BerthSnapshotterInterface *iface;
  g_return_val_if_fail (BERTH_IS_SNAPSHOTTER (self), FALSE);
  g_return_val_if_fail (key != NULL && out_bytes != NULL, FALSE);
  iface = BERTH_SNAPSHOTTER_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, usage, self, error, FALSE);
  return iface->usage (self, key, out_bytes, cancellable, error);
}

/**
 * berth_snapshotter_restore:
 * @self: a #BerthSnapshotter
 * @keep: the keys of snapshots still wanted
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
berth_snapshotter_restore (BerthSnapshotter *self,
                           const gchar *const *keep,
                           GCancellable *cancellable,
                           GError **error)
{
  BerthSnapshotterInterface *iface;
  g_return_val_if_fail (BERTH_IS_SNAPSHOTTER (self), FALSE);
  iface = BERTH_SNAPSHOTTER_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, restore, self, error, FALSE);
  return iface->restore (self, keep, cancellable, error);
}
