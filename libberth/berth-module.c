/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <gmodule.h>

#include "berth-error.h"
#include "berth-module.h"

/**
 * BerthModule:
 *
 * One module: a shared object from the module directory, or a module linked
 * into berthd. It is a #GTypeModule so that modules register dynamic types,
 * as GIO modules do; unlike #GIOModule it checks the ABI the module was
 * built for and lets the module's load function fail with a reason, which
 * berthd reports by name instead of printing a warning nobody reads.
 */
struct _BerthModule
{
  GTypeModule parent_instance;
  gchar *path; /* NULL when built in */
  GModule *library;
  BerthModuleLoadFunc load_func;
  GError *load_error;
  gboolean loaded;
};

G_DEFINE_TYPE (BerthModule, berth_module, G_TYPE_TYPE_MODULE)

static const gchar *const extension_points[] = {
  BERTH_EXTENSION_POINT_CONTENT_STORE, BERTH_EXTENSION_POINT_SNAPSHOTTER,
  BERTH_EXTENSION_POINT_TRANSPORT,     BERTH_EXTENSION_POINT_RUNTIME,
  BERTH_EXTENSION_POINT_DRIVER,        NULL,
};

/**
 * berth_extension_points_register:
 *
 * Registers the extension points of berth, once. Call before loading modules.
 */
void
berth_extension_points_register (void)
{
  static gsize once = 0;
  if (g_once_init_enter (&once))
    {
      for (guint i = 0; extension_points[i] != NULL; i++)
        g_io_extension_point_register (extension_points[i]);
      g_once_init_leave (&once, 1);
    }
}

/**
 * berth_extension_points:
 *
 * Returns: (transfer none): the names of all extension points
 */
const gchar *const *
berth_extension_points (void)
{
  return extension_points;
}

/**
 * berth_extension_point_kind:
 * @extension_point: an extension point name
 *
 * Returns: the short kind users see, e.g. `content-store`
 */
const gchar *
berth_extension_point_kind (const gchar *extension_point)
{
  if (g_str_has_prefix (extension_point, "berth-"))
    return extension_point + strlen ("berth-");
  return extension_point;
}

static gboolean
berth_module_type_load (GTypeModule *module)
{
  BerthModule *self = BERTH_MODULE (module);
  gpointer sym = NULL;

  g_clear_error (&self->load_error);
  if (self->path != NULL && self->library == NULL)
    {
      const guint *abi;

      /* bind now: an unresolved symbol fails here, with a reason, and not
       * later by killing berthd; local: modules never see each other's symbols */
      self->library = g_module_open (self->path, G_MODULE_BIND_LOCAL);
      if (self->library == NULL)
        {
          g_set_error (&self->load_error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot open: %s",
                       g_module_error ());
          return FALSE;
        }
      if (!g_module_symbol (self->library, "berth_module_abi_version", &sym) || sym == NULL)
        {
          g_set_error_literal (&self->load_error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                               "not a berth module: no berth_module_abi_version symbol");
          g_clear_pointer (&self->library, g_module_close);
          return FALSE;
        }
      abi = sym;
      if (*abi != BERTH_MODULE_ABI_VERSION)
        {
          g_set_error (&self->load_error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                       "built for module ABI %u, berthd has ABI %u", *abi,
                       (guint)BERTH_MODULE_ABI_VERSION);
          g_clear_pointer (&self->library, g_module_close);
          return FALSE;
        }
      if (!g_module_symbol (self->library, "berth_module_load", &sym) || sym == NULL)
        {
          g_set_error_literal (&self->load_error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                               "no berth_module_load symbol");
          g_clear_pointer (&self->library, g_module_close);
          return FALSE;
        }
      self->load_func = (BerthModuleLoadFunc)sym;
      /* types registered by the module point into it: never unload it */
      g_module_make_resident (self->library);
    }

  if (self->loaded)
    return TRUE;
  if (!self->load_func (module, &self->load_error))
    {
      if (self->load_error == NULL)
        g_set_error_literal (&self->load_error, BERTH_ERROR, BERTH_ERROR_FAILED,
                             "initialisation failed without a reason");
      return FALSE;
    }
  self->loaded = TRUE;
  return TRUE;
}

