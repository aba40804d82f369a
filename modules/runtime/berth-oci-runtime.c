/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthRuntime"

#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <glib/gstdio.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth-oci-runtime-private.h"

/**
 * BerthOciRuntime:
 *
 * Runs containers with an OCI runtime binary (runc, crun), one command per
 * operation, and keeps nothing of berth's running beside a container: no
 * shim, no monitor process.
 *
 * - Every command gets `--root <run-dir>/runtime/<name>`, so berth's
 *   containers never mix with Docker's, containerd's or podman's, and
 *   `runc list` shows berth's only.
 * - start() is one `run --detach --pid-file`: the runtime passes its own
 *   stdout and stderr to the container's process (no terminal), so those
 *   are the caller's log fd; its own messages go to a `--log` file in
 *   `<run-dir>/runtime/<name>-work/` as JSON lines, and a failure's error
 *   carries them.
 * - Exit codes without a shim: when the runtime exits after starting the
 *   container, the container's first process loses its parent and the
 *   kernel reparents it to the nearest child subreaper. berthd calls
 *   prctl(PR_SET_CHILD_SUBREAPER), so that process becomes berthd's own
 *   child: berthd can waitpid() it (a GLib child watch on the pid start()
 *   returns) and learns its exit code as a shim would. After a berthd
 *   restart the still running container is no longer berthd's child (it
 *   was reparented to init when the old berthd died); the new berthd can
 *   only watch it with pidfd_open() and poll, learning *that* it exited,
 *   never its code, which is then reported as unknown.
 */

typedef struct
{
  BerthPaths *paths;
  GKeyFile *config;
  gchar *binary;
  gchar *root; /* --root: the runtime's state of berth's containers */
  gchar *work; /* log and pid files of single calls, and check bundles */
} BerthOciRuntimePrivate;

