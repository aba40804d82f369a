/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include "berth-interface-private.h"
#include "berth-transport.h"

G_DEFINE_INTERFACE (BerthTransport, berth_transport, G_TYPE_OBJECT)

static void
berth_transport_default_init (BerthTransportInterface *iface)
{
}

/* a missing async vfunc still calls back, with the error */
static gboolean
report_missing (BerthTransport *self,
                gpointer vfunc,
                gpointer tag,
                const gchar *name,
                GAsyncReadyCallback callback,
                gpointer user_data)
{
  if (vfunc != NULL)
    return FALSE;
  g_task_report_new_error (self, callback, user_data, tag, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                           "%s does not implement %s", G_OBJECT_TYPE_NAME (self), name);
  return TRUE;
}

/**
 * berth_transport_handles_scheme:
 * @self: a #BerthTransport
 * @scheme: a kind of reference, e.g. `docker`
 *
 * Returns: %TRUE if this transport serves @scheme
 */
gboolean
berth_transport_handles_scheme (BerthTransport *self, const gchar *scheme)
{
  BerthTransportInterface *iface;
  g_return_val_if_fail (BERTH_IS_TRANSPORT (self), FALSE);
  iface = BERTH_TRANSPORT_GET_IFACE (self);
  return iface->handles_scheme != NULL && iface->handles_scheme (self, scheme);
}

/**
 * berth_transport_phase_to_string:
 * @phase: a #BerthTransportPhase
 *
 * Returns: Docker's words for @phase, e.g. `Pulling fs layer`
 */
const gchar *
berth_transport_phase_to_string (BerthTransportPhase phase)
{
  switch (phase)
    {
      case BERTH_TRANSPORT_PHASE_WAITING:
        return "Waiting";
      case BERTH_TRANSPORT_PHASE_PULLING_FS_LAYER:
        return "Pulling fs layer";
      case BERTH_TRANSPORT_PHASE_DOWNLOADING:
        return "Downloading";
      case BERTH_TRANSPORT_PHASE_DOWNLOAD_COMPLETE:
        return "Download complete";
      case BERTH_TRANSPORT_PHASE_ALREADY_EXISTS:
        return "Already exists";
      case BERTH_TRANSPORT_PHASE_RETRYING:
        return "Retrying";
      case BERTH_TRANSPORT_PHASE_PREPARING:
        return "Preparing";
      case BERTH_TRANSPORT_PHASE_UPLOADING:
        return "Uploading";
      case BERTH_TRANSPORT_PHASE_UPLOAD_COMPLETE:
        return "Upload complete";
      case BERTH_TRANSPORT_PHASE_LAYER_ALREADY_EXISTS:
        return "Layer already exists";
      default:
        return "";
    }
}

/**
 * berth_transport_resolve_async:
 * @self: a #BerthTransport
 * @reference: a reference, e.g. `localhost:5000/vieux/sshfs:latest`
 * @flags: %BERTH_TRANSPORT_FLAGS_PLUGIN for a plugin
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Resolves @reference to one manifest (choosing this host's platform from
 * an index) and fetches its config blob, verified, into memory. Nothing is
 * stored: this is what the privileges of a plugin are computed from before
 * the user grants them.
 */
void
berth_transport_resolve_async (BerthTransport *self,
                               const gchar *reference,
                               BerthTransportFlags flags,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  BerthTransportInterface *iface;
  g_return_if_fail (BERTH_IS_TRANSPORT (self));
  g_return_if_fail (reference != NULL);
  iface = BERTH_TRANSPORT_GET_IFACE (self);
  if (report_missing (self, iface->resolve_async, berth_transport_resolve_async, "resolve",
                      callback, user_data))
    return;
  iface->resolve_async (self, reference, flags, cancellable, callback, user_data);
}

/**
 * berth_transport_resolve_finish:
 * @self: a #BerthTransport
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the manifest, with its reference, config bytes
 *   and the index it came through set, or %NULL
 */
