/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthDaemon"

#include "config.h"

#include <glib/gstdio.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "berth-daemon.h"
#include "berth-dbus-generated.h"
#include "berth-dbus-images.h"
#include "berth-dbus-plugins.h"
#include "berth-dbus-containers.h"
#include "berth-dbus-volumes.h"
#include "berth-log.h"

#define BERTH_DBUS_NAME        "org.berth.Berth1"
#define BERTH_DBUS_PATH        "/org/berth/Berth1"
#define BERTH_DBUS_API_VERSION 1

/**
 * BerthDaemon:
 *
 * The D-Bus adaptor: maps the #BerthEngine to org.berth.Berth1.
 *
 * berthd serves a peer-to-peer D-Bus socket (no bus daemon needed) and,
 * when asked, the system bus too. The same skeletons are exported on every
 * connection: a #GDBusInterfaceSkeleton can be exported on many
 * connections, while a #GDBusObjectManagerServer serves only one, which is
 * why per-object interfaces (plugins, volumes) are served as subtrees with
 * a hand-written ObjectManager rather than by GDBusObjectManagerServer.
 * A private dbus-daemon would give that for free, at the cost of a second
 * process to supervise and a second hop on every call; see docs/dbus.md.
 */
struct _BerthDaemon
{
  GObject parent_instance;
  BerthEngine *engine;
  BerthDBusBerth1 *manager;
  BerthDBusPlugins *plugins;
  BerthDBusVolumes *volumes; /* NULL without a volume module */
  BerthDBusImages *images;
  BerthDBusContainers *containers;
  GDBusServer *server;
  GDBusAuthObserver *observer;
  gchar *address;
  gchar *socket_path; /* the unix socket we made, to unlink at exit */
  GPtrArray *connections;
  guint system_name_id;
  GDBusConnection *system_bus;
};

G_DEFINE_TYPE (BerthDaemon, berth_daemon, G_TYPE_OBJECT)

/* methods anyone may call; every other method changes state */
static const gchar *const read_only_methods[] = { "DiskUsage", NULL };

static gboolean
uid_may_change_state (BerthDaemon *self, uid_t uid)
{
  GKeyFile *config = berth_engine_get_config (self->engine);
  g_autofree gchar *group_name = NULL;
  struct group *group;
  struct passwd *pw;
  gid_t groups[256];
  gint n_groups = G_N_ELEMENTS (groups);

  if (uid == 0 || uid == geteuid ())
    return TRUE;
  group_name = g_key_file_get_string (config, "daemon", "admin-group", NULL);
  if (group_name == NULL || group_name[0] == '\0')
    return FALSE;
  group = getgrnam (group_name);
  pw = getpwuid (uid);
  if (group == NULL || pw == NULL)
    return FALSE;
  if (getgrouplist (pw->pw_name, pw->pw_gid, groups, &n_groups) < 0)
    return FALSE;
  for (gint i = 0; i < n_groups; i++)
    if (groups[i] == group->gr_gid)
      return TRUE;
  return FALSE;
}

static gboolean
caller_uid (GDBusMethodInvocation *invocation, uid_t *out_uid)
{
  GDBusConnection *connection = g_dbus_method_invocation_get_connection (invocation);
  GCredentials *credentials = g_dbus_connection_get_peer_credentials (connection);
  const gchar *sender = g_dbus_method_invocation_get_sender (invocation);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 uid;

  /* peer-to-peer: the kernel told us at connect time (SO_PEERCRED) */
  if (credentials != NULL)
    {
      uid_t u = g_credentials_get_unix_user (credentials, &error);
      if (u == (uid_t)-1)
        return FALSE;
      *out_uid = u;
      return TRUE;
    }
  if (sender == NULL)
    return FALSE;
  /* on a bus, ask the bus who the sender is */
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetConnectionUnixUser",
                                       g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  if (reply == NULL)
    {
      g_warning ("cannot identify caller %s: %s", sender, error->message);
      return FALSE;
    }
  g_variant_get (reply, "(u)", &uid);
  *out_uid = uid;
  return TRUE;
}

