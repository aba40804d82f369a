/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <string.h>

#include "berth-error.h"
#include "berth-plugin-json-private.h"
#include "berth-plugin-settings.h"

/**
 * BerthPluginSettings:
 *
 * What a plugin runs with: the `Settings` of `docker plugin inspect`
 * (`Args`, `Devices`, `Env`, `Mounts`). They start as the defaults of the
 * config (Docker's `InitEmptySettings`) and change with `docker plugin set`.
 *
 * Unlike Docker, berth keeps every value a user sets here and only here.
 * Docker writes mount sources and device paths into the *config* and shares
 * them with the settings only until the daemon restarts, so after a restart
 * a device `set` does nothing and an upgrade (which replaces the config)
 * forgets mount `set`s. In berth the config stays as the plugin shipped it,
 * the OCI spec is built from the settings, and the settings survive restarts
 * (they are stored with the plugin) and upgrades
 * (berth_plugin_settings_new_for_upgrade()).
 */
struct _BerthPluginSettings
{
  GObject parent_instance;
  gchar **args;
  GPtrArray *devices;
  gchar **env;
  GPtrArray *mounts;
};

G_DEFINE_TYPE (BerthPluginSettings, berth_plugin_settings, G_TYPE_OBJECT)

/* Go's PluginSettings, in struct order */
static const BerthPluginJsonField settings_fields[] = {
  FIELD ("Args", STRV, BerthPluginSettings, args),
  FIELD_ARRAY ("Devices", BerthPluginSettings, devices, &berth_plugin_json_device_element),
  FIELD ("Env", STRV, BerthPluginSettings, env),
  FIELD_ARRAY ("Mounts", BerthPluginSettings, mounts, &berth_plugin_json_mount_element),
  FIELD_END,
};

#define SET_ERROR_FORMAT "invalid format, must be <name>[.<field>][=<value>]"

/* the lists are never null, as InitEmptySettings allocates them all */
static void
ensure_lists (BerthPluginSettings *self)
{
  if (self->args == NULL)
    self->args = g_new0 (gchar *, 1);
  if (self->env == NULL)
    self->env = g_new0 (gchar *, 1);
  if (self->devices == NULL)
    self->devices = g_ptr_array_new_with_free_func (berth_plugin_json_device_element.free_func);
  if (self->mounts == NULL)
    self->mounts = g_ptr_array_new_with_free_func (berth_plugin_json_mount_element.free_func);
}

static void
berth_plugin_settings_finalize (GObject *object)
{
  berth_plugin_json_clear (settings_fields, object);
  G_OBJECT_CLASS (berth_plugin_settings_parent_class)->finalize (object);
}

static void
berth_plugin_settings_class_init (BerthPluginSettingsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = berth_plugin_settings_finalize;
}

static void
berth_plugin_settings_init (BerthPluginSettings *self)
{
  ensure_lists (self);
}

/**
 * berth_plugin_settings_new:
 * @config: a #BerthPluginConfig
 *
 * Initialises settings from @config as dockerd does on pull and create:
 * copies of `Mounts` and `Linux.Devices`, `NAME=VALUE` for each `Env` entry
 * with a value (in order), and a copy of `Args.Value`.
 *
 * Returns: (transfer full): new settings
 */
