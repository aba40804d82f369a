/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthEngine"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth-engine-private.h"
#include "berth-oci-spec.h"

/* The plugin manager: create, enable, disable, remove and set, the way
 * `docker plugin` does them, with what docker lacks: a readiness wait that
 * watches the process as well as the socket, errors that say why, restarts
 * with back-off, live restore after a berthd restart, and logs. */

#define DEFAULT_ENABLE_TIMEOUT_MS 30000
#define DEFAULT_STOP_TIMEOUT_MS   10000
#define DEFAULT_LOG_MAX_BYTES     (10 * 1024 * 1024)
#define RESTART_BACKOFF_MIN_MS    100
#define RESTART_BACKOFF_MAX_MS    30000
#define RESTART_STABLE_US         (60 * G_USEC_PER_SEC)

/* what runs for one plugin; lives while the plugin's process may */
typedef struct
{
  BerthEngine *engine; /* unowned */
  BerthPlugin *plugin;
  GPid pid;
  gint pidfd;
  guint pidfd_watch;
  gint log_fd;
  guint log_watch;
  GTask *enable_task;
  GTask *disable_task;
  guint socket_poll;
  guint socket_poll_ms;
  guint enable_timeout;
  guint kill_timeout;
  guint restart_source;
  guint backoff_ms;
  gint64 started_at;
  gboolean restarting; /* this start is a restart, not the user's enable */
  gchar *rootfs;       /* the snapshot it runs in */
} PluginRun;

static void run_start (PluginRun *run);

static const gchar *
id_of (PluginRun *run)
{
  return berth_plugin_get_id (run->plugin);
}

static BerthRuntime *
engine_runtime (BerthEngine *self)
{
  return (BerthRuntime *)berth_modules_get_active (self->modules, BERTH_EXTENSION_POINT_RUNTIME);
}

BerthContentStore *
berth_engine_content_store (BerthEngine *self)
{
  return (BerthContentStore *)berth_modules_get_active (self->modules,
                                                        BERTH_EXTENSION_POINT_CONTENT_STORE);
}

static BerthContentStore *
engine_store (BerthEngine *self)
{
  return (BerthContentStore *)berth_modules_get_active (self->modules,
                                                        BERTH_EXTENSION_POINT_CONTENT_STORE);
}

static BerthSnapshotter *
engine_snapshotter (BerthEngine *self)
{
  return (BerthSnapshotter *)berth_modules_get_active (self->modules,
                                                       BERTH_EXTENSION_POINT_SNAPSHOTTER);
}

static guint
config_uint (BerthEngine *self, const gchar *key, guint fallback)
{
  g_autoptr(GError) error = NULL;
  gint value = g_key_file_get_integer (self->config, "plugins", key, &error);
  return error == NULL && value > 0 ? (guint)value : fallback;
}

gchar *
berth_engine_plugin_dir (BerthEngine *self, const gchar *id)
{
  return berth_paths_build (self->paths, BERTH_PATH_PLUGINS, id, NULL);
}

gchar *
berth_engine_plugin_record_path (BerthEngine *self, const gchar *id)
{
  return berth_paths_build (self->paths, BERTH_PATH_PLUGINS, id, "plugin.json", NULL);
}

/* a plugin's socket directory is named by its short ID, so the whole
 * socket path fits in sun_path even under a long --run-dir (docker's full
 * 64-hex directory leaves a socket name 22 bytes) */
gchar *
berth_engine_plugin_socket_dir (BerthEngine *self, const gchar *id)
{
  g_autofree gchar *short_id = g_strndup (id, 12);
  return berth_paths_build (self->paths, BERTH_PATH_PLUGIN_SOCKETS, short_id, NULL);
}

static gchar *
socket_path (BerthEngine *self, BerthPlugin *plugin)
{
  g_autofree gchar *dir = berth_engine_plugin_socket_dir (self, berth_plugin_get_id (plugin));
  return g_build_filename (
    dir, berth_plugin_config_get_interface_socket (berth_plugin_get_config (plugin)), NULL);
}

static gchar *
bundle_dir (BerthEngine *self, const gchar *id)
{
  return berth_paths_build (self->paths, BERTH_PATH_RUN_DIR, "bundles", id, NULL);
}

gchar *
berth_engine_get_plugin_log_path (BerthEngine *self, BerthPlugin *plugin)
{
  return berth_paths_build (self->paths, BERTH_PATH_PLUGINS, berth_plugin_get_id (plugin),
                            "plugin.log", NULL);
}

const gchar *
berth_engine_get_runtime_error (BerthEngine *self)
{
  return self->runtime_error;
}

static gboolean
save_plugin (BerthEngine *self, BerthPlugin *plugin, GError **error)
{
  g_autofree gchar *path = berth_engine_plugin_record_path (self, berth_plugin_get_id (plugin));
  return berth_plugin_save (plugin, path, error);
}

static void
save_plugin_or_warn (BerthEngine *self, BerthPlugin *plugin)
{
  g_autoptr(GError) error = NULL;
  if (!save_plugin (self, plugin, &error))
    g_warning ("cannot save plugin %s: %s", berth_plugin_get_name (plugin), error->message);
}

static void
changed (BerthEngine *self, BerthPlugin *plugin)
{
  g_signal_emit_by_name (self, "plugin-changed", plugin);
}

