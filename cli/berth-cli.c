/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthCli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "berth-cli.h"
#include "berth-cli-progress.h"
#include "berth-template.h"

static GOptionEntry global_entries[] = {
  { "address", 'H', 0, G_OPTION_ARG_STRING, NULL,
    "berthd's D-Bus address, a socket path, or \"system\" (env BERTH_ADDRESS)", "ADDRESS" },
  { "json", 0, 0, G_OPTION_ARG_NONE, NULL, "Print JSON", NULL },
  { "verbose", 0, 0, G_OPTION_ARG_NONE, NULL, "Say more about what happens", NULL },
  { NULL },
};

/**
 * berth_cli_global_entries:
 * @cli: the CLI state the options write to
 *
 * Returns: the options every command accepts
 */
const GOptionEntry *
berth_cli_global_entries (BerthCli *cli)
{
  global_entries[0].arg_data = &cli->address;
  global_entries[1].arg_data = &cli->json;
  global_entries[2].arg_data = &cli->verbose;
  return global_entries;
}

static void
print_usage_hint (const gchar *command, const gchar *params)
{
  g_printerr ("\nUsage:  %s %s\n\nRun '%s --help' for more information\n", command, params,
              command);
}

/**
 * berth_cli_parse:
 * @cli: the CLI state
 * @params: the parameter string for usage, e.g. "[OPTIONS] PLUGIN [PLUGIN...]"
 * @summary: (nullable): one paragraph for --help
 * @entries: (nullable): the command's own options
 * @min_args: fewest positional arguments
 * @max_args: most positional arguments, or -1 for any number
 * @argc: (inout): the arguments; argv[0] is the full command
 * @argv: (inout): the arguments
 * @exit_code: (out): the exit code when this returns %FALSE
 *
 * Parses a command's options (its own and the global ones) and checks the
 * number of arguments, printing docker's messages for mistakes.
 *
 * Returns: %TRUE to go on
 */
gboolean
berth_cli_parse (BerthCli *cli,
                 const gchar *params,
                 const gchar *summary,
                 const GOptionEntry *entries,
                 gint min_args,
                 gint max_args,
                 gint *argc,
                 gchar ***argv,
                 gint *exit_code)
{
  g_autoptr(GOptionContext) context = g_option_context_new (params);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *command = g_strdup ((*argv)[0]);
  GOptionGroup *global;
  gint n;

  g_option_context_set_summary (context, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  global = g_option_group_new ("global", "Global options:", "Show global options", NULL, NULL);
  g_option_group_add_entries (global, berth_cli_global_entries (cli));
  g_option_context_add_group (context, global);
  /* keep "--" for commands that pass arguments through */
  g_option_context_set_strict_posix (context, FALSE);
  g_set_prgname (command);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION)
          && g_str_has_prefix (error->message, "Unknown option "))
        g_printerr ("unknown flag: %s\n", error->message + strlen ("Unknown option "));
      else
        g_printerr ("%s\n", error->message);
      print_usage_hint (command, params);
      *exit_code = BERTH_EXIT_FLAG_ERROR;
      return FALSE;
    }

  n = *argc - 1;
  if (n < min_args || (max_args >= 0 && n > max_args))
    {
      if (max_args == 0)
        g_printerr ("berth: '%s' accepts no arguments\n", command);
      else if (min_args == max_args)
        g_printerr ("berth: '%s' requires %d argument%s\n", command, min_args,
                    min_args == 1 ? "" : "s");
      else if (n < min_args)
        g_printerr ("berth: '%s' requires at least %d argument%s\n", command, min_args,
                    min_args == 1 ? "" : "s");
      else
        g_printerr ("berth: '%s' requires at most %d argument%s\n", command, max_args,
                    max_args == 1 ? "" : "s");
      print_usage_hint (command, params);
      *exit_code = BERTH_EXIT_ERROR;
      return FALSE;
    }
  return TRUE;
}

