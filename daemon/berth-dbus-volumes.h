/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

#include "berth-dbus-generated.h"
#include "berth-dbus-plugins.h"

G_BEGIN_DECLS

#define BERTH_DBUS_VOLUMES_PATH "/org/berth/Berth1/volumes"

/* the volume side of the D-Bus adaptor: org.berth.Berth1.Volumes and one
 * object per volume */
typedef struct _BerthDBusVolumes BerthDBusVolumes;

BerthDBusVolumes *berth_dbus_volumes_new (BerthVolumeService *service,
                                          BerthDBusObjectManager *manager,
                                          BerthDBusAuthorizeFunc authorize,
                                          gpointer authorize_data);
gboolean
berth_dbus_volumes_export (BerthDBusVolumes *self, GDBusConnection *connection, GError **error);
void berth_dbus_volumes_unexport (BerthDBusVolumes *self, GDBusConnection *connection);
void berth_dbus_volumes_add_managed_objects (BerthDBusVolumes *self, GVariantBuilder *builder);
void berth_dbus_volumes_free (BerthDBusVolumes *self);
gchar *berth_dbus_volume_path (const gchar *name);

G_END_DECLS
