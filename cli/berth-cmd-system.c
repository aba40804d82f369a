/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthCli"

#include "config.h"

#include <sys/utsname.h>

#include "berth-cli.h"

static const gchar *
go_arch (void)
{
  static struct utsname u;
  if (uname (&u) != 0)
    return "unknown";
  /* the names docker and OCI use */
  if (g_str_equal (u.machine, "x86_64"))
    return "amd64";
  if (g_str_equal (u.machine, "aarch64"))
    return "arm64";
  if (g_str_has_prefix (u.machine, "arm"))
    return "arm";
  if (g_str_equal (u.machine, "i686") || g_str_equal (u.machine, "i386"))
    return "386";
  return u.machine;
}

/**
 * berth_cmd_version:
 *
 * `berth version`: the client's version and, if berthd answers, the daemon's.
 */
gint
berth_cmd_version (BerthCli *cli, gint argc, gchar **argv)
{
  g_autoptr(GVariantDict) manager = NULL;
  g_autoptr(GError) error = NULL;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS]", "Show the berth version information", NULL, 0, 0, &argc,
                        &argv, &exit_code))
    return exit_code;

  manager = berth_cli_get_properties (cli, BERTH_DBUS_PATH, BERTH_DBUS_INTERFACE, &error);
  if (cli->json)
    {
      GVariantDict client, server;

      g_variant_dict_init (&client, NULL);
      g_variant_dict_init (&server, NULL);
      berth_cli_print_json (g_variant_new_parsed (
        "{'Client': <{'Version': <%s>, 'ApiVersion': <%u>, 'Os': <'linux'>, 'Arch': <%s>}>,"
        " 'Server': <%@mv>}",
        PACKAGE_VERSION, 1, go_arch (),
        manager == NULL ? g_variant_new_maybe (G_VARIANT_TYPE_VARIANT, NULL)
                        : g_variant_new_maybe (
                          G_VARIANT_TYPE_VARIANT,
                          g_variant_new_variant (g_variant_new_parsed (
                            "{'Version': <%s>, 'ApiVersion': <%u>, 'Address': <%s>, 'Pid': <%u>}",
                            berth_cli_dict_string (manager, "Version"),
                            berth_cli_dict_uint (manager, "ApiVersion"), cli->connected_address,
                            berth_cli_dict_uint (manager, "Pid"))))));
    }
  else
    {
      g_print ("Client:\n");
      g_print (" Version:       %s\n", PACKAGE_VERSION);
      g_print (" API version:   %d\n", 1);
      g_print (" OS/Arch:       linux/%s\n", go_arch ());
      if (manager != NULL)
        {
          g_print ("\nServer:\n");
          g_print (" Version:       %s\n", berth_cli_dict_string (manager, "Version"));
          g_print (" API version:   %u\n", berth_cli_dict_uint (manager, "ApiVersion"));
          g_print (" Address:       %s\n", cli->connected_address);
          g_print (" PID:           %u\n", berth_cli_dict_uint (manager, "Pid"));
        }
    }
  if (manager == NULL)
    return berth_cli_fail (cli, error);
  return BERTH_EXIT_OK;
}

