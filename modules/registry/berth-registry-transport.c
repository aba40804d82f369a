/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthRegistry"

#include "config.h"

#include <string.h>

#include "berth-registry-private.h"

/* what the manifest endpoints are asked for, in one header (FETCH) */
#define MANIFEST_ACCEPT                                                                            \
  BERTH_MEDIA_TYPE_DOCKER_MANIFEST ", " BERTH_MEDIA_TYPE_DOCKER_MANIFEST_LIST                      \
                                   ", " BERTH_MEDIA_TYPE_OCI_MANIFEST                              \
                                   ", " BERTH_MEDIA_TYPE_OCI_INDEX

/* how often a download reports bytes */
#define PROGRESS_STEP (256 * 1024)

/**
 * BerthRegistryTransport:
 *
 * The OCI distribution protocol over libsoup 3: Docker schema 2 and OCI
 * manifests and indexes, anonymous, Bearer and Basic auth with Docker's
 * credentials, TLS with the system CAs plus `certs.d` directories, plain
 * HTTP for loopback and configured-insecure registries only.
 *
 * Each operation runs in a worker thread with sync libsoup calls (libsoup
 * ≥ 3.2 allows a session's sync API from any thread); layer downloads fan
 * out to up to `max-concurrent-downloads` threads sharing one session.
 */
struct _BerthRegistryTransport
{
  GObject parent_instance;
  BerthPaths *paths;
  GKeyFile *config;
  BerthRegistrySettings settings;
  GMutex lock;
  GHashTable *tokens;  /* "host scope" → TokenEntry */
  GHashTable *schemes; /* host → "https" or "http" */
};

typedef struct
{
  gchar *value;
  gint64 expires; /* monotonic µs */
} TokenEntry;

