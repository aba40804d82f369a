/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <berth.h>

/*
 * The parse cases come from github.com/distribution/reference v0.6.0
 * (normalize_test.go, reference_test.go) run through ParseNormalizedNamed,
 * which is what dockerd and the docker CLI call, plus the corners that
 * normalisation adds (one-component names, index.docker.io, library/).
 */

#define HEX64_F   "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define HEX64_UPF "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
#define HEX64_A   "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"
#define HEX64_B   "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"
#define HEX64_C   "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c"
#define HEX63_C   "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9"
#define HEX128_F  HEX64_F HEX64_F
#define A16       "aaaaaaaaaaaaaaaa"
#define A255      A16 A16 A16 A16 A16 A16 A16 A16 A16 A16 A16 A16 A16 A16 A16 "aaaaaaaaaaaaaaa"
#define A256      A255 "a"
#define W16       "wwwwwwwwwwwwwwww"
#define TAG128    W16 W16 W16 W16 W16 W16 W16 W16
#define NS255                                                                                      \
  "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_"       \
  "namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_"     \
  "lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255"

#define LOWERCASE_ERROR(name)                                                                      \
  "invalid reference format: repository name (" name ") must be lowercase"

typedef struct
{
  const gchar *input;
  const gchar *error; /* NULL when the input parses */
  const gchar *domain;
  const gchar *path;
  const gchar *tag;
  const gchar *digest;
  const gchar *string;
  const gchar *familiar;
} ParseCase;

