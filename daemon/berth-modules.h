/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

G_BEGIN_DECLS

/**
 * BerthModuleStatus:
 * @BERTH_MODULE_STATUS_ACTIVE: serves its kind
 * @BERTH_MODULE_STATUS_STANDBY: loaded; another implementation serves the kind
 * @BERTH_MODULE_STATUS_FAILED: could not be loaded or started; the error says why
 * @BERTH_MODULE_STATUS_EMPTY: loaded, but implements no extension point
 * @BERTH_MODULE_STATUS_DISABLED: not loaded, by configuration
 */
typedef enum
{
  BERTH_MODULE_STATUS_ACTIVE,
  BERTH_MODULE_STATUS_STANDBY,
  BERTH_MODULE_STATUS_FAILED,
  BERTH_MODULE_STATUS_EMPTY,
  BERTH_MODULE_STATUS_DISABLED,
} BerthModuleStatus;

/* one row of what became of the modules: per implementation, or per module
 * when it offers none */
typedef struct
{
  gchar *kind; /* extension point kind, or NULL */
  gchar *name; /* implementation name, or the module's name */
  gchar *module;
  BerthModuleStatus status;
  gchar *error;
} BerthModuleReport;

const gchar *berth_module_status_to_string (BerthModuleStatus status);

#define BERTH_TYPE_MODULES (berth_modules_get_type ())
G_DECLARE_FINAL_TYPE (BerthModules, berth_modules, BERTH, MODULES, GObject)

BerthModules *berth_modules_new (BerthPaths *paths, GKeyFile *config);
void berth_modules_load (BerthModules *self);
GObject *berth_modules_get_active (BerthModules *self, const gchar *extension_point);
GPtrArray *berth_modules_get_all (BerthModules *self, const gchar *extension_point);
GPtrArray *berth_modules_get_reports (BerthModules *self);

G_END_DECLS
