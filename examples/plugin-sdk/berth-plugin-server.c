/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "berth-plugin.h"
#include "berth-plugin-http-private.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

/* a request head (request line and header fields) is small; Docker's are
 * about 200 bytes */
#define MAX_HEAD (16 * 1024)

G_DEFINE_QUARK (berth - plugin - error - quark, berth_plugin_error)

typedef struct
{
  BerthPluginHandlerFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} Handler;

static void
handler_free (Handler *handler)
{
  if (handler->destroy != NULL)
    handler->destroy (handler->user_data);
  g_free (handler);
}

/* what connection threads share with the server object; reference counted
 * because a connection thread may outlive the object */
typedef struct
{
  GMutex lock; /* protects everything but the cancellable and call_lock */
  GHashTable *handlers;
  GPtrArray *implements; /* NULL-terminated */
  gboolean concurrent;
  gsize max_body;
  guint error_status;
  GMutex call_lock; /* one handler at a time unless concurrent */
  GCancellable *cancellable;
} Core;

static void
core_clear (Core *core)
{
  g_hash_table_unref (core->handlers);
  g_ptr_array_unref (core->implements);
  g_object_unref (core->cancellable);
  g_mutex_clear (&core->lock);
  g_mutex_clear (&core->call_lock);
}

static Core *
core_new (void)
{
  Core *core = g_atomic_rc_box_new0 (Core);

  g_mutex_init (&core->lock);
  g_mutex_init (&core->call_lock);
  core->handlers
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)handler_free);
  core->implements = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (core->implements, NULL);
  core->max_body = BERTH_PLUGIN_DEFAULT_MAX_BODY;
  /* what Docker's go-plugins-helpers answer a failed call with */
  core->error_status = 500;
  core->cancellable = g_cancellable_new ();
  return core;
}

static void
core_unref (Core *core)
{
  g_atomic_rc_box_release_full (core, (GDestroyNotify)core_clear);
}

static void
core_closure_notify (gpointer data, GClosure *closure)
{
  core_unref (data);
}

struct _BerthPluginServer
{
  GObject parent_instance;
  Core *core;
  GSocketService *service;
  gulong run_id;
  gchar *socket_path;
  dev_t socket_dev;
  ino_t socket_ino;
  GMainLoop *loop;
};

G_DEFINE_TYPE (BerthPluginServer, berth_plugin_server, G_TYPE_OBJECT)

static gchar *
object_to_body (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree gchar *text = NULL;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  /* as Go's json.Encoder writes it */
  return g_strconcat (text, "\n", NULL);
}

static gchar *
error_to_body (const gchar *message)
{
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "Err", message);
  return object_to_body (object);
}

