/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* the OCI runtime spec of a plugin, field by field, against moby's InitSpec
 * (reference §5.2) and berth's hardening beyond it */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <berth.h>

#define ROOTFS "/var/lib/berth/snapshots/p1/rootfs"
#define SOCKET_DIR                                                                                 \
  "/run/berth/plugins/000c9c1cc3eb995f129f1bbd6a16b38e021b0f8b048db19e77c6d084f161acbb"
#define PROPAGATED "/var/lib/berth/plugins/000c9c1cc3eb/propagated-mount"
#define PATH_ENV   "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* `docker plugin inspect vieux/sshfs` in reference/docker-observed.md */
static const gchar sshfs_config[]
  = "{"
    "\"Args\":{\"Description\":\"\",\"Name\":\"\",\"Settable\":null,\"Value\":null},"
    "\"Description\":\"sshFS plugin for Docker\",\"DockerVersion\":\"20.10.24+dfsg1\","
    "\"Documentation\":\"https://docs.docker.com/engine/extend/plugins/\","
    "\"Entrypoint\":[\"/docker-volume-sshfs\"],"
    "\"Env\":[{\"Description\":\"\",\"Name\":\"DEBUG\",\"Settable\":[\"value\"],\"Value\":\"0\"}],"
    "\"Interface\":{\"Socket\":\"sshfs.sock\",\"Types\":[\"docker.volumedriver/1.0\"]},"
    "\"IpcHost\":false,"
    "\"Linux\":{\"AllowAllDevices\":false,\"Capabilities\":[\"CAP_SYS_ADMIN\"],"
    "\"Devices\":[{\"Description\":\"\",\"Name\":\"\",\"Path\":\"/dev/fuse\",\"Settable\":null}]},"
    "\"Mounts\":[{\"Description\":\"\",\"Destination\":\"/mnt/state\",\"Name\":\"state\","
    "\"Options\":[\"rbind\"],\"Settable\":[\"source\"],\"Source\":\"/var/lib/docker/plugins/\","
    "\"Type\":\"bind\"},"
    "{\"Description\":\"\",\"Destination\":\"/root/.ssh\",\"Name\":\"sshkey\","
    "\"Options\":[\"rbind\"],\"Settable\":[\"source\"],\"Source\":\"\",\"Type\":\"bind\"}],"
    "\"Network\":{\"Type\":\"host\"},\"PidHost\":false,\"PropagatedMount\":\"/mnt/volumes\","
    "\"User\":{},\"WorkDir\":\"\","
    "\"rootfs\":{\"diff_ids\":[\"sha256:"
    "58d17b1575b0a51b6e7a7bb5079d589f0d4f20ad0fa93bb51bf972e6300aea2f\"],"
    "\"type\":\"layers\"}}";

/* its Settings after `docker plugin set vieux/sshfs sshkey.source=/srv/keys
 * state.source=/srv/state` and `DEBUG=1` */
static const gchar sshfs_settings[]
  = "{"
    "\"Args\":[],"
    "\"Devices\":[{\"Description\":\"\",\"Name\":\"\",\"Path\":\"%s\",\"Settable\":null}],"
    "\"Env\":[\"DEBUG=1\"],"
    "\"Mounts\":[{\"Description\":\"\",\"Destination\":\"/mnt/state\",\"Name\":\"state\","
    "\"Options\":[\"rbind\"],\"Settable\":[\"source\"],\"Source\":\"/srv/"
    "state\",\"Type\":\"bind\"},"
    "{\"Description\":\"\",\"Destination\":\"/root/.ssh\",\"Name\":\"sshkey\","
    "\"Options\":[\"rbind\"],\"Settable\":[\"source\"],\"Source\":\"/srv/"
    "keys\",\"Type\":\"bind\"}]}";

