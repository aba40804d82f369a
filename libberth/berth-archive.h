/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * BerthLayerBlob:
 * @digest: sha256 of the compressed blob, `sha256:<hex>`
 * @diff_id: sha256 of the tar inside it
 * @size: the blob's size in bytes
 *
 * What berth_archive_write_layer() or berth_archive_compress_layer() made.
 */
typedef struct
{
  gchar *digest;
  gchar *diff_id;
  gint64 size;
} BerthLayerBlob;

void berth_layer_blob_clear (BerthLayerBlob *blob);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BerthLayerBlob, berth_layer_blob_clear)

gboolean berth_archive_write_layer (const gchar *dir,
                                    GOutputStream *out,
                                    BerthLayerBlob *blob,
                                    GCancellable *cancellable,
                                    GError **error);
gboolean berth_archive_write_layer_tee (const gchar *dir,
                                        GOutputStream *out,
                                        GOutputStream *tar_out,
                                        BerthLayerBlob *blob,
                                        GCancellable *cancellable,
                                        GError **error);
gboolean berth_archive_compress_layer (GInputStream *in,
                                       GOutputStream *out,
                                       guint64 max_bytes,
                                       BerthLayerBlob *blob,
                                       GCancellable *cancellable,
                                       GError **error);

G_END_DECLS
