/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthEngine"

#include "config.h"

#include "berth-engine-private.h"

/* Plugins from and to registries: privileges, install, push. The transport
 * module moves the bytes; this decides what they become. Unlike docker,
 * whose privileges call answers `[]` on any registry error, every error of
 * the registry reaches the user. */

static BerthTransport *
engine_transport (BerthEngine *self)
{
  return (BerthTransport *)berth_modules_get_active (self->modules,
                                                     BERTH_EXTENSION_POINT_TRANSPORT);
}

/* `docker.io/vieux/sshfs:latest`: the reference as docker records it */
static gchar *
full_reference (const gchar *remote, GError **error)
{
  g_autoptr(BerthReference) ref = berth_reference_parse (remote, error);
  g_autoptr(BerthReference) tagged = NULL;

  if (ref == NULL)
    return NULL;
  tagged = berth_reference_with_default_tag (ref);
  return berth_reference_to_string (tagged);
}

static GVariant *
privileges_variant (GPtrArray *privileges)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssas)"));
  for (guint i = 0; privileges != NULL && i < privileges->len; i++)
    {
      BerthPluginPrivilege *p = privileges->pdata[i];
      g_variant_builder_add (&builder, "(ss^as)", p->name, p->description,
                             p->value != NULL ? p->value : (gchar *[]){ NULL });
    }
  return g_variant_builder_end (&builder);
}

static GPtrArray *
privileges_from_variant (GVariant *value)
{
  GPtrArray *privileges
    = g_ptr_array_new_with_free_func ((GDestroyNotify)berth_plugin_privilege_free);
  GVariantIter iter;
  const gchar *name, *description;
  g_autofree const gchar **values = NULL;

  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "(&s&s^a&s)", &name, &description, &values))
    {
      g_ptr_array_add (privileges, berth_plugin_privilege_new (name, description, values));
      g_clear_pointer (&values, g_free);
    }
  return privileges;
}

typedef struct
{
  gchar *remote;
  gchar *name;
  GVariant *privileges;
  GStrv settings;
  gboolean disable;
  gchar *upgrade_id; /* an upgrade of this plugin, not an install */
  BerthRegistryManifest *manifest;
  BerthPluginConfig *config;
  BerthPlugin *plugin;
  BerthJob *job; /* nullable: who hears the progress */
  BerthEngine *engine;
  /* content stored and not yet recorded: a collection meanwhile keeps it */
  BerthHeldRoots *held;
} InstallData;

/* an install or upgrade failed: what it stored (blobs of a pull cut short,
 * a layer refused) goes now, not at some later removal */
static void
forget_failed_content (BerthEngine *self, InstallData *data)
{
  berth_held_roots_release (data->held);
  berth_engine_collect_garbage (self);
}

static InstallData *
install_data_new (BerthEngine *engine)
{
  InstallData *data = g_new0 (InstallData, 1);
  data->engine = g_object_ref (engine);
  data->held = berth_held_roots_new (engine);
  return data;
}

static void
install_data_free (InstallData *data)
{
  berth_held_roots_free (data->held);
  g_object_unref (data->engine);
  g_free (data->remote);
  g_free (data->name);
  g_free (data->upgrade_id);
  g_clear_pointer (&data->privileges, g_variant_unref);
  g_strfreev (data->settings);
  g_clear_pointer (&data->manifest, berth_registry_manifest_unref);
  g_clear_object (&data->config);
  g_clear_object (&data->plugin);
  g_clear_pointer (&data->job, berth_job_unref);
  g_free (data);
}

/* ---- privileges -------------------------------------------------------- */

/* The manifest a Privileges call resolved is kept a minute for the Install
 * or Upgrade that follows it: what is installed is what the user was shown,
 * even if the tag moves meanwhile (docker resolves twice), and the registry
 * is asked once. */
#define RESOLVED_TTL_US (60 * G_USEC_PER_SEC)
#define RESOLVED_MAX    16

typedef struct
{
  BerthRegistryManifest *manifest;
  gint64 when;
} Resolved;

