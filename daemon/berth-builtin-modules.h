/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

typedef struct
{
  const gchar *name;
  BerthModuleLoadFunc load;
} BerthBuiltinModule;

/* generated from the module list of the build; ends with a NULL name */
extern const BerthBuiltinModule berth_builtin_modules[];
