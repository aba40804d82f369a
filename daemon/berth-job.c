/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthEngine"

#include "config.h"

#include "berth-job.h"

#include <string.h>

/* A job is long work (pull, push, install, upgrade) that tells whoever
 * started it how far it is, in docker's progress words. It may be fed from
 * worker threads; its function always runs on the thread that made it. A
 * job without a function costs nothing. */

struct _BerthJob
{
  gatomicrefcount ref;
  GMainContext *context;
  BerthJobFunc func;
  gpointer user_data;
  GDestroyNotify notify;
};

typedef struct
{
  BerthJob *job;
  gchar *id;
  gchar *status;
  guint64 current;
  guint64 total;
} BerthJobEvent;

/**
 * berth_job_new:
 * @func: (nullable): receives progress
 * @user_data: for @func
 * @notify: (nullable): frees @user_data, on the thread that made the job
 *
 * Returns: (transfer full): a job
 */
BerthJob *
berth_job_new (BerthJobFunc func, gpointer user_data, GDestroyNotify notify)
{
  BerthJob *self = g_new0 (BerthJob, 1);
  g_atomic_ref_count_init (&self->ref);
  self->context = g_main_context_ref_thread_default ();
  self->func = func;
  self->user_data = user_data;
  self->notify = notify;
  return self;
}

BerthJob *
berth_job_ref (BerthJob *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

static gboolean
job_free_in_context (gpointer data)
{
  BerthJob *self = data;
  if (self->notify != NULL)
    self->notify (self->user_data);
  g_main_context_unref (self->context);
  g_free (self);
  return G_SOURCE_REMOVE;
}

void
berth_job_unref (BerthJob *self)
{
  if (!g_atomic_ref_count_dec (&self->ref))
    return;
  /* the data belongs to the thread that made the job */
  g_main_context_invoke (self->context, job_free_in_context, self);
}

static gboolean
job_dispatch (gpointer data)
{
  BerthJobEvent *e = data;
  e->job->func (e->id, e->status, e->current, e->total, e->job->user_data);
  return G_SOURCE_REMOVE;
}

static void
job_event_free (gpointer data)
{
  BerthJobEvent *e = data;
  berth_job_unref (e->job);
  g_free (e->id);
  g_free (e->status);
  g_free (e);
}

/* docker shows a blob as the first 12 hex digits of its digest */
static gchar *
short_id (const gchar *digest)
{
  const gchar *hex = strchr (digest, ':');
  return g_strndup (hex != NULL ? hex + 1 : digest, 12);
}

/**
 * berth_job_report:
 * @self: (nullable): a job
 * @id: a blob's short ID, or ""
 * @status: what happens to it
 * @current: bytes done, or 0
 * @total: bytes in all, or 0
 *
 * Reports progress from any thread, in order.
 */
void
berth_job_report (
  BerthJob *self, const gchar *id, const gchar *status, guint64 current, guint64 total)
{
  BerthJobEvent *e;

  if (self == NULL || self->func == NULL)
    return;
  e = g_new0 (BerthJobEvent, 1);
  e->job = berth_job_ref (self);
  e->id = g_strdup (id);
  e->status = g_strdup (status);
  e->current = current;
  e->total = total;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, job_dispatch, e, job_event_free);
}

/**
 * berth_job_message:
 * @self: (nullable): a job
 * @format: a line of its own, e.g. `Digest: %s`
 *
 * Reports a line that belongs to no blob.
 */
void
berth_job_message (BerthJob *self, const gchar *format, ...)
{
  g_autofree gchar *text = NULL;
  va_list args;

  if (self == NULL || self->func == NULL)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  berth_job_report (self, "", text, 0, 0);
}

/**
 * berth_job_blob:
 * @self: (nullable): a job
 * @digest: a blob's digest, shown as its first 12 hex digits as docker does
 * @status: what happens to it
 */
void
berth_job_blob (BerthJob *self, const gchar *digest, const gchar *status)
{
  g_autofree gchar *id = short_id (digest);
  berth_job_report (self, id, status, 0, 0);
}

/**
 * berth_job_transport_progress:
 * @digest: the blob
 * @phase: where it is
 * @current: bytes done
 * @total: bytes in all
 * @user_data: a #BerthJob
 *
 * A #BerthTransportProgressFunc that feeds a job: bytes are kept only for
 * the phases that move bytes.
 */
void
berth_job_transport_progress (const gchar *digest,
                              BerthTransportPhase phase,
                              guint64 current,
                              guint64 total,
                              gpointer user_data)
{
  BerthJob *self = user_data;
  g_autofree gchar *id = short_id (digest);
  gboolean bytes
    = phase == BERTH_TRANSPORT_PHASE_DOWNLOADING || phase == BERTH_TRANSPORT_PHASE_UPLOADING;

  berth_job_report (self, id, berth_transport_phase_to_string (phase), bytes ? current : 0,
                    bytes ? total : 0);
}
