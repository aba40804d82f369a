/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* a module whose initialisation fails with a reason */
#include <berth.h>

gboolean
berth_module_fails_load (GTypeModule *module, GError **error);

gboolean
berth_module_fails_load (GTypeModule *module, GError **error)
{
  g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                       "needs a frobnicator, and this host has none");
  return FALSE;
}

BERTH_MODULE_DEFINE (fails)