enum
{
  PROP_0,
  PROP_PATHS,
  PROP_CONFIG,
  PROP_DOCKER_CONFIG_DIR,
  PROP_CERTS_DIRS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void berth_registry_transport_iface_init (BerthTransportInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (BerthRegistryTransport,
                                berth_registry_transport,
                                G_TYPE_OBJECT,
                                G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (BERTH_TYPE_TRANSPORT,
                                                               berth_registry_transport_iface_init))

static void
token_entry_free (gpointer data)
{
  TokenEntry *e = data;
  g_free (e->value);
  g_free (e);
}

BerthRegistrySettings *
berth_registry_transport_get_settings (BerthRegistryTransport *self)
{
  return &self->settings;
}

gchar *
berth_registry_transport_lookup_token (BerthRegistryTransport *self, const gchar *key)
{
  TokenEntry *e;
  gchar *value = NULL;
  g_mutex_lock (&self->lock);
  e = g_hash_table_lookup (self->tokens, key);
  if (e != NULL && e->expires > g_get_monotonic_time ())
    value = g_strdup (e->value);
  g_mutex_unlock (&self->lock);
  return value;
}

void
berth_registry_transport_store_token (BerthRegistryTransport *self,
                                      const gchar *key,
                                      const gchar *token,
                                      gint64 expires_in)
{
  TokenEntry *e = g_new0 (TokenEntry, 1);
  /* at least 60 s, as containers/image; renewed 10 s early; at most a day,
   * which also keeps a token server's expires_in from overflowing */
  e->value = g_strdup (token);
  e->expires = g_get_monotonic_time () + (CLAMP (expires_in, 60, 24 * 3600) - 10) * G_USEC_PER_SEC;
  g_mutex_lock (&self->lock);
  g_hash_table_replace (self->tokens, g_strdup (key), e);
  g_mutex_unlock (&self->lock);
}

static gboolean
token_is_for_host (gpointer key, gpointer value, gpointer user_data)
{
  /* keys are "host scope" */
  return g_str_has_prefix (key, user_data) && ((const gchar *)key)[strlen (user_data)] == ' ';
}

/* a login or logout changes who berth is at @host: its tokens go */
void
berth_registry_transport_forget_tokens (BerthRegistryTransport *self, const gchar *host)
{
  g_mutex_lock (&self->lock);
  g_hash_table_foreach_remove (self->tokens, token_is_for_host, (gpointer)host);
  g_mutex_unlock (&self->lock);
}

gchar *
berth_registry_transport_lookup_scheme (BerthRegistryTransport *self, const gchar *host)
{
  gchar *scheme;
  g_mutex_lock (&self->lock);
  scheme = g_strdup (g_hash_table_lookup (self->schemes, host));
  g_mutex_unlock (&self->lock);
  return scheme;
}

void
berth_registry_transport_store_scheme (BerthRegistryTransport *self,
                                       const gchar *host,
                                       const gchar *scheme)
{
  g_mutex_lock (&self->lock);
  g_hash_table_replace (self->schemes, g_strdup (host), g_strdup (scheme));
  g_mutex_unlock (&self->lock);
}

/* progress, delivered in the caller's main context */

typedef struct
{
  gatomicrefcount ref;
  GMainContext *context;
  BerthTransportProgressFunc func;
  gpointer data;
  GDestroyNotify notify;
} Progress;

typedef struct
{
  Progress *progress;
  gchar *digest;
  BerthTransportPhase phase;
  guint64 current;
  guint64 total;
} ProgressEvent;

static Progress *
progress_new (BerthTransportProgressFunc func, gpointer data, GDestroyNotify notify)
{
  Progress *p = g_new0 (Progress, 1);
  g_atomic_ref_count_init (&p->ref);
  p->context = g_main_context_ref_thread_default ();
  p->func = func;
  p->data = data;
  p->notify = notify;
  return p;
}

static gboolean
progress_call_notify (gpointer data)
{
  Progress *p = data;
  p->notify (p->data);
  g_main_context_unref (p->context);
  g_free (p);
  return G_SOURCE_REMOVE;
}

static void
progress_unref (Progress *p)
{
  if (!g_atomic_ref_count_dec (&p->ref))
    return;
  if (p->notify != NULL)
    {
      /* the data belongs to the caller's thread */
      g_main_context_invoke (p->context, progress_call_notify, p);
      return;
    }
  g_main_context_unref (p->context);
  g_free (p);
}

static gboolean
progress_dispatch (gpointer data)
{
  ProgressEvent *e = data;
  e->progress->func (e->digest, e->phase, e->current, e->total, e->progress->data);
  return G_SOURCE_REMOVE;
}

static void
progress_event_free (gpointer data)
{
  ProgressEvent *e = data;
  progress_unref (e->progress);
  g_free (e->digest);
  g_free (e);
}

static void
progress_emit (
  Progress *p, const gchar *digest, BerthTransportPhase phase, guint64 current, guint64 total)
{
  ProgressEvent *e;
  if (p == NULL || p->func == NULL)
    return;
  e = g_new0 (ProgressEvent, 1);
  g_atomic_ref_count_inc (&p->ref);
  e->progress = p;
  e->digest = g_strdup (digest);
  e->phase = phase;
  e->current = current;
  e->total = total;
  g_main_context_invoke_full (p->context, G_PRIORITY_DEFAULT, progress_dispatch, e,
                              progress_event_free);
}

/* resolve */

static BerthRegistryManifest *
fetch_manifest (BerthRegistrySession *session,
                const gchar *tail,
                const gchar *expected_digest,
                GCancellable *cancellable,
                GError **error)
{
  g_autofree gchar *url = berth_registry_session_url (session, "manifests", tail);
  BerthRegistryRequest request = { .method = "GET", .url = url, .accept = MANIFEST_ACCEPT };
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(BerthRegistryManifest) manifest = NULL;
  g_autofree gchar *what
    = g_strdup_printf ("the manifest of %s", berth_registry_session_get_display (session));

  stream = berth_registry_session_send (session, &request, &msg, cancellable, error);
  if (stream == NULL)
    return NULL;
  bytes = berth_registry_read_limited (stream, msg, BERTH_REGISTRY_MANIFEST_MAX_SIZE, what,
                                       cancellable, error);
  if (bytes == NULL)
    return NULL;
  manifest = berth_registry_manifest_parse (
    bytes, soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL),
    error);
  if (manifest == NULL)
    {
      g_prefix_error (error, "%s: ", what);
      return NULL;
    }
  /* pulled by digest: the bytes must have it, whatever the headers say */
  if (expected_digest != NULL
      && g_strcmp0 (berth_registry_manifest_get_digest (manifest), expected_digest) != 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "%s has digest %s, not %s as asked", what,
                   berth_registry_manifest_get_digest (manifest), expected_digest);
      return NULL;
    }
  return g_steal_pointer (&manifest);
}

