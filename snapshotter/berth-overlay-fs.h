/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include <berth.h>

G_BEGIN_DECLS

/* the file-system work of the overlay snapshotter: errno at the edge,
 * mountinfo, unmounting, and walks that never cross into another mount */

gboolean
berth_overlay_set_errno_error (GError **error, int errsv, const gchar *format, ...)
  G_GNUC_PRINTF (3, 4);

GHashTable *
berth_overlay_mount_points_read (GError **error);
gboolean
berth_overlay_is_mount_point (const gchar *path, gboolean *out_mounted, GError **error);
gboolean
berth_overlay_unmount_all (const gchar *key, const gchar *path, GError **error);
void
berth_overlay_append_escaped_path (GString *out, const gchar *path);

gboolean
berth_overlay_remove_tree_at (
  int parent_fd, const gchar *name, dev_t dev, const gchar *where, GError **error);
gboolean
berth_overlay_sum_usage_at (int fd,
                            const gchar *where,
                            GHashTable *seen,
                            guint64 *total,
                            GCancellable *cancellable,
                            GError **error);

G_END_DECLS