enum
{
  PROP_0,
  PROP_PATHS,
  PROP_CONFIG,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

static void berth_oci_runtime_iface_init (BerthRuntimeInterface *iface);
static void berth_oci_runtime_initable_iface_init (GInitableIface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (
  BerthOciRuntime,
  berth_oci_runtime,
  G_TYPE_OBJECT,
  G_TYPE_FLAG_ABSTRACT,
  G_ADD_PRIVATE_DYNAMIC (BerthOciRuntime)
    G_IMPLEMENT_INTERFACE_DYNAMIC (BERTH_TYPE_RUNTIME, berth_oci_runtime_iface_init)
      G_IMPLEMENT_INTERFACE_DYNAMIC (G_TYPE_INITABLE, berth_oci_runtime_initable_iface_init))

#define GET_PRIVATE(o) ((BerthOciRuntimePrivate *)berth_oci_runtime_get_instance_private (o))

static const gchar *
runtime_name (BerthOciRuntime *self)
{
  return BERTH_OCI_RUNTIME_GET_CLASS (self)->name;
}

/**
 * berth_oci_runtime_next_work_path:
 * @self: a #BerthOciRuntime, initialized
 * @what: what the path is for, e.g. `log`
 *
 * Returns: (transfer full): a path in the work directory no other call of
 *   this process uses
 */
gchar *
berth_oci_runtime_next_work_path (BerthOciRuntime *self, const gchar *what)
{
  BerthOciRuntimePrivate *priv = GET_PRIVATE (self);
  static gint counter = 0;
  return g_strdup_printf ("%s/%s-%d-%d", priv->work, what, (gint)getpid (),
                          g_atomic_int_add (&counter, 1));
}

/* "creating <path>: <strerror>" */
static gboolean
set_creating_error (GError **error, int errsv, const gchar *path)
{
  g_set_error (error, BERTH_ERROR,
               errsv == ENOENT                       ? BERTH_ERROR_NOT_FOUND
               : (errsv == EACCES || errsv == EPERM) ? BERTH_ERROR_PERMISSION_DENIED
                                                     : BERTH_ERROR_FAILED,
               "creating %s: %s", path, g_strerror (errsv));
  return FALSE;
}

static gboolean
ensure_dirs (BerthOciRuntime *self, GError **error)
{
  BerthOciRuntimePrivate *priv = GET_PRIVATE (self);

  if (g_mkdir_with_parents (priv->root, 0700) != 0)
    return set_creating_error (error, errno, priv->root);
  if (g_mkdir_with_parents (priv->work, 0700) != 0)
    return set_creating_error (error, errno, priv->work);
  return TRUE;
}

/* runc's rule for container IDs, ^[\w+-\.]+$, minus the names that are
 * path tricks */
static gboolean
validate_id (const gchar *id, GError **error)
{
  gboolean valid
    = id[0] != '\0' && strlen (id) <= 1024 && g_strcmp0 (id, ".") != 0 && g_strcmp0 (id, "..") != 0;

  for (const gchar *p = id; valid && *p != '\0'; p++)
    valid = g_ascii_isalnum (*p) || *p == '_' || *p == '+' || *p == '-' || *p == '.';
  if (!valid)
    {
      g_autofree gchar *shown = g_strescape (id, NULL);
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "invalid container ID “%s”: use letters, digits, '_', '+', '-' and '.'", shown);
      return FALSE;
    }
  return TRUE;
}

static gboolean
container_known (BerthOciRuntime *self, const gchar *id)
{
  g_autofree gchar *dir = g_build_filename (GET_PRIVATE (self)->root, id, NULL);
  return g_file_test (dir, G_FILE_TEST_IS_DIR);
}

static const gchar *
berth_oci_runtime_get_name (BerthRuntime *runtime)
{
  return runtime_name (BERTH_OCI_RUNTIME (runtime));
}

/* the pid returned is the container's first process: it has been released
 * to run its entrypoint when the runtime exits, and its execve may follow
 * a moment later (for that moment /proc/<pid>/cmdline still shows the
 * runtime's init). A failed start leaves the runtime's own error line in
 * the log fd too, since the runtime's stderr is the container's */
static gboolean
start_container (BerthOciRuntime *self,
                 const gchar *id,
                 const gchar *bundle_dir,
                 const gchar *console_socket,
                 gint stdin_fd,
                 gint stdout_fd,
                 gint stderr_fd,
                 GPid *out_pid,
                 GCancellable *cancellable,
                 GError **error)
{
  g_autofree gchar *bundle = g_canonicalize_filename (bundle_dir, NULL);
  g_autofree gchar *pid_path = NULL;
  g_autoptr(GError) local_error = NULL;
  GPid pid = 0;

  if (!validate_id (id, error) || !ensure_dirs (self, error))
    return FALSE;
  if (container_known (self, id))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_ALREADY_EXISTS,
                   "starting container %s with %s: it exists already; delete it first", id,
                   runtime_name (self));
      return FALSE;
    }

  pid_path = berth_oci_runtime_next_work_path (self, "pid");
  if (!berth_oci_runtime_run_container (
        self,
        console_socket != NULL
          ? (const gchar *const[]){ "run", "--detach", "--console-socket", console_socket,
                                    "--pid-file", pid_path, "--bundle", bundle, id, NULL }
          : (const gchar *const[]){ "run", "--detach", "--pid-file", pid_path, "--bundle", bundle,
                                    id, NULL },
        stdin_fd, stdout_fd, stderr_fd, cancellable, &local_error))
    {
      (void)g_unlink (pid_path);
      /* a runtime stopped half-way may leave a created container behind */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || g_error_matches (local_error, BERTH_ERROR, BERTH_ERROR_CANCELLED))
        (void)berth_oci_runtime_run (self, (const gchar *const[]){ "delete", "--force", id, NULL },
                                     NULL, NULL, NULL);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "starting container %s with %s: ", id, runtime_name (self));
      return FALSE;
    }
  if (!berth_oci_runtime_read_pid_file (pid_path, &pid, error))
    {
      /* a container berth cannot watch is one it must not leave running */
      (void)g_unlink (pid_path);
      (void)berth_oci_runtime_run (self, (const gchar *const[]){ "delete", "--force", id, NULL },
                                   NULL, NULL, NULL);
      g_prefix_error (error, "starting container %s with %s: ", id, runtime_name (self));
      return FALSE;
    }
  (void)g_unlink (pid_path);
  g_debug ("started container %s from %s: pid %d", id, bundle, (gint)pid);
  if (out_pid != NULL)
    *out_pid = pid;
  return TRUE;
}

