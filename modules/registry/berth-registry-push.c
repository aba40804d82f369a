/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthRegistry"

#include "config.h"

#include <string.h>

#include "berth-registry-private.h"

#define UPLOAD_STEP (256 * 1024)

typedef struct
{
  BerthContentStore *store;
  const BerthRegistryDescriptor *desc;
  BerthRegistryEmitFunc emit;
  gpointer emit_data;
} BlobSource;

/* a blob read from the store, counting the bytes libsoup sends as
 * `Uploading` progress; a retried PUT opens it again and counts from 0 */
#define BERTH_TYPE_UPLOAD_STREAM (berth_upload_stream_get_type ())
G_DECLARE_FINAL_TYPE (
  BerthUploadStream, berth_upload_stream, BERTH, UPLOAD_STREAM, GFilterInputStream)

struct _BerthUploadStream
{
  GFilterInputStream parent_instance;
  BlobSource *source;
  guint64 sent;
  guint64 reported;
};

G_DEFINE_TYPE (BerthUploadStream, berth_upload_stream, G_TYPE_FILTER_INPUT_STREAM)

static gssize
berth_upload_stream_read (
  GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable, GError **error)
{
  BerthUploadStream *self = BERTH_UPLOAD_STREAM (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  gssize n = g_input_stream_read (base, buffer, count, cancellable, error);
  guint64 size = (guint64)self->source->desc->size;

  if (n <= 0)
    return n;
  self->sent += (guint64)n;
  if (self->sent - self->reported >= UPLOAD_STEP || self->sent == size)
    {
      self->reported = self->sent;
      self->source->emit (self->source->emit_data, self->source->desc->digest,
                          BERTH_TRANSPORT_PHASE_UPLOADING, self->sent, size);
    }
  return n;
}

static void
berth_upload_stream_class_init (BerthUploadStreamClass *klass)
{
  G_INPUT_STREAM_CLASS (klass)->read_fn = berth_upload_stream_read;
}

static void
berth_upload_stream_init (BerthUploadStream *self)
{
}

static GInputStream *
open_blob (gpointer data, GCancellable *cancellable, GError **error)
{
  BlobSource *source = data;
  g_autoptr(GInputStream) base = berth_content_store_read_blob (
    source->store, source->desc->digest, cancellable, error);
  BerthUploadStream *stream;

  if (base == NULL)
    return NULL;
  stream = g_object_new (BERTH_TYPE_UPLOAD_STREAM, "base-stream", base, NULL);
  stream->source = source;
  return G_INPUT_STREAM (stream);
}

/* HEAD, then (when the registry lacks it) POST an upload and PUT the whole
 * blob to it with its digest: the monolithic upload of the spec */
static gboolean
push_blob (BerthRegistrySession *session,
           BerthContentStore *store,
           const BerthRegistryDescriptor *desc,
           BerthRegistryEmitFunc emit,
           gpointer emit_data,
           GCancellable *cancellable,
           GError **error)
{
  g_autofree gchar *blob_url = berth_registry_session_url (session, "blobs", desc->digest);
  g_autofree gchar *uploads_url = berth_registry_session_url (session, "blobs/uploads", NULL);
  BerthRegistryRequest head = { .method = "HEAD", .url = blob_url };
  BerthRegistryRequest post = {
    .method = "POST",
    .url = uploads_url,
    .content_type = "application/octet-stream",
  };
  BlobSource source = { store, desc, emit, emit_data };
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *escaped = NULL;
  g_autofree gchar *put_url = NULL;
  const gchar *location;
  gint64 size = -1;

  if (!berth_content_store_blob_info (store, desc->digest, &size, NULL, NULL, cancellable, error))
    {
      g_prefix_error (error, "pushing %s: ", desc->digest);
      return FALSE;
    }
  if (size != desc->size)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "pushing %s: the manifest says %" G_GINT64_FORMAT
                   " bytes, the store holds %" G_GINT64_FORMAT,
                   desc->digest, desc->size, size);
      return FALSE;
    }

  stream = berth_registry_session_send (session, &head, NULL, cancellable, &local_error);
  if (stream != NULL)
    {
      emit (emit_data, desc->digest, BERTH_TRANSPORT_PHASE_LAYER_ALREADY_EXISTS, (guint64)size,
            (guint64)size);
      return TRUE;
    }
  if (!g_error_matches (local_error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  emit (emit_data, desc->digest, BERTH_TRANSPORT_PHASE_UPLOADING, 0, (guint64)size);
  g_clear_object (&stream);
  stream = berth_registry_session_send (session, &post, &msg, cancellable, error);
  if (stream == NULL)
    return FALSE;
  g_input_stream_close (stream, NULL, NULL);
  location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  if (location == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                   "pushing %s: the registry started an upload without a Location", desc->digest);
      return FALSE;
    }
  escaped = g_uri_escape_string (desc->digest, NULL, FALSE);
  put_url
    = g_strdup_printf ("%s%cdigest=%s", location, strchr (location, '?') ? '&' : '?', escaped);
  {
    BerthRegistryRequest put = {
      .method = "PUT",
      .url = put_url,
      .open_body = open_blob,
      .body_data = &source,
      .body_length = size,
      .content_type = "application/octet-stream",
    };
    g_autoptr(GInputStream) answer = NULL;
    answer = berth_registry_session_send (session, &put, NULL, cancellable, error);
    if (answer == NULL)
      {
        g_prefix_error (error, "pushing %s: ", desc->digest);
        return FALSE;
      }
  }
  emit (emit_data, desc->digest, BERTH_TRANSPORT_PHASE_UPLOAD_COMPLETE, (guint64)size,
        (guint64)size);
  return TRUE;
}

