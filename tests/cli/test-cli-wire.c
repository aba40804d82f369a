/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <berth.h>
#include <fcntl.h>
#include <unistd.h>

#include "berth-cli-wire.h"

/* The CLI's own D-Bus marshalling, checked against GDBus's both ways: what
 * it writes GDBus reads back equal, what GDBus writes it reads back equal,
 * and no damaged message makes it do more than return an error. */

/* returns a full reference, as g_variant_parse() does */
static GVariant *
sample_body (guint i)
{
  const gchar *bodies[] = {
    "()",
    "('plugin',)",
    "(true, false, byte 0x7f, int16 -3, uint16 65535, -7, uint32 4000000000, "
    "int64 -9000000000, uint64 18000000000000000000, 2.5, objectpath '/org/berth/Berth1', "
    "signature 'a{sv}', handle 1)",
    "({'Name': <'vieux/sshfs:latest'>, 'Enabled': <true>, 'Env': <['A=1', 'B=2']>, "
    "'Size': <uint64 22000000>},)",
    "([('a', 1, <byte 2>), ('bb', 2, <(3, 'x')>)], @a(sv) [], @ay [], b'bytes\\x01')",
    "(@a{ss} {}, @aa{sv} [{}, {'x': <<<'deep'>>>}], [[uint16 1, 2], @aq []], "
    "[int64 1, 2, 3])",
    "('\u00e9t\u00e9 \u2603', [('k', @a{sv} {'n': <double 0.5>})])",
  };
  g_assert_cmpuint (i, <, G_N_ELEMENTS (bodies));
  return g_variant_parse (NULL, bodies[i], NULL, NULL, NULL);
}
#define N_BODIES 7

static void
test_wire_call_reads_in_gdbus (void)
{
  for (guint i = 0; i < N_BODIES; i++)
    {
      g_autoptr(GVariant) body = sample_body (i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GDBusMessage) message = NULL;
      gsize len = 0;
      g_autofree guint8 *blob
        = berth_cli_wire_encode_call (i % 2 == 0 ? NULL : "org.berth.Berth1", "/org/berth/Berth1",
                                      "org.berth.Berth1.Plugins", "Inspect", body, i, 40 + i, &len);

      g_assert_cmpint (g_dbus_message_bytes_needed (blob, len, NULL), ==, len);
      message
        = g_dbus_message_new_from_blob (blob, len, G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_dbus_message_get_message_type (message), ==,
                       G_DBUS_MESSAGE_TYPE_METHOD_CALL);
      g_assert_cmpuint (g_dbus_message_get_serial (message), ==, 40 + i);
      g_assert_cmpstr (g_dbus_message_get_path (message), ==, "/org/berth/Berth1");
      g_assert_cmpstr (g_dbus_message_get_interface (message), ==, "org.berth.Berth1.Plugins");
      g_assert_cmpstr (g_dbus_message_get_member (message), ==, "Inspect");
      g_assert_cmpstr (g_dbus_message_get_destination (message), ==,
                       i % 2 == 0 ? NULL : "org.berth.Berth1");
      g_assert_cmpuint (g_dbus_message_get_num_unix_fds (message), ==, i);
      if (g_variant_n_children (body) == 0)
        g_assert_null (g_dbus_message_get_body (message));
      else
        g_assert_true (g_variant_equal (g_dbus_message_get_body (message), body));
    }
}

static GDBusMessage *
gdbus_reply (guint i, GDBusMessageByteOrder order)
{
  g_autoptr(GDBusMessage) call = g_dbus_message_new_method_call (NULL, "/org/berth/Berth1",
                                                                  "org.berth.Berth1", "Get");
  GDBusMessage *reply;

  g_dbus_message_set_serial (call, 1000 + i);
  if (i == 3)
    reply = g_dbus_message_new_method_error_literal (call, "org.berth.Berth1.Error.NotFound",
                                                     "no such plugin: x");
  else if (i == 5)
    {
      g_autoptr(GVariant) body = sample_body (i);
      reply = g_dbus_message_new_signal ("/org/berth/Berth1", "org.berth.Berth1.Jobs", "Progress");
      g_dbus_message_set_body (reply, body);
    }
  else
    {
      g_autoptr(GVariant) body = i != 0 ? sample_body (i) : NULL;
      reply = g_dbus_message_new_method_reply (call);
      if (body != NULL)
        g_dbus_message_set_body (reply, body);
    }
  g_dbus_message_set_serial (reply, 7 + i);
  g_dbus_message_set_byte_order (reply, order);
  return reply;
}