BerthPluginSettings *
berth_plugin_settings_new (BerthPluginConfig *config)
{
  BerthPluginSettings *self;
  GPtrArray *env;
  GPtrArray *mounts;
  GPtrArray *devices;
  const BerthPluginArgs *args;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (config), NULL);

  self = g_object_new (BERTH_TYPE_PLUGIN_SETTINGS, NULL);
  mounts = berth_plugin_config_get_mounts (config);
  if (mounts != NULL)
    {
      g_ptr_array_unref (self->mounts);
      self->mounts = berth_plugin_json_array_copy (&berth_plugin_json_mount_element, mounts);
    }
  devices = berth_plugin_config_get_devices (config);
  if (devices != NULL)
    {
      g_ptr_array_unref (self->devices);
      self->devices = berth_plugin_json_array_copy (&berth_plugin_json_device_element, devices);
    }
  env = berth_plugin_config_get_env (config);
  for (guint i = 0; env != NULL && i < env->len; i++)
    {
      BerthPluginEnv *entry = g_ptr_array_index (env, i);
      g_autofree gchar *assignment = NULL;
      if (entry->value == NULL)
        continue;
      assignment = g_strdup_printf ("%s=%s", entry->name, entry->value);
      g_strv_builder_add (builder, assignment);
    }
  g_strfreev (self->env);
  self->env = g_strv_builder_end (builder);
  args = berth_plugin_config_get_args (config);
  if (args->value != NULL)
    {
      g_strfreev (self->args);
      self->args = g_strdupv (args->value);
    }
  return self;
}

/**
 * berth_plugin_settings_new_from_json_node:
 * @node: the `Settings` object of a stored plugin record, as
 *   berth_plugin_settings_to_json_node() wrote it (or dockerd did)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the settings, or %NULL with @error set
 */
BerthPluginSettings *
berth_plugin_settings_new_from_json_node (JsonNode *node, GError **error)
{
  g_autoptr(BerthPluginSettings) self = g_object_new (BERTH_TYPE_PLUGIN_SETTINGS, NULL);

  g_return_val_if_fail (node != NULL, NULL);

  if (!berth_plugin_json_read (NULL, node, "Settings", settings_fields, self, error))
    return NULL;
  ensure_lists (self);
  return g_steal_pointer (&self);
}

/**
 * berth_plugin_settings_copy:
 * @self: a #BerthPluginSettings
 *
 * Returns: (transfer full): a deep copy of @self
 */
BerthPluginSettings *
berth_plugin_settings_copy (BerthPluginSettings *self)
{
  BerthPluginSettings *copy;

  g_return_val_if_fail (BERTH_IS_PLUGIN_SETTINGS (self), NULL);

  copy = g_object_new (BERTH_TYPE_PLUGIN_SETTINGS, NULL);
  berth_plugin_json_clear (settings_fields, copy);
  berth_plugin_json_copy (settings_fields, self, copy);
  return copy;
}

/**
 * berth_plugin_settings_to_json_node:
 * @self: a #BerthPluginSettings
 *
 * Builds the `Settings` object of `docker plugin inspect`: `Args`,
 * `Devices`, `Env`, `Mounts`, none of them ever `null`.
 *
 * Returns: (transfer full): a JSON object
 */
JsonNode *
berth_plugin_settings_to_json_node (BerthPluginSettings *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_SETTINGS (self), NULL);
  return berth_plugin_json_write (settings_fields, self);
}

/* ---- set ---- */

static gboolean
strv_has (gchar **strv, const gchar *str)
{
  return strv != NULL && g_strv_contains ((const gchar *const *)strv, str);
}

/* one KEY=VALUE of `docker plugin set`: <name>[.<field>][=<value>] */
typedef struct
{
  gchar *name;
  gchar *field;
  gchar *value;
} Settable;

static void
settable_free (Settable *settable)
{
  g_free (settable->name);
  g_free (settable->field);
  g_free (settable->value);
  g_free (settable);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Settable, settable_free)

static Settable *
settable_parse (const gchar *arg, GError **error)
{
  g_autoptr(Settable) settable = g_new0 (Settable, 1);
  const gchar *equals = strchr (arg, '=');
  gchar *dot;

  if (equals == arg)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, SET_ERROR_FORMAT);
      return NULL;
    }
  settable->name = equals != NULL ? g_strndup (arg, equals - arg) : g_strdup (arg);
  settable->value = g_strdup (equals != NULL ? equals + 1 : "");

  /* the field follows the last dot, unless that dot starts the name */
  dot = strrchr (settable->name, '.');
  if (dot != NULL && dot != settable->name)
    {
      settable->field = g_strdup (dot + 1);
      *dot = '\0';
    }
  else
    settable->field = g_strdup ("");
  return g_steal_pointer (&settable);
}

