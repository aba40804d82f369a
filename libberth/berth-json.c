/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <string.h>

#include "berth-error.h"
#include "berth-json.h"
#include "berth-json-write.h"
#include "berth-plugin-json-private.h"

/* deeper than any JSON a registry, a plugin or berth writes; json-glib and
 * the writers here recurse once per level */
#define BERTH_JSON_MAX_DEPTH 512

/* a json-glib tree written as Go's encoding/json writes it: see
 * berth-json-write.c for the rules */

static void
append_node (GString *out, JsonNode *node, BerthJsonFlags flags, guint depth)
{
  gboolean pretty = (flags & BERTH_JSON_PRETTY) != 0;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, "null");
      return;
    }
  switch (json_node_get_node_type (node))
    {
      case JSON_NODE_OBJECT:
        {
          JsonObject *object = json_node_get_object (node);
          g_autoptr(GList) members = json_object_get_members (object);
          if (members == NULL)
            {
              g_string_append (out, "{}");
              return;
            }
          g_string_append_c (out, '{');
          for (GList *l = members; l != NULL; l = l->next)
            {
              if (pretty)
                berth_json_append_indent (out, depth + 1);
              berth_json_append_string_flags (out, l->data, flags);
              g_string_append (out, pretty ? ": " : ":");
              append_node (out, json_object_get_member (object, l->data), flags, depth + 1);
              if (l->next != NULL)
                g_string_append_c (out, ',');
            }
          if (pretty)
            berth_json_append_indent (out, depth);
          g_string_append_c (out, '}');
          return;
        }
      case JSON_NODE_ARRAY:
        {
          JsonArray *array = json_node_get_array (node);
          guint n = json_array_get_length (array);
          if (n == 0)
            {
              g_string_append (out, "[]");
              return;
            }
          g_string_append_c (out, '[');
          for (guint i = 0; i < n; i++)
            {
              if (pretty)
                berth_json_append_indent (out, depth + 1);
              append_node (out, json_array_get_element (array, i), flags, depth + 1);
              if (i + 1 < n)
                g_string_append_c (out, ',');
            }
          if (pretty)
            berth_json_append_indent (out, depth);
          g_string_append_c (out, ']');
          return;
        }
      case JSON_NODE_VALUE:
        {
          GType type = json_node_get_value_type (node);
          if (type == G_TYPE_STRING)
            berth_json_append_string_flags (out, json_node_get_string (node), flags);
          else if (type == G_TYPE_BOOLEAN)
            g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          else if (type == G_TYPE_INT64)
            g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          else if (type == G_TYPE_DOUBLE)
            {
              gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
              g_string_append (out, g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
            }
          else
            g_string_append (out, "null");
          return;
        }
      case JSON_NODE_NULL:
      default:
        g_string_append (out, "null");
        return;
    }
}

/**
 * berth_json_append:
 * @out: where to write
 * @node: (nullable): a JSON value
 * @flags: how to write it
 *
 * Appends @node as Go's encoding/json would write it.
 */
void
berth_json_append (GString *out, JsonNode *node, BerthJsonFlags flags)
{
  append_node (out, node, flags, 0);
}

/**
 * berth_json_to_string:
 * @node: (nullable): a JSON value
 * @pretty: indent by four spaces, as docker's inspect does
 *
 * Returns: (transfer full): @node as Go's encoding/json would write it
 */
gchar *
berth_json_to_string (JsonNode *node, gboolean pretty)
{
  GString *out = g_string_new (NULL);
  append_node (out, node, pretty ? BERTH_JSON_PRETTY : BERTH_JSON_NONE, 0);
  return g_string_free (out, FALSE);
}

/**
 * berth_json_parse:
 * @text: JSON text
 * @length: its length, or -1 if NUL-terminated
 * @error: return location for a #GError
 *
 * Text nested more than 512 levels deep is refused, as json-glib would
 * overflow the stack; so are escapes that json-glib decodes into strings
 * that are not UTF-8 (`\ud800`, `\200`).
 *
 * Returns: (transfer full): the parsed value, or %NULL with a
 *   %BERTH_ERROR_INVALID_ARGUMENT error that says where the text is wrong
 */
JsonNode *
berth_json_parse (const gchar *text, gssize length, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  /* empty GBytes (an empty HTTP body, say) have no data: json-glib is
   * critical about NULL and returns FALSE without an error */
  if (text == NULL)
    {
      text = "";
      length = 0;
    }
  if (!berth_json_text_check (text, length < 0 ? strlen (text) : (gsize)length,
                              BERTH_JSON_MAX_DEPTH, &local_error)
      || !json_parser_load_from_data (parser, text, length, &local_error)
      || (json_parser_get_root (parser) != NULL
          && !berth_json_node_check_utf8 (json_parser_get_root (parser), &local_error)))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "invalid JSON: %s",
                   local_error != NULL ? local_error->message : "unreadable");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "invalid JSON: empty document");
      return NULL;
    }
  return json_node_copy (root);
}

