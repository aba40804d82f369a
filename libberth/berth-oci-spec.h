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
/**
 * BerthOciBind:
 * @destination: where the container sees it; absolute
 * @source: the host path
 * @readonly: mounted read-only
 */
typedef struct
{
  const gchar *destination;
  const gchar *source;
  gboolean readonly;
} BerthOciBind;

/**
 * BerthOciContainer:
 * @rootfs: the root file system on the host
 * @args: the process and its arguments
 * @env: `KEY=VALUE` entries
 * @cwd: (nullable): the working directory, `/` if %NULL
 * @uid: the user
 * @gid: the group
 * @hostname: (nullable): the UTS host name
 * @network_host: share the host's network namespace
 * @terminal: run on a pseudo-terminal the runtime makes
 * @rows: the terminal's height, or 0
 * @columns: the terminal's width, or 0
 * @binds: (array length=n_binds): host paths bound into the container
 * @n_binds: how many
 *
 * A `berth run` process.
 */
typedef struct
{
  const gchar *rootfs;
  const gchar *const *args;
  const gchar *const *env;
  const gchar *cwd;
  guint32 uid;
  guint32 gid;
  const gchar *hostname;
  gboolean network_host;
  gboolean terminal;
  guint rows;
  guint columns;
  const BerthOciBind *binds;
  guint n_binds;
} BerthOciContainer;

JsonNode *berth_oci_spec_new_for_container (const BerthOciContainer *container, GError **error);
gboolean berth_oci_spec_write_bundle (JsonNode *spec,
                                      const gchar *bundle_dir,
                                      GCancellable *cancellable,
                                      GError **error);

G_END_DECLS
