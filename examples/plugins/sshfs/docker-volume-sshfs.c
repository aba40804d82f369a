/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * docker-volume-sshfs: the sshfs volume plugin, in C on libberth-plugin.
 *
 * Inside its container (Docker's or berth's) it listens on
 * /run/docker/plugins/sshfs.sock, keeps its volumes in
 * /mnt/state/sshfs-state.json and mounts them under /mnt/volumes, the
 * propagated mount. The options move all three for running it on a host.
 */

#include "config.h"

#include "sshfs-driver.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* strconv.ParseBool's true values, as the Go plugin reads DEBUG */
static gboolean
env_debug_enabled (void)
{
  const gchar *value = g_getenv ("DEBUG");
  const gchar *truths[] = { "1", "t", "T", "TRUE", "true", "True", NULL };

  return value != NULL && g_strv_contains (truths, value);
}

/*
 * In a container without a PID namespace of the host, the plugin is PID 1:
 * the sshfs daemons it starts are reparented to it when their starter exits.
 * A small parent reaps them and passes signals on, and the plugin runs as its
 * child. Done before GLib starts any thread.
 */
static void
become_init_if_pid1 (void)
{
  sigset_t set;
  sigset_t old;
  pid_t child;

  if (getpid () != 1)
    return;
  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGHUP);
  sigaddset (&set, SIGQUIT);
  sigprocmask (SIG_BLOCK, &set, &old);
  child = fork ();
  if (child < 0)
    {
      sigprocmask (SIG_SETMASK, &old, NULL);
      return;
    }
  if (child == 0)
    {
      sigprocmask (SIG_SETMASK, &old, NULL);
      return;
    }
  for (;;)
    {
      gint sig = 0;

      if (sigwait (&set, &sig) != 0)
        continue;
      if (sig != SIGCHLD)
        {
          kill (child, sig);
          continue;
        }
      for (;;)
        {
          gint status = 0;
          pid_t pid = waitpid (-1, &status, WNOHANG);

          if (pid <= 0)
            break;
          if (pid == child)
            _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
        }
    }
}

int
main (int argc, char *argv[])
{
  g_autofree gchar *socket_path = NULL;
  g_autofree gchar *state_dir = NULL;
  g_autofree gchar *volumes_dir = NULL;
  g_autofree gchar *sshfs_program = NULL;
  gint mount_timeout = 0;
  gboolean version = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(SshfsDriver) driver = NULL;
  g_autoptr(BerthPluginServer) server = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "socket", 0, 0, G_OPTION_ARG_FILENAME, &socket_path,
      "Listen on PATH (default: /run/docker/plugins/sshfs.sock)", "PATH" },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      "Keep sshfs-state.json in DIR (default: /mnt/state)", "DIR" },
    { "volumes-dir", 0, 0, G_OPTION_ARG_FILENAME, &volumes_dir,
      "Mount volumes under DIR (default: /mnt/volumes)", "DIR" },
    { "sshfs", 0, 0, G_OPTION_ARG_FILENAME, &sshfs_program,
      "The sshfs program (default: sshfs in PATH)", "PROGRAM" },
    { "mount-timeout", 0, 0, G_OPTION_ARG_INT, &mount_timeout,
      "Kill an sshfs that has not mounted after SECONDS (default: 90)", "SECONDS" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Show the version and exit", NULL },
    { NULL },
  };

  context = g_option_context_new ("- sshfs volume plugin for Docker and berth");
  g_option_context_set_description (context,
                                    "Environment:\n"
                                    "  DEBUG=1   log every call and the sshfs command lines\n");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("docker-volume-sshfs: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("docker-volume-sshfs %s\n", PACKAGE_VERSION);
      return 0;
    }

  become_init_if_pid1 ();
  /* a reader that went away must not kill the plugin */
  signal (SIGPIPE, SIG_IGN);

  g_log_writer_default_set_use_stderr (TRUE);
  if (env_debug_enabled ())
    g_log_set_debug_enabled (TRUE);

  driver = sshfs_driver_new (state_dir != NULL ? state_dir : "/mnt/state",
                             volumes_dir != NULL ? volumes_dir : "/mnt/volumes",
                             sshfs_program != NULL ? sshfs_program : "sshfs", &error);
  if (driver == NULL)
    {
      g_printerr ("docker-volume-sshfs: %s\n", error->message);
      return 1;
    }
  if (mount_timeout > 0)
    sshfs_driver_set_mount_timeout (driver, (guint)mount_timeout);

  server = berth_plugin_server_new ();
  berth_plugin_server_add_volume_driver (server, sshfs_driver_get_funcs (), g_object_ref (driver),
                                         g_object_unref);
  if (socket_path == NULL)
    socket_path = berth_plugin_socket_path ("sshfs.sock");
  if (!berth_plugin_server_listen (server, socket_path, &error))
    {
      g_printerr ("docker-volume-sshfs: %s\n", error->message);
      return 1;
    }
  g_message ("listening on %s", socket_path);
  if (!berth_plugin_server_run (server, &error))
    {
      g_printerr ("docker-volume-sshfs: %s\n", error->message);
      return 1;
    }
  return 0;
}