static GBytes *
fetch_config (BerthRegistrySession *session,
              const BerthRegistryDescriptor *config,
              GCancellable *cancellable,
              GError **error)
{
  g_autofree gchar *url = berth_registry_session_url (session, "blobs", config->digest);
  BerthRegistryRequest request = { .method = "GET", .url = url };
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree gchar *digest = NULL;
  g_autofree gchar *what = g_strdup_printf ("the config blob %s", config->digest);

  if (config->size > BERTH_REGISTRY_CONFIG_MAX_SIZE)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "%s is %" G_GINT64_FORMAT " bytes, over the limit of %d bytes", what,
                   config->size, BERTH_REGISTRY_CONFIG_MAX_SIZE);
      return NULL;
    }
  stream = berth_registry_session_send (session, &request, &msg, cancellable, error);
  if (stream == NULL)
    return NULL;
  bytes = berth_registry_read_limited (stream, msg, (gsize)config->size, what, cancellable, error);
  if (bytes == NULL)
    return NULL;
  digest = berth_registry_digest_bytes (bytes);
  if ((gint64)g_bytes_get_size (bytes) != config->size || !g_str_equal (digest, config->digest))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "%s does not match its digest: the registry sent %" G_GSIZE_FORMAT
                   " bytes with digest %s",
                   what, g_bytes_get_size (bytes), digest);
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

