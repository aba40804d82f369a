/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void berth_json_append_string (GString *out, const gchar *s);
void berth_json_append_indent (GString *out, guint depth);
void berth_json_append_variant (GString *out, GVariant *value, gboolean pretty, guint depth);
gchar *berth_json_from_variant (GVariant *value, gboolean pretty);

G_END_DECLS
