/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <berth.h>

static void
test_json_go_style (void)
{
  const gchar *input = "{\"Name\":\"a<b>&\\u2028\",\"Empty\":[],\"Obj\":{},\"Null\":null,"
                       "\"List\":[1,true,\"x\\ny\\u0001\"],\"Nested\":{\"Z\":1,\"A\":2}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = berth_json_parse (input, -1, &error);
  g_autofree gchar *compact = NULL;
  g_autofree gchar *pretty = NULL;

  g_assert_no_error (error);
  compact = berth_json_to_string (node, FALSE);
  /* members keep their order; no HTML escaping; U+2028 escaped as Go does */
  g_assert_cmpstr (compact, ==,
                   "{\"Name\":\"a<b>&\\u2028\",\"Empty\":[],\"Obj\":{},\"Null\":null,"
                   "\"List\":[1,true,\"x\\ny\\u0001\"],\"Nested\":{\"Z\":1,\"A\":2}}");
  {
    g_autoptr(GString) escaped = g_string_new (NULL);
    berth_json_append (escaped, node, BERTH_JSON_ESCAPE_HTML);
    g_assert_true (g_str_has_prefix (escaped->str, "{\"Name\":\"a\\u003cb\\u003e\\u0026\\u2028\""));
  }
  pretty = berth_json_to_string (node, TRUE);
  g_assert_cmpstr (pretty, ==,
                   "{\n"
                   "    \"Name\": \"a<b>&\\u2028\",\n"
                   "    \"Empty\": [],\n"
                   "    \"Obj\": {},\n"
                   "    \"Null\": null,\n"
                   "    \"List\": [\n"
                   "        1,\n"
                   "        true,\n"
                   "        \"x\\ny\\u0001\"\n"
                   "    ],\n"
                   "    \"Nested\": {\n"
                   "        \"Z\": 1,\n"
                   "        \"A\": 2\n"
                   "    }\n"
                   "}");
}

/* JSON of any depth the parser takes makes a D-Bus message that GDBus
 * reads back: what lies deeper than D-Bus can nest travels as JSON text */
static void
test_json_dbus_depth (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GDBusMessage) message = g_dbus_message_new_signal ("/", "org.example.J", "S");
  g_autoptr(GDBusMessage) back = NULL;
  g_autofree guchar *blob = NULL;
  g_autofree gchar *printed = NULL;
  gsize size = 0;

  for (guint i = 0; i < 200; i++)
    g_string_append (text, "{\"a\":[");
  g_string_append (text, "1");
  for (guint i = 0; i < 200; i++)
    g_string_append (text, "]}");
  node = berth_json_parse (text->str, text->len, &error);
  g_assert_no_error (error);
  g_dbus_message_set_serial (message, 1);
  g_dbus_message_set_body (message, g_variant_new ("(@a{sv})", berth_json_to_dbus_variant (node)));
  blob = g_dbus_message_to_blob (message, &size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
  g_assert_no_error (error);
  back = g_dbus_message_new_from_blob (blob, size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
  g_assert_no_error (error);
  printed = g_variant_print (g_dbus_message_get_body (back), FALSE);
  /* the deep part is there, as text */
  g_assert_nonnull (strstr (printed, "'{\"a\":[{\"a\":["));
}

static void
test_json_indent (void)
{
  g_autofree gchar *a = berth_json_indent ("[{\"a\":[],\"b\":{},\"c\":\"x,{}[]:\\\"\",\"d\":[1,2]}]");
  g_autofree gchar *empty = berth_json_indent ("[]");
  g_assert_cmpstr (a, ==,
                   "[\n    {\n        \"a\": [],\n        \"b\": {},\n        \"c\": \"x,{}[]:\\\"\",\n"
                   "        \"d\": [\n            1,\n            2\n        ]\n    }\n]");
  g_assert_cmpstr (empty, ==, "[]");
}

static void
test_json_parse_errors (void)
{
  const gchar *bad[] = { "", "{", "{\"a\":}", "[1,]", "nul",
                         /* json-glib would decode these into bytes that are not UTF-8 */
                         "{\"a\":\"x\\ud800y\"}", "[\"\\udc00\"]", "[\"\\ud83d\\u0041\"]",
                         "[\"\\200\"]", "{\"\\377\":1}", "[\"\\u615\xcf\x94\"]" };
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) deep_error = NULL;
  g_autoptr(JsonNode) deep_node = NULL;
  g_autoptr(JsonNode) pair = berth_json_parse ("[\"\\ud83d\\ude00\", \"\\\\ud800\"]", -1, NULL);

  g_assert_nonnull (pair);
  /* refused before json-glib, which leaks on some malformed pairs */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = berth_json_parse ("[\"a\\ud800\\u0e66\"]", -1, &error);
    g_assert_null (node);
    g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "unpaired surrogate"));
  }
  /* deep enough to overflow the stack in json-glib, which must never see it */
  for (guint i = 0; i < 500000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 500000; i++)
    g_string_append_c (deep, ']');
  deep_node = berth_json_parse (deep->str, deep->len, &deep_error);
  g_assert_null (deep_node);
  g_assert_error (deep_error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = berth_json_parse (bad[i], -1, &error);
      g_assert_null (node);
      g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_str_has_prefix (error->message, "invalid JSON"));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/json/go-style", test_json_go_style);
  g_test_add_func ("/json/parse-errors", test_json_parse_errors);
  g_test_add_func ("/json/indent", test_json_indent);
  g_test_add_func ("/json/dbus-depth", test_json_dbus_depth);
  return g_test_run ();
}
