/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* a module that loads and offers nothing */
#include <berth.h>

gboolean
berth_module_empty_load (GTypeModule *module, GError **error);

gboolean
berth_module_empty_load (GTypeModule *module, GError **error)
{
  return TRUE;
}

BERTH_MODULE_DEFINE (empty)
