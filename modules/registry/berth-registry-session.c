/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthRegistry"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "berth-registry-private.h"

/* the most of an error body or token answer that is read */
#define SMALL_BODY_MAX (64 * 1024)
#define MAX_REDIRECTS  10

struct _BerthRegistrySession
{
  BerthRegistryTransport *transport;
  BerthRegistrySettings *settings; /* the transport's */
  BerthReference *ref;
  gchar *display; /* the reference, for messages */
  gchar *host;    /* host[:port] requests go to */
  gchar *path;    /* repository path */
  gchar *scheme;
  gchar *scope;
  gchar *token_key;
  gchar *username;
  gchar *password;
  gboolean insecure;
  gboolean login; /* checking credentials: errors say it, no hints */
  GList *cas;     /* of GTlsCertificate: the host's extra CAs */
  SoupSession *soup;
  GMutex lock; /* guards authorization: workers share the session */
  gchar *authorization;
};

static gboolean
host_is_loopback (const gchar *hostname)
{
  g_autoptr(GInetAddress) addr = NULL;
  if (g_ascii_strcasecmp (hostname, "localhost") == 0)
    return TRUE;
  addr = g_inet_address_new_from_string (hostname);
  return addr != NULL && g_inet_address_get_is_loopback (addr);
}

/* "host:port" → "host"; "[::1]:5000" → "::1" */
static gchar *
hostname_of (const gchar *host)
{
  const gchar *colon;
  if (host[0] == '[')
    {
      const gchar *end = strchr (host, ']');
      return end != NULL ? g_strndup (host + 1, (gsize)(end - host - 1)) : g_strdup (host);
    }
  colon = strrchr (host, ':');
  return colon != NULL ? g_strndup (host, (gsize)(colon - host)) : g_strdup (host);
}

static gchar *
uri_host_port (GUri *uri)
{
  const gchar *h = g_uri_get_host (uri);
  gint port = g_uri_get_port (uri);
  gboolean v6 = strchr (h, ':') != NULL;
  if (port < 0)
    port = g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
  return g_strdup_printf ("%s%s%s:%d", v6 ? "[" : "", h, v6 ? "]" : "", port);
}

static gboolean
host_port_equal (GUri *uri, const gchar *scheme, const gchar *host)
{
  g_autofree gchar *a = uri_host_port (uri);
  g_autofree gchar *url = g_strdup_printf ("%s://%s/", scheme, host);
  g_autoptr(GUri) other = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  g_autofree gchar *b = other != NULL ? uri_host_port (other) : NULL;
  return g_strcmp0 (a, b) == 0;
}

