/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * BerthPluginMount:
 * @name: the name `set` knows the mount by, or ""
 * @description: free text, or ""
 * @settable: (nullable): the settable fields (only `source` is allowed), %NULL for JSON `null`
 * @source: (nullable): the host path, %NULL for JSON `null`
 * @destination: the path inside the plugin
 * @type: the mount type, or ""
 * @options: (nullable): the mount options, %NULL for JSON `null`
 *
 * One entry of `Mounts` in a plugin's config.json, and of `Settings.Mounts`.
 * Strings that are not nullable are never %NULL.
 */
typedef struct
{
  gchar *name;
  gchar *description;
  gchar **settable;
  gchar *source;
  gchar *destination;
  gchar *type;
  gchar **options;
} BerthPluginMount;

/**
 * BerthPluginDevice:
 * @name: the name `set` knows the device by, or ""
 * @description: free text, or ""
 * @settable: (nullable): the settable fields (only `path` is allowed)
 * @path: (nullable): the host device path, %NULL for JSON `null`
 *
 * One entry of `Linux.Devices` in a plugin's config.json, and of
 * `Settings.Devices`.
 */
typedef struct
{
  gchar *name;
  gchar *description;
  gchar **settable;
  gchar *path;
} BerthPluginDevice;

/**
 * BerthPluginEnv:
 * @name: the variable's name
 * @description: free text, or ""
 * @settable: (nullable): the settable fields (only `value` is allowed)
 * @value: (nullable): the default value; %NULL (JSON `null`) leaves the
 *   variable unset until `set` gives it a value
 *
 * One entry of `Env` in a plugin's config.json.
 */
typedef struct
{
  gchar *name;
  gchar *description;
  gchar **settable;
  gchar *value;
} BerthPluginEnv;

/**
 * BerthPluginArgs:
 * @name: the name `set` knows the arguments by, or ""
 * @description: free text, or ""
 * @settable: (nullable): the settable fields (only `value` is allowed)
 * @value: (nullable): the default arguments appended to the entrypoint
 *
 * The `Args` object of a plugin's config.json.
 */
typedef struct
{
  gchar *name;
  gchar *description;
  gchar **settable;
  gchar **value;
} BerthPluginArgs;

/**
 * BerthPluginPrivilege:
 * @name: what is asked for, e.g. `network` or `mount`
 * @description: Docker's sentence for it
 * @value: the values, e.g. `host` or a host path
 *
 * One privilege a plugin asks for at install time, as Docker computes and
 * prints it.
 */
typedef struct
{
  gchar *name;
  gchar *description;
  gchar **value;
} BerthPluginPrivilege;

#define BERTH_TYPE_PLUGIN_MOUNT     (berth_plugin_mount_get_type ())
#define BERTH_TYPE_PLUGIN_DEVICE    (berth_plugin_device_get_type ())
#define BERTH_TYPE_PLUGIN_ENV       (berth_plugin_env_get_type ())
#define BERTH_TYPE_PLUGIN_ARGS      (berth_plugin_args_get_type ())
#define BERTH_TYPE_PLUGIN_PRIVILEGE (berth_plugin_privilege_get_type ())

GType berth_plugin_mount_get_type (void);
BerthPluginMount *berth_plugin_mount_new (void);
BerthPluginMount *berth_plugin_mount_copy (const BerthPluginMount *mount);
void berth_plugin_mount_free (BerthPluginMount *mount);

GType berth_plugin_device_get_type (void);
BerthPluginDevice *berth_plugin_device_new (void);
BerthPluginDevice *berth_plugin_device_copy (const BerthPluginDevice *device);
void berth_plugin_device_free (BerthPluginDevice *device);

GType berth_plugin_env_get_type (void);
BerthPluginEnv *berth_plugin_env_new (void);
BerthPluginEnv *berth_plugin_env_copy (const BerthPluginEnv *env);
void berth_plugin_env_free (BerthPluginEnv *env);

GType berth_plugin_args_get_type (void);
BerthPluginArgs *berth_plugin_args_new (void);
BerthPluginArgs *berth_plugin_args_copy (const BerthPluginArgs *args);
void berth_plugin_args_free (BerthPluginArgs *args);

