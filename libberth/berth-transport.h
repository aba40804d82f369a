/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BERTH_TYPE_TRANSPORT (berth_transport_get_type ())
G_DECLARE_INTERFACE (BerthTransport, berth_transport, BERTH, TRANSPORT, GObject)

/**
 * BerthTransportInterface:
 * @handles_scheme: whether this transport serves references of a kind
 *   (`docker` for OCI distribution registries)
 * @fetch_manifest: fetches the manifest a reference names, returning its
 *   bytes, media type and digest
 *
 * Moves plugins and images between registries and the content store.
 * Grows with the registry issue.
 */
struct _BerthTransportInterface
{
  GTypeInterface g_iface;

  gboolean (*handles_scheme) (BerthTransport *self, const gchar *scheme);
  GBytes *(*fetch_manifest) (BerthTransport *self,
                             const gchar *reference,
                             gchar **out_media_type,
                             gchar **out_digest,
                             GCancellable *cancellable,
                             GError **error);

  /*< private >*/
  gpointer padding[16];
};

gboolean berth_transport_handles_scheme (BerthTransport *self, const gchar *scheme);
GBytes *berth_transport_fetch_manifest (BerthTransport *self,
                                        const gchar *reference,
                                        gchar **out_media_type,
                                        gchar **out_digest,
                                        GCancellable *cancellable,
                                        GError **error);

G_END_DECLS
