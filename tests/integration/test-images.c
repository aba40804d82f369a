/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* images through the real berth CLI and a real berthd with this build's
 * modules: imported from a busybox tar, pulled from a real docker-registry
 * on 127.0.0.1 where skopeo put them (schema 2, OCI, an index), sharing a
 * layer with a plugin, removed and collected, kept across a restart */
#include "config.h"

#include <gio/gio.h>
#include <signal.h>
#include <unistd.h>

#include "berth-test-harness.h"

/* a busybox root file system, `sh`, `ls` and `cat` linked to it, as a tar
 * written the same way every time */
static gchar *
make_busybox_tar (BerthTestDaemon *d, const gchar *name, const gchar *extra_file)
{
  g_autofree gchar *dir = g_build_filename (d->tmp, name, NULL);
  g_autofree gchar *bin = g_build_filename (dir, "bin", NULL);
  g_autofree gchar *tar = g_strconcat (dir, ".tar", NULL);
  g_autofree gchar *cmd = NULL;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *busybox = g_build_filename (bin, "busybox", NULL);
  g_autoptr(GError) error = NULL;
  gsize len;

  g_assert_no_errno (g_mkdir_with_parents (bin, 0755));
  g_file_get_contents ("/bin/busybox", &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (busybox, contents, len, G_FILE_SET_CONTENTS_NONE, 0755, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      const gchar *links[] = { "sh", "ls", "cat" };
      g_autofree gchar *link = g_build_filename (bin, links[i], NULL);
      g_assert_no_errno (symlink ("busybox", link));
    }
  if (extra_file != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir, extra_file, NULL);
      g_file_set_contents (path, extra_file, -1, &error);
      g_assert_no_error (error);
    }
  cmd = g_strdup_printf ("tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner "
                         "-C '%s' -cf '%s' .",
                         dir, tar);
  g_assert_cmpint (system (cmd), ==, 0);
  return g_steal_pointer (&tar);
}

/* the content store's size, from `system df` */
static gint64
store_size (BerthTestDaemon *d, gint64 *out_shared)
{
  g_autofree gchar *df = berth_test_run_ok (d, "--json", "system", "df", NULL);
  g_autoptr(JsonNode) node = berth_test_parse_json (df);
  JsonObject *store = json_object_get_object_member (json_node_get_object (node), "ContentStore");

  if (out_shared != NULL)
    *out_shared = json_object_get_int_member (store, "Shared");
  return json_object_get_int_member (store, "Size");
}

/* the store's size once the background collection got it down to @target
 * (or 5 s passed) */
static gint64
collected_size (BerthTestDaemon *d, gint64 target, gint64 *out_shared)
{
  gint64 size = store_size (d, out_shared);

  for (guint i = 0; i < 100 && size > target; i++)
    {
      g_usleep (50000);
      size = store_size (d, out_shared);
    }
  return size;
}

/* the berth CLI through a shell, for redirections */
static BerthTestResult *
run_shell (BerthTestDaemon *d, const gchar *script)
{
  g_auto(GStrv) envp = g_get_environ ();
  const gchar *argv[] = { "/bin/sh", "-c", script, NULL };

  envp = g_environ_setenv (envp, "BERTH_ADDRESS", d->address, TRUE);
  envp = g_environ_setenv (envp, "BERTH", berth_test_binary ("BERTH"), TRUE);
  return berth_test_spawn (argv, (const gchar *const *)envp, BERTH_TEST_AS_CALLER);
}

static gboolean
can_run (void)
{
  if (getuid () != 0)
    {
      g_test_skip ("the content store keeps file owners: it needs root");
      return FALSE;
    }
  return TRUE;
}