static void
resolve_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BerthRegistryTransport *self = source;
  const gchar *reference = g_task_get_task_data (task);
  BerthTransportFlags flags = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "flags"));
  g_autoptr(BerthRegistrySession) session = NULL;
  g_autoptr(BerthRegistryManifest) manifest = NULL;
  g_autoptr(GBytes) config = NULL;
  g_autoptr(GError) error = NULL;
  const BerthRegistryDescriptor *config_desc;
  BerthReference *ref;
  const gchar *digest;

  session = berth_registry_session_new (self, reference, flags, FALSE, cancellable, &error);
  if (session == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ref = berth_registry_session_get_reference (session);
  digest = berth_reference_get_digest (ref);
  manifest = fetch_manifest (session, digest != NULL ? digest : berth_reference_get_tag (ref),
                             digest, cancellable, &error);
  if (manifest != NULL && berth_registry_manifest_is_index (manifest))
    {
      g_autoptr(BerthRegistryManifest) index = g_steal_pointer (&manifest);
      const BerthRegistryDescriptor *chosen
        = berth_registry_manifest_select_platform (index, NULL, &error);
      if (chosen == NULL)
        g_prefix_error (&error, "%s: ", berth_registry_session_get_display (session));
      else
        manifest = fetch_manifest (session, chosen->digest, chosen->digest, cancellable, &error);
      if (manifest != NULL && berth_registry_manifest_is_index (manifest))
        {
          g_clear_pointer (&manifest, berth_registry_manifest_unref);
          g_set_error (&error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                       "%s: an index inside an index is not supported",
                       berth_registry_session_get_display (session));
        }
      if (manifest != NULL)
        berth_registry_manifest_set_index (manifest, index);
    }
  if (manifest == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  config_desc = berth_registry_manifest_get_config (manifest);
  if ((flags & BERTH_TRANSPORT_FLAGS_PLUGIN)
      && g_strcmp0 (config_desc->media_type, BERTH_MEDIA_TYPE_PLUGIN_CONFIG) != 0)
    {
      /* Docker's words, and then why */
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "did not find plugin config for specified reference %s "
                               "(its config is %s, not a plugin's %s)",
                               berth_registry_session_get_display (session),
                               config_desc->media_type, BERTH_MEDIA_TYPE_PLUGIN_CONFIG);
      return;
    }
  config = fetch_config (session, config_desc, cancellable, &error);
  if (config == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  berth_registry_manifest_set_reference (manifest, berth_registry_session_get_display (session));
  berth_registry_manifest_set_config_bytes (manifest, config);
  g_task_return_pointer (task, g_steal_pointer (&manifest),
                         (GDestroyNotify)berth_registry_manifest_unref);
}

static void
berth_registry_transport_resolve_async (BerthTransport *transport,
                                        const gchar *reference,
                                        BerthTransportFlags flags,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (transport, cancellable, callback, user_data);
  g_task_set_source_tag (task, berth_registry_transport_resolve_async);
  g_task_set_task_data (task, g_strdup (reference), g_free);
  g_object_set_data (G_OBJECT (task), "flags", GUINT_TO_POINTER (flags));
  g_task_run_in_thread (task, resolve_thread);
}

static BerthRegistryManifest *
berth_registry_transport_resolve_finish (BerthTransport *transport,
                                         GAsyncResult *result,
                                         GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, transport), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* pull */

typedef struct
{
  BerthRegistryManifest *manifest;
  BerthContentStore *store;
  BerthTransportFlags flags;
  Progress *progress;
  /* shared by the download threads */
  BerthRegistrySession *session;
  GMutex lock;
  GPtrArray *todo; /* of const BerthRegistryDescriptor * */
  guint next;
  GError *error;
  GCancellable *cancel;
} PullData;

static void
pull_data_free (gpointer data)
{
  PullData *d = data;
  berth_registry_manifest_unref (d->manifest);
  g_object_unref (d->store);
  progress_unref (d->progress);
  g_clear_pointer (&d->session, berth_registry_session_free);
  g_mutex_clear (&d->lock);
  g_clear_pointer (&d->todo, g_ptr_array_unref);
  g_clear_error (&d->error);
  g_clear_object (&d->cancel);
  g_free (d);
}

typedef struct
{
  PullData *pull;
  const BerthRegistryDescriptor *desc;
  guint64 last;
} LayerJob;

static void
layer_bytes (gpointer data, guint64 current, gboolean retrying)
{
  LayerJob *job = data;
  if (retrying)
    {
      progress_emit (job->pull->progress, job->desc->digest, BERTH_TRANSPORT_PHASE_RETRYING,
                     current, (guint64)job->desc->size);
      return;
    }
  if (current - job->last < PROGRESS_STEP && current != (guint64)job->desc->size)
    return;
  job->last = current;
  progress_emit (job->pull->progress, job->desc->digest, BERTH_TRANSPORT_PHASE_DOWNLOADING, current,
                 (guint64)job->desc->size);
}

static gboolean
pull_layer (PullData *d, const BerthRegistryDescriptor *desc, GError **error)
{
  LayerJob job = { d, desc, 0 };
  g_autoptr(GInputStream) stream = NULL;

  progress_emit (d->progress, desc->digest, BERTH_TRANSPORT_PHASE_DOWNLOADING, 0,
                 (guint64)desc->size);
  stream = berth_registry_blob_stream_new (d->session, desc->digest, desc->size, layer_bytes, &job);
  if (!berth_content_store_ingest_blob (d->store, stream, desc->digest, desc->size,
                                        desc->media_type, NULL, d->cancel, error))
    {
      g_prefix_error (error, "pulling layer %s of %s: ", desc->digest,
                      berth_registry_session_get_display (d->session));
      return FALSE;
    }
  progress_emit (d->progress, desc->digest, BERTH_TRANSPORT_PHASE_DOWNLOAD_COMPLETE,
                 (guint64)desc->size, (guint64)desc->size);
  return TRUE;
}

static gpointer
download_thread (gpointer data)
{
  PullData *d = data;
  while (TRUE)
    {
      const BerthRegistryDescriptor *desc = NULL;
      g_autoptr(GError) error = NULL;

      g_mutex_lock (&d->lock);
      if (d->error == NULL && d->next < d->todo->len)
        desc = g_ptr_array_index (d->todo, d->next++);
      g_mutex_unlock (&d->lock);
      if (desc == NULL)
        return NULL;
      if (pull_layer (d, desc, &error))
        continue;
      g_mutex_lock (&d->lock);
      /* the first failure is the one to show; the others follow from it */
      if (d->error == NULL)
        d->error = g_steal_pointer (&error);
      g_mutex_unlock (&d->lock);
      g_cancellable_cancel (d->cancel);
      return NULL;
    }
}

static gboolean
ingest_bytes (BerthContentStore *store,
              GBytes *bytes,
              const gchar *digest,
              const gchar *media_type,
              GCancellable *cancellable,
              GError **error)
{
  g_autoptr(GInputStream) stream = NULL;
  if (berth_content_store_blob_exists (store, digest, cancellable, NULL))
    return TRUE;
  stream = g_memory_input_stream_new_from_bytes (bytes);
  return berth_content_store_ingest_blob (store, stream, digest, (gint64)g_bytes_get_size (bytes),
                                          media_type, NULL, cancellable, error);
}

static void
on_cancelled (GCancellable *cancellable, gpointer data)
{
  g_cancellable_cancel (data);
}

static void
pull_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BerthRegistryTransport *self = source;
  PullData *d = task_data;
  BerthRegistryManifest *m = d->manifest;
  BerthRegistryManifest *index = berth_registry_manifest_get_index (m);
  const BerthRegistryDescriptor *config = berth_registry_manifest_get_config (m);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  gulong handler = 0;
  guint n_threads;

  d->session = berth_registry_session_new (self, berth_registry_manifest_get_reference (m),
                                           d->flags, FALSE, cancellable, &error);
  if (d->session == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  d->todo = g_ptr_array_new ();
  for (guint i = 0; i < berth_registry_manifest_get_n_layers (m); i++)
    {
      const BerthRegistryDescriptor *layer = berth_registry_manifest_get_layer (m, i);
      gboolean seen = FALSE;
      for (guint j = 0; j < d->todo->len; j++)
        seen
          = seen
            || g_str_equal (((BerthRegistryDescriptor *)d->todo->pdata[j])->digest, layer->digest);
      if (seen)
        continue;
      if (berth_content_store_blob_exists (d->store, layer->digest, cancellable, NULL))
        {
          progress_emit (d->progress, layer->digest, BERTH_TRANSPORT_PHASE_ALREADY_EXISTS,
                         (guint64)layer->size, (guint64)layer->size);
          continue;
        }
      progress_emit (d->progress, layer->digest, BERTH_TRANSPORT_PHASE_PULLING_FS_LAYER, 0,
                     (guint64)layer->size);
      g_ptr_array_add (d->todo, (gpointer)layer);
    }
  for (guint i = self->settings.max_parallel; i < d->todo->len; i++)
    progress_emit (d->progress, ((BerthRegistryDescriptor *)d->todo->pdata[i])->digest,
                   BERTH_TRANSPORT_PHASE_WAITING, 0,
                   (guint64)((BerthRegistryDescriptor *)d->todo->pdata[i])->size);

  d->cancel = g_cancellable_new ();
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                     g_object_ref (d->cancel), g_object_unref);
  n_threads = MIN (MAX (self->settings.max_parallel, 1), d->todo->len);
  for (guint i = 0; i < n_threads; i++)
    g_ptr_array_add (threads, g_thread_new ("berth-download", download_thread, d));
  /* the config, already fetched, is stored while the layers download */
  if (!ingest_bytes (d->store, berth_registry_manifest_get_config_bytes (m), config->digest,
                     config->media_type, d->cancel, &error))
    g_cancellable_cancel (d->cancel);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (threads->pdata[i]);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, handler);
  /* a layer's failure first: it may have cancelled the config's store */
  if (d->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&d->error));
      return;
    }
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  /* the manifest last: its presence means the whole is stored */
  if (!ingest_bytes (d->store, berth_registry_manifest_get_bytes (m),
                     berth_registry_manifest_get_digest (m),
                     berth_registry_manifest_get_media_type (m), cancellable, &error)
      || (index != NULL
          && !ingest_bytes (d->store, berth_registry_manifest_get_bytes (index),
                            berth_registry_manifest_get_digest (index),
                            berth_registry_manifest_get_media_type (index), cancellable, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
berth_registry_transport_pull_async (BerthTransport *transport,
                                     BerthRegistryManifest *manifest,
                                     BerthContentStore *store,
                                     BerthTransportFlags flags,
                                     BerthTransportProgressFunc progress,
                                     gpointer progress_data,
                                     GDestroyNotify progress_notify,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (transport, cancellable, callback, user_data);
  PullData *d = g_new0 (PullData, 1);

  g_task_set_source_tag (task, berth_registry_transport_pull_async);
  d->manifest = berth_registry_manifest_ref (manifest);
  d->store = g_object_ref (store);
  d->flags = flags;
  d->progress = progress_new (progress, progress_data, progress_notify);
  g_mutex_init (&d->lock);
  g_task_set_task_data (task, d, pull_data_free);
  if (berth_registry_manifest_is_index (manifest)
      || berth_registry_manifest_get_config_bytes (manifest) == NULL
      || berth_registry_manifest_get_reference (manifest) == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "pull needs a manifest from berth_transport_resolve_finish()");
      return;
    }
  g_task_run_in_thread (task, pull_thread);
}

static gboolean
berth_registry_transport_pull_finish (BerthTransport *transport,
                                      GAsyncResult *result,
                                      GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, transport), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* push */

typedef struct
{
  gchar *reference;
  BerthContentStore *store;
  GBytes *manifest;
  gchar *media_type;
  BerthTransportFlags flags;
  Progress *progress;
} PushData;

static void
push_data_free (gpointer data)
{
  PushData *d = data;
  g_free (d->reference);
  g_object_unref (d->store);
  g_bytes_unref (d->manifest);
  g_free (d->media_type);
  progress_unref (d->progress);
  g_free (d);
}

static void
push_emit (
  gpointer data, const gchar *digest, BerthTransportPhase phase, guint64 current, guint64 total)
{
  progress_emit (data, digest, phase, current, total);
}

static void
push_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PushData *d = task_data;
  GError *error = NULL;
  gchar *digest = berth_registry_push (source, d->reference, d->store, d->manifest, d->media_type,
                                       d->flags, push_emit, d->progress, cancellable, &error);
  if (digest == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, digest, g_free);
}

static void
berth_registry_transport_push_async (BerthTransport *transport,
                                     const gchar *reference,
                                     BerthContentStore *store,
                                     GBytes *manifest,
                                     const gchar *media_type,
                                     BerthTransportFlags flags,
                                     BerthTransportProgressFunc progress,
                                     gpointer progress_data,
                                     GDestroyNotify progress_notify,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (transport, cancellable, callback, user_data);
  PushData *d = g_new0 (PushData, 1);

  g_task_set_source_tag (task, berth_registry_transport_push_async);
  d->reference = g_strdup (reference);
  d->store = g_object_ref (store);
  d->manifest = g_bytes_ref (manifest);
  d->media_type = g_strdup (media_type);
  d->flags = flags;
  d->progress = progress_new (progress, progress_data, progress_notify);
  g_task_set_task_data (task, d, push_data_free);
  g_task_run_in_thread (task, push_thread);
}

static gchar *
berth_registry_transport_push_finish (BerthTransport *transport,
                                      GAsyncResult *result,
                                      GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, transport), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* login and logout */

typedef struct
{
  gchar *server;
  gchar *username;
  gchar *password;
} LoginData;

static void
login_data_free (gpointer data)
{
  LoginData *d = data;
  g_free (d->server);
  g_free (d->username);
  if (d->password != NULL)
    memset (d->password, 0, strlen (d->password));
  g_free (d->password);
  g_free (d);
}

static void
login_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LoginData *d = task_data;
  GError *error = NULL;
  gchar *status
    = d->username != NULL
        ? berth_registry_login (source, d->server, d->username, d->password, cancellable, &error)
        : berth_registry_logout (source, d->server, cancellable, &error);
  if (status == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, status, g_free);
}

