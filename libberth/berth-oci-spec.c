/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "berth-error.h"
#include "berth-json.h"
#include "berth-oci-spec.h"

/* the OCI runtime spec version written; runc 1.1 and crun 1.8 read it */
#define OCI_VERSION "1.0.2"

#define DEFAULT_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* moby daemon/pkg/oci/caps/defaults.go, in its order */
static const gchar *const default_capabilities[] = {
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
  NULL,
};

/* moby daemon/pkg/oci/defaults.go DefaultLinuxSpec */
static const gchar *const default_masked_paths[] = {
  "/proc/asound",
  "/proc/acpi",
  "/proc/interrupts",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
  NULL,
};

static const gchar *const default_readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

typedef struct
{
  const gchar *destination;
  const gchar *type;
  const gchar *source;
  const gchar *const *options;
} DefaultMount;

static const DefaultMount default_mounts[] = {
  { "/proc", "proc", "proc", (const gchar *const[]){ "nosuid", "noexec", "nodev", NULL } },
  { "/dev", "tmpfs", "tmpfs",
    (const gchar *const[]){ "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
  { "/dev/pts", "devpts", "devpts",
    (const gchar *const[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                            "gid=5", NULL } },
  { "/sys", "sysfs", "sysfs", (const gchar *const[]){ "nosuid", "noexec", "nodev", "ro", NULL } },
  { "/sys/fs/cgroup", "cgroup", "cgroup",
    (const gchar *const[]){ "ro", "nosuid", "noexec", "nodev", NULL } },
  { "/dev/mqueue", "mqueue", "mqueue",
    (const gchar *const[]){ "nosuid", "noexec", "nodev", NULL } },
  { "/dev/shm", "tmpfs", "shm",
    (const gchar *const[]){ "nosuid", "noexec", "nodev", "mode=1777", NULL } },
};

/* the default device cgroup: deny everything, allow the character devices
 * every container gets, and deny fuse explicitly (a plugin that wants it
 * lists /dev/fuse in Linux.Devices, whose allow rule comes later and wins) */
typedef struct
{
  gboolean allow;
  gchar type;   /* 0 for all types */
  gint64 major; /* -1 for all */
  gint64 minor; /* -1 for all */
} DeviceRule;

static const DeviceRule default_device_rules[] = {
  { FALSE, 0, -1, -1 }, { TRUE, 'c', 1, 5 }, { TRUE, 'c', 1, 3 }, { TRUE, 'c', 1, 9 },
  { TRUE, 'c', 1, 8 },  { TRUE, 'c', 5, 0 }, { TRUE, 'c', 5, 1 }, { FALSE, 'c', 10, 229 },
};

typedef struct
{
  gchar *destination;
  gchar *type;
  gchar *source;
  gchar **options;
} SpecMount;

static void
spec_mount_free (SpecMount *mount)
{
  g_free (mount->destination);
  g_free (mount->type);
  g_free (mount->source);
  g_strfreev (mount->options);
  g_free (mount);
}

static void
add_mount (GPtrArray *mounts,
           const gchar *destination,
           const gchar *type,
           const gchar *source,
           const gchar *const *options)
{
  SpecMount *mount = g_new0 (SpecMount, 1);
  mount->destination = g_strdup (destination);
  mount->type = g_strdup (type);
  mount->source = g_strdup (source);
  mount->options = g_strdupv ((gchar **)options);
  g_ptr_array_add (mounts, mount);
}

typedef struct
{
  gchar *path;
  gchar type;
  guint major;
  guint minor;
  guint32 file_mode;
  guint32 uid;
  guint32 gid;
} SpecDevice;

static void
spec_device_free (SpecDevice *device)
{
  g_free (device->path);
  g_free (device);
}

/* what runc's devices.DeviceFromPath accepts: a node, not followed */
static gboolean
device_from_path (const gchar *path, const gchar *container_path, SpecDevice **out, int *out_errno)
{
  struct stat st;
  gchar type;

  if (lstat (path, &st) != 0)
    {
      *out_errno = errno;
      return FALSE;
    }
  switch (st.st_mode & S_IFMT)
    {
      case S_IFCHR:
        type = 'c';
        break;
      case S_IFBLK:
        type = 'b';
        break;
      case S_IFIFO:
        type = 'p';
        break;
      default:
        *out_errno = 0;
        return FALSE;
    }
  *out = g_new0 (SpecDevice, 1);
  (*out)->path = g_strdup (container_path);
  (*out)->type = type;
  (*out)->major = major (st.st_rdev);
  (*out)->minor = minor (st.st_rdev);
  (*out)->file_mode = st.st_mode & 07777;
  (*out)->uid = st.st_uid;
  (*out)->gid = st.st_gid;
  return TRUE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* every device node below @dir, in lexical order, as filepath.WalkDir finds
 * them; symlinks and unreadable directories are skipped, as moby does */
static void
walk_devices (const gchar *dir, const gchar *container_dir, GPtrArray *devices)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  if (handle == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree gchar *path = g_build_filename (dir, names->pdata[i], NULL);
      g_autofree gchar *container_path = g_build_filename (container_dir, names->pdata[i], NULL);
      SpecDevice *device = NULL;
      struct stat st;
      int errsv;

      if (lstat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        walk_devices (path, container_path, devices);
      else if (device_from_path (path, container_path, &device, &errsv))
        g_ptr_array_add (devices, device);
    }
}

/* moby's oci.DevicesFromPath with the same path inside and out: a device
 * node (a symlink to one is resolved), or a directory whose device nodes
 * are all added */
static gboolean
add_devices_from_path (const gchar *path, GPtrArray *devices, GError **error)
{
  g_autofree gchar *resolved = NULL;
  SpecDevice *device = NULL;
  struct stat st;
  int errsv = 0;

  if (lstat (path, &st) == 0 && S_ISLNK (st.st_mode))
    resolved = realpath (path, NULL);
  if (resolved == NULL)
    resolved = g_strdup (path);

  if (device_from_path (resolved, path, &device, &errsv))
    {
      g_ptr_array_add (devices, device);
      return TRUE;
    }
  if (errsv == 0 && stat (resolved, &st) == 0 && S_ISDIR (st.st_mode))
    {
      guint before = devices->len;
      walk_devices (resolved, path, devices);
      if (devices->len > before)
        return TRUE;
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "error gathering device information while adding custom device “%s”: the "
                   "directory holds no device node",
                   path);
      return FALSE;
    }
  if (errsv != 0)
    {
      g_set_error (error, BERTH_ERROR,
                   errsv == ENOENT ? BERTH_ERROR_NOT_FOUND : BERTH_ERROR_INVALID_ARGUMENT,
                   "error gathering device information while adding custom device “%s”: %s", path,
                   g_strerror (errsv));
      return FALSE;
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
               "error gathering device information while adding custom device “%s”: not a "
               "device node",
               path);
  return FALSE;
}

static gboolean
mount_is_bind (const BerthPluginMount *mount)
{
  if (g_strcmp0 (mount->type, "bind") == 0)
    return TRUE;
  return mount->options != NULL
         && (g_strv_contains ((const gchar *const *)mount->options, "bind")
             || g_strv_contains ((const gchar *const *)mount->options, "rbind"));
}

static gboolean
add_settings_mounts (GPtrArray *mounts, GPtrArray *settings_mounts, GError **error)
{
  for (guint i = 0; settings_mounts != NULL && i < settings_mounts->len; i++)
    {
      const BerthPluginMount *mount = g_ptr_array_index (settings_mounts, i);

      /* moby rejects a null source only; an empty one on a bind fails
       * later in runc with a message that names nothing, so say it here */
      if (mount->source == NULL || (mount->source[0] == '\0' && mount_is_bind (mount)))
        {
          if (mount->name[0] != '\0')
            g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                         "mount source is not specified: mount “%s” at %s needs "
                         "%s.source=<host path> set",
                         mount->name, mount->destination, mount->name);
          else
            g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                         "mount source is not specified: the mount at %s has no source",
                         mount->destination);
          return FALSE;
        }
      add_mount (mounts, mount->destination, mount->type, mount->source,
                 (const gchar *const *)mount->options);
    }
  return TRUE;
}

/* moby drops a mount below /dev/ that the user's settings mount over (to let
 * a plugin bind the host's /dev/... in place of a default); its loop deletes
 * while iterating, so with several matches the result depends on luck. The
 * intent is kept: an earlier mount is dropped when a settings mount has the
 * same destination, and the settings mount itself stays */
static void
drop_overridden_dev_mounts (GPtrArray *mounts, guint first_settings, guint n_settings)
{
  for (guint i = 0; i < first_settings && i < mounts->len;)
    {
      SpecMount *mount = g_ptr_array_index (mounts, i);
      gboolean overridden = FALSE;

      if (g_str_has_prefix (mount->destination, "/dev/"))
        {
          for (guint j = first_settings; j < first_settings + n_settings && j < mounts->len; j++)
            {
              SpecMount *user = g_ptr_array_index (mounts, j);
              if (g_strcmp0 (user->destination, mount->destination) == 0)
                overridden = TRUE;
            }
        }
      if (overridden)
        {
          g_ptr_array_remove_index (mounts, i);
          first_settings--;
        }
      else
        i++;
    }
}

static void
add_string_array (JsonBuilder *builder, const gchar *member, const gchar *const *values)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
add_uint_member (JsonBuilder *builder, const gchar *member, gint64 value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

/* the granted capabilities after the defaults, each once */
static GStrv
build_capabilities (BerthPluginConfig *config)
{
  const gchar *const *granted = berth_plugin_config_get_capabilities (config);
  g_autoptr(GPtrArray) caps = g_ptr_array_new ();

  for (guint i = 0; default_capabilities[i] != NULL; i++)
    g_ptr_array_add (caps, (gpointer)default_capabilities[i]);
  for (guint i = 0; granted != NULL && granted[i] != NULL; i++)
    {
      gboolean seen = FALSE;
      for (guint j = 0; j < caps->len && !seen; j++)
        seen = g_strcmp0 (caps->pdata[j], granted[i]) == 0;
      if (!seen)
        g_ptr_array_add (caps, (gpointer)granted[i]);
    }
  g_ptr_array_add (caps, NULL);
  return g_strdupv ((gchar **)caps->pdata);
}

static GStrv
build_env (BerthPluginSettings *settings)
{
  const gchar *const *env = berth_plugin_settings_get_env (settings);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, DEFAULT_PATH_ENV);
  if (env != NULL)
    g_strv_builder_addv (builder, (const gchar **)env);
  return g_strv_builder_end (builder);
}

static GStrv
build_args (BerthPluginConfig *config, BerthPluginSettings *settings)
{
  const gchar *const *args = berth_plugin_settings_get_args (settings);
  const gchar *const *entrypoint = berth_plugin_config_get_entrypoint (config);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (entrypoint != NULL)
    g_strv_builder_addv (builder, (const gchar **)entrypoint);
  if (args != NULL)
    g_strv_builder_addv (builder, (const gchar **)args);
  return g_strv_builder_end (builder);
}

static gint
compare_cpu_names (gconstpointer a, gconstpointer b)
{
  guint64 x = g_ascii_strtoull (*(const gchar *const *)a + 3, NULL, 10);
  guint64 y = g_ascii_strtoull (*(const gchar *const *)b + 3, NULL, 10);
  return x < y ? -1 : x > y ? 1 : 0;
}

/* moby masks /sys/devices/system/cpu/cpu<N>/thermal_throttle of each CPU
 * that has one */
static GStrv
build_masked_paths (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GDir) dir = g_dir_open ("/sys/devices/system/cpu", 0, NULL);
  g_autoptr(GPtrArray) cpus = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  g_strv_builder_addv (builder, (const gchar **)default_masked_paths);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_prefix (name, "cpu") && g_ascii_isdigit (name[3]))
        g_ptr_array_add (cpus, g_strdup (name));
    }
  g_ptr_array_sort (cpus, compare_cpu_names);
  for (guint i = 0; i < cpus->len; i++)
    {
      g_autofree gchar *path
        = g_build_filename ("/sys/devices/system/cpu", cpus->pdata[i], "thermal_throttle", NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        g_strv_builder_add (builder, path);
    }
  return g_strv_builder_end (builder);
}

