/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthEngine"

#include "config.h"

#include "berth-image.h"

/**
 * BerthImage:
 *
 * One image: its ID (the digest of its config, as docker's), what its
 * config says (platform, creation time, the `Env`, `Cmd`, `Entrypoint`,
 * `WorkingDir` and `User` a container starts with), where its content is
 * (manifest, layer blobs, diff IDs, chain) and the names it goes by. Saved
 * as one small JSON record, written atomically.
 */
struct _BerthImage
{
  GObject parent_instance;
  gchar *id;
  gchar *created;
  gint64 created_unix;
  gchar *architecture;
  gchar *os;
  gchar *comment;
  GStrv diff_ids;
  GStrv env;
  GStrv cmd;
  GStrv entrypoint;
  gchar *working_dir;
  gchar *user;

  gchar *manifest_digest;
  gchar *index_digest;
  GStrv layers;
  gchar *chain_id;
  gint64 size;
  gboolean imported;

  GPtrArray *repo_tags;
  GPtrArray *repo_digests;
};

G_DEFINE_TYPE (BerthImage, berth_image, G_TYPE_OBJECT)

static void
berth_image_finalize (GObject *object)
{
  BerthImage *self = BERTH_IMAGE (object);
  g_free (self->id);
  g_free (self->created);
  g_free (self->architecture);
  g_free (self->os);
  g_free (self->comment);
  g_strfreev (self->diff_ids);
  g_strfreev (self->env);
  g_strfreev (self->cmd);
  g_strfreev (self->entrypoint);
  g_free (self->working_dir);
  g_free (self->user);
  g_free (self->manifest_digest);
  g_free (self->index_digest);
  g_strfreev (self->layers);
  g_free (self->chain_id);
  g_ptr_array_unref (self->repo_tags);
  g_ptr_array_unref (self->repo_digests);
  G_OBJECT_CLASS (berth_image_parent_class)->finalize (object);
}

static void
berth_image_class_init (BerthImageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = berth_image_finalize;
}

static void
berth_image_init (BerthImage *self)
{
  self->diff_ids = g_new0 (gchar *, 1);
  self->layers = g_new0 (gchar *, 1);
  self->repo_tags = g_ptr_array_new_null_terminated (1, g_free, TRUE);
  self->repo_digests = g_ptr_array_new_null_terminated (1, g_free, TRUE);
}

static gboolean
set_created (BerthImage *self, const gchar *created)
{
  g_autoptr(GDateTime) when = NULL;

  if (created == NULL)
    return TRUE;
  when = g_date_time_new_from_iso8601 (created, NULL);
  if (when == NULL)
    return FALSE;
  g_free (self->created);
  self->created = g_strdup (created);
  self->created_unix = g_date_time_to_unix (when);
  return TRUE;
}

/* the run settings of Docker's `config` object: what `berth run` honours */
static gboolean
read_run_config (BerthImage *self, JsonObject *config, GError **error)
{
  if (config == NULL)
    return TRUE;
  self->env = berth_json_object_get_strv (config, "Env", error);
  if (self->env == NULL && error != NULL && *error != NULL)
    return FALSE;
  self->cmd = berth_json_object_get_strv (config, "Cmd", error);
  if (self->cmd == NULL && error != NULL && *error != NULL)
    return FALSE;
  self->entrypoint = berth_json_object_get_strv (config, "Entrypoint", error);
  if (self->entrypoint == NULL && error != NULL && *error != NULL)
    return FALSE;
  self->working_dir = g_strdup (berth_json_object_get_string (config, "WorkingDir"));
  self->user = g_strdup (berth_json_object_get_string (config, "User"));
  return TRUE;
}

