/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <string.h>

#include "berth-error.h"
#include "berth-plugin-config.h"
#include "berth-plugin-json-private.h"

/*
 * The JSON mapping of Docker's plugin types (config.json, the Settings of a
 * plugin, privileges), read the way Go's encoding/json reads them into
 * dockerd's structs. A struct is described by a table of fields in Go
 * struct order; that order is also the order Docker writes keys in.
 *
 * Here too: the item types described by such tables (mounts, devices,
 * environment variables, args, privileges), the strict check of the JSON
 * text, and the bits of Go's behaviour the messages need (%q quoting,
 * strings.Split).
 */

#define MEMBER(base, field, type) (*(type *)G_STRUCT_MEMBER_P (base, (field)->offset))

/* "<path>: <message>", or the message alone at the top */
gboolean
berth_plugin_field_error (GError **error, const gchar *path, const gchar *format, ...)
{
  va_list args;
  g_autofree gchar *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (path == NULL || path[0] == '\0')
    g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, message);
  else
    g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%s: %s", path, message);
  return FALSE;
}

void
berth_plugin_json_init (const BerthPluginJsonField *fields, gpointer base)
{
  for (const BerthPluginJsonField *f = fields; f->key != NULL; f++)
    {
      if (f->kind == BERTH_PLUGIN_JSON_STRING)
        MEMBER (base, f, gchar *) = g_strdup ("");
      else if (f->kind == BERTH_PLUGIN_JSON_OBJECT || f->kind == BERTH_PLUGIN_JSON_OPTIONAL_OBJECT)
        berth_plugin_json_init (f->fields, base);
    }
}

void
berth_plugin_json_clear (const BerthPluginJsonField *fields, gpointer base)
{
  for (const BerthPluginJsonField *f = fields; f->key != NULL; f++)
    {
      switch (f->kind)
        {
          case BERTH_PLUGIN_JSON_STRING:
          case BERTH_PLUGIN_JSON_NULLABLE_STRING:
            g_clear_pointer (&MEMBER (base, f, gchar *), g_free);
            break;
          case BERTH_PLUGIN_JSON_STRV:
            g_clear_pointer (&MEMBER (base, f, gchar **), g_strfreev);
            break;
          case BERTH_PLUGIN_JSON_ARRAY:
            g_clear_pointer (&MEMBER (base, f, GPtrArray *), g_ptr_array_unref);
            break;
          case BERTH_PLUGIN_JSON_OPTIONAL_OBJECT:
            MEMBER (base, f, gboolean) = FALSE;
            berth_plugin_json_clear (f->fields, base);
            break;
          case BERTH_PLUGIN_JSON_OBJECT:
            berth_plugin_json_clear (f->fields, base);
            break;
          case BERTH_PLUGIN_JSON_BOOLEAN:
            MEMBER (base, f, gboolean) = FALSE;
            break;
          case BERTH_PLUGIN_JSON_UINT32:
            MEMBER (base, f, guint32) = 0;
            break;
        }
    }
}

gpointer
berth_plugin_json_element_new (const BerthPluginJsonElement *element)
{
  gpointer item = g_malloc0 (element->size);
  berth_plugin_json_init (element->fields, item);
  return item;
}

void
berth_plugin_json_element_free (const BerthPluginJsonElement *element, gpointer item)
{
  if (item == NULL)
    return;
  berth_plugin_json_clear (element->fields, item);
  g_free (item);
}

gpointer
berth_plugin_json_element_copy (const BerthPluginJsonElement *element, gconstpointer item)
{
  gpointer copy = g_malloc0 (element->size);
  berth_plugin_json_copy (element->fields, item, copy);
  return copy;
}

GPtrArray *
berth_plugin_json_array_copy (const BerthPluginJsonElement *element, GPtrArray *array)
{
  GPtrArray *copy;

  if (array == NULL)
    return NULL;
  copy = g_ptr_array_new_full (array->len, element->free_func);
  for (guint i = 0; i < array->len; i++)
    g_ptr_array_add (copy, berth_plugin_json_element_copy (element, g_ptr_array_index (array, i)));
  return copy;
}

/* @dest holds no values yet */
void
berth_plugin_json_copy (const BerthPluginJsonField *fields, gconstpointer src, gpointer dest)
{
  for (const BerthPluginJsonField *f = fields; f->key != NULL; f++)
    {
      switch (f->kind)
        {
          case BERTH_PLUGIN_JSON_STRING:
          case BERTH_PLUGIN_JSON_NULLABLE_STRING:
            MEMBER (dest, f, gchar *) = g_strdup (MEMBER (src, f, gchar *));
            break;
          case BERTH_PLUGIN_JSON_STRV:
            MEMBER (dest, f, gchar **) = g_strdupv (MEMBER (src, f, gchar **));
            break;
          case BERTH_PLUGIN_JSON_ARRAY:
            MEMBER (dest, f, GPtrArray *)
              = berth_plugin_json_array_copy (f->element, MEMBER (src, f, GPtrArray *));
            break;
          case BERTH_PLUGIN_JSON_OPTIONAL_OBJECT:
            MEMBER (dest, f, gboolean) = MEMBER (src, f, gboolean);
            berth_plugin_json_copy (f->fields, src, dest);
            break;
          case BERTH_PLUGIN_JSON_OBJECT:
            berth_plugin_json_copy (f->fields, src, dest);
            break;
          case BERTH_PLUGIN_JSON_BOOLEAN:
            MEMBER (dest, f, gboolean) = MEMBER (src, f, gboolean);
            break;
          case BERTH_PLUGIN_JSON_UINT32:
            MEMBER (dest, f, guint32) = MEMBER (src, f, guint32);
            break;
        }
    }
}

