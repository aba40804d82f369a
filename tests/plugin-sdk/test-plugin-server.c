/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libberth-plugin over a real unix socket: raw HTTP requests in, responses
 * checked byte by byte where Docker cares.
 */

#include <berth-plugin.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "plugin-sdk-client.h"

/* --- an in-memory volume driver --------------------------------------- */

typedef struct
{
  GHashTable *opts;   /* volume name → GHashTable of options */
  GHashTable *mounts; /* volume name → number of mount IDs */
  gchar *last_mount_id;
} FakeDriver;

static void
fake_driver_free (FakeDriver *fake)
{
  g_hash_table_unref (fake->opts);
  g_hash_table_unref (fake->mounts);
  g_free (fake->last_mount_id);
  g_free (fake);
}

static gboolean
fake_create (gpointer user_data, const gchar *name, GHashTable *opts, GError **error)
{
  FakeDriver *fake = user_data;

  if (g_hash_table_contains (opts, "fail"))
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT,
                   "cannot create %s: %s", name, (const gchar *)g_hash_table_lookup (opts, "fail"));
      return FALSE;
    }
  g_hash_table_replace (fake->opts, g_strdup (name), g_hash_table_ref (opts));
  return TRUE;
}

static gboolean
fake_remove (gpointer user_data, const gchar *name, GError **error)
{
  FakeDriver *fake = user_data;

  if (!g_hash_table_remove (fake->opts, name))
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_NOT_FOUND, "volume %s not found",
                   name);
      return FALSE;
    }
  return TRUE;
}

static gchar *
fake_path (gpointer user_data, const gchar *name, GError **error)
{
  FakeDriver *fake = user_data;

  if (!g_hash_table_contains (fake->opts, name))
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_NOT_FOUND, "volume %s not found",
                   name);
      return NULL;
    }
  return g_strdup_printf ("/mnt/volumes/%s", name);
}

static gchar *
fake_mount (gpointer user_data, const gchar *name, const gchar *id, GError **error)
{
  FakeDriver *fake = user_data;
  gchar *path = fake_path (user_data, name, error);

  if (path == NULL)
    return NULL;
  g_hash_table_replace (
    fake->mounts, g_strdup (name),
    GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (fake->mounts, name)) + 1));
  g_free (fake->last_mount_id);
  fake->last_mount_id = g_strdup (id);
  return path;
}

static gboolean
fake_unmount (gpointer user_data, const gchar *name, const gchar *id, GError **error)
{
  FakeDriver *fake = user_data;
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (fake->mounts, name));

  if (count == 0)
    {
      g_set_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_FAILED, "volume %s is not mounted",
                   name);
      return FALSE;
    }
  g_hash_table_replace (fake->mounts, g_strdup (name), GUINT_TO_POINTER (count - 1));
  return TRUE;
}

static BerthPluginVolume *
fake_get (gpointer user_data, const gchar *name, GError **error)
{
  FakeDriver *fake = user_data;
  BerthPluginVolume *volume;

  if (!g_hash_table_contains (fake->opts, name))
    return NULL;
  volume = berth_plugin_volume_new (name, NULL);
  volume->mountpoint = g_strdup_printf ("/mnt/volumes/%s", name);
  volume->created_at = g_strdup ("2026-11-28T00:00:00Z");
  volume->status = json_object_new ();
  json_object_set_string_member (volume->status, "remote", "here");
  return volume;
}

static GPtrArray *
fake_list (gpointer user_data, GError **error)
{
  FakeDriver *fake = user_data;
  GPtrArray *volumes = g_ptr_array_new_with_free_func ((GDestroyNotify)berth_plugin_volume_free);
  g_autoptr(GList) names = g_hash_table_get_keys (fake->opts);

  names = g_list_sort (names, (GCompareFunc)g_strcmp0);
  for (GList *l = names; l != NULL; l = l->next)
    g_ptr_array_add (volumes, berth_plugin_volume_new (l->data, NULL));
  return volumes;
}

