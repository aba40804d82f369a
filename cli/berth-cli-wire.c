/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthCli"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "berth-cli-wire.h"
#include "berth-error.h"

/* The D-Bus specification's marshalling, for the subset of GVariant types
 * D-Bus has (no maybe types). Everything is aligned to its natural size
 * counted from the start of the message; the body starts 8-aligned, so
 * offsets within the body align the same way. GDBus is the reference the
 * unit test compares with. */

#define MAX_MESSAGE_SIZE (128u * 1024 * 1024) /* the specification's limit */
#define MAX_ARRAY_SIZE   (64u * 1024 * 1024)
#define MAX_DEPTH        64

enum
{
  FIELD_PATH = 1,
  FIELD_INTERFACE = 2,
  FIELD_MEMBER = 3,
  FIELD_ERROR_NAME = 4,
  FIELD_REPLY_SERIAL = 5,
  FIELD_DESTINATION = 6,
  FIELD_SIGNATURE = 8,
  FIELD_UNIX_FDS = 9,
};

static gsize
type_alignment (const gchar *type_string)
{
  switch (type_string[0])
    {
      case 'n':
      case 'q':
        return 2;
      case 'b':
      case 'i':
      case 'u':
      case 'h':
      case 's':
      case 'o':
      case 'a':
        return 4;
      case 'x':
      case 't':
      case 'd':
      case '(':
      case '{':
        return 8;
      default: /* y, g, v */
        return 1;
    }
}

static void
close_fd (gpointer fd)
{
  if (*(gint *)fd >= 0)
    close (*(gint *)fd);
}

/**
 * berth_cli_fds_new:
 *
 * Returns: (transfer full): an empty array of file descriptors, each closed
 *   when the array goes
 */
GArray *
berth_cli_fds_new (void)
{
  GArray *fds = g_array_new (FALSE, FALSE, sizeof (gint));
  g_array_set_clear_func (fds, close_fd);
  return fds;
}

/**
 * berth_cli_fds_steal:
 * @fds: (nullable): an array from berth_cli_fds_new()
 * @handle: an index into it, as a handle (`h`) in a body says
 *
 * Returns: the file descriptor, now the caller's, or -1 if there is none
 */
gint
berth_cli_fds_steal (GArray *fds, gint32 handle)
{
  gint fd;

  if (fds == NULL || handle < 0 || (guint)handle >= fds->len)
    return -1;
  fd = g_array_index (fds, gint, handle);
  g_array_index (fds, gint, handle) = -1;
  return fd;
}

void
berth_cli_message_free (BerthCliMessage *message)
{
  g_free (message->path);
  g_free (message->interface);
  g_free (message->member);
  g_free (message->error_name);
  g_free (message->signature);
  g_clear_pointer (&message->body, g_variant_unref);
  g_clear_pointer (&message->body_bytes, g_bytes_unref);
  g_clear_pointer (&message->fds, g_array_unref);
  g_free (message);
}

/* writing */

static void
put_padding (GByteArray *out, gsize alignment)
{
  static const guint8 zeros[8] = { 0 };
  gsize pad = (alignment - out->len % alignment) % alignment;
  g_byte_array_append (out, zeros, pad);
}

static void
put_fixed (GByteArray *out, gconstpointer value, gsize size)
{
  put_padding (out, size);
  g_byte_array_append (out, value, size);
}

static void
put_uint32 (GByteArray *out, guint32 value)
{
  put_fixed (out, &value, sizeof value);
}

static void
put_signature (GByteArray *out, const gchar *signature)
{
  guint8 len = strlen (signature);
  g_byte_array_append (out, &len, 1);
  g_byte_array_append (out, (const guint8 *)signature, len + 1);
}

