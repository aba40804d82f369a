/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthEngine"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <linux/openat2.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth-container.h"
#include "berth-engine-private.h"

/* `berth run`: a command in a snapshot of an image, with volumes mounted
 * through their drivers, run by the runtime module under docker's default
 * confinement for containers. It is small on purpose: enough to use what
 * plugins provide, not a container engine.
 *
 * The caller's stdin, stdout and stderr are handed to the container's
 * process itself, so output goes straight to the user's terminal or pipe.
 * Volumes are unmounted when the process ends, however it ends; the record
 * is written before anything is mounted and after each step, so a berthd
 * that dies meanwhile unmounts them when it starts again. */

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* the live side of a container: the call waiting for its exit, its pid */
typedef struct
{
  BerthEngine *engine;
  BerthContainer *container;
  GTask *task; /* the Run call; NULL for a container found after a restart */
  gint pidfd;
  guint watch;
  guint unmounting; /* mounts still being released */
} ContainerRun;

static void container_finish (BerthEngine *self, ContainerRun *run, gint exit_code);

static gchar *
record_path (BerthEngine *self, const gchar *id)
{
  g_autofree gchar *name = g_strconcat (id, ".json", NULL);
  return berth_paths_build (self->paths, BERTH_PATH_CONTAINERS, name, NULL);
}

static gchar *
bundle_path (BerthEngine *self, const gchar *id)
{
  return berth_paths_build (self->paths, BERTH_PATH_RUN_DIR, "containers", id, NULL);
}

static void
save_or_warn (BerthEngine *self, BerthContainer *container)
{
  g_autofree gchar *path = record_path (self, container->id);
  g_autoptr(GError) error = NULL;
  if (!berth_container_save (container, path, &error))
    g_warning ("%s", error->message);
}

static gchar *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/* ---- looking containers up ------------------------------------------------ */

/**
 * berth_engine_list_containers:
 * @self: a #BerthEngine
 *
 * Returns: (transfer container) (element-type BerthContainer): every
 *   container, the newest first
 */
GPtrArray *
berth_engine_list_containers (BerthEngine *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify)berth_container_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, berth_container_ref (value));
  return list;
}

/**
 * berth_engine_find_container:
 * @self: a #BerthEngine
 * @name: a name, a full ID or a unique ID prefix, as docker takes them
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the container
 */
BerthContainer *
berth_engine_find_container (BerthEngine *self, const gchar *name, GError **error)
{
  BerthContainer *found = NULL;
  guint matches = 0;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BerthContainer *c = value;
      if (g_strcmp0 (c->name, name) == 0 || g_str_equal (c->id, name))
        return berth_container_ref (c);
      if (name[0] != '\0' && g_str_has_prefix (c->id, name))
        {
          found = c;
          matches++;
        }
    }
  if (matches == 1)
    return berth_container_ref (found);
  g_set_error (
    error, BERTH_ERROR, matches > 1 ? BERTH_ERROR_INVALID_ARGUMENT : BERTH_ERROR_NOT_FOUND,
    matches > 1 ? "multiple IDs found with provided prefix: %s" : "No such container: %s", name);
  return NULL;
}

/**
 * berth_engine_image_in_use:
 * @self: a #BerthEngine
 * @image: an image
 * @out_holder: (out) (optional): what uses it: `container 4f2a…`
 *
 * An image a container was made from cannot be removed while that
 * container exists (its snapshot is made of the image's layers).
 *
 * Returns: %TRUE if a container uses @image
 */
gboolean
berth_engine_image_in_use (BerthEngine *self, BerthImage *image, gchar **out_holder)
{
  GHashTableIter iter;
  gpointer value;

  if (out_holder != NULL)
    *out_holder = NULL;
  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BerthContainer *c = value;
      if (g_strcmp0 (c->image_id, berth_image_get_id (image)) != 0)
        continue;
      if (out_holder != NULL)
        *out_holder = g_strdup_printf ("container %.12s", c->id);
      return TRUE;
    }
  return FALSE;
}

/* docker's names are adjective_surname; these are berth's */
static gchar *
new_name (BerthEngine *self)
{
  static const gchar *const left[]
    = { "brave", "calm", "eager", "gentle", "jolly", "keen", "lucid", "nimble", "quiet", "steady" };
  static const gchar *const right[]
    = { "anchor", "buoy", "cove", "harbor", "jetty", "keel", "mast", "pier", "quay", "wharf" };

  for (guint attempt = 0;; attempt++)
    {
      const gchar *a = left[g_random_int_range (0, G_N_ELEMENTS (left))];
      const gchar *b = right[g_random_int_range (0, G_N_ELEMENTS (right))];
      /* a number only once the plain names clash */
      g_autofree gchar *name = attempt < 10 ? g_strdup_printf ("%s_%s", a, b)
                                            : g_strdup_printf ("%s_%s%u", a, b, attempt);
      g_autoptr(BerthContainer) clash = berth_engine_find_container (self, name, NULL);
      if (clash == NULL)
        return g_steal_pointer (&name);
    }
}