/* the last lines a plugin wrote, for errors that say what happened */
static gchar *
log_tail (BerthEngine *self, BerthPlugin *plugin, guint lines)
{
  g_autofree gchar *path = berth_engine_get_plugin_log_path (self, plugin);
  g_autofree gchar *contents = NULL;
  gsize len = 0;
  g_auto(GStrv) all = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  guint n, first;

  if (!g_file_get_contents (path, &contents, &len, NULL) || len == 0)
    return NULL;
  /* the tail only: a chatty plugin must not make the error huge */
  if (len > 4096)
    {
      gchar *tail = g_strdup (contents + len - 4096);
      g_free (contents);
      contents = tail;
    }
  g_strchomp (contents);
  all = g_strsplit (contents, "\n", -1);
  n = g_strv_length (all);
  first = n > lines ? n - lines : 0;
  for (guint i = first; i < n; i++)
    {
      if (out->len > 0)
        g_string_append (out, " | ");
      g_string_append (out, all[i]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gchar *
describe_exit (gint status)
{
  if (status < 0)
    return g_strdup ("exited (status unknown: it was not berthd's child)");
  if (WIFEXITED (status))
    return g_strdup_printf ("exited with code %d", WEXITSTATUS (status));
  if (WIFSIGNALED (status))
    return g_strdup_printf ("was killed by signal %d (%s)", WTERMSIG (status),
                            g_strsignal (WTERMSIG (status)));
  return g_strdup_printf ("ended with status %d", status);
}

/* ---- plugin runs ------------------------------------------------------- */

/* unmounts everything stacked on @path (the propagated mount) */
static void
unmount_all (const gchar *path)
{
  for (guint i = 0; i < 16 && umount2 (path, MNT_DETACH) == 0; i++)
    ;
}

static PluginRun *
run_get (BerthEngine *self, BerthPlugin *plugin)
{
  PluginRun *run = g_hash_table_lookup (self->runs, berth_plugin_get_id (plugin));
  if (run == NULL)
    {
      run = g_new0 (PluginRun, 1);
      run->engine = self;
      run->plugin = g_object_ref (plugin);
      run->pidfd = -1;
      run->log_fd = -1;
      run->backoff_ms = RESTART_BACKOFF_MIN_MS;
      g_hash_table_insert (self->runs, g_strdup (berth_plugin_get_id (plugin)), run);
    }
  return run;
}

static void
run_clear_sources (PluginRun *run)
{
  g_clear_handle_id (&run->pidfd_watch, g_source_remove);
  g_clear_handle_id (&run->socket_poll, g_source_remove);
  g_clear_handle_id (&run->enable_timeout, g_source_remove);
  g_clear_handle_id (&run->kill_timeout, g_source_remove);
  g_clear_handle_id (&run->log_watch, g_source_remove);
  if (run->pidfd >= 0)
    {
      close (run->pidfd);
      run->pidfd = -1;
    }
  if (run->log_fd >= 0)
    {
      close (run->log_fd);
      run->log_fd = -1;
    }
}

static void
run_free (PluginRun *run)
{
  run_clear_sources (run);
  g_clear_handle_id (&run->restart_source, g_source_remove);
  g_clear_object (&run->enable_task);
  g_clear_object (&run->disable_task);
  g_clear_object (&run->plugin);
  g_free (run->rootfs);
  g_free (run);
}

/* what a stopped plugin leaves: runtime state, its socket directory, the
 * bundle, the propagated mount (unmounted, its directory kept for volumes) */
static void
runtime_delete_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BerthEngine *self = source;
  BerthRuntime *runtime = engine_runtime (self);
  g_autoptr(GError) error = NULL;

  /* without force: if the plugin was started again meanwhile, its new
   * container runs, and this must not touch it */
  if (runtime != NULL && !berth_runtime_delete (runtime, task_data, FALSE, NULL, &error))
    g_debug ("%s", error->message);
  g_task_return_boolean (task, TRUE);
}

/* what a stopped plugin leaves: its socket directory, the bundle, the
 * propagated mount (unmounted; its directory stays, with the volumes' mount
 * points) and the runtime's state, which goes in the background: nobody
 * waits for it, and a start waits for it if it must */
static void
run_cleanup_host (PluginRun *run)
{
  BerthEngine *self = run->engine;
  g_autofree gchar *sockets = berth_engine_plugin_socket_dir (self, id_of (run));
  g_autofree gchar *sock = socket_path (self, run->plugin);
  g_autofree gchar *bundle = bundle_dir (self, id_of (run));
  g_autofree gchar *bundle_config = g_build_filename (bundle, "config.json", NULL);
  g_autofree gchar *propagated
    = berth_paths_build (self->paths, BERTH_PATH_PLUGINS, id_of (run), "propagated-mount", NULL);
  g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);

  g_unlink (sock);
  g_rmdir (sockets);
  g_unlink (bundle_config);
  g_rmdir (bundle);
  unmount_all (propagated);
  g_task_set_task_data (task, g_strdup (id_of (run)), g_free);
  g_task_run_in_thread (task, runtime_delete_thread);
}

static gboolean
socket_accepts (const gchar *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  gint fd;
  gboolean ok;

  if (strlen (path) >= sizeof addr.sun_path)
    return FALSE;
  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;
  ok = connect (fd, (struct sockaddr *)&addr, sizeof addr) == 0;
  close (fd);
  return ok;
}

static void
activate_drivers (BerthEngine *self, BerthPlugin *plugin, const gchar *rootfs)
{
  GPtrArray *drivers = berth_modules_get_all (self->modules, BERTH_EXTENSION_POINT_DRIVER);
  BerthPluginConfig *config = berth_plugin_get_config (plugin);
  const gchar *const *types = berth_plugin_config_get_interface_types (config);
  const gchar *propagated = berth_plugin_config_get_propagated_mount (config);
  g_autofree gchar *sock = socket_path (self, plugin);
  g_autofree gchar *propagated_host = NULL;
  g_autoptr(GVariant) details = NULL;
  GVariantDict dict;

  /* what a driver needs to turn paths inside the plugin into host paths */
  g_variant_dict_init (&dict, NULL);
  if (propagated != NULL && propagated[0] != '\0')
    {
      propagated_host = berth_paths_build (self->paths, BERTH_PATH_PLUGINS,
                                           berth_plugin_get_id (plugin), "propagated-mount", NULL);
      g_variant_dict_insert (&dict, BERTH_DRIVER_DETAIL_PROPAGATED_MOUNT, "s", propagated);
      g_variant_dict_insert (&dict, BERTH_DRIVER_DETAIL_PROPAGATED_MOUNT_HOST, "s",
                             propagated_host);
    }
  if (rootfs != NULL)
    g_variant_dict_insert (&dict, BERTH_DRIVER_DETAIL_ROOTFS, "s", rootfs);
  details = g_variant_ref_sink (g_variant_dict_end (&dict));

  for (guint i = 0; i < drivers->len; i++)
    {
      BerthDriver *driver = drivers->pdata[i];
      g_autoptr(GError) error = NULL;
      gboolean serves = FALSE;

      for (guint t = 0; types != NULL && types[t] != NULL; t++)
        serves = serves || berth_driver_serves (driver, types[t]);
      if (serves
          && !berth_driver_activate_with_details (driver, berth_plugin_get_id (plugin),
                                                  berth_plugin_get_name (plugin), sock, details,
                                                  NULL, &error))
        g_warning ("plugin %s: driver %s: %s", berth_plugin_get_name (plugin),
                   G_OBJECT_TYPE_NAME (driver), error->message);
    }
}

static void
deactivate_drivers (BerthEngine *self, BerthPlugin *plugin)
{
  GPtrArray *drivers = berth_modules_get_all (self->modules, BERTH_EXTENSION_POINT_DRIVER);
  for (guint i = 0; i < drivers->len; i++)
    {
      g_autoptr(GError) error = NULL;
      if (!berth_driver_deactivate (drivers->pdata[i], berth_plugin_get_id (plugin), NULL, &error))
        g_warning ("plugin %s: %s", berth_plugin_get_name (plugin), error->message);
    }
}

/* what holds a plugin: each driver says (volume names, ...) */
static GStrv
plugin_holders (BerthEngine *self, BerthPlugin *plugin)
{
  GPtrArray *drivers = berth_modules_get_all (self->modules, BERTH_EXTENSION_POINT_DRIVER);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < drivers->len; i++)
    {
      g_auto(GStrv) holders
              = berth_driver_get_holders (drivers->pdata[i], berth_plugin_get_id (plugin));
      if (holders != NULL)
        g_strv_builder_addv (builder, (const gchar **)holders);
    }
  return g_strv_builder_end (builder);
}

