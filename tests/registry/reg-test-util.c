/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <crypt.h>
#include <string.h>

#include "../content-store/cs-test-util.h"
#include "reg-test-util.h"

guint16
reg_free_port (void)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                           G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_assert_true (g_socket_bind (sock, addr, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
run (const gchar *dir, const gchar *const *argv)
{
  g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) p = NULL;
  g_autoptr(GError) error = NULL;
  g_subprocess_launcher_set_cwd (l, dir);
  p = g_subprocess_launcher_spawnv (l, argv, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (p, NULL, &error));
  g_assert_no_error (error);
}

void
reg_make_tls (const gchar *dir)
{
  const gchar *ca[]
    = { "openssl", "req",  "-x509",  "-newkey", "rsa:2048", "-nodes", "-keyout",
        "ca.key",  "-out", "ca.crt", "-days",   "2",        "-subj",  "/CN=berth test CA",
        NULL };
  const gchar *csr[] = { "openssl",    "req",  "-newkey",    "rsa:2048", "-nodes",        "-keyout",
                         "server.key", "-out", "server.csr", "-subj",    "/CN=127.0.0.1", NULL };
  const gchar *sign[] = { "openssl", "x509",       "-req",   "-in",    "server.csr",
                          "-CA",     "ca.crt",     "-CAkey", "ca.key", "-CAcreateserial",
                          "-out",    "server.crt", "-days",  "2",      "-extfile",
                          "san.ext", NULL };
  g_autofree gchar *ext = g_build_filename (dir, "san.ext", NULL);
  g_assert_true (
    g_file_set_contents (ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n", -1, NULL));
  run (dir, ca);
  run (dir, csr);
  run (dir, sign);
}

static gboolean
port_open (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_socket_client_set_enable_proxy (client, FALSE);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return conn != NULL;
}

RegServer *
reg_server_start (const gchar *dir, gboolean tls_htpasswd)
{
  RegServer *server = g_new0 (RegServer, 1);
  g_autoptr(GString) yml = g_string_new (NULL);
  g_autofree gchar *yml_path = g_build_filename (dir, "config.yml", NULL);
  g_autofree gchar *log = g_build_filename (dir, "registry.log", NULL);
  g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;

  server->dir = g_strdup (dir);
  server->port = reg_free_port ();
  server->host = g_strdup_printf ("127.0.0.1:%u", server->port);
  server->tls = tls_htpasswd;
  g_string_append_printf (yml,
                          "version: 0.1\n"
                          "log:\n  level: warn\n"
                          "storage:\n  filesystem:\n    rootdirectory: %s/storage\n"
                          "  delete:\n    enabled: true\n"
                          "http:\n  addr: 127.0.0.1:%u\n",
                          dir, server->port);
  if (tls_htpasswd)
    {
      g_autofree gchar *htpasswd = g_build_filename (dir, "htpasswd", NULL);
      g_autofree gchar *line = NULL;
      const gchar *salt = crypt_gensalt ("$2b$", 5, NULL, 0);
      g_assert_nonnull (salt);
      line = g_strdup_printf ("berth:%s\n", crypt ("s3cret", salt));
      g_assert_true (g_file_set_contents (htpasswd, line, -1, NULL));
      reg_make_tls (dir);
      g_string_append_printf (yml,
                              "  tls:\n    certificate: %s/server.crt\n    key: %s/server.key\n"
                              "auth:\n  htpasswd:\n    realm: berth-test\n    path: %s\n",
                              dir, dir, htpasswd);
    }
  g_assert_true (g_file_set_contents (yml_path, yml->str, -1, NULL));
  g_subprocess_launcher_set_stdout_file_path (l, log);
  g_subprocess_launcher_set_stderr_file_path (l, log);
  server->proc
    = g_subprocess_launcher_spawn (l, &error, "docker-registry", "serve", yml_path, NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 300 && !port_open (server->port); i++)
    g_usleep (50000);
  if (!port_open (server->port))
    {
      g_autofree gchar *text = NULL;
      g_file_get_contents (log, &text, NULL, NULL);
      g_error ("docker-registry did not start: %s", text);
    }
  return server;
}

void
reg_server_stop (RegServer *server)
{
  if (server->proc != NULL)
    {
      g_subprocess_send_signal (server->proc, SIGTERM);
      g_subprocess_wait (server->proc, NULL, NULL);
    }
  g_clear_object (&server->proc);
  g_free (server->dir);
  g_free (server->host);
  g_free (server);
}

gchar *
reg_server_blob_path (RegServer *server, const gchar *digest)
{
  const gchar *hex = digest + strlen ("sha256:");
  g_autofree gchar *two = g_strndup (hex, 2);
  return g_build_filename (server->dir, "storage", "docker", "registry", "v2", "blobs", "sha256",
                           two, hex, "data", NULL);
}

BerthContentStore *
reg_open_store (const gchar *root)
{
  g_autoptr(GError) error = NULL;
  BerthContentStore *store = cs_open_store (&cs_impls[0], root, NULL, &error);
  g_assert_no_error (error);
  return store;
}

GKeyFile *
reg_test_config (const gchar *docker_config_dir)
{
  GKeyFile *config = g_key_file_new ();
  g_key_file_set_string (config, "registry", "docker-config", docker_config_dir);
  g_key_file_set_string (config, "registry", "certs-dirs", "/nonexistent");
  g_key_file_set_integer (config, "registry", "timeout", 2);
  g_key_file_set_integer (config, "registry", "max-attempts", 4);
  g_key_file_set_integer (config, "registry", "backoff-ms", 20);
  return config;
}

BerthTransport *
reg_open_transport (GKeyFile *config)
{
  static gboolean loaded = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPaths) paths = berth_paths_new ();
  GIOExtension *ext;
  const gchar *names[] = { "paths", "config" };
  GValue values[2] = { G_VALUE_INIT, G_VALUE_INIT };
  GObject *object;

  if (!loaded)
    {
      BerthModule *module = berth_module_new_for_path (g_getenv ("BERTH_TEST_REGISTRY_MODULE"));
      berth_extension_points_register ();
      g_assert_true (berth_module_load_checked (module, &error));
      g_assert_no_error (error);
      loaded = TRUE;
    }
  ext = g_io_extension_point_get_extension_by_name (
    g_io_extension_point_lookup (BERTH_EXTENSION_POINT_TRANSPORT), "registry");
  g_assert_nonnull (ext);
  g_value_init (&values[0], BERTH_TYPE_PATHS);
  g_value_set_object (&values[0], paths);
  g_value_init (&values[1], G_TYPE_KEY_FILE);
  g_value_set_boxed (&values[1], config);
  object = g_object_new_with_properties (g_io_extension_get_type (ext), 2, names, values);
  g_value_unset (&values[0]);
  g_value_unset (&values[1]);
  g_assert_true (berth_transport_handles_scheme (BERTH_TRANSPORT (object), "docker"));
  return BERTH_TRANSPORT (object);
}

static gchar *
ingest (BerthContentStore *store, GBytes *bytes, const gchar *media_type)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GError) error = NULL;
  gchar *digest = berth_registry_digest_bytes (bytes);
  g_assert_true (berth_content_store_ingest_blob (
    store, in, digest, (gint64)g_bytes_get_size (bytes), media_type, NULL, NULL, &error));
  g_assert_no_error (error);
  return digest;
}