static void
test_import (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autofree gchar *tar = NULL;
  g_autofree gchar *id = NULL;
  g_autofree gchar *again = NULL;
  g_autofree gchar *ls = NULL;
  g_autofree gchar *state = NULL;
  g_autoptr(BerthTestResult) r = NULL;
  gint64 size;

  if (!can_run ())
    return;
  d = berth_test_daemon_start_built ();
  tar = make_busybox_tar (d, "busybox", NULL);

  id = g_strchomp (berth_test_run_ok (d, "image", "import", tar, "busybox", NULL));
  g_assert_true (g_str_has_prefix (id, "sha256:"));
  g_assert_cmpuint (strlen (id), ==, 7 + 64);
  ls = berth_test_run_ok (d, "images", NULL);
  g_assert_true (g_str_has_prefix (ls, "REPOSITORY   TAG       IMAGE ID       CREATED"));
  g_assert_nonnull (strstr (ls, "busybox      latest    "));
  {
    g_autofree gchar *short_id = g_strndup (id + 7, 12);
    g_assert_nonnull (strstr (ls, short_id));
  }
  state = g_strchomp (berth_test_run_ok (
    d, "image", "inspect", "-f", "{{.Id}} {{.Os}} {{.Comment}} {{.RepoTags}} {{json .RootFS}}",
    "busybox", NULL));
  {
    g_autofree gchar *expected = g_strdup_printf (
      "%s linux Imported from - [busybox:latest] {\"Type\":\"layers\",\"Layers\":[\"sha256:", id);
    g_assert_true (g_str_has_prefix (state, expected));
    g_assert_true (g_str_has_suffix (state, "\"]}"));
  }
  size = store_size (d, NULL);

  /* the same tar again, by another name, through stdin, and compressed: one
   * image, stored once */
  {
    g_autofree gchar *script = g_strdup_printf ("\"$BERTH\" image import - other:1 < '%s'", tar);
    r = run_shell (d, script);
    g_assert_cmpint (r->status, ==, 0);
    g_assert_cmpstr (g_strchomp (r->out), ==, id);
    g_clear_pointer (&r, berth_test_result_free);
  }
  {
    g_autofree gchar *gz = g_strdup_printf ("gzip -n -c '%s' > '%s.gz'", tar, tar);
    g_autofree gchar *gz_path = g_strconcat (tar, ".gz", NULL);
    g_assert_cmpint (system (gz), ==, 0);
    again = g_strchomp (berth_test_run_ok (d, "image", "import", gz_path, "gzipped", NULL));
    g_assert_cmpstr (again, ==, id);
    g_clear_pointer (&again, g_free);
  }
  if (g_find_program_in_path ("zstd") != NULL)
    {
      g_autofree gchar *zst = g_strdup_printf ("zstd -q -c '%s' > '%s.zst'", tar, tar);
      g_autofree gchar *zst_path = g_strconcat (tar, ".zst", NULL);
      g_assert_cmpint (system (zst), ==, 0);
      again = g_strchomp (berth_test_run_ok (d, "image", "import", zst_path, "zstd", NULL));
      g_assert_cmpstr (again, ==, id);
      g_clear_pointer (&again, g_free);
    }
  g_assert_cmpint (store_size (d, NULL), ==, size);
  g_clear_pointer (&ls, g_free);
  ls = berth_test_run_ok (d, "image", "ls", "-q", NULL);
  {
    g_autofree gchar *expected = g_strdup_printf ("%.12s\n", id + 7);
    g_assert_cmpstr (ls, ==, expected);
  }
  g_clear_pointer (&ls, g_free);
  ls = berth_test_run_ok (d, "image", "ls", "--format", "{{.Repository}}:{{.Tag}}", NULL);
  g_assert_nonnull (strstr (ls, "other:1\n"));
  g_assert_nonnull (strstr (ls, "busybox:latest\n"));

  /* by name, a name goes; by ID, all of them, if forced */
  g_clear_pointer (&ls, g_free);
  ls = berth_test_run_ok (d, "rmi", "other:1", NULL);
  g_assert_cmpstr (ls, ==, "Untagged: other:1\n");
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "rmi", id + 7, NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "must be forced"));
  g_clear_pointer (&r, berth_test_result_free);

  /* everything survives a kill of berthd */
  berth_test_daemon_stop (d, SIGKILL);
  {
    g_autoptr(GError) error = NULL;
    if (!berth_test_daemon_start (d, NULL, &error))
      g_error ("cannot start berthd again: %s", error->message);
  }
  g_free (state);
  state = g_strchomp (berth_test_run_ok (d, "image", "inspect", "-f", "{{.Id}}", "busybox", NULL));
  g_assert_cmpstr (state, ==, id);
  g_assert_cmpint (store_size (d, NULL), ==, size);

  g_clear_pointer (&ls, g_free);
  ls = berth_test_run_ok (d, "image", "rm", "-f", id, NULL);
  g_assert_nonnull (strstr (ls, "Untagged: busybox:latest\n"));
  g_assert_true (g_str_has_suffix (ls, g_strdup_printf ("Deleted: %s\n", id)));
  g_clear_pointer (&ls, g_free);
  ls = berth_test_run_ok (d, "images", "-q", NULL);
  g_assert_cmpstr (ls, ==, "");
  /* the collection runs in the background */
  g_assert_cmpint (collected_size (d, 0, NULL), ==, 0);
}

