/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* the registry transport against a real docker-registry on 127.0.0.1 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "reg-test-util.h"

typedef struct
{
  gchar *tmp;
  gchar *docker_config;
  RegServer *server;
  BerthContentStore *source; /* where plugins are made and pushed from */
  BerthContentStore *target; /* where they are pulled to */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  gboolean tls = GPOINTER_TO_INT (data);
  g_autofree gchar *reg_dir = NULL;
  g_autofree gchar *a = NULL;
  g_autofree gchar *b = NULL;

  f->tmp = g_dir_make_tmp ("berth-reg-XXXXXX", NULL);
  reg_dir = g_build_filename (f->tmp, "registry", NULL);
  f->docker_config = g_build_filename (f->tmp, "docker", NULL);
  a = g_build_filename (f->tmp, "a", NULL);
  b = g_build_filename (f->tmp, "b", NULL);
  g_assert_cmpint (g_mkdir_with_parents (reg_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->docker_config, 0700), ==, 0);
  f->server = reg_server_start (reg_dir, tls);
  f->source = reg_open_store (a);
  f->target = reg_open_store (b);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->source);
  g_clear_object (&f->target);
  g_clear_pointer (&f->server, reg_server_stop);
  berth_rm_rf (f->tmp, NULL);
  g_free (f->tmp);
  g_free (f->docker_config);
}

static BerthTransport *
plain_transport (Fixture *f)
{
  g_autoptr(GKeyFile) config = reg_test_config (f->docker_config);
  return reg_open_transport (config);
}

static void
assert_blob_bytes (BerthContentStore *store, const gchar *digest, GBytes *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = berth_content_store_read_blob (store, digest, NULL, &error);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) got = NULL;
  g_assert_no_error (error);
  g_assert_cmpint (
    g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error), ==,
    (gssize)g_bytes_get_size (expected));
  got = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_true (g_bytes_equal (got, expected));
}