static const gchar *const default_caps[] = {
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

/* ---- helpers ---- */

static BerthPluginConfig *
config_new (const gchar *json)
{
  g_autoptr(GError) error = NULL;
  BerthPluginConfig *config = berth_plugin_config_new_from_data (json, -1, &error);
  g_assert_no_error (error);
  return config;
}

static BerthPluginSettings *
settings_new (const gchar *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = berth_json_parse (json, -1, &error);
  BerthPluginSettings *settings;

  g_assert_no_error (error);
  settings = berth_plugin_settings_new_from_json_node (node, &error);
  g_assert_no_error (error);
  return settings;
}

/* a minimal plugin config with @extra members spliced in */
static BerthPluginConfig *
small_config_new (const gchar *extra)
{
  g_autofree gchar *json = g_strdup_printf (
    "{\"Description\":\"test\",\"Documentation\":\"\",\"Entrypoint\":[\"/plugin\"],"
    "\"Interface\":{\"Socket\":\"p.sock\",\"Types\":[\"docker.volumedriver/1.0\"]}%s%s}",
    extra != NULL ? "," : "", extra != NULL ? extra : "");
  return config_new (json);
}

static JsonNode *
spec_ok (BerthPluginConfig *config, BerthPluginSettings *settings, const gchar *propagated)
{
  g_autoptr(GError) error = NULL;
  JsonNode *spec
    = berth_oci_spec_new_for_plugin (config, settings, ROOTFS, SOCKET_DIR, propagated, &error);
  g_assert_no_error (error);
  g_assert_nonnull (spec);
  return spec;
}

static JsonNode *
spec_for_small (const gchar *extra)
{
  g_autoptr(BerthPluginConfig) config = small_config_new (extra);
  g_autoptr(BerthPluginSettings) settings = berth_plugin_settings_new (config);
  return spec_ok (config, settings, PROPAGATED);
}

/* the node at a dotted path of object members, or NULL */
static JsonNode *
member (JsonNode *node, const gchar *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        return NULL;
      node = json_object_get_member (json_node_get_object (node), parts[i]);
    }
  return node;
}

static const gchar *
member_string (JsonNode *node, const gchar *path)
{
  JsonNode *found = member (node, path);
  g_assert_nonnull (found);
  return json_node_get_string (found);
}

static gint64
member_int (JsonNode *node, const gchar *path)
{
  JsonNode *found = member (node, path);
  g_assert_nonnull (found);
  g_assert_true (JSON_NODE_HOLDS_VALUE (found));
  return json_node_get_int (found);
}

static gboolean
member_bool (JsonNode *node, const gchar *path)
{
  JsonNode *found = member (node, path);
  g_assert_nonnull (found);
  return json_node_get_boolean (found);
}

static JsonArray *
member_array (JsonNode *node, const gchar *path)
{
  JsonNode *found = member (node, path);
  g_assert_nonnull (found);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (found));
  return json_node_get_array (found);
}

/* a string array as one string, "a b c", for readable assertions */
static gchar *
joined (JsonArray *array)
{
  g_autoptr(GString) out = g_string_new (NULL);
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    g_string_append_printf (out, "%s%s", i > 0 ? " " : "",
                            json_array_get_string_element (array, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gchar *
namespaces (JsonNode *spec)
{
  JsonArray *array = member_array (spec, "linux.namespaces");
  g_autoptr(GString) out = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_string_append_printf (
      out, "%s%s", i > 0 ? " " : "",
      json_object_get_string_member (json_array_get_object_element (array, i), "type"));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* each mount as "destination type source options,..." */
static GStrv
mounts (JsonNode *spec)
{
  JsonArray *array = member_array (spec, "mounts");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *mount = json_array_get_object_element (array, i);
      JsonNode *options = json_object_get_member (mount, "options");
      g_autoptr(GString) line
                 = g_string_new (json_object_get_string_member (mount, "destination"));

      g_string_append_printf (line, " %s %s ",
                              json_object_get_string_member_with_default (mount, "type", "-"),
                              json_object_get_string_member_with_default (mount, "source", "-"));
      for (guint j = 0;
           options != NULL && j < json_array_get_length (json_node_get_array (options)); j++)
        g_string_append_printf (line, "%s%s", j > 0 ? "," : "",
                                json_array_get_string_element (json_node_get_array (options), j));
      g_strv_builder_add (builder, line->str);
    }
  return g_strv_builder_end (builder);
}

/* each device cgroup rule as "allow|deny type major:minor access" */
static GStrv
device_rules (JsonNode *spec)
{
  JsonArray *array = member_array (spec, "linux.resources.devices");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *rule = json_array_get_object_element (array, i);
      g_autofree gchar *major
        = json_object_has_member (rule, "major")
            ? g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (rule, "major"))
            : g_strdup ("*");
      g_autofree gchar *minor
        = json_object_has_member (rule, "minor")
            ? g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (rule, "minor"))
            : g_strdup ("*");
      g_autofree gchar *line = g_strdup_printf (
        "%s %s %s:%s %s", json_object_get_boolean_member (rule, "allow") ? "allow" : "deny",
        json_object_get_string_member_with_default (rule, "type", "a"), major, minor,
        json_object_get_string_member (rule, "access"));
      g_strv_builder_add (builder, line);
    }
  return g_strv_builder_end (builder);
}

