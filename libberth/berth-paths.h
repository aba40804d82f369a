/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BERTH_TYPE_PATHS (berth_paths_get_type ())
G_DECLARE_FINAL_TYPE (BerthPaths, berth_paths, BERTH, PATHS, GObject)

/**
 * BerthPathKind:
 * @BERTH_PATH_ROOT: the state root (`--root`, `BERTH_ROOT`)
 * @BERTH_PATH_RUN_DIR: the runtime directory (`--run-dir`, `BERTH_RUN_DIR`)
 * @BERTH_PATH_MODULE_DIR: the versioned module directory (`BERTH_MODULE_DIR`)
 * @BERTH_PATH_CONFIG_FILE: the configuration file (`--config`, `BERTH_CONFIG`)
 * @BERTH_PATH_SOCKET: the peer-to-peer D-Bus socket, `<run-dir>/berth.sock`
 * @BERTH_PATH_LOCK: the lock that keeps one berthd per root, `<root>/berthd.lock`
 * @BERTH_PATH_REPO: the OSTree repository, `<root>/repo`
 * @BERTH_PATH_PLUGINS: plugin records, `<root>/plugins`
 * @BERTH_PATH_VOLUMES: volume records, `<root>/volumes`
 * @BERTH_PATH_SNAPSHOTS: snapshot upper and work directories, `<root>/snapshots`
 * @BERTH_PATH_TMP: scratch space on the state root's file system, `<root>/tmp`
 * @BERTH_PATH_PLUGIN_SOCKETS: per-plugin socket directories, `<run-dir>/plugins`
 * @BERTH_PATH_IMAGES: image records, `<root>/images`
 * @BERTH_PATH_CONTAINERS: `berth run` container records, `<root>/containers`
 *
 * Every directory berthd reads or writes comes from one of these.
 */
typedef enum
{
  BERTH_PATH_ROOT,
  BERTH_PATH_RUN_DIR,
  BERTH_PATH_MODULE_DIR,
  BERTH_PATH_CONFIG_FILE,
  BERTH_PATH_SOCKET,
  BERTH_PATH_LOCK,
  BERTH_PATH_REPO,
  BERTH_PATH_PLUGINS,
  BERTH_PATH_VOLUMES,
  BERTH_PATH_SNAPSHOTS,
  BERTH_PATH_TMP,
  BERTH_PATH_PLUGIN_SOCKETS,
  BERTH_PATH_IMAGES,
  BERTH_PATH_CONTAINERS,
  BERTH_PATH_LAST /*< skip >*/
} BerthPathKind;

BerthPaths *berth_paths_new (void);
void berth_paths_set (BerthPaths *self, BerthPathKind kind, const gchar *path);
const gchar *berth_paths_get (BerthPaths *self, BerthPathKind kind);
gchar *berth_paths_build (BerthPaths *self, BerthPathKind kind, const gchar *first_element, ...)
  G_GNUC_NULL_TERMINATED;
gboolean berth_paths_ensure (BerthPaths *self, BerthPathKind kind, GError **error);
gchar *berth_paths_default_address (BerthPaths *self);
gchar *berth_paths_default_socket (void);
gchar *berth_paths_socket_address (const gchar *path);

G_END_DECLS
