/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <string.h>
#include <sys/capability.h>
#include <sys/un.h>

#include "berth-error.h"
#include "berth-json.h"
#include "berth-plugin-config.h"
#include "berth-plugin-json-private.h"

/**
 * BerthPluginConfig:
 *
 * A plugin's `config.json` (media type `application/vnd.docker.plugin.v1+json`),
 * read the way dockerd reads it and written the way dockerd writes it.
 *
 * Reading follows Go's encoding/json: keys match case-insensitively, unknown
 * keys are ignored, a repeated key is applied again (so the last one wins,
 * and objects merge), `null` resets slices and pointers and leaves everything
 * else alone. berth is stricter than Go about the JSON text itself (no
 * trailing data, no `\u0000`) and names the field of every type error.
 *
 * Docker validates almost nothing; berth_plugin_config_validate() is what
 * berth checks at create and install time.
 *
 * A config is never changed by `set`: the values users set live in
 * #BerthPluginSettings only (see there).
 */
struct _BerthPluginConfig
{
  GObject parent_instance;
  BerthPluginArgs args;
  gchar *description;
  gchar *docker_version;
  gchar *documentation;
  gchar **entrypoint;
  GPtrArray *env;
  gchar *interface_protocol_scheme;
  gchar *interface_socket;
  gchar **interface_types;
  gboolean ipc_host;
  gboolean linux_allow_all_devices;
  gchar **linux_capabilities;
  GPtrArray *linux_devices;
  GPtrArray *mounts;
  gchar *network_type;
  gboolean pid_host;
  gchar *propagated_mount;
  guint32 user_gid;
  guint32 user_uid;
  gchar *workdir;
  gboolean has_rootfs;
  gchar **rootfs_diff_ids;
  gchar *rootfs_type;
};

G_DEFINE_TYPE (BerthPluginConfig, berth_plugin_config, G_TYPE_OBJECT)

/* the interface capabilities Docker knows (§3.2), compared case-insensitively
 * as Docker's FilterByCap lower-cases them */
static const gchar *const known_capabilities[] = {
  "volumedriver",     "networkdriver", "ipamdriver", "authz",       "logdriver",
  "metricscollector", "csicontroller", "csinode",    "graphdriver", NULL,
};

/* mount types berth passes to the OCI runtime; "" and "none" let the runtime
 * go by the options (bind/rbind), as runc does */
static const gchar *const known_mount_types[] = {
  "", "bind", "none", "tmpfs", "proc", "sysfs", "devpts", "mqueue", "cgroup", "cgroup2", NULL,
};

/* ---- the field tables, in Go struct order (api/types/plugin) ---- */

/* the embedded Args struct: its members are read at config offsets */
#define ARGS_FIELD(k, kind, member)                                                                \
  {                                                                                                \
    k, BERTH_PLUGIN_JSON_##kind, FALSE,                                                            \
      G_STRUCT_OFFSET (BerthPluginConfig, args) + G_STRUCT_OFFSET (BerthPluginArgs, member), NULL, \
      NULL                                                                                         \
  }

static const BerthPluginJsonField config_args_fields[] = {
  ARGS_FIELD ("Description", STRING, description),
  ARGS_FIELD ("Name", STRING, name),
  ARGS_FIELD ("Settable", STRV, settable),
  ARGS_FIELD ("Value", STRV, value),
  FIELD_END,
};

static const BerthPluginJsonField config_interface_fields[] = {
  FIELD_OMITEMPTY ("ProtocolScheme", STRING, BerthPluginConfig, interface_protocol_scheme),
  FIELD ("Socket", STRING, BerthPluginConfig, interface_socket),
  FIELD ("Types", STRV, BerthPluginConfig, interface_types),
  FIELD_END,
};

static const BerthPluginJsonField config_linux_fields[] = {
  FIELD ("AllowAllDevices", BOOLEAN, BerthPluginConfig, linux_allow_all_devices),
  FIELD ("Capabilities", STRV, BerthPluginConfig, linux_capabilities),
  FIELD_ARRAY ("Devices", BerthPluginConfig, linux_devices, &berth_plugin_json_device_element),
  FIELD_END,
};

static const BerthPluginJsonField config_network_fields[] = {
  FIELD ("Type", STRING, BerthPluginConfig, network_type),
  FIELD_END,
};

static const BerthPluginJsonField config_user_fields[] = {
  FIELD_OMITEMPTY ("GID", UINT32, BerthPluginConfig, user_gid),
  FIELD_OMITEMPTY ("UID", UINT32, BerthPluginConfig, user_uid),
  FIELD_END,
};

static const BerthPluginJsonField config_rootfs_fields[] = {
  FIELD ("diff_ids", STRV, BerthPluginConfig, rootfs_diff_ids),
  FIELD_OMITEMPTY ("type", STRING, BerthPluginConfig, rootfs_type),
  FIELD_END,
};

