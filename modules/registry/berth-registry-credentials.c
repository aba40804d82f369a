/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthRegistry"

#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "berth-registry-private.h"

/* Docker Hub's credentials are filed under its v1 index URL */
#define DOCKER_HUB_SERVER_URL "https://index.docker.io/v1/"
#define DOCKER_HUB_HOST       "registry-1.docker.io"

/* config.json is read, changed and written whole: one writer at a time */
static GMutex config_json_lock;

static gboolean
host_is_docker_hub (const gchar *host)
{
  return g_str_equal (host, DOCKER_HUB_HOST) || g_str_equal (host, "docker.io")
         || g_str_equal (host, "index.docker.io");
}

static const gchar *
server_url_for_host (const gchar *host)
{
  return host_is_docker_hub (host) ? DOCKER_HUB_SERVER_URL : host;
}

/**
 * berth_registry_server_parse:
 * @server: (nullable): a registry as the user names it: `localhost:5000`,
 *   `https://registry.example.com/v2/`, or %NULL, `""`, `docker.io`
 *   for Docker Hub
 * @out_host: (out) (optional): the `host[:port]` to talk to
 * @error: return location for a #GError
 *
 * Normalises a registry's name as the docker CLI does for `login` and
 * `logout`: the scheme and any path go, and Docker Hub is filed under
 * `https://index.docker.io/v1/`.
 *
 * Returns: (transfer full): the key of the registry's entry in
 *   `config.json`, or %NULL if @server names no registry
 */
gchar *
berth_registry_server_parse (const gchar *server, gchar **out_host, GError **error)
{
  g_autofree gchar *host = NULL;
  g_autofree gchar *url = NULL;
  g_autoptr(GUri) uri = NULL;
  const gchar *rest = server;

  if (rest == NULL || g_str_has_prefix (rest, "https://index.docker.io/"))
    rest = "";
  else if (g_str_has_prefix (rest, "https://"))
    rest = server + strlen ("https://");
  else if (g_str_has_prefix (rest, "http://"))
    rest = server + strlen ("http://");
  host = g_strndup (rest, strcspn (rest, "/"));
  if (*host == '\0' || host_is_docker_hub (host))
    {
      if (out_host != NULL)
        *out_host = g_strdup (DOCKER_HUB_HOST);
      return g_strdup (DOCKER_HUB_SERVER_URL);
    }
  url = g_strdup_printf ("https://%s/", host);
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_userinfo (uri) != NULL || strpbrk (host, " \t?#@") != NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "invalid registry server “%s”: expected host[:port], e.g. localhost:5000",
                   server);
      return NULL;
    }
  if (out_host != NULL)
    *out_host = g_strdup (host);
  return g_steal_pointer (&host);
}

/* a helper's output as a string; "" for none (empty GBytes have no data) */
static gchar *
bytes_to_string (GBytes *bytes)
{
  gsize len = 0;
  const gchar *data = g_bytes_get_data (bytes, &len);
  return g_strndup (data != NULL ? data : "", len);
}

/* runs `docker-credential-<helper> <action>` with @input on its stdin and
 * returns what it printed; *out_missing says the helper has nothing stored
 * (the protocol's "credentials not found" answer) */
