/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the sshfs plugin tests share: a real sshd, processes that die with
 * the test, free ports, mount checks.
 */

#include "sshd-fixture.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>

void
test_run_sync (const gchar *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *err = NULL;
  gint status = 0;

  g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s: %s", argv[0], error->message, err);
}

/* a test that bails out leaves no sshd or plugin behind */
void
test_child_setup_die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

guint16
test_free_tcp_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

gboolean
test_tcp_port_answers (guint16 port)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  /* a plain socket: GSocketClient would look for a proxy in GSettings */
  return g_socket_connect (socket, address, NULL, NULL);
}

gboolean
test_unix_socket_answers (const gchar *path)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);

  return g_socket_connect (socket, address, NULL, NULL);
}

/* an sshd on 127.0.0.1 that lets in the key it makes at key_path (and
 * key_path.pub); its files and log go to dir */
GSubprocess *
test_sshd_start (const gchar *dir, const gchar *key_path, guint16 *port_out)
{
  g_autofree gchar *host_key = g_build_filename (dir, "ssh_host_ed25519_key", NULL);
  g_autofree gchar *authorized = g_build_filename (dir, "authorized_keys", NULL);
  g_autofree gchar *pub = g_strconcat (key_path, ".pub", NULL);
  g_autofree gchar *pub_data = NULL;
  g_autofree gchar *config_path = g_build_filename (dir, "sshd_config", NULL);
  g_autofree gchar *config = NULL;
  g_autofree gchar *log = g_build_filename (dir, "sshd.log", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *sshd;
  guint16 port;
  gint64 deadline;

  test_run_sync (
    (const gchar *[]){ "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", host_key, NULL });
  test_run_sync (
    (const gchar *[]){ "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key_path, NULL });
  g_file_get_contents (pub, &pub_data, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (authorized, pub_data, -1, &error);
  g_assert_no_error (error);

  port = test_free_tcp_port ();
  config = g_strdup_printf ("Port %u\n"
                            "ListenAddress 127.0.0.1\n"
                            "HostKey %s\n"
                            "AuthorizedKeysFile %s\n"
                            "UsePAM no\n"
                            "StrictModes no\n"
                            "PermitRootLogin yes\n"
                            "PasswordAuthentication no\n"
                            "KbdInteractiveAuthentication no\n"
                            "PidFile none\n"
                            "Subsystem sftp internal-sftp\n",
                            port, host_key, authorized);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);
  /* sshd's privilege separation directory is compiled in */
  g_mkdir_with_parents ("/run/sshd", 0755);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_child_setup (launcher, test_child_setup_die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  sshd = g_subprocess_launcher_spawn (launcher, &error, TEST_SSHD, "-D", "-e", "-f", config_path, NULL);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!test_tcp_port_answers (port))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree gchar *text = NULL;
          g_file_get_contents (log, &text, NULL, NULL);
          g_error ("sshd did not start: %s", text);
        }
      g_usleep (20 * 1000);
    }
  *port_out = port;
  return sshd;
}

gboolean
test_is_mounted (const gchar *path)
{
  g_autofree gchar *parent = g_path_get_dirname (path);
  struct stat st;
  struct stat parent_st;

  if (stat (path, &st) != 0 || stat (parent, &parent_st) != 0)
    return FALSE;
  return st.st_dev != parent_st.st_dev;
}