static JsonObject *
parse_params (GBytes *body, GError **error)
{
  gsize len = 0;
  const gchar *data = g_bytes_get_data (body, &len);
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  gsize i = 0;

  while (i < len && g_ascii_isspace (data[i]))
    i++;
  if (i == len)
    return json_object_new ();
  if (!g_utf8_validate_len (data, len, NULL))
    {
      g_set_error_literal (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                           "request body is not UTF-8");
      return NULL;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize)len, error))
    {
      g_prefix_error (error, "invalid JSON in the request body: ");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                           "the request body is not a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static JsonObject *
core_activate_response (Core *core)
{
  JsonObject *object = json_object_new ();
  JsonArray *array = json_array_new ();

  g_mutex_lock (&core->lock);
  for (guint i = 0; i + 1 < core->implements->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (core->implements, i));
  g_mutex_unlock (&core->lock);
  json_object_set_array_member (object, "Implements", array);
  return object;
}

/* answers one request; returns whether the connection stays open */
static gboolean
core_dispatch (Core *core, BerthPluginHttpConn *http, BerthPluginHttpRequest *request)
{
  const gchar *method = request->path + 1;
  g_autoptr(JsonObject) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *body = NULL;
  const gchar *extra = NULL;
  guint status = 200;
  Handler handler = { 0 };
  gboolean found = FALSE;
  guint error_status;
  gboolean concurrent;

  g_mutex_lock (&core->lock);
  {
    Handler *h = g_hash_table_lookup (core->handlers, method);
    if (h != NULL)
      {
        handler = *h;
        found = TRUE;
      }
  }
  error_status = core->error_status;
  concurrent = core->concurrent;
  g_mutex_unlock (&core->lock);

  if (g_strcmp0 (request->method, "POST") != 0)
    {
      status = 405;
      extra = "Allow: POST\r\n";
      g_set_error (&error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                   "method %s not allowed; plugin calls use POST", request->method);
    }
  else if (!found && g_strcmp0 (method, "Plugin.Activate") == 0)
    {
      response = core_activate_response (core);
    }
  else if (!found)
    {
      status = 404;
      g_set_error (&error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_NOT_SUPPORTED,
                   "%s is not implemented by this plugin", request->path);
    }
  else
    {
      g_autoptr(JsonObject) params = parse_params (request->body, &error);

      if (params == NULL)
        {
          status = 400;
        }
      else
        {
          if (!concurrent)
            g_mutex_lock (&core->call_lock);
          response = handler.func (method, params, handler.user_data, &error);
          if (!concurrent)
            g_mutex_unlock (&core->call_lock);
          if (response == NULL && error != NULL)
            status = error_status;
          else if (response == NULL)
            response = json_object_new ();
        }
    }

  if (error != NULL)
    {
      g_debug ("%s %s: %u: %s", request->method, request->path, status, error->message);
      body = error_to_body (error->message);
    }
  else
    {
      g_debug ("%s %s: %u", request->method, request->path, status);
      body = object_to_body (response);
    }

  g_clear_error (&error);
  if (!berth_plugin_http_write_response (http, status, BERTH_PLUGIN_CONTENT_TYPE, extra, body,
                                         strlen (body), request->keep_alive, &error))
    {
      g_debug ("writing the response to %s: %s", request->path, error->message);
      return FALSE;
    }
  return request->keep_alive;
}

static void
core_serve (Core *core, GSocketConnection *connection)
{
  BerthPluginHttpConn http;
  gsize max_body;

  g_mutex_lock (&core->lock);
  max_body = core->max_body;
  g_mutex_unlock (&core->lock);

  berth_plugin_http_conn_init (&http, G_IO_STREAM (connection), MAX_HEAD, max_body,
                               core->cancellable);
  for (;;)
    {
      BerthPluginHttpRequest request;
      g_autoptr(GError) error = NULL;
      gboolean keep_alive;

      if (!berth_plugin_http_read_request (&http, &request, &error))
        {
          berth_plugin_http_request_clear (&request);
          if (error->domain == BERTH_PLUGIN_HTTP_ERROR
              && error->code != BERTH_PLUGIN_HTTP_ERROR_CLOSED)
            {
              g_autofree gchar *body = error_to_body (error->message);

              g_debug ("bad request: %s", error->message);
              /* the rest of the stream cannot be trusted: answer and close */
              berth_plugin_http_write_response (&http, (guint)error->code,
                                                BERTH_PLUGIN_CONTENT_TYPE, NULL, body,
                                                strlen (body), FALSE, NULL);
            }
          else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                   && error->domain != BERTH_PLUGIN_HTTP_ERROR)
            {
              g_debug ("reading a request: %s", error->message);
            }
          break;
        }
      keep_alive = core_dispatch (core, &http, &request);
      berth_plugin_http_request_clear (&request);
      if (!keep_alive)
        break;
    }
  berth_plugin_http_conn_clear (&http);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
}

static gboolean
on_run (GThreadedSocketService *service,
        GSocketConnection *connection,
        GObject *source_object,
        gpointer user_data)
{
  core_serve (user_data, connection);
  return TRUE;
}

static void
berth_plugin_server_dispose (GObject *object)
{
  BerthPluginServer *self = BERTH_PLUGIN_SERVER (object);

  berth_plugin_server_stop (self);
  g_clear_object (&self->service);
  G_OBJECT_CLASS (berth_plugin_server_parent_class)->dispose (object);
}

static void
berth_plugin_server_finalize (GObject *object)
{
  BerthPluginServer *self = BERTH_PLUGIN_SERVER (object);

  g_free (self->socket_path);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  core_unref (self->core);
  G_OBJECT_CLASS (berth_plugin_server_parent_class)->finalize (object);
}

static void
berth_plugin_server_class_init (BerthPluginServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = berth_plugin_server_dispose;
  object_class->finalize = berth_plugin_server_finalize;
}

static void
berth_plugin_server_init (BerthPluginServer *self)
{
  self->core = core_new ();
}