static void
load_cas (BerthRegistrySession *self)
{
  g_autofree gchar *hostname = hostname_of (self->host);
  for (guint i = 0; self->settings->certs_dirs != NULL && self->settings->certs_dirs[i]; i++)
    {
      const gchar *names[] = { self->host, hostname };
      for (guint j = 0; j < G_N_ELEMENTS (names); j++)
        {
          g_autofree gchar *dir_path
            = g_build_filename (self->settings->certs_dirs[i], names[j], NULL);
          g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
          const gchar *name;
          if (dir == NULL || (j == 1 && g_str_equal (names[0], names[1])))
            continue;
          while ((name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree gchar *file = NULL;
              g_autoptr(GError) error = NULL;
              GList *certs;
              if (!g_str_has_suffix (name, ".crt"))
                continue;
              file = g_build_filename (dir_path, name, NULL);
              certs = g_tls_certificate_list_new_from_file (file, &error);
              if (error != NULL)
                g_warning ("ignoring CA %s: %s", file, error->message);
              g_debug ("trusting the CAs in %s for %s", file, self->host);
              self->cas = g_list_concat (self->cas, certs);
            }
        }
    }
}

static gboolean
on_accept_certificate (SoupMessage *msg,
                       GTlsCertificate *cert,
                       GTlsCertificateFlags errors,
                       gpointer user_data)
{
  BerthRegistrySession *self = user_data;
  GUri *uri = soup_message_get_uri (msg);
  g_autoptr(GSocketConnectable) identity = NULL;

  /* insecure is the registry's own host only, never a host it redirects to */
  if (self->insecure && host_port_equal (uri, self->scheme ? self->scheme : "https", self->host))
    return TRUE;
  identity = g_network_address_new (g_uri_get_host (uri), (guint16)MAX (g_uri_get_port (uri), 0));
  for (GList *l = self->cas; l != NULL; l = l->next)
    if (g_tls_certificate_verify (cert, identity, l->data) == 0)
      return TRUE;
  return FALSE;
}

gboolean
berth_registry_error_is_transient (const GError *error)
{
  if (error == NULL)
    return FALSE;
  if (error->domain == G_RESOLVER_ERROR)
    return error->code == G_RESOLVER_ERROR_TEMPORARY_FAILURE;
  if (error->domain != G_IO_ERROR)
    return FALSE;
  switch (error->code)
    {
      case G_IO_ERROR_TIMED_OUT:
      case G_IO_ERROR_CONNECTION_REFUSED:
      case G_IO_ERROR_CONNECTION_CLOSED:
      case G_IO_ERROR_PARTIAL_INPUT:
      case G_IO_ERROR_HOST_UNREACHABLE:
      case G_IO_ERROR_NETWORK_UNREACHABLE:
      case G_IO_ERROR_NOT_CONNECTED:
        return TRUE;
      default:
        return FALSE;
    }
}

static gboolean
status_is_transient (guint status)
{
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503
         || status == 504;
}

/**
 * berth_registry_read_limited:
 * @stream: a response body
 * @msg: (nullable): its message, for `Content-Length`
 * @limit: the most bytes accepted
 * @what: what is read, for messages
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads a whole small body, refusing one over @limit before reading it
 * when `Content-Length` says so, and as soon as it passes @limit otherwise.
 *
 * Returns: (transfer full): the bytes, or %NULL
 */
GBytes *
berth_registry_read_limited (GInputStream *stream,
                             SoupMessage *msg,
                             gsize limit,
                             const gchar *what,
                             GCancellable *cancellable,
                             GError **error)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  goffset length
    = msg != NULL
        ? soup_message_headers_get_content_length (soup_message_get_response_headers (msg))
        : 0;
  guint8 chunk[16384];

  if (length > 0 && (gsize)length > limit)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "%s is %" G_GOFFSET_FORMAT " bytes, over the limit of %" G_GSIZE_FORMAT " bytes",
                   what, length, limit);
      return NULL;
    }
  while (TRUE)
    {
      gssize n = g_input_stream_read (stream, chunk, sizeof chunk, cancellable, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      g_byte_array_append (buf, chunk, (guint)n);
      if (buf->len > limit)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "%s is over the limit of %" G_GSIZE_FORMAT " bytes", what, limit);
          return NULL;
        }
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

/* the registry's own words, `errors[].message`, when it gave any */
static gchar *
registry_messages (GBytes *body)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  JsonNode *errors;
  gsize len = 0;
  const gchar *data;

  if (body == NULL || g_bytes_get_size (body) == 0)
    return NULL;
  data = g_bytes_get_data (body, &len);
  node = berth_json_parse (data, (gssize)len, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  errors = json_object_get_member (json_node_get_object (node), "errors");
  if (errors == NULL || !JSON_NODE_HOLDS_ARRAY (errors))
    {
      /* token servers answer {"details": ...} or {"error": ...} */
      JsonObject *obj = json_node_get_object (node);
      const gchar *m = berth_json_object_get_string (obj, "details");
      if (m == NULL)
        m = berth_json_object_get_string (obj, "error");
      return g_strdup (m);
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (errors)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (errors), i);
      const gchar *m;
      if (!JSON_NODE_HOLDS_OBJECT (e))
        continue;
      m = berth_json_object_get_string (json_node_get_object (e), "message");
      if (m == NULL)
        continue;
      if (out->len > 0)
        g_string_append (out, "; ");
      g_string_append (out, m);
    }
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