/* Docker's isSettable: an omitted field defaults to the only settable one
 * (and the error then names it), and the field must be both allowed for the
 * kind of item and listed in its Settable */
static gboolean
settable_check (Settable *settable, const gchar *allowed, gchar **listed, GError **error)
{
  guint n_listed = listed != NULL ? g_strv_length (listed) : 0;
  g_autofree gchar *pretty = NULL;
  g_autofree gchar *quoted = NULL;

  if (settable->field[0] == '\0' && n_listed == 1)
    {
      g_free (settable->field);
      settable->field = g_strdup (listed[0]);
    }
  else if (settable->field[0] == '\0' && n_listed > 1)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "multiple fields are settable, one must be specified");
      return FALSE;
    }
  if (g_strcmp0 (settable->field, allowed) == 0 && strv_has (listed, settable->field))
    return TRUE;
  pretty = settable->field[0] != '\0' ? g_strdup_printf ("%s.%s", settable->name, settable->field)
                                      : g_strdup (settable->name);
  quoted = berth_go_quote (pretty);
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%s is not settable", quoted);
  return FALSE;
}

/* replaces NAME=… in place, keeping the order, or appends it */
static void
update_env (BerthPluginSettings *self, const gchar *name, const gchar *value)
{
  gsize name_len = strlen (name);
  guint n = g_strv_length (self->env);

  for (guint i = 0; i < n; i++)
    {
      const gchar *equals = strchr (self->env[i], '=');
      gsize len = equals != NULL ? (gsize)(equals - self->env[i]) : strlen (self->env[i]);
      if (len == name_len && strncmp (self->env[i], name, len) == 0)
        {
          g_free (self->env[i]);
          self->env[i] = g_strdup_printf ("%s=%s", name, value);
          return;
        }
    }
  self->env = g_renew (gchar *, self->env, n + 2);
  self->env[n] = g_strdup_printf ("%s=%s", name, value);
  self->env[n + 1] = NULL;
}

/* the settings item of config item @index: the same index while the
 * settings follow the config, else the first of that name */
static gpointer
settings_item (GPtrArray *items, guint index, const gchar *name, gsize name_offset)
{
  if (index < items->len
      && g_strcmp0 (G_STRUCT_MEMBER (gchar *, g_ptr_array_index (items, index), name_offset), name)
           == 0)
    return g_ptr_array_index (items, index);
  for (guint i = 0; i < items->len; i++)
    {
      if (g_strcmp0 (G_STRUCT_MEMBER (gchar *, g_ptr_array_index (items, i), name_offset), name)
          == 0)
        return g_ptr_array_index (items, i);
    }
  return NULL;
}

