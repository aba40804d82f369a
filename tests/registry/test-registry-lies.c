/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* registries that lie, stall, redirect and ask for tokens: libsoup fakes
 * serving a plugin made by the test, for what a real registry will not do */
#include "config.h"

#include <string.h>

#include "reg-test-util.h"

#define IMAGE_CONFIG "application/vnd.docker.container.image.v1+json"

typedef struct
{
  SoupServer *server;
  SoupServer *cdn; /* on 127.0.0.2: "another host" for redirects */
  gchar *host;
  gchar *cdn_base;
  GHashTable *blobs;     /* digest → GBytes */
  GHashTable *manifests; /* tag or digest → GBytes */
  GHashTable *types;     /* tag or digest → media type */
  /* knobs */
  gchar *realm; /* non-NULL: Bearer auth, tokens from here */
  gchar *password;
  gchar *corrupt;
  gchar *truncate;
  gchar *stall; /* stall this blob's first answer mid-way */
  gboolean stall_always;
  gboolean ignore_range;
  gboolean redirect;
  const gchar *redirect_to;  /* non-NULL: blobs redirect here, verbatim */
  const gchar *token_answer; /* non-NULL: the token server's answer */
  /* what was seen */
  gchar *scope_seen;
  guint range_requests;
  guint stalls;
  guint cdn_hits;
  gboolean cdn_saw_auth;
} Fake;

typedef struct
{
  gchar *tmp;
  gchar *docker_config;
  Fake fake;
  BerthContentStore *source;
  BerthContentStore *target;
  RegPlugin *plugin;
  gchar *ref;
} Fixture;

static void
respond_json (SoupServerMessage *msg, guint status, const gchar *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static void
serve_blob (Fake *fake, SoupServerMessage *msg, const gchar *digest)
{
  GBytes *bytes = g_hash_table_lookup (fake->blobs, digest);
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *resp = soup_server_message_get_response_headers (msg);
  gsize len;
  const guint8 *data;
  SoupRange *ranges = NULL;
  gint n_ranges = 0;

  if (bytes == NULL)
    {
      respond_json (msg, 404,
                    "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to "
                    "registry\"}]}");
      return;
    }
  data = g_bytes_get_data (bytes, &len);
  if (g_strcmp0 (digest, fake->corrupt) == 0)
    {
      g_autofree guint8 *bad = g_memdup2 (data, len);
      bad[len / 2] ^= 0x55;
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                        (const gchar *)bad, len);
      return;
    }
  if (g_strcmp0 (digest, fake->truncate) == 0)
    {
      soup_message_headers_remove (req, "Range");
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                        (const gchar *)data, len / 2);
      return;
    }
  if (g_strcmp0 (digest, fake->stall) == 0 && (fake->stall_always || fake->stalls == 0))
    {
      /* half the body, then silence: the server waits for more forever */
      fake->stalls++;
      soup_message_headers_remove (req, "Range");
      soup_server_message_set_status (msg, 200, NULL);
      soup_message_headers_set_content_length (resp, (goffset)len);
      soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_COPY, data,
                                len / 2);
      return;
    }
  if (!fake->ignore_range
      && soup_message_headers_get_ranges (req, (goffset)len, &ranges, &n_ranges))
    {
      fake->range_requests++;
      soup_server_message_set_status (msg, 206, NULL);
      soup_message_headers_set_content_range (resp, ranges[0].start, ranges[0].end, (goffset)len);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                        (const gchar *)data + ranges[0].start,
                                        (gsize)(ranges[0].end - ranges[0].start + 1));
      soup_message_headers_free_ranges (req, ranges);
      return;
    }
  if (soup_message_headers_get_one (req, "Range") != NULL)
    {
      /* or libsoup's server would answer the range itself */
      fake->range_requests++;
      soup_message_headers_remove (req, "Range");
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                    (const gchar *)data, len);
}