static void
assert_nothing_stored (BerthTestDaemon *d)
{
  g_autofree gchar *ls = berth_test_run_ok (d, "images", "-q", NULL);
  g_autofree gchar *tmp = g_build_filename (d->root, "tmp", NULL);
  g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);

  g_assert_cmpstr (ls, ==, "");
  /* what a refused import wrote is collected in the background */
  g_assert_cmpint (collected_size (d, 0, NULL), ==, 0);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
}

static void
test_import_errors (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestResult) r = NULL;
  g_autofree gchar *not_tar = NULL;
  g_autofree gchar *hostile = NULL;
  g_autofree gchar *tar = NULL;
  g_autofree gchar *cmd = NULL;

  if (!can_run ())
    return;
  d = berth_test_daemon_start_built ();

  not_tar = g_build_filename (d->tmp, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (not_tar, "not a tar at all\n", -1, NULL));
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "image", "import", not_tar, "notes", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "importing the tar as notes:latest"));
  g_assert_nonnull (strstr (r->err, "Unrecognized archive format"));
  g_clear_pointer (&r, berth_test_result_free);

  /* a tar whose entry climbs out of its root: refused by name */
  hostile = g_build_filename (d->tmp, "hostile", NULL);
  g_assert_no_errno (g_mkdir_with_parents (hostile, 0755));
  cmd = g_strdup_printf ("cd '%s' && echo pwned > evil && "
                         "tar --transform='s,^evil$,../evil,' -P -cf hostile.tar evil",
                         hostile);
  g_assert_cmpint (system (cmd), ==, 0);
  tar = g_build_filename (hostile, "hostile.tar", NULL);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "image", "import", tar, "evil", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "\"../evil\""));
  g_clear_pointer (&r, berth_test_result_free);

  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "image", "import", "/no/such/file.tar", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "/no/such/file.tar"));
  g_clear_pointer (&r, berth_test_result_free);
  assert_nothing_stored (d);

  /* only a caller with the right to change state imports or pulls; anyone lists */
  g_clear_pointer (&tar, g_free);
  tar = make_busybox_tar (d, "busybox", NULL);
  r = berth_test_run (d, (uid_t)65534, "image", "import", tar, "mine", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "permission denied"));
  g_clear_pointer (&r, berth_test_result_free);
  r = berth_test_run (d, (uid_t)65534, "image", "pull", "busybox", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "permission denied"));
  g_clear_pointer (&r, berth_test_result_free);
  r = berth_test_run (d, (uid_t)65534, "image", "ls", NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_clear_pointer (&r, berth_test_result_free);
  assert_nothing_stored (d);

  /* names that are not there */
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "image", "inspect", "nosuch", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "No such image: nosuch:latest"));
  g_clear_pointer (&r, berth_test_result_free);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "rmi", "nosuch", NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "No such image: nosuch:latest"));
  g_clear_pointer (&r, berth_test_result_free);
}

/* ---- an OCI layout the test writes, for skopeo to push ------------------ */

typedef struct
{
  gchar *dir;
  GString *index; /* index.json's manifests */
} Layout;

static gchar *
layout_add_blob (Layout *l, GBytes *bytes)
{
  g_autofree gchar *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  g_autofree gchar *path = g_build_filename (l->dir, "blobs", "sha256", hex, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return g_strdup_printf ("sha256:%s", hex);
}

static gchar *
layout_add_text (Layout *l, const gchar *text, gsize *out_size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  *out_size = strlen (text);
  return layout_add_blob (l, bytes);
}

static GBytes *
gzip_file (const gchar *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
  g_autoptr(GZlibCompressor) gz = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GInputStream) zin
             = g_converter_input_stream_new (G_INPUT_STREAM (in), G_CONVERTER (gz));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_assert_cmpint (
    g_output_stream_splice (out, zin, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, NULL), >, 0);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static gchar *
file_digest (const gchar *path)
{
  g_autofree gchar *contents = NULL;
  g_autofree gchar *hex = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, len);
  return g_strdup_printf ("sha256:%s", hex);
}

/* an image manifest: @tars as layers (gzip), a config with @arch, Cmd,
 * Env and WorkingDir; its digest, and its size in *@out_size */
