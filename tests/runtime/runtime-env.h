/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

G_BEGIN_DECLS

GType runtime_env_type (const gchar *name, gint *out_priority, GError **error);
BerthRuntime *
runtime_env_new (const gchar *name, BerthPaths *paths, GKeyFile *config, GError **error);
gboolean runtime_env_busybox_usable (void);
gboolean runtime_env_make_plugin_bundle (const gchar *dir,
                                         const gchar *config_json,
                                         const gchar *settings_json,
                                         const gchar *propagated_dir,
                                         GError **error);
gboolean runtime_env_make_bundle (const gchar *dir, const gchar *const *entrypoint, GError **error);
void runtime_env_remove_tree (const gchar *path);

G_END_DECLS
