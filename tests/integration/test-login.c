/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth login and logout through the real CLI and a real berthd, against
 * a real docker-registry on 127.0.0.1 with htpasswd over TLS (a CA made by
 * the test, trusted through berthd's certs.d) */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "../registry/reg-test-util.h"
#include "berth-test-harness.h"

typedef struct
{
  BerthTestDaemon *d;
  RegServer *reg;
  gchar *docker_config; /* berthd's [registry] docker-config */
  gchar *config_json;
  gchar *bin; /* on berthd's PATH: docker-credential-test */
  gchar *ref; /* a plugin in the registry */
} Fixture;

/* berthd trusts the registry's CA, and only through certs.d: plain HTTP
 * and unverified TLS are off even on loopback */
static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autofree gchar *reg_dir = NULL;
  g_autofree gchar *certs = NULL;
  g_autofree gchar *host_dir = NULL;
  g_autofree gchar *ca = NULL;
  g_autofree gchar *ca_text = NULL;
  g_autofree gchar *conf = NULL;
  g_autofree gchar *path = NULL;
  g_autoptr(GError) error = NULL;

  f->d = berth_test_daemon_new ();
  reg_dir = g_build_filename (f->d->tmp, "registry", NULL);
  g_assert_no_errno (g_mkdir (reg_dir, 0700));
  f->reg = reg_server_start (reg_dir, TRUE);
  certs = g_build_filename (f->d->tmp, "certs.d", NULL);
  host_dir = g_build_filename (certs, f->reg->host, NULL);
  ca = g_build_filename (reg_dir, "ca.crt", NULL);
  g_assert_no_errno (g_mkdir_with_parents (host_dir, 0755));
  g_assert_true (g_file_get_contents (ca, &ca_text, NULL, NULL));
  g_free (ca);
  ca = g_build_filename (host_dir, "ca.crt", NULL);
  g_assert_true (g_file_set_contents (ca, ca_text, -1, NULL));

  f->docker_config = g_build_filename (f->d->tmp, "docker", NULL);
  f->config_json = g_build_filename (f->docker_config, "config.json", NULL);
  f->bin = g_build_filename (f->d->tmp, "bin", NULL);
  f->ref = g_strdup_printf ("%s/berth/login:1.0", f->reg->host);
  conf = g_strdup_printf ("[registry]\ndocker-config=%s\ncerts-dirs=%s\nloopback-insecure=false\n",
                          f->docker_config, certs);
  berth_test_daemon_set_config (f->d, conf);
  berth_test_daemon_use_build_modules (f->d);
  /* berthd runs credential helpers from its PATH */
  g_assert_no_errno (g_mkdir (f->bin, 0755));
  path = g_strconcat (f->bin, ":", g_getenv ("PATH"), NULL);
  g_setenv ("PATH", path, TRUE);
  if (!berth_test_daemon_start (f->d, NULL, &error))
    g_error ("cannot start berthd: %s", error->message);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  berth_test_remove_all_plugins (f->d);
  g_clear_pointer (&f->reg, reg_server_stop);
  g_clear_pointer (&f->d, berth_test_daemon_free);
  g_free (f->docker_config);
  g_free (f->config_json);
  g_free (f->bin);
  g_free (f->ref);
}

static gchar *
read_text (const gchar *path)
{
  gchar *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

/* config.json, parsed; the node owns the object */
static JsonObject *
read_config (Fixture *f, JsonNode **out_node)
{
  g_autofree gchar *text = read_text (f->config_json);
  g_assert_nonnull (text);
  *out_node = berth_test_parse_json (text);
  return json_node_get_object (*out_node);
}

static void
assert_mode (const gchar *path, guint mode)
{
  GStatBuf st;
  g_assert_no_errno (g_stat (path, &st));
  g_assert_cmpuint (st.st_mode & 0777, ==, mode);
}

static BerthTestResult *
login (Fixture *f, const gchar *password)
{
  g_autofree gchar *input = g_strconcat (password, "\n", NULL);
  return berth_test_run_with_input (f->d, input, "login", "-u", "berth", "--password-stdin",
                                    f->reg->host, NULL);
}

static void
assert_login_succeeds (Fixture *f)
{
  g_autoptr(BerthTestResult) r = login (f, "s3cret");
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->out, ==, "Login Succeeded\n");
  g_assert_cmpstr (r->err, ==, "");
}