static void
resolved_free (Resolved *r)
{
  berth_registry_manifest_unref (r->manifest);
  g_free (r);
}

void
berth_engine_registry_init (BerthEngine *self)
{
  self->resolved
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)resolved_free);
}

void
berth_engine_registry_finalize (BerthEngine *self)
{
  g_hash_table_unref (self->resolved);
}

static void
remember_resolved (BerthEngine *self, const gchar *remote, BerthRegistryManifest *manifest)
{
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  Resolved *r;

  g_hash_table_iter_init (&iter, self->resolved);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&r))
    if (now - r->when > RESOLVED_TTL_US)
      g_hash_table_iter_remove (&iter);
  if (g_hash_table_size (self->resolved) >= RESOLVED_MAX)
    return;
  r = g_new0 (Resolved, 1);
  r->manifest = berth_registry_manifest_ref (manifest);
  r->when = now;
  g_hash_table_replace (self->resolved, g_strdup (remote), r);
}

/* (transfer full) (nullable): what Privileges resolved for @remote lately */
static BerthRegistryManifest *
take_resolved (BerthEngine *self, const gchar *remote)
{
  Resolved *r = g_hash_table_lookup (self->resolved, remote);
  BerthRegistryManifest *manifest = NULL;

  if (r != NULL && g_get_monotonic_time () - r->when <= RESOLVED_TTL_US)
    manifest = berth_registry_manifest_ref (r->manifest);
  g_hash_table_remove (self->resolved, remote);
  return manifest;
}

static void
on_privileges_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  InstallData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthRegistryManifest) manifest
             = berth_transport_resolve_finish (BERTH_TRANSPORT (source), result, &error);
  g_autoptr(BerthPluginConfig) config = NULL;
  g_autoptr(GPtrArray) privileges = NULL;
  GBytes *bytes;

  if (manifest == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  bytes = berth_registry_manifest_get_config_bytes (manifest);
  config = bytes != NULL ? berth_plugin_config_new_from_bytes (bytes, &error) : NULL;
  if (config == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "the plugin config of %s: %s", data->remote,
                               error != NULL ? error->message : "missing");
      return;
    }
  privileges = berth_plugin_config_get_privileges (config);
  remember_resolved (data->engine, data->remote, manifest);
  g_task_return_pointer (task,
                         g_variant_ref_sink (g_variant_new ("(s@a(ssas))", data->remote,
                                                            privileges_variant (privileges))),
                         (GDestroyNotify)g_variant_unref);
}

/**
 * berth_engine_plugin_privileges_async:
 * @self: a #BerthEngine
 * @remote: a reference, e.g. `vieux/sshfs`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the privileges
 * @user_data: for @callback
 *
 * Fetches a plugin's manifest and config (storing nothing) and computes
 * the privileges it asks for, in docker's order and words.
 */
void
berth_engine_plugin_privileges_async (BerthEngine *self,
                                      const gchar *remote,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  BerthTransport *transport = engine_transport (self);
  g_autoptr(GError) error = NULL;
  InstallData *data;

  if (transport == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                               "no transport module is loaded: see berth system info");
      return;
    }
  data = install_data_new (self);
  g_task_set_task_data (task, data, (GDestroyNotify)install_data_free);
  data->remote = full_reference (remote, &error);
  if (data->remote == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  berth_transport_resolve_async (transport, data->remote, BERTH_TRANSPORT_FLAGS_PLUGIN, cancellable,
                                 on_privileges_resolved, g_steal_pointer (&task));
}

/**
 * berth_engine_plugin_privileges_finish:
 * @self: a #BerthEngine
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): `(sa(ssas))`: the full reference and the privileges
 */