/* clang-format off */
static const ParseCase parse_cases[] = {
  /* Docker Hub names and their normalisation */
  { "busybox", NULL, "docker.io", "library/busybox", NULL, NULL,
    "docker.io/library/busybox", "busybox" },
  { "busybox:latest", NULL, "docker.io", "library/busybox", "latest", NULL,
    "docker.io/library/busybox:latest", "busybox:latest" },
  { "docker.io/library/busybox:latest", NULL, "docker.io", "library/busybox", "latest", NULL,
    "docker.io/library/busybox:latest", "busybox:latest" },
  { "library/busybox", NULL, "docker.io", "library/busybox", NULL, NULL,
    "docker.io/library/busybox", "busybox" },
  { "docker.io/busybox", NULL, "docker.io", "library/busybox", NULL, NULL,
    "docker.io/library/busybox", "busybox" },
  { "index.docker.io/busybox:1.36", NULL, "docker.io", "library/busybox", "1.36", NULL,
    "docker.io/library/busybox:1.36", "busybox:1.36" },
  { "vieux/sshfs", NULL, "docker.io", "vieux/sshfs", NULL, NULL,
    "docker.io/vieux/sshfs", "vieux/sshfs" },
  { "docker.io/vieux/sshfs", NULL, "docker.io", "vieux/sshfs", NULL, NULL,
    "docker.io/vieux/sshfs", "vieux/sshfs" },
  { "index.docker.io/vieux/sshfs:next", NULL, "docker.io", "vieux/sshfs", "next", NULL,
    "docker.io/vieux/sshfs:next", "vieux/sshfs:next" },
  { "library/ubuntu-12.04-base", NULL, "docker.io", "library/ubuntu-12.04-base", NULL, NULL,
    "docker.io/library/ubuntu-12.04-base", "ubuntu-12.04-base" },
  { "library/foo/bar", NULL, "docker.io", "library/foo/bar", NULL, NULL,
    "docker.io/library/foo/bar", "library/foo/bar" },
  { "store/foo/bar", NULL, "docker.io", "store/foo/bar", NULL, NULL,
    "docker.io/store/foo/bar", "store/foo/bar" },
  { "other/library", NULL, "docker.io", "other/library", NULL, NULL,
    "docker.io/other/library", "other/library" },
  { "test_com/foo", NULL, "docker.io", "test_com/foo", NULL, NULL,
    "docker.io/test_com/foo", "test_com/foo" },
  { "docker---rules/docker", NULL, "docker.io", "docker---rules/docker", NULL, NULL,
    "docker.io/docker---rules/docker", "docker---rules/docker" },
  { "dock__er/docker", NULL, "docker.io", "dock__er/docker", NULL, NULL,
    "docker.io/dock__er/docker", "dock__er/docker" },
  { "lowercase:Uppercase", NULL, "docker.io", "library/lowercase", "Uppercase", NULL,
    "docker.io/library/lowercase:Uppercase", "lowercase:Uppercase" },
  { "foo/foo_bar.com:8080", NULL, "docker.io", "foo/foo_bar.com", "8080", NULL,
    "docker.io/foo/foo_bar.com:8080", "foo/foo_bar.com:8080" },
  { "busybox:" TAG128, NULL, "docker.io", "library/busybox", TAG128, NULL,
    "docker.io/library/busybox:" TAG128, "busybox:" TAG128 },

  /* one component is always an official image, even when it looks like a host */
  { "192.168.0.1", NULL, "docker.io", "library/192.168.0.1", NULL, NULL,
    "docker.io/library/192.168.0.1", "192.168.0.1" },
  { "192.168.0.1:80", NULL, "docker.io", "library/192.168.0.1", "80", NULL,
    "docker.io/library/192.168.0.1:80", "192.168.0.1:80" },
  { "localhost", NULL, "docker.io", "library/localhost", NULL, NULL,
    "docker.io/library/localhost", "localhost" },
  { "localhost:5000", NULL, "docker.io", "library/localhost", "5000", NULL,
    "docker.io/library/localhost:5000", "localhost:5000" },
  { "docker.io", NULL, "docker.io", "library/docker.io", NULL, NULL,
    "docker.io/library/docker.io", "docker.io" },
  { "foo_bar.com:8080", NULL, "docker.io", "library/foo_bar.com", "8080", NULL,
    "docker.io/library/foo_bar.com:8080", "foo_bar.com:8080" },
  { "docker.io/" HEX64_A, NULL, "docker.io", "library/" HEX64_A, NULL, NULL,
    "docker.io/library/" HEX64_A, HEX64_A },
  { HEX63_C, NULL, "docker.io", "library/" HEX63_C, NULL, NULL,
    "docker.io/library/" HEX63_C, HEX63_C },
  { "dbcc1", NULL, "docker.io", "library/dbcc1", NULL, NULL,
    "docker.io/library/dbcc1", "dbcc1" },

  /* other registries: no library/ prefix, the domain stays */
  { "localhost:5000/vieux/sshfs:1.0", NULL, "localhost:5000", "vieux/sshfs", "1.0", NULL,
    "localhost:5000/vieux/sshfs:1.0", "localhost:5000/vieux/sshfs:1.0" },
  { "localhost/fooo", NULL, "localhost", "fooo", NULL, NULL,
    "localhost/fooo", "localhost/fooo" },
  { "localhost/fooo/bar", NULL, "localhost", "fooo/bar", NULL, NULL,
    "localhost/fooo/bar", "localhost/fooo/bar" },
  { "LOCALDOMAIN/fooo", NULL, "LOCALDOMAIN", "fooo", NULL, NULL,
    "LOCALDOMAIN/fooo", "LOCALDOMAIN/fooo" },
  { "Foo/bar", NULL, "Foo", "bar", NULL, NULL, "Foo/bar", "Foo/bar" },
  { "Docker/docker", NULL, "Docker", "docker", NULL, NULL, "Docker/docker", "Docker/docker" },
  { "127.0.0.1:8000/privatebase", NULL, "127.0.0.1:8000", "privatebase", NULL, NULL,
    "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase" },
  { "example.com/private/moonbase", NULL, "example.com", "private/moonbase", NULL, NULL,
    "example.com/private/moonbase", "example.com/private/moonbase" },
  { "example.com:8000/private/moonbase", NULL, "example.com:8000", "private/moonbase", NULL,
    NULL, "example.com:8000/private/moonbase", "example.com:8000/private/moonbase" },
  { "test-com:8080/foo", NULL, "test-com:8080", "foo", NULL, NULL,
    "test-com:8080/foo", "test-com:8080/foo" },
  { "xn--n3h.com:18080/foo", NULL, "xn--n3h.com:18080", "foo", NULL, NULL,
    "xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo" },
  { "sub-dom1.foo.com/bar/baz/quux:some-long-tag", NULL, "sub-dom1.foo.com", "bar/baz/quux",
    "some-long-tag", NULL, "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
    "sub-dom1.foo.com/bar/baz/quux:some-long-tag" },
  { "b.gcr.io/test.example.com/my-app:test.example.com", NULL, "b.gcr.io",
    "test.example.com/my-app", "test.example.com", NULL,
    "b.gcr.io/test.example.com/my-app:test.example.com",
    "b.gcr.io/test.example.com/my-app:test.example.com" },
  { "[fc00::1]:5000/docker/docker", NULL, "[fc00::1]:5000", "docker/docker", NULL, NULL,
    "[fc00::1]:5000/docker/docker", "[fc00::1]:5000/docker/docker" },
  { "[::1]:5000/repo:tag", NULL, "[::1]:5000", "repo", "tag", NULL,
    "[::1]:5000/repo:tag", "[::1]:5000/repo:tag" },
  { "[2001:db8::1]/repo", NULL, "[2001:db8::1]", "repo", NULL, NULL,
    "[2001:db8::1]/repo", "[2001:db8::1]/repo" },
  { "example.com/" A255 ":tag", NULL, "example.com", A255, "tag", NULL,
    "example.com/" A255 ":tag", "example.com/" A255 ":tag" },

  /* a first component with a dot that is no valid host stays in the path */
  { "foo_bar.com/x", NULL, "", "foo_bar.com/x", NULL, NULL, "foo_bar.com/x", "foo_bar.com/x" },

  /* digests */
  { "busybox:latest@sha256:" HEX64_B, NULL, "docker.io", "library/busybox", "latest",
    "sha256:" HEX64_B, "docker.io/library/busybox:latest@sha256:" HEX64_B,
    "busybox:latest@sha256:" HEX64_B },
  { "redis@sha256:" HEX64_C, NULL, "docker.io", "library/redis", NULL, "sha256:" HEX64_C,
    "docker.io/library/redis@sha256:" HEX64_C, "redis@sha256:" HEX64_C },
  { "dmcgowan/myapp@sha256:" HEX64_C, NULL, "docker.io", "dmcgowan/myapp", NULL,
    "sha256:" HEX64_C, "docker.io/dmcgowan/myapp@sha256:" HEX64_C,
    "dmcgowan/myapp@sha256:" HEX64_C },
  { "xn--7o8h.com/myimage:xn--7o8h.com@sha256:" HEX64_F, NULL, "xn--7o8h.com", "myimage",
    "xn--7o8h.com", "sha256:" HEX64_F, "xn--7o8h.com/myimage:xn--7o8h.com@sha256:" HEX64_F,
    "xn--7o8h.com/myimage:xn--7o8h.com@sha256:" HEX64_F },
  { "[2001:db8::1]:5000/repo:tag@sha256:" HEX64_F, NULL, "[2001:db8::1]:5000", "repo", "tag",
    "sha256:" HEX64_F, "[2001:db8::1]:5000/repo:tag@sha256:" HEX64_F,
    "[2001:db8::1]:5000/repo:tag@sha256:" HEX64_F },
  { "busybox@sha512:" HEX128_F, NULL, "docker.io", "library/busybox", NULL, "sha512:" HEX128_F,
    "docker.io/library/busybox@sha512:" HEX128_F, "busybox@sha512:" HEX128_F },

  /* invalid: the messages are the reference library's and go-digest's */
  { "", "invalid reference format" },
  { HEX64_A, "invalid repository name (" HEX64_A "), cannot specify 64-byte hexadecimal strings" },
  { "Foo", LOWERCASE_ERROR ("library/Foo") },
  { "Uppercase:tag", LOWERCASE_ERROR ("library/Uppercase") },
  { "docker.io/library/Foo", LOWERCASE_ERROR ("library/Foo") },
  { "docker.io/Foo", LOWERCASE_ERROR ("library/Foo") },
  { "docker/Docker", LOWERCASE_ERROR ("docker/Docker") },
  { "docker.io/docker/Docker", LOWERCASE_ERROR ("docker/Docker") },
  { "test:5000/Uppercase/lowercase:tag", LOWERCASE_ERROR ("Uppercase/lowercase") },
  { "foo/\xc3\x84", LOWERCASE_ERROR ("foo/\xc3\x84") },
  { "\xc3\x84/foo", "invalid reference format" },
  { "Foo.bar_x/baz", "repository name must be lowercase" },
  { NS255 "/docker", "repository name must not be more than 255 characters" },
  { "domain/" A256 ":tag", "repository name must not be more than 255 characters" },
  { "https://github.com/docker/docker", "invalid reference format" },
  { "-docker", "invalid reference format" },
  { "-docker/docker", "invalid reference format" },
  { "-docker.io/docker/docker", "invalid reference format" },
  { "docker-/docker", "invalid reference format" },
  { "docker///docker", "invalid reference format" },
  { "docker.io/docker///docker", "invalid reference format" },
  { "____/____", "invalid reference format" },
  { "_docker/_docker", "invalid reference format" },
  { "dock..er/docker", "invalid reference format" },
  { "dock_.er/docker", "invalid reference format" },
  { "dock-.er/docker", "invalid reference format" },
  { "docker/", "invalid reference format" },
  { "aa/asdf$$^/aa", "invalid reference format" },
  { ":justtag", "invalid reference format" },
  { "@sha256:" HEX64_F, "invalid reference format" },
  { "foo:", "invalid reference format" },
  { "foo:-tag", "invalid reference format" },
  { "busybox:" TAG128 "w", "invalid reference format" },
  { "[fc00::1]", "invalid reference format" },
  { "[fc00::1]:5000", "invalid reference format" },
  { "[2001:db8::1]:tag", "invalid reference format" },
  { "fc00::1:5000/debian", "invalid reference format" },
  { "[fe80::1%eth0]:5000/debian", "invalid reference format" },
  { "[2001:db8:3:4::192.0.2.33]:5000/debian", "invalid reference format" },
  { "busybox@sha256:fffffffffffffffffffffffffffffff", "invalid reference format" },
  { "repo@sha256:ffffffffffffffffffffffffffffffffff", "invalid checksum digest length" },
  { "validname@invaliddigest:" HEX64_F, "unsupported digest algorithm" },
  /* Docker checks case up to the first ':', which here ends inside the digest */
  { "validname@SHA256:" HEX64_F, LOWERCASE_ERROR ("library/validname@SHA256") },
  { "validname@sha256:" HEX64_UPF, "invalid checksum digest format" },
};
/* clang-format on */