static void
run_enable_succeeded (PluginRun *run)
{
  BerthEngine *self = run->engine;
  g_autoptr(GTask) task = g_steal_pointer (&run->enable_task);

  g_clear_handle_id (&run->socket_poll, g_source_remove);
  g_clear_handle_id (&run->enable_timeout, g_source_remove);
  berth_plugin_set_state (run->plugin, BERTH_PLUGIN_STATE_ENABLED);
  berth_plugin_set_enabled (run->plugin, TRUE);
  activate_drivers (self, run->plugin, run->rootfs);
  save_plugin_or_warn (self, run->plugin);
  g_info ("plugin %s enabled (pid %d) in %" G_GINT64_FORMAT " ms",
          berth_plugin_get_name (run->plugin), run->pid,
          (g_get_monotonic_time () - run->started_at) / 1000);
  changed (self, run->plugin);
  if (task != NULL)
    g_task_return_pointer (task, g_object_ref (run->plugin), g_object_unref);
}

static void schedule_restart (PluginRun *run);

/* a start failed: stop what runs, clean up, and tell the caller (or, for a
 * restart, try again later) */
static void
run_enable_failed (PluginRun *run, GError *error)
{
  BerthEngine *self = run->engine;
  g_autoptr(GTask) task = g_steal_pointer (&run->enable_task);
  BerthRuntime *runtime = engine_runtime (self);

  g_clear_handle_id (&run->socket_poll, g_source_remove);
  g_clear_handle_id (&run->enable_timeout, g_source_remove);
  if (run->pid > 0 && runtime != NULL)
    berth_runtime_kill (runtime, id_of (run), SIGKILL, NULL, NULL);
  run_clear_sources (run);
  run_cleanup_host (run);
  run->pid = 0;
  berth_plugin_set_pid (run->plugin, 0);

  if (run->restarting && berth_plugin_get_enabled (run->plugin))
    {
      g_warning ("%s", error->message);
      berth_plugin_set_last_exit (run->plugin, error->message);
      schedule_restart (run);
      g_error_free (error);
      return;
    }
  berth_plugin_set_state (run->plugin, BERTH_PLUGIN_STATE_DISABLED);
  changed (self, run->plugin);
  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

static gboolean
on_log_check (gpointer user_data)
{
  PluginRun *run = user_data;
  guint max = config_uint (run->engine, "log-max-size", DEFAULT_LOG_MAX_BYTES);
  struct stat st;

  /* size-capped: the plugin appends to the file description berthd opened
   * with O_APPEND, so copying the log aside and truncating it is safe while
   * it writes; one old generation is kept */
  if (run->log_fd >= 0 && fstat (run->log_fd, &st) == 0 && (guint64)st.st_size > max)
    {
      g_autofree gchar *path = berth_engine_get_plugin_log_path (run->engine, run->plugin);
      g_autofree gchar *old = g_strconcat (path, ".1", NULL);
      g_autofree gchar *contents = NULL;
      gsize len;
      if (g_file_get_contents (path, &contents, &len, NULL))
        g_file_set_contents (old, contents, len, NULL);
      if (ftruncate (run->log_fd, 0) != 0)
        g_debug ("cannot truncate %s: %s", path, g_strerror (errno));
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_process_exit (gint fd, GIOCondition condition, gpointer user_data)
{
  PluginRun *run = user_data;
  BerthEngine *self = run->engine;
  gint status = -1;
  g_autofree gchar *how = NULL;
  g_autofree gchar *tail = NULL;
  BerthPluginState state = berth_plugin_get_state (run->plugin);

  /* our child if berthd started it (we are a child subreaper); after a
   * berthd restart it is not, and its exit status is lost */
  if (waitpid (run->pid, &status, WNOHANG) != run->pid)
    status = -1;
  run->pidfd_watch = 0;
  how = describe_exit (status);
  g_info ("plugin %s (pid %d) %s", berth_plugin_get_name (run->plugin), run->pid, how);

  if (run->enable_task != NULL || state == BERTH_PLUGIN_STATE_ENABLING)
    {
      gdouble waited = (g_get_monotonic_time () - run->started_at) / (gdouble)G_USEC_PER_SEC;
      tail = log_tail (self, run->plugin, 5);
      run_enable_failed (
        run, g_error_new (
               BERTH_ERROR, BERTH_ERROR_FAILED,
               "enabling %s: the plugin %s after %.1f s, before its socket %s "
               "appeared%s%s",
               berth_plugin_get_name (run->plugin), how, waited,
               berth_plugin_config_get_interface_socket (berth_plugin_get_config (run->plugin)),
               tail != NULL ? "; its last output: " : "", tail != NULL ? tail : ""));
      return G_SOURCE_REMOVE;
    }

  run_clear_sources (run);
  run_cleanup_host (run);
  run->pid = 0;
  berth_plugin_set_pid (run->plugin, 0);

  if (run->disable_task != NULL || state == BERTH_PLUGIN_STATE_DISABLING)
    {
      g_autoptr(GTask) task = g_steal_pointer (&run->disable_task);
      berth_plugin_set_state (run->plugin, BERTH_PLUGIN_STATE_DISABLED);
      changed (self, run->plugin);
      if (task != NULL)
        g_task_return_pointer (task, g_object_ref (run->plugin), g_object_unref);
      return G_SOURCE_REMOVE;
    }

  /* a crash: restart with back-off; the restart shows in inspect and the log */
  deactivate_drivers (self, run->plugin);
  berth_plugin_set_restart_count (run->plugin, berth_plugin_get_restart_count (run->plugin) + 1);
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autofree gchar *when = g_date_time_format_iso8601 (now);
    g_autofree gchar *last = g_strdup_printf ("%s %s", how, when);
    berth_plugin_set_last_exit (run->plugin, last);
  }
  g_warning ("plugin %s %s; restarting it (restart %u)", berth_plugin_get_name (run->plugin), how,
             berth_plugin_get_restart_count (run->plugin));
  if (g_get_monotonic_time () - run->started_at > RESTART_STABLE_US)
    run->backoff_ms = RESTART_BACKOFF_MIN_MS;
  schedule_restart (run);
  return G_SOURCE_REMOVE;
}

static gboolean
on_restart (gpointer user_data)
{
  PluginRun *run = user_data;
  run->restart_source = 0;
  if (!berth_plugin_get_enabled (run->plugin)
      || berth_plugin_get_state (run->plugin) != BERTH_PLUGIN_STATE_RESTARTING)
    return G_SOURCE_REMOVE;
  run->restarting = TRUE;
  run_start (run);
  return G_SOURCE_REMOVE;
}

static void
schedule_restart (PluginRun *run)
{
  berth_plugin_set_state (run->plugin, BERTH_PLUGIN_STATE_RESTARTING);
  save_plugin_or_warn (run->engine, run->plugin);
  changed (run->engine, run->plugin);
  g_clear_handle_id (&run->restart_source, g_source_remove);
  run->restart_source = g_timeout_add (run->backoff_ms, on_restart, run);
  run->backoff_ms = MIN (run->backoff_ms * 2, RESTART_BACKOFF_MAX_MS);
}

static gboolean
on_socket_poll (gpointer user_data)
{
  PluginRun *run = user_data;
  g_autofree gchar *sock = socket_path (run->engine, run->plugin);

  run->socket_poll = 0;
  if (socket_accepts (sock))
    {
      run_enable_succeeded (run);
      return G_SOURCE_REMOVE;
    }
  /* no fixed sleep: a refused connect costs microseconds, so try every few
   * milliseconds; enable answers within 5 ms of the socket appearing */
  run->socket_poll_ms = MIN (MAX (run->socket_poll_ms * 2, 1), 5);
  run->socket_poll = g_timeout_add (run->socket_poll_ms, on_socket_poll, run);
  return G_SOURCE_REMOVE;
}

static gboolean
on_enable_timeout (gpointer user_data)
{
  PluginRun *run = user_data;
  gdouble waited = (g_get_monotonic_time () - run->started_at) / (gdouble)G_USEC_PER_SEC;
  g_autofree gchar *tail = log_tail (run->engine, run->plugin, 5);

  run->enable_timeout = 0;
  run_enable_failed (
    run, g_error_new (
           BERTH_ERROR, BERTH_ERROR_TIMED_OUT,
           "enabling %s: socket %s never appeared after %.1f s; the plugin (pid %d) "
           "was still running and has been stopped%s%s",
           berth_plugin_get_name (run->plugin),
           berth_plugin_config_get_interface_socket (berth_plugin_get_config (run->plugin)), waited,
           run->pid, tail != NULL ? "; its last output: " : "", tail != NULL ? tail : ""));
  return G_SOURCE_REMOVE;
}

static gboolean
watch_pid (PluginRun *run, GError **error)
{
  run->pidfd = (gint)syscall (SYS_pidfd_open, run->pid, 0);
  if (run->pidfd < 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot watch process %d: %s", run->pid,
                   g_strerror (errno));
      return FALSE;
    }
  run->pidfd_watch = g_unix_fd_add (run->pidfd, G_IO_IN, on_process_exit, run);
  return TRUE;
}

/* ---- starting: snapshot, bundle and runtime, off the main thread ------- */

typedef struct
{
  BerthEngine *engine;
  BerthPlugin *plugin;
  gint log_fd;
  gchar *rootfs;
} StartData;

static void
start_data_free (StartData *data)
{
  g_object_unref (data->plugin);
  if (data->log_fd >= 0)
    close (data->log_fd);
  g_free (data->rootfs);
  g_free (data);
}

static gboolean
make_rshared_dir (const gchar *path, GError **error)
{
  if (g_mkdir_with_parents (path, 0755) != 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot create %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  /* a mount point of its own, shared, so mounts a plugin makes there (its
   * volumes) are seen on the host: moby's MakeRShared */
  if (mount (NULL, path, NULL, MS_SHARED | MS_REC, NULL) != 0)
    {
      if (mount (path, path, NULL, MS_BIND | MS_REC, NULL) != 0
          || mount (NULL, path, NULL, MS_SHARED | MS_REC, NULL) != 0)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                       "error setting up propagated mount dir: %s: %s", path, g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}

static void
start_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  StartData *data = task_data;
  BerthEngine *self = data->engine;
  BerthPlugin *plugin = data->plugin;
  const gchar *id = berth_plugin_get_id (plugin);
  BerthPluginConfig *config = berth_plugin_get_config (plugin);
  BerthRuntime *runtime = engine_runtime (self);
  BerthSnapshotter *snapshotter = engine_snapshotter (self);
  g_autofree gchar *sockets = berth_engine_plugin_socket_dir (self, id);
  g_autofree gchar *bundle = bundle_dir (self, id);
  g_autofree gchar *propagated = NULL;
  g_autofree gchar *rootfs = NULL;
  g_autoptr(JsonNode) spec = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid = 0;

  if (runtime == NULL || snapshotter == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                               "no %s module is loaded: see berth system info",
                               runtime == NULL ? "runtime" : "snapshotter");
      return;
    }
  if (self->runtime_error != NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                               "the %s runtime cannot run plugins on this host: %s",
                               berth_runtime_get_name (runtime), self->runtime_error);
      return;
    }

  gint64 t0 = g_get_monotonic_time ();
  rootfs = berth_snapshotter_prepare (snapshotter, id, berth_plugin_get_chain_id (plugin),
                                      cancellable, &error);
  data->rootfs = g_strdup (rootfs);
  g_debug ("enable %s: root file system ready after %" G_GINT64_FORMAT " ms",
           berth_plugin_get_name (plugin), (g_get_monotonic_time () - t0) / 1000);
  if (rootfs == NULL)
    {
      g_prefix_error (&error, "preparing the root file system: ");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (berth_plugin_config_get_propagated_mount (config) != NULL
      && berth_plugin_config_get_propagated_mount (config)[0] != '\0')
    {
      propagated
        = berth_paths_build (self->paths, BERTH_PATH_PLUGINS, id, "propagated-mount", NULL);
      if (!make_rshared_dir (propagated, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  if (g_mkdir_with_parents (sockets, 0700) != 0 || g_mkdir_with_parents (bundle, 0700) != 0)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot create %s: %s",
                               sockets, g_strerror (errno));
      return;
    }
  spec = berth_oci_spec_new_for_plugin (config, berth_plugin_get_settings (plugin), rootfs, sockets,
                                        propagated, &error);
  /* on_started names the plugin */
  if (spec == NULL || !berth_oci_spec_write_bundle (spec, bundle, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* a leftover container of the same ID (a crash of berthd) goes first */
  berth_runtime_delete (runtime, id, TRUE, NULL, NULL);
  g_debug ("enable %s: bundle written after %" G_GINT64_FORMAT " ms",
           berth_plugin_get_name (plugin), (g_get_monotonic_time () - t0) / 1000);
  if (!berth_runtime_start (runtime, id, bundle, data->log_fd, &pid, cancellable, &error))
    {
      g_prefix_error (&error, "starting the plugin with %s: ", berth_runtime_get_name (runtime));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("enable %s: %s started it after %" G_GINT64_FORMAT " ms", berth_plugin_get_name (plugin),
           berth_runtime_get_name (runtime), (g_get_monotonic_time () - t0) / 1000);
  g_task_return_int (task, pid);
}

static void
on_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PluginRun *run = user_data;
  StartData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  GPid pid = g_task_propagate_int (G_TASK (result), &error);
  guint timeout_ms;

  if (error != NULL)
    {
      g_prefix_error (&error, "enabling %s: ", berth_plugin_get_name (run->plugin));
      run_enable_failed (run, g_steal_pointer (&error));
      return;
    }
  run->pid = pid;
  berth_plugin_set_pid (run->plugin, pid);
  g_free (run->rootfs);
  run->rootfs = g_steal_pointer (&data->rootfs);
  run->log_fd = data->log_fd;
  data->log_fd = -1;
  run->log_watch = g_timeout_add_seconds (2, on_log_check, run);
  if (!watch_pid (run, &error))
    {
      run_enable_failed (run, g_steal_pointer (&error));
      return;
    }
  timeout_ms = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (run->plugin), "enable-timeout"));
  if (timeout_ms == 0)
    timeout_ms = config_uint (run->engine, "enable-timeout-ms", DEFAULT_ENABLE_TIMEOUT_MS);
  run->enable_timeout = g_timeout_add (timeout_ms, on_enable_timeout, run);
  run->socket_poll_ms = 0;
  on_socket_poll (run);
}

static void
run_start (PluginRun *run)
{
  BerthEngine *self = run->engine;
  g_autoptr(GTask) task = g_task_new (self, NULL, on_started, run);
  StartData *data = g_new0 (StartData, 1);
  g_autofree gchar *log_path = berth_engine_get_plugin_log_path (self, run->plugin);

  berth_plugin_set_state (run->plugin, BERTH_PLUGIN_STATE_ENABLING);
  changed (self, run->plugin);
  run->started_at = g_get_monotonic_time ();
  data->engine = self;
  data->plugin = g_object_ref (run->plugin);
  data->log_fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  g_task_set_task_data (task, data, (GDestroyNotify)start_data_free);
  g_task_run_in_thread (task, start_thread);
}

/* ---- the operations ------------------------------------------------------ */

GPtrArray *
berth_engine_list_plugins (BerthEngine *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->plugins);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, g_object_ref (value));
  return list;
}

