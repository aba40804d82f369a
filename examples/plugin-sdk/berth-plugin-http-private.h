/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The HTTP/1.1 subset a plugin socket needs: one request at a time on a
 * blocking connection, Content-Length and chunked bodies, keep-alive,
 * Expect: 100-continue, and hard limits on the head and the body.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BERTH_PLUGIN_HTTP_ERROR (berth_plugin_http_error_quark ())

/* the code is the HTTP status to answer with, except CLOSED */
typedef enum
{
  BERTH_PLUGIN_HTTP_ERROR_CLOSED = 0, /* peer closed between requests: no answer */
  BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST = 400,
  BERTH_PLUGIN_HTTP_ERROR_TOO_LARGE = 413,
  BERTH_PLUGIN_HTTP_ERROR_EXPECTATION_FAILED = 417,
  BERTH_PLUGIN_HTTP_ERROR_HEADERS_TOO_LARGE = 431,
  BERTH_PLUGIN_HTTP_ERROR_NOT_IMPLEMENTED = 501,
  BERTH_PLUGIN_HTTP_ERROR_VERSION = 505,
} BerthPluginHttpError;

GQuark berth_plugin_http_error_quark (void);

typedef struct
{
  GInputStream *input;   /* borrowed */
  GOutputStream *output; /* borrowed */
  GCancellable *cancellable;
  GByteArray *buf; /* received, not yet consumed: buf->data[pos..len) */
  gsize pos;
  gsize max_head;
  gsize max_body;
} BerthPluginHttpConn;

typedef struct
{
  gchar *method;
  gchar *path; /* without the query string */
  guint minor_version;
  gboolean keep_alive;
  GBytes *body;
} BerthPluginHttpRequest;

void berth_plugin_http_conn_init (BerthPluginHttpConn *conn,
                                  GIOStream *stream,
                                  gsize max_head,
                                  gsize max_body,
                                  GCancellable *cancellable);
void berth_plugin_http_conn_clear (BerthPluginHttpConn *conn);
void berth_plugin_http_request_clear (BerthPluginHttpRequest *request);

gboolean berth_plugin_http_read_request (BerthPluginHttpConn *conn,
                                         BerthPluginHttpRequest *request,
                                         GError **error);
gboolean berth_plugin_http_write_response (BerthPluginHttpConn *conn,
                                           guint status,
                                           const gchar *content_type,
                                           const gchar *extra_headers,
                                           const gchar *body,
                                           gsize body_len,
                                           gboolean keep_alive,
                                           GError **error);
const gchar *berth_plugin_http_reason (guint status);

G_END_DECLS
