/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `plugin create`: a folder's config.json and rootfs/ become a plugin, its
 * root file system packed once as a layer blob (for push) and stored as a
 * layer tree (to run), both at once. */
#define G_LOG_DOMAIN "BerthEngine"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "berth-engine-private.h"

typedef struct
{
  gchar *name;
  gchar *dir;
  gchar *id;
  BerthPlugin *plugin;
  GStrv held; /* roots held from GC until the plugin is recorded */
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_strfreev (data->held);
  g_free (data->name);
  g_free (data->dir);
  g_free (data->id);
  g_clear_object (&data->plugin);
  g_free (data);
}

static gboolean
ingest_bytes (BerthContentStore *store,
              GBytes *bytes,
              const gchar *media_type,
              gchar **out_digest,
              GCancellable *cancellable,
              GError **error)
{
  g_autofree gchar *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  g_autofree gchar *digest = g_strdup_printf ("sha256:%s", hex);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);

  if (!berth_content_store_ingest_blob (store, stream, digest, g_bytes_get_size (bytes), media_type,
                                        NULL, cancellable, error))
    return FALSE;
  *out_digest = g_steal_pointer (&digest);
  return TRUE;
}

/**
 * berth_engine_ingest_bytes:
 * @self: a #BerthEngine
 * @bytes: a blob
 * @media_type: what it is
 * @out_digest: (out): its digest
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Stores a blob made in memory (a config, a manifest).
 *
 * Returns: %TRUE on success
 */
gboolean
berth_engine_ingest_bytes (BerthEngine *self,
                           GBytes *bytes,
                           const gchar *media_type,
                           gchar **out_digest,
                           GCancellable *cancellable,
                           GError **error)
{
  return ingest_bytes (berth_engine_content_store (self), bytes, media_type, out_digest,
                       cancellable, error);
}

/* `plugin create` packs the rootfs once: the compressed blob goes to a
 * file (stored afterwards, for push), the tar into a pipe that the layer
 * import reads at the same time, so the tree is stored while the blob is
 * compressed, on the other core */
typedef struct
{
  BerthContentStore *store;
  const gchar *rootfs;
  const gchar *path; /* the blob's file */
  gint blob_fd;
  gint tar_fd; /* the pipe's write end, closed when the tar is complete */
  BerthLayerBlob blob;
  gint first_failure; /* which side failed first: 0, PACKER or IMPORT */
  GCancellable *cancellable;
  GError *error;
} PackJob;

enum
{
  PACKER = 1,
  IMPORT = 2,
};

static gpointer
pack_job_thread (gpointer data)
{
  PackJob *job = data;
  g_autoptr(GOutputStream) out = g_unix_output_stream_new (job->blob_fd, TRUE);
  g_autoptr(GOutputStream) tar_out = g_unix_output_stream_new (job->tar_fd, TRUE);
  g_autoptr(GFile) file = g_file_new_for_path (job->path);
  g_autoptr(GFileInputStream) in = NULL;
  sigset_t pipe_signal;
  gboolean ok;

  /* once the import gives up, writing the pipe fails with EPIPE; its
   * signal stays blocked and pending in this thread, and ends with it */
  sigemptyset (&pipe_signal);
  sigaddset (&pipe_signal, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_signal, NULL);

  ok = berth_archive_write_layer_tee (job->rootfs, out, tar_out, &job->blob, job->cancellable,
                                      &job->error)
       && g_output_stream_close (out, job->cancellable, &job->error);
  /* the import reads the end of the tar, or a truncated one */
  g_output_stream_close (tar_out, NULL, NULL);
  if (ok)
    {
      in = g_file_read (file, job->cancellable, &job->error);
      ok = in != NULL
           && berth_content_store_ingest_blob (job->store, G_INPUT_STREAM (in), job->blob.digest,
                                               job->blob.size,
                                               "application/vnd.docker.image.rootfs.diff.tar.gzip",
                                               NULL, job->cancellable, &job->error);
    }
  if (!ok)
    g_atomic_int_compare_and_exchange (&job->first_failure, 0, PACKER);
  return NULL;
}

