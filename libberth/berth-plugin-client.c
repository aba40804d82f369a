/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthPluginClient"

#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <stdlib.h>
#include <string.h>

#include "berth-error.h"
#include "berth-json.h"
#include "berth-plugin-client.h"

/**
 * BerthPluginClient:
 *
 * The daemon's side of the plugin protocol (reference §6.0): one HTTP/1.1
 * `POST /<Interface>.<Method>` per call on a fresh connection to the plugin's
 * unix socket, shaped as dockerd sends it, with a deadline per call, a cap on
 * what the plugin may answer, and bounded retries when the socket does not
 * accept a connection. Everything runs on the caller's main context; nothing
 * blocks.
 */
struct _BerthPluginClient
{
  GObject parent_instance;
  gchar *socket_path;
  guint retry_budget;
  gsize max_response_size;
};

G_DEFINE_FINAL_TYPE (BerthPluginClient, berth_plugin_client, G_TYPE_OBJECT)

#define HEADER_LIMIT     (64 * 1024)
#define READ_CHUNK       (16 * 1024)
#define FIRST_BACKOFF_MS 100
#define MAX_BACKOFF_MS   30000

typedef struct
{
  BerthPluginClient *client; /* owned */
  gchar *method;
  GBytes *request;
  guint timeout_ms;
  GCancellable *cancel; /* ours: the deadline and the caller's cancellable cancel it */
  GCancellable *caller_cancellable;
  gulong caller_handler;
  GSource *deadline;
  GSource *backoff;
  GSource *backoff_cancel;
  gboolean timed_out;
  guint status; /* of the plugin's answer; 0 without one */
  gint64 started;
  guint next_backoff;
  guint attempts;
  GSocketClient *socket_client;
  GSocketConnection *connection;
  GByteArray *buffer;
  guint8 read_chunk[READ_CHUNK];
} Call;

static void
destroy_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_source_unref (*source);
  *source = NULL;
}

static void
call_free (Call *call)
{
  destroy_source (&call->deadline);
  destroy_source (&call->backoff);
  destroy_source (&call->backoff_cancel);
  if (call->caller_handler != 0)
    g_cancellable_disconnect (call->caller_cancellable, call->caller_handler);
  g_clear_object (&call->caller_cancellable);
  g_clear_object (&call->cancel);
  g_clear_object (&call->socket_client);
  if (call->connection != NULL)
    g_io_stream_close (G_IO_STREAM (call->connection), NULL, NULL);
  g_clear_object (&call->connection);
  g_clear_pointer (&call->buffer, g_byte_array_unref);
  g_clear_pointer (&call->request, g_bytes_unref);
  g_clear_object (&call->client);
  g_free (call->method);
  g_free (call);
}

static void
berth_plugin_client_finalize (GObject *object)
{
  BerthPluginClient *self = BERTH_PLUGIN_CLIENT (object);

  g_free (self->socket_path);
  G_OBJECT_CLASS (berth_plugin_client_parent_class)->finalize (object);
}

static void
berth_plugin_client_class_init (BerthPluginClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = berth_plugin_client_finalize;
}

static void
berth_plugin_client_init (BerthPluginClient *self)
{
  self->retry_budget = BERTH_PLUGIN_CLIENT_DEFAULT_RETRY_BUDGET;
  self->max_response_size = BERTH_PLUGIN_CLIENT_MAX_RESPONSE_SIZE;
}

/**
 * berth_plugin_client_new:
 * @socket_path: the host path of the plugin's unix socket
 *
 * Returns: (transfer full): a client for the plugin listening on @socket_path
 */
BerthPluginClient *
berth_plugin_client_new (const gchar *socket_path)
{
  BerthPluginClient *self;

  g_return_val_if_fail (socket_path != NULL, NULL);
  self = g_object_new (BERTH_TYPE_PLUGIN_CLIENT, NULL);
  self->socket_path = g_strdup (socket_path);
  return self;
}