/* ---- reading ---- */

typedef struct
{
  gchar *name;
  JsonNode *node;
} JsonMember;

struct _BerthPluginJsonReader
{
  /* JsonObject → GPtrArray of JsonMember, every member in document order */
  GHashTable *objects;
};

static void
json_member_free (gpointer data)
{
  JsonMember *member = data;
  g_free (member->name);
  json_node_unref (member->node);
  g_free (member);
}

void
berth_plugin_json_reader_free (BerthPluginJsonReader *reader)
{
  if (reader == NULL)
    return;
  g_clear_pointer (&reader->objects, g_hash_table_unref);
  g_free (reader);
}

/* json-glib keeps only the last value of a repeated key, at the position of
 * the first; Go applies every occurrence in order. Recording each member as
 * the parser sees it (holding a ref, so a replaced value stays alive) lets
 * the reader do what Go does. */
static void
reader_object_member_cb (JsonParser *parser,
                         JsonObject *object,
                         const gchar *name,
                         gpointer user_data)
{
  BerthPluginJsonReader *reader = user_data;
  GPtrArray *members = g_hash_table_lookup (reader->objects, object);
  JsonMember *member = g_new0 (JsonMember, 1);

  if (members == NULL)
    {
      members = g_ptr_array_new_with_free_func (json_member_free);
      g_hash_table_insert (reader->objects, json_object_ref (object), members);
    }
  member->name = g_strdup (name);
  member->node = json_node_ref (json_object_get_member (object, name));
  g_ptr_array_add (members, member);
}

/* Go matches a key to a field exactly first, then by Unicode simple case
 * folding; for the ASCII field names here that is ASCII case-insensitivity
 * plus KELVIN SIGN for 'k' and LATIN SMALL LETTER LONG S for 's'.
 * Underscores are significant. */
static gboolean
key_fold_equal (const gchar *key, const gchar *name)
{
  const gchar *p = key;

  for (; *name != '\0'; name++)
    {
      gunichar c = g_utf8_get_char (p);
      if (c == 0x212A)
        c = 'K';
      else if (c == 0x017F)
        c = 'S';
      if (c == 0 || c >= 0x80 || g_ascii_toupper ((gchar)c) != g_ascii_toupper (*name))
        return FALSE;
      p = g_utf8_next_char (p);
    }
  return *p == '\0';
}

static const BerthPluginJsonField *
find_field (const BerthPluginJsonField *fields, const gchar *key)
{
  for (const BerthPluginJsonField *f = fields; f->key != NULL; f++)
    {
      if (g_strcmp0 (f->key, key) == 0)
        return f;
    }
  for (const BerthPluginJsonField *f = fields; f->key != NULL; f++)
    {
      if (key_fold_equal (key, f->key))
        return f;
    }
  return NULL;
}

static gboolean
node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean read_members (BerthPluginJsonReader *reader,
                              JsonNode *node,
                              const gchar *path,
                              const BerthPluginJsonField *fields,
                              gpointer base,
                              GError **error);

/* Go decodes a slice into the existing one: element i of the old slice is
 * reused (and so merged into) when a repeated key brings a new array; null
 * elements leave it as it was */
static gboolean
read_strv (JsonNode *node, const gchar *path, gchar ***strv, GError **error)
{
  JsonArray *array;
  guint old_length = *strv != NULL ? g_strv_length (*strv) : 0;
  guint length;
  gchar **result;

  if (JSON_NODE_HOLDS_NULL (node))
    {
      g_clear_pointer (strv, g_strfreev);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return berth_plugin_field_error (error, path, "expected an array of strings");
  array = json_node_get_array (node);
  length = json_array_get_length (array);
  for (guint i = 0; i < length; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_NULL (element) && !node_is_string (element))
        return berth_plugin_field_error (error, NULL, "%s[%u]: expected a string", path, i);
    }
  result = g_new0 (gchar *, length + 1);
  for (guint i = 0; i < length; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (node_is_string (element))
        result[i] = g_strdup (json_node_get_string (element));
      else
        result[i] = g_strdup (i < old_length ? (*strv)[i] : "");
    }
  g_strfreev (*strv);
  *strv = result;
  return TRUE;
}

