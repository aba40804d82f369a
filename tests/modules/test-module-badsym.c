/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* a module linked against a symbol nothing provides: dlopen refuses it */
#include <berth.h>

extern void
berth_test_symbol_that_does_not_exist (void);

gboolean
berth_module_badsym_load (GTypeModule *module, GError **error);

gboolean
berth_module_badsym_load (GTypeModule *module, GError **error)
{
  berth_test_symbol_that_does_not_exist ();
  return TRUE;
}

BERTH_MODULE_DEFINE (badsym)
