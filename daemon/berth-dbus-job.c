/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthDaemon"

#include "config.h"

#include "berth-dbus-job.h"

/* A method call that does long work is a job: its progress goes to the
 * caller alone as `Progress` signals of the method's interface on the
 * method's object, carrying the call's serial so that a client with
 * several calls in flight tells them apart; and the work is cancelled
 * when the caller's connection closes (a CLI killed with Ctrl-C). */

typedef struct
{
  GDBusMethodInvocation *invocation;
  GCancellable *cancellable;
  gulong closed_id;
} CallJob;

static void
call_job_free (gpointer data)
{
  CallJob *call = data;
  g_signal_handler_disconnect (g_dbus_method_invocation_get_connection (call->invocation),
                               call->closed_id);
  g_object_unref (call->cancellable);
  g_object_unref (call->invocation);
  g_free (call);
}

static void
on_closed (GDBusConnection *connection,
           gboolean remote_peer_vanished,
           GError *error,
           gpointer user_data)
{
  CallJob *call = user_data;
  g_debug ("the caller of %s went away: cancelling",
           g_dbus_method_invocation_get_method_name (call->invocation));
  g_cancellable_cancel (call->cancellable);
}

static void
on_progress (
  const gchar *id, const gchar *status, guint64 current, guint64 total, gpointer user_data)
{
  CallJob *call = user_data;
  GDBusMethodInvocation *invocation = call->invocation;
  GDBusConnection *connection = g_dbus_method_invocation_get_connection (invocation);
  guint32 serial = g_dbus_message_get_serial (g_dbus_method_invocation_get_message (invocation));

  if (g_dbus_connection_is_closed (connection))
    return;
  /* unicast: on a bus only the caller hears it; a peer-to-peer connection
   * has one peer */
  g_dbus_connection_emit_signal (
    connection, g_dbus_method_invocation_get_sender (invocation),
    g_dbus_method_invocation_get_object_path (invocation),
    g_dbus_method_invocation_get_interface_name (invocation), "Progress",
    g_variant_new ("(usstt)", serial, id, status, current, total), NULL);
}

/**
 * berth_dbus_job_new:
 * @invocation: a method call that starts long work
 * @out_cancellable: (out): cancelled when the caller goes away
 *
 * Returns: (transfer full): a job whose progress goes to the caller
 */
BerthJob *
berth_dbus_job_new (GDBusMethodInvocation *invocation, GCancellable **out_cancellable)
{
  CallJob *call = g_new0 (CallJob, 1);

  call->invocation = g_object_ref (invocation);
  call->cancellable = g_cancellable_new ();
  call->closed_id = g_signal_connect (g_dbus_method_invocation_get_connection (invocation),
                                      "closed", G_CALLBACK (on_closed), call);
  *out_cancellable = g_object_ref (call->cancellable);
  return berth_job_new (on_progress, call, call_job_free);
}