static void
test_reference_parse_case (gconstpointer user_data)
{
  const ParseCase *tc = user_data;
  g_autoptr(BerthReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *string = NULL;
  g_autofree gchar *familiar = NULL;

  g_test_message ("input: \"%s\"", tc->input);
  ref = berth_reference_parse (tc->input, &error);
  if (tc->error != NULL)
    {
      g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, tc->error);
      g_assert_null (ref);
      return;
    }

  g_assert_no_error (error);
  g_assert_nonnull (ref);
  g_assert_cmpstr (berth_reference_get_domain (ref), ==, tc->domain);
  g_assert_cmpstr (berth_reference_get_path (ref), ==, tc->path);
  g_assert_cmpstr (berth_reference_get_tag (ref), ==, tc->tag);
  g_assert_cmpstr (berth_reference_get_digest (ref), ==, tc->digest);
  g_assert_cmpint (berth_reference_is_canonical (ref), ==, tc->digest != NULL);
  string = berth_reference_to_string (ref);
  g_assert_cmpstr (string, ==, tc->string);
  familiar = berth_reference_to_familiar (ref);
  g_assert_cmpstr (familiar, ==, tc->familiar);
}

/*
 * the fully qualified and the familiar forms parse back to the same thing,
 * except a familiar form that is 64 hex digits: Docker refuses those as names
 */
