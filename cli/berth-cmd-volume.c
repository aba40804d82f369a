/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthCli"

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "berth-cli.h"
#include "berth-template.h"

/* `berth volume …`: docker's words, flags, tables and messages, and
 * `mount`/`unmount` for scripts. */

#define VOLUMES_INTERFACE "org.berth.Berth1.Volumes"
#define VOLUME_INTERFACE  "org.berth.Berth1.Volume"

static GVariant *
strings_to_dict (gchar **pairs, const gchar *what, GError **error)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i++)
    {
      const gchar *eq = strchr (pairs[i], '=');
      g_autofree gchar *key
        = eq != NULL ? g_strndup (pairs[i], eq - pairs[i]) : g_strdup (pairs[i]);
      if (key[0] == '\0')
        {
          g_variant_builder_clear (&builder);
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "invalid argument \"%s\" for \"%s\" flag: key can't be empty", pairs[i],
                       what);
          return NULL;
        }
      g_variant_builder_add (&builder, "{ss}", key, eq != NULL ? eq + 1 : "");
    }
  return g_variant_builder_end (&builder);
}

static gint
volume_create (BerthCli *cli, gint argc, gchar **argv)
{
  g_autofree gchar *driver = NULL;
  g_autofree gchar *name = NULL;
  g_auto(GStrv) opts = NULL;
  g_auto(GStrv) labels = NULL;
  const GOptionEntry entries[] = {
    { "driver", 'd', 0, G_OPTION_ARG_STRING, &driver,
      "Specify volume driver name (default \"local\")", "string" },
    { "label", 0, 0, G_OPTION_ARG_STRING_ARRAY, &labels, "Set metadata for a volume", "list" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Specify volume name", "string" },
    { "opt", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &opts, "Set driver specific options", "map" },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariant *options, *label_dict;
  const gchar *created;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS] [VOLUME]", "Create a volume", entries, 0, 1, &argc, &argv,
                        &exit_code))
    return exit_code;
  if (argc == 2)
    {
      if (name != NULL && !g_str_equal (name, argv[1]))
        {
          g_printerr ("berth: conflicting options: either specify --name or provide positional "
                      "arg, not both\n");
          return BERTH_EXIT_ERROR;
        }
      g_free (name);
      name = g_strdup (argv[1]);
    }
  options = strings_to_dict (opts, "--opt", &error);
  if (options == NULL)
    return berth_cli_fail (cli, error);
  label_dict = strings_to_dict (labels, "--label", &error);
  if (label_dict == NULL)
    {
      g_variant_unref (g_variant_ref_sink (options));
      return berth_cli_fail (cli, error);
    }
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, VOLUMES_INTERFACE, "Create",
                          g_variant_new ("(ss@a{ss}@a{ss})", name != NULL ? name : "",
                                         driver != NULL ? driver : "local", options, label_dict),
                          G_VARIANT_TYPE ("(s)"), &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  g_variant_get (reply, "(&s)", &created);
  g_print ("%s\n", created);
  return BERTH_EXIT_OK;
}

/* one line of `volume ls`, straight from the List answer: with 10,000
 * volumes every allocation per row shows */
typedef struct
{
  const gchar *name, *driver, *mountpoint, *scope, *state;
  GVariant *labels; /* a{ss}, NULL when there are none */
  guint32 mounts;
} VolumeRow;

static void
volume_row_clear (gpointer data)
{
  g_clear_pointer (&((VolumeRow *)data)->labels, g_variant_unref);
}

/* one row of the List answer, read in place: its strings point into @r's
 * message */