/**
 * berth_plugin_client_get_socket_path:
 * @self: a #BerthPluginClient
 *
 * Returns: the socket this client calls
 */
const gchar *
berth_plugin_client_get_socket_path (BerthPluginClient *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CLIENT (self), NULL);
  return self->socket_path;
}

/**
 * berth_plugin_client_set_retry_budget:
 * @self: a #BerthPluginClient
 * @msec: how long to keep retrying a connection, 0 for a single attempt
 *
 * Only connection errors are retried, with a back-off doubling from 100 ms,
 * and no retry starts that would end after @msec (docker's rule, with a
 * budget of 30 s). Errors the plugin answers are never retried.
 */
void
berth_plugin_client_set_retry_budget (BerthPluginClient *self, guint msec)
{
  g_return_if_fail (BERTH_IS_PLUGIN_CLIENT (self));
  self->retry_budget = msec;
}

/**
 * berth_plugin_client_get_retry_budget:
 * @self: a #BerthPluginClient
 *
 * Returns: the retry budget in milliseconds
 */
guint
berth_plugin_client_get_retry_budget (BerthPluginClient *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CLIENT (self), 0);
  return self->retry_budget;
}

/**
 * berth_plugin_client_set_max_response_size:
 * @self: a #BerthPluginClient
 * @size: the largest response body accepted, in bytes
 */
void
berth_plugin_client_set_max_response_size (BerthPluginClient *self, gsize size)
{
  g_return_if_fail (BERTH_IS_PLUGIN_CLIENT (self));
  self->max_response_size = size;
}

static void call_connect (GTask *task);

/* the error a failed step returns: the deadline and the caller's cancel
 * have their own words, whatever GIO said */
static void
call_fail (GTask *task, GError *error, const gchar *what)
{
  Call *call = g_task_get_task_data (task);
  BerthPluginClient *self = call->client;

  if (call->timed_out)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_TIMED_OUT,
                               "%s: the plugin on %s did not answer within %u s", call->method,
                               self->socket_path, (call->timeout_ms + 999) / 1000);
      g_clear_error (&error);
      return;
    }
  if (g_cancellable_is_cancelled (call->caller_cancellable))
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_CANCELLED, "%s: cancelled",
                               call->method);
      g_clear_error (&error);
      return;
    }
  if (error == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_FAILED, "%s: %s", call->method, what);
      return;
    }
  berth_error_convert (&error);
  g_prefix_error (&error, "%s: %s: ", call->method, what);
  g_task_return_error (task, error);
}

static gboolean
on_deadline (gpointer user_data)
{
  GTask *task = user_data;
  Call *call = g_task_get_task_data (task);

  call->timed_out = TRUE;
  g_cancellable_cancel (call->cancel);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *cancellable, gpointer user_data)
{
  GCancellable *ours = user_data;
  g_cancellable_cancel (ours);
}

static gboolean
is_connection_error (const GError *error)
{
  /* what a missing, stale or restarting socket gives; anything the plugin
   * said once connected is never retried */
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED);
}

static gboolean
on_backoff_done (gpointer user_data)
{
  /* the back-off held the task's reference */
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);

  destroy_source (&call->backoff);
  destroy_source (&call->backoff_cancel);
  call_connect (task);
  return G_SOURCE_REMOVE;
}

static gboolean
on_backoff_cancelled (GCancellable *cancellable, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);

  destroy_source (&call->backoff);
  destroy_source (&call->backoff_cancel);
  call_fail (task, NULL, "cancelled");
  return G_SOURCE_REMOVE;
}