/* may the caller change state? if not, the invocation gets the error */
static gboolean
authorize_change (GDBusMethodInvocation *invocation, gpointer user_data)
{
  BerthDaemon *self = BERTH_DAEMON (user_data);
  uid_t uid;

  if (caller_uid (invocation, &uid) && uid_may_change_state (self, uid))
    return TRUE;
  g_dbus_method_invocation_return_error (invocation, BERTH_ERROR, BERTH_ERROR_PERMISSION_DENIED,
                                         "permission denied: %s changes berthd's state and needs "
                                         "root or the admin group",
                                         g_dbus_method_invocation_get_method_name (invocation));
  return FALSE;
}

static gboolean
on_authorize_method (GDBusInterfaceSkeleton *skeleton,
                     GDBusMethodInvocation *invocation,
                     gpointer user_data)
{
  const gchar *method = g_dbus_method_invocation_get_method_name (invocation);

  if (g_strv_contains (read_only_methods, method))
    return TRUE;
  return authorize_change (invocation, user_data);
}

static void
update_counts (BerthDaemon *self)
{
  berth_dbus_berth1_set_plugins (self->manager,
                                 berth_engine_get_plugin_count (self->engine, FALSE));
  berth_dbus_berth1_set_plugins_enabled (self->manager,
                                         berth_engine_get_plugin_count (self->engine, TRUE));
  berth_dbus_berth1_set_volumes (self->manager, berth_engine_get_volume_count (self->engine));
}

static void
on_plugins_changed (BerthEngine *engine, BerthPlugin *plugin, gpointer user_data)
{
  update_counts (BERTH_DAEMON (user_data));
}

