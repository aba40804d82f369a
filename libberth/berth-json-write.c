/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include "berth-json-write.h"

/* JSON written the way Go's encoding/json writes it, so that berth's output
 * matches docker's byte for byte: compact `{"a":1}`, or indented by four
 * spaces with `"key": value` as json.Indent does; members in order; no HTML
 * escaping (the docker daemon's encoder turns it off); U+2028 and U+2029
 * escaped, as Go always does; invalid UTF-8 as U+FFFD. Only GLib here: the
 * CLI links this without json-glib. */

/**
 * berth_json_append_string:
 * @out: where to write
 * @s: UTF-8 text
 *
 * Appends @s as a JSON string.
 */
void
berth_json_append_string (GString *out, const gchar *s)
{
  berth_json_append_string_flags (out, s, BERTH_JSON_NONE);
}

/**
 * berth_json_append_string_flags:
 * @out: where to write
 * @s: UTF-8 text
 * @flags: %BERTH_JSON_ESCAPE_HTML to escape as Go's json.Marshal does
 *
 * Appends @s as a JSON string.
 */
void
berth_json_append_string_flags (GString *out, const gchar *s, BerthJsonFlags flags)
{
  const gchar *p = s;

  g_string_append_c (out, '"');
  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, -1);
      const gchar *next;

      if (c == (gunichar)-1 || c == (gunichar)-2)
        {
          g_string_append (out, "\\ufffd");
          p++;
          continue;
        }
      next = g_utf8_next_char (p);
      switch (c)
        {
          case '"':
            g_string_append (out, "\\\"");
            break;
          case '\\':
            g_string_append (out, "\\\\");
            break;
          case '\n':
            g_string_append (out, "\\n");
            break;
          case '\r':
            g_string_append (out, "\\r");
            break;
          case '\t':
            g_string_append (out, "\\t");
            break;
          case 0x2028:
          case 0x2029:
            g_string_append_printf (out, "\\u%04x", c);
            break;
          case '<':
          case '>':
          case '&':
            if (flags & BERTH_JSON_ESCAPE_HTML)
              g_string_append_printf (out, "\\u%04x", c);
            else
              g_string_append_c (out, (gchar)c);
            break;
          default:
            if (c < 0x20)
              g_string_append_printf (out, "\\u%04x", c);
            else
              g_string_append_len (out, p, next - p);
            break;
        }
      p = next;
    }
  g_string_append_c (out, '"');
}

/**
 * berth_json_append_indent:
 * @out: where to write
 * @depth: the nesting depth
 *
 * Appends a newline and four spaces per level.
 */
void
berth_json_append_indent (GString *out, guint depth)
{
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "    ");
}

static gboolean
is_dictionary (GVariant *value)
{
  const GVariantType *type = g_variant_get_type (value);
  return g_variant_type_is_array (type)
         && g_variant_type_is_dict_entry (g_variant_type_element (type))
         && g_variant_type_equal (g_variant_type_key (g_variant_type_element (type)),
                                  G_VARIANT_TYPE_STRING);
}

/**
 * berth_json_append_variant:
 * @out: where to write
 * @value: a #GVariant: dictionaries with string keys become objects, other
 *   arrays and tuples arrays, maybes null or their value, variants their value
 * @pretty: indent as docker's inspect does
 * @depth: the nesting depth @value is at
 *
 * Appends @value as JSON.
 */
