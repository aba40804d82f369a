/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

G_BEGIN_DECLS

/* records under <root>/volumes/<name>/volume.json, and the local driver's
 * data beside them in <root>/volumes/<name>/_data, as docker lays it out */
gboolean berth_volume_store_save (const gchar *dir, BerthVolume *volume, GError **error);
gboolean berth_volume_store_delete (const gchar *dir, const gchar *name, GError **error);
GPtrArray *berth_volume_store_load_all (const gchar *dir, GError **error);

gchar *berth_volume_local_path (const gchar *dir, const gchar *name);
gboolean berth_volume_local_create (const gchar *dir,
                                    const gchar *name,
                                    GHashTable *options,
                                    GError **error);
guint64 berth_volume_local_size (const gchar *dir, const gchar *name);

G_END_DECLS
