/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthCli"

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "berth-cli-bus.h"
#include "berth-error.h"

/* Why not GDBusConnection: it starts two threads and registers a few dozen
 * GObject types before the first byte is sent, and merely linking GIO and
 * GObject costs a short-lived command 2.5 ms on a small VM (their
 * constructors, libmount, libselinux), more than everything else it does.
 * The CLI needs only blocking calls on one socket: this does SASL EXTERNAL
 * and then writes and reads messages marshalled by berth-cli-wire.c.
 * berthd itself is an ordinary GDBus server. */

/* libberth registers BERTH_ERROR's D-Bus names through GIO; the CLI maps
 * them itself (berth_error_from_dbus_name()) and needs only the quark */
GQuark
berth_error_quark (void)
{
  return g_quark_from_static_string ("berth-error-quark");
}

struct _BerthCliBus
{
  gint fd;
  guint32 serial;
  GByteArray *in; /* bytes read and not yet used */
  GArray *fds;    /* file descriptors received and not yet used */
  gboolean unix_fds;
  BerthCliWaitFunc wait_func; /* waits for berthd, serving other files meanwhile */
  gpointer wait_data;
};

/**
 * berth_cli_bus_set_wait_func:
 * @bus: a connection
 * @func: (nullable): called instead of a plain wait whenever the client
 *   waits for berthd without a time limit; it returns once @bus_fd is
 *   readable (`berth run -t` relays a terminal meanwhile)
 * @user_data: for @func
 */
void
berth_cli_bus_set_wait_func (BerthCliBus *bus, BerthCliWaitFunc func, gpointer user_data)
{
  bus->wait_func = func;
  bus->wait_data = user_data;
}

void
berth_cli_bus_free (BerthCliBus *bus)
{
  if (bus->fd >= 0)
    close (bus->fd);
  g_clear_pointer (&bus->fds, g_array_unref);
  g_byte_array_unref (bus->in);
  g_free (bus);
}

static gboolean
write_failed (gint errsv, GError **error)
{
  if (errsv == EPIPE || errsv == ECONNRESET)
    g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_FAILED, "berthd closed the connection");
  else
    g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot write to berthd: %s",
                 g_strerror (errsv));
  return FALSE;
}

static gboolean
write_all (BerthCliBus *bus, const void *data, gsize len, GError **error)
{
  const guint8 *p = data;
  while (len > 0)
    {
      ssize_t n = send (bus->fd, p, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return write_failed (errno, error);
      p += n;
      len -= n;
    }
  return TRUE;
}

/* reads more bytes into bus->in; FALSE on end of stream, error or timeout */
static gboolean
read_more (BerthCliBus *bus, gint timeout_ms, GError **error)
{
  guint8 buf[65536];
  ssize_t n;

  if (timeout_ms < 0 && bus->wait_func != NULL)
    bus->wait_func (bus->fd, bus->wait_data);
  else if (timeout_ms >= 0)
    {
      struct pollfd pfd = { .fd = bus->fd, .events = POLLIN };
      gint r;
      do
        r = poll (&pfd, 1, timeout_ms);
      while (r < 0 && errno == EINTR);
      if (r == 0)
        {
          g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_TIMED_OUT,
                               "berthd did not answer in time");
          return FALSE;
        }
    }
  {
    union
    {
      struct cmsghdr align;
      gchar buf[CMSG_SPACE (sizeof (gint) * 16)];
    } control;
    struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
    struct msghdr msg = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof control
    };
    do
      n = recvmsg (bus->fd, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    /* file descriptors berthd passed come beside the bytes */
    for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); n > 0 && c != NULL; c = CMSG_NXTHDR (&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
        g_array_append_vals (bus->fds, CMSG_DATA (c), (c->cmsg_len - CMSG_LEN (0)) / sizeof (gint));
  }
  if (n <= 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "berthd closed the connection%s%s",
                   n < 0 ? ": " : "", n < 0 ? g_strerror (errno) : "");
      return FALSE;
    }
  g_byte_array_append (bus->in, buf, n);
  return TRUE;
}

static gchar *
read_line (BerthCliBus *bus, GError **error)
{
  for (;;)
    {
      for (guint i = 0; i + 1 < bus->in->len; i++)
        if (bus->in->data[i] == '\r' && bus->in->data[i + 1] == '\n')
          {
            gchar *line = g_strndup ((const gchar *)bus->in->data, i);
            g_byte_array_remove_range (bus->in, 0, i + 2);
            return line;
          }
      if (bus->in->len > 4096)
        {
          g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                               "berthd sent a malformed authentication line");
          return NULL;
        }
      if (!read_more (bus, 30000, error))
        return NULL;
    }
}