/* a wrong password: said, with the registry's name, and nothing stored */
static void
assert_login_refused (Fixture *f)
{
  g_autofree gchar *before = read_text (f->config_json);
  g_autofree gchar *after = NULL;
  g_autoptr(BerthTestResult) r = login (f, "wrong");

  g_assert_cmpint (r->status, ==, 1);
  g_assert_true (g_str_has_prefix (
    r->err, "Error response from daemon: unauthorized: incorrect username or password"));
  g_assert_nonnull (strstr (r->err, f->reg->host));
  g_assert_cmpstr (r->out, ==, "");
  after = read_text (f->config_json);
  g_assert_cmpstr (after, ==, before);
}

/* a plugin pushed with the stored credentials installs back with them */
static void
assert_push_install (Fixture *f)
{
  const gchar *dir = berth_test_binary ("BERTH_TEST_SSHFS_PLUGIN");
  g_autofree gchar *out = NULL;

  g_free (berth_test_run_ok (f->d, "plugin", "create", f->ref, dir, NULL));
  out = berth_test_run_ok (f->d, "plugin", "push", f->ref, NULL);
  g_assert_nonnull (strstr (out, "1.0: digest: sha256:"));
  g_free (berth_test_run_ok (f->d, "plugin", "rm", f->ref, NULL));
  g_free (berth_test_run_ok (f->d, "plugin", "install", "--grant-all-permissions", "--disable",
                             f->ref, NULL));
  g_free (berth_test_run_ok (f->d, "plugin", "rm", f->ref, NULL));
}

static void
test_login_logout (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTestResult) r = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree gchar *removing
    = g_strdup_printf ("Removing login credentials for %s\n", f->reg->host);
  g_autofree gchar *not_in = g_strdup_printf ("Not logged in to %s\n", f->reg->host);
  JsonObject *root;
  JsonObject *auths;

  if (!berth_test_can_run_plugins ())
    return;

  /* refused: not even the directory is made */
  assert_login_refused (f);
  g_assert_false (g_file_test (f->docker_config, G_FILE_TEST_EXISTS));

  /* accepted: stored for berthd, private */
  assert_login_succeeds (f);
  assert_mode (f->docker_config, 0700);
  assert_mode (f->config_json, 0600);
  root = read_config (f, &node);
  auths = json_object_get_object_member (root, "auths");
  /* base64 of berth:s3cret */
  g_assert_cmpstr (
    json_object_get_string_member (json_object_get_object_member (auths, f->reg->host), "auth"), ==,
    "YmVydGg6czNjcmV0");
  g_clear_pointer (&node, json_node_unref);

  /* what else config.json holds stays as it was */
  {
    g_autofree gchar *text = g_strdup_printf (
      "{\"auths\":{\"%s\":{\"auth\":\"eDp5\"},\"other.example:5000\":{\"auth\":\"b3RoZXI6eA==\"}},"
      "\"psFormat\":\"table {{.ID}}\",\"proxies\":{\"default\":{\"noProxy\":\"*.test\"}}}",
      f->reg->host);
    g_assert_true (g_file_set_contents (f->config_json, text, -1, NULL));
  }
  assert_login_refused (f);
  r = berth_test_run_with_input (f->d, "", "login", "-u", "berth", "-p", "s3cret", f->reg->host,
                                 NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->out, ==, "Login Succeeded\n");
  g_assert_cmpstr (r->err, ==,
                   "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
  g_clear_pointer (&r, berth_test_result_free);
  root = read_config (f, &node);
  auths = json_object_get_object_member (root, "auths");
  g_assert_cmpstr (
    json_object_get_string_member (json_object_get_object_member (auths, f->reg->host), "auth"), ==,
    "YmVydGg6czNjcmV0");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (auths, "other.example:5000"), "auth"),
                   ==, "b3RoZXI6eA==");
  g_assert_cmpstr (json_object_get_string_member (root, "psFormat"), ==, "table {{.ID}}");
  g_assert_true (json_object_has_member (root, "proxies"));
  assert_mode (f->config_json, 0600);
  g_clear_pointer (&node, json_node_unref);

  assert_push_install (f);

  /* logout: the entry goes, the others stay; pushes are refused again */
  r = berth_test_run (f->d, BERTH_TEST_AS_CALLER, "logout", f->reg->host, NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->out, ==, removing);
  g_clear_pointer (&r, berth_test_result_free);
  root = read_config (f, &node);
  auths = json_object_get_object_member (root, "auths");
  g_assert_false (json_object_has_member (auths, f->reg->host));
  g_assert_true (json_object_has_member (auths, "other.example:5000"));
  g_clear_pointer (&node, json_node_unref);
  g_free (berth_test_run_ok (f->d, "plugin", "create", f->ref,
                             berth_test_binary ("BERTH_TEST_SSHFS_PLUGIN"), NULL));
  r = berth_test_run (f->d, BERTH_TEST_AS_CALLER, "plugin", "push", f->ref, NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "berth login"));
  g_clear_pointer (&r, berth_test_result_free);

  /* a second logout is no error; a URL names the same registry */
  {
    g_autofree gchar *url = g_strdup_printf ("https://%s/v2/", f->reg->host);
    r = berth_test_run (f->d, BERTH_TEST_AS_CALLER, "logout", url, NULL);
    g_assert_cmpint (r->status, ==, 0);
    g_assert_cmpstr (r->out, ==, not_in);
    g_clear_pointer (&r, berth_test_result_free);
  }
  r = berth_test_run (f->d, BERTH_TEST_AS_CALLER, "logout", NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->out, ==, "Not logged in to https://index.docker.io/v1/\n");
  g_clear_pointer (&r, berth_test_result_free);
}

