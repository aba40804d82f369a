/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* how long the overlay snapshotter takes to prepare a snapshot of a ~22 MB
 * tree once the chain is checked out, and what the first checkout costs the
 * content store. Prints figures; asserts nothing. Run as root (it mounts, in
 * a mount namespace of its own); tests/bench/snapshot-prepare.sh runs it */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "snapshotter-env.h"

static gint
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return x < y ? -1 : x > y;
}

static void
print_stats (const gchar *what, GArray *times)
{
  gint64 *t = (gint64 *)times->data;
  g_array_sort (times, compare_gint64);
  g_print ("  %-26s median %7.2f ms   min %7.2f   p90 %7.2f   max %7.2f   (%u runs)\n", what,
           t[times->len / 2] / 1000.0, t[0] / 1000.0, t[times->len * 9 / 10] / 1000.0,
           t[times->len - 1] / 1000.0, times->len);
}

/* copies regular files of at most 256 KB from @src into @dst, depth first in
 * name order, until @total reaches @wanted */
static void
copy_some (const gchar *src, const gchar *dst, guint64 wanted, guint64 *total, guint *files)
{
  g_autoptr(GDir) dir = g_dir_open (src, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc)g_strcmp0);
  g_mkdir_with_parents (dst, 0755);
  for (guint i = 0; i < names->len && *total < wanted; i++)
    {
      g_autofree gchar *from = g_build_filename (src, names->pdata[i], NULL);
      g_autofree gchar *to = g_build_filename (dst, names->pdata[i], NULL);
      g_autofree gchar *contents = NULL;
      gsize len;
      struct stat st;

      if (lstat (from, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          copy_some (from, to, wanted, total, files);
          continue;
        }
      if (!S_ISREG (st.st_mode) || st.st_size > 256 * 1024 || (guint64)st.st_size > wanted - *total)
        continue;
      if (!g_file_get_contents (from, &contents, &len, NULL)
          || !g_file_set_contents (to, contents, len, NULL))
        continue;
      g_chmod (to, st.st_mode & 0755);
      *total += len;
      (*files)++;
    }
}

/* a tree of real files (programs, libraries, data from /usr), topped up
 * with random bytes if there are not enough; returns its size */
static guint64
make_tree (const gchar *tree, guint64 wanted, guint *out_files)
{
  const gchar *sources[] = { "bin", "lib", "share" };
  guint64 total = 0;
  guint files = 0;

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_autofree gchar *src = g_build_filename ("/usr", sources[i], NULL);
      g_autofree gchar *dst = g_build_filename (tree, "usr", sources[i], NULL);
      copy_some (src, dst, wanted, &total, &files);
    }
  for (guint i = 0; total < wanted; i++)
    {
      g_autofree gchar *dst = g_strdup_printf ("%s/random-%u", tree, i);
      gsize len = MIN (256 * 1024, wanted - total);
      g_autofree guint32 *data = g_new (guint32, len / 4 + 1);
      for (gsize j = 0; j < len / 4 + 1; j++)
        data[j] = g_random_int ();
      g_file_set_contents (dst, (const gchar *)data, len, NULL);
      total += len;
      files++;
    }
  *out_files = files;
  return total;
}

