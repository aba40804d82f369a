/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include "berth-interface-private.h"
#include "berth-runtime.h"

G_DEFINE_INTERFACE (BerthRuntime, berth_runtime, G_TYPE_OBJECT)

static void
berth_runtime_default_init (BerthRuntimeInterface *iface)
{
}

/**
 * berth_runtime_check:
 * @self: a #BerthRuntime
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the runtime can run containers on this host
 */
gboolean
berth_runtime_check (BerthRuntime *self, GCancellable *cancellable, GError **error)
{
  BerthRuntimeInterface *iface;
  g_return_val_if_fail (BERTH_IS_RUNTIME (self), FALSE);
  iface = BERTH_RUNTIME_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, check, self, error, FALSE);
  return iface->check (self, cancellable, error);
}

/**
 * berth_runtime_start:
 * @self: a #BerthRuntime
 * @id: the container's ID
 * @bundle_dir: an OCI bundle (config.json and rootfs)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the container's process runs
 */
gboolean
berth_runtime_start (BerthRuntime *self,
                     const gchar *id,
                     const gchar *bundle_dir,
                     GCancellable *cancellable,
                     GError **error)
{
  BerthRuntimeInterface *iface;
  g_return_val_if_fail (BERTH_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (id != NULL && bundle_dir != NULL, FALSE);
  iface = BERTH_RUNTIME_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, start, self, error, FALSE);
  return iface->start (self, id, bundle_dir, cancellable, error);
}

/**
 * berth_runtime_kill:
 * @self: a #BerthRuntime
 * @id: the container's ID
 * @signum: a signal number
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the signal was sent
 */
gboolean
berth_runtime_kill (
  BerthRuntime *self, const gchar *id, gint signum, GCancellable *cancellable, GError **error)
{
  BerthRuntimeInterface *iface;
  g_return_val_if_fail (BERTH_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  iface = BERTH_RUNTIME_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, kill, self, error, FALSE);
  return iface->kill (self, id, signum, cancellable, error);
}

/**
 * berth_runtime_delete:
 * @self: a #BerthRuntime
 * @id: the container's ID
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the runtime forgot the container
 */
gboolean
berth_runtime_delete (BerthRuntime *self,
                      const gchar *id,
                      GCancellable *cancellable,
                      GError **error)
{
  BerthRuntimeInterface *iface;
  g_return_val_if_fail (BERTH_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  iface = BERTH_RUNTIME_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, delete, self, error, FALSE);
  return iface->delete (self, id, cancellable, error);
}