static void
run_login (BerthTransport *transport,
           gpointer tag,
           LoginData *data,
           GCancellable *cancellable,
           GAsyncReadyCallback callback,
           gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (transport, cancellable, callback, user_data);
  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, data, login_data_free);
  g_task_run_in_thread (task, login_thread);
}

static void
berth_registry_transport_login_async (BerthTransport *transport,
                                      const gchar *server,
                                      const gchar *username,
                                      const gchar *password,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  LoginData *d = g_new0 (LoginData, 1);
  d->server = g_strdup (server);
  d->username = g_strdup (username);
  d->password = g_strdup (password);
  run_login (transport, berth_registry_transport_login_async, d, cancellable, callback, user_data);
}

static void
berth_registry_transport_logout_async (BerthTransport *transport,
                                       const gchar *server,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  LoginData *d = g_new0 (LoginData, 1);
  d->server = g_strdup (server);
  run_login (transport, berth_registry_transport_logout_async, d, cancellable, callback, user_data);
}

/* both answer a status line */
static gchar *
berth_registry_transport_status_finish (BerthTransport *transport,
                                        GAsyncResult *result,
                                        GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, transport), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
berth_registry_transport_handles_scheme (BerthTransport *transport, const gchar *scheme)
{
  return g_strcmp0 (scheme, "docker") == 0;
}

