/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthCli"

#include "config.h"

#include <locale.h>

#include "berth-cli.h"

static const BerthCommand commands[] = {
  { "container", "Manage containers", NULL, berth_cmd_container },
  { "image", "Manage images", NULL, berth_cmd_image },
  { "images", "List images", berth_cmd_images, NULL },
  { "login", "Log in to a registry", berth_cmd_login, NULL },
  { "logout", "Log out from a registry", berth_cmd_logout, NULL },
  { "plugin", "Manage plugins", NULL, berth_cmd_plugin },
  { "ps", "List containers", berth_cmd_ps, NULL },
  { "rm", "Remove one or more containers", berth_cmd_rm, NULL },
  { "rmi", "Remove one or more images", berth_cmd_rmi, NULL },
  { "run", "Create and run a new container from an image", berth_cmd_run, NULL },
  { "system", "Manage berthd", NULL, berth_cmd_system },
  { "version", "Show the berth version information", berth_cmd_version, NULL },
  { "volume", "Manage volumes", NULL, berth_cmd_volume },
  { NULL },
};

static void
print_commands (const gchar *prefix, const BerthCommand *table)
{
  g_autoptr(BerthTable) t = berth_table_new (0, 2);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; table[i].name != NULL; i++)
    {
      g_autofree gchar *indented = NULL;
      /* aliases (ls and list) have no summary and are not listed */
      if (table[i].summary == NULL)
        continue;
      indented = g_strdup_printf ("  %s", table[i].name);
      berth_table_add_row (t, indented, table[i].summary, NULL);
    }
  berth_table_print (t, out);
  g_print ("%s", out->str);
}

static gint
usage (const gchar *command, const BerthCommand *table, gboolean to_stderr)
{
  if (to_stderr)
    {
      g_printerr ("berth: '%s' requires a command.\nSee '%s --help'.\n", command, command);
      return BERTH_EXIT_ERROR;
    }
  g_print ("Usage:  %s [OPTIONS] COMMAND\n\n", command);
  if (g_str_equal (command, "berth"))
    g_print ("berth runs Docker-compatible managed plugins without Docker.\n\n");
  g_print ("Commands:\n");
  print_commands (command, table);
  g_print ("\nGlobal options:\n"
           "  -H, --address ADDRESS   berthd's D-Bus address, a socket path, or \"system\"\n"
           "                          (env BERTH_ADDRESS; default the socket in /run/berth)\n"
           "      --json              Print JSON\n"
           "      --verbose           Say more about what happens\n"
           "\nRun '%s COMMAND --help' for more information on a command.\n",
           command);
  return BERTH_EXIT_OK;
}

static gint
dispatch (BerthCli *cli, const gchar *prefix, const BerthCommand *table, gint argc, gchar **argv)
{
  const gchar *word = argc > 0 ? argv[0] : NULL;

  if (word == NULL)
    return usage (prefix, table, !g_str_equal (prefix, "berth"));
  if (g_str_equal (word, "--help") || g_str_equal (word, "-h") || g_str_equal (word, "help"))
    return usage (prefix, table, FALSE);
  if (g_str_equal (prefix, "berth") && g_str_equal (word, "--version"))
    word = "version";

  for (guint i = 0; table[i].name != NULL; i++)
    {
      g_autofree gchar *full = NULL;
      gchar *saved;
      gint rc;

      if (!g_str_equal (table[i].name, word))
        continue;
      full = g_strdup_printf ("%s %s", prefix, table[i].name);
      if (table[i].subcommands != NULL)
        return dispatch (cli, full, table[i].subcommands, argc - 1, argv + 1);
      /* the handler sees its full name as argv[0], for usage messages */
      saved = argv[0];
      argv[0] = full;
      rc = table[i].run (cli, argc, argv);
      argv[0] = saved;
      return rc;
    }
  if (word[0] == '-')
    {
      g_printerr ("unknown flag: %s\nSee '%s --help'.\n", word, prefix);
      return BERTH_EXIT_FLAG_ERROR;
    }
  g_printerr ("berth: '%s' is not a %s command.\nSee '%s --help'\n", word,
              g_str_equal (prefix, "berth") ? "berth" : prefix, prefix);
  return BERTH_EXIT_ERROR;
}

int
main (int argc, char **argv)
{
  BerthCli cli = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  gint rc;

  /* the character set only: numbers and dates print as docker's do, in
   * every locale, and a command reads fewer locale files */
  setlocale (LC_CTYPE, "");

  /* global options may come before the command, as with docker */
  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, berth_cli_global_entries (&cli), NULL);
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  args = g_strdupv (argv);
  {
    gint n = (gint)g_strv_length (args);
    gchar **v = args;
    if (!g_option_context_parse (context, &n, &v, &error))
      {
        g_printerr ("%s\nSee 'berth --help'.\n", error->message);
        return BERTH_EXIT_FLAG_ERROR;
      }
    rc = dispatch (&cli, "berth", commands, n - 1, v + 1);
  }

  g_clear_pointer (&cli.bus, berth_cli_bus_free);
  g_free (cli.connected_address);
  g_free (cli.address);
  return rc;
}
