/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

G_BEGIN_DECLS

/* what a snapshotter test or benchmark runs against: a state root, a content
 * store (the real OSTree module when built, else a fake that hardlinks into a
 * directory standing for the repository) and the overlay module, loaded the
 * way berthd loads it */
typedef struct
{
  gchar *backend; /* "fake" or "ostree" */
  gchar *root;
  BerthPaths *paths;
  BerthContentStore *store;
  guint n_trees;
} SnapEnv;

gboolean
snap_enter_private_mount_namespace (GError **error);

gboolean
snap_env_init (SnapEnv *env, const gchar *backend, GError **error);
void
snap_env_clear (SnapEnv *env);
gchar *
snap_env_add_tree (SnapEnv *env, const gchar *tree, GError **error);
gboolean
snap_env_check_repo (SnapEnv *env, GError **error);
BerthSnapshotter *
snap_env_new_snapshotter (SnapEnv *env, GError **error);

guint
snap_mount_count (const gchar *path);
void
snap_unmount_below (const gchar *dir);

GHashTable *
snap_tree_state (const gchar *dir, GError **error);
gchar *
snap_tree_state_diff (GHashTable *before, GHashTable *after);

G_END_DECLS
