/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "berth-dbus-generated.h"
#include "berth-dbus-plugins.h"
#include "berth-engine.h"

G_BEGIN_DECLS

/* the image side of the D-Bus adaptor: org.berth.Berth1.Images */
typedef struct _BerthDBusImages BerthDBusImages;

BerthDBusImages *berth_dbus_images_new (BerthEngine *engine,
                                        BerthDBusAuthorizeFunc authorize,
                                        gpointer authorize_data);
gboolean
berth_dbus_images_export (BerthDBusImages *self, GDBusConnection *connection, GError **error);
void berth_dbus_images_unexport (BerthDBusImages *self, GDBusConnection *connection);
void berth_dbus_images_free (BerthDBusImages *self);

G_END_DECLS