static void
put_value (GByteArray *out, GVariant *value)
{
  switch (g_variant_classify (value))
    {
      case G_VARIANT_CLASS_BOOLEAN:
        put_uint32 (out, g_variant_get_boolean (value) ? 1 : 0);
        break;
      case G_VARIANT_CLASS_BYTE:
      case G_VARIANT_CLASS_INT16:
      case G_VARIANT_CLASS_UINT16:
      case G_VARIANT_CLASS_INT32:
      case G_VARIANT_CLASS_UINT32:
      case G_VARIANT_CLASS_HANDLE:
      case G_VARIANT_CLASS_INT64:
      case G_VARIANT_CLASS_UINT64:
      case G_VARIANT_CLASS_DOUBLE:
        /* GVariant keeps fixed-size basic values in host order, as we write */
        put_fixed (out, g_variant_get_data (value), g_variant_get_size (value));
        break;
      case G_VARIANT_CLASS_STRING:
      case G_VARIANT_CLASS_OBJECT_PATH:
        {
          gsize len;
          const gchar *s = g_variant_get_string (value, &len);
          put_uint32 (out, len);
          g_byte_array_append (out, (const guint8 *)s, len + 1);
          break;
        }
      case G_VARIANT_CLASS_SIGNATURE:
        put_signature (out, g_variant_get_string (value, NULL));
        break;
      case G_VARIANT_CLASS_VARIANT:
        {
          g_autoptr(GVariant) child = g_variant_get_variant (value);
          put_signature (out, g_variant_get_type_string (child));
          put_value (out, child);
          break;
        }
      case G_VARIANT_CLASS_ARRAY:
        {
          const gchar *element = g_variant_get_type_string (value) + 1;
          gsize n = g_variant_n_children (value);
          gsize at, start;
          guint32 len;

          put_uint32 (out, 0);
          at = out->len - 4;
          /* the padding to the first element is there even when there is none */
          put_padding (out, type_alignment (element));
          start = out->len;
          if (element[0] == 'y')
            g_byte_array_append (out, g_variant_get_data (value), n);
          else
            for (gsize i = 0; i < n; i++)
              {
                g_autoptr(GVariant) child = g_variant_get_child_value (value, i);
                put_value (out, child);
              }
          len = out->len - start;
          memcpy (out->data + at, &len, sizeof len);
          break;
        }
      case G_VARIANT_CLASS_TUPLE:
      case G_VARIANT_CLASS_DICT_ENTRY:
        {
          gsize n = g_variant_n_children (value);
          put_padding (out, 8);
          for (gsize i = 0; i < n; i++)
            {
              g_autoptr(GVariant) child = g_variant_get_child_value (value, i);
              put_value (out, child);
            }
          break;
        }
      case G_VARIANT_CLASS_MAYBE:
      default:
        /* D-Bus has no maybe types; the CLI never builds one */
        g_assert_not_reached ();
    }
}

static void
put_field (GByteArray *out, guint8 code, GVariant *value)
{
  g_autoptr(GVariant) sunk = g_variant_ref_sink (value);
  put_padding (out, 8);
  g_byte_array_append (out, &code, 1);
  put_signature (out, g_variant_get_type_string (sunk));
  put_value (out, sunk);
}

/**
 * berth_cli_wire_encode_call:
 * @destination: (nullable): the bus name, or %NULL on a peer-to-peer connection
 * @path: the object
 * @interface: the interface
 * @member: the method
 * @body: (nullable) (transfer floating): the arguments, a tuple
 * @n_fds: how many file descriptors go with the message
 * @serial: the message's serial, not 0
 * @out_len: (out): the message's length
 *
 * Returns: (transfer full): a method call in the wire format
 */
