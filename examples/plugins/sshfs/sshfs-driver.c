/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "sshfs-driver.h"
#include "sshfs-volume.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_FILE            "sshfs-state.json"
#define DEFAULT_MOUNT_TIMEOUT 90 /* Docker gives Mount two minutes */
#define MAX_OUTPUT            (64 * 1024)

/*
 * The volume logic of the sshfs plugin. The SDK calls one handler at a time
 * (the server is not concurrent), so nothing here takes a lock.
 */
struct _SshfsDriver
{
  GObject parent_instance;
  gchar *state_path;
  gchar *volumes_dir;
  gchar *sshfs_program;
  guint mount_timeout;
  GHashTable *volumes; /* name → SshfsVolume */
};

G_DEFINE_TYPE (SshfsDriver, sshfs_driver, G_TYPE_OBJECT)

static void
sshfs_driver_finalize (GObject *object)
{
  SshfsDriver *self = SSHFS_DRIVER (object);

  g_free (self->state_path);
  g_free (self->volumes_dir);
  g_free (self->sshfs_program);
  g_hash_table_unref (self->volumes);
  G_OBJECT_CLASS (sshfs_driver_parent_class)->finalize (object);
}

static void
sshfs_driver_class_init (SshfsDriverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sshfs_driver_finalize;
}

static void
sshfs_driver_init (SshfsDriver *self)
{
  self->volumes
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)sshfs_volume_free);
  self->mount_timeout = DEFAULT_MOUNT_TIMEOUT;
}

static gboolean
set_errno_error (GError **error, gint errsv, const gchar *what, const gchar *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s %s: %s", what, path,
               g_strerror (errsv));
  return FALSE;
}

typedef enum
{
  MOUNT_NONE,
  MOUNT_ACTIVE,
  MOUNT_STALE, /* the sshfs behind it is gone */
} MountState;

/* a mountpoint is on another device than its parent */
static MountState
get_mount_state (const gchar *path)
{
  g_autofree gchar *parent = g_path_get_dirname (path);
  struct stat st;
  struct stat parent_st;

  if (stat (path, &st) != 0)
    return errno == ENOTCONN || errno == ECONNABORTED ? MOUNT_STALE : MOUNT_NONE;
  if (stat (parent, &parent_st) != 0)
    return MOUNT_NONE;
  return st.st_dev != parent_st.st_dev ? MOUNT_ACTIVE : MOUNT_NONE;
}

/* --- state file ------------------------------------------------------- */

static gboolean
load_state (SshfsDriver *self, GError **error)
{
  g_autofree gchar *data = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GList) names = NULL;
  gsize len = 0;
  JsonNode *root;
  JsonObject *object;

  if (!g_file_get_contents (self->state_path, &data, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_debug ("no state found at %s", self->state_path);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, data, (gssize)len, error))
    {
      g_prefix_error (error, "reading %s: ", self->state_path);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || JSON_NODE_HOLDS_NULL (root))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_FAILED,
                   "reading %s: not a JSON object", self->state_path);
      return FALSE;
    }
  object = json_node_get_object (root);
  names = json_object_get_members (object);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (object, l->data);
      SshfsVolume *volume;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_FAILED,
                       "reading %s: volume %s is not an object", self->state_path,
                       (const gchar *)l->data);
          return FALSE;
        }
      volume = sshfs_volume_new_from_json (json_node_get_object (node), error);
      if (volume == NULL)
        {
          g_prefix_error (error, "reading %s: volume %s: ", self->state_path,
                          (const gchar *)l->data);
          return FALSE;
        }
      g_hash_table_replace (self->volumes, g_strdup (l->data), volume);
    }
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

static GPtrArray *
sorted_names (SshfsDriver *self)
{
  GPtrArray *names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->volumes);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, compare_names);
  return names;
}

/* written whole, then renamed over the old file, then synced: a crash leaves
 * the old state or the new one; 0600 because passwords are in it */
static gboolean
save_state (SshfsDriver *self, GError **error)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GPtrArray) names = sorted_names (self);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree gchar *data = NULL;
  gsize len = 0;

  for (guint i = 0; i < names->len; i++)
    {
      const gchar *name = g_ptr_array_index (names, i);
      json_object_set_object_member (
        object, name, sshfs_volume_to_json (g_hash_table_lookup (self->volumes, name)));
    }
  root = json_node_init_object (json_node_alloc (), object);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &len);
  if (!g_file_set_contents_full (self->state_path, data, (gssize)len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600,
                                 error))
    {
      g_prefix_error (error, "saving the state: ");
      return FALSE;
    }
  return TRUE;
}

