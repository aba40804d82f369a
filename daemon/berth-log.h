/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void berth_log_setup (const gchar *program);
gboolean berth_log_set_level (const gchar *level, GError **error);
const gchar *berth_log_get_level (void);

G_END_DECLS