guint8 *
berth_cli_wire_encode_call (const gchar *destination,
                            const gchar *path,
                            const gchar *interface,
                            const gchar *member,
                            GVariant *body,
                            guint n_fds,
                            guint32 serial,
                            gsize *out_len)
{
  g_autoptr(GVariant) sunk = body != NULL ? g_variant_ref_sink (body) : NULL;
  GByteArray *out = g_byte_array_sized_new (256);
  const guint8 fixed[4]
    = { G_BYTE_ORDER == G_LITTLE_ENDIAN ? 'l' : 'B', BERTH_CLI_MESSAGE_METHOD_CALL, 0, 1 };
  gsize fields_at, fields_start, body_start;
  guint32 fields_len, body_len;

  g_return_val_if_fail (sunk == NULL || g_variant_is_of_type (sunk, G_VARIANT_TYPE_TUPLE), NULL);

  g_byte_array_append (out, fixed, sizeof fixed);
  put_uint32 (out, 0); /* the body's length, below */
  put_uint32 (out, serial);
  put_uint32 (out, 0); /* the fields' length, below */
  fields_at = out->len - 4;
  put_padding (out, 8);
  fields_start = out->len;
  put_field (out, FIELD_PATH, g_variant_new_object_path (path));
  if (interface != NULL)
    put_field (out, FIELD_INTERFACE, g_variant_new_string (interface));
  put_field (out, FIELD_MEMBER, g_variant_new_string (member));
  if (destination != NULL)
    put_field (out, FIELD_DESTINATION, g_variant_new_string (destination));
  if (sunk != NULL && g_variant_n_children (sunk) > 0)
    {
      const gchar *tuple = g_variant_get_type_string (sunk);
      g_autofree gchar *signature = g_strndup (tuple + 1, strlen (tuple) - 2);
      put_field (out, FIELD_SIGNATURE, g_variant_new_signature (signature));
    }
  if (n_fds > 0)
    put_field (out, FIELD_UNIX_FDS, g_variant_new_uint32 (n_fds));
  fields_len = out->len - fields_start;
  memcpy (out->data + fields_at, &fields_len, sizeof fields_len);

  put_padding (out, 8);
  body_start = out->len;
  if (sunk != NULL && g_variant_n_children (sunk) > 0)
    put_value (out, sunk);
  body_len = out->len - body_start;
  memcpy (out->data + 4, &body_len, sizeof body_len);

  *out_len = out->len;
  return g_byte_array_free (out, FALSE);
}

/* reading */

static gboolean
malformed (GError **error, const gchar *what)
{
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "berthd sent a malformed message: %s", what);
  return FALSE;
}

static gboolean
read_padding (BerthCliReader *r, gsize alignment, GError **error)
{
  gsize end = (r->pos + alignment - 1) & ~(alignment - 1);

  if (end > r->len)
    return malformed (error, "truncated");
  for (; r->pos < end; r->pos++)
    if (r->data[r->pos] != 0)
      return malformed (error, "padding is not zero");
  return TRUE;
}

static gboolean
read_fixed (BerthCliReader *r, gsize size, gpointer out, GError **error)
{
  guint8 *bytes = out;

  if (!read_padding (r, size, error))
    return FALSE;
  if (r->len - r->pos < size)
    return malformed (error, "truncated");
  for (gsize i = 0; i < size; i++)
    bytes[r->swap ? size - 1 - i : i] = r->data[r->pos + i];
  r->pos += size;
  return TRUE;
}

/* a string of @len bytes and its NUL, valid UTF-8 without other NULs */
static const gchar *
read_string_bytes (BerthCliReader *r, gsize len, GError **error)
{
  const gchar *s = (const gchar *)r->data + r->pos;

  if (r->len - r->pos <= len || s[len] != '\0')
    {
      malformed (error, "a string is truncated or not terminated");
      return NULL;
    }
  if (!g_utf8_validate_len (s, len, NULL))
    {
      malformed (error, "a string is not UTF-8");
      return NULL;
    }
  r->pos += len + 1;
  return s;
}

static const gchar *
read_signature (BerthCliReader *r, GError **error)
{
  guint8 len;
  const gchar *s;

  if (!read_fixed (r, 1, &len, error))
    return NULL;
  s = read_string_bytes (r, len, error);
  if (s != NULL && !g_variant_is_signature (s))
    {
      malformed (error, "a signature is not valid");
      return NULL;
    }
  return s;
}

