/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: image and plugin references, as users and registries
 * write them.
 *
 * Feeds berth_reference_parse() (Docker's ParseNormalizedNamed) and the
 * static berth_reference_parse_any() (reference.Parse), which this file
 * reaches by including libberth/berth-reference.c; then the display forms
 * (which must parse back to the same reference),
 * berth_reference_normalize_local_name() and
 * berth_reference_resolve_plugin().
 *
 * Input: the reference text, cut at the first NUL as C callers see it. */
#include "berth-reference.c"

#include "fuzz-common.h"

static void
exercise (BerthReference *ref, gboolean normalized, const guint8 *data, size_t size)
{
  g_autofree gchar *string = berth_reference_to_string (ref);
  g_autofree gchar *familiar = berth_reference_to_familiar (ref);
  g_autoptr(BerthReference) tagged = berth_reference_with_default_tag (ref);
  g_autoptr(BerthReference) again = NULL;

  g_free (berth_reference_name (ref));
  g_free (berth_reference_familiar_name (ref));
  g_free (berth_reference_to_string (tagged));
  berth_reference_free (berth_reference_copy (ref));
  (void)berth_reference_get_domain (ref);
  (void)berth_reference_get_path (ref);
  (void)berth_reference_get_tag (ref);
  (void)berth_reference_get_digest (ref);
  (void)berth_reference_is_canonical (ref);

  if (!normalized)
    return;
  /* Docker's String() of a normalised reference parses back to itself */
  again = berth_reference_parse (string, NULL);
  if (again == NULL)
    fuzz_note ("reference", "string-does-not-reparse", data, size);
  else
    {
      g_autofree gchar *string2 = berth_reference_to_string (again);
      if (g_strcmp0 (string, string2) != 0)
        fuzz_note ("reference", "string-not-stable", data, size);
    }
  g_clear_pointer (&again, berth_reference_free);
  /* a familiar 64-hex name does not parse back, in Docker too
   * (test-reference.c tests that) */
  if (berth_reference_is_identifier (familiar))
    return;
  again = berth_reference_parse (familiar, NULL);
  if (again == NULL)
    fuzz_note ("reference", "familiar-does-not-reparse", data, size);
  else
    {
      g_autofree gchar *string2 = berth_reference_to_string (again);
      if (g_strcmp0 (string, string2) != 0)
        fuzz_note ("reference", "familiar-not-same", data, size);
    }
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging (TRUE);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = g_strndup ((const gchar *)data, size);
  g_autoptr(BerthReference) ref = NULL;
  g_autoptr(BerthReference) any = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *local = NULL;
  const gchar *const ids[]
    = { "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa",
        "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aab",
        "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", NULL };
  const gchar *const names[] = { "vieux/sshfs:latest", NULL, "busybox:latest", NULL };

  ref = berth_reference_parse (text, &error);
  if (ref != NULL)
    exercise (ref, TRUE, data, size);
  g_clear_error (&error);

  any = berth_reference_parse_any (text, &error);
  if (any != NULL)
    exercise (any, FALSE, data, size);
  g_clear_error (&error);

  local = berth_reference_normalize_local_name (text, &error);
  g_clear_error (&error);
  berth_reference_resolve_plugin (text, ids, names, &error);
  return 0;
}
