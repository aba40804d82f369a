/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <string.h>

#include "berth-error.h"
#include "berth-json-write.h"
#include "berth-reference.h"

/*
 * This follows github.com/distribution/reference v0.6.0 (normalize.go,
 * reference.go, regexp.go) and github.com/opencontainers/go-digest v1.0.0
 * (digest validation), which is what dockerd and the docker CLI link. The
 * regular expressions of regexp.go are written out as small scanners; each
 * one names the expression it stands for.
 */

#define BERTH_REFERENCE_DEFAULT_DOMAIN        "docker.io"
#define BERTH_REFERENCE_LEGACY_DEFAULT_DOMAIN "index.docker.io"
#define BERTH_REFERENCE_OFFICIAL_REPO_PREFIX  "library/"
#define BERTH_REFERENCE_DEFAULT_TAG           "latest"
#define BERTH_REFERENCE_LOCALHOST             "localhost"
#define BERTH_REFERENCE_NAME_TOTAL_LENGTH_MAX 255
#define BERTH_REFERENCE_TAG_LENGTH_MAX        128

struct _BerthReference
{
  gchar *domain; /* "" when the name has no domain part */
  gchar *path;
  gchar *tag;    /* nullable */
  gchar *digest; /* nullable */
};

G_DEFINE_BOXED_TYPE (BerthReference, berth_reference, berth_reference_copy, berth_reference_free)

static BerthReference *
berth_reference_new (const gchar *domain, const gchar *path, const gchar *tag, const gchar *digest)
{
  BerthReference *ref = g_new0 (BerthReference, 1);
  ref->domain = g_strdup (domain != NULL ? domain : "");
  ref->path = g_strdup (path);
  ref->tag = g_strdup (tag);
  ref->digest = g_strdup (digest);
  return ref;
}

/* ---- the grammar of regexp.go ---- */