static GVariant *read_value (BerthCliReader *r, const GVariantType *type, GError **error);

static GVariant *
read_array (BerthCliReader *r, const GVariantType *type, GError **error)
{
  const GVariantType *element = g_variant_type_element (type);
  g_autoptr(GPtrArray) children = NULL;
  guint32 len;
  gsize end;
  GVariant *array;

  if (!read_fixed (r, 4, &len, error))
    return NULL;
  if (len > MAX_ARRAY_SIZE)
    {
      malformed (error, "an array is larger than 64 MiB");
      return NULL;
    }
  if (!read_padding (r, type_alignment (g_variant_type_peek_string (element)), error))
    return NULL;
  if (r->len - r->pos < len)
    {
      malformed (error, "an array is truncated");
      return NULL;
    }
  end = r->pos + len;
  if (g_variant_type_equal (element, G_VARIANT_TYPE_BYTE))
    {
      array = g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, r->data + r->pos, len, 1);
      r->pos = end;
      return array;
    }

  children = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
  while (r->pos < end)
    {
      GVariant *child = read_value (r, element, error);
      if (child == NULL)
        return NULL;
      g_ptr_array_add (children, child);
    }
  if (r->pos != end)
    {
      malformed (error, "an array's elements overrun its length");
      return NULL;
    }
  /* the array takes the floating children */
  array = g_variant_new_array (element, (GVariant *const *)children->pdata, children->len);
  g_ptr_array_set_free_func (children, NULL);
  return array;
}

static GVariant *
read_container (BerthCliReader *r, const GVariantType *type, GError **error)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
  GVariant *value;

  if (!read_padding (r, 8, error))
    return NULL;
  for (const GVariantType *t = g_variant_type_first (type); t != NULL; t = g_variant_type_next (t))
    {
      GVariant *child = read_value (r, t, error);
      if (child == NULL)
        return NULL;
      g_ptr_array_add (children, child);
    }
  if (g_variant_type_is_dict_entry (type))
    value = g_variant_new_dict_entry (children->pdata[0], children->pdata[1]);
  else
    value = g_variant_new_tuple ((GVariant *const *)children->pdata, children->len);
  g_ptr_array_set_free_func (children, NULL);
  return value;
}

static GVariant *
read_value (BerthCliReader *r, const GVariantType *type, GError **error)
{
  const gchar *t = g_variant_type_peek_string (type);
  GVariant *value = NULL;

  if (r->depth >= MAX_DEPTH)
    {
      malformed (error, "values are nested too deeply");
      return NULL;
    }
  r->depth++;
  switch (t[0])
    {
      case 'y':
        {
          guint8 v;
          if (read_fixed (r, 1, &v, error))
            value = g_variant_new_byte (v);
          break;
        }
      case 'b':
        {
          guint32 v;
          if (read_fixed (r, 4, &v, error))
            {
              if (v > 1)
                malformed (error, "a boolean is neither 0 nor 1");
              else
                value = g_variant_new_boolean (v);
            }
          break;
        }
      case 'n':
      case 'q':
        {
          guint16 v;
          if (read_fixed (r, 2, &v, error))
            value = t[0] == 'n' ? g_variant_new_int16 (v) : g_variant_new_uint16 (v);
          break;
        }
      case 'i':
      case 'u':
      case 'h':
        {
          guint32 v;
          if (read_fixed (r, 4, &v, error))
            value = t[0] == 'i'   ? g_variant_new_int32 (v)
                    : t[0] == 'u' ? g_variant_new_uint32 (v)
                                  : g_variant_new_handle (v);
          break;
        }
      case 'x':
      case 't':
      case 'd':
        {
          guint64 v;
          gdouble d;
          if (!read_fixed (r, 8, &v, error))
            break;
          memcpy (&d, &v, sizeof d);
          value = t[0] == 'x'   ? g_variant_new_int64 (v)
                  : t[0] == 't' ? g_variant_new_uint64 (v)
                                : g_variant_new_double (d);
          break;
        }
      case 's':
      case 'o':
        {
          guint32 len;
          const gchar *s;
          if (!read_fixed (r, 4, &len, error) || (s = read_string_bytes (r, len, error)) == NULL)
            break;
          if (t[0] == 's')
            value = g_variant_new_string (s);
          else if (g_variant_is_object_path (s))
            value = g_variant_new_object_path (s);
          else
            malformed (error, "an object path is not valid");
          break;
        }
      case 'g':
        {
          const gchar *s = read_signature (r, error);
          if (s != NULL)
            value = g_variant_new_signature (s);
          break;
        }
      case 'v':
        {
          const gchar *s = read_signature (r, error);
          GVariant *child;
          if (s == NULL)
            break;
          if (!g_variant_type_string_is_valid (s))
            {
              malformed (error, "a variant does not hold exactly one value");
              break;
            }
          child = read_value (r, G_VARIANT_TYPE (s), error);
          if (child != NULL)
            value = g_variant_new_variant (child);
          break;
        }
      case 'a':
        value = read_array (r, type, error);
        break;
      case '(':
      case '{':
        value = read_container (r, type, error);
        break;
      default:
        malformed (error, "a type D-Bus does not have");
        break;
    }
  r->depth--;
  return value;
}

