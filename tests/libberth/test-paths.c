/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <berth.h>

static void
test_paths_defaults (void)
{
  g_autoptr(BerthPaths) paths = NULL;

  g_unsetenv ("BERTH_ROOT");
  g_unsetenv ("BERTH_RUN_DIR");
  g_unsetenv ("BERTH_MODULE_DIR");
  paths = berth_paths_new ();
  g_assert_cmpstr (berth_paths_get (paths, BERTH_PATH_ROOT), ==, BERTH_DEFAULT_ROOT);
  g_assert_cmpstr (berth_paths_get (paths, BERTH_PATH_RUN_DIR), ==, BERTH_DEFAULT_RUN_DIR);
  g_assert_cmpstr (berth_paths_get (paths, BERTH_PATH_SOCKET), ==,
                   BERTH_DEFAULT_RUN_DIR "/berth.sock");
  g_assert_cmpstr (berth_paths_get (paths, BERTH_PATH_MODULE_DIR), ==, BERTH_MODULE_DIR);
  g_assert_true (g_str_has_suffix (BERTH_MODULE_DIR, "/modules-1"));
}

static void
test_paths_environment_then_flags (void)
{
  g_autoptr(BerthPaths) paths = NULL;
  g_autofree gchar *address = NULL;
  g_autofree gchar *built = NULL;

  g_setenv ("BERTH_ROOT", "/tmp/env-root", TRUE);
  g_setenv ("BERTH_RUN_DIR", "/tmp/env run", TRUE);
  paths = berth_paths_new ();
  g_assert_cmpstr (berth_paths_get (paths, BERTH_PATH_ROOT), ==, "/tmp/env-root");
  g_assert_cmpstr (berth_paths_get (paths, BERTH_PATH_LOCK), ==, "/tmp/env-root/berthd.lock");
  g_assert_cmpstr (berth_paths_get (paths, BERTH_PATH_PLUGINS), ==, "/tmp/env-root/plugins");
  address = berth_paths_default_address (paths);
  g_assert_cmpstr (address, ==, "unix:path=/tmp/env%20run/berth.sock");

  /* a flag wins over the environment, and derived paths follow it */
  berth_paths_set (paths, BERTH_PATH_ROOT, "/srv/berth/../berth2/");
  g_assert_cmpstr (berth_paths_get (paths, BERTH_PATH_ROOT), ==, "/srv/berth2");
  built = berth_paths_build (paths, BERTH_PATH_ROOT, "plugins", "abc", NULL);
  g_assert_cmpstr (built, ==, "/srv/berth2/plugins/abc");
  g_unsetenv ("BERTH_ROOT");
  g_unsetenv ("BERTH_RUN_DIR");
}

static void
test_paths_relative_and_ensure (void)
{
  g_autoptr(BerthPaths) paths = berth_paths_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *tmp = g_dir_make_tmp ("berth-paths-XXXXXX", &error);
  g_autofree gchar *cwd = g_get_current_dir ();
  g_autofree gchar *expected = NULL;

  g_assert_no_error (error);
  g_assert_no_errno (chdir (tmp));
  berth_paths_set (paths, BERTH_PATH_ROOT, "state");
  expected = g_build_filename (tmp, "state", NULL);
  g_assert_cmpstr (berth_paths_get (paths, BERTH_PATH_ROOT), ==, expected);
  g_assert_true (berth_paths_ensure (paths, BERTH_PATH_PLUGINS, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (berth_paths_get (paths, BERTH_PATH_PLUGINS), G_FILE_TEST_IS_DIR));
  g_assert_no_errno (chdir (cwd));

  /* a directory that cannot be made says where */
  berth_paths_set (paths, BERTH_PATH_ROOT, "/proc/berth-cannot-exist");
  g_assert_false (berth_paths_ensure (paths, BERTH_PATH_ROOT, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/proc/berth-cannot-exist"));
  g_clear_error (&error);
  g_assert_true (berth_rm_rf (tmp, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/paths/defaults", test_paths_defaults);
  g_test_add_func ("/paths/environment-then-flags", test_paths_environment_then_flags);
  g_test_add_func ("/paths/relative-and-ensure", test_paths_relative_and_ensure);
  return g_test_run ();
}