static gboolean
berth_reference_is_alnum_lower (gchar c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static gboolean
berth_reference_is_hex_lower (gchar c)
{
  return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9');
}

/* pathComponent: [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)* */
static gboolean
berth_reference_match_path_component (const gchar *s, gsize len)
{
  gsize i = 0;

  for (;;)
    {
      gsize start = i;
      while (i < len && berth_reference_is_alnum_lower (s[i]))
        i++;
      if (i == start)
        return FALSE;
      if (i == len)
        return TRUE;

      /* a separator, then another alphanumeric run */
      if (s[i] == '.')
        i++;
      else if (s[i] == '_')
        {
          i++;
          if (i < len && s[i] == '_')
            i++;
        }
      else if (s[i] == '-')
        {
          while (i < len && s[i] == '-')
            i++;
        }
      else
        return FALSE;
    }
}

/* remoteName: pathComponent(?:/pathComponent)* */
static gboolean
berth_reference_match_remote_name (const gchar *s, gsize len)
{
  gsize start = 0;

  for (gsize i = 0; i <= len; i++)
    {
      if (i == len || s[i] == '/')
        {
          if (!berth_reference_match_path_component (s + start, i - start))
            return FALSE;
          start = i + 1;
        }
    }
  return TRUE;
}

/* domainNameComponent: [a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static gboolean
berth_reference_match_domain_component (const gchar *s, gsize len)
{
  if (len == 0 || !g_ascii_isalnum (s[0]) || !g_ascii_isalnum (s[len - 1]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isalnum (s[i]) && s[i] != '-')
        return FALSE;
    }
  return TRUE;
}

/* domainAndPort: (?:domainName|\[[a-fA-F0-9:]+\])(?::[0-9]+)? */
static gboolean
berth_reference_match_domain (const gchar *s, gsize len)
{
  gsize host_len;

  if (len > 0 && s[0] == '[')
    {
      const gchar *bracket = memchr (s, ']', len);
      if (bracket == NULL || bracket == s + 1)
        return FALSE;
      for (const gchar *p = s + 1; p < bracket; p++)
        {
          if (!g_ascii_isxdigit (*p) && *p != ':')
            return FALSE;
        }
      host_len = (gsize)(bracket - s) + 1;
    }
  else
    {
      const gchar *colon = memchr (s, ':', len);
      gsize start = 0;

      host_len = colon != NULL ? (gsize)(colon - s) : len;
      for (gsize i = 0; i <= host_len; i++)
        {
          if (i == host_len || s[i] == '.')
            {
              if (!berth_reference_match_domain_component (s + start, i - start))
                return FALSE;
              start = i + 1;
            }
        }
    }

  if (host_len == len)
    return TRUE;

  /* the optional port: one or more digits and nothing else */
  if (s[host_len] != ':' || host_len + 1 == len)
    return FALSE;
  for (gsize i = host_len + 1; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
    }
  return TRUE;
}

/*
 * anchoredNameRegexp: ^(?:(domainAndPort)/)?(remoteName)$
 *
 * the optional group is greedy, so the first component is the domain whenever
 * it can be one; sets @domain_len to 0 when the name has no domain
 */
static gboolean
berth_reference_match_name (const gchar *s, gsize len, gsize *domain_len)
{
  const gchar *slash = memchr (s, '/', len);

  if (slash != NULL)
    {
      gsize dlen = (gsize)(slash - s);
      if (berth_reference_match_domain (s, dlen)
          && berth_reference_match_remote_name (slash + 1, len - dlen - 1))
        {
          *domain_len = dlen;
          return TRUE;
        }
    }
  *domain_len = 0;
  return berth_reference_match_remote_name (s, len);
}

/* tag: [\w][\w.-]{0,127}, where \w is ASCII only as in Go */
static gboolean
berth_reference_match_tag (const gchar *s, gsize len)
{
  if (len == 0 || len > BERTH_REFERENCE_TAG_LENGTH_MAX)
    return FALSE;
  if (!g_ascii_isalnum (s[0]) && s[0] != '_')
    return FALSE;
  for (gsize i = 1; i < len; i++)
    {
      if (!g_ascii_isalnum (s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
        return FALSE;
    }
  return TRUE;
}

/* digestPat: [A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,} */
static gboolean
berth_reference_match_digest (const gchar *s, gsize len)
{
  const gchar *colon = memchr (s, ':', len);
  gsize alg_len;
  gboolean want_letter = TRUE;

  if (colon == NULL)
    return FALSE;
  alg_len = (gsize)(colon - s);
  if (alg_len == 0)
    return FALSE;
  for (gsize i = 0; i < alg_len; i++)
    {
      if (want_letter)
        {
          if (!g_ascii_isalpha (s[i]))
            return FALSE;
          want_letter = FALSE;
        }
      else if (s[i] == '-' || s[i] == '_' || s[i] == '+' || s[i] == '.')
        want_letter = TRUE;
      else if (!g_ascii_isalnum (s[i]))
        return FALSE;
    }
  if (want_letter)
    return FALSE;

  if (len - alg_len - 1 < 32)
    return FALSE;
  for (gsize i = alg_len + 1; i < len; i++)
    {
      if (!g_ascii_isxdigit (s[i]))
        return FALSE;
    }
  return TRUE;
}

/*
 * referencePat: ^(namePat)(?::(tag))?(?:@(digestPat))?$
 *
 * no part but the digest holds '@', so the first '@' starts the digest; the
 * name holds ':' only in its domain, before the first '/', so a ':' after the
 * last '/' (or any ':' when there is no '/') starts the tag
 */
static gboolean
berth_reference_match_reference (const gchar *s,
                                 gsize *name_len,
                                 gsize *domain_len,
                                 const gchar **tag,
                                 gsize *tag_len,
                                 const gchar **digest)
{
  const gchar *at = strchr (s, '@');
  gsize left_len = at != NULL ? (gsize)(at - s) : strlen (s);
  const gchar *last_slash = g_strrstr_len (s, (gssize)left_len, "/");
  const gchar *last_colon = g_strrstr_len (s, (gssize)left_len, ":");

  *tag = NULL;
  *tag_len = 0;
  *digest = NULL;

  if (at != NULL)
    {
      if (!berth_reference_match_digest (at + 1, strlen (at + 1)))
        return FALSE;
      *digest = at + 1;
    }

  if (last_colon != NULL && (last_slash == NULL || last_colon > last_slash))
    {
      *tag = last_colon + 1;
      *tag_len = left_len - (gsize)(last_colon - s) - 1;
      if (!berth_reference_match_tag (*tag, *tag_len))
        return FALSE;
      left_len = (gsize)(last_colon - s);
    }

  *name_len = left_len;
  return berth_reference_match_name (s, left_len, domain_len);
}

/* ---- Go's strings.ToLower, as far as the parser can tell ---- */

/*
 * whether strings.ToLower(s) == s; Go maps runes one by one with their simple
 * case mapping and turns invalid UTF-8 into U+FFFD, which changes the string
 */
static gboolean
berth_reference_is_lower (const gchar *s)
{
  if (!g_utf8_validate (s, -1, NULL))
    return FALSE;
  for (const gchar *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_tolower (c) != c)
        return FALSE;
    }
  return TRUE;
}

/* strings.ToLower(s), or NULL when s is not UTF-8 (the result could not parse) */
static gchar *
berth_reference_to_lower (const gchar *s)
{
  GString *out;

  if (!g_utf8_validate (s, -1, NULL))
    return NULL;
  out = g_string_sized_new (strlen (s));
  for (const gchar *p = s; *p != '\0'; p = g_utf8_next_char (p))
    g_string_append_unichar (out, g_unichar_tolower (g_utf8_get_char (p)));
  return g_string_free (out, FALSE);
}

/* ---- go-digest v1.0.0 Digest.Validate ---- */

/* DigestRegexpAnchored of go-digest: ^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$ */
static gboolean
berth_reference_match_go_digest (const gchar *s)
{
  const gchar *colon = strchr (s, ':');
  gboolean want_alnum = TRUE;

  if (colon == NULL || colon == s || colon[1] == '\0')
    return FALSE;
  for (const gchar *p = s; p < colon; p++)
    {
      if (berth_reference_is_alnum_lower (*p))
        want_alnum = FALSE;
      else if (!want_alnum && (*p == '.' || *p == '+' || *p == '_' || *p == '-'))
        want_alnum = TRUE;
      else
        return FALSE;
    }
  if (want_alnum)
    return FALSE;
  for (const gchar *p = colon + 1; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '=' && *p != '_' && *p != '-')
        return FALSE;
    }
  return TRUE;
}

/*
 * sha256, sha384 and sha512 are the algorithms go-digest knows; dockerd links
 * crypto/sha512, so all three are available there
 */
static gboolean
berth_reference_validate_digest (const gchar *digest, GError **error)
{
  const gchar *colon = strchr (digest, ':');
  g_autofree gchar *algorithm = NULL;
  gsize encoded_len;
  gsize want_len;

  if (colon == NULL || colon == digest || colon[1] == '\0')
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "invalid checksum digest format");
      return FALSE;
    }
  algorithm = g_strndup (digest, (gsize)(colon - digest));
  if (g_strcmp0 (algorithm, "sha256") == 0)
    want_len = 64;
  else if (g_strcmp0 (algorithm, "sha384") == 0)
    want_len = 96;
  else if (g_strcmp0 (algorithm, "sha512") == 0)
    want_len = 128;
  else
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           berth_reference_match_go_digest (digest)
                             ? "unsupported digest algorithm"
                             : "invalid checksum digest format");
      return FALSE;
    }

  encoded_len = strlen (colon + 1);
  if (encoded_len != want_len)
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "invalid checksum digest length");
      return FALSE;
    }
  for (const gchar *p = colon + 1; *p != '\0'; p++)
    {
      if (!berth_reference_is_hex_lower (*p))
        {
          g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "invalid checksum digest format");
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- reference.go Parse and normalize.go ParseNormalizedNamed ---- */

/* reference.go Parse(), for a string that has a name */
static BerthReference *
berth_reference_parse_any (const gchar *s, GError **error)
{
  gsize name_len = 0;
  gsize domain_len = 0;
  const gchar *tag = NULL;
  gsize tag_len = 0;
  const gchar *digest = NULL;
  g_autofree gchar *domain = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *tag_str = NULL;

  if (*s == '\0')
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "repository name must have at least one component");
      return NULL;
    }

  if (!berth_reference_match_reference (s, &name_len, &domain_len, &tag, &tag_len, &digest))
    {
      g_autofree gchar *lower = berth_reference_to_lower (s);
      gsize l_name_len, l_domain_len, l_tag_len;
      const gchar *l_tag, *l_digest;

      /* it parses once lowercased, so the name had capitals in it */
      if (lower != NULL && g_strcmp0 (lower, s) != 0
          && berth_reference_match_reference (lower, &l_name_len, &l_domain_len, &l_tag, &l_tag_len,
                                              &l_digest))
        {
          g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                               "repository name must be lowercase");
          return NULL;
        }
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "invalid reference format");
      return NULL;
    }

  if (domain_len > 0)
    {
      domain = g_strndup (s, domain_len);
      path = g_strndup (s + domain_len + 1, name_len - domain_len - 1);
    }
  else
    path = g_strndup (s, name_len);

  /* the limit is on the path alone, not the domain */
  if (strlen (path) > BERTH_REFERENCE_NAME_TOTAL_LENGTH_MAX)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "repository name must not be more than %d characters",
                   BERTH_REFERENCE_NAME_TOTAL_LENGTH_MAX);
      return NULL;
    }

  if (digest != NULL && !berth_reference_validate_digest (digest, error))
    return NULL;

  if (tag != NULL)
    tag_str = g_strndup (tag, tag_len);
  return berth_reference_new (domain, path, tag_str, digest);
}