/**
 * berth_registry_push:
 * @self: the transport
 * @reference: where to
 * @store: holds the blobs
 * @manifest: the manifest's bytes
 * @media_type: its media type
 * @flags: %BERTH_TRANSPORT_FLAGS_PLUGIN for a plugin
 * @emit: progress
 * @emit_data: data for @emit
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the manifest's digest, or %NULL
 */
gchar *
berth_registry_push (BerthRegistryTransport *self,
                     const gchar *reference,
                     BerthContentStore *store,
                     GBytes *manifest,
                     const gchar *media_type,
                     BerthTransportFlags flags,
                     BerthRegistryEmitFunc emit,
                     gpointer emit_data,
                     GCancellable *cancellable,
                     GError **error)
{
  g_autoptr(BerthRegistrySession) session = NULL;
  g_autoptr(BerthRegistryManifest) parsed = NULL;
  g_autoptr(GPtrArray) blobs = g_ptr_array_new ();
  g_autofree gchar *url = NULL;
  g_autoptr(GInputStream) answer = NULL;
  BerthReference *ref;
  const gchar *tail;

  parsed = berth_registry_manifest_parse (manifest, media_type, error);
  if (parsed == NULL)
    return NULL;
  if (berth_registry_manifest_is_index (parsed))
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                           "pushing a manifest list is not supported");
      return NULL;
    }
  if ((flags & BERTH_TRANSPORT_FLAGS_PLUGIN)
      && g_strcmp0 (berth_registry_manifest_get_config (parsed)->media_type,
                    BERTH_MEDIA_TYPE_PLUGIN_CONFIG)
           != 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "the manifest to push has no plugin config (%s)",
                   BERTH_MEDIA_TYPE_PLUGIN_CONFIG);
      return NULL;
    }
  session = berth_registry_session_new (self, reference, flags, TRUE, cancellable, error);
  if (session == NULL)
    return NULL;
  ref = berth_registry_session_get_reference (session);

  g_ptr_array_add (blobs, (gpointer)berth_registry_manifest_get_config (parsed));
  for (guint i = 0; i < berth_registry_manifest_get_n_layers (parsed); i++)
    g_ptr_array_add (blobs, (gpointer)berth_registry_manifest_get_layer (parsed, i));
  for (guint i = 0; i < blobs->len; i++)
    {
      const BerthRegistryDescriptor *d = blobs->pdata[i];
      emit (emit_data, d->digest, BERTH_TRANSPORT_PHASE_PREPARING, 0, (guint64)d->size);
    }
  for (guint i = 0; i < blobs->len; i++)
    if (!push_blob (session, store, blobs->pdata[i], emit, emit_data, cancellable, error))
      return NULL;

  tail = berth_reference_get_tag (ref);
  if (tail == NULL)
    tail = berth_registry_manifest_get_digest (parsed);
  url = berth_registry_session_url (session, "manifests", tail);
  {
    BerthRegistryRequest put = {
      .method = "PUT",
      .url = url,
      .body = manifest,
      .content_type = media_type,
    };
    answer = berth_registry_session_send (session, &put, NULL, cancellable, error);
  }
  if (answer == NULL)
    {
      g_prefix_error (error,
                      "pushing the manifest of %s: ", berth_registry_session_get_display (session));
      return NULL;
    }
  return g_strdup (berth_registry_manifest_get_digest (parsed));
}