/* the rootfs as a layer blob and a layer tree; returns the diff ID */
static gchar *
pack_and_import (BerthEngine *self,
                 const gchar *rootfs,
                 BerthLayerBlob *blob,
                 GCancellable *cancellable,
                 GError **error)
{
  g_autofree gchar *tmp_path
    = berth_paths_build (self->paths, BERTH_PATH_TMP, "layer-XXXXXX", NULL);
  g_autoptr(GInputStream) tar_in = NULL;
  g_autoptr(GError) import_error = NULL;
  g_autofree gchar *diff_id = NULL;
  PackJob job = { .store = berth_engine_content_store (self),
                  .rootfs = rootfs,
                  .path = tmp_path,
                  .cancellable = cancellable };
  const BerthLayerImport tar
    = { .media_type = "application/vnd.docker.image.rootfs.diff.tar", .size = -1 };
  gint pipe_fds[2];
  GThread *packer;

  job.blob_fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (job.blob_fd < 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot create %s: %s", tmp_path,
                   g_strerror (errno));
      return NULL;
    }
  if (!g_unix_open_pipe (pipe_fds, FD_CLOEXEC, error))
    {
      close (job.blob_fd);
      g_unlink (tmp_path);
      return NULL;
    }
  job.tar_fd = pipe_fds[1];
  tar_in = g_unix_input_stream_new (pipe_fds[0], TRUE);

  packer = g_thread_new ("berth-pack", pack_job_thread, &job);
  diff_id = berth_content_store_import_layer (berth_engine_content_store (self), tar_in, &tar,
                                              cancellable, &import_error);
  if (diff_id == NULL)
    g_atomic_int_compare_and_exchange (&job.first_failure, 0, IMPORT);
  /* a packer still writing stops at the closed pipe */
  g_input_stream_close (tar_in, NULL, NULL);
  g_thread_join (packer);
  g_unlink (tmp_path);
  *blob = job.blob;

  /* a packer that failed after a whole tar was imported failed first too */
  if (job.first_failure == PACKER)
    {
      g_propagate_error (error, g_steal_pointer (&job.error));
      g_prefix_error (error, "packing %s: ", rootfs);
      return NULL;
    }
  g_clear_error (&job.error);
  if (diff_id == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&import_error));
      g_prefix_error (error, "importing %s: ", rootfs);
      return NULL;
    }
  return g_steal_pointer (&diff_id);
}

static void
create_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BerthEngine *self = source;
  CreateData *data = task_data;
  BerthContentStore *store = berth_engine_content_store (self);
  g_autofree gchar *config_path = g_build_filename (data->dir, "config.json", NULL);
  g_autofree gchar *rootfs = g_build_filename (data->dir, "rootfs", NULL);
  g_autofree gchar *contents = NULL;
  g_autofree gchar *sockets = NULL;
  g_autofree gchar *config_digest = NULL;
  g_autofree gchar *manifest_digest = NULL;
  g_autofree gchar *diff_id = NULL;
  g_autofree gchar *chain_id = NULL;
  g_auto(BerthLayerBlob) blob = { 0 };
  g_autoptr(BerthPluginConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) config_blob = NULL;
  g_autoptr(GBytes) manifest = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  gsize length;

  if (store == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                               "no content-store module is loaded: see berth system info");
      return;
    }
  if (!g_file_test (data->dir, G_FILE_TEST_IS_DIR))
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "context must be a directory: %s", data->dir);
      return;
    }
  if (!g_file_get_contents (config_path, &contents, &length, &error))
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "config not found: %s", error->message);
      return;
    }
  config = berth_plugin_config_new_from_data (contents, length, &error);
  if (config == NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "failed to parse config: %s: %s", config_path, error->message);
      return;
    }
  /* docker validates nothing here; berth refuses a plugin that could not run */
  sockets = berth_engine_plugin_socket_dir (self, data->id);
  if (!berth_plugin_config_validate (config, sockets, &error))
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "invalid config %s: %s", config_path, error->message);
      return;
    }
  if (!g_file_test (rootfs, G_FILE_TEST_IS_DIR))
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "no rootfs found: %s is not a directory", rootfs);
      return;
    }

  gint64 t0 = g_get_monotonic_time ();