static gboolean
read_volume_row (BerthCliReader *r, VolumeRow *row, GError **error)
{
  BerthCliReader at_labels;
  gsize labels_end;

  if (!berth_cli_reader_begin_struct (r, error) || !berth_cli_reader_string (r, &row->name, error)
      || !berth_cli_reader_string (r, &row->driver, error)
      || !berth_cli_reader_string (r, &row->mountpoint, error)
      || !berth_cli_reader_string (r, &row->scope, error)
      || !berth_cli_reader_string (r, &row->state, error))
    return FALSE;
  /* most volumes have no labels: no value is made for them */
  at_labels = *r;
  if (!berth_cli_reader_begin_array (r, 8, &labels_end, error))
    return FALSE;
  row->labels = NULL;
  if (berth_cli_reader_at (r) != labels_end)
    {
      *r = at_labels;
      row->labels = berth_cli_reader_value (r, G_VARIANT_TYPE ("a{ss}"), error);
      if (row->labels == NULL)
        return FALSE;
    }
  return berth_cli_reader_uint32 (r, &row->mounts, error);
}

static gchar *
labels_text (VolumeRow *row)
{
  g_autoptr(GString) out = g_string_new (NULL);
  GVariantIter iter;
  const gchar *k, *v;

  if (row->labels == NULL)
    return g_strdup ("");
  g_variant_iter_init (&iter, row->labels);
  while (g_variant_iter_next (&iter, "{&s&s}", &k, &v))
    g_string_append_printf (out, "%s%s=%s", out->len > 0 ? "," : "", k, v);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
volume_matches (VolumeRow *row, gchar **filters, GError **error)
{
  for (guint i = 0; filters != NULL && filters[i] != NULL; i++)
    {
      const gchar *eq = strchr (filters[i], '=');
      g_autofree gchar *key
        = eq != NULL ? g_strndup (filters[i], eq - filters[i]) : g_strdup (filters[i]);
      const gchar *value = eq != NULL ? eq + 1 : "";

      if (g_str_equal (key, "name"))
        {
          if (strstr (row->name, value) == NULL)
            return FALSE;
        }
      else if (g_str_equal (key, "driver"))
        {
          g_autofree gchar *tagged = g_strdup_printf ("%s:latest", value);
          if (!g_str_equal (row->driver, value) && !g_str_equal (row->driver, tagged))
            return FALSE;
        }
      else if (g_str_equal (key, "dangling"))
        {
          gboolean want;
          if (g_str_equal (value, "true") || g_str_equal (value, "1"))
            want = TRUE;
          else if (g_str_equal (value, "false") || g_str_equal (value, "0"))
            want = FALSE;
          else
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "invalid filter 'dangling=%s'", value);
              return FALSE;
            }
          if ((row->mounts == 0) != want)
            return FALSE;
        }
      else if (g_str_equal (key, "label"))
        {
          const gchar *leq = strchr (value, '=');
          g_autofree gchar *lkey = leq != NULL ? g_strndup (value, leq - value) : g_strdup (value);
          const gchar *have = NULL;
          if (row->labels == NULL || !g_variant_lookup (row->labels, lkey, "&s", &have)
              || (leq != NULL && !g_str_equal (have, leq + 1)))
            return FALSE;
        }
      else
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "invalid filter '%s'",
                       key);
          return FALSE;
        }
    }
  return TRUE;
}

static gint
compare_volumes (gconstpointer a, gconstpointer b)
{
  const VolumeRow *x = a, *y = b;
  return berth_natural_compare (x->name, y->name);
}

static GVariant *
volume_row (VolumeRow *row)
{
  g_autofree gchar *labels = labels_text (row);
  return g_variant_new_parsed ("{'Driver': <%s>, 'Labels': <%s>, 'Mountpoint': <%s>, 'Name': <%s>, "
                               "'Scope': <%s>}",
                               row->driver, labels, row->mountpoint, row->name, row->scope);
}