static void
assert_strv (GStrv actual, const gchar *const *expected)
{
  guint n = g_strv_length (actual);
  for (guint i = 0; i < n || expected[i] != NULL; i++)
    {
      if (i >= n || expected[i] == NULL || g_strcmp0 (actual[i], expected[i]) != 0)
        {
          g_autofree gchar *all = g_strjoinv ("\n  ", actual);
          g_test_message ("got:\n  %s", all);
        }
      g_assert_cmpstr (i < n ? actual[i] : NULL, ==, expected[i]);
    }
}

static const gchar *const default_device_rules[] = {
  "deny a *:* rwm",  "allow c 1:5 rwm",   "allow c 1:3 rwm",
  "allow c 1:9 rwm", "allow c 1:8 rwm",   "allow c 5:0 rwm",
  "allow c 5:1 rwm", "deny c 10:229 rwm", NULL,
};

/* ---- tests ---- */

static void
test_sshfs (void)
{
  g_autoptr(BerthPluginConfig) config = config_new (sshfs_config);
  g_autoptr(BerthPluginSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) spec = NULL;
  g_autofree gchar *settings_json = NULL;
  g_autofree gchar *args = NULL;
  g_autofree gchar *device_rule = NULL;
  g_auto(GStrv) mount_lines = NULL;
  g_auto(GStrv) rules = NULL;
  g_autofree gchar *ns = NULL;
  g_autofree gchar *expected_caps = NULL;
  g_autofree gchar *text = NULL;
  JsonArray *devices;
  JsonObject *fuse;
  struct stat st;
  const gchar *const expected_mounts[] = {
    "/proc proc proc nosuid,noexec,nodev",
    "/dev tmpfs tmpfs nosuid,strictatime,mode=755,size=65536k",
    "/dev/pts devpts devpts nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5",
    "/sys sysfs sysfs nosuid,noexec,nodev,ro",
    "/sys/fs/cgroup cgroup cgroup ro,nosuid,noexec,nodev",
    "/dev/mqueue mqueue mqueue nosuid,noexec,nodev",
    "/dev/shm tmpfs shm nosuid,noexec,nodev,mode=1777",
    "/mnt/volumes bind " PROPAGATED " rbind,rw,rshared",
    "/mnt/state bind /srv/state rbind",
    "/root/.ssh bind /srv/keys rbind",
    "/run/docker/plugins bind " SOCKET_DIR " rbind,rshared",
    "/etc/hosts bind /etc/hosts rbind,ro",
    "/etc/resolv.conf bind /etc/resolv.conf rbind,ro",
    NULL,
  };

  /* a host without /dev/fuse (a CI container) checks the same with
   * /dev/null, and says so */
  gboolean have_fuse = stat ("/dev/fuse", &st) == 0;
  const gchar *device_path = have_fuse ? "/dev/fuse" : "/dev/null";

  if (!have_fuse)
    {
      g_test_message ("this host has no /dev/fuse: using /dev/null for the device checks");
      g_assert_cmpint (stat (device_path, &st), ==, 0);
    }
  settings_json = g_strdup_printf (sshfs_settings, device_path);
  settings = settings_new (settings_json);
  spec = spec_ok (config, settings, PROPAGATED);
  text = berth_json_to_string (spec, TRUE);
  g_test_message ("%s", text);

  g_assert_cmpstr (member_string (spec, "ociVersion"), ==, "1.0.2");
  g_assert_cmpstr (member_string (spec, "root.path"), ==, ROOTFS);
  g_assert_false (member_bool (spec, "root.readonly"));

  /* the process */
  g_assert_false (member_bool (spec, "process.terminal"));
  g_assert_cmpint (member_int (spec, "process.user.uid"), ==, 0);
  g_assert_cmpint (member_int (spec, "process.user.gid"), ==, 0);
  args = joined (member_array (spec, "process.args"));
  g_assert_cmpstr (args, ==, "/docker-volume-sshfs");
  g_assert_cmpuint (json_array_get_length (member_array (spec, "process.env")), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (member_array (spec, "process.env"), 0), ==,
                   PATH_ENV);
  g_assert_cmpstr (json_array_get_string_element (member_array (spec, "process.env"), 1), ==,
                   "DEBUG=1");
  g_assert_cmpstr (member_string (spec, "process.cwd"), ==, "/");
  g_assert_true (member_bool (spec, "process.noNewPrivileges"));

  /* the 14 defaults and the granted one, each once, not inheritable */
  {
    g_autofree gchar *defaults = g_strjoinv (" ", (gchar **)default_caps);
    expected_caps = g_strconcat (defaults, " CAP_SYS_ADMIN", NULL);
  }
  for (guint i = 0; i < 3; i++)
    {
      static const gchar *const sets[]
        = { "process.capabilities.bounding", "process.capabilities.permitted",
            "process.capabilities.effective" };
      g_autofree gchar *caps = joined (member_array (spec, sets[i]));
      g_assert_cmpstr (caps, ==, expected_caps);
    }
  g_assert_null (member (spec, "process.capabilities.inheritable"));
  g_assert_null (member (spec, "process.capabilities.ambient"));

  /* mounts, in moby's order */
  mount_lines = mounts (spec);
  assert_strv (mount_lines, expected_mounts);
  g_assert_cmpstr (member_string (spec, "linux.rootfsPropagation"), ==, "rshared");

  /* Network.Type host: no network namespace */
  ns = namespaces (spec);
  g_assert_cmpstr (ns, ==, "mount uts pid ipc");

  /* /dev/fuse as the host has it: 10:229 */
  devices = member_array (spec, "linux.devices");
  g_assert_cmpuint (json_array_get_length (devices), ==, 1);
  fuse = json_array_get_object_element (devices, 0);
  g_assert_cmpstr (json_object_get_string_member (fuse, "path"), ==, device_path);
  g_assert_cmpstr (json_object_get_string_member (fuse, "type"), ==, "c");
  g_assert_cmpint (json_object_get_int_member (fuse, "major"), ==, have_fuse ? 10 : 1);
  g_assert_cmpint (json_object_get_int_member (fuse, "minor"), ==, have_fuse ? 229 : 3);
  g_assert_cmpint (json_object_get_int_member (fuse, "major"), ==, major (st.st_rdev));
  g_assert_cmpint (json_object_get_int_member (fuse, "minor"), ==, minor (st.st_rdev));
  g_assert_cmpint (json_object_get_int_member (fuse, "fileMode"), ==, st.st_mode & 07777);
  g_assert_cmpint (json_object_get_int_member (fuse, "uid"), ==, st.st_uid);
  g_assert_cmpint (json_object_get_int_member (fuse, "gid"), ==, st.st_gid);

  /* the default rules deny fuse; the device's own allow comes after */
  rules = device_rules (spec);
  device_rule = g_strdup (have_fuse ? "allow c 10:229 rwm" : "allow c 1:3 rwm");
  {
    const gchar *const expected[] = {
      "deny a *:* rwm",  "allow c 1:5 rwm",
      "allow c 1:3 rwm", "allow c 1:9 rwm",
      "allow c 1:8 rwm", "allow c 5:0 rwm",
      "allow c 5:1 rwm", "deny c 10:229 rwm",
      device_rule,       NULL,
    };
    assert_strv (rules, expected);
  }

  /* masked and read-only paths of moby's default spec */
  {
    JsonArray *masked = member_array (spec, "linux.maskedPaths");
    g_autofree gchar *readonly = joined (member_array (spec, "linux.readonlyPaths"));
    g_autofree gchar *all_masked = joined (masked);
    const gchar *const expected_masked[] = {
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
    g_assert_cmpuint (json_array_get_length (masked), >=, 12);
    for (guint i = 0; expected_masked[i] != NULL; i++)
      g_assert_cmpstr (json_array_get_string_element (masked, i), ==, expected_masked[i]);
    for (guint i = 12; i < json_array_get_length (masked); i++)
      g_assert_true (
        g_str_has_suffix (json_array_get_string_element (masked, i), "/thermal_throttle"));
    g_assert_cmpstr (readonly, ==, "/proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger");
    g_test_message ("masked: %s", all_masked);
  }

  /* no seccomp, no time namespace for runc 1.1, no user namespace */
  g_assert_null (member (spec, "linux.seccomp"));
  g_assert_null (member (spec, "linux.uidMappings"));
  g_assert_no_error (error);
}

static void
test_network_types (void)
{
  /* "" (no Network): a network namespace of its own, no host files */
  {
    g_autoptr(JsonNode) spec = spec_for_small (NULL);
    g_auto(GStrv) lines = mounts (spec);
    g_autofree gchar *ns = namespaces (spec);
    g_assert_cmpstr (ns, ==, "mount network uts pid ipc");
    g_assert_cmpstr (lines[g_strv_length (lines) - 1], ==,
                     "/run/docker/plugins bind " SOCKET_DIR " rbind,rshared");
    g_assert_null (member (spec, "linux.rootfsPropagation"));
    g_assert_null (member (spec, "linux.devices"));
  }
  /* none: still a namespace of its own, and the host's name resolution as
   * moby gives any non-empty type */
  {
    g_autoptr(JsonNode) spec = spec_for_small ("\"Network\":{\"Type\":\"none\"}");
    g_auto(GStrv) lines = mounts (spec);
    g_autofree gchar *ns = namespaces (spec);
    guint n = g_strv_length (lines);
    g_assert_cmpstr (ns, ==, "mount network uts pid ipc");
    g_assert_cmpuint (n, ==, 10);
    g_assert_cmpstr (lines[n - 2], ==, "/etc/hosts bind /etc/hosts rbind,ro");
    g_assert_cmpstr (lines[n - 1], ==, "/etc/resolv.conf bind /etc/resolv.conf rbind,ro");
  }
  /* host: the host's namespace */
  {
    g_autoptr(JsonNode) spec = spec_for_small ("\"Network\":{\"Type\":\"host\"}");
    g_autofree gchar *ns = namespaces (spec);
    g_auto(GStrv) lines = mounts (spec);
    g_assert_cmpstr (ns, ==, "mount uts pid ipc");
    g_assert_cmpuint (g_strv_length (lines), ==, 10);
  }
}

static void
test_pid_ipc_host (void)
{
  g_autoptr(JsonNode) pid = spec_for_small ("\"PidHost\":true");
  g_autoptr(JsonNode) ipc = spec_for_small ("\"IpcHost\":true");
  g_autoptr(JsonNode) both
             = spec_for_small ("\"PidHost\":true,\"IpcHost\":true,\"Network\":{\"Type\":\"host\"}");
  g_autofree gchar *pid_ns = namespaces (pid);
  g_autofree gchar *ipc_ns = namespaces (ipc);
  g_autofree gchar *both_ns = namespaces (both);

  g_assert_cmpstr (pid_ns, ==, "mount network uts ipc");
  g_assert_cmpstr (ipc_ns, ==, "mount network uts pid");
  g_assert_cmpstr (both_ns, ==, "mount uts");
}

static void
test_allow_all_devices (void)
{
  g_autoptr(JsonNode) plain = spec_for_small (NULL);
  g_autoptr(JsonNode) all = spec_for_small (
    "\"Linux\":{\"AllowAllDevices\":true,\"Capabilities\":null,"
    "\"Devices\":[{\"Name\":\"null\",\"Path\":\"/dev/null\",\"Settable\":null}]}");
  g_auto(GStrv) plain_rules = device_rules (plain);
  g_auto(GStrv) all_rules = device_rules (all);
  const gchar *const expected[] = { "allow a *:* rwm", "allow c 1:3 rwm", NULL };

  assert_strv (plain_rules, default_device_rules);
  assert_strv (all_rules, expected);
}

static void
test_user (void)
{
  g_autoptr(JsonNode) spec = spec_for_small ("\"User\":{\"UID\":1000,\"GID\":100}");
  g_autoptr(JsonNode) unset = spec_for_small ("\"User\":{}");

  /* Docker ignores User; berth applies it */
  g_assert_cmpint (member_int (spec, "process.user.uid"), ==, 1000);
  g_assert_cmpint (member_int (spec, "process.user.gid"), ==, 100);
  g_assert_cmpint (member_int (unset, "process.user.uid"), ==, 0);
  g_assert_cmpint (member_int (unset, "process.user.gid"), ==, 0);
}

static void
test_args_env_workdir (void)
{
  g_autoptr(BerthPluginConfig) config = small_config_new (
    "\"Entrypoint\":[\"/bin/plugin\",\"-x\"],\"WorkDir\":\"/work\","
    "\"Args\":{\"Name\":\"args\",\"Settable\":[\"value\"],\"Value\":[\"a\",\"b\"]},"
    "\"Env\":[{\"Name\":\"A\",\"Value\":\"1\"},{\"Name\":\"UNSET\",\"Value\":null},"
    "{\"Name\":\"B\",\"Value\":\"two words\"}]");
  g_autoptr(BerthPluginSettings) settings = berth_plugin_settings_new (config);
  g_autoptr(JsonNode) spec = spec_ok (config, settings, NULL);
  g_autofree gchar *args = joined (member_array (spec, "process.args"));
  JsonArray *env = member_array (spec, "process.env");

  g_assert_cmpstr (args, ==, "/bin/plugin -x a b");
  g_assert_cmpstr (member_string (spec, "process.cwd"), ==, "/work");
  g_assert_cmpuint (json_array_get_length (env), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (env, 0), ==, PATH_ENV);
  g_assert_cmpstr (json_array_get_string_element (env, 1), ==, "A=1");
  g_assert_cmpstr (json_array_get_string_element (env, 2), ==, "B=two words");
}

static void
test_capabilities_dedup (void)
{
  g_autoptr(JsonNode) spec = spec_for_small (
    "\"Linux\":{\"Capabilities\":[\"CAP_SYS_ADMIN\",\"CAP_CHOWN\",\"CAP_SYS_ADMIN\","
    "\"CAP_NET_ADMIN\"]}");
  g_autofree gchar *bounding = joined (member_array (spec, "process.capabilities.bounding"));
  g_autofree gchar *defaults = g_strjoinv (" ", (gchar **)default_caps);
  g_autofree gchar *expected = g_strconcat (defaults, " CAP_SYS_ADMIN CAP_NET_ADMIN", NULL);

  g_assert_cmpstr (bounding, ==, expected);
  g_assert_null (member (spec, "process.capabilities.inheritable"));
}

static void
test_mount_source_null (void)
{
  g_autoptr(BerthPluginConfig) config = config_new (sshfs_config);
  g_autoptr(BerthPluginSettings) settings = settings_new (
    "{\"Args\":[],\"Devices\":[],\"Env\":[],\"Mounts\":[{\"Description\":\"\","
    "\"Destination\":\"/root/.ssh\",\"Name\":\"sshkey\",\"Options\":[\"rbind\"],"
    "\"Settable\":[\"source\"],\"Source\":null,\"Type\":\"bind\"}]}");
  g_autoptr(BerthPluginSettings) empty = settings_new (
    "{\"Args\":[],\"Devices\":[],\"Env\":[],\"Mounts\":[{\"Description\":\"\","
    "\"Destination\":\"/root/.ssh\",\"Name\":\"\",\"Options\":[\"rbind\"],"
    "\"Settable\":[\"source\"],\"Source\":\"\",\"Type\":\"bind\"}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) spec = NULL;

  spec = berth_oci_spec_new_for_plugin (config, settings, ROOTFS, SOCKET_DIR, PROPAGATED, &error);
  g_assert_null (spec);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "mount source is not specified"));
  g_assert_nonnull (strstr (error->message, "“sshkey”"));
  g_assert_nonnull (strstr (error->message, "sshkey.source="));
  g_clear_error (&error);

  /* "" on a bind, as in the config docker pushed: the same, by destination */
  spec = berth_oci_spec_new_for_plugin (config, empty, ROOTFS, SOCKET_DIR, PROPAGATED, &error);
  g_assert_null (spec);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "/root/.ssh"));
}