static void
registry_handler (SoupServer *server,
                  SoupServerMessage *msg,
                  const char *path,
                  GHashTable *query,
                  gpointer user_data)
{
  Fake *fake = user_data;
  const gchar *auth
    = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  const gchar *tail;

  if (fake->realm != NULL && g_strcmp0 (auth, "Bearer good-token") != 0)
    {
      g_autofree gchar *challenge = g_strdup_printf (
        "Bearer realm=\"%s\",service=\"fake-registry\",scope=\"repository:test/plugin:pull\"",
        fake->realm);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", challenge);
      respond_json (msg, 401,
                    "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication "
                    "required\"}]}");
      return;
    }
  if (g_str_equal (path, "/v2/"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      return;
    }
  if ((tail = strstr (path, "/blobs/")) != NULL)
    {
      const gchar *digest = tail + strlen ("/blobs/");
      if (fake->redirect_to != NULL)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location",
                                        fake->redirect_to);
          soup_server_message_set_status (msg, 307, NULL);
          return;
        }
      if (fake->redirect)
        {
          g_autofree gchar *location = g_strdup_printf ("%s/cdn/%s", fake->cdn_base, digest);
          soup_server_message_set_redirect (msg, 307, location);
          return;
        }
      serve_blob (fake, msg, digest);
      return;
    }
  if ((tail = strstr (path, "/manifests/")) != NULL)
    {
      const gchar *key = tail + strlen ("/manifests/");
      GBytes *bytes = g_hash_table_lookup (fake->manifests, key);
      if (bytes == NULL)
        {
          soup_server_message_set_status (msg, 404, NULL);
          return;
        }
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, g_hash_table_lookup (fake->types, key),
                                        SOUP_MEMORY_COPY, g_bytes_get_data (bytes, NULL),
                                        g_bytes_get_size (bytes));
      return;
    }
  soup_server_message_set_status (msg, 404, NULL);
}

static void
token_handler (SoupServer *server,
               SoupServerMessage *msg,
               const char *path,
               GHashTable *query,
               gpointer user_data)
{
  Fake *fake = user_data;
  const gchar *auth
    = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  g_autofree gchar *pair = g_strconcat ("berth:", fake->password ? fake->password : "", NULL);
  g_autofree gchar *b64 = g_base64_encode ((const guchar *)pair, strlen (pair));
  g_autofree gchar *want = g_strconcat ("Basic ", b64, NULL);
  const gchar *ok = fake->token_answer != NULL ? fake->token_answer
                                               : "{\"token\":\"good-token\",\"expires_in\":300}";

  g_free (fake->scope_seen);
  fake->scope_seen = g_strdup (query ? g_hash_table_lookup (query, "scope") : NULL);
  if (fake->password != NULL && g_strcmp0 (auth, want) != 0)
    {
      respond_json (msg, 401, "{\"details\":\"incorrect username or password\"}");
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, ok, strlen (ok));
}

static void
cdn_handler (SoupServer *server,
             SoupServerMessage *msg,
             const char *path,
             GHashTable *query,
             gpointer user_data)
{
  Fake *fake = user_data;
  fake->cdn_hits++;
  if (soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization")
      != NULL)
    fake->cdn_saw_auth = TRUE;
  serve_blob (fake, msg, path + strlen ("/cdn/"));
}

static guint16
server_port (SoupServer *server)
{
  GSList *uris = soup_server_get_uris (server);
  guint16 port = (guint16)g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  return port;
}