static void
test_wire_reads_gdbus (void)
{
  GDBusMessageByteOrder orders[]
    = { G_DBUS_MESSAGE_BYTE_ORDER_LITTLE_ENDIAN, G_DBUS_MESSAGE_BYTE_ORDER_BIG_ENDIAN };
  for (guint o = 0; o < G_N_ELEMENTS (orders); o++)
    for (guint i = 0; i < N_BODIES; i++)
      {
        g_autoptr(GDBusMessage) reply = gdbus_reply (i, orders[o]);
        g_autoptr(BerthCliMessage) decoded = NULL;
        g_autoptr(GError) error = NULL;
        gsize len = 0;
        g_autofree guchar *blob
          = g_dbus_message_to_blob (reply, &len, G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING, &error);
        GVariant *expected = g_dbus_message_get_body (reply);
        GVariant *body;

        g_assert_no_error (error);
        g_assert_cmpint (berth_cli_wire_bytes_needed (blob, 16, &error), ==, len);
        decoded = berth_cli_wire_decode (blob, len, &error);
        g_assert_no_error (error);
        g_assert_cmpint (decoded->type, ==, g_dbus_message_get_message_type (reply));
        g_assert_cmpuint (decoded->serial, ==, 7 + i);
        g_assert_cmpuint (decoded->reply_serial, ==, g_dbus_message_get_reply_serial (reply));
        g_assert_cmpstr (decoded->member, ==, g_dbus_message_get_member (reply));
        g_assert_cmpstr (decoded->interface, ==, g_dbus_message_get_interface (reply));
        g_assert_cmpstr (decoded->path, ==, g_dbus_message_get_path (reply));
        g_assert_cmpstr (decoded->error_name, ==, g_dbus_message_get_error_name (reply));
        body = berth_cli_message_get_body (decoded, &error);
        g_assert_no_error (error);
        if (expected == NULL)
          g_assert_cmpstr (g_variant_get_type_string (body), ==, "()");
        else
          g_assert_true (g_variant_equal (body, expected));
        /* read once, kept */
        g_assert_true (berth_cli_message_get_body (decoded, NULL) == body);
      }
}

/* every prefix, every byte changed: an error or a message, never a crash */
static void
test_wire_damaged (void)
{
  for (guint i = 0; i < N_BODIES; i++)
    {
      g_autoptr(GDBusMessage) reply = gdbus_reply (i, G_DBUS_MESSAGE_BYTE_ORDER_LITTLE_ENDIAN);
      gsize len = 0;
      g_autofree guchar *blob
        = g_dbus_message_to_blob (reply, &len, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);

      for (gsize cut = 0; cut < len; cut++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree guint8 *copy = g_memdup2 (blob, cut);
          BerthCliMessage *m = berth_cli_wire_decode (copy, cut, &error);
          /* the header's lengths cover the whole message */
          g_assert_null (m);
          g_assert_error (error, BERTH_ERROR, BERTH_ERROR_FAILED);
          g_assert_true (g_str_has_prefix (error->message, "berthd sent a malformed message"));
        }
      for (gsize at = 0; at < len; at++)
        for (guint bit = 0; bit < 8; bit++)
          {
            g_autoptr(GError) error = NULL;
            g_autofree guint8 *copy = g_memdup2 (blob, len);
            BerthCliMessage *m;
            copy[at] ^= 1u << bit;
            m = berth_cli_wire_decode (copy, len, &error);
            g_assert_true ((m == NULL) != (error == NULL));
            if (m != NULL)
              g_assert_true ((berth_cli_message_get_body (m, &error) == NULL) != (error == NULL));
            g_clear_pointer (&m, berth_cli_message_free);
          }
    }
}

