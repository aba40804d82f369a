/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthCli"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth-cli.h"
#include "berth-template.h"

/* `berth plugin …`: docker's words, flags, tables and messages. */

#define PLUGINS_INTERFACE "org.berth.Berth1.Plugins"
#define PLUGIN_INTERFACE  "org.berth.Berth1.Plugin"

/* ---- ls ------------------------------------------------------------------ */

static gint
compare_rows (gconstpointer a, gconstpointer b)
{
  GVariantDict *x = *(GVariantDict **)a, *y = *(GVariantDict **)b;
  return berth_natural_compare (berth_cli_dict_string (x, "Name"),
                                berth_cli_dict_string (y, "Name"));
}

/* docker's stringid.TruncateID */
static gchar *
truncate_id (const gchar *id, gboolean no_trunc)
{
  const gchar *colon = strchr (id, ':');
  if (no_trunc)
    return g_strdup (id);
  if (colon != NULL)
    id = colon + 1;
  return g_strndup (id, 12);
}

/* docker's formatter.Ellipsis: at most @width display cells, "…" when cut */
static gchar *
ellipsis (const gchar *text, guint width)
{
  GString *out = g_string_new (NULL);
  guint cells = 0;

  if (berth_display_width (text) <= width)
    return g_strdup (text);
  for (const gchar *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint w = g_unichar_iswide (c) ? 2 : 1;
      if (cells + w > width - 1)
        break;
      g_string_append_unichar (out, c);
      cells += w;
    }
  g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

static gchar *
description_of (GVariantDict *props, gboolean no_trunc)
{
  g_autofree gchar *flat = g_strdup (berth_cli_dict_string (props, "Description"));
  GString *clean = g_string_new (NULL);

  for (const gchar *p = flat; *p != '\0'; p++)
    if (*p != '\n' && *p != '\r')
      g_string_append_c (clean, *p);
  if (no_trunc)
    return g_string_free (clean, FALSE);
  {
    g_autofree gchar *whole = g_string_free (clean, FALSE);
    return ellipsis (whole, 45);
  }
}

/* the row `plugin ls` formats: docker's fields, its truncation rules */
static GVariant *
row_of (GVariantDict *props, gboolean no_trunc)
{
  g_autofree gchar *id = truncate_id (berth_cli_dict_string (props, "Id"), no_trunc);
  g_autofree gchar *description = description_of (props, no_trunc);
  gboolean enabled = FALSE;

  g_variant_dict_lookup (props, "Enabled", "b", &enabled);
  /* keys sorted, as docker's {{json .}} prints them */
  return g_variant_new_parsed ("{'Description': <%s>, 'Enabled': <%b>, 'ID': <%s>, 'Name': <%s>, "
                               "'PluginReference': <%s>}",
                               description, enabled, id, berth_cli_dict_string (props, "Name"),
                               berth_cli_dict_string (props, "PluginReference"));
}

static gboolean
keep_by_filters (GVariantDict *props, GPtrArray *filters, GError **error)
{
  for (guint i = 0; i < filters->len; i++)
    {
      const gchar *filter = filters->pdata[i];
      const gchar *eq = strchr (filter, '=');
      g_autofree gchar *key = eq != NULL ? g_strndup (filter, eq - filter) : g_strdup (filter);
      const gchar *value = eq != NULL ? eq + 1 : "";

      if (g_str_equal (key, "enabled"))
        {
          gboolean enabled = FALSE, want;
          if (g_str_equal (value, "true") || g_str_equal (value, "1"))
            want = TRUE;
          else if (g_str_equal (value, "false") || g_str_equal (value, "0"))
            want = FALSE;
          else
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "invalid filter 'enabled=[%s]'", value);
              return FALSE;
            }
          g_variant_dict_lookup (props, "Enabled", "b", &enabled);
          if (enabled != want)
            return FALSE;
        }
      else if (g_str_equal (key, "capability"))
        {
          g_autoptr(GRegex) regex = g_regex_new (value, 0, 0, error);
          g_autofree const gchar **types = NULL;
          if (regex == NULL)
            return FALSE;
          g_variant_dict_lookup (props, "Types", "^a&s", &types);
          /* as docker: kept only if every interface type matches */
          for (guint t = 0; types != NULL && types[t] != NULL; t++)
            {
              const gchar *slash = strchr (types[t], '/');
              g_autofree gchar *left = g_strndup (
                types[t], slash != NULL ? (gsize)(slash - types[t]) : strlen (types[t]));
              const gchar *dot = strrchr (left, '.');
              if (!g_regex_match (regex, dot != NULL ? dot + 1 : left, 0, NULL))
                return FALSE;
            }
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
plugin_ls (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  gboolean quiet = FALSE, no_trunc = FALSE;
  g_auto(GStrv) filters = NULL;
  g_autofree gchar *format = NULL;
  const GOptionEntry entries[] = {
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters,
      "Provide filter values (e.g. \"enabled=true\")", "filter" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      "Format output using a custom template: 'table' | 'table TEMPLATE' | 'json' | 'TEMPLATE'",
      "string" },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, "Don't truncate output", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Only display plugin IDs", NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GPtrArray) rows
             = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_dict_unref);
  g_autoptr(GPtrArray) filter_list = g_ptr_array_new ();
  g_autoptr(BerthTemplate) template = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean table = TRUE;
  GVariantIter iter;

  if (!berth_cli_parse (cli, "[OPTIONS]", "List plugins", entries, 0, 0, &argc, &argv, &exit_code))
    return exit_code;
  for (guint i = 0; filters != NULL && filters[i] != NULL; i++)
    g_ptr_array_add (filter_list, filters[i]);

  if (cli->json && format == NULL)
    format = g_strdup ("json");
  if (quiet)
    {
      g_free (format);
      format = g_strdup ("{{.ID}}");
      table = FALSE;
    }
  if (format != NULL && !quiet)
    {
      const gchar *text = format;
      if (g_str_equal (format, "table"))
        text = NULL;
      else if (g_str_has_prefix (format, "table "))
        text = format + strlen ("table ");
      else
        table = FALSE;
      if (g_str_equal (format, "json"))
        text = NULL;
      else if (g_str_equal (format, "raw"))
        text = "plugin_id: {{.ID}}\nname: {{.Name}}\ndescription: {{.Description}}\nenabled: "
               "{{.Enabled}}\n";
      if (text != NULL)
        {
          template = berth_template_new (text, &error);
          if (template == NULL)
            return berth_cli_fail (cli, error);
        }
    }
  else if (quiet)
    template = berth_template_new (format, NULL);

  /* one compact answer, not the ObjectManager's objects: fast with many */
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, PLUGINS_INTERFACE, "List", NULL,
                          G_VARIANT_TYPE ("(a(ssssasb))"), &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  objects = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, objects);
  {
    const gchar *id, *name, *reference, *description;
    GVariant *types;
    gboolean enabled;
    while (g_variant_iter_next (&iter, "(&s&s&s&s@asb)", &id, &name, &reference, &description,
                                &types, &enabled))
      {
        GVariantDict *dict = g_variant_dict_new (NULL);
        g_variant_dict_insert (dict, "Id", "s", id);
        g_variant_dict_insert (dict, "Name", "s", name);
        g_variant_dict_insert (dict, "PluginReference", "s", reference);
        g_variant_dict_insert (dict, "Description", "s", description);
        g_variant_dict_insert_value (dict, "Types", types);
        g_variant_dict_insert (dict, "Enabled", "b", enabled);
        g_variant_unref (types);
        if (!keep_by_filters (dict, filter_list, &error))
          {
            g_variant_dict_unref (dict);
            if (error != NULL)
              return berth_cli_fail (cli, error);
            continue;
          }
        g_ptr_array_add (rows, dict);
      }
  }
  g_ptr_array_sort (rows, compare_rows);

  if (format != NULL && g_str_equal (format, "json"))
    {
      for (guint i = 0; i < rows->len; i++)
        {
          g_autoptr(GVariant) row = g_variant_ref_sink (row_of (rows->pdata[i], no_trunc));
          berth_json_append_variant (out, row, FALSE, 0);
          g_string_append_c (out, '\n');
        }
    }
  else if (template != NULL && !table)
    {
      for (guint i = 0; i < rows->len; i++)
        {
          g_autoptr(GVariant) row = g_variant_ref_sink (row_of (rows->pdata[i], no_trunc));
          g_autofree gchar *line = berth_template_render (template, row, &error);
          if (line == NULL)
            return berth_cli_fail (cli, error);
          g_string_append_printf (out, "%s\n", line);
        }
    }
  else if (template != NULL)
    {
      /* a custom table: the template's cells, separated by tabs */
      g_autoptr(BerthTable) t = berth_table_new (10, 3);
      for (guint i = 0; i < rows->len; i++)
        {
          g_autoptr(GVariant) row = g_variant_ref_sink (row_of (rows->pdata[i], no_trunc));
          g_autofree gchar *line = berth_template_render (template, row, &error);
          g_auto(GStrv) cells = NULL;
          if (line == NULL)
            return berth_cli_fail (cli, error);
          cells = g_strsplit (line, "\t", -1);
          berth_table_add_rowv (t, (const gchar *const *)cells);
        }
      berth_table_print (t, out);
    }
  else
    {
      g_autoptr(BerthTable) t = berth_table_new (10, 3);
      berth_table_add_row (t, "ID", "NAME", "DESCRIPTION", "ENABLED", NULL);
      for (guint i = 0; i < rows->len; i++)
        {
          GVariantDict *props = rows->pdata[i];
          g_autofree gchar *id = truncate_id (berth_cli_dict_string (props, "Id"), no_trunc);
          g_autofree gchar *description = description_of (props, no_trunc);
          gboolean enabled = FALSE;
          g_variant_dict_lookup (props, "Enabled", "b", &enabled);
          berth_table_add_row (t, id, berth_cli_dict_string (props, "Name"), description,
                               enabled ? "true" : "false", NULL);
        }
      berth_table_print (t, out);
    }
  fputs (out->str, stdout);
  return BERTH_EXIT_OK;
}