static void
fake_put_manifest (Fake *fake, const gchar *key, GBytes *bytes, const gchar *type)
{
  g_hash_table_replace (fake->manifests, g_strdup (key), g_bytes_ref (bytes));
  g_hash_table_replace (fake->types, g_strdup (key), g_strdup (type));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  Fake *fake = &f->fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) other = g_inet_address_new_from_string ("127.0.0.2");
  g_autoptr(GSocketAddress) other_addr = g_inet_socket_address_new (other, 0);
  g_autofree gchar *a = NULL;
  g_autofree gchar *b = NULL;

  f->tmp = g_dir_make_tmp ("berth-lies-XXXXXX", NULL);
  f->docker_config = g_build_filename (f->tmp, "docker", NULL);
  a = g_build_filename (f->tmp, "a", NULL);
  b = g_build_filename (f->tmp, "b", NULL);
  f->source = reg_open_store (a);
  f->target = reg_open_store (b);

  fake->blobs
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
  fake->manifests
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
  fake->types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, "/v2", registry_handler, fake, NULL);
  soup_server_add_handler (fake->server, "/token", token_handler, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  fake->host = g_strdup_printf ("127.0.0.1:%u", server_port (fake->server));
  fake->cdn = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->cdn, "/cdn", cdn_handler, fake, NULL);
  soup_server_listen (fake->cdn, other_addr, 0, &error);
  g_assert_no_error (error);
  fake->cdn_base = g_strdup_printf ("http://127.0.0.2:%u", server_port (fake->cdn));

  f->plugin = reg_plugin_make (f->source, data != NULL ? data : BERTH_MEDIA_TYPE_PLUGIN_CONFIG);
  g_hash_table_replace (fake->blobs, g_strdup (f->plugin->layer_digest),
                        g_bytes_ref (f->plugin->layer));
  g_hash_table_replace (fake->blobs, g_strdup (f->plugin->config_digest),
                        g_bytes_ref (f->plugin->config));
  fake_put_manifest (fake, "latest", f->plugin->manifest, BERTH_MEDIA_TYPE_DOCKER_MANIFEST);
  fake_put_manifest (fake, f->plugin->manifest_digest, f->plugin->manifest,
                     BERTH_MEDIA_TYPE_DOCKER_MANIFEST);
  f->ref = g_strdup_printf ("%s/test/plugin", fake->host);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  Fake *fake = &f->fake;
  soup_server_disconnect (fake->server);
  soup_server_disconnect (fake->cdn);
  g_clear_object (&fake->server);
  g_clear_object (&fake->cdn);
  g_hash_table_unref (fake->blobs);
  g_hash_table_unref (fake->manifests);
  g_hash_table_unref (fake->types);
  g_free (fake->host);
  g_free (fake->cdn_base);
  g_free (fake->realm);
  g_free (fake->scope_seen);
  g_clear_object (&f->source);
  g_clear_object (&f->target);
  g_clear_pointer (&f->plugin, reg_plugin_free);
  berth_rm_rf (f->tmp, NULL);
  g_free (f->tmp);
  g_free (f->docker_config);
  g_free (f->ref);
}

static BerthTransport *
transport_new (Fixture *f)
{
  g_autoptr(GKeyFile) config = reg_test_config (f->docker_config);
  return reg_open_transport (config);
}

/* a failed pull leaves neither the failed blob nor the manifest */
static void
assert_nothing_partial (Fixture *f)
{
  g_auto(GStrv) blobs = berth_content_store_list_blobs (f->target, NULL, NULL);
  g_assert_false (berth_content_store_blob_exists (f->target, f->plugin->layer_digest, NULL, NULL));
  g_assert_false (
    berth_content_store_blob_exists (f->target, f->plugin->manifest_digest, NULL, NULL));
  g_assert_false (g_strv_contains ((const gchar *const *)blobs, f->plugin->layer_digest));
}

static void
assert_installs (Fixture *f, BerthTransport *transport, GPtrArray *progress)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (reg_install (transport, f->ref, f->target, progress, &error));
  g_assert_no_error (error);
  g_assert_true (berth_content_store_blob_exists (f->target, f->plugin->layer_digest, NULL, NULL));
  g_assert_true (
    berth_content_store_blob_exists (f->target, f->plugin->manifest_digest, NULL, NULL));
}

static void
test_bad_digest (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = transport_new (f);
  g_autoptr(GError) error = NULL;

  f->fake.corrupt = f->plugin->layer_digest;
  g_assert_false (reg_install (transport, f->ref, f->target, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, f->plugin->layer_digest));
  assert_nothing_partial (f);
  f->fake.corrupt = NULL;
  assert_installs (f, transport, NULL);
}

static void
test_truncated (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = transport_new (f);
  g_autoptr(GError) error = NULL;

  f->fake.truncate = f->plugin->layer_digest;
  g_assert_false (reg_install (transport, f->ref, f->target, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, f->plugin->layer_digest));
  g_assert_nonnull (strstr (error->message, "ended"));
  assert_nothing_partial (f);
  f->fake.truncate = NULL;
  assert_installs (f, transport, NULL);
}