static void
berth_registry_transport_iface_init (BerthTransportInterface *iface)
{
  iface->handles_scheme = berth_registry_transport_handles_scheme;
  iface->resolve_async = berth_registry_transport_resolve_async;
  iface->resolve_finish = berth_registry_transport_resolve_finish;
  iface->pull_async = berth_registry_transport_pull_async;
  iface->pull_finish = berth_registry_transport_pull_finish;
  iface->push_async = berth_registry_transport_push_async;
  iface->push_finish = berth_registry_transport_push_finish;
  iface->login_async = berth_registry_transport_login_async;
  iface->login_finish = berth_registry_transport_status_finish;
  iface->logout_async = berth_registry_transport_logout_async;
  iface->logout_finish = berth_registry_transport_status_finish;
}

/* GObject */

static guint
config_uint (GKeyFile *config, const gchar *key, guint fallback, guint min, guint max)
{
  g_autoptr(GError) error = NULL;
  gint value;
  if (config == NULL || !g_key_file_has_key (config, "registry", key, NULL))
    return fallback;
  value = g_key_file_get_integer (config, "registry", key, &error);
  if (error != NULL || value < (gint)min || value > (gint)max)
    {
      g_warning ("berthd.conf: [registry] %s must be a number from %u to %u; using %u", key, min,
                 max, fallback);
      return fallback;
    }
  return (guint)value;
}