static void
berth_module_type_unload (GTypeModule *module)
{
  /* resident: dynamic types stay registered for the life of the process */
}

static void
berth_module_finalize (GObject *object)
{
  BerthModule *self = BERTH_MODULE (object);
  g_free (self->path);
  g_clear_error (&self->load_error);
  G_OBJECT_CLASS (berth_module_parent_class)->finalize (object);
}

static void
berth_module_class_init (BerthModuleClass *klass)
{
  GTypeModuleClass *module_class = G_TYPE_MODULE_CLASS (klass);
  G_OBJECT_CLASS (klass)->finalize = berth_module_finalize;
  module_class->load = berth_module_type_load;
  module_class->unload = berth_module_type_unload;
}

static void
berth_module_init (BerthModule *self)
{
}

static gchar *
module_name_from_path (const gchar *path)
{
  g_autofree gchar *base = g_path_get_basename (path);
  const gchar *name = base;
  gchar *dot;

  if (g_str_has_prefix (name, "lib"))
    name += 3;
  if (g_str_has_prefix (name, "berth-module-"))
    name += strlen ("berth-module-");
  dot = strchr (name, '.');
  return dot != NULL ? g_strndup (name, dot - name) : g_strdup (name);
}

/**
 * berth_module_new_for_path:
 * @path: a shared object
 *
 * Returns: (transfer full): a module, not loaded yet
 */
BerthModule *
berth_module_new_for_path (const gchar *path)
{
  BerthModule *self = g_object_new (BERTH_TYPE_MODULE, NULL);
  g_autofree gchar *name = module_name_from_path (path);
  self->path = g_strdup (path);
  g_type_module_set_name (G_TYPE_MODULE (self), name);
  return self;
}

/**
 * berth_module_new_builtin:
 * @name: the module's name
 * @load_func: its load function, linked in
 *
 * Returns: (transfer full): a module, not loaded yet
 */
BerthModule *
berth_module_new_builtin (const gchar *name, BerthModuleLoadFunc load_func)
{
  BerthModule *self = g_object_new (BERTH_TYPE_MODULE, NULL);
  self->load_func = load_func;
  g_type_module_set_name (G_TYPE_MODULE (self), name);
  return self;
}

/**
 * berth_module_load_checked:
 * @self: a #BerthModule
 * @error: return location for a #GError
 *
 * Opens the module, checks its ABI and runs its load function.
 *
 * Returns: %TRUE if the module is loaded
 */
gboolean
berth_module_load_checked (BerthModule *self, GError **error)
{
  g_return_val_if_fail (BERTH_IS_MODULE (self), FALSE);

  berth_extension_points_register ();
  if (!g_type_module_use (G_TYPE_MODULE (self)))
    {
      if (error != NULL)
        *error = self->load_error != NULL
                   ? g_error_copy (self->load_error)
                   : g_error_new_literal (BERTH_ERROR, BERTH_ERROR_FAILED, "cannot load");
      return FALSE;
    }
  return TRUE;
}

/**
 * berth_module_get_name:
 * @self: a #BerthModule
 *
 * Returns: the module's name (its file name without `lib`, `berth-module-`
 *   and the suffix, or its built-in name)
 */
const gchar *
berth_module_get_name (BerthModule *self)
{
  return G_TYPE_MODULE (self)->name;
}

/**
 * berth_module_get_path:
 * @self: a #BerthModule
 *
 * Returns: (nullable): the shared object, or %NULL if built in
 */
const gchar *
berth_module_get_path (BerthModule *self)
{
  return self->path;
}
