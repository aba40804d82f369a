/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sshfs plugin's reading of `volume create -o` options and the sshfs
 * command line it builds from them, without sshfs.
 */

#include <berth-plugin.h>
#include <string.h>

#include "sshfs-volume.h"

static GHashTable *
opts_new (const gchar *first, ...)
{
  GHashTable *opts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list args;

  va_start (args, first);
  for (const gchar *key = first; key != NULL; key = va_arg (args, const gchar *))
    g_hash_table_insert (opts, g_strdup (key), g_strdup (va_arg (args, const gchar *)));
  va_end (args);
  return opts;
}

static gchar *
argv_line (SshfsVolume *volume)
{
  g_auto(GStrv) argv = sshfs_volume_build_argv (volume, "/usr/bin/sshfs");

  return g_strjoinv (" ", argv);
}

static void
test_options (void)
{
  g_autoptr(GHashTable) opts
             = opts_new ("sshcmd", "root@127.0.0.1:/srv/remote", "port", "2222", "IdentityFile",
                         "/root/.ssh/id_ed25519", "allow_other", "", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SshfsVolume) volume = sshfs_volume_new_from_opts (opts, "/mnt/volumes", &error);
  g_autofree gchar *line = NULL;

  g_assert_no_error (error);
  /* docker-observed.md: this sshcmd mounts at .../b599585f4fff9c2d7ab9355f93b93607 */
  g_assert_cmpstr (volume->mountpoint, ==, "/mnt/volumes/b599585f4fff9c2d7ab9355f93b93607");
  line = argv_line (volume);
  g_assert_cmpstr (line, ==,
                   "/usr/bin/sshfs -oStrictHostKeyChecking=no root@127.0.0.1:/srv/remote "
                   "/mnt/volumes/b599585f4fff9c2d7ab9355f93b93607 -p 2222 "
                   "-o IdentityFile=/root/.ssh/id_ed25519 -o allow_other");
}

static void
test_password (void)
{
  g_autoptr(GHashTable) opts = opts_new ("sshcmd", "me@host:", "password", "s3cret,x", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SshfsVolume) volume = sshfs_volume_new_from_opts (opts, "/v", &error);
  g_autofree gchar *line = NULL;

  g_assert_no_error (error);
  /* the password goes to stdin, never to the command line */
  line = argv_line (volume);
  g_assert_null (strstr (line, "s3cret"));
  g_assert_nonnull (strstr (line, "-o workaround=rename -o password_stdin"));
  g_assert_cmpstr (volume->password, ==, "s3cret,x");
}

static void
test_escaping_and_overrides (void)
{
  g_autoptr(GHashTable) opts = opts_new ("sshcmd", "u@h:/d", "StrictHostKeyChecking", "yes",
                                          "ssh_command", "ssh -o A=1,B=2", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SshfsVolume) volume = sshfs_volume_new_from_opts (opts, "/v", &error);
  g_autofree gchar *line = NULL;

  g_assert_no_error (error);
  line = argv_line (volume);
  /* ssh takes the first value: the plugin's default must not hide the user's */
  g_assert_null (strstr (line, "StrictHostKeyChecking=no"));
  g_assert_nonnull (strstr (line, "-o StrictHostKeyChecking=yes"));
  /* FUSE splits -o at commas */
  g_assert_nonnull (strstr (line, "-o ssh_command=ssh -o A=1\\,B=2"));
}

static void
test_invalid (void)
{
  const struct
  {
    const gchar *key;
    const gchar *value;
    const gchar *message;
  } cases[] = {
    { "port", "22", "'sshcmd' option required" },
    { "sshcmd", "", "'sshcmd' option required" },
    { "sshcmd", "-oProxyCommand=x", "invalid 'sshcmd' option '-oProxyCommand=x'" },
    { "bad,key", "1", "invalid option name 'bad,key'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GHashTable) opts = opts_new (cases[i].key, cases[i].value, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(SshfsVolume) volume = NULL;

      if (g_strcmp0 (cases[i].key, "bad,key") == 0)
        g_hash_table_insert (opts, g_strdup ("sshcmd"), g_strdup ("u@h:"));
      volume = sshfs_volume_new_from_opts (opts, "/v", &error);
      g_assert_null (volume);
      g_assert_error (error, BERTH_PLUGIN_ERROR, BERTH_PLUGIN_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
  {
    g_autoptr(GHashTable) opts = opts_new ("sshcmd", "u@h:", "port", "70000", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(SshfsVolume) volume = sshfs_volume_new_from_opts (opts, "/v", &error);

    g_assert_null (volume);
    g_assert_cmpstr (error->message, ==, "invalid 'port' option '70000'");
  }
}

static void
test_json_round_trip (void)
{
  g_autoptr(GHashTable) opts = opts_new ("sshcmd", "u@h:/d", "port", "22", "password", "pw",
                                          "Compression", "yes", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SshfsVolume) volume = sshfs_volume_new_from_opts (opts, "/v", &error);
  g_autoptr(SshfsVolume) back = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (error);
  g_ptr_array_add (volume->mount_ids, g_strdup ("id1"));
  object = sshfs_volume_to_json (volume);
  back = sshfs_volume_new_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->sshcmd, ==, "u@h:/d");
  g_assert_cmpstr (back->port, ==, "22");
  g_assert_cmpstr (back->password, ==, "pw");
  g_assert_cmpstr (back->mountpoint, ==, volume->mountpoint);
  g_assert_cmpuint (back->options->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (back->options, 0), ==, "Compression=yes");
  g_assert_true (sshfs_volume_has_mount_id (back, "id1"));

  /* the Go plugin's state file, which has no MountIDs and null Options */
  json_parser_load_from_data (parser,
                              "{\"Password\":\"\",\"Sshcmd\":\"a@b:\",\"Port\":\"\","
                              "\"Options\":null,\"Mountpoint\":\"/mnt/volumes/x\"}",
                              -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&back, sshfs_volume_free);
  back = sshfs_volume_new_from_json (json_node_get_object (json_parser_get_root (parser)), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->sshcmd, ==, "a@b:");
  g_assert_cmpuint (back->mount_ids->len, ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sshfs-volume/options", test_options);
  g_test_add_func ("/sshfs-volume/password", test_password);
  g_test_add_func ("/sshfs-volume/escaping-and-overrides", test_escaping_and_overrides);
  g_test_add_func ("/sshfs-volume/invalid", test_invalid);
  g_test_add_func ("/sshfs-volume/json-round-trip", test_json_round_trip);
  return g_test_run ();
}
