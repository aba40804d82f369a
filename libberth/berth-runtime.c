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
 * berth_runtime_get_name:
 * @self: a #BerthRuntime
 *
 * Returns: the runtime's name, e.g. `runc`
 */
const gchar *
berth_runtime_get_name (BerthRuntime *self)
{
  BerthRuntimeInterface *iface;
  g_return_val_if_fail (BERTH_IS_RUNTIME (self), NULL);
  iface = BERTH_RUNTIME_GET_IFACE (self);
  return iface->get_name != NULL ? iface->get_name (self) : G_OBJECT_TYPE_NAME (self);
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
 * @bundle_dir: an OCI bundle (config.json and its root)
 * @stdio_fd: where the container's stdout and stderr go, or -1 for /dev/null
 * @out_pid: (out) (optional): the container's first process
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the container's process runs
 */
gboolean
berth_runtime_start (BerthRuntime *self,
                     const gchar *id,
                     const gchar *bundle_dir,
                     gint stdio_fd,
                     GPid *out_pid,
                     GCancellable *cancellable,
                     GError **error)
{
  BerthRuntimeInterface *iface;
  g_return_val_if_fail (BERTH_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (id != NULL && bundle_dir != NULL, FALSE);
  iface = BERTH_RUNTIME_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, start, self, error, FALSE);
  return iface->start (self, id, bundle_dir, stdio_fd, out_pid, cancellable, error);
}

/**
 * berth_runtime_start_stdio:
 * @self: a #BerthRuntime
 * @id: the container's ID
 * @bundle_dir: an OCI bundle (config.json and its root)
 * @stdin_fd: the container's stdin, or -1 for /dev/null
 * @stdout_fd: its stdout, or -1 for /dev/null
 * @stderr_fd: its stderr, or -1 for /dev/null
 * @out_pid: (out) (optional): the container's first process
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the container's process runs
 */
gboolean
berth_runtime_start_stdio (BerthRuntime *self,
                           const gchar *id,
                           const gchar *bundle_dir,
                           gint stdin_fd,
                           gint stdout_fd,
                           gint stderr_fd,
                           GPid *out_pid,
                           GCancellable *cancellable,
                           GError **error)
{
  BerthRuntimeInterface *iface;
  g_return_val_if_fail (BERTH_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (id != NULL && bundle_dir != NULL, FALSE);
  iface = BERTH_RUNTIME_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, start_stdio, self, error, FALSE);
  return iface->start_stdio (self, id, bundle_dir, stdin_fd, stdout_fd, stderr_fd, out_pid,
                             cancellable, error);
}

/**
 * berth_runtime_start_terminal:
 * @self: a #BerthRuntime
 * @id: the container's ID
 * @bundle_dir: an OCI bundle whose process has `terminal` set
 * @out_master: (out): the pseudo-terminal's master, for the caller to read
 *   and write
 * @out_pid: (out) (optional): the container's first process
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the container's process runs on its terminal
 */
gboolean
berth_runtime_start_terminal (BerthRuntime *self,
                              const gchar *id,
                              const gchar *bundle_dir,
                              gint *out_master,
                              GPid *out_pid,
                              GCancellable *cancellable,
                              GError **error)
{
  BerthRuntimeInterface *iface;
  g_return_val_if_fail (BERTH_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (id != NULL && bundle_dir != NULL && out_master != NULL, FALSE);
  iface = BERTH_RUNTIME_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, start_terminal, self, error, FALSE);
  return iface->start_terminal (self, id, bundle_dir, out_master, out_pid, cancellable, error);
}

/**
 * berth_runtime_state:
 * @self: a #BerthRuntime
 * @id: the container's ID
 * @out_status: (out): its status; %BERTH_RUNTIME_STATUS_UNKNOWN if the
 *   runtime does not know it (not an error)
 * @out_pid: (out) (optional): its first process, or 0
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the runtime could be asked
 */
gboolean
berth_runtime_state (BerthRuntime *self,
                     const gchar *id,
                     BerthRuntimeStatus *out_status,
                     GPid *out_pid,
                     GCancellable *cancellable,
                     GError **error)
{
  BerthRuntimeInterface *iface;
  g_return_val_if_fail (BERTH_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (id != NULL && out_status != NULL, FALSE);
  iface = BERTH_RUNTIME_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, state, self, error, FALSE);
  return iface->state (self, id, out_status, out_pid, cancellable, error);
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
 * @force: kill it first if it still runs
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the runtime forgot the container (or never knew it)
 */
gboolean
berth_runtime_delete (
  BerthRuntime *self, const gchar *id, gboolean force, GCancellable *cancellable, GError **error)
{
  BerthRuntimeInterface *iface;
  g_return_val_if_fail (BERTH_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  iface = BERTH_RUNTIME_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, delete, self, error, FALSE);
  return iface->delete (self, id, force, cancellable, error);
}

/**
 * berth_runtime_list:
 * @self: a #BerthRuntime
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the IDs of the containers the runtime knows
 */
GStrv
berth_runtime_list (BerthRuntime *self, GCancellable *cancellable, GError **error)
{
  BerthRuntimeInterface *iface;
  g_return_val_if_fail (BERTH_IS_RUNTIME (self), NULL);
  iface = BERTH_RUNTIME_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, list, self, error, NULL);
  return iface->list (self, cancellable, error);
}
