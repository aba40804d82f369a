/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "berth-cli-wire.h"

G_BEGIN_DECLS

/* a minimal synchronous D-Bus client for the CLI: GLib only, no threads,
 * one round trip per call */
typedef struct _BerthCliBus BerthCliBus;

BerthCliBus *berth_cli_bus_connect (const gchar *address, gboolean is_bus, GError **error);
GVariant *berth_cli_bus_call (BerthCliBus *bus,
                              const gchar *destination,
                              const gchar *path,
                              const gchar *interface,
                              const gchar *method,
                              GVariant *parameters,
                              const GVariantType *reply_type,
                              GArray **out_fds,
                              GError **error);
/* returns when @bus_fd is readable */
typedef void (*BerthCliWaitFunc) (gint bus_fd, gpointer user_data);
void berth_cli_bus_set_wait_func (BerthCliBus *bus, BerthCliWaitFunc func, gpointer user_data);

/* a signal that arrived during the call with serial @serial */
typedef void (*BerthCliSignalFunc) (BerthCliMessage *signal, guint32 serial, gpointer user_data);
GVariant *berth_cli_bus_call_full (BerthCliBus *bus,
                                   const gchar *destination,
                                   const gchar *path,
                                   const gchar *interface,
                                   const gchar *method,
                                   GVariant *parameters,
                                   const gint *fds,
                                   guint n_fds,
                                   const GVariantType *reply_type,
                                   GArray **out_fds,
                                   BerthCliSignalFunc signal_func,
                                   gpointer signal_data,
                                   GError **error);
BerthCliMessage *berth_cli_bus_call_message (BerthCliBus *bus,
                                             const gchar *destination,
                                             const gchar *path,
                                             const gchar *interface,
                                             const gchar *method,
                                             GVariant *parameters,
                                             const gchar *reply_signature,
                                             GError **error);
void berth_cli_bus_free (BerthCliBus *bus);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthCliBus, berth_cli_bus_free)

#define BERTH_CLI_REMOTE_PREFIX "Error response from daemon: "
gboolean berth_cli_error_is_remote (const GError *error);

G_END_DECLS
