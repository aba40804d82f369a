/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * berth-plugin-rootfs, the tool that turns binaries into a plugin folder,
 * and the sshfs plugin folder the build assembles with it: complete (its
 * programs run in a chroot of it) and the same bytes every time.
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct
{
  gchar *tmpdir;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("plugin-rootfs-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree gchar *cmd = g_strdup_printf ("rm -rf --one-file-system '%s'", f->tmpdir);

  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->tmpdir);
}

/* runs argv; its exit status, with stdout and stderr together in *output */
static gint
run (const gchar *const *argv, gchar **output)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  gint status = 0;

  g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  if (output != NULL)
    *output = g_strconcat (out, err, NULL);
  if (!WIFEXITED (status))
    return -1;
  return WEXITSTATUS (status);
}

static const gchar *
tool (void)
{
  return g_getenv ("BERTH_PLUGIN_ROOTFS");
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* every entry of a tree: path, type, mode, owner, mtime, and a digest of the
 * content or the link target; equal manifests mean equal trees */
static void
manifest_walk (const gchar *top, const gchar *rel, GPtrArray *lines)
{
  g_autofree gchar *path = rel[0] != '\0' ? g_build_filename (top, rel, NULL) : g_strdup (top);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *what = NULL;
  struct stat st;
  const gchar *name;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  if (S_ISLNK (st.st_mode))
    {
      g_autofree gchar *target = g_file_read_link (path, NULL);
      what = g_strdup_printf ("-> %s", target);
    }
  else if (S_ISREG (st.st_mode))
    {
      g_autofree gchar *contents = NULL;
      gsize len = 0;

      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      what = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, len);
    }
  else
    what = g_strdup ("dir");
  g_ptr_array_add (lines, g_strdup_printf ("%s %o %u:%u %" G_GINT64_FORMAT " %s",
                                           rel[0] != '\0' ? rel : ".", st.st_mode, st.st_uid,
                                           st.st_gid, (gint64)st.st_mtime, what));
  if (!S_ISDIR (st.st_mode))
    return;
  dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree gchar *child = rel[0] != '\0'
                                  ? g_build_filename (rel, g_ptr_array_index (names, i), NULL)
                                  : g_strdup (g_ptr_array_index (names, i));
      manifest_walk (top, child, lines);
    }
}

static gchar *
manifest (const gchar *top)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  manifest_walk (top, "", lines);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (gchar **)lines->pdata);
}

static gint
make_folder (const gchar *out, const gchar *extra_arg, gchar **output)
{
  g_autofree gchar *plugin = g_strconcat (g_getenv ("SSHFS_PLUGIN"), "=/plugin", NULL);
  const gchar *argv[] = { tool (),
                          "--mtime",
                          "12345",
                          "--description",
                          "a test plugin",
                          "--socket",
                          "t.sock",
                          "--type",
                          "docker.volumedriver/1.0",
                          "--network",
                          "host",
                          "--capability",
                          "CAP_SYS_ADMIN",
                          "--device",
                          "/dev/fuse",
                          "--propagated-mount",
                          "/mnt/volumes",
                          "--env",
                          "DEBUG=0",
                          "--dir",
                          "/data",
                          out,
                          plugin,
                          "/usr/bin/env",
                          extra_arg,
                          NULL };

  return run (argv, output);
}

static void
test_help (void)
{
  g_autofree gchar *output = NULL;

  g_assert_cmpint (run ((const gchar *[]){ tool (), "--help", NULL }, &output), ==, 0);
  g_assert_nonnull (strstr (output, "usage: berth-plugin-rootfs"));
  g_assert_nonnull (strstr (output, "--config FILE"));
}

