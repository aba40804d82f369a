/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "plugin-sdk-client.h"

#include <string.h>

void
test_response_free (TestResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->head);
  g_free (response->body);
  g_free (response);
}

gchar *
test_response_header (TestResponse *response, const gchar *name)
{
  g_auto(GStrv) lines = g_strsplit (response->head, "\r\n", -1);
  gsize len = strlen (name);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (lines[i], name, len) == 0 && lines[i][len] == ':')
        return g_strstrip (g_strdup (lines[i] + len + 1));
    }
  return NULL;
}

JsonObject *
test_response_json (TestResponse *response)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, response->body, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static gboolean
read_more (GInputStream *input, GByteArray *buf, GError **error)
{
  guint8 tmp[8192];
  gssize n = g_input_stream_read (input, tmp, sizeof tmp, NULL, error);

  if (n < 0)
    return FALSE;
  if (n == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                           "connection closed before a whole response");
      return FALSE;
    }
  g_byte_array_append (buf, tmp, (guint)n);
  return TRUE;
}

static TestResponse *
read_response (GInputStream *input, GByteArray *buf, GError **error)
{
  g_autoptr(TestResponse) response = g_new0 (TestResponse, 1);
  g_autofree gchar *length = NULL;
  g_autofree gchar *connection = NULL;
  gsize body_len;

  for (;;)
    {
      const guint8 *end = NULL;

      if (buf->len >= 4)
        end = memmem (buf->data, buf->len, "\r\n\r\n", 4);
      if (end != NULL)
        {
          gsize head_len = (gsize)(end - buf->data);

          g_free (response->head);
          response->head = g_strndup ((const gchar *)buf->data, head_len);
          g_byte_array_remove_range (buf, 0, (guint)head_len + 4);
          g_assert_true (g_str_has_prefix (response->head, "HTTP/1.1 "));
          response->status = (guint)g_ascii_strtoull (response->head + 9, NULL, 10);
          if (response->status == 100)
            continue;
          break;
        }
      if (!read_more (input, buf, error))
        return NULL;
    }

  length = test_response_header (response, "Content-Length");
  g_assert_nonnull (length);
  body_len = (gsize)g_ascii_strtoull (length, NULL, 10);
  while (buf->len < body_len)
    {
      if (!read_more (input, buf, error))
        return NULL;
    }
  response->body = g_strndup ((const gchar *)buf->data, body_len);
  g_byte_array_remove_range (buf, 0, (guint)body_len);

  connection = test_response_header (response, "Connection");
  if (g_strcmp0 (connection, "close") == 0)
    {
      guint8 tmp[64];
      g_autoptr(GError) local_error = NULL;
      gssize n = g_input_stream_read (input, tmp, sizeof tmp, NULL, &local_error);

      /* a unix socket closed with unread data reads ECONNRESET after the data */
      g_assert_cmpint (n, <=, 0);
      response->closed = TRUE;
    }
  return g_steal_pointer (&response);
}

typedef struct
{
  gchar *socket_path;
  GStrv requests;
  gboolean pipeline;
  GPtrArray *responses;
  GError *error;
  gint done;
} Exchange;

static gboolean
exchange_run (Exchange *ex)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (ex->socket_path);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  GInputStream *input;
  GOutputStream *output;

  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &ex->error);
  if (connection == NULL)
    return FALSE;
  input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  for (guint i = 0; ex->pipeline && ex->requests[i] != NULL; i++)
    {
      if (!g_output_stream_write_all (output, ex->requests[i], strlen (ex->requests[i]), NULL, NULL,
                                      &ex->error))
        return FALSE;
    }
  for (guint i = 0; ex->requests[i] != NULL; i++)
    {
      TestResponse *response;

      if (!ex->pipeline
          && !g_output_stream_write_all (output, ex->requests[i], strlen (ex->requests[i]), NULL,
                                         NULL, &ex->error))
        return FALSE;
      response = read_response (input, buf, &ex->error);
      if (response == NULL)
        return FALSE;
      g_ptr_array_add (ex->responses, response);
      if (response->closed)
        break;
    }
  return TRUE;
}

static gpointer
exchange_thread (gpointer data)
{
  Exchange *ex = data;

  exchange_run (ex);
  g_atomic_int_set (&ex->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

GPtrArray *
test_exchange (const gchar *socket_path, const gchar *const *requests, gboolean pipeline)
{
  Exchange ex = { 0 };
  GThread *thread;

  ex.socket_path = g_strdup (socket_path);
  ex.requests = g_strdupv ((gchar **)requests);
  ex.pipeline = pipeline;
  ex.responses = g_ptr_array_new_with_free_func ((GDestroyNotify)test_response_free);
  thread = g_thread_new ("test-client", exchange_thread, &ex);
  while (!g_atomic_int_get (&ex.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  g_assert_no_error (ex.error);
  g_free (ex.socket_path);
  g_strfreev (ex.requests);
  return ex.responses;
}

TestResponse *
test_request (const gchar *socket_path, const gchar *request)
{
  const gchar *requests[] = { request, NULL };
  g_autoptr(GPtrArray) responses = test_exchange (socket_path, requests, FALSE);

  g_assert_cmpuint (responses->len, ==, 1);
  return g_ptr_array_steal_index (responses, 0);
}

/* as Docker sends it: no Content-Type, its Accept header, the JSON body */
TestResponse *
test_post (const gchar *socket_path, const gchar *path, const gchar *body)
{
  g_autofree gchar *request
    = g_strdup_printf ("POST %s HTTP/1.1\r\n"
                       "Host: plugin.moby.localhost\r\n"
                       "User-Agent: Go-http-client/1.1\r\n"
                       "Content-Length: %zu\r\n"
                       "Accept: application/vnd.docker.plugins.v1.2+json\r\n"
                       "Accept-Encoding: gzip\r\n"
                       "\r\n%s",
                       path, strlen (body), body);

  return test_request (socket_path, request);
}
