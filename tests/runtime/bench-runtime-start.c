/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* the start time of a busybox container through the runtime module (what
 * berthd pays per plugin start), beside `runc run --detach` run directly;
 * prints medians, asserts nothing; tests/bench/runtime-start.sh runs it */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime-env.h"

static gint
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *)a;
  gdouble y = *(const gdouble *)b;
  return x < y ? -1 : x > y ? 1 : 0;
}

static void
report (const gchar *what, GArray *times)
{
  gdouble *v = (gdouble *)times->data;
  guint n = times->len;
  gdouble median;

  g_array_sort (times, compare_doubles);
  median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  g_print ("%-28s median %6.1f ms   min %6.1f ms   max %6.1f ms   (%u runs)\n", what, median, v[0],
           v[n - 1], n);
}

static void
reap (GPid pid)
{
  int status;
  if (pid > 0)
    (void)waitpid (pid, &status, 0);
}

static gboolean
time_module_start (
  BerthRuntime *runtime, const gchar *bundle, gint n, gdouble *out_ms, GError **error)
{
  g_autofree gchar *id = g_strdup_printf ("bench-%d", n);
  gint64 start = g_get_monotonic_time ();
  GPid pid = 0;

  if (!berth_runtime_start (runtime, id, bundle, -1, &pid, NULL, error))
    return FALSE;
  *out_ms = (g_get_monotonic_time () - start) / 1000.0;
  reap (pid);
  (void)berth_runtime_delete (runtime, id, TRUE, NULL, NULL);
  return TRUE;
}

/* the same bundle, the runtime run by hand */
static gboolean
time_raw_start (const gchar *binary,
                const gchar *root,
                const gchar *bundle,
                const gchar *tmp,
                gint n,
                gdouble *out_ms,
                GError **error)
{
  g_autofree gchar *id = g_strdup_printf ("raw-%d", n);
  g_autofree gchar *pid_file = g_build_filename (tmp, "raw.pid", NULL);
  g_autofree gchar *pid_text = NULL;
  const gchar *run[] = { binary,   "--root",   root,   "run", "--detach", "--pid-file",
                         pid_file, "--bundle", bundle, id,    NULL };
  const gchar *del[] = { binary, "--root", root, "delete", "--force", id, NULL };
  gint64 start = g_get_monotonic_time ();
  gint status = 0;

  if (!g_spawn_sync (NULL, (gchar **)run, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                     &status, error)
      || !g_spawn_check_wait_status (status, error))
    return FALSE;
  *out_ms = (g_get_monotonic_time () - start) / 1000.0;
  if (g_file_get_contents (pid_file, &pid_text, NULL, NULL))
    reap ((GPid)atoi (pid_text));
  (void)g_spawn_sync (NULL, (gchar **)del, NULL,
                      G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
                      NULL, NULL, NULL);
  return TRUE;
}

int
main (int argc, char **argv)
{
  gint runs = 30;
  gboolean raw = TRUE;
  const gchar *name = "runc";
  const GOptionEntry entries[] = {
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, "starts to time (default 30)", "N" },
    { "runtime", 'r', 0, G_OPTION_ARG_STRING, &name, "runc or crun (default runc)", "NAME" },
    { NULL },
  };
  const gchar *const entrypoint[] = { "/bin/true", NULL };
  g_autoptr(GOptionContext) context = g_option_context_new ("- time container starts");
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPaths) paths = berth_paths_new ();
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autoptr(BerthRuntime) runtime = NULL;
  g_autoptr(GArray) module_times = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) raw_times = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autofree gchar *tmp = NULL;
  g_autofree gchar *bundle = NULL;
  g_autofree gchar *run_dir = NULL;
  g_autofree gchar *raw_root = NULL;
  g_autofree gchar *found = NULL;
  const gchar *binary;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (geteuid () != 0 || !runtime_env_busybox_usable ())
    {
      g_printerr ("needs root and a static /bin/busybox (busybox-static)\n");
      return 77;
    }
  /* as berthd: the started processes become this process's children */
  (void)prctl (PR_SET_CHILD_SUBREAPER, 1);

  tmp = g_dir_make_tmp ("berth-bench-runtime-XXXXXX", &error);
  g_assert_no_error (error);
  run_dir = g_build_filename (tmp, "run", NULL);
  raw_root = g_build_filename (tmp, "raw", NULL);
  bundle = g_build_filename (tmp, "bundle", NULL);
  berth_paths_set (paths, BERTH_PATH_RUN_DIR, run_dir);
  runtime = runtime_env_new (name, paths, config, &error);
  if (runtime == NULL || !runtime_env_make_bundle (bundle, entrypoint, &error))
    {
      g_printerr ("%s\n", error->message);
      runtime_env_remove_tree (tmp);
      return 1;
    }
  /* the raw runs use the binary the module would find first */
  found = g_find_program_in_path (name);
  if (found == NULL)
    found = g_build_filename ("/usr/sbin", name, NULL);
  binary = found;

  /* two rounds to warm the page cache, then the timed ones; the two ways
   * take turns, so that a busy machine slows both alike */
  for (gint i = -2; i < runs; i++)
    {
      gdouble ms;

      if (!time_module_start (runtime, bundle, i + 2, &ms, &error))
        {
          g_printerr ("%s\n", error->message);
          runtime_env_remove_tree (tmp);
          return 1;
        }
      if (i >= 0)
        g_array_append_val (module_times, ms);
      if (raw && !time_raw_start (binary, raw_root, bundle, tmp, i + 2, &ms, &error))
        {
          g_printerr ("%s run: %s\n", binary, error->message);
          g_clear_error (&error);
          raw = FALSE;
        }
      if (raw && i >= 0)
        g_array_append_val (raw_times, ms);
    }

  g_print ("busybox container start (/bin/true), bundle from the spec generator, %s:\n", name);
  report ("berth_runtime_start()", module_times);
  if (raw && raw_times->len > 0)
    report ("runtime run --detach (raw)", raw_times);
  runtime_env_remove_tree (tmp);
  return 0;
}
