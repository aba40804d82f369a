/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: the CLI's --format templates.
 *
 * Feeds berth_template_new() and berth_template_render()
 * (libberth/berth-template.c). The data is parsed with berth_json_parse()
 * and converted as berthd sends it over D-Bus
 * (berth_json_to_dbus_variant()), then rendered as is and wrapped in a
 * variant as the CLI's Inspect reply carries it; the template is also
 * rendered against a fixed plugin-like object.
 *
 * Input: <template> NUL <JSON data>. */
#include <json-glib/json-glib.h>

#include "berth-json.h"
#include "berth-template.h"
#include "fuzz-common.h"

static GVariant *
fixed_data (void)
{
  static const char json[]
    = "{\"Id\":\"86e0e091d0da\",\"Name\":\"vieux/sshfs:latest\",\"Enabled\":true,"
      "\"Config\":{\"Description\":\"sshFS plugin\",\"Args\":{\"Value\":null},"
      "\"Env\":[{\"Name\":\"DEBUG\",\"Value\":\"0\",\"Settable\":[\"value\"]}],"
      "\"Interface\":{\"Socket\":\"sshfs.sock\",\"Types\":[\"docker.volumedriver/1.0\"]},"
      "\"User\":{},\"Mounts\":[],\"n\":-1.5e3,\"i\":42,\"u\":\"\\u2028<&>\"},"
      "\"Settings\":{\"Env\":[\"DEBUG=0\",\"A=b c\"],\"Args\":[],\"Devices\":null}}";
  g_autoptr(JsonNode) node = berth_json_parse (json, -1, NULL);
  g_assert (node != NULL);
  return g_variant_ref_sink (berth_json_to_dbus_variant (node));
}

static void
render (BerthTemplate *template, GVariant *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  g_free (berth_template_render (template, value, &error));
  berth_template_append_value (out, value);
}

static GVariant *fixed;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging (TRUE);
  fixed = fixed_data ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GArray) lengths = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(BerthTemplate) template = NULL;
  g_autoptr(GError) error = NULL;

  parts = fuzz_split (data, size, 2, &lengths);

  template = berth_template_new (parts->pdata[0], &error);
  if (template == NULL)
    return 0;
  render (template, fixed);
  if (parts->len > 1)
    {
      g_autoptr(JsonNode) node = berth_json_parse (
        parts->pdata[1], (gssize)g_array_index (lengths, gsize, 1), NULL);
      if (node != NULL)
        {
          g_autoptr(GVariant) value = g_variant_ref_sink (berth_json_to_dbus_variant (node));
          g_autoptr(GVariant) boxed = g_variant_ref_sink (g_variant_new_variant (value));
          render (template, value);
          render (template, boxed);
        }
    }
  return 0;
}