static gboolean
settings_apply (BerthPluginSettings *self,
                BerthPluginConfig *config,
                Settable *settable,
                GError **error)
{
  GPtrArray *env = berth_plugin_config_get_env (config);
  GPtrArray *mounts = berth_plugin_config_get_mounts (config);
  GPtrArray *devices = berth_plugin_config_get_devices (config);
  const BerthPluginArgs *args = berth_plugin_config_get_args (config);
  g_autofree gchar *quoted = NULL;

  /* the lookup order is Docker's: env, mounts, devices, args; the first
   * item of that name wins */
  for (guint i = 0; env != NULL && i < env->len; i++)
    {
      BerthPluginEnv *entry = g_ptr_array_index (env, i);
      if (g_strcmp0 (entry->name, settable->name) != 0)
        continue;
      if (!settable_check (settable, "value", entry->settable, error))
        return FALSE;
      update_env (self, settable->name, settable->value);
      return TRUE;
    }
  for (guint i = 0; mounts != NULL && i < mounts->len; i++)
    {
      BerthPluginMount *mount = g_ptr_array_index (mounts, i);
      BerthPluginMount *target;
      if (g_strcmp0 (mount->name, settable->name) != 0)
        continue;
      if (!settable_check (settable, "source", mount->settable, error))
        return FALSE;
      if (mount->source == NULL)
        {
          g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "plugin config has no mount source");
          return FALSE;
        }
      target
        = settings_item (self->mounts, i, mount->name, G_STRUCT_OFFSET (BerthPluginMount, name));
      if (target == NULL)
        {
          quoted = berth_go_quote (mount->name);
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "plugin settings have no mount %s",
                       quoted);
          return FALSE;
        }
      g_free (target->source);
      target->source = g_strdup (settable->value);
      return TRUE;
    }
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      BerthPluginDevice *device = g_ptr_array_index (devices, i);
      BerthPluginDevice *target;
      if (g_strcmp0 (device->name, settable->name) != 0)
        continue;
      if (!settable_check (settable, "path", device->settable, error))
        return FALSE;
      if (device->path == NULL)
        {
          g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "plugin config has no device path");
          return FALSE;
        }
      target
        = settings_item (self->devices, i, device->name, G_STRUCT_OFFSET (BerthPluginDevice, name));
      if (target == NULL)
        {
          quoted = berth_go_quote (device->name);
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "plugin settings have no device %s",
                       quoted);
          return FALSE;
        }
      g_free (target->path);
      target->path = g_strdup (settable->value);
      return TRUE;
    }
  if (g_strcmp0 (args->name, settable->name) == 0)
    {
      if (!settable_check (settable, "value", args->settable, error))
        return FALSE;
      g_strfreev (self->args);
      self->args = berth_plugin_go_split (settable->value, " ");
      return TRUE;
    }
  quoted = berth_go_quote (settable->name);
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
               "setting %s not found in the plugin configuration", quoted);
  return FALSE;
}

static void
settings_swap (BerthPluginSettings *a, BerthPluginSettings *b)
{
  gchar **args = a->args;
  GPtrArray *devices = a->devices;
  gchar **env = a->env;
  GPtrArray *mounts = a->mounts;

  a->args = b->args;
  a->devices = b->devices;
  a->env = b->env;
  a->mounts = b->mounts;
  b->args = args;
  b->devices = devices;
  b->env = env;
  b->mounts = mounts;
}

/**
 * berth_plugin_settings_set:
 * @self: a #BerthPluginSettings
 * @config: the plugin's config, which says what is settable
 * @args: (array zero-terminated=1): `KEY=VALUE` strings, as given to
 *   `docker plugin set`
 * @error: return location for a #GError
 *
 * Applies `docker plugin set` with Docker's grammar
 * (`<name>[.<field>][=<value>]`, field after the last dot, no `=` meaning
 * an empty value), lookup order (env, mounts, devices, args) and error
 * messages, e.g. `setting "FOO" not found in the plugin configuration` or
 * `"DEBUG" is not settable` (%BERTH_ERROR_INVALID_ARGUMENT).
 *
 * Unlike Docker, which applies the arguments before a failing one, this
 * applies all of @args or none. Mount sources and device paths change in
 * @self only, never in @config. Whether the plugin is disabled is the
 * caller's business.
 *
 * Returns: %TRUE if every argument was applied
 */
gboolean
berth_plugin_settings_set (BerthPluginSettings *self,
                           BerthPluginConfig *config,
                           const gchar *const *args,
                           GError **error)
{
  g_autoptr(GPtrArray) settables = g_ptr_array_new_with_free_func ((GDestroyNotify)settable_free);
  g_autoptr(BerthPluginSettings) copy = NULL;

  g_return_val_if_fail (BERTH_IS_PLUGIN_SETTINGS (self), FALSE);
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (config), FALSE);

  /* Docker parses every argument before it applies any */
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    {
      Settable *settable = settable_parse (args[i], error);
      if (settable == NULL)
        return FALSE;
      g_ptr_array_add (settables, settable);
    }
  copy = berth_plugin_settings_copy (self);
  for (guint i = 0; i < settables->len; i++)
    {
      if (!settings_apply (copy, config, g_ptr_array_index (settables, i), error))
        return FALSE;
    }
  settings_swap (self, copy);
  return TRUE;
}

