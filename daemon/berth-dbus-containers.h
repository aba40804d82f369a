/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "berth-dbus-plugins.h"

G_BEGIN_DECLS

/* org.berth.Berth1.Containers: berth run, ps, rm */
typedef struct _BerthDBusContainers BerthDBusContainers;

BerthDBusContainers *berth_dbus_containers_new (BerthEngine *engine,
                                                BerthDBusAuthorizeFunc authorize,
                                                gpointer authorize_data);
gboolean berth_dbus_containers_export (BerthDBusContainers *self,
                                       GDBusConnection *connection,
                                       GError **error);
void berth_dbus_containers_unexport (BerthDBusContainers *self, GDBusConnection *connection);
void berth_dbus_containers_free (BerthDBusContainers *self);

G_END_DECLS