static gchar *
run_helper (const gchar *helper,
            const gchar *action,
            const gchar *input,
            const gchar *server_url,
            gboolean *out_missing,
            GCancellable *cancellable,
            GError **error)
{
  g_autofree gchar *program = g_strconcat ("docker-credential-", helper, NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) stdin_bytes = g_bytes_new (input, strlen (input));
  g_autoptr(GBytes) stdout_bytes = NULL;
  g_autoptr(GBytes) stderr_bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *out = NULL;

  *out_missing = FALSE;
  /* a name, looked up in PATH as docker does; never a path */
  if (*helper == '\0' || strchr (helper, '/') != NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "the credential helper “%s” configured for %s is not a helper's name", helper,
                   server_url);
      return NULL;
    }
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                             | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           &local_error, program, action, NULL);
  if (proc == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND,
                   "the credential helper %s configured for %s cannot run: %s", program, server_url,
                   local_error->message);
      return NULL;
    }
  if (!g_subprocess_communicate (proc, stdin_bytes, cancellable, &stdout_bytes, &stderr_bytes,
                                 error))
    {
      g_prefix_error (error, "%s %s for %s: ", program, action, server_url);
      return NULL;
    }
  out = bytes_to_string (stdout_bytes);
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_autofree gchar *err = bytes_to_string (stderr_bytes);
      *out_missing = strstr (out, "credentials not found") != NULL;
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "%s %s failed for %s: %s", program,
                   action, server_url, *g_strstrip (out) != '\0' ? out : g_strstrip (err));
      return NULL;
    }
  return g_steal_pointer (&out);
}

static gboolean
credentials_from_helper (const gchar *helper,
                         const gchar *server_url,
                         gchar **out_username,
                         gchar **out_password,
                         GCancellable *cancellable,
                         GError **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *out = NULL;
  gboolean missing;
  JsonObject *obj;

  out = run_helper (helper, "get", server_url, server_url, &missing, cancellable, &local_error);
  if (out == NULL)
    {
      /* nothing stored: anonymous */
      if (missing)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  node = berth_json_parse (out, -1, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                   "docker-credential-%s get printed no JSON object", helper);
      return FALSE;
    }
  obj = json_node_get_object (node);
  *out_username = g_strdup (json_object_get_string_member_with_default (obj, "Username", NULL));
  *out_password = g_strdup (json_object_get_string_member_with_default (obj, "Secret", NULL));
  return TRUE;
}

/* config.json as an object that may be changed; an empty one if there is
 * no file */
static JsonNode *
config_load (const gchar *path, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree gchar *text = NULL;
  gsize len = 0;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!g_file_get_contents (path, &text, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          JsonNode *empty = json_node_new (JSON_NODE_OBJECT);
          json_node_take_object (empty, json_object_new ());
          return empty;
        }
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "reading %s: %s", path,
                   local_error->message);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, (gssize)len, &local_error))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%s is not valid JSON: %s",
                   path, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%s is not a JSON object",
                   path);
      return NULL;
    }
  return json_node_copy (root);
}

/* the helper config.json names for @server_url: credHelpers, else credsStore */
static const gchar *
config_helper (JsonObject *root, const gchar *server_url)
{
  JsonNode *member = json_object_get_member (root, "credHelpers");
  const gchar *helper = NULL;

  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    helper = json_object_get_string_member_with_default (json_node_get_object (member), server_url,
                                                         NULL);
  if (helper == NULL || *helper == '\0')
    helper = json_object_get_string_member_with_default (root, "credsStore", NULL);
  return helper != NULL && *helper != '\0' ? helper : NULL;
}

static JsonObject *
find_auth_entry (JsonObject *auths, const gchar *host)
{
  g_autofree gchar *https = g_strconcat ("https://", host, NULL);
  g_autofree gchar *http = g_strconcat ("http://", host, NULL);
  const gchar *keys[] = { server_url_for_host (host), host, https, http };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      JsonNode *n = json_object_get_member (auths, keys[i]);
      if (n != NULL && JSON_NODE_HOLDS_OBJECT (n))
        return json_node_get_object (n);
    }
  return NULL;
}

/**
 * berth_registry_credentials_lookup:
 * @docker_config_dir: the directory holding Docker's `config.json`
 * @host: the registry's `host[:port]`
 * @out_username: (out): the user name, or %NULL for anonymous access
 * @out_password: (out): the password or token
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Finds credentials the way the docker CLI does: `credHelpers[server]`,
 * else `credsStore`, else `auths[server].auth` (base64 of `user:password`),
 * where the server is @host, or `https://index.docker.io/v1/` for Docker
 * Hub.
 *
 * Returns: %TRUE, with %NULL outputs when there are none
 */