static const BerthPluginVolumeDriverFuncs fake_funcs = {
  .create = fake_create,
  .remove = fake_remove,
  .mount = fake_mount,
  .unmount = fake_unmount,
  .path = fake_path,
  .get = fake_get,
  .list = fake_list,
};

static JsonObject *
echo_handler (const gchar *method, JsonObject *params, gpointer user_data, GError **error)
{
  JsonObject *response = json_object_new ();

  json_object_set_string_member (response, "Method", method);
  json_object_set_object_member (response, "Params", json_object_ref (params));
  return response;
}

/* --- fixture ---------------------------------------------------------- */

typedef struct
{
  gchar *tmpdir;
  gchar *socket_path;
  BerthPluginServer *server;
  FakeDriver *fake;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("plugin-sdk-XXXXXX", &error);
  g_assert_no_error (error);
  /* a directory that does not exist yet: listen makes it */
  f->socket_path = g_build_filename (f->tmpdir, "run", "docker", "plugins", "fake.sock", NULL);
  f->fake = g_new0 (FakeDriver, 1);
  f->fake->opts
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
  f->fake->mounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->server = berth_plugin_server_new ();
  berth_plugin_server_add_volume_driver (f->server, &fake_funcs, f->fake,
                                         (GDestroyNotify)fake_driver_free);
  berth_plugin_server_add_handler (f->server, "Test.Echo", echo_handler, NULL, NULL);
  berth_plugin_server_listen (f->server, f->socket_path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree gchar *cmd = NULL;

  berth_plugin_server_stop (f->server);
  g_assert_false (g_file_test (f->socket_path, G_FILE_TEST_EXISTS));
  g_clear_object (&f->server);
  cmd = g_strdup_printf ("rm -rf '%s'", f->tmpdir);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->socket_path);
  g_free (f->tmpdir);
}

static JsonObject *
post_ok (Fixture *f, const gchar *path, const gchar *body)
{
  g_autoptr(TestResponse) response = test_post (f->socket_path, path, body);
  g_autoptr(JsonObject) object = NULL;

  g_assert_cmpuint (response->status, ==, 200);
  object = test_response_json (response);
  if (json_object_has_member (object, "Err"))
    g_assert_cmpstr (json_object_get_string_member (object, "Err"), ==, "");
  return g_steal_pointer (&object);
}

static void
assert_err (TestResponse *response, guint status, const gchar *message)
{
  g_autoptr(JsonObject) object = NULL;

  g_assert_cmpuint (response->status, ==, status);
  object = test_response_json (response);
  g_assert_cmpstr (json_object_get_string_member (object, "Err"), ==, message);
}

/* --- tests ------------------------------------------------------------ */

static void
test_activate (Fixture *f, gconstpointer data)
{
  /* what a daemon sends a legacy plugin: POST, empty body, no Content-Type */
  g_autoptr(TestResponse) response = test_post (f->socket_path, "/Plugin.Activate", "");
  g_autofree gchar *content_type = test_response_header (response, "Content-Type");
  g_autoptr(JsonObject) object = NULL;
  JsonArray *implements;

  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpstr (content_type, ==, "application/vnd.docker.plugins.v1+json");
  g_assert_cmpstr (response->body, ==, "{\"Implements\":[\"VolumeDriver\"]}\n");
  g_assert_false (response->closed);
  object = test_response_json (response);
  implements = json_object_get_array_member (object, "Implements");
  g_assert_cmpuint (json_array_get_length (implements), ==, 1);
  g_assert_cmpstr (berth_plugin_server_get_implements (f->server)[0], ==, "VolumeDriver");
  g_assert_null (berth_plugin_server_get_implements (f->server)[1]);
}