static const BerthPluginJsonField config_fields[] = {
  FIELD_OBJECT ("Args", config_args_fields),
  FIELD ("Description", STRING, BerthPluginConfig, description),
  FIELD_OMITEMPTY ("DockerVersion", STRING, BerthPluginConfig, docker_version),
  FIELD ("Documentation", STRING, BerthPluginConfig, documentation),
  FIELD ("Entrypoint", STRV, BerthPluginConfig, entrypoint),
  FIELD_ARRAY ("Env", BerthPluginConfig, env, &berth_plugin_json_env_element),
  FIELD_OBJECT ("Interface", config_interface_fields),
  FIELD ("IpcHost", BOOLEAN, BerthPluginConfig, ipc_host),
  FIELD_OBJECT ("Linux", config_linux_fields),
  FIELD_ARRAY ("Mounts", BerthPluginConfig, mounts, &berth_plugin_json_mount_element),
  FIELD_OBJECT ("Network", config_network_fields),
  FIELD ("PidHost", BOOLEAN, BerthPluginConfig, pid_host),
  FIELD ("PropagatedMount", STRING, BerthPluginConfig, propagated_mount),
  FIELD_OBJECT ("User", config_user_fields),
  FIELD ("WorkDir", STRING, BerthPluginConfig, workdir),
  { "rootfs", BERTH_PLUGIN_JSON_OPTIONAL_OBJECT, TRUE,
    G_STRUCT_OFFSET (BerthPluginConfig, has_rootfs), config_rootfs_fields, NULL },
  FIELD_END,
};

/* ---- privileges ---- */

static void
add_privilege (GPtrArray *privileges,
               const gchar *name,
               const gchar *description,
               const gchar *const *value)
{
  g_ptr_array_add (privileges, berth_plugin_privilege_new (name, description, value));
}

/**
 * berth_plugin_config_get_privileges:
 * @self: a #BerthPluginConfig
 *
 * Computes the privileges the plugin asks for, exactly as dockerd's
 * `computePrivileges` does: network, host IPC, host PID, each mount with a
 * source, each device with a path, all devices, capabilities, in that order.
 * They come from the config, never from the settings.
 *
 * Returns: (transfer container) (element-type BerthPluginPrivilege): the
 *   privileges, possibly none
 */
GPtrArray *
berth_plugin_config_get_privileges (BerthPluginConfig *self)
{
  GPtrArray *privileges
    = g_ptr_array_new_with_free_func (berth_plugin_json_privilege_element.free_func);
  const gchar *const true_value[] = { "true", NULL };

  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);

  /* "none" asks for a network privilege too, as in Docker */
  if (self->network_type[0] != '\0' && g_strcmp0 (self->network_type, "bridge") != 0)
    {
      const gchar *const value[] = { self->network_type, NULL };
      add_privilege (privileges, "network", "permissions to access a network", value);
    }
  if (self->ipc_host)
    add_privilege (privileges, "host ipc namespace", "allow access to host ipc namespace",
                   true_value);
  if (self->pid_host)
    add_privilege (privileges, "host pid namespace", "allow access to host pid namespace",
                   true_value);
  for (guint i = 0; self->mounts != NULL && i < self->mounts->len; i++)
    {
      BerthPluginMount *mount = g_ptr_array_index (self->mounts, i);
      const gchar *const value[] = { mount->source, NULL };
      if (mount->source != NULL)
        add_privilege (privileges, "mount", "host path to mount", value);
    }
  for (guint i = 0; self->linux_devices != NULL && i < self->linux_devices->len; i++)
    {
      BerthPluginDevice *device = g_ptr_array_index (self->linux_devices, i);
      const gchar *const value[] = { device->path, NULL };
      if (device->path != NULL)
        add_privilege (privileges, "device", "host device to access", value);
    }
  if (self->linux_allow_all_devices)
    add_privilege (privileges, "allow-all-devices", "allow 'rwm' access to all devices",
                   true_value);
  if (self->linux_capabilities != NULL && self->linux_capabilities[0] != NULL)
    add_privilege (privileges, "capabilities", "list of additional capabilities required",
                   (const gchar *const *)self->linux_capabilities);
  return privileges;
}

/**
 * berth_plugin_privileges_to_string:
 * @privileges: (element-type BerthPluginPrivilege): privileges
 *
 * Formats @privileges as the docker CLI lists them before it asks
 * "Do you grant the above permissions?": one ` - <name>: [<values>]` line
 * each, values joined by spaces (Go's `%v` of a string slice).
 *
 * Returns: (transfer full): the lines, each ending in a newline
 */
gchar *
berth_plugin_privileges_to_string (GPtrArray *privileges)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; privileges != NULL && i < privileges->len; i++)
    {
      BerthPluginPrivilege *privilege = g_ptr_array_index (privileges, i);
      g_autofree gchar *values
        = privilege->value != NULL ? g_strjoinv (" ", privilege->value) : g_strdup ("");
      g_string_append_printf (out, " - %s: [%s]\n", privilege->name, values);
    }
  return g_string_free (out, FALSE);
}