static gboolean
berth_oci_runtime_start_stdio (BerthRuntime *runtime,
                               const gchar *id,
                               const gchar *bundle_dir,
                               gint stdin_fd,
                               gint stdout_fd,
                               gint stderr_fd,
                               GPid *out_pid,
                               GCancellable *cancellable,
                               GError **error)
{
  return start_container (BERTH_OCI_RUNTIME (runtime), id, bundle_dir, NULL, stdin_fd, stdout_fd,
                          stderr_fd, out_pid, cancellable, error);
}

/* the pseudo-terminal master runc sent over the console socket */
static gint
receive_master (gint listen_fd, GError **error)
{
  gint conn = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);
  gchar byte[256];
  union
  {
    struct cmsghdr align;
    gchar buf[CMSG_SPACE (sizeof (gint))];
  } control;
  struct iovec iov = { .iov_base = byte, .iov_len = sizeof byte };
  struct msghdr msg = {
    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control
  };
  struct cmsghdr *c;
  gint master = -1;

  if (conn < 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                   "the runtime sent no terminal on its console socket: %s", g_strerror (errno));
      return -1;
    }
  if (recvmsg (conn, &msg, MSG_CMSG_CLOEXEC) >= 0 && (c = CMSG_FIRSTHDR (&msg)) != NULL
      && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
    memcpy (&master, CMSG_DATA (c), sizeof master);
  close (conn);
  if (master < 0)
    g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                         "the runtime's console socket carried no terminal");
  return master;
}

/* runc makes the pseudo-terminal inside the container, the process's
 * controlling terminal, and sends its master over a socket berth listens
 * on: berth hands it on, to the CLI of `berth run -t` */
static gboolean
berth_oci_runtime_start_terminal (BerthRuntime *runtime,
                                  const gchar *id,
                                  const gchar *bundle_dir,
                                  gint *out_master,
                                  GPid *out_pid,
                                  GCancellable *cancellable,
                                  GError **error)
{
  BerthOciRuntime *self = BERTH_OCI_RUNTIME (runtime);
  g_autofree gchar *path = NULL;
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  gint listen_fd;
  gint master;

  if (!ensure_dirs (self, error))
    return FALSE;
  path = berth_oci_runtime_next_work_path (self, "console");
  if (strlen (path) >= sizeof sa.sun_path)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "the console socket path %s is too long",
                   path);
      return FALSE;
    }
  strcpy (sa.sun_path, path);
  listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd < 0 || bind (listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0
      || listen (listen_fd, 1) != 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "creating the console socket %s: %s",
                   path, g_strerror (errno));
      if (listen_fd >= 0)
        close (listen_fd);
      (void)g_unlink (path);
      return FALSE;
    }
  /* runc connects and sends the master before it exits: it waits in the
   * socket's backlog until the start is over */
  if (!start_container (self, id, bundle_dir, path, -1, -1, -1, out_pid, cancellable, error))
    {
      close (listen_fd);
      (void)g_unlink (path);
      return FALSE;
    }
  master = receive_master (listen_fd, error);
  close (listen_fd);
  (void)g_unlink (path);
  if (master < 0)
    {
      (void)berth_oci_runtime_run (self, (const gchar *const[]){ "delete", "--force", id, NULL },
                                   NULL, NULL, NULL);
      return FALSE;
    }
  *out_master = master;
  return TRUE;
}

static gboolean
berth_oci_runtime_start (BerthRuntime *runtime,
                         const gchar *id,
                         const gchar *bundle_dir,
                         gint stdio_fd,
                         GPid *out_pid,
                         GCancellable *cancellable,
                         GError **error)
{
  return berth_oci_runtime_start_stdio (runtime, id, bundle_dir, -1, stdio_fd, stdio_fd, out_pid,
                                        cancellable, error);
}

static BerthRuntimeStatus
status_from_string (const gchar *status)
{
  if (g_strcmp0 (status, "created") == 0 || g_strcmp0 (status, "creating") == 0)
    return BERTH_RUNTIME_STATUS_CREATED;
  /* a paused container's processes exist, frozen */
  if (g_strcmp0 (status, "running") == 0 || g_strcmp0 (status, "paused") == 0
      || g_strcmp0 (status, "pausing") == 0)
    return BERTH_RUNTIME_STATUS_RUNNING;
  if (g_strcmp0 (status, "stopped") == 0)
    return BERTH_RUNTIME_STATUS_STOPPED;
  return BERTH_RUNTIME_STATUS_UNKNOWN;
}

