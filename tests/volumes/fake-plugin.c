/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* a volume plugin that misbehaves on request: a GThreadedSocketService on a
 * unix socket that answers each method as the test asks */
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "fake-plugin.h"

struct _FakePlugin
{
  gchar *socket_path;
  gchar *mount_root;
  GSocketService *service;
  GMutex lock;
  GHashTable *behaviours; /* method → FakeBehaviour */
  GHashTable *calls;      /* method → count */
  GHashTable *requests;   /* method → last request text */
  GHashTable *volumes;    /* name → TRUE */
  gint active;
  gint stopping;
};

static gboolean
read_request (GInputStream *in, GString *request, gchar **out_method, gchar **out_body)
{
  gchar buffer[4096];
  const gchar *end;
  gsize content_length = 0;

  for (;;)
    {
      gssize n;

      end = strstr (request->str, "\r\n\r\n");
      if (end != NULL)
        {
          const gchar *cl = strstr (request->str, "Content-Length: ");
          if (cl != NULL && cl < end)
            content_length = strtoul (cl + strlen ("Content-Length: "), NULL, 10);
          if (request->len >= (gsize)(end + 4 - request->str) + content_length)
            break;
        }
      n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL);
      if (n <= 0)
        return FALSE;
      g_string_append_len (request, buffer, n);
    }
  if (!g_str_has_prefix (request->str, "POST /"))
    return FALSE;
  *out_method = g_strndup (request->str + 6, strcspn (request->str + 6, " "));
  *out_body = g_strndup (end + 4, content_length);
  return TRUE;
}

static gchar *
volume_name (const gchar *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, body, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return g_strdup (
    json_object_get_string_member_with_default (json_node_get_object (root), "Name", NULL));
}

/* what a working plugin answers */
static gchar *
answer_ok (FakePlugin *self, const gchar *method, const gchar *body)
{
  g_autofree gchar *name = volume_name (body);
  g_autofree gchar *mountpoint = g_strdup_printf ("%s/%s", self->mount_root, name);
  gboolean known;

  g_mutex_lock (&self->lock);
  known = name != NULL && g_hash_table_contains (self->volumes, name);
  if (g_str_equal (method, "VolumeDriver.Create") && name != NULL)
    g_hash_table_add (self->volumes, g_strdup (name));
  if (g_str_equal (method, "VolumeDriver.Remove") && name != NULL)
    g_hash_table_remove (self->volumes, name);
  g_mutex_unlock (&self->lock);

  if (g_str_equal (method, "VolumeDriver.Capabilities"))
    return g_strdup ("{\"Capabilities\":{\"Scope\":\"Global\"}}\n");
  if (g_str_equal (method, "VolumeDriver.Get"))
    {
      if (!known)
        return g_strdup ("{\"Volume\":null,\"Err\":\"no such volume\"}\n");
      return g_strdup_printf ("{\"Volume\":{\"Name\":\"%s\",\"Mountpoint\":\"%s\","
                              "\"Status\":{\"hello\":\"world\"}},\"Err\":\"\"}\n",
                              name, mountpoint);
    }
  if (g_str_equal (method, "VolumeDriver.Mount") || g_str_equal (method, "VolumeDriver.Path"))
    {
      if (!known)
        return g_strdup ("{\"Err\":\"no such volume\"}\n");
      return g_strdup_printf ("{\"Mountpoint\":\"%s\",\"Err\":\"\"}\n", mountpoint);
    }
  return g_strdup ("{\"Err\":\"\"}\n");
}

static void
write_answer (GOutputStream *out, guint status, const gchar *body, gboolean chunked)
{
  g_autofree gchar *head = NULL;

  if (chunked)
    {
      gsize half = strlen (body) / 2;
      head
        = g_strdup_printf ("HTTP/1.1 %u X\r\nContent-Type: application/vnd.docker.plugins.v1+json"
                           "\r\nTransfer-Encoding: chunked\r\n\r\n%zx\r\n",
                           status, half);
      g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
      g_output_stream_write_all (out, body, half, NULL, NULL, NULL);
      g_free (head);
      head = g_strdup_printf ("\r\n%zx\r\n%s\r\n0\r\n\r\n", strlen (body) - half, body + half);
      g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
      return;
    }
  head = g_strdup_printf ("HTTP/1.1 %u X\r\nContent-Type: application/vnd.docker.plugins.v1+json"
                          "\r\nContent-Length: %zu\r\n\r\n",
                          status, strlen (body));
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (out, body, strlen (body), NULL, NULL, NULL);
}

/* counted on the main thread as the connection comes in, before a worker
 * thread takes it: fake_plugin_free() waits for every one of them */
static gboolean
on_incoming (GSocketService *service,
             GSocketConnection *connection,
             GObject *source,
             gpointer user_data)
{
  FakePlugin *self = user_data;

  g_atomic_int_inc (&self->active);
  return FALSE;
}

