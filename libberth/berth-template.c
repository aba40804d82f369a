/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include "berth-error.h"
#include "berth-json-write.h"
#include "berth-template.h"

/* The part of Go's text/template that docker's --format users write:
 * literal text, `{{.Field.Sub}}`, `{{.}}`, and the functions `json`,
 * `join LIST SEP`, `lower`, `upper` and `title` applied to one field, as in
 * `{{json .Config}}` or `{{join .Settings.Env ","}}`. Data is a GVariant
 * (dictionaries with string keys are objects); fields are matched exactly,
 * then ignoring case, so `.ID` and `.Id` both work as they do in docker.
 * Values print as Go prints them: `[a b]` for lists, `map[k:v]` for
 * objects, `<no value>` for a field that is not there. */

typedef enum
{
  PART_TEXT,
  PART_FIELD,
} PartKind;

typedef struct
{
  PartKind kind;
  gchar *text;     /* PART_TEXT */
  gchar *function; /* PART_FIELD: NULL, json, join, lower, upper, title */
  GStrv path;      /* PART_FIELD: empty for "." */
  gchar *argument; /* join's separator */
} Part;

struct _BerthTemplate
{
  GPtrArray *parts;
};

static void
part_free (Part *part)
{
  g_free (part->text);
  g_free (part->function);
  g_strfreev (part->path);
  g_free (part->argument);
  g_free (part);
}

void
berth_template_free (BerthTemplate *self)
{
  g_ptr_array_unref (self->parts);
  g_free (self);
}

static gboolean
parse_path (const gchar *word, GStrv *out_path, GError **error)
{
  if (word[0] != '.')
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "template parsing error: unexpected \"%s\" in command", word);
      return FALSE;
    }
  if (word[1] == '\0')
    *out_path = g_new0 (gchar *, 1);
  else
    *out_path = g_strsplit (word + 1, ".", -1);
  for (guint i = 0; (*out_path)[i] != NULL; i++)
    if ((*out_path)[i][0] == '\0')
      {
        g_clear_pointer (out_path, g_strfreev);
        g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                     "template parsing error: bad field \"%s\"", word);
        return FALSE;
      }
  return TRUE;
}

static gchar *
unquote (const gchar *word, GError **error)
{
  gsize len = strlen (word);
  if (len >= 2 && word[0] == '`' && word[len - 1] == '`')
    return g_strndup (word + 1, len - 2);
  if (len >= 2 && word[0] == '"' && word[len - 1] == '"')
    {
      /* the last quote must not be escaped: "\" is an unterminated string,
       * and g_strcompress() warns about its trailing backslash */
      gsize i = 1;
      while (i < len - 1)
        i += word[i] == '\\' ? 2 : 1;
      if (i == len - 1)
        {
          g_autofree gchar *inner = g_strndup (word + 1, len - 2);
          return g_strcompress (inner);
        }
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
               "template parsing error: expected a string, got %s", word);
  return NULL;
}

static Part *
parse_action (const gchar *action, GError **error)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  Part *part = g_new0 (Part, 1);
  const gchar *p = action;

  part->kind = PART_FIELD;
  /* split on spaces, keeping quoted strings whole */
  while (*p != '\0')
    {
      const gchar *start;
      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        break;
      start = p;
      if (*p == '"' || *p == '`')
        {
          gchar quote = *p++;
          while (*p != '\0' && *p != quote)
            p += (*p == '\\' && quote == '"' && p[1] != '\0') ? 2 : 1;
          if (*p == quote)
            p++;
        }
      else
        while (*p != '\0' && !g_ascii_isspace (*p))
          p++;
      g_ptr_array_add (words, g_strndup (start, p - start));
    }

  if (words->len == 1)
    {
      if (!parse_path (words->pdata[0], &part->path, error))
        goto fail;
      return part;
    }
  if (words->len == 2
      && g_strv_contains ((const gchar *const[]){ "json", "lower", "upper", "title", NULL },
                          words->pdata[0]))
    {
      part->function = g_strdup (words->pdata[0]);
      if (!parse_path (words->pdata[1], &part->path, error))
        goto fail;
      return part;
    }
  if (words->len == 3 && g_str_equal (words->pdata[0], "join"))
    {
      part->function = g_strdup ("join");
      if (!parse_path (words->pdata[1], &part->path, error))
        goto fail;
      part->argument = unquote (words->pdata[2], error);
      if (part->argument == NULL)
        goto fail;
      return part;
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
               "template parsing error: unsupported action {{%s}}", action);