static void
test_device_missing (void)
{
  g_autoptr(BerthPluginConfig) config = small_config_new (NULL);
  g_autoptr(BerthPluginSettings) settings = settings_new (
    "{\"Args\":[],\"Env\":[],\"Mounts\":[],"
    "\"Devices\":[{\"Name\":\"gone\",\"Path\":\"/dev/berth-no-such-device\",\"Settable\":null}]}");
  g_autoptr(BerthPluginSettings) not_device = settings_new (
    "{\"Args\":[],\"Env\":[],\"Mounts\":[],"
    "\"Devices\":[{\"Name\":\"\",\"Path\":\"/etc/hostname\",\"Settable\":null}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) spec = NULL;

  spec = berth_oci_spec_new_for_plugin (config, settings, ROOTFS, SOCKET_DIR, NULL, &error);
  g_assert_null (spec);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "/dev/berth-no-such-device"));
  g_assert_nonnull (strstr (error->message, "No such file or directory"));
  g_clear_error (&error);

  if (!g_file_test ("/etc/hostname", G_FILE_TEST_IS_REGULAR))
    return;
  spec = berth_oci_spec_new_for_plugin (config, not_device, ROOTFS, SOCKET_DIR, NULL, &error);
  g_assert_null (spec);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "/etc/hostname"));
  g_assert_nonnull (strstr (error->message, "not a device node"));
}

