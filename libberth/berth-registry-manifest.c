/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/utsname.h>

#include "berth-error.h"
#include "berth-json.h"
#include "berth-registry-manifest.h"

/* more layers or index entries than any real plugin or image has */
#define MAX_DESCRIPTORS 1024

/**
 * BerthRegistryManifest:
 *
 * A manifest or index as a registry serves it: its exact bytes (the digest
 * is of these), its media type and its descriptors, validated. A transport
 * attaches what it resolved along the way: the reference, the index it came
 * through and the config blob's bytes.
 */
struct _BerthRegistryManifest
{
  gint ref_count;
  GBytes *bytes;
  gchar *media_type;
  gchar *digest;
  gboolean is_index;
  BerthRegistryDescriptor config;
  GArray *layers;    /* of BerthRegistryDescriptor */
  GArray *manifests; /* of BerthRegistryDescriptor */
  gchar *reference;
  GBytes *config_bytes;
  BerthRegistryManifest *index;
};

G_DEFINE_BOXED_TYPE (BerthRegistryManifest,
                     berth_registry_manifest,
                     berth_registry_manifest_ref,
                     berth_registry_manifest_unref)

static void
descriptor_clear (gpointer data)
{
  BerthRegistryDescriptor *d = data;
  g_clear_pointer (&d->media_type, g_free);
  g_clear_pointer (&d->digest, g_free);
  g_clear_pointer (&d->platform, g_free);
}

/**
 * berth_registry_digest_is_valid:
 * @digest: a digest
 *
 * Returns: %TRUE if @digest is `sha256:` and 64 lowercase hex digits
 */
gboolean
berth_registry_digest_is_valid (const gchar *digest)
{
  if (digest == NULL || !g_str_has_prefix (digest, "sha256:") || strlen (digest) != 7 + 64)
    return FALSE;
  for (const gchar *p = digest + 7; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

/**
 * berth_registry_digest_bytes:
 * @bytes: some bytes
 *
 * Returns: (transfer full): `sha256:<hex>` of @bytes
 */
gchar *
berth_registry_digest_bytes (GBytes *bytes)
{
  g_autofree gchar *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  return g_strconcat ("sha256:", hex, NULL);
}

/**
 * berth_registry_media_type_is_manifest:
 * @media_type: (nullable): a media type
 *
 * Returns: %TRUE for Docker schema 2 and OCI image manifests
 */
gboolean
berth_registry_media_type_is_manifest (const gchar *media_type)
{
  return g_strcmp0 (media_type, BERTH_MEDIA_TYPE_DOCKER_MANIFEST) == 0
         || g_strcmp0 (media_type, BERTH_MEDIA_TYPE_OCI_MANIFEST) == 0;
}

/**
 * berth_registry_media_type_is_index:
 * @media_type: (nullable): a media type
 *
 * Returns: %TRUE for Docker manifest lists and OCI indexes
 */
gboolean
berth_registry_media_type_is_index (const gchar *media_type)
{
  return g_strcmp0 (media_type, BERTH_MEDIA_TYPE_DOCKER_MANIFEST_LIST) == 0
         || g_strcmp0 (media_type, BERTH_MEDIA_TYPE_OCI_INDEX) == 0;
}

static gboolean
parse_descriptor (JsonNode *node, BerthRegistryDescriptor *out, const gchar *what, GError **error)
{
  JsonObject *obj;
  JsonNode *member;
  const gchar *media_type;
  const gchar *digest;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%s is not an object", what);
      return FALSE;
    }
  obj = json_node_get_object (node);
  media_type = berth_json_object_get_string (obj, "mediaType");
  digest = berth_json_object_get_string (obj, "digest");
  member = json_object_get_member (obj, "size");
  if (media_type == NULL || *media_type == '\0')
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%s has no mediaType", what);
      return FALSE;
    }
  if (!berth_registry_digest_is_valid (digest))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "%s has an invalid digest “%s” (only sha256 is supported)", what,
                   digest != NULL ? digest : "");
      return FALSE;
    }
  if (member == NULL || json_node_get_value_type (member) != G_TYPE_INT64
      || json_node_get_int (member) <= 0)
    {
      /* a size of 0 means a poorly configured registry (containerd) */
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "%s %s has no valid size",
                   what, digest);
      return FALSE;
    }
  out->media_type = g_strdup (media_type);
  out->digest = g_strdup (digest);
  out->size = json_node_get_int (member);
  if (json_object_has_member (obj, "platform"))
    {
      JsonNode *pnode = json_object_get_member (obj, "platform");
      JsonObject *p = JSON_NODE_HOLDS_OBJECT (pnode) ? json_node_get_object (pnode) : NULL;
      const gchar *os = p ? berth_json_object_get_string (p, "os") : NULL;
      const gchar *arch = p ? berth_json_object_get_string (p, "architecture") : NULL;
      const gchar *variant = p ? berth_json_object_get_string (p, "variant") : NULL;

      if (os == NULL)
        os = "";
      if (arch == NULL)
        arch = "";
      if (variant == NULL)
        variant = "";
      out->platform = g_strdup_printf ("%s/%s%s%s", os, arch, *variant ? "/" : "", variant);
    }
  return TRUE;
}

