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

G_END_DECLS
