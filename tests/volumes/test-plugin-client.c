/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BerthPluginClient against fake plugins on real unix sockets: the request
 * as docker shapes it, answers of every shape, and every way a plugin fails */
#include "config.h"

#include <berth.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <string.h>

#include "fake-plugin.h"

typedef struct
{
  gchar *tmpdir;
  gchar *socket_path;
  FakePlugin *plugin;
  BerthPluginClient *client;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("client-XXXXXX", &error);
  g_assert_no_error (error);
  f->socket_path = g_build_filename (f->tmpdir, "p.sock", NULL);
  f->plugin = fake_plugin_new (f->socket_path);
  f->client = berth_plugin_client_new (f->socket_path);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->client);
  g_clear_pointer (&f->plugin, fake_plugin_free);
  g_rmdir (f->tmpdir);
  g_free (f->socket_path);
  g_free (f->tmpdir);
}

static void
on_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static JsonNode *
call_sync (BerthPluginClient *client,
           const gchar *method,
           const gchar *request_json,
           guint timeout_ms,
           GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) request = NULL;

  if (request_json != NULL)
    request = berth_json_parse (request_json, -1, NULL);
  berth_plugin_client_call_async (client, method, request, timeout_ms, NULL, on_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return berth_plugin_client_call_finish (client, result, error);
}

static void
test_request_shape (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree gchar *request = NULL;
  g_autofree gchar *empty = NULL;

  answer
    = call_sync (f->client, "VolumeDriver.Create", "{\"Name\":\"v\",\"Opts\":null}", 5000, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer);
  request = fake_plugin_last_request (f->plugin, "VolumeDriver.Create");
  g_assert_true (g_str_has_prefix (request, "POST /VolumeDriver.Create HTTP/1.1\r\n"));
  g_assert_nonnull (strstr (request, "\r\nHost: plugin.moby.localhost\r\n"));
  g_assert_nonnull (strstr (request, "\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n"));
  g_assert_null (strstr (request, "Content-Type"));
  g_assert_nonnull (strstr (request, "\r\nContent-Length: 25\r\n"));
  g_assert_true (g_str_has_suffix (request, "\r\n\r\n{\"Name\":\"v\",\"Opts\":null}\n"));

  /* no argument: an empty body */
  g_clear_pointer (&answer, json_node_unref);
  answer = call_sync (f->client, "Plugin.Activate", NULL, 5000, &error);
  g_assert_no_error (error);
  empty = fake_plugin_last_request (f->plugin, "Plugin.Activate");
  g_assert_nonnull (strstr (empty, "\r\nContent-Length: 0\r\n"));
  g_assert_true (g_str_has_suffix (empty, "\r\n\r\n"));
}

static void
test_chunked (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;

  fake_plugin_set (f->plugin, "VolumeDriver.Capabilities", FAKE_CHUNKED);
  answer = call_sync (f->client, "VolumeDriver.Capabilities", "{}", 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (
    json_object_get_string_member (
      json_object_get_object_member (json_node_get_object (answer), "Capabilities"), "Scope"),
    ==, "Global");
}

static void
expect_error (
  Fixture *f, const gchar *method, FakeBehaviour behaviour, gint code, const gchar *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;

  fake_plugin_set (f->plugin, method, behaviour);
  answer = call_sync (f->client, method, "{\"Name\":\"v\"}", 2000, &error);
  g_assert_null (answer);
  g_assert_error (error, BERTH_ERROR, code);
  if (strstr (error->message, message) == NULL)
    g_error ("“%s” does not hold “%s”", error->message, message);
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autofree gchar *closed = g_strdup_printf (
    "VolumeDriver.Remove: the plugin on %s closed the connection without answering",
    f->socket_path);

  /* docker's shapes: 200 + Err is the Err alone; otherwise the method first */
  expect_error (f, "VolumeDriver.Mount", FAKE_ERR, BERTH_ERROR_FAILED, "boom");
  expect_error (f, "VolumeDriver.Create", FAKE_ERR_500, BERTH_ERROR_FAILED,
                "VolumeDriver.Create: nope");
  expect_error (f, "VolumeDriver.Get", FAKE_TEXT_500, BERTH_ERROR_FAILED,
                "VolumeDriver.Get: plain trouble");
  expect_error (f, "VolumeDriver.Path", FAKE_MALFORMED, BERTH_ERROR_FAILED,
                "VolumeDriver.Path: malformed response from the plugin on");
  expect_error (f, "VolumeDriver.List", FAKE_HUGE, BERTH_ERROR_FAILED,
                "is larger than 1048576 bytes");
  expect_error (f, "VolumeDriver.Remove", FAKE_CLOSE, BERTH_ERROR_FAILED, closed);
  expect_error (f, "VolumeDriver.Unmount", FAKE_DIE, BERTH_ERROR_FAILED,
                "closed the connection in the middle of its answer");
  /* what fuzzing found: an error with no body at all, a NUL among the
   * headers, and a chunk-size line that never ends (bounded, not buffered
   * and decoded again on every read) */
  expect_error (f, "VolumeDriver.Mount", FAKE_EMPTY_CHUNKED_500, BERTH_ERROR_FAILED,
                "VolumeDriver.Mount");
  expect_error (f, "VolumeDriver.Get", FAKE_NUL_HEADER, BERTH_ERROR_FAILED,
                "a NUL byte in its headers");
  expect_error (f, "VolumeDriver.List", FAKE_ENDLESS_CHUNK, BERTH_ERROR_FAILED,
                "is larger than 1048576 bytes");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) answer = NULL;
    g_autoptr(BerthPluginClient) client = berth_plugin_client_new (f->socket_path);
    berth_plugin_client_set_max_response_size (client, 8);
    answer = call_sync (client, "VolumeDriver.Capabilities", "{}", 2000, &error);
    g_assert_error (error, BERTH_ERROR, BERTH_ERROR_FAILED);
  }
}

