/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthDaemon"

#include "config.h"

#include "berth-dbus-job.h"
#include "berth-dbus-subtree.h"

#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <unistd.h>

#include "berth-dbus-plugins.h"

/* Plugins on D-Bus. The methods live on /org/berth/Berth1 (a generated
 * skeleton, exported on every connection); each plugin is an object below
 * /org/berth/Berth1/plugins served as a subtree, so no per-plugin,
 * per-connection skeletons exist; the ObjectManager is a generated
 * skeleton whose GetManagedObjects reads the engine. */

struct _BerthDBusPlugins
{
  BerthEngine *engine;
  BerthDBusBerth1Plugins *skeleton;
  BerthDBusObjectManager *manager;
  BerthDBusSubtree *subtree;
  BerthDBusAuthorizeFunc authorize;
  gpointer authorize_data;
  /* other objects the ObjectManager lists (volumes) */
  void (*add_extra) (gpointer data, GVariantBuilder *builder);
  gpointer extra_data;
};

static const gchar *const read_only_methods[]
  = { "Inspect", "OpenLog", "List", "GetManagedObjects", NULL };

/**
 * berth_dbus_plugin_path:
 * @plugin: a plugin
 *
 * Returns: (transfer full): its object path
 */
gchar *
berth_dbus_plugin_path (BerthPlugin *plugin)
{
  return g_strdup_printf ("%s/%s", BERTH_DBUS_PLUGINS_PATH, berth_plugin_get_id (plugin));
}

static GVariant *
plugin_property (gpointer object, const gchar *name)
{
  BerthPlugin *plugin = object;
  BerthPluginConfig *config = berth_plugin_get_config (plugin);
  BerthPluginState state = berth_plugin_get_state (plugin);

  if (g_str_equal (name, "Id"))
    return g_variant_new_string (berth_plugin_get_id (plugin));
  if (g_str_equal (name, "Name"))
    return g_variant_new_string (berth_plugin_get_name (plugin));
  if (g_str_equal (name, "PluginReference"))
    return g_variant_new_string (
      berth_plugin_get_reference (plugin) != NULL ? berth_plugin_get_reference (plugin) : "");
  if (g_str_equal (name, "Description"))
    return g_variant_new_string (berth_plugin_config_get_description (config));
  if (g_str_equal (name, "Types"))
    {
      const gchar *const *types = berth_plugin_config_get_interface_types (config);
      return g_variant_new_strv (types != NULL ? types : (const gchar *const[]){ NULL }, -1);
    }
  if (g_str_equal (name, "Enabled"))
    return g_variant_new_boolean (state == BERTH_PLUGIN_STATE_ENABLED
                                  || state == BERTH_PLUGIN_STATE_RESTARTING);
  if (g_str_equal (name, "State"))
    return g_variant_new_string (berth_plugin_state_to_string (state));
  if (g_str_equal (name, "Pid"))
    return g_variant_new_uint32 (berth_plugin_get_pid (plugin));
  if (g_str_equal (name, "RestartCount"))
    return g_variant_new_uint32 (berth_plugin_get_restart_count (plugin));
  if (g_str_equal (name, "LastExit"))
    return g_variant_new_string (
      berth_plugin_get_last_exit (plugin) != NULL ? berth_plugin_get_last_exit (plugin) : "");
  return NULL;
}

static GVariant *
plugin_properties (BerthPlugin *plugin)
{
  GDBusInterfaceInfo *info = berth_dbus_berth1_plugin_interface_info ();
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; info->properties[i] != NULL; i++)
    g_variant_builder_add (&builder, "{sv}", info->properties[i]->name,
                           plugin_property (plugin, info->properties[i]->name));
  return g_variant_builder_end (&builder);
}

static GVariant *
plugin_interfaces (BerthPlugin *plugin)
{
  GVariantBuilder builder;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_builder_add (&builder, "{s@a{sv}}", "org.berth.Berth1.Plugin",
                         plugin_properties (plugin));
  return g_variant_builder_end (&builder);
}

/* ---- the subtree of plugin objects -------------------------------------- */

static gpointer
plugin_for_node (gpointer owner, const gchar *node)
{
  BerthDBusPlugins *self = owner;
  g_autoptr(GPtrArray) plugins = berth_engine_list_plugins (self->engine);

  for (guint i = 0; i < plugins->len; i++)
    if (g_str_equal (berth_plugin_get_id (plugins->pdata[i]), node))
      return g_object_ref (plugins->pdata[i]);
  return NULL;
}

static GStrv
plugin_nodes (gpointer owner)
{
  BerthDBusPlugins *self = owner;
  g_autoptr(GPtrArray) plugins = berth_engine_list_plugins (self->engine);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < plugins->len; i++)
    g_strv_builder_add (builder, berth_plugin_get_id (plugins->pdata[i]));
  return g_strv_builder_end (builder);
}

