/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* a real docker-registry on 127.0.0.1 */
typedef struct
{
  GSubprocess *proc;
  gchar *dir; /* config, storage, certs */
  guint16 port;
  gchar *host; /* 127.0.0.1:port */
  gboolean tls;
} RegServer;

RegServer *reg_server_start (const gchar *dir, gboolean tls_htpasswd);
void reg_server_stop (RegServer *server);
gchar *reg_server_blob_path (RegServer *server, const gchar *digest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RegServer, reg_server_stop)

/* a CA and a server certificate for 127.0.0.1, made with openssl */
void reg_make_tls (const gchar *dir);
guint16 reg_free_port (void);

BerthContentStore *reg_open_store (const gchar *root);
BerthTransport *reg_open_transport (GKeyFile *config);
GKeyFile *reg_test_config (const gchar *docker_config_dir);

/* a plugin made of one gzip layer and a config, stored in @store */
typedef struct
{
  GBytes *manifest;
  GBytes *config;
  GBytes *layer;
  gchar *config_digest;
  gchar *layer_digest;
  gchar *manifest_digest;
} RegPlugin;

RegPlugin *reg_plugin_make (BerthContentStore *store, const gchar *config_media_type);
void reg_plugin_free (RegPlugin *plugin);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RegPlugin, reg_plugin_free)

/* sync wrappers over the async API; progress lines "Phase sha256:…" */
BerthRegistryManifest *reg_resolve (BerthTransport *transport,
                                    const gchar *reference,
                                    BerthTransportFlags flags,
                                    GError **error);
gboolean reg_pull (BerthTransport *transport,
                   BerthRegistryManifest *manifest,
                   BerthContentStore *store,
                   GPtrArray *progress,
                   GError **error);
gboolean reg_install (BerthTransport *transport,
                      const gchar *reference,
                      BerthContentStore *store,
                      GPtrArray *progress,
                      GError **error);
gchar *reg_push (BerthTransport *transport,
                 const gchar *reference,
                 BerthContentStore *store,
                 GBytes *manifest,
                 GPtrArray *progress,
                 GError **error);
gchar *reg_login (BerthTransport *transport,
                  const gchar *server,
                  const gchar *username,
                  const gchar *password,
                  GError **error);
gchar *reg_logout (BerthTransport *transport, const gchar *server, GError **error);
gboolean reg_progress_has (GPtrArray *progress, const gchar *phase, const gchar *digest);

GBytes *reg_http_get (const gchar *url, const gchar *accept, gchar **out_content_type);

G_END_DECLS