static JsonObject *
member_object (JsonObject *object, const gchar *name)
{
  JsonNode *node = json_object_get_member (object, name);
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
digests_valid (const gchar *const *digests)
{
  for (guint i = 0; digests != NULL && digests[i] != NULL; i++)
    if (!berth_registry_digest_is_valid (digests[i]))
      return FALSE;
  return TRUE;
}

/**
 * berth_image_new_from_config:
 * @config: an image config blob (Docker's or OCI's, the same JSON)
 * @error: return location for a #GError
 *
 * Reads what berth needs of an image config; the image's ID is the
 * config's digest.
 *
 * Returns: (transfer full): an image with no content or names yet
 */
BerthImage *
berth_image_new_from_config (GBytes *config, GError **error)
{
  g_autoptr(BerthImage) self = g_object_new (BERTH_TYPE_IMAGE, NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object, *rootfs;
  gsize length;
  const gchar *data = g_bytes_get_data (config, &length);

  root = berth_json_parse (data, length, error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "the image config is not a JSON object");
      return NULL;
    }
  object = json_node_get_object (root);
  rootfs = member_object (object, "rootfs");
  if (rootfs == NULL)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "the image config has no rootfs");
      return NULL;
    }
  g_strfreev (self->diff_ids);
  self->diff_ids = berth_json_object_get_strv (rootfs, "diff_ids", &local_error);
  if (self->diff_ids == NULL || !digests_valid ((const gchar *const *)self->diff_ids))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "the image config's rootfs.diff_ids: %s",
                   local_error != NULL ? local_error->message : "missing or not digests");
      return NULL;
    }
  if (!read_run_config (self, member_object (object, "config"), &local_error))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "the image config: %s",
                   local_error->message);
      return NULL;
    }
  if (!set_created (self, berth_json_object_get_string (object, "created")))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "the image config's created time %s is not RFC 3339",
                   berth_json_object_get_string (object, "created"));
      return NULL;
    }
  self->architecture = g_strdup (berth_json_object_get_string (object, "architecture"));
  self->os = g_strdup (berth_json_object_get_string (object, "os"));
  self->comment = g_strdup (berth_json_object_get_string (object, "comment"));
  self->id = berth_registry_digest_bytes (config);
  return g_steal_pointer (&self);
}

static void
add_strings (GPtrArray *array, const gchar *const *strings)
{
  for (guint i = 0; strings != NULL && strings[i] != NULL; i++)
    g_ptr_array_add (array, g_strdup (strings[i]));
}

/**
 * berth_image_load:
 * @path: an image record
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the image
 */