static const BerthDBusSubtreeClass plugin_subtree_class = {
  .interface_name = "org.berth.Berth1.Plugin",
  .interface_info = berth_dbus_berth1_plugin_interface_info,
  .nodes = plugin_nodes,
  .lookup = plugin_for_node,
  .property = plugin_property,
};

/* ---- signals as plugins change ---------------------------------------- */

static void
on_plugin_added (BerthEngine *engine, BerthPlugin *plugin, gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  g_autofree gchar *path = berth_dbus_plugin_path (plugin);
  berth_dbus_object_manager_emit_interfaces_added (self->manager, path, plugin_interfaces (plugin));
}

static void
on_plugin_removed (BerthEngine *engine, BerthPlugin *plugin, gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  g_autofree gchar *path = berth_dbus_plugin_path (plugin);
  berth_dbus_object_manager_emit_interfaces_removed (
    self->manager, path, (const gchar *const[]){ "org.berth.Berth1.Plugin", NULL });
}

static void
on_plugin_changed (BerthEngine *engine, BerthPlugin *plugin, gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  g_autofree gchar *path = berth_dbus_plugin_path (plugin);
  berth_dbus_subtree_emit_changed (self->subtree, path, plugin_properties (plugin));
}

/* ---- methods ------------------------------------------------------------ */

static gboolean
on_handle_get_managed_objects (BerthDBusObjectManager *manager,
                               GDBusMethodInvocation *invocation,
                               gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  g_autoptr(GPtrArray) plugins = berth_engine_list_plugins (self->engine);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  for (guint i = 0; i < plugins->len; i++)
    {
      g_autofree gchar *path = berth_dbus_plugin_path (plugins->pdata[i]);
      g_variant_builder_add (&builder, "{o@a{sa{sv}}}", path,
                             plugin_interfaces (plugins->pdata[i]));
    }
  if (self->add_extra != NULL)
    self->add_extra (self->extra_data, &builder);
  berth_dbus_object_manager_complete_get_managed_objects (manager, invocation,
                                                          g_variant_builder_end (&builder));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPlugin) plugin
             = berth_engine_create_plugin_finish (BERTH_ENGINE (source), result, &error);
  g_autofree gchar *path = NULL;

  if (plugin == NULL)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  path = berth_dbus_plugin_path (plugin);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", path));
}