/* a directory adds every device node below it, as DevicesFromPath does */
static void
test_device_directory (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("berth-devs-XXXXXX", &error);
  g_autofree gchar *sub = NULL;
  g_autofree gchar *null_path = NULL;
  g_autofree gchar *zero_path = NULL;
  g_autofree gchar *fifo_path = NULL;
  g_autofree gchar *settings_json = NULL;
  g_autoptr(BerthPluginConfig) config = small_config_new (NULL);
  g_autoptr(BerthPluginSettings) settings = NULL;
  g_autoptr(JsonNode) spec = NULL;
  g_auto(GStrv) rules = NULL;
  JsonArray *devices;

  g_assert_no_error (error);
  sub = g_build_filename (dir, "sub", NULL);
  null_path = g_build_filename (dir, "null", NULL);
  zero_path = g_build_filename (sub, "zero", NULL);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  if (mknod (null_path, S_IFCHR | 0666, makedev (1, 3)) != 0)
    {
      g_test_skip ("mknod needs CAP_MKNOD");
      return;
    }
  g_assert_cmpint (mknod (zero_path, S_IFCHR | 0640, makedev (1, 5)), ==, 0);
  fifo_path = g_build_filename (dir, "fifo", NULL);
  g_assert_cmpint (mkfifo (fifo_path, 0600), ==, 0);

  settings_json = g_strdup_printf ("{\"Args\":[],\"Env\":[],\"Mounts\":[],"
                                   "\"Devices\":[{\"Name\":\"\",\"Path\":\"%s\"}]}",
                                   dir);
  settings = settings_new (settings_json);
  spec = spec_ok (config, settings, NULL);
  /* lexical order, as filepath.WalkDir; a FIFO is a device node without a
   * cgroup rule */
  devices = member_array (spec, "linux.devices");
  g_assert_cmpuint (json_array_get_length (devices), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const gchar *const paths[] = { fifo_path, null_path, zero_path };
      const gchar *const types[] = { "p", "c", "c" };
      JsonObject *device = json_array_get_object_element (devices, i);
      g_assert_cmpstr (json_object_get_string_member (device, "path"), ==, paths[i]);
      g_assert_cmpstr (json_object_get_string_member (device, "type"), ==, types[i]);
    }
  g_assert_cmpint (
    json_object_get_int_member (json_array_get_object_element (devices, 2), "fileMode"), ==, 0640);
  rules = device_rules (spec);
  g_assert_cmpuint (g_strv_length (rules), ==, 10);
  g_assert_cmpstr (rules[8], ==, "allow c 1:3 rwm");
  g_assert_cmpstr (rules[9], ==, "allow c 1:5 rwm");

  g_unlink (fifo_path);
  g_unlink (zero_path);
  g_unlink (null_path);
  g_rmdir (sub);
  g_rmdir (dir);
}