/* logging in changes berthd's state: not for anyone on the socket */
static void
test_no_rights (Fixture *f, gconstpointer data)
{
  g_autoptr(BerthTestResult) r = NULL;

  if (!berth_test_can_run_plugins ())
    return;
  r = berth_test_run (f->d, (uid_t)65534, "login", "-u", "berth", "-p", "s3cret", f->reg->host,
                      NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "permission denied: Login"));
  g_clear_pointer (&r, berth_test_result_free);
  r = berth_test_run (f->d, (uid_t)65534, "logout", f->reg->host, NULL);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "permission denied: Logout"));
  g_assert_false (g_file_test (f->config_json, G_FILE_TEST_EXISTS));
}

/* docker's flag rules and words, checked before berthd is asked */
static void
test_cli_flags (Fixture *f, gconstpointer data)
{
  struct
  {
    const gchar *args[6];
    const gchar *err;
  } cases[] = {
    { { "login", "--password-stdin", NULL }, "Must provide --username with --password-stdin\n" },
    { { "login", "-u", "berth", "-p", "x", "--password-stdin" },
      "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n"
      "--password and --password-stdin are mutually exclusive\n" },
    { { "login", "-u", "berth", NULL },
      "Error: Cannot perform an interactive login from a non TTY device\n" },
    { { "login", "-u", "berth", "--password-stdin", NULL },
      "Error: Cannot perform an interactive login from a non TTY device\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const gchar *const *a = cases[i].args;
      g_autoptr(BerthTestResult) r
                 = berth_test_run_with_input (f->d, "", a[0], a[1], a[2], a[3], a[4], a[5], NULL);
      g_assert_cmpint (r->status, ==, 1);
      g_assert_cmpstr (r->err, ==, cases[i].err);
    }
  g_assert_false (g_file_test (f->config_json, G_FILE_TEST_EXISTS));
}

/* on a terminal berth asks, as docker does, and the password is not
 * echoed; python's pty module plays the terminal */
static void
test_prompt (Fixture *f, gconstpointer data)
{
  g_autofree gchar *python = g_find_program_in_path ("python3");
  const gchar *script
    = "import os, pty, sys\n"
      "pid, fd = pty.fork()\n"
      "if pid == 0:\n"
      "    os.execv(sys.argv[1], sys.argv[1:])\n"
      "out = b''\n"
      "def read():\n"
      "    global out\n"
      "    try:\n"
      "        chunk = os.read(fd, 1024)\n"
      "    except OSError:\n"
      "        chunk = b''\n"
      "    out += chunk\n"
      "    return chunk\n"
      "for prompt, answer in ((b'Username: ', b'berth\\n'), (b'Password: ', b's3cret\\n')):\n"
      "    while prompt not in out:\n"
      "        if not read():\n"
      "            sys.exit('no prompt %r: %r' % (prompt, out))\n"
      "    os.write(fd, answer)\n"
      "while read():\n"
      "    pass\n"
      "sys.stdout.write(out.decode())\n"
      "sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n";
  const gchar *argv[]
    = { python, "-c", script, berth_test_binary ("BERTH"), "login", f->reg->host, NULL };
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "BERTH_ADDRESS", f->d->address, TRUE);
  g_autoptr(BerthTestResult) r = NULL;

  if (!berth_test_can_run_plugins ())
    return;
  if (python == NULL)
    {
      g_test_skip ("python3 is not installed");
      return;
    }
  r = berth_test_spawn (argv, (const gchar *const *)envp, BERTH_TEST_AS_CALLER);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->out, ==, "Username: berth\r\nPassword: \r\nLogin Succeeded\r\n");
}