GVariant *
berth_engine_plugin_privileges_finish (BerthEngine *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- install ----------------------------------------------------------- */

/* docker's first lines: `latest: Pulling from vieux/sshfs`, the digest */
static void
job_pulling (BerthJob *job, const gchar *remote, const gchar *digest)
{
  g_autoptr(BerthReference) ref = berth_reference_parse (remote, NULL);
  g_autofree gchar *name = ref != NULL ? berth_reference_familiar_name (ref) : g_strdup (remote);
  const gchar *tag = ref != NULL ? berth_reference_get_tag (ref) : NULL;

  if (tag != NULL)
    berth_job_message (job, "%s: Pulling from %s", tag, name);
  else
    berth_job_message (job, "Pulling from %s", name);
  berth_job_message (job, "Digest: %s", digest);
}

static void
install_import_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BerthEngine *self = source;
  InstallData *data = task_data;
  g_autoptr(GStrvBuilder) blobsums = g_strv_builder_new ();
  g_auto(GStrv) blob_list = NULL;
  g_autofree gchar *chain_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->storage_lock);

  chain_id = berth_engine_import_layers (self, data->manifest,
                                         berth_plugin_config_get_rootfs_diff_ids (data->config),
                                         data->held, data->job, cancellable, &error);
  if (chain_id == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < berth_registry_manifest_get_n_layers (data->manifest); i++)
    g_strv_builder_add (blobsums, berth_registry_manifest_get_layer (data->manifest, i)->digest);
  blob_list = g_strv_builder_end (blobsums);
  data->plugin = berth_plugin_new ("", data->name, data->remote, data->config, NULL);
  berth_plugin_set_content (
    data->plugin, berth_registry_manifest_get_config (data->manifest)->digest,
    berth_registry_manifest_get_digest (data->manifest), (const gchar *const *)blob_list, chain_id);
  g_task_return_boolean (task, TRUE);
}

static void
on_installed_enabled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  InstallData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPlugin) plugin
             = berth_engine_enable_plugin_finish (BERTH_ENGINE (source), result, &error);

  /* installed, not enabled: say so, and how to go on (docker only says the
   * dial error, and its retry then fails with "already exists") */
  if (plugin == NULL)
    {
      g_prefix_error (&error, "installed %s; it stays disabled: ", data->name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_object_ref (data->plugin), g_object_unref);
}

/* the new content is stored: the plugin takes it, keeping its ID, name,
 * volumes and the settings the user set (new defaults for the rest); its old root file system goes
 * first, so that a crash leaves either the old plugin or the new one */
