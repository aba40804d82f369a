/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "berth-error.h"

/* a missing vfunc is an error the caller can show, never a crash */
#define BERTH_IFACE_DISPATCH(iface, vfunc, self, error, retval)                                    \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if ((iface)->vfunc == NULL)                                                                    \
      {                                                                                            \
        g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED, "%s does not implement %s",    \
                     G_OBJECT_TYPE_NAME (self), #vfunc);                                           \
        return retval;                                                                             \
      }                                                                                            \
  }                                                                                                \
  G_STMT_END