static void
test_volume_methods (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) got = NULL;
  g_autoptr(JsonObject) listed = NULL;
  g_autoptr(JsonObject) path = NULL;
  g_autoptr(JsonObject) mounted = NULL;
  g_autoptr(JsonObject) unmounted = NULL;
  g_autoptr(JsonObject) caps = NULL;
  g_autoptr(JsonObject) removed = NULL;
  g_autoptr(JsonObject) missing = NULL;
  JsonObject *volume;
  JsonArray *volumes;
  GHashTable *opts;

  created
    = post_ok (f, "/VolumeDriver.Create",
               "{\"Name\":\"v1\",\"Opts\":{\"sshcmd\":\"root@host:/srv\",\"port\":\"22\"}}\n");
  g_assert_cmpstr (json_object_get_string_member (created, "Err"), ==, "");
  opts = g_hash_table_lookup (f->fake->opts, "v1");
  g_assert_nonnull (opts);
  g_assert_cmpstr (g_hash_table_lookup (opts, "sshcmd"), ==, "root@host:/srv");
  g_assert_cmpstr (g_hash_table_lookup (opts, "port"), ==, "22");

  /* Opts null, as Docker sends for `volume create` without -o */
  g_clear_pointer (&created, json_object_unref);
  created = post_ok (f, "/VolumeDriver.Create", "{\"Name\":\"v2\",\"Opts\":null}\n");
  g_assert_cmpuint (g_hash_table_size (g_hash_table_lookup (f->fake->opts, "v2")), ==, 0);

  got = post_ok (f, "/VolumeDriver.Get", "{\"Name\":\"v1\"}\n");
  volume = json_object_get_object_member (got, "Volume");
  g_assert_cmpstr (json_object_get_string_member (volume, "Name"), ==, "v1");
  g_assert_cmpstr (json_object_get_string_member (volume, "Mountpoint"), ==, "/mnt/volumes/v1");
  g_assert_cmpstr (json_object_get_string_member (volume, "CreatedAt"), ==, "2026-11-28T00:00:00Z");
  g_assert_cmpstr (
    json_object_get_string_member (json_object_get_object_member (volume, "Status"), "remote"), ==,
    "here");

  /* List and Capabilities come with "{}\n" */
  listed = post_ok (f, "/VolumeDriver.List", "{}\n");
  volumes = json_object_get_array_member (listed, "Volumes");
  g_assert_cmpuint (json_array_get_length (volumes), ==, 2);
  g_assert_cmpstr (
    json_object_get_string_member (json_array_get_object_element (volumes, 0), "Name"), ==, "v1");
  /* unset fields are left out */
  g_assert_false (
    json_object_has_member (json_array_get_object_element (volumes, 1), "Mountpoint"));

  path = post_ok (f, "/VolumeDriver.Path", "{\"Name\":\"v1\"}\n");
  g_assert_cmpstr (json_object_get_string_member (path, "Mountpoint"), ==, "/mnt/volumes/v1");

  mounted = post_ok (f, "/VolumeDriver.Mount",
                     "{\"Name\":\"v1\",\"ID\":"
                     "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}\n");
  g_assert_cmpstr (json_object_get_string_member (mounted, "Mountpoint"), ==, "/mnt/volumes/v1");
  g_assert_cmpstr (f->fake->last_mount_id, ==,
                   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");

  unmounted = post_ok (f, "/VolumeDriver.Unmount",
                       "{\"Name\":\"v1\",\"ID\":"
                       "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}\n");
  g_assert_cmpstr (json_object_get_string_member (unmounted, "Err"), ==, "");

  caps = post_ok (f, "/VolumeDriver.Capabilities", "{}\n");
  g_assert_cmpstr (
    json_object_get_string_member (json_object_get_object_member (caps, "Capabilities"), "Scope"),
    ==, "local");

  removed = post_ok (f, "/VolumeDriver.Remove", "{\"Name\":\"v1\"}\n");
  g_assert_false (g_hash_table_contains (f->fake->opts, "v1"));

  /* a missing volume: "Volume": null and no error */
  missing = post_ok (f, "/VolumeDriver.Get", "{\"Name\":\"v1\"}\n");
  g_assert_true (json_object_has_member (missing, "Volume"));
  g_assert_true (json_object_get_null_member (missing, "Volume"));
}