static gchar *
new_id (BerthEngine *self)
{
  for (;;)
    {
      g_autoptr(GString) id = g_string_new (NULL);
      for (guint i = 0; i < 8; i++)
        g_string_append_printf (id, "%08x", g_random_int ());
      if (!g_hash_table_contains (self->containers, id->str))
        return g_string_free (g_steal_pointer (&id), FALSE);
    }
}

/* ---- what the user asked ---------------------------------------------------- */

/**
 * berth_engine_parse_volume_spec:
 * @spec: `NAME:/path[:ro|rw]` or `/host/path:/path[:ro|rw]`
 * @out_volume: (out) (optional): the volume's name, or %NULL for a host path
 * @out_source: (out) (optional): the host path, or %NULL for a volume
 * @out_destination: (out) (optional): the path in the container
 * @out_readonly: (out) (optional): mounted read-only
 * @error: return location for a #GError
 *
 * Parses a `-v` option as docker does, with docker's words for the errors.
 *
 * Returns: %TRUE if @spec is valid
 */
gboolean
berth_engine_parse_volume_spec (const gchar *spec,
                                gchar **out_volume,
                                gchar **out_source,
                                gchar **out_destination,
                                gboolean *out_readonly,
                                GError **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", -1);
  guint n = g_strv_length (parts);
  gboolean readonly = FALSE;
  const gchar *kind;

  if (n < 2 || n > 3 || parts[0][0] == '\0' || parts[1][0] == '\0')
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "invalid volume specification: '%s': say where the container sees it: "
                   "-v %s:/path",
                   spec, n > 0 && parts[0][0] != '\0' ? parts[0] : "NAME");
      return FALSE;
    }
  kind = g_path_is_absolute (parts[0]) ? "bind" : "volume";
  if (!g_path_is_absolute (parts[1]))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "invalid volume specification: '%s': invalid mount config for type \"%s\": "
                   "invalid mount path: '%s' mount path must be absolute",
                   spec, kind, parts[1]);
      return FALSE;
    }
  if (n == 3)
    {
      if (g_str_equal (parts[2], "ro"))
        readonly = TRUE;
      else if (!g_str_equal (parts[2], "rw"))
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "invalid volume specification: '%s': invalid mode: %s (ro or rw)", spec,
                       parts[2]);
          return FALSE;
        }
    }
  if (g_str_equal (kind, "volume") && strchr (parts[0], '/') != NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "invalid volume specification: '%s': a host path must be absolute", spec);
      return FALSE;
    }
  if (out_volume != NULL)
    *out_volume = g_str_equal (kind, "volume") ? g_strdup (parts[0]) : NULL;
  if (out_source != NULL)
    *out_source = g_str_equal (kind, "bind") ? g_canonicalize_filename (parts[0], NULL) : NULL;
  if (out_destination != NULL)
    *out_destination = g_canonicalize_filename (parts[1], NULL);
  if (out_readonly != NULL)
    *out_readonly = readonly;
  return TRUE;
}

/* opens @path inside @rootfs, symlinks resolved inside it, never outside */
static gchar *
read_in_root (const gchar *rootfs, const gchar *path)
{
  struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
  g_autoptr(GString) text = g_string_new (NULL);
  gint root = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  gint fd = root >= 0 ? (gint)syscall (SYS_openat2, root, path, &how, sizeof how) : -1;
  gchar buf[4096];
  gssize n;

  if (root >= 0)
    close (root);
  if (fd < 0)
    return NULL;
  while ((n = read (fd, buf, sizeof buf)) > 0 && text->len < 1024 * 1024)
    g_string_append_len (text, buf, n);
  close (fd);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* a name's line in /etc/passwd or /etc/group of the image: field 2 and 3 */
static gboolean
lookup_db (
  const gchar *rootfs, const gchar *db, const gchar *name, guint32 *out_id, guint32 *out_group)
{
  g_autofree gchar *text = read_in_root (rootfs, db);
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ":", -1);
      if (g_strv_length (fields) < 3 || !g_str_equal (fields[0], name))
        continue;
      *out_id = (guint32)g_ascii_strtoull (fields[2], NULL, 10);
      if (out_group != NULL && fields[3] != NULL)
        *out_group = (guint32)g_ascii_strtoull (fields[3], NULL, 10);
      return TRUE;
    }
  return FALSE;
}

static gboolean
parse_id (const gchar *text, guint32 *out)
{
  guint64 value;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &value, NULL))
    return FALSE;
  *out = (guint32)value;
  return TRUE;
}

/* `user`, `uid`, `user:group`, `uid:gid`, looked up in the image's own
 * /etc/passwd and /etc/group as docker does */
static gboolean
resolve_user (const gchar *rootfs, const gchar *spec, guint32 *uid, guint32 *gid, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (spec != NULL ? spec : "", ":", 2);

  *uid = 0;
  *gid = 0;
  if (parts[0] == NULL || parts[0][0] == '\0')
    return TRUE;
  if (!parse_id (parts[0], uid) && !lookup_db (rootfs, "/etc/passwd", parts[0], uid, gid))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "unable to find user %s: no matching entries in passwd file", parts[0]);
      return FALSE;
    }
  if (parts[1] != NULL && !parse_id (parts[1], gid)
      && !lookup_db (rootfs, "/etc/group", parts[1], gid, NULL))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "unable to find group %s: no matching entries in group file", parts[1]);
      return FALSE;
    }
  return TRUE;
}