static gboolean
on_handle_set_log_level (BerthDBusBerth1 *manager,
                         GDBusMethodInvocation *invocation,
                         const gchar *level,
                         gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!berth_log_set_level (level, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_message ("log level set to %s", level);
  berth_dbus_berth1_set_log_level (manager, berth_log_get_level ());
  berth_dbus_berth1_complete_set_log_level (manager, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_disk_usage (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) usage
             = berth_engine_disk_usage_finish (BERTH_ENGINE (source), result, &error);

  if (usage == NULL)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, usage);
}

static gboolean
on_handle_disk_usage (BerthDBusBerth1 *manager,
                      GDBusMethodInvocation *invocation,
                      gpointer user_data)
{
  BerthDaemon *self = BERTH_DAEMON (user_data);
  berth_engine_disk_usage_async (self->engine, NULL, on_disk_usage, g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* login and logout answer one status line */
static void
on_status_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *status
    = g_str_equal (g_dbus_method_invocation_get_method_name (invocation), "Login")
        ? berth_engine_login_finish (BERTH_ENGINE (source), result, &error)
        : berth_engine_logout_finish (BERTH_ENGINE (source), result, &error);

  if (status == NULL)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", status));
}

static gboolean
on_handle_login (BerthDBusBerth1 *manager,
                 GDBusMethodInvocation *invocation,
                 const gchar *server,
                 const gchar *username,
                 const gchar *password,
                 gpointer user_data)
{
  BerthDaemon *self = BERTH_DAEMON (user_data);
  berth_engine_login_async (self->engine, server, username, password, NULL, on_status_done,
                            g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_logout (BerthDBusBerth1 *manager,
                  GDBusMethodInvocation *invocation,
                  const gchar *server,
                  gpointer user_data)
{
  BerthDaemon *self = BERTH_DAEMON (user_data);
  berth_engine_logout_async (self->engine, server, NULL, on_status_done, g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static GVariant *
modules_variant (BerthDaemon *self)
{
  GPtrArray *reports = berth_modules_get_reports (berth_engine_get_modules (self->engine));
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sssss)"));
  for (guint i = 0; i < reports->len; i++)
    {
      BerthModuleReport *r = reports->pdata[i];
      g_variant_builder_add (&builder, "(sssss)", r->kind != NULL ? r->kind : "", r->name,
                             r->module != NULL ? r->module : "",
                             berth_module_status_to_string (r->status),
                             r->error != NULL ? r->error : "");
    }
  return g_variant_builder_end (&builder);
}

static void
berth_daemon_finalize (GObject *object)
{
  BerthDaemon *self = BERTH_DAEMON (object);
  berth_daemon_stop (self);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  if (self->volumes != NULL && berth_engine_get_volume_service (self->engine) != NULL)
    g_signal_handlers_disconnect_by_data (berth_engine_get_volume_service (self->engine), self);
  g_clear_pointer (&self->volumes, berth_dbus_volumes_free);
  g_clear_pointer (&self->images, berth_dbus_images_free);
  g_clear_pointer (&self->containers, berth_dbus_containers_free);
  g_clear_pointer (&self->plugins, berth_dbus_plugins_free);
  g_clear_object (&self->manager);
  g_clear_object (&self->engine);
  g_clear_object (&self->observer);
  g_clear_pointer (&self->connections, g_ptr_array_unref);
  G_OBJECT_CLASS (berth_daemon_parent_class)->finalize (object);
}

static void
berth_daemon_class_init (BerthDaemonClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = berth_daemon_finalize;
}

static void
berth_daemon_init (BerthDaemon *self)
{
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * berth_daemon_new:
 * @engine: a started #BerthEngine
 *
 * Returns: (transfer full): the adaptor, serving nothing yet
 */
BerthDaemon *
berth_daemon_new (BerthEngine *engine)
{
  BerthDaemon *self = g_object_new (BERTH_TYPE_DAEMON, NULL);
  BerthPaths *paths = berth_engine_get_paths (engine);
  const gchar *config_file;

  self->engine = g_object_ref (engine);
  self->manager = berth_dbus_berth1_skeleton_new ();
  /* handlers run in the main thread, one at a time, like the engine */
  g_dbus_interface_skeleton_set_flags (G_DBUS_INTERFACE_SKELETON (self->manager),
                                       G_DBUS_INTERFACE_SKELETON_FLAGS_NONE);
  g_signal_connect (self->manager, "g-authorize-method", G_CALLBACK (on_authorize_method), self);
  g_signal_connect (self->manager, "handle-set-log-level", G_CALLBACK (on_handle_set_log_level),
                    self);
  g_signal_connect (self->manager, "handle-disk-usage", G_CALLBACK (on_handle_disk_usage), self);
  g_signal_connect (self->manager, "handle-login", G_CALLBACK (on_handle_login), self);
  g_signal_connect (self->manager, "handle-logout", G_CALLBACK (on_handle_logout), self);

  berth_dbus_berth1_set_version (self->manager, PACKAGE_VERSION);
  berth_dbus_berth1_set_api_version (self->manager, BERTH_DBUS_API_VERSION);
  berth_dbus_berth1_set_root (self->manager, berth_paths_get (paths, BERTH_PATH_ROOT));
  berth_dbus_berth1_set_run_dir (self->manager, berth_paths_get (paths, BERTH_PATH_RUN_DIR));
  berth_dbus_berth1_set_module_dir (self->manager, berth_paths_get (paths, BERTH_PATH_MODULE_DIR));
  config_file = berth_paths_get (paths, BERTH_PATH_CONFIG_FILE);
  berth_dbus_berth1_set_config_file (
    self->manager, g_file_test (config_file, G_FILE_TEST_IS_REGULAR) ? config_file : "");
  berth_dbus_berth1_set_pid (self->manager, (guint)getpid ());
  berth_dbus_berth1_set_modules (self->manager, modules_variant (self));
  update_counts (self);
  self->plugins = berth_dbus_plugins_new (engine, authorize_change, self);
  self->images = berth_dbus_images_new (engine, authorize_change, self);
  self->containers = berth_dbus_containers_new (engine, authorize_change, self);
  if (berth_engine_get_volume_service (engine) != NULL)
    {
      BerthVolumeService *service = berth_engine_get_volume_service (engine);
      self->volumes = berth_dbus_volumes_new (
        service, berth_dbus_plugins_get_object_manager (self->plugins), authorize_change, self);
      berth_dbus_plugins_set_extra_objects (
        self->plugins,
        (void (*) (gpointer, GVariantBuilder *))berth_dbus_volumes_add_managed_objects,
        self->volumes);
      g_signal_connect_swapped (service, "volume-added", G_CALLBACK (update_counts), self);
      g_signal_connect_swapped (service, "volume-removed", G_CALLBACK (update_counts), self);
    }
  g_signal_connect (engine, "plugin-added", G_CALLBACK (on_plugins_changed), self);
  g_signal_connect (engine, "plugin-removed", G_CALLBACK (on_plugins_changed), self);
  g_signal_connect (engine, "plugin-changed", G_CALLBACK (on_plugins_changed), self);
  berth_dbus_berth1_set_log_level (self->manager, berth_log_get_level ());
  return self;
}

static gboolean
export_on (BerthDaemon *self, GDBusConnection *connection, GError **error)
{
  return g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->manager), connection,
                                           BERTH_DBUS_PATH, error)
         && berth_dbus_plugins_export (self->plugins, connection, error)
         && berth_dbus_containers_export (self->containers, connection, error)
         && (self->volumes == NULL || berth_dbus_volumes_export (self->volumes, connection, error))
         && berth_dbus_images_export (self->images, connection, error);
}

static void
on_connection_closed (GDBusConnection *connection,
                      gboolean remote_peer_vanished,
                      GError *error,
                      gpointer user_data)
{
  BerthDaemon *self = BERTH_DAEMON (user_data);

  g_debug ("client disconnected");
  g_dbus_interface_skeleton_unexport_from_connection (G_DBUS_INTERFACE_SKELETON (self->manager),
                                                      connection);
  berth_dbus_plugins_unexport (self->plugins, connection);
  berth_dbus_containers_unexport (self->containers, connection);
  if (self->volumes != NULL)
    berth_dbus_volumes_unexport (self->volumes, connection);
  berth_dbus_images_unexport (self->images, connection);
  g_signal_handlers_disconnect_by_data (connection, self);
  g_ptr_array_remove (self->connections, connection);
}

static gboolean
on_new_connection (GDBusServer *server, GDBusConnection *connection, gpointer user_data)
{
  BerthDaemon *self = BERTH_DAEMON (user_data);
  g_autoptr(GError) error = NULL;

  if (!export_on (self, connection, &error))
    {
      g_warning ("cannot serve a client: %s", error->message);
      return FALSE;
    }
  g_ptr_array_add (self->connections, g_object_ref (connection));
  g_signal_connect (connection, "closed", G_CALLBACK (on_connection_closed), self);
  g_debug ("client connected");
  return TRUE;
}

static gboolean
on_allow_mechanism (GDBusAuthObserver *observer, const gchar *mechanism, gpointer user_data)
{
  /* only EXTERNAL: the kernel vouches for the peer's uid */
  return g_strcmp0 (mechanism, "EXTERNAL") == 0;
}

static gboolean
on_authorize_peer (GDBusAuthObserver *observer,
                   GIOStream *stream,
                   GCredentials *credentials,
                   gpointer user_data)
{
  /* anyone who can open the socket may read; methods check their rights */
  return credentials != NULL;
}

static gchar *
unix_path_of (const gchar *address)
{
  g_auto(GStrv) parts = NULL;

  if (!g_str_has_prefix (address, "unix:"))
    return NULL;
  parts = g_strsplit (address + 5, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_has_prefix (parts[i], "path="))
      return g_uri_unescape_string (parts[i] + 5, NULL);
  return NULL;
}

/**
 * berth_daemon_listen:
 * @self: a #BerthDaemon
 * @address: a D-Bus server address (`unix:path=…` or `unix:abstract=…`)
 * @error: return location for a #GError
 *
 * Starts the peer-to-peer server. A stale socket at the path is replaced:
 * the engine's lock proves no other berthd owns it.
 *
 * Returns: %TRUE if berthd listens on @address
 */
gboolean
berth_daemon_listen (BerthDaemon *self, const gchar *address, GError **error)
{
  g_autofree gchar *guid = g_dbus_generate_guid ();
  g_autofree gchar *path = unix_path_of (address);

  if (!g_str_has_prefix (address, "unix:"))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "cannot listen on %s: berthd listens on unix sockets only, where the kernel "
                   "tells who the caller is",
                   address);
      return FALSE;
    }
  if (path != NULL)
    {
      g_autofree gchar *dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0755) != 0)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot create %s: %s", dir,
                       g_strerror (errno));
          return FALSE;
        }
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot replace %s: %s", path,
                       g_strerror (errno));
          return FALSE;
        }
    }

  self->observer = g_dbus_auth_observer_new ();
  g_signal_connect (self->observer, "allow-mechanism", G_CALLBACK (on_allow_mechanism), self);
  g_signal_connect (self->observer, "authorize-authenticated-peer", G_CALLBACK (on_authorize_peer),
                    self);
  self->server
    = g_dbus_server_new_sync (address, G_DBUS_SERVER_FLAGS_NONE, guid, self->observer, NULL, error);
  if (self->server == NULL)
    {
      g_prefix_error (error, "cannot listen on %s: ", address);
      berth_error_convert (error);
      return FALSE;
    }
  g_signal_connect (self->server, "new-connection", G_CALLBACK (on_new_connection), self);
  g_dbus_server_start (self->server);

  if (path != NULL)
    {
      /* everyone may connect and read; the methods decide who may write */
      if (g_chmod (path, 0666) != 0)
        g_warning ("cannot make %s readable by all: %s", path, g_strerror (errno));
      self->socket_path = g_steal_pointer (&path);
    }
  self->address = g_strdup (address);
  return TRUE;
}