static void
set_status_error (BerthRegistrySession *self,
                  SoupMessage *msg,
                  GInputStream *stream,
                  const gchar *what,
                  const gchar *server,
                  GCancellable *cancellable,
                  GError **error)
{
  guint status = soup_message_get_status (msg);
  g_autoptr(GBytes) body = NULL;
  g_autofree gchar *messages = NULL;
  gint code = BERTH_ERROR_FAILED;
  const gchar *hint = "";

  if (stream != NULL)
    body
      = berth_registry_read_limited (stream, NULL, SMALL_BODY_MAX, "the error", cancellable, NULL);
  messages = registry_messages (body);
  if (status == 401 || status == 403)
    {
      code = BERTH_ERROR_PERMISSION_DENIED;
      if (!self->login && (messages == NULL || strstr (messages, "password") == NULL))
        hint = self->username != NULL ? " (wrong username or password?)" : " (not logged in?)";
    }
  else if (status == 404)
    code = BERTH_ERROR_NOT_FOUND;
  g_set_error (error, BERTH_ERROR, code, "%s: %s answered %u %s%s%s%s", what, server, status,
               soup_message_get_reason_phrase (msg), messages ? ": " : "", messages ? messages : "",
               hint);
}

static void
set_authorization (BerthRegistrySession *self, const gchar *value)
{
  g_mutex_lock (&self->lock);
  g_free (self->authorization);
  self->authorization = g_strdup (value);
  g_mutex_unlock (&self->lock);
}

static gchar *
dup_authorization (BerthRegistrySession *self)
{
  gchar *value;
  g_mutex_lock (&self->lock);
  value = g_strdup (self->authorization);
  g_mutex_unlock (&self->lock);
  return value;
}

static gchar *
basic_value (BerthRegistrySession *self)
{
  g_autofree gchar *pair
    = g_strconcat (self->username, ":", self->password ? self->password : "", NULL);
  g_autofree gchar *b64 = g_base64_encode ((const guchar *)pair, strlen (pair));
  return g_strconcat ("Basic ", b64, NULL);
}

/* what libsoup makes a message of: http(s) with a host; a registry's
 * redirect or token realm may name anything */
static gboolean
uri_is_http (GUri *uri)
{
  const gchar *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  const gchar *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  return (g_strcmp0 (scheme, "https") == 0 || g_strcmp0 (scheme, "http") == 0) && host != NULL
         && *host != '\0';
}

