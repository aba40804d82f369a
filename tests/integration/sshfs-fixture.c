/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sshfs-fixture.h"

#include <unistd.h>

#include "sshd-fixture.h"

/* needs root, sshd, /dev/fuse and runc; skips the test otherwise */
gboolean
berth_test_sshfs_can_run (void)
{
  if (getuid () != 0 || !g_file_test (TEST_SSHD, G_FILE_TEST_IS_EXECUTABLE)
      || !g_file_test ("/dev/fuse", G_FILE_TEST_EXISTS) || g_find_program_in_path ("runc") == NULL)
    {
      g_test_skip ("needs root, sshd (Debian package openssh-server), /dev/fuse and runc");
      return FALSE;
    }
  return TRUE;
}

/**
 * berth_test_sshfs_start:
 * @d: a started berthd
 *
 * Starts an sshd on 127.0.0.1 whose key the plugin gets, then creates,
 * sets up and enables the example sshfs plugin as vieux/sshfs.
 *
 * Returns: (transfer full): the fixture
 */
BerthTestSshfs *
berth_test_sshfs_start (BerthTestDaemon *d)
{
  BerthTestSshfs *sshfs = g_new0 (BerthTestSshfs, 1);
  g_autofree gchar *keys = g_build_filename (d->tmp, "keys", NULL);
  g_autofree gchar *state = g_build_filename (d->tmp, "state", NULL);
  g_autofree gchar *key = g_build_filename (keys, "id_test", NULL);
  g_autofree gchar *state_arg = g_strdup_printf ("state.source=%s", state);
  g_autofree gchar *keys_arg = g_strdup_printf ("sshkey.source=%s", keys);

  sshfs->remote = g_build_filename (d->tmp, "remote", NULL);
  g_assert_no_errno (g_mkdir_with_parents (keys, 0700));
  g_assert_no_errno (g_mkdir_with_parents (state, 0700));
  g_assert_no_errno (g_mkdir_with_parents (sshfs->remote, 0755));
  sshfs->sshd = test_sshd_start (d->tmp, key, &sshfs->port);
  g_free (berth_test_run_ok (d, "plugin", "create", "vieux/sshfs",
                             berth_test_binary ("BERTH_TEST_SSHFS_PLUGIN"), NULL));
  g_free (berth_test_run_ok (d, "plugin", "set", "vieux/sshfs", state_arg, keys_arg, NULL));
  g_free (berth_test_run_ok (d, "plugin", "enable", "vieux/sshfs", NULL));
  return sshfs;
}

/**
 * berth_test_sshfs_create_volume:
 * @d: a started berthd
 * @sshfs: the fixture
 * @name: the volume's name
 * @subdir: (nullable): a directory below the remote one, else the remote one
 *
 * `berth volume create -d vieux/sshfs --name NAME -o sshcmd=…`, with the
 * options that reach the test's sshd.
 *
 * Returns: (transfer full): what the command printed
 */
gchar *
berth_test_sshfs_create_volume (BerthTestDaemon *d,
                                BerthTestSshfs *sshfs,
                                const gchar *name,
                                const gchar *subdir)
{
  g_autofree gchar *sshcmd
    = g_strdup_printf ("sshcmd=root@127.0.0.1:%s%s%s", sshfs->remote, subdir != NULL ? "/" : "",
                       subdir != NULL ? subdir : "");
  g_autofree gchar *port = g_strdup_printf ("port=%u", sshfs->port);

  return berth_test_run_ok (d, "volume", "create", "-d", "vieux/sshfs", "--name", name, "-o",
                            sshcmd, "-o", port, "-o", "IdentityFile=/root/.ssh/id_test", "-o",
                            "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", NULL);
}

void
berth_test_sshfs_free (BerthTestSshfs *sshfs)
{
  g_subprocess_force_exit (sshfs->sshd);
  g_subprocess_wait (sshfs->sshd, NULL, NULL);
  g_object_unref (sshfs->sshd);
  g_free (sshfs->remote);
  g_free (sshfs);
}
