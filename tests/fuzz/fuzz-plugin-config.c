/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: a plugin's config.json and `berth plugin set`
 * arguments.
 *
 * Feeds berth_plugin_config_new_from_data() (libberth/berth-plugin-config.c
 * and its strict JSON reader, berth-plugin-json.c), then what berthd does
 * with a config: validation, interface types, privileges (and their JSON
 * round trip), the config blob round trip, the settings model
 * (libberth/berth-plugin-settings.c: new, set, copy, reread, upgrade), and
 * what berthd sends over D-Bus (privileges as `a(ssas)`, Inspect through
 * berth_json_to_dbus_variant()).
 *
 * Input: <config.json> NUL <set arg> NUL <set arg> ... (up to 6 arguments;
 * no NUL means no arguments). */
#include <json-glib/json-glib.h>

#include "berth-plugin-config.h"
#include "berth-plugin-settings.h"
#include "berth-json.h"
#include "fuzz-common.h"

static gchar *
settings_text (BerthPluginSettings *settings)
{
  g_autoptr(JsonNode) node = berth_plugin_settings_to_json_node (settings);
  return berth_json_to_string (node, FALSE);
}

/* what berthd answers over D-Bus: the privileges as `a(ssas)`
 * (daemon/berth-engine-registry.c privileges_variant()) and the config of
 * an Inspect reply (berth_json_to_dbus_variant()); a string that is not
 * UTF-8 makes GVariant log criticals, which fuzz-common.h turns into aborts */
static void
exercise_dbus (BerthPluginConfig *config, GPtrArray *privileges)
{
  GVariantBuilder builder;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(JsonNode) node = berth_plugin_config_to_json_node (config);

  g_variant_unref (g_variant_ref_sink (berth_json_to_dbus_variant (node)));
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssas)"));
  for (guint i = 0; i < privileges->len; i++)
    {
      BerthPluginPrivilege *p = privileges->pdata[i];
      g_variant_builder_add (&builder, "(ss^as)", p->name, p->description,
                             p->value != NULL ? p->value : (gchar *[]){ NULL });
    }
  reply = g_variant_ref_sink (g_variant_builder_end (&builder));
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssssasb)"));
  g_variant_builder_add (&builder, "(ssss^asb)", "id", "name", "",
                         berth_plugin_config_get_description (config),
                         berth_plugin_config_get_interface_types (config) != NULL
                           ? berth_plugin_config_get_interface_types (config)
                           : (const gchar *const[]){ NULL },
                         TRUE);
  g_variant_unref (g_variant_ref_sink (g_variant_builder_end (&builder)));
}

static void
exercise_privileges (BerthPluginConfig *config, const guint8 *data, size_t size)
{
  g_autoptr(GPtrArray) privileges = berth_plugin_config_get_privileges (config);
  g_autoptr(JsonNode) node = berth_plugin_privileges_to_json_node (privileges);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) back = berth_plugin_privileges_from_json_node (node, &error);

  g_free (berth_plugin_privileges_to_string (privileges));
  exercise_dbus (config, privileges);
  if (back == NULL)
    fuzz_note ("config", "privileges-reread-fails", data, size);
  else if (!berth_plugin_privileges_equal (privileges, back))
    fuzz_note ("config", "privileges-roundtrip", data, size);
}

static void
exercise_blob (BerthPluginConfig *config, const guint8 *data, size_t size)
{
  g_autoptr(GBytes) blob = berth_plugin_config_to_blob (config);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPluginConfig) again = berth_plugin_config_new_from_bytes (blob, &error);
  g_autoptr(GBytes) blob2 = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(BerthPluginConfig) from_node = NULL;

  if (again == NULL)
    {
      fuzz_note ("config", "blob-does-not-reparse", data, size);
      return;
    }
  blob2 = berth_plugin_config_to_blob (again);
  if (!g_bytes_equal (blob, blob2))
    fuzz_note ("config", "blob-not-stable", data, size);

  node = berth_plugin_config_to_json_node (config);
  from_node = berth_plugin_config_new_from_json_node (node, &error);
  if (from_node == NULL)
    fuzz_note ("config", "node-does-not-reread", data, size);
}

static void
exercise_settings (BerthPluginConfig *config, GPtrArray *args, const guint8 *data, size_t size)
{
  g_autoptr(BerthPluginSettings) settings = berth_plugin_settings_new (config);
  g_autoptr(BerthPluginSettings) copy = NULL;
  g_autoptr(BerthPluginSettings) reread = NULL;
  g_autoptr(BerthPluginSettings) upgraded = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *before = settings_text (settings);
  g_autofree gchar *after = NULL;
  gboolean ok;

  ok = berth_plugin_settings_set (settings, config, (const gchar *const *)args->pdata, &error);
  after = settings_text (settings);
  if (!ok && g_strcmp0 (before, after) != 0)
    fuzz_note ("config", "failed-set-changed-settings", data, size);
  g_clear_error (&error);

  /* one at a time too, as repeated `set` calls do */
  for (guint i = 0; args->pdata[i] != NULL; i++)
    {
      const gchar *one[] = { args->pdata[i], NULL };
      berth_plugin_settings_set (settings, config, one, NULL);
    }

  (void)berth_plugin_settings_get_env (settings);
  (void)berth_plugin_settings_get_args (settings);
  (void)berth_plugin_settings_get_mounts (settings);
  (void)berth_plugin_settings_get_devices (settings);

  copy = berth_plugin_settings_copy (settings);
  node = berth_plugin_settings_to_json_node (copy);
  reread = berth_plugin_settings_new_from_json_node (node, &error);
  if (reread == NULL)
    fuzz_note ("config", "settings-do-not-reread", data, size);
  else
    {
      g_autofree gchar *a = settings_text (settings);
      g_autofree gchar *b = settings_text (reread);
      if (g_strcmp0 (a, b) != 0)
        fuzz_note ("config", "settings-roundtrip", data, size);
      /* the daemon upgrades with stored settings and two configs */
      upgraded = berth_plugin_settings_new_for_upgrade (reread, config, config);
      g_clear_object (&upgraded);
    }
  upgraded = berth_plugin_settings_new_for_upgrade (settings, config, config);
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
  g_autoptr(GArray) lengths = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(BerthPluginConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  parts = fuzz_split (data, size, 7, &lengths);
  for (guint i = 1; i < parts->len; i++)
    g_ptr_array_add (args, parts->pdata[i]);
  g_ptr_array_add (args, NULL);

  config = berth_plugin_config_new_from_data (parts->pdata[0], g_array_index (lengths, gsize, 0),
                                              &error);
  if (config == NULL)
    return 0;

  berth_plugin_config_validate (config,
                                "/run/berth/plugins/"
                                "0123456789abcdef0123456789abcdef"
                                "0123456789abcdef0123456789abcdef",
                                NULL);
  berth_plugin_config_validate (config, NULL, NULL);
  berth_plugin_config_has_capability (config, "volumedriver");
  {
    const gchar *const *types = berth_plugin_config_get_interface_types (config);
    for (guint i = 0; types != NULL && types[i] != NULL; i++)
      {
        g_autofree gchar *prefix = NULL, *cap = NULL, *version = NULL;
        berth_plugin_interface_type_parse (types[i], &prefix, &cap, &version, NULL);
      }
  }
  exercise_privileges (config, data, size);
  exercise_blob (config, data, size);
  exercise_settings (config, args, data, size);
  return 0;
}
