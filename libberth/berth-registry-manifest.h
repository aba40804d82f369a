/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* media types of the distribution protocol (reference §4.1) */
#define BERTH_MEDIA_TYPE_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define BERTH_MEDIA_TYPE_DOCKER_MANIFEST_LIST                                                      \
  "application/vnd.docker.distribution.manifest.list.v2+json"
#define BERTH_MEDIA_TYPE_OCI_MANIFEST      "application/vnd.oci.image.manifest.v1+json"
#define BERTH_MEDIA_TYPE_OCI_INDEX         "application/vnd.oci.image.index.v1+json"
#define BERTH_MEDIA_TYPE_PLUGIN_CONFIG     "application/vnd.docker.plugin.v1+json"
#define BERTH_MEDIA_TYPE_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"

/* the most a manifest or index, and a config, may weigh (containerd's caps) */
#define BERTH_REGISTRY_MANIFEST_MAX_SIZE (4 * 1024 * 1024)
#define BERTH_REGISTRY_CONFIG_MAX_SIZE   (1024 * 1024)

/**
 * BerthRegistryDescriptor:
 * @media_type: what the blob or manifest is
 * @digest: its digest, `sha256:<64 hex>`
 * @size: its size in bytes, > 0
 * @platform: (nullable): `os/architecture[/variant]` of an index entry
 *
 * A reference to content, as in a manifest's `config`, `layers` and an
 * index's `manifests`.
 */
typedef struct
{
  gchar *media_type;
  gchar *digest;
  gint64 size;
  gchar *platform;
} BerthRegistryDescriptor;

#define BERTH_TYPE_REGISTRY_MANIFEST (berth_registry_manifest_get_type ())
typedef struct _BerthRegistryManifest BerthRegistryManifest;

/* clang-format off */
GType berth_registry_manifest_get_type (void) G_GNUC_CONST;
BerthRegistryManifest *berth_registry_manifest_parse (GBytes *bytes, const gchar *content_type, GError **error);
BerthRegistryManifest *berth_registry_manifest_ref (BerthRegistryManifest *self);
void berth_registry_manifest_unref (BerthRegistryManifest *self);

GBytes *berth_registry_manifest_get_bytes (BerthRegistryManifest *self);
const gchar *berth_registry_manifest_get_media_type (BerthRegistryManifest *self);
const gchar *berth_registry_manifest_get_digest (BerthRegistryManifest *self);
gboolean berth_registry_manifest_is_index (BerthRegistryManifest *self);
const BerthRegistryDescriptor *berth_registry_manifest_get_config (BerthRegistryManifest *self);
guint berth_registry_manifest_get_n_layers (BerthRegistryManifest *self);
const BerthRegistryDescriptor *berth_registry_manifest_get_layer (BerthRegistryManifest *self, guint index);
guint berth_registry_manifest_get_n_manifests (BerthRegistryManifest *self);
const BerthRegistryDescriptor *berth_registry_manifest_get_manifest (BerthRegistryManifest *self, guint index);
const BerthRegistryDescriptor *berth_registry_manifest_select_platform (BerthRegistryManifest *self, const gchar *platform, GError **error);

const gchar *berth_registry_manifest_get_reference (BerthRegistryManifest *self);
void berth_registry_manifest_set_reference (BerthRegistryManifest *self, const gchar *reference);
GBytes *berth_registry_manifest_get_config_bytes (BerthRegistryManifest *self);
void berth_registry_manifest_set_config_bytes (BerthRegistryManifest *self, GBytes *config);
BerthRegistryManifest *berth_registry_manifest_get_index (BerthRegistryManifest *self);
void berth_registry_manifest_set_index (BerthRegistryManifest *self, BerthRegistryManifest *index);

GBytes *berth_registry_manifest_build (const BerthRegistryDescriptor *config, const BerthRegistryDescriptor *layers, guint n_layers);
gchar *berth_registry_host_platform (void);
gboolean berth_registry_digest_is_valid (const gchar *digest);
gchar *berth_registry_digest_bytes (GBytes *bytes);
gboolean berth_registry_media_type_is_manifest (const gchar *media_type);
gboolean berth_registry_media_type_is_index (const gchar *media_type);
/* clang-format on */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthRegistryManifest, berth_registry_manifest_unref)

G_END_DECLS
