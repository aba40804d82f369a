/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "berth-engine.h"
#include "berth-image.h"
#include "berth-plugin.h"

G_BEGIN_DECLS

struct _BerthEngine
{
  GObject parent_instance;
  BerthPaths *paths;
  GKeyFile *config;
  BerthModules *modules;
  gint root_lock_fd;
  gint run_lock_fd;

  /* plugins, by ID; their live state (processes, watches) in runs, by ID */
  GHashTable *plugins;
  GHashTable *runs;
  /* content-store writes happen one at a time, off the main thread */
  GMutex storage_lock;
  GHashTable *pending_roots;  /* root → holds: stored, not yet recorded; storage_lock */
  gchar *runtime_error;       /* why the runtime cannot run containers, if it cannot */
  GHashTable *resolved;       /* full reference → manifest a Privileges call resolved */
  GHashTable *images;         /* ID → BerthImage (berth-engine-images.c) */
  GHashTable *containers;     /* id → BerthContainer */
  GHashTable *container_runs; /* id → the live side of a running container */
};

gboolean berth_engine_plugins_startup (BerthEngine *self, GError **error);
void berth_engine_plugins_shutdown (BerthEngine *self);
void berth_engine_plugins_init (BerthEngine *self);
void berth_engine_plugins_finalize (BerthEngine *self);
void berth_engine_registry_init (BerthEngine *self);
void berth_engine_containers_init (BerthEngine *self);
void berth_engine_containers_finalize (BerthEngine *self);
gboolean berth_engine_containers_startup (BerthEngine *self, GError **error);
void berth_engine_add_container_snapshots (BerthEngine *self, GPtrArray *keep);
BerthRuntime *berth_engine_runtime (BerthEngine *self);
void berth_engine_registry_finalize (BerthEngine *self);

BerthContentStore *berth_engine_content_store (BerthEngine *self);
gchar *berth_engine_new_plugin_id (BerthEngine *self);
gchar *berth_engine_plugin_dir (BerthEngine *self, const gchar *id);
gchar *berth_engine_plugin_record_path (BerthEngine *self, const gchar *id);
gchar *berth_engine_plugin_socket_dir (BerthEngine *self, const gchar *id);
BerthPlugin *berth_engine_find_plugin_by_name (BerthEngine *self, const gchar *name);
gboolean berth_engine_add_plugin (BerthEngine *self, BerthPlugin *plugin, GError **error);
gboolean berth_engine_save_plugin (BerthEngine *self, BerthPlugin *plugin, GError **error);
void berth_engine_collect_garbage (BerthEngine *self);
void berth_engine_hold_root (BerthEngine *self, const gchar *root);
void berth_engine_release_root (BerthEngine *self, const gchar *root);
BerthSnapshotter *berth_engine_snapshotter (BerthEngine *self);
gboolean berth_engine_ingest_bytes (BerthEngine *self,
                                    GBytes *bytes,
                                    const gchar *media_type,
                                    gchar **out_digest,
                                    GCancellable *cancellable,
                                    GError **error);

/* images: berth-engine-images.c */
void berth_engine_images_init (BerthEngine *self);
void berth_engine_images_finalize (BerthEngine *self);
gboolean berth_engine_images_startup (BerthEngine *self, GError **error);
void berth_engine_add_image_roots (BerthEngine *self, GStrvBuilder *roots);
void berth_engine_add_image_owners (BerthEngine *self, GVariantBuilder *owners);

/* content on its way in: berth-engine-content.c */
typedef struct _BerthHeldRoots BerthHeldRoots;
BerthHeldRoots *berth_held_roots_new (BerthEngine *engine);
void berth_held_roots_add (BerthHeldRoots *held, const gchar *root);
void berth_held_roots_add_manifest (BerthHeldRoots *held, BerthRegistryManifest *manifest);
void berth_held_roots_release (BerthHeldRoots *held);
void berth_held_roots_free (BerthHeldRoots *held);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthHeldRoots, berth_held_roots_free)
BerthTransport *berth_engine_transport_or_fail (BerthEngine *self, GTask *task);
gchar *berth_engine_import_layers (BerthEngine *self,
                                   BerthRegistryManifest *manifest,
                                   const gchar *const *diff_ids,
                                   BerthHeldRoots *held,
                                   BerthJob *job,
                                   GCancellable *cancellable,
                                   GError **error);

G_END_DECLS
