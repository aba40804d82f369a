/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "berth-plugin-config.h"

G_BEGIN_DECLS

/*
 * The JSON mapping of Docker's plugin types, shared by berth-plugin-config.c
 * and berth-plugin-settings.c. A struct is described by a table of fields in
 * Go struct order, which is both the order Docker emits keys in and all the
 * reader needs to match keys the way Go's encoding/json does.
 */

typedef enum {
  BERTH_PLUGIN_JSON_STRING,          /* gchar *, never NULL */
  BERTH_PLUGIN_JSON_NULLABLE_STRING, /* gchar *, NULL for JSON null (Go *string) */
  BERTH_PLUGIN_JSON_STRV,            /* gchar **, NULL for JSON null (Go []string) */
  BERTH_PLUGIN_JSON_BOOLEAN,         /* gboolean */
  BERTH_PLUGIN_JSON_UINT32,          /* guint32 */
  BERTH_PLUGIN_JSON_OBJECT,          /* a Go struct; its fields live in the same C struct */
  BERTH_PLUGIN_JSON_OPTIONAL_OBJECT, /* a Go *struct; the offset is of its gboolean "present" */
  BERTH_PLUGIN_JSON_ARRAY,           /* GPtrArray * of element structs, NULL for JSON null */
} BerthPluginJsonKind;

typedef struct _BerthPluginJsonField BerthPluginJsonField;
typedef struct _BerthPluginJsonElement BerthPluginJsonElement;

struct _BerthPluginJsonField {
  const gchar *key;
  BerthPluginJsonKind kind;
  gboolean omitempty;
  gsize offset;
  const BerthPluginJsonField *fields;     /* OBJECT and OPTIONAL_OBJECT */
  const BerthPluginJsonElement *element; /* ARRAY */
};

struct _BerthPluginJsonElement {
  gsize size;
  const BerthPluginJsonField *fields;
  GDestroyNotify free_func;
};

extern const BerthPluginJsonElement berth_plugin_json_mount_element;
extern const BerthPluginJsonElement berth_plugin_json_device_element;

/* the member order of a parsed text, including repeated keys; NULL reads
 * a tree's members in json-glib's order */
typedef struct _BerthPluginJsonReader BerthPluginJsonReader;

void berth_plugin_json_init (const BerthPluginJsonField *fields, gpointer base);
void berth_plugin_json_clear (const BerthPluginJsonField *fields, gpointer base);
void berth_plugin_json_copy (const BerthPluginJsonField *fields, gconstpointer src, gpointer dest);
GPtrArray *berth_plugin_json_array_copy (const BerthPluginJsonElement *element, GPtrArray *array);
gboolean berth_plugin_json_read (BerthPluginJsonReader *reader,
                                 JsonNode *node,
                                 const gchar *path,
                                 const BerthPluginJsonField *fields,
                                 gpointer base,
                                 GError **error);
JsonNode *berth_plugin_json_write (const BerthPluginJsonField *fields, gconstpointer base);

gchar *berth_plugin_go_quote (const gchar *str);
gchar **berth_plugin_go_split (const gchar *str, const gchar *separator);
gboolean berth_plugin_strv_equal (const gchar *const *a, const gchar *const *b);

G_END_DECLS
