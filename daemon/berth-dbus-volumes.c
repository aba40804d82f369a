/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthDaemon"

#include "config.h"

#include "berth-dbus-subtree.h"

#include "berth-dbus-volumes.h"

/* Volumes on D-Bus, as plugins are: the methods on /org/berth/Berth1 (a
 * generated skeleton exported on every connection), each volume an object
 * below /org/berth/Berth1/volumes served as a subtree, so that 10,000
 * volumes are not 10,000 skeletons per client. The ObjectManager lists
 * them with the plugins (berth-dbus-plugins.c asks here). */

struct _BerthDBusVolumes
{
  BerthVolumeService *service;
  BerthDBusBerth1Volumes *skeleton;
  BerthDBusObjectManager *manager; /* unowned: the plugins' */
  BerthDBusSubtree *subtree;
  BerthDBusAuthorizeFunc authorize;
  gpointer authorize_data;
};

static const gchar *const read_only_methods[] = { "Inspect", "List", NULL };

/**
 * berth_dbus_volume_path:
 * @name: a volume's name
 *
 * Returns: (transfer full): its object path
 */
gchar *
berth_dbus_volume_path (const gchar *name)
{
  g_autofree gchar *element = g_dbus_escape_object_path (name);
  return g_strdup_printf ("%s/%s", BERTH_DBUS_VOLUMES_PATH, element);
}

static GVariant *
string_dict (GHashTable *table)
{
  GVariantBuilder builder;
  g_autoptr(GList) keys = table != NULL ? g_hash_table_get_keys (table) : NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  keys = g_list_sort (keys, (GCompareFunc)g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    g_variant_builder_add (&builder, "{ss}", (const gchar *)l->data,
                           (const gchar *)g_hash_table_lookup (table, l->data));
  return g_variant_builder_end (&builder);
}

static GVariant *
volume_property (gpointer object, const gchar *name)
{
  BerthVolume *volume = object;
  if (g_str_equal (name, "Name"))
    return g_variant_new_string (berth_volume_get_name (volume));
  if (g_str_equal (name, "Driver"))
    return g_variant_new_string (berth_volume_get_driver (volume));
  if (g_str_equal (name, "Mountpoint"))
    return g_variant_new_string (
      berth_volume_get_mountpoint (volume) != NULL ? berth_volume_get_mountpoint (volume) : "");
  if (g_str_equal (name, "Scope"))
    return g_variant_new_string (
      berth_volume_get_scope (volume) != NULL ? berth_volume_get_scope (volume) : "local");
  if (g_str_equal (name, "Labels"))
    return string_dict (berth_volume_get_labels (volume));
  if (g_str_equal (name, "Options"))
    return string_dict (berth_volume_get_options (volume));
  if (g_str_equal (name, "CreatedAt"))
    return g_variant_new_string (
      berth_volume_get_created_at (volume) != NULL ? berth_volume_get_created_at (volume) : "");
  if (g_str_equal (name, "Mounts"))
    {
      g_auto(GStrv) ids = berth_volume_get_mount_ids (volume);
      return g_variant_new_uint32 (ids != NULL ? g_strv_length (ids) : 0);
    }
  if (g_str_equal (name, "DriverState"))
    return g_variant_new_string (berth_volume_state_to_string (berth_volume_get_state (volume)));
  return NULL;
}

static GVariant *
volume_properties (BerthVolume *volume)
{
  GDBusInterfaceInfo *info = berth_dbus_berth1_volume_interface_info ();
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; info->properties[i] != NULL; i++)
    g_variant_builder_add (&builder, "{sv}", info->properties[i]->name,
                           volume_property (volume, info->properties[i]->name));
  return g_variant_builder_end (&builder);
}

static GVariant *
volume_interfaces (BerthVolume *volume)
{
  GVariantBuilder builder;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_builder_add (&builder, "{s@a{sv}}", "org.berth.Berth1.Volume",
                         volume_properties (volume));
  return g_variant_builder_end (&builder);
}

/**
 * berth_dbus_volumes_add_managed_objects:
 * @self: the volume side of the adaptor
 * @builder: an `a{oa{sa{sv}}}` builder
 *
 * Adds every volume to a GetManagedObjects answer.
 */