static gboolean
parse_address (const gchar *address, struct sockaddr_un *sa, socklen_t *sa_len, GError **error)
{
  g_auto(GStrv) parts = NULL;

  memset (sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  if (!g_str_has_prefix (address, "unix:"))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "unsupported address %s: berth talks to berthd on unix sockets", address);
      return FALSE;
    }
  parts = g_strsplit (address + strlen ("unix:"), ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      gboolean abstract = g_str_has_prefix (parts[i], "abstract=");
      if (g_str_has_prefix (parts[i], "path=") || abstract)
        {
          g_autofree gchar *value = g_uri_unescape_string (strchr (parts[i], '=') + 1, NULL);
          gsize len = value != NULL ? strlen (value) : 0;
          gsize offset = abstract ? 1 : 0;
          if (value == NULL || len + offset >= sizeof sa->sun_path)
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "bad socket path in %s", address);
              return FALSE;
            }
          memcpy (sa->sun_path + offset, value, len);
          *sa_len = offsetof (struct sockaddr_un, sun_path) + offset + len + (abstract ? 0 : 1);
          return TRUE;
        }
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "no path= or abstract= in %s",
               address);
  return FALSE;
}

/**
 * berth_cli_bus_connect:
 * @address: a D-Bus address (`unix:path=…`)
 * @is_bus: the address is a message bus: say Hello
 * @error: return location for a #GError
 *
 * Connects and authenticates with EXTERNAL: the kernel tells berthd who we are.
 *
 * Returns: (transfer full): a connection
 */
BerthCliBus *
berth_cli_bus_connect (const gchar *address, gboolean is_bus, GError **error)
{
  g_autoptr(BerthCliBus) bus = g_new0 (BerthCliBus, 1);
  struct sockaddr_un sa;
  socklen_t sa_len = 0;
  g_autofree gchar *uid = g_strdup_printf ("%u", (guint)geteuid ());
  g_autoptr(GString) auth = g_string_new (NULL);
  g_autofree gchar *line = NULL;

  bus->fd = -1;
  bus->in = g_byte_array_new ();
  bus->fds = berth_cli_fds_new ();
  if (!parse_address (address, &sa, &sa_len, error))
    return NULL;
  bus->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (bus->fd < 0 || connect (bus->fd, (struct sockaddr *)&sa, sa_len) != 0)
    {
      gint errsv = errno;
      g_set_error (error, BERTH_ERROR,
                   errsv == EACCES ? BERTH_ERROR_PERMISSION_DENIED : BERTH_ERROR_FAILED, "%s",
                   g_strerror (errsv));
      return NULL;
    }

  /* the NUL byte, AUTH EXTERNAL with our uid in hex, and the rest of the
   * conversation without waiting for each answer: GDBus (like sd-bus and
   * dbus-daemon) reads the lines one by one, and this saves two round trips */
  g_string_append_c (auth, '\0');
  g_string_append (auth, "AUTH EXTERNAL ");
  for (const gchar *p = uid; *p != '\0'; p++)
    g_string_append_printf (auth, "%02x", (guint)(guchar)*p);
  /* berthd hands out log files and terminals as descriptors */
  g_string_append (auth, "\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n");
  if (!write_all (bus, auth->str, auth->len, error))
    return NULL;
  line = read_line (bus, error);
  if (line == NULL)
    return NULL;
  if (!g_str_has_prefix (line, "OK "))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_PERMISSION_DENIED,
                   "berthd refused authentication: %s", line);
      return NULL;
    }
  g_free (line);
  line = read_line (bus, error);
  if (line == NULL)
    return NULL;
  bus->unix_fds = g_str_equal (line, "AGREE_UNIX_FD");

  if (is_bus)
    {
      g_autoptr(GVariant) hello = berth_cli_bus_call (
        bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", NULL,
        G_VARIANT_TYPE ("(s)"), NULL, error);
      if (hello == NULL)
        return NULL;
    }
  return g_steal_pointer (&bus);
}