/* ---- inspect ----------------------------------------------------------- */

static gint
plugin_inspect (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  g_autofree gchar *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "Format output using a custom template: 'json' | 'TEMPLATE'", "string" },
    { NULL },
  };

  if (!berth_cli_parse (cli, "[OPTIONS] PLUGIN [PLUGIN...]",
                        "Display detailed information on one or more plugins", entries, 1, -1,
                        &argc, &argv, &exit_code))
    return exit_code;
  return berth_cli_inspect (cli, PLUGINS_INTERFACE, format, argv + 1);
}

/* ---- create, enable, disable, rm, set ---------------------------------- */

static gint
plugin_create (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  gboolean compress = FALSE;
  const GOptionEntry entries[] = {
    { "compress", 0, 0, G_OPTION_ARG_NONE, &compress,
      "Compress the context using gzip (accepted for docker's sake: berthd reads the directory "
      "itself)",
      NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree gchar *cwd = g_get_current_dir ();
  g_autofree gchar *dir = NULL;
  g_autofree gchar *config = NULL;

  if (!berth_cli_parse (cli, "[OPTIONS] PLUGIN PLUGIN-DATA-DIR",
                        "Create a plugin from a rootfs and configuration. Plugin data directory "
                        "must contain config.json and rootfs directory.",
                        entries, 2, 2, &argc, &argv, &exit_code))
    return exit_code;
  dir = g_canonicalize_filename (argv[2], cwd);
  /* docker's client-side checks, with its words */
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_printerr ("berth: context must be a directory\n");
      return BERTH_EXIT_ERROR;
    }
  config = g_build_filename (dir, "config.json", NULL);
  if (!g_file_test (config, G_FILE_TEST_EXISTS))
    {
      g_printerr ("berth: open %s: no such file or directory\n", config);
      return BERTH_EXIT_ERROR;
    }
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, PLUGINS_INTERFACE, "Create",
                          g_variant_new ("(ss)", argv[1], dir), G_VARIANT_TYPE ("(o)"), &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  g_print ("%s\n", argv[1]);
  return BERTH_EXIT_OK;
}

static gint
plugin_enable (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  gint timeout = 30;
  const GOptionEntry entries[] = {
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
      "Seconds to wait for the plugin's socket (default 30)", "int" },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  if (!berth_cli_parse (cli, "[OPTIONS] PLUGIN", "Enable a plugin", entries, 1, 1, &argc, &argv,
                        &exit_code))
    return exit_code;
  if (timeout < 0)
    {
      g_printerr ("berth: negative timeout %d is invalid\n", timeout);
      return BERTH_EXIT_ERROR;
    }
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, PLUGINS_INTERFACE, "Enable",
                          g_variant_new ("(su)", argv[1], (guint)timeout), NULL, &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  g_print ("%s\n", argv[1]);
  return BERTH_EXIT_OK;
}

static gint
plugin_disable (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Force the disable of an active plugin", NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  if (!berth_cli_parse (cli, "[OPTIONS] PLUGIN", "Disable a plugin", entries, 1, 1, &argc, &argv,
                        &exit_code))
    return exit_code;
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, PLUGINS_INTERFACE, "Disable",
                          g_variant_new ("(sb)", argv[1], force), NULL, &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  g_print ("%s\n", argv[1]);
  return BERTH_EXIT_OK;
}