/* ---- upgrade ---- */

static const gchar *
env_find (gchar **env, const gchar *name)
{
  gsize name_len = strlen (name);

  for (guint i = 0; env[i] != NULL; i++)
    {
      if (strncmp (env[i], name, name_len) == 0 && env[i][name_len] == '=')
        return env[i];
    }
  return NULL;
}

static gboolean
new_env_is_settable (BerthPluginConfig *config, const gchar *name)
{
  GPtrArray *env = berth_plugin_config_get_env (config);

  for (guint i = 0; env != NULL && i < env->len; i++)
    {
      BerthPluginEnv *entry = g_ptr_array_index (env, i);
      if (g_strcmp0 (entry->name, name) == 0)
        return strv_has (entry->settable, "value");
    }
  return FALSE;
}

/* the index of the first config mount of that name whose source can be set */
static gint
new_mount_index (BerthPluginConfig *config, const gchar *name)
{
  GPtrArray *mounts = berth_plugin_config_get_mounts (config);

  for (guint i = 0; mounts != NULL && i < mounts->len; i++)
    {
      BerthPluginMount *mount = g_ptr_array_index (mounts, i);
      if (g_strcmp0 (mount->name, name) == 0)
        return strv_has (mount->settable, "source") && mount->source != NULL ? (gint)i : -1;
    }
  return -1;
}

static gint
new_device_index (BerthPluginConfig *config, const gchar *name)
{
  GPtrArray *devices = berth_plugin_config_get_devices (config);

  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      BerthPluginDevice *device = g_ptr_array_index (devices, i);
      if (g_strcmp0 (device->name, name) == 0)
        return strv_has (device->settable, "path") && device->path != NULL ? (gint)i : -1;
    }
  return -1;
}

/**
 * berth_plugin_settings_new_for_upgrade:
 * @old_settings: the settings the plugin had
 * @old_config: the config it had
 * @new_config: the config of the new version
 *
 * Carries the user's settings over an upgrade: starts from the defaults of
 * @new_config and keeps each value of @old_settings that differs from the
 * default of @old_config (so was `set`), if @new_config still has a named
 * item of that kind and name that `set` could change. New defaults win
 * where the user kept the old default. (Docker keeps the old settings
 * wholesale and loses mount `set`s.)
 *
 * Returns: (transfer full): the settings for the upgraded plugin
 */
