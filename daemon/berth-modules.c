/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthModules"

#include "config.h"

#include "berth-builtin-modules.h"
#include "berth-modules.h"

/**
 * BerthModules:
 *
 * Loads berthd's modules (built in, then every shared object in the
 * versioned module directory), records what became of each, and makes one
 * instance of every implementation they offer. For each extension point one
 * implementation is active: the one named in the `[modules]` group of the
 * configuration, else the one of highest priority. Drivers are all active:
 * each serves its own interface types.
 */
struct _BerthModules
{
  GObject parent_instance;
  BerthPaths *paths;
  GKeyFile *config;
  GPtrArray *modules;       /* of BerthModule */
  GPtrArray *reports;       /* of BerthModuleReport */
  GHashTable *instances;    /* extension point → GPtrArray of GObject, by priority */
  GHashTable *active;       /* extension point → GObject */
  GHashTable *owner;        /* GType → module name */
  GHashTable *failed_types; /* GType set: types from modules whose load failed */
};

G_DEFINE_TYPE (BerthModules, berth_modules, G_TYPE_OBJECT)

static void
berth_module_report_free (BerthModuleReport *report)
{
  g_free (report->kind);
  g_free (report->name);
  g_free (report->module);
  g_free (report->error);
  g_free (report);
}

const gchar *
berth_module_status_to_string (BerthModuleStatus status)
{
  switch (status)
    {
      case BERTH_MODULE_STATUS_ACTIVE:
        return "active";
      case BERTH_MODULE_STATUS_STANDBY:
        return "standby";
      case BERTH_MODULE_STATUS_FAILED:
        return "failed";
      case BERTH_MODULE_STATUS_EMPTY:
        return "empty";
      case BERTH_MODULE_STATUS_DISABLED:
        return "disabled";
      default:
        return "unknown";
    }
}

static void
add_report (BerthModules *self,
            const gchar *kind,
            const gchar *name,
            const gchar *module,
            BerthModuleStatus status,
            const gchar *error)
{
  BerthModuleReport *report = g_new0 (BerthModuleReport, 1);
  report->kind = g_strdup (kind);
  report->name = g_strdup (name);
  report->module = g_strdup (module);
  report->status = status;
  report->error = g_strdup (error);
  g_ptr_array_add (self->reports, report);
}

static void
berth_modules_finalize (GObject *object)
{
  BerthModules *self = BERTH_MODULES (object);
  g_clear_object (&self->paths);
  g_clear_pointer (&self->config, g_key_file_unref);
  g_clear_pointer (&self->instances, g_hash_table_unref);
  g_clear_pointer (&self->active, g_hash_table_unref);
  g_clear_pointer (&self->owner, g_hash_table_unref);
  g_clear_pointer (&self->failed_types, g_hash_table_unref);
  g_clear_pointer (&self->reports, g_ptr_array_unref);
  /* modules stay resident: their types cannot be unregistered */
  g_clear_pointer (&self->modules, g_ptr_array_unref);
  G_OBJECT_CLASS (berth_modules_parent_class)->finalize (object);
}

static void
berth_modules_class_init (BerthModulesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = berth_modules_finalize;
}

static void
berth_modules_init (BerthModules *self)
{
  /* no free function: a GTypeModule whose types are registered must live as
   * long as the process (GObject warns when one is disposed) */
  self->modules = g_ptr_array_new ();
  self->reports = g_ptr_array_new_with_free_func ((GDestroyNotify)berth_module_report_free);
  self->instances
    = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
  self->active = g_hash_table_new (g_str_hash, g_str_equal);
  self->owner = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->failed_types = g_hash_table_new (NULL, NULL);
}

/**
 * berth_modules_new:
 * @paths: the path store
 * @config: (nullable): berthd's configuration
 *
 * Returns: (transfer full): a module set, nothing loaded yet
 */
BerthModules *
berth_modules_new (BerthPaths *paths, GKeyFile *config)
{
  BerthModules *self = g_object_new (BERTH_TYPE_MODULES, NULL);
  self->paths = g_object_ref (paths);
  self->config = config != NULL ? g_key_file_ref (config) : g_key_file_new ();
  return self;
}

static GHashTable *
snapshot_extension_types (void)
{
  GHashTable *types = g_hash_table_new (NULL, NULL);
  for (const gchar *const *ep = berth_extension_points (); *ep != NULL; ep++)
    {
      GIOExtensionPoint *point = g_io_extension_point_lookup (*ep);
      for (GList *l = g_io_extension_point_get_extensions (point); l != NULL; l = l->next)
        g_hash_table_add (types, GSIZE_TO_POINTER (g_io_extension_get_type (l->data)));
    }
  return types;
}

