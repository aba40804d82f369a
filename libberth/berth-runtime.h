/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BERTH_TYPE_RUNTIME (berth_runtime_get_type ())
G_DECLARE_INTERFACE (BerthRuntime, berth_runtime, BERTH, RUNTIME, GObject)

/**
 * BerthRuntimeInterface:
 * @check: whether the runtime works on this host; the error says why not
 * @start: starts a container from an OCI bundle, detached
 * @kill: sends a signal to a container's process
 * @delete: removes a stopped container's runtime state
 *
 * Runs plugins (and `berth run` processes) with an OCI runtime.
 * Grows with the lifecycle issue.
 */
struct _BerthRuntimeInterface
{
  GTypeInterface g_iface;

  gboolean (*check) (BerthRuntime *self, GCancellable *cancellable, GError **error);
  gboolean (*start) (BerthRuntime *self,
                     const gchar *id,
                     const gchar *bundle_dir,
                     GCancellable *cancellable,
                     GError **error);
  gboolean (*kill) (
    BerthRuntime *self, const gchar *id, gint signum, GCancellable *cancellable, GError **error);
  gboolean (*delete) (BerthRuntime *self,
                      const gchar *id,
                      GCancellable *cancellable,
                      GError **error);

  /*< private >*/
  gpointer padding[16];
};

gboolean
berth_runtime_check (BerthRuntime *self, GCancellable *cancellable, GError **error);
gboolean
berth_runtime_start (BerthRuntime *self,
                     const gchar *id,
                     const gchar *bundle_dir,
                     GCancellable *cancellable,
                     GError **error);
gboolean
berth_runtime_kill (
  BerthRuntime *self, const gchar *id, gint signum, GCancellable *cancellable, GError **error);
gboolean
berth_runtime_delete (BerthRuntime *self,
                      const gchar *id,
                      GCancellable *cancellable,
                      GError **error);

G_END_DECLS
