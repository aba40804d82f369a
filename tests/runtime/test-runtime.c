/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* the runtime module, loaded as berthd loads it, running real containers
 * with runc (and checking crun) from bundles whose spec the generator
 * wrote; needs root and Debian's busybox-static (/bin/busybox) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <linux/magic.h>
#include <signal.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime-env.h"

#define WAIT_SECONDS 10

typedef struct
{
  gchar *tmp;
  BerthPaths *paths;
  BerthRuntime *runtime;
  gchar *log_path;
  guint n_bundles;
} Fixture;

static gboolean
host_cgroups_hybrid (void)
{
  struct statfs fs;
  return statfs ("/sys/fs/cgroup", &fs) == 0 && fs.f_type == TMPFS_MAGIC
         && statfs ("/sys/fs/cgroup/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

/* ---- the fixture ---- */

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  /* "crun+": crun, for a test that needs it to work here */
  const gchar *wanted = data != NULL ? data : "runc";
  gboolean must_work = g_str_has_suffix (wanted, "+");
  g_autofree gchar *name = g_strndup (wanted, strlen (wanted) - (must_work ? 1 : 0));
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autofree gchar *run_dir = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("running containers needs root");
      return;
    }
  if (!runtime_env_busybox_usable ())
    {
      g_test_skip ("no static /bin/busybox: install busybox-static");
      return;
    }
  fixture->tmp = g_dir_make_tmp ("berth-runtime-XXXXXX", &error);
  g_assert_no_error (error);
  run_dir = g_build_filename (fixture->tmp, "run", NULL);
  fixture->paths = berth_paths_new ();
  berth_paths_set (fixture->paths, BERTH_PATH_RUN_DIR, run_dir);
  fixture->log_path = g_build_filename (fixture->tmp, "plugin.log", NULL);
  fixture->runtime = runtime_env_new (name, fixture->paths, config, &error);
  if (g_error_matches (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND))
    {
      g_autofree gchar *message = g_strdup_printf ("%s: %s", name, error->message);
      g_test_skip (message);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpstr (berth_runtime_get_name (fixture->runtime), ==, name);
  if (must_work && !berth_runtime_check (fixture->runtime, NULL, &error))
    {
      g_autofree gchar *message = g_strdup_printf ("%s cannot run here: %s", name, error->message);
      g_test_skip (message);
      g_clear_object (&fixture->runtime);
    }
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  if (fixture->runtime != NULL)
    {
      g_auto(GStrv) ids = berth_runtime_list (fixture->runtime, NULL, NULL);
      for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
        (void)berth_runtime_delete (fixture->runtime, ids[i], TRUE, NULL, NULL);
    }
  /* reap whatever was reparented to this subreaper */
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
  if (fixture->tmp != NULL)
    runtime_env_remove_tree (fixture->tmp);
  g_clear_object (&fixture->runtime);
  g_clear_object (&fixture->paths);
  g_free (fixture->log_path);
  g_free (fixture->tmp);
}

static gchar *
make_bundle (Fixture *fixture, const gchar *const *entrypoint)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *name = g_strdup_printf ("bundle%u", fixture->n_bundles++);
  g_autofree gchar *dir = g_build_filename (fixture->tmp, name, NULL);

  g_assert_true (runtime_env_make_bundle (dir, entrypoint, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&dir);
}

static gchar *
next_id (void)
{
  static guint counter = 0;
  return g_strdup_printf ("berth-test-%d-%u", (gint)getpid (), counter++);
}

static int
open_log (Fixture *fixture)
{
  int fd = open (fixture->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  return fd;
}

static gboolean
wait_for_log (Fixture *fixture, const gchar *needle)
{
  for (guint i = 0; i < WAIT_SECONDS * 100; i++)
    {
      g_autofree gchar *text = NULL;
      if (g_file_get_contents (fixture->log_path, &text, NULL, NULL)
          && strstr (text, needle) != NULL)
        return TRUE;
      g_usleep (10 * 1000);
    }
  return FALSE;
}

static BerthRuntimeStatus
wait_for_status (Fixture *fixture, const gchar *id, BerthRuntimeStatus wanted)
{
  BerthRuntimeStatus status = BERTH_RUNTIME_STATUS_UNKNOWN;
  for (guint i = 0; i < WAIT_SECONDS * 100; i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_true (berth_runtime_state (fixture->runtime, id, &status, NULL, NULL, &error));
      g_assert_no_error (error);
      if (status == wanted)
        break;
      g_usleep (10 * 1000);
    }
  return status;
}

/* the container's first process is this subreaper's child once the
 * runtime has exited: its exit status comes from waitpid, as in berthd */
static int
wait_child (GPid pid)
{
  int status = 0;
  for (guint i = 0; i < WAIT_SECONDS * 100; i++)
    {
      pid_t r = waitpid (pid, &status, WNOHANG);
      g_assert_cmpint (r, !=, -1);
      if (r == pid)
        return status;
      g_usleep (10 * 1000);
    }
  g_assert_not_reached ();
  return -1;
}

static gchar *
read_cmdline (GPid pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/cmdline", (gint)pid);
  gchar *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &text, &len, NULL))
    return NULL;
  /* NUL-separated arguments, shown with spaces */
  for (gsize i = 0; i + 1 < len; i++)
    if (text[i] == '\0')
      text[i] = ' ';
  return text;
}