/**
 * berth_engine_find_plugin:
 * @self: a #BerthEngine
 * @name: a full ID, a name (`vieux/sshfs`, `vieux/sshfs:latest`, ...) or a
 *   unique ID prefix
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the plugin
 */
BerthPlugin *
berth_engine_find_plugin (BerthEngine *self, const gchar *name, GError **error)
{
  g_autoptr(GPtrArray) list = berth_engine_list_plugins (self);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  gint index;

  for (guint i = 0; i < list->len; i++)
    {
      g_ptr_array_add (ids, (gpointer)berth_plugin_get_id (list->pdata[i]));
      g_ptr_array_add (names, (gpointer)berth_plugin_get_name (list->pdata[i]));
    }
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (names, NULL);
  index = berth_reference_resolve_plugin (name, (const gchar *const *)ids->pdata,
                                          (const gchar *const *)names->pdata, error);
  if (index < 0)
    return NULL;
  return g_object_ref (list->pdata[index]);
}

/* the short ID names the socket directory: it must be unique */
static gboolean
short_id_taken (BerthEngine *self, const gchar *id)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->plugins);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (strncmp (key, id, 12) == 0)
      return TRUE;
  return FALSE;
}

static gchar *new_plugin_id (BerthEngine *self);

gchar *
berth_engine_new_plugin_id (BerthEngine *self)
{
  return new_plugin_id (self);
}