/* a settings mount over a default /dev/ mount replaces it */
static void
test_dev_mount_override (void)
{
  g_autoptr(BerthPluginConfig) config = small_config_new (NULL);
  g_autoptr(BerthPluginSettings) settings = settings_new (
    "{\"Args\":[],\"Env\":[],\"Devices\":[],\"Mounts\":[{\"Name\":\"shm\","
    "\"Destination\":\"/dev/shm\",\"Source\":\"/dev/shm\",\"Type\":\"bind\","
    "\"Options\":[\"rbind\"]}]}");
  g_autoptr(JsonNode) spec = spec_ok (config, settings, NULL);
  g_auto(GStrv) lines = mounts (spec);
  const gchar *const expected[] = {
    "/proc proc proc nosuid,noexec,nodev",
    "/dev tmpfs tmpfs nosuid,strictatime,mode=755,size=65536k",
    "/dev/pts devpts devpts nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5",
    "/sys sysfs sysfs nosuid,noexec,nodev,ro",
    "/sys/fs/cgroup cgroup cgroup ro,nosuid,noexec,nodev",
    "/dev/mqueue mqueue mqueue nosuid,noexec,nodev",
    "/dev/shm bind /dev/shm rbind",
    "/run/docker/plugins bind " SOCKET_DIR " rbind,rshared",
    NULL,
  };

  assert_strv (lines, expected);
}