/**
 * berth_plugin_privileges_to_json_node:
 * @privileges: (element-type BerthPluginPrivilege): privileges
 *
 * Serialises @privileges as `GET /plugins/privileges` answers:
 * `[{"Name":…,"Description":…,"Value":[…]}]`. No privileges give `null`,
 * as dockerd's nil slice does.
 *
 * Returns: (transfer full): a JSON array, or a null node
 */
JsonNode *
berth_plugin_privileges_to_json_node (GPtrArray *privileges)
{
  JsonArray *array;

  if (privileges == NULL || privileges->len == 0)
    return json_node_new (JSON_NODE_NULL);
  array = json_array_sized_new (privileges->len);
  for (guint i = 0; i < privileges->len; i++)
    json_array_add_element (array,
                            berth_plugin_json_write (berth_plugin_json_privilege_element.fields,
                                                     g_ptr_array_index (privileges, i)));
  return berth_plugin_json_take_array (array);
}

/**
 * berth_plugin_privileges_from_json_node:
 * @node: a JSON array of privileges, or null
 * @error: return location for a #GError
 *
 * Reads privileges as a client echoes them to `POST /plugins/pull`.
 *
 * Returns: (transfer container) (element-type BerthPluginPrivilege): the
 *   privileges, or %NULL with @error set
 */
GPtrArray *
berth_plugin_privileges_from_json_node (JsonNode *node, GError **error)
{
  const BerthPluginJsonField privileges_fields[] = {
    { "Privileges", BERTH_PLUGIN_JSON_ARRAY, FALSE, 0, NULL, &berth_plugin_json_privilege_element },
    FIELD_END,
  };
  g_autoptr(GPtrArray) privileges = NULL;
  g_autoptr(JsonNode) wrapper = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();

  g_return_val_if_fail (node != NULL, NULL);

  /* read the array as the member of an object, to share the type checks */
  json_object_set_member (object, "Privileges", json_node_copy (node));
  json_node_set_object (wrapper, object);
  if (!berth_plugin_json_read (NULL, wrapper, NULL, privileges_fields, &privileges, error))
    return NULL;
  if (privileges == NULL)
    privileges = g_ptr_array_new_with_free_func (berth_plugin_json_privilege_element.free_func);
  return g_steal_pointer (&privileges);
}

static gboolean
privilege_equal (const BerthPluginPrivilege *a, const BerthPluginPrivilege *b)
{
  return g_strcmp0 (a->name, b->name) == 0
         && berth_plugin_strv_equal ((const gchar *const *)a->value,
                                     (const gchar *const *)b->value);
}

/**
 * berth_plugin_privileges_equal:
 * @a: (element-type BerthPluginPrivilege) (nullable): privileges
 * @b: (element-type BerthPluginPrivilege) (nullable): privileges
 *
 * Compares privileges as dockerd does before it pulls: in any order, by
 * name and values, ignoring descriptions.
 *
 * Returns: %TRUE if @a and @b ask for the same
 */
gboolean
berth_plugin_privileges_equal (GPtrArray *a, GPtrArray *b)
{
  guint a_len = a != NULL ? a->len : 0;
  guint b_len = b != NULL ? b->len : 0;
  g_autofree gboolean *used = NULL;

  if (a_len != b_len)
    return FALSE;
  used = g_new0 (gboolean, b_len + 1);
  for (guint i = 0; i < a_len; i++)
    {
      gboolean found = FALSE;
      for (guint j = 0; j < b_len && !found; j++)
        {
          if (!used[j] && privilege_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, j)))
            {
              used[j] = TRUE;
              found = TRUE;
            }
        }
      if (!found)
        return FALSE;
    }
  return TRUE;
}

/* ---- interface types ---- */

/**
 * berth_plugin_interface_type_parse:
 * @type: an `Interface.Types` entry such as `docker.volumedriver/1.0`
 * @prefix: (out) (optional): the prefix, `docker`
 * @capability: (out) (optional): the capability, `volumedriver`
 * @version: (out) (optional): the version, `1.0`
 * @error: return location for a #GError
 *
 * Splits an interface type as Docker does: the version after the first `/`,
 * the capability after the last `.` before it. Unlike Docker, every part
 * must be present.
 *
 * Returns: %TRUE if @type has the form `<prefix>.<capability>/<version>`
 */
gboolean
berth_plugin_interface_type_parse (
  const gchar *type, gchar **prefix, gchar **capability, gchar **version, GError **error)
{
  const gchar *slash = strchr (type, '/');
  const gchar *dot = NULL;

  for (const gchar *p = type; *p != '\0' && p != slash; p++)
    {
      if (*p == '.')
        dot = p;
    }
  if (slash == NULL || dot == NULL || dot == type || dot + 1 == slash || slash[1] == '\0')
    {
      g_autofree gchar *quoted = berth_go_quote (type);
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "%s is not an interface type of the form <prefix>.<capability>/<version>",
                   quoted);
      return FALSE;
    }
  if (prefix != NULL)
    *prefix = g_strndup (type, dot - type);
  if (capability != NULL)
    *capability = g_strndup (dot + 1, slash - dot - 1);
  if (version != NULL)
    *version = g_strdup (slash + 1);
  return TRUE;
}

