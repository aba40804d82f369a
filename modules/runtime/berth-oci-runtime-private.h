/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "berth-oci-runtime.h"

G_BEGIN_DECLS

const gchar *berth_oci_runtime_get_root (BerthOciRuntime *self);
gchar *berth_oci_runtime_next_work_path (BerthOciRuntime *self, const gchar *what);
gboolean berth_oci_runtime_run (BerthOciRuntime *self,
                                const gchar *const *args,
                                gchar **out_stdout,
                                GCancellable *cancellable,
                                GError **error);
gboolean berth_oci_runtime_run_container (BerthOciRuntime *self,
                                          const gchar *const *args,
                                          gint stdin_fd,
                                          gint stdout_fd,
                                          gint stderr_fd,
                                          GCancellable *cancellable,
                                          GError **error);
gboolean berth_oci_runtime_read_pid_file (const gchar *path, GPid *out_pid, GError **error);

G_END_DECLS