static guint8 *
reply_with_raw_body (const gchar *signature, const guint8 *body, gsize body_len, gsize *out_len)
{
  /* a method return to serial 1, written by hand: GDBus will not write a
   * body that does not match its signature */
  static const guint8 zeros[8] = { 0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const guint8 fixed[16] = { 'l', 2, 0, 1, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0 };
  const guint8 reply_serial[8] = { 5, 1, 'u', 0, 1, 0, 0, 0 };
  const guint8 sig_field[4] = { 8, 1, 'g', 0 };
  guint8 sig_len = strlen (signature);
  guint32 n;

  g_byte_array_append (out, fixed, sizeof fixed);
  g_byte_array_append (out, reply_serial, sizeof reply_serial);
  g_byte_array_append (out, sig_field, sizeof sig_field);
  g_byte_array_append (out, &sig_len, 1);
  g_byte_array_append (out, (const guint8 *)signature, sig_len + 1);
  n = out->len - 16;
  memcpy (out->data + 12, &n, 4);
  g_byte_array_append (out, zeros, (8 - out->len % 8) % 8);
  n = body_len;
  memcpy (out->data + 4, &n, 4);
  g_byte_array_append (out, body, body_len);
  *out_len = out->len;
  return g_byte_array_free (g_steal_pointer (&out), FALSE);
}

static void
test_wire_hostile (void)
{
  struct
  {
    const gchar *signature;
    const gchar *body;
    gsize len;
    const gchar *message;
  } cases[] = {
    { "s", "\x03\0\0\0a\xffz\0", 8, "not UTF-8" },
    { "s", "\x03\0\0\0abcd", 8, "not terminated" },
    { "s", "\x03\0\0\0a\0b\0", 8, "not UTF-8" }, /* a NUL inside */
    { "b", "\x02\0\0\0", 4, "neither 0 nor 1" },
    { "o", "\x03\0\0\0a/b\0", 8, "object path" },
    { "as", "\xff\xff\xff\x7f", 4, "larger than 64 MiB" },
    { "as", "\x40\0\0\0\x01\0\0\0a\0", 10, "truncated" },
    { "ai", "\x06\0\0\0\x01\0\0\0\x02\0\0\0", 12, "overrun" },
    { "v",
      "\x02"
      "ii\0\0\0\0\0\0\0\0\0",
      12, "exactly one value" },
    { "g",
      "\x02"
      "m\x01\0",
      4, "signature" },
    { "u", "\x01\0\0\0\x09", 5, "longer than its signature" },
    { "y",
      "\x01"
      "\x01\0\0",
      2, "longer than its signature" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gsize len = 0;
      g_autofree guint8 *blob = reply_with_raw_body (
        cases[i].signature, (const guint8 *)cases[i].body, cases[i].len, &len);
      g_autoptr(BerthCliMessage) m = berth_cli_wire_decode (blob, len, &error);

      g_assert_no_error (error);
      g_assert_null (berth_cli_message_get_body (m, &error));
      g_test_message ("case %u: %s: %s", i, cases[i].message, error->message);
      g_assert_error (error, BERTH_ERROR, BERTH_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }

  /* variants in variants, deeper than anyone nests: refused, not recursed */
  {
    g_autoptr(GByteArray) body = g_byte_array_new ();
    g_autoptr(GError) error = NULL;
    gsize len = 0;
    g_autofree guint8 *blob = NULL;
    for (guint d = 0; d < 100000; d++)
      g_byte_array_append (body, (const guint8 *)"\x01v\0", 3);
    g_autoptr(BerthCliMessage) m = NULL;
    blob = reply_with_raw_body ("v", body->data, body->len, &len);
    m = berth_cli_wire_decode (blob, len, &error);
    g_assert_no_error (error);
    g_assert_null (berth_cli_message_get_body (m, &error));
    g_assert_nonnull (strstr (error->message, "nested too deeply"));
  }

  /* a header that claims more than D-Bus allows */
  {
    g_autoptr(GError) error = NULL;
    const guint8 header[16] = { 'l', 2, 0, 1, 0xff, 0xff, 0xff, 0x7f, 1, 0, 0, 0, 0, 0, 0, 0 };
    g_assert_cmpint (berth_cli_wire_bytes_needed (header, 16, &error), ==, -1);
    g_assert_nonnull (strstr (error->message, "128 MiB"));
  }
}

/* a volume list as berthd sends it, read in place */
static void
test_wire_reader (void)
{
  g_autoptr(GVariant) list = g_variant_parse (
    G_VARIANT_TYPE ("(a(sssssa{ss}u))"),
    "([('v1', 'local', '/var/lib/berth/volumes/v1', 'local', '', @a{ss} {}, 0), "
    "('sshvolume', 'vieux/sshfs:latest', '', 'global', 'x', {'a': 'b', 'c': 'd'}, 2)],)",
    NULL, NULL, NULL);
  g_autoptr(GDBusMessage) reply = gdbus_reply (0, G_DBUS_MESSAGE_BYTE_ORDER_BIG_ENDIAN);
  g_autoptr(BerthCliMessage) m = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) labels = NULL;
  gsize len = 0, end, labels_end;
  g_autofree guchar *blob = NULL;
  BerthCliReader r;
  const gchar *s[5];
  guint32 mounts;

  g_dbus_message_set_body (reply, list);
  blob = g_dbus_message_to_blob (reply, &len, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
  g_assert_no_error (error);
  m = berth_cli_wire_decode (blob, len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (m->signature, ==, "a(sssssa{ss}u)");

  berth_cli_reader_init (&r, m);
  g_assert_true (berth_cli_reader_begin_array (&r, 8, &end, &error));
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GVariant) expected
                 = g_variant_get_child_value (g_variant_get_child_value (list, 0), i);
      g_assert_cmpuint (berth_cli_reader_at (&r), <, end);
      g_assert_true (berth_cli_reader_begin_struct (&r, &error));
      for (guint f = 0; f < 5; f++)
        {
          g_autoptr(GVariant) field = g_variant_get_child_value (expected, f);
          g_assert_true (berth_cli_reader_string (&r, &s[f], &error));
          g_assert_cmpstr (s[f], ==, g_variant_get_string (field, NULL));
        }
      g_clear_pointer (&labels, g_variant_unref);
      labels = berth_cli_reader_value (&r, G_VARIANT_TYPE ("a{ss}"), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_variant_n_children (labels), ==, i == 0 ? 0 : 2);
      g_assert_true (berth_cli_reader_uint32 (&r, &mounts, &error));
      g_assert_cmpuint (mounts, ==, i * 2);
    }
  g_assert_cmpuint (berth_cli_reader_at (&r), ==, end);
  g_assert_no_error (error);

  /* past the end: an error, not a read out of bounds */
  g_assert_false (berth_cli_reader_string (&r, &s[0], &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_FAILED);
  g_clear_error (&error);
  berth_cli_reader_init (&r, m);
  g_assert_true (berth_cli_reader_begin_array (&r, 8, &end, &error));
  g_assert_true (berth_cli_reader_begin_struct (&r, &error));
  /* a string read as an array of structs: its bytes are not the padding */
  g_assert_false (berth_cli_reader_begin_array (&r, 8, &labels_end, &error));
  g_assert_error (error, BERTH_ERROR, BERTH_ERROR_FAILED);
}

static void
test_wire_fds (void)
{
  g_autoptr(GArray) fds = berth_cli_fds_new ();
  gint pipe_fds[2];
  gint fd;

  g_assert_no_errno (pipe (pipe_fds));
  g_array_append_vals (fds, pipe_fds, 2);
  g_assert_cmpint (berth_cli_fds_steal (fds, 2), ==, -1);
  g_assert_cmpint (berth_cli_fds_steal (fds, -1), ==, -1);
  fd = berth_cli_fds_steal (fds, 1);
  g_assert_cmpint (fd, ==, pipe_fds[1]);
  g_assert_cmpint (berth_cli_fds_steal (fds, 1), ==, -1);
  g_clear_pointer (&fds, g_array_unref);
  /* the array closed the read end, not the stolen write end */
  g_assert_cmpint (fcntl (pipe_fds[0], F_GETFD), ==, -1);
  g_assert_cmpint (fcntl (fd, F_GETFD), !=, -1);
  close (fd);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/cli/wire/call-reads-in-gdbus", test_wire_call_reads_in_gdbus);
  g_test_add_func ("/cli/wire/reads-gdbus", test_wire_reads_gdbus);
  g_test_add_func ("/cli/wire/damaged", test_wire_damaged);
  g_test_add_func ("/cli/wire/hostile", test_wire_hostile);
  g_test_add_func ("/cli/wire/reader", test_wire_reader);
  g_test_add_func ("/cli/wire/fds", test_wire_fds);
  return g_test_run ();
}