/* the image's Env, then -e, a key given again replacing the earlier one */
static GStrv
merge_env (const gchar *const *image_env,
           const gchar *const *user_env,
           const gchar *hostname,
           gboolean tty)
{
  g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func (g_free);
  gboolean have_path = FALSE;

  g_ptr_array_add (env, g_strdup_printf ("HOSTNAME=%s", hostname));
  /* docker's, with -t */
  if (tty)
    g_ptr_array_add (env, g_strdup ("TERM=xterm"));
  for (guint pass = 0; pass < 2; pass++)
    {
      const gchar *const *list = pass == 0 ? image_env : user_env;
      for (guint i = 0; list != NULL && list[i] != NULL; i++)
        {
          const gchar *eq = strchr (list[i], '=');
          gsize key = eq != NULL ? (gsize)(eq - list[i]) : strlen (list[i]);
          gchar *entry = eq != NULL ? g_strdup (list[i]) : NULL;

          /* docker's `-e KEY` takes KEY from the caller's environment;
           * berthd is not the caller, so the CLI resolves it first */
          if (entry == NULL)
            continue;
          have_path = have_path || (key == 4 && strncmp (entry, "PATH", 4) == 0);
          for (guint j = 0; j < env->len; j++)
            if (strncmp (env->pdata[j], entry, key + 1) == 0)
              {
                g_ptr_array_remove_index (env, j);
                break;
              }
          g_ptr_array_add (env, entry);
        }
    }
  if (!have_path)
    g_ptr_array_insert (env, 0, g_strdup (DEFAULT_PATH));
  g_ptr_array_add (env, NULL);
  return (GStrv)g_ptr_array_free (g_steal_pointer (&env), FALSE);
}

/* ---- running ---------------------------------------------------------------- */

typedef struct
{
  BerthEngine *engine;
  BerthContainer *container;
  BerthImage *image;
  GStrv env;
  gchar *workdir;
  gchar *user;
  gboolean network_host;
  gint fds[3];
  gboolean tty;
  guint rows;
  guint columns;
  BerthRunConsoleFunc console;
  gpointer console_data;
  gint master; /* the terminal's, once it runs with -t */
  guint next_mount;
  gchar *rootfs;
  gboolean snapshot;
  GPid pid;
} RunData;

static void
run_data_free (RunData *data)
{
  for (guint i = 0; i < 3; i++)
    if (data->fds[i] >= 0)
      close (data->fds[i]);
  if (data->master >= 0)
    close (data->master);
  g_clear_pointer (&data->container, berth_container_unref);
  g_clear_object (&data->image);
  g_strfreev (data->env);
  g_free (data->workdir);
  g_free (data->user);
  g_free (data->rootfs);
  g_object_unref (data->engine);
  g_free (data);
}

static ContainerRun *
container_run_new (BerthEngine *self, BerthContainer *container)
{
  ContainerRun *run = g_new0 (ContainerRun, 1);
  run->engine = self;
  run->container = berth_container_ref (container);
  run->pidfd = -1;
  g_hash_table_replace (self->container_runs, g_strdup (container->id), run);
  return run;
}

static void
container_run_free (ContainerRun *run)
{
  g_clear_handle_id (&run->watch, g_source_remove);
  if (run->pidfd >= 0)
    close (run->pidfd);
  g_clear_object (&run->task);
  berth_container_unref (run->container);
  g_free (run);
}

/* the files a container gets for its name: /etc/hostname, /etc/hosts and
 * /etc/resolv.conf, as docker writes them */
static gboolean
write_etc_files (const gchar *dir, const gchar *hostname, gboolean network_host, GError **error)
{
  g_autofree gchar *hostname_path = g_build_filename (dir, "hostname", NULL);
  g_autofree gchar *hosts_path = g_build_filename (dir, "hosts", NULL);
  g_autofree gchar *resolv_path = g_build_filename (dir, "resolv.conf", NULL);
  g_autofree gchar *hostname_text = g_strdup_printf ("%s\n", hostname);
  g_autofree gchar *hosts_text = NULL;
  g_autofree gchar *resolv_text = NULL;

  if (network_host)
    (void)g_file_get_contents ("/etc/hosts", &hosts_text, NULL, NULL);
  else
    hosts_text = g_strdup_printf ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
                                  "ip6-loopback\n127.0.1.1\t%s\n",
                                  hostname);
  (void)g_file_get_contents ("/etc/resolv.conf", &resolv_text, NULL, NULL);
  if (!g_file_set_contents (hostname_path, hostname_text, -1, error)
      || !g_file_set_contents (hosts_path, hosts_text != NULL ? hosts_text : "", -1, error)
      || !g_file_set_contents (resolv_path, resolv_text != NULL ? resolv_text : "", -1, error))
    {
      berth_error_convert (error);
      return FALSE;
    }
  return TRUE;
}