static gboolean
reader_init (BerthCliReader *r, const guint8 *data, gsize len, GError **error)
{
  *r = (BerthCliReader){ .data = data, .len = len };
  if (len < 16)
    return malformed (error, "shorter than a header");
  if (data[0] == 'l')
    r->swap = G_BYTE_ORDER != G_LITTLE_ENDIAN;
  else if (data[0] == 'B')
    r->swap = G_BYTE_ORDER != G_BIG_ENDIAN;
  else
    return malformed (error, "unknown byte order");
  return TRUE;
}

/**
 * berth_cli_wire_bytes_needed:
 * @data: the start of a message
 * @len: how many bytes @data holds, at least 16
 * @error: return location for a #GError
 *
 * Returns: the whole message's length, or -1 if the header is not valid
 */
gssize
berth_cli_wire_bytes_needed (const guint8 *data, gsize len, GError **error)
{
  BerthCliReader r;
  guint32 body_len, fields_len;
  guint64 total;

  if (!reader_init (&r, data, len, error))
    return -1;
  r.pos = 4;
  if (!read_fixed (&r, 4, &body_len, error))
    return -1;
  r.pos = 12;
  if (!read_fixed (&r, 4, &fields_len, error))
    return -1;
  total = 16 + (guint64)fields_len;
  total = (total + 7) & ~(guint64)7;
  total += body_len;
  if (total > MAX_MESSAGE_SIZE)
    {
      malformed (error, "longer than 128 MiB");
      return -1;
    }
  return (gssize)total;
}

/* the header field @code, checked against the type it must have */
static GVariant *
lookup_field (GVariant *fields, guint8 code, const GVariantType *type, GError **error)
{
  gsize n = g_variant_n_children (fields);

  for (gsize i = 0; i < n; i++)
    {
      guint8 c;
      g_autoptr(GVariant) value = NULL;
      g_variant_get_child (fields, i, "(yv)", &c, &value);
      if (c != code)
        continue;
      if (!g_variant_is_of_type (value, type))
        {
          malformed (error, "a header field has the wrong type");
          return NULL;
        }
      return g_steal_pointer (&value);
    }
  return NULL;
}

static gboolean
dup_field_string (
  GVariant *fields, guint8 code, const GVariantType *type, gchar **out, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GVariant) value = lookup_field (fields, code, type, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  *out = value != NULL ? g_variant_dup_string (value, NULL) : NULL;
  return TRUE;
}

