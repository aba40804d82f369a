/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A raw HTTP client for the plugin SDK tests: bytes out, one parsed response
 * in, over a real unix socket. The server under test runs in the caller's
 * main context, so exchanges happen in a thread while the caller iterates it.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint status;
  gchar *head; /* status line and header fields */
  gchar *body;
  gboolean closed; /* the server closed the connection after it */
} TestResponse;

void test_response_free (TestResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestResponse, test_response_free)

gchar *test_response_header (TestResponse *response, const gchar *name);
JsonObject *test_response_json (TestResponse *response);

/* sends each request on one connection, reading one response after each
 * (a NULL-terminated array); with pipeline, sends them all first */
GPtrArray *
test_exchange (const gchar *socket_path, const gchar *const *requests, gboolean pipeline);
TestResponse *test_request (const gchar *socket_path, const gchar *request);
TestResponse *test_post (const gchar *socket_path, const gchar *path, const gchar *body);

G_END_DECLS
