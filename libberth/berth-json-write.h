/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BerthJsonFlags:
 * @BERTH_JSON_NONE: compact, as docker's API responses
 * @BERTH_JSON_PRETTY: indented by four spaces, as docker's inspect
 * @BERTH_JSON_ESCAPE_HTML: `<`, `>` and `&` as `\u003c`…, as Go's json.Marshal
 *   and the encoder dockerd writes config blobs with
 */
typedef enum
{
  BERTH_JSON_NONE = 0,
  BERTH_JSON_PRETTY = 1 << 0,
  BERTH_JSON_ESCAPE_HTML = 1 << 1,
} BerthJsonFlags;

void berth_json_append_string (GString *out, const gchar *s);
void berth_json_append_string_flags (GString *out, const gchar *s, BerthJsonFlags flags);
void berth_json_append_indent (GString *out, guint depth);
void berth_json_append_variant (GString *out, GVariant *value, gboolean pretty, guint depth);
gchar *berth_json_from_variant (GVariant *value, gboolean pretty);
gchar *berth_go_quote (const gchar *str);
gchar *berth_json_indent (const gchar *json);

G_END_DECLS