static gint
volume_ls (BerthCli *cli, gint argc, gchar **argv)
{
  gboolean quiet = FALSE;
  g_auto(GStrv) filters = NULL;
  g_autofree gchar *format = NULL;
  const GOptionEntry entries[] = {
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters,
      "Provide filter values (e.g. \"dangling=true\")", "filter" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      "Format output using a custom template: 'table' | 'table TEMPLATE' | 'json' | 'TEMPLATE'",
      "string" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Only display volume names", NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthCliMessage) reply = NULL; /* outlives the rows, which point into it */
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (VolumeRow));
  g_autoptr(BerthTemplate) template = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  BerthCliReader r;
  gsize end;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS]", "List volumes", entries, 0, 0, &argc, &argv, &exit_code))
    return exit_code;
  if (cli->json && format == NULL)
    format = g_strdup ("json");
  if (format != NULL && !g_str_equal (format, "json") && !g_str_equal (format, "table"))
    {
      const gchar *text = g_str_has_prefix (format, "table ") ? format + 6 : format;
      template = berth_template_new (text, &error);
      if (template == NULL)
        return berth_cli_fail (cli, error);
    }

  /* one compact answer, not the ObjectManager's objects, read in place:
   * fast with 10,000 */
  g_array_set_clear_func (rows, volume_row_clear);
  reply = berth_cli_call_message (cli, BERTH_DBUS_PATH, VOLUMES_INTERFACE, "List", NULL,
                                  "a(sssssa{ss}u)", &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  berth_cli_reader_init (&r, reply);
  if (!berth_cli_reader_begin_array (&r, 8, &end, &error))
    return berth_cli_fail (cli, error);
  while (berth_cli_reader_at (&r) < end)
    {
      VolumeRow row;
      if (!read_volume_row (&r, &row, &error))
        return berth_cli_fail (cli, error);
      if (!volume_matches (&row, filters, &error))
        {
          volume_row_clear (&row);
          if (error != NULL)
            return berth_cli_fail (cli, error);
          continue;
        }
      g_array_append_val (rows, row);
    }
  g_array_sort (rows, compare_volumes);

  if (quiet)
    for (guint i = 0; i < rows->len; i++)
      g_string_append_printf (out, "%s\n", g_array_index (rows, VolumeRow, i).name);
  else if (format != NULL && g_str_equal (format, "json"))
    for (guint i = 0; i < rows->len; i++)
      {
        g_autoptr(GVariant) row
                   = g_variant_ref_sink (volume_row (&g_array_index (rows, VolumeRow, i)));
        berth_json_append_variant (out, row, FALSE, 0);
        g_string_append_c (out, '\n');
      }
  else if (template != NULL)
    for (guint i = 0; i < rows->len; i++)
      {
        g_autoptr(GVariant) row
                   = g_variant_ref_sink (volume_row (&g_array_index (rows, VolumeRow, i)));
        g_autofree gchar *line = berth_template_render (template, row, &error);
        if (line == NULL)
          return berth_cli_fail (cli, error);
        g_string_append_printf (out, "%s\n", line);
      }
  else
    {
      g_autoptr(BerthTable) t = berth_table_new (10, 3);
      berth_table_add_row (t, "DRIVER", "VOLUME NAME", NULL);
      for (guint i = 0; i < rows->len; i++)
        berth_table_add_row (t, g_array_index (rows, VolumeRow, i).driver,
                             g_array_index (rows, VolumeRow, i).name, NULL);
      berth_table_print (t, out);
    }
  fputs (out->str, stdout);
  return BERTH_EXIT_OK;
}

static gint
volume_inspect (BerthCli *cli, gint argc, gchar **argv)
{
  return berth_cli_inspect_command (cli, argc, argv, "[OPTIONS] VOLUME [VOLUME...]",
                                    "Display detailed information on one or more volumes",
                                    VOLUMES_INTERFACE);
}

static gint
volume_rm (BerthCli *cli, gint argc, gchar **argv)
{
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Force the removal of one or more volumes",
      NULL },
    { NULL },
  };
  gint status = BERTH_EXIT_OK;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes", entries,
                        1, -1, &argc, &argv, &exit_code))
    return exit_code;
  for (gint i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply
                 = berth_cli_call (cli, BERTH_DBUS_PATH, VOLUMES_INTERFACE, "Remove",
                                   g_variant_new ("(sb)", argv[i], force), NULL, &error);
      if (reply == NULL)
        {
          berth_cli_fail (cli, error);
          status = BERTH_EXIT_ERROR;
          if (cli->bus == NULL)
            break;
          continue;
        }
      g_print ("%s\n", argv[i]);
    }
  return status;
}