static gboolean
call_schedule_retry (GTask *task)
{
  Call *call = g_task_get_task_data (task);
  gint64 elapsed_ms = (g_get_monotonic_time () - call->started) / 1000;
  guint wait = call->next_backoff;

  if (elapsed_ms + wait >= call->client->retry_budget)
    return FALSE;
  call->next_backoff = MIN (call->next_backoff * 2, MAX_BACKOFF_MS);
  g_debug ("Unable to connect to plugin: %s/%s, retrying in %u ms", call->client->socket_path,
           call->method, wait);
  call->backoff = g_timeout_source_new (wait);
  g_source_set_callback (call->backoff, on_backoff_done, task, NULL);
  g_source_attach (call->backoff, g_task_get_context (task));
  call->backoff_cancel = g_cancellable_source_new (call->cancel);
  g_source_set_callback (call->backoff_cancel, G_SOURCE_FUNC (on_backoff_cancelled), task, NULL);
  g_source_attach (call->backoff_cancel, g_task_get_context (task));
  return TRUE;
}

/* the header block, or -1 while it is incomplete */
static gssize
find_header_end (GByteArray *buffer)
{
  for (guint i = 3; i < buffer->len; i++)
    if (memcmp (buffer->data + i - 3, "\r\n\r\n", 4) == 0)
      return i + 1;
  return -1;
}

typedef struct
{
  guint status;
  gssize header_end;
  gint64 content_length; /* -1 when absent */
  gboolean chunked;
} Head;

static gboolean
parse_head (GByteArray *buffer, Head *head, GError **error)
{
  g_autofree gchar *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) status = NULL;

  head->header_end = find_header_end (buffer);
  head->content_length = -1;
  head->chunked = FALSE;
  if (head->header_end < 0)
    return TRUE;
  /* a NUL would cut the text short: no status line at all, or headers lost */
  if (memchr (buffer->data, '\0', head->header_end) != NULL)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                           "not an HTTP response: a NUL byte in its headers");
      return FALSE;
    }
  text = g_strndup ((const gchar *)buffer->data, head->header_end);
  lines = g_strsplit (text, "\r\n", -1);
  status = g_strsplit (lines[0], " ", 3);
  if (!g_str_has_prefix (lines[0], "HTTP/1.") || status[0] == NULL || status[1] == NULL
      || strlen (status[1]) != 3 || !g_ascii_isdigit (status[1][0]))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "not an HTTP response: %.64s", lines[0]);
      return FALSE;
    }
  head->status = atoi (status[1]);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      const gchar *colon = strchr (lines[i], ':');
      g_autofree gchar *name = NULL;
      g_autofree gchar *value = NULL;

      if (colon == NULL)
        continue;
      name = g_strndup (lines[i], colon - lines[i]);
      value = g_strstrip (g_strdup (colon + 1));
      if (g_ascii_strcasecmp (name, "Content-Length") == 0)
        {
          guint64 length;
          if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &length, NULL))
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "bad Content-Length: %.32s",
                           value);
              return FALSE;
            }
          head->content_length = length;
        }
      else if (g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
        head->chunked = g_ascii_strcasecmp (value, "chunked") == 0;
    }
  return TRUE;
}

/* decodes a chunked body: %TRUE with @out set once the last chunk is in,
 * %TRUE with @out unset while more is needed */
static gboolean
decode_chunked (const guint8 *data, gsize len, gsize limit, GByteArray **out, GError **error)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  gsize pos = 0;

  for (;;)
    {
      const guint8 *eol = memchr (data + pos, '\n', len - pos);
      g_autofree gchar *size_line = NULL;
      guint64 size;
      gchar *end = NULL;

      if (eol == NULL)
        return TRUE;
      size_line = g_strndup ((const gchar *)data + pos, eol - (data + pos));
      size = g_ascii_strtoull (size_line, &end, 16);
      if (end == size_line || (*end != '\r' && *end != ';' && *end != '\0'))
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "bad chunk size: %.16s", size_line);
          return FALSE;
        }
      if (size > limit || body->len + size > limit)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                       "the response is larger than %" G_GSIZE_FORMAT " bytes", limit);
          return FALSE;
        }
      pos = eol - data + 1;
      if (size == 0)
        {
          *out = g_steal_pointer (&body);
          return TRUE;
        }
      if (len - pos < size + 2)
        return TRUE;
      g_byte_array_append (body, data + pos, size);
      pos += size + 2;
    }
}