static gint
plugin_rm (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Force the removal of an active plugin", NULL },
    { NULL },
  };
  gint status = BERTH_EXIT_OK;

  if (!berth_cli_parse (cli, "[OPTIONS] PLUGIN [PLUGIN...]", "Remove one or more plugins", entries,
                        1, -1, &argc, &argv, &exit_code))
    return exit_code;
  for (gint i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply
                 = berth_cli_call (cli, BERTH_DBUS_PATH, PLUGINS_INTERFACE, "Remove",
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
plugin_set (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  if (!berth_cli_parse (cli, "PLUGIN KEY=VALUE [KEY=VALUE...]",
                        "Change settings for a plugin. The plugin must be disabled; to keep its "
                        "volumes, disable it with -f, set, and enable it again.",
                        NULL, 2, -1, &argc, &argv, &exit_code))
    return exit_code;
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, PLUGINS_INTERFACE, "Set",
                          g_variant_new ("(s^as)", argv[1], argv + 2), NULL, &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  return BERTH_EXIT_OK;
}

/* ---- logs ------------------------------------------------------------- */

static void
print_tail (const gchar *data, gsize len, gint tail)
{
  const gchar *start = data;

  if (tail >= 0)
    {
      const gchar *p = data + len;
      gint lines = 0;
      /* a final newline ends the last line, it does not start one */
      if (p > data && p[-1] == '\n')
        p--;
      while (p > data)
        {
          if (p[-1] == '\n' && ++lines == tail)
            break;
          p--;
        }
      start = tail == 0 ? data + len : p;
    }
  fwrite (start, 1, data + len - start, stdout);
  fflush (stdout);
}

static gint
plugin_logs (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  gboolean follow = FALSE;
  g_autofree gchar *tail_text = NULL;
  const GOptionEntry entries[] = {
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow, "Follow log output", NULL },
    { "tail", 'n', 0, G_OPTION_ARG_STRING, &tail_text,
      "Number of lines to show from the end of the logs (default \"all\")", "string" },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GArray) fds = NULL;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  gint tail = -1;
  gint fd;
  guint8 buf[65536];
  ssize_t n;
  off_t offset = 0;

  if (!berth_cli_parse (cli, "[OPTIONS] PLUGIN",
                        "Show a plugin's output (stdout and stderr), which docker keeps only in "
                        "its daemon's log",
                        entries, 1, 1, &argc, &argv, &exit_code))
    return exit_code;
  if (tail_text != NULL && !g_str_equal (tail_text, "all"))
    {
      gchar *end = NULL;
      gint64 v = g_ascii_strtoll (tail_text, &end, 10);
      if (end == tail_text || *end != '\0' || v < 0 || v > G_MAXINT)
        {
          g_printerr ("berth: invalid value for --tail: %s\n", tail_text);
          return BERTH_EXIT_FLAG_ERROR;
        }
      tail = (gint)v;
    }
  if (!berth_cli_connect (cli, &error))
    return berth_cli_fail (cli, error);
  reply
    = berth_cli_bus_call (cli->bus, cli->bus_name, BERTH_DBUS_PATH, PLUGINS_INTERFACE, "OpenLog",
                          g_variant_new ("(s)", argv[1]), G_VARIANT_TYPE ("(hs)"), &fds, &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  fd = berth_cli_fds_steal (fds, 0);
  if (fd < 0)
    {
      g_printerr ("berth: berthd sent no log file\n");
      return BERTH_EXIT_ERROR;
    }

  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_byte_array_append (data, buf, n);
  offset = data->len;
  print_tail ((const gchar *)data->data, data->len, tail);
  while (follow)
    {
      struct stat st;
      /* the log is size-capped: when berthd cut it, start from its top */
      if (fstat (fd, &st) == 0 && st.st_size < offset)
        {
          lseek (fd, 0, SEEK_SET);
          offset = 0;
        }
      while ((n = read (fd, buf, sizeof buf)) > 0)
        {
          fwrite (buf, 1, n, stdout);
          offset += n;
        }
      fflush (stdout);
      g_usleep (100 * 1000);
    }
  close (fd);
  return BERTH_EXIT_OK;
}

/* ---- install, push -------------------------------------------------------- */

/* docker's RemoteRef: the normalised name, with a tag only if one was given */
static gchar *
remote_ref (const gchar *text)
{
  g_autoptr(BerthReference) ref = berth_reference_parse (text, NULL);
  return ref != NULL ? berth_reference_to_string (ref) : g_strdup (text);
}

/* docker's prompt, byte for byte; TRUE if the user said y */
static gboolean
confirm_privileges (const gchar *typed, GVariant *privileges)
{
  GVariantIter iter;
  const gchar *name;
  g_autofree const gchar **values = NULL;
  gchar line[256];

  g_print ("Plugin \"%s\" is requesting the following privileges:\n", typed);
  g_variant_iter_init (&iter, privileges);
  while (g_variant_iter_next (&iter, "(&s&s^a&s)", &name, NULL, &values))
    {
      g_autofree gchar *joined = g_strjoinv (" ", (gchar **)values);
      g_print (" - %s: [%s]\n", name, joined);
      g_clear_pointer (&values, g_free);
    }
  g_print ("Do you grant the above permissions? [y/N] ");
  fflush (stdout);
  if (fgets (line, sizeof line, stdin) == NULL)
    return FALSE;
  g_strstrip (line);
  return g_ascii_strcasecmp (line, "y") == 0;
}

/* the privileges @remote asks for, granted by the user or by --grant-all-
 * permissions; NULL, with *exit_code set, when refused or on errors */
static GVariant *
grant_privileges (BerthCli *cli, const gchar *remote, gboolean grant_all, gint *exit_code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) asked = NULL;
  g_autoptr(GVariant) privileges = NULL;

  asked = berth_cli_call (cli, BERTH_DBUS_PATH, PLUGINS_INTERFACE, "Privileges",
                          g_variant_new ("(s)", remote), G_VARIANT_TYPE ("(sa(ssas))"), &error);
  if (asked == NULL)
    {
      *exit_code = berth_cli_fail (cli, error);
      return NULL;
    }
  privileges = g_variant_get_child_value (asked, 1);
  if (!grant_all && g_variant_n_children (privileges) > 0
      && !confirm_privileges (remote, privileges))
    {
      g_autofree gchar *full = remote_ref (remote);
      g_printerr ("permission denied while installing plugin %s\n", full);
      *exit_code = BERTH_EXIT_ERROR;
      return NULL;
    }
  return g_steal_pointer (&privileges);
}

static gint
plugin_install (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  g_autofree gchar *alias = NULL;
  gboolean disable = FALSE;
  gboolean grant_all = FALSE;
  gboolean no_trust = FALSE;
  const GOptionEntry entries[] = {
    { "alias", 0, 0, G_OPTION_ARG_STRING, &alias, "Local name for plugin", "string" },
    { "disable", 0, 0, G_OPTION_ARG_NONE, &disable, "Do not enable the plugin on install", NULL },
    { "disable-content-trust", 0, 0, G_OPTION_ARG_NONE, &no_trust,
      "Skip image verification (accepted for docker's sake: berth always verifies digests)", NULL },
    { "grant-all-permissions", 0, 0, G_OPTION_ARG_NONE, &grant_all,
      "Grant all permissions necessary to run the plugin", NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) privileges = NULL;

  if (!berth_cli_parse (cli, "[OPTIONS] PLUGIN [KEY=VALUE...]",
                        "Install a plugin. It is pulled, verified, stored once with every other "
                        "plugin's content, and enabled unless --disable.",
                        entries, 1, -1, &argc, &argv, &exit_code))
    return exit_code;
  privileges = grant_privileges (cli, argv[1], grant_all, &exit_code);
  if (privileges == NULL)
    return exit_code;
  reply = berth_cli_call_with_progress (cli, BERTH_DBUS_PATH, PLUGINS_INTERFACE, "Install",
                                        g_variant_new ("(ss@a(ssas)^asb)", argv[1],
                                                       alias != NULL ? alias : "", privileges,
                                                       argv + 2, disable),
                                        G_VARIANT_TYPE ("(os)"), &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  g_print ("Installed plugin %s\n", argv[1]);
  return BERTH_EXIT_OK;
}

/* a yes/no question; TRUE only for y */
static gboolean
ask (const gchar *question)
{
  gchar line[256];

  g_print ("%s [y/N] ", question);
  fflush (stdout);
  if (fgets (line, sizeof line, stdin) == NULL)
    return FALSE;
  g_strstrip (line);
  return g_ascii_strcasecmp (line, "y") == 0;
}

static gchar *
familiar (const gchar *text)
{
  g_autoptr(BerthReference) ref = berth_reference_parse (text, NULL);
  g_autoptr(BerthReference) tagged = ref != NULL ? berth_reference_with_default_tag (ref) : NULL;
  return tagged != NULL ? berth_reference_to_familiar (tagged) : g_strdup (text);
}

static gint
plugin_upgrade (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  gboolean grant_all = FALSE;
  gboolean skip_check = FALSE;
  gboolean no_trust = FALSE;
  const GOptionEntry entries[] = {
    { "disable-content-trust", 0, 0, G_OPTION_ARG_NONE, &no_trust,
      "Skip image verification (accepted for docker's sake: berth always verifies digests)", NULL },
    { "grant-all-permissions", 0, 0, G_OPTION_ARG_NONE, &grant_all,
      "Grant all permissions necessary to run the plugin", NULL },
    { "skip-remote-check", 0, 0, G_OPTION_ARG_NONE, &skip_check,
      "Do not check if specified remote plugin matches existing plugin image", NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) inspected = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GVariant) privileges = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree gchar *old_familiar = NULL;
  g_autofree gchar *new_familiar = NULL;
  const gchar *name = NULL;
  const gchar *current = NULL;
  const gchar *remote;
  gboolean enabled = FALSE;

  if (!berth_cli_parse (cli, "[OPTIONS] PLUGIN [REMOTE]",
                        "Upgrade an existing plugin. It keeps its ID, settings and volumes; it "
                        "must be disabled (disable -f keeps its volumes).",
                        entries, 1, 2, &argc, &argv, &exit_code))
    return exit_code;
  inspected = berth_cli_call (cli, BERTH_DBUS_PATH, PLUGINS_INTERFACE, "Inspect",
                              g_variant_new ("(s)", argv[1]), G_VARIANT_TYPE ("(sv)"), &error);
  if (inspected == NULL)
    {
      g_prefix_error (&error, "error reading plugin data: ");
      return berth_cli_fail (cli, error);
    }
  g_variant_get (inspected, "(&sv)", NULL, &value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT))
    {
      g_variant_lookup (value, "Name", "&s", &name);
      g_variant_lookup (value, "PluginReference", "&s", &current);
      g_variant_lookup (value, "Enabled", "b", &enabled);
    }
  if (name == NULL)
    name = argv[1];
  if (enabled)
    {
      g_printerr ("berth: the plugin must be disabled before upgrading: berth plugin disable %s "
                  "(-f keeps its volumes), upgrade, then enable it\n",
                  name);
      return BERTH_EXIT_ERROR;
    }
  remote = argc > 2 ? argv[2] : current;
  if (remote == NULL || remote[0] == '\0')
    {
      g_printerr ("berth: plugin %s came from no registry: say where its new version is: "
                  "berth plugin upgrade %s REMOTE\n",
                  name, name);
      return BERTH_EXIT_ERROR;
    }
  old_familiar = familiar (current != NULL && current[0] != '\0' ? current : remote);
  new_familiar = familiar (remote);
  g_print ("Upgrading plugin %s from %s to %s\n", name, old_familiar, new_familiar);
  if (!skip_check && g_strcmp0 (old_familiar, new_familiar) != 0
      && !ask ("Plugin images do not match, are you sure?"))
    return BERTH_EXIT_OK;
  privileges = grant_privileges (cli, remote, grant_all, &exit_code);
  if (privileges == NULL)
    return exit_code;
  reply = berth_cli_call_with_progress (cli, BERTH_DBUS_PATH, PLUGINS_INTERFACE, "Upgrade",
                                        g_variant_new ("(ss@a(ssas))", name, remote, privileges),
                                        G_VARIANT_TYPE ("(os)"), &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  g_print ("Upgraded plugin %s to %s\n", name, remote);
  return BERTH_EXIT_OK;
}

static gint
plugin_push (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  gboolean no_trust = FALSE;
  const GOptionEntry entries[] = {
    { "disable-content-trust", 0, 0, G_OPTION_ARG_NONE, &no_trust,
      "Skip image signing (accepted for docker's sake)", NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(BerthReference) ref = NULL;
  const gchar *digest;

  if (!berth_cli_parse (cli, "[OPTIONS] PLUGIN[:TAG]",
                        "Push a plugin to a registry. Its name says where: name it "
                        "registry:5000/repo:tag with create or install --alias.",
                        entries, 1, 1, &argc, &argv, &exit_code))
    return exit_code;
  ref = berth_reference_parse (argv[1], &error);
  if (ref == NULL || berth_reference_get_digest (ref) != NULL)
    {
      g_printerr ("berth: invalid name: %s\n", argv[1]);
      return BERTH_EXIT_ERROR;
    }
  reply
    = berth_cli_call_with_progress (cli, BERTH_DBUS_PATH, PLUGINS_INTERFACE, "Push",
                                    g_variant_new ("(s)", argv[1]), G_VARIANT_TYPE ("(s)"), &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  g_variant_get (reply, "(&s)", &digest);
  g_print ("%s: digest: %s\n",
           berth_reference_get_tag (ref) != NULL ? berth_reference_get_tag (ref) : "latest",
           digest);
  return BERTH_EXIT_OK;
}

const BerthCommand berth_cmd_plugin[] = {
  { "create", "Create a plugin from a rootfs and configuration", plugin_create, NULL },
  { "disable", "Disable a plugin", plugin_disable, NULL },
  { "enable", "Enable a plugin", plugin_enable, NULL },
  { "inspect", "Display detailed information on one or more plugins", plugin_inspect, NULL },
  { "install", "Install a plugin", plugin_install, NULL },
  { "logs", "Show a plugin's output", plugin_logs, NULL },
  { "ls", "List plugins", plugin_ls, NULL },
  { "list", NULL, plugin_ls, NULL },
  { "push", "Push a plugin to a registry", plugin_push, NULL },
  { "rm", "Remove one or more plugins", plugin_rm, NULL },
  { "remove", NULL, plugin_rm, NULL },
  { "set", "Change settings for a plugin", plugin_set, NULL },
  { "upgrade", "Upgrade an existing plugin", plugin_upgrade, NULL },
  { NULL },
};
