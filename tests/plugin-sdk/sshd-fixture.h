/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

G_BEGIN_DECLS

#define TEST_SSHD "/usr/sbin/sshd"

void test_run_sync (const gchar *const *argv);
void test_child_setup_die_with_parent (gpointer user_data);
guint16 test_free_tcp_port (void);
gboolean test_tcp_port_answers (guint16 port);
gboolean test_unix_socket_answers (const gchar *path);
GSubprocess *test_sshd_start (const gchar *dir, const gchar *key_path, guint16 *port_out);
gboolean test_is_mounted (const gchar *path);

G_END_DECLS