static void
call_complete (GTask *task, guint status, const gchar *body, gsize body_len)
{
  Call *call = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object = NULL;
  const gchar *err = NULL;

  /* an empty chunked body is an empty GByteArray, whose data is NULL */
  if (body == NULL)
    body = "";
  call->status = status;
  if (body_len > 0)
    node = berth_json_parse (body, body_len, &error);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      object = json_node_get_object (node);
      if (json_object_has_member (object, "Err")
          && JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "Err"))
          && json_object_get_string_member_with_default (object, "Err", NULL) != NULL)
        err = json_object_get_string_member (object, "Err");
    }

  if (status != 200)
    {
      g_autofree gchar *text = NULL;

      if (err != NULL && err[0] != '\0')
        text = g_strdup (err);
      else
        text = g_strstrip (g_strndup (body, MIN (body_len, 1024)));
      if (text[0] == '\0')
        {
          g_free (text);
          text = g_strdup_printf ("the plugin answered HTTP %u", status);
        }
      /* 404 is how a plugin says it has no such method (libnetwork reads
       * it so for optional methods) */
      g_task_return_new_error (task, BERTH_ERROR,
                               status == 404 ? BERTH_ERROR_NOT_SUPPORTED : BERTH_ERROR_FAILED,
                               "%s: %s", call->method, text);
      return;
    }
  if (node == NULL)
    {
      g_task_return_new_error (
        task, BERTH_ERROR, BERTH_ERROR_FAILED, "%s: malformed response from the plugin on %s: %s",
        call->method, call->client->socket_path, error != NULL ? error->message : "empty body");
      return;
    }
  if (object == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_FAILED,
                               "%s: malformed response from the plugin on %s: not a JSON object",
                               call->method, call->client->socket_path);
      return;
    }
  if (err != NULL && err[0] != '\0')
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_FAILED, "%s", err);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&node), (GDestroyNotify)json_node_unref);
}