static void
add_process (JsonBuilder *builder, BerthPluginConfig *config, BerthPluginSettings *settings)
{
  const gchar *workdir = berth_plugin_config_get_workdir (config);
  g_auto(GStrv) args = build_args (config, settings);
  g_auto(GStrv) env = build_env (settings);
  g_auto(GStrv) caps = build_capabilities (config);

  json_builder_set_member_name (builder, "process");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "terminal");
  json_builder_add_boolean_value (builder, FALSE);

  /* Docker stores User.UID and User.GID and then ignores them: its plugins
   * always run as uid 0. berth applies them, so a plugin that asks to run
   * unprivileged does; unset means 0, which is Docker's behaviour. Note
   * that for a non-root user the granted capabilities do not survive the
   * execve of the entrypoint (no inheritable or ambient set), as with
   * `docker run --user`, unless the binary carries file capabilities */
  json_builder_set_member_name (builder, "user");
  json_builder_begin_object (builder);
  add_uint_member (builder, "uid", berth_plugin_config_get_uid (config));
  add_uint_member (builder, "gid", berth_plugin_config_get_gid (config));
  json_builder_end_object (builder);

  add_string_array (builder, "args", (const gchar *const *)args);
  add_string_array (builder, "env", (const gchar *const *)env);
  json_builder_set_member_name (builder, "cwd");
  json_builder_add_string_value (builder, workdir != NULL && workdir[0] != '\0' ? workdir : "/");

  /* moby appends the granted capabilities to bounding, permitted,
   * inheritable and effective, duplicates included; an inheritable set is
   * what CVE-2022-24769 warned about, so it stays empty here, and each
   * capability is listed once */
  json_builder_set_member_name (builder, "capabilities");
  json_builder_begin_object (builder);
  add_string_array (builder, "bounding", (const gchar *const *)caps);
  add_string_array (builder, "effective", (const gchar *const *)caps);
  add_string_array (builder, "permitted", (const gchar *const *)caps);
  json_builder_end_object (builder);

  /* hardening beyond moby, which leaves no_new_privs off. It only stops an
   * execve from gaining privileges through setuid/setgid bits or file
   * capabilities beyond the permitted set. The sshfs plugin is not hurt:
   * it runs as root with CAP_SYS_ADMIN in its bounding and permitted sets,
   * so sshfs and ssh, which it executes, get the same set back (nothing is
   * gained, nothing is clamped), and as root libfuse mounts /dev/fuse with
   * mount(2) itself instead of through the setuid fusermount. What would
   * break is a plugin that sets a non-root User and relies on a setuid
   * helper (fusermount, ping without file caps); such a plugin needs
   * Docker's defaults anyway, since Docker ignores User */
  json_builder_set_member_name (builder, "noNewPrivileges");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
}