/* identifier: [a-f0-9]{64} */
static gboolean
berth_reference_is_identifier (const gchar *s)
{
  gsize i;

  for (i = 0; s[i] != '\0'; i++)
    {
      if (i >= 64 || !berth_reference_is_hex_lower (s[i]))
        return FALSE;
    }
  return i == 64;
}

/* normalize.go splitDockerDomain() */
static void
berth_reference_split_docker_domain (const gchar *name, gchar **domain, gchar **remote)
{
  const gchar *slash = strchr (name, '/');
  g_autofree gchar *maybe_domain = NULL;
  const gchar *maybe_remote;

  if (slash == NULL)
    {
      /* one component ("familiar" names) is always a Docker Hub official image */
      *domain = g_strdup (BERTH_REFERENCE_DEFAULT_DOMAIN);
      *remote = g_strconcat (BERTH_REFERENCE_OFFICIAL_REPO_PREFIX, name, NULL);
      return;
    }

  maybe_domain = g_strndup (name, (gsize)(slash - name));
  maybe_remote = slash + 1;
  if (g_strcmp0 (maybe_domain, BERTH_REFERENCE_LOCALHOST) == 0)
    {
      *domain = g_steal_pointer (&maybe_domain);
      *remote = g_strdup (maybe_remote);
    }
  else if (g_strcmp0 (maybe_domain, BERTH_REFERENCE_LEGACY_DEFAULT_DOMAIN) == 0)
    {
      *domain = g_strdup (BERTH_REFERENCE_DEFAULT_DOMAIN);
      *remote = g_strdup (maybe_remote);
    }
  else if (strpbrk (maybe_domain, ".:") != NULL || !berth_reference_is_lower (maybe_domain))
    {
      /* a dot, a colon, or capitals (never allowed in a path): a host name */
      *domain = g_steal_pointer (&maybe_domain);
      *remote = g_strdup (maybe_remote);
    }
  else
    {
      *domain = g_strdup (BERTH_REFERENCE_DEFAULT_DOMAIN);
      *remote = g_strdup (name);
    }

  /* "docker.io/ubuntu" is "docker.io/library/ubuntu", on Docker Hub only */
  if (g_strcmp0 (*domain, BERTH_REFERENCE_DEFAULT_DOMAIN) == 0 && strchr (*remote, '/') == NULL)
    {
      gchar *tmp = g_strconcat (BERTH_REFERENCE_OFFICIAL_REPO_PREFIX, *remote, NULL);
      g_free (*remote);
      *remote = tmp;
    }
}

