/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: image configs as a registry serves them.
 *
 * Feeds berth_image_new_from_config() (daemon/berth-image.c, compiled into
 * this harness), then what the engine does next: the layers one per diff
 * ID (check_layers()), berth_image_set_content(), tags, the record saved
 * and loaded again (berth_image_save()/berth_image_load(), which must give
 * the same image), and Inspect as berth_dbus_return_inspect() answers it
 * over D-Bus.
 *
 * Input: the config's bytes. The record goes to a directory made under
 * $TMPDIR and removed at exit. */
#include <berth.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth-image.h"
#include "fuzz-common.h"

#define DIGEST_ZERO  "sha256:0000000000000000000000000000000000000000000000000000000000000000"
#define DIGEST_EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static gchar *record_dir;
static gchar *record_path;

static void
remove_record_dir (void)
{
  berth_rm_rf (record_dir, NULL);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;

  fuzz_init_logging (FALSE);
  record_dir = g_dir_make_tmp ("berth-fuzz-image-XXXXXX", &error);
  if (record_dir == NULL)
    g_error ("%s", error->message);
  record_path = g_build_filename (record_dir, "record.json", NULL);
  atexit (remove_record_dir);
  return 0;
}

static volatile gsize sink;

static void
touch_strv (const gchar *const *v)
{
  for (guint i = 0; v != NULL && v[i] != NULL; i++)
    sink += strlen (v[i]);
}

/* berth_dbus_return_inspect(), without the invocation */
static void
inspect (BerthImage *image)
{
  g_autoptr(JsonNode) node = berth_image_to_inspect_json (image);
  g_autofree gchar *json = berth_json_to_string (node, FALSE);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) back = berth_json_parse (json, -1, &error);

  if (back == NULL)
    {
      fprintf (stderr, "FUZZ: inspect JSON does not parse back: %s\n", error->message);
      abort ();
    }
  reply = g_variant_ref_sink (g_variant_new ("(sv)", json, berth_json_to_dbus_variant (node)));
  sink += g_variant_get_size (reply);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthImage) image = berth_image_new_from_config (bytes, &error);
  g_autoptr(BerthImage) loaded = NULL;
  const gchar *const *diff_ids;
  g_autoptr(GStrvBuilder) layers = g_strv_builder_new ();
  g_auto(GStrv) layer_list = NULL;
  g_auto(GStrv) roots = NULL;
  g_auto(GStrv) tags = NULL;

  if (image == NULL)
    {
      if (error == NULL)
        abort ();
      return 0;
    }
  sink += strlen (berth_image_get_id (image));
  diff_ids = berth_image_get_diff_ids (image);
  touch_strv (diff_ids);
  touch_strv (berth_image_get_env (image));
  touch_strv (berth_image_get_cmd (image));
  touch_strv (berth_image_get_entrypoint (image));
  sink += berth_image_get_created_unix (image);
  /* pull_import_thread(): the layers, one per diff ID (check_layers()) */
  for (guint i = 0; diff_ids[i] != NULL; i++)
    g_strv_builder_add (layers, diff_ids[i]);
  layer_list = g_strv_builder_end (layers);
  berth_image_set_content (image, DIGEST_ZERO, NULL, (const gchar *const *)layer_list,
                           diff_ids[0] != NULL ? diff_ids[0] : DIGEST_EMPTY, (gint64)size);
  berth_image_add_tag (image, "docker.io/library/busybox:latest");
  berth_image_add_repo_digest (image, "docker.io/library/busybox@" DIGEST_ZERO);
  roots = berth_image_get_content_roots (image);
  tags = berth_image_get_familiar_tags (image);
  inspect (image);
  if (!berth_image_save (image, record_path, &error))
    {
      fprintf (stderr, "FUZZ: save failed: %s\n", error->message);
      abort ();
    }
  loaded = berth_image_load (record_path, &error);
  if (loaded == NULL)
    {
      fprintf (stderr, "FUZZ: a saved record does not load: %s\n", error->message);
      abort ();
    }
  if (g_strcmp0 (berth_image_get_id (loaded), berth_image_get_id (image)) != 0
      || g_strv_length ((gchar **)berth_image_get_diff_ids (loaded))
           != g_strv_length ((gchar **)diff_ids)
      || g_strcmp0 (berth_image_get_created (loaded), berth_image_get_created (image)) != 0
      || berth_image_get_created_unix (loaded) != berth_image_get_created_unix (image))
    {
      fprintf (stderr, "FUZZ: the record loads back different\n");
      abort ();
    }
  inspect (loaded);
  return 0;
}
