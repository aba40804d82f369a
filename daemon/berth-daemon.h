/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "berth-engine.h"

G_BEGIN_DECLS

#define BERTH_TYPE_DAEMON (berth_daemon_get_type ())
G_DECLARE_FINAL_TYPE (BerthDaemon, berth_daemon, BERTH, DAEMON, GObject)

BerthDaemon *berth_daemon_new (BerthEngine *engine);
gboolean berth_daemon_listen (BerthDaemon *self, const gchar *address, GError **error);
void berth_daemon_own_system_name (BerthDaemon *self);
const gchar *berth_daemon_get_address (BerthDaemon *self);
void berth_daemon_stop (BerthDaemon *self);

G_END_DECLS