/* D-Bus nests containers at most 64 deep and every JSON level takes two or
 * three (an array, a dict entry, a variant): deeper values travel as their
 * JSON text, or GDBus would refuse the whole reply (a plugin's volume Status
 * can nest as it likes) */
#define BERTH_JSON_DBUS_MAX_DEPTH 16

static GVariant *
to_dbus_variant (JsonNode *node, guint depth)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_variant_new_bytestring ("");
  if ((JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node))
      && depth >= BERTH_JSON_DBUS_MAX_DEPTH)
    {
      g_autofree gchar *text = berth_json_to_string (node, FALSE);
      return g_variant_new_string (text);
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);
      GVariantBuilder builder;
      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      for (GList *l = members; l != NULL; l = l->next)
        g_variant_builder_add (
          &builder, "{sv}", (const gchar *)l->data,
          to_dbus_variant (json_object_get_member (object, l->data), depth + 1));
      return g_variant_builder_end (&builder);
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      GVariantBuilder builder;
      g_variant_builder_init (&builder, G_VARIANT_TYPE ("av"));
      for (guint i = 0; i < json_array_get_length (array); i++)
        g_variant_builder_add (&builder, "v",
                               to_dbus_variant (json_array_get_element (array, i), depth + 1));
      return g_variant_builder_end (&builder);
    }
  switch (json_node_get_value_type (node))
    {
      case G_TYPE_STRING:
        return g_variant_new_string (json_node_get_string (node));
      case G_TYPE_BOOLEAN:
        return g_variant_new_boolean (json_node_get_boolean (node));
      case G_TYPE_INT64:
        return g_variant_new_int64 (json_node_get_int (node));
      case G_TYPE_DOUBLE:
        return g_variant_new_double (json_node_get_double (node));
      default:
        return g_variant_new_bytestring ("");
    }
}

/**
 * berth_json_to_dbus_variant:
 * @node: a JSON value
 *
 * Converts JSON to a value D-Bus can carry: objects as `a{sv}` (member
 * order kept), arrays as `av`, integers as `x`. D-Bus has no null and no
 * maybe type, so null becomes an empty `ay`, which berth's templates and
 * JSON writer read back as null. Objects and arrays nested deeper than
 * 16 levels are carried as their JSON text.
 *
 * Returns: (transfer floating): the value
 */
GVariant *
berth_json_to_dbus_variant (JsonNode *node)
{
  return to_dbus_variant (node, 0);
}

/**
 * berth_json_object_get_string:
 * @object: a JSON object
 * @name: a member's name
 *
 * Returns: (nullable): the member's value if it is a string, else %NULL
 */
const gchar *
berth_json_object_get_string (JsonObject *object, const gchar *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/**
 * berth_json_object_get_int:
 * @object: a JSON object
 * @name: a member's name
 * @default_value: what a missing member, or one that is not an integer, reads as
 *
 * Unlike json_object_get_int_member_with_default(), which is critical about
 * an object or an array and casts a double, this takes only an integer.
 *
 * Returns: the member's value if it is an integer, else @default_value
 */
gint64
berth_json_object_get_int (JsonObject *object, const gchar *name, gint64 default_value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return default_value;
  return json_node_get_int (node);
}

/**
 * berth_json_object_get_strv:
 * @object: a JSON object
 * @name: a member's name
 * @error: return location for a #GError
 *
 * Reads an array of strings, as Docker's configs hold `Env` or `Cmd`.
 * A missing or null member is %NULL without an error.
 *
 * Returns: (transfer full) (nullable): the strings
 */
GStrv
berth_json_object_get_strv (JsonObject *object, const gchar *name, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "%s must be an array of strings", name);
      return NULL;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%s[%u] must be a string",
                       name, i);
          return NULL;
        }
      g_strv_builder_add (builder, json_node_get_string (element));
    }
  return g_strv_builder_end (builder);
}

/**
 * berth_json_builder_set_string:
 * @builder: a #JsonBuilder, in an object
 * @name: the member's name
 * @value: (nullable): its value; %NULL writes null
 *
 * Adds a string member.
 */
void
berth_json_builder_set_string (JsonBuilder *builder, const gchar *name, const gchar *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/**
 * berth_json_builder_set_strv:
 * @builder: a #JsonBuilder, in an object
 * @name: the member's name
 * @strv: (nullable): strings
 *
 * Adds an array of strings, or null for %NULL (as Go writes a nil slice).
 */
void
berth_json_builder_set_strv (JsonBuilder *builder, const gchar *name, const gchar *const *strv)
{
  json_builder_set_member_name (builder, name);
  if (strv == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_array (builder);
  for (guint i = 0; strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}
