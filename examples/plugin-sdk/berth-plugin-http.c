/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "berth-plugin-http-private.h"

#include <string.h>

#define READ_CHUNK       16384
#define MAX_HEADER_LINES 100
#define MAX_CHUNK_LINE   1024

G_DEFINE_QUARK (berth - plugin - http - error - quark, berth_plugin_http_error)

void
berth_plugin_http_conn_init (BerthPluginHttpConn *conn,
                             GIOStream *stream,
                             gsize max_head,
                             gsize max_body,
                             GCancellable *cancellable)
{
  conn->input = g_io_stream_get_input_stream (stream);
  conn->output = g_io_stream_get_output_stream (stream);
  conn->cancellable = cancellable;
  conn->buf = g_byte_array_new ();
  conn->pos = 0;
  conn->max_head = max_head;
  conn->max_body = max_body;
}

void
berth_plugin_http_conn_clear (BerthPluginHttpConn *conn)
{
  g_clear_pointer (&conn->buf, g_byte_array_unref);
}

void
berth_plugin_http_request_clear (BerthPluginHttpRequest *request)
{
  g_clear_pointer (&request->method, g_free);
  g_clear_pointer (&request->path, g_free);
  g_clear_pointer (&request->body, g_bytes_unref);
}

const gchar *
berth_plugin_http_reason (guint status)
{
  switch (status)
    {
      case 100:
        return "Continue";
      case 200:
        return "OK";
      case 400:
        return "Bad Request";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 413:
        return "Content Too Large";
      case 417:
        return "Expectation Failed";
      case 431:
        return "Request Header Fields Too Large";
      case 500:
        return "Internal Server Error";
      case 501:
        return "Not Implemented";
      case 505:
        return "HTTP Version Not Supported";
      default:
        return "Unknown";
    }
}

static const guint8 *
conn_data (BerthPluginHttpConn *conn)
{
  return conn->buf->data + conn->pos;
}

static gsize
conn_avail (BerthPluginHttpConn *conn)
{
  return conn->buf->len - conn->pos;
}

/* reads once more; offsets relative to conn_data() stay valid */
static gssize
conn_fill (BerthPluginHttpConn *conn, GError **error)
{
  guint8 tmp[READ_CHUNK];
  gssize n;

  if (conn->pos > 0)
    {
      g_byte_array_remove_range (conn->buf, 0, conn->pos);
      conn->pos = 0;
    }
  n = g_input_stream_read (conn->input, tmp, sizeof tmp, conn->cancellable, error);
  if (n > 0)
    g_byte_array_append (conn->buf, tmp, (guint)n);
  return n;
}

static gboolean
bad_request (GError **error, BerthPluginHttpError code, const gchar *message)
{
  g_set_error_literal (error, BERTH_PLUGIN_HTTP_ERROR, code, message);
  return FALSE;
}

/* the end of the head: the first empty line, CRLF or bare LF */
static gsize
find_head_end (const guint8 *data, gsize len, gsize *scan_from)
{
  for (gsize i = *scan_from; i < len; i++)
    {
      if (data[i] != '\n')
        continue;
      if (i + 1 >= len)
        {
          *scan_from = i;
          return 0;
        }
      if (data[i + 1] == '\n')
        return i + 2;
      if (data[i + 1] == '\r')
        {
          if (i + 2 >= len)
            {
              *scan_from = i;
              return 0;
            }
          if (data[i + 2] == '\n')
            return i + 3;
        }
    }
  *scan_from = len;
  return 0;
}

static gchar *
read_head (BerthPluginHttpConn *conn, GError **error)
{
  gsize scan_from = 0;
  gsize end = 0;
  gboolean got_bytes = FALSE;

  for (;;)
    {
      gssize n;

      /* empty lines before a request line are ignored (RFC 9112 §2.2) */
      while (scan_from == 0 && conn_avail (conn) > 0
             && (conn_data (conn)[0] == '\r' || conn_data (conn)[0] == '\n'))
        conn->pos++;

      end = find_head_end (conn_data (conn), conn_avail (conn), &scan_from);
      if (end > 0)
        break;
      if (conn_avail (conn) > conn->max_head)
        {
          bad_request (error, BERTH_PLUGIN_HTTP_ERROR_HEADERS_TOO_LARGE, "request head too large");
          return NULL;
        }
      n = conn_fill (conn, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        {
          if (!got_bytes && conn_avail (conn) == 0)
            bad_request (error, BERTH_PLUGIN_HTTP_ERROR_CLOSED, "connection closed");
          else
            bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST,
                         "connection closed in the middle of a request head");
          return NULL;
        }
      got_bytes = TRUE;
    }

  if (end > conn->max_head)
    {
      bad_request (error, BERTH_PLUGIN_HTTP_ERROR_HEADERS_TOO_LARGE, "request head too large");
      return NULL;
    }
  if (memchr (conn_data (conn), '\0', end) != NULL)
    {
      bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST, "NUL byte in the request head");
      return NULL;
    }
  {
    gchar *head = g_strndup ((const gchar *)conn_data (conn), end);
    conn->pos += end;
    return head;
  }
}

