/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define BERTH_TYPE_REGISTRY_TRANSPORT (berth_registry_transport_get_type ())
G_DECLARE_FINAL_TYPE (
  BerthRegistryTransport, berth_registry_transport, BERTH, REGISTRY_TRANSPORT, GObject)

void berth_registry_transport_register (GTypeModule *module);

/* the transport's settings, read by sessions from any thread */
typedef struct
{
  gchar *docker_config_dir; /* holds config.json */
  GStrv certs_dirs;         /* each holds <host[:port]>/ with CA .crt files */
  GStrv insecure;           /* host:port or host */
  gboolean loopback_insecure;
  guint timeout;      /* seconds of silence before a socket times out */
  guint max_attempts; /* per request and per blob resume */
  guint backoff_ms;   /* first wait before a retry; doubles */
  guint max_parallel; /* layer downloads at once */
} BerthRegistrySettings;

BerthRegistrySettings *berth_registry_transport_get_settings (BerthRegistryTransport *self);
gchar *berth_registry_transport_lookup_token (BerthRegistryTransport *self, const gchar *key);
void berth_registry_transport_store_token (BerthRegistryTransport *self,
                                           const gchar *key,
                                           const gchar *token,
                                           gint64 expires_in);
gchar *berth_registry_transport_lookup_scheme (BerthRegistryTransport *self, const gchar *host);
void berth_registry_transport_store_scheme (BerthRegistryTransport *self,
                                            const gchar *host,
                                            const gchar *scheme);
void berth_registry_transport_forget_tokens (BerthRegistryTransport *self, const gchar *host);

/* credentials: ~/.docker/config.json, credential helpers */
gboolean berth_registry_credentials_lookup (const gchar *docker_config_dir,
                                            const gchar *host,
                                            gchar **out_username,
                                            gchar **out_password,
                                            GCancellable *cancellable,
                                            GError **error);
gchar *berth_registry_server_parse (const gchar *server, gchar **out_host, GError **error);
gboolean berth_registry_credentials_store (const gchar *docker_config_dir,
                                           const gchar *server_url,
                                           const gchar *username,
                                           const gchar *password,
                                           GCancellable *cancellable,
                                           GError **error);
gboolean berth_registry_credentials_erase (const gchar *docker_config_dir,
                                           const gchar *server_url,
                                           gboolean *out_found,
                                           GCancellable *cancellable,
                                           GError **error);

/* a connection to one repository of one registry, used from worker threads */
typedef struct _BerthRegistrySession BerthRegistrySession;

typedef GInputStream *(*BerthRegistryBodyFunc) (gpointer data,
                                                GCancellable *cancellable,
                                                GError **error);

typedef struct
{
  const gchar *method;
  const gchar *url;    /* absolute, or a path under the registry */
  const gchar *accept; /* nullable */
  gint64 range_start;  /* > 0: ask for bytes from there */
  GBytes *body;        /* nullable */
  BerthRegistryBodyFunc open_body;
  gpointer body_data;
  gint64 body_length;
  const gchar *content_type;
} BerthRegistryRequest;

BerthRegistrySession *berth_registry_session_new (BerthRegistryTransport *transport,
                                                  const gchar *reference,
                                                  BerthTransportFlags flags,
                                                  gboolean push,
                                                  GCancellable *cancellable,
                                                  GError **error);
BerthRegistrySession *berth_registry_session_new_for_login (BerthRegistryTransport *transport,
                                                            const gchar *host,
                                                            const gchar *username,
                                                            const gchar *password,
                                                            GCancellable *cancellable,
                                                            GError **error);
gboolean
berth_registry_session_ping (BerthRegistrySession *self, GCancellable *cancellable, GError **error);
void berth_registry_session_free (BerthRegistrySession *self);
BerthReference *berth_registry_session_get_reference (BerthRegistrySession *self);
const gchar *berth_registry_session_get_display (BerthRegistrySession *self);
gchar *
berth_registry_session_url (BerthRegistrySession *self, const gchar *kind, const gchar *tail);
guint berth_registry_session_get_max_attempts (BerthRegistrySession *self);
gboolean berth_registry_session_sleep (BerthRegistrySession *self,
                                       guint attempt,
                                       GCancellable *cancellable,
                                       GError **error);
GInputStream *berth_registry_session_send (BerthRegistrySession *self,
                                           const BerthRegistryRequest *request,
                                           SoupMessage **out_msg,
                                           GCancellable *cancellable,
                                           GError **error);
GBytes *berth_registry_read_limited (GInputStream *stream,
                                     SoupMessage *msg,
                                     gsize limit,
                                     const gchar *what,
                                     GCancellable *cancellable,
                                     GError **error);
gboolean berth_registry_error_is_transient (const GError *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthRegistrySession, berth_registry_session_free)

/* a blob download that resumes with Range when the transfer breaks */
typedef void (*BerthRegistryBytesFunc) (gpointer data, guint64 current, gboolean retrying);

GInputStream *berth_registry_blob_stream_new (BerthRegistrySession *session,
                                              const gchar *digest,
                                              gint64 size,
                                              BerthRegistryBytesFunc bytes_func,
                                              gpointer bytes_data);

/* push, run in a worker thread */
typedef void (*BerthRegistryEmitFunc) (
  gpointer data, const gchar *digest, BerthTransportPhase phase, guint64 current, guint64 total);

gchar *berth_registry_push (BerthRegistryTransport *self,
                            const gchar *reference,
                            BerthContentStore *store,
                            GBytes *manifest,
                            const gchar *media_type,
                            BerthTransportFlags flags,
                            BerthRegistryEmitFunc emit,
                            gpointer emit_data,
                            GCancellable *cancellable,
                            GError **error);

/* login and logout, run in a worker thread */
gchar *berth_registry_login (BerthRegistryTransport *self,
                             const gchar *server,
                             const gchar *username,
                             const gchar *password,
                             GCancellable *cancellable,
                             GError **error);
gchar *berth_registry_logout (BerthRegistryTransport *self,
                              const gchar *server,
                              GCancellable *cancellable,
                              GError **error);

G_END_DECLS
