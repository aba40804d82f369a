/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <gio/gunixfdlist.h>

G_BEGIN_DECLS

/* a minimal synchronous D-Bus client for the CLI: no threads, no GObject
 * machinery on the way, one round trip per call */
typedef struct _BerthCliBus BerthCliBus;

BerthCliBus *berth_cli_bus_connect (const gchar *address, gboolean is_bus, GError **error);
GVariant *berth_cli_bus_call (BerthCliBus *bus,
                              const gchar *destination,
                              const gchar *path,
                              const gchar *interface,
                              const gchar *method,
                              GVariant *parameters,
                              const GVariantType *reply_type,
                              GUnixFDList **out_fd_list,
                              GError **error);
/* returns when @bus_fd is readable */
typedef void (*BerthCliWaitFunc) (gint bus_fd, gpointer user_data);
void berth_cli_bus_set_wait_func (BerthCliBus *bus, BerthCliWaitFunc func, gpointer user_data);

/* a signal that arrived during the call with serial @serial */
typedef void (*BerthCliSignalFunc) (GDBusMessage *signal, guint32 serial, gpointer user_data);
GVariant *berth_cli_bus_call_full (BerthCliBus *bus,
                                   const gchar *destination,
                                   const gchar *path,
                                   const gchar *interface,
                                   const gchar *method,
                                   GVariant *parameters,
                                   GUnixFDList *fd_list,
                                   const GVariantType *reply_type,
                                   GUnixFDList **out_fd_list,
                                   BerthCliSignalFunc signal_func,
                                   gpointer signal_data,
                                   GError **error);
GVariant *berth_cli_bus_call_with_fds (BerthCliBus *bus,
                                       const gchar *destination,
                                       const gchar *path,
                                       const gchar *interface,
                                       const gchar *method,
                                       GVariant *parameters,
                                       GUnixFDList *fd_list,
                                       const GVariantType *reply_type,
                                       GUnixFDList **out_fd_list,
                                       GError **error);
GDBusMessage *berth_cli_bus_receive (BerthCliBus *bus, gint timeout_ms, GError **error);
void berth_cli_bus_free (BerthCliBus *bus);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthCliBus, berth_cli_bus_free)

G_END_DECLS