/* the next message berthd sends, with the descriptors that came with it */
static BerthCliMessage *
receive (BerthCliBus *bus, GError **error)
{
  gssize needed;
  BerthCliMessage *message;

  while (bus->in->len < 16)
    if (!read_more (bus, -1, error))
      return NULL;
  needed = berth_cli_wire_bytes_needed (bus->in->data, bus->in->len, error);
  if (needed < 0)
    return NULL;
  while (bus->in->len < (gsize)needed)
    if (!read_more (bus, -1, error))
      return NULL;
  message = berth_cli_wire_decode (bus->in->data, needed, error);
  g_byte_array_remove_range (bus->in, 0, needed);
  if (message == NULL)
    return NULL;
  if (message->n_fds > 0)
    {
      /* the kernel hands them over with the message's bytes; they are the
       * first ones not yet given to an earlier message */
      guint n = MIN (message->n_fds, bus->fds->len);
      message->fds = berth_cli_fds_new ();
      g_array_append_vals (message->fds, bus->fds->data, n);
      for (guint i = 0; i < n; i++)
        g_array_index (bus->fds, gint, i) = -1;
      g_array_remove_range (bus->fds, 0, n);
    }
  return message;
}

/**
 * berth_cli_error_is_remote:
 * @error: an error
 *
 * Returns: whether @error is berthd's answer rather than the CLI's own;
 *   its message then starts with "Error response from daemon: ", as docker's
 */
gboolean
berth_cli_error_is_remote (const GError *error)
{
  return error != NULL && g_str_has_prefix (error->message, BERTH_CLI_REMOTE_PREFIX);
}

/**
 * berth_cli_bus_call:
 * @bus: a connection
 * @destination: (nullable): the bus name, or %NULL on a peer-to-peer socket
 * @path: the object
 * @interface: the interface
 * @method: the method
 * @parameters: (nullable) (transfer floating): the arguments
 * @reply_type: (nullable): the reply's type, checked
 * @out_fds: (out) (optional) (transfer full): file descriptors that came with
 *   the reply, an array from berth_cli_fds_new()
 * @error: return location for a #GError; berthd's errors keep their code
 *
 * Calls a method and waits for its reply; signals that arrive meanwhile are dropped.
 *
 * Returns: (transfer full): the reply's body
 */
GVariant *
berth_cli_bus_call (BerthCliBus *bus,
                    const gchar *destination,
                    const gchar *path,
                    const gchar *interface,
                    const gchar *method,
                    GVariant *parameters,
                    const GVariantType *reply_type,
                    GArray **out_fds,
                    GError **error)
{
  return berth_cli_bus_call_full (bus, destination, path, interface, method, parameters, NULL, 0,
                                  reply_type, out_fds, NULL, NULL, error);
}

/* the message's bytes, with @fds beside the first of them (SCM_RIGHTS) */
static gboolean
write_with_fds (
  BerthCliBus *bus, const guint8 *data, gsize len, const gint *fds, guint n_fds, GError **error)
{
  union
  {
    struct cmsghdr align;
    gchar buf[CMSG_SPACE (sizeof (gint) * 16)];
  } control = { 0 };
  struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  struct cmsghdr *c;
  ssize_t n;

  if (n_fds == 0)
    return write_all (bus, data, len, error);
  msg.msg_control = &control;
  msg.msg_controllen = CMSG_SPACE (sizeof (gint) * n_fds);
  /* the buffer is large enough, so there is a first header */
  c = (struct cmsghdr *)control.buf;
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (gint) * n_fds);
  memcpy (CMSG_DATA (c), fds, sizeof (gint) * n_fds);
  do
    n = sendmsg (bus->fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return write_failed (errno, error);
  return write_all (bus, data + n, len - n, error);
}

/* an error reply as a #GError: berth's names keep their code, and the
 * message reads as docker's */
static void
set_remote_error (BerthCliMessage *reply, GError **error)
{
  GVariant *body = berth_cli_message_get_body (reply, NULL);
  const gchar *text = NULL;

  if (body != NULL && g_variant_is_of_type (body, G_VARIANT_TYPE ("(s)")))
    g_variant_get (body, "(&s)", &text);
  g_set_error (error, BERTH_ERROR, berth_error_from_dbus_name (reply->error_name),
               BERTH_CLI_REMOTE_PREFIX "%s", text != NULL ? text : reply->error_name);
}

