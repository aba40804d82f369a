/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean berth_rm_rf (const gchar *path, GError **error);

G_END_DECLS
