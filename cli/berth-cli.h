/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "berth-error.h"
#include "berth-json-write.h"
#include "berth-paths.h"
#include "berth-reference.h"

#include "berth-cli-bus.h"

G_BEGIN_DECLS

/* exit codes, as docker's: 1 for errors (and wrong argument counts), 125
 * when the flags themselves cannot be parsed */
#define BERTH_EXIT_OK         0
#define BERTH_EXIT_ERROR      1
#define BERTH_EXIT_FLAG_ERROR 125

typedef struct
{
  gchar *address; /* --address / -H */
  gboolean json;  /* --json */
  gboolean verbose;
  BerthCliBus *bus;
  gchar *connected_address;
  const gchar *bus_name; /* NULL on a peer-to-peer socket */
} BerthCli;

typedef struct _BerthCommand BerthCommand;

/**
 * BerthCommand:
 * @name: the word the user types
 * @summary: one line for the command list
 * @run: the handler; argv[0] is the full command, e.g. "berth system info"
 * @subcommands: for a group, its commands, ending with a %NULL name
 */
struct _BerthCommand
{
  const gchar *name;
  const gchar *summary;
  gint (*run) (BerthCli *cli, gint argc, gchar **argv);
  const BerthCommand *subcommands;
};

/* one file per command group */
extern const BerthCommand berth_cmd_system[];
extern const BerthCommand berth_cmd_plugin[];
extern const BerthCommand berth_cmd_volume[];
extern const BerthCommand berth_cmd_image[];
gint berth_cmd_images (BerthCli *cli, gint argc, gchar **argv);
gint berth_cmd_rmi (BerthCli *cli, gint argc, gchar **argv);
extern const BerthCommand berth_cmd_container[];
gint berth_cmd_run (BerthCli *cli, gint argc, gchar **argv);
gint berth_cmd_ps (BerthCli *cli, gint argc, gchar **argv);
gint berth_cmd_rm (BerthCli *cli, gint argc, gchar **argv);
gint berth_cmd_version (BerthCli *cli, gint argc, gchar **argv);
gint berth_cmd_login (BerthCli *cli, gint argc, gchar **argv);
gint berth_cmd_logout (BerthCli *cli, gint argc, gchar **argv);

gboolean berth_cli_parse (BerthCli *cli,
                          const gchar *params,
                          const gchar *summary,
                          const GOptionEntry *entries,
                          gint min_args,
                          gint max_args,
                          gint *argc,
                          gchar ***argv,
                          gint *exit_code);
const GOptionEntry *berth_cli_global_entries (BerthCli *cli);

#define BERTH_DBUS_NAME      "org.berth.Berth1"
#define BERTH_DBUS_PATH      "/org/berth/Berth1"
#define BERTH_DBUS_INTERFACE "org.berth.Berth1"

gboolean berth_cli_connect (BerthCli *cli, GError **error);
GVariant *berth_cli_call_with_fd (BerthCli *cli,
                                  const gchar *path,
                                  const gchar *interface,
                                  const gchar *method,
                                  GVariant *parameters,
                                  gint fd,
                                  const GVariantType *reply_type,
                                  GError **error);
GVariantDict *
berth_cli_get_properties (BerthCli *cli, const gchar *path, const gchar *interface, GError **error);
GVariant *berth_cli_call (BerthCli *cli,
                          const gchar *path,
                          const gchar *interface,
                          const gchar *method,
                          GVariant *parameters,
                          const GVariantType *reply_type,
                          GError **error);
BerthCliMessage *berth_cli_call_message (BerthCli *cli,
                                         const gchar *path,
                                         const gchar *interface,
                                         const gchar *method,
                                         GVariant *parameters,
                                         const gchar *reply_signature,
                                         GError **error);
GVariant *berth_cli_call_with_progress (BerthCli *cli,
                                        const gchar *path,
                                        const gchar *interface,
                                        const gchar *method,
                                        GVariant *parameters,
                                        const GVariantType *reply_type,
                                        GError **error);
const gchar *berth_cli_dict_string (GVariantDict *dict, const gchar *key);
guint32 berth_cli_dict_uint (GVariantDict *dict, const gchar *key);
gint berth_cli_fail (BerthCli *cli, GError *error);
gint berth_cli_inspect (BerthCli *cli, const gchar *interface, const gchar *format, gchar **names);
gint berth_cli_inspect_command (BerthCli *cli,
                                gint argc,
                                gchar **argv,
                                const gchar *params,
                                const gchar *summary,
                                const gchar *interface);
void berth_cli_print_json (GVariant *value);

/* docker's tabwriter: each column max(minwidth, widest cell + padding) wide,
 * the last column not padded */
typedef struct _BerthTable BerthTable;
BerthTable *berth_table_new (guint min_width, guint padding);
void berth_table_add_row (BerthTable *table, const gchar *first, ...) G_GNUC_NULL_TERMINATED;
void berth_table_add_rowv (BerthTable *table, const gchar *const *cells);
void berth_table_print (BerthTable *table, GString *out);
void berth_table_free (BerthTable *table);
guint berth_display_width (const gchar *text);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthTable, berth_table_free)

gint berth_natural_compare (const gchar *a, const gchar *b);
gchar *berth_human_size (guint64 bytes);
gchar *berth_human_size_precision (guint64 bytes, gint precision);
gchar *berth_human_duration (gint64 seconds);

G_END_DECLS