static gboolean
module_is_disabled (BerthModules *self, const gchar *name)
{
  g_auto(GStrv) disabled
          = g_key_file_get_string_list (self->config, "modules", "disable", NULL, NULL);
  return disabled != NULL && g_strv_contains ((const gchar *const *)disabled, name);
}

static void
load_one (BerthModules *self, BerthModule *module)
{
  const gchar *name = berth_module_get_name (module);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key;
  gboolean ok;
  guint offered = 0;

  if (module_is_disabled (self, name))
    {
      add_report (self, NULL, name, name, BERTH_MODULE_STATUS_DISABLED,
                  "disabled by configuration");
      return;
    }

  before = snapshot_extension_types ();
  ok = berth_module_load_checked (module, &error);
  after = snapshot_extension_types ();

  /* what this module registered: its implementations belong to it */
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (g_hash_table_contains (before, key))
        continue;
      offered++;
      g_hash_table_insert (self->owner, key, g_strdup (name));
      if (!ok)
        g_hash_table_add (self->failed_types, key);
    }

  g_ptr_array_add (self->modules, g_object_ref (module));
  if (!ok)
    {
      g_warning ("module %s (%s) failed to load: %s", name,
                 berth_module_get_path (module) != NULL ? berth_module_get_path (module)
                                                        : "built in",
                 error->message);
      add_report (self, NULL, name, name, BERTH_MODULE_STATUS_FAILED, error->message);
      return;
    }
  if (offered == 0)
    {
      g_warning ("module %s implements no extension point", name);
      add_report (self, NULL, name, name, BERTH_MODULE_STATUS_EMPTY,
                  "implements no extension point");
      return;
    }
  g_info ("module %s loaded", name);
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar **)a, *(const gchar **)b);
}

static void
scan_directory (BerthModules *self)
{
  const gchar *dir_path = berth_paths_get (self->paths, BERTH_PATH_MODULE_DIR);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const gchar *entry;

  dir = g_dir_open (dir_path, 0, &error);
  if (dir == NULL)
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_info ("no module directory %s", dir_path);
      else
        g_warning ("cannot read module directory %s: %s", dir_path, error->message);
      return;
    }
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_suffix (entry, "." G_MODULE_SUFFIX))
        g_ptr_array_add (files, g_build_filename (dir_path, entry, NULL));
    }
  /* a stable order, so priorities decide and not the directory's */
  g_ptr_array_sort (files, compare_paths);
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(BerthModule) module = berth_module_new_for_path (files->pdata[i]);
      load_one (self, module);
    }
}

/* an implementation gets what it asks for by property: the path store
 * ("paths"), berthd's configuration ("config") and, for those that build on
 * it, the active content store ("content-store") */
static GObject *
construct (BerthModules *self, GType type, GError **error)
{
  /* classes of dynamic types stay referenced: their module is resident */
  GObjectClass *klass = g_type_class_ref (type);
  const gchar *names[3];
  GValue values[3] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };
  GObject *content_store = g_hash_table_lookup (self->active, BERTH_EXTENSION_POINT_CONTENT_STORE);
  guint n = 0;
  GObject *object;

  if (g_object_class_find_property (klass, "paths") != NULL)
    {
      names[n] = "paths";
      g_value_init (&values[n], BERTH_TYPE_PATHS);
      g_value_set_object (&values[n++], self->paths);
    }
  if (g_object_class_find_property (klass, "config") != NULL)
    {
      names[n] = "config";
      g_value_init (&values[n], G_TYPE_KEY_FILE);
      g_value_set_boxed (&values[n++], self->config);
    }
  if (content_store != NULL && g_object_class_find_property (klass, "content-store") != NULL)
    {
      names[n] = "content-store";
      g_value_init (&values[n], BERTH_TYPE_CONTENT_STORE);
      g_value_set_object (&values[n++], content_store);
    }
  object = g_object_new_with_properties (type, n, names, values);
  for (guint i = 0; i < n; i++)
    g_value_unset (&values[i]);
  if (G_IS_INITABLE (object) && !g_initable_init (G_INITABLE (object), NULL, error))
    {
      g_object_unref (object);
      return NULL;
    }
  return object;
}