static gchar *
new_plugin_id (BerthEngine *self)
{
  for (;;)
    {
      guint8 bytes[32];
      g_autoptr(GString) id = g_string_new (NULL);
      gboolean all_digits = TRUE;

      for (guint i = 0; i < sizeof bytes; i += 4)
        {
          guint32 r = g_random_int ();
          memcpy (bytes + i, &r, 4);
        }
      for (guint i = 0; i < sizeof bytes; i++)
        g_string_append_printf (id, "%02x", bytes[i]);
      /* as docker: a short ID of twelve digits would read as a number */
      for (guint i = 0; i < 12; i++)
        all_digits = all_digits && g_ascii_isdigit (id->str[i]);
      if (!all_digits && !short_id_taken (self, id->str))
        return g_string_free (g_steal_pointer (&id), FALSE);
    }
}

static BerthPlugin *find_by_exact_name (BerthEngine *self, const gchar *name);

BerthPlugin *
berth_engine_find_plugin_by_name (BerthEngine *self, const gchar *name)
{
  return find_by_exact_name (self, name);
}

static BerthPlugin *
find_by_exact_name (BerthEngine *self, const gchar *name)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->plugins);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_strcmp0 (berth_plugin_get_name (value), name) == 0)
      return value;
  return NULL;
}

/**
 * berth_engine_add_plugin:
 * @self: a #BerthEngine
 * @plugin: a plugin whose content is stored
 * @error: return location for a #GError
 *
 * Saves a new plugin's record and makes it known (installs use this).
 *
 * Returns: %TRUE on success
 */
gboolean
berth_engine_add_plugin (BerthEngine *self, BerthPlugin *plugin, GError **error)
{
  g_autofree gchar *dir = berth_engine_plugin_dir (self, berth_plugin_get_id (plugin));

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot create %s: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }
  if (!save_plugin (self, plugin, error))
    return FALSE;
  g_hash_table_insert (self->plugins, g_strdup (berth_plugin_get_id (plugin)),
                       g_object_ref (plugin));
  g_signal_emit_by_name (self, "plugin-added", plugin);
  return TRUE;
}

/**
 * berth_engine_hold_root:
 * @self: a #BerthEngine
 * @root: a digest or chain ID stored and not yet recorded in a plugin
 *
 * Keeps @root from garbage collection until as many releases as holds;
 * call with storage_lock held.
 */
void
berth_engine_hold_root (BerthEngine *self, const gchar *root)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->pending_roots, root));
  g_hash_table_insert (self->pending_roots, g_strdup (root), GUINT_TO_POINTER (count + 1));
}

/* call with storage_lock held */
void
berth_engine_release_root (BerthEngine *self, const gchar *root)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->pending_roots, root));

  if (count <= 1)
    g_hash_table_remove (self->pending_roots, root);
  else
    g_hash_table_insert (self->pending_roots, g_strdup (root), GUINT_TO_POINTER (count - 1));
}

/**
 * berth_engine_enable_plugin_async:
 * @self: a #BerthEngine
 * @name: the plugin
 * @timeout_ms: how long to wait for its socket; 0 for berthd's default
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the plugin answers, or failed to
 * @user_data: for @callback
 */
void
berth_engine_enable_plugin_async (BerthEngine *self,
                                  const gchar *name,
                                  guint timeout_ms,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(BerthPlugin) plugin = NULL;
  g_autoptr(GError) error = NULL;
  PluginRun *run;

  plugin = berth_engine_find_plugin (self, name, &error);
  if (plugin == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  switch (berth_plugin_get_state (plugin))
    {
      case BERTH_PLUGIN_STATE_DISABLED:
        break;
      case BERTH_PLUGIN_STATE_ENABLING:
      case BERTH_PLUGIN_STATE_DISABLING:
        g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_IN_USE,
                                 "plugin %s is %s; try again when it is done",
                                 berth_plugin_get_name (plugin),
                                 berth_plugin_state_to_string (berth_plugin_get_state (plugin)));
        return;
      default:
        g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_ENABLED,
                                 "plugin already enabled: plugin %s is enabled",
                                 berth_plugin_get_name (plugin));
        return;
    }
  run = run_get (self, plugin);
  run->enable_task = g_steal_pointer (&task);
  run->restarting = FALSE;
  run->backoff_ms = RESTART_BACKOFF_MIN_MS;
  g_object_set_data (G_OBJECT (plugin), "enable-timeout", GUINT_TO_POINTER (timeout_ms));
  run_start (run);
}

