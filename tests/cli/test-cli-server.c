/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <berth.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The real berth binary against a server that lies: it authenticates as
 * berthd does, then answers the first call with damaged bytes, an error,
 * or nothing. The CLI must say what is wrong and exit 1, never crash. */

typedef enum
{
  ANSWER_NOT_UTF8,
  ANSWER_HUGE,
  ANSWER_HANG_UP,
  ANSWER_ACCESS_DENIED,
  ANSWER_WRONG_TYPE,
} Answer;

typedef struct
{
  GSocket *listener;
  Answer answer;
} Server;

static gboolean
read_until (gint fd, GByteArray *in, const gchar *needle)
{
  guint8 buf[4096];
  /* the first byte is a NUL: memmem, not a string search */
  while (memmem (in->data, in->len, needle, strlen (needle)) == NULL)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n <= 0)
        return FALSE;
      g_byte_array_append (in, buf, n);
    }
  return TRUE;
}

/* the reply to serial 1 that the scenario calls for, as bytes */
static GBytes *
make_answer (Answer answer)
{
  g_autoptr(GDBusMessage) call
             = g_dbus_message_new_method_call (NULL, "/org/berth/Berth1", "x.y", "Z");
  g_autoptr(GDBusMessage) reply = NULL;
  guchar *blob;
  gsize len = 0;

  g_dbus_message_set_serial (call, 1);
  if (answer == ANSWER_ACCESS_DENIED)
    reply = g_dbus_message_new_method_error_literal (
      call, "org.freedesktop.DBus.Error.AccessDenied", "only root may do that");
  else
    {
      reply = g_dbus_message_new_method_reply (call);
      g_dbus_message_set_body (reply, answer == ANSWER_WRONG_TYPE
                                        ? g_variant_new ("(u)", 7)
                                        : g_variant_new_parsed ("({'Version': <'MARKER'>},)"));
    }
  g_dbus_message_set_serial (reply, 2);
  blob = g_dbus_message_to_blob (reply, &len, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);
  g_assert_nonnull (blob);
  if (answer == ANSWER_NOT_UTF8)
    {
      guchar *at = memmem (blob, len, "MARKER", 6);
      g_assert_nonnull (at);
      at[0] = 0xff;
    }
  else if (answer == ANSWER_HUGE)
    {
      guint32 huge = 0x7fffffff;
      memcpy (blob + 4, &huge, 4); /* the body's length */
    }
  return g_bytes_new_take (blob, len);
}

static gpointer
serve (gpointer data)
{
  Server *server = data;
  g_autoptr(GSocket) peer = g_socket_accept (server->listener, NULL, NULL);
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GBytes) answer = NULL;
  const gchar *hello = "OK 0123456789abcdef0123456789abcdef\r\nAGREE_UNIX_FD\r\n";
  gint fd;

  if (peer == NULL)
    return NULL;
  fd = g_socket_get_fd (peer);
  /* GSocket keeps its descriptors non-blocking; this server reads plainly */
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  if (!read_until (fd, in, "BEGIN\r\n") || write (fd, hello, strlen (hello)) < 0)
    return NULL;
  if (server->answer == ANSWER_HANG_UP)
    return NULL;
  /* the call itself: the scenario answers it whatever it is */
  {
    guint8 buf[4096];
    ssize_t n = read (fd, buf, sizeof buf);
    if (n <= 0)
      return NULL;
  }
  answer = make_answer (server->answer);
  if (write (fd, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer)) < 0)
    return NULL;
  /* keep the connection until the CLI has read and gone */
  {
    guint8 buf[64];
    while (read (fd, buf, sizeof buf) > 0)
      ;
  }
  return NULL;
}

static void
run_cli_against (Answer answer, const gchar *expected_stderr)
{
  g_autofree gchar *dir = g_dir_make_tmp ("berth-cli-server-XXXXXX", NULL);
  g_autofree gchar *path = g_build_filename (dir, "berth.sock", NULL);
  g_autofree gchar *address = g_strdup_printf ("unix:path=%s", path);
  g_autoptr(GSocketAddress) sa = g_unix_socket_address_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  const gchar *berth = g_getenv ("BERTH");
  const gchar *argv[] = { berth, "--address", address, "version", NULL };
  Server server = { .answer = answer };
  GThread *thread;
  gint status = 0;

  g_assert_nonnull (berth);
  server.listener = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (server.listener, sa, TRUE, &error));
  g_assert_true (g_socket_listen (server.listener, &error));
  thread = g_thread_new ("server", serve, &server);

  g_assert_true (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error));
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_true (WIFEXITED (status));
  g_assert_nonnull (strstr (err, expected_stderr));

  g_socket_close (server.listener, NULL);
  g_thread_join (thread);
  g_object_unref (server.listener);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_server_not_utf8 (void)
{
  run_cli_against (ANSWER_NOT_UTF8,
                   "berth: berthd sent a malformed message: a string is not UTF-8");
}

static void
test_server_huge (void)
{
  run_cli_against (ANSWER_HUGE, "berth: berthd sent a malformed message: longer than 128 MiB");
}

static void
test_server_hang_up (void)
{
  run_cli_against (ANSWER_HANG_UP, "berthd closed the connection");
}

static void
test_server_access_denied (void)
{
  /* a standard D-Bus error reads as the daemon's answer, as docker prints it */
  run_cli_against (ANSWER_ACCESS_DENIED, "Error response from daemon: only root may do that\n");
}

static void
test_server_wrong_type (void)
{
  run_cli_against (ANSWER_WRONG_TYPE, "not the type expected");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/cli/server/not-utf8", test_server_not_utf8);
  g_test_add_func ("/cli/server/huge", test_server_huge);
  g_test_add_func ("/cli/server/hang-up", test_server_hang_up);
  g_test_add_func ("/cli/server/access-denied", test_server_access_denied);
  g_test_add_func ("/cli/server/wrong-type", test_server_wrong_type);
  return g_test_run ();
}
