/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: what a registry (or its token server, or a CDN it
 * redirects to) answers.
 *
 * Feeds berth_registry_session_send() exactly as
 * modules/registry/berth-registry-session.c runs it: redirects (Location),
 * 401 challenges (WWW-Authenticate, parsed by libsoup's
 * soup_header_parse_param_list() and used by the static authenticate() and
 * fetch_token()), the token answer's JSON (fetch_token()), error bodies
 * (the static registry_messages()), then the body as fetch_manifest()
 * reads it. With flag bit 2 the request is a blob download through the
 * resuming blob stream (modules/registry/berth-registry-blob-stream.c), so
 * that its Range/Content-Range handling sees the fake statuses.
 *
 * Both .c files are #included, so their static functions are the real
 * ones; only soup_session_send(), soup_message_get_status() and
 * soup_message_get_reason_phrase() are replaced (by macros, before the
 * includes) with a fake server answering from the input. The transport is
 * the real BerthRegistryTransport (token cache included), registered
 * through the module's load function; the rest of the module is linked in
 * as a static library.
 *
 * Input: byte 0: flags (bit 0: logged in; bit 1: login session, no scope;
 * bit 2: a blob download; bits 3-7: the blob's size - 1); then answers
 * separated by a NUL byte, each `<status>\n<Header>: <value>\n...\n\n<body>`,
 * consumed one per request berth sends. */
#include <libsoup/soup.h>

static GInputStream *
fake_send (SoupSession *session, SoupMessage *msg, GCancellable *cancellable, GError **error);
static guint fake_status (SoupMessage *msg);
static const char *fake_reason (SoupMessage *msg);

#define soup_session_send              fake_send
#define soup_message_get_status        fake_status
#define soup_message_get_reason_phrase fake_reason
#include "berth-registry-session.c"
#undef G_LOG_DOMAIN
#include "berth-registry-blob-stream.c"
#undef soup_session_send
#undef soup_message_get_status
#undef soup_message_get_reason_phrase

#include "fuzz-common.h"

gboolean berth_module_registry_load (GTypeModule *module, GError **error);

static const guint8 *in_data;
static gsize in_size;
static gsize in_pos;
static guint sends;

/* the answer to the request berth sends now */
typedef struct
{
  guint status;
} FakeAnswer;

static GQuark answer_quark;

static GInputStream *
fake_send (SoupSession *session, SoupMessage *msg, GCancellable *cancellable, GError **error)
{
  const guint8 *start, *end, *nul;
  g_autofree gchar *head = NULL;
  g_auto(GStrv) lines = NULL;
  const gchar *blank;
  guint status = 200;
  SoupMessageHeaders *headers;
  gsize body_off;

  /* what libsoup does with what berth hands it */
  g_return_val_if_fail (SOUP_IS_MESSAGE (msg), NULL);
  if (++sends > 24)
    abort (); /* berth would loop: a hang */
  if (in_pos >= in_size)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "no more answers");
      return NULL;
    }
  start = in_data + in_pos;
  nul = memchr (start, '\0', in_size - in_pos);
  end = nul != NULL ? nul : in_data + in_size;
  in_pos = (end - in_data) + (nul != NULL ? 1 : 0);

  head = g_strndup ((const gchar *)start, end - start);
  blank = strstr (head, "\n\n");
  body_off = blank != NULL ? (gsize)(blank - head) + 2 : strlen (head);
  if (blank != NULL)
    head[blank - head] = '\0';
  lines = g_strsplit (head, "\n", -1);
  if (lines[0] != NULL)
    {
      guint64 s = g_ascii_strtoull (lines[0], NULL, 10);
      if (s >= 100 && s <= 599)
        status = (guint)s;
    }
  headers = soup_message_get_response_headers (msg);
  for (guint i = 1; lines[0] != NULL && lines[i] != NULL; i++)
    {
      gchar *colon = strchr (lines[i], ':');
      if (colon == NULL || colon == lines[i])
        continue;
      *colon = '\0';
      /* libsoup's parser gives berth no such names or values */
      if (!g_utf8_validate (lines[i], -1, NULL) || !g_utf8_validate (colon + 1, -1, NULL)
          || strpbrk (lines[i], " \t\r\n:") != NULL || strpbrk (colon + 1, "\r\n") != NULL)
        continue;
      soup_message_headers_append (headers, lines[i], g_strstrip (colon + 1));
    }
  g_object_set_qdata (G_OBJECT (msg), answer_quark, GUINT_TO_POINTER (status));
  {
    gsize body_len = (end - start) - MIN (body_off, (gsize)(end - start));
    gpointer body = g_memdup2 (start + MIN (body_off, (gsize)(end - start)), body_len);
    return g_memory_input_stream_new_from_data (body, body_len, g_free);
  }
}