static void
berth_registry_transport_constructed (GObject *object)
{
  BerthRegistryTransport *self = BERTH_REGISTRY_TRANSPORT (object);
  BerthRegistrySettings *s = &self->settings;
  GKeyFile *config = self->config;

  G_OBJECT_CLASS (berth_registry_transport_parent_class)->constructed (object);
  if (config != NULL)
    {
      g_autofree gchar *docker_config
        = g_key_file_get_string (config, "registry", "docker-config", NULL);
      if (s->docker_config_dir == NULL && docker_config != NULL)
        s->docker_config_dir = g_steal_pointer (&docker_config);
      if (s->certs_dirs == NULL)
        s->certs_dirs = g_key_file_get_string_list (config, "registry", "certs-dirs", NULL, NULL);
      s->insecure = g_key_file_get_string_list (config, "registry", "insecure", NULL, NULL);
      if (g_key_file_has_key (config, "registry", "loopback-insecure", NULL))
        s->loopback_insecure
          = g_key_file_get_boolean (config, "registry", "loopback-insecure", NULL);
    }
  if (s->docker_config_dir == NULL)
    s->docker_config_dir = g_getenv ("DOCKER_CONFIG") != NULL
                             ? g_strdup (g_getenv ("DOCKER_CONFIG"))
                             : g_build_filename (g_get_home_dir (), ".docker", NULL);
  if (s->certs_dirs == NULL)
    {
      const gchar *dirs[] = { "/etc/docker/certs.d", "/etc/berth/certs.d", NULL };
      s->certs_dirs = g_strdupv ((gchar **)dirs);
    }
  s->timeout = config_uint (config, "timeout", 30, 1, 3600);
  s->max_attempts = config_uint (config, "max-attempts", 5, 1, 100);
  s->backoff_ms = config_uint (config, "backoff-ms", 500, 0, 60000);
  s->max_parallel = config_uint (config, "max-concurrent-downloads", 3, 1, 64);
}