static void
on_system_bus_acquired (GDBusConnection *connection, const gchar *name, gpointer user_data)
{
  BerthDaemon *self = BERTH_DAEMON (user_data);
  g_autoptr(GError) error = NULL;

  if (!export_on (self, connection, &error))
    {
      g_warning ("cannot serve the system bus: %s", error->message);
      return;
    }
  g_set_object (&self->system_bus, connection);
}

static void
on_system_name_acquired (GDBusConnection *connection, const gchar *name, gpointer user_data)
{
  g_message ("owning %s on the system bus", name);
}

static void
on_system_name_lost (GDBusConnection *connection, const gchar *name, gpointer user_data)
{
  if (connection == NULL)
    g_warning ("cannot connect to the system bus to own %s", name);
  else
    g_warning ("cannot own %s on the system bus (another berthd, or the bus policy in "
               "dbus-1/system.d/org.berth.Berth1.conf does not allow it)",
               name);
}

/**
 * berth_daemon_own_system_name:
 * @self: a #BerthDaemon
 *
 * Also serves org.berth.Berth1 on the system bus.
 */
void
berth_daemon_own_system_name (BerthDaemon *self)
{
  self->system_name_id = g_bus_own_name (G_BUS_TYPE_SYSTEM, BERTH_DBUS_NAME,
                                         G_BUS_NAME_OWNER_FLAGS_NONE, on_system_bus_acquired,
                                         on_system_name_acquired, on_system_name_lost, self, NULL);
}

const gchar *
berth_daemon_get_address (BerthDaemon *self)
{
  return self->address;
}

/**
 * berth_daemon_stop:
 * @self: a #BerthDaemon
 *
 * Stops serving: closes the server, drops clients, removes the socket.
 */
void
berth_daemon_stop (BerthDaemon *self)
{
  if (self->system_name_id != 0)
    {
      g_bus_unown_name (self->system_name_id);
      self->system_name_id = 0;
    }
  g_clear_object (&self->system_bus);
  if (self->server != NULL)
    {
      g_dbus_server_stop (self->server);
      g_clear_object (&self->server);
    }
  if (self->manager != NULL
      && g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->manager))
           != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->manager));
  for (guint i = 0; self->connections != NULL && i < self->connections->len; i++)
    {
      g_signal_handlers_disconnect_by_data (self->connections->pdata[i], self);
      g_dbus_connection_close (self->connections->pdata[i], NULL, NULL, NULL);
    }
  if (self->connections != NULL)
    g_ptr_array_set_size (self->connections, 0);
  if (self->socket_path != NULL)
    {
      g_unlink (self->socket_path);
      g_clear_pointer (&self->socket_path, g_free);
    }
  g_clear_pointer (&self->address, g_free);
}