BerthImage *
berth_image_load (const gchar *path, GError **error)
{
  g_autoptr(BerthImage) self = g_object_new (BERTH_TYPE_IMAGE, NULL);
  g_autofree gchar *contents = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) tags = NULL;
  g_auto(GStrv) digests = NULL;
  JsonObject *object, *config;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, error))
    {
      berth_error_convert (error);
      return NULL;
    }
  root = berth_json_parse (contents, length, error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      if (root != NULL)
        g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                             "not an image record");
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  object = json_node_get_object (root);
  self->id = g_strdup (berth_json_object_get_string (object, "Id"));
  self->chain_id = g_strdup (berth_json_object_get_string (object, "ChainId"));
  g_strfreev (self->diff_ids);
  self->diff_ids = berth_json_object_get_strv (object, "DiffIds", NULL);
  g_strfreev (self->layers);
  self->layers = berth_json_object_get_strv (object, "Layers", NULL);
  if (!berth_registry_digest_is_valid (self->id) || self->chain_id == NULL || self->diff_ids == NULL
      || self->layers == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "%s: an image record needs Id, ChainId, DiffIds and Layers", path);
      return NULL;
    }
  set_created (self, berth_json_object_get_string (object, "Created"));
  self->architecture = g_strdup (berth_json_object_get_string (object, "Architecture"));
  self->os = g_strdup (berth_json_object_get_string (object, "Os"));
  self->comment = g_strdup (berth_json_object_get_string (object, "Comment"));
  self->manifest_digest = g_strdup (berth_json_object_get_string (object, "Manifest"));
  self->index_digest = g_strdup (berth_json_object_get_string (object, "Index"));
  self->size = json_object_get_int_member_with_default (object, "Size", 0);
  self->imported = json_object_get_boolean_member_with_default (object, "Imported", FALSE);
  tags = berth_json_object_get_strv (object, "RepoTags", NULL);
  add_strings (self->repo_tags, (const gchar *const *)tags);
  digests = berth_json_object_get_strv (object, "RepoDigests", NULL);
  add_strings (self->repo_digests, (const gchar *const *)digests);
  config = member_object (object, "Config");
  if (!read_run_config (self, config, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* docker's `Config`, the part of it an image gives a container */
static void
add_run_config (BerthImage *self, JsonBuilder *b)
{
  json_builder_set_member_name (b, "Config");
  json_builder_begin_object (b);
  berth_json_builder_set_string (b, "User", self->user != NULL ? self->user : "");
  berth_json_builder_set_strv (b, "Env", (const gchar *const *)self->env);
  berth_json_builder_set_strv (b, "Cmd", (const gchar *const *)self->cmd);
  berth_json_builder_set_string (b, "WorkingDir",
                                 self->working_dir != NULL ? self->working_dir : "");
  berth_json_builder_set_strv (b, "Entrypoint", (const gchar *const *)self->entrypoint);
  json_builder_end_object (b);
}

/**
 * berth_image_save:
 * @self: a #BerthImage
 * @path: where its record goes
 * @error: return location for a #GError
 *
 * Writes the record atomically: a crash leaves the old one or the new one.
 *
 * Returns: %TRUE on success
 */
gboolean
berth_image_save (BerthImage *self, const gchar *path, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree gchar *text = NULL;

  json_builder_begin_object (b);
  berth_json_builder_set_string (b, "Id", self->id);
  berth_json_builder_set_strv (b, "RepoTags", (const gchar *const *)self->repo_tags->pdata);
  berth_json_builder_set_strv (b, "RepoDigests", (const gchar *const *)self->repo_digests->pdata);
  berth_json_builder_set_string (b, "Created", self->created);
  berth_json_builder_set_string (b, "Comment", self->comment);
  add_run_config (self, b);
  berth_json_builder_set_string (b, "Architecture", self->architecture);
  berth_json_builder_set_string (b, "Os", self->os);
  json_builder_set_member_name (b, "Size");
  json_builder_add_int_value (b, self->size);
  json_builder_set_member_name (b, "Imported");
  json_builder_add_boolean_value (b, self->imported);
  berth_json_builder_set_string (b, "Manifest", self->manifest_digest);
  berth_json_builder_set_string (b, "Index", self->index_digest);
  berth_json_builder_set_strv (b, "Layers", (const gchar *const *)self->layers);
  berth_json_builder_set_strv (b, "DiffIds", (const gchar *const *)self->diff_ids);
  berth_json_builder_set_string (b, "ChainId", self->chain_id);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = berth_json_to_string (root, TRUE);
  /* a temporary file, fsync, rename */
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      berth_error_convert (error);
      return FALSE;
    }
  return TRUE;
}

const gchar *
berth_image_get_id (BerthImage *self)
{
  return self->id;
}

/**
 * berth_image_get_created:
 * @self: a #BerthImage
 *
 * Returns: (nullable): the config's `created`, RFC 3339
 */
const gchar *
berth_image_get_created (BerthImage *self)
{
  return self->created;
}

gint64
berth_image_get_created_unix (BerthImage *self)
{
  return self->created_unix;
}

const gchar *
berth_image_get_architecture (BerthImage *self)
{
  return self->architecture;
}

const gchar *
berth_image_get_os (BerthImage *self)
{
  return self->os;
}

const gchar *
berth_image_get_comment (BerthImage *self)
{
  return self->comment;
}

/**
 * berth_image_get_diff_ids:
 * @self: a #BerthImage
 *
 * Returns: (transfer none): the digests of its layers' tars, bottom first
 */
const gchar *const *
berth_image_get_diff_ids (BerthImage *self)
{
  return (const gchar *const *)self->diff_ids;
}

/**
 * berth_image_get_env:
 * @self: a #BerthImage
 *
 * Returns: (transfer none) (nullable): `KEY=VALUE` strings a container starts with
 */
const gchar *const *
berth_image_get_env (BerthImage *self)
{
  return (const gchar *const *)self->env;
}

/**
 * berth_image_get_cmd:
 * @self: a #BerthImage
 *
 * Returns: (transfer none) (nullable): the default command, or its
 *   arguments when there is an entrypoint
 */
const gchar *const *
berth_image_get_cmd (BerthImage *self)
{
  return (const gchar *const *)self->cmd;
}

/**
 * berth_image_get_entrypoint:
 * @self: a #BerthImage
 *
 * Returns: (transfer none) (nullable): what runs, the command as its arguments
 */
const gchar *const *
berth_image_get_entrypoint (BerthImage *self)
{
  return (const gchar *const *)self->entrypoint;
}

/**
 * berth_image_get_working_dir:
 * @self: a #BerthImage
 *
 * Returns: (nullable): where a container starts; %NULL or "" for `/`
 */
const gchar *
berth_image_get_working_dir (BerthImage *self)
{
  return self->working_dir;
}

/**
 * berth_image_get_user:
 * @self: a #BerthImage
 *
 * Returns: (nullable): `user[:group]`, names or numbers; %NULL or "" for root
 */
const gchar *
berth_image_get_user (BerthImage *self)
{
  return self->user;
}

const gchar *
berth_image_get_manifest_digest (BerthImage *self)
{
  return self->manifest_digest;
}

/**
 * berth_image_get_index_digest:
 * @self: a #BerthImage
 *
 * Returns: (nullable): the digest of the index it was pulled through, if any
 */
const gchar *
berth_image_get_index_digest (BerthImage *self)
{
  return self->index_digest;
}

/**
 * berth_image_get_layers:
 * @self: a #BerthImage
 *
 * Returns: (transfer none): the digests of its layer blobs, bottom first
 */
const gchar *const *
berth_image_get_layers (BerthImage *self)
{
  return (const gchar *const *)self->layers;
}

/**
 * berth_image_get_chain_id:
 * @self: a #BerthImage
 *
 * Returns: the chain ID of its root file system: what a snapshot is made from
 */
const gchar *
berth_image_get_chain_id (BerthImage *self)
{
  return self->chain_id;
}

gint64
berth_image_get_size (BerthImage *self)
{
  return self->size;
}

/**
 * berth_image_set_content:
 * @self: a #BerthImage
 * @manifest_digest: its manifest's digest
 * @index_digest: (nullable): the index it came through
 * @layers: its layer blobs' digests, bottom first
 * @chain_id: the chain ID of its tree
 * @size: its content's size: config and layer blobs
 */
void
berth_image_set_content (BerthImage *self,
                         const gchar *manifest_digest,
                         const gchar *index_digest,
                         const gchar *const *layers,
                         const gchar *chain_id,
                         gint64 size)
{
  g_free (self->manifest_digest);
  self->manifest_digest = g_strdup (manifest_digest);
  g_free (self->index_digest);
  self->index_digest = g_strdup (index_digest);
  g_strfreev (self->layers);
  self->layers = g_strdupv ((gchar **)layers);
  g_free (self->chain_id);
  self->chain_id = g_strdup (chain_id);
  self->size = size;
}

/**
 * berth_image_get_content_roots:
 * @self: a #BerthImage
 *
 * Returns: (transfer full): every digest and chain ID the image keeps alive
 *   in the content store, for garbage collection and accounting
 */
GStrv
berth_image_get_content_roots (BerthImage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, self->id);
  if (self->manifest_digest != NULL)
    g_strv_builder_add (builder, self->manifest_digest);
  if (self->index_digest != NULL)
    g_strv_builder_add (builder, self->index_digest);
  g_strv_builder_addv (builder, (const gchar **)self->layers);
  g_strv_builder_addv (builder, (const gchar **)self->diff_ids);
  if (self->chain_id != NULL)
    g_strv_builder_add (builder, self->chain_id);
  return g_strv_builder_end (builder);
}