static void
berth_registry_transport_set_property (GObject *object,
                                       guint prop_id,
                                       const GValue *value,
                                       GParamSpec *pspec)
{
  BerthRegistryTransport *self = BERTH_REGISTRY_TRANSPORT (object);
  switch (prop_id)
    {
      case PROP_PATHS:
        self->paths = g_value_dup_object (value);
        break;
      case PROP_CONFIG:
        self->config = g_value_dup_boxed (value);
        break;
      case PROP_DOCKER_CONFIG_DIR:
        self->settings.docker_config_dir = g_value_dup_string (value);
        break;
      case PROP_CERTS_DIRS:
        self->settings.certs_dirs = g_value_dup_boxed (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
berth_registry_transport_get_property (GObject *object,
                                       guint prop_id,
                                       GValue *value,
                                       GParamSpec *pspec)
{
  BerthRegistryTransport *self = BERTH_REGISTRY_TRANSPORT (object);
  switch (prop_id)
    {
      case PROP_PATHS:
        g_value_set_object (value, self->paths);
        break;
      case PROP_CONFIG:
        g_value_set_boxed (value, self->config);
        break;
      case PROP_DOCKER_CONFIG_DIR:
        g_value_set_string (value, self->settings.docker_config_dir);
        break;
      case PROP_CERTS_DIRS:
        g_value_set_boxed (value, self->settings.certs_dirs);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
berth_registry_transport_finalize (GObject *object)
{
  BerthRegistryTransport *self = BERTH_REGISTRY_TRANSPORT (object);
  g_clear_object (&self->paths);
  g_clear_pointer (&self->config, g_key_file_unref);
  g_free (self->settings.docker_config_dir);
  g_strfreev (self->settings.certs_dirs);
  g_strfreev (self->settings.insecure);
  g_hash_table_unref (self->tokens);
  g_hash_table_unref (self->schemes);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (berth_registry_transport_parent_class)->finalize (object);
}

static void
berth_registry_transport_class_init (BerthRegistryTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = berth_registry_transport_constructed;
  object_class->set_property = berth_registry_transport_set_property;
  object_class->get_property = berth_registry_transport_get_property;
  object_class->finalize = berth_registry_transport_finalize;

  props[PROP_PATHS]
    = g_param_spec_object ("paths", NULL, NULL, BERTH_TYPE_PATHS,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_CONFIG]
    = g_param_spec_boxed ("config", NULL, NULL, G_TYPE_KEY_FILE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * BerthRegistryTransport:docker-config-dir:
   *
   * The directory holding Docker's `config.json`; by default berthd.conf's
   * `[registry] docker-config`, else `$DOCKER_CONFIG`, else `~/.docker`.
   */
  props[PROP_DOCKER_CONFIG_DIR]
    = g_param_spec_string ("docker-config-dir", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * BerthRegistryTransport:certs-dirs:
   *
   * Directories holding `<host[:port]>/` directories of `.crt` CAs trusted for that registry
   * besides the system's; by default `[registry] certs-dirs`, else
   * `/etc/docker/certs.d` and `/etc/berth/certs.d`.
   */
  props[PROP_CERTS_DIRS]
    = g_param_spec_boxed ("certs-dirs", NULL, NULL, G_TYPE_STRV,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
berth_registry_transport_class_finalize (BerthRegistryTransportClass *klass)
{
}

static void
berth_registry_transport_init (BerthRegistryTransport *self)
{
  g_mutex_init (&self->lock);
  self->settings.loopback_insecure = TRUE;
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, token_entry_free);
  self->schemes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
berth_registry_transport_register (GTypeModule *module)
{
  berth_registry_transport_register_type (module);
}
