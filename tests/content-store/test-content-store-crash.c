/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* crash test: a child process ingests a blob or imports a layer read from a
 * pipe and is killed with SIGKILL in the middle, or at points during and
 * after its commit; then `ostree fsck` must pass, a restart (the store's
 * initialisation) must leave no staging directory or half checkout, and a
 * retry must succeed */
#include "config.h"

#include <errno.h>
#include <gio/gunixinputstream.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cs-test-util.h"

typedef struct
{
  gchar *root;
  GBytes *blob;
  gchar *digest;
  gboolean layer;
} Crash;

static GBytes *
make_blob (void)
{
  gsize size = 24 * 1024 * 1024;
  guint8 *data = g_malloc (size);
  guint32 x = 12345;

  /* not compressible, so that the stream takes a while */
  for (gsize i = 0; i < size; i++)
    {
      x = x * 1103515245 + 12345;
      data[i] = x >> 24;
    }
  return g_bytes_new_take (data, size);
}

static GBytes *
make_layer (void)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (CsEntry));

  for (guint i = 0; i < 3000; i++)
    {
      gchar *name = g_strdup_printf ("usr/share/d%02u/file-%04u", i % 50, i);
      CsEntry e = { CS_FILE, name, NULL, 0644, 0, 0, 0, 0, NULL, NULL, 4096 + i * 3 };
      g_ptr_array_add (names, name);
      g_array_append_val (entries, e);
    }
  {
    CsEntry big = { CS_FILE, "usr/lib/big", NULL, 0755, 0, 0, 0, 0, NULL, NULL, 16 * 1024 * 1024 };
    g_array_append_val (entries, big);
  }
  return cs_tar_build ((CsEntry *)entries->data, entries->len, CS_TAR_GZIP);
}

/* the child: what berthd would do, reading the blob from stdin */
static int
child_main (void)
{
  const gchar *root = g_getenv ("BERTH_CRASH_ROOT");
  const gchar *mode = g_getenv ("BERTH_CRASH_CHILD");
  const gchar *digest = g_getenv ("BERTH_CRASH_DIGEST");
  gint64 size = g_ascii_strtoll (g_getenv ("BERTH_CRASH_SIZE"), NULL, 10);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthContentStore) store = cs_open_store (&cs_impls[0], root, NULL, &error);
  g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);

  if (store == NULL)
    {
      g_printerr ("child: %s\n", error->message);
      return 1;
    }
  if (g_str_equal (mode, "ingest"))
    {
      if (!berth_content_store_ingest_blob (store, in, digest, size, NULL, NULL, NULL, &error))
        {
          g_printerr ("child: %s\n", error->message);
          return 1;
        }
    }
  else
    {
      BerthLayerImport layer = { cs_media_type (CS_TAR_GZIP), digest, NULL, size };
      g_autofree gchar *diff_id
        = berth_content_store_import_layer (store, in, &layer, NULL, &error);
      if (diff_id == NULL)
        {
          g_printerr ("child: %s\n", error->message);
          return 1;
        }
    }
  return 0;
}

static guint
leftovers (const gchar *root)
{
  g_autofree gchar *tmp = g_build_filename (root, "repo", "tmp", NULL);
  g_autofree gchar *trees = g_build_filename (root, "trees", NULL);
  g_autoptr(GDir) d = g_dir_open (tmp, 0, NULL);
  g_autoptr(GDir) t = g_dir_open (trees, 0, NULL);
  const gchar *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (!g_str_equal (name, "cache"))
      n++;
  while (t != NULL && (name = g_dir_read_name (t)) != NULL)
    if (name[0] == '.')
      n++;
  return n;
}