static gboolean
read_array (BerthPluginJsonReader *reader,
            JsonNode *node,
            const gchar *path,
            const BerthPluginJsonElement *element,
            GPtrArray **array,
            GError **error)
{
  JsonArray *json_array;
  guint length;

  if (JSON_NODE_HOLDS_NULL (node))
    {
      g_clear_pointer (array, g_ptr_array_unref);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return berth_plugin_field_error (error, path, "expected an array of objects");
  json_array = json_node_get_array (node);
  length = json_array_get_length (json_array);
  if (*array == NULL)
    *array = g_ptr_array_new_with_free_func (element->free_func);
  for (guint i = 0; i < length; i++)
    {
      JsonNode *item = json_array_get_element (json_array, i);
      g_autofree gchar *item_path = g_strdup_printf ("%s[%u]", path, i);

      if (i >= (*array)->len)
        g_ptr_array_add (*array, berth_plugin_json_element_new (element));
      if (!JSON_NODE_HOLDS_NULL (item) && !JSON_NODE_HOLDS_OBJECT (item))
        return berth_plugin_field_error (error, item_path, "expected an object");
      if (!read_members (reader, item, item_path, element->fields, g_ptr_array_index (*array, i),
                         error))
        return FALSE;
    }
  g_ptr_array_set_size (*array, length);
  return TRUE;
}

static gboolean
read_field (BerthPluginJsonReader *reader,
            JsonNode *node,
            const gchar *path,
            const BerthPluginJsonField *f,
            gpointer base,
            GError **error)
{
  gboolean is_null = JSON_NODE_HOLDS_NULL (node);

  switch (f->kind)
    {
      case BERTH_PLUGIN_JSON_STRING:
      case BERTH_PLUGIN_JSON_NULLABLE_STRING:
        if (is_null)
          {
            /* null leaves a Go string alone and resets a *string */
            if (f->kind == BERTH_PLUGIN_JSON_NULLABLE_STRING)
              g_clear_pointer (&MEMBER (base, f, gchar *), g_free);
            return TRUE;
          }
        if (!node_is_string (node))
          return berth_plugin_field_error (error, path, "expected a string");
        g_free (MEMBER (base, f, gchar *));
        MEMBER (base, f, gchar *) = g_strdup (json_node_get_string (node));
        return TRUE;
      case BERTH_PLUGIN_JSON_STRV:
        return read_strv (node, path, &MEMBER (base, f, gchar **), error);
      case BERTH_PLUGIN_JSON_BOOLEAN:
        if (is_null)
          return TRUE;
        if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
          return berth_plugin_field_error (error, path, "expected a boolean");
        MEMBER (base, f, gboolean) = json_node_get_boolean (node);
        return TRUE;
      case BERTH_PLUGIN_JSON_UINT32:
        if (is_null)
          return TRUE;
        if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
            || json_node_get_int (node) < 0 || json_node_get_int (node) > G_MAXUINT32)
          return berth_plugin_field_error (error, path, "expected an unsigned 32-bit integer");
        MEMBER (base, f, guint32) = (guint32)json_node_get_int (node);
        return TRUE;
      case BERTH_PLUGIN_JSON_OBJECT:
        return read_members (reader, node, path, f->fields, base, error);
      case BERTH_PLUGIN_JSON_OPTIONAL_OBJECT:
        if (is_null)
          {
            berth_plugin_json_clear (f->fields, base);
            berth_plugin_json_init (f->fields, base);
            MEMBER (base, f, gboolean) = FALSE;
            return TRUE;
          }
        if (!read_members (reader, node, path, f->fields, base, error))
          return FALSE;
        MEMBER (base, f, gboolean) = TRUE;
        return TRUE;
      case BERTH_PLUGIN_JSON_ARRAY:
        return read_array (reader, node, path, f->element, &MEMBER (base, f, GPtrArray *), error);
    }
  return TRUE;
}

static gboolean
read_member (BerthPluginJsonReader *reader,
             const gchar *name,
             JsonNode *node,
             const gchar *path,
             const BerthPluginJsonField *fields,
             gpointer base,
             GError **error)
{
  const BerthPluginJsonField *f = find_field (fields, name);
  g_autofree gchar *member_path = NULL;

  /* unknown keys are ignored, as in Go */
  if (f == NULL)
    return TRUE;
  member_path = path[0] != '\0' ? g_strdup_printf ("%s.%s", path, f->key) : g_strdup (f->key);
  return read_field (reader, node, member_path, f, base, error);
}