/**
 * berth_plugin_server_new:
 *
 * Creates a server that answers nothing but `/Plugin.Activate` until
 * handlers are added.
 *
 * Returns: (transfer full): a new #BerthPluginServer
 */
BerthPluginServer *
berth_plugin_server_new (void)
{
  return g_object_new (BERTH_PLUGIN_TYPE_SERVER, NULL);
}

/**
 * berth_plugin_server_add_handler:
 * @self: a #BerthPluginServer
 * @method: the method, such as `VolumeDriver.Create` (`POST /VolumeDriver.Create`)
 * @func: the handler
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the server is gone
 *
 * Routes calls of @method to @func, replacing an earlier handler. A handler
 * for `Plugin.Activate` replaces the built-in answer. Add handlers before
 * listening.
 */
void
berth_plugin_server_add_handler (BerthPluginServer *self,
                                 const gchar *method,
                                 BerthPluginHandlerFunc func,
                                 gpointer user_data,
                                 GDestroyNotify destroy)
{
  Handler *handler;

  g_return_if_fail (BERTH_PLUGIN_IS_SERVER (self));
  g_return_if_fail (method != NULL && method[0] != '/');
  g_return_if_fail (func != NULL);

  handler = g_new0 (Handler, 1);
  handler->func = func;
  handler->user_data = user_data;
  handler->destroy = destroy;
  g_mutex_lock (&self->core->lock);
  g_hash_table_replace (self->core->handlers, g_strdup (method), handler);
  g_mutex_unlock (&self->core->lock);
}

/**
 * berth_plugin_server_add_implements:
 * @self: a #BerthPluginServer
 * @interface_name: an interface name of the `Plugin.Activate` answer:
 *   `VolumeDriver`, `NetworkDriver`, `IpamDriver`, `authz`, `LogDriver`
 *
 * Adds @interface_name to `{"Implements": [...]}`, once. Managed plugins
 * declare their interfaces in config.json and are never activated; legacy
 * plugins (a socket in /run/docker/plugins) are.
 */
void
berth_plugin_server_add_implements (BerthPluginServer *self, const gchar *interface_name)
{
  GPtrArray *implements;

  g_return_if_fail (BERTH_PLUGIN_IS_SERVER (self));
  g_return_if_fail (interface_name != NULL);

  g_mutex_lock (&self->core->lock);
  implements = self->core->implements;
  if (!g_strv_contains ((const gchar *const *)implements->pdata, interface_name))
    {
      implements->pdata[implements->len - 1] = g_strdup (interface_name);
      g_ptr_array_add (implements, NULL);
    }
  g_mutex_unlock (&self->core->lock);
}

/**
 * berth_plugin_server_get_implements:
 * @self: a #BerthPluginServer
 *
 * Gets the interfaces added with berth_plugin_server_add_implements().
 *
 * Returns: (transfer none): a %NULL-terminated array, valid until the next
 *   addition
 */
const gchar *const *
berth_plugin_server_get_implements (BerthPluginServer *self)
{
  g_return_val_if_fail (BERTH_PLUGIN_IS_SERVER (self), NULL);
  return (const gchar *const *)self->core->implements->pdata;
}

/**
 * berth_plugin_server_set_max_body_size:
 * @self: a #BerthPluginServer
 * @max_body_size: the largest request body accepted, in bytes
 *
 * Sets the request size limit for connections accepted from now on; larger
 * requests get HTTP 413 and the connection is closed. The default is
 * %BERTH_PLUGIN_DEFAULT_MAX_BODY.
 */
void
berth_plugin_server_set_max_body_size (BerthPluginServer *self, gsize max_body_size)
{
  g_return_if_fail (BERTH_PLUGIN_IS_SERVER (self));
  g_mutex_lock (&self->core->lock);
  self->core->max_body = max_body_size;
  g_mutex_unlock (&self->core->lock);
}

/**
 * berth_plugin_server_set_concurrent:
 * @self: a #BerthPluginServer
 * @concurrent: whether handlers may run at the same time
 *
 * By default the server calls one handler at a time, so a plugin needs no
 * locking of its own; a plugin whose handlers are thread-safe may allow
 * concurrent calls, so that a slow `Mount` does not delay a `List`. Set it
 * before listening.
 */
void
berth_plugin_server_set_concurrent (BerthPluginServer *self, gboolean concurrent)
{
  g_return_if_fail (BERTH_PLUGIN_IS_SERVER (self));
  g_mutex_lock (&self->core->lock);
  self->core->concurrent = concurrent;
  g_mutex_unlock (&self->core->lock);
}

