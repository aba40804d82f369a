/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(BERTH_PLUGIN_INSIDE) && !defined(BERTH_PLUGIN_COMPILATION)
#error "Only <berth-plugin.h> can be included directly."
#endif

#include "berth-plugin-server.h"

G_BEGIN_DECLS

/**
 * BerthPluginVolumeScope:
 * @BERTH_PLUGIN_VOLUME_SCOPE_LOCAL: volumes exist on this host only
 * @BERTH_PLUGIN_VOLUME_SCOPE_GLOBAL: volumes are cluster-wide
 *
 * The answer to `VolumeDriver.Capabilities`.
 */
typedef enum
{
  BERTH_PLUGIN_VOLUME_SCOPE_LOCAL,
  BERTH_PLUGIN_VOLUME_SCOPE_GLOBAL,
} BerthPluginVolumeScope;

/**
 * BerthPluginVolume:
 * @name: the volume name
 * @mountpoint: (nullable): the path inside the plugin where it is (or will
 *   be) mounted
 * @created_at: (nullable): RFC 3339 creation time
 * @status: (nullable): driver-specific status, shown by `volume inspect`
 *
 * A volume as `VolumeDriver.Get` and `VolumeDriver.List` describe it. Unset
 * fields are left out of the response.
 */
typedef struct
{
  gchar *name;
  gchar *mountpoint;
  gchar *created_at;
  JsonObject *status;
} BerthPluginVolume;

#define BERTH_PLUGIN_TYPE_VOLUME (berth_plugin_volume_get_type ())
GType berth_plugin_volume_get_type (void);
BerthPluginVolume *berth_plugin_volume_new (const gchar *name, const gchar *mountpoint);
BerthPluginVolume *berth_plugin_volume_copy (const BerthPluginVolume *volume);
void berth_plugin_volume_free (BerthPluginVolume *volume);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthPluginVolume, berth_plugin_volume_free)

/**
 * BerthPluginVolumeDriverFuncs:
 * @create: `VolumeDriver.Create`: make the volume @name with the options of
 *   `volume create -o` (@opts maps strings to strings and is never %NULL)
 * @remove: `VolumeDriver.Remove`
 * @mount: `VolumeDriver.Mount`: mount for the mount @id (unique per container
 *   mount point, may be empty with old daemons) and return the mountpoint;
 *   the driver counts the IDs itself
 * @unmount: `VolumeDriver.Unmount`, with the @id given to @mount
 * @path: `VolumeDriver.Path`: the mountpoint, mounted or not
 * @get: `VolumeDriver.Get`: the volume, or %NULL with no error set when it
 *   does not exist (`"Volume": null`), or %NULL with an error
 * @list: `VolumeDriver.List`: a #GPtrArray of #BerthPluginVolume that frees
 *   its elements
 * @capabilities: `VolumeDriver.Capabilities`; %NULL means local scope
 *
 * The volume logic of a `docker.volumedriver/1.0` plugin. The SDK parses
 * requests (rejecting an empty volume name), calls these, and writes
 * responses with `Err`. A %NULL function leaves its method unanswered (HTTP
 * 404), which the daemon reports as not implemented.
 *
 * Each function gets the @user_data given to
 * berth_plugin_server_add_volume_driver().
 */
typedef struct
{
  gboolean (*create) (gpointer user_data, const gchar *name, GHashTable *opts, GError **error);
  gboolean (*remove) (gpointer user_data, const gchar *name, GError **error);
  gchar *(*mount) (gpointer user_data, const gchar *name, const gchar *id, GError **error);
  gboolean (*unmount) (gpointer user_data, const gchar *name, const gchar *id, GError **error);
  gchar *(*path) (gpointer user_data, const gchar *name, GError **error);
  BerthPluginVolume *(*get) (gpointer user_data, const gchar *name, GError **error);
  GPtrArray *(*list) (gpointer user_data, GError **error);
  BerthPluginVolumeScope (*capabilities) (gpointer user_data);
} BerthPluginVolumeDriverFuncs;

void berth_plugin_server_add_volume_driver (BerthPluginServer *self,
                                            const BerthPluginVolumeDriverFuncs *funcs,
                                            gpointer user_data,
                                            GDestroyNotify destroy);

G_END_DECLS