/* the runtime returns once the container's process was released to run
 * its entrypoint; the execve may follow a moment later, so the pid's
 * cmdline can still be the runtime's init for a short while */
static gchar *
wait_for_cmdline (GPid pid, const gchar *prefix)
{
  gchar *cmdline = NULL;
  for (guint i = 0; i < WAIT_SECONDS * 1000; i++)
    {
      g_free (cmdline);
      cmdline = read_cmdline (pid);
      if (cmdline == NULL || g_str_has_prefix (cmdline, prefix))
        break;
      g_usleep (1000);
    }
  return cmdline;
}

static GPid
parent_of (GPid pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/status", (gint)pid);
  g_autofree gchar *text = NULL;
  const gchar *line;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  line = strstr (text, "\nPPid:");
  return line != NULL ? (GPid)g_ascii_strtoll (line + strlen ("\nPPid:"), NULL, 10) : 0;
}

static gboolean
strv_has (GStrv strv, const gchar *str)
{
  return strv != NULL && g_strv_contains ((const gchar *const *)strv, str);
}

/* ---- tests ---- */

static void
test_module_registration (void)
{
  g_autoptr(GError) error = NULL;
  gint runc_priority = 0;
  gint crun_priority = 0;

  g_assert_cmpuint (runtime_env_type ("runc", &runc_priority, &error), !=, G_TYPE_INVALID);
  g_assert_no_error (error);
  g_assert_cmpuint (runtime_env_type ("crun", &crun_priority, &error), !=, G_TYPE_INVALID);
  g_assert_no_error (error);
  g_assert_cmpint (runc_priority, ==, 20);
  g_assert_cmpint (crun_priority, ==, 10);
}

static void
test_missing_binary (void)
{
  g_autoptr(BerthPaths) paths = berth_paths_new ();
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthRuntime) runtime = NULL;

  berth_paths_set (paths, BERTH_PATH_RUN_DIR, "/nonexistent/berth-run");
  g_key_file_set_string (config, "runtime", "runc-path", "/nonexistent/runc");
  runtime = runtime_env_new ("runc", paths, config, &error);
  g_assert_null (runtime);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "runc-path=/nonexistent/runc"));
}