fail:
  part_free (part);
  return NULL;
}

/**
 * berth_template_new:
 * @text: a template, e.g. `{{.ID}}: {{.Name}}`
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the parsed template
 */
BerthTemplate *
berth_template_new (const gchar *text, GError **error)
{
  g_autoptr(BerthTemplate) self = g_new0 (BerthTemplate, 1);
  const gchar *p = text;

  self->parts = g_ptr_array_new_with_free_func ((GDestroyNotify)part_free);
  while (*p != '\0')
    {
      const gchar *open = strstr (p, "{{");
      const gchar *close;
      g_autofree gchar *action = NULL;
      Part *part;

      if (open == NULL)
        open = p + strlen (p);
      if (open > p)
        {
          g_autofree gchar *raw = g_strndup (p, open - p);
          g_auto(GStrv) tabs = NULL;
          g_autofree gchar *tabbed = NULL;
          g_auto(GStrv) lines = NULL;
          /* as docker's formatter: \t and \n typed in a format are a tab and a newline */
          tabs = g_strsplit (raw, "\\t", -1);
          tabbed = g_strjoinv ("\t", tabs);
          lines = g_strsplit (tabbed, "\\n", -1);
          part = g_new0 (Part, 1);
          part->kind = PART_TEXT;
          part->text = g_strjoinv ("\n", lines);
          g_ptr_array_add (self->parts, part);
        }
      if (*open == '\0')
        break;
      close = strstr (open + 2, "}}");
      if (close == NULL)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "template parsing error: unclosed action");
          return NULL;
        }
      action = g_strndup (open + 2, close - open - 2);
      part = parse_action (action, error);
      if (part == NULL)
        return NULL;
      g_ptr_array_add (self->parts, part);
      p = close + 2;
    }
  return g_steal_pointer (&self);
}

static GVariant *
unwrap (GVariant *value)
{
  while (value != NULL)
    {
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
        {
          GVariant *inner = g_variant_get_variant (value);
          g_variant_unref (value);
          value = inner;
        }
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING)
               && g_variant_n_children (value) == 0)
        {
          /* null, as berth carries it over D-Bus */
          g_variant_unref (value);
          return NULL;
        }
      else if (g_variant_is_container (value)
               && g_variant_classify (value) == G_VARIANT_CLASS_MAYBE)
        {
          GVariant *inner = g_variant_get_maybe (value);
          g_variant_unref (value);
          return inner;
        }
      else
        break;
    }
  return value;
}

static gboolean
is_object (GVariant *value)
{
  return g_variant_is_of_type (value, G_VARIANT_TYPE ("a{sv}"))
         || g_variant_is_of_type (value, G_VARIANT_TYPE ("a{s*}"));
}

/* looks a field up: exact name first, then ignoring case */
static GVariant *
lookup (GVariant *object, const gchar *name)
{
  GVariant *found = NULL;
  gsize n = g_variant_n_children (object);

  for (guint pass = 0; pass < 2 && found == NULL; pass++)
    for (gsize i = 0; i < n && found == NULL; i++)
      {
        g_autoptr(GVariant) entry = g_variant_get_child_value (object, i);
        g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);
        const gchar *k = g_variant_get_string (key, NULL);
        if (pass == 0 ? g_str_equal (k, name) : g_ascii_strcasecmp (k, name) == 0)
          found = g_variant_get_child_value (entry, 1);
      }
  return found;
}

static gint
compare_keys (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar **)a, *(const gchar **)b);
}

/**
 * berth_template_append_value:
 * @out: where to write
 * @value: a value
 *
 * Appends @value as Go's fmt prints it with `%v`.
 */