static gboolean
on_run (GThreadedSocketService *service,
        GSocketConnection *connection,
        GObject *source,
        gpointer user_data)
{
  FakePlugin *self = user_data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GString) request = g_string_new (NULL);
  g_autofree gchar *method = NULL;
  g_autofree gchar *body = NULL;
  g_autofree gchar *answer = NULL;
  FakeBehaviour behaviour;

  if (!read_request (in, request, &method, &body))
    {
      g_atomic_int_dec_and_test (&self->active);
      return TRUE;
    }
  g_mutex_lock (&self->lock);
  behaviour = GPOINTER_TO_UINT (g_hash_table_lookup (self->behaviours, method));
  g_hash_table_insert (
    self->calls, g_strdup (method),
    GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->calls, method)) + 1));
  g_hash_table_insert (self->requests, g_strdup (method), g_strdup (request->str));
  g_mutex_unlock (&self->lock);

  switch (behaviour)
    {
      case FAKE_OK:
      case FAKE_CHUNKED:
        answer = answer_ok (self, method, body);
        write_answer (out, 200, answer, behaviour == FAKE_CHUNKED);
        break;
      case FAKE_ERR:
        write_answer (out, 200, "{\"Err\":\"boom\"}\n", FALSE);
        break;
      case FAKE_ERR_500:
        write_answer (out, 500, "{\"Err\":\"nope\"}\n", FALSE);
        break;
      case FAKE_TEXT_500:
        write_answer (out, 500, "plain trouble\n", FALSE);
        break;
      case FAKE_MALFORMED:
        write_answer (out, 200, "{\"Mountpoint\": \"/x\", oops", FALSE);
        break;
      case FAKE_HUGE:
        {
          g_autoptr(GString) huge = g_string_new ("{\"Err\":\"");
          for (guint i = 0; i < 2 * 1024 * 1024; i++)
            g_string_append_c (huge, 'x');
          g_string_append (huge, "\"}");
          write_answer (out, 200, huge->str, FALSE);
        }
        break;
      case FAKE_HANG:
        while (!g_atomic_int_get (&self->stopping))
          g_usleep (10 * 1000);
        break;
      case FAKE_CLOSE:
        break;
      case FAKE_DIE:
        {
          const gchar *half = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Mountpoint\":";
          g_output_stream_write_all (out, half, strlen (half), NULL, NULL, NULL);
        }
        break;
      case FAKE_EMPTY_CHUNKED_500:
        {
          const gchar *answer_500 = "HTTP/1.1 500 X\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
          g_output_stream_write_all (out, answer_500, strlen (answer_500), NULL, NULL, NULL);
        }
        break;
      case FAKE_NUL_HEADER:
        {
          const gchar nul_header[] = "HTTP/1.1 200 OK\r\nX-A: b\0c\r\nContent-Length: 2\r\n\r\n{}";
          g_output_stream_write_all (out, nul_header, sizeof nul_header - 1, NULL, NULL, NULL);
        }
        break;
      case FAKE_ENDLESS_CHUNK:
        {
          const gchar *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
          g_autofree gchar *digits = g_malloc (3 * 1024 * 1024);
          memset (digits, 'f', 3 * 1024 * 1024);
          g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
          g_output_stream_write_all (out, digits, 3 * 1024 * 1024, NULL, NULL, NULL);
        }
        break;
      default:
        g_assert_not_reached ();
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_atomic_int_dec_and_test (&self->active);
  return TRUE;
}

/**
 * fake_plugin_new:
 * @socket_path: where to listen
 *
 * Returns: a plugin answering every method as a working one would
 */
FakePlugin *
fake_plugin_new (const gchar *socket_path)
{
  FakePlugin *self = g_new0 (FakePlugin, 1);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr(GError) error = NULL;

  self->socket_path = g_strdup (socket_path);
  self->mount_root = g_strdup ("/mnt/volumes");
  g_mutex_init (&self->lock);
  self->behaviours = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->volumes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->service = g_threaded_socket_service_new (16);
  g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  g_signal_connect (self->service, "run", G_CALLBACK (on_run), self);
  g_socket_service_start (self->service);
  return self;
}

/**
 * fake_plugin_free:
 * @self: a #FakePlugin
 *
 * Stops listening, ends hung answers and waits for them.
 */
void
fake_plugin_free (FakePlugin *self)
{
  g_atomic_int_set (&self->stopping, 1);
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  while (g_atomic_int_get (&self->active) > 0)
    g_usleep (1000);
  g_clear_object (&self->service);
  g_unlink (self->socket_path);
  g_hash_table_unref (self->behaviours);
  g_hash_table_unref (self->calls);
  g_hash_table_unref (self->requests);
  g_hash_table_unref (self->volumes);
  g_mutex_clear (&self->lock);
  g_free (self->socket_path);
  g_free (self->mount_root);
  g_free (self);
}

void
fake_plugin_set (FakePlugin *self, const gchar *method, FakeBehaviour behaviour)
{
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->behaviours, g_strdup (method), GUINT_TO_POINTER (behaviour));
  g_mutex_unlock (&self->lock);
}

void
fake_plugin_set_mount_root (FakePlugin *self, const gchar *root)
{
  g_free (self->mount_root);
  self->mount_root = g_strdup (root);
}

guint
fake_plugin_calls (FakePlugin *self, const gchar *method)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (self->calls, method));
  g_mutex_unlock (&self->lock);
  return n;
}

gchar *
fake_plugin_last_request (FakePlugin *self, const gchar *method)
{
  gchar *text;

  g_mutex_lock (&self->lock);
  text = g_strdup (g_hash_table_lookup (self->requests, method));
  g_mutex_unlock (&self->lock);
  return text;
}

gboolean
fake_plugin_has_volume (FakePlugin *self, const gchar *name)
{
  gboolean has;

  g_mutex_lock (&self->lock);
  has = g_hash_table_contains (self->volumes, name);
  g_mutex_unlock (&self->lock);
  return has;
}

void
fake_plugin_forget (FakePlugin *self)
{
  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->volumes);
  g_mutex_unlock (&self->lock);
}
