/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

#include "berth-job.h"
#include "berth-image.h"
#include "berth-modules.h"
#include "berth-plugin.h"

G_BEGIN_DECLS

#define BERTH_TYPE_ENGINE (berth_engine_get_type ())
G_DECLARE_FINAL_TYPE (BerthEngine, berth_engine, BERTH, ENGINE, GObject)

BerthEngine *berth_engine_new (BerthPaths *paths, GKeyFile *config);
gboolean berth_engine_startup (BerthEngine *self, GCancellable *cancellable, GError **error);
void berth_engine_shutdown (BerthEngine *self);
BerthPaths *berth_engine_get_paths (BerthEngine *self);
GKeyFile *berth_engine_get_config (BerthEngine *self);
BerthModules *berth_engine_get_modules (BerthEngine *self);
guint berth_engine_get_plugin_count (BerthEngine *self, gboolean enabled_only);
guint berth_engine_get_volume_count (BerthEngine *self);

/* plugins: names are resolved as docker does (full ID, name, ID prefix) */
GPtrArray *berth_engine_list_plugins (BerthEngine *self);
BerthPlugin *berth_engine_find_plugin (BerthEngine *self, const gchar *name, GError **error);
gchar *berth_engine_get_plugin_log_path (BerthEngine *self, BerthPlugin *plugin);
const gchar *berth_engine_get_runtime_error (BerthEngine *self);

void berth_engine_create_plugin_async (BerthEngine *self,
                                       const gchar *name,
                                       const gchar *dir,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
BerthPlugin *
berth_engine_create_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error);
void berth_engine_enable_plugin_async (BerthEngine *self,
                                       const gchar *name,
                                       guint timeout_ms,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
BerthPlugin *
berth_engine_enable_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error);
void berth_engine_disable_plugin_async (BerthEngine *self,
                                        const gchar *name,
                                        gboolean force,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
BerthPlugin *
berth_engine_disable_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error);
void berth_engine_remove_plugin_async (BerthEngine *self,
                                       const gchar *name,
                                       gboolean force,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
BerthPlugin *
berth_engine_remove_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error);
gboolean berth_engine_set_plugin (BerthEngine *self,
                                  const gchar *name,
                                  const gchar *const *args,
                                  GError **error);