static gboolean
read_members (BerthPluginJsonReader *reader,
              JsonNode *node,
              const gchar *path,
              const BerthPluginJsonField *fields,
              gpointer base,
              GError **error)
{
  JsonObject *object;
  GPtrArray *members = NULL;
  g_autoptr(GList) names = NULL;

  /* null leaves a Go struct as it was */
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return berth_plugin_field_error (
      error, path, path[0] != '\0' ? "expected an object" : "expected a JSON object");
  object = json_node_get_object (node);
  if (reader != NULL)
    members = g_hash_table_lookup (reader->objects, object);
  if (members != NULL)
    {
      for (guint i = 0; i < members->len; i++)
        {
          JsonMember *member = g_ptr_array_index (members, i);
          if (!read_member (reader, member->name, member->node, path, fields, base, error))
            return FALSE;
        }
      return TRUE;
    }
  names = json_object_get_members (object);
  for (GList *l = names; l != NULL; l = l->next)
    {
      if (!read_member (reader, l->data, json_object_get_member (object, l->data), path, fields,
                        base, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
berth_plugin_json_read (BerthPluginJsonReader *reader,
                        JsonNode *node,
                        const gchar *path,
                        const BerthPluginJsonField *fields,
                        gpointer base,
                        GError **error)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  return read_members (reader, node, path != NULL ? path : "", fields, base, error);
}

/* ---- writing ---- */

/* json_node_init_array() and json_node_init_object() add a reference */
JsonNode *
berth_plugin_json_take_array (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  return node;
}

JsonNode *
berth_plugin_json_take_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
strv_node (gchar **strv)
{
  JsonArray *array;

  if (strv == NULL)
    return json_node_new (JSON_NODE_NULL);
  array = json_array_sized_new (g_strv_length (strv));
  for (guint i = 0; strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  return berth_plugin_json_take_array (array);
}

static gboolean
field_is_empty (const BerthPluginJsonField *f, gconstpointer base)
{
  switch (f->kind)
    {
      case BERTH_PLUGIN_JSON_STRING:
        return MEMBER (base, f, gchar *)[0] == '\0';
      case BERTH_PLUGIN_JSON_NULLABLE_STRING:
        return MEMBER (base, f, gchar *) == NULL;
      case BERTH_PLUGIN_JSON_OPTIONAL_OBJECT:
        return !MEMBER (base, f, gboolean);
      case BERTH_PLUGIN_JSON_STRV:
        return MEMBER (base, f, gchar **) == NULL || MEMBER (base, f, gchar **)[0] == NULL;
      case BERTH_PLUGIN_JSON_ARRAY:
        return MEMBER (base, f, GPtrArray *) == NULL || MEMBER (base, f, GPtrArray *)->len == 0;
      case BERTH_PLUGIN_JSON_BOOLEAN:
        return !MEMBER (base, f, gboolean);
      case BERTH_PLUGIN_JSON_UINT32:
        return MEMBER (base, f, guint32) == 0;
      case BERTH_PLUGIN_JSON_OBJECT:
        /* omitempty never omits a Go struct */
        return FALSE;
    }
  return FALSE;
}

static JsonNode *
write_field (const BerthPluginJsonField *f, gconstpointer base)
{
  switch (f->kind)
    {
      case BERTH_PLUGIN_JSON_STRING:
        return json_node_init_string (json_node_alloc (), MEMBER (base, f, gchar *));
      case BERTH_PLUGIN_JSON_NULLABLE_STRING:
        if (MEMBER (base, f, gchar *) == NULL)
          return json_node_new (JSON_NODE_NULL);
        return json_node_init_string (json_node_alloc (), MEMBER (base, f, gchar *));
      case BERTH_PLUGIN_JSON_STRV:
        return strv_node (MEMBER (base, f, gchar **));
      case BERTH_PLUGIN_JSON_BOOLEAN:
        return json_node_init_boolean (json_node_alloc (), MEMBER (base, f, gboolean));
      case BERTH_PLUGIN_JSON_UINT32:
        return json_node_init_int (json_node_alloc (), MEMBER (base, f, guint32));
      case BERTH_PLUGIN_JSON_OBJECT:
        return berth_plugin_json_write (f->fields, base);
      case BERTH_PLUGIN_JSON_OPTIONAL_OBJECT:
        if (!MEMBER (base, f, gboolean))
          return json_node_new (JSON_NODE_NULL);
        return berth_plugin_json_write (f->fields, base);
      case BERTH_PLUGIN_JSON_ARRAY:
        {
          GPtrArray *items = MEMBER (base, f, GPtrArray *);
          JsonArray *array;
          if (items == NULL)
            return json_node_new (JSON_NODE_NULL);
          array = json_array_sized_new (items->len);
          for (guint i = 0; i < items->len; i++)
            json_array_add_element (
              array, berth_plugin_json_write (f->element->fields, g_ptr_array_index (items, i)));
          return berth_plugin_json_take_array (array);
        }
    }
  return json_node_new (JSON_NODE_NULL);
}

JsonNode *
berth_plugin_json_write (const BerthPluginJsonField *fields, gconstpointer base)
{
  JsonObject *object = json_object_new ();

  for (const BerthPluginJsonField *f = fields; f->key != NULL; f++)
    {
      if (f->omitempty && field_is_empty (f, base))
        continue;
      json_object_set_member (object, f->key, write_field (f, base));
    }
  return berth_plugin_json_take_object (object);
}

/* ---- the item types: mounts, devices, environment, args, privileges ---- */

static const BerthPluginJsonField mount_fields[] = {
  FIELD ("Description", STRING, BerthPluginMount, description),
  FIELD ("Destination", STRING, BerthPluginMount, destination),
  FIELD ("Name", STRING, BerthPluginMount, name),
  FIELD ("Options", STRV, BerthPluginMount, options),
  FIELD ("Settable", STRV, BerthPluginMount, settable),
  FIELD ("Source", NULLABLE_STRING, BerthPluginMount, source),
  FIELD ("Type", STRING, BerthPluginMount, type),
  FIELD_END,
};

static const BerthPluginJsonField device_fields[] = {
  FIELD ("Description", STRING, BerthPluginDevice, description),
  FIELD ("Name", STRING, BerthPluginDevice, name),
  FIELD ("Path", NULLABLE_STRING, BerthPluginDevice, path),
  FIELD ("Settable", STRV, BerthPluginDevice, settable),
  FIELD_END,
};

static const BerthPluginJsonField env_fields[] = {
  FIELD ("Description", STRING, BerthPluginEnv, description),
  FIELD ("Name", STRING, BerthPluginEnv, name),
  FIELD ("Settable", STRV, BerthPluginEnv, settable),
  FIELD ("Value", NULLABLE_STRING, BerthPluginEnv, value),
  FIELD_END,
};

static const BerthPluginJsonField args_fields[] = {
  FIELD ("Description", STRING, BerthPluginArgs, description),
  FIELD ("Name", STRING, BerthPluginArgs, name),
  FIELD ("Settable", STRV, BerthPluginArgs, settable),
  FIELD ("Value", STRV, BerthPluginArgs, value),
  FIELD_END,
};

static const BerthPluginJsonField privilege_fields[] = {
  FIELD ("Name", STRING, BerthPluginPrivilege, name),
  FIELD ("Description", STRING, BerthPluginPrivilege, description),
  FIELD ("Value", STRV, BerthPluginPrivilege, value),
  FIELD_END,
};

const BerthPluginJsonElement berth_plugin_json_mount_element
  = { sizeof (BerthPluginMount), mount_fields, (GDestroyNotify)berth_plugin_mount_free };
const BerthPluginJsonElement berth_plugin_json_device_element
  = { sizeof (BerthPluginDevice), device_fields, (GDestroyNotify)berth_plugin_device_free };
const BerthPluginJsonElement berth_plugin_json_env_element
  = { sizeof (BerthPluginEnv), env_fields, (GDestroyNotify)berth_plugin_env_free };
const BerthPluginJsonElement berth_plugin_json_privilege_element
  = { sizeof (BerthPluginPrivilege), privilege_fields,
      (GDestroyNotify)berth_plugin_privilege_free };

const BerthPluginJsonElement berth_plugin_json_args_element
  = { sizeof (BerthPluginArgs), args_fields, (GDestroyNotify)berth_plugin_args_free };

/* ---- boxed types ---- */

G_DEFINE_BOXED_TYPE (BerthPluginMount,
                     berth_plugin_mount,
                     berth_plugin_mount_copy,
                     berth_plugin_mount_free)
G_DEFINE_BOXED_TYPE (BerthPluginDevice,
                     berth_plugin_device,
                     berth_plugin_device_copy,
                     berth_plugin_device_free)
G_DEFINE_BOXED_TYPE (BerthPluginEnv, berth_plugin_env, berth_plugin_env_copy, berth_plugin_env_free)
G_DEFINE_BOXED_TYPE (BerthPluginArgs,
                     berth_plugin_args,
                     berth_plugin_args_copy,
                     berth_plugin_args_free)
G_DEFINE_BOXED_TYPE (BerthPluginPrivilege,
                     berth_plugin_privilege,
                     berth_plugin_privilege_copy,
                     berth_plugin_privilege_free)

/**
 * berth_plugin_mount_new:
 *
 * Returns: (transfer full): a mount with empty strings and %NULL lists
 */
BerthPluginMount *
berth_plugin_mount_new (void)
{
  return berth_plugin_json_element_new (&berth_plugin_json_mount_element);
}

/**
 * berth_plugin_mount_copy:
 * @mount: a #BerthPluginMount
 *
 * Returns: (transfer full): a deep copy of @mount
 */
BerthPluginMount *
berth_plugin_mount_copy (const BerthPluginMount *mount)
{
  return berth_plugin_json_element_copy (&berth_plugin_json_mount_element, mount);
}

/**
 * berth_plugin_mount_free:
 * @mount: (nullable): a #BerthPluginMount
 */
void
berth_plugin_mount_free (BerthPluginMount *mount)
{
  berth_plugin_json_element_free (&berth_plugin_json_mount_element, mount);
}

/**
 * berth_plugin_device_new:
 *
 * Returns: (transfer full): a device with empty strings and a %NULL path
 */
BerthPluginDevice *
berth_plugin_device_new (void)
{
  return berth_plugin_json_element_new (&berth_plugin_json_device_element);
}

/**
 * berth_plugin_device_copy:
 * @device: a #BerthPluginDevice
 *
 * Returns: (transfer full): a deep copy of @device
 */
BerthPluginDevice *
berth_plugin_device_copy (const BerthPluginDevice *device)
{
  return berth_plugin_json_element_copy (&berth_plugin_json_device_element, device);
}

/**
 * berth_plugin_device_free:
 * @device: (nullable): a #BerthPluginDevice
 */
void
berth_plugin_device_free (BerthPluginDevice *device)
{
  berth_plugin_json_element_free (&berth_plugin_json_device_element, device);
}

/**
 * berth_plugin_env_new:
 *
 * Returns: (transfer full): an environment variable with empty strings and
 *   a %NULL value
 */
BerthPluginEnv *
berth_plugin_env_new (void)
{
  return berth_plugin_json_element_new (&berth_plugin_json_env_element);
}

/**
 * berth_plugin_env_copy:
 * @env: a #BerthPluginEnv
 *
 * Returns: (transfer full): a deep copy of @env
 */
BerthPluginEnv *
berth_plugin_env_copy (const BerthPluginEnv *env)
{
  return berth_plugin_json_element_copy (&berth_plugin_json_env_element, env);
}

/**
 * berth_plugin_env_free:
 * @env: (nullable): a #BerthPluginEnv
 */
void
berth_plugin_env_free (BerthPluginEnv *env)
{
  berth_plugin_json_element_free (&berth_plugin_json_env_element, env);
}

/**
 * berth_plugin_args_new:
 *
 * Returns: (transfer full): arguments with empty strings and %NULL lists
 */
BerthPluginArgs *
berth_plugin_args_new (void)
{
  return berth_plugin_json_element_new (&berth_plugin_json_args_element);
}

/**
 * berth_plugin_args_copy:
 * @args: a #BerthPluginArgs
 *
 * Returns: (transfer full): a deep copy of @args
 */
BerthPluginArgs *
berth_plugin_args_copy (const BerthPluginArgs *args)
{
  return berth_plugin_json_element_copy (&berth_plugin_json_args_element, args);
}

/**
 * berth_plugin_args_free:
 * @args: (nullable): a #BerthPluginArgs
 */
void
berth_plugin_args_free (BerthPluginArgs *args)
{
  berth_plugin_json_element_free (&berth_plugin_json_args_element, args);
}

/**
 * berth_plugin_privilege_new:
 * @name: what is asked for
 * @description: what it means
 * @value: (array zero-terminated=1): the values
 *
 * Returns: (transfer full): a new #BerthPluginPrivilege
 */
BerthPluginPrivilege *
berth_plugin_privilege_new (const gchar *name, const gchar *description, const gchar *const *value)
{
  BerthPluginPrivilege *privilege = g_new0 (BerthPluginPrivilege, 1);
  privilege->name = g_strdup (name);
  privilege->description = g_strdup (description);
  privilege->value = g_strdupv ((gchar **)value);
  return privilege;
}

/**
 * berth_plugin_privilege_copy:
 * @privilege: a #BerthPluginPrivilege
 *
 * Returns: (transfer full): a deep copy of @privilege
 */
BerthPluginPrivilege *
berth_plugin_privilege_copy (const BerthPluginPrivilege *privilege)
{
  return berth_plugin_json_element_copy (&berth_plugin_json_privilege_element, privilege);
}

/**
 * berth_plugin_privilege_free:
 * @privilege: (nullable): a #BerthPluginPrivilege
 */
void
berth_plugin_privilege_free (BerthPluginPrivilege *privilege)
{
  berth_plugin_json_element_free (&berth_plugin_json_privilege_element, privilege);
}

/* ---- Go helpers ---- */

/* unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ' ' */
/* strings.Split: n separators always give n+1 parts, so "" gives [""] */
gchar **
berth_plugin_go_split (const gchar *str, const gchar *separator)
{
  if (str[0] == '\0')
    {
      gchar **parts = g_new0 (gchar *, 2);
      parts[0] = g_strdup ("");
      return parts;
    }
  return g_strsplit (str, separator, -1);
}

/* %NULL equals the empty vector */
gboolean
berth_plugin_strv_equal (const gchar *const *a, const gchar *const *b)
{
  static const gchar *const empty[] = { NULL };
  return g_strv_equal (a != NULL ? a : empty, b != NULL ? b : empty);
}

/* ---- the JSON text ---- */

/* json-glib accepts more than JSON (comments, single quotes, hex numbers,
 * leading zeros, bad escapes) and stops reading after the first value; Go
 * does not. This checks the text strictly once json-glib has read it, so
 * berth accepts what dockerd accepts (save a BOM; \u0000, which no
 * field can hold; and an unpaired surrogate such as \ud800, which Go reads
 * as U+FFFD but json-glib decodes into bytes that are not UTF-8, or into
 * the end of the string). */
typedef struct
{
  const gchar *data;
  gsize length;
  gsize pos;
} JsonScan;

#define JSON_SCAN_MAX_DEPTH 512

static gboolean
scan_error (JsonScan *scan, GError **error, const gchar *message)
{
  guint line = 1;
  guint column = 1;

  for (gsize i = 0; i < scan->pos && i < scan->length; i++)
    {
      if (scan->data[i] == '\n')
        {
          line++;
          column = 1;
        }
      else if (((guchar)scan->data[i] & 0xC0) != 0x80)
        column++;
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%u:%u: Parse error: %s", line,
               column, message);
  return FALSE;
}

static gint
scan_peek (JsonScan *scan)
{
  return scan->pos < scan->length ? (guchar)scan->data[scan->pos] : -1;
}

static void
scan_skip_space (JsonScan *scan)
{
  while (scan_peek (scan) == ' ' || scan_peek (scan) == '\t' || scan_peek (scan) == '\n'
         || scan_peek (scan) == '\r')
    scan->pos++;
}

/* four hex digits, already checked */
static guint
scan_hex4 (const gchar *p)
{
  guint value = 0;

  for (guint i = 0; i < 4; i++)
    value = value * 16 + (guint)g_ascii_xdigit_value (p[i]);
  return value;
}

/* how many bytes the escape at @i spans: 2, or 6 for \uXXXX, or 12 for a
 * surrogate pair; 0 for half a pair, which json-glib 1.6 decodes into bytes
 * that are not UTF-8 (and leaks memory on some malformed pairs) */
static gsize
escape_length (const gchar *data, gsize length, gsize i)
{
  guint unit;

  if (i + 5 >= length || data[i + 1] != 'u')
    return 2;
  for (guint k = 2; k <= 5; k++)
    {
      if (!g_ascii_isxdigit (data[i + k]))
        return 2;
    }
  unit = scan_hex4 (data + i + 2);
  if (unit >= 0xDC00 && unit <= 0xDFFF)
    return 0;
  if (unit < 0xD800 || unit > 0xDBFF)
    return 6;
  if (i + 11 >= length || data[i + 6] != '\\' || data[i + 7] != 'u')
    return 0;
  for (guint k = 8; k <= 11; k++)
    {
      if (!g_ascii_isxdigit (data[i + k]))
        return 0;
    }
  unit = scan_hex4 (data + i + 8);
  return unit >= 0xDC00 && unit <= 0xDFFF ? 12 : 0;
}

static gboolean
scan_string (JsonScan *scan, GError **error)
{
  gsize escape;
  gsize n;

  scan->pos++;
  for (;;)
    {
      gint c = scan_peek (scan);
      if (c < 0)
        return scan_error (scan, error, "unterminated string");
      if (c == '"')
        {
          scan->pos++;
          return TRUE;
        }
      if (c < 0x20)
        return scan_error (scan, error, "control character in a string");
      if (c != '\\')
        {
          scan->pos++;
          continue;
        }
      /* errors point at the backslash */
      escape = scan->pos;
      c = scan->pos + 1 < scan->length ? (guchar)scan->data[scan->pos + 1] : -1;
      if (c > 0 && strchr ("\"\\/bfnrt", c) != NULL)
        {
          scan->pos += 2;
          continue;
        }
      if (c != 'u')
        return scan_error (scan, error, "invalid escape in a string");
      for (guint i = 2; i <= 5; i++)
        {
          if (escape + i >= scan->length || !g_ascii_isxdigit (scan->data[escape + i]))
            return scan_error (scan, error, "invalid \\u escape in a string");
        }
      if (strncmp (scan->data + escape + 2, "0000", 4) == 0)
        return scan_error (scan, error, "\\u0000 in a string is not accepted");
      /* json-glib turns half a surrogate pair into bytes that are not UTF-8 */
      n = escape_length (scan->data, scan->length, escape);
      if (n == 0)
        return scan_error (scan, error, "unpaired surrogate \\u escape in a string");
      scan->pos += n;
    }
}

static gboolean
scan_digits (JsonScan *scan)
{
  gsize start = scan->pos;
  while (scan_peek (scan) >= '0' && scan_peek (scan) <= '9')
    scan->pos++;
  return scan->pos > start;
}

static gboolean
scan_number (JsonScan *scan, GError **error)
{
  gsize start = scan->pos;
  gboolean valid = TRUE;

  if (scan_peek (scan) == '-')
    scan->pos++;
  if (scan_peek (scan) == '0')
    scan->pos++;
  else
    valid = scan_digits (scan);
  if (valid && scan_peek (scan) == '.')
    {
      scan->pos++;
      valid = scan_digits (scan);
    }
  if (valid && (scan_peek (scan) == 'e' || scan_peek (scan) == 'E'))
    {
      scan->pos++;
      if (scan_peek (scan) == '+' || scan_peek (scan) == '-')
        scan->pos++;
      valid = scan_digits (scan);
    }
  if (!valid || g_ascii_isalnum (scan_peek (scan)) || scan_peek (scan) == '.')
    {
      /* point at the number, not into it */
      scan->pos = start;
      return scan_error (scan, error, "invalid number");
    }
  return TRUE;
}

static gboolean
scan_value (JsonScan *scan, guint depth, GError **error)
{
  static const gchar *const literals[] = { "true", "false", "null" };
  gint c;
  gint close;

  scan_skip_space (scan);
  c = scan_peek (scan);
  if (c < 0)
    return scan_error (scan, error, "unexpected end of data");
  if (c == '"')
    return scan_string (scan, error);
  if (c == '-' || (c >= '0' && c <= '9'))
    return scan_number (scan, error);
  for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      const gchar *literal = literals[i];
      gsize len = strlen (literal);
      if (scan->length - scan->pos >= len && memcmp (scan->data + scan->pos, literal, len) == 0)
        {
          scan->pos += len;
          if (g_ascii_isalnum (scan_peek (scan)))
            return scan_error (scan, error, "unexpected character after a literal");
          return TRUE;
        }
    }
  if (c != '{' && c != '[')
    return scan_error (scan, error, "unexpected character");
  if (depth >= JSON_SCAN_MAX_DEPTH)
    return scan_error (scan, error, "nested too deeply");
  close = c == '{' ? '}' : ']';
  scan->pos++;
  scan_skip_space (scan);
  if (scan_peek (scan) == close)
    {
      scan->pos++;
      return TRUE;
    }
  for (;;)
    {
      if (close == '}')
        {
          scan_skip_space (scan);
          if (scan_peek (scan) != '"')
            return scan_error (scan, error, "expected a member name in double quotes");
          if (!scan_string (scan, error))
            return FALSE;
          scan_skip_space (scan);
          if (scan_peek (scan) != ':')
            return scan_error (scan, error, "expected ':'");
          scan->pos++;
        }
      if (!scan_value (scan, depth + 1, error))
        return FALSE;
      scan_skip_space (scan);
      c = scan_peek (scan);
      scan->pos++;
      if (c == close)
        return TRUE;
      if (c != ',')
        {
          scan->pos--;
          return scan_error (scan, error,
                             close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
        }
    }
}

static gboolean
scan_document (const gchar *data, gsize length, gboolean *trailing, GError **error)
{
  JsonScan scan = { data, length, 0 };

  *trailing = FALSE;
  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    scan.pos = 3;
  if (!scan_value (&scan, 0, error))
    return FALSE;
  scan_skip_space (&scan);
  if (scan.pos < length)
    {
      *trailing = TRUE;
      return scan_error (&scan, error, "unexpected data after the JSON object");
    }
  return TRUE;
}

/**
 * berth_json_text_check:
 * @data: JSON text
 * @length: its length
 * @max_depth: the deepest nesting allowed
 * @error: return location for a #GError, or %NULL
 *
 * Whether json-glib can be given @data: its parser recurses once per level
 * of nesting, without a limit, so deep enough text overflows any thread's
 * stack. Depth is counted exactly while the text holds only JSON's tokens;
 * once it holds anything else that json-glib may read (comments, single
 * quotes, hex numbers), every later `[` and `{` counts, so json-glib never
 * nests deeper than @max_depth.
 *
 * Returns: %TRUE if @data nests at most @max_depth deep
 */
gboolean
berth_json_text_check (const gchar *data, gsize length, guint max_depth, GError **error)
{
  static const gchar json_tokens[] = " \t\r\n[]{}:,-+.0123456789eEtrufalsn";
  gboolean in_string = FALSE;
  gboolean exact = TRUE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      gchar c = data[i];

      if (in_string)
        {
          if (c == '\\')
            {
              gsize n = escape_length (data, length, i);
              if (n == 0)
                {
                  g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "unpaired surrogate \\u escape at byte %" G_GSIZE_FORMAT, i);
                  return FALSE;
                }
              i += n - 1;
            }
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"' && exact)
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "nested more than %u levels deep", max_depth);
              return FALSE;
            }
        }
      else if (c == ']' || c == '}')
        {
          if (exact && depth > 0)
            depth--;
        }
      else if (c == '\0' || strchr (json_tokens, c) == NULL)
        exact = FALSE;
    }
  return TRUE;
}