static gchar *
normalise_address (const gchar *address)
{
  /* a bare socket path is accepted for convenience */
  if (address[0] == '/')
    {
      return berth_paths_socket_address (address);
    }
  return g_strdup (address);
}

static gboolean
connect_to (BerthCli *cli, const gchar *address, gboolean is_bus, GError **error)
{
  cli->bus = berth_cli_bus_connect (address, is_bus, error);
  cli->bus_name = is_bus ? BERTH_DBUS_NAME : NULL;
  cli->connected_address = g_strdup (address);
  return cli->bus != NULL;
}

static gchar *
system_bus_address (void)
{
  const gchar *env = g_getenv ("DBUS_SYSTEM_BUS_ADDRESS");
  return g_strdup (env != NULL && env[0] != '\0' ? env : "unix:path=/run/dbus/system_bus_socket");
}

gboolean
berth_cli_connect (BerthCli *cli, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *address = NULL;
  const gchar *env = g_getenv ("BERTH_ADDRESS");
  gboolean is_bus = FALSE;

  if (cli->bus != NULL)
    return TRUE;

  if (cli->address != NULL)
    address = normalise_address (cli->address);
  else if (env != NULL && env[0] != '\0')
    address = normalise_address (env);
  else
    {
      g_autofree gchar *socket = berth_paths_default_socket ();

      address = berth_paths_socket_address (socket);
      /* no socket: try berthd on the system bus before giving up */
      if (!g_file_test (socket, G_FILE_TEST_EXISTS))
        {
          g_autofree gchar *system = system_bus_address ();
          g_autoptr(BerthCliBus) bus = berth_cli_bus_connect (system, TRUE, NULL);
          g_autoptr(GVariant) owner = NULL;
          if (bus != NULL)
            owner = berth_cli_bus_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "GetNameOwner",
                                        g_variant_new ("(s)", BERTH_DBUS_NAME),
                                        G_VARIANT_TYPE ("(s)"), NULL, NULL);
          if (owner != NULL)
            {
              cli->bus = g_steal_pointer (&bus);
              cli->bus_name = BERTH_DBUS_NAME;
              cli->connected_address = g_steal_pointer (&system);
              return TRUE;
            }
        }
    }

  if (g_str_equal (address, "system"))
    {
      g_free (address);
      address = system_bus_address ();
      is_bus = TRUE;
    }
  if (!connect_to (cli, address, is_bus, &local_error))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                   "cannot connect to berthd at %s: %s. Is berthd running? Start it with "
                   "'berthd' as root (or 'systemctl start berthd'), or point --address or "
                   "BERTH_ADDRESS at it",
                   address, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* connects if needed and calls, handing signals that arrive meanwhile to
 * @signal_func */
static GVariant *
cli_call (BerthCli *cli,
          const gchar *path,
          const gchar *interface,
          const gchar *method,
          GVariant *parameters,
          const GVariantType *reply_type,
          BerthCliSignalFunc signal_func,
          gpointer signal_data,
          GError **error)
{
  g_autoptr(GVariant) sunk = parameters != NULL ? g_variant_ref_sink (parameters) : NULL;

  if (!berth_cli_connect (cli, error))
    return NULL;
  return berth_cli_bus_call_full (cli->bus, cli->bus_name, path, interface, method, sunk, NULL, 0,
                                  reply_type, NULL, signal_func, signal_data, error);
}

/**
 * berth_cli_call:
 * @cli: the CLI state
 * @path: the object
 * @interface: the interface
 * @method: the method
 * @parameters: (nullable) (transfer floating): the arguments
 * @reply_type: (nullable): the type the reply must have
 * @error: return location for a #GError
 *
 * Connects to berthd if needed and calls a method.
 *
 * Returns: (transfer full): the reply
 */
