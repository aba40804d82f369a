/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthRuntime"

#include "config.h"

#include "berth-oci-runtime.h"

/**
 * BerthRuncRuntime:
 *
 * runc, the runtime Docker runs plugins with; berth's default.
 */
#define BERTH_TYPE_RUNC_RUNTIME (berth_runc_runtime_get_type ())
G_DECLARE_FINAL_TYPE (BerthRuncRuntime, berth_runc_runtime, BERTH, RUNC_RUNTIME, BerthOciRuntime)

struct _BerthRuncRuntime
{
  BerthOciRuntime parent_instance;
};

G_DEFINE_DYNAMIC_TYPE_EXTENDED (
  BerthRuncRuntime, berth_runc_runtime, BERTH_TYPE_OCI_RUNTIME, G_TYPE_FLAG_FINAL, {})

static void
berth_runc_runtime_class_init (BerthRuncRuntimeClass *klass)
{
  BERTH_OCI_RUNTIME_CLASS (klass)->name = "runc";
}

static void
berth_runc_runtime_class_finalize (BerthRuncRuntimeClass *klass)
{
}

static void
berth_runc_runtime_init (BerthRuncRuntime *self)
{
}

/**
 * BerthCrunRuntime:
 *
 * crun: starts faster and uses less memory than runc, where the host's
 * cgroups allow it (crun 1.8 refuses a hybrid cgroup layout).
 */
#define BERTH_TYPE_CRUN_RUNTIME (berth_crun_runtime_get_type ())
G_DECLARE_FINAL_TYPE (BerthCrunRuntime, berth_crun_runtime, BERTH, CRUN_RUNTIME, BerthOciRuntime)

struct _BerthCrunRuntime
{
  BerthOciRuntime parent_instance;
};

G_DEFINE_DYNAMIC_TYPE_EXTENDED (
  BerthCrunRuntime, berth_crun_runtime, BERTH_TYPE_OCI_RUNTIME, G_TYPE_FLAG_FINAL, {})

static gchar *
crun_version (BerthOciRuntime *self)
{
  const gchar *argv[] = { berth_oci_runtime_get_binary (self), "--version", NULL };
  g_autofree gchar *out = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                     NULL, NULL))
    return NULL;
  lines = g_strsplit (out, "\n", 2);
  if (lines[0] == NULL || !g_str_has_prefix (lines[0], "crun version "))
    return NULL;
  return g_strdup (g_strstrip (lines[0] + strlen ("crun version ")));
}

/* Debian 12's crun 1.8 refuses a host whose cgroup v1 controllers sit
 * beside a cgroup v2 hierarchy ("cgroups in hybrid mode not supported"),
 * which is how systemd 252 on such a host mounts them; runc copes. Say so,
 * and say what to do */
static gchar *
berth_crun_runtime_explain_check_failure (BerthOciRuntime *self, const gchar *message)
{
  BerthCgroupLayout layout = berth_cgroup_layout_detect ();
  g_autofree gchar *version = NULL;

  if (strstr (message, "hybrid") == NULL
      && (layout != BERTH_CGROUP_LAYOUT_HYBRID || strstr (message, "cgroup") == NULL))
    return NULL;
  version = crun_version (self);
  return g_strdup_printf (
    "crun%s%s cannot run containers on this host: its cgroups are in hybrid mode (cgroup v1 "
    "controllers, with cgroup v2 mounted at /sys/fs/cgroup/unified), which this crun does not "
    "support (crun said: “%s”); use runc instead: set runtime=runc in the [modules] group of "
    "berthd.conf",
    version != NULL ? " " : "", version != NULL ? version : "", message);
}

static void
berth_crun_runtime_class_init (BerthCrunRuntimeClass *klass)
{
  BerthOciRuntimeClass *runtime_class = BERTH_OCI_RUNTIME_CLASS (klass);

  runtime_class->name = "crun";
  runtime_class->explain_check_failure = berth_crun_runtime_explain_check_failure;
}

static void
berth_crun_runtime_class_finalize (BerthCrunRuntimeClass *klass)
{
}

static void
berth_crun_runtime_init (BerthCrunRuntime *self)
{
}

gboolean berth_module_runtime_load (GTypeModule *module, GError **error);

/**
 * berth_module_runtime_load:
 * @module: the module registering the types
 * @error: return location for a #GError
 *
 * Registers the runc (priority 20, the default) and crun (priority 10)
 * runtimes; berthd.conf's `[modules] runtime=` picks one by name.
 *
 * Returns: %TRUE
 */
gboolean
berth_module_runtime_load (GTypeModule *module, GError **error)
{
  berth_oci_runtime_register (module);
  berth_runc_runtime_register_type (module);
  berth_crun_runtime_register_type (module);
  g_io_extension_point_implement (BERTH_EXTENSION_POINT_RUNTIME, BERTH_TYPE_RUNC_RUNTIME, "runc",
                                  20);
  g_io_extension_point_implement (BERTH_EXTENSION_POINT_RUNTIME, BERTH_TYPE_CRUN_RUNTIME, "crun",
                                  10);
  return TRUE;
}

BERTH_MODULE_DEFINE (runtime)
