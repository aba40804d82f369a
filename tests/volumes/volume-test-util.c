/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* the volume module loaded as berthd loads it (BERTH_TEST_VOLUME_MODULE: a
 * path, or builtin:volume), and sync wrappers around its async API */
#include "config.h"

#include <string.h>

#include "volume-test-util.h"

#ifdef BERTH_TEST_VOLUME_BUILTIN
gboolean berth_module_volume_load (GTypeModule *module, GError **error);
#endif

static GType
volume_type (void)
{
  static BerthModule *module = NULL;
  const gchar *path = g_getenv ("BERTH_TEST_VOLUME_MODULE");
  GIOExtension *extension;

  if (module == NULL)
    {
      g_autoptr(BerthModule) loading = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_nonnull (path);
      berth_extension_points_register ();
#ifdef BERTH_TEST_VOLUME_BUILTIN
      if (g_str_equal (path, "builtin:volume"))
        loading = berth_module_new_builtin ("volume", berth_module_volume_load);
#endif
      if (loading == NULL)
        loading = berth_module_new_for_path (path);
      berth_module_load_checked (loading, &error);
      g_assert_no_error (error);
      /* a loaded module is never unloaded: keep it */
      module = g_steal_pointer (&loading);
    }
  extension = g_io_extension_point_get_extension_by_name (
    g_io_extension_point_lookup (BERTH_EXTENSION_POINT_DRIVER), "volume");
  g_assert_nonnull (extension);
  return g_io_extension_get_type (extension);
}

BerthVolumeService *
vt_service_new (BerthPaths *paths, GKeyFile *config)
{
  g_autoptr(GError) error = NULL;
  GObject *object = g_object_new (volume_type (), "paths", paths, "config", config, NULL);

  g_initable_init (G_INITABLE (object), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (BERTH_IS_DRIVER (object));
  g_assert_true (BERTH_IS_VOLUME_SERVICE (object));
  g_assert_true (berth_driver_serves (BERTH_DRIVER (object), "docker.volumedriver/1.0"));
  return BERTH_VOLUME_SERVICE (object);
}

static void
on_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static GHashTable *
map_from_pairs (const gchar *const *pairs)
{
  GHashTable *map;

  if (pairs == NULL)
    return NULL;
  map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; pairs[i] != NULL; i += 2)
    g_hash_table_insert (map, g_strdup (pairs[i]), g_strdup (pairs[i + 1]));
  return map;
}

BerthVolume *
vt_create (BerthVolumeService *service,
           const gchar *name,
           const gchar *driver,
           const gchar *const *opts,
           const gchar *const *labels,
           GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) o = map_from_pairs (opts);
  g_autoptr(GHashTable) l = map_from_pairs (labels);

  berth_volume_service_create_async (service, name, driver, o, l, NULL, on_result, &result);
  return berth_volume_service_create_finish (service, wait_for (&result), error);
}

gboolean
vt_remove (BerthVolumeService *service, const gchar *name, gboolean force, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  berth_volume_service_remove_async (service, name, force, NULL, on_result, &result);
  return berth_volume_service_remove_finish (service, wait_for (&result), error);
}

BerthVolume *
vt_inspect (BerthVolumeService *service, const gchar *name, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  berth_volume_service_inspect_async (service, name, NULL, on_result, &result);
  return berth_volume_service_inspect_finish (service, wait_for (&result), error);
}

gchar *
vt_mount (BerthVolumeService *service, const gchar *name, gchar **out_id, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  berth_volume_service_mount_async (service, name, NULL, on_result, &result);
  return berth_volume_service_mount_finish (service, wait_for (&result), out_id, error);
}

gboolean
vt_unmount (BerthVolumeService *service, const gchar *name, const gchar *id, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  berth_volume_service_unmount_async (service, name, id, NULL, on_result, &result);
  return berth_volume_service_unmount_finish (service, wait_for (&result), error);
}

GStrv
vt_prune (BerthVolumeService *service,
          const gchar *const *filters,
          guint64 *reclaimed,
          GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  berth_volume_service_prune_async (service, filters, NULL, on_result, &result);
  return berth_volume_service_prune_finish (service, wait_for (&result), reclaimed, error);
}

gchar *
vt_inspect_text (BerthVolume *volume)
{
  g_autoptr(JsonNode) node = berth_volume_to_inspect_json (volume);
  return berth_json_to_string (node, FALSE);
}

void
vt_assert_hex64 (const gchar *text)
{
  g_assert_nonnull (text);
  g_assert_cmpuint (strlen (text), ==, 64);
  for (guint i = 0; i < 64; i++)
    g_assert_true (g_ascii_isdigit (text[i]) || (text[i] >= 'a' && text[i] <= 'f'));
}

void
vt_assert_error (const GError *error, gint code, const gchar *message)
{
  g_assert_nonnull (error);
  if (error->domain != BERTH_ERROR || error->code != code)
    g_error ("expected code %d, got %s %d: %s", code, g_quark_to_string (error->domain),
             error->code, error->message);
  if (strstr (error->message, message) == NULL)
    g_error ("“%s” does not hold “%s”", error->message, message);
}

void
vt_activate (BerthVolumeService *service,
             const gchar *id,
             const gchar *name,
             const gchar *socket_path,
             const gchar *propagated_host,
             const gchar *rootfs)
{
  g_autoptr(GError) error = NULL;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  GVariant *details = NULL;

  if (propagated_host != NULL)
    {
      g_variant_builder_add (&builder, "{sv}", BERTH_DRIVER_DETAIL_PROPAGATED_MOUNT,
                             g_variant_new_string ("/mnt/volumes"));
      g_variant_builder_add (&builder, "{sv}", BERTH_DRIVER_DETAIL_PROPAGATED_MOUNT_HOST,
                             g_variant_new_string (propagated_host));
      g_variant_builder_add (&builder, "{sv}", BERTH_DRIVER_DETAIL_ROOTFS,
                             g_variant_new_string (rootfs));
      details = g_variant_ref_sink (g_variant_builder_end (&builder));
    }
  berth_driver_activate_with_details (BERTH_DRIVER (service), id, name, socket_path, details, NULL,
                                      &error);
  g_assert_no_error (error);
  g_clear_pointer (&details, g_variant_unref);
}