static void
test_start_state_kill (Fixture *fixture, gconstpointer data)
{
  const gchar *const entrypoint[] = {
    "/bin/sh",
    "-c",
    "trap 'echo bye; exit 3' TERM; echo hello from berth; sleep 1000 & wait",
    NULL,
  };
  g_autofree gchar *bundle = NULL;
  g_autofree gchar *id = next_id ();
  g_autofree gchar *cmdline = NULL;
  g_autoptr(GError) error = NULL;
  BerthRuntimeStatus status;
  GPid pid = 0;
  GPid state_pid = 0;
  int fd;
  int wstatus;

  if (fixture->runtime == NULL)
    return;
  bundle = make_bundle (fixture, entrypoint);
  fd = open_log (fixture);
  g_assert_true (berth_runtime_start (fixture->runtime, id, bundle, fd, &pid, NULL, &error));
  g_assert_no_error (error);
  close (fd);
  g_assert_cmpint (pid, >, 0);

  /* the pid is the plugin's own process, and nothing of berth's sits
   * between it and this process (the subreaper): no shim */
  cmdline = wait_for_cmdline (pid, "/bin/sh -c trap");
  g_assert_nonnull (cmdline);
  g_assert_true (g_str_has_prefix (cmdline, "/bin/sh -c trap"));
  g_assert_cmpint (parent_of (pid), ==, getpid ());

  g_assert_true (wait_for_log (fixture, "hello from berth"));
  g_assert_true (berth_runtime_state (fixture->runtime, id, &status, &state_pid, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, BERTH_RUNTIME_STATUS_RUNNING);
  g_assert_cmpint (state_pid, ==, pid);

  /* a second container of that ID is refused */
  g_assert_false (berth_runtime_start (fixture->runtime, id, bundle, -1, NULL, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);

  g_assert_true (berth_runtime_kill (fixture->runtime, id, SIGTERM, NULL, &error));
  g_assert_no_error (error);
  wstatus = wait_child (pid);
  g_assert_true (WIFEXITED (wstatus));
  g_assert_cmpint (WEXITSTATUS (wstatus), ==, 3);
  g_assert_true (wait_for_log (fixture, "bye"));
  g_assert_cmpint (wait_for_status (fixture, id, BERTH_RUNTIME_STATUS_STOPPED), ==,
                   BERTH_RUNTIME_STATUS_STOPPED);

  g_assert_true (berth_runtime_delete (fixture->runtime, id, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (berth_runtime_state (fixture->runtime, id, &status, NULL, NULL, &error));
  g_assert_cmpint (status, ==, BERTH_RUNTIME_STATUS_UNKNOWN);
}

static void
test_exit_at_once (Fixture *fixture, gconstpointer data)
{
  const gchar *const entrypoint[] = { "/bin/sh", "-c", "echo quick; exit 7", NULL };
  g_autofree gchar *bundle = NULL;
  g_autofree gchar *id = next_id ();
  g_autoptr(GError) error = NULL;
  GPid pid = 0;
  int fd;
  int wstatus;

  if (fixture->runtime == NULL)
    return;
  bundle = make_bundle (fixture, entrypoint);
  fd = open_log (fixture);
  g_assert_true (berth_runtime_start (fixture->runtime, id, bundle, fd, &pid, NULL, &error));
  g_assert_no_error (error);
  close (fd);
  g_assert_cmpint (pid, >, 0);

  wstatus = wait_child (pid);
  g_assert_true (WIFEXITED (wstatus));
  g_assert_cmpint (WEXITSTATUS (wstatus), ==, 7);
  g_assert_true (wait_for_log (fixture, "quick"));
  g_assert_cmpint (wait_for_status (fixture, id, BERTH_RUNTIME_STATUS_STOPPED), ==,
                   BERTH_RUNTIME_STATUS_STOPPED);
  g_assert_true (berth_runtime_delete (fixture->runtime, id, FALSE, NULL, &error));
  g_assert_no_error (error);
}

static void
test_bad_entrypoint (Fixture *fixture, gconstpointer data)
{
  const gchar *const entrypoint[] = { "/no-such-entrypoint", NULL };
  g_autofree gchar *bundle = NULL;
  g_autofree gchar *id = next_id ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  g_autofree gchar *lower = NULL;
  BerthRuntimeStatus status;
  GPid pid = 0;
  int fd;

  if (fixture->runtime == NULL)
    return;
  bundle = make_bundle (fixture, entrypoint);
  fd = open_log (fixture);
  g_assert_false (berth_runtime_start (fixture->runtime, id, bundle, fd, &pid, NULL, &error));
  close (fd);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_FAILED);
  g_test_message ("%s", error->message);
  /* berth's context, then runc's own words */
  g_assert_true (g_str_has_prefix (error->message, "starting container "));
  g_assert_nonnull (strstr (error->message, "/no-such-entrypoint"));
  /* runc: "no such file or directory", crun: "No such file or directory" */
  lower = g_ascii_strdown (error->message, -1);
  g_assert_nonnull (strstr (lower, "no such file or directory"));
  g_assert_cmpint (pid, ==, 0);
  g_clear_error (&error);

  /* nothing left behind */
  ids = berth_runtime_list (fixture->runtime, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (strv_has (ids, id));
  g_assert_true (berth_runtime_state (fixture->runtime, id, &status, NULL, NULL, &error));
  g_assert_cmpint (status, ==, BERTH_RUNTIME_STATUS_UNKNOWN);
}

static void
test_delete_force (Fixture *fixture, gconstpointer data)
{
  const gchar *const entrypoint[] = { "/bin/sleep", "1000", NULL };
  g_autofree gchar *bundle = NULL;
  g_autofree gchar *id = next_id ();
  g_autoptr(GError) error = NULL;
  BerthRuntimeStatus status;
  GPid pid = 0;
  int wstatus;

  if (fixture->runtime == NULL)
    return;
  bundle = make_bundle (fixture, entrypoint);
  g_assert_true (berth_runtime_start (fixture->runtime, id, bundle, -1, &pid, NULL, &error));
  g_assert_no_error (error);

  /* without force, a running container stays */
  g_assert_false (berth_runtime_delete (fixture->runtime, id, FALSE, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "deleting container"));
  g_clear_error (&error);
  g_assert_true (berth_runtime_state (fixture->runtime, id, &status, NULL, NULL, &error));
  g_assert_cmpint (status, ==, BERTH_RUNTIME_STATUS_RUNNING);

  g_assert_true (berth_runtime_delete (fixture->runtime, id, TRUE, NULL, &error));
  g_assert_no_error (error);
  wstatus = wait_child (pid);
  g_assert_true (WIFSIGNALED (wstatus));
  g_assert_cmpint (WTERMSIG (wstatus), ==, SIGKILL);
  g_assert_true (berth_runtime_state (fixture->runtime, id, &status, NULL, NULL, &error));
  g_assert_cmpint (status, ==, BERTH_RUNTIME_STATUS_UNKNOWN);

  /* forgetting an unknown container is no error; killing one is */
  g_assert_true (berth_runtime_delete (fixture->runtime, id, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (berth_runtime_kill (fixture->runtime, id, SIGTERM, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (berth_runtime_delete (fixture->runtime, "../etc", TRUE, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
}

static void
test_list (Fixture *fixture, gconstpointer data)
{
  const gchar *const entrypoint[] = { "/bin/sleep", "1000", NULL };
  g_autofree gchar *bundle = NULL;
  g_autofree gchar *a = next_id ();
  g_autofree gchar *b = next_id ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) empty = NULL;
  g_auto(GStrv) two = NULL;
  g_auto(GStrv) one = NULL;

  if (fixture->runtime == NULL)
    return;
  empty = berth_runtime_list (fixture->runtime, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (empty);
  g_assert_cmpuint (g_strv_length (empty), ==, 0);

  /* one bundle, two containers */
  bundle = make_bundle (fixture, entrypoint);
  g_assert_true (berth_runtime_start (fixture->runtime, a, bundle, -1, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (berth_runtime_start (fixture->runtime, b, bundle, -1, NULL, NULL, &error));
  g_assert_no_error (error);
  two = berth_runtime_list (fixture->runtime, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (two), ==, 2);
  g_assert_true (strv_has (two, a));
  g_assert_true (strv_has (two, b));

  g_assert_true (berth_runtime_delete (fixture->runtime, a, TRUE, NULL, &error));
  g_assert_no_error (error);
  one = berth_runtime_list (fixture->runtime, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (one), ==, 1);
  g_assert_cmpstr (one[0], ==, b);
}

/* a plugin shaped like vieux/sshfs (reference/docker-observed.md): host
 * network, a propagated mount, two bind mounts from its settings, /dev/fuse
 * and CAP_SYS_ADMIN; run from the generated spec, it sees what Docker
 * would give it, with no_new_privs set, and a mount it makes under
 * PropagatedMount shows on the host side */
static void
test_sshfs_shape (Fixture *fixture, gconstpointer data)
{
  const gchar *script
    = "grep -E '^(CapInh|CapEff|NoNewPrivs)' /proc/self/status; "
      "if [ -e /dev/fuse ]; then stat -c 'fuse %t:%T %F' /dev/fuse; "
      "mkdir -p /mnt/fuse; exec 3<>/dev/fuse && echo fuse opened "
      "&& mount -t fuse -o fd=3,rootmode=40000,user_id=0,group_id=0 berth /mnt/fuse "
      "&& grep -q ' /mnt/fuse fuse ' /proc/mounts && echo fuse mounted; umount -l /mnt/fuse; fi; "
      "mkdir -p /mnt/volumes/v1 && mount -t tmpfs tmpfs /mnt/volumes/v1 "
      "&& echo propagated > /mnt/volumes/v1/hello; "
      "echo marker > /run/docker/plugins/marker; "
      "cat /root/.ssh/key; echo DEBUG is $DEBUG; "
      "echo ready; sleep 1000 & wait";
  gboolean have_fuse = g_file_test ("/dev/fuse", G_FILE_TEST_EXISTS);
  g_autofree gchar *bundle = g_build_filename (fixture->tmp, "sshfs", NULL);
  g_autofree gchar *keys = g_build_filename (fixture->tmp, "keys", NULL);
  g_autofree gchar *key = g_build_filename (keys, "key", NULL);
  g_autofree gchar *state = g_build_filename (fixture->tmp, "state", NULL);
  g_autofree gchar *propagated = g_build_filename (fixture->tmp, "propagated-mount", NULL);
  g_autofree gchar *hello = g_build_filename (propagated, "v1", "hello", NULL);
  g_autofree gchar *volume = g_build_filename (propagated, "v1", NULL);
  g_autofree gchar *marker = g_build_filename (bundle, "sockets", "marker", NULL);
  g_autofree gchar *devices = g_strdup (
    have_fuse ? "[{\"Description\":\"\",\"Name\":\"\",\"Path\":\"/dev/fuse\",\"Settable\":null}]"
              : "[]");
  g_autofree gchar *config = NULL;
  g_autofree gchar *settings = NULL;
  g_autofree gchar *log = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *id = next_id ();
  g_autoptr(GError) error = NULL;
  const gchar *cap_eff;
  guint64 caps;
  GPid pid = 0;
  int fd;

  if (fixture->runtime == NULL)
    return;
  config = g_strdup_printf (
    "{\"Description\":\"sshFS plugin for Docker\",\"Documentation\":\"\","
    "\"Entrypoint\":[\"/bin/sh\",\"-c\",\"%s\"],"
    "\"Env\":[{\"Name\":\"DEBUG\",\"Settable\":[\"value\"],\"Value\":\"0\"}],"
    "\"Interface\":{\"Socket\":\"sshfs.sock\",\"Types\":[\"docker.volumedriver/1.0\"]},"
    "\"Linux\":{\"AllowAllDevices\":false,\"Capabilities\":[\"CAP_SYS_ADMIN\"],\"Devices\":%s},"
    "\"Mounts\":[{\"Destination\":\"/mnt/state\",\"Name\":\"state\",\"Options\":[\"rbind\"],"
    "\"Settable\":[\"source\"],\"Source\":\"/var/lib/docker/plugins/\",\"Type\":\"bind\"},"
    "{\"Destination\":\"/root/.ssh\",\"Name\":\"sshkey\",\"Options\":[\"rbind\"],"
    "\"Settable\":[\"source\"],\"Source\":\"\",\"Type\":\"bind\"}],"
    "\"Network\":{\"Type\":\"host\"},\"PropagatedMount\":\"/mnt/volumes\"}",
    script, devices);
  settings = g_strdup_printf (
    "{\"Args\":[],\"Devices\":%s,\"Env\":[\"DEBUG=1\"],"
    "\"Mounts\":[{\"Destination\":\"/mnt/state\",\"Name\":\"state\",\"Options\":[\"rbind\"],"
    "\"Source\":\"%s\",\"Type\":\"bind\"},"
    "{\"Destination\":\"/root/.ssh\",\"Name\":\"sshkey\",\"Options\":[\"rbind\"],"
    "\"Source\":\"%s\",\"Type\":\"bind\"}]}",
    devices, state, keys);

  /* the engine's part: the propagated-mount directory, made rshared */
  g_assert_cmpint (g_mkdir_with_parents (keys, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (state, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (propagated, 0755), ==, 0);
  g_assert_true (g_file_set_contents (key, "secret key\n", -1, NULL));
  g_assert_cmpint (mount (propagated, propagated, NULL, MS_BIND, NULL), ==, 0);
  g_assert_cmpint (mount (NULL, propagated, NULL, MS_SHARED, NULL), ==, 0);

  g_assert_true (runtime_env_make_plugin_bundle (bundle, config, settings, propagated, &error));
  g_assert_no_error (error);
  fd = open_log (fixture);
  g_assert_true (berth_runtime_start (fixture->runtime, id, bundle, fd, &pid, NULL, &error));
  g_assert_no_error (error);
  close (fd);
  g_assert_true (wait_for_log (fixture, "ready"));
  g_assert_true (g_file_get_contents (fixture->log_path, &log, NULL, NULL));
  g_test_message ("%s", log);

  /* root with the defaults and CAP_SYS_ADMIN, nothing inheritable,
   * no_new_privs */
  g_assert_nonnull (strstr (log, "NoNewPrivs:\t1"));
  g_assert_nonnull (strstr (log, "CapInh:\t0000000000000000"));
  cap_eff = strstr (log, "CapEff:\t");
  g_assert_nonnull (cap_eff);
  caps = g_ascii_strtoull (cap_eff + strlen ("CapEff:\t"), NULL, 16);
  g_assert_true (caps & (G_GUINT64_CONSTANT (1) << 21));  /* CAP_SYS_ADMIN */
  g_assert_true (caps & (G_GUINT64_CONSTANT (1) << 0));   /* CAP_CHOWN */
  g_assert_false (caps & (G_GUINT64_CONSTANT (1) << 12)); /* CAP_NET_ADMIN */
  /* the device cgroup lets it open /dev/fuse (the default rules deny
   * 10:229), and FUSE mounts work under no_new_privs: what sshfs does */
  if (have_fuse)
    {
      g_assert_nonnull (strstr (log, "fuse a:e5 character special file"));
      g_assert_nonnull (strstr (log, "fuse opened"));
      g_assert_nonnull (strstr (log, "fuse mounted"));
    }
  g_assert_nonnull (strstr (log, "secret key"));
  g_assert_nonnull (strstr (log, "DEBUG is 1"));

  /* the mount it made reached the host side, and so did the file it wrote
   * beside its socket */
  g_assert_true (g_file_get_contents (hello, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "propagated\n");
  g_assert_true (g_file_test (marker, G_FILE_TEST_IS_REGULAR));

  g_assert_true (berth_runtime_delete (fixture->runtime, id, TRUE, NULL, &error));
  g_assert_no_error (error);
  (void)wait_child (pid);
  g_assert_cmpint (umount2 (volume, MNT_DETACH), ==, 0);
  g_assert_cmpint (umount2 (propagated, MNT_DETACH), ==, 0);
}

static void
test_check_runc (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (fixture->runtime == NULL)
    return;
  start = g_get_monotonic_time ();
  g_assert_true (berth_runtime_check (fixture->runtime, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("runc check: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);

  /* remembered for this binary and boot: a restarted berthd does not run
   * a container again */
  start = g_get_monotonic_time ();
  g_assert_true (berth_runtime_check (fixture->runtime, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("runc check again: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
}

static void
test_check_crun (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (fixture->runtime == NULL)
    return;
  ok = berth_runtime_check (fixture->runtime, NULL, &error);
  if (!host_cgroups_hybrid ())
    {
      g_test_message ("cgroups are not hybrid here; crun check: %s",
                      ok ? "passes" : error->message);
      g_test_skip ("the crun hybrid-cgroup refusal needs a hybrid cgroup host");
      return;
    }
  if (ok)
    {
      /* a crun newer than Debian 12's may cope */
      g_test_skip ("this crun runs on a hybrid cgroup host");
      return;
    }
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "cgroups in hybrid mode not supported"));
  g_assert_nonnull (strstr (error->message, "runtime=runc"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* mounts the tests make (a propagated-mount directory) stay in a mount
   * namespace of the test's own and vanish with it */
  if (geteuid () == 0
      && (unshare (CLONE_NEWNS) != 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0))
    g_error ("no private mount namespace: %s", g_strerror (errno));

  /* as berthd: the containers' first processes become this process's
   * children when the runtime exits */
  if (prctl (PR_SET_CHILD_SUBREAPER, 1) != 0)
    g_error ("PR_SET_CHILD_SUBREAPER: %s", g_strerror (errno));

  g_test_add_func ("/runtime/module/registration", test_module_registration);
  g_test_add_func ("/runtime/module/missing-binary", test_missing_binary);
  g_test_add ("/runtime/runc/start-state-kill", Fixture, "runc", fixture_set_up,
              test_start_state_kill, fixture_tear_down);
  g_test_add ("/runtime/runc/exit-at-once", Fixture, "runc", fixture_set_up, test_exit_at_once,
              fixture_tear_down);
  g_test_add ("/runtime/runc/bad-entrypoint", Fixture, "runc", fixture_set_up, test_bad_entrypoint,
              fixture_tear_down);
  g_test_add ("/runtime/runc/delete-force", Fixture, "runc", fixture_set_up, test_delete_force,
              fixture_tear_down);
  g_test_add ("/runtime/runc/list", Fixture, "runc", fixture_set_up, test_list, fixture_tear_down);
  g_test_add ("/runtime/runc/sshfs-shape", Fixture, "runc", fixture_set_up, test_sshfs_shape,
              fixture_tear_down);
  g_test_add ("/runtime/runc/check", Fixture, "runc", fixture_set_up, test_check_runc,
              fixture_tear_down);
  g_test_add ("/runtime/crun/check", Fixture, "crun", fixture_set_up, test_check_crun,
              fixture_tear_down);
  /* the same with crun, where it works (a cgroup v2 host) */
  g_test_add ("/runtime/crun/start-state-kill", Fixture, "crun+", fixture_set_up,
              test_start_state_kill, fixture_tear_down);
  g_test_add ("/runtime/crun/exit-at-once", Fixture, "crun+", fixture_set_up, test_exit_at_once,
              fixture_tear_down);
  g_test_add ("/runtime/crun/bad-entrypoint", Fixture, "crun+", fixture_set_up, test_bad_entrypoint,
              fixture_tear_down);
  g_test_add ("/runtime/crun/delete-force", Fixture, "crun+", fixture_set_up, test_delete_force,
              fixture_tear_down);
  g_test_add ("/runtime/crun/list", Fixture, "crun+", fixture_set_up, test_list, fixture_tear_down);
  return g_test_run ();
}