/**
 * berth_json_node_check_utf8:
 * @node: a tree json-glib parsed
 * @error: return location for a #GError, or %NULL
 *
 * json-glib checks that the text is UTF-8, but not what its escapes decode
 * to: an unpaired surrogate (\ud800), an octal escape (\200) or a \u with
 * fewer than four hex digits give strings that are not UTF-8, which
 * GVariant, D-Bus and berth's writers refuse with criticals. The tree must
 * be no deeper than berth_json_text_check() allowed.
 *
 * Returns: %TRUE if every string and member name in @node is UTF-8
 */
gboolean
berth_json_node_check_utf8 (JsonNode *node, GError **error)
{
  const gchar *bad = NULL;

  switch (JSON_NODE_TYPE (node))
    {
      case JSON_NODE_OBJECT:
        {
          JsonObject *object = json_node_get_object (node);
          g_autoptr(GList) names = json_object_get_members (object);
          for (GList *l = names; l != NULL && bad == NULL; l = l->next)
            {
              if (!g_utf8_validate (l->data, -1, NULL))
                bad = "a member name";
              else if (!berth_json_node_check_utf8 (json_object_get_member (object, l->data),
                                                    error))
                return FALSE;
            }
          break;
        }
      case JSON_NODE_ARRAY:
        {
          JsonArray *array = json_node_get_array (node);
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              if (!berth_json_node_check_utf8 (json_array_get_element (array, i), error))
                return FALSE;
            }
          break;
        }
      case JSON_NODE_VALUE:
        if (json_node_get_value_type (node) == G_TYPE_STRING
            && !g_utf8_validate (json_node_get_string (node), -1, NULL))
          bad = "a string";
        break;
      case JSON_NODE_NULL:
        break;
    }
  if (bad != NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "%s has an escape that does not decode to UTF-8", bad);
      return FALSE;
    }
  return TRUE;
}