/* mount IDs survive a restart of the plugin only if their mount did */
static gboolean
forget_lost_mounts (SshfsDriver *self)
{
  GHashTableIter iter;
  gpointer key;
  gpointer value;
  gboolean changed = FALSE;

  g_hash_table_iter_init (&iter, self->volumes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      SshfsVolume *volume = value;

      if (volume->mount_ids->len == 0 || get_mount_state (volume->mountpoint) == MOUNT_ACTIVE)
        continue;
      g_message ("volume %s is no longer mounted at %s; forgetting its %u mount IDs",
                 (const gchar *)key, volume->mountpoint, volume->mount_ids->len);
      g_ptr_array_set_size (volume->mount_ids, 0);
      changed = TRUE;
    }
  return changed;
}

/**
 * sshfs_driver_new:
 * @state_dir: where the state file lives (/mnt/state in the plugin)
 * @volumes_dir: where volumes are mounted (/mnt/volumes, the propagated mount)
 * @sshfs_program: the sshfs executable, a path or a name to find in PATH
 * @error: return location for a #GError
 *
 * Loads the volumes of an earlier run.
 *
 * Returns: (transfer full): the driver, or %NULL with @error set
 */
SshfsDriver *
sshfs_driver_new (const gchar *state_dir,
                  const gchar *volumes_dir,
                  const gchar *sshfs_program,
                  GError **error)
{
  g_autoptr(SshfsDriver) self = g_object_new (SSHFS_TYPE_DRIVER, NULL);

  if (g_mkdir_with_parents (state_dir, 0755) != 0)
    {
      set_errno_error (error, errno, "creating", state_dir);
      return NULL;
    }
  if (g_mkdir_with_parents (volumes_dir, 0755) != 0)
    {
      set_errno_error (error, errno, "creating", volumes_dir);
      return NULL;
    }
  self->state_path = g_build_filename (state_dir, STATE_FILE, NULL);
  self->volumes_dir = g_strdup (volumes_dir);
  self->sshfs_program = g_strdup (sshfs_program);
  if (!load_state (self, error))
    return NULL;
  if (forget_lost_mounts (self))
    {
      g_autoptr(GError) local_error = NULL;
      if (!save_state (self, &local_error))
        g_warning ("%s", local_error->message);
    }
  g_debug ("%u volumes in %s", g_hash_table_size (self->volumes), self->state_path);
  return g_steal_pointer (&self);
}

/**
 * sshfs_driver_set_mount_timeout:
 * @self: a #SshfsDriver
 * @seconds: how long sshfs may take to mount
 *
 * Sets the time after which a hanging sshfs is killed.
 */
void
sshfs_driver_set_mount_timeout (SshfsDriver *self, guint seconds)
{
  g_return_if_fail (SSHFS_IS_DRIVER (self));
  self->mount_timeout = seconds;
}

/* --- running sshfs and fusermount ------------------------------------- */

static void
child_setup_new_session (gpointer user_data)
{
  /* without a controlling terminal ssh cannot stop to ask for a password */
  setsid ();
}

typedef struct
{
  gboolean done;
  gboolean timed_out;
} WaitState;

static void
on_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WaitState *state = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  state->done = TRUE;
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  WaitState *state = user_data;

  state->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* waits in a context of its own: handlers run in worker threads */
static void
wait_with_timeout (GSubprocess *process, guint timeout, WaitState *state)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timer = g_timeout_source_new_seconds (timeout);
  gboolean killed = FALSE;

  g_main_context_push_thread_default (context);
  g_source_set_callback (timer, on_wait_timeout, state, NULL);
  g_source_attach (timer, context);
  g_subprocess_wait_async (process, NULL, on_waited, state);
  while (!state->done)
    {
      g_main_context_iteration (context, TRUE);
      if (state->timed_out && !killed)
        {
          g_subprocess_force_exit (process);
          killed = TRUE;
        }
    }
  g_source_destroy (timer);
  g_main_context_pop_thread_default (context);
}

static gchar *
read_output (gint fd)
{
  g_autofree gchar *buf = g_malloc (MAX_OUTPUT + 1);
  gsize total = 0;

  if (lseek (fd, 0, SEEK_SET) != 0)
    return g_strdup ("");
  while (total < MAX_OUTPUT)
    {
      gssize n = read (fd, buf + total, MAX_OUTPUT - total);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      total += (gsize)n;
    }
  buf[total] = '\0';
  return g_strstrip (g_utf8_make_valid (buf, (gssize)total));
}