static void
test_empty_bodies (Fixture *f, gconstpointer data)
{
  g_autoptr(TestResponse) no_length = NULL;
  g_autoptr(JsonObject) caps = NULL;
  g_autoptr(JsonObject) listed = NULL;
  g_autoptr(JsonObject) echoed = NULL;

  /* no Content-Length at all: an empty body */
  no_length = test_request (f->socket_path, "POST /VolumeDriver.Capabilities HTTP/1.1\r\n"
                                            "Host: plugin.moby.localhost\r\n\r\n");
  g_assert_cmpuint (no_length->status, ==, 200);
  g_assert_cmpstr (no_length->body, ==, "{\"Err\":\"\",\"Capabilities\":{\"Scope\":\"local\"}}\n");

  caps = post_ok (f, "/VolumeDriver.Capabilities", "");
  listed = post_ok (f, "/VolumeDriver.List", "");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (listed, "Volumes")), ==,
                    0);
  echoed = post_ok (f, "/Test.Echo", " \r\n\t");
  g_assert_cmpstr (json_object_get_string_member (echoed, "Method"), ==, "Test.Echo");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (echoed, "Params")), ==, 0);
}

static void
test_err_propagation (Fixture *f, gconstpointer data)
{
  g_autoptr(TestResponse) mount = NULL;
  g_autoptr(TestResponse) create = NULL;
  g_autoptr(TestResponse) noname = NULL;
  g_autoptr(TestResponse) badopts = NULL;
  g_autoptr(TestResponse) as200 = NULL;

  /* a handler error: {"Err": message}, 500 as go-plugins-helpers answer */
  mount = test_post (f->socket_path, "/VolumeDriver.Mount", "{\"Name\":\"nope\",\"ID\":\"x\"}\n");
  assert_err (mount, 500, "volume nope not found");
  g_assert_false (mount->closed);

  create = test_post (f->socket_path, "/VolumeDriver.Create",
                      "{\"Name\":\"v\",\"Opts\":{\"fail\":\"on purpose\"}}\n");
  assert_err (create, 500, "cannot create v: on purpose");

  noname = test_post (f->socket_path, "/VolumeDriver.Remove", "{}\n");
  assert_err (noname, 500, "missing volume name");

  badopts = test_post (f->socket_path, "/VolumeDriver.Create",
                       "{\"Name\":\"v\",\"Opts\":{\"port\":22}}\n");
  assert_err (badopts, 500, "option port must be a string");

  berth_plugin_server_set_error_status (f->server, 200);
  as200 = test_post (f->socket_path, "/VolumeDriver.Path", "{\"Name\":\"nope\"}\n");
  assert_err (as200, 200, "volume nope not found");
}

static void
test_keys_case_insensitive (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonObject) created = NULL;

  /* Go's decoder matches keys whatever their case */
  created = post_ok (f, "/VolumeDriver.Create", "{\"name\":\"lower\",\"opts\":{\"a\":\"b\"}}");
  g_assert_true (g_hash_table_contains (f->fake->opts, "lower"));
}

static void
test_not_found (Fixture *f, gconstpointer data)
{
  g_autoptr(TestResponse) unknown = NULL;
  g_autoptr(TestResponse) get = NULL;
  g_autofree gchar *allow = NULL;

  unknown = test_post (f->socket_path, "/VolumeDriver.Frobnicate", "{}\n");
  assert_err (unknown, 404, "/VolumeDriver.Frobnicate is not implemented by this plugin");
  g_assert_false (unknown->closed);

  get = test_request (f->socket_path, "GET /Plugin.Activate HTTP/1.1\r\nHost: x\r\n\r\n");
  g_assert_cmpuint (get->status, ==, 405);
  allow = test_response_header (get, "Allow");
  g_assert_cmpstr (allow, ==, "POST");
}

