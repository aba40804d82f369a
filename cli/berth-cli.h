/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>
#include <json-glib/json-glib.h>

#include "berth-dbus-generated.h"

G_BEGIN_DECLS

/* gdbus-codegen makes cleanups for proxies and skeletons, not the interface */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthDBusBerth1, g_object_unref)

/* exit codes, as docker's: 1 for errors (and wrong argument counts), 125
 * when the flags themselves cannot be parsed */
#define BERTH_EXIT_OK         0
#define BERTH_EXIT_ERROR      1
#define BERTH_EXIT_FLAG_ERROR 125

typedef struct {
  gchar *address; /* --address / -H */
  gboolean json;  /* --json */
  gboolean verbose;
  GDBusConnection *connection;
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
struct _BerthCommand {
  const gchar *name;
  const gchar *summary;
  gint (*run) (BerthCli *cli, gint argc, gchar **argv);
  const BerthCommand *subcommands;
};

/* one file per command group */
extern const BerthCommand berth_cmd_system[];
gint berth_cmd_version (BerthCli *cli, gint argc, gchar **argv);

gboolean berth_cli_parse (BerthCli *cli, const gchar *params, const gchar *summary,
                          const GOptionEntry *entries, gint min_args, gint max_args, gint *argc,
                          gchar ***argv, gint *exit_code);
const GOptionEntry *berth_cli_global_entries (BerthCli *cli);

BerthDBusBerth1 *berth_cli_get_manager (BerthCli *cli, GError **error);
gint berth_cli_fail (BerthCli *cli, GError *error);
void berth_cli_print_json (JsonNode *node);

/* docker's tabwriter: each column max(minwidth, widest cell + padding) wide,
 * the last column not padded */
typedef struct _BerthTable BerthTable;
BerthTable *berth_table_new (guint min_width, guint padding);
void berth_table_add_row (BerthTable *table, const gchar *first, ...) G_GNUC_NULL_TERMINATED;
void berth_table_print (BerthTable *table, GString *out);
void berth_table_free (BerthTable *table);
guint berth_display_width (const gchar *text);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthTable, berth_table_free)

G_END_DECLS
