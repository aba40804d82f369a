/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <berth.h>
#include <berth-plugin-settings.h>

/* a socket directory as berthd lays it out: /run/berth/plugins/<64-hex-id> */
#define SOCKET_DIR                                                                                 \
  "/run/berth/plugins/000c9c1cc3eb995f129f1bbd6a16b38e021b0f8b048db19e77c6d084f161acbb"

/* the digest of the config blob in docker-observed.md's manifest */
#define SSHFS_BLOB_DIGEST "bd9314633023d4748d5c2898c7bf76cb46b4a690bc8385db2c3032f47bccce1c"

/* ---- helpers ---- */

static gchar *
read_fixture (const gchar *name)
{
  g_autofree gchar *path = g_build_filename (SRCDIR, "configs", name, NULL);
  g_autoptr(GError) error = NULL;
  gchar *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static BerthPluginConfig *
load_fixture (const gchar *name)
{
  g_autofree gchar *text = read_fixture (name);
  g_autoptr(GError) error = NULL;
  BerthPluginConfig *config = berth_plugin_config_new_from_data (text, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (config);
  return config;
}

static BerthPluginConfig *
parse_ok (const gchar *json)
{
  g_autoptr(GError) error = NULL;
  BerthPluginConfig *config = berth_plugin_config_new_from_data (json, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (config);
  return config;
}

static JsonNode *
parse_json (const gchar *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

/* the first difference between two trees, key order included, or NULL */
static gchar *
json_difference (JsonNode *actual, JsonNode *expected, const gchar *path)
{
  if (json_node_get_node_type (actual) != json_node_get_node_type (expected))
    return g_strdup_printf ("%s: %s where %s was expected", path, json_node_type_name (actual),
                            json_node_type_name (expected));
  if (JSON_NODE_HOLDS_OBJECT (actual))
    {
      JsonObject *a = json_node_get_object (actual);
      JsonObject *b = json_node_get_object (expected);
      g_autoptr(GList) a_keys = json_object_get_members (a);
      g_autoptr(GList) b_keys = json_object_get_members (b);
      GList *l = a_keys;
      GList *m = b_keys;

      for (; l != NULL && m != NULL; l = l->next, m = m->next)
        {
          g_autofree gchar *child = g_strdup_printf ("%s.%s", path, (const gchar *)m->data);
          gchar *difference;
          if (g_strcmp0 (l->data, m->data) != 0)
            return g_strdup_printf ("%s: key %s where %s was expected", path,
                                    (const gchar *)l->data, (const gchar *)m->data);
          difference = json_difference (json_object_get_member (a, l->data),
                                        json_object_get_member (b, m->data), child);
          if (difference != NULL)
            return difference;
        }
      if (l != NULL || m != NULL)
        return g_strdup_printf ("%s: %s key %s", path, l != NULL ? "extra" : "missing",
                                (const gchar *)(l != NULL ? l->data : m->data));
      return NULL;
    }
  if (JSON_NODE_HOLDS_ARRAY (actual))
    {
      JsonArray *a = json_node_get_array (actual);
      JsonArray *b = json_node_get_array (expected);
      if (json_array_get_length (a) != json_array_get_length (b))
        return g_strdup_printf ("%s: %u elements where %u were expected", path,
                                json_array_get_length (a), json_array_get_length (b));
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          g_autofree gchar *child = g_strdup_printf ("%s[%u]", path, i);
          gchar *difference
            = json_difference (json_array_get_element (a, i), json_array_get_element (b, i), child);
          if (difference != NULL)
            return difference;
        }
      return NULL;
    }
  if (!json_node_equal (actual, expected))
    {
      g_autofree gchar *a = json_to_string (actual, FALSE);
      g_autofree gchar *b = json_to_string (expected, FALSE);
      return g_strdup_printf ("%s: %s where %s was expected", path, a, b);
    }
  return NULL;
}

static void
assert_json_same (JsonNode *actual, JsonNode *expected)
{
  g_autofree gchar *difference = json_difference (actual, expected, "$");

  g_assert_cmpstr (difference, ==, NULL);
  g_assert_true (json_node_equal (actual, expected));
}

static gchar *
config_to_string (BerthPluginConfig *config)
{
  g_autoptr(JsonNode) node = berth_plugin_config_to_json_node (config);
  return berth_json_to_string (node, FALSE);
}

static gchar *
settings_to_string (BerthPluginSettings *settings)
{
  g_autoptr(JsonNode) node = berth_plugin_settings_to_json_node (settings);
  return berth_json_to_string (node, FALSE);
}

/* an error's message, exact, or as a prefix when @expected ends in '*' */
static void
assert_message (const GError *error, const gchar *expected)
{
  gsize len = strlen (expected);

  g_assert_nonnull (error);
  if (len > 0 && expected[len - 1] == '*')
    {
      if (strncmp (error->message, expected, len - 1) != 0)
        g_assert_cmpstr (error->message, ==, expected);
      return;
    }
  g_assert_cmpstr (error->message, ==, expected);
}

/* ---- parsing ---- */

static void
test_parse_sshfs_blob (void)
{
  g_autoptr(BerthPluginConfig) config = load_fixture ("sshfs-blob.json");
  GPtrArray *mounts = berth_plugin_config_get_mounts (config);
  GPtrArray *devices = berth_plugin_config_get_devices (config);
  GPtrArray *env = berth_plugin_config_get_env (config);
  const BerthPluginArgs *args = berth_plugin_config_get_args (config);
  BerthPluginMount *mount;
  BerthPluginDevice *device;
  BerthPluginEnv *entry;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (berth_plugin_config_get_description (config), ==, "sshFS plugin for Docker");
  g_assert_cmpstr (berth_plugin_config_get_documentation (config), ==,
                   "https://docs.docker.com/engine/extend/plugins/");
  g_assert_cmpstr (berth_plugin_config_get_docker_version (config), ==, "20.10.24+dfsg1");
  g_assert_cmpstrv (berth_plugin_config_get_entrypoint (config),
                    ((const gchar *const[]){ "/docker-volume-sshfs", NULL }));
  g_assert_cmpstr (berth_plugin_config_get_interface_socket (config), ==, "sshfs.sock");
  g_assert_cmpstrv (berth_plugin_config_get_interface_types (config),
                    ((const gchar *const[]){ "docker.volumedriver/1.0", NULL }));
  g_assert_cmpstr (berth_plugin_config_get_interface_protocol_scheme (config), ==, "");
  g_assert_cmpstr (berth_plugin_config_get_network_type (config), ==, "host");
  g_assert_cmpstr (berth_plugin_config_get_propagated_mount (config), ==, "/mnt/volumes");
  g_assert_cmpstr (berth_plugin_config_get_workdir (config), ==, "");
  g_assert_false (berth_plugin_config_get_ipc_host (config));
  g_assert_false (berth_plugin_config_get_pid_host (config));
  g_assert_false (berth_plugin_config_get_allow_all_devices (config));
  g_assert_cmpuint (berth_plugin_config_get_uid (config), ==, 0);
  g_assert_cmpuint (berth_plugin_config_get_gid (config), ==, 0);
  g_assert_cmpstrv (berth_plugin_config_get_capabilities (config),
                    ((const gchar *const[]){ "CAP_SYS_ADMIN", NULL }));
  g_assert_true (berth_plugin_config_has_rootfs (config));
  g_assert_cmpstr (berth_plugin_config_get_rootfs_type (config), ==, "layers");
  g_assert_cmpstrv (
    berth_plugin_config_get_rootfs_diff_ids (config),
    ((const gchar *const[]){
      "sha256:58d17b1575b0a51b6e7a7bb5079d589f0d4f20ad0fa93bb51bf972e6300aea2f", NULL }));

  g_assert_cmpuint (mounts->len, ==, 2);
  mount = g_ptr_array_index (mounts, 0);
  g_assert_cmpstr (mount->name, ==, "state");
  g_assert_cmpstr (mount->source, ==, "/var/lib/docker/plugins/");
  g_assert_cmpstr (mount->destination, ==, "/mnt/state");
  g_assert_cmpstr (mount->type, ==, "bind");
  g_assert_cmpstrv (mount->options, ((const gchar *const[]){ "rbind", NULL }));
  g_assert_cmpstrv (mount->settable, ((const gchar *const[]){ "source", NULL }));
  mount = g_ptr_array_index (mounts, 1);
  g_assert_cmpstr (mount->name, ==, "sshkey");
  g_assert_cmpstr (mount->source, ==, "");

  g_assert_cmpuint (devices->len, ==, 1);
  device = g_ptr_array_index (devices, 0);
  g_assert_cmpstr (device->name, ==, "");
  g_assert_cmpstr (device->path, ==, "/dev/fuse");
  g_assert_null (device->settable);

  g_assert_cmpuint (env->len, ==, 1);
  entry = g_ptr_array_index (env, 0);
  g_assert_cmpstr (entry->name, ==, "DEBUG");
  g_assert_cmpstr (entry->value, ==, "0");

  g_assert_cmpstr (args->name, ==, "");
  g_assert_null (args->settable);
  g_assert_null (args->value);

  g_assert_true (berth_plugin_config_has_capability (config, "volumedriver"));
  g_assert_true (berth_plugin_config_has_capability (config, "VolumeDriver"));
  g_assert_false (berth_plugin_config_has_capability (config, "authz"));

  berth_plugin_config_validate (config, SOCKET_DIR, &error);
  g_assert_no_error (error);
}

/* the config blob Docker wrote comes back key for key, and byte for byte:
 * its digest is the one in the registry's manifest */
static void
test_parse_sshfs_round_trip (void)
{
  g_autofree gchar *text = read_fixture ("sshfs-blob.json");
  g_autoptr(BerthPluginConfig) config = parse_ok (text);
  g_autoptr(JsonNode) expected = parse_json (text);
  g_autoptr(JsonNode) actual = berth_plugin_config_to_json_node (config);
  g_autoptr(GBytes) blob = berth_plugin_config_to_blob (config);
  g_autofree gchar *digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, blob);
  g_autofree gchar *pretty = berth_json_to_string (actual, TRUE);
  g_autoptr(BerthPluginConfig) again = NULL;
  g_autofree gchar *again_text = NULL;
  g_autofree gchar *first_text = NULL;
  g_autoptr(GError) error = NULL;

  assert_json_same (actual, expected);
  g_assert_cmpuint (g_bytes_get_size (blob), ==, 1055);
  g_assert_cmpstr (digest, ==, SSHFS_BLOB_DIGEST);

  /* as docker's CLI indents it */
  g_strchomp (text);
  g_assert_cmpstr (pretty, ==, text);

  /* and back from the tree, as berthd loads a stored record */
  again = berth_plugin_config_new_from_json_node (actual, &error);
  g_assert_no_error (error);
  first_text = config_to_string (config);
  again_text = config_to_string (again);
  g_assert_cmpstr (again_text, ==, first_text);
}

static void
test_parse_docs_example (void)
{
  g_autoptr(BerthPluginConfig) config = load_fixture ("docs-example.json");
  g_autoptr(GError) error = NULL;
  g_autofree gchar *text = config_to_string (config);

  g_assert_cmpstr (berth_plugin_config_get_description (config), ==, "sshFS plugin for Docker");
  g_assert_cmpstr (berth_plugin_config_get_network_type (config), ==, "host");
  g_assert_cmpstr (berth_plugin_config_get_interface_socket (config), ==, "sshfs.sock");
  g_assert_cmpstrv (berth_plugin_config_get_capabilities (config),
                    ((const gchar *const[]){ "CAP_SYS_ADMIN", NULL }));
  berth_plugin_config_validate (config, SOCKET_DIR, &error);
  g_assert_no_error (error);

  /* what Docker's inspect shows for it: unset lists are null, User is {},
   * no rootfs, no ProtocolScheme, no DockerVersion */
  g_assert_cmpstr (
    text, ==,
    "{\"Args\":{\"Description\":\"\",\"Name\":\"\",\"Settable\":null,\"Value\":null},"
    "\"Description\":\"sshFS plugin for Docker\","
    "\"Documentation\":\"https://docs.docker.com/engine/extend/plugins/\","
    "\"Entrypoint\":[\"/docker-volume-sshfs\"],\"Env\":null,"
    "\"Interface\":{\"Socket\":\"sshfs.sock\",\"Types\":[\"docker.volumedriver/1.0\"]},"
    "\"IpcHost\":false,"
    "\"Linux\":{\"AllowAllDevices\":false,\"Capabilities\":[\"CAP_SYS_ADMIN\"],"
    "\"Devices\":null},"
    "\"Mounts\":null,\"Network\":{\"Type\":\"host\"},\"PidHost\":false,"
    "\"PropagatedMount\":\"\",\"User\":{},\"WorkDir\":\"\"}");
}

/* every field, once with Docker's keys and once with the lower and camel
 * case of the docs (and odd cases for rootfs), gives the same config */
static void
test_parse_every_field_both_cases (void)
{
  const gchar *fixtures[] = { "full-canonical.json", "full-lowercase.json" };
  g_autofree gchar *expected = read_fixture ("full-expected.json");

  g_strchomp (expected);
  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autoptr(BerthPluginConfig) config = load_fixture (fixtures[i]);
      g_autoptr(JsonNode) node = berth_plugin_config_to_json_node (config);
      g_autofree gchar *pretty = berth_json_to_string (node, TRUE);
      g_autoptr(JsonNode) expected_node = parse_json (expected);
      const BerthPluginArgs *args = berth_plugin_config_get_args (config);
      GPtrArray *mounts = berth_plugin_config_get_mounts (config);
      GPtrArray *devices = berth_plugin_config_get_devices (config);
      GPtrArray *env = berth_plugin_config_get_env (config);
      g_autoptr(GError) error = NULL;

      g_test_message ("fixture %s", fixtures[i]);
      assert_json_same (node, expected_node);
      g_assert_cmpstr (pretty, ==, expected);

      g_assert_cmpstr (berth_plugin_config_get_description (config), ==, "every field set");
      g_assert_cmpstr (berth_plugin_config_get_workdir (config), ==, "/srv");
      g_assert_cmpuint (berth_plugin_config_get_uid (config), ==, 1000);
      g_assert_cmpuint (berth_plugin_config_get_gid (config), ==, 100);
      g_assert_cmpstr (berth_plugin_config_get_interface_protocol_scheme (config), ==,
                       "moby.plugins.http/v1");
      g_assert_true (berth_plugin_config_get_ipc_host (config));
      g_assert_true (berth_plugin_config_get_pid_host (config));
      g_assert_true (berth_plugin_config_get_allow_all_devices (config));
      g_assert_cmpstr (berth_plugin_config_get_docker_version (config), ==, "28.5.2");
      g_assert_cmpstrv (berth_plugin_config_get_rootfs_diff_ids (config),
                        ((const gchar *const[]){ "sha256:aaaa", "sha256:bbbb", NULL }));
      g_assert_cmpstrv (args->value, ((const gchar *const[]){ "-v", "--x", NULL }));
      g_assert_cmpuint (mounts->len, ==, 2);
      g_assert_null (((BerthPluginMount *)g_ptr_array_index (mounts, 1))->source);
      g_assert_null (((BerthPluginMount *)g_ptr_array_index (mounts, 1))->settable);
      /* an empty list stays an empty list, not null */
      g_assert_nonnull (((BerthPluginMount *)g_ptr_array_index (mounts, 1))->options);
      g_assert_null (((BerthPluginDevice *)g_ptr_array_index (devices, 1))->path);
      g_assert_null (((BerthPluginEnv *)g_ptr_array_index (env, 1))->value);
      g_assert_true (berth_plugin_config_has_capability (config, "authz"));

      berth_plugin_config_validate (config, SOCKET_DIR, &error);
      g_assert_no_error (error);
    }
}

/* Go folds 'K' with U+212A KELVIN SIGN and 'S' with U+017F LONG S */
static void
test_parse_case_folding (void)
{
  g_autoptr(BerthPluginConfig) config
             = parse_ok ("{\"NETWOR\xe2\x84\xaa\":{\"type\":\"host\"},"
                         "\"Interface\":{\"\xc5\xbf"
                         "OC\xe2\x84\xaa"
                         "ET\":\"a.sock\"},"
                         "\"DeScRiPtIoN\":\"mixed\",\"ROOTFS\":{\"DIFF_IDS\":[\"x\"]},"
                         "\"rootfs \":{\"type\":\"ignored: the space counts\"},"
                         "\"diffids\":1,\"Root_fs\":2,\"Entry-point\":3}");

  g_assert_cmpstr (berth_plugin_config_get_network_type (config), ==, "host");
  g_assert_cmpstr (berth_plugin_config_get_interface_socket (config), ==, "a.sock");
  g_assert_cmpstr (berth_plugin_config_get_description (config), ==, "mixed");
  g_assert_true (berth_plugin_config_has_rootfs (config));
  g_assert_cmpstr (berth_plugin_config_get_rootfs_type (config), ==, "");
  g_assert_cmpstrv (berth_plugin_config_get_rootfs_diff_ids (config),
                    ((const gchar *const[]){ "x", NULL }));
  g_assert_null (berth_plugin_config_get_entrypoint (config));
}

typedef struct
{
  const gchar *name;
  const gchar *json;
  const gchar *expected; /* berth_plugin_config_to_json_node() of a few fields */
} DuplicateRow;

/* a key repeated (in any case) is applied again, in document order, as
 * Go's decoder does: the last value wins, objects and arrays of objects
 * merge into what is there, and null resets only lists and pointers */
static const DuplicateRow duplicate_rows[] = {
  { "last-wins", "{\"Description\":\"a\",\"Description\":\"b\"}", "b" },
  { "last-wins-any-case", "{\"Description\":\"a\",\"description\":\"b\",\"DESCRIPTION\":\"c\"}",
    "c" },
  { "exact-duplicate-after-other-case",
    "{\"Description\":\"a\",\"description\":\"b\",\"Description\":\"c\"}", "c" },
  { "null-keeps-string", "{\"Description\":\"a\",\"description\":null}", "a" },
  { "exact-null-keeps-string", "{\"Description\":\"a\",\"Description\":null}", "a" },
  { "objects-merge",
    "{\"Interface\":{\"Socket\":\"a.sock\"},\"interface\":{\"types\":[\"docker.authz/1.0\"]}}",
    "{\"Socket\":\"a.sock\",\"Types\":[\"docker.authz/1.0\"]}" },
  { "exact-objects-merge",
    "{\"Interface\":{\"Socket\":\"a.sock\"},\"Interface\":{\"Types\":[\"docker.authz/1.0\"]}}",
    "{\"Socket\":\"a.sock\",\"Types\":[\"docker.authz/1.0\"]}" },
  { "null-object-keeps-object", "{\"Interface\":{\"Socket\":\"a.sock\"},\"Interface\":null}",
    "{\"Socket\":\"a.sock\",\"Types\":null}" },
  { "repeated-key-inside-object", "{\"Interface\":{\"Socket\":\"a.sock\",\"socket\":\"b.sock\"}}",
    "{\"Socket\":\"b.sock\",\"Types\":null}" },
};

static const DuplicateRow duplicate_mount_rows[] = {
  { "array-elements-merge",
    "{\"Mounts\":[{\"Name\":\"a\",\"Source\":\"/x\"}],\"mounts\":[{\"Destination\":\"/y\"}]}",
    "[{\"Description\":\"\",\"Destination\":\"/y\",\"Name\":\"a\",\"Options\":null,"
    "\"Settable\":null,\"Source\":\"/x\",\"Type\":\"\"}]" },
  { "array-shrinks",
    "{\"Mounts\":[{\"Name\":\"a\"},{\"Name\":\"b\"}],\"Mounts\":[{\"Type\":\"bind\"}]}",
    "[{\"Description\":\"\",\"Destination\":\"\",\"Name\":\"a\",\"Options\":null,"
    "\"Settable\":null,\"Source\":null,\"Type\":\"bind\"}]" },
  { "null-element-keeps-element", "{\"Mounts\":[{\"Name\":\"a\"}],\"Mounts\":[null,{}]}",
    "[{\"Description\":\"\",\"Destination\":\"\",\"Name\":\"a\",\"Options\":null,"
    "\"Settable\":null,\"Source\":null,\"Type\":\"\"},"
    "{\"Description\":\"\",\"Destination\":\"\",\"Name\":\"\",\"Options\":null,"
    "\"Settable\":null,\"Source\":null,\"Type\":\"\"}]" },
  { "null-resets-array", "{\"Mounts\":[{\"Name\":\"a\"}],\"MOUNTS\":null}", "null" },
  { "empty-array-is-not-null", "{\"Mounts\":[{\"Name\":\"a\"}],\"Mounts\":[]}", "[]" },
  { "null-resets-source",
    "{\"Mounts\":[{\"Source\":\"/x\",\"source\":null,\"Options\":[\"a\",\"b\"],"
    "\"options\":[null]}]}",
    "[{\"Description\":\"\",\"Destination\":\"\",\"Name\":\"\",\"Options\":[\"a\"],"
    "\"Settable\":null,\"Source\":null,\"Type\":\"\"}]" },
};

static void
test_parse_duplicate (gconstpointer data)
{
  const DuplicateRow *row = data;
  g_autoptr(BerthPluginConfig) config = parse_ok (row->json);
  g_autoptr(JsonNode) node = berth_plugin_config_to_json_node (config);
  JsonObject *object = json_node_get_object (node);
  g_autofree gchar *actual = NULL;

  if (g_str_has_prefix (row->expected, "{"))
    actual = berth_json_to_string (json_object_get_member (object, "Interface"), FALSE);
  else
    actual = g_strdup (berth_plugin_config_get_description (config));
  g_assert_cmpstr (actual, ==, row->expected);
}

static void
test_parse_duplicate_mounts (gconstpointer data)
{
  const DuplicateRow *row = data;
  g_autoptr(BerthPluginConfig) config = parse_ok (row->json);
  g_autoptr(JsonNode) node = berth_plugin_config_to_json_node (config);
  g_autofree gchar *actual
    = berth_json_to_string (json_object_get_member (json_node_get_object (node), "Mounts"), FALSE);

  g_assert_cmpstr (actual, ==, row->expected);
}

static void
test_parse_rootfs_null (void)
{
  g_autoptr(BerthPluginConfig) config
             = parse_ok ("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"a\"]},\"rootfs\":null}");
  g_autoptr(BerthPluginConfig) merged
             = parse_ok ("{\"rootfs\":{\"type\":\"layers\"},\"rootfs\":{\"diff_ids\":[\"a\"]}}");
  g_autofree gchar *text = config_to_string (config);

  g_assert_false (berth_plugin_config_has_rootfs (config));
  g_assert_null (berth_plugin_config_get_rootfs_diff_ids (config));
  g_assert_null (strstr (text, "rootfs"));
  g_assert_true (berth_plugin_config_has_rootfs (merged));
  g_assert_cmpstr (berth_plugin_config_get_rootfs_type (merged), ==, "layers");
}

static void
test_parse_unknown_keys (void)
{
  g_autoptr(BerthPluginConfig) config = parse_ok (
    "{\"Bogus\":{\"deep\":[1,2,{\"x\":null}]},\"Description\":\"d\",\"Extra\":true,"
    "\"Interface\":{\"Socket\":\"s.sock\",\"Color\":\"blue\"},"
    "\"Mounts\":[{\"Destination\":\"/m\",\"Propagation\":\"rshared\"}],"
    "\"Linux\":{\"Seccomp\":\"unconfined\",\"Devices\":[{\"Path\":\"/dev/x\",\"Mode\":1}]},"
    "\"rootfs\":{\"type\":\"layers\",\"DiffIDs\":5},\"Settings\":{\"Env\":7}}");
  g_autoptr(BerthPluginConfig) plain = parse_ok (
    "{\"Description\":\"d\",\"Interface\":{\"Socket\":\"s.sock\"},"
    "\"Mounts\":[{\"Destination\":\"/m\"}],\"Linux\":{\"Devices\":[{\"Path\":\"/dev/x\"}]},"
    "\"rootfs\":{\"type\":\"layers\"}}");
  g_autofree gchar *a = config_to_string (config);
  g_autofree gchar *b = config_to_string (plain);

  g_assert_cmpstr (a, ==, b);
}

/* an empty document has nothing null in the lists Docker sets, and the
 * output shows what is unset the way Docker does */
static void
test_parse_empty_object (void)
{
  g_autoptr(BerthPluginConfig) config = parse_ok (" {\n} \n");
  g_autofree gchar *text = config_to_string (config);

  g_assert_cmpstr (
    text, ==,
    "{\"Args\":{\"Description\":\"\",\"Name\":\"\",\"Settable\":null,\"Value\":null},"
    "\"Description\":\"\",\"Documentation\":\"\",\"Entrypoint\":null,\"Env\":null,"
    "\"Interface\":{\"Socket\":\"\",\"Types\":null},\"IpcHost\":false,"
    "\"Linux\":{\"AllowAllDevices\":false,\"Capabilities\":null,\"Devices\":null},"
    "\"Mounts\":null,\"Network\":{\"Type\":\"\"},\"PidHost\":false,"
    "\"PropagatedMount\":\"\",\"User\":{},\"WorkDir\":\"\"}");
}

static void
test_parse_user_omitempty (void)
{
  g_autoptr(BerthPluginConfig) uid_only = parse_ok ("{\"User\":{\"UID\":5,\"GID\":0}}");
  g_autoptr(BerthPluginConfig) max = parse_ok ("{\"user\":{\"gid\":4294967295}}");
  g_autoptr(JsonNode) a = berth_plugin_config_to_json_node (uid_only);
  g_autoptr(JsonNode) b = berth_plugin_config_to_json_node (max);
  g_autofree gchar *a_user
    = berth_json_to_string (json_object_get_member (json_node_get_object (a), "User"), FALSE);
  g_autofree gchar *b_user
    = berth_json_to_string (json_object_get_member (json_node_get_object (b), "User"), FALSE);

  g_assert_cmpstr (a_user, ==, "{\"UID\":5}");
  g_assert_cmpstr (b_user, ==, "{\"GID\":4294967295}");
}

typedef struct
{
  const gchar *name;
  const gchar *json;
  gssize length;
  const gchar *message; /* exact, or a prefix ending in '*'; NULL: any message */
} ErrorRow;

static const ErrorRow parse_error_rows[] = {
  /* wrong types, each naming its field */
  { "types-not-array", "{\"Interface\":{\"Types\":\"docker.volumedriver/1.0\"}}", -1,
    "Interface.Types: expected an array of strings" },
  { "types-element", "{\"Interface\":{\"Types\":[\"docker.authz/1.0\",1]}}", -1,
    "Interface.Types[1]: expected a string" },
  { "socket-number", "{\"Interface\":{\"Socket\":1}}", -1, "Interface.Socket: expected a string" },
  { "protocol-scheme-bool", "{\"Interface\":{\"ProtocolScheme\":false}}", -1,
    "Interface.ProtocolScheme: expected a string" },
  { "interface-string", "{\"Interface\":\"docker.volumedriver/1.0\"}", -1,
    "Interface: expected an object" },
  { "mount-destination", "{\"Mounts\":[{\"Destination\":\"/a\"},{\"Destination\":5}]}", -1,
    "Mounts[1].Destination: expected a string" },
  { "mounts-object", "{\"Mounts\":{\"Destination\":\"/a\"}}", -1,
    "Mounts: expected an array of objects" },
  { "mount-string", "{\"Mounts\":[\"/a:/b\"]}", -1, "Mounts[0]: expected an object" },
  { "mount-source", "{\"Mounts\":[{\"Source\":false}]}", -1,
    "Mounts[0].Source: expected a string" },
  { "mount-options", "{\"Mounts\":[{\"Options\":\"rbind\"}]}", -1,
    "Mounts[0].Options: expected an array of strings" },
  { "mount-settable-element", "{\"Mounts\":[{\"Settable\":[null,1]}]}", -1,
    "Mounts[0].Settable[1]: expected a string" },
  { "mount-name", "{\"mounts\":[{\"NAME\":{}}]}", -1, "Mounts[0].Name: expected a string" },
  { "mount-type", "{\"Mounts\":[{\"Type\":[\"bind\"]}]}", -1, "Mounts[0].Type: expected a string" },
  { "description-number", "{\"Description\":1}", -1, "Description: expected a string" },
  { "description-lowercase-key", "{\"description\":[]}", -1, "Description: expected a string" },
  { "documentation-object", "{\"Documentation\":{}}", -1, "Documentation: expected a string" },
  { "docker-version-number", "{\"DockerVersion\":20}", -1, "DockerVersion: expected a string" },
  { "workdir-bool", "{\"workdir\":true}", -1, "WorkDir: expected a string" },
  { "entrypoint-string", "{\"Entrypoint\":\"/bin/plugin\"}", -1,
    "Entrypoint: expected an array of strings" },
  { "entrypoint-element", "{\"Entrypoint\":[\"/bin/plugin\",[\"-x\"]]}", -1,
    "Entrypoint[1]: expected a string" },
  { "ipchost-string", "{\"IpcHost\":\"true\"}", -1, "IpcHost: expected a boolean" },
  { "pidhost-number", "{\"pidhost\":1}", -1, "PidHost: expected a boolean" },
  { "allow-all-devices", "{\"Linux\":{\"AllowAllDevices\":\"yes\"}}", -1,
    "Linux.AllowAllDevices: expected a boolean" },
  { "linux-array", "{\"Linux\":[1]}", -1, "Linux: expected an object" },
  { "capabilities-string", "{\"Linux\":{\"Capabilities\":\"CAP_SYS_ADMIN\"}}", -1,
    "Linux.Capabilities: expected an array of strings" },
  { "capabilities-element", "{\"Linux\":{\"Capabilities\":[[\"CAP_X\"]]}}", -1,
    "Linux.Capabilities[0]: expected a string" },
  { "devices-object", "{\"Linux\":{\"Devices\":{}}}", -1,
    "Linux.Devices: expected an array of objects" },
  { "device-path", "{\"Linux\":{\"Devices\":[{\"Path\":[\"/dev/fuse\"]}]}}", -1,
    "Linux.Devices[0].Path: expected a string" },
  { "device-settable", "{\"Linux\":{\"Devices\":[{},{\"Settable\":\"path\"}]}}", -1,
    "Linux.Devices[1].Settable: expected an array of strings" },
  { "network-type", "{\"Network\":{\"Type\":true}}", -1, "Network.Type: expected a string" },
  { "network-string", "{\"Network\":\"host\"}", -1, "Network: expected an object" },
  { "kelvin-network-type", "{\"Networ\xe2\x84\xaa\":{\"Type\":1}}", -1,
    "Network.Type: expected a string" },
  { "env-value", "{\"Env\":[{\"Name\":\"A\",\"Value\":1}]}", -1,
    "Env[0].Value: expected a string" },
  { "env-object", "{\"Env\":{\"A\":\"1\"}}", -1, "Env: expected an array of objects" },
  { "env-strings", "{\"Env\":[\"A=1\"]}", -1, "Env[0]: expected an object" },
  { "args-value", "{\"Args\":{\"Value\":\"-x\"}}", -1, "Args.Value: expected an array of strings" },
  { "args-description", "{\"Args\":{\"Name\":null,\"Description\":{}}}", -1,
    "Args.Description: expected a string" },
  { "args-array", "{\"Args\":[\"-x\"]}", -1, "Args: expected an object" },
  { "uid-negative", "{\"User\":{\"UID\":-1}}", -1,
    "User.UID: expected an unsigned 32-bit integer" },
  { "uid-too-big", "{\"User\":{\"UID\":4294967296}}", -1,
    "User.UID: expected an unsigned 32-bit integer" },
  { "gid-fraction", "{\"User\":{\"GID\":1.5}}", -1,
    "User.GID: expected an unsigned 32-bit integer" },
  { "gid-exponent", "{\"User\":{\"GID\":1e3}}", -1,
    "User.GID: expected an unsigned 32-bit integer" },
  { "gid-string", "{\"User\":{\"GID\":\"0\"}}", -1,
    "User.GID: expected an unsigned 32-bit integer" },
  { "user-array", "{\"User\":[]}", -1, "User: expected an object" },
  { "propagated-mount", "{\"PropagatedMount\":null,\"propagatedmount\":0}", -1,
    "PropagatedMount: expected a string" },
  { "rootfs-string", "{\"rootfs\":\"layers\"}", -1, "rootfs: expected an object" },
  { "rootfs-type", "{\"rootfs\":{\"type\":1}}", -1, "rootfs.type: expected a string" },
  { "diff-ids", "{\"rootfs\":{\"diff_ids\":[1]}}", -1, "rootfs.diff_ids[0]: expected a string" },
  { "root-array", "[]", -1, "the plugin configuration is not a JSON object" },
  { "root-string", "\"config\"", -1, "the plugin configuration is not a JSON object" },
  { "root-null", "null", -1, "the plugin configuration is not a JSON object" },

  /* malformed text: json-glib's message, or berth's strict checks, with
   * line and column */
  { "empty", "", -1, "1:1: Parse error: unexpected end of data" },
  { "whitespace-only", "  \n ", -1, "2:2: Parse error: unexpected end of data" },
  { "unterminated-object", "{\"Description\":\"x\"", -1, "1:*" },
  { "missing-comma", "{\n\"Description\":\"x\"\n\"Documentation\":\"y\"}", -1, "2:*" },
  { "trailing-comma", "{\"Entrypoint\":[\"/a\",]}", -1, "1:*" },
  { "unquoted-key", "{Description:1}", -1, "1:*" },
  { "trailing-object", "{} {}", -1, "1:4: Parse error: unexpected data after the JSON object" },
  { "trailing-brace", "{}\n}", -1, "2:*" },
  { "trailing-identifier", "{\"Description\":\"x\"} x", -1, "1:*" },
  { "comment", "{/* c */\"Description\":\"x\"}", -1,
    "1:2: Parse error: expected a member name in double quotes" },
  { "single-quotes", "{\"Description\":'x'}", -1, "1:16: Parse error: unexpected character" },
  { "hex-number", "{\"User\":{\"UID\":0x10}}", -1, "1:16: Parse error: invalid number" },
  { "leading-zero", "{\"User\":{\"UID\":010}}", -1, "1:16: Parse error: invalid number" },
  { "bare-fraction", "{\"User\":{\"UID\":.5}}", -1, "1:*" },
  { "bad-escape", "{\"Description\":\"\\x41\"}", -1,
    "1:17: Parse error: invalid escape in a string" },
  { "nul-escape", "{\"Description\":\"a\\u0000b\"}", -1,
    "1:18: Parse error: \\u0000 in a string is not accepted" },
  { "lone-high-surrogate", "{\"Description\":\"a\\ud800b\"}", -1,
    "1:18: Parse error: unpaired surrogate \\u escape in a string" },
  { "high-surrogate-pair-broken", "{\"Description\":\"\\ud83d\\u0041\"}", -1, "1:*" },
  { "lone-low-surrogate", "{\"Description\":\"\\udc00\"}", -1, "1:*" },
  { "control-character", "{\"Description\":\"a\tb\"}", -1,
    "1:18: Parse error: control character in a string" },
  { "nul-byte", "{\"Description\":\"a\"}\0", 20, "1:20: Parse error: unexpected NUL byte" },
  { "nul-byte-inside", "{\"Desc\0ription\":\"a\"}", 21, "1:7: Parse error: unexpected NUL byte" },
  { "invalid-utf8", "{\"Description\":\"\xff\"}", -1, NULL },
};

static void
test_parse_error (gconstpointer data)
{
  const ErrorRow *row = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPluginConfig) config
             = berth_plugin_config_new_from_data (row->json, row->length, &error);

  g_assert_null (config);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  if (row->message != NULL)
    assert_message (error, row->message);
}

