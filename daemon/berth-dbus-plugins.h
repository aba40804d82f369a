/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "berth-dbus-generated.h"
#include "berth-engine.h"

G_BEGIN_DECLS

#define BERTH_DBUS_PATH         "/org/berth/Berth1"
#define BERTH_DBUS_PLUGINS_PATH "/org/berth/Berth1/plugins"

/* the plugin side of the D-Bus adaptor: org.berth.Berth1.Plugins, one
 * object per plugin, and the ObjectManager that lists them */
typedef struct _BerthDBusPlugins BerthDBusPlugins;

typedef gboolean (*BerthDBusAuthorizeFunc) (GDBusMethodInvocation *invocation, gpointer user_data);

BerthDBusPlugins *berth_dbus_plugins_new (BerthEngine *engine,
                                          BerthDBusAuthorizeFunc authorize,
                                          gpointer authorize_data);
gboolean
berth_dbus_plugins_export (BerthDBusPlugins *self, GDBusConnection *connection, GError **error);
void berth_dbus_plugins_unexport (BerthDBusPlugins *self, GDBusConnection *connection);
void berth_dbus_plugins_free (BerthDBusPlugins *self);
gchar *berth_dbus_plugin_path (BerthPlugin *plugin);
BerthDBusObjectManager *berth_dbus_plugins_get_object_manager (BerthDBusPlugins *self);
void berth_dbus_plugins_set_extra_objects (BerthDBusPlugins *self,
                                           void (*add) (gpointer data, GVariantBuilder *builder),
                                           gpointer data);

G_END_DECLS
