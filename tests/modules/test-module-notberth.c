/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* a shared object that is not a berth module at all */
#include <gmodule.h>

G_MODULE_EXPORT int
berth_test_not_a_module (void);

G_MODULE_EXPORT int
berth_test_not_a_module (void)
{
  return 42;
}
