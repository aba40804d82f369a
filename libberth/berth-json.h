/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "berth-json-write.h"

G_BEGIN_DECLS

gchar *berth_json_to_string (JsonNode *node, gboolean pretty);
void berth_json_append (GString *out, JsonNode *node, BerthJsonFlags flags);
JsonNode *berth_json_parse (const gchar *text, gssize length, GError **error);

GVariant *berth_json_to_dbus_variant (JsonNode *node);

G_END_DECLS
