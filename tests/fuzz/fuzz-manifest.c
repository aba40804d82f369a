/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: image manifests and indexes as a registry serves
 * them.
 *
 * Feeds berth_registry_manifest_parse() (libberth/berth-registry-manifest.c)
 * as fetch_manifest() and resolve_thread() in
 * modules/registry/berth-registry-transport.c and the engine call it, then
 * the descriptors, platform selection of an index, and for an image
 * manifest what push does: a schema 2 manifest built from the descriptors
 * must parse back to the same descriptors.
 *
 * Input: byte 0 picks the Content-Type the registry "sent"; the rest is the
 * body. */
#include <berth.h>
#include <string.h>

#include "fuzz-common.h"

static const char *const content_types[] = {
  NULL,
  BERTH_MEDIA_TYPE_DOCKER_MANIFEST,
  BERTH_MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  BERTH_MEDIA_TYPE_OCI_MANIFEST,
  BERTH_MEDIA_TYPE_OCI_INDEX,
  BERTH_MEDIA_TYPE_PLUGIN_CONFIG,
  BERTH_MEDIA_TYPE_DOCKER_MANIFEST "; charset=utf-8",
  "application/json",
  "  " BERTH_MEDIA_TYPE_OCI_INDEX " ;q=1",
  ";",
  "",
};

static volatile size_t sink;

static void
touch (const char *s)
{
  if (s != NULL)
    sink += strlen (s);
}

static void
touch_desc (const BerthRegistryDescriptor *d)
{
  if (d == NULL)
    abort ();
  touch (d->media_type);
  touch (d->digest);
  touch (d->platform);
  if (d->size <= 0 || !berth_registry_digest_is_valid (d->digest))
    abort ();
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging (FALSE);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(BerthRegistryManifest) m = NULL;
  g_autoptr(GError) error = NULL;
  const char *ct;

  if (size < 1)
    return 0;
  ct = content_types[data[0] % G_N_ELEMENTS (content_types)];
  bytes = g_bytes_new (data + 1, size - 1);
  m = berth_registry_manifest_parse (bytes, ct, &error);
  if (m == NULL)
    {
      if (error == NULL)
        abort ();
      touch (error->message);
      return 0;
    }
  touch (berth_registry_manifest_get_digest (m));
  touch (berth_registry_manifest_get_media_type (m));
  if (berth_registry_manifest_get_bytes (m) != bytes)
    abort ();
  if (berth_registry_manifest_is_index (m))
    {
      static const char *const platforms[]
        = { NULL, "linux/amd64", "linux/arm64", "linux/amd64/v1", "linux/arm/v7", "/", "" };
      guint n = berth_registry_manifest_get_n_manifests (m);
      if (berth_registry_manifest_get_config (m) != NULL)
        abort ();
      for (guint i = 0; i < n; i++)
        touch_desc (berth_registry_manifest_get_manifest (m, i));
      for (guint i = 0; i < G_N_ELEMENTS (platforms); i++)
        {
          g_autoptr(GError) e = NULL;
          const BerthRegistryDescriptor *d
            = berth_registry_manifest_select_platform (m, platforms[i], &e);
          if (d != NULL)
            touch_desc (d);
          else
            touch (e->message);
        }
      for (guint i = 0; i < n && i < 8; i++)
        {
          g_autoptr(GError) e = NULL;
          const BerthRegistryDescriptor *d = berth_registry_manifest_select_platform (
            m, berth_registry_manifest_get_manifest (m, i)->platform, &e);
          if (d == NULL && e == NULL)
            abort ();
        }
    }
  else
    {
      const BerthRegistryDescriptor *config = berth_registry_manifest_get_config (m);
      guint n = berth_registry_manifest_get_n_layers (m);
      g_autoptr(GArray) layers = g_array_new (FALSE, TRUE, sizeof (BerthRegistryDescriptor));
      g_autoptr(GBytes) built = NULL;
      g_autoptr(BerthRegistryManifest) again = NULL;
      g_autoptr(GError) e = NULL;

      touch_desc (config);
      for (guint i = 0; i < n; i++)
        {
          const BerthRegistryDescriptor *d = berth_registry_manifest_get_layer (m, i);
          touch_desc (d);
          g_array_append_vals (layers, d, 1);
        }
      /* what push does with it: build a schema 2 manifest from the
       * descriptors, which must parse back to the same descriptors */
      built
        = berth_registry_manifest_build (config, (const BerthRegistryDescriptor *)layers->data, n);
      again = berth_registry_manifest_parse (built, BERTH_MEDIA_TYPE_DOCKER_MANIFEST, &e);
      if (again == NULL)
        {
          fprintf (stderr, "FUZZ: a built manifest does not parse: %s\n", e->message);
          abort ();
        }
      if (berth_registry_manifest_get_n_layers (again) != n
          || g_strcmp0 (berth_registry_manifest_get_config (again)->digest, config->digest) != 0
          || g_strcmp0 (berth_registry_manifest_get_config (again)->media_type, config->media_type)
               != 0
          || berth_registry_manifest_get_config (again)->size != config->size)
        {
          fprintf (stderr, "FUZZ: a built manifest parses to other descriptors\n");
          abort ();
        }
      for (guint i = 0; i < n; i++)
        if (g_strcmp0 (berth_registry_manifest_get_layer (again, i)->media_type,
                       berth_registry_manifest_get_layer (m, i)->media_type)
              != 0
            || berth_registry_manifest_get_layer (again, i)->size
                 != berth_registry_manifest_get_layer (m, i)->size)
          {
            fprintf (stderr, "FUZZ: layer %u changed in a round trip\n", i);
            abort ();
          }
      berth_registry_manifest_set_reference (m, "docker.io/library/x:latest");
      berth_registry_manifest_set_config_bytes (m, bytes);
      berth_registry_manifest_set_index (again, m);
      touch (berth_registry_manifest_get_reference (m));
    }
  return 0;
}
