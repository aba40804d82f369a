/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* what the runtime tests and the start benchmark share: the module loaded
 * as berthd loads it, and busybox bundles whose spec the generator writes */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <ftw.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "runtime-env.h"

#ifdef BERTH_TEST_RUNTIME_BUILTIN
gboolean berth_module_runtime_load (GTypeModule *module, GError **error);
#endif

/**
 * runtime_env_type:
 * @name: `runc` or `crun`
 * @out_priority: (out) (optional): its priority on the extension point
 * @error: return location for a #GError
 *
 * Loads the module named by `BERTH_TEST_RUNTIME_MODULE` (a path, or
 * `builtin:runtime`) once, as berthd does, and finds @name on the runtime
 * extension point.
 *
 * Returns: the type, or %G_TYPE_INVALID
 */
GType
runtime_env_type (const gchar *name, gint *out_priority, GError **error)
{
  static BerthModule *module = NULL;
  const gchar *path = g_getenv ("BERTH_TEST_RUNTIME_MODULE");
  GIOExtension *extension;

  if (module == NULL)
    {
      g_autoptr(BerthModule) loading = NULL;

      berth_extension_points_register ();
      if (path == NULL)
        {
          g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "BERTH_TEST_RUNTIME_MODULE is not set");
          return G_TYPE_INVALID;
        }
#ifdef BERTH_TEST_RUNTIME_BUILTIN
      if (g_str_equal (path, "builtin:runtime"))
        loading = berth_module_new_builtin ("runtime", berth_module_runtime_load);
#endif
      if (loading == NULL)
        loading = berth_module_new_for_path (path);
      if (!berth_module_load_checked (loading, error))
        return G_TYPE_INVALID;
      /* a loaded module is never unloaded: keep it */
      module = g_steal_pointer (&loading);
    }
  extension = g_io_extension_point_get_extension_by_name (
    g_io_extension_point_lookup (BERTH_EXTENSION_POINT_RUNTIME), name);
  if (extension == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "%s implements no runtime %s", path,
                   name);
      return G_TYPE_INVALID;
    }
  if (out_priority != NULL)
    *out_priority = g_io_extension_get_priority (extension);
  return g_io_extension_get_type (extension);
}

/**
 * runtime_env_new:
 * @name: `runc` or `crun`
 * @paths: the path store
 * @config: berthd.conf
 * @error: return location for a #GError
 *
 * Constructs and initializes the runtime as berthd's module loader does.
 *
 * Returns: (transfer full): the runtime, or %NULL
 */
BerthRuntime *
runtime_env_new (const gchar *name, BerthPaths *paths, GKeyFile *config, GError **error)
{
  GType type = runtime_env_type (name, NULL, error);
  const gchar *names[] = { "paths", "config" };
  GValue values[2] = { G_VALUE_INIT, G_VALUE_INIT };
  g_autoptr(GObject) object = NULL;

  if (type == G_TYPE_INVALID)
    return NULL;
  g_value_init (&values[0], BERTH_TYPE_PATHS);
  g_value_set_object (&values[0], paths);
  g_value_init (&values[1], G_TYPE_KEY_FILE);
  g_value_set_boxed (&values[1], config);
  object = g_object_new_with_properties (type, 2, names, values);
  g_value_unset (&values[0]);
  g_value_unset (&values[1]);
  if (!g_initable_init (G_INITABLE (object), NULL, error))
    return NULL;
  return BERTH_RUNTIME (g_steal_pointer (&object));
}

static gboolean
elf_is_static (const gchar *path)
{
  g_autofree gchar *data = NULL;
  gsize len = 0;
  const Elf64_Ehdr *header;

  if (!g_file_get_contents (path, &data, &len, NULL) || len < sizeof (Elf64_Ehdr))
    return FALSE;
  header = (const Elf64_Ehdr *)data;
  if (memcmp (header->e_ident, ELFMAG, SELFMAG) != 0 || header->e_ident[EI_CLASS] != ELFCLASS64)
    return FALSE;
  for (guint i = 0; i < header->e_phnum; i++)
    {
      gsize offset = header->e_phoff + (gsize)i * header->e_phentsize;
      const Elf64_Phdr *phdr;
      if (offset + sizeof (Elf64_Phdr) > len)
        return FALSE;
      phdr = (const Elf64_Phdr *)(data + offset);
      if (phdr->p_type == PT_INTERP)
        return FALSE;
    }
  return TRUE;
}

/**
 * runtime_env_busybox_usable:
 *
 * Returns: whether /bin/busybox is a static binary (Debian's
 *   busybox-static), which runs alone in a rootfs
 */
gboolean
runtime_env_busybox_usable (void)
{
  return g_file_test ("/bin/busybox", G_FILE_TEST_IS_REGULAR) && elf_is_static ("/bin/busybox");
}