static void
test_reference_round_trip (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      const ParseCase *tc = &parse_cases[i];
      const gchar *forms[2];

      if (tc->error != NULL)
        continue;
      forms[0] = tc->string;
      forms[1] = tc->familiar;
      for (guint j = 0; j < G_N_ELEMENTS (forms); j++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(BerthReference) ref = berth_reference_parse (forms[j], &error);
          g_autofree gchar *string = NULL;

          g_test_message ("case %u: \"%s\" reparsing \"%s\"", i, tc->input, forms[j]);
          if (g_strcmp0 (forms[j], HEX64_A) == 0)
            {
              g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
              continue;
            }
          g_assert_no_error (error);
          string = berth_reference_to_string (ref);
          g_assert_cmpstr (string, ==, tc->string);
        }
    }
}

static void
test_reference_names (void)
{
  struct
  {
    const gchar *input;
    const gchar *name;
    const gchar *familiar_name;
  } cases[] = {
    { "busybox:latest", "docker.io/library/busybox", "busybox" },
    { "vieux/sshfs:1.0@sha256:" HEX64_F, "docker.io/vieux/sshfs", "vieux/sshfs" },
    { "library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar" },
    { "localhost:5000/vieux/sshfs:1.0", "localhost:5000/vieux/sshfs",
      "localhost:5000/vieux/sshfs" },
    { "FOO/bar:x", "FOO/bar", "FOO/bar" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BerthReference) ref = NULL;
      g_autofree gchar *name = NULL;
      g_autofree gchar *familiar_name = NULL;

      g_test_message ("input: \"%s\"", cases[i].input);
      ref = berth_reference_parse (cases[i].input, &error);
      g_assert_no_error (error);
      name = berth_reference_name (ref);
      g_assert_cmpstr (name, ==, cases[i].name);
      familiar_name = berth_reference_familiar_name (ref);
      g_assert_cmpstr (familiar_name, ==, cases[i].familiar_name);
    }
}