static gboolean
fetch_token (BerthRegistrySession *self,
             GHashTable *params,
             GCancellable *cancellable,
             GError **error)
{
  const gchar *realm = g_hash_table_lookup (params, "realm");
  const gchar *service = g_hash_table_lookup (params, "service");
  g_autoptr(GString) url = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree gchar *value = NULL;
  const gchar *token;
  JsonObject *obj;
  gint64 expires_in;

  if (realm == NULL || *realm == '\0')
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                   "the registry %s asks for a token but names no realm", self->host);
      return FALSE;
    }
  url = g_string_new (realm);
  g_string_append_c (url, strchr (realm, '?') ? '&' : '?');
  if (service != NULL)
    {
      g_autofree gchar *e = g_uri_escape_string (service, NULL, FALSE);
      g_string_append_printf (url, "service=%s&", e);
    }
  /* a login asks for no scope, as Docker's does: only whether the
   * credentials are good */
  if (self->scope != NULL)
    {
      g_autofree gchar *e = g_uri_escape_string (self->scope, NULL, FALSE);
      g_string_append_printf (url, "scope=%s", e);
    }
  else
    g_string_truncate (url, url->len - 1);

  {
    g_autoptr(GUri) parsed = g_uri_parse (url->str, SOUP_HTTP_URI_FLAGS, NULL);
    if (!uri_is_http (parsed))
      {
        g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                     "the registry %s names an invalid token realm “%s”", self->host, realm);
        return FALSE;
      }
  }
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url->str);
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) body = NULL;
      guint status;

      if (msg == NULL)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                       "the registry %s names an invalid token realm “%s”", self->host, realm);
          return FALSE;
        }
      g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), self);
      if (self->username != NULL)
        {
          g_autofree gchar *basic = basic_value (self);
          soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                        basic);
        }
      stream = soup_session_send (self->soup, msg, cancellable, &local_error);
      if (stream == NULL)
        {
          if (berth_registry_error_is_transient (local_error)
              && attempt + 1 < self->settings->max_attempts
              && berth_registry_session_sleep (self, attempt, cancellable, NULL))
            continue;
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "getting a token for %s from %s: %s",
                       self->host, realm, local_error->message);
          return FALSE;
        }
      status = soup_message_get_status (msg);
      if (status_is_transient (status) && attempt + 1 < self->settings->max_attempts
          && berth_registry_session_sleep (self, attempt, cancellable, NULL))
        continue;
      if (status != 200)
        {
          g_autofree gchar *what
            = g_strdup_printf ("getting a token for %s from %s", self->host, realm);
          set_status_error (self, msg, stream, what, "the token server", cancellable, error);
          if (status == 401 || status == 403)
            g_prefix_error_literal (error, "unauthorized: ");
          return FALSE;
        }
      body = berth_registry_read_limited (stream, msg, SMALL_BODY_MAX, "the token", cancellable,
                                          error);
      if (body == NULL)
        return FALSE;
      node
        = berth_json_parse (g_bytes_get_data (body, NULL), (gssize)g_bytes_get_size (body), NULL);
      break;
    }
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                   "the token server %s answered something other than JSON", realm);
      return FALSE;
    }
  obj = json_node_get_object (node);
  token = berth_json_object_get_string (obj, "token");
  if (token == NULL || *token == '\0')
    token = berth_json_object_get_string (obj, "access_token");
  if (token == NULL || *token == '\0')
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "the token server %s gave no token",
                   realm);
      return FALSE;
    }
  /* it goes in a header: libsoup drops a value with a line break in it
   * (with a critical) and the request would go without authentication */
  for (const gchar *p = token; *p != '\0'; p++)
    {
      if ((guchar)*p < 0x20 || *p == 0x7f)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                       "the token server %s gave a token with a control character in it", realm);
          return FALSE;
        }
    }
  expires_in = berth_json_object_get_int (obj, "expires_in", 60);
  value = g_strconcat ("Bearer ", token, NULL);
  set_authorization (self, value);
  if (self->token_key != NULL)
    berth_registry_transport_store_token (self->transport, self->token_key, value, expires_in);
  return TRUE;
}

/* answers a 401's challenge: a token for Bearer, the password for Basic */
static gboolean
authenticate (BerthRegistrySession *self,
              const gchar *challenge,
              GCancellable *cancellable,
              GError **error)
{
  g_autoptr(GHashTable) params = NULL;

  if (challenge == NULL)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_PERMISSION_DENIED,
                   "the registry %s refused access and sent no WWW-Authenticate challenge",
                   self->host);
      return FALSE;
    }
  if (g_ascii_strncasecmp (challenge, "Bearer ", 7) == 0)
    {
      params = soup_header_parse_param_list (challenge + 7);
      return fetch_token (self, params, cancellable, error);
    }
  if (g_ascii_strncasecmp (challenge, "Basic", 5) == 0)
    {
      g_autofree gchar *value = NULL;
      if (self->username == NULL)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_PERMISSION_DENIED,
                       "the registry %s needs a login (no basic auth credentials); run "
                       "`berth login %s`",
                       self->host, self->host);
          return FALSE;
        }
      value = basic_value (self);
      set_authorization (self, value);
      return TRUE;
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_SUPPORTED,
               "the registry %s asks for unsupported authentication: %s", self->host, challenge);
  return FALSE;
}

/**
 * berth_registry_session_sleep:
 * @self: a session
 * @attempt: how many attempts failed before, from 0
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Waits before a retry: the back-off doubles with each attempt, up to 10 s.
 *
 * Returns: %FALSE if cancelled meanwhile
 */