/**
 * berth_plugin_server_set_error_status:
 * @self: a #BerthPluginServer
 * @status: the HTTP status of a response carrying a handler's error
 *
 * A failed call is answered `{"Err": "<message>"}` with this status: 500 by
 * default, as Docker's go-plugins-helpers do, in which case the daemon
 * reports `VolumeDriver.Mount: <message>`; with 200 the daemon reports the
 * message alone.
 */
void
berth_plugin_server_set_error_status (BerthPluginServer *self, guint status)
{
  g_return_if_fail (BERTH_PLUGIN_IS_SERVER (self));
  g_return_if_fail (status >= 200 && status <= 599);
  g_mutex_lock (&self->core->lock);
  self->core->error_status = status;
  g_mutex_unlock (&self->core->lock);
}

/**
 * berth_plugin_socket_path:
 * @name: the socket name of config.json (`Interface.Socket`, such as
 *   `sshfs.sock`), or a legacy plugin name (`sshfs`)
 *
 * Builds the path a plugin listens on: `/run/docker/plugins/<name>.sock`.
 *
 * Returns: (transfer full): the path
 */
gchar *
berth_plugin_socket_path (const gchar *name)
{
  g_autofree gchar *file = NULL;

  g_return_val_if_fail (name != NULL, NULL);
  file = g_str_has_suffix (name, ".sock") ? g_strdup (name) : g_strconcat (name, ".sock", NULL);
  return g_build_filename (BERTH_PLUGIN_SOCKET_DIR, file, NULL);
}

/* a socket nobody answers on is left over from an earlier run */
static gboolean
remove_stale_socket (const gchar *path, GError **error)
{
  struct stat st;
  g_autoptr(GSocket) probe = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) local_error = NULL;

  if (lstat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  if (!S_ISSOCK (st.st_mode))
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_ADDRESS_IN_USE,
                   "%s exists and is not a socket", path);
      return FALSE;
    }
  probe
    = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (probe == NULL)
    return FALSE;
  address = g_unix_socket_address_new (path);
  if (g_socket_connect (probe, address, NULL, &local_error))
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_ADDRESS_IN_USE,
                   "another process is listening on %s", path);
      return FALSE;
    }
  g_debug ("removing the stale socket %s (%s)", path, local_error->message);
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "removing %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static void
ensure_service (BerthPluginServer *self)
{
  if (self->service != NULL)
    return;
  /* a thread per connection, as many as the daemon opens */
  self->service = g_threaded_socket_service_new (-1);
  g_atomic_rc_box_acquire (self->core);
  self->run_id = g_signal_connect_data (self->service, "run", G_CALLBACK (on_run), self->core,
                                        core_closure_notify, 0);
}

/**
 * berth_plugin_server_listen:
 * @self: a #BerthPluginServer
 * @socket_path: the unix socket to create, usually from
 *   berth_plugin_socket_path()
 * @error: return location for a #GError
 *
 * Listens on @socket_path: creates its directory, removes a stale socket
 * left by an earlier run (but fails if another process answers on it), and
 * makes the socket mode 0660. Connections are accepted in the thread-default
 * main context of the caller and served in worker threads. The socket is
 * removed by berth_plugin_server_stop().
 *
 * Returns: %TRUE on success
 */
gboolean
berth_plugin_server_listen (BerthPluginServer *self, const gchar *socket_path, GError **error)
{
  g_autofree gchar *dir = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  struct stat st;

  g_return_val_if_fail (BERTH_PLUGIN_IS_SERVER (self), FALSE);
  g_return_val_if_fail (socket_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->socket_path != NULL)
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                   "already listening on %s", self->socket_path);
      return FALSE;
    }
  if (g_cancellable_is_cancelled (self->core->cancellable))
    {
      g_set_error_literal (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                           "the server was stopped");
      return FALSE;
    }
  if (strlen (socket_path) >= sizeof (((struct sockaddr_un *)NULL)->sun_path))
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                   "socket path %s is longer than %zu bytes", socket_path,
                   sizeof (((struct sockaddr_un *)NULL)->sun_path) - 1);
      return FALSE;
    }
  dir = g_path_get_dirname (socket_path);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "creating %s: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }
  if (!remove_stale_socket (socket_path, error))
    return FALSE;

  ensure_service (self);
  address = g_unix_socket_address_new (socket_path);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL,
                                      error))
    {
      g_prefix_error (error, "listening on %s: ", socket_path);
      return FALSE;
    }
  if (chmod (socket_path, 0660) != 0 || stat (socket_path, &st) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", socket_path,
                   g_strerror (errno));
      return FALSE;
    }
  self->socket_path = g_strdup (socket_path);
  self->socket_dev = st.st_dev;
  self->socket_ino = st.st_ino;
  g_socket_service_start (self->service);
  g_debug ("listening on %s", socket_path);
  return TRUE;
}

