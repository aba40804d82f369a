/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthRegistry"

#include "config.h"

#include <string.h>

#include "berth-registry-private.h"

/* `berth login` and `berth logout`: what Docker's daemon does for
 * `POST /auth` (check the credentials against the registry) and what the
 * docker CLI does afterwards (file them in config.json or a credential
 * helper), both here, so that berthd's engine only decides who may. */

/* the registry refused: Docker's words first, then what it said */
static void
set_refused_error (const gchar *server_url,
                   const gchar *username,
                   const GError *refusal,
                   GError **error)
{
  const gchar *detail = refusal->message;

  if (g_str_has_prefix (detail, "unauthorized: "))
    detail += strlen ("unauthorized: ");
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_PERMISSION_DENIED,
               "unauthorized: incorrect username or password: %s refused the login of %s: %s",
               server_url, username, detail);
}

/**
 * berth_registry_login:
 * @self: the transport
 * @server: (nullable): the registry, as the user named it
 * @username: the user name
 * @password: the password or token
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Pings the registry's `/v2/` with the credentials (a token without scope
 * from a Bearer realm, or Basic), and stores them only if it accepts them.
 * Tokens cached for the registry are dropped: they belong to whoever was
 * logged in before.
 *
 * Returns: (transfer full): `Login Succeeded`, or %NULL
 */
gchar *
berth_registry_login (BerthRegistryTransport *self,
                      const gchar *server,
                      const gchar *username,
                      const gchar *password,
                      GCancellable *cancellable,
                      GError **error)
{
  BerthRegistrySettings *settings = berth_registry_transport_get_settings (self);
  g_autofree gchar *host = NULL;
  g_autofree gchar *server_url = berth_registry_server_parse (server, &host, error);
  g_autoptr(BerthRegistrySession) session = NULL;
  g_autoptr(GError) local_error = NULL;

  if (server_url == NULL)
    return NULL;
  if (*username == '\0' || *password == '\0')
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "logging in to %s: a %s is required", server_url,
                   *username == '\0' ? "username" : "password");
      return NULL;
    }
  session = berth_registry_session_new_for_login (self, host, username, password, cancellable,
                                                  &local_error);
  if (session != NULL)
    berth_registry_session_ping (session, cancellable, &local_error);
  if (g_error_matches (local_error, BERTH_ERROR, BERTH_ERROR_PERMISSION_DENIED))
    {
      set_refused_error (server_url, username, local_error, error);
      return NULL;
    }
  if (local_error != NULL)
    {
      g_set_error (error, local_error->domain, local_error->code, "logging in to %s: %s",
                   server_url, local_error->message);
      return NULL;
    }
  berth_registry_transport_forget_tokens (self, host);
  if (!berth_registry_credentials_store (settings->docker_config_dir, server_url, username,
                                         password, cancellable, error))
    {
      g_prefix_error (error,
                      "%s accepted the login, but storing the credentials failed: ", server_url);
      return NULL;
    }
  g_info ("logged in to %s as %s; credentials stored in %s", server_url, username,
          settings->docker_config_dir);
  return g_strdup ("Login Succeeded");
}

/**
 * berth_registry_logout:
 * @self: the transport
 * @server: (nullable): the registry, as the user named it
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Removes the registry's stored credentials, and the tokens cached for it.
 *
 * Returns: (transfer full): Docker's status, `Removing login credentials
 *   for <server>` or `Not logged in to <server>`, or %NULL
 */
gchar *
berth_registry_logout (BerthRegistryTransport *self,
                       const gchar *server,
                       GCancellable *cancellable,
                       GError **error)
{
  BerthRegistrySettings *settings = berth_registry_transport_get_settings (self);
  g_autofree gchar *host = NULL;
  g_autofree gchar *server_url = berth_registry_server_parse (server, &host, error);
  gboolean found = FALSE;

  if (server_url == NULL)
    return NULL;
  berth_registry_transport_forget_tokens (self, host);
  if (!berth_registry_credentials_erase (settings->docker_config_dir, server_url, &found,
                                         cancellable, error))
    {
      g_prefix_error (error, "logging out of %s: ", server_url);
      return NULL;
    }
  if (!found)
    return g_strdup_printf ("Not logged in to %s", server_url);
  g_info ("logged out of %s", server_url);
  return g_strdup_printf ("Removing login credentials for %s", server_url);
}