static gboolean
interface_type_is_known (const gchar *type)
{
  g_autofree gchar *prefix = NULL;
  g_autofree gchar *capability = NULL;

  if (!berth_plugin_interface_type_parse (type, &prefix, &capability, NULL, NULL))
    return FALSE;
  if (g_strcmp0 (prefix, "docker") != 0)
    return FALSE;
  for (guint i = 0; known_capabilities[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (capability, known_capabilities[i]) == 0)
        return TRUE;
    }
  return FALSE;
}

/**
 * berth_plugin_config_has_capability:
 * @self: a #BerthPluginConfig
 * @capability: a capability such as `volumedriver`
 *
 * Matches as Docker's `FilterByCap`: prefix `docker`, capability compared
 * case-insensitively, version ignored.
 *
 * Returns: %TRUE if an interface type of the plugin offers @capability
 */
gboolean
berth_plugin_config_has_capability (BerthPluginConfig *self, const gchar *capability)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), FALSE);
  g_return_val_if_fail (capability != NULL, FALSE);

  for (guint i = 0; self->interface_types != NULL && self->interface_types[i] != NULL; i++)
    {
      g_autofree gchar *prefix = NULL;
      g_autofree gchar *cap = NULL;
      if (!berth_plugin_interface_type_parse (self->interface_types[i], &prefix, &cap, NULL, NULL))
        continue;
      if (g_strcmp0 (prefix, "docker") == 0 && g_ascii_strcasecmp (cap, capability) == 0)
        return TRUE;
    }
  return FALSE;
}

/* ---- validation ---- */

static gboolean
has_dotdot (const gchar *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  return g_strv_contains ((const gchar *const *)parts, "..");
}

static gboolean
validate_absolute_path (const gchar *path, const gchar *field, GError **error)
{
  g_autofree gchar *quoted = berth_go_quote (path);

  if (!g_path_is_absolute (path))
    return berth_plugin_field_error (error, field, "%s is not an absolute path", quoted);
  if (has_dotdot (path))
    return berth_plugin_field_error (error, field, "%s has a \"..\" component", quoted);
  return TRUE;
}

/* `set` can only change one field per kind of item, so a config that lists
 * another one is wrong, not just useless */
static gboolean
validate_settable (gchar **settable,
                   const gchar *allowed,
                   const gchar *kind,
                   const gchar *name,
                   const gchar *field,
                   GError **error)
{
  for (guint i = 0; settable != NULL && settable[i] != NULL; i++)
    {
      g_autofree gchar *quoted = NULL;
      g_autofree gchar *quoted_name = NULL;

      if (g_strcmp0 (settable[i], allowed) == 0)
        continue;
      quoted = berth_go_quote (settable[i]);
      if (name[0] == '\0')
        return berth_plugin_field_error (error, field, "%s is not settable on %s (only \"%s\" is)",
                                         quoted, kind, allowed);
      quoted_name = berth_go_quote (name);
      return berth_plugin_field_error (error, field, "%s is not settable on %s %s (only \"%s\" is)",
                                       quoted, kind, quoted_name, allowed);
    }
  return TRUE;
}

static gboolean
validate_interface (BerthPluginConfig *self, const gchar *socket_dir, GError **error)
{
  const gchar *socket = self->interface_socket;
  g_autofree gchar *quoted = berth_go_quote (socket);

  if (socket[0] == '\0')
    return berth_plugin_field_error (error, "Interface.Socket", "required");
  if (strchr (socket, '/') != NULL || g_strcmp0 (socket, ".") == 0 || g_strcmp0 (socket, "..") == 0)
    return berth_plugin_field_error (error, "Interface.Socket", "%s is not a plain file name",
                                     quoted);
  if (socket_dir != NULL)
    {
      g_autofree gchar *path = g_build_filename (socket_dir, socket, NULL);
      gsize limit = G_SIZEOF_MEMBER (struct sockaddr_un, sun_path) - 1;
      if (strlen (path) > limit)
        return berth_plugin_field_error (error, "Interface.Socket",
                                         "the socket path %s is %" G_GSIZE_FORMAT
                                         " bytes long, longer than the %" G_GSIZE_FORMAT
                                         " bytes a unix socket address holds; use a shorter "
                                         "socket name",
                                         path, strlen (path), limit);
    }
  for (guint i = 0; self->interface_types != NULL && self->interface_types[i] != NULL; i++)
    {
      g_autofree gchar *field = g_strdup_printf ("Interface.Types[%u]", i);
      g_autoptr(GError) local_error = NULL;
      g_autofree gchar *quoted_type = berth_go_quote (self->interface_types[i]);

      if (!berth_plugin_interface_type_parse (self->interface_types[i], NULL, NULL, NULL,
                                              &local_error))
        return berth_plugin_field_error (error, field, "%s", local_error->message);
      if (!interface_type_is_known (self->interface_types[i]))
        return berth_plugin_field_error (error, field, "unknown interface type %s", quoted_type);
    }
  return TRUE;
}