gboolean
berth_registry_credentials_lookup (const gchar *docker_config_dir,
                                   const gchar *host,
                                   gchar **out_username,
                                   gchar **out_password,
                                   GCancellable *cancellable,
                                   GError **error)
{
  g_autofree gchar *path = g_build_filename (docker_config_dir, "config.json", NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *root;
  JsonNode *member;
  JsonObject *entry;
  const gchar *helper;
  const gchar *auth;
  g_autofree guchar *decoded = NULL;
  gsize decoded_len = 0;
  g_autofree gchar *pair = NULL;
  gchar *colon;

  *out_username = NULL;
  *out_password = NULL;
  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&config_json_lock);
    node = config_load (path, error);
  }
  if (node == NULL)
    return FALSE;
  root = json_node_get_object (node);
  helper = config_helper (root, server_url_for_host (host));
  if (helper != NULL)
    return credentials_from_helper (helper, server_url_for_host (host), out_username, out_password,
                                    cancellable, error);
  member = json_object_get_member (root, "auths");
  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return TRUE;
  entry = find_auth_entry (json_node_get_object (member), host);
  if (entry == NULL)
    return TRUE;
  auth = json_object_get_string_member_with_default (entry, "auth", NULL);
  if (auth == NULL || *auth == '\0')
    return TRUE;
  decoded = g_base64_decode (auth, &decoded_len);
  pair = g_strndup ((const gchar *)decoded, decoded_len);
  colon = strchr (pair, ':');
  if (colon == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "the auth entry for %s in %s is not base64 of user:password", host, path);
      return FALSE;
    }
  *colon = '\0';
  *out_username = g_strdup (pair);
  *out_password = g_strdup (colon + 1);
  return TRUE;
}

/* writes config.json atomically, 0600 in a 0700 directory; through a
 * symlink to its target, as docker does */
static gboolean
config_save (const gchar *docker_config_dir, const gchar *path, JsonNode *root, GError **error)
{
  g_autofree gchar *text = berth_json_to_string (root, TRUE);
  g_autofree gchar *link = g_file_read_link (path, NULL);
  g_autofree gchar *target = NULL;
  g_autofree gchar *contents = g_strconcat (text, "\n", NULL);
  g_autoptr(GError) local_error = NULL;

  if (g_mkdir_with_parents (docker_config_dir, 0700) != 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot create %s: %s",
                   docker_config_dir, g_strerror (errno));
      return FALSE;
    }
  if (link != NULL && !g_path_is_absolute (link))
    target = g_build_filename (docker_config_dir, link, NULL);
  else
    target = link != NULL ? g_steal_pointer (&link) : g_strdup (path);
  if (!g_file_set_contents_full (target, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &local_error))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "writing %s: %s", target,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* `auths`, made if missing; NULL if config.json has it as something else */
static JsonObject *
config_auths (JsonObject *root, const gchar *path, GError **error)
{
  JsonNode *member = json_object_get_member (root, "auths");

  if (member == NULL || JSON_NODE_HOLDS_NULL (member))
    {
      json_object_set_object_member (root, "auths", json_object_new ());
      member = json_object_get_member (root, "auths");
    }
  if (!JSON_NODE_HOLDS_OBJECT (member))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "“auths” in %s is not a JSON object; not changing it", path);
      return NULL;
    }
  return json_node_get_object (member);
}

static gboolean
store_in_helper (const gchar *helper,
                 const gchar *server_url,
                 const gchar *username,
                 const gchar *password,
                 GCancellable *cancellable,
                 GError **error)
{
  g_autoptr(GString) input = g_string_new ("{\"ServerURL\":");
  g_autofree gchar *out = NULL;
  gboolean missing;

  berth_json_append_string (input, server_url);
  g_string_append (input, ",\"Username\":");
  berth_json_append_string (input, username);
  g_string_append (input, ",\"Secret\":");
  berth_json_append_string (input, password);
  g_string_append_c (input, '}');
  out = run_helper (helper, "store", input->str, server_url, &missing, cancellable, error);
  /* the secret was in the string: do not leave it in freed memory */
  memset (input->str, 0, input->len);
  return out != NULL;
}