void
berth_json_append_variant (GString *out, GVariant *value, gboolean pretty, guint depth)
{
  GVariantClass klass = g_variant_classify (value);
  gsize n;

  switch (klass)
    {
      case G_VARIANT_CLASS_VARIANT:
        {
          g_autoptr(GVariant) inner = g_variant_get_variant (value);
          berth_json_append_variant (out, inner, pretty, depth);
          return;
        }
      case G_VARIANT_CLASS_MAYBE:
        {
          g_autoptr(GVariant) inner = g_variant_get_maybe (value);
          if (inner == NULL)
            g_string_append (out, "null");
          else
            berth_json_append_variant (out, inner, pretty, depth);
          return;
        }
      case G_VARIANT_CLASS_STRING:
      case G_VARIANT_CLASS_OBJECT_PATH:
      case G_VARIANT_CLASS_SIGNATURE:
        berth_json_append_string (out, g_variant_get_string (value, NULL));
        return;
      case G_VARIANT_CLASS_BOOLEAN:
        g_string_append (out, g_variant_get_boolean (value) ? "true" : "false");
        return;
      case G_VARIANT_CLASS_BYTE:
        g_string_append_printf (out, "%u", g_variant_get_byte (value));
        return;
      case G_VARIANT_CLASS_INT16:
        g_string_append_printf (out, "%d", g_variant_get_int16 (value));
        return;
      case G_VARIANT_CLASS_UINT16:
        g_string_append_printf (out, "%u", g_variant_get_uint16 (value));
        return;
      case G_VARIANT_CLASS_INT32:
        g_string_append_printf (out, "%d", g_variant_get_int32 (value));
        return;
      case G_VARIANT_CLASS_UINT32:
        g_string_append_printf (out, "%u", g_variant_get_uint32 (value));
        return;
      case G_VARIANT_CLASS_INT64:
        g_string_append_printf (out, "%" G_GINT64_FORMAT, g_variant_get_int64 (value));
        return;
      case G_VARIANT_CLASS_UINT64:
        g_string_append_printf (out, "%" G_GUINT64_FORMAT, g_variant_get_uint64 (value));
        return;
      case G_VARIANT_CLASS_DOUBLE:
        {
          gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_string_append (out, g_ascii_dtostr (buf, sizeof buf, g_variant_get_double (value)));
          return;
        }
      case G_VARIANT_CLASS_ARRAY:
      case G_VARIANT_CLASS_TUPLE:
      case G_VARIANT_CLASS_DICT_ENTRY:
        {
          /* an empty byte string stands for null where D-Bus has none */
          if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING)
              && g_variant_n_children (value) == 0)
            {
              g_string_append (out, "null");
              return;
            }
          gboolean object = klass == G_VARIANT_CLASS_ARRAY && is_dictionary (value);
          n = g_variant_n_children (value);
          if (n == 0)
            {
              g_string_append (out, object ? "{}" : "[]");
              return;
            }
          g_string_append_c (out, object ? '{' : '[');
          for (gsize i = 0; i < n; i++)
            {
              g_autoptr(GVariant) child = g_variant_get_child_value (value, i);
              if (pretty)
                berth_json_append_indent (out, depth + 1);
              if (object)
                {
                  g_autoptr(GVariant) key = g_variant_get_child_value (child, 0);
                  g_autoptr(GVariant) member = g_variant_get_child_value (child, 1);
                  berth_json_append_string (out, g_variant_get_string (key, NULL));
                  g_string_append (out, pretty ? ": " : ":");
                  berth_json_append_variant (out, member, pretty, depth + 1);
                }
              else
                berth_json_append_variant (out, child, pretty, depth + 1);
              if (i + 1 < n)
                g_string_append_c (out, ',');
            }
          if (pretty)
            berth_json_append_indent (out, depth);
          g_string_append_c (out, object ? '}' : ']');
          return;
        }
      case G_VARIANT_CLASS_HANDLE:
      default:
        g_string_append (out, "null");
        return;
    }
}

/**
 * berth_json_from_variant:
 * @value: a #GVariant
 * @pretty: indent as docker's inspect does
 *
 * Returns: (transfer full): @value as JSON text
 */
gchar *
berth_json_from_variant (GVariant *value, gboolean pretty)
{
  GString *out = g_string_new (NULL);
  berth_json_append_variant (out, value, pretty, 0);
  return g_string_free (out, FALSE);
}