gboolean
berth_registry_session_sleep (BerthRegistrySession *self,
                              guint attempt,
                              GCancellable *cancellable,
                              GError **error)
{
  gint64 delay_ms = MIN ((gint64)self->settings->backoff_ms << MIN (attempt, 10), 10000);
  gint64 until = g_get_monotonic_time () + delay_ms * 1000;
  while (g_get_monotonic_time () < until)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_usleep (MIN (20000, (gulong)MAX (0, until - g_get_monotonic_time ())));
    }
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/**
 * berth_registry_session_send:
 * @self: a session
 * @request: what to send
 * @out_msg: (out) (optional): the message, for its headers
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Sends a request and returns the body of its 2xx answer. Answers 401
 * challenges once, follows redirects itself (sending `Authorization` only
 * to the registry's own host, never to a CDN it redirects to), and retries
 * with back-off on connection errors, timeouts, 408, 429 and 5xx. Other
 * answers become errors carrying the registry's `errors[].message`.
 *
 * Returns: (transfer full): the response body, or %NULL
 */
GInputStream *
berth_registry_session_send (BerthRegistrySession *self,
                             const BerthRegistryRequest *request,
                             SoupMessage **out_msg,
                             GCancellable *cancellable,
                             GError **error)
{
  g_autofree gchar *url = NULL;
  guint attempt = 0;
  guint redirects = 0;
  gboolean refreshed = FALSE;
  g_autofree gchar *what = NULL;

  if (strstr (request->url, "://") != NULL)
    url = g_strdup (request->url);
  else
    url = g_strdup_printf ("%s://%s%s", self->scheme, self->host, request->url);
  what = g_strdup_printf ("%s %s", request->method, url);

  while (TRUE)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &local_error);
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GInputStream) body = NULL;
      SoupMessageHeaders *headers;
      gboolean same_host;
      guint status;

      if (uri == NULL)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "%s: invalid URL: %s", what,
                       local_error->message);
          return NULL;
        }
      /* a redirect may name anything: libsoup makes no message of a URL
       * that is not http(s) with a host ("http:/x", "file:///…") */
      if (!uri_is_http (uri))
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "%s: invalid URL: %s", what, url);
          return NULL;
        }
      msg = soup_message_new_from_uri (request->method, uri);
      soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
      g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), self);
      headers = soup_message_get_request_headers (msg);
      if (request->accept != NULL)
        soup_message_headers_replace (headers, "Accept", request->accept);
      if (request->range_start > 0)
        soup_message_headers_set_range (headers, request->range_start, -1);
      same_host = host_port_equal (uri, self->scheme, self->host);
      if (same_host)
        {
          g_autofree gchar *authorization = dup_authorization (self);
          if (authorization != NULL)
            soup_message_headers_replace (headers, "Authorization", authorization);
        }
      if (request->body != NULL)
        soup_message_set_request_body_from_bytes (msg, request->content_type, request->body);
      else if (request->open_body != NULL)
        {
          body = request->open_body (request->body_data, cancellable, error);
          if (body == NULL)
            return NULL;
          soup_message_set_request_body (msg, request->content_type, body, request->body_length);
        }
      else if (request->content_type != NULL)
        soup_message_headers_set_content_length (headers, 0);

      stream = soup_session_send (self->soup, msg, cancellable, &local_error);
      if (stream == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          if (berth_registry_error_is_transient (local_error)
              && ++attempt < self->settings->max_attempts)
            {
              g_debug ("%s: %s; retrying", what, local_error->message);
              if (!berth_registry_session_sleep (self, attempt - 1, cancellable, error))
                return NULL;
              continue;
            }
          if (local_error->domain == G_TLS_ERROR)
            g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                         "%s: TLS: %s (a registry with a private CA needs it in "
                         "/etc/docker/certs.d/%s/ca.crt or /etc/berth/certs.d/%s/; one that "
                         "speaks plain HTTP must be listed in berthd.conf [registry] insecure=)",
                         what, local_error->message, self->host, self->host);
          else
            g_set_error (error, BERTH_ERROR,
                         g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
                           ? BERTH_ERROR_TIMED_OUT
                           : BERTH_ERROR_FAILED,
                         "%s: %s", what, local_error->message);
          return NULL;
        }
      status = soup_message_get_status (msg);
      if (SOUP_STATUS_IS_REDIRECTION (status) && status != 304)
        {
          const gchar *location
            = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
          g_autofree gchar *next = NULL;
          if (location == NULL || ++redirects > MAX_REDIRECTS)
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "%s: %s", what,
                           location == NULL ? "a redirect without a Location"
                                            : "too many redirects");
              return NULL;
            }
          /* an absolute target must be one libsoup can fetch; GLib 2.74
           * fails on some ("https:/..//x") without setting an error */
          {
            g_autoptr(GUri) absolute = g_uri_parse (location, SOUP_HTTP_URI_FLAGS, NULL);
            if (absolute != NULL && !uri_is_http (absolute))
              {
                g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "%s: a redirect to “%s”", what,
                             location);
                return NULL;
              }
          }
          next = g_uri_resolve_relative (url, location, SOUP_HTTP_URI_FLAGS, &local_error);
          if (next == NULL)
            {
              g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "%s: a redirect to “%s”: %s",
                           what, location,
                           local_error != NULL ? local_error->message : "not a URL");
              return NULL;
            }
          g_debug ("%s: redirected to %s", what, next);
          g_free (url);
          url = g_steal_pointer (&next);
          continue;
        }
      if (status == 401 && same_host && !refreshed)
        {
          const gchar *challenge = soup_message_headers_get_one (
            soup_message_get_response_headers (msg), "WWW-Authenticate");
          if (!authenticate (self, challenge, cancellable, error))
            return NULL;
          refreshed = TRUE;
          continue;
        }
      if (status_is_transient (status) && ++attempt < self->settings->max_attempts)
        {
          g_debug ("%s: %u; retrying", what, status);
          if (!berth_registry_session_sleep (self, attempt - 1, cancellable, error))
            return NULL;
          continue;
        }
      if (!SOUP_STATUS_IS_SUCCESSFUL (status))
        {
          g_autofree gchar *server = g_strdup_printf ("the registry %s", self->host);
          set_status_error (self, msg, stream, what, server, cancellable, error);
          return NULL;
        }
      if (out_msg != NULL)
        *out_msg = g_steal_pointer (&msg);
      return g_steal_pointer (&stream);
    }
}