static void
test_an_ok_200_unknown_method (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = call_sync (f->client, "VolumeDriver.Whatever", "{}", 2000, &error);

  g_assert_no_error (error);
  g_assert_nonnull (answer);
}

static void
test_timeout (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree gchar *expected = g_strdup_printf ("VolumeDriver.Mount: the plugin on %s did not "
                                                "answer within 1 s",
                                                f->socket_path);
  gint64 start = g_get_monotonic_time ();

  fake_plugin_set (f->plugin, "VolumeDriver.Mount", FAKE_HANG);
  answer
    = call_sync (f->client, "VolumeDriver.Mount", "{\"Name\":\"v\",\"ID\":\"x\"}", 300, &error);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_TIMED_OUT);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;

  fake_plugin_set (f->plugin, "VolumeDriver.Mount", FAKE_HANG);
  berth_plugin_client_call_async (f->client, "VolumeDriver.Mount", NULL, 0, cancellable, on_result,
                                  &result);
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_cancellable_cancel (cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  answer = berth_plugin_client_call_finish (f->client, result, &error);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_CANCELLED);
}

static void
test_refused (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("client-XXXXXX", NULL);
  g_autofree gchar *path = g_build_filename (dir, "missing.sock", NULL);
  g_autoptr(BerthPluginClient) client = berth_plugin_client_new (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  gint64 start;

  /* no retry: at once, naming the socket */
  berth_plugin_client_set_retry_budget (client, 0);
  start = g_get_monotonic_time ();
  answer = call_sync (client, "VolumeDriver.List", "{}", 60000, &error);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_true (g_str_has_prefix (error->message, "VolumeDriver.List: cannot connect"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_clear_error (&error);

  /* a bounded retry: gives up within its budget */
  berth_plugin_client_set_retry_budget (client, 700);
  start = g_get_monotonic_time ();
  answer = call_sync (client, "VolumeDriver.List", "{}", 60000, &error);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "(retried)"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_rmdir (dir);
}

typedef struct
{
  gchar *path;
  FakePlugin *plugin;
} Late;

static gboolean
start_late (gpointer user_data)
{
  Late *late = user_data;
  late->plugin = fake_plugin_new (late->path);
  return G_SOURCE_REMOVE;
}

static void
test_retry_until_up (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("client-XXXXXX", NULL);
  Late late = { g_build_filename (dir, "late.sock", NULL), NULL };
  g_autoptr(BerthPluginClient) client = berth_plugin_client_new (late.path);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;

  /* the plugin restarting: its socket comes back within the budget */
  berth_plugin_client_set_retry_budget (client, 5000);
  g_timeout_add (400, start_late, &late);
  answer = call_sync (client, "VolumeDriver.List", "{}", 10000, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer);
  fake_plugin_free (late.plugin);
  g_free (late.path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/plugin-client/request-shape", test_request_shape);
  ADD ("/plugin-client/chunked", test_chunked);
  ADD ("/plugin-client/errors", test_errors);
  ADD ("/plugin-client/unknown-method", test_an_ok_200_unknown_method);
  ADD ("/plugin-client/timeout", test_timeout);
  ADD ("/plugin-client/cancel", test_cancel);
  g_test_add_func ("/plugin-client/refused", test_refused);
  g_test_add_func ("/plugin-client/retry-until-up", test_retry_until_up);
  return g_test_run ();
}