static gboolean
validate_process (BerthPluginConfig *self, GError **error)
{
  if (self->entrypoint == NULL || self->entrypoint[0] == NULL)
    return berth_plugin_field_error (error, "Entrypoint", "required");
  if (!g_path_is_absolute (self->entrypoint[0]))
    {
      g_autofree gchar *quoted = berth_go_quote (self->entrypoint[0]);
      return berth_plugin_field_error (error, "Entrypoint[0]", "%s is not an absolute path",
                                       quoted);
    }
  if (self->workdir[0] != '\0' && !g_path_is_absolute (self->workdir))
    {
      g_autofree gchar *quoted = berth_go_quote (self->workdir);
      return berth_plugin_field_error (error, "WorkDir", "%s is not an absolute path", quoted);
    }
  for (guint i = 0; self->env != NULL && i < self->env->len; i++)
    {
      BerthPluginEnv *env = g_ptr_array_index (self->env, i);
      g_autofree gchar *field = g_strdup_printf ("Env[%u].Name", i);
      g_autofree gchar *settable_field = g_strdup_printf ("Env[%u].Settable", i);

      if (env->name[0] == '\0')
        return berth_plugin_field_error (error, field, "required");
      if (strchr (env->name, '=') != NULL)
        {
          g_autofree gchar *quoted = berth_go_quote (env->name);
          return berth_plugin_field_error (error, field, "%s contains \"=\"", quoted);
        }
      if (!validate_settable (env->settable, "value", "environment variable", env->name,
                              settable_field, error))
        return FALSE;
    }
  if (!validate_settable (self->args.settable, "value", "args", self->args.name, "Args.Settable",
                          error))
    return FALSE;

  /* Docker treats every other value like "bridge", which it never
   * implemented: a private network namespace with only a loopback */
  if (!g_strv_contains ((const gchar *const[]){ "", "host", "none", "bridge", NULL },
                        self->network_type))
    {
      g_autofree gchar *quoted = berth_go_quote (self->network_type);
      return berth_plugin_field_error (
        error, "Network.Type", "unknown network type %s (use host, none, bridge or \"\")", quoted);
    }
  return TRUE;
}

static gboolean
validate_mounts (BerthPluginConfig *self, GError **error)
{
  for (guint i = 0; self->mounts != NULL && i < self->mounts->len; i++)
    {
      BerthPluginMount *mount = g_ptr_array_index (self->mounts, i);
      g_autofree gchar *destination = g_strdup_printf ("Mounts[%u].Destination", i);
      g_autofree gchar *type = g_strdup_printf ("Mounts[%u].Type", i);
      g_autofree gchar *settable = g_strdup_printf ("Mounts[%u].Settable", i);

      if (mount->destination[0] == '\0')
        return berth_plugin_field_error (error, destination, "required");
      if (!validate_absolute_path (mount->destination, destination, error))
        return FALSE;
      if (!g_strv_contains (known_mount_types, mount->type))
        {
          g_autofree gchar *quoted = berth_go_quote (mount->type);
          return berth_plugin_field_error (error, type,
                                           "unsupported mount type %s (use bind, tmpfs, proc, "
                                           "sysfs, devpts, mqueue, cgroup, cgroup2, none or \"\")",
                                           quoted);
        }
      if (!validate_settable (mount->settable, "source", "mount", mount->name, settable, error))
        return FALSE;
    }
  if (self->propagated_mount[0] != '\0'
      && !validate_absolute_path (self->propagated_mount, "PropagatedMount", error))
    return FALSE;
  return TRUE;
}

static gboolean
capability_is_known (const gchar *name)
{
  cap_value_t value;

  if (!g_str_has_prefix (name, "CAP_") || name[4] == '\0')
    return FALSE;
  for (const gchar *p = name + 4; *p != '\0'; p++)
    {
      if (!g_ascii_isupper (*p) && !g_ascii_isdigit (*p) && *p != '_')
        return FALSE;
    }
  return cap_from_name (name, &value) == 0;
}