/* runs argv to its end (it may leave a daemon behind) and describes how it
 * ended the way Go's exec does: "exit status 1" */
static gboolean
run_command (const gchar *const *argv,
             const gchar *input,
             guint timeout,
             gchar **status_out,
             gchar **output_out,
             GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  WaitState state = { 0 };
  gint fd;
  gint dup_fd;

  /* a file, not a pipe: the daemon sshfs leaves may keep its end open */
  fd = memfd_create ("berth-sshfs-output", MFD_CLOEXEC);
  if (fd < 0)
    return set_errno_error (error, errno, "creating", "an output buffer");
  dup_fd = dup (fd);
  if (dup_fd < 0)
    {
      gint errsv = errno;
      close (fd);
      return set_errno_error (error, errsv, "duplicating", "an output buffer");
    }
  launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_take_stdout_fd (launcher, dup_fd);
  g_subprocess_launcher_set_child_setup (launcher, child_setup_new_session, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    {
      close (fd);
      return FALSE;
    }
  {
    GOutputStream *stdin_pipe = g_subprocess_get_stdin_pipe (process);
    g_autoptr(GError) local_error = NULL;

    if (input != NULL
        && !g_output_stream_write_all (stdin_pipe, input, strlen (input), NULL, NULL, &local_error))
      g_debug ("writing to %s: %s", argv[0], local_error->message);
    g_output_stream_close (stdin_pipe, NULL, NULL);
  }
  wait_with_timeout (process, timeout, &state);
  *output_out = read_output (fd);
  close (fd);

  if (state.timed_out)
    *status_out = g_strdup_printf ("timed out after %u s", timeout);
  else if (g_subprocess_get_if_exited (process))
    *status_out = g_subprocess_get_exit_status (process) == 0
                    ? NULL
                    : g_strdup_printf ("exit status %d", g_subprocess_get_exit_status (process));
  else
    *status_out = g_strdup_printf ("signal: %s", g_strsignal (g_subprocess_get_term_sig (process)));
  return TRUE;
}

static gboolean
run_sshfs (SshfsDriver *self, SshfsVolume *volume, GError **error)
{
  g_autofree gchar *program = g_find_program_in_path (self->sshfs_program);
  g_auto(GStrv) argv = NULL;
  g_autofree gchar *status = NULL;
  g_autofree gchar *output = NULL;

  if (program == NULL)
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_FAILED,
                   "sshfs command execute failed: %s not found", self->sshfs_program);
      return FALSE;
    }
  argv = sshfs_volume_build_argv (volume, program);
  if (g_log_get_debug_enabled ())
    {
      g_autofree gchar *line = g_strjoinv (" ", argv);
      g_debug ("running %s", line);
    }
  if (!run_command ((const gchar *const *)argv, volume->password, self->mount_timeout, &status,
                    &output, error))
    {
      g_prefix_error (error, "sshfs command execute failed: ");
      return FALSE;
    }
  if (status != NULL)
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_FAILED,
                   "sshfs command execute failed: %s (%s)", status, output);
      return FALSE;
    }
  if (output[0] != '\0')
    g_debug ("sshfs: %s", output);
  if (get_mount_state (volume->mountpoint) != MOUNT_ACTIVE)
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_FAILED,
                   "sshfs command execute failed: nothing is mounted at %s (%s)",
                   volume->mountpoint, output);
      return FALSE;
    }
  return TRUE;
}