static void
start_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BerthEngine *self = source;
  RunData *data = task_data;
  BerthContainer *c = data->container;
  BerthRuntime *runtime = berth_engine_runtime (self);
  g_autofree gchar *bundle = bundle_path (self, c->id);
  g_autofree gchar *short_id = g_strndup (c->id, 12);
  g_autofree gchar *hostname
    = data->network_host ? g_strdup (g_get_host_name ()) : g_strdup (short_id);
  g_autoptr(GArray) binds = g_array_new (FALSE, TRUE, sizeof (BerthOciBind));
  g_autoptr(JsonNode) spec = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *hostname_path = g_build_filename (bundle, "hostname", NULL);
  g_autofree gchar *hosts_path = g_build_filename (bundle, "hosts", NULL);
  g_autofree gchar *resolv_path = g_build_filename (bundle, "resolv.conf", NULL);
  g_auto(GStrv) env = NULL;
  BerthOciContainer oci = { 0 };
  const gchar *workdir = data->workdir;

  if (runtime == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                               "no runtime module is loaded: see berth system info");
      return;
    }
  if (self->runtime_error != NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                               "the runtime cannot run containers here: %s", self->runtime_error);
      return;
    }
  data->rootfs = berth_snapshotter_prepare (berth_engine_snapshotter (self), c->id, c->chain_id,
                                            cancellable, &error);
  if (data->rootfs == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->snapshot = TRUE;
  if (!resolve_user (data->rootfs,
                     data->user != NULL ? data->user : berth_image_get_user (data->image), &oci.uid,
                     &oci.gid, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_mkdir_with_parents (bundle, 0700) != 0
      || !write_etc_files (bundle, hostname, data->network_host, &error))
    {
      if (error == NULL)
        g_set_error (&error, BERTH_ERROR, BERTH_ERROR_FAILED, "creating %s: %s", bundle,
                     g_strerror (errno));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_array_append_val (binds, ((BerthOciBind){ "/etc/resolv.conf", resolv_path, FALSE }));
  g_array_append_val (binds, ((BerthOciBind){ "/etc/hostname", hostname_path, FALSE }));
  g_array_append_val (binds, ((BerthOciBind){ "/etc/hosts", hosts_path, FALSE }));
  for (guint i = 0; i < c->mounts->len; i++)
    {
      BerthContainerMount *mount = g_ptr_array_index (c->mounts, i);
      BerthOciBind bind = { mount->destination, mount->source, mount->readonly };
      g_array_append_val (binds, bind);
    }
  env = merge_env (berth_image_get_env (data->image), (const gchar *const *)data->env, hostname,
                   data->tty);
  if (workdir == NULL || workdir[0] == '\0')
    workdir = berth_image_get_working_dir (data->image);
  oci.rootfs = data->rootfs;
  oci.args = (const gchar *const *)c->command;
  oci.env = (const gchar *const *)env;
  oci.cwd = workdir != NULL && workdir[0] != '\0' ? workdir : "/";
  oci.hostname = hostname;
  oci.network_host = data->network_host;
  oci.terminal = data->tty;
  oci.rows = data->rows;
  oci.columns = data->columns;
  oci.binds = (const BerthOciBind *)binds->data;
  oci.n_binds = binds->len;
  spec = berth_oci_spec_new_for_container (&oci, &error);
  if (spec == NULL || !berth_oci_spec_write_bundle (spec, bundle, cancellable, &error)
      || (data->tty
            ? !berth_runtime_start_terminal (runtime, c->id, bundle, &data->master, &data->pid,
                                             cancellable, &error)
            : !berth_runtime_start_stdio (runtime, c->id, bundle, data->fds[0], data->fds[1],
                                          data->fds[2], &data->pid, cancellable, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* after a failure: what was set up is taken down, the record goes, and
 * only then does the caller hear the error: its volumes are as they were */
typedef struct
{
  GTask *task;
  GError *error;
  guint pending;
} Undo;

static void
undo_finish (Undo *undo)
{
  RunData *data = g_task_get_task_data (undo->task);
  BerthEngine *self = data->engine;
  BerthContainer *c = data->container;
  g_autofree gchar *bundle = bundle_path (self, c->id);
  g_autofree gchar *record = record_path (self, c->id);

  if (data->snapshot)
    (void)berth_snapshotter_remove (berth_engine_snapshotter (self), c->id, NULL, NULL);
  (void)berth_rm_rf (bundle, NULL);
  (void)g_unlink (record);
  g_hash_table_remove (self->containers, c->id);
  g_task_return_error (undo->task, undo->error);
  g_object_unref (undo->task);
  g_free (undo);
}

static void
on_undo_unmounted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Undo *undo = user_data;
  g_autoptr(GError) error = NULL;

  if (!berth_volume_service_unmount_finish (BERTH_VOLUME_SERVICE (source), result, &error))
    g_warning ("undoing a run: %s", error->message);
  if (--undo->pending == 0)
    undo_finish (undo);
}

static void
run_fail (GTask *task, GError *error)
{
  RunData *data = g_task_get_task_data (task);
  BerthVolumeService *volumes = berth_engine_get_volume_service (data->engine);
  Undo *undo = g_new0 (Undo, 1);

  undo->task = g_object_ref (task);
  undo->error = error;
  undo->pending = 1;
  for (guint i = 0; i < data->container->mounts->len; i++)
    {
      BerthContainerMount *mount = g_ptr_array_index (data->container->mounts, i);
      if (mount->mount_id == NULL || volumes == NULL)
        continue;
      undo->pending++;
      berth_volume_service_unmount_async (volumes, mount->volume, mount->mount_id, NULL,
                                          on_undo_unmounted, undo);
    }
  if (--undo->pending == 0)
    undo_finish (undo);
}

static gint
exit_code_of (gint status)
{
  return WIFEXITED (status)     ? WEXITSTATUS (status)
         : WIFSIGNALED (status) ? 128 + WTERMSIG (status)
                                : -1;
}

static gboolean
on_container_exit (gint fd, GIOCondition condition, gpointer user_data)
{
  ContainerRun *run = user_data;
  gint status = 0;
  gint code = -1;

  run->watch = 0;
  /* our child (berthd is a child subreaper) unless berthd restarted since */
  if (waitpid (run->container->pid, &status, WNOHANG) == run->container->pid)
    code = exit_code_of (status);
  g_debug ("container %.12s (pid %d) ended: %d", run->container->id, run->container->pid, code);
  container_finish (run->engine, run, code);
  return G_SOURCE_REMOVE;
}

static void
on_child_exit (GPid pid, gint status, gpointer user_data)
{
  ContainerRun *run = user_data;

  run->watch = 0;
  g_debug ("container %.12s (pid %d) ended", run->container->id, pid);
  container_finish (run->engine, run, exit_code_of (status));
}

/* a pidfd watches any process; without one (a kernel before 5.3, or
 * valgrind) a child of berthd's is watched the old way */
static gboolean
watch_container (ContainerRun *run, gboolean child, GError **error)
{
  run->pidfd = (gint)syscall (SYS_pidfd_open, run->container->pid, 0);
  if (run->pidfd >= 0)
    {
      run->watch = g_unix_fd_add (run->pidfd, G_IO_IN, on_container_exit, run);
      return TRUE;
    }
  if (child && errno == ENOSYS)
    {
      run->watch = g_child_watch_add (run->container->pid, on_child_exit, run);
      return TRUE;
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot watch process %d: %s",
               run->container->pid, g_strerror (errno));
  return FALSE;
}

static void
on_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BerthEngine *self = BERTH_ENGINE (source);
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);
  BerthContainer *c = data->container;
  g_autoptr(GError) error = NULL;
  ContainerRun *run;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      run_fail (task, g_steal_pointer (&error));
      return;
    }
  /* the container holds the caller's descriptors now; berthd lets go */
  for (guint i = 0; i < 3; i++)
    if (data->fds[i] >= 0)
      {
        close (data->fds[i]);
        data->fds[i] = -1;
      }
  /* the terminal goes to whoever asked for it */
  if (data->master >= 0)
    {
      gint master = data->master;
      data->master = -1;
      if (data->console != NULL)
        data->console (master, data->console_data);
      else
        close (master);
    }
  c->pid = data->pid;
  c->state = BERTH_CONTAINER_STATE_RUNNING;
  save_or_warn (self, c);
  run = container_run_new (self, c);
  run->task = g_object_ref (task);
  if (!watch_container (run, TRUE, &error))
    {
      /* it cannot be watched, so it cannot be left running */
      kill (c->pid, SIGKILL);
      container_finish (self, run, -1);
    }
}

static void mount_next (GTask *task);

static void
on_volume_mounted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);
  BerthContainerMount *mount = g_ptr_array_index (data->container->mounts, data->next_mount);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *mount_id = NULL;
  g_autofree gchar *path
    = berth_volume_service_mount_finish (BERTH_VOLUME_SERVICE (source), result, &mount_id, &error);

  if (path == NULL)
    {
      g_prefix_error (&error, "mounting volume %s: ", mount->volume);
      run_fail (task, g_steal_pointer (&error));
      return;
    }
  g_free (mount->source);
  mount->source = g_steal_pointer (&path);
  mount->mount_id = g_steal_pointer (&mount_id);
  /* recorded at once: a berthd killed from here on unmounts it at start */
  save_or_warn (data->engine, data->container);
  data->next_mount++;
  mount_next (task);
}