static void
test_malformed (Fixture *f, gconstpointer data)
{
  /* a broken head closes the connection; a broken JSON body need not */
  const struct
  {
    const gchar *request;
    guint status;
    gboolean closes;
  } cases[] = {
    { "GARBAGE\r\n\r\n", 400, TRUE },
    { "POST /VolumeDriver.List\r\n\r\n", 400, TRUE },
    { "POST /VolumeDriver.List HTTP/2.0\r\n\r\n", 505, TRUE },
    { "POST /VolumeDriver.List HTTP/1.1 extra\r\n\r\n", 400, TRUE },
    { "POST VolumeDriver.List HTTP/1.1\r\n\r\n", 400, TRUE },
    { "PO(ST /VolumeDriver.List HTTP/1.1\r\n\r\n", 400, TRUE },
    { "POST /VolumeDriver.List HTTP/1.1\r\nNo colon here\r\n\r\n", 400, TRUE },
    { "POST /VolumeDriver.List HTTP/1.1\r\nBad Name: x\r\n\r\n", 400, TRUE },
    { "POST /VolumeDriver.List HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400, TRUE },
    { "POST /VolumeDriver.List HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400, TRUE },
    { "POST /VolumeDriver.List HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, TRUE },
    { "POST /VolumeDriver.List HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x", 400,
      TRUE },
    { "POST /VolumeDriver.List HTTP/1.1\r\nContent-Length: 2\r\n"
      "Transfer-Encoding: chunked\r\n\r\n{}",
      400, TRUE },
    { "POST /VolumeDriver.List HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501, TRUE },
    { "POST /VolumeDriver.List HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, TRUE },
    { "POST /VolumeDriver.List HTTP/1.1\r\nExpect: magic\r\n\r\n", 417, TRUE },
    { "POST /VolumeDriver.List HTTP/1.1\r\nContent-Length: 7\r\n\r\n{\"Name\"", 400, FALSE },
    { "POST /VolumeDriver.List HTTP/1.1\r\nContent-Length: 3\r\n\r\n[1]", 400, FALSE },
    { "POST /VolumeDriver.List HTTP/1.1\r\nContent-Length: 2\r\n\r\n\xff\xfe", 400, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TestResponse) response = test_request (f->socket_path, cases[i].request);
      g_autoptr(JsonObject) object = NULL;
      g_autofree gchar *escaped = g_strescape (cases[i].request, NULL);

      g_test_message ("case %u: %s", i, escaped);
      g_assert_cmpuint (response->status, ==, cases[i].status);
      object = test_response_json (response);
      g_assert_true (json_object_has_member (object, "Err"));
      g_assert_cmpint (response->closed, ==, cases[i].closes);
    }

  /* NUL bytes in the head */
  {
    static const gchar with_nul[] = "POST /VolumeDriver.List HTTP/1.1\r\nHost: a\0b\r\n\r\n";
    g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
    g_autoptr(GSocketAddress) address = g_unix_socket_address_new (f->socket_path);
    g_autoptr(GError) error = NULL;
    g_autoptr(TestResponse) after = NULL;
    gchar buf[512] = { 0 };
    gssize n;

    /* the backlog takes the connection before the server accepts it */
    g_assert_true (g_socket_connect (socket, address, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_socket_send (socket, with_nul, sizeof with_nul - 1, NULL, &error), ==,
                     sizeof with_nul - 1);
    g_assert_no_error (error);
    /* the server answers from its threads; let the accept run */
    while (!g_socket_condition_check (socket, G_IO_IN))
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
      }
    n = g_socket_receive (socket, buf, sizeof buf - 1, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (n, >, 0);
    g_assert_true (g_str_has_prefix (buf, "HTTP/1.1 400 Bad Request\r\n"));

    /* and the server still answers */
    after = test_post (f->socket_path, "/VolumeDriver.Capabilities", "{}\n");
    g_assert_cmpuint (after->status, ==, 200);
  }
}

static void
test_half_request (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (f->socket_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TestResponse) after = NULL;
  static const gchar half[] = "POST /VolumeDriver.List HTTP/1.1\r\nContent-Length: 100\r\n\r\n{";
  gchar buf[512] = { 0 };

  /* the client goes away in the middle of a body: no crash, no answer */
  g_assert_true (g_socket_connect (socket, address, NULL, &error));
  g_socket_send (socket, half, sizeof half - 1, NULL, &error);
  g_assert_no_error (error);
  g_socket_shutdown (socket, FALSE, TRUE, &error);
  g_assert_no_error (error);
  while (!g_socket_condition_check (socket, G_IO_IN | G_IO_HUP))
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_socket_receive (socket, buf, sizeof buf - 1, NULL, NULL);
  g_assert_true (buf[0] == '\0' || g_str_has_prefix (buf, "HTTP/1.1 400"));

  after = test_post (f->socket_path, "/VolumeDriver.Capabilities", "{}\n");
  g_assert_cmpuint (after->status, ==, 200);
}

static void
test_oversized (Fixture *f, gconstpointer data)
{
  g_autofree gchar *big_body = g_strnfill (2048, ' ');
  g_autofree gchar *big = NULL;
  g_autofree gchar *big_chunked = NULL;
  g_autofree gchar *big_head = NULL;
  g_autofree gchar *long_header = g_strnfill (20000, 'a');
  g_autoptr(TestResponse) too_long = NULL;
  g_autoptr(TestResponse) too_long_chunked = NULL;
  g_autoptr(TestResponse) head_too_long = NULL;
  g_autoptr(TestResponse) fits = NULL;

  berth_plugin_server_set_max_body_size (f->server, 1024);

  big = g_strdup_printf ("POST /Test.Echo HTTP/1.1\r\nContent-Length: 2048\r\n\r\n%s", big_body);
  too_long = test_request (f->socket_path, big);
  g_assert_cmpuint (too_long->status, ==, 413);
  g_assert_true (too_long->closed);

  big_chunked = g_strdup_printf ("POST /Test.Echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 "300\r\n%.768s\r\n300\r\n%.768s\r\n0\r\n\r\n",
                                 big_body, big_body);
  too_long_chunked = test_request (f->socket_path, big_chunked);
  g_assert_cmpuint (too_long_chunked->status, ==, 413);
  g_assert_true (too_long_chunked->closed);

  big_head = g_strdup_printf ("POST /Test.Echo HTTP/1.1\r\nX-Long: %s\r\n\r\n", long_header);
  head_too_long = test_request (f->socket_path, big_head);
  g_assert_cmpuint (head_too_long->status, ==, 431);
  g_assert_true (head_too_long->closed);

  /* at the limit is fine */
  fits = test_post (f->socket_path, "/Test.Echo", "{}");
  g_assert_cmpuint (fits->status, ==, 200);
}

static void
test_keep_alive (Fixture *f, gconstpointer data)
{
  const gchar *two[] = {
    "POST /VolumeDriver.Create HTTP/1.1\r\nHost: x\r\nContent-Length: "
    "16\r\n\r\n{\"Name\":\"ka\"}\n\n\n",
    "POST /VolumeDriver.List HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n{}\n",
    NULL,
  };
  const gchar *closing[] = {
    "POST /VolumeDriver.List HTTP/1.1\r\nConnection: close\r\nContent-Length: 3\r\n\r\n{}\n",
    "POST /VolumeDriver.List HTTP/1.1\r\nContent-Length: 3\r\n\r\n{}\n",
    NULL,
  };
  const gchar *http10[] = {
    "POST /VolumeDriver.List HTTP/1.0\r\nContent-Length: 3\r\n\r\n{}\n",
    NULL,
  };
  const gchar *http10_ka[] = {
    "POST /VolumeDriver.List HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\n{}\n",
    "POST /VolumeDriver.List HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\n{}\n",
    NULL,
  };
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GPtrArray) pipelined = NULL;
  g_autoptr(GPtrArray) closed = NULL;
  g_autoptr(GPtrArray) old = NULL;
  g_autoptr(GPtrArray) old_ka = NULL;
  g_autoptr(JsonObject) listed = NULL;

  /* two requests, one connection */
  responses = test_exchange (f->socket_path, two, FALSE);
  g_assert_cmpuint (responses->len, ==, 2);
  for (guint i = 0; i < responses->len; i++)
    {
      TestResponse *response = g_ptr_array_index (responses, i);
      g_assert_cmpuint (response->status, ==, 200);
      g_assert_false (response->closed);
    }
  listed = test_response_json (g_ptr_array_index (responses, 1));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (listed, "Volumes")), ==,
                    1);

  /* the same, both sent before reading */
  pipelined = test_exchange (f->socket_path, two, TRUE);
  g_assert_cmpuint (pipelined->len, ==, 2);

  closed = test_exchange (f->socket_path, closing, FALSE);
  g_assert_cmpuint (closed->len, ==, 1);
  g_assert_true (((TestResponse *)g_ptr_array_index (closed, 0))->closed);

  old = test_exchange (f->socket_path, http10, FALSE);
  g_assert_true (((TestResponse *)g_ptr_array_index (old, 0))->closed);

  old_ka = test_exchange (f->socket_path, http10_ka, FALSE);
  g_assert_cmpuint (old_ka->len, ==, 2);
}

static void
test_chunked (Fixture *f, gconstpointer data)
{
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(JsonObject) object = NULL;
  JsonObject *params;

  response = test_request (f->socket_path, "POST /Test.Echo HTTP/1.1\r\n"
                                           "Transfer-Encoding: chunked\r\n\r\n"
                                           "5;ext=1\r\n{\"Nam\r\n"
                                           "A\r\ne\":\"chunk\"\r\n"
                                           "1\r\n}\r\n"
                                           "0\r\n"
                                           "X-Trailer: yes\r\n\r\n");
  g_assert_cmpuint (response->status, ==, 200);
  object = test_response_json (response);
  params = json_object_get_object_member (object, "Params");
  g_assert_cmpstr (json_object_get_string_member (params, "Name"), ==, "chunk");
}

static void
test_expect_continue (Fixture *f, gconstpointer data)
{
  g_autoptr(TestResponse) response = NULL;

  /* the client reader skips the interim 100 response */
  response = test_request (f->socket_path, "POST /VolumeDriver.Capabilities HTTP/1.1\r\n"
                                           "Expect: 100-continue\r\nContent-Length: 3\r\n\r\n{}\n");
  g_assert_cmpuint (response->status, ==, 200);
}

static void
test_socket_lifecycle (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *tmpdir = g_dir_make_tmp ("plugin-sdk-XXXXXX", &error);
  g_autofree gchar *path = g_build_filename (tmpdir, "x.sock", NULL);
  g_autofree gchar *file = g_build_filename (tmpdir, "file.sock", NULL);
  g_autofree gchar *long_path = NULL;
  g_autoptr(BerthPluginServer) first = berth_plugin_server_new ();
  g_autoptr(BerthPluginServer) second = berth_plugin_server_new ();
  g_autoptr(BerthPluginServer) third = berth_plugin_server_new ();
  g_autofree gchar *default_path = berth_plugin_socket_path ("sshfs.sock");
  g_autofree gchar *legacy_path = berth_plugin_socket_path ("sshfs");
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  gint fd;

  g_assert_no_error (error);
  g_assert_cmpstr (default_path, ==, "/run/docker/plugins/sshfs.sock");
  g_assert_cmpstr (legacy_path, ==, "/run/docker/plugins/sshfs.sock");

  /* a socket left by a crashed run is replaced */
  fd = socket (AF_UNIX, SOCK_STREAM, 0);
  g_assert_cmpint (fd, >=, 0);
  g_strlcpy (sun.sun_path, path, sizeof sun.sun_path);
  g_assert_cmpint (bind (fd, (struct sockaddr *)&sun, sizeof sun), ==, 0);
  close (fd);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  berth_plugin_server_listen (first, path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (berth_plugin_server_get_socket_path (first), ==, path);

  /* one that answers is not */
  g_assert_false (berth_plugin_server_listen (second, path, &error));
  g_assert_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);

  /* nor is a file that is not a socket */
  g_file_set_contents (file, "data", -1, &error);
  g_assert_no_error (error);
  g_assert_false (berth_plugin_server_listen (third, file, &error));
  g_assert_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);

  long_path = g_strdup_printf ("/tmp/%0200d.sock", 0);
  g_assert_false (berth_plugin_server_listen (third, long_path, &error));
  g_assert_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* stop removes the socket; run returns at once on a stopped server */
  berth_plugin_server_stop (first);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (berth_plugin_server_run (first, &error));
  g_assert_no_error (error);
  g_assert_false (berth_plugin_server_listen (first, path, &error));
  g_clear_error (&error);

  g_unlink (file);
  g_rmdir (tmpdir);
}

static gboolean
stop_later (gpointer user_data)
{
  berth_plugin_server_stop (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_run (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  /* run serves until stopped; a request in between is answered */
  g_timeout_add (50, stop_later, f->server);
  g_assert_true (berth_plugin_server_run (f->server, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (f->socket_path, G_FILE_TEST_EXISTS));
}

typedef struct
{
  gchar *socket_path;
  gint phase; /* 1: answered, 2: saw the server close */
} IdleClient;

static gpointer
idle_client_thread (gpointer data)
{
  IdleClient *client = data;
  static const gchar request[] = "POST /VolumeDriver.Capabilities HTTP/1.1\r\n\r\n";
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (client->socket_path);
  g_autoptr(GString) received = g_string_new (NULL);
  gchar buf[1024];
  gssize n;

  g_assert_true (g_socket_connect (socket, address, NULL, NULL));
  g_assert_cmpint (g_socket_send (socket, request, sizeof request - 1, NULL, NULL), ==,
                   sizeof request - 1);
  while (!g_str_has_suffix (received->str, "}}\n"))
    {
      n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (received, buf, n);
    }
  g_atomic_int_set (&client->phase, 1);
  g_main_context_wakeup (NULL);
  /* an idle keep-alive connection: the server's stop ends it */
  n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);
  g_assert_cmpint (n, <=, 0);
  g_atomic_int_set (&client->phase, 2);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
test_stop_closes_idle (Fixture *f, gconstpointer data)
{
  IdleClient client = { f->socket_path, 0 };
  GThread *thread = g_thread_new ("idle-client", idle_client_thread, &client);

  while (g_atomic_int_get (&client.phase) < 1)
    g_main_context_iteration (NULL, TRUE);
  berth_plugin_server_stop (f->server);
  while (g_atomic_int_get (&client.phase) < 2)
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/plugin-sdk/activate", test_activate);
  ADD ("/plugin-sdk/volume-methods", test_volume_methods);
  ADD ("/plugin-sdk/empty-bodies", test_empty_bodies);
  ADD ("/plugin-sdk/err-propagation", test_err_propagation);
  ADD ("/plugin-sdk/keys-case-insensitive", test_keys_case_insensitive);
  ADD ("/plugin-sdk/not-found", test_not_found);
  ADD ("/plugin-sdk/malformed", test_malformed);
  ADD ("/plugin-sdk/half-request", test_half_request);
  ADD ("/plugin-sdk/oversized", test_oversized);
  ADD ("/plugin-sdk/keep-alive", test_keep_alive);
  ADD ("/plugin-sdk/chunked", test_chunked);
  ADD ("/plugin-sdk/expect-continue", test_expect_continue);
  ADD ("/plugin-sdk/run", test_run);
  ADD ("/plugin-sdk/stop-closes-idle", test_stop_closes_idle);
#undef ADD
  g_test_add_func ("/plugin-sdk/socket-lifecycle", test_socket_lifecycle);
  return g_test_run ();
}
