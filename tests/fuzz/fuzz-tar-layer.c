/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: image layers, uncompressed tars
 * (application/vnd.oci.image.layer.v1.tar).
 *
 * Feeds berth_content_store_import_layer() of the "ostree" content store
 * (content-store/berth-ostree-layer.c, berth-layer-source.c; linked in as a
 * static library and registered through the module's load function), as
 * berth_engine_import_layers() calls it, then what berthd does with an
 * imported layer: the same layer imported again by its diff ID,
 * build_chain() (whiteouts, opaque and implicit directories, devices)
 * alone, over and under a base layer, and checkout_chain() (device nodes
 * made from the metadata).
 *
 * One store in a directory made under $TMPDIR (TMPDIR=/dev/shm is faster),
 * opened once and reused, removed and made again every 500 inputs, and
 * removed at exit. A victim file beside the state root must never change.
 *
 * Input: the tar's bytes. */
#include <archive.h>
#include <archive_entry.h>
#include <berth.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fuzz-common.h"

gboolean berth_module_ostree_load (GTypeModule *module, GError **error);

#define LAYER_TAR      "application/vnd.oci.image.layer.v1.tar"
#define RECREATE_EVERY 500

static gchar *base_dir, *root, *victim_file;
static BerthContentStore *store;
static gchar *base_diff_id;
static guint runs;
static struct stat victim_st;

/* The base layer under the fuzzed one, so that its whiteouts and opaque
 * directories have something to hide: a/ a/b/ a/b/f a/link -> b etc/passwd
 * opq/old dev/null */
static GBytes *
base_layer (void)
{
  static const struct
  {
    const char *path;
    mode_t type;
    const char *contents;
  } entries[] = {
    { "a", AE_IFDIR, NULL },
    { "a/b", AE_IFDIR, NULL },
    { "a/b/f", AE_IFREG, "base file\n" },
    { "a/link", AE_IFLNK, "b" },
    { "etc", AE_IFDIR, NULL },
    { "etc/passwd", AE_IFREG, "root:x:0:0\n" },
    { "opq", AE_IFDIR, NULL },
    { "opq/old", AE_IFREG, "x" },
    { "dev", AE_IFDIR, NULL },
    { "dev/null", AE_IFCHR, NULL },
  };
  static guint8 buffer[64 * 1024];
  struct archive *a = archive_write_new ();
  size_t used = 0;

  if (archive_write_set_format_pax_restricted (a) != ARCHIVE_OK
      || archive_write_open_memory (a, buffer, sizeof buffer, &used) != ARCHIVE_OK)
    g_error ("the base layer: %s", archive_error_string (a));
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      struct archive_entry *entry = archive_entry_new ();
      gsize size = 0;

      archive_entry_set_pathname (entry, entries[i].path);
      archive_entry_set_filetype (entry, entries[i].type);
      archive_entry_set_perm (entry, entries[i].type == AE_IFDIR ? 0755 : 0644);
      archive_entry_set_mtime (entry, 1700000000, 0);
      if (entries[i].type == AE_IFREG)
        size = strlen (entries[i].contents);
      else if (entries[i].type == AE_IFLNK)
        archive_entry_set_symlink (entry, entries[i].contents);
      else if (entries[i].type == AE_IFCHR)
        archive_entry_set_rdev (entry, makedev (1, 3));
      archive_entry_set_size (entry, (la_int64_t)size);
      if (archive_write_header (a, entry) != ARCHIVE_OK
          || (size > 0 && archive_write_data (a, entries[i].contents, size) != (la_ssize_t)size))
        g_error ("the base layer: %s", archive_error_string (a));
      archive_entry_free (entry);
    }
  if (archive_write_close (a) != ARCHIVE_OK)
    g_error ("the base layer: %s", archive_error_string (a));
  archive_write_free (a);
  return g_bytes_new (buffer, used);
}

static gchar *
import (GBytes *bytes, GError **error)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (bytes);
  BerthLayerImport layer = { LAYER_TAR, NULL, NULL, -1 };
  return berth_content_store_import_layer (store, in, &layer, NULL, error);
}

static void
open_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthPaths) paths = berth_paths_new ();
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autofree gchar *repo = g_build_filename (root, "repo", NULL);
  g_autofree gchar *tmp = g_build_filename (root, "tmp", NULL);
  GIOExtension *ext = g_io_extension_point_get_extension_by_name (
    g_io_extension_point_lookup (BERTH_EXTENSION_POINT_CONTENT_STORE), "ostree");
  GObject *object;
  g_autoptr(GBytes) base = base_layer ();

  /* small limits, as test-hostile-layers sets them: bombs stop early */
  g_key_file_set_uint64 (config, "content-store", "max-layer-entries", 2000);
  g_key_file_set_uint64 (config, "content-store", "max-layer-bytes", 16 * 1024 * 1024);
  berth_paths_set (paths, BERTH_PATH_ROOT, root);
  berth_paths_set (paths, BERTH_PATH_REPO, repo);
  berth_paths_set (paths, BERTH_PATH_TMP, tmp);
  object = g_object_new (g_io_extension_get_type (ext), "paths", paths, "config", config, NULL);
  if (!g_initable_init (G_INITABLE (object), NULL, &error))
    g_error ("%s", error->message);
  store = BERTH_CONTENT_STORE (object);
  g_free (base_diff_id);
  base_diff_id = import (base, &error);
  if (base_diff_id == NULL)
    g_error ("the base layer: %s", error->message);
}