static void
test_reference_default_tag (void)
{
  struct
  {
    const gchar *input;
    const gchar *string;
  } cases[] = {
    /* TagNameOnly: only a bare name gets :latest */
    { "busybox", "docker.io/library/busybox:latest" },
    { "busybox:1.36", "docker.io/library/busybox:1.36" },
    { "busybox@sha256:" HEX64_F, "docker.io/library/busybox@sha256:" HEX64_F },
    { "busybox:1@sha256:" HEX64_F, "docker.io/library/busybox:1@sha256:" HEX64_F },
    { "localhost:5000/a/b", "localhost:5000/a/b:latest" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BerthReference) ref = NULL;
      g_autoptr(BerthReference) tagged = NULL;
      g_autofree gchar *string = NULL;
      g_autofree gchar *before = NULL;
      g_autofree gchar *after = NULL;

      g_test_message ("input: \"%s\"", cases[i].input);
      ref = berth_reference_parse (cases[i].input, &error);
      g_assert_no_error (error);
      before = berth_reference_to_string (ref);
      tagged = berth_reference_with_default_tag (ref);
      string = berth_reference_to_string (tagged);
      g_assert_cmpstr (string, ==, cases[i].string);
      /* the original is left alone */
      after = berth_reference_to_string (ref);
      g_assert_cmpstr (after, ==, before);
    }
}

static void
test_reference_boxed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthReference) ref = berth_reference_parse ("vieux/sshfs:next", &error);
  g_autoptr(BerthReference) copy = NULL;
  g_autofree gchar *string = NULL;
  gpointer boxed;

  g_assert_no_error (error);
  g_assert_true (G_TYPE_IS_BOXED (BERTH_TYPE_REFERENCE));
  copy = berth_reference_copy (ref);
  string = berth_reference_to_string (copy);
  g_assert_cmpstr (string, ==, "docker.io/vieux/sshfs:next");

  boxed = g_boxed_copy (BERTH_TYPE_REFERENCE, ref);
  g_assert_cmpstr (berth_reference_get_tag (boxed), ==, "next");
  g_boxed_free (BERTH_TYPE_REFERENCE, boxed);

  berth_reference_free (NULL);
}