/* runs the child, feeds it @feed bytes, waits @delay_ms, kills it */
static void
run_and_kill (Crash *c, gsize feed, guint delay_ms)
{
  const gchar *argv[] = { "/proc/self/exe", NULL };
  g_autofree gchar *size = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (c->blob));
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  const guint8 *data = g_bytes_get_data (c->blob, NULL);
  GPid pid;
  gint in_fd = -1;
  gsize done = 0;
  int status = 0;

  envp = g_environ_setenv (envp, "BERTH_CRASH_CHILD", c->layer ? "import" : "ingest", TRUE);
  envp = g_environ_setenv (envp, "BERTH_CRASH_ROOT", c->root, TRUE);
  envp = g_environ_setenv (envp, "BERTH_CRASH_DIGEST", c->digest, TRUE);
  envp = g_environ_setenv (envp, "BERTH_CRASH_SIZE", size, TRUE);
  g_assert_true (g_spawn_async_with_pipes (NULL, (gchar **)argv, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &pid, &in_fd, NULL, NULL, &error));
  g_assert_no_error (error);
  while (done < feed)
    {
      gssize n = write (in_fd, data + done, MIN (feed - done, 65536));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break; /* the child is gone */
      done += n;
    }
  if (feed == g_bytes_get_size (c->blob))
    close (in_fd);
  g_usleep (delay_ms * 1000);
  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  if (feed != g_bytes_get_size (c->blob))
    close (in_fd);
  g_test_message ("fed %" G_GSIZE_FORMAT " bytes, killed after %u ms: %s", done, delay_ms,
                  WIFSIGNALED (status) ? "killed" : "had exited");
  g_spawn_close_pid (pid);
}

static void
check_recovery (Crash *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthContentStore) store = NULL;
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (c->blob);
  gboolean ok;

  cs_ostree_fsck (c->root);
  /* restart: initialisation cleans what the crash left */
  store = cs_open_store (&cs_impls[0], c->root, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leftovers (c->root), ==, 0);

  /* retry */
  if (c->layer)
    {
      BerthLayerImport layer
        = { cs_media_type (CS_TAR_GZIP), c->digest, NULL, (gint64)g_bytes_get_size (c->blob) };
      g_autofree gchar *diff_id
        = berth_content_store_import_layer (store, in, &layer, NULL, &error);
      const gchar *ids[] = { diff_id, NULL };
      g_autofree gchar *chain = NULL;
      g_autofree gchar *tree = NULL;
      g_assert_no_error (error);
      chain = berth_content_store_build_chain (store, ids, NULL, &error);
      g_assert_no_error (error);
      tree = berth_content_store_checkout_chain (store, chain, NULL, &error);
      g_assert_no_error (error);
      ok = diff_id != NULL;
    }
  else
    ok = berth_content_store_ingest_blob (store, in, c->digest, g_bytes_get_size (c->blob), NULL,
                                          NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  cs_ostree_fsck (c->root);

  /* collect everything, so that the next round writes it again */
  g_assert_true (berth_content_store_garbage_collect (store, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
crash_test (gboolean layer)
{
  static const guint delays[] = { 0, 5, 15, 45, 90, 150, 200, 250, 300, 400, 1200 };
  Crash c = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree gchar *cmd = NULL;
  gsize total;

  c.root = g_dir_make_tmp ("berth-crash-XXXXXX", &error);
  g_assert_no_error (error);
  c.layer = layer;
  c.blob = layer ? make_layer () : make_blob ();
  c.digest = cs_digest (c.blob);
  total = g_bytes_get_size (c.blob);
  g_test_message ("%s of %" G_GSIZE_FORMAT " bytes", layer ? "layer" : "blob", total);

  /* in the middle of the stream */
  run_and_kill (&c, total / 2, 100);
  check_recovery (&c);
  run_and_kill (&c, total / 5, 10);
  check_recovery (&c);
  /* all of it sent: killed while parsing, committing, or after */
  for (guint i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      run_and_kill (&c, total, delays[i]);
      check_recovery (&c);
    }

  cmd = g_strdup_printf ("rm -rf %s", c.root);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  g_free (c.root);
  g_free (c.digest);
  g_bytes_unref (c.blob);
}

static void
test_kill_ingest (void)
{
  crash_test (FALSE);
}

static void
test_kill_import (void)
{
  crash_test (TRUE);
}

int
main (int argc, char **argv)
{
  if (g_getenv ("BERTH_CRASH_CHILD") != NULL)
    return child_main ();

  signal (SIGPIPE, SIG_IGN);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/content-store-crash/ostree/kill-ingest", test_kill_ingest);
  g_test_add_func ("/content-store-crash/ostree/kill-import", test_kill_import);
  return g_test_run ();
}
