/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* the bytes of a layer: the blob read from a stream, hashed (nettle's
 * SHA-256 runs at SHA-NI speed, GChecksum at a fifth of it), decompressed
 * (isa-l's igzip inflates 2.5 times faster than zlib; libzstd) and hashed
 * again as a tar, for its diff ID.
 *
 * All of that happens on a thread of its own, so that inflating and hashing
 * overlap with parsing the tar and writing objects: buffers go round between
 * a queue of free ones and a queue of full ones. */
#define G_LOG_DOMAIN "BerthContentStore"

#include "config.h"

#include <isa-l/igzip_lib.h>
#include <nettle/sha2.h>
#include <string.h>
#include <zstd.h>

#include <berth.h>
#include <ostree.h>

#include "berth-layer-source.h"

#define IN_CHUNK  (256 * 1024)
#define OUT_CHUNK (1024 * 1024)
#define N_BUFFERS 4

typedef struct
{
  guint8 *data;
  gsize len;
  gboolean last; /* end of the tar stream, or an error */
} Buffer;

struct _BerthLayerSource
{
  GInputStream *stream;
  GCancellable *cancellable; /* ours, cancelled when the caller's is */
  GCancellable *caller_cancellable;
  gulong cancelled_id;
  BerthLayerCompression compression;
  guint64 max_bytes;

  /* producer state */
  struct sha256_ctx blob_md;
  struct sha256_ctx tar_md;
  guint8 *in_buf;
  gsize in_len;
  gsize in_pos;
  gboolean in_eof;
  struct inflate_state *isal;
  gboolean member_open; /* a gzip member or zstd frame is under way */
  ZSTD_DStream *zstd;
  guint64 blob_bytes;
  guint64 tar_bytes;
  GError *error; /* set by the producer before it pushes its last buffer */

  GThread *thread;
  GAsyncQueue *free_queue;
  GAsyncQueue *full_queue;
  Buffer buffers[N_BUFFERS];
  Buffer *current; /* handed to the reader */
  gboolean done;
  gint stop;
};

/**
 * berth_layer_compression_for_media_type:
 * @media_type: (nullable): a layer media type
 * @out_compression: (out): its compression
 * @error: return location for a #GError
 *
 * The compression is decided by the media type alone, never by sniffing
 * (moby sniffs, which widens what an attacker can feed to a decompressor).
 *
 * Returns: %TRUE if the media type names a tar layer
 */
gboolean
berth_layer_compression_for_media_type (const gchar *media_type,
                                        BerthLayerCompression *out_compression,
                                        GError **error)
{
  if (media_type == NULL)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "a layer needs a media type");
      return FALSE;
    }
  if (g_str_has_suffix (media_type, ".tar.gzip") || g_str_has_suffix (media_type, ".tar+gzip"))
    *out_compression = BERTH_LAYER_COMPRESSION_GZIP;
  else if (g_str_has_suffix (media_type, ".tar+zstd") || g_str_has_suffix (media_type, ".tar.zstd"))
    *out_compression = BERTH_LAYER_COMPRESSION_ZSTD;
  else if (g_str_has_suffix (media_type, ".tar"))
    *out_compression = BERTH_LAYER_COMPRESSION_NONE;
  else
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED, "unsupported layer media type %s",
                   media_type);
      return FALSE;
    }
  if (strstr (media_type, "foreign") != NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                   "foreign layers (%s) are not supported", media_type);
      return FALSE;
    }
  return TRUE;
}

static gboolean
fill_input (BerthLayerSource *self, GError **error)
{
  gssize n;

  if (self->in_pos < self->in_len || self->in_eof)
    return TRUE;
  n = g_input_stream_read (self->stream, self->in_buf, IN_CHUNK, self->cancellable, error);
  if (n < 0)
    {
      berth_error_convert (error);
      g_prefix_error (error, "reading the layer: ");
      return FALSE;
    }
  self->in_pos = 0;
  self->in_len = n;
  if (n == 0)
    self->in_eof = TRUE;
  else if (self->compression != BERTH_LAYER_COMPRESSION_NONE)
    sha256_update (&self->blob_md, n, self->in_buf);
  self->blob_bytes += n;
  return TRUE;
}

static const gchar *
isal_strerror (int ret)
{
  switch (ret)
    {
      case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
      case ISAL_INVALID_SYMBOL:
        return "invalid deflate symbol";
      case ISAL_INVALID_LOOKBACK:
        return "invalid lookback distance";
      case ISAL_INVALID_WRAPPER:
        return "not a gzip stream";
      case ISAL_UNSUPPORTED_METHOD:
        return "unsupported compression method";
      case ISAL_INCORRECT_CHECKSUM:
        return "CRC mismatch";
      default:
        return "corrupt data";
    }
}