static gboolean
validate_linux (BerthPluginConfig *self, GError **error)
{
  for (guint i = 0; self->linux_capabilities != NULL && self->linux_capabilities[i] != NULL; i++)
    {
      const gchar *name = self->linux_capabilities[i];
      g_autofree gchar *field = NULL;
      g_autofree gchar *quoted = NULL;
      g_autofree gchar *upper = NULL;
      g_autofree gchar *suggestion = NULL;

      if (capability_is_known (name))
        continue;
      field = g_strdup_printf ("Linux.Capabilities[%u]", i);
      quoted = berth_go_quote (name);
      upper = g_ascii_strup (name, -1);
      suggestion
        = g_str_has_prefix (upper, "CAP_") ? g_strdup (upper) : g_strconcat ("CAP_", upper, NULL);
      if (capability_is_known (suggestion))
        return berth_plugin_field_error (error, field, "unknown capability %s; did you mean %s?",
                                         quoted, suggestion);
      return berth_plugin_field_error (error, field, "unknown capability %s", quoted);
    }
  for (guint i = 0; self->linux_devices != NULL && i < self->linux_devices->len; i++)
    {
      BerthPluginDevice *device = g_ptr_array_index (self->linux_devices, i);
      g_autofree gchar *path = g_strdup_printf ("Linux.Devices[%u].Path", i);
      g_autofree gchar *settable = g_strdup_printf ("Linux.Devices[%u].Settable", i);

      if (device->path != NULL)
        {
          g_autofree gchar *quoted = berth_go_quote (device->path);
          if (!validate_absolute_path (device->path, path, error))
            return FALSE;
          if (!g_str_has_prefix (device->path, "/dev/") || device->path[5] == '\0')
            return berth_plugin_field_error (error, path, "%s is not a path under /dev/", quoted);
        }
      if (!validate_settable (device->settable, "path", "device", device->name, settable, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * berth_plugin_config_validate:
 * @self: a #BerthPluginConfig
 * @socket_dir: (nullable): the host directory the plugin's socket will be
 *   in, such as `/run/berth/plugins/<id>`, or %NULL not to check the length
 *   of the socket path
 * @error: return location for a #GError
 *
 * Checks what berth needs of a plugin before it creates or installs it;
 * Docker checks almost none of this and fails later, at enable time or in
 * the OCI runtime. The error (%BERTH_ERROR_INVALID_ARGUMENT) starts with the
 * field, e.g. `Mounts[1].Destination: "mnt" is not an absolute path`.
 *
 * - `Interface.Socket`: required; a plain file name whose host path fits
 *   in `sun_path` (107 bytes)
 * - `Interface.Types[]`: `docker.<capability>/<version>` with a capability
 *   Docker knows
 * - `Entrypoint`: required, the first element an absolute path;
 *   `WorkDir` absolute if set
 * - `Env[].Name`: required, without `=`
 * - `Network.Type`: "", `host`, `none` or `bridge` (bridge is a private
 *   network namespace, as in Docker)
 * - `Mounts[].Destination`: required, absolute, no `..`; `Mounts[].Type`:
 *   "", `bind`, `none`, `tmpfs`, `proc`, `sysfs`, `devpts`, `mqueue`,
 *   `cgroup` or `cgroup2`
 * - `PropagatedMount`: absolute, no `..`, if set
 * - `Linux.Capabilities[]`: names libcap knows, spelled `CAP_…`
 * - `Linux.Devices[].Path`: under `/dev/`, no `..`, unless null
 * - `Settable` lists only `value` (env, args), `source` (mounts) or `path`
 *   (devices)
 * - `rootfs.type`: `layers` if set
 *
 * Returns: %TRUE if berth can run the plugin as configured
 */
gboolean
berth_plugin_config_validate (BerthPluginConfig *self, const gchar *socket_dir, GError **error)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), FALSE);

  if (!validate_interface (self, socket_dir, error))
    return FALSE;
  if (!validate_process (self, error))
    return FALSE;
  if (!validate_mounts (self, error))
    return FALSE;
  if (!validate_linux (self, error))
    return FALSE;
  if (self->has_rootfs && self->rootfs_type[0] != '\0'
      && g_strcmp0 (self->rootfs_type, "layers") != 0)
    {
      g_autofree gchar *quoted = berth_go_quote (self->rootfs_type);
      return berth_plugin_field_error (error, "rootfs.type", "%s is not \"layers\"", quoted);
    }
  return TRUE;
}

/* ---- the object ---- */

static void
berth_plugin_config_finalize (GObject *object)
{
  berth_plugin_json_clear (config_fields, object);
  G_OBJECT_CLASS (berth_plugin_config_parent_class)->finalize (object);
}

static void
berth_plugin_config_class_init (BerthPluginConfigClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = berth_plugin_config_finalize;
}

static void
berth_plugin_config_init (BerthPluginConfig *self)
{
  berth_plugin_json_init (config_fields, self);
}

static BerthPluginConfig *
config_new_from_node (BerthPluginJsonReader *reader, JsonNode *node, GError **error)
{
  g_autoptr(BerthPluginConfig) self = g_object_new (BERTH_TYPE_PLUGIN_CONFIG, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "the plugin configuration is not a JSON object");
      return NULL;
    }
  if (!berth_plugin_json_read (reader, node, NULL, config_fields, self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * berth_plugin_config_new_from_data:
 * @data: the text of a config.json
 * @length: its length, or -1 if NUL-terminated
 * @error: return location for a #GError
 *
 * Reads a config.json as dockerd does (see #BerthPluginConfig). It is not
 * validated: call berth_plugin_config_validate() for that.
 *
 * Malformed JSON gives an error starting `<line>:<column>: `; a value of
 * the wrong type gives one starting with its field, such as
 * `Interface.Types: expected an array of strings`.
 *
 * Returns: (transfer full): a new #BerthPluginConfig, or %NULL with @error set
 */
BerthPluginConfig *
berth_plugin_config_new_from_data (const gchar *data, gssize length, GError **error)
{
  g_autoptr(BerthPluginJsonReader) reader = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  root = berth_plugin_json_parse (data != NULL ? data : "", length, &reader, error);
  if (root == NULL)
    return NULL;
  return config_new_from_node (reader, root, error);
}

/**
 * berth_plugin_config_new_from_bytes:
 * @bytes: the content of a config.json or a config blob
 * @error: return location for a #GError
 *
 * Like berth_plugin_config_new_from_data().
 *
 * Returns: (transfer full): a new #BerthPluginConfig, or %NULL with @error set
 */
BerthPluginConfig *
berth_plugin_config_new_from_bytes (GBytes *bytes, GError **error)
{
  gsize length = 0;
  const gchar *data;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &length);
  return berth_plugin_config_new_from_data (data != NULL ? data : "", length, error);
}

/**
 * berth_plugin_config_new_from_json_node:
 * @node: a JSON object, e.g. the `Config` of a stored plugin record
 * @error: return location for a #GError
 *
 * Reads a config from a parsed tree, with the same rules as
 * berth_plugin_config_new_from_data() (repeated keys aside, which a tree no
 * longer has).
 *
 * Returns: (transfer full): a new #BerthPluginConfig, or %NULL with @error set
 */
BerthPluginConfig *
berth_plugin_config_new_from_json_node (JsonNode *node, GError **error)
{
  return config_new_from_node (NULL, node, error);
}

/**
 * berth_plugin_config_to_json_node:
 * @self: a #BerthPluginConfig
 *
 * Builds the `Config` object of `docker plugin inspect`, key for key: Go
 * struct order, `null` for unset lists, `"User": {}` without UID and GID,
 * `ProtocolScheme`, `DockerVersion` and `rootfs` only when set.
 *
 * Returns: (transfer full): a JSON object
 */
JsonNode *
berth_plugin_config_to_json_node (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return berth_plugin_json_write (config_fields, self);
}

/**
 * berth_plugin_config_to_blob:
 * @self: a #BerthPluginConfig
 *
 * Serialises the config as dockerd stores and pushes it: compact JSON and
 * a newline. A config blob read from Docker comes out byte for byte the same
 * (and so with the same digest), `<`, `>` and `&` escaped as Docker's
 * encoder escapes them.
 *
 * Returns: (transfer full): the blob
 */
GBytes *
berth_plugin_config_to_blob (BerthPluginConfig *self)
{
  g_autoptr(JsonNode) node = NULL;
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);

  node = berth_plugin_config_to_json_node (self);
  berth_json_append (out, node, BERTH_JSON_ESCAPE_HTML);
  g_string_append_c (out, '\n');
  return g_string_free_to_bytes (out);
}

/**
 * berth_plugin_config_set_rootfs:
 * @self: a #BerthPluginConfig
 * @diff_ids: (array zero-terminated=1): the layer digests
 *
 * Sets `rootfs` to `{"type": "layers", "diff_ids": @diff_ids}`, as dockerd
 * does on `create`.
 */
void
berth_plugin_config_set_rootfs (BerthPluginConfig *self, const gchar *const *diff_ids)
{
  g_return_if_fail (BERTH_IS_PLUGIN_CONFIG (self));

  self->has_rootfs = TRUE;
  g_free (self->rootfs_type);
  self->rootfs_type = g_strdup ("layers");
  g_strfreev (self->rootfs_diff_ids);
  self->rootfs_diff_ids = g_strdupv ((gchar **)diff_ids);
}

/* ---- getters ---- */

/**
 * berth_plugin_config_get_description:
 * @self: a #BerthPluginConfig
 *
 * Returns: `Description`, or ""
 */
const gchar *
berth_plugin_config_get_description (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return self->description;
}

/**
 * berth_plugin_config_get_documentation:
 * @self: a #BerthPluginConfig
 *
 * Returns: `Documentation`, or ""
 */
const gchar *
berth_plugin_config_get_documentation (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return self->documentation;
}

/**
 * berth_plugin_config_get_entrypoint:
 * @self: a #BerthPluginConfig
 *
 * Returns: (nullable) (array zero-terminated=1): `Entrypoint`
 */
const gchar *const *
berth_plugin_config_get_entrypoint (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return (const gchar *const *)self->entrypoint;
}

/**
 * berth_plugin_config_get_workdir:
 * @self: a #BerthPluginConfig
 *
 * Returns: `WorkDir`, or "" (meaning `/`)
 */
const gchar *
berth_plugin_config_get_workdir (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return self->workdir;
}

/**
 * berth_plugin_config_get_uid:
 * @self: a #BerthPluginConfig
 *
 * Returns: `User.UID` (stored, but Docker never applies it)
 */
guint32
berth_plugin_config_get_uid (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), 0);
  return self->user_uid;
}