BerthPluginSettings *
berth_plugin_settings_new_for_upgrade (BerthPluginSettings *old_settings,
                                       BerthPluginConfig *old_config,
                                       BerthPluginConfig *new_config)
{
  g_autoptr(BerthPluginSettings) defaults = NULL;
  BerthPluginSettings *self;
  const BerthPluginArgs *old_args;
  const BerthPluginArgs *new_args;

  g_return_val_if_fail (BERTH_IS_PLUGIN_SETTINGS (old_settings), NULL);
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (old_config), NULL);
  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (new_config), NULL);

  defaults = berth_plugin_settings_new (old_config);
  self = berth_plugin_settings_new (new_config);
  for (guint i = 0; old_settings->env[i] != NULL; i++)
    {
      const gchar *entry = old_settings->env[i];
      const gchar *equals = strchr (entry, '=');
      g_autofree gchar *name = NULL;

      if (equals == NULL || equals == entry)
        continue;
      name = g_strndup (entry, equals - entry);
      if (g_strcmp0 (env_find (defaults->env, name), entry) == 0)
        continue;
      if (new_env_is_settable (new_config, name))
        update_env (self, name, equals + 1);
    }

  old_args = berth_plugin_config_get_args (old_config);
  new_args = berth_plugin_config_get_args (new_config);
  if (!berth_plugin_strv_equal ((const gchar *const *)old_settings->args,
                                (const gchar *const *)defaults->args)
      && new_args->name[0] != '\0' && g_strcmp0 (old_args->name, new_args->name) == 0
      && strv_has (new_args->settable, "value"))
    {
      g_strfreev (self->args);
      self->args = g_strdupv (old_settings->args);
    }

  for (guint i = 0; i < old_settings->mounts->len; i++)
    {
      BerthPluginMount *mount = g_ptr_array_index (old_settings->mounts, i);
      BerthPluginMount *old_default;
      BerthPluginMount *target;
      gint index;

      if (mount->name[0] == '\0')
        continue;
      old_default = settings_item (defaults->mounts, i, mount->name,
                                   G_STRUCT_OFFSET (BerthPluginMount, name));
      if (old_default != NULL && g_strcmp0 (old_default->source, mount->source) == 0)
        continue;
      index = new_mount_index (new_config, mount->name);
      if (index < 0)
        continue;
      target = settings_item (self->mounts, index, mount->name,
                              G_STRUCT_OFFSET (BerthPluginMount, name));
      g_free (target->source);
      target->source = g_strdup (mount->source);
    }

  for (guint i = 0; i < old_settings->devices->len; i++)
    {
      BerthPluginDevice *device = g_ptr_array_index (old_settings->devices, i);
      BerthPluginDevice *old_default;
      BerthPluginDevice *target;
      gint index;

      if (device->name[0] == '\0')
        continue;
      old_default = settings_item (defaults->devices, i, device->name,
                                   G_STRUCT_OFFSET (BerthPluginDevice, name));
      if (old_default != NULL && g_strcmp0 (old_default->path, device->path) == 0)
        continue;
      index = new_device_index (new_config, device->name);
      if (index < 0)
        continue;
      target = settings_item (self->devices, index, device->name,
                              G_STRUCT_OFFSET (BerthPluginDevice, name));
      g_free (target->path);
      target->path = g_strdup (device->path);
    }
  return self;
}

/* ---- getters ---- */

/**
 * berth_plugin_settings_get_env:
 * @self: a #BerthPluginSettings
 *
 * Returns: (array zero-terminated=1): the `NAME=VALUE` environment the
 *   plugin runs with (after `PATH`), never %NULL
 */
const gchar *const *
berth_plugin_settings_get_env (BerthPluginSettings *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_SETTINGS (self), NULL);
  return (const gchar *const *)self->env;
}

/**
 * berth_plugin_settings_get_args:
 * @self: a #BerthPluginSettings
 *
 * Returns: (array zero-terminated=1): the arguments appended to the
 *   entrypoint, never %NULL
 */
const gchar *const *
berth_plugin_settings_get_args (BerthPluginSettings *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_SETTINGS (self), NULL);
  return (const gchar *const *)self->args;
}

/**
 * berth_plugin_settings_get_mounts:
 * @self: a #BerthPluginSettings
 *
 * Returns: (transfer none) (element-type BerthPluginMount): the mounts the
 *   plugin runs with, sources as set, never %NULL
 */
GPtrArray *
berth_plugin_settings_get_mounts (BerthPluginSettings *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_SETTINGS (self), NULL);
  return self->mounts;
}

/**
 * berth_plugin_settings_get_devices:
 * @self: a #BerthPluginSettings
 *
 * Returns: (transfer none) (element-type BerthPluginDevice): the devices the
 *   plugin gets, paths as set, never %NULL
 */
GPtrArray *
berth_plugin_settings_get_devices (BerthPluginSettings *self)
{
  g_return_val_if_fail (BERTH_IS_PLUGIN_SETTINGS (self), NULL);
  return self->devices;
}