BerthPlugin *
berth_engine_enable_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
on_kill_timeout (gpointer user_data)
{
  PluginRun *run = user_data;
  BerthRuntime *runtime = engine_runtime (run->engine);

  run->kill_timeout = 0;
  g_warning ("plugin %s did not stop within %u s of SIGTERM; killing it",
             berth_plugin_get_name (run->plugin),
             config_uint (run->engine, "stop-timeout-ms", DEFAULT_STOP_TIMEOUT_MS) / 1000);
  if (runtime != NULL)
    berth_runtime_kill (runtime, id_of (run), SIGKILL, NULL, NULL);
  if (run->pid > 0)
    kill (run->pid, SIGKILL);
  return G_SOURCE_REMOVE;
}

/* stops a plugin's process: SIGTERM, SIGKILL after the grace period; the
 * task completes when the process has gone */
static void
run_stop (PluginRun *run, GTask *task)
{
  BerthEngine *self = run->engine;
  BerthRuntime *runtime = engine_runtime (self);
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&run->restart_source, g_source_remove);
  deactivate_drivers (self, run->plugin);
  if (run->pid <= 0 || run->pidfd_watch == 0)
    {
      /* nothing runs (a restart was pending, or it died meanwhile) */
      run_clear_sources (run);
      run_cleanup_host (run);
      berth_plugin_set_state (run->plugin, BERTH_PLUGIN_STATE_DISABLED);
      changed (self, run->plugin);
      g_task_return_pointer (task, g_object_ref (run->plugin), g_object_unref);
      return;
    }
  berth_plugin_set_state (run->plugin, BERTH_PLUGIN_STATE_DISABLING);
  changed (self, run->plugin);
  run->disable_task = g_object_ref (task);
  /* the container's first process is berthd's child: signal it directly,
   * as `runc kill` would, without running runc */
  if (kill (run->pid, SIGTERM) != 0
      && (runtime == NULL || !berth_runtime_kill (runtime, id_of (run), SIGTERM, NULL, &error)))
    g_debug ("cannot signal plugin %s: %s", berth_plugin_get_name (run->plugin),
             error != NULL ? error->message : g_strerror (errno));
  run->kill_timeout = g_timeout_add (config_uint (self, "stop-timeout-ms", DEFAULT_STOP_TIMEOUT_MS),
                                     on_kill_timeout, run);
}

/* the error `disable` and `rm` give for a held plugin: docker says only
 * "is in use" (moby#32609); berth says what holds it */
static GError *
in_use_error (BerthPlugin *plugin, GStrv holders)
{
  g_autofree gchar *list = g_strjoinv (", ", holders);
  return g_error_new (BERTH_ERROR, BERTH_ERROR_IN_USE,
                      "plugin %s is in use by %s; remove them first, or use -f to go on anyway",
                      berth_plugin_get_name (plugin), list);
}

void
berth_engine_disable_plugin_async (BerthEngine *self,
                                   const gchar *name,
                                   gboolean force,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(BerthPlugin) plugin = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) holders = NULL;
  PluginRun *run;

  plugin = berth_engine_find_plugin (self, name, &error);
  if (plugin == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (berth_plugin_get_state (plugin) == BERTH_PLUGIN_STATE_DISABLED)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_ENABLED,
                               "plugin is already disabled: plugin %s found but disabled",
                               berth_plugin_get_name (plugin));
      return;
    }
  if (berth_plugin_get_state (plugin) == BERTH_PLUGIN_STATE_DISABLING)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_IN_USE,
                               "plugin %s is being disabled already",
                               berth_plugin_get_name (plugin));
      return;
    }
  holders = plugin_holders (self, plugin);
  if (!force && holders[0] != NULL)
    {
      g_task_return_error (task, in_use_error (plugin, holders));
      return;
    }
  run = run_get (self, plugin);
  if (run->enable_task != NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_IN_USE,
                               "plugin %s is being enabled; try again when it is done",
                               berth_plugin_get_name (plugin));
      return;
    }
  berth_plugin_set_enabled (plugin, FALSE);
  save_plugin_or_warn (self, plugin);
  run_stop (run, task);
}

BerthPlugin *
berth_engine_disable_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GStrv
content_roots (BerthEngine *self)
{
  g_autoptr(GStrvBuilder) roots = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->plugins);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_auto(GStrv) plugin_roots = berth_plugin_get_content_roots (value);
      g_strv_builder_addv (roots, (const gchar **)plugin_roots);
    }
  berth_engine_add_image_roots (self, roots);
  return g_strv_builder_end (roots);
}

typedef struct
{
  gchar *id;
  gchar *name;
  gchar *removing;
  GStrv roots;
} RemoveData;

static void
remove_data_free (RemoveData *data)
{
  g_free (data->id);
  g_free (data->name);
  g_free (data->removing);
  g_strfreev (data->roots);
  g_free (data);
}

/* the slow part of a removal, after the caller has its answer: the
 * snapshot, the plugin's directory, and the content nobody uses any more */
static void
remove_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BerthEngine *self = source;
  RemoveData *data = task_data;
  BerthSnapshotter *snapshotter = engine_snapshotter (self);
  BerthContentStore *store = engine_store (self);
  g_autoptr(GError) error = NULL;
  guint64 freed = 0;

  if (data->id != NULL && snapshotter != NULL
      && !berth_snapshotter_remove (snapshotter, data->id, NULL, &error)
      && !g_error_matches (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND))
    g_warning ("removing plugin %s: %s; the next start of berthd removes it", data->name,
               error->message);
  g_clear_error (&error);
  if (data->removing != NULL && !berth_rm_rf (data->removing, &error))
    g_warning ("%s; the next start of berthd finishes the removal", error->message);
  g_clear_error (&error);
  if (store != NULL)
    {
      g_autoptr(GStrvBuilder) roots = g_strv_builder_new ();
      g_auto(GStrv) all = NULL;
      GHashTableIter iter;
      gpointer key;

      g_mutex_lock (&self->storage_lock);
      g_strv_builder_addv (roots, (const gchar **)data->roots);
      g_hash_table_iter_init (&iter, self->pending_roots);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_strv_builder_add (roots, key);
      all = g_strv_builder_end (roots);
      if (!berth_content_store_garbage_collect (store, (const gchar *const *)all, &freed, NULL,
                                                &error))
        g_warning ("garbage collection: %s", error->message);
      else if (freed > 0)
        g_info ("garbage collection freed %" G_GUINT64_FORMAT " bytes", freed);
      g_mutex_unlock (&self->storage_lock);
    }
  malloc_trim (0);
  g_task_return_boolean (task, TRUE);
}