/**
 * berth_reference_parse:
 * @text: a reference as a user types it, e.g. `vieux/sshfs:1.0`
 * @error: return location for a #GError, or %NULL
 *
 * Parses @text and normalises it to a fully qualified reference, as Docker's
 * `reference.ParseNormalizedNamed()` does: `busybox` becomes
 * `docker.io/library/busybox`, `index.docker.io/vieux/sshfs` becomes
 * `docker.io/vieux/sshfs`. No default tag is added; see
 * berth_reference_with_default_tag().
 *
 * The error messages are Docker's, e.g. `invalid reference format`.
 *
 * Returns: (transfer full): a new #BerthReference, or %NULL with
 *   %BERTH_ERROR_INVALID_ARGUMENT set
 */
BerthReference *
berth_reference_parse (const gchar *text, GError **error)
{
  g_autofree gchar *domain = NULL;
  g_autofree gchar *remainder = NULL;
  g_autofree gchar *remote = NULL;
  g_autofree gchar *full = NULL;
  const gchar *colon;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (berth_reference_is_identifier (text))
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "invalid repository name (%s), cannot specify 64-byte hexadecimal strings",
                   text);
      return NULL;
    }

  berth_reference_split_docker_domain (text, &domain, &remainder);

  /* the remote name is what precedes the first ':', tag and all */
  colon = strchr (remainder, ':');
  remote = colon != NULL ? g_strndup (remainder, (gsize)(colon - remainder)) : g_strdup (remainder);
  if (!berth_reference_is_lower (remote))
    {
      g_autofree gchar *shown = g_utf8_make_valid (remote, -1);
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                   "invalid reference format: repository name (%s) must be lowercase", shown);
      return NULL;
    }

  full = g_strconcat (domain, "/", remainder, NULL);
  return berth_reference_parse_any (full, error);
}