BerthRegistryManifest *
berth_transport_resolve_finish (BerthTransport *self, GAsyncResult *result, GError **error)
{
  BerthTransportInterface *iface;
  g_return_val_if_fail (BERTH_IS_TRANSPORT (self), NULL);
  if (g_async_result_is_tagged (result, berth_transport_resolve_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  iface = BERTH_TRANSPORT_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, resolve_finish, self, error, NULL);
  return iface->resolve_finish (self, result, error);
}

/**
 * berth_transport_pull_async:
 * @self: a #BerthTransport
 * @manifest: what berth_transport_resolve_finish() returned
 * @store: the content store to pull into
 * @flags: as given to berth_transport_resolve_async()
 * @progress: (nullable) (scope notified): per-blob progress
 * @progress_data: data for @progress
 * @progress_notify: (nullable): frees @progress_data once done
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Stores the config, the layers and then the manifest (and index) in
 * @store. Each blob is verified against its digest and size while it
 * streams; a broken transfer resumes with `Range`. On failure no partial
 * blob is left; whole blobs already stored stay for the next attempt.
 */
void
berth_transport_pull_async (BerthTransport *self,
                            BerthRegistryManifest *manifest,
                            BerthContentStore *store,
                            BerthTransportFlags flags,
                            BerthTransportProgressFunc progress,
                            gpointer progress_data,
                            GDestroyNotify progress_notify,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  BerthTransportInterface *iface;
  g_return_if_fail (BERTH_IS_TRANSPORT (self));
  g_return_if_fail (manifest != NULL);
  g_return_if_fail (BERTH_IS_CONTENT_STORE (store));
  iface = BERTH_TRANSPORT_GET_IFACE (self);
  if (report_missing (self, iface->pull_async, berth_transport_pull_async, "pull", callback,
                      user_data))
    {
      if (progress_notify != NULL)
        progress_notify (progress_data);
      return;
    }
  iface->pull_async (self, manifest, store, flags, progress, progress_data, progress_notify,
                     cancellable, callback, user_data);
}

/**
 * berth_transport_pull_finish:
 * @self: a #BerthTransport
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE once everything is stored
 */
gboolean
berth_transport_pull_finish (BerthTransport *self, GAsyncResult *result, GError **error)
{
  BerthTransportInterface *iface;
  g_return_val_if_fail (BERTH_IS_TRANSPORT (self), FALSE);
  if (g_async_result_is_tagged (result, berth_transport_pull_async))
    return g_task_propagate_boolean (G_TASK (result), error);
  iface = BERTH_TRANSPORT_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, pull_finish, self, error, FALSE);
  return iface->pull_finish (self, result, error);
}

/**
 * berth_transport_push_async:
 * @self: a #BerthTransport
 * @reference: where to push, e.g. `localhost:5000/me/plugin:1.0`
 * @store: the content store holding the blobs @manifest names
 * @manifest: the manifest's exact bytes (kept, so digests stay)
 * @media_type: the manifest's media type, sent as its `Content-Type`
 * @flags: %BERTH_TRANSPORT_FLAGS_PLUGIN for a plugin
 * @progress: (nullable) (scope notified): per-blob progress
 * @progress_data: data for @progress
 * @progress_notify: (nullable): frees @progress_data once done
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Uploads the config and layers @manifest names (those the registry has
 * already are skipped), then puts the manifest under @reference's tag.
 */
void
berth_transport_push_async (BerthTransport *self,
                            const gchar *reference,
                            BerthContentStore *store,
                            GBytes *manifest,
                            const gchar *media_type,
                            BerthTransportFlags flags,
                            BerthTransportProgressFunc progress,
                            gpointer progress_data,
                            GDestroyNotify progress_notify,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  BerthTransportInterface *iface;
  g_return_if_fail (BERTH_IS_TRANSPORT (self));
  g_return_if_fail (reference != NULL);
  g_return_if_fail (BERTH_IS_CONTENT_STORE (store));
  g_return_if_fail (manifest != NULL);
  g_return_if_fail (media_type != NULL);
  iface = BERTH_TRANSPORT_GET_IFACE (self);
  if (report_missing (self, iface->push_async, berth_transport_push_async, "push", callback,
                      user_data))
    {
      if (progress_notify != NULL)
        progress_notify (progress_data);
      return;
    }
  iface->push_async (self, reference, store, manifest, media_type, flags, progress, progress_data,
                     progress_notify, cancellable, callback, user_data);
}