static gchar *
layout_add_image (Layout *l, const gchar *const *tars, const gchar *arch, gsize *out_size)
{
  g_autoptr(GString) layers = g_string_new (NULL);
  g_autoptr(GString) diff_ids = g_string_new (NULL);
  g_autofree gchar *config = NULL;
  g_autofree gchar *config_digest = NULL;
  g_autofree gchar *manifest = NULL;
  gsize config_size;

  for (guint i = 0; tars[i] != NULL; i++)
    {
      g_autoptr(GBytes) gz = gzip_file (tars[i]);
      g_autofree gchar *digest = layout_add_blob (l, gz);
      g_autofree gchar *diff_id = file_digest (tars[i]);
      g_string_append_printf (layers,
                              "%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                              "\"digest\":\"%s\",\"size\":%" G_GSIZE_FORMAT "}",
                              i > 0 ? "," : "", digest, g_bytes_get_size (gz));
      g_string_append_printf (diff_ids, "%s\"%s\"", i > 0 ? "," : "", diff_id);
    }
  config = g_strdup_printf (
    "{\"architecture\":\"%s\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05Z\","
    "\"config\":{\"Env\":[\"PATH=/bin\",\"GREETING=hello\"],\"Cmd\":[\"sh\"],"
    "\"WorkingDir\":\"/bin\",\"User\":\"0\"},"
    "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]}}",
    arch, diff_ids->str);
  config_digest = layout_add_text (l, config, &config_size);
  manifest = g_strdup_printf (
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\","
    "\"size\":%" G_GSIZE_FORMAT "},\"layers\":[%s]}",
    config_digest, config_size, layers->str);
  return layout_add_text (l, manifest, out_size);
}

static void
layout_tag (Layout *l, const gchar *media_type, const gchar *digest, gsize size, const gchar *tag)
{
  g_string_append_printf (l->index,
                          "%s{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%" G_GSIZE_FORMAT
                          ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"%s\"}}",
                          l->index->len > 0 ? "," : "", media_type, digest, size, tag);
}

static Layout *
layout_new (const gchar *dir)
{
  Layout *l = g_new0 (Layout, 1);
  g_autofree gchar *blobs = g_build_filename (dir, "blobs", "sha256", NULL);
  g_autofree gchar *marker = g_build_filename (dir, "oci-layout", NULL);

  l->dir = g_strdup (dir);
  l->index = g_string_new (NULL);
  g_assert_no_errno (g_mkdir_with_parents (blobs, 0755));
  g_assert_true (g_file_set_contents (marker, "{\"imageLayoutVersion\":\"1.0.0\"}", -1, NULL));
  return l;
}

static void
layout_free (Layout *l)
{
  g_autofree gchar *path = g_build_filename (l->dir, "index.json", NULL);
  g_autofree gchar *index
    = g_strdup_printf ("{\"schemaVersion\":2,\"manifests\":[%s]}", l->index->str);

  g_assert_true (g_file_set_contents (path, index, -1, NULL));
  g_string_free (l->index, TRUE);
  g_free (l->dir);
  g_free (l);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Layout, layout_free)

/* skopeo answers 0 even to a wrong command line: the image must be there after */
static void
skopeo_copy (const gchar *layout, const gchar *tag, const gchar *dest, const gchar *extra)
{
  g_autofree gchar *src = g_strdup_printf ("oci:%s:%s", layout, tag);
  g_autofree gchar *dst = g_strdup_printf ("docker://%s", dest);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(BerthTestResult) r = NULL;
  g_autofree gchar *inspect = NULL;
  g_autofree gchar *skopeo = g_find_program_in_path ("skopeo");

  g_ptr_array_add (argv, skopeo);
  g_ptr_array_add (argv, "--insecure-policy");
  g_ptr_array_add (argv, "copy");
  g_ptr_array_add (argv, "--dest-tls-verify=false");
  if (extra != NULL)
    g_ptr_array_add (argv, (gpointer)extra);
  g_ptr_array_add (argv, src);
  g_ptr_array_add (argv, dst);
  g_ptr_array_add (argv, NULL);
  r = berth_test_spawn ((const gchar *const *)argv->pdata, NULL, BERTH_TEST_AS_CALLER);
  if (r->status != 0 || strstr (r->err, "Usage:") != NULL)
    g_error ("skopeo copy %s %s: %s", src, dst, r->err);
  g_clear_pointer (&r, berth_test_result_free);
  inspect = g_strdup_printf ("skopeo inspect --raw --tls-verify=false '%s' >/dev/null", dst);
  g_assert_cmpint (system (inspect), ==, 0);
}

