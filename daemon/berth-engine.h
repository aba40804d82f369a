/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

#include "berth-modules.h"

G_BEGIN_DECLS

#define BERTH_TYPE_ENGINE (berth_engine_get_type ())
G_DECLARE_FINAL_TYPE (BerthEngine, berth_engine, BERTH, ENGINE, GObject)

BerthEngine *
berth_engine_new (BerthPaths *paths, GKeyFile *config);
gboolean
berth_engine_startup (BerthEngine *self, GCancellable *cancellable, GError **error);
void
berth_engine_shutdown (BerthEngine *self);
BerthPaths *
berth_engine_get_paths (BerthEngine *self);
GKeyFile *
berth_engine_get_config (BerthEngine *self);
BerthModules *
berth_engine_get_modules (BerthEngine *self);
guint
berth_engine_get_plugin_count (BerthEngine *self, gboolean enabled_only);
guint
berth_engine_get_volume_count (BerthEngine *self);

G_END_DECLS