static void
on_volume_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);
  BerthContainerMount *mount = g_ptr_array_index (data->container->mounts, data->next_mount);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthVolume) volume
             = berth_volume_service_create_finish (BERTH_VOLUME_SERVICE (source), result, &error);

  if (volume == NULL)
    {
      g_prefix_error (&error, "creating volume %s: ", mount->volume);
      run_fail (task, g_steal_pointer (&error));
      return;
    }
  berth_volume_service_mount_async (BERTH_VOLUME_SERVICE (source), mount->volume,
                                    g_task_get_cancellable (task), on_volume_mounted,
                                    g_object_ref (task));
}

/* volumes one after the other, each through its driver; a volume that does
 * not exist is created with the local driver, as docker does */
static void
mount_next (GTask *task)
{
  RunData *data = g_task_get_task_data (task);
  BerthEngine *self = data->engine;
  BerthVolumeService *volumes = berth_engine_get_volume_service (self);
  BerthContainerMount *mount;

  while (data->next_mount < data->container->mounts->len
         && ((BerthContainerMount *)g_ptr_array_index (data->container->mounts, data->next_mount))
                ->volume
              == NULL)
    data->next_mount++;
  if (data->next_mount == data->container->mounts->len)
    {
      /* snapshot, bundle and runtime off the main thread; the data is
       * the run's */
      g_autoptr(GTask) start = g_task_new (self, g_task_get_cancellable (task), on_started,
                                            g_object_ref (task));
      g_task_set_task_data (start, data, NULL);
      g_task_run_in_thread (start, start_thread);
      return;
    }
  mount = g_ptr_array_index (data->container->mounts, data->next_mount);
  if (volumes == NULL)
    {
      run_fail (task, g_error_new (BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                                   "no volume module is loaded: see berth system info"));
      return;
    }
  if (berth_volume_service_lookup (volumes, mount->volume) == NULL)
    {
      berth_volume_service_create_async (volumes, mount->volume, "local", NULL, NULL,
                                         g_task_get_cancellable (task), on_volume_created,
                                         g_object_ref (task));
      return;
    }
  berth_volume_service_mount_async (volumes, mount->volume, g_task_get_cancellable (task),
                                    on_volume_mounted, g_object_ref (task));
}