static guint
fake_status (SoupMessage *msg)
{
  g_return_val_if_fail (SOUP_IS_MESSAGE (msg), 0);
  return GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT (msg), answer_quark));
}

static const char *
fake_reason (SoupMessage *msg)
{
  g_return_val_if_fail (SOUP_IS_MESSAGE (msg), NULL);
  return "Fuzzed";
}

static BerthRegistryTransport *transport;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;
  BerthModule *module;

  fuzz_init_logging (FALSE);
  answer_quark = g_quark_from_static_string ("fuzz-answer");
  module = berth_module_new_builtin ("registry", berth_module_registry_load);
  if (!berth_module_load_checked (module, &error))
    g_error ("%s", error->message);
  transport
    = g_object_new (BERTH_TYPE_REGISTRY_TRANSPORT, "docker-config-dir", "/nonexistent", NULL);
  berth_registry_transport_get_settings (transport)->max_attempts = 2;
  berth_registry_transport_get_settings (transport)->backoff_ms = 0;
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(BerthRegistrySession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  BerthRegistryRequest request = {
    .method = "GET",
    .url = "/v2/library/busybox/manifests/latest",
    .accept = "application/vnd.oci.image.index.v1+json",
  };

  if (size < 1)
    return 0;
  in_data = data + 1;
  in_size = size - 1;
  in_pos = 0;
  sends = 0;

  session = session_alloc (transport, "registry.example:5000");
  session->scheme = g_strdup ("https");
  session->display = g_strdup ("registry.example:5000/library/busybox:latest");
  session->path = g_strdup ("library/busybox");
  if (data[0] & 1)
    {
      session->username = g_strdup ("user");
      session->password = g_strdup ("secret");
    }
  if (data[0] & 2)
    session->login = TRUE;
  else
    {
      session->scope = g_strdup ("repository:library/busybox:pull");
      session->token_key = g_strdup_printf ("%s %s", session->host, session->scope);
    }

  if (data[0] & 4)
    {
      /* download_thread(): the blob's bytes through the resuming stream */
      g_autoptr(GInputStream) blob = berth_registry_blob_stream_new (
        session, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        1 + (data[0] >> 3), NULL, NULL);
      guint8 buf[64];
      gsize got = 0;
      if (!g_input_stream_read_all (blob, buf, sizeof buf, &got, NULL, &error) && error == NULL)
        {
          fprintf (stderr, "FUZZ: a blob read failed without an error\n");
          abort ();
        }
      return 0;
    }
  stream = berth_registry_session_send (session, &request, &msg, NULL, &error);
  if (stream == NULL)
    {
      if (error == NULL)
        {
          fprintf (stderr, "FUZZ: session_send failed without an error\n");
          abort ();
        }
      return 0;
    }
  /* fetch_manifest() */
  {
    g_autoptr(GBytes) bytes = berth_registry_read_limited (
      stream, msg, BERTH_REGISTRY_MANIFEST_MAX_SIZE, "the manifest", NULL, &error);
    g_autoptr(BerthRegistryManifest) manifest = NULL;
    if (bytes == NULL)
      return 0;
    manifest = berth_registry_manifest_parse (
      bytes, soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL),
      &error);
  }
  /* the token the session got is cached: the next session would use it */
  if (session->token_key != NULL)
    g_free (berth_registry_transport_lookup_token (transport, session->token_key));
  berth_registry_transport_forget_tokens (transport, "registry.example:5000");
  return 0;
}