/* looks at what came so far: %TRUE when the call is answered (or failed) */
static gboolean
call_try_finish (GTask *task, gboolean eof)
{
  Call *call = g_task_get_task_data (task);
  gsize limit = call->client->max_response_size;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) chunked_body = NULL;
  Head head = { 0 };
  const guint8 *body;
  gsize have;

  if (!parse_head (call->buffer, &head, &error))
    {
      call_fail (task, g_steal_pointer (&error), "bad response from the plugin");
      return TRUE;
    }
  if (head.header_end < 0)
    {
      if (call->buffer->len > HEADER_LIMIT)
        {
          call_fail (task, NULL, "the plugin's response headers exceed 64 KiB");
          return TRUE;
        }
      if (eof)
        {
          g_autofree gchar *what = g_strdup_printf (
            "the plugin on %s closed the connection without answering", call->client->socket_path);
          call_fail (task, NULL, what);
          return TRUE;
        }
      return FALSE;
    }

  body = call->buffer->data + head.header_end;
  have = call->buffer->len - head.header_end;
  if (head.chunked)
    {
      /* the encoded body is bounded too (twice the limit leaves room for
       * any sane framing): a chunk-size line that never ends would grow the
       * buffer without end, and each read decodes all of it again */
      if (have / 2 > limit)
        {
          g_autofree gchar *what = g_strdup_printf ("the response of the plugin on %s is larger "
                                                    "than %" G_GSIZE_FORMAT " bytes",
                                                    call->client->socket_path, limit);
          call_fail (task, NULL, what);
          return TRUE;
        }
      if (!decode_chunked (body, have, limit, &chunked_body, &error))
        {
          g_autofree gchar *what
            = g_strdup_printf ("bad response from the plugin on %s", call->client->socket_path);
          call_fail (task, g_steal_pointer (&error), what);
          return TRUE;
        }
      if (chunked_body == NULL && !eof)
        return FALSE;
      if (chunked_body == NULL)
        {
          g_autofree gchar *what
            = g_strdup_printf ("the plugin on %s closed the connection in the middle of its answer",
                               call->client->socket_path);
          call_fail (task, NULL, what);
          return TRUE;
        }
      call_complete (task, head.status, (const gchar *)chunked_body->data, chunked_body->len);
      return TRUE;
    }
  if ((head.content_length >= 0 && (guint64)head.content_length > limit) || have > limit)
    {
      g_autofree gchar *what = g_strdup_printf ("the response of the plugin on %s is larger "
                                                "than %" G_GSIZE_FORMAT " bytes",
                                                call->client->socket_path, limit);
      call_fail (task, NULL, what);
      return TRUE;
    }
  if (head.content_length >= 0 && have >= (guint64)head.content_length)
    {
      call_complete (task, head.status, (const gchar *)body, head.content_length);
      return TRUE;
    }
  if (!eof)
    return FALSE;
  if (head.content_length >= 0)
    {
      g_autofree gchar *what
        = g_strdup_printf ("the plugin on %s closed the connection in the middle of its answer",
                           call->client->socket_path);
      call_fail (task, NULL, what);
      return TRUE;
    }
  /* no length: the body runs to the end of the connection */
  call_complete (task, head.status, (const gchar *)body, have);
  return TRUE;
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n < 0)
    {
      g_autofree gchar *what = NULL;

      /* a reset is the end of the answer: what came so far decides */
      if (!g_cancellable_is_cancelled (call->cancel)
          && (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
              || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)))
        {
          call_try_finish (task, TRUE);
          return;
        }
      what = g_strdup_printf ("reading from the plugin on %s", call->client->socket_path);
      call_fail (task, g_steal_pointer (&error), what);
      return;
    }
  g_byte_array_append (call->buffer, call->read_chunk, n);
  if (call_try_finish (task, n == 0))
    return;
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (call->connection)),
                             call->read_chunk, sizeof call->read_chunk, G_PRIORITY_DEFAULT,
                             call->cancel, on_read, g_steal_pointer (&task));
}

static void
on_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_autofree gchar *what
        = g_strdup_printf ("sending the request to the plugin on %s", call->client->socket_path);
      call_fail (task, g_steal_pointer (&error), what);
      return;
    }
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (call->connection)),
                             call->read_chunk, sizeof call->read_chunk, G_PRIORITY_DEFAULT,
                             call->cancel, on_read, g_steal_pointer (&task));
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gsize size;
  gconstpointer data;

  call->connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (call->connection == NULL)
    {
      g_autofree gchar *what = NULL;

      if (!g_cancellable_is_cancelled (call->cancel) && is_connection_error (error)
          && call_schedule_retry (task))
        {
          g_steal_pointer (&task);
          return;
        }
      what = g_strdup_printf ("cannot connect to the plugin on %s%s", call->client->socket_path,
                              call->attempts > 1 ? " (retried)" : "");
      call_fail (task, g_steal_pointer (&error), what);
      return;
    }
  data = g_bytes_get_data (call->request, &size);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (call->connection)),
                                   data, size, G_PRIORITY_DEFAULT, call->cancel, on_written,
                                   g_steal_pointer (&task));
}

static void
call_connect (GTask *task)
{
  Call *call = g_task_get_task_data (task);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (call->client->socket_path);

  call->attempts++;
  g_socket_client_connect_async (call->socket_client, G_SOCKET_CONNECTABLE (address), call->cancel,
                                 on_connected, g_object_ref (task));
}

static GBytes *
build_request (const gchar *method, JsonNode *request)
{
  g_autoptr(GString) body = g_string_new (NULL);
  GString *out = g_string_new (NULL);

  /* as Go's json.Encoder: the JSON and a newline; no argument, no body */
  if (request != NULL)
    {
      berth_json_append (body, request, BERTH_JSON_NONE);
      g_string_append_c (body, '\n');
    }
  g_string_append_printf (out,
                          "POST /%s HTTP/1.1\r\n"
                          "Host: plugin.moby.localhost\r\n"
                          "User-Agent: berth/" PACKAGE_VERSION "\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "Accept: application/vnd.docker.plugins.v1.2+json\r\n"
                          "\r\n",
                          method, body->len);
  g_string_append_len (out, body->str, body->len);
  return g_string_free_to_bytes (out);
}