/**
 * berth_image_get_imported:
 * @self: a #BerthImage
 *
 * Returns: whether `image import` made it (one layer, a config berth wrote)
 */
gboolean
berth_image_get_imported (BerthImage *self)
{
  return self->imported;
}

void
berth_image_set_imported (BerthImage *self, gboolean imported)
{
  self->imported = imported;
}

/**
 * berth_image_get_repo_tags:
 * @self: a #BerthImage
 *
 * Returns: (transfer none): its tags as full references, e.g.
 *   `docker.io/library/busybox:latest`
 */
const gchar *const *
berth_image_get_repo_tags (BerthImage *self)
{
  return (const gchar *const *)self->repo_tags->pdata;
}

gboolean
berth_image_has_tag (BerthImage *self, const gchar *reference)
{
  return g_strv_contains ((const gchar *const *)self->repo_tags->pdata, reference);
}

void
berth_image_add_tag (BerthImage *self, const gchar *reference)
{
  if (!berth_image_has_tag (self, reference))
    g_ptr_array_add (self->repo_tags, g_strdup (reference));
}

/**
 * berth_image_remove_tag:
 * @self: a #BerthImage
 * @reference: a full reference
 *
 * Returns: %TRUE if the image had that tag
 */
gboolean
berth_image_remove_tag (BerthImage *self, const gchar *reference)
{
  for (guint i = 0; i < self->repo_tags->len; i++)
    if (g_str_equal (self->repo_tags->pdata[i], reference))
      {
        g_ptr_array_remove_index (self->repo_tags, i);
        return TRUE;
      }
  return FALSE;
}

