/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <berth.h>

static GVariant *
plugin_data (void)
{
  return g_variant_ref_sink (g_variant_new_parsed (
    "{'Id': <'abc123'>, 'Name': <'vieux/sshfs:latest'>, 'Enabled': <true>,"
    " 'Settings': <{'Env': <[<'DEBUG=0'>, <'X=1'>]>, 'Args': <@av []>}>,"
    " 'Config': <{'Entrypoint': <[<'/docker-volume-sshfs'>]>, 'Interface':"
    " <{'Socket': <'sshfs.sock'>}>, 'Count': <int64 3>}>, 'Nothing': <@mv nothing>, 'Null': <@ay []>}"));
}

static void
test_template_render (void)
{
  g_autoptr(GVariant) data = plugin_data ();
  struct {
    const gchar *template;
    const gchar *expected;
  } cases[] = {
    { "{{.Id}}", "abc123" },
    { "{{.ID}}: {{.Name}}", "abc123: vieux/sshfs:latest" },
    { "{{.Enabled}}", "true" },
    { "{{.Settings.Env}}", "[DEBUG=0 X=1]" },
    { "{{.Settings.Args}}", "[]" },
    { "{{json .Settings.Env}}", "[\"DEBUG=0\",\"X=1\"]" },
    { "{{json .Config.Interface}}", "{\"Socket\":\"sshfs.sock\"}" },
    { "{{join .Settings.Env \",\"}}", "DEBUG=0,X=1" },
    { "{{.Config.Interface}}", "map[Socket:sshfs.sock]" },
    { "{{.Config.Count}}", "3" },
    { "{{.Missing}}", "<no value>" },
    { "{{.Nothing}}", "<nil>" },
    { "{{.Null}}", "<nil>" },
    { "{{json .Null}}", "null" },
    { "{{upper .Name}}", "VIEUX/SSHFS:LATEST" },
    { "plain text", "plain text" },
    { "{{.Id}}\\t{{.Name}}\\n", "abc123\tvieux/sshfs:latest\n" },
    { "{{ .Id }}-{{.Id}}", "abc123-abc123" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BerthTemplate) t = berth_template_new (cases[i].template, &error);
      g_autofree gchar *out = NULL;
      g_test_message ("template %s", cases[i].template);
      g_assert_no_error (error);
      out = berth_template_render (t, data, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, cases[i].expected);
    }
}

static void
test_template_errors (void)
{
  g_autoptr(GVariant) data = plugin_data ();
  const gchar *bad[]
    = { "{{.Id", "{{Id}}", "{{nosuch .Id}}", "{{join .Id}}", "{{..}}", "{{join .Id \"\\\"}}" };
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthTemplate) field_of_string = NULL;
  g_autofree gchar *out = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(BerthTemplate) t = berth_template_new (bad[i], &e);
      g_test_message ("template %s", bad[i]);
      g_assert_null (t);
      g_assert_error (e, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_str_has_prefix (e->message, "template parsing error"));
    }
  field_of_string = berth_template_new ("{{.Id.Deeper}}", &error);
  g_assert_no_error (error);
  out = berth_template_render (field_of_string, data, &error);
  g_assert_null (out);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/template/render", test_template_render);
  g_test_add_func ("/template/errors", test_template_errors);
  return g_test_run ();
}
