/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthEngine"

#include "config.h"

#include "berth-engine-private.h"

/* Logging in to registries. The transport module checks the credentials
 * and stores them where its pulls and pushes find them; the engine only
 * finds the transport (who may log in is the D-Bus adaptor's business). */

/* a task for @tag, and the transport it runs on; NULL, with the task
 * already failed, when no transport module is loaded */
static BerthTransport *
login_task_new (BerthEngine *self,
                gpointer tag,
                GCancellable *cancellable,
                GAsyncReadyCallback callback,
                gpointer user_data,
                GTask **out_task)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  BerthTransport *transport
    = (BerthTransport *)berth_modules_get_active (self->modules, BERTH_EXTENSION_POINT_TRANSPORT);

  g_task_set_source_tag (task, tag);
  if (transport == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                               "no transport module is loaded to log in with: see berth system "
                               "info");
      return NULL;
    }
  *out_task = g_steal_pointer (&task);
  return transport;
}

static void
on_login_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gchar *status = g_task_get_source_tag (task) == berth_engine_login_async
                    ? berth_transport_login_finish (BERTH_TRANSPORT (source), result, &error)
                    : berth_transport_logout_finish (BERTH_TRANSPORT (source), result, &error);

  if (status == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, status, g_free);
}

/**
 * berth_engine_login_async:
 * @self: a #BerthEngine
 * @server: (nullable): a registry, `host[:port]` or a URL; %NULL or `""`
 *   for Docker Hub
 * @username: the user name
 * @password: the password or token
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Checks the credentials against the registry and, if it accepts them,
 * stores them for later pulls and pushes.
 */
void
berth_engine_login_async (BerthEngine *self,
                          const gchar *server,
                          const gchar *username,
                          const gchar *password,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  GTask *task = NULL;
  BerthTransport *transport
    = login_task_new (self, berth_engine_login_async, cancellable, callback, user_data, &task);

  if (transport == NULL)
    return;
  berth_transport_login_async (transport, server, username, password, cancellable, on_login_done,
                               task);
}

/**
 * berth_engine_login_finish:
 * @self: a #BerthEngine
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the status to show (`Login Succeeded`), or %NULL
 */
gchar *
berth_engine_login_finish (BerthEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * berth_engine_logout_async:
 * @self: a #BerthEngine
 * @server: (nullable): a registry, as for berth_engine_login_async()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Removes the registry's stored credentials.
 */
void
berth_engine_logout_async (BerthEngine *self,
                           const gchar *server,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  GTask *task = NULL;
  BerthTransport *transport
    = login_task_new (self, berth_engine_logout_async, cancellable, callback, user_data, &task);

  if (transport == NULL)
    return;
  berth_transport_logout_async (transport, server, cancellable, on_login_done, task);
}

/**
 * berth_engine_logout_finish:
 * @self: a #BerthEngine
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the status to show (`Removing login credentials
 *   for <server>` or `Not logged in to <server>`), or %NULL
 */
gchar *
berth_engine_logout_finish (BerthEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