/**
 * berth_image_get_repo_digests:
 * @self: a #BerthImage
 *
 * Returns: (transfer none): where it can be pulled by digest, e.g.
 *   `docker.io/library/busybox@sha256:…`
 */
const gchar *const *
berth_image_get_repo_digests (BerthImage *self)
{
  return (const gchar *const *)self->repo_digests->pdata;
}

void
berth_image_add_repo_digest (BerthImage *self, const gchar *reference)
{
  if (!g_strv_contains ((const gchar *const *)self->repo_digests->pdata, reference))
    g_ptr_array_add (self->repo_digests, g_strdup (reference));
}

void
berth_image_clear_repo_digests (BerthImage *self)
{
  g_ptr_array_set_size (self->repo_digests, 0);
}

static GStrv
familiar (GPtrArray *references)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < references->len; i++)
    {
      g_autoptr(BerthReference) ref = berth_reference_parse (references->pdata[i], NULL);
      g_autofree gchar *text = ref != NULL ? berth_reference_to_familiar (ref) : NULL;
      g_strv_builder_add (builder, text != NULL ? text : references->pdata[i]);
    }
  return g_strv_builder_end (builder);
}

/**
 * berth_image_get_familiar_tags:
 * @self: a #BerthImage
 *
 * Returns: (transfer full): its tags the way users see them, `busybox:latest`
 */
GStrv
berth_image_get_familiar_tags (BerthImage *self)
{
  return familiar (self->repo_tags);
}

/**
 * berth_image_get_familiar_digests:
 * @self: a #BerthImage
 *
 * Returns: (transfer full): its repository digests, `busybox@sha256:…`
 */
GStrv
berth_image_get_familiar_digests (BerthImage *self)
{
  return familiar (self->repo_digests);
}

/**
 * berth_image_to_inspect_json:
 * @self: a #BerthImage
 *
 * Docker's image inspect object (keys in docker's order), with the parts of
 * `Config` that an image gives a container.
 *
 * Returns: (transfer full): the object `berth image inspect` prints
 */
JsonNode *
berth_image_to_inspect_json (BerthImage *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_auto(GStrv) tags = berth_image_get_familiar_tags (self);
  g_auto(GStrv) digests = berth_image_get_familiar_digests (self);

  json_builder_begin_object (b);
  berth_json_builder_set_string (b, "Id", self->id);
  berth_json_builder_set_strv (b, "RepoTags", (const gchar *const *)tags);
  berth_json_builder_set_strv (b, "RepoDigests", (const gchar *const *)digests);
  berth_json_builder_set_string (b, "Parent", "");
  berth_json_builder_set_string (b, "Comment", self->comment != NULL ? self->comment : "");
  berth_json_builder_set_string (b, "Created", self->created != NULL ? self->created : "");
  add_run_config (self, b);
  berth_json_builder_set_string (b, "Architecture",
                                 self->architecture != NULL ? self->architecture : "");
  berth_json_builder_set_string (b, "Os", self->os != NULL ? self->os : "");
  json_builder_set_member_name (b, "Size");
  json_builder_add_int_value (b, self->size);
  json_builder_set_member_name (b, "RootFS");
  json_builder_begin_object (b);
  berth_json_builder_set_string (b, "Type", "layers");
  berth_json_builder_set_strv (b, "Layers", (const gchar *const *)self->diff_ids);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