static void
test_reference_local_name (void)
{
  struct
  {
    const gchar *input;
    const gchar *local_name; /* NULL: an error */
    const gchar *error;
  } cases[] = {
    { "vieux/sshfs", "vieux/sshfs:latest", NULL },
    { "vieux/sshfs:latest", "vieux/sshfs:latest", NULL },
    { "docker.io/vieux/sshfs", "vieux/sshfs:latest", NULL },
    { "index.docker.io/vieux/sshfs:next", "vieux/sshfs:next", NULL },
    { "sshfs", "sshfs:latest", NULL },
    { "docker.io/library/foo", "foo:latest", NULL },
    { "localhost:5000/a/b", "localhost:5000/a/b:latest", NULL },
    { "registry:5000/org/name:tag", "registry:5000/org/name:tag", NULL },
    { "foo@sha256:" HEX64_F, NULL, "canonical references are not permitted" },
    { "foo:1.0@sha256:" HEX64_F, NULL, "canonical references are not permitted" },
    { "Foo", NULL, LOWERCASE_ERROR ("library/Foo") },
    { "foo:", NULL, "invalid reference format" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *local_name = NULL;

      g_test_message ("input: \"%s\"", cases[i].input);
      local_name = berth_reference_normalize_local_name (cases[i].input, &error);
      if (cases[i].error != NULL)
        {
          g_assert_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT);
          g_assert_cmpstr (error->message, ==, cases[i].error);
          g_assert_null (local_name);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpstr (local_name, ==, cases[i].local_name);
    }
}

/* ---- resolution ---- */

#define ID_SSHFS "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
#define ID_FOO   "abd0000000000000000000000000000000000000000000000000000000000000"
#define ID_LOCAL "1234567890123456789012345678901234567890123456789012345678901234"
#define ID_CAFE  "cafe000000000000000000000000000000000000000000000000000000000000"
#define ID_NAMED "f00d000000000000000000000000000000000000000000000000000000000000"

static const gchar *const plugin_ids[] = {
  ID_SSHFS, ID_FOO, ID_LOCAL, ID_CAFE, ID_NAMED, NULL,
};

static const gchar *const plugin_names[] = {
  "vieux/sshfs:latest",
  "foo:latest",
  "localhost:5000/vieux/sshfs:1.0",
  "x/y:latest",
  /* a name that reads like the prefix of ID_CAFE */
  "cafe:latest",
};

typedef struct
{
  const gchar *query;
  gint index; /* -1: an error */
  gint code;
  const gchar *error;
} ResolveCase;

/* clang-format off */
static const ResolveCase resolve_cases[] = {
  /* full IDs */
  { ID_LOCAL, 2 },
  { ID_SSHFS, 0 },
  { "0000000000000000000000000000000000000000000000000000000000000000", -1, BERTH_ERROR_NOT_FOUND,
    "plugin \"0000000000000000000000000000000000000000000000000000000000000000\" not found" },
  /* names in every form Docker accepts */
  { "vieux/sshfs", 0 },
  { "vieux/sshfs:latest", 0 },
  { "docker.io/vieux/sshfs", 0 },
  { "docker.io/vieux/sshfs:latest", 0 },
  { "index.docker.io/vieux/sshfs", 0 },
  { "foo", 1 },
  { "foo:latest", 1 },
  { "library/foo", 1 },
  { "docker.io/library/foo:latest", 1 },
  { "localhost:5000/vieux/sshfs:1.0", 2 },
  { "localhost:5000/vieux/sshfs", -1, BERTH_ERROR_NOT_FOUND,
    "plugin \"localhost:5000/vieux/sshfs\" not found" },
  { "vieux/sshfs:next", -1, BERTH_ERROR_NOT_FOUND, "plugin \"vieux/sshfs:next\" not found" },
  /* ID prefixes of any length */
  { "1", 2 },
  { "abc", 0 },
  { "abd", 1 },
  { "abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678", 0 },
  { "ab", -1, BERTH_ERROR_INVALID_ARGUMENT, "multiple plugins found for \"ab\"" },
  { "a", -1, BERTH_ERROR_INVALID_ARGUMENT, "multiple plugins found for \"a\"" },
  { "zz", -1, BERTH_ERROR_NOT_FOUND, "plugin \"zz\" not found" },
  /* a name wins over an ID prefix */
  { "cafe", 4 },
  { "caf", 3 },
  /* a digest reference never resolves, by name or otherwise */
  { "vieux/sshfs@sha256:" HEX64_F, -1, BERTH_ERROR_NOT_FOUND,
    "plugin \"vieux/sshfs@sha256:" HEX64_F "\" not found" },
  { "vieux/sshfs:latest@sha256:" HEX64_F, -1, BERTH_ERROR_NOT_FOUND,
    "plugin \"vieux/sshfs:latest@sha256:" HEX64_F "\" not found" },
  /* what does not parse is not found, and is quoted as Go's %q would */
  { "", -1, BERTH_ERROR_NOT_FOUND, "plugin \"\" not found" },
  { "ABCDEF", -1, BERTH_ERROR_NOT_FOUND, "plugin \"ABCDEF\" not found" },
  { "a\"b\\c\n", -1, BERTH_ERROR_NOT_FOUND, "plugin \"a\\\"b\\\\c\\n\" not found" },
};
/* clang-format on */

static void
test_reference_resolve_case (gconstpointer user_data)
{
  const ResolveCase *tc = user_data;
  g_autoptr(GError) error = NULL;
  gint index;

  g_test_message ("query: \"%s\"", tc->query);
  index = berth_reference_resolve_plugin (tc->query, plugin_ids, plugin_names, &error);
  if (tc->error != NULL)
    {
      g_assert_error (error, BERTH_ERROR, tc->code);
      g_assert_cmpstr (error->message, ==, tc->error);
      g_assert_cmpint (index, ==, -1);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpint (index, ==, tc->index);
}

static void
test_reference_resolve_empty (void)
{
  const gchar *const none[] = { NULL };
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (berth_reference_resolve_plugin ("ab", none, none, &error), ==, -1);
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "plugin \"ab\" not found");
}

/* a test path component from the input: no '/', printable ASCII, not too long */
static gchar *
test_reference_case_path (const gchar *prefix, guint index, const gchar *input)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%s/%03u-", prefix, index);
  for (guint i = 0; input[i] != '\0' && i < 48; i++)
    {
      gchar c = input[i];
      g_string_append_c (s, (c == '/' || !g_ascii_isgraph (c)) ? '|' : c);
    }
  if (*input == '\0')
    g_string_append (s, "(empty)");
  return g_string_free (s, FALSE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      g_autofree gchar *path
        = test_reference_case_path ("/reference/parse", i, parse_cases[i].input);
      g_test_add_data_func (path, &parse_cases[i], test_reference_parse_case);
    }
  g_test_add_func ("/reference/round-trip", test_reference_round_trip);
  g_test_add_func ("/reference/names", test_reference_names);
  g_test_add_func ("/reference/default-tag", test_reference_default_tag);
  g_test_add_func ("/reference/boxed", test_reference_boxed);
  g_test_add_func ("/reference/local-name", test_reference_local_name);
  for (guint i = 0; i < G_N_ELEMENTS (resolve_cases); i++)
    {
      g_autofree gchar *path
        = test_reference_case_path ("/reference/resolve", i, resolve_cases[i].query);
      g_test_add_data_func (path, &resolve_cases[i], test_reference_resolve_case);
    }
  g_test_add_func ("/reference/resolve-empty", test_reference_resolve_empty);
  return g_test_run ();
}