#define STEP(what)                                                                                 \
  g_debug ("create %s: %s after %" G_GINT64_FORMAT " ms", data->name, what,                        \
           (g_get_monotonic_time () - t0) / 1000)

  /* the tree and the blob are stored under the lock: a collection running
   * meanwhile must not take them */
  locker = g_mutex_locker_new (&self->storage_lock);
  diff_id = pack_and_import (self, rootfs, &blob, cancellable, &error);
  if (diff_id == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  STEP ("layer imported");
  chain_id = berth_content_store_build_chain (store, (const gchar *const[]){ diff_id, NULL },
                                              cancellable, &error);
  STEP ("chain built");
  if (chain_id == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* as docker's create: diff_ids names the compressed layer (a quirk every
   * docker-made plugin carries, so berth keeps it for compatibility) */
  berth_plugin_config_set_rootfs (config, (const gchar *const[]){ blob.digest, NULL });
  config_blob = berth_plugin_config_to_blob (config);
  if (!ingest_bytes (store, config_blob, "application/vnd.docker.plugin.v1+json", &config_digest,
                     cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  {
    g_autofree gchar *text = g_strdup_printf (
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
      "\"config\":{\"mediaType\":\"application/vnd.docker.plugin.v1+json\",\"digest\":\"%s\","
      "\"size\":%" G_GSIZE_FORMAT "},\"layers\":[{\"mediaType\":"
      "\"application/"
      "vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"%s\",\"size\":%" G_GINT64_FORMAT "}]}",
      config_digest, g_bytes_get_size (config_blob), blob.digest, blob.size);
    manifest = g_bytes_new_take (g_steal_pointer (&text), strlen (text));
  }
  if (!ingest_bytes (store, manifest, "application/vnd.docker.distribution.manifest.v2+json",
                     &manifest_digest, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* a collection running before this plugin is recorded must keep it */
  data->held = g_strdupv (
    (gchar *[]){ config_digest, manifest_digest, blob.digest, diff_id, chain_id, NULL });
  for (guint i = 0; data->held[i] != NULL; i++)
    berth_engine_hold_root (self, data->held[i]);
  g_clear_pointer (&locker, g_mutex_locker_free);
  STEP ("config and manifest stored");
#undef STEP

  data->plugin = berth_plugin_new (data->id, data->name, data->name, config, NULL);
  berth_plugin_set_content (data->plugin, config_digest, manifest_digest,
                            (const gchar *const[]){ blob.digest, NULL }, chain_id);
  {
    g_autofree gchar *dir = berth_engine_plugin_dir (self, data->id);
    if (g_mkdir_with_parents (dir, 0700) != 0)
      {
        g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot create %s: %s", dir,
                                 g_strerror (errno));
        return;
      }
  }
  if (!berth_engine_save_plugin (self, data->plugin, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  malloc_trim (0);
  g_task_return_boolean (task, TRUE);
}

/**
 * berth_engine_create_plugin_async:
 * @self: a #BerthEngine
 * @name: the plugin's name, e.g. `vieux/sshfs` (stored as `vieux/sshfs:latest`)
 * @dir: a directory holding `config.json` and `rootfs/`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Creates a disabled plugin, its root file system imported as one layer.
 */
void
berth_engine_create_plugin_async (BerthEngine *self,
                                  const gchar *name,
                                  const gchar *dir,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *local = berth_reference_normalize_local_name (name, &error);
  CreateData *data;

  if (local == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (berth_engine_find_plugin_by_name (self, local) != NULL)
    {
      g_task_return_new_error (task, BERTH_ERROR, BERTH_ERROR_ALREADY_EXISTS,
                               "plugin %s already exists", local);
      return;
    }
  data = g_new0 (CreateData, 1);
  data->name = g_steal_pointer (&local);
  data->dir = g_canonicalize_filename (dir, NULL);
  data->id = berth_engine_new_plugin_id (self);
  g_task_set_task_data (task, data, (GDestroyNotify)create_data_free);
  g_task_run_in_thread (task, create_thread);
}

static void
forget_pending_roots (BerthEngine *self, CreateData *data)
{
  g_mutex_lock (&self->storage_lock);
  for (guint i = 0; data->held != NULL && data->held[i] != NULL; i++)
    berth_engine_release_root (self, data->held[i]);
  g_mutex_unlock (&self->storage_lock);
  g_clear_pointer (&data->held, g_strfreev);
}

BerthPlugin *
berth_engine_create_plugin_finish (BerthEngine *self, GAsyncResult *result, GError **error)
{
  CreateData *data = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  forget_pending_roots (self, data);
  /* two creates of one name at once: the second loses here */
  if (berth_engine_find_plugin_by_name (self, data->name) != NULL)
    {
      g_autofree gchar *dir = berth_engine_plugin_dir (self, data->id);
      g_autofree gchar *record = berth_engine_plugin_record_path (self, data->id);
      g_unlink (record);
      g_rmdir (dir);
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_ALREADY_EXISTS, "plugin %s already exists",
                   data->name);
      return NULL;
    }
  g_hash_table_insert (self->plugins, g_strdup (data->id), g_object_ref (data->plugin));
  g_signal_emit_by_name (self, "plugin-added", data->plugin);
  return g_object_ref (data->plugin);
}
