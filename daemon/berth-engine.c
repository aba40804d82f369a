/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthEngine"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "berth-engine-private.h"

/**
 * BerthEngine:
 *
 * The heart of berthd, with no D-Bus in it: owns the path store, the
 * configuration, the modules and the plugins (berth-engine-plugins.c).
 * The D-Bus adaptor maps it to the bus; tests drive it directly.
 */
G_DEFINE_TYPE (BerthEngine, berth_engine, G_TYPE_OBJECT)

static void
berth_engine_finalize (GObject *object)
{
  BerthEngine *self = BERTH_ENGINE (object);
  berth_engine_shutdown (self);
  berth_engine_plugins_finalize (self);
  berth_engine_registry_finalize (self);
  berth_engine_images_finalize (self);
  berth_engine_containers_finalize (self);
  g_clear_object (&self->modules);
  g_clear_object (&self->paths);
  g_clear_pointer (&self->config, g_key_file_unref);
  G_OBJECT_CLASS (berth_engine_parent_class)->finalize (object);
}

static void
berth_engine_class_init (BerthEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = berth_engine_finalize;

  /**
   * BerthEngine::plugin-added:
   * @plugin: a plugin created or installed
   */
  g_signal_new ("plugin-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 1, BERTH_TYPE_PLUGIN);
  /**
   * BerthEngine::plugin-removed:
   * @plugin: a plugin that is gone
   */
  g_signal_new ("plugin-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 1, BERTH_TYPE_PLUGIN);
  /**
   * BerthEngine::plugin-changed:
   * @plugin: a plugin whose state or settings changed
   */
  g_signal_new ("plugin-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 1, BERTH_TYPE_PLUGIN);
}

static void
berth_engine_init (BerthEngine *self)
{
  self->root_lock_fd = -1;
  self->run_lock_fd = -1;
  berth_engine_plugins_init (self);
  berth_engine_registry_init (self);
  berth_engine_images_init (self);
  berth_engine_containers_init (self);
}

/**
 * berth_engine_new:
 * @paths: the path store
 * @config: (nullable): berthd's configuration
 *
 * Returns: (transfer full): an engine; call berth_engine_startup() next
 */
BerthEngine *
berth_engine_new (BerthPaths *paths, GKeyFile *config)
{
  BerthEngine *self = g_object_new (BERTH_TYPE_ENGINE, NULL);
  self->paths = g_object_ref (paths);
  self->config = config != NULL ? g_key_file_ref (config) : g_key_file_new ();
  return self;
}

static void
close_fd (gint *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* an open-file-description lock: released by the kernel when berthd dies,
 * however it dies, so a kill -9 never leaves a stale lock behind */
static gint
take_lock (const gchar *path, const gchar *what, GError **error)
{
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  g_autofree gchar *pid_text = NULL;
  g_autofree gchar *dir = g_path_get_dirname (path);
  gint fd;

  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      gint errsv = errno;
      g_set_error (error, BERTH_ERROR,
                   errsv == EACCES ? BERTH_ERROR_PERMISSION_DENIED : BERTH_ERROR_FAILED,
                   "cannot open lock file %s: %s", path, g_strerror (errsv));
      return -1;
    }
  if (fcntl (fd, F_OFD_SETLK, &fl) != 0)
    {
      gint errsv = errno;
      gchar buf[32] = { 0 };
      ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
      close (fd);
      if (errsv == EAGAIN || errsv == EACCES)
        {
          g_strchomp (buf);
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_IN_USE,
                       "another berthd%s%s%s is already using %s %s (lock %s); stop it first, "
                       "or give this one its own --root and --run-dir",
                       n > 0 ? " (pid " : "", n > 0 ? buf : "", n > 0 ? ")" : "", what, dir, path);
          return -1;
        }
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot lock %s: %s", path,
                   g_strerror (errsv));
      return -1;
    }
  pid_text = g_strdup_printf ("%d\n", (gint)getpid ());
  if (ftruncate (fd, 0) != 0 || pwrite (fd, pid_text, strlen (pid_text), 0) < 0)
    g_debug ("cannot write pid to %s: %s", path, g_strerror (errno));
  return fd;
}

/* how the volume driver finds a plugin named by a user: as every command
 * does (name, full ID, ID prefix) */
static gboolean
volume_plugin_lookup (const gchar *name_or_id,
                      gchar **out_id,
                      gchar **out_name,
                      gboolean *out_enabled,
                      gpointer user_data,
                      GError **error)
{
  BerthEngine *self = user_data;
  g_autoptr(BerthPlugin) plugin = berth_engine_find_plugin (self, name_or_id, error);
  BerthPluginState state;

  if (plugin == NULL)
    return FALSE;
  state = berth_plugin_get_state (plugin);
  *out_id = g_strdup (berth_plugin_get_id (plugin));
  *out_name = g_strdup (berth_plugin_get_name (plugin));
  *out_enabled = state == BERTH_PLUGIN_STATE_ENABLED || state == BERTH_PLUGIN_STATE_RESTARTING;
  return TRUE;
}

/**
 * berth_engine_startup:
 * @self: a #BerthEngine
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Creates the state root and run directory, takes the locks that keep one
 * berthd per root and per run directory, and loads the modules.
 *
 * Returns: %TRUE if the engine runs
 */
gboolean
berth_engine_startup (BerthEngine *self, GCancellable *cancellable, GError **error)
{
  g_autofree gchar *run_lock = NULL;

  g_return_val_if_fail (BERTH_IS_ENGINE (self), FALSE);

  if (!berth_paths_ensure (self->paths, BERTH_PATH_ROOT, error)
      || !berth_paths_ensure (self->paths, BERTH_PATH_RUN_DIR, error))
    return FALSE;

  self->root_lock_fd = take_lock (berth_paths_get (self->paths, BERTH_PATH_LOCK), "root", error);
  if (self->root_lock_fd < 0)
    return FALSE;
  run_lock = berth_paths_build (self->paths, BERTH_PATH_RUN_DIR, "berthd.lock", NULL);
  self->run_lock_fd = take_lock (run_lock, "run directory", error);
  if (self->run_lock_fd < 0)
    {
      close_fd (&self->root_lock_fd);
      return FALSE;
    }

  if (!berth_paths_ensure (self->paths, BERTH_PATH_PLUGINS, error)
      || !berth_paths_ensure (self->paths, BERTH_PATH_VOLUMES, error)
      || !berth_paths_ensure (self->paths, BERTH_PATH_TMP, error))
    return FALSE;

  self->modules = berth_modules_new (self->paths, self->config);
  berth_modules_load (self->modules);
  if (berth_engine_get_volume_service (self) != NULL)
    berth_volume_service_set_plugin_lookup (berth_engine_get_volume_service (self),
                                            volume_plugin_lookup, self, NULL);
  /* containers first: their snapshots are kept when the plugins' are restored */
  return berth_engine_containers_startup (self, error) && berth_engine_plugins_startup (self, error)
         && berth_engine_images_startup (self, error);
}

/**
 * berth_engine_shutdown:
 * @self: a #BerthEngine
 *
 * Releases the locks. Safe to call twice.
 */
void
berth_engine_shutdown (BerthEngine *self)
{
  if (self->runs != NULL)
    berth_engine_plugins_shutdown (self);
  close_fd (&self->run_lock_fd);
  close_fd (&self->root_lock_fd);
}

BerthPaths *
berth_engine_get_paths (BerthEngine *self)
{
  return self->paths;
}

GKeyFile *
berth_engine_get_config (BerthEngine *self)
{
  return self->config;
}

BerthModules *
berth_engine_get_modules (BerthEngine *self)
{
  return self->modules;
}

/**
 * berth_engine_get_plugin_count:
 * @self: a #BerthEngine
 * @enabled_only: count only enabled plugins
 *
 * Returns: how many plugins are installed (or enabled)
 */
guint
berth_engine_get_plugin_count (BerthEngine *self, gboolean enabled_only)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->plugins);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!enabled_only || berth_plugin_get_state (value) == BERTH_PLUGIN_STATE_ENABLED)
      n++;
  return n;
}

/**
 * berth_engine_get_volume_count:
 * @self: a #BerthEngine
 *
 * Returns: how many volumes exist
 */
guint
berth_engine_get_volume_count (BerthEngine *self)
{
  BerthVolumeService *service = berth_engine_get_volume_service (self);
  g_autoptr(GPtrArray) volumes = NULL;

  if (service == NULL)
    return 0;
  volumes = berth_volume_service_list (service);
  return volumes->len;
}

/**
 * berth_engine_get_volume_service:
 * @self: a #BerthEngine
 *
 * Returns: (transfer none) (nullable): the driver that serves volumes, if a
 *   module offers one
 */
BerthVolumeService *
berth_engine_get_volume_service (BerthEngine *self)
{
  GPtrArray *drivers;

  if (self->modules == NULL)
    return NULL;
  drivers = berth_modules_get_all (self->modules, BERTH_EXTENSION_POINT_DRIVER);
  for (guint i = 0; i < drivers->len; i++)
    if (BERTH_IS_VOLUME_SERVICE (drivers->pdata[i]))
      return drivers->pdata[i];
  return NULL;
}