/* docker's rules: the entrypoint, then the command given or else the
 * image's; an entrypoint given (`""` for none) drops the image's command */
static GStrv
build_command (BerthImage *image, const gchar *entrypoint, const gchar *const *cmd)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const gchar *const *image_entrypoint = berth_image_get_entrypoint (image);

  if (entrypoint != NULL)
    {
      if (entrypoint[0] != '\0')
        g_strv_builder_add (builder, entrypoint);
    }
  else if (image_entrypoint != NULL)
    g_strv_builder_addv (builder, (const gchar **)image_entrypoint);
  if (cmd != NULL && cmd[0] != NULL)
    g_strv_builder_addv (builder, (const gchar **)cmd);
  else if (entrypoint == NULL && berth_image_get_cmd (image) != NULL)
    g_strv_builder_addv (builder, (const gchar **)berth_image_get_cmd (image));
  return g_strv_builder_end (builder);
}

/**
 * berth_engine_run_async:
 * @self: a #BerthEngine
 * @options: what to run
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the process has ended and its volumes are unmounted
 * @user_data: for @callback
 *
 * Runs a command in a new container from an image, as `docker run` does.
 */
void
berth_engine_run_async (BerthEngine *self,
                        const BerthRunOptions *options,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthImage) image = NULL;
  g_autoptr(BerthContainer) clash = NULL;
  g_autofree gchar *id = NULL;
  BerthContainer *c;
  RunData *data;

  data = g_new0 (RunData, 1);
  data->engine = g_object_ref (self);
  data->master = -1;
  data->tty = options->tty;
  data->rows = options->rows;
  data->columns = options->columns;
  data->console = options->console;
  data->console_data = options->console_data;
  for (guint i = 0; i < 3; i++)
    data->fds[i] = options->fds[i] >= 0 ? fcntl (options->fds[i], F_DUPFD_CLOEXEC, 3) : -1;
  g_task_set_task_data (task, data, (GDestroyNotify)run_data_free);

  if (options->network != NULL && options->network[0] != '\0'
      && !g_str_equal (options->network, "none") && !g_str_equal (options->network, "host"))
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                               "network %s not found: berth runs with --network none (the "
                               "default) or host",
                               options->network);
      return;
    }
  if (options->name != NULL && options->name[0] != '\0'
      && (clash = berth_engine_find_container (self, options->name, NULL)) != NULL
      && g_strcmp0 (clash->name, options->name) == 0)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_ALREADY_EXISTS,
                               "Conflict. The container name \"/%s\" is already in use by "
                               "container \"%s\". You have to remove (or rename) that container "
                               "to be able to reuse that name.",
                               options->name, clash->id);
      return;
    }
  image = berth_engine_find_image (self, options->image, &error);
  if (image == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_FOUND,
                               "Unable to find image '%s' locally: berth image pull %s, or "
                               "berth image import FILE %s",
                               options->image, options->image, options->image);
      return;
    }

  id = new_id (self);
  c = berth_container_new (id);
  data->container = c;
  data->image = g_object_ref (image);
  c->name = options->name != NULL && options->name[0] != '\0' ? g_strdup (options->name)
                                                              : new_name (self);
  c->image = g_strdup (options->image);
  c->image_id = g_strdup (berth_image_get_id (image));
  c->chain_id = g_strdup (berth_image_get_chain_id (image));
  c->command = build_command (image, options->entrypoint, options->cmd);
  c->created = now_iso8601 ();
  c->auto_remove = options->auto_remove;
  if (c->command[0] == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "No command specified: image %s has no Cmd nor Entrypoint",
                               options->image);
      return;
    }
  for (guint i = 0; options->volumes != NULL && options->volumes[i] != NULL; i++)
    {
      g_autofree gchar *volume = NULL;
      g_autofree gchar *source = NULL;
      g_autofree gchar *destination = NULL;
      gboolean readonly = FALSE;

      if (!berth_engine_parse_volume_spec (options->volumes[i], &volume, &source, &destination,
                                           &readonly, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      berth_container_add_mount (c, volume, source, destination, readonly);
    }
  data->env = g_strdupv ((gchar **)options->env);
  data->workdir = g_strdup (options->workdir);
  data->user = g_strdup (options->user);
  data->network_host = g_strcmp0 (options->network, "host") == 0;

  /* the record first: whatever is set up after it can be found and undone */
  {
    g_autofree gchar *path = record_path (self, c->id);
    if (!berth_container_save (c, path, &error))
      {
        g_task_return_error (task, g_steal_pointer (&error));
        return;
      }
  }
  g_hash_table_insert (self->containers, g_strdup (c->id), berth_container_ref (c));
  mount_next (task);
}

/**
 * berth_engine_run_finish:
 * @self: a #BerthEngine
 * @result: the result
 * @out_id: (out) (optional) (transfer full): the container's ID
 * @error: return location for a #GError
 *
 * Returns: the process's exit code (128 + N when killed by signal N), or
 *   -1 with @error set
 */
gint
berth_engine_run_finish (BerthEngine *self, GAsyncResult *result, gchar **out_id, GError **error)
{
  RunData *data = g_task_get_task_data (G_TASK (result));
  gssize code = g_task_propagate_int (G_TASK (result), error);

  if (code >= 0 && out_id != NULL)
    *out_id = g_strdup (data->container->id);
  return (gint)code;
}

/* ---- the end: unmount, forget ---------------------------------------------- */

/* what the runtime and the snapshotter keep of a container that ended is
 * taken down after the caller has its answer: runc's delete and the
 * snapshot's removal cost tens of milliseconds nobody needs to wait for.
 * A crash before it is done loses nothing: at start, snapshots no record
 * keeps are removed */
typedef struct
{
  gchar *id;
  gboolean remove;
} Teardown;

static void
teardown_free (Teardown *t)
{
  g_free (t->id);
  g_free (t);
}

static void
teardown_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BerthEngine *self = source;
  Teardown *t = task_data;
  BerthRuntime *runtime = berth_engine_runtime (self);
  g_autoptr(GError) error = NULL;

  if (runtime != NULL)
    (void)berth_runtime_delete (runtime, t->id, TRUE, NULL, NULL);
  if (!t->remove)
    return;
  if (berth_engine_snapshotter (self) != NULL
      && !berth_snapshotter_remove (berth_engine_snapshotter (self), t->id, NULL, &error)
      && !g_error_matches (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND))
    g_warning ("removing container %.12s: %s", t->id, error->message);
  {
    g_autofree gchar *bundle = bundle_path (self, t->id);
    (void)berth_rm_rf (bundle, NULL);
  }
}