static void
finish_upgrade (BerthEngine *self, GTask *task, BerthPlugin *imported)
{
  InstallData *data = g_task_get_task_data (task);
  BerthPlugin *plugin = g_hash_table_lookup (self->plugins, data->upgrade_id);
  BerthSnapshotter *snapshotter = berth_engine_snapshotter (self);
  g_autoptr(BerthPluginSettings) settings = NULL;
  g_autoptr(GError) error = NULL;

  if (plugin == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_FOUND,
                               "plugin %s was removed during its upgrade", data->name);
      return;
    }
  if (berth_plugin_get_state (plugin) != BERTH_PLUGIN_STATE_DISABLED)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_ENABLED,
                               "plugin %s was enabled during its upgrade; disable it and upgrade "
                               "again",
                               data->name);
      return;
    }
  if (snapshotter != NULL && !berth_snapshotter_remove (snapshotter, data->upgrade_id, NULL, &error)
      && !g_error_matches (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND))
    {
      g_prefix_error (&error, "upgrading %s: ", data->name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_error (&error);
  settings = berth_plugin_settings_new_for_upgrade (berth_plugin_get_settings (plugin),
                                                    berth_plugin_get_config (plugin), data->config);
  berth_plugin_set_settings (plugin, settings);
  berth_plugin_set_config (plugin, data->config);
  berth_plugin_set_reference (plugin, data->remote);
  berth_plugin_set_content (
    plugin, berth_plugin_get_config_digest (imported), berth_plugin_get_manifest_digest (imported),
    berth_plugin_get_blobsums (imported), berth_plugin_get_chain_id (imported));
  if (!berth_engine_save_plugin (self, plugin, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_signal_emit_by_name (self, "plugin-changed", plugin);
  berth_engine_collect_garbage (self);
  g_task_return_pointer (task, g_object_ref (plugin), g_object_unref);
}

static void
on_imported (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *import = G_TASK (result);
  g_autoptr(GTask) task = user_data;
  BerthEngine *self = BERTH_ENGINE (source);
  InstallData *data = g_task_get_task_data (task);
  InstallData *import_data = g_task_get_task_data (import);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *id = NULL;
  g_autoptr(BerthPlugin) plugin = NULL;

  if (!g_task_propagate_boolean (import, &error))
    {
      berth_held_roots_release (import_data->held);
      forget_failed_content (self, data);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->upgrade_id != NULL)
    {
      finish_upgrade (self, task, import_data->plugin);
      return;
    }
  if (berth_engine_find_plugin_by_name (self, data->name) != NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_ALREADY_EXISTS,
                               "plugin %s already exists", data->name);
      return;
    }
  /* the record gets its ID now, on the main thread, where IDs are unique */
  id = berth_engine_new_plugin_id (self);
  plugin = berth_plugin_new (id, data->name, data->remote, data->config, NULL);
  berth_plugin_set_content (plugin, berth_plugin_get_config_digest (import_data->plugin),
                            berth_plugin_get_manifest_digest (import_data->plugin),
                            berth_plugin_get_blobsums (import_data->plugin),
                            berth_plugin_get_chain_id (import_data->plugin));
  if (data->settings != NULL && data->settings[0] != NULL
      && !berth_plugin_settings_set (berth_plugin_get_settings (plugin), data->config,
                                     (const gchar *const *)data->settings, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!berth_engine_add_plugin (self, plugin, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->plugin = g_object_ref (plugin);
  if (data->disable)
    {
      g_task_return_pointer (task, g_object_ref (plugin), g_object_unref);
      return;
    }
  berth_engine_enable_plugin_async (self, berth_plugin_get_id (plugin), 0, NULL,
                                    on_installed_enabled, g_steal_pointer (&task));
}

static void
on_pulled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BerthEngine *self = g_task_get_source_object (task);
  InstallData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) import = NULL;
  InstallData *import_data;

  if (!berth_transport_pull_finish (BERTH_TRANSPORT (source), result, &error))
    {
      forget_failed_content (self, data);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  import = g_task_new (self, g_task_get_cancellable (task), on_imported, g_object_ref (task));
  import_data = install_data_new (self);
  import_data->name = g_strdup (data->name);
  import_data->remote = g_strdup (data->remote);
  import_data->manifest = berth_registry_manifest_ref (data->manifest);
  import_data->config = g_object_ref (data->config);
  import_data->job = data->job != NULL ? berth_job_ref (data->job) : NULL;
  g_task_set_task_data (import, import_data, (GDestroyNotify)install_data_free);
  g_task_run_in_thread (import, install_import_thread);
}

/* the manifest is known: check what was granted, then pull */
static void
install_resolved (BerthTransport *transport, GTask *task)
{
  BerthEngine *self = g_task_get_source_object (task);
  InstallData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) wanted = NULL;
  g_autoptr(GPtrArray) granted = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  GBytes *bytes;

  bytes = berth_registry_manifest_get_config_bytes (data->manifest);
  data->config = bytes != NULL ? berth_plugin_config_new_from_bytes (bytes, &error) : NULL;
  if (data->config == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "the plugin config of %s: %s", data->remote,
                               error != NULL ? error->message : "missing");
      return;
    }
  /* what the user granted must be what the plugin asks, as docker checks */
  wanted = berth_plugin_config_get_privileges (data->config);
  granted = privileges_from_variant (data->privileges);
  if (!berth_plugin_privileges_equal (wanted, granted))
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_PERMISSION_DENIED,
                               "incorrect privileges: %s asks for other privileges than those "
                               "granted",
                               data->remote);
      return;
    }
  berth_held_roots_add_manifest (data->held, data->manifest);
  job_pulling (data->job, data->remote, berth_registry_manifest_get_digest (data->manifest));
  berth_transport_pull_async (
    transport, data->manifest, berth_engine_content_store (self), BERTH_TRANSPORT_FLAGS_PLUGIN,
    data->job != NULL ? berth_job_transport_progress : NULL,
    data->job != NULL ? berth_job_ref (data->job) : NULL, (GDestroyNotify)berth_job_unref,
    cancellable, on_pulled, g_object_ref (task));
}