/* a line of a chunked body (size line or trailer), without its line end */
static gchar *
read_line (BerthPluginHttpConn *conn, gsize limit, GError **error)
{
  gsize scanned = 0;

  for (;;)
    {
      const guint8 *nl = NULL;
      gssize n;

      if (conn_avail (conn) > scanned)
        nl = memchr (conn_data (conn) + scanned, '\n', conn_avail (conn) - scanned);
      if (nl != NULL)
        {
          gsize len = (gsize)(nl - conn_data (conn));
          gchar *line;

          if (len > limit)
            break;
          line = g_strndup ((const gchar *)conn_data (conn), len);
          conn->pos += len + 1;
          if (len > 0 && line[len - 1] == '\r')
            line[len - 1] = '\0';
          return line;
        }
      scanned = conn_avail (conn);
      if (scanned > limit)
        break;
      n = conn_fill (conn, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        {
          bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST,
                       "connection closed in the middle of a chunked body");
          return NULL;
        }
    }
  bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST, "chunk line too long");
  return NULL;
}

static gboolean
ensure_avail (BerthPluginHttpConn *conn, gsize want, GError **error)
{
  while (conn_avail (conn) < want)
    {
      gssize n = conn_fill (conn, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST,
                            "connection closed before the end of the body");
    }
  return TRUE;
}

static gboolean
read_chunked_body (BerthPluginHttpConn *conn, GBytes **body_out, GError **error)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  gsize trailer_bytes = 0;

  for (;;)
    {
      g_autofree gchar *line = read_line (conn, MAX_CHUNK_LINE, error);
      gchar *ext;
      guint64 size = 0;
      gsize digits = 0;

      if (line == NULL)
        return FALSE;
      ext = strchr (line, ';');
      if (ext != NULL)
        *ext = '\0';
      g_strstrip (line);
      for (const gchar *p = line; *p != '\0'; p++, digits++)
        {
          if (!g_ascii_isxdigit (*p) || digits >= 15)
            return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST, "invalid chunk size");
          size = size * 16 + (guint64)g_ascii_xdigit_value (*p);
        }
      if (digits == 0)
        return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST, "invalid chunk size");
      if (size == 0)
        break;
      if (size > conn->max_body || body->len + size > conn->max_body)
        return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_TOO_LARGE, "request body too large");
      if (!ensure_avail (conn, (gsize)size + 1, error))
        return FALSE;
      g_byte_array_append (body, conn_data (conn), (guint)size);
      conn->pos += (gsize)size;
      /* the chunk ends with CRLF (bare LF tolerated) */
      if (conn_data (conn)[0] == '\r')
        {
          if (!ensure_avail (conn, 2, error))
            return FALSE;
          conn->pos++;
        }
      if (conn_data (conn)[0] != '\n')
        return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST,
                            "chunk data not followed by a line end");
      conn->pos++;
    }

  /* trailer fields are read and ignored */
  for (;;)
    {
      g_autofree gchar *line = read_line (conn, conn->max_head, error);
      if (line == NULL)
        return FALSE;
      if (line[0] == '\0')
        break;
      trailer_bytes += strlen (line);
      if (trailer_bytes > conn->max_head)
        return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_HEADERS_TOO_LARGE,
                            "request trailers too large");
    }
  *body_out = g_byte_array_free_to_bytes (g_steal_pointer (&body));
  return TRUE;
}

static gboolean
is_token (const gchar *s, gsize len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar)s[i];
      if (g_ascii_isalnum (c))
        continue;
      if (strchr ("!#$%&'*+-.^_`|~", c) == NULL || c == '\0')
        return FALSE;
    }
  return TRUE;
}

typedef struct
{
  gboolean has_length;
  guint64 length;
  gchar *transfer_encoding;
  gboolean conn_close;
  gboolean conn_keep_alive;
  gboolean expect_continue;
} HeadInfo;

