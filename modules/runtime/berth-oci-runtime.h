/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

G_BEGIN_DECLS

#define BERTH_TYPE_OCI_RUNTIME (berth_oci_runtime_get_type ())
G_DECLARE_DERIVABLE_TYPE (BerthOciRuntime, berth_oci_runtime, BERTH, OCI_RUNTIME, GObject)

/**
 * BerthOciRuntimeClass:
 * @name: the runtime's name, also its default binary and the key prefix of
 *   its binary path in berthd.conf's `[runtime]` group (`<name>-path=`)
 * @explain_check_failure: turns the runtime's own message for a container
 *   that could not be created into the error check() returns; %NULL for
 *   the generic explanation
 *
 * An OCI runtime with runc's command line: `--root`, `--log`,
 * `--log-format json`, `run --detach --pid-file`, `create`, `state`,
 * `kill`, `delete [--force]`, `list --format json`. runc and crun share it.
 */
struct _BerthOciRuntimeClass
{
  GObjectClass parent_class;

  const gchar *name;
  gchar *(*explain_check_failure) (BerthOciRuntime *self, const gchar *message);
};

void berth_oci_runtime_register (GTypeModule *module);
const gchar *berth_oci_runtime_get_binary (BerthOciRuntime *self);

/**
 * BerthCgroupLayout:
 * @BERTH_CGROUP_LAYOUT_UNKNOWN: /sys/fs/cgroup is neither
 * @BERTH_CGROUP_LAYOUT_LEGACY: cgroup v1 only
 * @BERTH_CGROUP_LAYOUT_HYBRID: cgroup v1 controllers, and cgroup v2 mounted
 *   at /sys/fs/cgroup/unified
 * @BERTH_CGROUP_LAYOUT_UNIFIED: cgroup v2 only
 */
typedef enum
{
  BERTH_CGROUP_LAYOUT_UNKNOWN,
  BERTH_CGROUP_LAYOUT_LEGACY,
  BERTH_CGROUP_LAYOUT_HYBRID,
  BERTH_CGROUP_LAYOUT_UNIFIED,
} BerthCgroupLayout;

BerthCgroupLayout berth_cgroup_layout_detect (void);
const gchar *berth_cgroup_layout_to_string (BerthCgroupLayout layout);

G_END_DECLS