void
berth_template_append_value (GString *out, GVariant *value)
{
  g_autoptr(GVariant) v = unwrap (value != NULL ? g_variant_ref (value) : NULL);

  if (v == NULL)
    {
      g_string_append (out, "<nil>");
      return;
    }
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    g_string_append (out, g_variant_get_string (v, NULL));
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
    g_string_append (out, g_variant_get_boolean (v) ? "true" : "false");
  else if (is_object (v))
    {
      g_autoptr(GPtrArray) keys = g_ptr_array_new ();
      gsize n = g_variant_n_children (v);
      for (gsize i = 0; i < n; i++)
        {
          g_autoptr(GVariant) entry = g_variant_get_child_value (v, i);
          g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);
          g_ptr_array_add (keys, (gpointer)g_intern_string (g_variant_get_string (key, NULL)));
        }
      g_ptr_array_sort (keys, compare_keys);
      g_string_append (out, "map[");
      for (guint i = 0; i < keys->len; i++)
        {
          g_autoptr(GVariant) member = lookup (v, keys->pdata[i]);
          if (i > 0)
            g_string_append_c (out, ' ');
          g_string_append_printf (out, "%s:", (const gchar *)keys->pdata[i]);
          berth_template_append_value (out, member);
        }
      g_string_append_c (out, ']');
    }
  else if (g_variant_is_container (v))
    {
      gsize n = g_variant_n_children (v);
      g_string_append_c (out, '[');
      for (gsize i = 0; i < n; i++)
        {
          g_autoptr(GVariant) child = g_variant_get_child_value (v, i);
          if (i > 0)
            g_string_append_c (out, ' ');
          berth_template_append_value (out, child);
        }
      g_string_append_c (out, ']');
    }
  else
    {
      /* numbers; JSON's are int64 or double */
      g_autofree gchar *text = berth_json_from_variant (v, FALSE);
      g_string_append (out, text);
    }
}

/**
 * berth_template_render:
 * @self: a template
 * @data: the value `.` stands for
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the text
 */
gchar *
berth_template_render (BerthTemplate *self, GVariant *data, GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < self->parts->len; i++)
    {
      Part *part = self->parts->pdata[i];
      g_autoptr(GVariant) value = NULL;
      gboolean missing = FALSE;

      if (part->kind == PART_TEXT)
        {
          g_string_append (out, part->text);
          continue;
        }
      value = unwrap (g_variant_ref (data));
      for (guint j = 0; part->path[j] != NULL; j++)
        {
          GVariant *next;
          if (value == NULL || !is_object (value))
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "template: can't evaluate field %s", part->path[j]);
              return NULL;
            }
          next = lookup (value, part->path[j]);
          g_variant_unref (value);
          value = unwrap (next);
          if (next == NULL)
            {
              missing = TRUE;
              break;
            }
        }
      if (g_strcmp0 (part->function, "json") == 0)
        {
          if (value == NULL)
            g_string_append (out, "null");
          else
            berth_json_append_variant (out, value, FALSE, 0);
        }
      else if (g_strcmp0 (part->function, "join") == 0)
        {
          if (value != NULL && g_variant_is_container (value) && !is_object (value))
            {
              gsize n = g_variant_n_children (value);
              for (gsize k = 0; k < n; k++)
                {
                  g_autoptr(GVariant) child = g_variant_get_child_value (value, k);
                  if (k > 0)
                    g_string_append (out, part->argument);
                  berth_template_append_value (out, child);
                }
            }
        }
      else if (missing)
        g_string_append (out, "<no value>");
      else
        {
          g_autoptr(GString) text = g_string_new (NULL);
          berth_template_append_value (text, value);
          if (g_strcmp0 (part->function, "lower") == 0)
            {
              g_autofree gchar *lower = g_utf8_strdown (text->str, -1);
              g_string_append (out, lower);
            }
          else if (g_strcmp0 (part->function, "upper") == 0)
            {
              g_autofree gchar *upper = g_utf8_strup (text->str, -1);
              g_string_append (out, upper);
            }
          else if (g_strcmp0 (part->function, "title") == 0)
            {
              for (gsize k = 0; k < text->len; k++)
                g_string_append_c (out, (k == 0 || text->str[k - 1] == ' ')
                                          ? g_ascii_toupper (text->str[k])
                                          : text->str[k]);
            }
          else
            g_string_append_len (out, text->str, text->len);
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
