/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthCli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "berth-cli.h"
#include "berth-template.h"

/* `berth image …` (and `berth images`, `berth rmi`): docker's words, flags,
 * columns and messages. */

#define IMAGES_INTERFACE "org.berth.Berth1.Images"

/* ---- pull --------------------------------------------------------------- */

static gint
image_pull (BerthCli *cli, gint argc, gchar **argv)
{
  gboolean quiet = FALSE;
  const GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Suppress verbose output", NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(BerthReference) ref = NULL;
  g_autoptr(BerthReference) pulled_ref = NULL;
  g_autofree gchar *familiar = NULL;
  const gchar *id, *digest, *pulled;
  gboolean updated;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS] NAME[:TAG|@DIGEST]",
                        "Download an image from a registry (schema 2 or OCI, this host's platform "
                        "of an index)",
                        entries, 1, 1, &argc, &argv, &exit_code))
    return exit_code;
  ref = berth_reference_parse (argv[1], &error);
  if (ref == NULL)
    return berth_cli_fail (cli, error);
  if (!quiet)
    {
      if (berth_reference_get_tag (ref) == NULL && berth_reference_get_digest (ref) == NULL)
        g_print ("Using default tag: latest\n");
      g_print ("%s: Pulling from %s\n",
               berth_reference_get_digest (ref) != NULL ? berth_reference_get_digest (ref)
               : berth_reference_get_tag (ref) != NULL  ? berth_reference_get_tag (ref)
                                                        : "latest",
               berth_reference_get_path (ref));
      fflush (stdout);
    }
  /* each layer's progress, as docker draws it, unless -q */
  reply = (quiet ? berth_cli_call : berth_cli_call_with_progress) (
    cli, BERTH_DBUS_PATH, IMAGES_INTERFACE, "Pull", g_variant_new ("(s)", argv[1]),
    G_VARIANT_TYPE ("(sssb)"), &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  g_variant_get (reply, "(&s&s&sb)", &id, &digest, &pulled, &updated);
  pulled_ref = berth_reference_parse (pulled, NULL);
  familiar = pulled_ref != NULL ? berth_reference_to_familiar (pulled_ref) : g_strdup (pulled);
  if (!quiet)
    {
      g_print ("Digest: %s\n", digest);
      g_print ("Status: %s for %s\n", updated ? "Downloaded newer image" : "Image is up to date",
               familiar);
    }
  g_print ("%s\n", pulled);
  return BERTH_EXIT_OK;
}

/* ---- import ------------------------------------------------------------- */

static gint
open_tar (const gchar *path, GError **error)
{
  gint fd = g_str_equal (path, "-") ? dup (STDIN_FILENO) : open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "open %s: %s", path,
                 g_strerror (errno));
  return fd;
}

