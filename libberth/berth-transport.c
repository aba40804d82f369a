/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include "berth-interface-private.h"
#include "berth-transport.h"

G_DEFINE_INTERFACE (BerthTransport, berth_transport, G_TYPE_OBJECT)

static void
berth_transport_default_init (BerthTransportInterface *iface)
{
}

/**
 * berth_transport_handles_scheme:
 * @self: a #BerthTransport
 * @scheme: a kind of reference, e.g. `docker`
 *
 * Returns: %TRUE if this transport serves @scheme
 */
gboolean
berth_transport_handles_scheme (BerthTransport *self, const gchar *scheme)
{
  BerthTransportInterface *iface;
  g_return_val_if_fail (BERTH_IS_TRANSPORT (self), FALSE);
  iface = BERTH_TRANSPORT_GET_IFACE (self);
  return iface->handles_scheme != NULL && iface->handles_scheme (self, scheme);
}

/**
 * berth_transport_fetch_manifest:
 * @self: a #BerthTransport
 * @reference: a normalised reference
 * @out_media_type: (out) (optional): the manifest's media type
 * @out_digest: (out) (optional): the manifest's digest
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the manifest's bytes
 */
GBytes *
berth_transport_fetch_manifest (BerthTransport *self,
                                const gchar *reference,
                                gchar **out_media_type,
                                gchar **out_digest,
                                GCancellable *cancellable,
                                GError **error)
{
  BerthTransportInterface *iface;
  g_return_val_if_fail (BERTH_IS_TRANSPORT (self), NULL);
  g_return_val_if_fail (reference != NULL, NULL);
  iface = BERTH_TRANSPORT_GET_IFACE (self);
  BERTH_IFACE_DISPATCH (iface, fetch_manifest, self, error, NULL);
  return iface->fetch_manifest (self, reference, out_media_type, out_digest, cancellable, error);
}