/* with credsStore, the helper stores and erases; config.json keeps an
 * empty entry, as docker's own login leaves it */
static void
test_creds_store (Fixture *f, gconstpointer data)
{
  g_autofree gchar *helper = g_build_filename (f->bin, "docker-credential-test", NULL);
  g_autofree gchar *calls_path = g_build_filename (f->d->tmp, "helper-calls", NULL);
  g_autofree gchar *stored_path = g_build_filename (f->d->tmp, "helper-stored", NULL);
  g_autofree gchar *erased_path = g_build_filename (f->d->tmp, "helper-erased", NULL);
  g_autofree gchar *script
    = g_strdup_printf ("#!/bin/sh\n"
                       "echo \"$1\" >> '%s'\n"
                       "case \"$1\" in\n"
                       "store) cat > '%s' ;;\n"
                       "get) cat > /dev/null; [ -f '%s' ] && exec cat '%s'\n"
                       "  echo 'credentials not found in native keychain'; exit 1 ;;\n"
                       "erase) cat > '%s'; rm -f '%s' ;;\n"
                       "esac\n",
                       calls_path, stored_path, stored_path, stored_path, erased_path, stored_path);
  g_autoptr(JsonNode) node = NULL;
  g_autofree gchar *calls = NULL;
  g_autofree gchar *erased = NULL;
  g_autofree gchar *stored = NULL;
  g_autofree gchar *expected = NULL;
  JsonObject *root;
  JsonObject *entry;

  if (!berth_test_can_run_plugins ())
    return;
  g_assert_true (
    g_file_set_contents_full (helper, script, -1, G_FILE_SET_CONTENTS_NONE, 0755, NULL));
  g_assert_no_errno (g_mkdir (f->docker_config, 0700));
  g_assert_true (g_file_set_contents (f->config_json, "{\"credsStore\":\"test\"}", -1, NULL));

  assert_login_refused (f);
  g_assert_false (g_file_test (stored_path, G_FILE_TEST_EXISTS));
  assert_login_succeeds (f);
  stored = read_text (stored_path);
  expected = g_strdup_printf ("{\"ServerURL\":\"%s\",\"Username\":\"berth\",\"Secret\":\"s3cret\"}",
                              f->reg->host);
  g_assert_cmpstr (stored, ==, expected);
  root = read_config (f, &node);
  g_assert_cmpstr (json_object_get_string_member (root, "credsStore"), ==, "test");
  entry
    = json_object_get_object_member (json_object_get_object_member (root, "auths"), f->reg->host);
  g_assert_cmpuint (json_object_get_size (entry), ==, 0);

  /* pushes and installs ask the helper */
  assert_push_install (f);

  g_free (berth_test_run_ok (f->d, "logout", f->reg->host, NULL));
  erased = read_text (erased_path);
  g_assert_cmpstr (erased, ==, f->reg->host);
  calls = read_text (calls_path);
  g_assert_true (g_str_has_prefix (calls, "store\nget\n"));
  g_assert_true (g_str_has_suffix (calls, "get\nerase\n"));
  g_clear_pointer (&node, json_node_unref);
  root = read_config (f, &node);
  g_assert_false (
    json_object_has_member (json_object_get_object_member (root, "auths"), f->reg->host));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_find_program_in_path ("docker-registry") == NULL)
    {
      g_test_skip ("docker-registry is not installed (Debian package docker-registry)");
      return g_test_run ();
    }
  g_test_add ("/login/login-logout", Fixture, NULL, fixture_setup, test_login_logout,
              fixture_teardown);
  g_test_add ("/login/no-rights", Fixture, NULL, fixture_setup, test_no_rights, fixture_teardown);
  g_test_add ("/login/cli-flags", Fixture, NULL, fixture_setup, test_cli_flags, fixture_teardown);
  g_test_add ("/login/prompt", Fixture, NULL, fixture_setup, test_prompt, fixture_teardown);
  g_test_add ("/login/creds-store", Fixture, NULL, fixture_setup, test_creds_store,
              fixture_teardown);
  return g_test_run ();
}