static gboolean
on_handle_create (BerthDBusBerth1Plugins *skeleton,
                  GDBusMethodInvocation *invocation,
                  const gchar *name,
                  const gchar *dir,
                  gpointer user_data)
{
  BerthDBusPlugins *self = user_data;

  if (!g_path_is_absolute (dir))
    {
      g_dbus_method_invocation_return_error (invocation, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                                             "the plugin directory must be an absolute path: %s",
                                             dir);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  berth_engine_create_plugin_async (self->engine, name, dir, NULL, on_created,
                                    g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- registries ---------------------------------------------------------- */

static void
on_privileges (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  GVariant *reply = berth_engine_plugin_privileges_finish (BERTH_ENGINE (source), result, &error);

  if (reply == NULL)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, reply);
}

static gboolean
on_handle_privileges (BerthDBusBerth1Plugins *skeleton,
                      GDBusMethodInvocation *invocation,
                      const gchar *remote,
                      gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  berth_engine_plugin_privileges_async (self->engine, remote, NULL, on_privileges,
                                        g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* install and upgrade finish with a plugin and where it came from */
static void
on_plugin_fetched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPlugin) plugin = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree gchar *path = NULL;

  if (plugin == NULL)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  path = berth_dbus_plugin_path (plugin);
  g_dbus_method_invocation_return_value (
    invocation, g_variant_new ("(os)", path, berth_plugin_get_reference (plugin)));
}

static gboolean
on_handle_install (BerthDBusBerth1Plugins *skeleton,
                   GDBusMethodInvocation *invocation,
                   const gchar *remote,
                   const gchar *alias,
                   GVariant *privileges,
                   const gchar *const *settings,
                   gboolean disable,
                   gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(BerthJob) job = berth_dbus_job_new (invocation, &cancellable);

  berth_engine_install_plugin_async (self->engine, remote, alias, privileges, settings, disable,
                                     job, cancellable, on_plugin_fetched,
                                     g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_upgrade (BerthDBusBerth1Plugins *skeleton,
                   GDBusMethodInvocation *invocation,
                   const gchar *name,
                   const gchar *remote,
                   GVariant *privileges,
                   gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(BerthJob) job = berth_dbus_job_new (invocation, &cancellable);

  berth_engine_upgrade_plugin_async (self->engine, name, remote, privileges, job, cancellable,
                                     on_plugin_fetched, g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_pushed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *digest
    = berth_engine_push_plugin_finish (BERTH_ENGINE (source), result, &error);

  if (digest == NULL)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", digest));
}

static gboolean
on_handle_push (BerthDBusBerth1Plugins *skeleton,
                GDBusMethodInvocation *invocation,
                const gchar *name,
                gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(BerthJob) job = berth_dbus_job_new (invocation, &cancellable);

  berth_engine_push_plugin_async (self->engine, name, job, cancellable, on_pushed,
                                  g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* enable, disable and remove all finish with a plugin or an error */
static void
on_plugin_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPlugin) plugin = g_task_propagate_pointer (G_TASK (result), &error);

  if (plugin == NULL)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static gboolean
on_handle_enable (BerthDBusBerth1Plugins *skeleton,
                  GDBusMethodInvocation *invocation,
                  const gchar *name,
                  guint timeout,
                  gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  berth_engine_enable_plugin_async (self->engine, name, MIN (timeout, 24 * 3600) * 1000, NULL,
                                    on_plugin_done, g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_disable (BerthDBusBerth1Plugins *skeleton,
                   GDBusMethodInvocation *invocation,
                   const gchar *name,
                   gboolean force,
                   gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  berth_engine_disable_plugin_async (self->engine, name, force, NULL, on_plugin_done,
                                     g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_remove (BerthDBusBerth1Plugins *skeleton,
                  GDBusMethodInvocation *invocation,
                  const gchar *name,
                  gboolean force,
                  gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  berth_engine_remove_plugin_async (self->engine, name, force, NULL, on_plugin_done,
                                    g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_set (BerthDBusBerth1Plugins *skeleton,
               GDBusMethodInvocation *invocation,
               const gchar *name,
               const gchar *const *args,
               gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!berth_engine_set_plugin (self->engine, name, args, &error))
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    berth_dbus_berth1_plugins_complete_set (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_list (BerthDBusBerth1Plugins *skeleton,
                GDBusMethodInvocation *invocation,
                gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  g_autoptr(GPtrArray) plugins = berth_engine_list_plugins (self->engine);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssssasb)"));
  for (guint i = 0; i < plugins->len; i++)
    {
      BerthPlugin *p = plugins->pdata[i];
      g_variant_builder_add (
        &builder, "(ssss@asb)", berth_plugin_get_id (p), berth_plugin_get_name (p),
        berth_plugin_get_reference (p) != NULL ? berth_plugin_get_reference (p) : "",
        berth_plugin_config_get_description (berth_plugin_get_config (p)),
        plugin_property (p, "Types"),
        berth_plugin_get_state (p) == BERTH_PLUGIN_STATE_ENABLED
          || berth_plugin_get_state (p) == BERTH_PLUGIN_STATE_RESTARTING);
    }
  berth_dbus_berth1_plugins_complete_list (skeleton, invocation, g_variant_builder_end (&builder));
  berth_dbus_trim_after_reply ();
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_inspect (BerthDBusBerth1Plugins *skeleton,
                   GDBusMethodInvocation *invocation,
                   const gchar *name,
                   gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPlugin) plugin = berth_engine_find_plugin (self->engine, name, &error);
  g_autoptr(JsonNode) node = NULL;

  if (plugin == NULL)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  node = berth_plugin_to_inspect_json (plugin);
  berth_dbus_return_inspect (invocation, node);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_open_log (BerthDBusBerth1Plugins *skeleton,
                    GDBusMethodInvocation *invocation,
                    GUnixFDList *fd_list_in,
                    const gchar *name,
                    gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPlugin) plugin = berth_engine_find_plugin (self->engine, name, &error);
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autofree gchar *path = NULL;
  gint fd;

  if (plugin == NULL)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  path = berth_engine_get_plugin_log_path (self->engine, plugin);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      /* a plugin never enabled has no log yet: an empty one is the truth */
      fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
    }
  fd_list = g_unix_fd_list_new_from_array (&fd, 1);
  berth_dbus_berth1_plugins_complete_open_log (skeleton, invocation, fd_list,
                                               g_variant_new_handle (0), path);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_authorize (GDBusInterfaceSkeleton *skeleton,
              GDBusMethodInvocation *invocation,
              gpointer user_data)
{
  BerthDBusPlugins *self = user_data;
  if (g_strv_contains (read_only_methods, g_dbus_method_invocation_get_method_name (invocation)))
    return TRUE;
  return self->authorize (invocation, self->authorize_data);
}

/**
 * berth_dbus_plugins_new:
 * @engine: the engine
 * @authorize: decides who may call methods that change state; it returns
 *   the error itself when it refuses
 * @authorize_data: for @authorize
 *
 * Returns: (transfer full): the plugin side of the adaptor
 */
BerthDBusPlugins *
berth_dbus_plugins_new (BerthEngine *engine,
                        BerthDBusAuthorizeFunc authorize,
                        gpointer authorize_data)
{
  BerthDBusPlugins *self = g_new0 (BerthDBusPlugins, 1);

  self->engine = g_object_ref (engine);
  self->authorize = authorize;
  self->authorize_data = authorize_data;
  self->subtree = berth_dbus_subtree_new (BERTH_DBUS_PLUGINS_PATH, &plugin_subtree_class, self);
  self->skeleton = berth_dbus_berth1_plugins_skeleton_new ();
  self->manager = berth_dbus_object_manager_skeleton_new ();
  g_signal_connect (self->skeleton, "g-authorize-method", G_CALLBACK (on_authorize), self);
  g_signal_connect (self->skeleton, "handle-create", G_CALLBACK (on_handle_create), self);
  g_signal_connect (self->skeleton, "handle-enable", G_CALLBACK (on_handle_enable), self);
  g_signal_connect (self->skeleton, "handle-privileges", G_CALLBACK (on_handle_privileges), self);
  g_signal_connect (self->skeleton, "handle-install", G_CALLBACK (on_handle_install), self);
  g_signal_connect (self->skeleton, "handle-push", G_CALLBACK (on_handle_push), self);
  g_signal_connect (self->skeleton, "handle-upgrade", G_CALLBACK (on_handle_upgrade), self);
  g_signal_connect (self->skeleton, "handle-disable", G_CALLBACK (on_handle_disable), self);
  g_signal_connect (self->skeleton, "handle-remove", G_CALLBACK (on_handle_remove), self);
  g_signal_connect (self->skeleton, "handle-set", G_CALLBACK (on_handle_set), self);
  g_signal_connect (self->skeleton, "handle-inspect", G_CALLBACK (on_handle_inspect), self);
  g_signal_connect (self->skeleton, "handle-list", G_CALLBACK (on_handle_list), self);
  g_signal_connect (self->skeleton, "handle-open-log", G_CALLBACK (on_handle_open_log), self);
  g_signal_connect (self->manager, "handle-get-managed-objects",
                    G_CALLBACK (on_handle_get_managed_objects), self);
  g_signal_connect (engine, "plugin-added", G_CALLBACK (on_plugin_added), self);
  g_signal_connect (engine, "plugin-removed", G_CALLBACK (on_plugin_removed), self);
  g_signal_connect (engine, "plugin-changed", G_CALLBACK (on_plugin_changed), self);
  return self;
}

BerthDBusObjectManager *
berth_dbus_plugins_get_object_manager (BerthDBusPlugins *self)
{
  return self->manager;
}

/**
 * berth_dbus_plugins_set_extra_objects:
 * @self: the plugin side of the adaptor
 * @add: adds objects to a GetManagedObjects answer
 * @data: for @add
 *
 * The ObjectManager lists plugins and what @add adds (volumes).
 */
void
berth_dbus_plugins_set_extra_objects (BerthDBusPlugins *self,
                                      void (*add) (gpointer data, GVariantBuilder *builder),
                                      gpointer data)
{
  self->add_extra = add;
  self->extra_data = data;
}

/**
 * berth_dbus_plugins_export:
 * @self: the plugin side of the adaptor
 * @connection: a client connection, or the system bus
 * @error: return location for a #GError
 *
 * Returns: %TRUE if plugins are served on @connection
 */
gboolean
berth_dbus_plugins_export (BerthDBusPlugins *self, GDBusConnection *connection, GError **error)
{
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection,
                                         BERTH_DBUS_PATH, error)
      || !g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->manager), connection,
                                            BERTH_DBUS_PATH, error))
    return FALSE;
  return berth_dbus_subtree_export (self->subtree, connection, error);
}

/**
 * berth_dbus_plugins_unexport:
 * @self: the plugin side of the adaptor
 * @connection: a connection served by berth_dbus_plugins_export()
 */
void
berth_dbus_plugins_unexport (BerthDBusPlugins *self, GDBusConnection *connection)
{
  g_dbus_interface_skeleton_unexport_from_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton),
                                                      connection);
  g_dbus_interface_skeleton_unexport_from_connection (G_DBUS_INTERFACE_SKELETON (self->manager),
                                                      connection);
  berth_dbus_subtree_unexport (self->subtree, connection);
}

void
berth_dbus_plugins_free (BerthDBusPlugins *self)
{
  g_autoptr(GList) connections = berth_dbus_subtree_get_connections (self->subtree);

  g_signal_handlers_disconnect_by_data (self->engine, self);
  for (GList *l = connections; l != NULL; l = l->next)
    berth_dbus_plugins_unexport (self, l->data);
  berth_dbus_subtree_free (self->subtree);
  g_object_unref (self->skeleton);
  g_object_unref (self->manager);
  g_object_unref (self->engine);
  g_free (self);
}