static gint
image_import (BerthCli *cli, gint argc, gchar **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const gchar *id;
  gint exit_code;
  gint fd;

  if (!berth_cli_parse (cli, "[OPTIONS] file|- [REPOSITORY[:TAG]]",
                        "Import the contents from a tarball to create a filesystem image (plain, "
                        "gzip, zstd, xz or bzip2; \"-\" reads standard input)",
                        NULL, 1, 2, &argc, &argv, &exit_code))
    return exit_code;
  fd = open_tar (argv[1], &error);
  if (fd < 0)
    return berth_cli_fail (cli, error);
  /* berthd reads the file through the descriptor: what the user may read */
  reply = berth_cli_call_with_fd (cli, BERTH_DBUS_PATH, IMAGES_INTERFACE, "Import",
                                  g_variant_new ("(hs)", 0, argc > 2 ? argv[2] : ""), fd,
                                  G_VARIANT_TYPE ("(s)"), &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  g_variant_get (reply, "(&s)", &id);
  g_print ("%s\n", id);
  return BERTH_EXIT_OK;
}

/* ---- ls ----------------------------------------------------------------- */

/* one line of `image ls`: an image under one of its names */
typedef struct
{
  const gchar *id;
  gchar *repository;
  gchar *tag;
  gchar *digest;
  gint64 created;
  guint64 size;
} ImageRow;

static void
image_row_clear (ImageRow *row)
{
  g_free (row->repository);
  g_free (row->tag);
  g_free (row->digest);
}

/* `host:5000/app:1` → `host:5000/app` and `1`; the tag follows the last
 * colon after the last slash */
static void
split_name (const gchar *name, gchar separator, gchar **out_repository, gchar **out_rest)
{
  const gchar *slash = strrchr (name, '/');
  const gchar *mark = strchr (slash != NULL ? slash : name, separator);

  *out_repository = mark != NULL ? g_strndup (name, mark - name) : g_strdup (name);
  *out_rest = mark != NULL ? g_strdup (mark + 1) : g_strdup ("<none>");
}

static gchar *
digest_for (const gchar *repository, const gchar *const *digests)
{
  for (guint i = 0; digests[i] != NULL; i++)
    {
      g_autofree gchar *repo = NULL;
      g_autofree gchar *digest = NULL;
      split_name (digests[i], '@', &repo, &digest);
      if (g_str_equal (repo, repository))
        return g_steal_pointer (&digest);
    }
  return g_strdup ("<none>");
}

/* docker's rows: one per tag; an image with none is `<none> <none>` or its
 * repository by digest */
static void
add_rows (GArray *rows,
          const gchar *id,
          const gchar *const *tags,
          const gchar *const *digests,
          gint64 created,
          guint64 size)
{
  ImageRow row = { .id = id, .created = created, .size = size };

  for (guint i = 0; tags[i] != NULL; i++)
    {
      split_name (tags[i], ':', &row.repository, &row.tag);
      row.digest = digest_for (row.repository, digests);
      g_array_append_val (rows, row);
    }
  if (tags[0] != NULL)
    return;
  if (digests[0] != NULL)
    split_name (digests[0], '@', &row.repository, &row.digest);
  else
    {
      row.repository = g_strdup ("<none>");
      row.digest = g_strdup ("<none>");
    }
  row.tag = g_strdup ("<none>");
  g_array_append_val (rows, row);
}

static gchar *
image_id_text (const gchar *id, gboolean no_trunc)
{
  if (no_trunc)
    return g_strdup (id);
  return g_strndup (id + strlen ("sha256:"), 12);
}

/* the fields `--format` sees, as docker's image formatter names them */
static GVariant *
image_row_variant (ImageRow *row, gboolean no_trunc)
{
  g_autofree gchar *id = image_id_text (row->id, no_trunc);
  g_autofree gchar *since
    = berth_human_duration (g_get_real_time () / G_USEC_PER_SEC - row->created);
  g_autofree gchar *ago = g_strconcat (since, " ago", NULL);
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (row->created);
  g_autofree gchar *at = g_date_time_format (when, "%Y-%m-%d %H:%M:%S +0000 UTC");
  g_autofree gchar *size = berth_human_size_precision (row->size, 3);
  g_autofree gchar *virtual_size = berth_human_size (row->size);

  return g_variant_new_parsed (
    "{'Containers': <'N/A'>, 'CreatedAt': <%s>, 'CreatedSince': <%s>, 'Digest': <%s>, "
    "'ID': <%s>, 'Repository': <%s>, 'SharedSize': <'N/A'>, 'Size': <%s>, 'Tag': <%s>, "
    "'UniqueSize': <'N/A'>, 'VirtualSize': <%s>}",
    at, ago, row->digest, id, row->repository, size, row->tag, virtual_size);
}

static gboolean
keep_row (ImageRow *row, gchar **filters, GError **error)
{
  for (guint i = 0; filters != NULL && filters[i] != NULL; i++)
    {
      gboolean dangling
        = g_str_equal (row->tag, "<none>") && g_str_equal (row->repository, "<none>");

      if (g_str_equal (filters[i], "dangling=true") || g_str_equal (filters[i], "dangling=1"))
        {
          if (!dangling)
            return FALSE;
        }
      else if (g_str_equal (filters[i], "dangling=false") || g_str_equal (filters[i], "dangling=0"))
        {
          if (dangling)
            return FALSE;
        }
      else if (g_str_has_prefix (filters[i], "reference="))
        {
          const gchar *pattern = filters[i] + strlen ("reference=");
          g_autofree gchar *name = g_strdup_printf ("%s:%s", row->repository, row->tag);
          if (!g_pattern_match_simple (pattern, name)
              && !g_pattern_match_simple (pattern, row->repository))
            return FALSE;
        }
      else
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "invalid filter '%s'",
                       filters[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static void
print_table (GArray *rows, gboolean no_trunc, gboolean digests, GString *out)
{
  g_autoptr(BerthTable) t = berth_table_new (10, 3);

  if (digests)
    berth_table_add_row (t, "REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE", NULL);
  else
    berth_table_add_row (t, "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", NULL);
  for (guint i = 0; i < rows->len; i++)
    {
      ImageRow *row = &g_array_index (rows, ImageRow, i);
      g_autofree gchar *id = image_id_text (row->id, no_trunc);
      g_autofree gchar *since
        = berth_human_duration (g_get_real_time () / G_USEC_PER_SEC - row->created);
      g_autofree gchar *ago = g_strconcat (since, " ago", NULL);
      g_autofree gchar *size = berth_human_size_precision (row->size, 3);
      if (digests)
        berth_table_add_row (t, row->repository, row->tag, row->digest, id, ago, size, NULL);
      else
        berth_table_add_row (t, row->repository, row->tag, id, ago, size, NULL);
    }
  berth_table_print (t, out);
}

static gint
print_formatted (BerthCli *cli, GArray *rows, const gchar *format, gboolean no_trunc, GString *out)
{
  g_autoptr(BerthTemplate) template = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = g_str_equal (format, "json");

  if (!json)
    {
      template
        = berth_template_new (g_str_has_prefix (format, "table ") ? format + 6 : format, &error);
      if (template == NULL)
        return berth_cli_fail (cli, error);
    }
  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(GVariant) row = g_variant_ref_sink (
        image_row_variant (&g_array_index (rows, ImageRow, i), no_trunc));
      g_autofree gchar *line = NULL;
      if (json)
        {
          berth_json_append_variant (out, row, FALSE, 0);
          g_string_append_c (out, '\n');
          continue;
        }
      line = berth_template_render (template, row, &error);
      if (line == NULL)
        return berth_cli_fail (cli, error);
      g_string_append_printf (out, "%s\n", line);
    }
  return BERTH_EXIT_OK;
}

static gint
image_ls (BerthCli *cli, gint argc, gchar **argv)
{
  gboolean all = FALSE, quiet = FALSE, no_trunc = FALSE, digests = FALSE;
  g_auto(GStrv) filters = NULL;
  g_autofree gchar *format = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Show all images (berth keeps no intermediate ones)",
      NULL },
    { "digests", 0, 0, G_OPTION_ARG_NONE, &digests, "Show digests", NULL },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters,
      "Filter output based on conditions provided (dangling=true, reference=PATTERN)", "filter" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      "Format output using a custom template: 'table' | 'table TEMPLATE' | 'json' | 'TEMPLATE'",
      "string" },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, "Don't truncate output", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Only show image IDs", NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) images = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (ImageRow));
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GVariantIter iter;
  const gchar *id;
  g_autofree const gchar **tags = NULL;
  g_autofree const gchar **repo_digests = NULL;
  gint64 created;
  guint64 size;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS] [REPOSITORY[:TAG]]", "List images", entries, 0, 1, &argc,
                        &argv, &exit_code))
    return exit_code;
  g_array_set_clear_func (rows, (GDestroyNotify)image_row_clear);
  if (cli->json && format == NULL)
    format = g_strdup ("json");
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, IMAGES_INTERFACE, "List", NULL,
                          G_VARIANT_TYPE ("(a(sasasxt))"), &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  images = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, images);
  /* the rows point into the answer, which outlives them */
  while (g_variant_iter_next (&iter, "(&s^a&s^a&sxt)", &id, &tags, &repo_digests, &created, &size))
    {
      add_rows (rows, id, tags, repo_digests, created, size);
      g_clear_pointer (&tags, g_free);
      g_clear_pointer (&repo_digests, g_free);
    }
  for (guint i = rows->len; i > 0; i--)
    {
      ImageRow *row = &g_array_index (rows, ImageRow, i - 1);
      g_autofree gchar *name = g_strdup_printf ("%s:%s", row->repository, row->tag);
      gboolean keep = keep_row (row, filters, &error);
      if (error != NULL)
        return berth_cli_fail (cli, error);
      if (keep && argc > 1)
        keep = g_pattern_match_simple (argv[1], row->repository)
               || g_pattern_match_simple (argv[1], name);
      if (!keep)
        g_array_remove_index (rows, i - 1);
    }

  if (quiet)
    for (guint i = 0; i < rows->len; i++)
      {
        ImageRow *row = &g_array_index (rows, ImageRow, i);
        g_autofree gchar *text = NULL;
        /* an image once, however many names it has */
        if (!g_hash_table_add (seen, (gpointer)row->id))
          continue;
        text = image_id_text (row->id, no_trunc);
        g_string_append_printf (out, "%s\n", text);
      }
  else if (format != NULL && !g_str_equal (format, "table"))
    {
      exit_code = print_formatted (cli, rows, format, no_trunc, out);
      if (exit_code != BERTH_EXIT_OK)
        return exit_code;
    }
  else
    print_table (rows, no_trunc, digests, out);
  fputs (out->str, stdout);
  return BERTH_EXIT_OK;
}