static void
head_info_clear (HeadInfo *info)
{
  g_clear_pointer (&info->transfer_encoding, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HeadInfo, head_info_clear)

static gboolean
parse_request_line (gchar *line, BerthPluginHttpRequest *request, GError **error)
{
  gchar *sp1 = strchr (line, ' ');
  gchar *sp2 = sp1 != NULL ? strchr (sp1 + 1, ' ') : NULL;
  const gchar *version;
  gchar *target;
  gchar *cut;

  if (sp1 == NULL || sp2 == NULL || strchr (sp2 + 1, ' ') != NULL || sp2 == sp1 + 1)
    return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST, "malformed request line");
  if (!is_token (line, (gsize)(sp1 - line)))
    return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST, "malformed request method");

  version = sp2 + 1;
  if (g_strcmp0 (version, "HTTP/1.1") == 0)
    request->minor_version = 1;
  else if (g_strcmp0 (version, "HTTP/1.0") == 0)
    request->minor_version = 0;
  else if (g_str_has_prefix (version, "HTTP/") && g_ascii_isdigit (version[5]) && version[6] == '.'
           && g_ascii_isdigit (version[7]) && version[8] == '\0')
    return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_VERSION, "HTTP version not supported");
  else
    return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST, "malformed HTTP version");

  *sp2 = '\0';
  target = sp1 + 1;
  /* absolute-form: keep the path */
  if (g_str_has_prefix (target, "http://") || g_str_has_prefix (target, "https://"))
    {
      gchar *slash = strchr (strstr (target, "://") + 3, '/');
      target = slash != NULL ? slash : (gchar *)"/";
    }
  if (target[0] != '/')
    return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST, "malformed request target");
  for (const gchar *p = target; *p != '\0'; p++)
    {
      if ((guchar)*p < 0x21 || (guchar)*p == 0x7f)
        return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST, "malformed request target");
    }
  cut = strpbrk (target, "?#");
  request->path = cut != NULL ? g_strndup (target, (gsize)(cut - target)) : g_strdup (target);
  request->method = g_strndup (line, (gsize)(sp1 - line));
  return TRUE;
}

static gboolean
parse_header (const gchar *line, HeadInfo *info, GError **error)
{
  const gchar *colon = strchr (line, ':');
  g_autofree gchar *name = NULL;
  g_autofree gchar *value = NULL;

  if (line[0] == ' ' || line[0] == '\t')
    return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST, "obsolete header folding");
  if (colon == NULL || !is_token (line, (gsize)(colon - line)))
    return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST, "malformed header field");
  name = g_strndup (line, (gsize)(colon - line));
  value = g_strstrip (g_strdup (colon + 1));

  if (g_ascii_strcasecmp (name, "Content-Length") == 0)
    {
      guint64 length = 0;
      gsize digits = 0;

      for (const gchar *p = value; *p != '\0'; p++, digits++)
        {
          if (!g_ascii_isdigit (*p) || digits >= 18)
            return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST,
                                "invalid Content-Length");
          length = length * 10 + (guint64)(*p - '0');
        }
      if (digits == 0 || (info->has_length && info->length != length))
        return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST, "invalid Content-Length");
      info->has_length = TRUE;
      info->length = length;
    }
  else if (g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
    {
      gchar *joined = info->transfer_encoding != NULL
                        ? g_strconcat (info->transfer_encoding, ", ", value, NULL)
                        : g_strdup (value);
      g_free (info->transfer_encoding);
      info->transfer_encoding = joined;
    }
  else if (g_ascii_strcasecmp (name, "Connection") == 0)
    {
      g_auto(GStrv) tokens = g_strsplit (value, ",", -1);
      for (guint i = 0; tokens[i] != NULL; i++)
        {
          g_strstrip (tokens[i]);
          if (g_ascii_strcasecmp (tokens[i], "close") == 0)
            info->conn_close = TRUE;
          else if (g_ascii_strcasecmp (tokens[i], "keep-alive") == 0)
            info->conn_keep_alive = TRUE;
        }
    }
  else if (g_ascii_strcasecmp (name, "Expect") == 0)
    {
      if (g_ascii_strcasecmp (value, "100-continue") != 0)
        return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_EXPECTATION_FAILED,
                            "unsupported expectation");
      info->expect_continue = TRUE;
    }
  return TRUE;
}

