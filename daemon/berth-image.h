/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

G_BEGIN_DECLS

#define BERTH_TYPE_IMAGE (berth_image_get_type ())
G_DECLARE_FINAL_TYPE (BerthImage, berth_image, BERTH, IMAGE, GObject)

BerthImage *berth_image_new_from_config (GBytes *config, GError **error);
BerthImage *berth_image_load (const gchar *path, GError **error);
gboolean berth_image_save (BerthImage *self, const gchar *path, GError **error);

/* what it is: the config's digest, and what the config says */
const gchar *berth_image_get_id (BerthImage *self);
const gchar *berth_image_get_created (BerthImage *self);
gint64 berth_image_get_created_unix (BerthImage *self);
const gchar *berth_image_get_architecture (BerthImage *self);
const gchar *berth_image_get_os (BerthImage *self);
const gchar *berth_image_get_comment (BerthImage *self);
const gchar *const *berth_image_get_diff_ids (BerthImage *self);
const gchar *const *berth_image_get_env (BerthImage *self);
const gchar *const *berth_image_get_cmd (BerthImage *self);
const gchar *const *berth_image_get_entrypoint (BerthImage *self);
const gchar *berth_image_get_working_dir (BerthImage *self);
const gchar *berth_image_get_user (BerthImage *self);

/* where its content is */
const gchar *berth_image_get_manifest_digest (BerthImage *self);
const gchar *berth_image_get_index_digest (BerthImage *self);
const gchar *const *berth_image_get_layers (BerthImage *self);
const gchar *berth_image_get_chain_id (BerthImage *self);
gint64 berth_image_get_size (BerthImage *self);
void berth_image_set_content (BerthImage *self,
                              const gchar *manifest_digest,
                              const gchar *index_digest,
                              const gchar *const *layers,
                              const gchar *chain_id,
                              gint64 size);
GStrv berth_image_get_content_roots (BerthImage *self);
gboolean berth_image_get_imported (BerthImage *self);
void berth_image_set_imported (BerthImage *self, gboolean imported);

/* the names it goes by: full references, `docker.io/library/busybox:latest` */
const gchar *const *berth_image_get_repo_tags (BerthImage *self);
gboolean berth_image_has_tag (BerthImage *self, const gchar *reference);
void berth_image_add_tag (BerthImage *self, const gchar *reference);
gboolean berth_image_remove_tag (BerthImage *self, const gchar *reference);
const gchar *const *berth_image_get_repo_digests (BerthImage *self);
void berth_image_add_repo_digest (BerthImage *self, const gchar *reference);
void berth_image_clear_repo_digests (BerthImage *self);
GStrv berth_image_get_familiar_tags (BerthImage *self);
GStrv berth_image_get_familiar_digests (BerthImage *self);

JsonNode *berth_image_to_inspect_json (BerthImage *self);

G_END_DECLS