static gint
volume_prune (BerthCli *cli, gint argc, gchar **argv)
{
  gboolean all = FALSE, force = FALSE;
  g_auto(GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Remove all unused volumes, not just anonymous ones",
      NULL },
    { "filter", 0, 0, G_OPTION_ARG_STRING_ARRAY, &filters,
      "Provide filter values (e.g. \"label=<label>\")", "filter" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Do not prompt for confirmation", NULL },
    { NULL },
  };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree const gchar **deleted = NULL;
  g_autofree gchar *reclaimed_text = NULL;
  guint64 reclaimed = 0;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS]", "Remove unused volumes", entries, 0, 0, &argc, &argv,
                        &exit_code))
    return exit_code;
  if (!force)
    {
      gchar answer[16] = { 0 };
      g_print ("WARNING! This will remove %s volumes not used by at least one mount.\n"
               "Are you sure you want to continue? [y/N] ",
               all ? "all local" : "anonymous local");
      fflush (stdout);
      if (fgets (answer, sizeof answer, stdin) == NULL
          || (g_strstrip (answer)[0] != 'y' && answer[0] != 'Y'))
        return BERTH_EXIT_OK;
    }
  g_strv_builder_addv (builder, (const gchar **)(filters != NULL ? filters : (gchar *[]){ NULL }));
  if (all)
    g_strv_builder_add (builder, "all=true");
  request = g_strv_builder_end (builder);
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, VOLUMES_INTERFACE, "Prune",
                          g_variant_new ("(^as)", request), G_VARIANT_TYPE ("(ast)"), &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  g_variant_get (reply, "(^a&st)", &deleted, &reclaimed);
  if (deleted[0] != NULL)
    {
      g_print ("Deleted Volumes:\n");
      for (guint i = 0; deleted[i] != NULL; i++)
        g_print ("%s\n", deleted[i]);
      g_print ("\n");
    }
  reclaimed_text = berth_human_size (reclaimed);
  g_print ("Total reclaimed space: %s\n", reclaimed_text);
  return BERTH_EXIT_OK;
}

static gint
volume_mount (BerthCli *cli, gint argc, gchar **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const gchar *path, *id;
  gint exit_code;

  if (!berth_cli_parse (cli, "VOLUME",
                        "Mount a volume through its driver and print where (first line) and the "
                        "mount's ID (second line); it stays mounted until berth volume unmount",
                        NULL, 1, 1, &argc, &argv, &exit_code))
    return exit_code;
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, VOLUMES_INTERFACE, "Mount",
                          g_variant_new ("(s)", argv[1]), G_VARIANT_TYPE ("(ss)"), &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  g_variant_get (reply, "(&s&s)", &path, &id);
  g_print ("%s\n%s\n", path, id);
  return BERTH_EXIT_OK;
}

static gint
volume_unmount (BerthCli *cli, gint argc, gchar **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint exit_code;

  if (!berth_cli_parse (cli, "VOLUME ID", "Release a mount made by berth volume mount", NULL, 2, 2,
                        &argc, &argv, &exit_code))
    return exit_code;
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, VOLUMES_INTERFACE, "Unmount",
                          g_variant_new ("(ss)", argv[1], argv[2]), NULL, &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  return BERTH_EXIT_OK;
}

const BerthCommand berth_cmd_volume[] = {
  { "create", "Create a volume", volume_create, NULL },
  { "inspect", "Display detailed information on one or more volumes", volume_inspect, NULL },
  { "ls", "List volumes", volume_ls, NULL },
  { "list", NULL, volume_ls, NULL },
  { "mount", "Mount a volume and print where", volume_mount, NULL },
  { "prune", "Remove unused volumes", volume_prune, NULL },
  { "rm", "Remove one or more volumes", volume_rm, NULL },
  { "remove", NULL, volume_rm, NULL },
  { "unmount", "Release a mount made by berth volume mount", volume_unmount, NULL },
  { NULL },
};