/* a loopback or configured-insecure registry may speak plain HTTP, as with
 * Docker; https is tried first (unverified), then http */
static gboolean
choose_scheme (BerthRegistrySession *self, GCancellable *cancellable, GError **error)
{
  g_autofree gchar *cached = berth_registry_transport_lookup_scheme (self->transport, self->host);
  g_autofree gchar *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SoupSession) probe = NULL;

  if (cached != NULL)
    {
      self->scheme = g_steal_pointer (&cached);
      return TRUE;
    }
  if (!self->insecure)
    {
      self->scheme = g_strdup ("https");
      return TRUE;
    }
  /* a plain-HTTP server may sit silent on a TLS hello: ask briefly */
  probe = soup_session_new_with_options ("timeout", MIN (self->settings->timeout, 3),
                                         "proxy-resolver", NULL, NULL);
  url = g_strdup_printf ("https://%s/v2/", self->host);
  msg = soup_message_new ("GET", url);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), self);
  stream = soup_session_send (probe, msg, cancellable, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  self->scheme = g_strdup (stream != NULL ? "https" : "http");
  if (stream != NULL)
    g_input_stream_close (stream, NULL, NULL);
  g_debug ("%s speaks %s", self->host, self->scheme);
  berth_registry_transport_store_scheme (self->transport, self->host, self->scheme);
  return TRUE;
}