static void
test_push_pull (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = plain_transport (f);
  g_autoptr(RegPlugin) plugin = reg_plugin_make (f->source, BERTH_MEDIA_TYPE_PLUGIN_CONFIG);
  g_autofree gchar *ref = g_strdup_printf ("%s/berth/test:1.0", f->server->host);
  g_autoptr(GPtrArray) progress = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) progress2 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) progress3 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthRegistryManifest) resolved = NULL;
  g_autofree gchar *digest = NULL;
  g_autofree gchar *digest2 = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *content_type = NULL;
  g_autoptr(GBytes) served = NULL;
  g_autoptr(BerthRegistryManifest) parsed = NULL;

  digest = reg_push (transport, ref, f->source, plugin->manifest, progress, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (digest, ==, plugin->manifest_digest);
  g_assert_true (reg_progress_has (progress, "Preparing", plugin->layer_digest));
  g_assert_true (reg_progress_has (progress, "Upload complete", plugin->layer_digest));
  g_assert_true (reg_progress_has (progress, "Upload complete", plugin->config_digest));

  /* what the registry holds has Docker's media types (reference §4.1) */
  url = g_strdup_printf ("http://%s/v2/berth/test/manifests/1.0", f->server->host);
  served = reg_http_get (url, BERTH_MEDIA_TYPE_DOCKER_MANIFEST, &content_type);
  g_assert_cmpstr (content_type, ==, BERTH_MEDIA_TYPE_DOCKER_MANIFEST);
  g_assert_true (g_bytes_equal (served, plugin->manifest));
  parsed = berth_registry_manifest_parse (served, content_type, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (berth_registry_manifest_get_media_type (parsed), ==,
                   BERTH_MEDIA_TYPE_DOCKER_MANIFEST);
  g_assert_cmpstr (berth_registry_manifest_get_config (parsed)->media_type, ==,
                   "application/vnd.docker.plugin.v1+json");
  g_assert_cmpuint (berth_registry_manifest_get_n_layers (parsed), ==, 1);
  g_assert_cmpstr (berth_registry_manifest_get_layer (parsed, 0)->media_type, ==,
                   "application/vnd.docker.image.rootfs.diff.tar.gzip");

  /* resolve stores nothing; pull stores everything with the same digests */
  resolved = reg_resolve (transport, ref, BERTH_TRANSPORT_FLAGS_PLUGIN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (berth_registry_manifest_get_digest (resolved), ==, plugin->manifest_digest);
  g_assert_true (
    g_bytes_equal (berth_registry_manifest_get_config_bytes (resolved), plugin->config));
  g_assert_false (berth_content_store_blob_exists (f->target, plugin->layer_digest, NULL, NULL));
  g_assert_true (reg_pull (transport, resolved, f->target, progress2, &error));
  g_assert_no_error (error);
  g_assert_true (reg_progress_has (progress2, "Pulling fs layer", plugin->layer_digest));
  g_assert_true (reg_progress_has (progress2, "Downloading", plugin->layer_digest));
  g_assert_true (reg_progress_has (progress2, "Download complete", plugin->layer_digest));
  assert_blob_bytes (f->target, plugin->layer_digest, plugin->layer);
  assert_blob_bytes (f->target, plugin->config_digest, plugin->config);
  assert_blob_bytes (f->target, plugin->manifest_digest, plugin->manifest);

  /* again: the layer is there already, and so it is at the registry */
  g_ptr_array_set_size (progress2, 0);
  g_assert_true (reg_install (transport, ref, f->target, progress2, &error));
  g_assert_no_error (error);
  g_assert_true (reg_progress_has (progress2, "Already exists", plugin->layer_digest));
  g_assert_false (reg_progress_has (progress2, "Downloading", plugin->layer_digest));
  digest2 = reg_push (transport, ref, f->source, plugin->manifest, progress3, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (digest2, ==, digest);
  g_assert_true (reg_progress_has (progress3, "Layer already exists", plugin->layer_digest));
  g_assert_false (reg_progress_has (progress3, "Upload complete", plugin->layer_digest));
}

static void
test_not_found (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = plain_transport (f);
  g_autofree gchar *ref = g_strdup_printf ("%s/berth/missing:1.0", f->server->host);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthRegistryManifest) m
             = reg_resolve (transport, ref, BERTH_TRANSPORT_FLAGS_PLUGIN, &error);
  g_assert_null (m);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  /* the registry's own words are shown */
  g_assert_nonnull (strstr (error->message, "unknown"));
}

static void
test_corrupt_storage (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = plain_transport (f);
  g_autoptr(RegPlugin) plugin = reg_plugin_make (f->source, BERTH_MEDIA_TYPE_PLUGIN_CONFIG);
  g_autofree gchar *ref = g_strdup_printf ("%s/berth/corrupt:1.0", f->server->host);
  g_autofree gchar *path = NULL;
  g_autofree gchar *good = NULL;
  gsize len = 0;
  g_autofree gchar *bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *digest = reg_push (transport, ref, f->source, plugin->manifest, NULL, &error);

  g_assert_no_error (error);
  path = reg_server_blob_path (f->server, plugin->layer_digest);
  g_assert_true (g_file_get_contents (path, &good, &len, NULL));
  bad = g_memdup2 (good, len);
  bad[len / 2] ^= 0x55;
  g_assert_true (g_file_set_contents (path, bad, (gssize)len, NULL));

  g_assert_false (reg_install (transport, ref, f->target, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, plugin->layer_digest));
  g_assert_false (berth_content_store_blob_exists (f->target, plugin->layer_digest, NULL, NULL));
  g_assert_false (berth_content_store_blob_exists (f->target, plugin->manifest_digest, NULL, NULL));
  g_clear_error (&error);

  /* the registry is fixed: the retry succeeds */
  g_assert_true (g_file_set_contents (path, good, (gssize)len, NULL));
  g_assert_true (reg_install (transport, ref, f->target, NULL, &error));
  g_assert_no_error (error);
  assert_blob_bytes (f->target, plugin->layer_digest, plugin->layer);
}

static void
write_docker_config (Fixture *f, const gchar *user, const gchar *password)
{
  g_autofree gchar *pair = g_strconcat (user, ":", password, NULL);
  g_autofree gchar *b64 = g_base64_encode ((const guchar *)pair, strlen (pair));
  g_autofree gchar *json
    = g_strdup_printf ("{\"auths\":{\"%s\":{\"auth\":\"%s\"}}}", f->server->host, b64);
  g_autofree gchar *path = g_build_filename (f->docker_config, "config.json", NULL);
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
}

static BerthTransport *
tls_transport (Fixture *f, gboolean with_ca)
{
  g_autoptr(GKeyFile) config = reg_test_config (f->docker_config);
  g_autofree gchar *certs = g_build_filename (f->tmp, with_ca ? "certs.d" : "empty.d", NULL);
  g_autofree gchar *host_dir = g_build_filename (certs, f->server->host, NULL);
  g_autofree gchar *ca = g_build_filename (f->server->dir, "ca.crt", NULL);
  g_autofree gchar *ca_copy = g_build_filename (host_dir, "ca.crt", NULL);
  g_autofree gchar *text = NULL;

  if (with_ca)
    {
      g_assert_cmpint (g_mkdir_with_parents (host_dir, 0700), ==, 0);
      g_assert_true (g_file_get_contents (ca, &text, NULL, NULL));
      g_assert_true (g_file_set_contents (ca_copy, text, -1, NULL));
    }
  g_key_file_set_string (config, "registry", "certs-dirs", certs);
  /* verify the certificate although the registry is on loopback */
  g_key_file_set_boolean (config, "registry", "loopback-insecure", FALSE);
  return reg_open_transport (config);
}

static void
test_tls_htpasswd (Fixture *f, gconstpointer data)
{
  g_autoptr(RegPlugin) plugin = reg_plugin_make (f->source, BERTH_MEDIA_TYPE_PLUGIN_CONFIG);
  g_autofree gchar *ref = g_strdup_printf ("%s/berth/secure:1.0", f->server->host);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *digest = NULL;

  /* no login: the registry's Basic challenge is explained */
  {
    g_autoptr(BerthTransport) transport = tls_transport (f, TRUE);
    digest = reg_push (transport, ref, f->source, plugin->manifest, NULL, &error);
    g_assert_null (digest);
    g_test_message ("%s", error->message);
    g_assert_error (error, BERTH_ERROR, BERTH_ERROR_PERMISSION_DENIED);
    g_assert_nonnull (strstr (error->message, "no basic auth credentials"));
    g_clear_error (&error);
  }
  /* a wrong password */
  write_docker_config (f, "berth", "wrong");
  {
    g_autoptr(BerthTransport) transport = tls_transport (f, TRUE);
    digest = reg_push (transport, ref, f->source, plugin->manifest, NULL, &error);
    g_assert_null (digest);
    g_test_message ("%s", error->message);
    g_assert_error (error, BERTH_ERROR, BERTH_ERROR_PERMISSION_DENIED);
    g_assert_nonnull (strstr (error->message, "wrong username or password"));
    g_clear_error (&error);
  }
  /* the right one, but the CA is unknown */
  write_docker_config (f, "berth", "s3cret");
  {
    g_autoptr(BerthTransport) transport = tls_transport (f, FALSE);
    digest = reg_push (transport, ref, f->source, plugin->manifest, NULL, &error);
    g_assert_null (digest);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "TLS"));
    g_assert_nonnull (strstr (error->message, "certs.d"));
    g_clear_error (&error);
  }
  /* all right: push, then pull into the other store */
  {
    g_autoptr(BerthTransport) transport = tls_transport (f, TRUE);
    digest = reg_push (transport, ref, f->source, plugin->manifest, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (digest, ==, plugin->manifest_digest);
    g_assert_true (reg_install (transport, ref, f->target, NULL, &error));
    g_assert_no_error (error);
    assert_blob_bytes (f->target, plugin->layer_digest, plugin->layer);
  }
}

static void
test_cred_helper (Fixture *f, gconstpointer data)
{
  g_autoptr(RegPlugin) plugin = reg_plugin_make (f->source, BERTH_MEDIA_TYPE_PLUGIN_CONFIG);
  g_autofree gchar *ref = g_strdup_printf ("%s/berth/helper:1.0", f->server->host);
  g_autofree gchar *bin = g_build_filename (f->tmp, "bin", NULL);
  g_autofree gchar *helper = g_build_filename (bin, "docker-credential-berthtest", NULL);
  g_autofree gchar *asked = g_build_filename (f->tmp, "asked", NULL);
  g_autofree gchar *script = g_strdup_printf (
    "#!/bin/sh\n[ \"$1\" = get ] || exit 1\ncat > %s\n"
    "echo '{\"ServerURL\":\"x\",\"Username\":\"berth\",\"Secret\":\"s3cret\"}'\n",
    asked);
  g_autofree gchar *json
    = g_strdup_printf ("{\"credHelpers\":{\"%s\":\"berthtest\"}}", f->server->host);
  g_autofree gchar *config_path = g_build_filename (f->docker_config, "config.json", NULL);
  g_autofree gchar *path = g_strconcat (bin, ":", g_getenv ("PATH"), NULL);
  g_autofree gchar *got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *digest = NULL;

  g_assert_cmpint (g_mkdir_with_parents (bin, 0700), ==, 0);
  g_assert_true (g_file_set_contents (helper, script, -1, NULL));
  g_assert_cmpint (g_chmod (helper, 0755), ==, 0);
  g_assert_true (g_file_set_contents (config_path, json, -1, NULL));
  g_setenv ("PATH", path, TRUE);
  {
    g_autoptr(BerthTransport) transport = tls_transport (f, TRUE);
    digest = reg_push (transport, ref, f->source, plugin->manifest, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (digest, ==, plugin->manifest_digest);
  }
  /* the helper was asked about this registry's host */
  g_assert_true (g_file_get_contents (asked, &got, NULL, NULL));
  g_assert_cmpstr (got, ==, f->server->host);
}

static gchar *
read_docker_config (Fixture *f)
{
  g_autofree gchar *path = g_build_filename (f->docker_config, "config.json", NULL);
  gchar *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

/* login checks the password with the registry before it stores anything;
 * what it stores is what pushes then use; logout forgets it */
static void
test_login (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = tls_transport (f, TRUE);
  g_autoptr(RegPlugin) plugin = reg_plugin_make (f->source, BERTH_MEDIA_TYPE_PLUGIN_CONFIG);
  g_autofree gchar *ref = g_strdup_printf ("%s/berth/login:1.0", f->server->host);
  g_autofree gchar *url = g_strdup_printf ("https://%s/v2/", f->server->host);
  g_autofree gchar *removing
    = g_strdup_printf ("Removing login credentials for %s", f->server->host);
  g_autofree gchar *not_in = g_strdup_printf ("Not logged in to %s", f->server->host);
  g_autofree gchar *path = g_build_filename (f->docker_config, "config.json", NULL);
  g_autofree gchar *before = NULL;
  g_autofree gchar *after = NULL;
  g_autofree gchar *status = NULL;
  g_autofree gchar *digest = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *auths;
  GStatBuf st;

  g_assert_true (g_file_set_contents (path, "{\"credsStore\":\"\",\"psFormat\":\"x\"}", -1, NULL));
  before = read_docker_config (f);
  status = reg_login (transport, f->server->host, "berth", "wrong", &error);
  g_assert_null (status);
  g_test_message ("%s", error->message);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_PERMISSION_DENIED);
  g_assert_true (g_str_has_prefix (error->message, "unauthorized: incorrect username or password"));
  g_assert_nonnull (strstr (error->message, f->server->host));
  g_clear_error (&error);
  after = read_docker_config (f);
  g_assert_cmpstr (after, ==, before);

  /* named as a URL: its scheme and path go */
  status = reg_login (transport, url, "berth", "s3cret", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, "Login Succeeded");
  g_assert_no_errno (g_stat (path, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_clear_pointer (&after, g_free);
  after = read_docker_config (f);
  node = berth_json_parse (after, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "psFormat"), ==,
                   "x");
  auths = json_object_get_object_member (json_node_get_object (node), "auths");
  g_assert_cmpstr (
    json_object_get_string_member (json_object_get_object_member (auths, f->server->host), "auth"),
    ==, "YmVydGg6czNjcmV0");

  digest = reg_push (transport, ref, f->source, plugin->manifest, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (digest, ==, plugin->manifest_digest);

  g_clear_pointer (&status, g_free);
  status = reg_logout (transport, f->server->host, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, removing);
  g_clear_pointer (&status, g_free);
  status = reg_logout (transport, url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, not_in);
  g_clear_pointer (&digest, g_free);
  digest = reg_push (transport, ref, f->source, plugin->manifest, NULL, &error);
  g_assert_null (digest);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
}

/* Docker's names for Docker Hub, and names that are no registry; no
 * network needed: nobody is logged in */
static void
test_login_names (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTransport) transport = plain_transport (f);
  const gchar *hub[]
    = { "", "docker.io", "index.docker.io", "https://index.docker.io/v1/", "registry-1.docker.io" };
  g_autoptr(GError) error = NULL;
  g_autofree gchar *status = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (hub); i++)
    {
      g_autofree gchar *s = reg_logout (transport, hub[i], &error);
      g_assert_no_error (error);
      g_assert_cmpstr (s, ==, "Not logged in to https://index.docker.io/v1/");
    }
  status = reg_logout (transport, "http://localhost:5000/some/path", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, "Not logged in to localhost:5000");
  g_clear_pointer (&status, g_free);
  status = reg_logout (transport, "user@evil:5000", &error);
  g_assert_null (status);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  status = reg_login (transport, "localhost:5000", "", "x", &error);
  g_assert_null (status);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "username"));
  g_clear_error (&error);
  /* an unreadable config.json is said, and kept as it is */
  {
    g_autofree gchar *path = g_build_filename (f->docker_config, "config.json", NULL);
    g_autofree gchar *text = NULL;
    g_assert_true (g_file_set_contents (path, "{not json", -1, NULL));
    status = reg_logout (transport, "localhost:5000", &error);
    g_assert_null (status);
    g_assert_nonnull (strstr (error->message, path));
    g_clear_error (&error);
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "{not json");
  }
}