static void
on_install_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  InstallData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->manifest = berth_transport_resolve_finish (BERTH_TRANSPORT (source), result, &error);
  if (data->manifest == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  install_resolved (BERTH_TRANSPORT (source), task);
}

/* what the Privileges call before resolved, else the registry */
static void
install_resolve (BerthEngine *self, BerthTransport *transport, GTask *task)
{
  InstallData *data = g_task_get_task_data (task);

  data->manifest = take_resolved (self, data->remote);
  if (data->manifest != NULL)
    {
      install_resolved (transport, task);
      return;
    }
  berth_transport_resolve_async (transport, data->remote, BERTH_TRANSPORT_FLAGS_PLUGIN,
                                 g_task_get_cancellable (task), on_install_resolved,
                                 g_object_ref (task));
}

/**
 * berth_engine_install_plugin_async:
 * @self: a #BerthEngine
 * @remote: a reference, e.g. `vieux/sshfs`
 * @alias: (nullable): the local name, else the reference's familiar name
 * @privileges: `a(ssas)`: the privileges the user granted
 * @settings: (nullable): `KEY=VALUE` settings applied before enabling
 * @disable: do not enable it
 * @job: (nullable): hears the progress
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 */
void
berth_engine_install_plugin_async (BerthEngine *self,
                                   const gchar *remote,
                                   const gchar *alias,
                                   GVariant *privileges,
                                   const gchar *const *settings,
                                   gboolean disable,
                                   BerthJob *job,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  BerthTransport *transport = berth_engine_transport_or_fail (self, task);
  g_autoptr(GError) error = NULL;
  InstallData *data;

  if (transport == NULL)
    return;
  data = install_data_new (self);
  g_task_set_task_data (task, data, (GDestroyNotify)install_data_free);
  data->remote = full_reference (remote, &error);
  if (data->remote == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->name = berth_reference_normalize_local_name (
    alias != NULL && alias[0] != '\0' ? alias : remote, &error);
  if (data->name == NULL)
    {
      g_prefix_error (&error, "invalid name: ");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* before any download, unlike docker */
  if (berth_engine_find_plugin_by_name (self, data->name) != NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_ALREADY_EXISTS,
                               "plugin %s already exists", data->name);
      return;
    }
  data->privileges = g_variant_ref_sink (privileges);
  data->settings = g_strdupv ((gchar **)settings);
  data->disable = disable;
  data->job = job != NULL ? berth_job_ref (job) : NULL;
  install_resolve (self, transport, task);
}

/**
 * berth_engine_install_plugin_finish:
 * @self: a #BerthEngine
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the installed plugin
 */
BerthPlugin *
berth_engine_install_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- upgrade ------------------------------------------------------------ */

/**
 * berth_engine_upgrade_plugin_async:
 * @self: a #BerthEngine
 * @name: the plugin, which must be disabled
 * @remote: (nullable): where the new version is; else its own reference
 * @privileges: `a(ssas)`: the privileges the user granted for the new version
 * @job: (nullable): hears the progress
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Replaces a plugin's content with another version's, keeping its ID,
 * name, settings and volumes, as docker's upgrade does. Nothing changes
 * until the new version is stored and verified.
 */
void
berth_engine_upgrade_plugin_async (BerthEngine *self,
                                   const gchar *name,
                                   const gchar *remote,
                                   GVariant *privileges,
                                   BerthJob *job,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  BerthTransport *transport = berth_engine_transport_or_fail (self, task);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPlugin) plugin = NULL;
  InstallData *data;

  if (transport == NULL)
    return;
  plugin = berth_engine_find_plugin (self, name, &error);
  if (plugin == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (berth_plugin_get_state (plugin) != BERTH_PLUGIN_STATE_DISABLED)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_ENABLED,
                               "plugin must be disabled before upgrading: plugin %s is enabled; "
                               "disable it (-f keeps its volumes), upgrade, and enable it again",
                               berth_plugin_get_name (plugin));
      return;
    }
  if ((remote == NULL || remote[0] == '\0')
      && (berth_plugin_get_reference (plugin) == NULL
          || berth_plugin_get_reference (plugin)[0] == '\0'))
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "plugin %s came from no registry: say where its new version is",
                               berth_plugin_get_name (plugin));
      return;
    }
  data = install_data_new (self);
  g_task_set_task_data (task, data, (GDestroyNotify)install_data_free);
  data->name = g_strdup (berth_plugin_get_name (plugin));
  data->upgrade_id = g_strdup (berth_plugin_get_id (plugin));
  data->remote = full_reference (
    remote != NULL && remote[0] != '\0' ? remote : berth_plugin_get_reference (plugin), &error);
  if (data->remote == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->privileges = g_variant_ref_sink (privileges);
  data->job = job != NULL ? berth_job_ref (job) : NULL;
  install_resolve (self, transport, task);
}