static gboolean
can_pull (void)
{
  g_autofree gchar *registry = g_find_program_in_path ("docker-registry");
  g_autofree gchar *skopeo = g_find_program_in_path ("skopeo");

  if (!can_run ())
    return FALSE;
  if (registry == NULL || skopeo == NULL)
    {
      g_test_skip ("docker-registry and skopeo are not installed (Debian packages)");
      return FALSE;
    }
  return TRUE;
}

/* pulls @ref and checks docker's closing lines */
static void
assert_pull (BerthTestDaemon *d, const gchar *ref, const gchar *familiar, gboolean updated)
{
  g_autofree gchar *out = berth_test_run_ok (d, "image", "pull", ref, NULL);
  g_autofree gchar *status
    = g_strdup_printf ("\nStatus: %s for %s\n%s\n",
                       updated ? "Downloaded newer image" : "Image is up to date", familiar, ref);

  g_autoptr(GRegex) layer = g_regex_new ("^[0-9a-f]{12}: (Pull complete|Already exists)$",
                                          G_REGEX_MULTILINE, 0, NULL);

  g_assert_nonnull (strstr (out, "\nDigest: sha256:"));
  g_assert_true (g_str_has_suffix (out, status));
  /* each layer's progress, as docker prints it on a pipe; none when the
   * image is there under that name already */
  if (g_regex_match (layer, out, 0, NULL) != updated)
    g_error ("%s layer lines in:\n%s", updated ? "no" : "unexpected", out);
}

