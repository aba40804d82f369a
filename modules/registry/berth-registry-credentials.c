/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthRegistry"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "berth-registry-private.h"

/* Docker Hub's credentials are filed under its v1 index URL */
static const gchar *
server_url_for_host (const gchar *host)
{
  if (g_str_equal (host, "registry-1.docker.io") || g_str_equal (host, "docker.io")
      || g_str_equal (host, "index.docker.io"))
    return "https://index.docker.io/v1/";
  return host;
}

static gboolean
credentials_from_helper (const gchar *helper,
                         const gchar *server_url,
                         gchar **out_username,
                         gchar **out_password,
                         GCancellable *cancellable,
                         GError **error)
{
  g_autofree gchar *program = g_strconcat ("docker-credential-", helper, NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) stdin_bytes = g_bytes_new (server_url, strlen (server_url));
  g_autoptr(GBytes) stdout_bytes = NULL;
  g_autoptr(GBytes) stderr_bytes = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;
  const gchar *out;
  JsonObject *obj;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                             | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           &local_error, program, "get", NULL);
  if (proc == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND,
                   "the credential helper %s configured for %s cannot run: %s", program, server_url,
                   local_error->message);
      return FALSE;
    }
  if (!g_subprocess_communicate (proc, stdin_bytes, cancellable, &stdout_bytes, &stderr_bytes,
                                 error))
    return FALSE;
  out = g_bytes_get_data (stdout_bytes, NULL);
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_autofree gchar *text = g_strndup (out != NULL ? out : "", g_bytes_get_size (stdout_bytes));
      /* the helper protocol's answer for "nothing stored": anonymous */
      if (strstr (text, "credentials not found") != NULL)
        return TRUE;
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "%s get failed for %s: %s", program,
                   server_url, g_strstrip (text));
      return FALSE;
    }
  node = berth_json_parse (out, (gssize)g_bytes_get_size (stdout_bytes), &local_error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "%s get printed no JSON object",
                   program);
      return FALSE;
    }
  obj = json_node_get_object (node);
  *out_username = g_strdup (json_object_get_string_member_with_default (obj, "Username", NULL));
  *out_password = g_strdup (json_object_get_string_member_with_default (obj, "Secret", NULL));
  return TRUE;
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
 * Finds credentials the way the docker CLI does: `credHelpers[host]`, else
 * `credsStore`, else `auths[host].auth` (base64 of `user:password`).
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
  g_autofree gchar *text = NULL;
  gsize len = 0;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *root;
  JsonNode *member;
  JsonObject *entry;
  const gchar *auth;
  g_autofree guchar *decoded = NULL;
  gsize decoded_len = 0;
  g_autofree gchar *pair = NULL;
  gchar *colon;

  *out_username = NULL;
  *out_password = NULL;
  if (!g_file_get_contents (path, &text, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "reading %s: %s", path,
                   local_error->message);
      return FALSE;
    }
  node = berth_json_parse (text, (gssize)len, &local_error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%s is not a JSON object",
                   path);
      return FALSE;
    }
  root = json_node_get_object (node);

  member = json_object_get_member (root, "credHelpers");
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    {
      const gchar *helper
        = json_object_get_string_member_with_default (json_node_get_object (member), host, NULL);
      if (helper != NULL && *helper != '\0')
        return credentials_from_helper (helper, server_url_for_host (host), out_username,
                                        out_password, cancellable, error);
    }
  if (json_object_has_member (root, "credsStore"))
    {
      const gchar *helper = json_object_get_string_member_with_default (root, "credsStore", "");
      if (*helper != '\0')
        return credentials_from_helper (helper, server_url_for_host (host), out_username,
                                        out_password, cancellable, error);
    }
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
