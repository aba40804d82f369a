/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "berth-json-write.h"

G_BEGIN_DECLS

gchar *berth_json_to_string (JsonNode *node, gboolean pretty);
void berth_json_append (GString *out, JsonNode *node, BerthJsonFlags flags);
JsonNode *berth_json_parse (const gchar *text, gssize length, GError **error);

GVariant *berth_json_to_dbus_variant (JsonNode *node);

const gchar *berth_json_object_get_string (JsonObject *object, const gchar *name);
gint64 berth_json_object_get_int (JsonObject *object, const gchar *name, gint64 default_value);
GStrv berth_json_object_get_strv (JsonObject *object, const gchar *name, GError **error);
void berth_json_builder_set_string (JsonBuilder *builder, const gchar *name, const gchar *value);
void
berth_json_builder_set_strv (JsonBuilder *builder, const gchar *name, const gchar *const *strv);

G_END_DECLS
