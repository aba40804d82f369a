/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BERTH_TYPE_REFERENCE (berth_reference_get_type ())

/**
 * BerthReference:
 *
 * A parsed, normalised image or plugin reference such as
 * `docker.io/vieux/sshfs:latest`, with the same grammar and normalisation
 * as Docker's `github.com/distribution/reference` (`ParseNormalizedNamed`).
 *
 * A #BerthReference is immutable; copy it with berth_reference_copy().
 */
typedef struct _BerthReference BerthReference;

/* one declaration a line, as in GLib's headers */
/* clang-format off */
GType berth_reference_get_type (void) G_GNUC_CONST;

BerthReference *berth_reference_parse (const gchar *text, GError **error);
BerthReference *berth_reference_copy (const BerthReference *ref);
void berth_reference_free (BerthReference *ref);
BerthReference *berth_reference_with_default_tag (const BerthReference *ref);

const gchar *berth_reference_get_domain (const BerthReference *ref);
const gchar *berth_reference_get_path (const BerthReference *ref);
const gchar *berth_reference_get_tag (const BerthReference *ref);
const gchar *berth_reference_get_digest (const BerthReference *ref);
gboolean berth_reference_is_canonical (const BerthReference *ref);

gchar *berth_reference_name (const BerthReference *ref);
gchar *berth_reference_familiar_name (const BerthReference *ref);
gchar *berth_reference_to_string (const BerthReference *ref);
gchar *berth_reference_to_familiar (const BerthReference *ref);

gchar *berth_reference_normalize_local_name (const gchar *text, GError **error);
gint berth_reference_resolve_plugin (const gchar *query,
                                     const gchar *const *ids,
                                     const gchar *const *names,
                                     GError **error);
/* clang-format on */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthReference, berth_reference_free)

G_END_DECLS