GVariant *
berth_cli_call (BerthCli *cli,
                const gchar *path,
                const gchar *interface,
                const gchar *method,
                GVariant *parameters,
                const GVariantType *reply_type,
                GError **error)
{
  return cli_call (cli, path, interface, method, parameters, reply_type, NULL, NULL, error);
}

static void
on_progress_signal (BerthCliMessage *signal, guint32 serial, gpointer user_data)
{
  BerthCliProgress *progress = user_data;
  guint32 call;
  const gchar *id, *status;
  guint64 current, total;
  GVariant *body;

  if (g_strcmp0 (signal->member, "Progress") != 0 || !g_str_equal (signal->signature, "usstt")
      || (body = berth_cli_message_get_body (signal, NULL)) == NULL)
    return;
  g_variant_get (body, "(u&s&stt)", &call, &id, &status, &current, &total);
  if (call == serial)
    berth_cli_progress_update (progress, id, status, current, total);
}

/**
 * berth_cli_call_with_progress:
 * @cli: the CLI state
 * @path: the object
 * @interface: the interface
 * @method: a method that runs a job
 * @parameters: (nullable) (transfer floating): the arguments
 * @reply_type: (nullable): the reply's type, checked
 * @error: return location for a #GError
 *
 * Calls a method that reports `Progress` signals while it runs and draws
 * them on standard output as docker does.
 *
 * Returns: (transfer full): the reply
 */
GVariant *
berth_cli_call_with_progress (BerthCli *cli,
                              const gchar *path,
                              const gchar *interface,
                              const gchar *method,
                              GVariant *parameters,
                              const GVariantType *reply_type,
                              GError **error)
{
  g_autoptr(BerthCliProgress) progress = berth_cli_progress_new (STDOUT_FILENO);
  return cli_call (cli, path, interface, method, parameters, reply_type, on_progress_signal,
                   progress, error);
}

/**
 * berth_cli_call_message:
 * @cli: the CLI state
 * @path: the object
 * @interface: the interface
 * @method: the method
 * @parameters: (nullable) (transfer floating): the arguments
 * @reply_signature: the reply's D-Bus signature, checked
 * @error: return location for a #GError
 *
 * berth_cli_call() for long answers: the reply comes back unread, for
 * berth_cli_reader_init().
 *
 * Returns: (transfer full): the reply
 */
BerthCliMessage *
berth_cli_call_message (BerthCli *cli,
                        const gchar *path,
                        const gchar *interface,
                        const gchar *method,
                        GVariant *parameters,
                        const gchar *reply_signature,
                        GError **error)
{
  g_autoptr(GVariant) sunk = parameters != NULL ? g_variant_ref_sink (parameters) : NULL;

  if (!berth_cli_connect (cli, error))
    return NULL;
  return berth_cli_bus_call_message (cli->bus, cli->bus_name, path, interface, method, sunk,
                                     reply_signature, error);
}

/**
 * berth_cli_call_with_fd:
 * @cli: the CLI state
 * @path: the object
 * @interface: the interface
 * @method: the method
 * @parameters: (transfer floating): the arguments; handle 0 is @fd
 * @fd: a file descriptor to pass; the call takes it
 * @reply_type: (nullable): the type the reply must have
 * @error: return location for a #GError
 *
 * berth_cli_call(), passing berthd an open file (a tar to import): berthd
 * reads what the user may read, not what berthd may.
 *
 * Returns: (transfer full): the reply
 */
GVariant *
berth_cli_call_with_fd (BerthCli *cli,
                        const gchar *path,
                        const gchar *interface,
                        const gchar *method,
                        GVariant *parameters,
                        gint fd,
                        const GVariantType *reply_type,
                        GError **error)
{
  g_autoptr(GVariant) sunk = g_variant_ref_sink (parameters);
  g_autoptr(GVariant) reply = NULL;

  if (berth_cli_connect (cli, error))
    reply = berth_cli_bus_call_full (cli->bus, cli->bus_name, path, interface, method, sunk, &fd, 1,
                                     reply_type, NULL, NULL, NULL, error);
  close (fd);
  return g_steal_pointer (&reply);
}

