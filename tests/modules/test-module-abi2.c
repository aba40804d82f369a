/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* a module built for another module ABI */
#include <berth.h>

G_MODULE_EXPORT const guint berth_module_abi_version = BERTH_MODULE_ABI_VERSION + 1;
G_MODULE_EXPORT gboolean
berth_module_load (GTypeModule *module, GError **error);

G_MODULE_EXPORT gboolean
berth_module_load (GTypeModule *module, GError **error)
{
  return TRUE;
}