/* ---- inspect, rm -------------------------------------------------------- */

static gint
image_inspect (BerthCli *cli, gint argc, gchar **argv)
{
  return berth_cli_inspect_command (cli, argc, argv, "[OPTIONS] IMAGE [IMAGE...]",
                                    "Display detailed information on one or more images",
                                    IMAGES_INTERFACE);
}

static gint
image_rm (BerthCli *cli, gint argc, gchar **argv)
{
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Force removal of the image", NULL },
    { NULL },
  };
  gint status = BERTH_EXIT_OK;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS] IMAGE [IMAGE...]", "Remove one or more images", entries, 1,
                        -1, &argc, &argv, &exit_code))
    return exit_code;
  for (gint i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree const gchar **untagged = NULL;
      g_autofree const gchar **deleted = NULL;
      g_autoptr(GVariant) reply = berth_cli_call (cli, BERTH_DBUS_PATH, IMAGES_INTERFACE, "Remove",
                                                   g_variant_new ("(sb)", argv[i], force),
                                                   G_VARIANT_TYPE ("(asas)"), &error);
      if (reply == NULL)
        {
          berth_cli_fail (cli, error);
          status = BERTH_EXIT_ERROR;
          if (cli->bus == NULL)
            break;
          continue;
        }
      g_variant_get (reply, "(^a&s^a&s)", &untagged, &deleted);
      for (guint j = 0; untagged[j] != NULL; j++)
        g_print ("Untagged: %s\n", untagged[j]);
      for (guint j = 0; deleted[j] != NULL; j++)
        g_print ("Deleted: %s\n", deleted[j]);
    }
  return status;
}

/**
 * berth_cmd_images:
 * @cli: the CLI state
 * @argc: the argument count
 * @argv: the arguments
 *
 * `berth images`, docker's short form of `berth image ls`.
 *
 * Returns: the exit status
 */
gint
berth_cmd_images (BerthCli *cli, gint argc, gchar **argv)
{
  return image_ls (cli, argc, argv);
}

/**
 * berth_cmd_rmi:
 * @cli: the CLI state
 * @argc: the argument count
 * @argv: the arguments
 *
 * `berth rmi`, docker's short form of `berth image rm`.
 *
 * Returns: the exit status
 */
gint
berth_cmd_rmi (BerthCli *cli, gint argc, gchar **argv)
{
  return image_rm (cli, argc, argv);
}

const BerthCommand berth_cmd_image[] = {
  { "import", "Import the contents from a tarball to create a filesystem image", image_import,
    NULL },
  { "inspect", "Display detailed information on one or more images", image_inspect, NULL },
  { "ls", "List images", image_ls, NULL },
  { "list", NULL, image_ls, NULL },
  { "pull", "Download an image from a registry", image_pull, NULL },
  { "rm", "Remove one or more images", image_rm, NULL },
  { "remove", NULL, image_rm, NULL },
  { NULL },
};