/**
 * berth_cli_get_properties:
 * @cli: the CLI state
 * @path: the object
 * @interface: the interface
 * @error: return location for a #GError
 *
 * Returns: (transfer full): every property of @interface on @path
 */
GVariantDict *
berth_cli_get_properties (BerthCli *cli, const gchar *path, const gchar *interface, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GError) local_error = NULL;

  reply
    = berth_cli_call (cli, path, "org.freedesktop.DBus.Properties", "GetAll",
                      g_variant_new ("(s)", interface), G_VARIANT_TYPE ("(a{sv})"), &local_error);
  if (reply == NULL)
    {
      /* something answers on the socket, but it is not berthd */
      if (berth_cli_error_is_remote (local_error)
          && (g_error_matches (local_error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED)
              || g_error_matches (local_error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND)))
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                       "no berthd answers at %s. Is berthd running? Start it with 'berthd' as "
                       "root (or 'systemctl start berthd'), or point --address or BERTH_ADDRESS "
                       "at it",
                       cli->connected_address);
          return NULL;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  props = g_variant_get_child_value (reply, 0);
  return g_variant_dict_new (props);
}

const gchar *
berth_cli_dict_string (GVariantDict *dict, const gchar *key)
{
  g_autoptr(GVariant) value = g_variant_dict_lookup_value (dict, key, G_VARIANT_TYPE_STRING);
  /* the dict holds a reference, so the string outlives this one */
  return value != NULL ? g_variant_get_string (value, NULL) : "";
}

guint32
berth_cli_dict_uint (GVariantDict *dict, const gchar *key)
{
  guint32 v = 0;
  g_variant_dict_lookup (dict, key, "u", &v);
  return v;
}

/**
 * berth_cli_fail:
 * @cli: the CLI state
 * @error: (transfer none): what went wrong
 *
 * Prints @error the way docker prints daemon errors.
 *
 * Returns: %BERTH_EXIT_ERROR
 */
gint
berth_cli_fail (BerthCli *cli, GError *error)
{
  if (berth_cli_error_is_remote (error))
    g_printerr ("%s\n", error->message);
  else
    g_printerr ("berth: %s\n", error->message);
  return BERTH_EXIT_ERROR;
}

/**
 * berth_cli_print_json:
 * @value: (transfer floating): a value; dictionaries become JSON objects
 *
 * Prints @value as JSON indented by four spaces, as docker does, and a newline.
 */
void
berth_cli_print_json (GVariant *value)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (value);
  g_autofree gchar *text = berth_json_from_variant (owned, TRUE);
  g_print ("%s\n", text);
}

struct _BerthTable
{
  guint min_width;
  guint padding;
  GPtrArray *rows; /* of GStrv */
};

BerthTable *
berth_table_new (guint min_width, guint padding)
{
  BerthTable *table = g_new0 (BerthTable, 1);
  table->min_width = min_width;
  table->padding = padding;
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  return table;
}

void
berth_table_add_row (BerthTable *table, const gchar *first, ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  va_list args;

  va_start (args, first);
  for (const gchar *cell = first; cell != NULL; cell = va_arg (args, const gchar *))
    g_strv_builder_add (builder, cell);
  va_end (args);
  g_ptr_array_add (table->rows, g_strv_builder_end (builder));
}

/**
 * berth_display_width:
 * @text: UTF-8 text
 *
 * Returns: the cells @text takes on a terminal; wide characters count two
 */
guint
berth_display_width (const gchar *text)
{
  guint width = 0;
  for (const gchar *p = text; *p != '\0'; p = g_utf8_next_char (p))
    width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  return width;
}

void
berth_table_add_rowv (BerthTable *table, const gchar *const *cells)
{
  g_ptr_array_add (table->rows, g_strdupv ((gchar **)cells));
}