static gboolean
unmount_path (const gchar *mountpoint, GError **error)
{
  const gchar *helpers[] = { "fusermount3", "fusermount" };
  gint errsv;

  g_debug ("unmounting %s", mountpoint);
  if (umount2 (mountpoint, UMOUNT_NOFOLLOW) == 0)
    return TRUE;
  errsv = errno;
  if (errsv == EINVAL || errsv == ENOENT)
    return TRUE; /* not mounted */
  if (errsv == EBUSY)
    {
      /* Docker unmounts after the container stopped: whatever still holds
       * the mount does not keep the remote */
      g_message ("%s is busy; detaching it", mountpoint);
      if (umount2 (mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
        return TRUE;
      errsv = errno;
    }
  /* without CAP_SYS_ADMIN the setuid helper may do it */
  for (guint i = 0; errsv == EPERM && i < G_N_ELEMENTS (helpers); i++)
    {
      g_autofree gchar *program = g_find_program_in_path (helpers[i]);
      g_autofree gchar *status = NULL;
      g_autofree gchar *output = NULL;
      const gchar *argv[] = { program, "-u", mountpoint, NULL };

      if (program == NULL)
        continue;
      if (!run_command (argv, NULL, 30, &status, &output, error))
        return FALSE;
      if (status == NULL)
        return TRUE;
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_FAILED,
                   "unmounting %s: %s %s (%s)", mountpoint, helpers[i], status, output);
      return FALSE;
    }
  return set_errno_error (error, errsv, "unmounting", mountpoint);
}

/* --- the VolumeDriver methods ----------------------------------------- */

static SshfsVolume *
lookup (SshfsDriver *self, const gchar *name, GError **error)
{
  SshfsVolume *volume = g_hash_table_lookup (self->volumes, name);

  if (volume == NULL)
    g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_NOT_FOUND, "volume %s not found",
                 name);
  return volume;
}

/* volumes with the same sshcmd share a mountpoint (the Go plugin's MD5) */
static gboolean
mountpoint_in_use (SshfsDriver *self, const gchar *mountpoint)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->volumes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SshfsVolume *volume = value;
      if (volume->mount_ids->len > 0 && g_strcmp0 (volume->mountpoint, mountpoint) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
mountpoint_shared (SshfsDriver *self, const gchar *mountpoint)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->volumes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (g_strcmp0 (((SshfsVolume *)value)->mountpoint, mountpoint) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
save_or_warn (SshfsDriver *self)
{
  g_autoptr(GError) error = NULL;

  if (!save_state (self, &error))
    g_warning ("%s", error->message);
}

static gboolean
driver_create (gpointer user_data, const gchar *name, GHashTable *opts, GError **error)
{
  SshfsDriver *self = user_data;
  g_autoptr(SshfsVolume) volume = NULL;
  SshfsVolume *old;
  gpointer old_key = NULL;
  gpointer old_value = NULL;

  g_debug ("create %s", name);
  volume = sshfs_volume_new_from_opts (opts, self->volumes_dir, error);
  if (volume == NULL)
    return FALSE;
  old = g_hash_table_lookup (self->volumes, name);
  if (old != NULL && old->mount_ids->len > 0)
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_IN_USE,
                   "volume %s is currently used by a container", name);
      return FALSE;
    }
  g_hash_table_steal_extended (self->volumes, name, &old_key, &old_value);
  g_hash_table_insert (self->volumes, g_strdup (name), g_steal_pointer (&volume));
  if (!save_state (self, error))
    {
      /* leave the volumes as they were */
      g_hash_table_remove (self->volumes, name);
      if (old_key != NULL)
        g_hash_table_insert (self->volumes, old_key, old_value);
      return FALSE;
    }
  g_free (old_key);
  sshfs_volume_free (old_value);
  return TRUE;
}

static gboolean
driver_remove (gpointer user_data, const gchar *name, GError **error)
{
  SshfsDriver *self = user_data;
  SshfsVolume *volume = lookup (self, name, error);
  gpointer key = NULL;
  gpointer value = NULL;

  g_debug ("remove %s", name);
  if (volume == NULL)
    return FALSE;
  if (volume->mount_ids->len > 0)
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_IN_USE,
                   "volume %s is currently used by a container", name);
      return FALSE;
    }
  g_hash_table_steal_extended (self->volumes, name, &key, &value);
  if (!save_state (self, error))
    {
      g_hash_table_insert (self->volumes, key, value);
      return FALSE;
    }
  volume = value;
  /* never a recursive delete: the mount may still be there */
  if (!mountpoint_shared (self, volume->mountpoint)
      && get_mount_state (volume->mountpoint) == MOUNT_NONE && g_rmdir (volume->mountpoint) != 0
      && errno != ENOENT)
    g_debug ("removing %s: %s", volume->mountpoint, g_strerror (errno));
  g_free (key);
  sshfs_volume_free (value);
  return TRUE;
}

static gboolean
prepare_mountpoint (const gchar *mountpoint, GError **error)
{
  struct stat st;

  if (get_mount_state (mountpoint) == MOUNT_STALE)
    {
      g_message ("%s: the sshfs behind it is gone; unmounting it", mountpoint);
      if (umount2 (mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW) != 0)
        return set_errno_error (error, errno, "unmounting", mountpoint);
    }
  if (lstat (mountpoint, &st) != 0)
    {
      if (errno != ENOENT)
        return set_errno_error (error, errno, "checking", mountpoint);
      if (g_mkdir_with_parents (mountpoint, 0755) != 0)
        return set_errno_error (error, errno, "creating", mountpoint);
      return TRUE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_FAILED,
                   "%s already exist and it's not a directory", mountpoint);
      return FALSE;
    }
  return TRUE;
}

