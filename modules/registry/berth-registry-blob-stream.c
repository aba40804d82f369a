/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthRegistry"

#include "config.h"

#include <string.h>

#include "berth-registry-private.h"

/**
 * BerthRegistryBlobStream:
 *
 * A blob's bytes as they come from the registry. When the transfer breaks
 * (a timeout, a reset, the body ending early) it asks again from where it
 * was with `Range: bytes=<offset>-`: a 206 must start at that offset
 * (containerd's rule); a 200 means the registry ignored the range, and the
 * bytes already read are skipped. The reader (the content store) sees one
 * unbroken stream and verifies the digest over all of it. The stream never
 * yields more than the descriptor's size.
 */
#define BERTH_TYPE_REGISTRY_BLOB_STREAM (berth_registry_blob_stream_get_type ())
G_DECLARE_FINAL_TYPE (
  BerthRegistryBlobStream, berth_registry_blob_stream, BERTH, REGISTRY_BLOB_STREAM, GInputStream)

struct _BerthRegistryBlobStream
{
  GInputStream parent_instance;
  BerthRegistrySession *session; /* borrowed: outlives the stream */
  gchar *digest;
  gchar *url;
  gint64 size;
  gint64 offset;
  guint failures;
  gchar *last_failure; /* why the transfer broke last */
  GInputStream *inner;
  BerthRegistryBytesFunc bytes_func;
  gpointer bytes_data;
};

G_DEFINE_FINAL_TYPE (BerthRegistryBlobStream, berth_registry_blob_stream, G_TYPE_INPUT_STREAM)

/* the whole of "bytes <start>-<end>/<total>" must agree with what was asked */
static gboolean
check_content_range (BerthRegistryBlobStream *self, SoupMessage *msg, GError **error)
{
  goffset start = 0, end = 0, total = 0;
  if (!soup_message_headers_get_content_range (soup_message_get_response_headers (msg), &start,
                                               &end, &total)
      || start != self->offset || (total >= 0 && total != self->size))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                   "resuming blob %s at byte %" G_GINT64_FORMAT
                   ": the registry answered a range that does not start there",
                   self->digest, self->offset);
      return FALSE;
    }
  return TRUE;
}

static gboolean
open_inner (BerthRegistryBlobStream *self, GCancellable *cancellable, GError **error)
{
  BerthRegistryRequest request = {
    .method = "GET",
    .url = self->url,
    .range_start = self->offset,
  };
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  guint status;

  stream = berth_registry_session_send (self->session, &request, &msg, cancellable, error);
  if (stream == NULL)
    return FALSE;
  status = soup_message_get_status (msg);
  if (self->offset > 0 && status == 206)
    {
      if (!check_content_range (self, msg, error))
        return FALSE;
    }
  else if (self->offset > 0)
    {
      /* the range was ignored: read past what is there already */
      gint64 skip = self->offset;
      g_debug ("blob %s: the registry ignored Range; skipping %" G_GINT64_FORMAT " bytes",
               self->digest, skip);
      while (skip > 0)
        {
          gssize n = g_input_stream_skip (stream, (gsize)MIN (skip, 1 << 20), cancellable, error);
          if (n < 0)
            return FALSE;
          if (n == 0)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                           "the registry's blob %s ended early", self->digest);
              return FALSE;
            }
          skip -= n;
        }
    }
  self->inner = g_steal_pointer (&stream);
  return TRUE;
}

static gssize
berth_registry_blob_stream_read (
  GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable, GError **error)
{
  BerthRegistryBlobStream *self = BERTH_REGISTRY_BLOB_STREAM (stream);

  while (TRUE)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n;

      if (self->offset >= self->size)
        return 0;
      if (self->inner == NULL && !open_inner (self, cancellable, &local_error))
        {
          if (self->last_failure != NULL)
            g_prefix_error (&local_error, "resuming after %s: ", self->last_failure);
          n = -1;
        }
      else
        n = g_input_stream_read (self->inner, buffer,
                                 (gsize)MIN ((gint64)count, self->size - self->offset), cancellable,
                                 &local_error);
      if (n > 0)
        {
          self->offset += n;
          if (self->bytes_func != NULL)
            self->bytes_func (self->bytes_data, (guint64)self->offset, FALSE);
          return n;
        }
      if (n == 0)
        g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                     "the registry's blob %s ended after %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                     " bytes",
                     self->digest, self->offset, self->size);
      g_clear_object (&self->inner);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || !berth_registry_error_is_transient (local_error)
          || self->failures + 1 >= berth_registry_session_get_max_attempts (self->session))
        {
          if (local_error->domain == G_IO_ERROR && local_error->code != G_IO_ERROR_CANCELLED)
            g_set_error (error, BERTH_ERROR,
                         local_error->code == G_IO_ERROR_TIMED_OUT ? BERTH_ERROR_TIMED_OUT
                                                                   : BERTH_ERROR_FAILED,
                         "downloading blob %s: %s (%u attempts)", self->digest,
                         local_error->message, self->failures + 1);
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
      g_debug ("blob %s: %s; resuming at byte %" G_GINT64_FORMAT, self->digest,
               local_error->message, self->offset);
      self->failures++;
      g_free (self->last_failure);
      self->last_failure = g_strdup (local_error->message);
      if (self->bytes_func != NULL)
        self->bytes_func (self->bytes_data, (guint64)self->offset, TRUE);
      if (!berth_registry_session_sleep (self->session, self->failures - 1, cancellable, error))
        return -1;
    }
}

static gboolean
berth_registry_blob_stream_close (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  BerthRegistryBlobStream *self = BERTH_REGISTRY_BLOB_STREAM (stream);
  if (self->inner != NULL)
    g_input_stream_close (self->inner, cancellable, NULL);
  g_clear_object (&self->inner);
  return TRUE;
}

static void
berth_registry_blob_stream_finalize (GObject *object)
{
  BerthRegistryBlobStream *self = BERTH_REGISTRY_BLOB_STREAM (object);
  g_clear_object (&self->inner);
  g_free (self->digest);
  g_free (self->url);
  g_free (self->last_failure);
  G_OBJECT_CLASS (berth_registry_blob_stream_parent_class)->finalize (object);
}

static void
berth_registry_blob_stream_class_init (BerthRegistryBlobStreamClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);
  G_OBJECT_CLASS (klass)->finalize = berth_registry_blob_stream_finalize;
  stream_class->read_fn = berth_registry_blob_stream_read;
  stream_class->close_fn = berth_registry_blob_stream_close;
}

static void
berth_registry_blob_stream_init (BerthRegistryBlobStream *self)
{
}

/**
 * berth_registry_blob_stream_new:
 * @session: the session to fetch with; must outlive the stream
 * @digest: the blob's digest
 * @size: its size from the descriptor
 * @bytes_func: (nullable): told the offset after each read, and of retries
 * @bytes_data: data for @bytes_func
 *
 * Returns: (transfer full): a stream of the blob's @size bytes
 */
GInputStream *
berth_registry_blob_stream_new (BerthRegistrySession *session,
                                const gchar *digest,
                                gint64 size,
                                BerthRegistryBytesFunc bytes_func,
                                gpointer bytes_data)
{
  BerthRegistryBlobStream *self = g_object_new (BERTH_TYPE_REGISTRY_BLOB_STREAM, NULL);
  self->session = session;
  self->digest = g_strdup (digest);
  self->url = berth_registry_session_url (session, "blobs", digest);
  self->size = size;
  self->bytes_func = bytes_func;
  self->bytes_data = bytes_data;
  return G_INPUT_STREAM (self);
}
