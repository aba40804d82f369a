/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "berth-job.h"

G_BEGIN_DECLS

BerthJob *berth_dbus_job_new (GDBusMethodInvocation *invocation, GCancellable **out_cancellable);

G_END_DECLS