static void
test_from_flags (Fixture *f, gconstpointer data)
{
  g_autofree gchar *out = g_build_filename (f->tmpdir, "plugin", NULL);
  g_autofree gchar *again = g_build_filename (f->tmpdir, "again", NULL);
  g_autofree gchar *config_path = g_build_filename (out, "config.json", NULL);
  g_autofree gchar *rootfs = g_build_filename (out, "rootfs", NULL);
  g_autofree gchar *output = NULL;
  g_autofree gchar *first = NULL;
  g_autofree gchar *second = NULL;
  g_autofree gchar *passwd = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *config;
  const gchar *dirs[]
    = { "dev", "proc", "sys", "tmp", "run/docker/plugins", "mnt/volumes", "data", "etc", "root" };
  struct stat st;

  g_assert_cmpint (make_folder (out, NULL, &output), ==, 0);

  json_parser_load_from_file (parser, config_path, &error);
  g_assert_no_error (error);
  config = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (
    json_array_get_string_element (json_object_get_array_member (config, "entrypoint"), 0), ==,
    "/plugin");
  g_assert_cmpstr (
    json_object_get_string_member (json_object_get_object_member (config, "interface"), "socket"),
    ==, "t.sock");
  g_assert_cmpstr (json_object_get_string_member (config, "propagatedmount"), ==, "/mnt/volumes");
  g_assert_cmpstr (
    json_object_get_string_member (json_object_get_object_member (config, "network"), "type"), ==,
    "host");

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree gchar *path = g_build_filename (rootfs, dirs[i], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
    }
  {
    g_autofree gchar *tmp = g_build_filename (rootfs, "tmp", NULL);
    g_autofree gchar *entry = g_build_filename (rootfs, "plugin", NULL);
    g_autofree gchar *env = g_build_filename (rootfs, "usr", "bin", "env", NULL);
    g_autofree gchar *passwd_path = g_build_filename (rootfs, "etc", "passwd", NULL);

    g_assert_cmpint (stat (tmp, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 01777);
    g_assert_cmpint (stat (entry, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0755);
    g_assert_cmpint (st.st_mtime, ==, 12345);
    g_assert_true (g_file_test (env, G_FILE_TEST_IS_EXECUTABLE));
    g_file_get_contents (passwd_path, &passwd, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (passwd, "root:x:0:0:"));
  }

  /* the same inputs give the same tree, to the timestamp */
  g_assert_cmpint (make_folder (again, NULL, NULL), ==, 0);
  first = manifest (out);
  second = manifest (again);
  g_assert_cmpstr (first, ==, second);

  /* the programs run from it alone */
  if (getuid () == 0)
    {
      g_autofree gchar *help = NULL;
      g_assert_cmpint (
        run ((const gchar *[]){ "chroot", rootfs, "/plugin", "--help", NULL }, &help), ==, 0);
      g_assert_nonnull (strstr (help, "--socket"));
      g_assert_cmpint (run ((const gchar *[]){ "chroot", rootfs, "/usr/bin/env", NULL }, NULL), ==,
                       0);
    }
}

static void
test_replace (Fixture *f, gconstpointer data)
{
  g_autofree gchar *out = g_build_filename (f->tmpdir, "plugin", NULL);
  g_autofree gchar *stray = g_build_filename (out, "rootfs", "stray", NULL);
  g_autofree gchar *foreign = g_build_filename (out, "notes.txt", NULL);
  g_autofree gchar *output = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (make_folder (out, NULL, NULL), ==, 0);
  g_file_set_contents (stray, "x", -1, &error);
  g_assert_no_error (error);
  /* an earlier folder is replaced as a whole */
  g_assert_cmpint (make_folder (out, NULL, NULL), ==, 0);
  g_assert_false (g_file_test (stray, G_FILE_TEST_EXISTS));

  /* but not a folder holding something else, without --force */
  g_file_set_contents (foreign, "mine", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (make_folder (out, NULL, &output), ==, 1);
  g_assert_nonnull (strstr (output, "--force"));
  g_assert_true (g_file_test (foreign, G_FILE_TEST_EXISTS));
  g_assert_cmpint (make_folder (out, "--force", NULL), ==, 0);
  g_assert_false (g_file_test (foreign, G_FILE_TEST_EXISTS));
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autofree gchar *out = g_build_filename (f->tmpdir, "plugin", NULL);
  g_autofree gchar *config = g_build_filename (f->tmpdir, "config.json", NULL);
  g_autofree gchar *bad = g_build_filename (f->tmpdir, "bad.json", NULL);
  g_autofree gchar *output = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run ((const gchar *[]){ tool (), out, "/nonexistent/binary", NULL }, &output),
                   ==, 1);
  g_assert_nonnull (strstr (output, "/nonexistent/binary: no such file"));
  g_clear_pointer (&output, g_free);

  g_file_set_contents (config,
                       "{\"entrypoint\":[\"/nope\"],\"interface\":{\"socket\":\"x.sock\","
                       "\"types\":[\"docker.volumedriver/1.0\"]}}",
                       -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (
    run ((const gchar *[]){ tool (), "--config", config, out, "/usr/bin/env", NULL }, &output), ==,
    1);
  g_assert_nonnull (strstr (output, "the entrypoint /nope is not an executable in the rootfs"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_clear_pointer (&output, g_free);

  g_file_set_contents (bad, "{\"entrypoint\":", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (
    run ((const gchar *[]){ tool (), "--config", bad, out, "/usr/bin/env", NULL }, &output), ==, 1);
  g_assert_nonnull (strstr (output, "config.json is not valid JSON"));
}

static void
test_sshfs_folder (void)
{
  const gchar *folder = g_getenv ("SSHFS_PLUGIN_FOLDER");
  g_autofree gchar *config_path = NULL;
  g_autofree gchar *rootfs = NULL;
  g_autofree gchar *built = NULL;
  g_autofree gchar *source = NULL;
  g_autofree gchar *tree = NULL;
  g_autofree gchar *output = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  if (folder == NULL)
    {
      g_test_skip ("the sshfs plugin folder was not built (sshfs, ssh or fusermount3 missing "
                   "at build time)");
      return;
    }
  config_path = g_build_filename (folder, "config.json", NULL);
  rootfs = g_build_filename (folder, "rootfs", NULL);

  /* config.json is the seed's, byte for byte */
  g_file_get_contents (config_path, &built, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (g_getenv ("SSHFS_PLUGIN_CONFIG"), &source, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (built, ==, source);

  /* its /root is root's only, and chroot needs root */
  if (getuid () != 0)
    {
      g_test_skip ("needs root");
      return;
    }

  /* fixed timestamps everywhere */
  tree = manifest (folder);
  lines = g_strsplit (tree, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 5);
      g_assert_cmpstr (fields[3], ==, "0");
    }

  g_assert_cmpint (
    run ((const gchar *[]){ "chroot", rootfs, "/docker-volume-sshfs", "--help", NULL }, &output),
    ==, 0);
  g_assert_nonnull (strstr (output, "--socket"));
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (
    run ((const gchar *[]){ "chroot", rootfs, "/usr/bin/sshfs", "--version", NULL }, &output), ==,
    0);
  g_assert_nonnull (strstr (output, "SSHFS version"));
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (
    run ((const gchar *[]){ "chroot", rootfs, "/usr/bin/fusermount3", "--version", NULL }, &output),
    ==, 0);
  g_assert_nonnull (strstr (output, "fusermount3 version"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/plugin-rootfs/help", test_help);
  g_test_add ("/plugin-rootfs/from-flags", Fixture, NULL, fixture_set_up, test_from_flags,
              fixture_tear_down);
  g_test_add ("/plugin-rootfs/replace", Fixture, NULL, fixture_set_up, test_replace,
              fixture_tear_down);
  g_test_add ("/plugin-rootfs/errors", Fixture, NULL, fixture_set_up, test_errors,
              fixture_tear_down);
  g_test_add_func ("/plugin-rootfs/sshfs-folder", test_sshfs_folder);
  return g_test_run ();
}
