/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * BERTH_MODULE_ABI_VERSION:
 *
 * The module ABI berth was built with. Modules live in
 * `$libdir/berth/modules-<abi>/` and declare the ABI they were built for;
 * berthd opens no other directory and refuses a module that declares another.
 */
#define BERTH_MODULE_ABI_VERSION 1

/* extension points: one per kind of module */
#define BERTH_EXTENSION_POINT_CONTENT_STORE "berth-content-store"
#define BERTH_EXTENSION_POINT_SNAPSHOTTER   "berth-snapshotter"
#define BERTH_EXTENSION_POINT_TRANSPORT     "berth-transport"
#define BERTH_EXTENSION_POINT_RUNTIME       "berth-runtime"
#define BERTH_EXTENSION_POINT_DRIVER        "berth-driver"

/**
 * BerthModuleLoadFunc:
 * @module: the #GTypeModule to register dynamic types with
 * @error: return location for a #GError
 *
 * The entry point of a module: registers its types and implements
 * extension points with g_io_extension_point_implement().
 *
 * Returns: %FALSE with @error set if the module cannot work here
 */
typedef gboolean (*BerthModuleLoadFunc) (GTypeModule *module, GError **error);

/**
 * BERTH_MODULE_DEFINE:
 * @name: the module's name, a C identifier
 *
 * Exports the symbols berthd looks for in a module shared object: the ABI
 * version and `berth_module_load()`, which calls `berth_module_<name>_load()`.
 * In a build with built-in modules this expands to nothing and berthd calls
 * `berth_module_<name>_load()` directly.
 */
#ifdef BERTH_MODULE_BUILTIN
#define BERTH_MODULE_DEFINE(name)
#else
#define BERTH_MODULE_DEFINE(name)                                                                  \
  G_MODULE_EXPORT const guint berth_module_abi_version = BERTH_MODULE_ABI_VERSION;                 \
  G_MODULE_EXPORT gboolean berth_module_load (GTypeModule *module, GError **error);                \
  G_MODULE_EXPORT gboolean berth_module_load (GTypeModule *module, GError **error)                 \
  {                                                                                                \
    return berth_module_##name##_load (module, error);                                             \
  }
#endif

#define BERTH_TYPE_MODULE (berth_module_get_type ())
G_DECLARE_FINAL_TYPE (BerthModule, berth_module, BERTH, MODULE, GTypeModule)

void berth_extension_points_register (void);
const gchar *const *berth_extension_points (void);
const gchar *berth_extension_point_kind (const gchar *extension_point);

BerthModule *berth_module_new_for_path (const gchar *path);
BerthModule *berth_module_new_builtin (const gchar *name, BerthModuleLoadFunc load_func);
gboolean berth_module_load_checked (BerthModule *self, GError **error);
const gchar *berth_module_get_name (BerthModule *self);
const gchar *berth_module_get_path (BerthModule *self);

G_END_DECLS
