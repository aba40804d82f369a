/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "berth-content-store.h"
#include "berth-registry-manifest.h"

G_BEGIN_DECLS

#define BERTH_TYPE_TRANSPORT (berth_transport_get_type ())
G_DECLARE_INTERFACE (BerthTransport, berth_transport, BERTH, TRANSPORT, GObject)

/**
 * BerthTransportFlags:
 * @BERTH_TRANSPORT_FLAGS_NONE: an image: resource class `repository`, any
 *   config media type
 * @BERTH_TRANSPORT_FLAGS_PLUGIN: a plugin: token scope
 *   `repository(plugin):<name>:…` as Docker asks, and a config that is not
 *   `application/vnd.docker.plugin.v1+json` is refused with Docker's
 *   `did not find plugin config for specified reference <ref>`
 *
 * What is moved.
 */
typedef enum
{
  BERTH_TRANSPORT_FLAGS_NONE = 0,
  BERTH_TRANSPORT_FLAGS_PLUGIN = 1 << 0,
} BerthTransportFlags;

/**
 * BerthTransportPhase:
 * @BERTH_TRANSPORT_PHASE_WAITING: `Waiting`: queued behind other downloads
 * @BERTH_TRANSPORT_PHASE_PULLING_FS_LAYER: `Pulling fs layer`
 * @BERTH_TRANSPORT_PHASE_DOWNLOADING: `Downloading`, with bytes
 * @BERTH_TRANSPORT_PHASE_DOWNLOAD_COMPLETE: `Download complete`: stored and verified
 * @BERTH_TRANSPORT_PHASE_ALREADY_EXISTS: `Already exists`: in the store, not fetched
 * @BERTH_TRANSPORT_PHASE_RETRYING: `Retrying`: the transfer broke; it resumes
 * @BERTH_TRANSPORT_PHASE_PREPARING: `Preparing` (push)
 * @BERTH_TRANSPORT_PHASE_UPLOADING: `Uploading`, with bytes (push)
 * @BERTH_TRANSPORT_PHASE_UPLOAD_COMPLETE: `Upload complete` (push)
 * @BERTH_TRANSPORT_PHASE_LAYER_ALREADY_EXISTS: `Layer already exists`: the
 *   registry has the blob (push)
 *
 * Where a blob is, in the words of Docker's progress stream (reference
 * §2.5). `Verifying`, `Extracting` and `Complete` belong to the engine.
 */
typedef enum
{
  BERTH_TRANSPORT_PHASE_WAITING,
  BERTH_TRANSPORT_PHASE_PULLING_FS_LAYER,
  BERTH_TRANSPORT_PHASE_DOWNLOADING,
  BERTH_TRANSPORT_PHASE_DOWNLOAD_COMPLETE,
  BERTH_TRANSPORT_PHASE_ALREADY_EXISTS,
  BERTH_TRANSPORT_PHASE_RETRYING,
  BERTH_TRANSPORT_PHASE_PREPARING,
  BERTH_TRANSPORT_PHASE_UPLOADING,
  BERTH_TRANSPORT_PHASE_UPLOAD_COMPLETE,
  BERTH_TRANSPORT_PHASE_LAYER_ALREADY_EXISTS,
} BerthTransportPhase;

/**
 * BerthTransportProgressFunc:
 * @digest: the blob's digest (Docker shows its first 12 hex digits)
 * @phase: where it is
 * @current: bytes done
 * @total: bytes in all
 * @user_data: the data given with the function
 *
 * Called in the thread-default main context of the caller of the `_async`
 * function, never in a worker thread.
 */
typedef void (*BerthTransportProgressFunc) (const gchar *digest,
                                            BerthTransportPhase phase,
                                            guint64 current,
                                            guint64 total,
                                            gpointer user_data);