/* proxies from the environment, as Docker reads them; never GSettings,
 * which a daemon has no business reading (and which aborts where no
 * schemas are installed) */
static GProxyResolver *
proxy_resolver_from_env (void)
{
  const gchar *https
    = g_getenv ("HTTPS_PROXY") ? g_getenv ("HTTPS_PROXY") : g_getenv ("https_proxy");
  const gchar *http = g_getenv ("HTTP_PROXY") ? g_getenv ("HTTP_PROXY") : g_getenv ("http_proxy");
  const gchar *no = g_getenv ("NO_PROXY") ? g_getenv ("NO_PROXY") : g_getenv ("no_proxy");
  g_autoptr(GStrvBuilder) ignore = g_strv_builder_new ();
  g_auto(GStrv) hosts = NULL;
  g_auto(GStrv) no_hosts = NULL;
  GProxyResolver *resolver;

  if ((https == NULL || *https == '\0') && (http == NULL || *http == '\0'))
    return NULL;
  no_hosts = g_strsplit (no != NULL ? no : "", ",", -1);
  for (guint i = 0; no_hosts[i] != NULL; i++)
    if (*g_strstrip (no_hosts[i]) != '\0')
      g_strv_builder_add (ignore, no_hosts[i]);
  g_strv_builder_add (ignore, "localhost");
  g_strv_builder_add (ignore, "127.0.0.0/8");
  g_strv_builder_add (ignore, "::1");
  hosts = g_strv_builder_end (ignore);
  resolver = g_simple_proxy_resolver_new (http != NULL && *http ? http : https, hosts);
  if (https != NULL && *https != '\0')
    g_simple_proxy_resolver_set_uri_proxy (G_SIMPLE_PROXY_RESOLVER (resolver), "https", https);
  return resolver;
}

static gboolean
host_is_insecure (BerthRegistrySettings *settings, const gchar *host)
{
  g_autofree gchar *hostname = hostname_of (host);
  if (settings->loopback_insecure && host_is_loopback (hostname))
    return TRUE;
  for (guint i = 0; settings->insecure != NULL && settings->insecure[i] != NULL; i++)
    if (g_str_equal (settings->insecure[i], host) || g_str_equal (settings->insecure[i], hostname))
      return TRUE;
  return FALSE;
}

static BerthRegistrySession *
session_alloc (BerthRegistryTransport *transport, const gchar *host)
{
  BerthRegistrySession *self = g_new0 (BerthRegistrySession, 1);
  g_mutex_init (&self->lock);
  self->transport = g_object_ref (transport);
  self->settings = berth_registry_transport_get_settings (transport);
  self->host = g_strdup (host);
  return self;
}

/* TLS trust, the libsoup session and the scheme: what every session needs
 * once it knows its host and credentials */
static gboolean
session_connect (BerthRegistrySession *self, GCancellable *cancellable, GError **error)
{
  g_autoptr(GProxyResolver) proxy = proxy_resolver_from_env ();

  self->insecure = host_is_insecure (self->settings, self->host);
  load_cas (self);
  self->soup = soup_session_new_with_options ("timeout", self->settings->timeout, "idle-timeout",
                                              60, "user-agent", "berth/" PACKAGE_VERSION,
                                              "proxy-resolver", proxy, NULL);
  if (self->token_key != NULL)
    {
      g_autofree gchar *cached
        = berth_registry_transport_lookup_token (self->transport, self->token_key);
      if (cached != NULL)
        set_authorization (self, cached);
    }
  return choose_scheme (self, cancellable, error);
}

/**
 * berth_registry_session_new:
 * @transport: the transport
 * @reference: the reference to reach
 * @flags: %BERTH_TRANSPORT_FLAGS_PLUGIN for the `repository(plugin)` scope
 * @push: whether to ask for `pull,push`
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a session for @reference's repository, or %NULL
 */
