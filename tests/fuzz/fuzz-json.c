/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: JSON text as registries, plugins and state files hand
 * it to berth.
 *
 * Feeds the raw bytes (NULs included) to berth_json_parse()
 * (libberth/berth-json.c: json-glib with berth's limits), then to the
 * writers, berth_json_indent() and berth_json_to_dbus_variant() as berthd
 * applies them to parsed trees; and to berth_plugin_json_parse()
 * (libberth/berth-plugin-json.c: berth's strict scanner in front of
 * json-glib), then to the readers built on it: privileges (POST
 * /plugins/pull), settings and plugin configs from a tree. */
#include <json-glib/json-glib.h>

#include "berth-json.h"
#include "berth-json-write.h"
#include "berth-plugin-config.h"
#include "berth-plugin-json-private.h"
#include "berth-plugin-settings.h"
#include "fuzz-common.h"

static void
exercise_tree (JsonNode *node)
{
  g_autofree gchar *compact = berth_json_to_string (node, FALSE);
  g_autoptr(GVariant) variant = g_variant_ref_sink (berth_json_to_dbus_variant (node));
  GString *html = g_string_new (NULL);

  g_free (berth_json_to_string (node, TRUE));
  g_free (berth_json_indent (compact));
  g_free (berth_json_from_variant (variant, TRUE));
  berth_json_append (html, node, BERTH_JSON_ESCAPE_HTML | BERTH_JSON_PRETTY);
  g_string_free (html, TRUE);
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);
      for (GList *l = members; l != NULL; l = l->next)
        {
          g_strfreev (berth_json_object_get_strv (object, l->data, NULL));
          (void)berth_json_object_get_string (object, l->data);
        }
    }
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging (TRUE);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = berth_json_parse ((const gchar *)data, (gssize)size, &error);
    if (node != NULL)
      exercise_tree (node);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BerthPluginJsonReader) reader = NULL;
    g_autoptr(JsonNode) node
               = berth_plugin_json_parse ((const gchar *)data, (gssize)size, &reader, &error);
    if (node != NULL)
      {
        g_autoptr(GPtrArray) privileges = berth_plugin_privileges_from_json_node (node, NULL);
        g_autoptr(BerthPluginSettings) settings
                   = berth_plugin_settings_new_from_json_node (node, NULL);
        g_autoptr(BerthPluginConfig) config = berth_plugin_config_new_from_json_node (node, NULL);
        if (privileges != NULL)
          {
            g_free (berth_plugin_privileges_to_string (privileges));
            json_node_unref (berth_plugin_privileges_to_json_node (privileges));
            berth_plugin_privileges_equal (privileges, privileges);
          }
        if (settings != NULL)
          json_node_unref (berth_plugin_settings_to_json_node (settings));
        if (config != NULL)
          g_bytes_unref (berth_plugin_config_to_blob (config));
        exercise_tree (node);
      }
  }
  return 0;
}
