/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* one volume as the plugin keeps it, in the JSON shape of the Go plugin's
 * state file (so either plugin reads the other's), plus MountIDs */
typedef struct
{
  gchar *sshcmd;
  gchar *password;
  gchar *port;
  GPtrArray *options; /* "key=value" or "key", passed to sshfs with -o */
  gchar *mountpoint;
  GPtrArray *mount_ids;
} SshfsVolume;

SshfsVolume *
sshfs_volume_new_from_opts (GHashTable *opts, const gchar *volumes_dir, GError **error);
SshfsVolume *sshfs_volume_new_from_json (JsonObject *object, GError **error);
JsonObject *sshfs_volume_to_json (const SshfsVolume *volume);
GStrv sshfs_volume_build_argv (const SshfsVolume *volume, const gchar *sshfs_program);
gboolean sshfs_volume_has_mount_id (const SshfsVolume *volume, const gchar *id);
void sshfs_volume_free (SshfsVolume *volume);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SshfsVolume, sshfs_volume_free)

gchar *sshfs_mountpoint_for (const gchar *volumes_dir, const gchar *sshcmd);

G_END_DECLS