static void
add_mounts (JsonBuilder *builder, GPtrArray *mounts)
{
  json_builder_set_member_name (builder, "mounts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < mounts->len; i++)
    {
      SpecMount *mount = g_ptr_array_index (mounts, i);

      /* the fields Go's encoder would write: empty ones are omitted */
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "destination");
      json_builder_add_string_value (builder, mount->destination);
      if (mount->type != NULL && mount->type[0] != '\0')
        {
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, mount->type);
        }
      if (mount->source != NULL && mount->source[0] != '\0')
        {
          json_builder_set_member_name (builder, "source");
          json_builder_add_string_value (builder, mount->source);
        }
      if (mount->options != NULL && mount->options[0] != NULL)
        add_string_array (builder, "options", (const gchar *const *)mount->options);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_device_rule (JsonBuilder *builder, const DeviceRule *rule)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "allow");
  json_builder_add_boolean_value (builder, rule->allow);
  if (rule->type != 0)
    {
      gchar type[2] = { rule->type, '\0' };
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, type);
    }
  if (rule->major >= 0)
    add_uint_member (builder, "major", rule->major);
  if (rule->minor >= 0)
    add_uint_member (builder, "minor", rule->minor);
  json_builder_set_member_name (builder, "access");
  json_builder_add_string_value (builder, "rwm");
  json_builder_end_object (builder);
}