static gboolean
is_unknown_container_error (const GError *error)
{
  return error != NULL && error->domain == BERTH_ERROR
         && (strstr (error->message, "does not exist") != NULL
             || strstr (error->message, "No such file or directory") != NULL);
}

static gboolean
berth_oci_runtime_state (BerthRuntime *runtime,
                         const gchar *id,
                         BerthRuntimeStatus *out_status,
                         GPid *out_pid,
                         GCancellable *cancellable,
                         GError **error)
{
  BerthOciRuntime *self = BERTH_OCI_RUNTIME (runtime);
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *out = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  *out_status = BERTH_RUNTIME_STATUS_UNKNOWN;
  if (out_pid != NULL)
    *out_pid = 0;
  if (!validate_id (id, error))
    return FALSE;
  if (!container_known (self, id))
    return TRUE;
  if (!berth_oci_runtime_run (self, (const gchar *const[]){ "state", id, NULL }, &out, cancellable,
                              &local_error))
    {
      /* deleted between the look and the question */
      if (is_unknown_container_error (local_error))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "asking %s for the state of container %s: ", runtime_name (self),
                                  id);
      return FALSE;
    }
  node = berth_json_parse (out, -1, error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "not a JSON object");
      g_prefix_error (error, "reading %s state %s: ", runtime_name (self), id);
      return FALSE;
    }
  object = json_node_get_object (node);
  *out_status
    = status_from_string (json_object_get_string_member_with_default (object, "status", NULL));
  if (out_pid != NULL && *out_status != BERTH_RUNTIME_STATUS_STOPPED)
    *out_pid = (GPid)json_object_get_int_member_with_default (object, "pid", 0);
  return TRUE;
}

static gboolean
berth_oci_runtime_kill (
  BerthRuntime *runtime, const gchar *id, gint signum, GCancellable *cancellable, GError **error)
{
  BerthOciRuntime *self = BERTH_OCI_RUNTIME (runtime);
  g_autofree gchar *signame = g_strdup_printf ("%d", signum);

  if (!validate_id (id, error))
    return FALSE;
  if (!container_known (self, id))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "%s knows no container %s",
                   runtime_name (self), id);
      return FALSE;
    }
  /* the signal goes to the container's first process, as Docker's
   * containerd executor sends it; in its own pid namespace the others die
   * with it, and delete --force kills every process of a PidHost plugin */
  if (!berth_oci_runtime_run (self, (const gchar *const[]){ "kill", id, signame, NULL }, NULL,
                              cancellable, error))
    {
      g_prefix_error (error, "sending signal %d to container %s with %s: ", signum, id,
                      runtime_name (self));
      return FALSE;
    }
  return TRUE;
}

static gboolean
berth_oci_runtime_delete (
  BerthRuntime *runtime, const gchar *id, gboolean force, GCancellable *cancellable, GError **error)
{
  BerthOciRuntime *self = BERTH_OCI_RUNTIME (runtime);
  g_autoptr(GError) local_error = NULL;
  const gchar *args[] = { "delete", id, NULL, NULL };

  if (!validate_id (id, error))
    return FALSE;
  if (!container_known (self, id))
    return TRUE;
  if (force)
    {
      args[1] = "--force";
      args[2] = id;
    }
  if (!berth_oci_runtime_run (self, args, NULL, cancellable, &local_error))
    {
      if (is_unknown_container_error (local_error) && !container_known (self, id))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "deleting container %s with %s: ", id, runtime_name (self));
      return FALSE;
    }
  return TRUE;
}