/**
 * berth_plugin_server_listen_socket:
 * @self: a #BerthPluginServer
 * @socket: a listening socket, such as one passed by systemd socket activation
 * @error: return location for a #GError
 *
 * Serves connections accepted on @socket, which the caller owns on disk.
 *
 * Returns: %TRUE on success
 */
gboolean
berth_plugin_server_listen_socket (BerthPluginServer *self, GSocket *socket, GError **error)
{
  g_return_val_if_fail (BERTH_PLUGIN_IS_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_SOCKET (socket), FALSE);

  ensure_service (self);
  if (!g_socket_listener_add_socket (G_SOCKET_LISTENER (self->service), socket, NULL, error))
    return FALSE;
  g_socket_service_start (self->service);
  return TRUE;
}

/**
 * berth_plugin_server_get_socket_path:
 * @self: a #BerthPluginServer
 *
 * Gets the path given to berth_plugin_server_listen().
 *
 * Returns: (nullable): the socket path
 */
const gchar *
berth_plugin_server_get_socket_path (BerthPluginServer *self)
{
  g_return_val_if_fail (BERTH_PLUGIN_IS_SERVER (self), NULL);
  return self->socket_path;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  BerthPluginServer *self = user_data;

  g_debug ("stopping on a signal");
  g_main_loop_quit (self->loop);
  return G_SOURCE_CONTINUE;
}

/**
 * berth_plugin_server_run:
 * @self: a listening #BerthPluginServer
 * @error: return location for a #GError
 *
 * Runs the thread-default main context until SIGTERM or SIGINT (how Docker
 * and berth stop a plugin) or berth_plugin_server_stop(), then stops the
 * server, which removes its socket.
 *
 * Returns: %TRUE when it stopped as asked
 */
gboolean
berth_plugin_server_run (BerthPluginServer *self, GError **error)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  const gint signals[] = { SIGTERM, SIGINT };
  GSource *sources[G_N_ELEMENTS (signals)];

  g_return_val_if_fail (BERTH_PLUGIN_IS_SERVER (self), FALSE);

  if (self->service == NULL)
    {
      g_set_error_literal (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                           "the server is not listening");
      return FALSE;
    }
  if (self->loop == NULL)
    self->loop = g_main_loop_new (context, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      sources[i] = g_unix_signal_source_new (signals[i]);
      g_source_set_callback (sources[i], on_quit_signal, self, NULL);
      g_source_attach (sources[i], context);
    }
  if (!g_cancellable_is_cancelled (self->core->cancellable))
    g_main_loop_run (self->loop);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      g_source_destroy (sources[i]);
      g_source_unref (sources[i]);
    }
  berth_plugin_server_stop (self);
  return TRUE;
}

/**
 * berth_plugin_server_stop:
 * @self: a #BerthPluginServer
 *
 * Stops accepting connections, ends those open (a running handler finishes
 * first), removes the socket made by berth_plugin_server_listen() and makes
 * berth_plugin_server_run() return. A stopped server does not listen again.
 */
void
berth_plugin_server_stop (BerthPluginServer *self)
{
  g_return_if_fail (BERTH_PLUGIN_IS_SERVER (self));

  if (self->service != NULL && self->run_id != 0)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_signal_handler_disconnect (self->service, self->run_id);
      self->run_id = 0;
    }
  g_cancellable_cancel (self->core->cancellable);
  if (self->socket_path != NULL && self->socket_ino != 0)
    {
      struct stat st;

      /* only our own socket: a newer instance may have replaced it */
      if (lstat (self->socket_path, &st) == 0 && st.st_dev == self->socket_dev
          && st.st_ino == self->socket_ino)
        g_unlink (self->socket_path);
      self->socket_ino = 0;
    }
  if (self->loop != NULL)
    g_main_loop_quit (self->loop);
}
