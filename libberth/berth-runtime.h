/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BERTH_TYPE_RUNTIME (berth_runtime_get_type ())
G_DECLARE_INTERFACE (BerthRuntime, berth_runtime, BERTH, RUNTIME, GObject)

/**
 * BerthRuntimeStatus:
 * @BERTH_RUNTIME_STATUS_UNKNOWN: the runtime does not know the container
 * @BERTH_RUNTIME_STATUS_CREATED: created, its process not started
 * @BERTH_RUNTIME_STATUS_RUNNING: its process runs
 * @BERTH_RUNTIME_STATUS_STOPPED: its process has exited
 */
typedef enum
{
  BERTH_RUNTIME_STATUS_UNKNOWN,
  BERTH_RUNTIME_STATUS_CREATED,
  BERTH_RUNTIME_STATUS_RUNNING,
  BERTH_RUNTIME_STATUS_STOPPED,
} BerthRuntimeStatus;

/**
 * BerthRuntimeInterface:
 * @get_name: the runtime's name, e.g. `runc`
 * @check: whether the runtime works on this host; the error says why not
 *   (for example crun 1.8 on a hybrid cgroup host)
 * @start: creates and starts a container from an OCI bundle (`config.json`
 *   and the root it names), detached, with no process of berth's left
 *   beside it; the container's stdout and stderr go to @stdio_fd. Returns
 *   the pid of the container's first process, which is berthd's child when
 *   berthd is a child subreaper, so its exit status can be collected
 * @state: the container's status and pid
 * @kill: sends a signal to the container's processes
 * @delete: forgets a stopped container (or, with @force, a running one,
 *   killing it) and removes its runtime state
 * @list: the IDs of the containers the runtime knows under berth's state
 * @start_stdio: as @start, with the container's stdin, stdout and stderr
 *   each given (-1 for /dev/null): a `berth run` hands the caller's own
 *   descriptors to the container
 * @start_terminal: as @start, the process on a pseudo-terminal the runtime
 *   makes inside the container (its controlling terminal); returns the
 *   terminal's master
 *
 * Runs containers (plugins, and `berth run` processes) with an OCI runtime.
 */
struct _BerthRuntimeInterface
{
  GTypeInterface g_iface;

  const gchar *(*get_name) (BerthRuntime *self);
  gboolean (*check) (BerthRuntime *self, GCancellable *cancellable, GError **error);
  gboolean (*start) (BerthRuntime *self,
                     const gchar *id,
                     const gchar *bundle_dir,
                     gint stdio_fd,
                     GPid *out_pid,
                     GCancellable *cancellable,
                     GError **error);
  gboolean (*state) (BerthRuntime *self,
                     const gchar *id,
                     BerthRuntimeStatus *out_status,
                     GPid *out_pid,
                     GCancellable *cancellable,
                     GError **error);
  gboolean (*kill) (
    BerthRuntime *self, const gchar *id, gint signum, GCancellable *cancellable, GError **error);
  gboolean (*delete) (
    BerthRuntime *self, const gchar *id, gboolean force, GCancellable *cancellable, GError **error);
  GStrv (*list) (BerthRuntime *self, GCancellable *cancellable, GError **error);
  gboolean (*start_stdio) (BerthRuntime *self,
                           const gchar *id,
                           const gchar *bundle_dir,
                           gint stdin_fd,
                           gint stdout_fd,
                           gint stderr_fd,
                           GPid *out_pid,
                           GCancellable *cancellable,
                           GError **error);

  gboolean (*start_terminal) (BerthRuntime *self,
                              const gchar *id,
                              const gchar *bundle_dir,
                              gint *out_master,
                              GPid *out_pid,
                              GCancellable *cancellable,
                              GError **error);

  /*< private >*/
  gpointer padding[14];
};

const gchar *berth_runtime_get_name (BerthRuntime *self);
gboolean berth_runtime_check (BerthRuntime *self, GCancellable *cancellable, GError **error);
gboolean berth_runtime_start (BerthRuntime *self,
                              const gchar *id,
                              const gchar *bundle_dir,
                              gint stdio_fd,
                              GPid *out_pid,
                              GCancellable *cancellable,
                              GError **error);
gboolean berth_runtime_start_stdio (BerthRuntime *self,
                                    const gchar *id,
                                    const gchar *bundle_dir,
                                    gint stdin_fd,
                                    gint stdout_fd,
                                    gint stderr_fd,
                                    GPid *out_pid,
                                    GCancellable *cancellable,
                                    GError **error);
gboolean berth_runtime_start_terminal (BerthRuntime *self,
                                       const gchar *id,
                                       const gchar *bundle_dir,
                                       gint *out_master,
                                       GPid *out_pid,
                                       GCancellable *cancellable,
                                       GError **error);
gboolean berth_runtime_state (BerthRuntime *self,
                              const gchar *id,
                              BerthRuntimeStatus *out_status,
                              GPid *out_pid,
                              GCancellable *cancellable,
                              GError **error);
gboolean berth_runtime_kill (
  BerthRuntime *self, const gchar *id, gint signum, GCancellable *cancellable, GError **error);
gboolean berth_runtime_delete (
  BerthRuntime *self, const gchar *id, gboolean force, GCancellable *cancellable, GError **error);
GStrv berth_runtime_list (BerthRuntime *self, GCancellable *cancellable, GError **error);

G_END_DECLS