static GStrv
berth_oci_runtime_list (BerthRuntime *runtime, GCancellable *cancellable, GError **error)
{
  BerthOciRuntime *self = BERTH_OCI_RUNTIME (runtime);
  g_autofree gchar *out = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (!berth_oci_runtime_run (self, (const gchar *const[]){ "list", "--format", "json", NULL },
                              &out, cancellable, error))
    {
      g_prefix_error (error, "listing containers with %s: ", runtime_name (self));
      return NULL;
    }
  node = berth_json_parse (out, -1, error);
  if (node == NULL)
    {
      g_prefix_error (error, "reading %s list: ", runtime_name (self));
      return NULL;
    }
  /* runc says null when it knows none, crun [] */
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          const gchar *id = NULL;
          if (JSON_NODE_HOLDS_OBJECT (element))
            id = json_object_get_string_member_with_default (json_node_get_object (element), "id",
                                                             NULL);
          if (id != NULL)
            g_strv_builder_add (builder, id);
        }
    }
  else if (!JSON_NODE_HOLDS_NULL (node))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "reading %s list: not a JSON array",
                   runtime_name (self));
      return NULL;
    }
  return g_strv_builder_end (builder);
}

static int
remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  if (remove (path) != 0 && errno != ENOENT)
    g_debug ("removing %s: %s", path, g_strerror (errno));
  return 0;
}

/* never crosses into a mount (there should be none: the runtime mounted in
 * the container's mount namespace), never follows a symlink */
