/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <locale.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "berth-daemon.h"
#include "berth-engine.h"
#include "berth-log.h"

static gint verbosity = 0;

static gboolean
count_verbose (const gchar *option_name, const gchar *value, gpointer data, GError **error)
{
  verbosity++;
  return TRUE;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  GMainLoop *loop = user_data;
  g_message ("shutting down");
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static GKeyFile *
load_config (const gchar *path, gboolean explicit, GError **error)
{
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_file (config, path, G_KEY_FILE_NONE, &local_error))
    {
      /* the default file is optional; one named on the command line is not */
      if (!explicit && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&config);
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%s: %s", path,
                   local_error->message);
      return NULL;
    }
  return g_steal_pointer (&config);
}

/* descriptors berthd inherited (from a shell, a supervisor) are not passed
 * on: the runtime spawns runc with the parent's descriptors, which lets
 * GLib use posix_spawn rather than fork the whole daemon, and everything
 * berthd opens itself is close-on-exec already */
static void
close_inherited_on_exec (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      gint fd = atoi (name);
      gint flags;
      if (fd <= STDERR_FILENO)
        continue;
      flags = fcntl (fd, F_GETFD);
      if (flags >= 0 && !(flags & FD_CLOEXEC))
        fcntl (fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

int
main (int argc, char **argv)
{
  g_autofree gchar *root = NULL;
  g_autofree gchar *run_dir = NULL;
  g_autofree gchar *listen = NULL;
  g_autofree gchar *config_path = NULL;
  gboolean system = FALSE;
  gboolean version = FALSE;
  const GOptionEntry entries[]
    = { { "root", 0, 0, G_OPTION_ARG_FILENAME, &root,
          "State directory (default " BERTH_DEFAULT_ROOT ")", "DIR" },
        { "run-dir", 0, 0, G_OPTION_ARG_FILENAME, &run_dir,
          "Runtime directory (default " BERTH_DEFAULT_RUN_DIR ")", "DIR" },
        { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
          "D-Bus address to listen on (default unix:path=RUN-DIR/berth.sock)", "ADDRESS" },
        { "system", 0, 0, G_OPTION_ARG_NONE, &system, "Also own org.berth.Berth1 on the system bus",
          NULL },
        { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path,
          "Configuration file (default " BERTH_SYSCONFDIR "/berth/berthd.conf)", "FILE" },
        { "verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, count_verbose,
          "Log more (twice for debug)", NULL },
        { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
        { NULL } };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPaths) paths = NULL;
  g_autoptr(GKeyFile) config = NULL;
  g_autoptr(BerthEngine) engine = NULL;
  g_autoptr(BerthDaemon) daemon = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree gchar *address = NULL;

  /* GLib before 2.76 keeps what GVariants and hash tables free in GSlice's
   * magazines for ever: one `volume ls` of 10,000 volumes would leave
   * berthd 11 MB larger. Plain malloc gives it back (see mallopt below and
   * berth_dbus_trim_after_reply()). GLib reads G_SLICE before main() runs,
   * so berthd sets it and starts again, the same process. */
  if (glib_check_version (2, 76, 0) != NULL && g_getenv ("G_SLICE") == NULL)
    {
      /* the real path: the process keeps its name for ps and pgrep */
      g_autofree gchar *self = g_file_read_link ("/proc/self/exe", NULL);
      g_setenv ("G_SLICE", "always-malloc", TRUE);
      if (self != NULL)
        execv (self, argv);
      g_unsetenv ("G_SLICE"); /* it could not: berthd goes on as it is */
    }

  close_inherited_on_exec ();
  setlocale (LC_ALL, "");
  /* berthd idles for weeks between bursts of work (an import reads layer
   * files into memory on a worker thread): few arenas, big buffers always
   * mapped and unmapped, so what a burst takes goes back to the system */
  mallopt (M_ARENA_MAX, 2);
  mallopt (M_MMAP_THRESHOLD, 256 * 1024);
  mallopt (M_TRIM_THRESHOLD, 512 * 1024);
  context = g_option_context_new ("- the berth managed plugin daemon");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (
    context, "Environment: BERTH_ROOT, BERTH_RUN_DIR, BERTH_MODULE_DIR and BERTH_CONFIG set\n"
             "the same paths as the flags, which win. See berthd(8).");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("berthd: %s\nRun 'berthd --help' for more information.\n", error->message);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("berthd: unexpected argument '%s'\nRun 'berthd --help' for more information.\n",
                  argv[1]);
      return 2;
    }
  if (version)
    {
      g_print ("berthd %s (module ABI %d)\n", PACKAGE_VERSION, BERTH_MODULE_ABI);
      return 0;
    }

  berth_log_setup ("berthd");
  berth_log_set_level (verbosity >= 2 ? "debug" : verbosity == 1 ? "info" : "message", NULL);

  /* plugins run detached, with no shim: as their child subreaper berthd
   * becomes their parent when the runtime exits, and collects their exit */
  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    g_warning ("cannot become a child subreaper: %s", g_strerror (errno));

  paths = berth_paths_new ();
  if (root != NULL)
    berth_paths_set (paths, BERTH_PATH_ROOT, root);
  if (run_dir != NULL)
    berth_paths_set (paths, BERTH_PATH_RUN_DIR, run_dir);
  if (config_path != NULL)
    berth_paths_set (paths, BERTH_PATH_CONFIG_FILE, config_path);

  config = load_config (berth_paths_get (paths, BERTH_PATH_CONFIG_FILE),
                        config_path != NULL || g_getenv ("BERTH_CONFIG") != NULL, &error);
  if (config == NULL)
    {
      g_printerr ("berthd: %s\n", error->message);
      return 1;
    }

  engine = berth_engine_new (paths, config);
  if (!berth_engine_startup (engine, NULL, &error))
    {
      g_printerr ("berthd: %s\n", error->message);
      return 1;
    }

  /* before the socket answers, so a signal is never missed */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_unix_signal_add (SIGINT, on_quit_signal, loop);

  daemon = berth_daemon_new (engine);
  address = listen != NULL ? g_strdup (listen) : berth_paths_default_address (paths);
  if (!berth_daemon_listen (daemon, address, &error))
    {
      g_printerr ("berthd: %s\n", error->message);
      return 1;
    }
  if (system)
    berth_daemon_own_system_name (daemon);

  g_message ("berthd %s serving %s (root %s)", PACKAGE_VERSION, address,
             berth_paths_get (paths, BERTH_PATH_ROOT));
  g_main_loop_run (loop);

  berth_daemon_stop (daemon);
  berth_engine_shutdown (engine);
  return 0;
}