void
berth_dbus_volumes_add_managed_objects (BerthDBusVolumes *self, GVariantBuilder *builder)
{
  g_autoptr(GPtrArray) volumes = NULL;

  if (self == NULL)
    return;
  volumes = berth_volume_service_list (self->service);
  for (guint i = 0; i < volumes->len; i++)
    {
      g_autofree gchar *path = berth_dbus_volume_path (berth_volume_get_name (volumes->pdata[i]));
      g_variant_builder_add (builder, "{o@a{sa{sv}}}", path, volume_interfaces (volumes->pdata[i]));
    }
}

/* ---- the subtree of volume objects -------------------------------------- */

static gpointer
volume_for_node (gpointer owner, const gchar *node)
{
  BerthDBusVolumes *self = owner;
  g_autofree gchar *name = (gchar *)g_dbus_unescape_object_path (node);

  return name != NULL ? berth_volume_service_lookup (self->service, (const gchar *)name) : NULL;
}

static GStrv
volume_nodes (gpointer owner)
{
  BerthDBusVolumes *self = owner;
  g_autoptr(GPtrArray) volumes = berth_volume_service_list (self->service);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < volumes->len; i++)
    {
      g_autofree gchar *element
        = g_dbus_escape_object_path (berth_volume_get_name (volumes->pdata[i]));
      g_strv_builder_add (builder, element);
    }
  return g_strv_builder_end (builder);
}

static const BerthDBusSubtreeClass volume_subtree_class = {
  .interface_name = "org.berth.Berth1.Volume",
  .interface_info = berth_dbus_berth1_volume_interface_info,
  .nodes = volume_nodes,
  .lookup = volume_for_node,
  .property = volume_property,
};

/* ---- signals as volumes change ------------------------------------------ */

static void
on_volume_added (BerthVolumeService *service, BerthVolume *volume, gpointer user_data)
{
  BerthDBusVolumes *self = user_data;
  g_autofree gchar *path = berth_dbus_volume_path (berth_volume_get_name (volume));
  berth_dbus_object_manager_emit_interfaces_added (self->manager, path, volume_interfaces (volume));
}

static void
on_volume_removed (BerthVolumeService *service, BerthVolume *volume, gpointer user_data)
{
  BerthDBusVolumes *self = user_data;
  g_autofree gchar *path = berth_dbus_volume_path (berth_volume_get_name (volume));
  berth_dbus_object_manager_emit_interfaces_removed (
    self->manager, path, (const gchar *const[]){ "org.berth.Berth1.Volume", NULL });
}

static void
on_volume_changed (BerthVolumeService *service, BerthVolume *volume, gpointer user_data)
{
  BerthDBusVolumes *self = user_data;
  g_autofree gchar *path = berth_dbus_volume_path (berth_volume_get_name (volume));
  berth_dbus_subtree_emit_changed (self->subtree, path, volume_properties (volume));
}

/* ---- methods ------------------------------------------------------------ */

static GHashTable *
dict_to_table (GVariant *dict)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GVariantIter iter;
  const gchar *k, *v;

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&s&s}", &k, &v))
    g_hash_table_insert (table, g_strdup (k), g_strdup (v));
  return table;
}

static void
on_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume
             = berth_volume_service_create_finish (BERTH_VOLUME_SERVICE (source), result, &error);

  if (volume == NULL)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(s)", berth_volume_get_name (volume)));
}