static void
finish_remove (BerthEngine *self, BerthPlugin *plugin, GTask *task)
{
  const gchar *id = berth_plugin_get_id (plugin);
  g_autofree gchar *dir = berth_engine_plugin_dir (self, id);
  g_autofree gchar *propagated = g_build_filename (dir, "propagated-mount", NULL);
  g_autoptr(GTask) background = NULL;
  RemoveData *data;

  unmount_all (propagated);
  /* the rename is the removal: a crash after it leaves a directory the next
   * start finishes removing, never a half plugin */
  data = g_new0 (RemoveData, 1);
  data->id = g_strdup (id);
  data->name = g_strdup (berth_plugin_get_name (plugin));
  data->removing = g_strconcat (dir, "-removing", NULL);
  if (g_rename (dir, data->removing) != 0 && errno != ENOENT)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot remove %s: %s", dir,
                               g_strerror (errno));
      remove_data_free (data);
      return;
    }
  g_hash_table_remove (self->runs, id);
  g_object_ref (plugin);
  g_hash_table_remove (self->plugins, id);
  g_signal_emit_by_name (self, "plugin-removed", plugin);
  g_task_return_pointer (task, plugin, g_object_unref);

  data->roots = content_roots (self);
  background = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (background, data, (GDestroyNotify)remove_data_free);
  g_task_run_in_thread (background, remove_thread);
}

/**
 * berth_engine_collect_garbage:
 * @self: a #BerthEngine
 *
 * Drops, in the background, the stored content no plugin uses any more
 * (after an upgrade, say).
 */
void
berth_engine_collect_garbage (BerthEngine *self)
{
  g_autoptr(GTask) background = g_task_new (self, NULL, NULL, NULL);
  RemoveData *data = g_new0 (RemoveData, 1);

  data->name = g_strdup ("");
  data->roots = content_roots (self);
  g_task_set_task_data (background, data, (GDestroyNotify)remove_data_free);
  g_task_run_in_thread (background, remove_thread);
}

gboolean
berth_engine_save_plugin (BerthEngine *self, BerthPlugin *plugin, GError **error)
{
  return save_plugin (self, plugin, error);
}

BerthSnapshotter *
berth_engine_snapshotter (BerthEngine *self)
{
  return engine_snapshotter (self);
}

BerthRuntime *
berth_engine_runtime (BerthEngine *self)
{
  return engine_runtime (self);
}

static void
on_disabled_for_remove (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthEngine *self = BERTH_ENGINE (source);
  BerthPlugin *plugin = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPlugin) done = g_task_propagate_pointer (G_TASK (result), &error);

  if (done == NULL)
    g_warning ("removing %s: %s", berth_plugin_get_name (plugin), error->message);
  finish_remove (self, plugin, task);
}

void
berth_engine_remove_plugin_async (BerthEngine *self,
                                  const gchar *name,
                                  gboolean force,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(BerthPlugin) plugin = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) holders = NULL;
  PluginRun *run;

  plugin = berth_engine_find_plugin (self, name, &error);
  if (plugin == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  holders = plugin_holders (self, plugin);
  if (!force && holders[0] != NULL)
    {
      g_task_return_error (task, in_use_error (plugin, holders));
      return;
    }
  if (!force && berth_plugin_get_state (plugin) != BERTH_PLUGIN_STATE_DISABLED)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_ENABLED, "plugin %s is enabled",
                               berth_plugin_get_name (plugin));
      return;
    }
  g_task_set_task_data (task, g_object_ref (plugin), g_object_unref);
  run = g_hash_table_lookup (self->runs, berth_plugin_get_id (plugin));
  if (berth_plugin_get_state (plugin) != BERTH_PLUGIN_STATE_DISABLED && run != NULL)
    {
      g_autoptr(GTask) stop
                 = g_task_new (self, NULL, on_disabled_for_remove, g_steal_pointer (&task));
      berth_plugin_set_enabled (plugin, FALSE);
      if (run->enable_task != NULL)
        {
          g_task_return_new_error (g_steal_pointer (&run->enable_task), BERTH_ERROR,
                                   BERTH_ERROR_CANCELLED, "plugin %s was removed meanwhile",
                                   berth_plugin_get_name (plugin));
        }
      run_stop (run, stop);
      return;
    }
  finish_remove (self, plugin, task);
}

BerthPlugin *
berth_engine_remove_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * berth_engine_set_plugin:
 * @self: a #BerthEngine
 * @name: the plugin
 * @args: `KEY=VALUE` settings, all applied or none
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the settings changed and were saved
 */
gboolean
berth_engine_set_plugin (BerthEngine *self,
                         const gchar *name,
                         const gchar *const *args,
                         GError **error)
{
  g_autoptr(BerthPlugin) plugin = berth_engine_find_plugin (self, name, error);
  g_autoptr(BerthPluginSettings) settings = NULL;

  if (plugin == NULL)
    return FALSE;
  if (berth_plugin_get_state (plugin) != BERTH_PLUGIN_STATE_DISABLED)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_ENABLED,
                           "cannot set on an active plugin, disable plugin before setting");
      return FALSE;
    }
  settings = berth_plugin_settings_copy (berth_plugin_get_settings (plugin));
  if (!berth_plugin_settings_set (settings, berth_plugin_get_config (plugin), args, error))
    return FALSE;
  berth_plugin_set_settings (plugin, settings);
  if (!save_plugin (self, plugin, error))
    return FALSE;
  changed (self, plugin);
  return TRUE;
}

/* ---- disk usage -------------------------------------------------------- */

typedef struct
{
  GVariant *owners; /* a{sas}: plugin name → its content roots */
  GStrv ids;        /* plugin IDs, in the order of names */
  GStrv names;
} UsageData;

static void
usage_data_free (UsageData *data)
{
  g_variant_unref (data->owners);
  g_strfreev (data->ids);
  g_strfreev (data->names);
  g_free (data);
}

static void
usage_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BerthEngine *self = source;
  UsageData *data = task_data;
  BerthContentStore *store = engine_store (self);
  BerthSnapshotter *snapshotter = engine_snapshotter (self);
  g_autoptr(GVariant) usage = NULL;
  g_autoptr(GVariant) unique = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder writable;
  guint64 total = 0, shared = 0;

  if (store != NULL)
    {
      g_mutex_lock (&self->storage_lock);
      usage = berth_content_store_usage (store, data->owners, cancellable, &error);
      g_mutex_unlock (&self->storage_lock);
      if (usage == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* (transfer full) already: sinking it again would leak it */
      g_variant_get (usage, "(tt@a{st})", &total, &shared, &unique);
    }
  g_variant_builder_init (&writable, G_VARIANT_TYPE ("a{st}"));
  for (guint i = 0; data->ids[i] != NULL; i++)
    {
      guint64 bytes = 0;
      if (snapshotter != NULL
          && berth_snapshotter_usage (snapshotter, data->ids[i], &bytes, cancellable, NULL))
        g_variant_builder_add (&writable, "{st}", data->names[i], bytes);
    }
  g_task_return_pointer (task,
                         g_variant_ref_sink (g_variant_new (
                           "(tt@a{st}a{st})", total, shared,
                           unique != NULL ? g_steal_pointer (&unique)
                                          : g_variant_new_array (G_VARIANT_TYPE ("{st}"), NULL, 0),
                           &writable)),
                         (GDestroyNotify)g_variant_unref);
}

