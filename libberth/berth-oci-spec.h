/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "berth-plugin-config.h"
#include "berth-plugin-settings.h"

G_BEGIN_DECLS

/**
 * BERTH_OCI_SPEC_PLUGIN_RUNTIME_DIR:
 *
 * Where a plugin sees its socket directory: it listens on
 * `/run/docker/plugins/<Interface.Socket>`, as under Docker.
 */
#define BERTH_OCI_SPEC_PLUGIN_RUNTIME_DIR "/run/docker/plugins"

JsonNode *berth_oci_spec_new_for_plugin (BerthPluginConfig *config,
                                         BerthPluginSettings *settings,
                                         const gchar *rootfs,
                                         const gchar *socket_dir,
                                         const gchar *propagated_mount_dir,
                                         GError **error);
gboolean berth_oci_spec_write_bundle (JsonNode *spec,
                                      const gchar *bundle_dir,
                                      GCancellable *cancellable,
                                      GError **error);

G_END_DECLS