/* fills @out with up to @cap tar bytes; 0 at the end of the stream */
static gboolean
produce_gzip (BerthLayerSource *self, guint8 *out, gsize cap, gsize *out_len, GError **error)
{
  for (;;)
    {
      int ret;
      guint32 avail_in;

      if (!fill_input (self, error))
        return FALSE;
      if (self->in_pos == self->in_len)
        {
          /* input is over: a member cut short is a truncated layer */
          if (self->member_open || self->blob_bytes == 0)
            {
              g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                                   "gzip stream is truncated");
              return FALSE;
            }
          *out_len = 0;
          return TRUE;
        }
      if (!self->member_open)
        {
          /* concatenated members are one stream (gzip(1), Go's reader) */
          isal_inflate_reset (self->isal);
          self->isal->crc_flag = ISAL_GZIP;
          self->member_open = TRUE;
        }
      avail_in = (guint32)(self->in_len - self->in_pos);
      self->isal->next_in = self->in_buf + self->in_pos;
      self->isal->avail_in = avail_in;
      self->isal->next_out = out;
      self->isal->avail_out = (guint32)cap;
      ret = isal_inflate (self->isal);
      self->in_pos += avail_in - self->isal->avail_in;
      if (ret < 0)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "gzip stream is corrupt: %s", isal_strerror (ret));
          return FALSE;
        }
      if (self->isal->block_state == ISAL_BLOCK_FINISH)
        self->member_open = FALSE;
      *out_len = cap - self->isal->avail_out;
      if (*out_len > 0)
        return TRUE;
    }
}

static gboolean
produce_zstd (BerthLayerSource *self, guint8 *out, gsize cap, gsize *out_len, GError **error)
{
  for (;;)
    {
      ZSTD_inBuffer in;
      ZSTD_outBuffer outb = { out, cap, 0 };
      gsize ret;

      if (!fill_input (self, error))
        return FALSE;
      if (self->in_pos == self->in_len)
        {
          if (self->member_open || self->blob_bytes == 0)
            {
              g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                                   "zstd stream is truncated");
              return FALSE;
            }
          *out_len = 0;
          return TRUE;
        }
      in.src = self->in_buf + self->in_pos;
      in.size = self->in_len - self->in_pos;
      in.pos = 0;
      ret = ZSTD_decompressStream (self->zstd, &outb, &in);
      self->in_pos += in.pos;
      if (ZSTD_isError (ret))
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "zstd stream is corrupt: %s", ZSTD_getErrorName (ret));
          return FALSE;
        }
      self->member_open = ret != 0;
      *out_len = outb.pos;
      if (*out_len > 0)
        return TRUE;
    }
}

static gboolean
produce_plain (BerthLayerSource *self, guint8 *out, gsize cap, gsize *out_len, GError **error)
{
  gsize n;

  if (!fill_input (self, error))
    return FALSE;
  n = MIN (cap, self->in_len - self->in_pos);
  memcpy (out, self->in_buf + self->in_pos, n);
  self->in_pos += n;
  *out_len = n;
  return TRUE;
}

/* fills a whole buffer, unless the stream ends first */
static gboolean
produce (BerthLayerSource *self, Buffer *buffer, GError **error)
{
  buffer->len = 0;
  buffer->last = FALSE;
  while (buffer->len < OUT_CHUNK)
    {
      gsize n = 0;
      gboolean ok;

      if (g_atomic_int_get (&self->stop))
        {
          g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_CANCELLED, "stopped");
          return FALSE;
        }
      switch (self->compression)
        {
          case BERTH_LAYER_COMPRESSION_GZIP:
            ok
              = produce_gzip (self, buffer->data + buffer->len, OUT_CHUNK - buffer->len, &n, error);
            break;
          case BERTH_LAYER_COMPRESSION_ZSTD:
            ok
              = produce_zstd (self, buffer->data + buffer->len, OUT_CHUNK - buffer->len, &n, error);
            break;
          default:
            ok = produce_plain (self, buffer->data + buffer->len, OUT_CHUNK - buffer->len, &n,
                                error);
            break;
        }
      if (!ok)
        return FALSE;
      if (n == 0)
        {
          buffer->last = TRUE;
          break;
        }
      sha256_update (&self->tar_md, n, buffer->data + buffer->len);
      buffer->len += n;
      self->tar_bytes += n;
      if (self->tar_bytes > self->max_bytes)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "layer unpacks to more than %" G_GUINT64_FORMAT " bytes (max-layer-bytes)",
                       self->max_bytes);
          return FALSE;
        }
    }
  return TRUE;
}

static gpointer
producer_thread (gpointer data)
{
  BerthLayerSource *self = data;

  for (;;)
    {
      Buffer *buffer = g_async_queue_pop (self->free_queue);
      GError *local_error = NULL;

      if (g_atomic_int_get (&self->stop))
        return NULL;
      if (!produce (self, buffer, &local_error))
        {
          self->error = local_error;
          buffer->len = 0;
          buffer->last = TRUE;
        }
      g_async_queue_push (self->full_queue, buffer);
      if (buffer->last)
        return NULL;
    }
}