static gboolean
make_rootfs (const gchar *rootfs, GError **error)
{
  g_autofree gchar *bin = g_build_filename (rootfs, "bin", NULL);
  g_autofree gchar *busybox = g_build_filename (bin, "busybox", NULL);
  g_autoptr(GFile) source = g_file_new_for_path ("/bin/busybox");
  g_autoptr(GFile) target = g_file_new_for_path (busybox);
  static const gchar *const applets[] = {
    "sh", "sleep", "echo", "cat", "true", "grep", "ls", "mkdir", "mount", "umount", "stat", NULL,
  };

  if (g_mkdir_with_parents (bin, 0755) != 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "creating %s: %s", bin,
                   g_strerror (errno));
      return FALSE;
    }
  if (!g_file_copy (source, target, G_FILE_COPY_NONE, NULL, NULL, NULL, error))
    return FALSE;
  if (g_chmod (busybox, 0755) != 0)
    return FALSE;
  for (guint i = 0; applets[i] != NULL; i++)
    {
      g_autofree gchar *link = g_build_filename (bin, applets[i], NULL);
      if (symlink ("busybox", link) != 0)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "creating %s: %s", link,
                       g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * runtime_env_make_plugin_bundle:
 * @dir: the bundle directory to create
 * @config_json: the plugin's config.json
 * @settings_json: (nullable): its settings, %NULL for the config's defaults
 * @propagated_dir: (nullable): the host side of its PropagatedMount
 * @error: return location for a #GError
 *
 * Makes a bundle whose rootfs holds /bin/busybox and a few applets (sh,
 * sleep, echo, cat, true, grep, ls, mkdir, mount, umount, stat); its config.json
 * comes from berth_oci_spec_new_for_plugin(), with a socket directory at
 * `<dir>/sockets`.
 *
 * Returns: %TRUE on success
 */
gboolean
runtime_env_make_plugin_bundle (const gchar *dir,
                                const gchar *config_json,
                                const gchar *settings_json,
                                const gchar *propagated_dir,
                                GError **error)
{
  g_autofree gchar *rootfs = g_build_filename (dir, "rootfs", NULL);
  g_autofree gchar *sockets = g_build_filename (dir, "sockets", NULL);
  g_autoptr(BerthPluginConfig) config = NULL;
  g_autoptr(BerthPluginSettings) settings = NULL;
  g_autoptr(JsonNode) spec = NULL;

  if (!make_rootfs (rootfs, error))
    return FALSE;
  if (g_mkdir_with_parents (sockets, 0700) != 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "creating %s: %s", sockets,
                   g_strerror (errno));
      return FALSE;
    }
  config = berth_plugin_config_new_from_data (config_json, -1, error);
  if (config == NULL)
    return FALSE;
  if (settings_json != NULL)
    {
      g_autoptr(JsonNode) node = berth_json_parse (settings_json, -1, error);
      if (node == NULL)
        return FALSE;
      settings = berth_plugin_settings_new_from_json_node (node, error);
      if (settings == NULL)
        return FALSE;
    }
  else
    settings = berth_plugin_settings_new (config);
  spec = berth_oci_spec_new_for_plugin (config, settings, rootfs, sockets, propagated_dir, error);
  if (spec == NULL)
    return FALSE;
  return berth_oci_spec_write_bundle (spec, dir, NULL, error);
}

/**
 * runtime_env_make_bundle:
 * @dir: the bundle directory to create
 * @entrypoint: the plugin's entrypoint
 * @error: return location for a #GError
 *
 * runtime_env_make_plugin_bundle() for a small volume plugin with
 * @entrypoint and nothing else: no mounts, devices or capabilities, a
 * network namespace of its own.
 *
 * Returns: %TRUE on success
 */
gboolean
runtime_env_make_bundle (const gchar *dir, const gchar *const *entrypoint, GError **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree gchar *config_json = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Description");
  json_builder_add_string_value (builder, "runtime test");
  json_builder_set_member_name (builder, "Documentation");
  json_builder_add_string_value (builder, "");
  json_builder_set_member_name (builder, "Entrypoint");
  json_builder_begin_array (builder);
  for (guint i = 0; entrypoint[i] != NULL; i++)
    json_builder_add_string_value (builder, entrypoint[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "Interface");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Socket");
  json_builder_add_string_value (builder, "test.sock");
  json_builder_set_member_name (builder, "Types");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "docker.volumedriver/1.0");
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  config_json = berth_json_to_string (node, FALSE);
  return runtime_env_make_plugin_bundle (dir, config_json, NULL, NULL, error);
}

static int
remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)remove (path);
  return 0;
}

/**
 * runtime_env_remove_tree:
 * @path: a directory
 *
 * Removes @path and everything below it, never crossing a mount point or
 * following a symlink.
 */
void
runtime_env_remove_tree (const gchar *path)
{
  (void)nftw (path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