static void
close_store (void)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&store);
  if (!berth_rm_rf (root, &error))
    g_error ("%s", error->message);
}

/* the process ends (a fork-mode job too): its store goes */
static void
remove_all (void)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&store);
  if (!berth_rm_rf (base_dir, &error))
    fprintf (stderr, "FUZZ: %s\n", error->message);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;
  BerthModule *module;

  fuzz_init_logging (FALSE);
  module = berth_module_new_builtin ("ostree", berth_module_ostree_load);
  if (!berth_module_load_checked (module, &error))
    g_error ("%s", error->message);
  base_dir = g_dir_make_tmp ("berth-fuzz-tar-XXXXXX", &error);
  if (base_dir == NULL)
    g_error ("%s", error->message);
  root = g_build_filename (base_dir, "state", NULL);
  victim_file = g_build_filename (base_dir, "victim", "passwd", NULL);
  {
    g_autofree gchar *victim = g_path_get_dirname (victim_file);
    g_mkdir_with_parents (victim, 0755);
    g_file_set_contents (victim_file, "root:x:0:0::/root:/bin/sh\n", -1, NULL);
    stat (victim_file, &victim_st);
  }
  open_store ();
  atexit (remove_all);
  return 0;
}

static void
check_victim (void)
{
  struct stat st;
  g_autofree gchar *victim = g_path_get_dirname (victim_file);
  g_autoptr(GDir) d = g_dir_open (victim, 0, NULL);
  guint n = 0;
  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  if (stat (victim_file, &st) != 0 || st.st_size != victim_st.st_size
      || st.st_mtim.tv_sec != victim_st.st_mtim.tv_sec
      || st.st_mtim.tv_nsec != victim_st.st_mtim.tv_nsec || st.st_ino != victim_st.st_ino || n != 1)
    {
      fprintf (stderr, "FUZZ: the victim beside the state root changed\n");
      abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autofree gchar *diff_id = NULL;

  if (++runs % RECREATE_EVERY == 0)
    {
      close_store ();
      open_store ();
    }
  diff_id = import (bytes, &error);
  if (fuzz_verbose)
    fprintf (stderr, "FUZZ: import: %s\n", diff_id != NULL ? diff_id : error->message);
  if (diff_id == NULL)
    {
      if (error == NULL)
        {
          fprintf (stderr, "FUZZ: import failed without an error\n");
          abort ();
        }
    }
  else
    {
      const gchar *alone[] = { diff_id, NULL };
      const gchar *over[] = { base_diff_id, diff_id, NULL };
      const gchar *under[] = { diff_id, base_diff_id, NULL };
      const gchar *const *chains[] = { alone, over, under };
      g_autofree gchar *again = NULL;

      if (!berth_content_store_has_layer (store, diff_id, NULL, NULL))
        {
          fprintf (stderr, "FUZZ: an imported layer is not there\n");
          abort ();
        }
      /* the same layer again, now named by its diff ID: found stored */
      {
        g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (bytes);
        BerthLayerImport layer = { LAYER_TAR, diff_id, diff_id, (gint64)size };
        again = berth_content_store_import_layer (store, in, &layer, NULL, &error);
        if (again == NULL || !g_str_equal (again, diff_id))
          {
            fprintf (stderr, "FUZZ: importing a stored layer again failed: %s\n",
                     error ? error->message : "other diff ID");
            abort ();
          }
      }
      for (guint i = 0; i < G_N_ELEMENTS (chains); i++)
        {
          g_autoptr(GError) e = NULL;
          g_autofree gchar *chain_id = berth_content_store_build_chain (store, chains[i], NULL, &e);
          g_autofree gchar *tree = NULL;
          if (chain_id == NULL)
            {
              if (e == NULL)
                abort ();
              continue;
            }
          if (i != runs % G_N_ELEMENTS (chains))
            continue;
          tree = berth_content_store_checkout_chain (store, chain_id, NULL, &e);
          if (tree == NULL && e == NULL)
            abort ();
          if (tree != NULL && !g_str_has_prefix (tree, root))
            {
              fprintf (stderr, "FUZZ: a checkout outside the state root: %s\n", tree);
              abort ();
            }
        }
    }
  check_victim ();
  return 0;
}