/**
 * berth_plugin_config_get_gid:
 * @self: a #BerthPluginConfig
 *
 * Returns: `User.GID` (stored, but Docker never applies it)
 */
guint32
berth_plugin_config_get_gid (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), 0);
  return self->user_gid;
}

/**
 * berth_plugin_config_get_network_type:
 * @self: a #BerthPluginConfig
 *
 * Returns: `Network.Type`, or ""
 */
const gchar *
berth_plugin_config_get_network_type (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return self->network_type;
}

/**
 * berth_plugin_config_get_interface_types:
 * @self: a #BerthPluginConfig
 *
 * Returns: (nullable) (array zero-terminated=1): `Interface.Types`
 */
const gchar *const *
berth_plugin_config_get_interface_types (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return (const gchar *const *)self->interface_types;
}

/**
 * berth_plugin_config_get_interface_socket:
 * @self: a #BerthPluginConfig
 *
 * Returns: `Interface.Socket`, or ""
 */
const gchar *
berth_plugin_config_get_interface_socket (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return self->interface_socket;
}

/**
 * berth_plugin_config_get_interface_protocol_scheme:
 * @self: a #BerthPluginConfig
 *
 * Returns: `Interface.ProtocolScheme`, or "" (meaning `moby.plugins.http/v1`)
 */