static void
instantiate (BerthModules *self, const gchar *extension_point)
{
  GIOExtensionPoint *point = g_io_extension_point_lookup (extension_point);
  const gchar *kind = berth_extension_point_kind (extension_point);
  g_autofree gchar *wanted = g_key_file_get_string (self->config, "modules", kind, NULL);
  GPtrArray *objects = g_ptr_array_new_with_free_func (g_object_unref);
  GObject *chosen = NULL;
  gboolean is_driver = g_str_equal (extension_point, BERTH_EXTENSION_POINT_DRIVER);

  g_hash_table_insert (self->instances, (gpointer)extension_point, objects);

  /* extensions come sorted by priority, highest first */
  for (GList *l = g_io_extension_point_get_extensions (point); l != NULL; l = l->next)
    {
      GIOExtension *ext = l->data;
      GType type = g_io_extension_get_type (ext);
      const gchar *name = g_io_extension_get_name (ext);
      const gchar *module = g_hash_table_lookup (self->owner, GSIZE_TO_POINTER (type));
      g_autoptr(GError) error = NULL;
      GObject *object;

      if (g_hash_table_contains (self->failed_types, GSIZE_TO_POINTER (type)))
        continue;
      if (module == NULL)
        module = name;

      object = construct (self, type, &error);
      if (object == NULL)
        {
          g_warning ("%s %s (module %s) failed to start: %s", kind, name, module, error->message);
          add_report (self, kind, name, module, BERTH_MODULE_STATUS_FAILED, error->message);
          continue;
        }
      g_object_set_data_full (object, "berth-module", g_strdup (module), g_free);
      g_object_set_data_full (object, "berth-name", g_strdup (name), g_free);
      g_ptr_array_add (objects, object);
      if (!is_driver && chosen == NULL && (wanted == NULL || g_str_equal (wanted, name)))
        chosen = object;
    }

  if (wanted != NULL && chosen == NULL && !is_driver)
    g_warning ("configuration asks for %s %s, which no module offers", kind, wanted);
  if (chosen != NULL)
    g_hash_table_insert (self->active, (gpointer)extension_point, chosen);

  for (guint i = 0; i < objects->len; i++)
    {
      GObject *object = objects->pdata[i];
      gboolean active = is_driver || object == chosen;
      add_report (self, kind, g_object_get_data (object, "berth-name"),
                  g_object_get_data (object, "berth-module"),
                  active ? BERTH_MODULE_STATUS_ACTIVE : BERTH_MODULE_STATUS_STANDBY, NULL);
    }
}

/**
 * berth_modules_load:
 * @self: a #BerthModules
 *
 * Loads every module and starts their implementations. A module that fails
 * is reported and skipped; this never fails as a whole.
 */
void
berth_modules_load (BerthModules *self)
{
  g_return_if_fail (BERTH_IS_MODULES (self));

  berth_extension_points_register ();
  for (guint i = 0; berth_builtin_modules[i].name != NULL; i++)
    {
      g_autoptr(BerthModule) module = berth_module_new_builtin (berth_builtin_modules[i].name,
                                                                 berth_builtin_modules[i].load);
      load_one (self, module);
    }
  scan_directory (self);
  for (const gchar *const *ep = berth_extension_points (); *ep != NULL; ep++)
    instantiate (self, *ep);
}

/**
 * berth_modules_get_active:
 * @self: a #BerthModules
 * @extension_point: an extension point name
 *
 * Returns: (transfer none) (nullable): the implementation serving @extension_point
 */
GObject *
berth_modules_get_active (BerthModules *self, const gchar *extension_point)
{
  return g_hash_table_lookup (self->active, extension_point);
}

/**
 * berth_modules_get_all:
 * @self: a #BerthModules
 * @extension_point: an extension point name
 *
 * Returns: (transfer none) (element-type GObject): every started implementation
 */
GPtrArray *
berth_modules_get_all (BerthModules *self, const gchar *extension_point)
{
  GPtrArray *objects = g_hash_table_lookup (self->instances, extension_point);
  if (objects == NULL)
    {
      objects = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->instances, (gpointer)extension_point, objects);
    }
  return objects;
}

/**
 * berth_modules_get_reports:
 * @self: a #BerthModules
 *
 * Returns: (transfer none) (element-type BerthModuleReport): what became of each module
 */
GPtrArray *
berth_modules_get_reports (BerthModules *self)
{
  return self->reports;
}
