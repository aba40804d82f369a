/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth-plugin.h>

G_BEGIN_DECLS

#define SSHFS_TYPE_DRIVER (sshfs_driver_get_type ())
G_DECLARE_FINAL_TYPE (SshfsDriver, sshfs_driver, SSHFS, DRIVER, GObject)

SshfsDriver *sshfs_driver_new (const gchar *state_dir,
                               const gchar *volumes_dir,
                               const gchar *sshfs_program,
                               GError **error);
void sshfs_driver_set_mount_timeout (SshfsDriver *self, guint seconds);
const BerthPluginVolumeDriverFuncs *sshfs_driver_get_funcs (void);

G_END_DECLS
