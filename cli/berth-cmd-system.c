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
  g_autoptr(BerthDBusBerth1) manager = NULL;
  g_autoptr(GError) error = NULL;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS]", "Show the berth version information", NULL, 0, 0,
                        &argc, &argv, &exit_code))
    return exit_code;

  manager = berth_cli_get_manager (cli, &error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Client");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Version");
      json_builder_add_string_value (b, PACKAGE_VERSION);
      json_builder_set_member_name (b, "ApiVersion");
      json_builder_add_int_value (b, 1);
      json_builder_set_member_name (b, "Os");
      json_builder_add_string_value (b, "linux");
      json_builder_set_member_name (b, "Arch");
      json_builder_add_string_value (b, go_arch ());
      json_builder_end_object (b);
      json_builder_set_member_name (b, "Server");
      if (manager == NULL)
        json_builder_add_null_value (b);
      else
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "Version");
          json_builder_add_string_value (b, berth_dbus_berth1_get_version (manager));
          json_builder_set_member_name (b, "ApiVersion");
          json_builder_add_int_value (b, berth_dbus_berth1_get_api_version (manager));
          json_builder_set_member_name (b, "Address");
          json_builder_add_string_value (b, cli->connected_address);
          json_builder_set_member_name (b, "Pid");
          json_builder_add_int_value (b, berth_dbus_berth1_get_pid (manager));
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      berth_cli_print_json (root);
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
          g_print (" Version:       %s\n", berth_dbus_berth1_get_version (manager));
          g_print (" API version:   %u\n", berth_dbus_berth1_get_api_version (manager));
          g_print (" Address:       %s\n", cli->connected_address);
          g_print (" PID:           %u\n", berth_dbus_berth1_get_pid (manager));
        }
    }
  if (manager == NULL)
    return berth_cli_fail (cli, error);
  return BERTH_EXIT_OK;
}

static gint
system_info (BerthCli *cli, gint argc, gchar **argv)
{
  g_autoptr(BerthDBusBerth1) manager = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *modules;
  GVariantIter iter;
  const gchar *kind, *name, *module, *status, *message;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS]", "Show berthd's paths, modules and counts", NULL, 0, 0,
                        &argc, &argv, &exit_code))
    return exit_code;
  manager = berth_cli_get_manager (cli, &error);
  if (manager == NULL)
    return berth_cli_fail (cli, error);
  modules = berth_dbus_berth1_get_modules (manager);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      const struct {
        const gchar *key;
        const gchar *value;
      } strings[] = {
        { "ServerVersion", berth_dbus_berth1_get_version (manager) },
        { "Address", cli->connected_address },
        { "Root", berth_dbus_berth1_get_root (manager) },
        { "RunDir", berth_dbus_berth1_get_run_dir (manager) },
        { "ModuleDir", berth_dbus_berth1_get_module_dir (manager) },
        { "ConfigFile", berth_dbus_berth1_get_config_file (manager) },
        { "LogLevel", berth_dbus_berth1_get_log_level (manager) },
      };

      json_builder_begin_object (b);
      for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
        {
          json_builder_set_member_name (b, strings[i].key);
          json_builder_add_string_value (b, strings[i].value != NULL ? strings[i].value : "");
        }
      json_builder_set_member_name (b, "Pid");
      json_builder_add_int_value (b, berth_dbus_berth1_get_pid (manager));
      json_builder_set_member_name (b, "Plugins");
      json_builder_add_int_value (b, berth_dbus_berth1_get_plugins (manager));
      json_builder_set_member_name (b, "PluginsEnabled");
      json_builder_add_int_value (b, berth_dbus_berth1_get_plugins_enabled (manager));
      json_builder_set_member_name (b, "Volumes");
      json_builder_add_int_value (b, berth_dbus_berth1_get_volumes (manager));
      json_builder_set_member_name (b, "Modules");
      json_builder_begin_array (b);
      if (modules != NULL)
        {
          g_variant_iter_init (&iter, modules);
          while (g_variant_iter_next (&iter, "(&s&s&s&s&s)", &kind, &name, &module, &status,
                                      &message))
            {
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "Kind");
              json_builder_add_string_value (b, kind);
              json_builder_set_member_name (b, "Name");
              json_builder_add_string_value (b, name);
              json_builder_set_member_name (b, "Module");
              json_builder_add_string_value (b, module);
              json_builder_set_member_name (b, "Status");
              json_builder_add_string_value (b, status);
              json_builder_set_member_name (b, "Error");
              json_builder_add_string_value (b, message);
              json_builder_end_object (b);
            }
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      berth_cli_print_json (root);
      return BERTH_EXIT_OK;
    }
  else
    {
      g_autoptr(GString) out = g_string_new (NULL);
      g_autoptr(BerthTable) table = berth_table_new (0, 3);
      const gchar *config_file = berth_dbus_berth1_get_config_file (manager);

      g_string_append_printf (out, "Server Version: %s\n", berth_dbus_berth1_get_version (manager));
      g_string_append_printf (out, "Address: %s\n", cli->connected_address);
      g_string_append_printf (out, "PID: %u\n", berth_dbus_berth1_get_pid (manager));
      g_string_append_printf (out, "Root: %s\n", berth_dbus_berth1_get_root (manager));
      g_string_append_printf (out, "Run Dir: %s\n", berth_dbus_berth1_get_run_dir (manager));
      g_string_append_printf (out, "Config File: %s\n",
                              config_file != NULL && config_file[0] != '\0' ? config_file
                                                                             : "(none)");
      g_string_append_printf (out, "Log Level: %s\n", berth_dbus_berth1_get_log_level (manager));
      g_string_append_printf (out, "Plugins: %u\n", berth_dbus_berth1_get_plugins (manager));
      g_string_append_printf (out, " Enabled: %u\n",
                              berth_dbus_berth1_get_plugins_enabled (manager));
      g_string_append_printf (out, "Volumes: %u\n", berth_dbus_berth1_get_volumes (manager));
      g_string_append_printf (out, "Module Dir: %s\n", berth_dbus_berth1_get_module_dir (manager));
      g_string_append (out, "Modules:\n");
      berth_table_add_row (table, " KIND", "NAME", "MODULE", "STATUS", "ERROR", NULL);
      if (modules != NULL)
        {
          g_variant_iter_init (&iter, modules);
          while (g_variant_iter_next (&iter, "(&s&s&s&s&s)", &kind, &name, &module, &status,
                                      &message))
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
  g_autoptr(BerthDBusBerth1) manager = NULL;
  g_autoptr(GError) error = NULL;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS] LEVEL",
                        "Set how much berthd logs: message, info or debug, without a restart",
                        NULL, 1, 1, &argc, &argv, &exit_code))
    return exit_code;
  manager = berth_cli_get_manager (cli, &error);
  if (manager == NULL)
    return berth_cli_fail (cli, error);
  if (!berth_dbus_berth1_call_set_log_level_sync (manager, argv[1], NULL, &error))
    return berth_cli_fail (cli, error);
  return BERTH_EXIT_OK;
}

const BerthCommand berth_cmd_system[] = {
  { "info", "Display system-wide information", system_info, NULL },
  { "log-level", "Set berthd's log level", system_log_level, NULL },
  { NULL },
};