/**
 * berth_cli_wire_decode:
 * @data: one whole message
 * @len: its length, as berth_cli_wire_bytes_needed() said
 * @error: return location for a #GError
 *
 * Reads a message's header, checking every length, string and type in it.
 * The body is kept as it came: berth_cli_message_get_body() reads it as a
 * value, berth_cli_reader_init() reads it in place.
 *
 * Returns: (transfer full): the message, its file descriptors not yet attached
 */
BerthCliMessage *
berth_cli_wire_decode (const guint8 *data, gsize len, GError **error)
{
  g_autoptr(BerthCliMessage) message = g_new0 (BerthCliMessage, 1);
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(GVariant) signature = NULL;
  g_autoptr(GVariant) reply_serial = NULL;
  g_autoptr(GVariant) n_fds = NULL;
  g_autoptr(GError) local_error = NULL;
  BerthCliReader r;
  guint32 body_len;
  gsize body_start;

  if (!reader_init (&r, data, len, error))
    return NULL;
  if (data[3] != 1)
    {
      malformed (error, "not version 1 of the protocol");
      return NULL;
    }
  message->type = data[1];
  if (message->type == BERTH_CLI_MESSAGE_INVALID || message->type > BERTH_CLI_MESSAGE_SIGNAL)
    {
      malformed (error, "unknown message type");
      return NULL;
    }
  r.pos = 4;
  if (!read_fixed (&r, 4, &body_len, error) || !read_fixed (&r, 4, &message->serial, error))
    return NULL;
  fields = read_value (&r, G_VARIANT_TYPE ("a(yv)"), error);
  if (fields == NULL)
    return NULL;
  g_variant_ref_sink (fields);
  if (!read_padding (&r, 8, error))
    return NULL;
  body_start = r.pos;
  if (len - body_start != body_len)
    {
      malformed (error, "the body's length does not match");
      return NULL;
    }

  if (!dup_field_string (fields, FIELD_PATH, G_VARIANT_TYPE_OBJECT_PATH, &message->path, error)
      || !dup_field_string (fields, FIELD_INTERFACE, G_VARIANT_TYPE_STRING, &message->interface,
                            error)
      || !dup_field_string (fields, FIELD_MEMBER, G_VARIANT_TYPE_STRING, &message->member, error)
      || !dup_field_string (fields, FIELD_ERROR_NAME, G_VARIANT_TYPE_STRING, &message->error_name,
                            error))
    return NULL;
  reply_serial = lookup_field (fields, FIELD_REPLY_SERIAL, G_VARIANT_TYPE_UINT32, &local_error);
  if (local_error == NULL)
    n_fds = lookup_field (fields, FIELD_UNIX_FDS, G_VARIANT_TYPE_UINT32, &local_error);
  if (local_error == NULL)
    signature = lookup_field (fields, FIELD_SIGNATURE, G_VARIANT_TYPE_SIGNATURE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (reply_serial != NULL)
    message->reply_serial = g_variant_get_uint32 (reply_serial);
  if (n_fds != NULL)
    message->n_fds = g_variant_get_uint32 (n_fds);

  message->signature = g_strdup (signature != NULL ? g_variant_get_string (signature, NULL) : "");
  if (message->signature[0] == '\0' && body_len > 0)
    {
      malformed (error, "a body without a signature");
      return NULL;
    }
  message->body_bytes = g_bytes_new (data + body_start, body_len);
  message->swap = r.swap;
  return g_steal_pointer (&message);
}

/**
 * berth_cli_message_get_body:
 * @message: a message
 * @error: return location for a #GError
 *
 * Reads the body as a value, once; every value in it is checked.
 *
 * Returns: (transfer none): the arguments, a tuple (`()` when there are
 *   none), or %NULL if the body is malformed
 */
GVariant *
berth_cli_message_get_body (BerthCliMessage *message, GError **error)
{
  g_autofree gchar *tuple = NULL;
  BerthCliReader r;
  GVariant *body;

  if (message->body != NULL)
    return message->body;
  tuple = g_strdup_printf ("(%s)", message->signature);
  if (!g_variant_type_string_is_valid (tuple))
    {
      malformed (error, "the body's signature is not valid");
      return NULL;
    }
  berth_cli_reader_init (&r, message);
  body = read_value (&r, G_VARIANT_TYPE (tuple), error);
  if (body == NULL)
    return NULL;
  g_variant_ref_sink (body);
  if (r.pos != r.len)
    {
      g_variant_unref (body);
      malformed (error, "the body is longer than its signature says");
      return NULL;
    }
  message->body = body;
  return body;
}

/* reading a body in place: big answers (10,000 volumes) are read without
 * building a value for each string in them */

/**
 * berth_cli_reader_init:
 * @reader: (out caller-allocates): a reader
 * @message: a message, which must outlive what is read from it
 *
 * Starts reading @message's body from its first argument. The caller
 * checks the message's signature first, and reads what it says.
 */
void
berth_cli_reader_init (BerthCliReader *reader, BerthCliMessage *message)
{
  gsize len = 0;
  *reader = (BerthCliReader){ .data = g_bytes_get_data (message->body_bytes, &len),
                              .swap = message->swap };
  reader->len = len;
}

/**
 * berth_cli_reader_begin_array:
 * @reader: a reader
 * @element_alignment: the alignment of the elements: 8 for structs and
 *   dict entries, 4 for strings
 * @end: (out): where the array ends; read elements while
 *   berth_cli_reader_at() is below it
 * @error: return location for a #GError
 */
gboolean
berth_cli_reader_begin_array (BerthCliReader *reader,
                              gsize element_alignment,
                              gsize *end,
                              GError **error)
{
  guint32 len;

  if (!read_fixed (reader, 4, &len, error))
    return FALSE;
  if (len > MAX_ARRAY_SIZE)
    return malformed (error, "an array is larger than 64 MiB");
  if (!read_padding (reader, element_alignment, error))
    return FALSE;
  if (reader->len - reader->pos < len)
    return malformed (error, "an array is truncated");
  *end = reader->pos + len;
  return TRUE;
}

/**
 * berth_cli_reader_at:
 * @reader: a reader
 *
 * Returns: the reader's offset in the body
 */
gsize
berth_cli_reader_at (BerthCliReader *reader)
{
  return reader->pos;
}

/**
 * berth_cli_reader_begin_struct:
 * @reader: a reader
 * @error: return location for a #GError
 *
 * Skips to the start of a struct or a dict entry.
 */
gboolean
berth_cli_reader_begin_struct (BerthCliReader *reader, GError **error)
{
  return read_padding (reader, 8, error);
}

/**
 * berth_cli_reader_string:
 * @reader: a reader
 * @out: (out) (transfer none): the string, valid UTF-8, inside the message
 * @error: return location for a #GError
 */
gboolean
berth_cli_reader_string (BerthCliReader *reader, const gchar **out, GError **error)
{
  guint32 len;

  if (!read_fixed (reader, 4, &len, error))
    return FALSE;
  *out = read_string_bytes (reader, len, error);
  return *out != NULL;
}

/**
 * berth_cli_reader_uint32:
 * @reader: a reader
 * @out: (out): the number
 * @error: return location for a #GError
 */
gboolean
berth_cli_reader_uint32 (BerthCliReader *reader, guint32 *out, GError **error)
{
  return read_fixed (reader, 4, out, error);
}

/**
 * berth_cli_reader_value:
 * @reader: a reader
 * @type: the type of the value at the reader
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the value, checked, or %NULL
 */
GVariant *
berth_cli_reader_value (BerthCliReader *reader, const GVariantType *type, GError **error)
{
  GVariant *value = read_value (reader, type, error);
  return value != NULL ? g_variant_ref_sink (value) : NULL;
}
