/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

G_BEGIN_DECLS

/**
 * BerthJobFunc:
 * @id: what the line is about: a blob's first 12 hex digits, or "" for a
 *   line of its own (`latest: Pulling from vieux/sshfs`)
 * @status: docker's words (`Downloading`, `Download complete`, …)
 * @current: bytes done, 0 when @status counts no bytes
 * @total: bytes in all, 0 when @status counts no bytes
 * @user_data: the data given with the function
 *
 * Receives a job's progress, always on the thread that made the job.
 */
typedef void (*BerthJobFunc) (
  const gchar *id, const gchar *status, guint64 current, guint64 total, gpointer user_data);

typedef struct _BerthJob BerthJob;

/* clang-format off */
BerthJob *berth_job_new (BerthJobFunc func, gpointer user_data, GDestroyNotify notify);
BerthJob *berth_job_ref (BerthJob *self);
void berth_job_unref (BerthJob *self);
void berth_job_report (BerthJob *self, const gchar *id, const gchar *status, guint64 current, guint64 total);
void berth_job_message (BerthJob *self, const gchar *format, ...) G_GNUC_PRINTF (2, 3);
void berth_job_blob (BerthJob *self, const gchar *digest, const gchar *status);
void berth_job_transport_progress (const gchar *digest, BerthTransportPhase phase, guint64 current, guint64 total, gpointer user_data);
/* clang-format on */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthJob, berth_job_unref)

G_END_DECLS