/* parses @data strictly; @reader remembers the members of every object in
 * document order, repeated keys included */
/* json-glib's "line:column: Parse error: …", without its "<data>:" */
static JsonNode *
set_parser_error (GError **error, const GError *parser_error)
{
  const gchar *message = parser_error->message;

  if (g_str_has_prefix (message, "<data>:"))
    message += strlen ("<data>:");
  g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, message);
  return NULL;
}

JsonNode *
berth_plugin_json_parse (const gchar *data,
                         gssize length,
                         BerthPluginJsonReader **reader,
                         GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(BerthPluginJsonReader) members = NULL;
  g_autoptr(GError) strict_error = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = length < 0 ? strlen (data) : (gsize)length;
  const gchar *nul = memchr (data, '\0', len);
  gboolean trailing = FALSE;

  /* json-glib calls a NUL byte bad UTF-8; say where it is instead */
  if (nul != NULL)
    {
      JsonScan scan = { data, len, nul - data };
      scan_error (&scan, error, "unexpected NUL byte");
      return NULL;
    }

  /* the strict check comes first, as json-glib leaks a second top-level
   * value; for other errors json-glib's message is the better one, when it
   * has one */
  if (!scan_document (data, len, &trailing, &strict_error))
    {
      /* only text json-glib can read safely: the strict check stops at the
       * first error, json-glib reads on (and deeper) */
      if (!trailing && berth_json_text_check (data, len, JSON_SCAN_MAX_DEPTH, NULL)
          && !json_parser_load_from_data (parser, data, len, &local_error))
        return set_parser_error (error, local_error);
      g_propagate_error (error, g_steal_pointer (&strict_error));
      return NULL;
    }

  members = g_new0 (BerthPluginJsonReader, 1);
  members->objects = g_hash_table_new_full (NULL, NULL, (GDestroyNotify)json_object_unref,
                                            (GDestroyNotify)g_ptr_array_unref);
  g_signal_connect (parser, "object-member", G_CALLBACK (reader_object_member_cb), members);
  if (!json_parser_load_from_data (parser, data, len, &local_error))
    return set_parser_error (error, local_error); /* bad UTF-8, say */
  if (!berth_json_node_check_utf8 (json_parser_get_root (parser), error))
    return NULL;
  if (reader != NULL)
    *reader = g_steal_pointer (&members);
  return json_node_ref (json_parser_get_root (parser));
}