static void
test_manifest_too_large (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = transport_new (f);
  g_autoptr(GError) error = NULL;
  gsize size = BERTH_REGISTRY_MANIFEST_MAX_SIZE + 1;
  gchar *huge = g_malloc (size);
  g_autoptr(GBytes) bytes = NULL;

  memset (huge, ' ', size);
  huge[0] = '{';
  huge[size - 1] = '}';
  bytes = g_bytes_new_take (huge, size);
  fake_put_manifest (&f->fake, "latest", bytes, BERTH_MEDIA_TYPE_DOCKER_MANIFEST);
  g_assert_false (reg_install (transport, f->ref, f->target, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "over the limit"));
  assert_nothing_partial (f);
  fake_put_manifest (&f->fake, "latest", f->plugin->manifest, BERTH_MEDIA_TYPE_DOCKER_MANIFEST);
  assert_installs (f, transport, NULL);
}

/* a manifest with no body, or with members of the wrong kinds: an error,
 * never a crash, nor a critical (fatal in these tests) */
/* an install through a fresh transport fails, saying @needle if not
 * %NULL, and leaves nothing behind */
static void
assert_install_refused (Fixture *f, const gchar *needle)
{
  g_autoptr(BerthTransport) transport = transport_new (f);
  g_autoptr(GError) error = NULL;

  g_assert_false (reg_install (transport, f->ref, f->target, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("\"%s\" not in \"%s\"", needle, error->message);
  assert_nothing_partial (f);
}

static void
assert_install_works (Fixture *f)
{
  g_autoptr(BerthTransport) transport = transport_new (f);
  assert_installs (f, transport, NULL);
}

static void
test_odd_manifests (Fixture *f, gconstpointer data)
{
  const gchar *bodies[] = {
    "",
    "{\"schemaVersion\":2,\"mediaType\":[],\"config\":{\"mediaType\":{},\"digest\":[],"
    "\"size\":1},\"layers\":[{\"mediaType\":null,\"digest\":{},\"size\":\"1\"}]}",
    "{\"schemaVersion\":{},\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
    "\"manifests\":[{\"platform\":{\"os\":[],\"architecture\":{}}}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (bodies[i], strlen (bodies[i]));

      fake_put_manifest (&f->fake, "latest", bytes, BERTH_MEDIA_TYPE_DOCKER_MANIFEST);
      assert_install_refused (f, NULL);
    }
  fake_put_manifest (&f->fake, "latest", f->plugin->manifest, BERTH_MEDIA_TYPE_DOCKER_MANIFEST);
  assert_install_works (f);
}

/* redirects to what libsoup cannot fetch, or GLib cannot resolve, and a
 * token realm that is no URL: each an error that says so */
static void
test_redirect_nowhere (Fixture *f, gconstpointer data)
{
  const gchar *targets[] = { "http:/x", "file:///etc/passwd", "https:/..//x", "x:y" };

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      f->fake.redirect_to = targets[i];
      assert_install_refused (f, targets[i]);
    }
  f->fake.redirect_to = NULL;
  /* a token that cannot go in a header (found by fuzzing: libsoup dropped
   * it with a critical and the request went without it) */
  f->fake.realm = g_strdup_printf ("http://%s/token", f->fake.host);
  f->fake.token_answer = "{\"token\":\"good\ntoken\"}";
  assert_install_refused (f, "control character");
  f->fake.token_answer = NULL;
  g_free (f->fake.realm);
  f->fake.realm = g_strdup ("https://");
  assert_install_refused (f, "invalid token realm");
  g_clear_pointer (&f->fake.realm, g_free);
  assert_install_works (f);
}

static void
test_image_config (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = transport_new (f);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *expected = g_strdup_printf (
    "did not find plugin config for specified reference %s/test/plugin:latest", f->fake.host);
  g_autoptr(BerthRegistryManifest) image = NULL;

  g_assert_false (reg_install (transport, f->ref, f->target, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, expected));
  g_clear_error (&error);
  assert_nothing_partial (f);
  /* images (issue 7) use the same transport without the plugin check */
  image = reg_resolve (transport, f->ref, BERTH_TRANSPORT_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (berth_registry_manifest_get_config (image)->media_type, ==, IMAGE_CONFIG);
}

static GBytes *
make_index (const gchar *const *platforms, const gchar *digest, gint64 size)
{
  g_autoptr(GString) json = g_string_new (
    "{\"schemaVersion\":2,\"mediaType\":\"" BERTH_MEDIA_TYPE_DOCKER_MANIFEST_LIST
    "\",\"manifests\":[");
  for (guint i = 0; platforms[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (platforms[i], "/", 3);
      g_string_append_printf (json,
                              "%s{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%" G_GINT64_FORMAT
                              ",\"platform\":{\"os\":\"%s\",\"architecture\":\"%s\"%s%s%s}}",
                              i > 0 ? "," : "", BERTH_MEDIA_TYPE_DOCKER_MANIFEST, digest, size,
                              parts[0], parts[1], parts[2] ? ",\"variant\":\"" : "",
                              parts[2] ? parts[2] : "", parts[2] ? "\"" : "");
    }
  g_string_append (json, "]}");
  return g_string_free_to_bytes (g_steal_pointer (&json));
}

static void
test_index_platform (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = transport_new (f);
  g_autoptr(GError) error = NULL;
  const gchar *foreign[] = { "linux/mips64le", "windows/amd64", NULL };
  g_autofree gchar *host = berth_registry_host_platform ();
  const gchar *with_host[] = { "linux/mips64le", host, NULL };
  gint64 size = (gint64)g_bytes_get_size (f->plugin->manifest);
  g_autoptr(GBytes) index = make_index (foreign, f->plugin->manifest_digest, size);
  g_autoptr(GBytes) fixed = make_index (with_host, f->plugin->manifest_digest, size);
  g_autoptr(GPtrArray) progress = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *fixed_digest = berth_registry_digest_bytes (fixed);

  fake_put_manifest (&f->fake, "latest", index, BERTH_MEDIA_TYPE_DOCKER_MANIFEST_LIST);
  g_assert_false (reg_install (transport, f->ref, f->target, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "linux/mips64le, windows/amd64"));
  g_assert_nonnull (strstr (error->message, host));
  assert_nothing_partial (f);

  fake_put_manifest (&f->fake, "latest", fixed, BERTH_MEDIA_TYPE_DOCKER_MANIFEST_LIST);
  assert_installs (f, transport, progress);
  /* the index is kept with the manifest it chose */
  g_assert_true (berth_content_store_blob_exists (f->target, fixed_digest, NULL, NULL));
}

static void
test_stall_resume (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = transport_new (f);
  g_autoptr(GPtrArray) progress = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  /* silent every time: a clear timeout, after the retries */
  f->fake.stall = f->plugin->layer_digest;
  f->fake.stall_always = TRUE;
  g_assert_false (reg_install (transport, f->ref, f->target, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, f->plugin->layer_digest));
  assert_nothing_partial (f);

  /* silent once: resumed with Range, verified whole */
  f->fake.stall_always = FALSE;
  f->fake.stalls = 0;
  f->fake.range_requests = 0;
  assert_installs (f, transport, progress);
  g_assert_cmpuint (f->fake.stalls, ==, 1);
  g_assert_cmpuint (f->fake.range_requests, >=, 1);
  g_assert_true (reg_progress_has (progress, "Retrying", f->plugin->layer_digest));
}

static void
test_stall_range_ignored (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = transport_new (f);

  /* the registry answers the Range request with the whole blob: the bytes
   * already read are skipped */
  f->fake.stall = f->plugin->layer_digest;
  f->fake.ignore_range = TRUE;
  assert_installs (f, transport, NULL);
  g_assert_cmpuint (f->fake.stalls, ==, 1);
  g_assert_cmpuint (f->fake.range_requests, >=, 1);
}

static void
write_credentials (Fixture *f, const gchar *password)
{
  g_autofree gchar *pair = g_strconcat ("berth:", password, NULL);
  g_autofree gchar *b64 = g_base64_encode ((const guchar *)pair, strlen (pair));
  g_autofree gchar *json
    = g_strdup_printf ("{\"auths\":{\"%s\":{\"auth\":\"%s\"}}}", f->fake.host, b64);
  g_autofree gchar *path = g_build_filename (f->docker_config, "config.json", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->docker_config, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
}

static void
test_bearer (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->fake.realm = g_strdup_printf ("http://%s/token", f->fake.host);
  f->fake.password = "s3cret";
  /* a wrong password: the token server says so */
  write_credentials (f, "wrong");
  {
    g_autoptr(BerthTransport) transport = transport_new (f);
    g_assert_false (reg_install (transport, f->ref, f->target, NULL, &error));
    g_test_message ("%s", error->message);
    g_assert_error (error, BERTH_ERROR, BERTH_ERROR_PERMISSION_DENIED);
    g_assert_nonnull (strstr (error->message, "incorrect username or password"));
    g_clear_error (&error);
    assert_nothing_partial (f);
  }
  /* Docker's scope for plugins, and blobs redirected to another host that
   * must not see the token */
  write_credentials (f, "s3cret");
  f->fake.redirect = TRUE;
  {
    g_autoptr(BerthTransport) transport = transport_new (f);
    assert_installs (f, transport, NULL);
  }
  g_assert_cmpstr (f->fake.scope_seen, ==, "repository(plugin):test/plugin:pull");
  g_assert_cmpuint (f->fake.cdn_hits, >=, 2);
  g_assert_false (f->fake.cdn_saw_auth);
}

/* login through a Bearer realm: a token without scope, asked with the
 * password, as Docker's login asks; a refused password stores nothing */
static void
test_login_bearer (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = transport_new (f);
  g_autofree gchar *path = g_build_filename (f->docker_config, "config.json", NULL);
  g_autofree gchar *status = NULL;
  g_autoptr(GError) error = NULL;

  f->fake.realm = g_strdup_printf ("http://%s/token", f->fake.host);
  f->fake.password = "s3cret";
  status = reg_login (transport, f->fake.host, "berth", "wrong", &error);
  g_assert_null (status);
  g_test_message ("%s", error->message);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_PERMISSION_DENIED);
  g_assert_true (g_str_has_prefix (error->message, "unauthorized: incorrect username or password"));
  g_assert_nonnull (strstr (error->message, f->fake.realm));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  status = reg_login (transport, f->fake.host, "berth", "s3cret", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, "Login Succeeded");
  g_assert_null (f->fake.scope_seen);
  /* what was stored works for an install */
  assert_installs (f, transport, NULL);
  g_assert_cmpstr (f->fake.scope_seen, ==, "repository(plugin):test/plugin:pull");
}

static void
test_token_endpoint_down (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = transport_new (f);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *down = g_strdup_printf ("http://127.0.0.1:%u/token", reg_free_port ());

  f->fake.realm = g_strdup (down);
  g_assert_false (reg_install (transport, f->ref, f->target, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "getting a token"));
  g_assert_nonnull (strstr (error->message, down));
  assert_nothing_partial (f);
  g_free (f->fake.realm);
  f->fake.realm = g_strdup_printf ("http://%s/token", f->fake.host);
  assert_installs (f, transport, NULL);
  g_assert_cmpstr (f->fake.scope_seen, ==, "repository(plugin):test/plugin:pull");
}

/* five layers: downloaded three at a time; one bad layer fails the whole,
 * stops the others and stores no manifest */
static void
test_parallel_layers (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = transport_new (f);
  g_autoptr(GPtrArray) extra = g_ptr_array_new_with_free_func ((GDestroyNotify)reg_plugin_free);
  g_autoptr(GPtrArray) progress = g_ptr_array_new_with_free_func (g_free);
  BerthRegistryDescriptor config
    = { (gchar *)BERTH_MEDIA_TYPE_PLUGIN_CONFIG, f->plugin->config_digest,
        (gint64)g_bytes_get_size (f->plugin->config), NULL };
  BerthRegistryDescriptor layers[5];
  g_autoptr(GBytes) manifest = NULL;
  g_autofree gchar *manifest_digest = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      RegPlugin *p = reg_plugin_make (f->source, BERTH_MEDIA_TYPE_PLUGIN_CONFIG);
      g_ptr_array_add (extra, p);
      g_hash_table_replace (f->fake.blobs, g_strdup (p->layer_digest), g_bytes_ref (p->layer));
      layers[i]
        = (BerthRegistryDescriptor){ (gchar *)BERTH_MEDIA_TYPE_DOCKER_LAYER_GZIP, p->layer_digest,
                                     (gint64)g_bytes_get_size (p->layer), NULL };
    }
  manifest = berth_registry_manifest_build (&config, layers, G_N_ELEMENTS (layers));
  manifest_digest = berth_registry_digest_bytes (manifest);
  fake_put_manifest (&f->fake, "latest", manifest, BERTH_MEDIA_TYPE_DOCKER_MANIFEST);

  f->fake.corrupt = layers[3].digest;
  g_assert_false (reg_install (transport, f->ref, f->target, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, layers[3].digest));
  g_assert_false (berth_content_store_blob_exists (f->target, layers[3].digest, NULL, NULL));
  g_assert_false (berth_content_store_blob_exists (f->target, manifest_digest, NULL, NULL));
  g_clear_error (&error);

  f->fake.corrupt = NULL;
  g_assert_true (reg_install (transport, f->ref, f->target, progress, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    g_assert_true (berth_content_store_blob_exists (f->target, layers[i].digest, NULL, NULL));
  g_assert_true (berth_content_store_blob_exists (f->target, manifest_digest, NULL, NULL));
  /* the layers beyond the first three waited their turn, unless the failed
   * attempt stored them already */
  for (guint i = 0; i < progress->len; i++)
    g_test_message ("%s", (const gchar *)progress->pdata[i]);
}

static void
on_pulled (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **)data = g_object_ref (result);
}

static gboolean
cancel_soon (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* cancelled while the registry is silent: the pull ends at once, cancelled,
 * with nothing partial */
static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = transport_new (f);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthRegistryManifest) manifest
             = reg_resolve (transport, f->ref, BERTH_TRANSPORT_FLAGS_PLUGIN, &error);
  gint64 start;

  g_assert_no_error (error);
  f->fake.stall = f->plugin->layer_digest;
  f->fake.stall_always = TRUE;
  start = g_get_monotonic_time ();
  berth_transport_pull_async (transport, manifest, f->target, BERTH_TRANSPORT_FLAGS_PLUGIN, NULL,
                              NULL, NULL, cancellable, on_pulled, &result);
  g_timeout_add (300, cancel_soon, cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (berth_transport_pull_finish (transport, result, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* well before the 2 s socket timeout */
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC * 3 / 2);
  assert_nothing_partial (f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/registry-lies/bad-digest", Fixture, NULL, fixture_setup, test_bad_digest,
              fixture_teardown);
  g_test_add ("/registry-lies/truncated", Fixture, NULL, fixture_setup, test_truncated,
              fixture_teardown);
  g_test_add ("/registry-lies/manifest-too-large", Fixture, NULL, fixture_setup,
              test_manifest_too_large, fixture_teardown);
  g_test_add ("/registry-lies/image-config", Fixture, IMAGE_CONFIG, fixture_setup,
              test_image_config, fixture_teardown);
  g_test_add ("/registry-lies/index-platform", Fixture, NULL, fixture_setup, test_index_platform,
              fixture_teardown);
  g_test_add ("/registry-lies/stall-resume", Fixture, NULL, fixture_setup, test_stall_resume,
              fixture_teardown);
  g_test_add ("/registry-lies/stall-range-ignored", Fixture, NULL, fixture_setup,
              test_stall_range_ignored, fixture_teardown);
  g_test_add ("/registry-lies/parallel-layers", Fixture, NULL, fixture_setup, test_parallel_layers,
              fixture_teardown);
  g_test_add ("/registry-lies/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/registry-lies/odd-manifests", Fixture, NULL, fixture_setup, test_odd_manifests,
              fixture_teardown);
  g_test_add ("/registry-lies/redirect-nowhere", Fixture, NULL, fixture_setup,
              test_redirect_nowhere, fixture_teardown);
  g_test_add ("/registry-lies/bearer", Fixture, NULL, fixture_setup, test_bearer, fixture_teardown);
  g_test_add ("/registry-lies/login-bearer", Fixture, NULL, fixture_setup, test_login_bearer,
              fixture_teardown);
  g_test_add ("/registry-lies/token-endpoint-down", Fixture, NULL, fixture_setup,
              test_token_endpoint_down, fixture_teardown);
  return g_test_run ();
}
