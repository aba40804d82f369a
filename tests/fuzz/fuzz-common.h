/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What berth's libFuzzer harnesses share: GLib logging that aborts, so
 * that libFuzzer keeps the input (GLib's own fatal path raises SIGTRAP,
 * which libFuzzer does not catch), notes about invariants that did not
 * hold, and the input split at NUL bytes.
 *
 * Environment: FUZZ_NONFATAL=1 only logs criticals, as berthd runs, to see
 * what follows one; FUZZ_VERBOSE=1 prints the messages that are not fatal;
 * FUZZ_NOTES_DIR is where fuzz_note() saves inputs. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean fuzz_verbose;
static gboolean fuzz_nonfatal;
static GLogLevelFlags fuzz_fatal_levels;

static void
fuzz_log (const gchar *domain, GLogLevelFlags level, const gchar *message)
{
  if (!fuzz_nonfatal && (level & fuzz_fatal_levels) != 0)
    {
      fprintf (stderr, "FUZZ: fatal GLib log (%s): %s\n", domain != NULL ? domain : "-", message);
      abort ();
    }
  if (fuzz_verbose || fuzz_nonfatal)
    fprintf (stderr, "FUZZ: log (%s): %s\n", domain != NULL ? domain : "-", message);
}

static void
fuzz_log_handler (const gchar *domain,
                  GLogLevelFlags level,
                  const gchar *message,
                  gpointer user_data)
{
  fuzz_log (domain, level, message);
}

static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const gchar *domain = NULL;
  const gchar *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  fuzz_log (domain, level, message != NULL ? message : "");
  return G_LOG_WRITER_HANDLED;
}

/* A critical (a g_return_if_fail() that fired, a GVariant type error)
 * reached from untrusted input is a bug. Warnings are too where berth does
 * not warn by design (@fatal_warnings); where it warns about junk from a
 * registry or a plugin, they are not. */
G_GNUC_UNUSED static void
fuzz_init_logging (gboolean fatal_warnings)
{
  fuzz_verbose = g_getenv ("FUZZ_VERBOSE") != NULL;
  fuzz_nonfatal = g_getenv ("FUZZ_NONFATAL") != NULL;
  fuzz_fatal_levels = G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL;
  if (fatal_warnings)
    fuzz_fatal_levels |= G_LOG_LEVEL_WARNING;
  g_log_set_default_handler (fuzz_log_handler, NULL);
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}

/* An invariant that is not about memory (a round trip that does not hold)
 * is noted, not aborted on, so that the run goes on: the input is saved,
 * at most 20 per process, in $FUZZ_NOTES_DIR (by default
 * $TMPDIR/berth-fuzz-notes). */
G_GNUC_UNUSED static void
fuzz_note (const char *target, const char *what, const guint8 *data, size_t size)
{
  static guint count = 0;
  const char *dir = g_getenv ("FUZZ_NOTES_DIR");
  g_autofree gchar *default_dir = NULL;
  g_autofree gchar *hash = NULL;
  g_autofree gchar *path = NULL;

  if (count >= 20)
    return;
  if (dir == NULL)
    dir = default_dir = g_build_filename (g_get_tmp_dir (), "berth-fuzz-notes", NULL);
  hash = g_compute_checksum_for_data (G_CHECKSUM_SHA1, data, size);
  path = g_strdup_printf ("%s/%s-%s-%s", dir, target, what, hash);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  count++;
  g_mkdir_with_parents (dir, 0700);
  if (g_file_set_contents (path, (const gchar *)data, size, NULL))
    fprintf (stderr, "FUZZ: note: %s: %s (saved to %s)\n", target, what, path);
  else
    fprintf (stderr, "FUZZ: note: %s: %s (not saved: %s)\n", target, what, dir);
}

/* The input split at NUL bytes into at most @max parts, each
 * NUL-terminated; the last one takes the rest, NULs and all. @lengths gets
 * the length of each part. */
G_GNUC_UNUSED static GPtrArray *
fuzz_split (const guint8 *data, size_t size, guint max, GArray **lengths)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
  size_t start = 0;
  gsize len;
  gchar *last;

  *lengths = g_array_new (FALSE, FALSE, sizeof (gsize));
  while (parts->len + 1 < max)
    {
      const guint8 *nul = memchr (data + start, '\0', size - start);

      if (nul == NULL)
        break;
      len = (gsize)(nul - (data + start));
      g_ptr_array_add (parts, g_strndup ((const gchar *)data + start, len));
      g_array_append_val (*lengths, len);
      start += len + 1;
    }
  len = size - start;
  last = g_malloc (len + 1);
  memcpy (last, data + start, len);
  last[len] = '\0';
  g_ptr_array_add (parts, last);
  g_array_append_val (*lengths, len);
  return parts;
}