static gboolean
send_continue (BerthPluginHttpConn *conn, BerthPluginHttpRequest *request, GError **error)
{
  static const gchar msg[] = "HTTP/1.1 100 Continue\r\n\r\n";

  /* nothing to ask for when the body is already on its way */
  if (request->minor_version < 1 || conn_avail (conn) > 0)
    return TRUE;
  return g_output_stream_write_all (conn->output, msg, sizeof msg - 1, NULL, conn->cancellable,
                                    error);
}

/**
 * berth_plugin_http_read_request:
 * @conn: a connection
 * @request: (out caller-allocates): the request; clear it with
 *   berth_plugin_http_request_clear()
 * @error: %BERTH_PLUGIN_HTTP_ERROR (the code is the status to answer with),
 *   or an I/O error
 *
 * Reads one request, head and body.
 *
 * Returns: %TRUE when a whole request was read
 */
gboolean
berth_plugin_http_read_request (BerthPluginHttpConn *conn,
                                BerthPluginHttpRequest *request,
                                GError **error)
{
  g_autofree gchar *head = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(HeadInfo) info = { 0 };
  guint n_headers = 0;

  memset (request, 0, sizeof *request);
  head = read_head (conn, error);
  if (head == NULL)
    return FALSE;

  lines = g_strsplit (head, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gsize len = strlen (lines[i]);
      if (len > 0 && lines[i][len - 1] == '\r')
        lines[i][len - 1] = '\0';
    }
  if (!parse_request_line (lines[0], request, error))
    return FALSE;
  for (guint i = 1; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      if (++n_headers > MAX_HEADER_LINES)
        return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_HEADERS_TOO_LARGE,
                            "too many header fields");
      if (!parse_header (lines[i], &info, error))
        return FALSE;
    }

  if (request->minor_version >= 1)
    request->keep_alive = !info.conn_close;
  else
    request->keep_alive = info.conn_keep_alive && !info.conn_close;

  if (info.transfer_encoding != NULL)
    {
      if (info.has_length)
        return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_BAD_REQUEST,
                            "both Content-Length and Transfer-Encoding");
      if (g_ascii_strcasecmp (info.transfer_encoding, "chunked") != 0)
        return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_NOT_IMPLEMENTED,
                            "unsupported transfer coding");
      if (info.expect_continue && !send_continue (conn, request, error))
        return FALSE;
      return read_chunked_body (conn, &request->body, error);
    }

  if (!info.has_length || info.length == 0)
    {
      request->body = g_bytes_new (NULL, 0);
      return TRUE;
    }
  if (info.length > conn->max_body)
    return bad_request (error, BERTH_PLUGIN_HTTP_ERROR_TOO_LARGE, "request body too large");
  if (info.expect_continue && !send_continue (conn, request, error))
    return FALSE;
  if (!ensure_avail (conn, (gsize)info.length, error))
    return FALSE;
  request->body = g_bytes_new (conn_data (conn), (gsize)info.length);
  conn->pos += (gsize)info.length;
  return TRUE;
}

/**
 * berth_plugin_http_write_response:
 * @conn: a connection
 * @status: the HTTP status
 * @content_type: (nullable): the media type of @body
 * @extra_headers: (nullable): more header lines, each ending in CRLF
 * @body: (array length=body_len): the body
 * @body_len: its length
 * @keep_alive: whether the connection stays open
 * @error: an I/O error
 *
 * Writes one whole response.
 *
 * Returns: %TRUE on success
 */
gboolean
berth_plugin_http_write_response (BerthPluginHttpConn *conn,
                                  guint status,
                                  const gchar *content_type,
                                  const gchar *extra_headers,
                                  const gchar *body,
                                  gsize body_len,
                                  gboolean keep_alive,
                                  GError **error)
{
  g_autoptr(GString) out = g_string_sized_new (256 + body_len);

  g_string_append_printf (out, "HTTP/1.1 %u %s\r\n", status, berth_plugin_http_reason (status));
  if (content_type != NULL)
    g_string_append_printf (out, "Content-Type: %s\r\n", content_type);
  g_string_append_printf (out, "Content-Length: %" G_GSIZE_FORMAT "\r\n", body_len);
  if (extra_headers != NULL)
    g_string_append (out, extra_headers);
  if (!keep_alive)
    g_string_append (out, "Connection: close\r\n");
  g_string_append (out, "\r\n");
  g_string_append_len (out, body, (gssize)body_len);
  return g_output_stream_write_all (conn->output, out->str, out->len, NULL, conn->cancellable,
                                    error);
}