/**
 * berth_reference_copy:
 * @ref: a #BerthReference
 *
 * Returns: (transfer full): a copy of @ref
 */
BerthReference *
berth_reference_copy (const BerthReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  return berth_reference_new (ref->domain, ref->path, ref->tag, ref->digest);
}

/**
 * berth_reference_free:
 * @ref: (nullable): a #BerthReference
 *
 * Frees @ref.
 */
void
berth_reference_free (BerthReference *ref)
{
  if (ref == NULL)
    return;
  g_free (ref->domain);
  g_free (ref->path);
  g_free (ref->tag);
  g_free (ref->digest);
  g_free (ref);
}

/**
 * berth_reference_with_default_tag:
 * @ref: a #BerthReference
 *
 * Adds the tag `latest` when @ref has neither a tag nor a digest, as
 * Docker's `reference.TagNameOnly()` does.
 *
 * Returns: (transfer full): a new #BerthReference
 */
BerthReference *
berth_reference_with_default_tag (const BerthReference *ref)
{
  BerthReference *copy;

  g_return_val_if_fail (ref != NULL, NULL);

  copy = berth_reference_copy (ref);
  if (copy->tag == NULL && copy->digest == NULL)
    copy->tag = g_strdup (BERTH_REFERENCE_DEFAULT_TAG);
  return copy;
}

/**
 * berth_reference_get_domain:
 * @ref: a #BerthReference
 *
 * Gets the registry host, e.g. `docker.io` or `localhost:5000`. A parsed
 * reference has one except in a corner Docker shares: a first component
 * that looks like a host but is not a valid one (`foo_bar.com/x`) stays in
 * the path, and the domain is empty.
 *
 * Returns: the domain, possibly empty
 */
const gchar *
berth_reference_get_domain (const BerthReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  return ref->domain;
}

/**
 * berth_reference_get_path:
 * @ref: a #BerthReference
 *
 * Gets the repository path inside the registry, e.g. `library/busybox`.
 *
 * Returns: the path
 */
const gchar *
berth_reference_get_path (const BerthReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  return ref->path;
}

/**
 * berth_reference_get_tag:
 * @ref: a #BerthReference
 *
 * Returns: (nullable): the tag, or %NULL if there is none
 */
const gchar *
berth_reference_get_tag (const BerthReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  return ref->tag;
}

/**
 * berth_reference_get_digest:
 * @ref: a #BerthReference
 *
 * Returns: (nullable): the digest, e.g. `sha256:…`, or %NULL if there is none
 */