const gchar *
berth_plugin_config_get_interface_protocol_scheme (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return self->interface_protocol_scheme;
}

/**
 * berth_plugin_config_get_mounts:
 * @self: a #BerthPluginConfig
 *
 * Returns: (nullable) (transfer none) (element-type BerthPluginMount): `Mounts` as configured; the
 * plugin runs with berth_plugin_settings_get_mounts()
 */
GPtrArray *
berth_plugin_config_get_mounts (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return self->mounts;
}

/**
 * berth_plugin_config_get_propagated_mount:
 * @self: a #BerthPluginConfig
 *
 * Returns: `PropagatedMount`, or ""
 */
const gchar *
berth_plugin_config_get_propagated_mount (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return self->propagated_mount;
}

/**
 * berth_plugin_config_get_ipc_host:
 * @self: a #BerthPluginConfig
 *
 * Returns: `IpcHost`
 */
gboolean
berth_plugin_config_get_ipc_host (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), FALSE);
  return self->ipc_host;
}

/**
 * berth_plugin_config_get_pid_host:
 * @self: a #BerthPluginConfig
 *
 * Returns: `PidHost`
 */
gboolean
berth_plugin_config_get_pid_host (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), FALSE);
  return self->pid_host;
}

/**
 * berth_plugin_config_get_env:
 * @self: a #BerthPluginConfig
 *
 * Returns: (nullable) (transfer none) (element-type BerthPluginEnv): `Env` as configured; the
 * plugin runs with berth_plugin_settings_get_env()
 */
GPtrArray *
berth_plugin_config_get_env (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return self->env;
}

/**
 * berth_plugin_config_get_args:
 * @self: a #BerthPluginConfig
 *
 * Returns: (transfer none): `Args` as configured; the plugin runs with
 * berth_plugin_settings_get_args()
 */
const BerthPluginArgs *
berth_plugin_config_get_args (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return &self->args;
}

/**
 * berth_plugin_config_get_capabilities:
 * @self: a #BerthPluginConfig
 *
 * Returns: (nullable) (array zero-terminated=1): `Linux.Capabilities`
 */
const gchar *const *
berth_plugin_config_get_capabilities (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return (const gchar *const *)self->linux_capabilities;
}

/**
 * berth_plugin_config_get_allow_all_devices:
 * @self: a #BerthPluginConfig
 *
 * Returns: `Linux.AllowAllDevices`
 */
gboolean
berth_plugin_config_get_allow_all_devices (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), FALSE);
  return self->linux_allow_all_devices;
}

/**
 * berth_plugin_config_get_devices:
 * @self: a #BerthPluginConfig
 *
 * Returns: (nullable) (transfer none) (element-type BerthPluginDevice): `Linux.Devices` as
 * configured; the plugin runs with berth_plugin_settings_get_devices()
 */
GPtrArray *
berth_plugin_config_get_devices (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return self->linux_devices;
}

/**
 * berth_plugin_config_get_rootfs_type:
 * @self: a #BerthPluginConfig
 *
 * Returns: `rootfs.type`, or ""
 */
const gchar *
berth_plugin_config_get_rootfs_type (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return self->rootfs_type;
}

/**
 * berth_plugin_config_get_rootfs_diff_ids:
 * @self: a #BerthPluginConfig
 *
 * Returns: (nullable) (array zero-terminated=1): `rootfs.diff_ids`
 */
const gchar *const *
berth_plugin_config_get_rootfs_diff_ids (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return (const gchar *const *)self->rootfs_diff_ids;
}

/**
 * berth_plugin_config_get_docker_version:
 * @self: a #BerthPluginConfig
 *
 * Returns: `DockerVersion`, or ""
 */
const gchar *
berth_plugin_config_get_docker_version (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), NULL);
  return self->docker_version;
}

/**
 * berth_plugin_config_has_rootfs:
 * @self: a #BerthPluginConfig
 *
 * Returns: whether the config has a `rootfs` object
 */
gboolean
berth_plugin_config_has_rootfs (BerthPluginConfig *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (self), FALSE);
  return self->has_rootfs;
}
