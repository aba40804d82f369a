/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* the content store's side of tests/bench/storage-import.sh: loads the
 * "ostree" module as berthd does and times what the script asks for.
 *
 *   storage-import import <module> <root> <layer.tar.gz> <repeats>
 *     imports the layer <repeats> times, each into a state root of its own
 *     (so each import writes every object), printing for each its wall time
 *     and the CPU time of all the process's threads (user + system), in ms
 *   storage-import plugins <module> <root> <layer.tar.gz>...
 *     imports each layer, builds its chain and checks it out, as installing
 *     one plugin per layer would
 *
 * It prints figures and asserts nothing. */
#include "config.h"

#include <berth.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

static BerthContentStore *
open_store (const gchar *module_path, const gchar *root)
{
  static BerthModule *module = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPaths) paths = berth_paths_new ();
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autofree gchar *repo = g_build_filename (root, "repo", NULL);
  GIOExtension *ext;
  GObject *object;

  if (module == NULL)
    {
      module = berth_module_new_for_path (module_path);
      if (!berth_module_load_checked (module, &error))
        g_error ("%s", error->message);
    }
  ext = g_io_extension_point_get_extension_by_name (
    g_io_extension_point_lookup (BERTH_EXTENSION_POINT_CONTENT_STORE), "ostree");
  if (ext == NULL)
    g_error ("no ostree content store in %s", module_path);
  berth_paths_set (paths, BERTH_PATH_ROOT, root);
  berth_paths_set (paths, BERTH_PATH_REPO, repo);
  object = g_object_new (g_io_extension_get_type (ext), "paths", paths, "config", config, NULL);
  if (!g_initable_init (G_INITABLE (object), NULL, &error))
    g_error ("%s", error->message);
  return BERTH_CONTENT_STORE (object);
}

/* user + system time of every thread of the process so far, in µs */
static gint64
cpu_time (void)
{
  struct rusage ru;

  if (getrusage (RUSAGE_SELF, &ru) != 0)
    g_error ("getrusage: %s", g_strerror (errno));
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * G_USEC_PER_SEC + ru.ru_utime.tv_usec
         + ru.ru_stime.tv_usec;
}

static gchar *
import (BerthContentStore *store, const gchar *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, &error);
  BerthLayerImport layer = { "application/vnd.docker.image.rootfs.diff.tar.gzip", NULL, NULL, -1 };
  gchar *diff_id;

  if (in == NULL)
    g_error ("%s", error->message);
  diff_id = berth_content_store_import_layer (store, G_INPUT_STREAM (in), &layer, NULL, &error);
  if (diff_id == NULL)
    g_error ("%s", error->message);
  return diff_id;
}

int
main (int argc, char **argv)
{
  g_autoptr(BerthContentStore) store = NULL;

  if (argc < 5)
    {
      g_printerr ("usage: %s import|plugins MODULE ROOT LAYER...\n", argv[0]);
      return 2;
    }
  if (g_str_equal (argv[1], "import"))
    {
      guint repeats = argc > 5 ? atoi (argv[5]) : 5;
      /* a state root per run, removed by the caller afterwards: deleting
       * between runs would time ext4's inode allocator skipping the inodes
       * just freed, which tar -xzf into fresh directories does not pay */
      for (guint i = 0; i < repeats; i++)
        {
          g_autofree gchar *root = g_strdup_printf ("%s/run-%u", argv[3], i);
          g_autoptr(BerthContentStore) run_store = open_store (argv[2], root);
          gint64 cpu_start = cpu_time ();
          gint64 start = g_get_monotonic_time ();
          g_autofree gchar *diff_id = import (run_store, argv[4]);
          gint64 end = g_get_monotonic_time ();
          gint64 cpu_end = cpu_time ();
          printf ("%.1f %.1f\n", (end - start) / 1000.0, (cpu_end - cpu_start) / 1000.0);
        }
      return 0;
    }
  store = open_store (argv[2], argv[3]);
  for (gint i = 4; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *diff_id = import (store, argv[i]);
      const gchar *ids[] = { diff_id, NULL };
      g_autofree gchar *chain = berth_content_store_build_chain (store, ids, NULL, &error);
      g_autofree gchar *tree = NULL;
      if (chain == NULL)
        g_error ("%s", error->message);
      tree = berth_content_store_checkout_chain (store, chain, NULL, &error);
      if (tree == NULL)
        g_error ("%s", error->message);
    }
  return 0;
}