/**
 * berth_engine_disk_usage_async:
 * @self: a #BerthEngine
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the figures
 * @user_data: for @callback
 *
 * Measures the content store (total, shared by more than one plugin,
 * unique to each) and each plugin's writable layer.
 */
void
berth_engine_disk_usage_async (BerthEngine *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GPtrArray) plugins = berth_engine_list_plugins (self);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  UsageData *data = g_new0 (UsageData, 1);
  GVariantBuilder owners;

  g_variant_builder_init (&owners, G_VARIANT_TYPE ("a{sas}"));
  for (guint i = 0; i < plugins->len; i++)
    {
      g_auto(GStrv) roots = berth_plugin_get_content_roots (plugins->pdata[i]);
      g_variant_builder_add (&owners, "{s^as}", berth_plugin_get_name (plugins->pdata[i]), roots);
      g_strv_builder_add (ids, berth_plugin_get_id (plugins->pdata[i]));
      g_strv_builder_add (names, berth_plugin_get_name (plugins->pdata[i]));
    }
  berth_engine_add_image_owners (self, &owners);
  data->owners = g_variant_ref_sink (g_variant_builder_end (&owners));
  data->ids = g_strv_builder_end (ids);
  data->names = g_strv_builder_end (names);
  g_task_set_task_data (task, data, (GDestroyNotify)usage_data_free);
  g_task_run_in_thread (task, usage_thread);
}

/**
 * berth_engine_disk_usage_finish:
 * @self: a #BerthEngine
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): `(tta{st}a{st})`: total, shared, unique per
 *   plugin, writable layer per plugin
 */
GVariant *
berth_engine_disk_usage_finish (BerthEngine *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- berthd start and stop ---------------------------------------------- */

/* a plugin that was enabled when berthd went away: if its process still
 * runs, take it back (live restore); if not, start it again */
static void
restore_plugin (BerthEngine *self, BerthPlugin *plugin)
{
  BerthRuntime *runtime = engine_runtime (self);
  BerthRuntimeStatus status = BERTH_RUNTIME_STATUS_UNKNOWN;
  PluginRun *run = run_get (self, plugin);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *sock = socket_path (self, plugin);
  g_autofree gchar *log_path = berth_engine_get_plugin_log_path (self, plugin);
  GPid pid = 0;

  if (runtime != NULL
      && berth_runtime_state (runtime, berth_plugin_get_id (plugin), &status, &pid, NULL, &error)
      && status == BERTH_RUNTIME_STATUS_RUNNING && pid > 0)
    {
      run->pid = pid;
      berth_plugin_set_pid (plugin, pid);
      if (engine_snapshotter (self) != NULL)
        run->rootfs
          = berth_snapshotter_prepare (engine_snapshotter (self), berth_plugin_get_id (plugin),
                                       berth_plugin_get_chain_id (plugin), NULL, NULL);
      run->started_at = g_get_monotonic_time ();
      run->log_fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      run->log_watch = g_timeout_add_seconds (2, on_log_check, run);
      if (watch_pid (run, &error))
        {
          berth_plugin_set_state (plugin, BERTH_PLUGIN_STATE_ENABLING);
          run->restarting = TRUE;
          run->enable_timeout
            = g_timeout_add (config_uint (self, "enable-timeout-ms", DEFAULT_ENABLE_TIMEOUT_MS),
                             on_enable_timeout, run);
          g_message ("plugin %s still runs (pid %d): taking it back",
                     berth_plugin_get_name (plugin), pid);
          on_socket_poll (run);
          return;
        }
      g_warning ("plugin %s: %s", berth_plugin_get_name (plugin), error->message);
    }
  g_message ("plugin %s was enabled and is not running: starting it",
             berth_plugin_get_name (plugin));
  run->restarting = TRUE;
  run_start (run);
}

gboolean
berth_engine_plugins_startup (BerthEngine *self, GError **error)
{
  const gchar *dir_path = berth_paths_get (self->paths, BERTH_PATH_PLUGINS);
  BerthRuntime *runtime = engine_runtime (self);
  BerthSnapshotter *snapshotter = engine_snapshotter (self);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, error);
  g_autoptr(GPtrArray) keep = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;
  const gchar *name;

  if (dir == NULL)
    return FALSE;
  if (runtime != NULL)
    {
      g_autoptr(GError) check_error = NULL;
      if (!berth_runtime_check (runtime, NULL, &check_error))
        {
          g_warning ("runtime %s cannot run plugins here: %s", berth_runtime_get_name (runtime),
                     check_error->message);
          self->runtime_error = g_strdup (check_error->message);
        }
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir_path, name, NULL);
      g_autofree gchar *record = NULL;
      g_autoptr(BerthPlugin) plugin = NULL;
      g_autoptr(GError) local_error = NULL;

      if (g_str_has_suffix (name, "-removing"))
        {
          /* a remove a crash interrupted: finish it */
          g_warning ("finishing the removal of %s", path);
          if (!berth_rm_rf (path, &local_error))
            g_warning ("%s", local_error->message);
          continue;
        }
      record = g_build_filename (path, "plugin.json", NULL);
      if (!g_file_test (record, G_FILE_TEST_EXISTS))
        {
          g_warning ("%s has no plugin.json: a create or remove was interrupted; skipping it",
                     path);
          continue;
        }
      plugin = berth_plugin_load (record, &local_error);
      if (plugin == NULL)
        {
          g_warning ("cannot load plugin %s: %s", name, local_error->message);
          continue;
        }
      g_hash_table_insert (self->plugins, g_strdup (berth_plugin_get_id (plugin)),
                           g_object_ref (plugin));
      if (berth_plugin_get_enabled (plugin) || berth_plugin_get_chain_id (plugin) != NULL)
        g_ptr_array_add (keep, (gpointer)berth_plugin_get_id (plugin));
    }
  berth_engine_add_container_snapshots (self, keep);
  g_ptr_array_add (keep, NULL);
  if (snapshotter != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      if (!berth_snapshotter_restore (snapshotter, (const gchar *const *)keep->pdata, NULL,
                                      &local_error))
        g_warning ("restoring snapshots: %s", local_error->message);
    }
  g_hash_table_iter_init (&iter, self->plugins);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (berth_plugin_get_enabled (value))
      restore_plugin (self, value);
  return TRUE;
}

/* berthd stops; plugins go on running (live restore is always on), and the
 * next berthd takes them back */
void
berth_engine_plugins_shutdown (BerthEngine *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->runs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      PluginRun *run = value;
      run_clear_sources (run);
      g_clear_handle_id (&run->restart_source, g_source_remove);
    }
}

void
berth_engine_plugins_init (BerthEngine *self)
{
  self->plugins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->runs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)run_free);
  g_mutex_init (&self->storage_lock);
  self->pending_roots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

void
berth_engine_plugins_finalize (BerthEngine *self)
{
  g_clear_pointer (&self->runs, g_hash_table_unref);
  g_clear_pointer (&self->plugins, g_hash_table_unref);
  g_clear_pointer (&self->runtime_error, g_free);
  g_clear_pointer (&self->pending_roots, g_hash_table_unref);
  g_mutex_clear (&self->storage_lock);
}