static void
container_teardown (BerthEngine *self, const gchar *id, gboolean remove)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);
  Teardown *t = g_new0 (Teardown, 1);

  t->id = g_strdup (id);
  t->remove = remove;
  g_task_set_task_data (task, t, (GDestroyNotify)teardown_free);
  g_task_run_in_thread (task, teardown_thread);
}

/* the record goes at once; the rest follows in the background */
static void
remove_container_files (BerthEngine *self, BerthContainer *c)
{
  g_autofree gchar *record = record_path (self, c->id);

  (void)g_unlink (record);
  container_teardown (self, c->id, TRUE);
  g_hash_table_remove (self->containers, c->id);
}

static void
container_done (BerthEngine *self, ContainerRun *run)
{
  BerthContainer *c = run->container;
  g_autoptr(GTask) task = g_steal_pointer (&run->task);

  c->state = BERTH_CONTAINER_STATE_EXITED;
  c->pid = 0;
  if (c->auto_remove)
    remove_container_files (self, c);
  else
    {
      save_or_warn (self, c);
      container_teardown (self, c->id, FALSE);
    }
  if (task != NULL)
    g_task_return_int (task, c->exit_code < 0 ? 255 : c->exit_code);
  g_hash_table_remove (self->container_runs, c->id);
}

static void
on_volume_unmounted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ContainerRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!berth_volume_service_unmount_finish (BERTH_VOLUME_SERVICE (source), result, &error))
    g_warning ("container %.12s: unmounting a volume: %s", run->container->id, error->message);
  if (--run->unmounting == 0)
    container_done (run->engine, run);
}

/* every volume is released (at once, in parallel), then the record says
 * how it ended */
static void
container_finish (BerthEngine *self, ContainerRun *run, gint exit_code)
{
  BerthContainer *c = run->container;
  BerthVolumeService *volumes = berth_engine_get_volume_service (self);

  c->exit_code = exit_code;
  g_free (c->finished);
  c->finished = now_iso8601 ();
  run->unmounting = 1;
  for (guint i = 0; i < c->mounts->len; i++)
    {
      BerthContainerMount *mount = g_ptr_array_index (c->mounts, i);
      g_autofree gchar *mount_id = g_steal_pointer (&mount->mount_id);

      if (mount_id == NULL || volumes == NULL)
        continue;
      run->unmounting++;
      berth_volume_service_unmount_async (volumes, mount->volume, mount_id, NULL,
                                          on_volume_unmounted, run);
    }
  /* mount IDs are gone from the record before the unmounts finish: an
   * unmount berthd did not see finish is retried by the volume's own
   * record of its mounts */
  save_or_warn (self, c);
  if (--run->unmounting == 0)
    container_done (self, run);
}