/**
 * berth_plugin_client_call_async:
 * @self: a #BerthPluginClient
 * @method: `<Interface>.<Method>`, e.g. `VolumeDriver.Mount`
 * @request: (nullable): the request, sent as JSON and a newline; %NULL sends
 *   an empty body (as docker does for calls without an argument; pass an
 *   empty object for docker's `{}`)
 * @timeout_ms: the deadline of the whole call, retries included; 0 for none
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the plugin answered, or the call failed
 * @user_data: data for @callback
 *
 * Calls @method on the plugin. Errors are shaped as docker's: an answer
 * other than 200 gives `<method>: <Err or body>` (%BERTH_ERROR_NOT_SUPPORTED
 * for 404), a 200 answer with a non-empty `Err` gives just `<Err>`; an
 * unreachable socket, a closed connection, a malformed or oversized answer
 * and the deadline (%BERTH_ERROR_TIMED_OUT) name the method and the socket.
 */
void
berth_plugin_client_call_async (BerthPluginClient *self,
                                const gchar *method,
                                JsonNode *request,
                                guint timeout_ms,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  Call *call;

  g_return_if_fail (BERTH_IS_PLUGIN_CLIENT (self));
  g_return_if_fail (method != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, berth_plugin_client_call_async);
  /* cancellation and the deadline get berth's errors, not GIO's */
  g_task_set_check_cancellable (task, FALSE);
  call = g_new0 (Call, 1);
  call->client = g_object_ref (self);
  call->method = g_strdup (method);
  call->request = build_request (method, request);
  call->timeout_ms = timeout_ms;
  call->cancel = g_cancellable_new ();
  call->started = g_get_monotonic_time ();
  call->next_backoff = FIRST_BACKOFF_MS;
  call->buffer = g_byte_array_new ();
  call->socket_client = g_socket_client_new ();
  g_task_set_task_data (task, call, (GDestroyNotify)call_free);

  if (cancellable != NULL)
    {
      call->caller_cancellable = g_object_ref (cancellable);
      call->caller_handler
        = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled), call->cancel, NULL);
    }
  if (timeout_ms > 0)
    {
      /* the task outlives its sources: call_free destroys them first */
      call->deadline = g_timeout_source_new (timeout_ms);
      g_source_set_callback (call->deadline, on_deadline, task, NULL);
      g_source_attach (call->deadline, g_task_get_context (task));
    }
  call_connect (task);
}

/**
 * berth_plugin_client_call_finish:
 * @self: a #BerthPluginClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the plugin's answer, a JSON object, or %NULL
 */
JsonNode *
berth_plugin_client_call_finish (BerthPluginClient *self, GAsyncResult *result, GError **error)
{
  return berth_plugin_client_call_finish_full (self, result, NULL, error);
}

/**
 * berth_plugin_client_call_finish_full:
 * @self: a #BerthPluginClient
 * @result: the #GAsyncResult
 * @out_status: (out) (optional): the HTTP status the plugin answered, 0 if
 *   it did not answer (the socket refused, the connection broke, the
 *   deadline passed): tells an error the plugin gave from one on the way
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the plugin's answer, a JSON object, or %NULL
 */
JsonNode *
berth_plugin_client_call_finish_full (BerthPluginClient *self,
                                      GAsyncResult *result,
                                      guint *out_status,
                                      GError **error)
{
  Call *call;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  call = g_task_get_task_data (G_TASK (result));
  if (out_status != NULL)
    *out_status = call->status;
  return g_task_propagate_pointer (G_TASK (result), error);
}