static gboolean
parse_descriptor_array (JsonObject *root, const gchar *name, GArray *out, GError **error)
{
  JsonNode *node = json_object_get_member (root, name);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "“%s” is not an array", name);
      return FALSE;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) > MAX_DESCRIPTORS)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "“%s” has %u entries, over %d",
                   name, json_array_get_length (array), MAX_DESCRIPTORS);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      BerthRegistryDescriptor d = { NULL };
      g_autofree gchar *what = g_strdup_printf ("%s[%u]", name, i);
      if (!parse_descriptor (json_array_get_element (array, i), &d, what, error))
        return FALSE;
      g_array_append_val (out, d);
    }
  return TRUE;
}

/**
 * berth_registry_manifest_parse:
 * @bytes: the manifest's bytes, as served
 * @content_type: (nullable): the `Content-Type` it was served with
 *
 * Parses and validates a Docker schema 2 manifest or manifest list, or an OCI
 * manifest or index. Ambiguous documents (both `manifests` and `layers`, or a
 * `mediaType` other than the `Content-Type`) are refused (CVE-2021-41190).
 *
 * Returns: (transfer full): the manifest, or %NULL with @error set
 */
BerthRegistryManifest *
berth_registry_manifest_parse (GBytes *bytes, const gchar *content_type, GError **error)
{
  g_autoptr(BerthRegistryManifest) self = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  const gchar *media_type;
  gsize len = 0;
  const gchar *data = g_bytes_get_data (bytes, &len);
  g_autofree gchar *ct = NULL;

  if (len > BERTH_REGISTRY_MANIFEST_MAX_SIZE)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "the manifest is %" G_GSIZE_FORMAT " bytes, over the limit of %d", len,
                   BERTH_REGISTRY_MANIFEST_MAX_SIZE);
      return NULL;
    }
  node = berth_json_parse (data, (gssize)len, &local_error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "the manifest is not JSON%s%s",
                   local_error ? ": " : "", local_error ? local_error->message : "");
      return NULL;
    }
  root = json_node_get_object (node);
  if (berth_json_object_get_int (root, "schemaVersion", 0) != 2)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                           "the manifest is not schema version 2 (schema 1 is not supported)");
      return NULL;
    }
  if (content_type != NULL)
    {
      /* drop parameters such as "; charset=utf-8" */
      ct = g_strdup (content_type);
      if (strchr (ct, ';') != NULL)
        *strchr (ct, ';') = '\0';
      g_strstrip (ct);
    }
  media_type = berth_json_object_get_string (root, "mediaType");
  if (media_type != NULL && ct != NULL
      && (berth_registry_media_type_is_manifest (ct) || berth_registry_media_type_is_index (ct))
      && g_strcmp0 (media_type, ct) != 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "the manifest's mediaType %s differs from its Content-Type %s", media_type, ct);
      return NULL;
    }
  if (media_type == NULL)
    media_type = ct;
  if (media_type == NULL)
    media_type = json_object_has_member (root, "manifests") ? BERTH_MEDIA_TYPE_OCI_INDEX
                                                            : BERTH_MEDIA_TYPE_OCI_MANIFEST;
  if (json_object_has_member (root, "manifests")
      && (json_object_has_member (root, "layers") || json_object_has_member (root, "config")))
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "the manifest is ambiguous: it has both manifests and layers or config");
      return NULL;
    }

  self = g_new0 (BerthRegistryManifest, 1);
  self->ref_count = 1;
  self->bytes = g_bytes_ref (bytes);
  self->media_type = g_strdup (media_type);
  self->digest = berth_registry_digest_bytes (bytes);
  self->layers = g_array_new (FALSE, TRUE, sizeof (BerthRegistryDescriptor));
  self->manifests = g_array_new (FALSE, TRUE, sizeof (BerthRegistryDescriptor));
  g_array_set_clear_func (self->layers, descriptor_clear);
  g_array_set_clear_func (self->manifests, descriptor_clear);

  if (berth_registry_media_type_is_index (media_type))
    {
      self->is_index = TRUE;
      if (!parse_descriptor_array (root, "manifests", self->manifests, error))
        return NULL;
      return g_steal_pointer (&self);
    }
  if (!berth_registry_media_type_is_manifest (media_type))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
                   "unsupported manifest media type %s", media_type);
      return NULL;
    }
  if (!parse_descriptor (json_object_get_member (root, "config"), &self->config, "config", error))
    return NULL;
  if (!parse_descriptor_array (root, "layers", self->layers, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * berth_registry_manifest_ref:
 * @self: a #BerthRegistryManifest
 *
 * Returns: (transfer full): @self
 */
BerthRegistryManifest *
berth_registry_manifest_ref (BerthRegistryManifest *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

/**
 * berth_registry_manifest_unref:
 * @self: (transfer full): a #BerthRegistryManifest
 */
void
berth_registry_manifest_unref (BerthRegistryManifest *self)
{
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_bytes_unref (self->bytes);
  g_free (self->media_type);
  g_free (self->digest);
  descriptor_clear (&self->config);
  g_clear_pointer (&self->layers, g_array_unref);
  g_clear_pointer (&self->manifests, g_array_unref);
  g_free (self->reference);
  g_clear_pointer (&self->config_bytes, g_bytes_unref);
  g_clear_pointer (&self->index, berth_registry_manifest_unref);
  g_free (self);
}

/**
 * berth_registry_manifest_get_bytes:
 * @self: a #BerthRegistryManifest
 *
 * Returns: (transfer none): the manifest's exact bytes
 */
GBytes *
berth_registry_manifest_get_bytes (BerthRegistryManifest *self)
{
  return self->bytes;
}

/**
 * berth_registry_manifest_get_media_type:
 * @self: a #BerthRegistryManifest
 *
 * Returns: the manifest's media type
 */
const gchar *
berth_registry_manifest_get_media_type (BerthRegistryManifest *self)
{
  return self->media_type;
}

/**
 * berth_registry_manifest_get_digest:
 * @self: a #BerthRegistryManifest
 *
 * Returns: the digest of the manifest's bytes
 */
const gchar *
berth_registry_manifest_get_digest (BerthRegistryManifest *self)
{
  return self->digest;
}

/**
 * berth_registry_manifest_is_index:
 * @self: a #BerthRegistryManifest
 *
 * Returns: %TRUE for a manifest list or OCI index
 */
gboolean
berth_registry_manifest_is_index (BerthRegistryManifest *self)
{
  return self->is_index;
}

/**
 * berth_registry_manifest_get_config:
 * @self: a #BerthRegistryManifest, not an index
 *
 * Returns: (transfer none): the config's descriptor
 */
const BerthRegistryDescriptor *
berth_registry_manifest_get_config (BerthRegistryManifest *self)
{
  return self->is_index ? NULL : &self->config;
}

/**
 * berth_registry_manifest_get_n_layers:
 * @self: a #BerthRegistryManifest
 *
 * Returns: the number of layers
 */
guint
berth_registry_manifest_get_n_layers (BerthRegistryManifest *self)
{
  return self->layers->len;
}

/**
 * berth_registry_manifest_get_layer:
 * @self: a #BerthRegistryManifest
 * @index: which layer, from the bottom
 *
 * Returns: (transfer none): the layer's descriptor
 */
const BerthRegistryDescriptor *
berth_registry_manifest_get_layer (BerthRegistryManifest *self, guint index)
{
  g_return_val_if_fail (index < self->layers->len, NULL);
  return &g_array_index (self->layers, BerthRegistryDescriptor, index);
}

/**
 * berth_registry_manifest_get_n_manifests:
 * @self: a #BerthRegistryManifest
 *
 * Returns: the number of an index's entries
 */
guint
berth_registry_manifest_get_n_manifests (BerthRegistryManifest *self)
{
  return self->manifests->len;
}

/**
 * berth_registry_manifest_get_manifest:
 * @self: a #BerthRegistryManifest, an index
 * @index: which entry
 *
 * Returns: (transfer none): the entry's descriptor
 */
const BerthRegistryDescriptor *
berth_registry_manifest_get_manifest (BerthRegistryManifest *self, guint index)
{
  g_return_val_if_fail (index < self->manifests->len, NULL);
  return &g_array_index (self->manifests, BerthRegistryDescriptor, index);
}

/* linux/arm64 is linux/arm64/v8, as containerd normalises it */
static gchar *
normalize_platform (const gchar *platform)
{
  if (g_strcmp0 (platform, "linux/arm64") == 0)
    return g_strdup ("linux/arm64/v8");
  if (g_strcmp0 (platform, "linux/amd64/v1") == 0)
    return g_strdup ("linux/amd64");
  return g_strdup (platform);
}

/**
 * berth_registry_host_platform:
 *
 * Returns: (transfer full): this host's platform as an index names it,
 *   e.g. `linux/amd64` or `linux/arm64/v8`
 */
gchar *
berth_registry_host_platform (void)
{
  struct utsname u;
  const gchar *arch;

  if (uname (&u) != 0)
    return g_strdup ("linux/amd64");
  if (g_str_equal (u.machine, "x86_64"))
    arch = "amd64";
  else if (g_str_equal (u.machine, "aarch64"))
    arch = "arm64/v8";
  else if (g_str_has_prefix (u.machine, "armv7"))
    arch = "arm/v7";
  else if (g_str_has_prefix (u.machine, "armv6"))
    arch = "arm/v6";
  else if (strlen (u.machine) == 4 && u.machine[0] == 'i' && g_str_has_suffix (u.machine, "86"))
    arch = "386";
  else
    arch = u.machine; /* ppc64le, s390x, riscv64 are spelt alike */
  return g_strconcat ("linux/", arch, NULL);
}

/**
 * berth_registry_manifest_select_platform:
 * @self: an index
 * @platform: (nullable): `os/arch[/variant]`, or %NULL for this host's
 * @error: return location for a #GError
 *
 * Picks the one manifest of an index that runs on @platform.
 *
 * Returns: (transfer none): its descriptor, or %NULL with @error listing
 *   the platforms the index has
 */
const BerthRegistryDescriptor *
berth_registry_manifest_select_platform (BerthRegistryManifest *self,
                                         const gchar *platform,
                                         GError **error)
{
  g_autofree gchar *want = normalize_platform (platform);
  g_autofree gchar *host = NULL;
  g_autoptr(GString) found = g_string_new (NULL);

  if (want == NULL)
    {
      host = berth_registry_host_platform ();
      want = normalize_platform (host);
    }
  for (guint i = 0; i < self->manifests->len; i++)
    {
      const BerthRegistryDescriptor *d
        = &g_array_index (self->manifests, BerthRegistryDescriptor, i);
      g_autofree gchar *have = normalize_platform (d->platform);
      if (g_strcmp0 (have, want) == 0 && berth_registry_media_type_is_manifest (d->media_type))
        return d;
      if (found->len > 0)
        g_string_append (found, ", ");
      g_string_append (found, d->platform != NULL ? d->platform : "(no platform)");
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND,
               "no manifest for platform %s in the manifest list; it has: %s", want,
               found->len > 0 ? found->str : "nothing");
  return NULL;
}

/**
 * berth_registry_manifest_get_reference:
 * @self: a #BerthRegistryManifest
 *
 * Returns: (nullable): the reference it was resolved from
 */
const gchar *
berth_registry_manifest_get_reference (BerthRegistryManifest *self)
{
  return self->reference;
}

/**
 * berth_registry_manifest_set_reference:
 * @self: a #BerthRegistryManifest
 * @reference: the normalised reference it was resolved from
 */
void
berth_registry_manifest_set_reference (BerthRegistryManifest *self, const gchar *reference)
{
  g_free (self->reference);
  self->reference = g_strdup (reference);
}

/**
 * berth_registry_manifest_get_config_bytes:
 * @self: a #BerthRegistryManifest
 *
 * Returns: (transfer none) (nullable): the config blob, verified, once
 *   the transport fetched it
 */
GBytes *
berth_registry_manifest_get_config_bytes (BerthRegistryManifest *self)
{
  return self->config_bytes;
}

/**
 * berth_registry_manifest_set_config_bytes:
 * @self: a #BerthRegistryManifest
 * @config: the config blob's bytes, verified against its digest
 */
void
berth_registry_manifest_set_config_bytes (BerthRegistryManifest *self, GBytes *config)
{
  g_clear_pointer (&self->config_bytes, g_bytes_unref);
  self->config_bytes = config != NULL ? g_bytes_ref (config) : NULL;
}

/**
 * berth_registry_manifest_get_index:
 * @self: a #BerthRegistryManifest
 *
 * Returns: (transfer none) (nullable): the index this manifest was chosen
 *   from, if the reference named one
 */
BerthRegistryManifest *
berth_registry_manifest_get_index (BerthRegistryManifest *self)
{
  return self->index;
}

/**
 * berth_registry_manifest_set_index:
 * @self: a #BerthRegistryManifest
 * @index: (nullable): the index it was chosen from
 */
void
berth_registry_manifest_set_index (BerthRegistryManifest *self, BerthRegistryManifest *index)
{
  g_clear_pointer (&self->index, berth_registry_manifest_unref);
  self->index = index != NULL ? berth_registry_manifest_ref (index) : NULL;
}

static void
build_descriptor (JsonBuilder *b, const BerthRegistryDescriptor *d)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mediaType");
  json_builder_add_string_value (b, d->media_type);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, d->size);
  json_builder_set_member_name (b, "digest");
  json_builder_add_string_value (b, d->digest);
  json_builder_end_object (b);
}

/**
 * berth_registry_manifest_build:
 * @config: the config's descriptor
 * @layers: (array length=n_layers): the layers' descriptors, bottom first
 * @n_layers: how many
 *
 * Writes a Docker schema 2 manifest, the kind Docker pushes plugins as
 * ("the registry does not support plugins unless the media type on the
 * manifest is specifically schema2"), with Docker's key order.
 *
 * Returns: (transfer full): the manifest's bytes
 */
GBytes *
berth_registry_manifest_build (const BerthRegistryDescriptor *config,
                               const BerthRegistryDescriptor *layers,
                               guint n_layers)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  gchar *text;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "schemaVersion");
  json_builder_add_int_value (b, 2);
  json_builder_set_member_name (b, "mediaType");
  json_builder_add_string_value (b, BERTH_MEDIA_TYPE_DOCKER_MANIFEST);
  json_builder_set_member_name (b, "config");
  build_descriptor (b, config);
  json_builder_set_member_name (b, "layers");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_layers; i++)
    build_descriptor (b, &layers[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 3);
  text = json_generator_to_data (gen, NULL);
  return g_bytes_new_take (text, strlen (text));
}