static void
test_pull (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestRegistry) reg = NULL;
  g_autoptr(BerthTestResult) r = NULL;
  g_autofree gchar *tar = NULL;
  g_autofree gchar *layout_dir = NULL;
  g_autofree gchar *platform = berth_registry_host_platform ();
  g_autofree gchar *arch = g_strdup (strchr (platform, '/') + 1);
  g_autofree gchar *oci = NULL;
  g_autofree gchar *v2 = NULL;
  g_autofree gchar *multi = NULL;
  g_autofree gchar *state = NULL;
  g_autofree gchar *missing = NULL;

  if (!can_pull ())
    return;
  if (strchr (arch, '/') != NULL)
    *strchr (arch, '/') = '\0';
  d = berth_test_daemon_start_built ();
  reg = berth_test_registry_start (d->tmp);
  tar = make_busybox_tar (d, "busybox", NULL);
  layout_dir = g_build_filename (d->tmp, "layout", NULL);
  {
    g_autoptr(Layout) l = layout_new (layout_dir);
    g_autofree gchar *image = NULL;
    g_autofree gchar *other = NULL;
    g_autofree gchar *index = NULL;
    g_autofree gchar *index_digest = NULL;
    gsize size, other_size, index_size;

    image = layout_add_image (l, (const gchar *const[]){ tar, NULL }, arch, &size);
    layout_tag (l, "application/vnd.oci.image.manifest.v1+json", image, size, "v1");
    /* an index: this platform, and another one berth must not take */
    other = layout_add_image (l, (const gchar *const[]){ tar, NULL },
                              g_str_equal (arch, "s390x") ? "ppc64le" : "s390x", &other_size);
    index = g_strdup_printf (
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
      "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
      "\"digest\":\"%s\",\"size\":%" G_GSIZE_FORMAT ",\"platform\":{\"architecture\":\"%s\","
      "\"os\":\"linux\"}},{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
      "\"digest\":\"%s\",\"size\":%" G_GSIZE_FORMAT ",\"platform\":{\"architecture\":\"%s\","
      "\"os\":\"linux\"}}]}",
      other, other_size, g_str_equal (arch, "s390x") ? "ppc64le" : "s390x", image, size, arch);
    index_digest = layout_add_text (l, index, &index_size);
    layout_tag (l, "application/vnd.oci.image.index.v1+json", index_digest, index_size, "multi");
  }
  oci = g_strdup_printf ("%s/test/busybox:oci", reg->host);
  v2 = g_strdup_printf ("%s/test/busybox:v2", reg->host);
  multi = g_strdup_printf ("%s/test/busybox:multi", reg->host);
  skopeo_copy (layout_dir, "v1", oci, NULL);
  skopeo_copy (layout_dir, "v1", v2, "--format=v2s2");
  skopeo_copy (layout_dir, "multi", multi, "--all");

  assert_pull (d, oci, oci, TRUE);
  assert_pull (d, oci, oci, FALSE);
  assert_pull (d, v2, v2, TRUE);
  assert_pull (d, multi, multi, TRUE);
  assert_pull (d, multi, multi, FALSE);

  /* what the config says, for berth run */
  state = g_strchomp (berth_test_run_ok (
    d, "image", "inspect", "-f",
    "{{.Architecture}} {{.Os}} {{.Config.Cmd}} {{.Config.Env}} {{.Config.WorkingDir}} "
    "{{.Config.User}} {{.Created}}",
    multi, NULL));
  g_assert_cmpstr (state, ==,
                   g_strdup_printf ("%s linux [sh] [PATH=/bin GREETING=hello] /bin 0 "
                                    "2024-01-02T03:04:05Z",
                                    arch));
  /* and berth run honours it: Env (PATH included), WorkingDir, and Cmd when
   * none is given (sh, reading the script on stdin with -i) */
  {
    g_autofree gchar *out
      = berth_test_run_ok (d, "run", "--rm", multi, "sh", "-c", "echo $GREETING $PATH; pwd", NULL);
    g_autoptr(BerthTestResult) ran = berth_test_run_with_input (
      d, "echo from the Cmd of the image\n", "run", "--rm", "-i", multi, NULL);

    g_assert_cmpstr (out, ==, "hello /bin\n/bin\n");
    g_assert_cmpint (ran->status, ==, 0);
    g_assert_cmpstr (ran->out, ==, "from the Cmd of the image\n");
  }
  /* --entrypoint replaces it all, the image's Cmd included */
  {
    g_autofree gchar *out
      = berth_test_run_ok (d, "run", "--rm", "--entrypoint", "cat", multi, "/proc/1/cmdline", NULL);
    g_autofree gchar *none = berth_test_run_ok (d, "run", "--rm", "--entrypoint", "", multi, "sh",
                                                "-c", "echo no entrypoint", NULL);
    g_assert_cmpmem (out, 21, "cat\0/proc/1/cmdline", 21);
    g_assert_cmpstr (none, ==, "no entrypoint\n");
  }
  /* one layer tree for all of them: the OCI and the index pull are the same image */
  {
    g_autofree gchar *ids = berth_test_run_ok (d, "images", "-q", NULL);
    g_autofree gchar *layers_oci = NULL;
    g_autofree gchar *layers_v2 = NULL;
    layers_oci = g_strchomp (
      berth_test_run_ok (d, "image", "inspect", "-f", "{{.RootFS.Layers}}", oci, NULL));
    layers_v2 = g_strchomp (
      berth_test_run_ok (d, "image", "inspect", "-f", "{{.RootFS.Layers}}", v2, NULL));
    g_assert_cmpstr (layers_oci, ==, layers_v2);
    g_assert_cmpuint (g_strv_length (g_strsplit (g_strchomp (ids), "\n", -1)), <=, 2);
  }

  /* a reference the registry does not have: said, naming it */
  missing = g_strdup_printf ("%s/no/such:1", reg->host);
  r = berth_test_run (d, BERTH_TEST_AS_CALLER, "image", "pull", missing, NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "no/such"));
  g_clear_pointer (&r, berth_test_result_free);
}

/* the layer blob of @repo:@tag, as the registry stores it */
static gchar *
registry_layer (BerthTestDaemon *d, const gchar *repo, const gchar *tag)
{
  g_autofree gchar *v2 = g_build_filename (d->tmp, "registry", "docker", "registry", "v2", NULL);
  g_autofree gchar *link = g_build_filename (v2, "repositories", repo, "_manifests", "tags", tag,
                                             "current", "link", NULL);
  g_autofree gchar *manifest_digest = NULL;
  g_autofree gchar *manifest_path = NULL;
  g_autofree gchar *manifest = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *layers;
  const gchar *digest;

  g_assert_true (g_file_get_contents (link, &manifest_digest, NULL, NULL));
  manifest_path = g_build_filename (v2, "blobs", "sha256", g_strndup (manifest_digest + 7, 2),
                                    manifest_digest + 7, "data", NULL);
  g_assert_true (g_file_get_contents (manifest_path, &manifest, NULL, NULL));
  node = berth_test_parse_json (manifest);
  layers = json_object_get_array_member (json_node_get_object (node), "layers");
  digest = json_object_get_string_member (json_array_get_object_element (layers, 0), "digest");
  return g_build_filename (v2, "blobs", "sha256", g_strndup (digest + 7, 2), digest + 7, "data",
                           NULL);
}

