/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BERTH_TYPE_SNAPSHOTTER (berth_snapshotter_get_type ())
G_DECLARE_INTERFACE (BerthSnapshotter, berth_snapshotter, BERTH, SNAPSHOTTER, GObject)

/**
 * BerthSnapshotterInterface:
 * @prepare: makes a writable snapshot @key of the layer tree @chain_id and
 *   returns the directory to use as a root file system
 * @view: makes a read-only snapshot
 * @remove: removes a snapshot
 * @list: the keys of all snapshots
 *
 * Root file systems for plugins and images, made from layer trees.
 * Grows with the snapshotter issue.
 */
struct _BerthSnapshotterInterface {
  GTypeInterface g_iface;

  gchar *(*prepare) (BerthSnapshotter *self, const gchar *key, const gchar *chain_id,
                     GCancellable *cancellable, GError **error);
  gchar *(*view) (BerthSnapshotter *self, const gchar *key, const gchar *chain_id,
                  GCancellable *cancellable, GError **error);
  gboolean (*remove) (BerthSnapshotter *self, const gchar *key, GCancellable *cancellable,
                      GError **error);
  GStrv (*list) (BerthSnapshotter *self, GCancellable *cancellable, GError **error);

  /*< private >*/
  gpointer padding[16];
};

gchar *berth_snapshotter_prepare (BerthSnapshotter *self, const gchar *key, const gchar *chain_id,
                                  GCancellable *cancellable, GError **error);
gchar *berth_snapshotter_view (BerthSnapshotter *self, const gchar *key, const gchar *chain_id,
                               GCancellable *cancellable, GError **error);
gboolean berth_snapshotter_remove (BerthSnapshotter *self, const gchar *key,
                                   GCancellable *cancellable, GError **error);
GStrv berth_snapshotter_list (BerthSnapshotter *self, GCancellable *cancellable, GError **error);

G_END_DECLS
