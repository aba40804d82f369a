/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "berth-json-write.h"

G_BEGIN_DECLS

/*
 * The JSON mapping of Docker's plugin types (berth-plugin-json.c), shared by
 * berth-plugin-config.c and berth-plugin-settings.c. A struct is described
 * by a table of fields in Go struct order, which is both the order Docker
 * writes keys in and all the reader needs to match keys as Go's
 * encoding/json does.
 */

typedef enum
{
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

struct _BerthPluginJsonField
{
  const gchar *key;
  BerthPluginJsonKind kind;
  gboolean omitempty;
  gsize offset;
  const BerthPluginJsonField *fields;    /* OBJECT and OPTIONAL_OBJECT */
  const BerthPluginJsonElement *element; /* ARRAY */
};

struct _BerthPluginJsonElement
{
  gsize size;
  const BerthPluginJsonField *fields;
  GDestroyNotify free_func;
};

/* table rows: FIELD ("Key", STRING, Type, member) and friends */
#define FIELD(k, kind, type, member)                                                               \
  {                                                                                                \
    k, BERTH_PLUGIN_JSON_##kind, FALSE, G_STRUCT_OFFSET (type, member), NULL, NULL                 \
  }
#define FIELD_OMITEMPTY(k, kind, type, member)                                                     \
  {                                                                                                \
    k, BERTH_PLUGIN_JSON_##kind, TRUE, G_STRUCT_OFFSET (type, member), NULL, NULL                  \
  }
#define FIELD_OBJECT(k, sub)                                                                       \
  {                                                                                                \
    k, BERTH_PLUGIN_JSON_OBJECT, FALSE, 0, sub, NULL                                               \
  }
#define FIELD_ARRAY(k, type, member, elem)                                                         \
  {                                                                                                \
    k, BERTH_PLUGIN_JSON_ARRAY, FALSE, G_STRUCT_OFFSET (type, member), NULL, elem                  \
  }
#define FIELD_END                                                                                  \
  {                                                                                                \
    NULL, 0, FALSE, 0, NULL, NULL                                                                  \
  }

extern const BerthPluginJsonElement berth_plugin_json_mount_element;
extern const BerthPluginJsonElement berth_plugin_json_device_element;
extern const BerthPluginJsonElement berth_plugin_json_env_element;
extern const BerthPluginJsonElement berth_plugin_json_args_element;
extern const BerthPluginJsonElement berth_plugin_json_privilege_element;

/* the members of every object of a parsed text in document order, repeated
 * keys included; a %NULL reader reads a tree in json-glib's order */
typedef struct _BerthPluginJsonReader BerthPluginJsonReader;

JsonNode *berth_plugin_json_parse (const gchar *data,
                                   gssize length,
                                   BerthPluginJsonReader **reader,
                                   GError **error);
void berth_plugin_json_reader_free (BerthPluginJsonReader *reader);
gboolean berth_json_text_check (const gchar *data, gsize length, guint max_depth, GError **error);
gboolean berth_json_node_check_utf8 (JsonNode *node, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthPluginJsonReader, berth_plugin_json_reader_free)

void berth_plugin_json_init (const BerthPluginJsonField *fields, gpointer base);
void berth_plugin_json_clear (const BerthPluginJsonField *fields, gpointer base);
void berth_plugin_json_copy (const BerthPluginJsonField *fields, gconstpointer src, gpointer dest);
gpointer berth_plugin_json_element_new (const BerthPluginJsonElement *element);
gpointer berth_plugin_json_element_copy (const BerthPluginJsonElement *element, gconstpointer item);
void berth_plugin_json_element_free (const BerthPluginJsonElement *element, gpointer item);
GPtrArray *berth_plugin_json_array_copy (const BerthPluginJsonElement *element, GPtrArray *array);
gboolean berth_plugin_json_read (BerthPluginJsonReader *reader,
                                 JsonNode *node,
                                 const gchar *path,
                                 const BerthPluginJsonField *fields,
                                 gpointer base,
                                 GError **error);
JsonNode *berth_plugin_json_take_array (JsonArray *array);
JsonNode *berth_plugin_json_take_object (JsonObject *object);
JsonNode *berth_plugin_json_write (const BerthPluginJsonField *fields, gconstpointer base);

gboolean berth_plugin_field_error (GError **error, const gchar *path, const gchar *format, ...)
  G_GNUC_PRINTF (3, 4);
gchar **berth_plugin_go_split (const gchar *str, const gchar *separator);
gboolean berth_plugin_strv_equal (const gchar *const *a, const gchar *const *b);

G_END_DECLS