static void
on_cancelled (GCancellable *cancellable, gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

BerthLayerSource *
berth_layer_source_new (GInputStream *stream,
                        BerthLayerCompression compression,
                        guint64 max_bytes,
                        GCancellable *cancellable)
{
  BerthLayerSource *self = g_new0 (BerthLayerSource, 1);

  self->stream = g_object_ref (stream);
  self->compression = compression;
  self->max_bytes = max_bytes;
  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                                  g_object_ref (self->cancellable), g_object_unref);
    }
  sha256_init (&self->blob_md);
  sha256_init (&self->tar_md);
  self->in_buf = g_malloc (IN_CHUNK);
  if (compression == BERTH_LAYER_COMPRESSION_GZIP)
    {
      self->isal = g_new0 (struct inflate_state, 1);
      isal_inflate_init (self->isal);
    }
  else if (compression == BERTH_LAYER_COMPRESSION_ZSTD)
    {
      self->zstd = ZSTD_createDStream ();
      ZSTD_initDStream (self->zstd);
    }
  self->free_queue = g_async_queue_new ();
  self->full_queue = g_async_queue_new ();
  for (guint i = 0; i < N_BUFFERS; i++)
    {
      self->buffers[i].data = g_malloc (OUT_CHUNK);
      g_async_queue_push (self->free_queue, &self->buffers[i]);
    }
  self->thread = g_thread_new ("berth-layer-inflate", producer_thread, self);
  return self;
}

/**
 * berth_layer_source_read:
 * @self: a source
 * @out_buf: (out): the next bytes of the tar, valid until the next call
 * @out_len: (out): their count, 0 at the end
 * @error: return location for a #GError
 *
 * Returns: %TRUE unless reading, decompressing or a limit failed
 */
gboolean
berth_layer_source_read (BerthLayerSource *self,
                         const void **out_buf,
                         gsize *out_len,
                         GError **error)
{
  Buffer *buffer;

  if (self->current != NULL)
    {
      g_async_queue_push (self->free_queue, self->current);
      self->current = NULL;
    }
  if (self->done)
    {
      *out_buf = NULL;
      *out_len = 0;
      return TRUE;
    }
  buffer = g_async_queue_pop (self->full_queue);
  if (buffer->last)
    {
      self->done = TRUE;
      if (self->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&self->error));
          g_async_queue_push (self->free_queue, buffer);
          return FALSE;
        }
    }
  self->current = buffer;
  *out_buf = buffer->data;
  *out_len = buffer->len;
  return TRUE;
}

/**
 * berth_layer_source_finish:
 * @self: a source
 * @out_blob_digest: (out): the digest of the blob
 * @out_blob_size: (out): the size of the blob
 * @out_tar_digest: (out): the digest of the tar (the diff ID)
 * @error: return location for a #GError
 *
 * Reads what is left of the stream (a tar's end blocks and padding count
 * towards its diff ID), then hands out both digests.
 *
 * Returns: %TRUE unless reading failed
 */
gboolean
berth_layer_source_finish (BerthLayerSource *self,
                           gchar **out_blob_digest,
                           guint64 *out_blob_size,
                           gchar **out_tar_digest,
                           GError **error)
{
  guint8 raw[SHA256_DIGEST_SIZE];
  g_autofree gchar *tar_hex = NULL;
  g_autofree gchar *blob_hex = NULL;

  while (!self->done)
    {
      const void *buf;
      gsize n;
      if (!berth_layer_source_read (self, &buf, &n, error))
        return FALSE;
    }
  g_thread_join (g_steal_pointer (&self->thread));

  sha256_digest (&self->tar_md, sizeof raw, raw);
  tar_hex = ostree_checksum_from_bytes (raw);
  if (self->compression == BERTH_LAYER_COMPRESSION_NONE)
    blob_hex = g_strdup (tar_hex);
  else
    {
      sha256_digest (&self->blob_md, sizeof raw, raw);
      blob_hex = ostree_checksum_from_bytes (raw);
    }
  *out_blob_digest = g_strconcat ("sha256:", blob_hex, NULL);
  *out_tar_digest = g_strconcat ("sha256:", tar_hex, NULL);
  *out_blob_size = self->blob_bytes;
  return TRUE;
}

void
berth_layer_source_free (BerthLayerSource *self)
{
  if (self->thread != NULL)
    {
      /* wake the producer wherever it waits: on the stream, or for a buffer */
      g_atomic_int_set (&self->stop, 1);
      g_cancellable_cancel (self->cancellable);
      if (self->current != NULL)
        g_async_queue_push (self->free_queue, self->current);
      else
        g_async_queue_push (self->free_queue, &self->buffers[0]);
      self->current = NULL;
      g_thread_join (self->thread);
    }
  if (self->cancelled_id != 0)
    g_cancellable_disconnect (self->caller_cancellable, self->cancelled_id);
  g_clear_object (&self->caller_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->stream);
  g_free (self->in_buf);
  g_free (self->isal);
  if (self->zstd != NULL)
    ZSTD_freeDStream (self->zstd);
  for (guint i = 0; i < N_BUFFERS; i++)
    g_free (self->buffers[i].data);
  g_async_queue_unref (self->free_queue);
  g_async_queue_unref (self->full_queue);
  g_clear_error (&self->error);
  g_free (self);
}