static gboolean
on_handle_create (BerthDBusBerth1Volumes *skeleton,
                  GDBusMethodInvocation *invocation,
                  const gchar *name,
                  const gchar *driver,
                  GVariant *options,
                  GVariant *labels,
                  gpointer user_data)
{
  BerthDBusVolumes *self = user_data;
  g_autoptr(GHashTable) opts = dict_to_table (options);
  g_autoptr(GHashTable) label_table = dict_to_table (labels);

  berth_volume_service_create_async (self->service, name[0] != '\0' ? name : NULL,
                                     driver[0] != '\0' ? driver : BERTH_VOLUME_LOCAL_DRIVER, opts,
                                     label_table, NULL, on_created, g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;

  if (!berth_volume_service_remove_finish (BERTH_VOLUME_SERVICE (source), result, &error))
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static gboolean
on_handle_remove (BerthDBusBerth1Volumes *skeleton,
                  GDBusMethodInvocation *invocation,
                  const gchar *name,
                  gboolean force,
                  gpointer user_data)
{
  BerthDBusVolumes *self = user_data;
  berth_volume_service_remove_async (self->service, name, force, NULL, on_removed,
                                     g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_list (BerthDBusBerth1Volumes *skeleton,
                GDBusMethodInvocation *invocation,
                gpointer user_data)
{
  BerthDBusVolumes *self = user_data;
  g_autoptr(GPtrArray) volumes = berth_volume_service_list (self->service);
  g_autofree GVariant **rows = g_new (GVariant *, volumes->len);
  g_autoptr(GVariant) no_labels
             = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{ss}"), NULL, 0));

  /* built child by child: with 10,000 volumes, a format string parsed for
   * each row and a dictionary built for each empty label set cost more
   * than the rows themselves */
  for (guint i = 0; i < volumes->len; i++)
    {
      BerthVolume *v = volumes->pdata[i];
      GHashTable *labels = berth_volume_get_labels (v);
      const gchar *mountpoint = berth_volume_get_mountpoint (v);
      const gchar *scope = berth_volume_get_scope (v);
      GVariant *fields[] = {
        g_variant_new_string (berth_volume_get_name (v)),
        g_variant_new_string (berth_volume_get_driver (v)),
        g_variant_new_string (mountpoint != NULL ? mountpoint : ""),
        g_variant_new_string (scope != NULL ? scope : "local"),
        g_variant_new_string (berth_volume_state_to_string (berth_volume_get_state (v))),
        labels != NULL && g_hash_table_size (labels) > 0 ? string_dict (labels)
                                                         : g_variant_ref (no_labels),
        g_variant_new_uint32 (berth_volume_get_n_mounts (v)),
      };
      rows[i] = g_variant_new_tuple (fields, G_N_ELEMENTS (fields));
    }
  berth_dbus_berth1_volumes_complete_list (
    skeleton, invocation,
    g_variant_new_array (G_VARIANT_TYPE ("(sssssa{ss}u)"), rows, volumes->len));
  berth_dbus_trim_after_reply ();
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume
             = berth_volume_service_inspect_finish (BERTH_VOLUME_SERVICE (source), result, &error);
  g_autoptr(JsonNode) node = NULL;

  if (volume == NULL)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  node = berth_volume_to_inspect_json (volume);
  berth_dbus_return_inspect (invocation, node);
}

static gboolean
on_handle_inspect (BerthDBusBerth1Volumes *skeleton,
                   GDBusMethodInvocation *invocation,
                   const gchar *name,
                   gpointer user_data)
{
  BerthDBusVolumes *self = user_data;
  berth_volume_service_inspect_async (self->service, name, NULL, on_inspected,
                                      g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_mounted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *id = NULL;
  g_autofree gchar *path
    = berth_volume_service_mount_finish (BERTH_VOLUME_SERVICE (source), result, &id, &error);

  if (path == NULL)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ss)", path, id));
}

static gboolean
on_handle_mount (BerthDBusBerth1Volumes *skeleton,
                 GDBusMethodInvocation *invocation,
                 const gchar *name,
                 gpointer user_data)
{
  BerthDBusVolumes *self = user_data;
  berth_volume_service_mount_async (self->service, name, NULL, on_mounted,
                                    g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_unmounted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;

  if (!berth_volume_service_unmount_finish (BERTH_VOLUME_SERVICE (source), result, &error))
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static gboolean
on_handle_unmount (BerthDBusBerth1Volumes *skeleton,
                   GDBusMethodInvocation *invocation,
                   const gchar *name,
                   const gchar *id,
                   gpointer user_data)
{
  BerthDBusVolumes *self = user_data;
  berth_volume_service_unmount_async (self->service, name, id, NULL, on_unmounted,
                                      g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_pruned (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  guint64 reclaimed = 0;
  g_auto(GStrv) deleted = berth_volume_service_prune_finish (BERTH_VOLUME_SERVICE (source), result,
                                                              &reclaimed, &error);

  if (deleted == NULL)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(^ast)", deleted, reclaimed));
}

static gboolean
on_handle_prune (BerthDBusBerth1Volumes *skeleton,
                 GDBusMethodInvocation *invocation,
                 const gchar *const *filters,
                 gpointer user_data)
{
  BerthDBusVolumes *self = user_data;
  berth_volume_service_prune_async (self->service, filters, NULL, on_pruned,
                                    g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_authorize (GDBusInterfaceSkeleton *skeleton,
              GDBusMethodInvocation *invocation,
              gpointer user_data)
{
  BerthDBusVolumes *self = user_data;
  if (g_strv_contains (read_only_methods, g_dbus_method_invocation_get_method_name (invocation)))
    return TRUE;
  return self->authorize (invocation, self->authorize_data);
}

/**
 * berth_dbus_volumes_new:
 * @service: the volume service (the volume module)
 * @manager: the ObjectManager skeleton that lists objects
 * @authorize: decides who may change state
 * @authorize_data: for @authorize
 *
 * Returns: (transfer full): the volume side of the adaptor
 */
BerthDBusVolumes *
berth_dbus_volumes_new (BerthVolumeService *service,
                        BerthDBusObjectManager *manager,
                        BerthDBusAuthorizeFunc authorize,
                        gpointer authorize_data)
{
  BerthDBusVolumes *self = g_new0 (BerthDBusVolumes, 1);

  self->service = g_object_ref (service);
  self->manager = manager;
  self->authorize = authorize;
  self->authorize_data = authorize_data;
  self->subtree = berth_dbus_subtree_new (BERTH_DBUS_VOLUMES_PATH, &volume_subtree_class, self);
  self->skeleton = berth_dbus_berth1_volumes_skeleton_new ();
  g_signal_connect (self->skeleton, "g-authorize-method", G_CALLBACK (on_authorize), self);
  g_signal_connect (self->skeleton, "handle-create", G_CALLBACK (on_handle_create), self);
  g_signal_connect (self->skeleton, "handle-remove", G_CALLBACK (on_handle_remove), self);
  g_signal_connect (self->skeleton, "handle-inspect", G_CALLBACK (on_handle_inspect), self);
  g_signal_connect (self->skeleton, "handle-list", G_CALLBACK (on_handle_list), self);
  g_signal_connect (self->skeleton, "handle-mount", G_CALLBACK (on_handle_mount), self);
  g_signal_connect (self->skeleton, "handle-unmount", G_CALLBACK (on_handle_unmount), self);
  g_signal_connect (self->skeleton, "handle-prune", G_CALLBACK (on_handle_prune), self);
  g_signal_connect (service, "volume-added", G_CALLBACK (on_volume_added), self);
  g_signal_connect (service, "volume-removed", G_CALLBACK (on_volume_removed), self);
  g_signal_connect (service, "volume-changed", G_CALLBACK (on_volume_changed), self);
  return self;
}

gboolean
berth_dbus_volumes_export (BerthDBusVolumes *self, GDBusConnection *connection, GError **error)
{
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection,
                                         BERTH_DBUS_PATH, error))
    return FALSE;
  return berth_dbus_subtree_export (self->subtree, connection, error);
}

void
berth_dbus_volumes_unexport (BerthDBusVolumes *self, GDBusConnection *connection)
{
  g_dbus_interface_skeleton_unexport_from_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton),
                                                      connection);
  berth_dbus_subtree_unexport (self->subtree, connection);
}

void
berth_dbus_volumes_free (BerthDBusVolumes *self)
{
  g_autoptr(GList) connections = berth_dbus_subtree_get_connections (self->subtree);

  g_signal_handlers_disconnect_by_data (self->service, self);
  for (GList *l = connections; l != NULL; l = l->next)
    berth_dbus_volumes_unexport (self, l->data);
  berth_dbus_subtree_free (self->subtree);
  g_object_unref (self->skeleton);
  g_object_unref (self->service);
  g_free (self);
}