void
berth_table_print (BerthTable *table, GString *out)
{
  g_autoptr(GArray) widths = g_array_new (FALSE, TRUE, sizeof (guint));

  for (guint r = 0; r < table->rows->len; r++)
    {
      GStrv row = table->rows->pdata[r];
      for (guint c = 0; row[c] != NULL; c++)
        {
          guint w = berth_display_width (row[c]) + table->padding;
          if (c >= widths->len)
            g_array_set_size (widths, c + 1);
          w = MAX (w, table->min_width);
          g_array_index (widths, guint, c) = MAX (g_array_index (widths, guint, c), w);
        }
    }
  for (guint r = 0; r < table->rows->len; r++)
    {
      GStrv row = table->rows->pdata[r];
      for (guint c = 0; row[c] != NULL; c++)
        {
          g_string_append (out, row[c]);
          if (row[c + 1] == NULL)
            break;
          for (guint pad = berth_display_width (row[c]); pad < g_array_index (widths, guint, c);
               pad++)
            g_string_append_c (out, ' ');
        }
      g_string_append_c (out, '\n');
    }
}

void
berth_table_free (BerthTable *table)
{
  g_ptr_array_unref (table->rows);
  g_free (table);
}

/* docker's sortorder.NaturalLess: "plugin-2" before "plugin-10" */
gint
berth_natural_compare (const gchar *a, const gchar *b)
{
  while (*a != '\0' && *b != '\0')
    {
      if (g_ascii_isdigit (*a) && g_ascii_isdigit (*b))
        {
          const gchar *ea = a, *eb = b;
          gsize la, lb;
          gint c;
          while (*a == '0' && g_ascii_isdigit (a[1]))
            a++;
          while (*b == '0' && g_ascii_isdigit (b[1]))
            b++;
          for (ea = a; g_ascii_isdigit (*ea); ea++)
            ;
          for (eb = b; g_ascii_isdigit (*eb); eb++)
            ;
          la = ea - a;
          lb = eb - b;
          if (la != lb)
            return la < lb ? -1 : 1;
          c = strncmp (a, b, la);
          if (c != 0)
            return c;
          a = ea;
          b = eb;
          continue;
        }
      if (*a != *b)
        return (guchar)*a < (guchar)*b ? -1 : 1;
      a++;
      b++;
    }
  return *a == '\0' ? (*b == '\0' ? 0 : -1) : 1;
}

/**
 * berth_human_duration:
 * @seconds: how long
 *
 * Returns: (transfer full): docker's `units.HumanDuration`: `Less than a
 *   second`, `3 minutes`, `About an hour`, `5 days`, `2 weeks`, `3 months`
 */
gchar *
berth_human_duration (gint64 seconds)
{
  gint64 hours = (seconds + 1800) / 3600;

  if (seconds < 1)
    return g_strdup ("Less than a second");
  if (seconds == 1)
    return g_strdup ("1 second");
  if (seconds < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT " seconds", seconds);
  if (seconds / 60 == 1)
    return g_strdup ("About a minute");
  if (seconds < 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT " minutes", seconds / 60);
  if (hours == 1)
    return g_strdup ("About an hour");
  if (hours < 48)
    return g_strdup_printf ("%" G_GINT64_FORMAT " hours", hours);
  if (hours < 24 * 7 * 2)
    return g_strdup_printf ("%" G_GINT64_FORMAT " days", hours / 24);
  if (hours < 24 * 30 * 2)
    return g_strdup_printf ("%" G_GINT64_FORMAT " weeks", hours / 24 / 7);
  if (hours < 24 * 365 * 2)
    return g_strdup_printf ("%" G_GINT64_FORMAT " months", hours / 24 / 30);
  return g_strdup_printf ("%" G_GINT64_FORMAT " years", hours / 24 / 365);
}

