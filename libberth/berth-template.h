/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BerthTemplate BerthTemplate;

BerthTemplate *berth_template_new (const gchar *text, GError **error);
gchar *berth_template_render (BerthTemplate *self, GVariant *data, GError **error);
void berth_template_free (BerthTemplate *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthTemplate, berth_template_free)

void berth_template_append_value (GString *out, GVariant *value);

G_END_DECLS