static void
remove_tree (const gchar *path)
{
  (void)nftw (path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* the plugin the check runs: nothing but an entrypoint; the runtime checks
 * that it is an executable file when it creates the container, and never
 * runs it, so an empty file with the right mode is enough */
static const gchar check_plugin_config[]
  = "{\"Description\":\"berth runtime check\",\"Documentation\":\"\","
    "\"Entrypoint\":[\"/check\"],"
    "\"Interface\":{\"Socket\":\"check.sock\",\"Types\":[\"docker.volumedriver/1.0\"]},"
    "\"Network\":{\"Type\":\"\"},\"Linux\":{\"Capabilities\":null,\"Devices\":null}}";

static gboolean
prepare_check_bundle (const gchar *dir, GError **error)
{
  g_autofree gchar *rootfs = g_build_filename (dir, "rootfs", NULL);
  g_autofree gchar *sockets = g_build_filename (dir, "sockets", NULL);
  g_autofree gchar *check = g_build_filename (rootfs, "check", NULL);
  g_autoptr(BerthPluginConfig) config = NULL;
  g_autoptr(BerthPluginSettings) settings = NULL;
  g_autoptr(JsonNode) spec = NULL;

  if (g_mkdir_with_parents (rootfs, 0755) != 0)
    return set_creating_error (error, errno, rootfs);
  if (g_mkdir_with_parents (sockets, 0700) != 0)
    return set_creating_error (error, errno, sockets);
  if (!g_file_set_contents_full (check, "", 0, G_FILE_SET_CONTENTS_NONE, 0755, error))
    {
      berth_error_convert (error);
      return FALSE;
    }
  config = berth_plugin_config_new_from_data (check_plugin_config, -1, error);
  if (config == NULL)
    return FALSE;
  settings = berth_plugin_settings_new (config);
  spec = berth_oci_spec_new_for_plugin (config, settings, rootfs, sockets, NULL, error);
  if (spec == NULL)
    return FALSE;
  return berth_oci_spec_write_bundle (spec, dir, NULL, error);
}

/* until @pid, just killed, is gone: collected when this process is a child
 * subreaper (it was reparented here when the runtime exited), else a
 * zombie or nothing */
static void
wait_for_exit (GPid pid)
{
  g_autofree gchar *stat_path = g_strdup_printf ("/proc/%d/stat", (gint)pid);

  for (guint i = 0; i < 5000; i++)
    {
      g_autofree gchar *stat = NULL;
      const gchar *state;
      int status;
      pid_t r = waitpid (pid, &status, WNOHANG);

      if (r == pid)
        return;
      if (r < 0 && !g_file_get_contents (stat_path, &stat, NULL, NULL))
        return;
      state = stat != NULL ? strrchr (stat, ')') : NULL;
      if (state != NULL && (state[2] == 'Z' || state[2] == 'X'))
        return;
      g_usleep (1000);
    }
}

static gboolean
check_in_bundle (BerthOciRuntime *self, const gchar *dir, GCancellable *cancellable, GError **error)
{
  g_autofree gchar *id = g_path_get_basename (dir);
  g_autofree gchar *pid_path = g_build_filename (dir, "pid", NULL);
  GPid pid = 0;
  int status;

  if (!prepare_check_bundle (dir, error))
    {
      g_prefix_error (error, "preparing a bundle: ");
      return FALSE;
    }
  /* create does everything up to the execve: cgroups, namespaces, mounts,
   * devices, capabilities; then its process waits for a start that never
   * comes */
  if (!berth_oci_runtime_run_container (
        self, (const gchar *const[]){ "create", "--pid-file", pid_path, "--bundle", dir, id, NULL },
        -1, -1, -1, cancellable, error))
    {
      /* the runtime cleans up after itself; if it did not, do */
      if (container_known (self, id))
        (void)berth_oci_runtime_run (self, (const gchar *const[]){ "delete", "--force", id, NULL },
                                     NULL, NULL, NULL);
      return FALSE;
    }
  (void)berth_oci_runtime_read_pid_file (pid_path, &pid, NULL);

  /* `delete --force` of a created container sleeps 100 ms before it looks
   * again (runc 1.1's killContainer); killing, waiting and deleting is
   * quicker */
  if (pid > 0
      && berth_oci_runtime_run (self, (const gchar *const[]){ "kill", id, "9", NULL }, NULL, NULL,
                                NULL))
    wait_for_exit (pid);
  if (berth_oci_runtime_run (self, (const gchar *const[]){ "delete", id, NULL }, NULL, NULL, NULL))
    return TRUE;
  if (!berth_oci_runtime_run (self, (const gchar *const[]){ "delete", "--force", id, NULL }, NULL,
                              NULL, error))
    {
      g_prefix_error (error, "deleting the container it created: ");
      return FALSE;
    }
  if (pid > 0)
    (void)waitpid (pid, &status, WNOHANG);
  return TRUE;
}

/* what a passed check depends on: the binary, this boot, the cgroup
 * layout; NULL if it cannot be told */
static gchar *
check_key (BerthOciRuntime *self)
{
  const gchar *binary = GET_PRIVATE (self)->binary;
  g_autofree gchar *boot_id = NULL;
  struct stat st;

  if (stat (binary, &st) != 0
      || !g_file_get_contents ("/proc/sys/kernel/random/boot_id", &boot_id, NULL, NULL))
    return NULL;
  return g_strdup_printf ("%s %" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT " %" G_GINT64_FORMAT
                          ".%09ld %" G_GINT64_FORMAT " %s cgroups:%d\n",
                          binary, (guint64)st.st_dev, (guint64)st.st_ino, (gint64)st.st_mtim.tv_sec,
                          st.st_mtim.tv_nsec, (gint64)st.st_size, g_strstrip (boot_id),
                          (gint)berth_cgroup_layout_detect ());
}

/* a check that passed is remembered in the run directory until the binary,
 * the boot or the cgroup layout changes, so that a berthd restart does not
 * pay for a container again (create, kill and delete start the runtime
 * four times: 135-400 ms measured on a busy 2-vCPU machine) */
static gboolean
berth_oci_runtime_check (BerthRuntime *runtime, GCancellable *cancellable, GError **error)
{
  BerthOciRuntime *self = BERTH_OCI_RUNTIME (runtime);
  BerthOciRuntimeClass *klass = BERTH_OCI_RUNTIME_GET_CLASS (self);
  g_autofree gchar *dir = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *stamp = NULL;
  g_autofree gchar *remembered = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (!ensure_dirs (self, error))
    return FALSE;
  key = check_key (self);
  stamp = g_build_filename (GET_PRIVATE (self)->work, "checked", NULL);
  if (key != NULL && g_file_get_contents (stamp, &remembered, NULL, NULL)
      && g_str_equal (key, remembered))
    {
      g_debug ("%s (%s) passed its check already", runtime_name (self), GET_PRIVATE (self)->binary);
      return TRUE;
    }
  dir = berth_oci_runtime_next_work_path (self, "check");
  ok = check_in_bundle (self, dir, cancellable, &local_error);
  remove_tree (dir);
  if (ok)
    {
      g_debug ("%s (%s) can run containers here", runtime_name (self), GET_PRIVATE (self)->binary);
      if (key != NULL)
        (void)g_file_set_contents_full (stamp, key, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL);
      return TRUE;
    }
  (void)g_unlink (stamp);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_error_matches (local_error, BERTH_ERROR, BERTH_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (klass->explain_check_failure != NULL)
    {
      g_autofree gchar *explained = klass->explain_check_failure (self, local_error->message);
      if (explained != NULL)
        {
          g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED, explained);
          return FALSE;
        }
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
               "%s (%s) cannot run containers on this host (cgroups: %s): %s", runtime_name (self),
               GET_PRIVATE (self)->binary,
               berth_cgroup_layout_to_string (berth_cgroup_layout_detect ()), local_error->message);
  return FALSE;
}

static void
berth_oci_runtime_iface_init (BerthRuntimeInterface *iface)
{
  iface->get_name = berth_oci_runtime_get_name;
  iface->check = berth_oci_runtime_check;
  iface->start = berth_oci_runtime_start;
  iface->start_stdio = berth_oci_runtime_start_stdio;
  iface->start_terminal = berth_oci_runtime_start_terminal;
  iface->state = berth_oci_runtime_state;
  iface->kill = berth_oci_runtime_kill;
  iface->delete = berth_oci_runtime_delete;
  iface->list = berth_oci_runtime_list;
}

/* the binary: berthd.conf's [runtime] <name>-path=, else the first in PATH
 * or the usual directories (runc is in /usr/sbin, often not in a user's
 * PATH) */
static gchar *
find_binary (BerthOciRuntime *self, GError **error)
{
  BerthOciRuntimePrivate *priv = GET_PRIVATE (self);
  const gchar *name = runtime_name (self);
  g_autofree gchar *key = g_strdup_printf ("%s-path", name);
  g_autofree gchar *configured = NULL;
  gchar *found;

  if (priv->config != NULL)
    configured = g_key_file_get_string (priv->config, "runtime", key, NULL);
  if (configured != NULL)
    {
      if (!g_path_is_absolute (configured) || !g_file_test (configured, G_FILE_TEST_IS_EXECUTABLE)
          || g_file_test (configured, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "[runtime] %s=%s in the configuration is not an executable file given "
                       "by its absolute path",
                       key, configured);
          return NULL;
        }
      return g_steal_pointer (&configured);
    }
  found = g_find_program_in_path (name);
  if (found != NULL)
    return found;
  for (guint i = 0; i < 4; i++)
    {
      static const gchar *const dirs[]
        = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin" };
      g_autofree gchar *path = g_build_filename (dirs[i], name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&path);
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND,
               "%s is not installed: not found in PATH nor /usr/local/sbin, /usr/local/bin, "
               "/usr/sbin, /usr/bin; install it or set %s=<path> in the [runtime] group of "
               "berthd.conf",
               name, key);
  return NULL;
}

/* cheap on purpose: finds the binary and computes paths; check() is what
 * runs a container, and the engine calls it for the runtime it chooses */
static gboolean
berth_oci_runtime_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  BerthOciRuntime *self = BERTH_OCI_RUNTIME (initable);
  BerthOciRuntimePrivate *priv = GET_PRIVATE (self);
  const gchar *name = runtime_name (self);
  g_autofree gchar *work = g_strdup_printf ("%s-work", name);

  if (priv->paths == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "the %s runtime needs a path store", name);
      return FALSE;
    }
  priv->binary = find_binary (self, error);
  if (priv->binary == NULL)
    return FALSE;
  priv->root = berth_paths_build (priv->paths, BERTH_PATH_RUN_DIR, "runtime", name, NULL);
  priv->work = berth_paths_build (priv->paths, BERTH_PATH_RUN_DIR, "runtime", work, NULL);
  return TRUE;
}

