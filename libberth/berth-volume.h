/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * BERTH_VOLUME_ANONYMOUS_LABEL:
 *
 * The label docker puts on a volume created without a name; `prune` removes
 * only such volumes unless asked for all.
 */
#define BERTH_VOLUME_ANONYMOUS_LABEL "com.docker.volume.anonymous"

/**
 * BERTH_VOLUME_LOCAL_DRIVER:
 *
 * The built-in driver: a directory under the state root.
 */
#define BERTH_VOLUME_LOCAL_DRIVER "local"

/**
 * BerthVolumeState:
 * @BERTH_VOLUME_STATE_READY: its driver answers (the local driver always does)
 * @BERTH_VOLUME_STATE_DISABLED: its plugin is not enabled (disabled, removed
 *   with force, or not started yet)
 * @BERTH_VOLUME_STATE_UNRESPONSIVE: its plugin's last call timed out
 *
 * The state of a volume's driver, as `volume ls` shows it.
 */
typedef enum
{
  BERTH_VOLUME_STATE_READY,
  BERTH_VOLUME_STATE_DISABLED,
  BERTH_VOLUME_STATE_UNRESPONSIVE,
} BerthVolumeState;

const gchar *berth_volume_state_to_string (BerthVolumeState state);

#define BERTH_TYPE_VOLUME (berth_volume_get_type ())
G_DECLARE_FINAL_TYPE (BerthVolume, berth_volume, BERTH, VOLUME, GObject)

BerthVolume *berth_volume_new (const gchar *name, const gchar *driver, const gchar *plugin_id);
BerthVolume *berth_volume_new_from_record (JsonNode *record, GError **error);
JsonNode *berth_volume_to_record (BerthVolume *self);
JsonNode *berth_volume_to_inspect_json (BerthVolume *self);

const gchar *berth_volume_get_name (BerthVolume *self);
const gchar *berth_volume_get_driver (BerthVolume *self);
void berth_volume_set_driver (BerthVolume *self, const gchar *driver);
const gchar *berth_volume_get_plugin_id (BerthVolume *self);
void berth_volume_set_plugin_id (BerthVolume *self, const gchar *plugin_id);
gboolean berth_volume_is_local (BerthVolume *self);
const gchar *berth_volume_get_created_at (BerthVolume *self);
void berth_volume_set_created_at (BerthVolume *self, const gchar *created_at);
const gchar *berth_volume_get_mountpoint (BerthVolume *self);
void berth_volume_set_mountpoint (BerthVolume *self, const gchar *mountpoint);
const gchar *berth_volume_get_scope (BerthVolume *self);
void berth_volume_set_scope (BerthVolume *self, const gchar *scope);
GHashTable *berth_volume_get_labels (BerthVolume *self);
void berth_volume_set_labels (BerthVolume *self, GHashTable *labels);
GHashTable *berth_volume_get_options (BerthVolume *self);
void berth_volume_set_options (BerthVolume *self, GHashTable *options);
JsonNode *berth_volume_get_status (BerthVolume *self);
void berth_volume_set_status (BerthVolume *self, JsonNode *status);
BerthVolumeState berth_volume_get_state (BerthVolume *self);
void berth_volume_set_state (BerthVolume *self, BerthVolumeState state);
gboolean berth_volume_is_anonymous (BerthVolume *self);

GStrv berth_volume_get_mount_ids (BerthVolume *self);
const gchar *berth_volume_get_mount_path (BerthVolume *self, const gchar *mount_id);
gboolean berth_volume_has_mounts (BerthVolume *self);
guint berth_volume_get_n_mounts (BerthVolume *self);
void berth_volume_add_mount (BerthVolume *self, const gchar *mount_id, const gchar *path);
gboolean berth_volume_remove_mount (BerthVolume *self, const gchar *mount_id);

gboolean
berth_volume_matches_filters (BerthVolume *self, const gchar *const *filters, GError **error);

gchar *berth_volume_generate_id (void);
gboolean berth_volume_name_is_valid (const gchar *name);

G_END_DECLS