/**
 * berth_engine_upgrade_plugin_finish:
 * @self: a #BerthEngine
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the upgraded plugin
 */
BerthPlugin *
berth_engine_upgrade_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- push ---------------------------------------------------------------- */

static void
on_pushed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gchar *digest = berth_transport_push_finish (BERTH_TRANSPORT (source), result, &error);

  if (digest == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, digest, g_free);
}

/**
 * berth_engine_push_plugin_async:
 * @self: a #BerthEngine
 * @name: the plugin; its name says where it goes (`registry:5000/repo:tag`)
 * @job: (nullable): hears the progress
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Pushes the plugin's exact blobs and manifest: what was installed goes
 * back with the digests it came with.
 */
void
berth_engine_push_plugin_async (BerthEngine *self,
                                const gchar *name,
                                BerthJob *job,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  BerthTransport *transport = engine_transport (self);
  BerthContentStore *store = berth_engine_content_store (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPlugin) plugin = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GBytes) manifest = NULL;
  g_autofree gchar *media_type = NULL;
  g_autofree gchar *target = NULL;
  g_autofree gchar *repository = NULL;
  g_autoptr(BerthReference) ref = NULL;
  const gchar *digest;

  if (transport == NULL || store == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                               "no %s module is loaded: see berth system info",
                               transport == NULL ? "transport" : "content-store");
      return;
    }
  plugin = berth_engine_find_plugin (self, name, &error);
  if (plugin == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  digest = berth_plugin_get_manifest_digest (plugin);
  if (digest == NULL
      || !berth_content_store_blob_info (store, digest, NULL, &media_type, NULL, cancellable,
                                         &error)
      || (in = berth_content_store_read_blob (store, digest, cancellable, &error)) == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_FOUND,
                               "plugin %s has no stored manifest to push%s%s",
                               berth_plugin_get_name (plugin), error != NULL ? ": " : "",
                               error != NULL ? error->message : "");
      return;
    }
  manifest = g_input_stream_read_bytes (in, 4 * 1024 * 1024, cancellable, &error);
  if (manifest == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  target = full_reference (berth_plugin_get_name (plugin), &error);
  if (target == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ref = berth_reference_parse (target, NULL);
  repository = berth_reference_familiar_name (ref);
  berth_job_message (job, "The push refers to repository [%s]", repository);
  berth_transport_push_async (
    transport, target, store, manifest,
    media_type != NULL ? media_type : "application/vnd.docker.distribution.manifest.v2+json",
    BERTH_TRANSPORT_FLAGS_PLUGIN, job != NULL ? berth_job_transport_progress : NULL,
    job != NULL ? berth_job_ref (job) : NULL, (GDestroyNotify)berth_job_unref, cancellable,
    on_pushed, g_steal_pointer (&task));
}

/**
 * berth_engine_push_plugin_finish:
 * @self: a #BerthEngine
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the pushed manifest's digest
 */
gchar *
berth_engine_push_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