/* docker's units.HumanSize: four significant digits, 1000-based units */
gchar *
berth_human_size (guint64 bytes)
{
  return berth_human_size_precision (bytes, 4);
}

/* docker's units.HumanSizeWithPrecision: `docker images` shows three digits */
gchar *
berth_human_size_precision (guint64 bytes, gint precision)
{
  static const gchar *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
  gdouble size = bytes;
  guint unit = 0;

  while (size >= 1000 && unit + 1 < G_N_ELEMENTS (units))
    {
      size /= 1000;
      unit++;
    }
  return g_strdup_printf ("%.*g%s", precision, size, units[unit]);
}

/**
 * berth_cli_inspect:
 * @cli: the CLI state
 * @interface: the D-Bus interface whose Inspect method answers
 * @format: (nullable): `json`, a template, or %NULL for indented JSON
 * @names: what to inspect
 *
 * Prints docker's inspect output: a JSON array, or a template per object.
 * Objects not found are said on stderr; the others are still shown.
 *
 * Returns: the exit status
 */
gint
berth_cli_inspect (BerthCli *cli, const gchar *interface, const gchar *format, gchar **names)
{
  g_autoptr(BerthTemplate) template = NULL;
  g_autoptr(GString) joined = g_string_new ("[");
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint found = 0;
  gint status = BERTH_EXIT_OK;

  if (format != NULL && !g_str_equal (format, "json"))
    {
      template = berth_template_new (format, &error);
      if (template == NULL)
        return berth_cli_fail (cli, error);
    }

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GVariant) reply = berth_cli_call (cli, BERTH_DBUS_PATH, interface, "Inspect",
                                                   g_variant_new ("(s)", names[i]),
                                                   G_VARIANT_TYPE ("(sv)"), &local_error);
      const gchar *json;
      g_autoptr(GVariant) value = NULL;

      if (reply == NULL)
        {
          /* later ones are still shown; the exit status says one failed */
          if (!berth_cli_error_is_remote (local_error))
            return berth_cli_fail (cli, local_error);
          g_printerr ("%s\n", local_error->message);
          status = BERTH_EXIT_ERROR;
          continue;
        }
      g_variant_get (reply, "(&sv)", &json, &value);
      if (template != NULL)
        {
          g_autofree gchar *line = berth_template_render (template, value, &error);
          if (line == NULL)
            return berth_cli_fail (cli, error);
          g_string_append_printf (out, "%s\n", line);
        }
      else
        {
          if (found > 0)
            g_string_append_c (joined, ',');
          g_string_append (joined, json);
        }
      found++;
    }
  if (template == NULL)
    {
      g_autofree gchar *indented = NULL;
      g_string_append_c (joined, ']');
      indented = berth_json_indent (joined->str);
      g_string_append_printf (out, "%s\n", indented);
    }
  fputs (out->str, stdout);
  return status;
}

/**
 * berth_cli_inspect_command:
 * @cli: the CLI state
 * @argc: the argument count
 * @argv: the arguments
 * @params: the parameter string for usage, e.g. "[OPTIONS] IMAGE [IMAGE...]"
 * @summary: one line for --help
 * @interface: the D-Bus interface whose Inspect method answers
 *
 * A whole `inspect` command: its `-f`/`--format` option, then
 * berth_cli_inspect().
 *
 * Returns: the exit status
 */
gint
berth_cli_inspect_command (BerthCli *cli,
                           gint argc,
                           gchar **argv,
                           const gchar *params,
                           const gchar *summary,
                           const gchar *interface)
{
  g_autofree gchar *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "Format output using a custom template: 'json' | 'TEMPLATE'", "string" },
    { NULL },
  };
  gint exit_code;

  if (!berth_cli_parse (cli, params, summary, entries, 1, -1, &argc, &argv, &exit_code))
    return exit_code;
  return berth_cli_inspect (cli, interface, format, argv + 1);
}