static gint
system_info (BerthCli *cli, gint argc, gchar **argv)
{
  g_autoptr(GVariantDict) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) modules = NULL;
  GVariantIter iter;
  const gchar *kind, *name, *module, *status, *message;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS]", "Show berthd's paths, modules and counts", NULL, 0, 0,
                        &argc, &argv, &exit_code))
    return exit_code;
  manager = berth_cli_get_properties (cli, BERTH_DBUS_PATH, BERTH_DBUS_INTERFACE, &error);
  if (manager == NULL)
    return berth_cli_fail (cli, error);
  modules = g_variant_dict_lookup_value (manager, "Modules", G_VARIANT_TYPE ("a(sssss)"));

  if (cli->json)
    {
      GVariantBuilder info, list;

      g_variant_builder_init (&list, G_VARIANT_TYPE ("aa{sv}"));
      if (modules != NULL)
        {
          g_variant_iter_init (&iter, modules);
          while (
            g_variant_iter_next (&iter, "(&s&s&s&s&s)", &kind, &name, &module, &status, &message))
            g_variant_builder_add_parsed (&list,
                                          "{'Kind': <%s>, 'Name': <%s>, 'Module': <%s>, "
                                          "'Status': <%s>, 'Error': <%s>}",
                                          kind, name, module, status, message);
        }
      g_variant_builder_init (&info, G_VARIANT_TYPE_VARDICT);
#define ADD(key, value) g_variant_builder_add (&info, "{sv}", key, value)
      ADD ("ServerVersion", g_variant_new_string (berth_cli_dict_string (manager, "Version")));
      ADD ("Address", g_variant_new_string (cli->connected_address));
      ADD ("Root", g_variant_new_string (berth_cli_dict_string (manager, "Root")));
      ADD ("RunDir", g_variant_new_string (berth_cli_dict_string (manager, "RunDir")));
      ADD ("ModuleDir", g_variant_new_string (berth_cli_dict_string (manager, "ModuleDir")));
      ADD ("ConfigFile", g_variant_new_string (berth_cli_dict_string (manager, "ConfigFile")));
      ADD ("LogLevel", g_variant_new_string (berth_cli_dict_string (manager, "LogLevel")));
      ADD ("Pid", g_variant_new_uint32 (berth_cli_dict_uint (manager, "Pid")));
      ADD ("Plugins", g_variant_new_uint32 (berth_cli_dict_uint (manager, "Plugins")));
      ADD ("PluginsEnabled",
           g_variant_new_uint32 (berth_cli_dict_uint (manager, "PluginsEnabled")));
      ADD ("Volumes", g_variant_new_uint32 (berth_cli_dict_uint (manager, "Volumes")));
      ADD ("Modules", g_variant_builder_end (&list));
#undef ADD
      berth_cli_print_json (g_variant_builder_end (&info));
      return BERTH_EXIT_OK;
    }
  else
    {
      g_autoptr(GString) out = g_string_new (NULL);
      g_autoptr(BerthTable) table = berth_table_new (0, 3);
      const gchar *config_file = berth_cli_dict_string (manager, "ConfigFile");

      g_string_append_printf (out, "Server Version: %s\n",
                              berth_cli_dict_string (manager, "Version"));
      g_string_append_printf (out, "Address: %s\n", cli->connected_address);
      g_string_append_printf (out, "PID: %u\n", berth_cli_dict_uint (manager, "Pid"));
      g_string_append_printf (out, "Root: %s\n", berth_cli_dict_string (manager, "Root"));
      g_string_append_printf (out, "Run Dir: %s\n", berth_cli_dict_string (manager, "RunDir"));
      g_string_append_printf (out, "Config File: %s\n",
                              config_file != NULL && config_file[0] != '\0' ? config_file
                                                                            : "(none)");
      g_string_append_printf (out, "Log Level: %s\n", berth_cli_dict_string (manager, "LogLevel"));
      g_string_append_printf (out, "Plugins: %u\n", berth_cli_dict_uint (manager, "Plugins"));
      g_string_append_printf (out, " Enabled: %u\n",
                              berth_cli_dict_uint (manager, "PluginsEnabled"));
      g_string_append_printf (out, "Volumes: %u\n", berth_cli_dict_uint (manager, "Volumes"));
      g_string_append_printf (out, "Module Dir: %s\n",
                              berth_cli_dict_string (manager, "ModuleDir"));
      g_string_append (out, "Modules:\n");
      berth_table_add_row (table, " KIND", "NAME", "MODULE", "STATUS", "ERROR", NULL);
      if (modules != NULL)
        {
          g_variant_iter_init (&iter, modules);
          while (
            g_variant_iter_next (&iter, "(&s&s&s&s&s)", &kind, &name, &module, &status, &message))
            {
              g_autofree gchar *indented = g_strdup_printf (" %s", kind[0] != '\0' ? kind : "-");
              berth_table_add_row (table, indented, name, module, status, message, NULL);
            }
        }
      berth_table_print (table, out);
      g_print ("%s", out->str);
    }
  return BERTH_EXIT_OK;
}