/* sends a call and waits for its reply, the body not yet read */
static BerthCliMessage *
call_message (BerthCliBus *bus,
              const gchar *destination,
              const gchar *path,
              const gchar *interface,
              const gchar *method,
              GVariant *parameters,
              const gint *fds,
              guint n_fds,
              BerthCliSignalFunc signal_func,
              gpointer signal_data,
              GError **error)
{
  g_autoptr(GVariant) sunk = parameters != NULL ? g_variant_ref_sink (parameters) : NULL;
  g_autofree guint8 *blob = NULL;
  gsize blob_len;
  guint32 serial = ++bus->serial;

  if (n_fds > 0 && (!bus->unix_fds || n_fds > 16))
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                           "cannot pass files to berthd on this connection");
      return NULL;
    }
  blob = berth_cli_wire_encode_call (destination, path, interface, method, sunk, n_fds, serial,
                                     &blob_len);
  if (!write_with_fds (bus, blob, blob_len, fds, n_fds, error))
    return NULL;

  for (;;)
    {
      g_autoptr(BerthCliMessage) reply = receive (bus, error);

      if (reply == NULL)
        return NULL;
      if (reply->type == BERTH_CLI_MESSAGE_SIGNAL)
        {
          if (signal_func != NULL)
            signal_func (reply, serial, signal_data);
          continue;
        }
      if (reply->reply_serial != serial)
        continue;
      if (reply->type == BERTH_CLI_MESSAGE_ERROR)
        {
          set_remote_error (reply, error);
          return NULL;
        }
      return g_steal_pointer (&reply);
    }
}

/**
 * berth_cli_bus_call_message:
 * @bus: a connection
 * @destination: (nullable): the bus name, or %NULL on a peer-to-peer socket
 * @path: the object
 * @interface: the interface
 * @method: the method
 * @parameters: (nullable) (transfer floating): the arguments
 * @reply_signature: the reply's D-Bus signature, checked
 * @error: return location for a #GError, as berth_cli_bus_call_full()'s
 *
 * Calls a method and returns its reply with the body unread, for
 * berth_cli_reader_init(): a long list is read in place.
 *
 * Returns: (transfer full): the reply
 */
BerthCliMessage *
berth_cli_bus_call_message (BerthCliBus *bus,
                            const gchar *destination,
                            const gchar *path,
                            const gchar *interface,
                            const gchar *method,
                            GVariant *parameters,
                            const gchar *reply_signature,
                            GError **error)
{
  g_autoptr(BerthCliMessage) reply = call_message (bus, destination, path, interface, method,
                                                    parameters, NULL, 0, NULL, NULL, error);

  if (reply == NULL)
    return NULL;
  if (!g_str_equal (reply->signature, reply_signature))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                   "berthd answered %s.%s with (%s), not the type expected", interface, method,
                   reply->signature);
      return NULL;
    }
  return g_steal_pointer (&reply);
}

/**
 * berth_cli_bus_call_full:
 * @bus: a connection
 * @destination: (nullable): the bus name, or %NULL on a peer-to-peer socket
 * @path: the object
 * @interface: the interface
 * @method: the method
 * @parameters: (nullable) (transfer floating): the arguments; handles (`h`)
 *   index @fds
 * @fds: (array length=n_fds) (nullable): file descriptors passed with the
 *   call; they stay the caller's
 * @n_fds: how many, at most 16
 * @reply_type: (nullable): the reply's type, checked
 * @out_fds: (out) (optional) (transfer full): file descriptors that came with
 *   the reply
 * @signal_func: (nullable): sees each signal that arrives before the reply
 * @signal_data: for @signal_func
 * @error: return location for a #GError; berthd's errors keep their code,
 *   and their message starts with %BERTH_CLI_REMOTE_PREFIX
 *
 * Calls a method and waits for its reply, handing the signals that arrive
 * meanwhile (a job's progress) to @signal_func with the call's serial.
 *
 * Returns: (transfer full): the reply's body
 */
GVariant *
berth_cli_bus_call_full (BerthCliBus *bus,
                         const gchar *destination,
                         const gchar *path,
                         const gchar *interface,
                         const gchar *method,
                         GVariant *parameters,
                         const gint *fds,
                         guint n_fds,
                         const GVariantType *reply_type,
                         GArray **out_fds,
                         BerthCliSignalFunc signal_func,
                         gpointer signal_data,
                         GError **error)
{
  g_autoptr(BerthCliMessage) reply
             = call_message (bus, destination, path, interface, method, parameters, fds, n_fds,
                             signal_func, signal_data, error);
  GVariant *body;

  if (reply == NULL)
    return NULL;
  body = berth_cli_message_get_body (reply, error);
  if (body == NULL)
    return NULL;
  if (reply_type != NULL && !g_variant_is_of_type (body, reply_type))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                   "berthd answered %s.%s with %s, not the type expected", interface, method,
                   g_variant_get_type_string (body));
      return NULL;
    }
  if (out_fds != NULL)
    *out_fds = g_steal_pointer (&reply->fds);
  return g_variant_ref (body);
}