BerthRegistrySession *
berth_registry_session_new (BerthRegistryTransport *transport,
                            const gchar *reference,
                            BerthTransportFlags flags,
                            gboolean push,
                            GCancellable *cancellable,
                            GError **error)
{
  g_autoptr(BerthRegistrySession) self = NULL;
  g_autoptr(BerthReference) parsed = NULL;
  const gchar *domain;

  parsed = berth_reference_parse (reference, error);
  if (parsed == NULL)
    return NULL;
  domain = berth_reference_get_domain (parsed);
  self = session_alloc (transport,
                        g_str_equal (domain, "docker.io") ? "registry-1.docker.io" : domain);
  self->ref = berth_reference_with_default_tag (parsed);
  self->display = berth_reference_to_string (self->ref);
  self->path = g_strdup (berth_reference_get_path (self->ref));
  self->scope = g_strdup_printf (
    "%s:%s:%s", (flags & BERTH_TRANSPORT_FLAGS_PLUGIN) ? "repository(plugin)" : "repository",
    self->path, push ? "pull,push" : "pull");
  self->token_key = g_strdup_printf ("%s %s", self->host, self->scope);
  if (!berth_registry_credentials_lookup (self->settings->docker_config_dir, self->host,
                                          &self->username, &self->password, cancellable, error))
    return NULL;
  if (!session_connect (self, cancellable, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * berth_registry_session_new_for_login:
 * @transport: the transport
 * @host: the registry's `host[:port]`
 * @username: the user name to check
 * @password: its password
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * A session for the registry itself, no repository: tokens are asked for
 * without a scope and are not cached for others.
 *
 * Returns: (transfer full): a session for checking credentials, or %NULL
 */
BerthRegistrySession *
berth_registry_session_new_for_login (BerthRegistryTransport *transport,
                                      const gchar *host,
                                      const gchar *username,
                                      const gchar *password,
                                      GCancellable *cancellable,
                                      GError **error)
{
  g_autoptr(BerthRegistrySession) self = session_alloc (transport, host);

  self->display = g_strdup (host);
  self->username = g_strdup (username);
  self->password = g_strdup (password);
  self->login = TRUE;
  if (!session_connect (self, cancellable, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * berth_registry_session_ping:
 * @self: a session
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the registry's `/v2/`, answering its challenge with the session's
 * credentials: Docker's check of a login.
 *
 * Returns: %TRUE if the registry answered 2xx
 */
gboolean
berth_registry_session_ping (BerthRegistrySession *self, GCancellable *cancellable, GError **error)
{
  BerthRegistryRequest request = { .method = "GET", .url = "/v2/" };
  g_autoptr(GInputStream) stream
             = berth_registry_session_send (self, &request, NULL, cancellable, error);

  if (stream == NULL)
    return FALSE;
  return g_input_stream_close (stream, cancellable, error);
}

void
berth_registry_session_free (BerthRegistrySession *self)
{
  g_clear_object (&self->transport);
  g_clear_pointer (&self->ref, berth_reference_free);
  g_free (self->display);
  g_free (self->host);
  g_free (self->path);
  g_free (self->scheme);
  g_free (self->scope);
  g_free (self->token_key);
  g_free (self->username);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_list_free_full (self->cas, g_object_unref);
  g_clear_object (&self->soup);
  g_free (self->authorization);
  g_mutex_clear (&self->lock);
  g_free (self);
}

BerthReference *
berth_registry_session_get_reference (BerthRegistrySession *self)
{
  return self->ref;
}

const gchar *
berth_registry_session_get_display (BerthRegistrySession *self)
{
  return self->display;
}

guint
berth_registry_session_get_max_attempts (BerthRegistrySession *self)
{
  return self->settings->max_attempts;
}

/**
 * berth_registry_session_url:
 * @self: a session
 * @kind: `manifests`, `blobs` or `blobs/uploads`
 * @tail: (nullable): a tag or digest
 *
 * Returns: (transfer full): the path of that resource in the repository
 */
gchar *
berth_registry_session_url (BerthRegistrySession *self, const gchar *kind, const gchar *tail)
{
  return g_strdup_printf ("/v2/%s/%s/%s", self->path, kind, tail != NULL ? tail : "");
}
