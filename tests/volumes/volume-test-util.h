/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

G_BEGIN_DECLS

BerthVolumeService *vt_service_new (BerthPaths *paths, GKeyFile *config);
BerthVolume *vt_create (BerthVolumeService *service,
                        const gchar *name,
                        const gchar *driver,
                        const gchar *const *opts,
                        const gchar *const *labels,
                        GError **error);
gboolean vt_remove (BerthVolumeService *service, const gchar *name, gboolean force, GError **error);
BerthVolume *vt_inspect (BerthVolumeService *service, const gchar *name, GError **error);
gchar *vt_mount (BerthVolumeService *service, const gchar *name, gchar **out_id, GError **error);
gboolean
vt_unmount (BerthVolumeService *service, const gchar *name, const gchar *id, GError **error);
GStrv vt_prune (BerthVolumeService *service,
                const gchar *const *filters,
                guint64 *reclaimed,
                GError **error);
gchar *vt_inspect_text (BerthVolume *volume);
void vt_assert_hex64 (const gchar *text);
void vt_assert_error (const GError *error, gint code, const gchar *message);
void vt_activate (BerthVolumeService *service,
                  const gchar *id,
                  const gchar *name,
                  const gchar *socket_path,
                  const gchar *propagated_host,
                  const gchar *rootfs);

G_END_DECLS