static gchar *
driver_mount (gpointer user_data, const gchar *name, const gchar *id, GError **error)
{
  SshfsDriver *self = user_data;
  SshfsVolume *volume = lookup (self, name, error);

  g_debug ("mount %s (ID %s)", name, id);
  if (volume == NULL)
    return NULL;
  if (!mountpoint_in_use (self, volume->mountpoint)
      || get_mount_state (volume->mountpoint) != MOUNT_ACTIVE)
    {
      if (!prepare_mountpoint (volume->mountpoint, error))
        return NULL;
      if (get_mount_state (volume->mountpoint) != MOUNT_ACTIVE && !run_sshfs (self, volume, error))
        return NULL;
    }
  if (!sshfs_volume_has_mount_id (volume, id))
    {
      g_ptr_array_add (volume->mount_ids, g_strdup (id));
      save_or_warn (self);
    }
  return g_strdup (volume->mountpoint);
}

static gboolean
driver_unmount (gpointer user_data, const gchar *name, const gchar *id, GError **error)
{
  SshfsDriver *self = user_data;
  SshfsVolume *volume = lookup (self, name, error);
  gboolean had_id;

  g_debug ("unmount %s (ID %s)", name, id);
  if (volume == NULL)
    return FALSE;
  had_id = FALSE;
  for (guint i = 0; !had_id && i < volume->mount_ids->len; i++)
    {
      if (g_strcmp0 (g_ptr_array_index (volume->mount_ids, i), id) == 0)
        {
          g_ptr_array_remove_index (volume->mount_ids, i);
          had_id = TRUE;
        }
    }
  if (!had_id)
    g_debug ("volume %s was not mounted for ID %s", name, id);
  if (!mountpoint_in_use (self, volume->mountpoint)
      && get_mount_state (volume->mountpoint) != MOUNT_NONE
      && !unmount_path (volume->mountpoint, error))
    {
      if (had_id)
        g_ptr_array_add (volume->mount_ids, g_strdup (id));
      return FALSE;
    }
  if (had_id)
    save_or_warn (self);
  return TRUE;
}

static gchar *
driver_path (gpointer user_data, const gchar *name, GError **error)
{
  SshfsVolume *volume = lookup (user_data, name, error);

  return volume != NULL ? g_strdup (volume->mountpoint) : NULL;
}

static BerthPluginVolume *
driver_get (gpointer user_data, const gchar *name, GError **error)
{
  SshfsVolume *volume = lookup (user_data, name, error);

  /* an error, not "Volume": null, for a missing volume: as the Go plugin */
  return volume != NULL ? berth_plugin_volume_new (name, volume->mountpoint) : NULL;
}

static GPtrArray *
driver_list (gpointer user_data, GError **error)
{
  SshfsDriver *self = user_data;
  g_autoptr(GPtrArray) names = sorted_names (self);
  GPtrArray *volumes = g_ptr_array_new_with_free_func ((GDestroyNotify)berth_plugin_volume_free);

  for (guint i = 0; i < names->len; i++)
    {
      const gchar *name = g_ptr_array_index (names, i);
      SshfsVolume *volume = g_hash_table_lookup (self->volumes, name);
      g_ptr_array_add (volumes, berth_plugin_volume_new (name, volume->mountpoint));
    }
  return volumes;
}

static BerthPluginVolumeScope
driver_capabilities (gpointer user_data)
{
  return BERTH_PLUGIN_VOLUME_SCOPE_LOCAL;
}

static const BerthPluginVolumeDriverFuncs driver_funcs = {
  .create = driver_create,
  .remove = driver_remove,
  .mount = driver_mount,
  .unmount = driver_unmount,
  .path = driver_path,
  .get = driver_get,
  .list = driver_list,
  .capabilities = driver_capabilities,
};

/**
 * sshfs_driver_get_funcs:
 *
 * Gets the functions to give berth_plugin_server_add_volume_driver() with a
 * #SshfsDriver as user data.
 *
 * Returns: (transfer none): the functions
 */
const BerthPluginVolumeDriverFuncs *
sshfs_driver_get_funcs (void)
{
  return &driver_funcs;
}
