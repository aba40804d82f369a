/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  BERTH_LAYER_COMPRESSION_NONE,
  BERTH_LAYER_COMPRESSION_GZIP,
  BERTH_LAYER_COMPRESSION_ZSTD,
} BerthLayerCompression;

typedef struct _BerthLayerSource BerthLayerSource;

gboolean berth_layer_compression_for_media_type (const gchar *media_type,
                                                 BerthLayerCompression *out_compression,
                                                 GError **error);
BerthLayerSource *berth_layer_source_new (GInputStream *stream,
                                          BerthLayerCompression compression,
                                          guint64 max_bytes,
                                          GCancellable *cancellable);
gboolean berth_layer_source_read (BerthLayerSource *self,
                                  const void **out_buf,
                                  gsize *out_len,
                                  GError **error);
gboolean berth_layer_source_finish (BerthLayerSource *self,
                                    gchar **out_blob_digest,
                                    guint64 *out_blob_size,
                                    gchar **out_tar_digest,
                                    GError **error);
void berth_layer_source_free (BerthLayerSource *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthLayerSource, berth_layer_source_free)

G_END_DECLS
