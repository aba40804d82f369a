/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BerthCliProgress BerthCliProgress;

/* clang-format off */
BerthCliProgress *berth_cli_progress_new (gint fd);
void berth_cli_progress_update (BerthCliProgress *self, const gchar *id, const gchar *status, guint64 current, guint64 total);
void berth_cli_progress_free (BerthCliProgress *self);
/* clang-format on */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthCliProgress, berth_cli_progress_free)

G_END_DECLS
