/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* a D-Bus subtree of objects with one read-only interface each (a plugin, a
 * volume), served on every connection from the owner's own records: no
 * per-object, per-connection skeletons */
typedef struct
{
  const gchar *interface_name;
  GDBusInterfaceInfo *(*interface_info) (void);
  /* the node names below the subtree's path */
  GStrv (*nodes) (gpointer owner);
  /* the object behind a node, or NULL; transfer full */
  gpointer (*lookup) (gpointer owner, const gchar *node);
  /* one property of an object, or NULL if it has none of that name */
  GVariant *(*property) (gpointer object, const gchar *name);
} BerthDBusSubtreeClass;

typedef struct _BerthDBusSubtree BerthDBusSubtree;

BerthDBusSubtree *
berth_dbus_subtree_new (const gchar *path, const BerthDBusSubtreeClass *klass, gpointer owner);
gboolean
berth_dbus_subtree_export (BerthDBusSubtree *self, GDBusConnection *connection, GError **error);
void berth_dbus_subtree_unexport (BerthDBusSubtree *self, GDBusConnection *connection);
GList *berth_dbus_subtree_get_connections (BerthDBusSubtree *self);
void berth_dbus_subtree_emit_changed (BerthDBusSubtree *self,
                                      const gchar *object_path,
                                      GVariant *properties);
void berth_dbus_subtree_free (BerthDBusSubtree *self);
void berth_dbus_return_inspect (GDBusMethodInvocation *invocation, JsonNode *node);
void berth_dbus_trim_after_reply (void);

G_END_DECLS
