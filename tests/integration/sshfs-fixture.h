/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "berth-test-harness.h"

G_BEGIN_DECLS

/* the example sshfs plugin, enabled as vieux/sshfs in a test's berthd,
 * and an sshd on 127.0.0.1 serving a directory of the test's own */
typedef struct
{
  GSubprocess *sshd;
  guint16 port;
  gchar *remote; /* what sshd serves: put the remote files here */
} BerthTestSshfs;

gboolean berth_test_sshfs_can_run (void);
BerthTestSshfs *berth_test_sshfs_start (BerthTestDaemon *d);
gchar *berth_test_sshfs_create_volume (BerthTestDaemon *d,
                                       BerthTestSshfs *sshfs,
                                       const gchar *name,
                                       const gchar *subdir);
void berth_test_sshfs_free (BerthTestSshfs *sshfs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthTestSshfs, berth_test_sshfs_free)

G_END_DECLS
