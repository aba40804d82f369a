/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthDaemon"

#include "config.h"

#include <malloc.h>

#include "berth-dbus-subtree.h"

#include <berth.h>

struct _BerthDBusSubtree
{
  gchar *path;
  const BerthDBusSubtreeClass *klass;
  gpointer owner;
  GHashTable *registrations; /* GDBusConnection → registration id */
};

static gchar **
subtree_enumerate (GDBusConnection *connection,
                   const gchar *sender,
                   const gchar *object_path,
                   gpointer user_data)
{
  BerthDBusSubtree *self = user_data;
  return self->klass->nodes (self->owner);
}

static gpointer
lookup (BerthDBusSubtree *self, const gchar *node)
{
  return node != NULL ? self->klass->lookup (self->owner, node) : NULL;
}

static GDBusInterfaceInfo **
subtree_introspect (GDBusConnection *connection,
                    const gchar *sender,
                    const gchar *object_path,
                    const gchar *node,
                    gpointer user_data)
{
  BerthDBusSubtree *self = user_data;
  g_autoptr(GObject) object = lookup (self, node);
  GDBusInterfaceInfo **infos;

  if (object == NULL)
    return NULL;
  infos = g_new0 (GDBusInterfaceInfo *, 2);
  infos[0] = g_dbus_interface_info_ref (self->klass->interface_info ());
  return infos;
}

static GVariant *
subtree_get_property (GDBusConnection *connection,
                      const gchar *sender,
                      const gchar *object_path,
                      const gchar *interface_name,
                      const gchar *property_name,
                      GError **error,
                      gpointer user_data)
{
  BerthDBusSubtree *self = user_data;
  g_autoptr(GObject) object = lookup (self, strrchr (object_path, '/') + 1);
  GVariant *value;

  if (object == NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT, "no object at %s",
                   object_path);
      return NULL;
    }
  value = self->klass->property (object, property_name);
  if (value == NULL)
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "no property %s",
                 property_name);
  return value;
}

static const GDBusInterfaceVTable object_vtable = {
  .get_property = subtree_get_property,
};

static const GDBusInterfaceVTable *
subtree_dispatch (GDBusConnection *connection,
                  const gchar *sender,
                  const gchar *object_path,
                  const gchar *interface_name,
                  const gchar *node,
                  gpointer *out_user_data,
                  gpointer user_data)
{
  BerthDBusSubtree *self = user_data;
  g_autoptr(GObject) object = lookup (self, node);

  if (object == NULL || g_strcmp0 (interface_name, self->klass->interface_name) != 0)
    return NULL;
  *out_user_data = self;
  return &object_vtable;
}

static const GDBusSubtreeVTable subtree_vtable = {
  .enumerate = subtree_enumerate,
  .introspect = subtree_introspect,
  .dispatch = subtree_dispatch,
};

/**
 * berth_dbus_subtree_new:
 * @path: the subtree's object path
 * @klass: (not nullable): how to find and describe its objects; static
 * @owner: passed to @klass's functions
 *
 * Returns: (transfer full): a subtree served on no connection yet
 */
BerthDBusSubtree *
berth_dbus_subtree_new (const gchar *path, const BerthDBusSubtreeClass *klass, gpointer owner)
{
  BerthDBusSubtree *self = g_new0 (BerthDBusSubtree, 1);

  self->path = g_strdup (path);
  self->klass = klass;
  self->owner = owner;
  self->registrations = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  return self;
}

gboolean
berth_dbus_subtree_export (BerthDBusSubtree *self, GDBusConnection *connection, GError **error)
{
  guint id = g_dbus_connection_register_subtree (connection, self->path, &subtree_vtable,
                                                 G_DBUS_SUBTREE_FLAGS_NONE, self, NULL, error);
  if (id == 0)
    return FALSE;
  g_hash_table_insert (self->registrations, g_object_ref (connection), GUINT_TO_POINTER (id));
  return TRUE;
}

void
berth_dbus_subtree_unexport (BerthDBusSubtree *self, GDBusConnection *connection)
{
  gpointer id;

  if (g_hash_table_lookup_extended (self->registrations, connection, NULL, &id))
    {
      g_dbus_connection_unregister_subtree (connection, GPOINTER_TO_UINT (id));
      g_hash_table_remove (self->registrations, connection);
    }
}

/**
 * berth_dbus_subtree_get_connections:
 * @self: a subtree
 *
 * Returns: (transfer container) (element-type GDBusConnection): where it is served
 */
GList *
berth_dbus_subtree_get_connections (BerthDBusSubtree *self)
{
  return g_hash_table_get_keys (self->registrations);
}

/**
 * berth_dbus_subtree_emit_changed:
 * @self: a subtree
 * @object_path: one of its objects
 * @properties: (transfer floating): `a{sv}`, the object's properties
 *
 * Emits PropertiesChanged for the object on every connection.
 */
void
berth_dbus_subtree_emit_changed (BerthDBusSubtree *self,
                                 const gchar *object_path,
                                 GVariant *properties)
{
  g_autoptr(GVariant) changed = g_variant_ref_sink (
    g_variant_new ("(s@a{sv}as)", self->klass->interface_name, properties, NULL));
  GHashTableIter iter;
  gpointer connection;

  g_hash_table_iter_init (&iter, self->registrations);
  while (g_hash_table_iter_next (&iter, &connection, NULL))
    g_dbus_connection_emit_signal (connection, NULL, object_path, "org.freedesktop.DBus.Properties",
                                   "PropertiesChanged", changed, NULL);
}

void
berth_dbus_subtree_free (BerthDBusSubtree *self)
{
  GHashTableIter iter;
  gpointer connection, id;

  g_hash_table_iter_init (&iter, self->registrations);
  while (g_hash_table_iter_next (&iter, &connection, &id))
    g_dbus_connection_unregister_subtree (connection, GPOINTER_TO_UINT (id));
  g_hash_table_unref (self->registrations);
  g_free (self->path);
  g_free (self);
}

/**
 * berth_dbus_return_inspect:
 * @invocation: an Inspect call of plugins, volumes, images or containers
 * @node: docker's object
 *
 * Answers `(sv)`: the object as compact JSON, and as a variant for
 * templates.
 */
void
berth_dbus_return_inspect (GDBusMethodInvocation *invocation, JsonNode *node)
{
  g_autofree gchar *json = berth_json_to_string (node, FALSE);
  g_dbus_method_invocation_return_value (
    invocation, g_variant_new ("(sv)", json, berth_json_to_dbus_variant (node)));
}

static gboolean
trim_memory (gpointer user_data)
{
  guint *source = user_data;
  *source = 0;
  malloc_trim (0);
  return G_SOURCE_REMOVE;
}

/**
 * berth_dbus_trim_after_reply:
 *
 * Call after answering with a long list (10,000 volumes make a megabyte of
 * values). GDBus frees the answer on its own thread once it is sent, and
 * malloc keeps what is freed; a moment later berthd hands it back to the
 * system, so an idle berthd stays small after a burst of `volume ls`.
 */
void
berth_dbus_trim_after_reply (void)
{
  static guint source = 0;
  if (source == 0)
    source = g_timeout_add (500, trim_memory, &source);
}