static void
test_shared_with_plugin (void)
{
  g_autoptr(BerthTestDaemon) d = NULL;
  g_autoptr(BerthTestRegistry) reg = NULL;
  g_autofree gchar *plugin_dir = NULL;
  g_autofree gchar *plugin = NULL;
  g_autofree gchar *layer_gz = NULL;
  g_autofree gchar *layer_tar = NULL;
  g_autofree gchar *extra_tar = NULL;
  g_autofree gchar *layout_dir = NULL;
  g_autofree gchar *image = NULL;
  g_autofree gchar *platform = berth_registry_host_platform ();
  g_autofree gchar *arch = g_strdup (strchr (platform, '/') + 1);
  g_autofree gchar *out = NULL;
  gint64 plugin_only, both, shared = 0, after;

  if (!can_pull ())
    return;
  if (strchr (arch, '/') != NULL)
    *strchr (arch, '/') = '\0';
  d = berth_test_daemon_start_built ();
  reg = berth_test_registry_start (d->tmp);

  /* a plugin, pushed: its layer is what the image shares */
  plugin_dir = berth_test_make_plugin (
    d, "plugin",
    "{\"description\":\"p\",\"entrypoint\":[\"/bin/sh\"],\"interface\":{\"socket\":\"p.sock\","
    "\"types\":[\"docker.volumedriver/1.0\"]},\"network\":{\"type\":\"host\"}}");
  plugin = g_strdup_printf ("%s/test/plugin:1", reg->host);
  g_free (berth_test_run_ok (d, "plugin", "create", plugin, plugin_dir, NULL));
  g_free (berth_test_run_ok (d, "plugin", "push", plugin, NULL));
  plugin_only = store_size (d, NULL);

  layer_gz = registry_layer (d, "test/plugin", "1");
  layer_tar = g_build_filename (d->tmp, "shared.tar", NULL);
  {
    g_autofree gchar *cmd = g_strdup_printf ("gzip -d -c '%s' > '%s'", layer_gz, layer_tar);
    g_assert_cmpint (system (cmd), ==, 0);
  }
  /* the image: the plugin's layer, and one of its own */
  extra_tar = make_busybox_tar (d, "extra", "only-in-the-image");
  layout_dir = g_build_filename (d->tmp, "layout", NULL);
  {
    g_autoptr(Layout) l = layout_new (layout_dir);
    gsize size;
    g_autofree gchar *manifest
      = layout_add_image (l, (const gchar *const[]){ layer_tar, extra_tar, NULL }, arch, &size);
    layout_tag (l, "application/vnd.oci.image.manifest.v1+json", manifest, size, "v1");
  }
  image = g_strdup_printf ("%s/test/image:1", reg->host);
  skopeo_copy (layout_dir, "v1", image, NULL);
  assert_pull (d, image, image, TRUE);

  /* the plugin's layer is shared, stored once */
  both = store_size (d, &shared);
  g_assert_cmpint (shared, >, 0);
  g_assert_cmpint (both, >, plugin_only);
  g_assert_cmpint (both - plugin_only, <, 2 * shared);

  /* the image goes: its own content with it, the plugin's stays */
  out = berth_test_run_ok (d, "image", "rm", image, NULL);
  g_assert_true (g_str_has_prefix (out, g_strdup_printf ("Untagged: %s\n", image)));
  after = collected_size (d, plugin_only, &shared);
  g_assert_cmpint (after, ==, plugin_only);
  g_assert_cmpint (shared, ==, 0);
  g_clear_pointer (&out, g_free);
  out = g_strchomp (berth_test_run_ok (d, "plugin", "inspect", "-f", "{{.Name}}", plugin, NULL));
  g_assert_cmpstr (out, ==, plugin);
  berth_test_remove_all_plugins (d);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/images/import", test_import);
  g_test_add_func ("/images/import-errors", test_import_errors);
  g_test_add_func ("/images/pull", test_pull);
  g_test_add_func ("/images/shared-with-plugin", test_shared_with_plugin);
  return g_test_run ();
}