/* which of the host's namespaces a container shares */
typedef struct
{
  gboolean network;
  gboolean pid;
  gboolean ipc;
  gboolean all_devices;
} HostShares;

static void
add_linux (JsonBuilder *builder,
           const HostShares *host,
           GPtrArray *devices,
           gboolean rshared_rootfs)
{
  g_auto(GStrv) masked = build_masked_paths ();

  json_builder_set_member_name (builder, "linux");
  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "resources");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  if (host->all_devices)
    {
      const DeviceRule all = { TRUE, 0, -1, -1 };
      add_device_rule (builder, &all);
    }
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (default_device_rules); i++)
        add_device_rule (builder, &default_device_rules[i]);
    }
  for (guint i = 0; i < devices->len; i++)
    {
      SpecDevice *device = g_ptr_array_index (devices, i);
      const DeviceRule rule = { TRUE, device->type, device->major, device->minor };

      /* the device cgroup knows character and block devices only; moby
       * writes a rule of type "p" for a FIFO, which runc rejects */
      if (device->type != 'p')
        add_device_rule (builder, &rule);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  /* moby's default spec, then InitSpec's removals. Its master branch adds
   * a time namespace, which runc 1.1 (Debian 12's) does not know */
  json_builder_set_member_name (builder, "namespaces");
  json_builder_begin_array (builder);
  for (guint i = 0; i < 5; i++)
    {
      static const gchar *const types[] = { "mount", "network", "uts", "pid", "ipc" };
      if ((i == 1 && host->network) || (i == 3 && host->pid) || (i == 4 && host->ipc))
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, types[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (devices->len > 0)
    {
      json_builder_set_member_name (builder, "devices");
      json_builder_begin_array (builder);
      for (guint i = 0; i < devices->len; i++)
        {
          SpecDevice *device = g_ptr_array_index (devices, i);
          gchar type[2] = { device->type, '\0' };

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "path");
          json_builder_add_string_value (builder, device->path);
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, type);
          add_uint_member (builder, "major", device->major);
          add_uint_member (builder, "minor", device->minor);
          add_uint_member (builder, "fileMode", device->file_mode);
          add_uint_member (builder, "uid", device->uid);
          add_uint_member (builder, "gid", device->gid);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  if (rshared_rootfs)
    {
      json_builder_set_member_name (builder, "rootfsPropagation");
      json_builder_add_string_value (builder, "rshared");
    }
  add_string_array (builder, "maskedPaths", (const gchar *const *)masked);
  add_string_array (builder, "readonlyPaths", default_readonly_paths);
  json_builder_end_object (builder);
}

/**
 * berth_oci_spec_new_for_plugin:
 * @config: the plugin's config
 * @settings: the plugin's settings: mount sources, device paths, env, args
 * @rootfs: the plugin's root file system on the host
 * @socket_dir: the plugin's socket directory on the host, seen by the plugin
 *   as `/run/docker/plugins`
 * @propagated_mount_dir: (nullable): the host directory bound (`rshared`) to
 *   the config's `PropagatedMount`; required when it is set
 * @error: return location for a #GError
 *
 * Generates the OCI runtime spec (a bundle's `config.json`) for a plugin,
 * as moby's plugin `InitSpec` over its `DefaultLinuxSpec` does: the same
 * namespaces, mounts in the same order, device cgroup rules, capabilities,
 * masked and read-only paths, process arguments and environment. Where it
 * differs, it is stricter: the granted capabilities are not inheritable nor
 * repeated, `noNewPrivileges` is set, and `User` is applied.
 *
 * Device paths are looked up on this host (stat(2)) for their type and
 * numbers; a directory adds every device node below it.
 *
 * Returns: (transfer full): the spec, or %NULL if a mount has no source,
 *   a device path is no device, or the propagated mount has no directory
 */
JsonNode *
berth_oci_spec_new_for_plugin (BerthPluginConfig *config,
                               BerthPluginSettings *settings,
                               const gchar *rootfs,
                               const gchar *socket_dir,
                               const gchar *propagated_mount_dir,
                               GError **error)
{
  const gchar *propagated_mount;
  const gchar *network;
  GPtrArray *settings_mounts;
  GPtrArray *settings_devices;
  g_autoptr(GPtrArray) mounts = g_ptr_array_new_with_free_func ((GDestroyNotify)spec_mount_free);
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify)spec_device_free);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint first_settings;

  g_return_val_if_fail (BERTH_IS_PLUGIN_CONFIG (config), NULL);
  g_return_val_if_fail (BERTH_IS_PLUGIN_SETTINGS (settings), NULL);
  g_return_val_if_fail (rootfs != NULL, NULL);
  g_return_val_if_fail (socket_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  propagated_mount = berth_plugin_config_get_propagated_mount (config);
  network = berth_plugin_config_get_network_type (config);
  settings_mounts = berth_plugin_settings_get_mounts (settings);
  settings_devices = berth_plugin_settings_get_devices (settings);

  for (guint i = 0; i < G_N_ELEMENTS (default_mounts); i++)
    add_mount (mounts, default_mounts[i].destination, default_mounts[i].type,
               default_mounts[i].source, default_mounts[i].options);
  if (propagated_mount != NULL && propagated_mount[0] != '\0')
    {
      if (propagated_mount_dir == NULL)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "the plugin propagates mounts from %s, and no host directory was given "
                       "for them",
                       propagated_mount);
          return NULL;
        }
      add_mount (mounts, propagated_mount, "bind", propagated_mount_dir,
                 (const gchar *const[]){ "rbind", "rw", "rshared", NULL });
    }
  first_settings = mounts->len;
  if (!add_settings_mounts (mounts, settings_mounts, error))
    return NULL;
  drop_overridden_dev_mounts (mounts, first_settings, mounts->len - first_settings);
  add_mount (mounts, BERTH_OCI_SPEC_PLUGIN_RUNTIME_DIR, "bind", socket_dir,
             (const gchar *const[]){ "rbind", "rshared", NULL });
  /* any network type, "none" and "bridge" included, gets the host's name
   * resolution, as in moby; "host" also keeps the host's network namespace */
  if (network != NULL && network[0] != '\0')
    {
      add_mount (mounts, "/etc/hosts", "bind", "/etc/hosts",
                 (const gchar *const[]){ "rbind", "ro", NULL });
      add_mount (mounts, "/etc/resolv.conf", "bind", "/etc/resolv.conf",
                 (const gchar *const[]){ "rbind", "ro", NULL });
    }

  for (guint i = 0; settings_devices != NULL && i < settings_devices->len; i++)
    {
      const BerthPluginDevice *device = g_ptr_array_index (settings_devices, i);
      if (device->path == NULL || device->path[0] == '\0')
        {
          if (device->name[0] != '\0')
            g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                         "device path is not specified: device “%s” needs %s.path=<host device> "
                         "set",
                         device->name, device->name);
          else
            g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                                 "device path is not specified");
          return NULL;
        }
      if (!add_devices_from_path (device->path, devices, error))
        return NULL;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ociVersion");
  json_builder_add_string_value (builder, OCI_VERSION);
  add_process (builder, config, settings);

  /* writable, as moby has it ("TODO: all plugins should be readonly?"):
   * the snapshotter's overlay gives each plugin an upper layer of its own */
  json_builder_set_member_name (builder, "root");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, rootfs);
  json_builder_set_member_name (builder, "readonly");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);

  add_mounts (builder, mounts);
  {
    const HostShares host = {
      .network = g_strcmp0 (network, "host") == 0,
      .pid = berth_plugin_config_get_pid_host (config),
      .ipc = berth_plugin_config_get_ipc_host (config),
      .all_devices = berth_plugin_config_get_allow_all_devices (config),
    };
    add_linux (builder, &host, devices, propagated_mount != NULL && propagated_mount[0] != '\0');
  }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/**
 * berth_oci_spec_new_for_container:
 * @container: what to run and where
 * @error: return location for a #GError
 *
 * Generates the OCI runtime spec for a `berth run` process with Docker's
 * default confinement for containers (moby's DefaultLinuxSpec): the default
 * capabilities only, the default device rules, masked and read-only /proc
 * and /sys paths, its own mount, UTS, PID and IPC namespaces, and its own
 * network namespace unless @container shares the host's. Binds follow the
 * default mounts, in order.
 *
 * Returns: (transfer full): the spec
 */