/**
 * berth_engine_remove_container:
 * @self: a #BerthEngine
 * @name: a container
 * @force: kill it first if it runs
 * @error: return location for a #GError
 *
 * Returns: %TRUE if it is gone (or, forced, going: it is removed once its
 *   volumes are unmounted)
 */
gboolean
berth_engine_remove_container (BerthEngine *self, const gchar *name, gboolean force, GError **error)
{
  g_autoptr(BerthContainer) c = berth_engine_find_container (self, name, error);
  ContainerRun *run;

  if (c == NULL)
    return FALSE;
  run = g_hash_table_lookup (self->container_runs, c->id);
  if (c->state != BERTH_CONTAINER_STATE_EXITED || run != NULL)
    {
      if (!force || run == NULL || c->pid <= 0)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_IN_USE,
                       "cannot remove container \"%s\": container is %s: stop the container "
                       "before removing or force remove",
                       c->name, berth_container_state_to_string (c->state));
          return FALSE;
        }
      c->auto_remove = TRUE;
      kill (c->pid, SIGKILL);
      return TRUE;
    }
  remove_container_files (self, c);
  return TRUE;
}

/* ---- after a restart ---------------------------------------------------------- */

/**
 * berth_engine_add_container_snapshots:
 * @self: a #BerthEngine
 * @keep: the snapshot keys kept at start; containers' are added
 */
void
berth_engine_add_container_snapshots (BerthEngine *self, GPtrArray *keep)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (keep, ((BerthContainer *)value)->id);
}

/* whether the runtime runs @c's process; if so @c has its pid */
static gboolean
container_runs (BerthEngine *self, BerthContainer *c)
{
  BerthRuntime *runtime = berth_engine_runtime (self);
  BerthRuntimeStatus status = BERTH_RUNTIME_STATUS_UNKNOWN;
  GPid pid = 0;

  if (runtime == NULL || !berth_runtime_state (runtime, c->id, &status, &pid, NULL, NULL)
      || status != BERTH_RUNTIME_STATUS_RUNNING || pid <= 0)
    return FALSE;
  c->pid = pid;
  c->state = BERTH_CONTAINER_STATE_RUNNING;
  return TRUE;
}

/* a container whose process still runs is watched again; one whose process
 * ended while berthd was away has its volumes unmounted now (its exit
 * code is lost with the berthd that was its parent) */
static gboolean
on_restore (gpointer user_data)
{
  BerthEngine *self = user_data;
  g_autoptr(GPtrArray) list = berth_engine_list_containers (self);

  for (guint i = 0; i < list->len; i++)
    {
      BerthContainer *c = g_ptr_array_index (list, i);
      ContainerRun *run;
      g_autoptr(GError) error = NULL;

      if (c->state == BERTH_CONTAINER_STATE_EXITED)
        continue;
      run = container_run_new (self, c);
      /* the runtime knows best: berthd may have died after starting the
       * process and before recording it, and a recorded pid may be another
       * process's by now */
      if (container_runs (self, c) && watch_container (run, FALSE, &error))
        {
          g_info ("container %.12s (pid %d) runs: watching it again", c->id, c->pid);
          save_or_warn (self, c);
          continue;
        }
      g_info ("container %.12s ended while berthd was away: unmounting its volumes", c->id);
      container_finish (self, run, -1);
    }
  return G_SOURCE_REMOVE;
}

/**
 * berth_engine_containers_startup:
 * @self: a #BerthEngine
 * @error: return location for a #GError
 *
 * Loads the container records; their volumes are seen to once the plugins
 * that serve them are back.
 *
 * Returns: %TRUE on success
 */
gboolean
berth_engine_containers_startup (BerthEngine *self, GError **error)
{
  const gchar *dir_path;
  g_autoptr(GDir) dir = NULL;
  const gchar *name;

  if (!berth_paths_ensure (self->paths, BERTH_PATH_CONTAINERS, error))
    return FALSE;
  dir_path = berth_paths_get (self->paths, BERTH_PATH_CONTAINERS);
  dir = g_dir_open (dir_path, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir_path, name, NULL);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(BerthContainer) c = NULL;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      c = berth_container_load (path, &local_error);
      if (c == NULL)
        {
          g_warning ("cannot load container %s: %s", name, local_error->message);
          continue;
        }
      g_hash_table_insert (self->containers, g_strdup (c->id), berth_container_ref (c));
    }
  g_idle_add_full (G_PRIORITY_DEFAULT, on_restore, g_object_ref (self), g_object_unref);
  return TRUE;
}

void
berth_engine_containers_init (BerthEngine *self)
{
  self->containers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify)berth_container_unref);
  self->container_runs
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)container_run_free);
}

void
berth_engine_containers_finalize (BerthEngine *self)
{
  g_hash_table_unref (self->container_runs);
  g_hash_table_unref (self->containers);
}
