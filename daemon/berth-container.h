/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * BerthContainerState:
 * @BERTH_CONTAINER_STATE_CREATED: being set up: snapshot, volumes, bundle
 * @BERTH_CONTAINER_STATE_RUNNING: its process runs
 * @BERTH_CONTAINER_STATE_EXITED: its process ended; volumes are unmounted
 */
typedef enum
{
  BERTH_CONTAINER_STATE_CREATED,
  BERTH_CONTAINER_STATE_RUNNING,
  BERTH_CONTAINER_STATE_EXITED,
} BerthContainerState;

/**
 * BerthContainerMount:
 * @volume: a volume's name, or %NULL for a host path
 * @source: the host path (a volume's, once mounted)
 * @destination: where the container sees it
 * @readonly: mounted read-only
 * @mount_id: (nullable): the volume's mount ID while it is mounted
 */
typedef struct
{
  gchar *volume;
  gchar *source;
  gchar *destination;
  gboolean readonly;
  gchar *mount_id;
} BerthContainerMount;

/**
 * BerthContainer:
 *
 * A `berth run` process: what it runs, what it mounted, how it ended. Its
 * record is written before anything is mounted and after each change, so
 * a berthd that dies meanwhile finds what to undo.
 */
typedef struct _BerthContainer BerthContainer;
struct _BerthContainer
{
  gatomicrefcount ref;
  gchar *id;
  gchar *name;
  gchar *image;    /* as the user named it */
  gchar *image_id; /* sha256:… */
  gchar *chain_id;
  GStrv command; /* what runs: entrypoint and arguments */
  gchar *created;
  BerthContainerState state;
  GPid pid;
  gint exit_code; /* -1: unknown (berthd was not there to see it) */
  gchar *finished;
  gboolean auto_remove;
  GPtrArray *mounts; /* BerthContainerMount */
};

/* clang-format off */
BerthContainer *berth_container_new (const gchar *id);
BerthContainer *berth_container_ref (BerthContainer *self);
void berth_container_unref (BerthContainer *self);
BerthContainerMount *berth_container_add_mount (BerthContainer *self, const gchar *volume, const gchar *source, const gchar *destination, gboolean readonly);
BerthContainer *berth_container_load (const gchar *path, GError **error);
gboolean berth_container_save (BerthContainer *self, const gchar *path, GError **error);
const gchar *berth_container_state_to_string (BerthContainerState state);
JsonNode *berth_container_to_inspect_json (BerthContainer *self);
/* clang-format on */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthContainer, berth_container_unref)

G_END_DECLS