static gboolean
bench_backend (const gchar *backend, guint runs, guint64 size, GError **error)
{
  SnapEnv env;
  g_autofree gchar *tree = NULL;
  g_autofree gchar *chain = NULL;
  g_autofree gchar *checkout = NULL;
  g_autoptr(BerthSnapshotter) snap = NULL;
  g_autoptr(GArray) prepares = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) views = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) removes = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint64 bytes;
  guint files = 0;
  gint64 t0, t1, t2, t3;

  if (!snap_env_init (&env, backend, error))
    {
      snap_env_clear (&env);
      return FALSE;
    }
  tree = g_build_filename (env.root, "tree", NULL);
  bytes = make_tree (tree, size, &files);
  g_print ("%s content store, a tree of %u files, %.1f MB:\n", backend, files, bytes / 1e6);

  t0 = g_get_monotonic_time ();
  chain = snap_env_add_tree (&env, tree, error);
  t1 = g_get_monotonic_time ();
  if (chain != NULL)
    checkout = berth_content_store_checkout_chain (env.store, chain, NULL, error);
  t2 = g_get_monotonic_time ();
  if (checkout != NULL)
    snap = snap_env_new_snapshotter (&env, error);
  t3 = g_get_monotonic_time ();
  if (snap == NULL)
    {
      snap_env_clear (&env);
      return FALSE;
    }
  g_print ("  %-26s %7.2f ms\n", "import (store)", (t1 - t0) / 1000.0);
  g_print ("  %-26s %7.2f ms   (the content store's cost, once per chain)\n",
           "first checkout (store)", (t2 - t1) / 1000.0);
  g_print ("  %-26s %7.2f ms\n", "snapshotter start", (t3 - t2) / 1000.0);

  for (guint i = 0; i < runs; i++)
    {
      g_autofree gchar *key = g_strdup_printf ("bench-%u", i);
      g_autofree gchar *view_key = g_strdup_printf ("view-%u", i);
      g_autofree gchar *rootfs = NULL;
      g_autofree gchar *view = NULL;
      gint64 d;

      t0 = g_get_monotonic_time ();
      rootfs = berth_snapshotter_prepare (snap, key, chain, NULL, error);
      d = g_get_monotonic_time () - t0;
      if (rootfs == NULL)
        break;
      g_array_append_val (prepares, d);
      t0 = g_get_monotonic_time ();
      view = berth_snapshotter_view (snap, view_key, chain, NULL, error);
      d = g_get_monotonic_time () - t0;
      if (view == NULL)
        break;
      g_array_append_val (views, d);
    }
  for (guint i = 0; i < prepares->len && (error == NULL || *error == NULL); i++)
    {
      g_autofree gchar *key = g_strdup_printf ("bench-%u", i);
      g_autofree gchar *view_key = g_strdup_printf ("view-%u", i);
      gint64 d;

      t0 = g_get_monotonic_time ();
      if (!berth_snapshotter_remove (snap, key, NULL, error))
        break;
      d = g_get_monotonic_time () - t0;
      g_array_append_val (removes, d);
      berth_snapshotter_remove (snap, view_key, NULL, NULL);
    }
  if (prepares->len > 0)
    print_stats ("prepare (writable)", prepares);
  if (views->len > 0)
    print_stats ("view (read-only)", views);
  if (removes->len > 0)
    print_stats ("remove", removes);
  if (prepares->len > 0)
    g_print ("  prepare median %.2f ms; target <= 30 ms\n",
             g_array_index (prepares, gint64, prepares->len / 2) / 1000.0);

  g_clear_object (&snap);
  snap_env_clear (&env);
  return error == NULL || *error == NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  gint runs = 50;
  gint size_mb = 22;
  g_auto(GStrv) backends = NULL;
  const GOptionEntry entries[] = {
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Prepares to time (50)", "N" },
    { "size", 's', 0, G_OPTION_ARG_INT, &size_mb, "Tree size in MB (22)", "MB" },
    { "backend", 'b', 0, G_OPTION_ARG_STRING_ARRAY, &backends, "Content store: fake, ostree (both)",
      "NAME" },
    { NULL },
  };
  const gchar *all[] = { "fake", "ostree", NULL };
  int status = 0;

  context = g_option_context_new ("- time snapshot prepares");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (runs < 1 || size_mb < 1)
    {
      g_printerr ("--runs and --size must be positive\n");
      return 2;
    }
  if (!snap_enter_private_mount_namespace (&error))
    {
      g_printerr ("cannot benchmark (run as root): %s\n", error->message);
      return 77;
    }
  for (const gchar *const *b = backends != NULL ? (const gchar *const *)backends : all; *b != NULL;
       b++)
    {
      g_autoptr(GError) local_error = NULL;
      if (!bench_backend (*b, runs, (guint64)size_mb * 1000 * 1000, &local_error))
        {
          if (g_error_matches (local_error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED))
            g_print ("%s content store: skipped: %s\n", *b, local_error->message);
          else
            {
              g_printerr ("%s content store: %s\n", *b, local_error->message);
              status = 1;
            }
        }
    }
  return status;
}