GType berth_plugin_privilege_get_type (void);
BerthPluginPrivilege *
berth_plugin_privilege_new (const gchar *name, const gchar *description, const gchar *const *value);
BerthPluginPrivilege *berth_plugin_privilege_copy (const BerthPluginPrivilege *privilege);
void berth_plugin_privilege_free (BerthPluginPrivilege *privilege);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthPluginMount, berth_plugin_mount_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthPluginDevice, berth_plugin_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthPluginEnv, berth_plugin_env_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthPluginArgs, berth_plugin_args_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthPluginPrivilege, berth_plugin_privilege_free)

gchar *berth_plugin_privileges_to_string (GPtrArray *privileges);
JsonNode *berth_plugin_privileges_to_json_node (GPtrArray *privileges);
GPtrArray *berth_plugin_privileges_from_json_node (JsonNode *node, GError **error);
gboolean berth_plugin_privileges_equal (GPtrArray *a, GPtrArray *b);

gboolean berth_plugin_interface_type_parse (
  const gchar *type, gchar **prefix, gchar **capability, gchar **version, GError **error);

#define BERTH_TYPE_PLUGIN_CONFIG (berth_plugin_config_get_type ())
G_DECLARE_FINAL_TYPE (BerthPluginConfig, berth_plugin_config, BERTH, PLUGIN_CONFIG, GObject)

BerthPluginConfig *
berth_plugin_config_new_from_data (const gchar *data, gssize length, GError **error);
BerthPluginConfig *berth_plugin_config_new_from_bytes (GBytes *bytes, GError **error);
BerthPluginConfig *berth_plugin_config_new_from_json_node (JsonNode *node, GError **error);

gboolean
berth_plugin_config_validate (BerthPluginConfig *self, const gchar *socket_dir, GError **error);

JsonNode *berth_plugin_config_to_json_node (BerthPluginConfig *self);
GBytes *berth_plugin_config_to_blob (BerthPluginConfig *self);
GPtrArray *berth_plugin_config_get_privileges (BerthPluginConfig *self);
gboolean berth_plugin_config_has_capability (BerthPluginConfig *self, const gchar *capability);

const gchar *berth_plugin_config_get_description (BerthPluginConfig *self);
const gchar *berth_plugin_config_get_documentation (BerthPluginConfig *self);
const gchar *const *berth_plugin_config_get_entrypoint (BerthPluginConfig *self);
const gchar *berth_plugin_config_get_workdir (BerthPluginConfig *self);
guint32 berth_plugin_config_get_uid (BerthPluginConfig *self);
guint32 berth_plugin_config_get_gid (BerthPluginConfig *self);
const gchar *berth_plugin_config_get_network_type (BerthPluginConfig *self);
const gchar *const *berth_plugin_config_get_interface_types (BerthPluginConfig *self);
const gchar *berth_plugin_config_get_interface_socket (BerthPluginConfig *self);
const gchar *berth_plugin_config_get_interface_protocol_scheme (BerthPluginConfig *self);
GPtrArray *berth_plugin_config_get_mounts (BerthPluginConfig *self);
const gchar *berth_plugin_config_get_propagated_mount (BerthPluginConfig *self);
gboolean berth_plugin_config_get_ipc_host (BerthPluginConfig *self);
gboolean berth_plugin_config_get_pid_host (BerthPluginConfig *self);
GPtrArray *berth_plugin_config_get_env (BerthPluginConfig *self);
const BerthPluginArgs *berth_plugin_config_get_args (BerthPluginConfig *self);
const gchar *const *berth_plugin_config_get_capabilities (BerthPluginConfig *self);
gboolean berth_plugin_config_get_allow_all_devices (BerthPluginConfig *self);
GPtrArray *berth_plugin_config_get_devices (BerthPluginConfig *self);
gboolean berth_plugin_config_has_rootfs (BerthPluginConfig *self);
const gchar *berth_plugin_config_get_rootfs_type (BerthPluginConfig *self);
const gchar *const *berth_plugin_config_get_rootfs_diff_ids (BerthPluginConfig *self);
const gchar *berth_plugin_config_get_docker_version (BerthPluginConfig *self);

void berth_plugin_config_set_rootfs (BerthPluginConfig *self, const gchar *const *diff_ids);

G_END_DECLS
