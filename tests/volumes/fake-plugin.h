/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * FakeBehaviour:
 * @FAKE_OK: answers as a working volume plugin keeping volumes in memory
 * @FAKE_ERR: 200 with `{"Err":"boom"}`
 * @FAKE_ERR_500: 500 with `{"Err":"nope"}`
 * @FAKE_TEXT_500: 500 with a plain text body
 * @FAKE_MALFORMED: 200 with a body that is not JSON
 * @FAKE_HUGE: 200 with a 2 MiB body
 * @FAKE_HANG: reads the request and never answers
 * @FAKE_CLOSE: reads the request and closes the connection
 * @FAKE_DIE: sends half of its answer and closes the connection
 * @FAKE_CHUNKED: answers as @FAKE_OK, chunked
 * @FAKE_EMPTY_CHUNKED_500: 500 with a chunked body of no chunks
 * @FAKE_NUL_HEADER: 200 with a NUL byte among its headers
 * @FAKE_ENDLESS_CHUNK: 200, chunked, then a chunk-size line of 3 MiB
 */
typedef enum
{
  FAKE_OK,
  FAKE_ERR,
  FAKE_ERR_500,
  FAKE_TEXT_500,
  FAKE_MALFORMED,
  FAKE_HUGE,
  FAKE_HANG,
  FAKE_CLOSE,
  FAKE_DIE,
  FAKE_CHUNKED,
  FAKE_EMPTY_CHUNKED_500,
  FAKE_NUL_HEADER,
  FAKE_ENDLESS_CHUNK,
} FakeBehaviour;

typedef struct _FakePlugin FakePlugin;

FakePlugin *fake_plugin_new (const gchar *socket_path);
void fake_plugin_free (FakePlugin *self);
void fake_plugin_set (FakePlugin *self, const gchar *method, FakeBehaviour behaviour);
void fake_plugin_set_mount_root (FakePlugin *self, const gchar *root);
guint fake_plugin_calls (FakePlugin *self, const gchar *method);
gchar *fake_plugin_last_request (FakePlugin *self, const gchar *method);
gboolean fake_plugin_has_volume (FakePlugin *self, const gchar *name);
void fake_plugin_forget (FakePlugin *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakePlugin, fake_plugin_free)

G_END_DECLS