static void
test_propagated_mount_needs_dir (void)
{
  g_autoptr(BerthPluginConfig) config = small_config_new ("\"PropagatedMount\":\"/mnt/volumes\"");
  g_autoptr(BerthPluginSettings) settings = berth_plugin_settings_new (config);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) spec
             = berth_oci_spec_new_for_plugin (config, settings, ROOTFS, SOCKET_DIR, NULL, &error);

  g_assert_null (spec);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "/mnt/volumes"));
}

static void
test_write_bundle (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *tmp = g_dir_make_tmp ("berth-bundle-XXXXXX", &error);
  g_autofree gchar *bundle = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *text = NULL;
  g_autoptr(JsonNode) spec = spec_for_small (NULL);
  g_autoptr(JsonNode) back = NULL;
  struct stat st;

  g_assert_no_error (error);
  bundle = g_build_filename (tmp, "bundle", NULL);
  path = g_build_filename (bundle, "config.json", NULL);
  g_assert_true (berth_oci_spec_write_bundle (spec, bundle, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  back = berth_json_parse (text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (spec, back));
  g_unlink (path);
  g_rmdir (bundle);
  g_rmdir (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/oci-spec/sshfs", test_sshfs);
  g_test_add_func ("/oci-spec/network-types", test_network_types);
  g_test_add_func ("/oci-spec/pid-ipc-host", test_pid_ipc_host);
  g_test_add_func ("/oci-spec/allow-all-devices", test_allow_all_devices);
  g_test_add_func ("/oci-spec/user", test_user);
  g_test_add_func ("/oci-spec/args-env-workdir", test_args_env_workdir);
  g_test_add_func ("/oci-spec/capabilities-dedup", test_capabilities_dedup);
  g_test_add_func ("/oci-spec/mount-source-null", test_mount_source_null);
  g_test_add_func ("/oci-spec/device-missing", test_device_missing);
  g_test_add_func ("/oci-spec/device-directory", test_device_directory);
  g_test_add_func ("/oci-spec/dev-mount-override", test_dev_mount_override);
  g_test_add_func ("/oci-spec/propagated-mount-needs-dir", test_propagated_mount_needs_dir);
  g_test_add_func ("/oci-spec/write-bundle", test_write_bundle);
  return g_test_run ();
}