/**
 * BerthTransportInterface:
 * @handles_scheme: whether this transport serves references of a kind
 *   (`docker` for OCI distribution registries)
 * @resolve_async: resolves a reference to a manifest (an index resolved to
 *   this host's platform) and fetches its config blob into memory; stores
 *   nothing
 * @resolve_finish: finishes @resolve_async
 * @pull_async: stores a resolved manifest's config, layers (in parallel,
 *   skipping those present, verified while they stream), then the manifest
 *   itself (and its index) in a content store; the manifest is stored last,
 *   so its presence means the whole is there
 * @pull_finish: finishes @pull_async
 * @push_async: uploads the blobs a manifest names from a content store
 *   (skipping those the registry has), then the manifest with its exact
 *   media type
 * @push_finish: finishes @push_async, returning the manifest's digest
 * @login_async: checks a user name and password against a registry (as
 *   Docker's `POST /auth` does) and, if the registry accepts them, stores
 *   them where later pulls and pushes find them
 * @login_finish: finishes @login_async, returning the status to show
 * @logout_async: removes the stored credentials of a registry
 * @logout_finish: finishes @logout_async, returning the status to show
 *
 * Moves plugins and images between registries and the content store.
 */
struct _BerthTransportInterface
{
  GTypeInterface g_iface;

  gboolean (*handles_scheme) (BerthTransport *self, const gchar *scheme);

  void (*resolve_async) (BerthTransport *self,
                         const gchar *reference,
                         BerthTransportFlags flags,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data);
  BerthRegistryManifest *(*resolve_finish) (BerthTransport *self,
                                            GAsyncResult *result,
                                            GError **error);
  void (*pull_async) (BerthTransport *self,
                      BerthRegistryManifest *manifest,
                      BerthContentStore *store,
                      BerthTransportFlags flags,
                      BerthTransportProgressFunc progress,
                      gpointer progress_data,
                      GDestroyNotify progress_notify,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data);
  gboolean (*pull_finish) (BerthTransport *self, GAsyncResult *result, GError **error);
  void (*push_async) (BerthTransport *self,
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
                      gpointer user_data);
  gchar *(*push_finish) (BerthTransport *self, GAsyncResult *result, GError **error);
  void (*login_async) (BerthTransport *self,
                       const gchar *server,
                       const gchar *username,
                       const gchar *password,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data);
  gchar *(*login_finish) (BerthTransport *self, GAsyncResult *result, GError **error);
  void (*logout_async) (BerthTransport *self,
                        const gchar *server,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data);
  gchar *(*logout_finish) (BerthTransport *self, GAsyncResult *result, GError **error);

  /*< private >*/
  gpointer padding[8];
};

/* clang-format off */
gboolean berth_transport_handles_scheme (BerthTransport *self, const gchar *scheme);
const gchar *berth_transport_phase_to_string (BerthTransportPhase phase);

void berth_transport_resolve_async (BerthTransport *self, const gchar *reference, BerthTransportFlags flags, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
BerthRegistryManifest *berth_transport_resolve_finish (BerthTransport *self, GAsyncResult *result, GError **error);
void berth_transport_pull_async (BerthTransport *self, BerthRegistryManifest *manifest, BerthContentStore *store, BerthTransportFlags flags, BerthTransportProgressFunc progress, gpointer progress_data, GDestroyNotify progress_notify, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean berth_transport_pull_finish (BerthTransport *self, GAsyncResult *result, GError **error);
void berth_transport_push_async (BerthTransport *self, const gchar *reference, BerthContentStore *store, GBytes *manifest, const gchar *media_type, BerthTransportFlags flags, BerthTransportProgressFunc progress, gpointer progress_data, GDestroyNotify progress_notify, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gchar *berth_transport_push_finish (BerthTransport *self, GAsyncResult *result, GError **error);
void berth_transport_login_async (BerthTransport *self, const gchar *server, const gchar *username, const gchar *password, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gchar *berth_transport_login_finish (BerthTransport *self, GAsyncResult *result, GError **error);
void berth_transport_logout_async (BerthTransport *self, const gchar *server, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gchar *berth_transport_logout_finish (BerthTransport *self, GAsyncResult *result, GError **error);
/* clang-format on */

G_END_DECLS
