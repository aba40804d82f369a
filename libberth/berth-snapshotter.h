/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BERTH_TYPE_SNAPSHOTTER (berth_snapshotter_get_type ())
G_DECLARE_INTERFACE (BerthSnapshotter, berth_snapshotter, BERTH, SNAPSHOTTER, GObject)

/**
 * BerthSnapshotterInterface:
 * @prepare: makes (or finds again) the writable snapshot @key of the layer
 *   tree @chain_id and returns the directory to use as a root file system
 * @view: the same, read-only
 * @remove: unmounts and deletes a snapshot; %BERTH_ERROR_IN_USE while
 *   something still uses its mount
 * @list: the keys of all snapshots
 * @usage: the bytes that belong to the snapshot alone (its writable layer)
 * @restore: after a restart: mounts again the snapshots in @keep and
 *   removes every other one
 *
 * Root file systems for plugins and images, made from the content store's
 * layer trees (the snapshotter gets the store as its `content-store`
 * property). A snapshot never writes into the trees it is made from.
 */
struct _BerthSnapshotterInterface
{
  GTypeInterface g_iface;

  gchar *(*prepare) (BerthSnapshotter *self,
                     const gchar *key,
                     const gchar *chain_id,
                     GCancellable *cancellable,
                     GError **error);
  gchar *(*view) (BerthSnapshotter *self,
                  const gchar *key,
                  const gchar *chain_id,
                  GCancellable *cancellable,
                  GError **error);
  gboolean (*remove) (BerthSnapshotter *self,
                      const gchar *key,
                      GCancellable *cancellable,
                      GError **error);
  GStrv (*list) (BerthSnapshotter *self, GCancellable *cancellable, GError **error);
  gboolean (*usage) (BerthSnapshotter *self,
                     const gchar *key,
                     guint64 *out_bytes,
                     GCancellable *cancellable,
                     GError **error);
  gboolean (*restore) (BerthSnapshotter *self,
                       const gchar *const *keep,
                       GCancellable *cancellable,
                       GError **error);

  /*< private >*/
  gpointer padding[16];
};

gchar *berth_snapshotter_prepare (BerthSnapshotter *self,
                                  const gchar *key,
                                  const gchar *chain_id,
                                  GCancellable *cancellable,
                                  GError **error);
gchar *berth_snapshotter_view (BerthSnapshotter *self,
                               const gchar *key,
                               const gchar *chain_id,
                               GCancellable *cancellable,
                               GError **error);
gboolean berth_snapshotter_remove (BerthSnapshotter *self,
                                   const gchar *key,
                                   GCancellable *cancellable,
                                   GError **error);
GStrv berth_snapshotter_list (BerthSnapshotter *self, GCancellable *cancellable, GError **error);
gboolean berth_snapshotter_usage (BerthSnapshotter *self,
                                  const gchar *key,
                                  guint64 *out_bytes,
                                  GCancellable *cancellable,
                                  GError **error);
gboolean berth_snapshotter_restore (BerthSnapshotter *self,
                                    const gchar *const *keep,
                                    GCancellable *cancellable,
                                    GError **error);

G_END_DECLS