static void
berth_oci_runtime_initable_iface_init (GInitableIface *iface)
{
  iface->init = berth_oci_runtime_initable_init;
}

/**
 * berth_oci_runtime_get_binary:
 * @self: a #BerthOciRuntime, initialized
 *
 * Returns: the runtime binary's path
 */
const gchar *
berth_oci_runtime_get_binary (BerthOciRuntime *self)
{
  g_return_val_if_fail (BERTH_IS_OCI_RUNTIME (self), NULL);
  return GET_PRIVATE (self)->binary;
}

/**
 * berth_oci_runtime_get_root:
 * @self: a #BerthOciRuntime, initialized
 *
 * Returns: the runtime's `--root`, `<run-dir>/runtime/<name>`
 */
const gchar *
berth_oci_runtime_get_root (BerthOciRuntime *self)
{
  return GET_PRIVATE (self)->root;
}

/**
 * berth_cgroup_layout_detect:
 *
 * Returns: how this host mounts cgroups at /sys/fs/cgroup
 */
BerthCgroupLayout
berth_cgroup_layout_detect (void)
{
  struct statfs fs;

  if (statfs ("/sys/fs/cgroup", &fs) != 0)
    return BERTH_CGROUP_LAYOUT_UNKNOWN;
  if (fs.f_type == CGROUP2_SUPER_MAGIC)
    return BERTH_CGROUP_LAYOUT_UNIFIED;
  if (fs.f_type != TMPFS_MAGIC)
    return BERTH_CGROUP_LAYOUT_UNKNOWN;
  if (statfs ("/sys/fs/cgroup/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
    return BERTH_CGROUP_LAYOUT_HYBRID;
  return BERTH_CGROUP_LAYOUT_LEGACY;
}

/**
 * berth_cgroup_layout_to_string:
 * @layout: a #BerthCgroupLayout
 *
 * Returns: a few words for @layout
 */
const gchar *
berth_cgroup_layout_to_string (BerthCgroupLayout layout)
{
  switch (layout)
    {
      case BERTH_CGROUP_LAYOUT_LEGACY:
        return "v1";
      case BERTH_CGROUP_LAYOUT_HYBRID:
        return "hybrid, v1 controllers with v2 at /sys/fs/cgroup/unified";
      case BERTH_CGROUP_LAYOUT_UNIFIED:
        return "v2";
      case BERTH_CGROUP_LAYOUT_UNKNOWN:
      default:
        return "unknown layout";
    }
}

static void
berth_oci_runtime_set_property (GObject *object,
                                guint prop_id,
                                const GValue *value,
                                GParamSpec *pspec)
{
  BerthOciRuntimePrivate *priv = GET_PRIVATE (BERTH_OCI_RUNTIME (object));

  switch (prop_id)
    {
      case PROP_PATHS:
        g_set_object (&priv->paths, g_value_get_object (value));
        break;
      case PROP_CONFIG:
        g_clear_pointer (&priv->config, g_key_file_unref);
        priv->config = g_value_dup_boxed (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
}

static void
berth_oci_runtime_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BerthOciRuntimePrivate *priv = GET_PRIVATE (BERTH_OCI_RUNTIME (object));

  switch (prop_id)
    {
      case PROP_PATHS:
        g_value_set_object (value, priv->paths);
        break;
      case PROP_CONFIG:
        g_value_set_boxed (value, priv->config);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
}

static void
berth_oci_runtime_finalize (GObject *object)
{
  BerthOciRuntimePrivate *priv = GET_PRIVATE (BERTH_OCI_RUNTIME (object));

  /* containers outlive the object: plugins keep running across a restart */
  g_clear_object (&priv->paths);
  g_clear_pointer (&priv->config, g_key_file_unref);
  g_free (priv->binary);
  g_free (priv->root);
  g_free (priv->work);
  G_OBJECT_CLASS (berth_oci_runtime_parent_class)->finalize (object);
}

static void
berth_oci_runtime_class_init (BerthOciRuntimeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = berth_oci_runtime_set_property;
  object_class->get_property = berth_oci_runtime_get_property;
  object_class->finalize = berth_oci_runtime_finalize;

  props[PROP_PATHS]
    = g_param_spec_object ("paths", NULL, NULL, BERTH_TYPE_PATHS,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* berthd.conf; the [runtime] group may set runc-path= and crun-path= */
  props[PROP_CONFIG]
    = g_param_spec_boxed ("config", NULL, NULL, G_TYPE_KEY_FILE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
berth_oci_runtime_class_finalize (BerthOciRuntimeClass *klass)
{
}

static void
berth_oci_runtime_init (BerthOciRuntime *self)
{
}

/**
 * berth_oci_runtime_register:
 * @module: the module registering the types
 *
 * Registers the abstract OCI runtime type; its subclasses register after.
 */
void
berth_oci_runtime_register (GTypeModule *module)
{
  berth_oci_runtime_register_type (module);
}