static void
test_parse_deep_nesting (void)
{
  /* deep enough to overflow the stack in json-glib, which must never see
   * it; also behind an error the strict check stops at first (0x1) */
  const gchar *prefixes[]
    = { "{\"Bogus\":", "{\"User\":{\"UID\":0x1},\"Bogus\":", "{/* \" */\"Bogus\":" };

  for (guint p = 0; p < G_N_ELEMENTS (prefixes); p++)
    {
      g_autoptr(GString) json = g_string_new (prefixes[p]);
      g_autoptr(GError) error = NULL;
      g_autoptr(BerthPluginConfig) config = NULL;

      for (guint i = 0; i < 500000; i++)
        g_string_append_c (json, '[');
      for (guint i = 0; i < 500000; i++)
        g_string_append_c (json, ']');
      g_string_append_c (json, '}');
      config = berth_plugin_config_new_from_data (json->str, json->len, &error);
      g_assert_null (config);
      g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_parse_bytes (void)
{
  g_autofree gchar *text = read_fixture ("docs-example.json");
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPluginConfig) config = berth_plugin_config_new_from_bytes (bytes, &error);
  g_autoptr(BerthPluginConfig) none = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (berth_plugin_config_get_interface_socket (config), ==, "sshfs.sock");
  none = berth_plugin_config_new_from_bytes (empty, &error);
  g_assert_null (none);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
}

static void
test_parse_from_json_node_errors (void)
{
  g_autoptr(JsonNode) array = parse_json ("[1]");
  g_autoptr(JsonNode) bad = parse_json ("{\"Mounts\":[{\"Source\":1}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPluginConfig) a = berth_plugin_config_new_from_json_node (array, &error);
  g_autoptr(BerthPluginConfig) b = NULL;

  g_assert_null (a);
  assert_message (error, "the plugin configuration is not a JSON object");
  g_clear_error (&error);
  b = berth_plugin_config_new_from_json_node (bad, &error);
  g_assert_null (b);
  assert_message (error, "Mounts[0].Source: expected a string");
}

/* ---- validation ---- */

/* a valid config; rows repeat a key after it, and the last one wins */
#define VALID                                                                                      \
  "\"Entrypoint\":[\"/plugin\"],"                                                                  \
  "\"Interface\":{\"Socket\":\"p.sock\",\"Types\":[\"docker.volumedriver/1.0\"]}"

typedef struct
{
  const gchar *name;
  const gchar *json;
  const gchar *socket_dir;
  const gchar *message; /* NULL: valid */
} ValidateRow;

static const ValidateRow validate_rows[] = {
  { "valid", "{" VALID "}", SOCKET_DIR, NULL },
  { "valid-everything-optional",
    "{" VALID ",\"WorkDir\":\"/srv\",\"PropagatedMount\":\"/mnt/volumes\","
    "\"Network\":{\"Type\":\"none\"},\"Env\":[{\"Name\":\"A\",\"Settable\":[\"value\"]}],"
    "\"Args\":{\"Name\":\"args\",\"Settable\":[\"value\"]},"
    "\"Mounts\":[{\"Destination\":\"/a\",\"Type\":\"tmpfs\"},{\"Destination\":\"/"
    "b\",\"Type\":\"\"},"
    "{\"Destination\":\"/c\",\"Type\":\"none\",\"Options\":[\"rbind\"],\"Source\":null}],"
    "\"Linux\":{\"Capabilities\":[\"CAP_SYS_ADMIN\",\"CAP_NET_ADMIN\",\"CAP_SYS_ADMIN\"],"
    "\"Devices\":[{\"Path\":null},{\"Path\":\"/dev/fuse\",\"Settable\":[\"path\"]},"
    "{\"Path\":\"/dev/dri/card0\"}]},"
    "\"rootfs\":{\"diff_ids\":[\"sha256:a\"]}}",
    SOCKET_DIR, NULL },
  { "valid-network-bridge", "{" VALID ",\"Network\":{\"Type\":\"bridge\"}}", SOCKET_DIR, NULL },
  { "valid-network-host", "{" VALID ",\"Network\":{\"Type\":\"host\"}}", SOCKET_DIR, NULL },
  { "valid-no-types", "{" VALID ",\"Interface\":{\"Types\":null}}", SOCKET_DIR, NULL },
  { "valid-capability-case", "{" VALID ",\"Interface\":{\"Types\":[\"docker.VolumeDriver/1.0\"]}}",
    SOCKET_DIR, NULL },
  { "valid-socket-23-bytes", "{" VALID ",\"Interface\":{\"Socket\":\"abcdefghijklmnopqr.sock\"}}",
    SOCKET_DIR, NULL },
  { "valid-long-socket-without-dir",
    "{" VALID ",\"Interface\":{\"Socket\":\"abcdefghijklmnopqrstuvwxyz0123456789.sock\"}}", NULL,
    NULL },
  { "valid-every-interface-type",
    "{" VALID ",\"Interface\":{\"Types\":[\"docker.volumedriver/1.0\",\"docker.networkdriver/1.0\","
    "\"docker.ipamdriver/1.0\",\"docker.authz/1.0\",\"docker.logdriver/1.0\","
    "\"docker.metricscollector/1.0\",\"docker.csicontroller/1.0\",\"docker.csinode/1.0\","
    "\"docker.graphdriver/1.0\"]}}",
    SOCKET_DIR, NULL },

  { "socket-missing", "{\"Entrypoint\":[\"/plugin\"]}", SOCKET_DIR, "Interface.Socket: required" },
  { "socket-empty", "{" VALID ",\"Interface\":{\"Socket\":\"\"}}", SOCKET_DIR,
    "Interface.Socket: required" },
  { "socket-with-slash", "{" VALID ",\"Interface\":{\"Socket\":\"run/p.sock\"}}", SOCKET_DIR,
    "Interface.Socket: \"run/p.sock\" is not a plain file name" },
  { "socket-absolute", "{" VALID ",\"Interface\":{\"Socket\":\"/p.sock\"}}", SOCKET_DIR,
    "Interface.Socket: \"/p.sock\" is not a plain file name" },
  { "socket-dot", "{" VALID ",\"Interface\":{\"Socket\":\".\"}}", SOCKET_DIR,
    "Interface.Socket: \".\" is not a plain file name" },
  { "socket-dotdot", "{" VALID ",\"Interface\":{\"Socket\":\"..\"}}", SOCKET_DIR,
    "Interface.Socket: \"..\" is not a plain file name" },
  { "socket-too-long", "{" VALID ",\"Interface\":{\"Socket\":\"abcdefghijklmnopqrs.sock\"}}",
    SOCKET_DIR,
    "Interface.Socket: the socket path " SOCKET_DIR "/abcdefghijklmnopqrs.sock is 108 bytes long, "
    "longer than the 107 bytes a unix socket address holds; use a shorter socket name" },
  { "type-unknown-capability", "{" VALID ",\"Interface\":{\"Types\":[\"docker.foodriver/1.0\"]}}",
    SOCKET_DIR, "Interface.Types[0]: unknown interface type \"docker.foodriver/1.0\"" },
  { "type-unknown-prefix", "{" VALID ",\"Interface\":{\"Types\":[\"acme.volumedriver/1.0\"]}}",
    SOCKET_DIR, "Interface.Types[0]: unknown interface type \"acme.volumedriver/1.0\"" },
  { "type-second",
    "{" VALID ",\"Interface\":{\"Types\":[\"docker.authz/1.0\",\"docker.authz.v2/1.0\"]}}",
    SOCKET_DIR, "Interface.Types[1]: unknown interface type \"docker.authz.v2/1.0\"" },
  { "type-no-version", "{" VALID ",\"Interface\":{\"Types\":[\"docker.volumedriver\"]}}",
    SOCKET_DIR,
    "Interface.Types[0]: \"docker.volumedriver\" is not an interface type of the form "
    "<prefix>.<capability>/<version>" },
  { "type-empty-version", "{" VALID ",\"Interface\":{\"Types\":[\"docker.volumedriver/\"]}}",
    SOCKET_DIR,
    "Interface.Types[0]: \"docker.volumedriver/\" is not an interface type of the form "
    "<prefix>.<capability>/<version>" },
  { "type-no-prefix", "{" VALID ",\"Interface\":{\"Types\":[\"volumedriver/1.0\"]}}", SOCKET_DIR,
    "Interface.Types[0]: \"volumedriver/1.0\" is not an interface type of the form "
    "<prefix>.<capability>/<version>" },
  { "type-empty", "{" VALID ",\"Interface\":{\"Types\":[\"\"]}}", SOCKET_DIR,
    "Interface.Types[0]: \"\" is not an interface type of the form "
    "<prefix>.<capability>/<version>" },
  { "entrypoint-missing", "{\"Interface\":{\"Socket\":\"p.sock\"}}", SOCKET_DIR,
    "Entrypoint: required" },
  { "entrypoint-empty", "{" VALID ",\"Entrypoint\":[]}", SOCKET_DIR, "Entrypoint: required" },
  { "entrypoint-null", "{" VALID ",\"entrypoint\":null}", SOCKET_DIR, "Entrypoint: required" },
  { "entrypoint-relative", "{" VALID ",\"Entrypoint\":[\"plugin\",\"-x\"]}", SOCKET_DIR,
    "Entrypoint[0]: \"plugin\" is not an absolute path" },
  { "entrypoint-empty-string", "{" VALID ",\"Entrypoint\":[\"\"]}", SOCKET_DIR,
    "Entrypoint[0]: \"\" is not an absolute path" },
  { "workdir-relative", "{" VALID ",\"WorkDir\":\"srv\"}", SOCKET_DIR,
    "WorkDir: \"srv\" is not an absolute path" },
  { "env-name-missing", "{" VALID ",\"Env\":[{\"Value\":\"1\"}]}", SOCKET_DIR,
    "Env[0].Name: required" },
  { "env-name-equals", "{" VALID ",\"Env\":[{\"Name\":\"A\"},{\"Name\":\"A=B\"}]}", SOCKET_DIR,
    "Env[1].Name: \"A=B\" contains \"=\"" },
  { "env-settable", "{" VALID ",\"Env\":[{\"Name\":\"DEBUG\",\"Settable\":[\"source\"]}]}",
    SOCKET_DIR,
    "Env[0].Settable: \"source\" is not settable on environment variable \"DEBUG\" "
    "(only \"value\" is)" },
  { "args-settable", "{" VALID ",\"Args\":{\"Name\":\"args\",\"Settable\":[\"value\",\"path\"]}}",
    SOCKET_DIR, "Args.Settable: \"path\" is not settable on args \"args\" (only \"value\" is)" },
  { "args-settable-unnamed", "{" VALID ",\"Args\":{\"Settable\":[\"Value\"]}}", SOCKET_DIR,
    "Args.Settable: \"Value\" is not settable on args (only \"value\" is)" },
  { "network-unknown", "{" VALID ",\"Network\":{\"Type\":\"bridged\"}}", SOCKET_DIR,
    "Network.Type: unknown network type \"bridged\" (use host, none, bridge or \"\")" },
  { "network-case", "{" VALID ",\"Network\":{\"Type\":\"Host\"}}", SOCKET_DIR,
    "Network.Type: unknown network type \"Host\" (use host, none, bridge or \"\")" },
  { "mount-destination-missing", "{" VALID ",\"Mounts\":[{\"Source\":\"/x\"}]}", SOCKET_DIR,
    "Mounts[0].Destination: required" },
  { "mount-destination-relative",
    "{" VALID ",\"Mounts\":[{\"Destination\":\"/ok\"},{\"Destination\":\"mnt\"}]}", SOCKET_DIR,
    "Mounts[1].Destination: \"mnt\" is not an absolute path" },
  { "mount-destination-dotdot", "{" VALID ",\"Mounts\":[{\"Destination\":\"/mnt/../etc\"}]}",
    SOCKET_DIR, "Mounts[0].Destination: \"/mnt/../etc\" has a \"..\" component" },
  { "mount-destination-dotdot-end", "{" VALID ",\"Mounts\":[{\"Destination\":\"/mnt/..\"}]}",
    SOCKET_DIR, "Mounts[0].Destination: \"/mnt/..\" has a \"..\" component" },
  { "mount-type", "{" VALID ",\"Mounts\":[{\"Destination\":\"/m\",\"Type\":\"nfs\"}]}", SOCKET_DIR,
    "Mounts[0].Type: unsupported mount type \"nfs\" (use bind, tmpfs, proc, sysfs, devpts, "
    "mqueue, cgroup, cgroup2, none or \"\")" },
  { "mount-settable",
    "{" VALID ",\"Mounts\":[{\"Name\":\"sshkey\",\"Destination\":\"/m\","
    "\"Settable\":[\"destination\"]}]}",
    SOCKET_DIR,
    "Mounts[0].Settable: \"destination\" is not settable on mount \"sshkey\" (only \"source\" "
    "is)" },
  { "propagated-mount-relative", "{" VALID ",\"PropagatedMount\":\"mnt/volumes\"}", SOCKET_DIR,
    "PropagatedMount: \"mnt/volumes\" is not an absolute path" },
  { "propagated-mount-dotdot", "{" VALID ",\"propagatedMount\":\"/mnt/../../volumes\"}", SOCKET_DIR,
    "PropagatedMount: \"/mnt/../../volumes\" has a \"..\" component" },
  { "capability-unknown", "{" VALID ",\"Linux\":{\"Capabilities\":[\"CAP_FOO\"]}}", SOCKET_DIR,
    "Linux.Capabilities[0]: unknown capability \"CAP_FOO\"" },
  { "capability-without-prefix", "{" VALID ",\"Linux\":{\"Capabilities\":[\"SYS_ADMIN\"]}}",
    SOCKET_DIR,
    "Linux.Capabilities[0]: unknown capability \"SYS_ADMIN\"; did you mean CAP_SYS_ADMIN?" },
  { "capability-lowercase", "{" VALID ",\"Linux\":{\"Capabilities\":[\"cap_sys_admin\"]}}",
    SOCKET_DIR,
    "Linux.Capabilities[0]: unknown capability \"cap_sys_admin\"; did you mean CAP_SYS_ADMIN?" },
  { "capability-second",
    "{" VALID ",\"Linux\":{\"Capabilities\":[\"CAP_SYS_ADMIN\",\"CAP_NOPE\"]}}", SOCKET_DIR,
    "Linux.Capabilities[1]: unknown capability \"CAP_NOPE\"" },
  { "capability-number", "{" VALID ",\"Linux\":{\"Capabilities\":[\"CAP_21\"]}}", SOCKET_DIR,
    "Linux.Capabilities[0]: unknown capability \"CAP_21\"" },
  { "capability-empty", "{" VALID ",\"Linux\":{\"Capabilities\":[\"\"]}}", SOCKET_DIR,
    "Linux.Capabilities[0]: unknown capability \"\"" },
  { "device-outside-dev", "{" VALID ",\"Linux\":{\"Devices\":[{\"Path\":\"/tmp/fuse\"}]}}",
    SOCKET_DIR, "Linux.Devices[0].Path: \"/tmp/fuse\" is not a path under /dev/" },
  { "device-dev-itself", "{" VALID ",\"Linux\":{\"Devices\":[{\"Path\":\"/dev\"}]}}", SOCKET_DIR,
    "Linux.Devices[0].Path: \"/dev\" is not a path under /dev/" },
  { "device-dev-prefix", "{" VALID ",\"Linux\":{\"Devices\":[{\"Path\":\"/devices/x\"}]}}",
    SOCKET_DIR, "Linux.Devices[0].Path: \"/devices/x\" is not a path under /dev/" },
  { "device-dotdot",
    "{" VALID
    ",\"Linux\":{\"Devices\":[{\"Path\":\"/dev/fuse\"},{\"Path\":\"/dev/../etc/shadow\"}]}}",
    SOCKET_DIR, "Linux.Devices[1].Path: \"/dev/../etc/shadow\" has a \"..\" component" },
  { "device-relative", "{" VALID ",\"Linux\":{\"Devices\":[{\"Path\":\"dev/fuse\"}]}}", SOCKET_DIR,
    "Linux.Devices[0].Path: \"dev/fuse\" is not an absolute path" },
  { "device-settable",
    "{" VALID ",\"Linux\":{\"Devices\":[{\"Name\":\"fuse\",\"Path\":\"/dev/fuse\","
    "\"Settable\":[\"source\"]}]}}",
    SOCKET_DIR,
    "Linux.Devices[0].Settable: \"source\" is not settable on device \"fuse\" (only \"path\" is)" },
  { "rootfs-type", "{" VALID ",\"rootfs\":{\"type\":\"tar\"}}", SOCKET_DIR,
    "rootfs.type: \"tar\" is not \"layers\"" },
  { "quoting", "{" VALID ",\"WorkDir\":\"a\\\"b\\n\\u00e9\\u00a0\"}", SOCKET_DIR,
    "WorkDir: \"a\\\"b\\n\xc3\xa9\\u00a0\" is not an absolute path" },
};

static void
test_validate (gconstpointer data)
{
  const ValidateRow *row = data;
  g_autoptr(BerthPluginConfig) config = parse_ok (row->json);
  g_autoptr(GError) error = NULL;
  gboolean ret = berth_plugin_config_validate (config, row->socket_dir, &error);

  if (row->message == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ret);
      return;
    }
  g_assert_false (ret);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  assert_message (error, row->message);
}

static void
test_interface_type_parse (void)
{
  g_autofree gchar *prefix = NULL;
  g_autofree gchar *capability = NULL;
  g_autofree gchar *version = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (berth_plugin_interface_type_parse ("docker.volumedriver/1.0", &prefix, &capability,
                                                    &version, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (prefix, ==, "docker");
  g_assert_cmpstr (capability, ==, "volumedriver");
  g_assert_cmpstr (version, ==, "1.0");
  g_clear_pointer (&prefix, g_free);
  g_clear_pointer (&capability, g_free);
  g_clear_pointer (&version, g_free);

  /* the prefix ends at the last dot before the first slash */
  g_assert_true (berth_plugin_interface_type_parse ("com.example.csi/v1/beta", &prefix, &capability,
                                                    &version, NULL));
  g_assert_cmpstr (prefix, ==, "com.example");
  g_assert_cmpstr (capability, ==, "csi");
  g_assert_cmpstr (version, ==, "v1/beta");

  g_assert_false (
    berth_plugin_interface_type_parse (".volumedriver/1.0", NULL, NULL, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (berth_plugin_interface_type_parse ("docker./1.0", NULL, NULL, NULL, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
}

/* ---- privileges ---- */

static void
test_privileges_sshfs (void)
{
  g_autoptr(BerthPluginConfig) config = load_fixture ("sshfs-blob.json");
  g_autoptr(GPtrArray) privileges = berth_plugin_config_get_privileges (config);
  g_autofree gchar *text = berth_plugin_privileges_to_string (privileges);
  g_autoptr(JsonNode) node = berth_plugin_privileges_to_json_node (privileges);
  g_autofree gchar *json = berth_json_to_string (node, FALSE);
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GError) error = NULL;

  /* docker-observed.md, `docker plugin install localhost:5000/vieux/sshfs:1.0` */
  g_assert_cmpstr (text, ==,
                   " - network: [host]\n"
                   " - mount: [/var/lib/docker/plugins/]\n"
                   " - mount: []\n"
                   " - device: [/dev/fuse]\n"
                   " - capabilities: [CAP_SYS_ADMIN]\n");
  g_assert_cmpstr (json, ==,
                   "[{\"Name\":\"network\",\"Description\":\"permissions to access a network\","
                   "\"Value\":[\"host\"]},"
                   "{\"Name\":\"mount\",\"Description\":\"host path to mount\","
                   "\"Value\":[\"/var/lib/docker/plugins/\"]},"
                   "{\"Name\":\"mount\",\"Description\":\"host path to mount\",\"Value\":[\"\"]},"
                   "{\"Name\":\"device\",\"Description\":\"host device to access\","
                   "\"Value\":[\"/dev/fuse\"]},"
                   "{\"Name\":\"capabilities\","
                   "\"Description\":\"list of additional capabilities required\","
                   "\"Value\":[\"CAP_SYS_ADMIN\"]}]");

  back = berth_plugin_privileges_from_json_node (node, &error);
  g_assert_no_error (error);
  g_assert_true (berth_plugin_privileges_equal (back, privileges));
}

/* every privilege, in Docker's order */
static void
test_privileges_all (void)
{
  g_autoptr(BerthPluginConfig) config = parse_ok (
    "{\"Linux\":{\"Capabilities\":[\"CAP_A\",\"CAP_B\"],\"AllowAllDevices\":true,"
    "\"Devices\":[{\"Path\":null},{\"Path\":\"/dev/x\"}]},"
    "\"Mounts\":[{\"Source\":\"/a\"},{\"Source\":null},{\"Source\":\"\"}],"
    "\"PidHost\":true,\"IpcHost\":true,\"Network\":{\"Type\":\"none\"}}");
  g_autoptr(GPtrArray) privileges = berth_plugin_config_get_privileges (config);
  g_autofree gchar *text = berth_plugin_privileges_to_string (privileges);
  BerthPluginPrivilege *ipc = g_ptr_array_index (privileges, 1);
  BerthPluginPrivilege *all = g_ptr_array_index (privileges, 6);

  g_assert_cmpstr (text, ==,
                   " - network: [none]\n"
                   " - host ipc namespace: [true]\n"
                   " - host pid namespace: [true]\n"
                   " - mount: [/a]\n"
                   " - mount: []\n"
                   " - device: [/dev/x]\n"
                   " - allow-all-devices: [true]\n"
                   " - capabilities: [CAP_A CAP_B]\n");
  g_assert_cmpstr (ipc->description, ==, "allow access to host ipc namespace");
  g_assert_cmpstr (all->description, ==, "allow 'rwm' access to all devices");
}

static void
test_privileges_none (void)
{
  const gchar *configs[]
    = { "{}", "{\"Network\":{\"Type\":\"bridge\"},\"Linux\":{\"Capabilities\":[]}}" };

  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    {
      g_autoptr(BerthPluginConfig) config = parse_ok (configs[i]);
      g_autoptr(GPtrArray) privileges = berth_plugin_config_get_privileges (config);
      g_autofree gchar *text = berth_plugin_privileges_to_string (privileges);
      g_autoptr(JsonNode) node = berth_plugin_privileges_to_json_node (privileges);
      g_autoptr(GPtrArray) back = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (privileges->len, ==, 0);
      g_assert_cmpstr (text, ==, "");
      /* dockerd answers a nil slice: null */
      g_assert_true (JSON_NODE_HOLDS_NULL (node));
      back = berth_plugin_privileges_from_json_node (node, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (back->len, ==, 0);
    }
}

static void
test_privileges_equal (void)
{
  g_autoptr(JsonNode) a
             = parse_json ("[{\"Name\":\"network\",\"Description\":\"x\",\"Value\":[\"host\"]},"
                           "{\"Name\":\"mount\",\"Description\":\"y\",\"Value\":[\"/a\"]}]");
  g_autoptr(JsonNode) reordered = parse_json (
    "[{\"name\":\"mount\",\"Value\":[\"/a\"]},{\"Name\":\"network\",\"Value\":[\"host\"]}]");
  g_autoptr(JsonNode) different = parse_json (
    "[{\"Name\":\"network\",\"Value\":[\"host\"]},{\"Name\":\"mount\",\"Value\":[\"/b\"]}]");
  g_autoptr(JsonNode) twice = parse_json (
    "[{\"Name\":\"network\",\"Value\":[\"host\"]},{\"Name\":\"network\",\"Value\":[\"host\"]}]");
  g_autoptr(JsonNode) bad = parse_json ("[{\"Name\":\"network\",\"Value\":\"host\"}]");
  g_autoptr(JsonNode) not_array = parse_json ("{\"Name\":\"network\"}");
  g_autoptr(GPtrArray) pa = berth_plugin_privileges_from_json_node (a, NULL);
  g_autoptr(GPtrArray) pr = berth_plugin_privileges_from_json_node (reordered, NULL);
  g_autoptr(GPtrArray) pd = berth_plugin_privileges_from_json_node (different, NULL);
  g_autoptr(GPtrArray) pt = berth_plugin_privileges_from_json_node (twice, NULL);
  g_autoptr(GPtrArray) pb = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (berth_plugin_privileges_equal (pa, pr));
  g_assert_false (berth_plugin_privileges_equal (pa, pd));
  g_assert_false (berth_plugin_privileges_equal (pa, pt));
  g_assert_false (berth_plugin_privileges_equal (pa, NULL));
  g_assert_true (berth_plugin_privileges_equal (NULL, NULL));

  pb = berth_plugin_privileges_from_json_node (bad, &error);
  g_assert_null (pb);
  assert_message (error, "Privileges[0].Value: expected an array of strings");
  g_clear_error (&error);
  pb = berth_plugin_privileges_from_json_node (not_array, &error);
  g_assert_null (pb);
  assert_message (error, "Privileges: expected an array of objects");
}

/* ---- settings ---- */

static void
test_settings_init (void)
{
  g_autoptr(BerthPluginConfig) config = load_fixture ("sshfs-blob.json");
  g_autoptr(BerthPluginConfig) full = load_fixture ("full-canonical.json");
  g_autoptr(BerthPluginConfig) empty = parse_ok ("{}");
  g_autoptr(BerthPluginSettings) settings = berth_plugin_settings_new (config);
  g_autoptr(BerthPluginSettings) full_settings = berth_plugin_settings_new (full);
  g_autoptr(BerthPluginSettings) empty_settings = berth_plugin_settings_new (empty);
  g_autofree gchar *text = settings_to_string (settings);
  g_autofree gchar *empty_text = settings_to_string (empty_settings);

  g_assert_cmpstr (text, ==,
                   "{\"Args\":[],"
                   "\"Devices\":[{\"Description\":\"\",\"Name\":\"\",\"Path\":\"/dev/fuse\","
                   "\"Settable\":null}],"
                   "\"Env\":[\"DEBUG=0\"],"
                   "\"Mounts\":[{\"Description\":\"\",\"Destination\":\"/mnt/state\","
                   "\"Name\":\"state\",\"Options\":[\"rbind\"],\"Settable\":[\"source\"],"
                   "\"Source\":\"/var/lib/docker/plugins/\",\"Type\":\"bind\"},"
                   "{\"Description\":\"\",\"Destination\":\"/root/.ssh\",\"Name\":\"sshkey\","
                   "\"Options\":[\"rbind\"],\"Settable\":[\"source\"],\"Source\":\"\","
                   "\"Type\":\"bind\"}]}");
  g_assert_cmpstr (empty_text, ==, "{\"Args\":[],\"Devices\":[],\"Env\":[],\"Mounts\":[]}");

  /* only variables with a value, in order; args are copied */
  g_assert_cmpstrv (berth_plugin_settings_get_env (full_settings),
                    ((const gchar *const[]){ "DEBUG=0", NULL }));
  g_assert_cmpstrv (berth_plugin_settings_get_args (full_settings),
                    ((const gchar *const[]){ "-v", "--x", NULL }));
  g_assert_cmpuint (berth_plugin_settings_get_mounts (full_settings)->len, ==, 2);
  g_assert_cmpuint (berth_plugin_settings_get_devices (full_settings)->len, ==, 2);
}

/* the config every set row runs against */
static const gchar *set_config_json
  = "{\"Entrypoint\":[\"/p\"],\"Interface\":{\"Socket\":\"p.sock\"},"
    "\"Env\":["
    "{\"Name\":\"DEBUG\",\"Settable\":[\"value\"],\"Value\":\"0\"},"
    "{\"Name\":\"LATE\",\"Settable\":[\"value\"],\"Value\":null},"
    "{\"Name\":\"FIXED\",\"Value\":\"1\"},"
    "{\"Name\":\"TWO\",\"Settable\":[\"value\",\"source\"],\"Value\":\"x\"},"
    "{\"Name\":\"WRONG\",\"Settable\":[\"source\"],\"Value\":\"w\"},"
    "{\"Name\":\"a.b\",\"Settable\":[\"value\"],\"Value\":\"ab\"},"
    "{\"Name\":\"both\",\"Settable\":[\"value\"],\"Value\":\"env\"},"
    "{\"Name\":\"DEBUG\",\"Settable\":null,\"Value\":\"shadowed\"}],"
    "\"Mounts\":["
    "{\"Name\":\"state\",\"Settable\":[\"source\"],\"Source\":\"/var/lib/x\",\"Destination\":\"/"
    "s\"},"
    "{\"Name\":\"nosrc\",\"Settable\":[\"source\"],\"Source\":null,\"Destination\":\"/n\"},"
    "{\"Name\":\"both\",\"Settable\":[\"source\"],\"Source\":\"/both\",\"Destination\":\"/b\"},"
    "{\"Name\":\"ro\",\"Source\":\"/ro\",\"Destination\":\"/ro\"}],"
    "\"Linux\":{\"Devices\":["
    "{\"Name\":\"fuse\",\"Settable\":[\"path\"],\"Path\":\"/dev/fuse\"},"
    "{\"Name\":\"nopath\",\"Settable\":[\"path\"],\"Path\":null}]},"
    "\"Args\":{\"Name\":\"args\",\"Settable\":[\"value\"],\"Value\":[\"-v\"]}}";

#define SET_INITIAL                                                                                \
  "env=<DEBUG=0><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<-v> "            \
  "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)"

static gchar *
settings_summary (BerthPluginSettings *settings)
{
  GString *out = g_string_new ("env=");
  const gchar *const *env = berth_plugin_settings_get_env (settings);
  const gchar *const *args = berth_plugin_settings_get_args (settings);
  GPtrArray *mounts = berth_plugin_settings_get_mounts (settings);
  GPtrArray *devices = berth_plugin_settings_get_devices (settings);

  for (guint i = 0; env[i] != NULL; i++)
    g_string_append_printf (out, "<%s>", env[i]);
  g_string_append (out, " args=");
  for (guint i = 0; args[i] != NULL; i++)
    g_string_append_printf (out, "<%s>", args[i]);
  g_string_append (out, " mounts=");
  for (guint i = 0; i < mounts->len; i++)
    {
      const gchar *source = ((BerthPluginMount *)g_ptr_array_index (mounts, i))->source;
      if (source != NULL)
        g_string_append_printf (out, "<%s>", source);
      else
        g_string_append (out, "(null)");
    }
  g_string_append (out, " devices=");
  for (guint i = 0; i < devices->len; i++)
    {
      const gchar *path = ((BerthPluginDevice *)g_ptr_array_index (devices, i))->path;
      if (path != NULL)
        g_string_append_printf (out, "<%s>", path);
      else
        g_string_append (out, "(null)");
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  const gchar *name;
  const gchar *args[5];
  const gchar *message; /* NULL: success */
  const gchar *summary; /* after success */
} SetRow;

static const SetRow set_rows[] = {
  { "none", { NULL }, NULL, SET_INITIAL },
  { "env-replace-in-place",
    { "DEBUG=1", NULL },
    NULL,
    "env=<DEBUG=1><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<-v> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "env-field",
    { "DEBUG.value=2", NULL },
    NULL,
    "env=<DEBUG=2><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<-v> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "env-no-equals-is-empty",
    { "DEBUG", NULL },
    NULL,
    "env=<DEBUG=><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<-v> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "env-empty-value",
    { "DEBUG=", NULL },
    NULL,
    "env=<DEBUG=><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<-v> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "env-value-with-equals",
    { "DEBUG=a=b", NULL },
    NULL,
    "env=<DEBUG=a=b><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<-v> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "env-append",
    { "LATE=now", NULL },
    NULL,
    "env=<DEBUG=0><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed><LATE=now> "
    "args=<-v> mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "env-dotted-name",
    { "a.b.value=x", NULL },
    NULL,
    "env=<DEBUG=0><FIXED=1><TWO=x><WRONG=w><a.b=x><both=env><DEBUG=shadowed> args=<-v> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "env-dotted-name-needs-field",
    { "a.b=x", NULL },
    "setting \"a\" not found in the plugin configuration",
    NULL },
  { "leading-dot-is-part-of-name",
    { ".hidden=1", NULL },
    "setting \".hidden\" not found in the plugin configuration",
    NULL },
  { "trailing-dot-empty-field",
    { "DEBUG.=3", NULL },
    NULL,
    "env=<DEBUG=3><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<-v> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "invalid-format", { "=1", NULL }, "invalid format, must be <name>[.<field>][=<value>]", NULL },
  { "invalid-format-after-valid",
    { "DEBUG=1", "=x", NULL },
    "invalid format, must be <name>[.<field>][=<value>]",
    NULL },
  { "not-found",
    { "NOPE=1", NULL },
    "setting \"NOPE\" not found in the plugin configuration",
    NULL },
  { "all-or-nothing",
    { "DEBUG=1", "state=/srv", "NOPE=1", NULL },
    "setting \"NOPE\" not found in the plugin configuration",
    NULL },
  { "not-settable", { "FIXED=2", NULL }, "\"FIXED\" is not settable", NULL },
  { "not-settable-field", { "DEBUG.source=x", NULL }, "\"DEBUG.source\" is not settable", NULL },
  { "defaulted-field-not-allowed", { "WRONG=1", NULL }, "\"WRONG.source\" is not settable", NULL },
  { "multiple-fields",
    { "TWO=1", NULL },
    "multiple fields are settable, one must be specified",
    NULL },
  { "multiple-fields-explicit",
    { "TWO.value=1", NULL },
    NULL,
    "env=<DEBUG=0><FIXED=1><TWO=1><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<-v> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "multiple-fields-not-allowed",
    { "TWO.source=1", NULL },
    "\"TWO.source\" is not settable",
    NULL },
  { "mount-default-field",
    { "state=/srv/state", NULL },
    NULL,
    "env=<DEBUG=0><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<-v> "
    "mounts=</srv/state>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "mount-field",
    { "state.source=", NULL },
    NULL,
    "env=<DEBUG=0><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<-v> "
    "mounts=<>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "mount-other-field",
    { "state.destination=/x", NULL },
    "\"state.destination\" is not settable",
    NULL },
  { "mount-null-source", { "nosrc=/x", NULL }, "plugin config has no mount source", NULL },
  { "mount-not-settable", { "ro=/x", NULL }, "\"ro\" is not settable", NULL },
  { "device-default-field",
    { "fuse=/dev/fuse3", NULL },
    NULL,
    "env=<DEBUG=0><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<-v> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse3>(null)" },
  { "device-field",
    { "fuse.path=/dev/x", NULL },
    NULL,
    "env=<DEBUG=0><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<-v> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/x>(null)" },
  { "device-null-path", { "nopath.path=/dev/x", NULL }, "plugin config has no device path", NULL },
  { "device-other-field", { "fuse.source=/dev/x", NULL }, "\"fuse.source\" is not settable", NULL },
  { "args-split-on-single-spaces",
    { "args=-a  -b c", NULL },
    NULL,
    "env=<DEBUG=0><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> "
    "args=<-a><><-b><c> mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "args-empty",
    { "args=", NULL },
    NULL,
    "env=<DEBUG=0><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "args-no-equals",
    { "args", NULL },
    NULL,
    "env=<DEBUG=0><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "args-field",
    { "args.value= x ", NULL },
    NULL,
    "env=<DEBUG=0><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<><x><> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "env-before-mount",
    { "both=1", NULL },
    NULL,
    "env=<DEBUG=0><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=1><DEBUG=shadowed> args=<-v> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "several",
    { "DEBUG=1", "state=/s", "fuse=/dev/f", "args=x", NULL },
    NULL,
    "env=<DEBUG=1><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<x> "
    "mounts=</s>(null)</both></ro> devices=</dev/f>(null)" },
  { "repeated",
    { "DEBUG=1", "DEBUG=2", NULL },
    NULL,
    "env=<DEBUG=2><FIXED=1><TWO=x><WRONG=w><a.b=ab><both=env><DEBUG=shadowed> args=<-v> "
    "mounts=</var/lib/x>(null)</both></ro> devices=</dev/fuse>(null)" },
  { "go-quoting",
    { "we\"ird\\\n\x01\x7f=1", NULL },
    "setting \"we\\\"ird\\\\\\n\\x01\\x7f\" not found in the plugin configuration",
    NULL },
  { "go-quoting-unicode",
    { "na\xc3\xafve\xc2\xa0\xe2\x80\x8b\xf0\x9f\x90\xb3\xff=1", NULL },
    "setting \"na\xc3\xafve\\u00a0\\u200b\xf0\x9f\x90\xb3\\xff\" not found in the plugin "
    "configuration",
    NULL },
  { "empty-argument", { "", NULL }, "setting \"\" not found in the plugin configuration", NULL },
};

static void
test_settings_set (gconstpointer data)
{
  const SetRow *row = data;
  g_autoptr(BerthPluginConfig) config = parse_ok (set_config_json);
  g_autoptr(BerthPluginSettings) settings = berth_plugin_settings_new (config);
  g_autofree gchar *config_before = config_to_string (config);
  g_autofree gchar *config_after = NULL;
  g_autofree gchar *summary = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ret;

  summary = settings_summary (settings);
  g_assert_cmpstr (summary, ==, SET_INITIAL);
  g_clear_pointer (&summary, g_free);

  ret = berth_plugin_settings_set (settings, config, row->args, &error);
  summary = settings_summary (settings);
  if (row->message == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ret);
      g_assert_cmpstr (summary, ==, row->summary);
    }
  else
    {
      g_assert_false (ret);
      g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
      assert_message (error, row->message);
      /* nothing of a failed set sticks */
      g_assert_cmpstr (summary, ==, SET_INITIAL);
    }

  /* set never writes into the config */
  config_after = config_to_string (config);
  g_assert_cmpstr (config_after, ==, config_before);
}

/* the transcript of docker-observed.md, as berth does it: the settings
 * come out as dockerd's inspect shows them, the config stays as shipped,
 * and the failing `DEBUG=1 NOPE=1` changes nothing (Docker kept DEBUG=1) */
static void
test_settings_observed (void)
{
  g_autofree gchar *blob = read_fixture ("sshfs-blob.json");
  g_autofree gchar *inspect = read_fixture ("sshfs-inspect.json");
  g_autoptr(BerthPluginConfig) config = parse_ok (blob);
  g_autoptr(BerthPluginSettings) settings = berth_plugin_settings_new (config);
  g_autoptr(JsonNode) inspect_node = parse_json (inspect);
  JsonObject *plugin = json_array_get_object_element (json_node_get_array (inspect_node), 0);
  g_autoptr(JsonNode) blob_node = parse_json (blob);
  g_autoptr(JsonNode) settings_node = NULL;
  g_autoptr(JsonNode) config_node = NULL;
  g_autoptr(BerthPluginSettings) loaded = NULL;
  g_autofree gchar *loaded_text = NULL;
  g_autofree gchar *settings_text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (berth_plugin_settings_set (
    settings, config,
    (const gchar *const[]){ "sshkey.source=/srv/keys", "state.source=/srv/state", NULL }, &error));
  g_assert_no_error (error);

  g_assert_false (berth_plugin_settings_set (
    settings, config, (const gchar *const[]){ "DEBUG=1", "NOPE=1", NULL }, &error));
  assert_message (error, "setting \"NOPE\" not found in the plugin configuration");
  g_clear_error (&error);
  g_assert_cmpstrv (berth_plugin_settings_get_env (settings),
                    ((const gchar *const[]){ "DEBUG=0", NULL }));

  g_assert_false (berth_plugin_settings_set (
    settings, config, (const gchar *const[]){ "sshkey.destination=/x", NULL }, &error));
  assert_message (error, "\"sshkey.destination\" is not settable");
  g_clear_error (&error);

  g_assert_true (berth_plugin_settings_set (settings, config,
                                            (const gchar *const[]){ "DEBUG=1", NULL }, &error));
  g_assert_no_error (error);

  settings_node = berth_plugin_settings_to_json_node (settings);
  assert_json_same (settings_node, json_object_get_member (plugin, "Settings"));
  config_node = berth_plugin_config_to_json_node (config);
  assert_json_same (config_node, blob_node);

  /* berthd stores the settings and loads them back */
  loaded = berth_plugin_settings_new_from_json_node (settings_node, &error);
  g_assert_no_error (error);
  loaded_text = settings_to_string (loaded);
  settings_text = settings_to_string (settings);
  g_assert_cmpstr (loaded_text, ==, settings_text);
}

static void
test_settings_json (void)
{
  g_autoptr(JsonNode) nulls = parse_json (
    "{\"Args\":null,\"Devices\":null,\"Env\":null,\"Mounts\":null,\"Other\":1}");
  g_autoptr(JsonNode) missing = parse_json ("{}");
  g_autoptr(JsonNode) null_node = json_node_new (JSON_NODE_NULL);
  g_autoptr(JsonNode) lowercase
             = parse_json ("{\"args\":[\"-x\"],\"env\":[\"A=1\"],\"mounts\":[{\"source\":\"/s\"}],"
                           "\"devices\":[{\"path\":\"/dev/x\"}]}");
  const struct
  {
    const gchar *json;
    const gchar *message;
  } errors[] = {
    { "[]", "Settings: expected an object" },
    { "{\"Env\":\"A=1\"}", "Settings.Env: expected an array of strings" },
    { "{\"Args\":[1]}", "Settings.Args[0]: expected a string" },
    { "{\"Mounts\":[{\"Source\":1}]}", "Settings.Mounts[0].Source: expected a string" },
    { "{\"Devices\":[[]]}", "Settings.Devices[0]: expected an object" },
  };
  JsonNode *empties[] = { nulls, missing, null_node };

  for (guint i = 0; i < G_N_ELEMENTS (empties); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BerthPluginSettings) settings
                 = berth_plugin_settings_new_from_json_node (empties[i], &error);
      g_autofree gchar *text = NULL;

      g_assert_no_error (error);
      text = settings_to_string (settings);
      g_assert_cmpstr (text, ==, "{\"Args\":[],\"Devices\":[],\"Env\":[],\"Mounts\":[]}");
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BerthPluginSettings) settings
               = berth_plugin_settings_new_from_json_node (lowercase, &error);
    g_autofree gchar *summary = NULL;

    g_assert_no_error (error);
    summary = settings_summary (settings);
    g_assert_cmpstr (summary, ==, "env=<A=1> args=<-x> mounts=</s> devices=</dev/x>");
  }
  for (guint i = 0; i < G_N_ELEMENTS (errors); i++)
    {
      g_autoptr(JsonNode) node = parse_json (errors[i].json);
      g_autoptr(GError) error = NULL;
      g_autoptr(BerthPluginSettings) settings
                 = berth_plugin_settings_new_from_json_node (node, &error);

      g_test_message ("settings %s", errors[i].json);
      g_assert_null (settings);
      g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
      assert_message (error, errors[i].message);
    }
}

static void
test_settings_copy (void)
{
  g_autoptr(BerthPluginConfig) config = parse_ok (set_config_json);
  g_autoptr(BerthPluginSettings) settings = berth_plugin_settings_new (config);
  g_autoptr(BerthPluginSettings) copy = berth_plugin_settings_copy (settings);
  g_autofree gchar *before = NULL;
  g_autofree gchar *copied = NULL;
  g_autofree gchar *after = NULL;

  before = settings_summary (settings);
  g_assert_true (berth_plugin_settings_set (
    copy, config, (const gchar *const[]){ "state=/c", "DEBUG=c", NULL }, NULL));
  after = settings_summary (settings);
  copied = settings_summary (copy);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpstr (copied, !=, before);
}

/* what the user set survives an upgrade where the new version still has a
 * settable item of that name; defaults the user never touched follow the
 * new version */
static void
test_settings_upgrade (void)
{
  g_autoptr(BerthPluginConfig) old_config = parse_ok (
    "{\"Env\":[{\"Name\":\"DEBUG\",\"Settable\":[\"value\"],\"Value\":\"0\"},"
    "{\"Name\":\"LOG\",\"Settable\":[\"value\"],\"Value\":\"info\"},"
    "{\"Name\":\"GONE\",\"Settable\":[\"value\"],\"Value\":\"1\"},"
    "{\"Name\":\"LATE\",\"Settable\":[\"value\"],\"Value\":null}],"
    "\"Mounts\":[{\"Name\":\"state\",\"Settable\":[\"source\"],\"Source\":\"/old\","
    "\"Destination\":\"/s\"},"
    "{\"Name\":\"keys\",\"Settable\":[\"source\"],\"Source\":\"\",\"Destination\":\"/k\"},"
    "{\"Name\":\"cache\",\"Settable\":[\"source\"],\"Source\":\"/cache\",\"Destination\":\"/c\"}],"
    "\"Linux\":{\"Devices\":[{\"Name\":\"fuse\",\"Settable\":[\"path\"],\"Path\":\"/dev/fuse\"}]},"
    "\"Args\":{\"Name\":\"args\",\"Settable\":[\"value\"],\"Value\":[\"-v\"]}}");
  g_autoptr(BerthPluginConfig) new_config = parse_ok (
    "{\"Env\":[{\"Name\":\"NEW\",\"Settable\":[\"value\"],\"Value\":\"n\"},"
    "{\"Name\":\"LOG\",\"Settable\":[\"value\"],\"Value\":\"warn\"},"
    "{\"Name\":\"DEBUG\",\"Settable\":[\"value\"],\"Value\":\"0\"},"
    "{\"Name\":\"LATE\",\"Settable\":[\"value\"],\"Value\":null}],"
    "\"Mounts\":[{\"Name\":\"cache\",\"Settable\":[\"source\"],\"Source\":\"/cache2\","
    "\"Destination\":\"/c\"},"
    "{\"Name\":\"keys\",\"Source\":\"\",\"Destination\":\"/k\"},"
    "{\"Name\":\"state\",\"Settable\":[\"source\"],\"Source\":\"/new\",\"Destination\":\"/s\"}],"
    "\"Linux\":{\"Devices\":[{\"Name\":\"fuse\",\"Settable\":[\"path\"],\"Path\":\"/dev/fuse\"}]},"
    "\"Args\":{\"Name\":\"args\",\"Settable\":[\"value\"],\"Value\":[\"-q\"]}}");
  g_autoptr(BerthPluginSettings) old_settings = berth_plugin_settings_new (old_config);
  g_autoptr(BerthPluginSettings) defaults = berth_plugin_settings_new (old_config);
  g_autoptr(BerthPluginSettings) upgraded = NULL;
  g_autoptr(BerthPluginSettings) untouched = NULL;
  g_autofree gchar *summary = NULL;
  g_autofree gchar *untouched_summary = NULL;
  g_autoptr(GError) error = NULL;

  berth_plugin_settings_set (
    old_settings, old_config,
    (const gchar *const[]){ "DEBUG=1", "GONE=2", "LATE=yes", "state=/srv/state", NULL }, &error);
  g_assert_no_error (error);
  berth_plugin_settings_set (
    old_settings, old_config,
    (const gchar *const[]){ "keys=/srv/keys", "fuse=/dev/fuse2", "args=-x -y", NULL }, &error);
  g_assert_no_error (error);

  upgraded = berth_plugin_settings_new_for_upgrade (old_settings, old_config, new_config);
  summary = settings_summary (upgraded);
  g_assert_cmpstr (summary, ==,
                   "env=<NEW=n><LOG=warn><DEBUG=1><LATE=yes> args=<-x><-y> "
                   "mounts=</cache2><></srv/state> devices=</dev/fuse2>");

  /* nothing set: the new defaults */
  untouched = berth_plugin_settings_new_for_upgrade (defaults, old_config, new_config);
  untouched_summary = settings_summary (untouched);
  g_assert_cmpstr (untouched_summary, ==,
                   "env=<NEW=n><LOG=warn><DEBUG=0> args=<-q> mounts=</cache2><></new> "
                   "devices=</dev/fuse>");
}

/* ---- the item types ---- */

static void
test_boxed_types (void)
{
  g_autoptr(BerthPluginConfig) config = load_fixture ("full-canonical.json");
  BerthPluginMount *mount = g_ptr_array_index (berth_plugin_config_get_mounts (config), 0);
  BerthPluginDevice *device = g_ptr_array_index (berth_plugin_config_get_devices (config), 0);
  BerthPluginEnv *env = g_ptr_array_index (berth_plugin_config_get_env (config), 0);
  g_autoptr(BerthPluginMount) mount_copy = g_boxed_copy (BERTH_TYPE_PLUGIN_MOUNT, mount);
  g_autoptr(BerthPluginDevice) device_copy = berth_plugin_device_copy (device);
  g_autoptr(BerthPluginEnv) env_copy = berth_plugin_env_copy (env);
  g_autoptr(BerthPluginArgs) args_copy
             = berth_plugin_args_copy (berth_plugin_config_get_args (config));
  g_autoptr(BerthPluginMount) fresh = berth_plugin_mount_new ();
  g_autoptr(BerthPluginDevice) fresh_device = berth_plugin_device_new ();
  g_autoptr(BerthPluginEnv) fresh_env = berth_plugin_env_new ();
  g_autoptr(BerthPluginArgs) fresh_args = berth_plugin_args_new ();
  g_autoptr(BerthPluginPrivilege) privilege = berth_plugin_privilege_new (
    "network", "permissions to access a network", (const gchar *const[]){ "host", NULL });
  g_autoptr(BerthPluginPrivilege) privilege_copy = berth_plugin_privilege_copy (privilege);

  g_assert_true (mount_copy != mount);
  g_assert_cmpstr (mount_copy->source, ==, "/var/lib/every");
  g_assert_true (mount_copy->source != mount->source);
  g_assert_cmpstrv (mount_copy->options, ((const gchar *const[]){ "rbind", "rw", NULL }));
  g_assert_cmpstr (device_copy->path, ==, "/dev/fuse");
  g_assert_cmpstr (env_copy->value, ==, "0");
  g_assert_cmpstrv (args_copy->value, ((const gchar *const[]){ "-v", "--x", NULL }));
  g_assert_cmpstr (fresh->name, ==, "");
  g_assert_cmpstr (fresh->destination, ==, "");
  g_assert_null (fresh->source);
  g_assert_null (fresh->options);
  g_assert_null (fresh_device->path);
  g_assert_null (fresh_env->value);
  g_assert_null (fresh_args->value);
  g_assert_cmpstr (privilege_copy->name, ==, "network");
  g_assert_cmpstrv (privilege_copy->value, ((const gchar *const[]){ "host", NULL }));
  berth_plugin_mount_free (NULL);
}

static void
test_set_rootfs (void)
{
  g_autoptr(BerthPluginConfig) config = load_fixture ("docs-example.json");
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(BerthPluginConfig) again = NULL;
  g_autoptr(GError) error = NULL;
  const gchar *data;
  gsize size;

  berth_plugin_config_set_rootfs (config, (const gchar *const[]){ "sha256:abc", NULL });
  g_assert_true (berth_plugin_config_has_rootfs (config));
  g_assert_cmpstr (berth_plugin_config_get_rootfs_type (config), ==, "layers");
  blob = berth_plugin_config_to_blob (config);
  data = g_bytes_get_data (blob, &size);
  g_assert_cmpint (data[size - 1], ==, '\n');
  g_assert_nonnull (g_strstr_len (
    data, size, ",\"rootfs\":{\"diff_ids\":[\"sha256:abc\"],\"type\":\"layers\"}}\n"));
  again = berth_plugin_config_new_from_bytes (blob, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (berth_plugin_config_get_rootfs_diff_ids (again),
                    ((const gchar *const[]){ "sha256:abc", NULL }));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/plugin-config/parse/sshfs-blob", test_parse_sshfs_blob);
  g_test_add_func ("/plugin-config/parse/sshfs-round-trip", test_parse_sshfs_round_trip);
  g_test_add_func ("/plugin-config/parse/docs-example", test_parse_docs_example);
  g_test_add_func ("/plugin-config/parse/every-field-both-cases",
                   test_parse_every_field_both_cases);
  g_test_add_func ("/plugin-config/parse/case-folding", test_parse_case_folding);
  for (guint i = 0; i < G_N_ELEMENTS (duplicate_rows); i++)
    {
      g_autofree gchar *path
        = g_strdup_printf ("/plugin-config/parse/duplicate/%s", duplicate_rows[i].name);
      g_test_add_data_func (path, &duplicate_rows[i], test_parse_duplicate);
    }
  for (guint i = 0; i < G_N_ELEMENTS (duplicate_mount_rows); i++)
    {
      g_autofree gchar *path
        = g_strdup_printf ("/plugin-config/parse/duplicate/%s", duplicate_mount_rows[i].name);
      g_test_add_data_func (path, &duplicate_mount_rows[i], test_parse_duplicate_mounts);
    }
  g_test_add_func ("/plugin-config/parse/rootfs-null", test_parse_rootfs_null);
  g_test_add_func ("/plugin-config/parse/unknown-keys", test_parse_unknown_keys);
  g_test_add_func ("/plugin-config/parse/empty-object", test_parse_empty_object);
  g_test_add_func ("/plugin-config/parse/user-omitempty", test_parse_user_omitempty);
  g_test_add_func ("/plugin-config/parse/deep-nesting", test_parse_deep_nesting);
  g_test_add_func ("/plugin-config/parse/bytes", test_parse_bytes);
  g_test_add_func ("/plugin-config/parse/json-node-errors", test_parse_from_json_node_errors);
  for (guint i = 0; i < G_N_ELEMENTS (parse_error_rows); i++)
    {
      g_autofree gchar *path
        = g_strdup_printf ("/plugin-config/parse/error/%s", parse_error_rows[i].name);
      g_test_add_data_func (path, &parse_error_rows[i], test_parse_error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (validate_rows); i++)
    {
      g_autofree gchar *path
        = g_strdup_printf ("/plugin-config/validate/%s", validate_rows[i].name);
      g_test_add_data_func (path, &validate_rows[i], test_validate);
    }
  g_test_add_func ("/plugin-config/interface-type-parse", test_interface_type_parse);
  g_test_add_func ("/plugin-config/privileges/sshfs", test_privileges_sshfs);
  g_test_add_func ("/plugin-config/privileges/all", test_privileges_all);
  g_test_add_func ("/plugin-config/privileges/none", test_privileges_none);
  g_test_add_func ("/plugin-config/privileges/equal", test_privileges_equal);
  g_test_add_func ("/plugin-config/settings/init", test_settings_init);
  for (guint i = 0; i < G_N_ELEMENTS (set_rows); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/plugin-config/settings/set/%s", set_rows[i].name);
      g_test_add_data_func (path, &set_rows[i], test_settings_set);
    }
  g_test_add_func ("/plugin-config/settings/observed", test_settings_observed);
  g_test_add_func ("/plugin-config/settings/json", test_settings_json);
  g_test_add_func ("/plugin-config/settings/copy", test_settings_copy);
  g_test_add_func ("/plugin-config/settings/upgrade", test_settings_upgrade);
  g_test_add_func ("/plugin-config/boxed-types", test_boxed_types);
  g_test_add_func ("/plugin-config/set-rootfs", test_set_rootfs);
  return g_test_run ();
}