/**
 * berth_transport_push_finish:
 * @self: a #BerthTransport
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the pushed manifest's digest, or %NULL
 */
gchar *
berth_transport_push_finish (BerthTransport *self, GAsyncResult *result, GError **error)
{
  BerthTransportInterface *iface;
  g_return_val_if_fail (BERTH_IS_TRANSPORT (self), NULL);
  if (g_async_result_is_tagged (result, berth_transport_push_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  iface = BERTH_TRANSPORT_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, push_finish, self, error, NULL);
  return iface->push_finish (self, result, error);
}

/**
 * berth_transport_login_async:
 * @self: a #BerthTransport
 * @server: (nullable): a registry, e.g. `localhost:5000` or
 *   `https://registry.example.com/`; %NULL, `""`, `docker.io` and
 *   `index.docker.io` mean Docker Hub
 * @username: the user name
 * @password: the password or access token
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Logs in as Docker's daemon does for `POST /auth`: pings the registry's
 * `/v2/`, answers its challenge with @username and @password (a token
 * from a Bearer realm, or Basic), and fails if the registry refuses them.
 * Accepted credentials are stored (Docker's `config.json`, or its
 * credential helper) where later pulls and pushes find them.
 */
void
berth_transport_login_async (BerthTransport *self,
                             const gchar *server,
                             const gchar *username,
                             const gchar *password,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  BerthTransportInterface *iface;
  g_return_if_fail (BERTH_IS_TRANSPORT (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);
  iface = BERTH_TRANSPORT_GET_IFACE (self);
  if (report_missing (self, iface->login_async, berth_transport_login_async, "login", callback,
                      user_data))
    return;
  iface->login_async (self, server, username, password, cancellable, callback, user_data);
}

/**
 * berth_transport_login_finish:
 * @self: a #BerthTransport
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the status to show, `Login Succeeded`, or
 *   %NULL; a refused login is %BERTH_ERROR_PERMISSION_DENIED
 */
gchar *
berth_transport_login_finish (BerthTransport *self, GAsyncResult *result, GError **error)
{
  BerthTransportInterface *iface;
  g_return_val_if_fail (BERTH_IS_TRANSPORT (self), NULL);
  if (g_async_result_is_tagged (result, berth_transport_login_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  iface = BERTH_TRANSPORT_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, login_finish, self, error, NULL);
  return iface->login_finish (self, result, error);
}

/**
 * berth_transport_logout_async:
 * @self: a #BerthTransport
 * @server: (nullable): a registry, named as for berth_transport_login_async()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Removes the stored credentials of @server. A server with none is not an
 * error: the status says so, as Docker's does.
 */
void
berth_transport_logout_async (BerthTransport *self,
                              const gchar *server,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  BerthTransportInterface *iface;
  g_return_if_fail (BERTH_IS_TRANSPORT (self));
  iface = BERTH_TRANSPORT_GET_IFACE (self);
  if (report_missing (self, iface->logout_async, berth_transport_logout_async, "logout", callback,
                      user_data))
    return;
  iface->logout_async (self, server, cancellable, callback, user_data);
}

/**
 * berth_transport_logout_finish:
 * @self: a #BerthTransport
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the status to show, `Removing login
 *   credentials for <server>` or `Not logged in to <server>`, or %NULL
 */
gchar *
berth_transport_logout_finish (BerthTransport *self, GAsyncResult *result, GError **error)
{
  BerthTransportInterface *iface;
  g_return_val_if_fail (BERTH_IS_TRANSPORT (self), NULL);
  if (g_async_result_is_tagged (result, berth_transport_logout_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  iface = BERTH_TRANSPORT_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, logout_finish, self, error, NULL);
  return iface->logout_finish (self, result, error);
}