JsonNode *
berth_oci_spec_new_for_container (const BerthOciContainer *container, GError **error)
{
  g_autoptr(GPtrArray) mounts = g_ptr_array_new_with_free_func ((GDestroyNotify)spec_mount_free);
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify)spec_device_free);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const HostShares host = { .network = container->network_host };

  g_return_val_if_fail (container->rootfs != NULL, NULL);
  g_return_val_if_fail (container->args != NULL && container->args[0] != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (default_mounts); i++)
    add_mount (mounts, default_mounts[i].destination, default_mounts[i].type,
               default_mounts[i].source, default_mounts[i].options);
  for (guint i = 0; i < container->n_binds; i++)
    {
      const BerthOciBind *bind = &container->binds[i];
      if (!g_path_is_absolute (bind->destination))
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "invalid mount path: '%s' mount path must be absolute", bind->destination);
          return NULL;
        }
      add_mount (mounts, bind->destination, "bind", bind->source,
                 bind->readonly ? (const gchar *const[]){ "rbind", "rprivate", "ro", NULL }
                                : (const gchar *const[]){ "rbind", "rprivate", NULL });
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ociVersion");
  json_builder_add_string_value (builder, OCI_VERSION);

  json_builder_set_member_name (builder, "process");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "terminal");
  json_builder_add_boolean_value (builder, container->terminal);
  if (container->terminal && container->rows > 0 && container->columns > 0)
    {
      json_builder_set_member_name (builder, "consoleSize");
      json_builder_begin_object (builder);
      add_uint_member (builder, "height", container->rows);
      add_uint_member (builder, "width", container->columns);
      json_builder_end_object (builder);
    }
  json_builder_set_member_name (builder, "user");
  json_builder_begin_object (builder);
  add_uint_member (builder, "uid", container->uid);
  add_uint_member (builder, "gid", container->gid);
  json_builder_end_object (builder);
  add_string_array (builder, "args", container->args);
  add_string_array (builder, "env", container->env);
  json_builder_set_member_name (builder, "cwd");
  json_builder_add_string_value (builder, container->cwd != NULL ? container->cwd : "/");
  json_builder_set_member_name (builder, "capabilities");
  json_builder_begin_object (builder);
  add_string_array (builder, "bounding", default_capabilities);
  add_string_array (builder, "effective", default_capabilities);
  add_string_array (builder, "permitted", default_capabilities);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "root");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, container->rootfs);
  json_builder_set_member_name (builder, "readonly");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  if (container->hostname != NULL)
    {
      json_builder_set_member_name (builder, "hostname");
      json_builder_add_string_value (builder, container->hostname);
    }

  add_mounts (builder, mounts);
  add_linux (builder, &host, devices, FALSE);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/**
 * berth_oci_spec_write_bundle:
 * @spec: a spec from berth_oci_spec_new_for_plugin()
 * @bundle_dir: the bundle directory; created if missing (0700)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes @spec as the bundle's `config.json`, atomically and readable by
 * root only.
 *
 * Returns: %TRUE on success
 */
gboolean
berth_oci_spec_write_bundle (JsonNode *spec,
                             const gchar *bundle_dir,
                             GCancellable *cancellable,
                             GError **error)
{
  g_autofree gchar *path = NULL;
  g_autofree gchar *text = NULL;

  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (bundle_dir != NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (g_mkdir_with_parents (bundle_dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "creating the bundle directory %s: %s",
                   bundle_dir, g_strerror (errsv));
      return FALSE;
    }
  path = g_build_filename (bundle_dir, "config.json", NULL);
  text = berth_json_to_string (spec, TRUE);
  /* replaced whole, but not synced: a bundle lives in the run directory,
   * which a reboot empties, and is written anew each time the container
   * starts; a sync would cost a journal commit where /run is on disk */
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0600, error))
    {
      berth_error_convert (error);
      g_prefix_error (error, "writing %s: ", path);
      return FALSE;
    }
  return TRUE;
}