RegPlugin *
reg_plugin_make (BerthContentStore *store, const gchar *config_media_type)
{
  RegPlugin *plugin = g_new0 (RegPlugin, 1);
  g_autofree gchar *dir = g_dir_make_tmp ("berth-plugin-XXXXXX", NULL);
  g_autofree gchar *file = g_build_filename (dir, "plugin", NULL);
  g_autofree gchar *data
    = g_strdup_printf ("#!/bin/sh\n# %" G_GINT64_FORMAT "\n", g_get_real_time ());
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_auto(BerthLayerBlob) blob = { NULL };
  g_autoptr(GError) error = NULL;
  g_autofree gchar *config = NULL;
  BerthRegistryDescriptor config_desc = { 0 };
  BerthRegistryDescriptor layer_desc = { 0 };

  g_assert_nonnull (dir);
  /* a large, incompressible file, so that downloads take several reads */
  {
    g_autofree guint8 *noise = g_malloc (600 * 1024);
    for (guint i = 0; i < 600 * 1024; i++)
      noise[i] = (guint8)g_random_int ();
    g_autofree gchar *big = g_build_filename (dir, "noise", NULL);
    g_assert_true (g_file_set_contents (big, (gchar *)noise, 600 * 1024, NULL));
  }
  g_assert_true (g_file_set_contents (file, data, -1, NULL));
  g_assert_true (berth_archive_write_layer (dir, out, &blob, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  plugin->layer = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  plugin->layer_digest = ingest (store, plugin->layer, BERTH_MEDIA_TYPE_DOCKER_LAYER_GZIP);
  g_assert_cmpstr (plugin->layer_digest, ==, blob.digest);

  config = g_strdup_printf (
    "{\"Description\":\"berth registry test\",\"Documentation\":\"https://example.com\","
    "\"Entrypoint\":[\"/plugin\"],\"Interface\":{\"Socket\":\"t.sock\",\"Types\":"
    "[\"docker.volumedriver/1.0\"]},\"Network\":{\"Type\":\"host\"},\"architecture\":\"amd64\","
    "\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
    blob.diff_id);
  plugin->config = g_bytes_new (config, strlen (config));
  plugin->config_digest = ingest (store, plugin->config, config_media_type);

  config_desc.media_type = (gchar *)config_media_type;
  config_desc.digest = plugin->config_digest;
  config_desc.size = (gint64)g_bytes_get_size (plugin->config);
  layer_desc.media_type = (gchar *)BERTH_MEDIA_TYPE_DOCKER_LAYER_GZIP;
  layer_desc.digest = plugin->layer_digest;
  layer_desc.size = (gint64)g_bytes_get_size (plugin->layer);
  plugin->manifest = berth_registry_manifest_build (&config_desc, &layer_desc, 1);
  plugin->manifest_digest = berth_registry_digest_bytes (plugin->manifest);
  berth_rm_rf (dir, NULL);
  return plugin;
}

void
reg_plugin_free (RegPlugin *plugin)
{
  g_bytes_unref (plugin->manifest);
  g_bytes_unref (plugin->config);
  g_bytes_unref (plugin->layer);
  g_free (plugin->config_digest);
  g_free (plugin->layer_digest);
  g_free (plugin->manifest_digest);
  g_free (plugin);
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **)data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
on_progress (
  const gchar *digest, BerthTransportPhase phase, guint64 current, guint64 total, gpointer data)
{
  GPtrArray *lines = data;
  if (lines != NULL)
    g_ptr_array_add (lines,
                     g_strdup_printf ("%s %s", berth_transport_phase_to_string (phase), digest));
}

BerthRegistryManifest *
reg_resolve (BerthTransport *transport,
             const gchar *reference,
             BerthTransportFlags flags,
             GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  berth_transport_resolve_async (transport, reference, flags, NULL, on_done, &result);
  return berth_transport_resolve_finish (transport, wait_for (&result), error);
}

gboolean
reg_pull (BerthTransport *transport,
          BerthRegistryManifest *manifest,
          BerthContentStore *store,
          GPtrArray *progress,
          GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  berth_transport_pull_async (transport, manifest, store, BERTH_TRANSPORT_FLAGS_PLUGIN, on_progress,
                              progress, NULL, NULL, on_done, &result);
  return berth_transport_pull_finish (transport, wait_for (&result), error);
}

gboolean
reg_install (BerthTransport *transport,
             const gchar *reference,
             BerthContentStore *store,
             GPtrArray *progress,
             GError **error)
{
  g_autoptr(BerthRegistryManifest) manifest
             = reg_resolve (transport, reference, BERTH_TRANSPORT_FLAGS_PLUGIN, error);
  if (manifest == NULL)
    return FALSE;
  return reg_pull (transport, manifest, store, progress, error);
}

gchar *
reg_push (BerthTransport *transport,
          const gchar *reference,
          BerthContentStore *store,
          GBytes *manifest,
          GPtrArray *progress,
          GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  berth_transport_push_async (transport, reference, store, manifest,
                              BERTH_MEDIA_TYPE_DOCKER_MANIFEST, BERTH_TRANSPORT_FLAGS_PLUGIN,
                              on_progress, progress, NULL, NULL, on_done, &result);
  return berth_transport_push_finish (transport, wait_for (&result), error);
}

gboolean
reg_progress_has (GPtrArray *progress, const gchar *phase, const gchar *digest)
{
  g_autofree gchar *line = g_strdup_printf ("%s %s", phase, digest);
  for (guint i = 0; i < progress->len; i++)
    if (g_str_equal (progress->pdata[i], line))
      return TRUE;
  return FALSE;
}

GBytes *
reg_http_get (const gchar *url, const gchar *accept, gchar **out_content_type)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  GBytes *body;
  if (accept != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", accept);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  if (out_content_type != NULL)
    *out_content_type = g_strdup (
      soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));
  return body;
}

gchar *
reg_login (BerthTransport *transport,
           const gchar *server,
           const gchar *username,
           const gchar *password,
           GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  berth_transport_login_async (transport, server, username, password, NULL, on_done, &result);
  return berth_transport_login_finish (transport, wait_for (&result), error);
}

gchar *
reg_logout (BerthTransport *transport, const gchar *server, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  berth_transport_logout_async (transport, server, NULL, on_done, &result);
  return berth_transport_logout_finish (transport, wait_for (&result), error);
}