const gchar *
berth_reference_get_digest (const BerthReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  return ref->digest;
}

/**
 * berth_reference_is_canonical:
 * @ref: a #BerthReference
 *
 * Tells whether @ref pins content by digest (Docker's `reference.Canonical`),
 * with or without a tag.
 *
 * Returns: %TRUE if @ref has a digest
 */
gboolean
berth_reference_is_canonical (const BerthReference *ref)
{
  g_return_val_if_fail (ref != NULL, FALSE);
  return ref->digest != NULL;
}

static gchar *
berth_reference_build (const gchar *domain,
                       const gchar *path,
                       const gchar *tag,
                       const gchar *digest)
{
  GString *s = g_string_new (NULL);

  if (domain != NULL && *domain != '\0')
    g_string_append_printf (s, "%s/", domain);
  g_string_append (s, path);
  if (tag != NULL)
    g_string_append_printf (s, ":%s", tag);
  if (digest != NULL)
    g_string_append_printf (s, "@%s", digest);
  return g_string_free (s, FALSE);
}

/* normalize.go familiarizeName(): drop docker.io/, and library/ of one-level names */
static gchar *
berth_reference_build_familiar (const BerthReference *ref, gboolean with_tag_and_digest)
{
  const gchar *domain = ref->domain;
  const gchar *path = ref->path;

  if (g_strcmp0 (domain, BERTH_REFERENCE_DEFAULT_DOMAIN) == 0)
    {
      domain = NULL;
      if (g_str_has_prefix (path, BERTH_REFERENCE_OFFICIAL_REPO_PREFIX)
          && strchr (path + strlen (BERTH_REFERENCE_OFFICIAL_REPO_PREFIX), '/') == NULL)
        path += strlen (BERTH_REFERENCE_OFFICIAL_REPO_PREFIX);
    }
  if (!with_tag_and_digest)
    return berth_reference_build (domain, path, NULL, NULL);
  return berth_reference_build (domain, path, ref->tag, ref->digest);
}

/**
 * berth_reference_name:
 * @ref: a #BerthReference
 *
 * Gets the fully qualified repository name without tag or digest, e.g.
 * `docker.io/vieux/sshfs` (Docker's `Named.Name()`).
 *
 * Returns: (transfer full): the name
 */
gchar *
berth_reference_name (const BerthReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  return berth_reference_build (ref->domain, ref->path, NULL, NULL);
}

/**
 * berth_reference_familiar_name:
 * @ref: a #BerthReference
 *
 * Gets the short repository name users see, without tag or digest, e.g.
 * `busybox` for `docker.io/library/busybox:latest` (Docker's
 * `reference.FamiliarName()`).
 *
 * Returns: (transfer full): the familiar name
 */
gchar *
berth_reference_familiar_name (const BerthReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  return berth_reference_build_familiar (ref, FALSE);
}

/**
 * berth_reference_to_string:
 * @ref: a #BerthReference
 *
 * Formats @ref fully qualified, e.g. `docker.io/library/busybox:latest`
 * (Docker's `String()`).
 *
 * Returns: (transfer full): the reference as a string
 */
gchar *
berth_reference_to_string (const BerthReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  return berth_reference_build (ref->domain, ref->path, ref->tag, ref->digest);
}

/**
 * berth_reference_to_familiar:
 * @ref: a #BerthReference
 *
 * Formats @ref the short way users see it, e.g. `busybox:latest` or
 * `localhost:5000/vieux/sshfs:1.0` (Docker's `reference.FamiliarString()`).
 *
 * Returns: (transfer full): the familiar string
 */
gchar *
berth_reference_to_familiar (const BerthReference *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  return berth_reference_build_familiar (ref, TRUE);
}

/**
 * berth_reference_normalize_local_name:
 * @text: a plugin name as typed, e.g. `vieux/sshfs`
 * @error: return location for a #GError, or %NULL
 *
 * Computes the local name Docker stores for a plugin:
 * `FamiliarString(TagNameOnly(ParseNormalizedNamed(text)))`, so `vieux/sshfs`
 * gives `vieux/sshfs:latest` and `docker.io/library/foo` gives `foo:latest`.
 * A reference with a digest is refused, as `docker plugin create` refuses it.
 *
 * Returns: (transfer full): the local name, or %NULL with
 *   %BERTH_ERROR_INVALID_ARGUMENT set
 */