/**
 * berth_registry_credentials_store:
 * @docker_config_dir: the directory holding Docker's `config.json`
 * @server_url: the registry's key, from berth_registry_server_parse()
 * @username: the user name
 * @password: the password or token
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Stores credentials as `docker login` does: with the credential helper
 * `config.json` names for @server_url (`credHelpers`, else `credsStore`),
 * leaving an empty `auths` entry, else as `auths[server_url].auth`, base64
 * of `user:password`. Every other key and entry of `config.json` stays;
 * the file is replaced atomically, mode 0600.
 *
 * Returns: %TRUE if stored
 */
gboolean
berth_registry_credentials_store (const gchar *docker_config_dir,
                                  const gchar *server_url,
                                  const gchar *username,
                                  const gchar *password,
                                  GCancellable *cancellable,
                                  GError **error)
{
  g_autofree gchar *path = g_build_filename (docker_config_dir, "config.json", NULL);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&config_json_lock);
  g_autoptr(JsonNode) node = config_load (path, error);
  g_autoptr(JsonObject) entry = json_object_new ();
  JsonObject *auths;
  const gchar *helper;

  if (node == NULL || (auths = config_auths (json_node_get_object (node), path, error)) == NULL)
    return FALSE;
  helper = config_helper (json_node_get_object (node), server_url);
  if (helper != NULL)
    {
      if (!store_in_helper (helper, server_url, username, password, cancellable, error))
        return FALSE;
    }
  else
    {
      g_autofree gchar *pair = g_strconcat (username, ":", password, NULL);
      g_autofree gchar *b64 = g_base64_encode ((const guchar *)pair, strlen (pair));
      json_object_set_string_member (entry, "auth", b64);
      memset (pair, 0, strlen (pair));
    }
  json_object_set_object_member (auths, server_url, g_steal_pointer (&entry));
  return config_save (docker_config_dir, path, node, error);
}

/**
 * berth_registry_credentials_erase:
 * @docker_config_dir: the directory holding Docker's `config.json`
 * @server_url: the registry's key, from berth_registry_server_parse()
 * @out_found: (out): whether there was an entry to remove
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Removes credentials as `docker logout` does: the `auths` entry of
 * @server_url (and of its `http://` and `https://` forms, which older
 * docker versions wrote), and the helper's copy (`erase`) when a helper
 * is configured. Without an entry nothing changes and *@out_found is
 * %FALSE.
 *
 * Returns: %TRUE unless something could not be removed
 */
gboolean
berth_registry_credentials_erase (const gchar *docker_config_dir,
                                  const gchar *server_url,
                                  gboolean *out_found,
                                  GCancellable *cancellable,
                                  GError **error)
{
  g_autofree gchar *path = g_build_filename (docker_config_dir, "config.json", NULL);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&config_json_lock);
  g_autoptr(JsonNode) node = config_load (path, error);
  g_autofree gchar *https = g_strconcat ("https://", server_url, NULL);
  g_autofree gchar *http = g_strconcat ("http://", server_url, NULL);
  const gchar *keys[] = { server_url, https, http };
  JsonObject *auths;
  const gchar *helper;
  gboolean found = FALSE;

  *out_found = FALSE;
  if (node == NULL || (auths = config_auths (json_node_get_object (node), path, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    found = found || json_object_has_member (auths, keys[i]);
  if (!found)
    return TRUE;
  helper = config_helper (json_node_get_object (node), server_url);
  if (helper != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean missing;
      g_autofree gchar *out
        = run_helper (helper, "erase", server_url, server_url, &missing, cancellable, &local_error);
      if (out == NULL && !missing)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (json_object_has_member (auths, keys[i]))
      json_object_remove_member (auths, keys[i]);
  *out_found = TRUE;
  return config_save (docker_config_dir, path, node, error);
}