static gint
system_log_level (BerthCli *cli, gint argc, gchar **argv)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS] LEVEL",
                        "Set how much berthd logs: message, info or debug, without a restart", NULL,
                        1, 1, &argc, &argv, &exit_code))
    return exit_code;
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, BERTH_DBUS_INTERFACE, "SetLogLevel",
                          g_variant_new ("(s)", argv[1]), NULL, &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  return BERTH_EXIT_OK;
}

static gint
system_df (BerthCli *cli, gint argc, gchar **argv)
{
  gboolean verbose = FALSE;
  const GOptionEntry entries[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Show each plugin", NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) unique = NULL;
  g_autoptr(GVariant) writable = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree gchar *total_text = NULL;
  g_autofree gchar *shared_text = NULL;
  guint64 total, shared;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS]",
                        "Show the disk berth uses: content stored once however many plugins "
                        "and images use it, and what each has alone",
                        entries, 0, 0, &argc, &argv, &exit_code))
    return exit_code;
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, BERTH_DBUS_INTERFACE, "DiskUsage", NULL,
                          G_VARIANT_TYPE ("(tta{st}a{st})"), &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  g_variant_get (reply, "(tt@a{st}@a{st})", &total, &shared, &unique, &writable);

  if (cli->json)
    {
      berth_cli_print_json (
        g_variant_new_parsed ("{'ContentStore': <{'Size': <%t>, 'Shared': <%t>}>,"
                              " 'Unique': <%@a{st}>, 'Writable': <%@a{st}>}",
                              total, shared, unique, writable));
      return BERTH_EXIT_OK;
    }
  {
    g_autoptr(BerthTable) table = berth_table_new (10, 3);
    guint64 writable_total = 0;
    GVariantIter iter;
    guint64 bytes;
    g_autofree gchar *writable_text = NULL;
    g_autofree gchar *count = g_strdup_printf ("%" G_GSIZE_FORMAT, g_variant_n_children (unique));
    g_autofree gchar *writable_count
      = g_strdup_printf ("%" G_GSIZE_FORMAT, g_variant_n_children (writable));

    g_variant_iter_init (&iter, writable);
    while (g_variant_iter_next (&iter, "{&st}", NULL, &bytes))
      writable_total += bytes;
    total_text = berth_human_size (total);
    shared_text = berth_human_size (shared);
    writable_text = berth_human_size (writable_total);
    berth_table_add_row (table, "TYPE", "TOTAL", "SIZE", "SHARED", NULL);
    /* images are owners too, named "image busybox:latest" */
    berth_table_add_row (table, "Plugin and image content", count, total_text, shared_text, NULL);
    berth_table_add_row (table, "Writable layers", writable_count, writable_text, "0B", NULL);
    berth_table_print (table, out);
  }
  if (verbose)
    {
      g_autoptr(BerthTable) table = berth_table_new (10, 3);
      GVariantIter iter;
      const gchar *name;
      guint64 bytes;

      g_string_append (out, "\nPlugins and images space usage:\n\n");
      berth_table_add_row (table, "NAME", "UNIQUE", "WRITABLE LAYER", NULL);
      g_variant_iter_init (&iter, unique);
      while (g_variant_iter_next (&iter, "{&st}", &name, &bytes))
        {
          g_autofree gchar *unique_text = berth_human_size (bytes);
          g_autofree gchar *writable_text = NULL;
          guint64 w = 0;
          g_variant_lookup (writable, name, "t", &w);
          writable_text = berth_human_size (w);
          berth_table_add_row (table, name, unique_text, writable_text, NULL);
        }
      berth_table_print (table, out);
    }
  g_print ("%s", out->str);
  return BERTH_EXIT_OK;
}

const BerthCommand berth_cmd_system[] = {
  { "df", "Show berth's disk usage", system_df, NULL },
  { "info", "Display system-wide information", system_info, NULL },
  { "log-level", "Set berthd's log level", system_log_level, NULL },
  { NULL },
};