gchar *
berth_reference_normalize_local_name (const gchar *text, GError **error)
{
  g_autoptr(BerthReference) ref = NULL;
  g_autoptr(BerthReference) tagged = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ref = berth_reference_parse (text, error);
  if (ref == NULL)
    return NULL;
  if (berth_reference_is_canonical (ref))
    {
      g_set_error_literal (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                           "canonical references are not permitted");
      return NULL;
    }
  tagged = berth_reference_with_default_tag (ref);
  return berth_reference_to_familiar (tagged);
}

static gint
berth_reference_plugin_not_found (const gchar *query, GError **error)
{
  g_autofree gchar *quoted = berth_go_quote (query);
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND, "plugin %s not found", quoted);
  return -1;
}

/**
 * berth_reference_resolve_plugin:
 * @query: what the user typed: a full ID, a name, or an ID prefix
 * @ids: (array zero-terminated=1): the plugin IDs, 64 lowercase hex each
 * @names: (array): the local names of the same plugins, in the same order,
 *   e.g. `vieux/sshfs:latest`; a %NULL entry never matches by name
 * @error: return location for a #GError, or %NULL
 *
 * Finds the plugin @query means, as Docker's plugin store
 * (`resolvePluginID`) does. A full 64-hex ID matches that ID only. Anything
 * else that parses as a reference without a digest is normalised
 * (`vieux/sshfs`, `docker.io/vieux/sshfs` and `vieux/sshfs:latest` are all
 * `vieux/sshfs:latest`) and compared with @names; if no name matches, @query
 * is taken as an ID prefix of any length. A name therefore wins over an ID
 * prefix that reads the same.
 *
 * Returns: the index into @ids, or -1 with %BERTH_ERROR_NOT_FOUND
 *   (`plugin "ab" not found`) or %BERTH_ERROR_INVALID_ARGUMENT
 *   (`multiple plugins found for "ab"`) set
 */
gint
berth_reference_resolve_plugin (const gchar *query,
                                const gchar *const *ids,
                                const gchar *const *names,
                                GError **error)
{
  g_autoptr(BerthReference) ref = NULL;
  g_autoptr(BerthReference) tagged = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autofree gchar *familiar = NULL;
  gint found = -1;

  g_return_val_if_fail (query != NULL, -1);
  g_return_val_if_fail (ids != NULL, -1);
  g_return_val_if_fail (names != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (berth_reference_is_identifier (query))
    {
      for (gint i = 0; ids[i] != NULL; i++)
        {
          if (g_strcmp0 (ids[i], query) == 0)
            return i;
        }
      return berth_reference_plugin_not_found (query, error);
    }

  /* Docker stops here on a parse error or a digest; no ID is matched by
   * prefix then, which only matters for the empty string */
  ref = berth_reference_parse (query, &parse_error);
  if (ref == NULL)
    {
      g_debug ("cannot resolve plugin %s: %s", query, parse_error->message);
      return berth_reference_plugin_not_found (query, error);
    }
  if (berth_reference_is_canonical (ref))
    {
      g_autofree gchar *shown = berth_reference_to_familiar (ref);
      g_debug ("canonical references cannot be resolved: %s", shown);
      return berth_reference_plugin_not_found (query, error);
    }

  tagged = berth_reference_with_default_tag (ref);
  familiar = berth_reference_to_familiar (tagged);
  for (gint i = 0; ids[i] != NULL; i++)
    {
      if (g_strcmp0 (names[i], familiar) == 0)
        return i;
    }

  for (gint i = 0; ids[i] != NULL; i++)
    {
      if (!g_str_has_prefix (ids[i], query))
        continue;
      if (found >= 0)
        {
          g_autofree gchar *quoted = berth_go_quote (query);
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                       "multiple plugins found for %s", quoted);
          return -1;
        }
      found = i;
    }
  if (found < 0)
    return berth_reference_plugin_not_found (query, error);
  return found;
}