static gboolean
go_is_print (gunichar c)
{
  if (c == ' ')
    return TRUE;
  switch (g_unichar_type (c))
    {
      case G_UNICODE_CONTROL:
      case G_UNICODE_FORMAT:
      case G_UNICODE_UNASSIGNED:
      case G_UNICODE_PRIVATE_USE:
      case G_UNICODE_SURROGATE:
      case G_UNICODE_LINE_SEPARATOR:
      case G_UNICODE_PARAGRAPH_SEPARATOR:
      case G_UNICODE_SPACE_SEPARATOR:
        return FALSE;
      default:
        return TRUE;
    }
}

/**
 * berth_go_quote:
 * @str: UTF-8 text (invalid bytes are escaped)
 *
 * Go's strconv.Quote, which is what Go's `%q` prints: Docker's messages
 * quote names this way, and berth's must read the same.
 *
 * Returns: (transfer full): @str in double quotes, escaped
 */
gchar *
berth_go_quote (const gchar *str)
{
  GString *out = g_string_new ("\"");

  for (const gchar *p = str; *p != '\0';)
    {
      gunichar c = g_utf8_get_char_validated (p, -1);
      const gchar *next;

      if (c == (gunichar)-1 || c == (gunichar)-2)
        {
          g_string_append_printf (out, "\\x%02x", (guchar)*p);
          p++;
          continue;
        }
      next = g_utf8_next_char (p);
      switch (c)
        {
          case '"':
            g_string_append (out, "\\\"");
            break;
          case '\\':
            g_string_append (out, "\\\\");
            break;
          case '\a':
            g_string_append (out, "\\a");
            break;
          case '\b':
            g_string_append (out, "\\b");
            break;
          case '\f':
            g_string_append (out, "\\f");
            break;
          case '\n':
            g_string_append (out, "\\n");
            break;
          case '\r':
            g_string_append (out, "\\r");
            break;
          case '\t':
            g_string_append (out, "\\t");
            break;
          case '\v':
            g_string_append (out, "\\v");
            break;
          default:
            if (go_is_print (c))
              g_string_append_len (out, p, next - p);
            else if (c < 0x80)
              g_string_append_printf (out, "\\x%02x", c);
            else if (c < 0x10000)
              g_string_append_printf (out, "\\u%04x", c);
            else
              g_string_append_printf (out, "\\U%08x", c);
            break;
        }
      p = next;
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

/**
 * berth_json_indent:
 * @json: compact JSON text
 *
 * Indents JSON text by four spaces as Go's json.Indent does, without
 * parsing it into values: what docker's CLI does to the daemon's answers.
 *
 * Returns: (transfer full): the indented text
 */
gchar *
berth_json_indent (const gchar *json)
{
  GString *out = g_string_new (NULL);
  gboolean in_string = FALSE;
  guint depth = 0;

  for (const gchar *p = json; *p != '\0'; p++)
    {
      gchar c = *p;
      if (in_string)
        {
          g_string_append_c (out, c);
          if (c == '\\' && p[1] != '\0')
            g_string_append_c (out, *++p);
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      switch (c)
        {
          case '"':
            in_string = TRUE;
            g_string_append_c (out, c);
            break;
          case '{':
          case '[':
            {
              const gchar *q = p + 1;
              while (g_ascii_isspace (*q))
                q++;
              if (*q == (c == '{' ? '}' : ']'))
                {
                  g_string_append_c (out, c);
                  g_string_append_c (out, *q);
                  p = q;
                  break;
                }
              g_string_append_c (out, c);
              berth_json_append_indent (out, ++depth);
              break;
            }
          case '}':
          case ']':
            berth_json_append_indent (out, depth > 0 ? --depth : 0);
            g_string_append_c (out, c);
            break;
          case ',':
            g_string_append_c (out, c);
            berth_json_append_indent (out, depth);
            break;
          case ':':
            g_string_append (out, ": ");
            break;
          case ' ':
          case '\t':
          case '\n':
          case '\r':
            break;
          default:
            g_string_append_c (out, c);
            break;
        }
    }
  return g_string_free (out, FALSE);
}