void berth_engine_disk_usage_async (BerthEngine *self,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
GVariant *berth_engine_disk_usage_finish (BerthEngine *self, GAsyncResult *result, GError **error);

BerthVolumeService *berth_engine_get_volume_service (BerthEngine *self);

void berth_engine_plugin_privileges_async (BerthEngine *self,
                                           const gchar *remote,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
GVariant *
berth_engine_plugin_privileges_finish (BerthEngine *self, GAsyncResult *result, GError **error);
void berth_engine_install_plugin_async (BerthEngine *self,
                                        const gchar *remote,
                                        const gchar *alias,
                                        GVariant *privileges,
                                        const gchar *const *settings,
                                        gboolean disable,
                                        BerthJob *job,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
BerthPlugin *
berth_engine_install_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error);
void berth_engine_upgrade_plugin_async (BerthEngine *self,
                                        const gchar *name,
                                        const gchar *remote,
                                        GVariant *privileges,
                                        BerthJob *job,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
BerthPlugin *
berth_engine_upgrade_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error);
void berth_engine_push_plugin_async (BerthEngine *self,
                                     const gchar *name,
                                     BerthJob *job,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gchar *berth_engine_push_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error);

/* registry credentials: berth-engine-login.c */
void berth_engine_login_async (BerthEngine *self,
                               const gchar *server,
                               const gchar *username,
                               const gchar *password,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gchar *berth_engine_login_finish (BerthEngine *self, GAsyncResult *result, GError **error);
void berth_engine_logout_async (BerthEngine *self,
                                const gchar *server,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
gchar *berth_engine_logout_finish (BerthEngine *self, GAsyncResult *result, GError **error);
/* images: names are resolved as docker does (reference, ID, ID prefix) */
GPtrArray *berth_engine_list_images (BerthEngine *self);
BerthImage *berth_engine_find_image (BerthEngine *self, const gchar *ref_or_id, GError **error);
gboolean berth_engine_image_in_use (BerthEngine *self, BerthImage *image, gchar **out_holder);
void berth_engine_pull_image_async (BerthEngine *self,
                                    const gchar *reference,
                                    BerthJob *job,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
BerthImage *berth_engine_pull_image_finish (BerthEngine *self,
                                            GAsyncResult *result,
                                            gchar **out_reference,
                                            gboolean *out_updated,
                                            GError **error);
void berth_engine_import_image_async (BerthEngine *self,
                                      GInputStream *tar,
                                      const gchar *reference,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
BerthImage *
berth_engine_import_image_finish (BerthEngine *self, GAsyncResult *result, GError **error);
gboolean berth_engine_remove_image (BerthEngine *self,
                                    const gchar *ref_or_id,
                                    gboolean force,
                                    GStrv *out_untagged,
                                    GStrv *out_deleted,
                                    GError **error);

/* berth run */
typedef struct _BerthContainer BerthContainer;

/**
 * BerthRunConsoleFunc:
 * @master: the master of the process's pseudo-terminal; the function owns it
 * @user_data: the data given with the function
 *
 * Hands on the terminal of a `berth run -t` process once it runs.
 */
typedef void (*BerthRunConsoleFunc) (gint master, gpointer user_data);

/**
 * BerthRunOptions:
 * @image: the image, as a reference or an ID
 * @entrypoint: (nullable): instead of the image's Entrypoint, `""` for none;
 *   either drops the image's Cmd, as docker's `--entrypoint` does
 * @cmd: (nullable): the command; else the image's Cmd (after its Entrypoint)
 * @env: (nullable): `KEY=VALUE` entries over the image's Env
 * @volumes: (nullable): `-v` specs: `NAME:/path[:ro]` or `/host:/path[:ro]`
 * @workdir: (nullable): else the image's WorkingDir
 * @user: (nullable): `user[:group]`, else the image's User
 * @name: (nullable): else one is made up
 * @network: (nullable): `none` (the default) or `host`
 * @auto_remove: remove the container when it ends
 * @fds: the process's stdin, stdout and stderr; -1 for /dev/null
 * @tty: run on a pseudo-terminal instead (`-t`); its master goes to @console
 * @rows: the terminal's height, or 0
 * @columns: the terminal's width, or 0
 * @console: (nullable): receives the terminal's master, with @tty
 * @console_data: for @console; it must live until the run ends
 */
typedef struct
{
  const gchar *image;
  const gchar *entrypoint;
  const gchar *const *cmd;
  const gchar *const *env;
  const gchar *const *volumes;
  const gchar *workdir;
  const gchar *user;
  const gchar *name;
  const gchar *network;
  gboolean auto_remove;
  gint fds[3];
  gboolean tty;
  guint rows;
  guint columns;
  BerthRunConsoleFunc console;
  gpointer console_data;
} BerthRunOptions;

void berth_engine_run_async (BerthEngine *self,
                             const BerthRunOptions *options,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
gint
berth_engine_run_finish (BerthEngine *self, GAsyncResult *result, gchar **out_id, GError **error);
GPtrArray *berth_engine_list_containers (BerthEngine *self);
BerthContainer *berth_engine_find_container (BerthEngine *self, const gchar *name, GError **error);
gboolean berth_engine_remove_container (BerthEngine *self,
                                        const gchar *name,
                                        gboolean force,
                                        GError **error);
gboolean berth_engine_parse_volume_spec (const gchar *spec,
                                         gchar **out_volume,
                                         gchar **out_source,
                                         gchar **out_destination,
                                         gboolean *out_readonly,
                                         GError **error);

G_END_DECLS
