/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the D-Bus wire format in GLib alone: the CLI marshals its messages
 * itself so that it need not load GIO and GObject (about 2.5 ms of every
 * command on a small VM) */

typedef enum
{
  BERTH_CLI_MESSAGE_INVALID,
  BERTH_CLI_MESSAGE_METHOD_CALL,
  BERTH_CLI_MESSAGE_METHOD_RETURN,
  BERTH_CLI_MESSAGE_ERROR,
  BERTH_CLI_MESSAGE_SIGNAL,
} BerthCliMessageType;

/**
 * BerthCliMessage:
 * @type: what the message is
 * @serial: its serial
 * @reply_serial: the call it answers, or 0
 * @path: (nullable): the object
 * @interface: (nullable): the interface
 * @member: (nullable): the method or signal
 * @error_name: (nullable): the D-Bus error name of an error reply
 * @signature: the body's D-Bus signature, "" when there is no body
 * @n_fds: how many file descriptors the header announces
 * @fds: (nullable): the file descriptors that came with it, closed with the
 *   message unless taken with berth_cli_fds_steal()
 *
 * A message read by berth_cli_wire_decode(); its body is read on demand.
 */
typedef struct
{
  BerthCliMessageType type;
  guint32 serial;
  guint32 reply_serial;
  gchar *path;
  gchar *interface;
  gchar *member;
  gchar *error_name;
  gchar *signature;
  guint32 n_fds;
  GArray *fds;
  /*< private >*/
  GBytes *body_bytes;
  gboolean swap;
  GVariant *body;
} BerthCliMessage;

/* reads a body in place; see berth_cli_reader_init() */
typedef struct
{
  /*< private >*/
  const guint8 *data;
  gsize len;
  gsize pos;
  gboolean swap; /* the sender's byte order is not ours */
  guint depth;
} BerthCliReader;

GArray *berth_cli_fds_new (void);
gint berth_cli_fds_steal (GArray *fds, gint32 handle);
void berth_cli_message_free (BerthCliMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthCliMessage, berth_cli_message_free)

guint8 *berth_cli_wire_encode_call (const gchar *destination,
                                    const gchar *path,
                                    const gchar *interface,
                                    const gchar *member,
                                    GVariant *body,
                                    guint n_fds,
                                    guint32 serial,
                                    gsize *out_len);
gssize berth_cli_wire_bytes_needed (const guint8 *data, gsize len, GError **error);
BerthCliMessage *berth_cli_wire_decode (const guint8 *data, gsize len, GError **error);
GVariant *berth_cli_message_get_body (BerthCliMessage *message, GError **error);

void berth_cli_reader_init (BerthCliReader *reader, BerthCliMessage *message);
gsize berth_cli_reader_at (BerthCliReader *reader);
gboolean berth_cli_reader_begin_array (BerthCliReader *reader,
                                       gsize element_alignment,
                                       gsize *end,
                                       GError **error);
gboolean berth_cli_reader_begin_struct (BerthCliReader *reader, GError **error);
gboolean berth_cli_reader_string (BerthCliReader *reader, const gchar **out, GError **error);
gboolean berth_cli_reader_uint32 (BerthCliReader *reader, guint32 *out, GError **error);
GVariant *berth_cli_reader_value (BerthCliReader *reader, const GVariantType *type, GError **error);

G_END_DECLS