/* plain HTTP only for loopback (a setting, on by default as in Docker) and
 * for registries berthd.conf lists as insecure */
static void
test_insecure_config (Fixture *f, gconstpointer data)
{
  g_autoptr(RegPlugin) plugin = reg_plugin_make (f->source, BERTH_MEDIA_TYPE_PLUGIN_CONFIG);
  g_autofree gchar *ref = g_strdup_printf ("%s/berth/plain:1.0", f->server->host);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *digest = NULL;

  {
    g_autoptr(GKeyFile) config = reg_test_config (f->docker_config);
    g_autoptr(BerthTransport) transport = NULL;
    g_key_file_set_boolean (config, "registry", "loopback-insecure", FALSE);
    transport = reg_open_transport (config);
    digest = reg_push (transport, ref, f->source, plugin->manifest, NULL, &error);
    g_assert_null (digest);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "https://"));
    g_clear_error (&error);
  }
  {
    g_autoptr(GKeyFile) config = reg_test_config (f->docker_config);
    g_autoptr(BerthTransport) transport = NULL;
    g_autofree gchar *list = g_strdup_printf ("example.invalid:5000;%s", f->server->host);
    g_key_file_set_boolean (config, "registry", "loopback-insecure", FALSE);
    g_key_file_set_string (config, "registry", "insecure", list);
    transport = reg_open_transport (config);
    digest = reg_push (transport, ref, f->source, plugin->manifest, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (digest, ==, plugin->manifest_digest);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (g_find_program_in_path ("docker-registry") == NULL)
    {
      g_test_skip ("docker-registry is not installed (Debian package docker-registry)");
      return g_test_run ();
    }
  g_test_add ("/registry/push-pull", Fixture, GINT_TO_POINTER (FALSE), fixture_setup,
              test_push_pull, fixture_teardown);
  g_test_add ("/registry/not-found", Fixture, GINT_TO_POINTER (FALSE), fixture_setup,
              test_not_found, fixture_teardown);
  g_test_add ("/registry/corrupt-storage", Fixture, GINT_TO_POINTER (FALSE), fixture_setup,
              test_corrupt_storage, fixture_teardown);
  g_test_add ("/registry/insecure-config", Fixture, GINT_TO_POINTER (FALSE), fixture_setup,
              test_insecure_config, fixture_teardown);
  g_test_add ("/registry/tls-htpasswd", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_tls_htpasswd, fixture_teardown);
  g_test_add ("/registry/cred-helper", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_cred_helper, fixture_teardown);
  g_test_add ("/registry/login", Fixture, GINT_TO_POINTER (TRUE), fixture_setup, test_login,
              fixture_teardown);
  g_test_add ("/registry/login-names", Fixture, GINT_TO_POINTER (FALSE), fixture_setup,
              test_login_names, fixture_teardown);
  return g_test_run ();
}
