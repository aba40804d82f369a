/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthDaemon"

#include "config.h"

#include "berth-dbus-containers.h"

#include <gio/gunixfdlist.h>

#include "berth-container.h"
#include "berth-dbus-subtree.h"

struct _BerthDBusContainers
{
  BerthEngine *engine;
  BerthDBusBerth1Containers *skeleton;
  BerthDBusAuthorizeFunc authorize;
  gpointer authorize_data;
};

static void
on_ran (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *id = NULL;
  gint code = berth_engine_run_finish (BERTH_ENGINE (source), result, &id, &error);

  if (code < 0)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(si)", id, code));
}

/* the terminal of a `run -t`, to the caller alone, as a Console signal
 * with the call's serial; the caller relays it */
static void
on_console (gint master, gpointer user_data)
{
  GDBusMethodInvocation *invocation = user_data;
  GDBusConnection *connection = g_dbus_method_invocation_get_connection (invocation);
  g_autoptr(GDBusMessage) signal = g_dbus_message_new_signal (
    BERTH_DBUS_PATH, "org.berth.Berth1.Containers", "Console");
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new_from_array (&master, 1);
  guint32 serial = g_dbus_message_get_serial (g_dbus_method_invocation_get_message (invocation));
  g_autoptr(GError) error = NULL;

  if (g_dbus_method_invocation_get_sender (invocation) != NULL)
    g_dbus_message_set_destination (signal, g_dbus_method_invocation_get_sender (invocation));
  g_dbus_message_set_body (signal, g_variant_new ("(uh)", serial, 0));
  g_dbus_message_set_unix_fd_list (signal, fds);
  if (!g_dbus_connection_send_message (connection, signal, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL,
                                       &error))
    g_debug ("the caller of Run has gone: %s", error->message);
}

static gboolean
on_handle_run (BerthDBusBerth1Containers *skeleton,
               GDBusMethodInvocation *invocation,
               GUnixFDList *fd_list,
               GVariant *options,
               GVariant *stdin_handle,
               GVariant *stdout_handle,
               GVariant *stderr_handle,
               gpointer user_data)
{
  BerthDBusContainers *self = user_data;
  GVariant *handles[3] = { stdin_handle, stdout_handle, stderr_handle };
  g_autoptr(GVariantDict) dict = g_variant_dict_new (options);
  g_autofree const gchar **cmd = NULL;
  g_autofree const gchar **env = NULL;
  g_autofree const gchar **volumes = NULL;
  BerthRunOptions run = { .fds = { -1, -1, -1 } };
  gint fds[3] = { -1, -1, -1 };

  if (!g_variant_dict_lookup (dict, "Image", "&s", &run.image) || run.image[0] == '\0')
    {
      g_dbus_method_invocation_return_error_literal (
        invocation, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT, "which image? Image is required");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_variant_dict_lookup (dict, "Cmd", "^a&s", &cmd);
  g_variant_dict_lookup (dict, "Entrypoint", "&s", &run.entrypoint);
  g_variant_dict_lookup (dict, "Env", "^a&s", &env);
  g_variant_dict_lookup (dict, "Volumes", "^a&s", &volumes);
  g_variant_dict_lookup (dict, "WorkingDir", "&s", &run.workdir);
  g_variant_dict_lookup (dict, "User", "&s", &run.user);
  g_variant_dict_lookup (dict, "Name", "&s", &run.name);
  g_variant_dict_lookup (dict, "Network", "&s", &run.network);
  g_variant_dict_lookup (dict, "AutoRemove", "b", &run.auto_remove);
  g_variant_dict_lookup (dict, "Tty", "b", &run.tty);
  g_variant_dict_lookup (dict, "TtyRows", "u", &run.rows);
  g_variant_dict_lookup (dict, "TtyColumns", "u", &run.columns);
  run.console = on_console;
  run.console_data = invocation; /* kept alive by the reply's callback */
  run.cmd = cmd;
  run.env = env;
  run.volumes = volumes;
  for (guint i = 0; i < 3; i++)
    {
      gint32 index = g_variant_get_handle (handles[i]);
      if (fd_list != NULL && index >= 0 && index < g_unix_fd_list_get_length (fd_list))
        fds[i] = g_unix_fd_list_get (fd_list, index, NULL);
      run.fds[i] = fds[i];
    }
  berth_engine_run_async (self->engine, &run, NULL, on_ran, g_object_ref (invocation));
  /* the engine keeps copies */
  for (guint i = 0; i < 3; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static GVariant *
container_variant (BerthContainer *c)
{
  GVariantBuilder builder;
  GVariantBuilder mounts;

  g_variant_builder_init (&mounts, G_VARIANT_TYPE ("as"));
  for (guint i = 0; i < c->mounts->len; i++)
    {
      BerthContainerMount *mount = g_ptr_array_index (c->mounts, i);
      g_autofree gchar *text = g_strdup_printf (
        "%s:%s", mount->volume != NULL ? mount->volume : mount->source, mount->destination);
      g_variant_builder_add (&mounts, "s", text);
    }
  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "Id", g_variant_new_string (c->id));
  g_variant_builder_add (&builder, "{sv}", "Name", g_variant_new_string (c->name));
  g_variant_builder_add (&builder, "{sv}", "Image", g_variant_new_string (c->image));
  g_variant_builder_add (&builder, "{sv}", "ImageID",
                         g_variant_new_string (c->image_id != NULL ? c->image_id : ""));
  g_variant_builder_add (&builder, "{sv}", "Command",
                         g_variant_new_strv ((const gchar *const *)c->command, -1));
  g_variant_builder_add (&builder, "{sv}", "Created",
                         g_variant_new_string (c->created != NULL ? c->created : ""));
  g_variant_builder_add (&builder, "{sv}", "State",
                         g_variant_new_string (berth_container_state_to_string (c->state)));
  g_variant_builder_add (&builder, "{sv}", "FinishedAt",
                         g_variant_new_string (c->finished != NULL ? c->finished : ""));
  g_variant_builder_add (&builder, "{sv}", "ExitCode", g_variant_new_int32 (c->exit_code));
  g_variant_builder_add (&builder, "{sv}", "Mounts", g_variant_builder_end (&mounts));
  return g_variant_builder_end (&builder);
}

static gint
newest_first (gconstpointer a, gconstpointer b)
{
  const BerthContainer *x = *(BerthContainer *const *)a;
  const BerthContainer *y = *(BerthContainer *const *)b;
  return -g_strcmp0 (x->created, y->created);
}

static gboolean
on_handle_list (BerthDBusBerth1Containers *skeleton,
                GDBusMethodInvocation *invocation,
                gpointer user_data)
{
  BerthDBusContainers *self = user_data;
  g_autoptr(GPtrArray) list = berth_engine_list_containers (self->engine);
  GVariantBuilder builder;

  g_ptr_array_sort (list, newest_first);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < list->len; i++)
    g_variant_builder_add_value (&builder, container_variant (list->pdata[i]));
  berth_dbus_berth1_containers_complete_list (skeleton, invocation,
                                              g_variant_builder_end (&builder));
  berth_dbus_trim_after_reply ();
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_inspect (BerthDBusBerth1Containers *skeleton,
                   GDBusMethodInvocation *invocation,
                   const gchar *name,
                   gpointer user_data)
{
  BerthDBusContainers *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthContainer) c = berth_engine_find_container (self->engine, name, &error);
  g_autoptr(JsonNode) node = NULL;

  if (c == NULL)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  node = berth_container_to_inspect_json (c);
  berth_dbus_return_inspect (invocation, node);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_remove (BerthDBusBerth1Containers *skeleton,
                  GDBusMethodInvocation *invocation,
                  const gchar *name,
                  gboolean force,
                  gpointer user_data)
{
  BerthDBusContainers *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!berth_engine_remove_container (self->engine, name, force, &error))
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    berth_dbus_berth1_containers_complete_remove (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_authorize (GDBusInterfaceSkeleton *skeleton,
              GDBusMethodInvocation *invocation,
              gpointer user_data)
{
  BerthDBusContainers *self = user_data;
  if (g_strv_contains ((const gchar *const[]){ "List", "Inspect", NULL },
                       g_dbus_method_invocation_get_method_name (invocation)))
    return TRUE;
  return self->authorize (invocation, self->authorize_data);
}

/**
 * berth_dbus_containers_new:
 * @engine: the engine
 * @authorize: decides who may run and remove containers
 * @authorize_data: for @authorize
 *
 * Returns: (transfer full): the container side of the adaptor
 */
BerthDBusContainers *
berth_dbus_containers_new (BerthEngine *engine,
                           BerthDBusAuthorizeFunc authorize,
                           gpointer authorize_data)
{
  BerthDBusContainers *self = g_new0 (BerthDBusContainers, 1);

  self->engine = g_object_ref (engine);
  self->authorize = authorize;
  self->authorize_data = authorize_data;
  self->skeleton = berth_dbus_berth1_containers_skeleton_new ();
  g_signal_connect (self->skeleton, "g-authorize-method", G_CALLBACK (on_authorize), self);
  g_signal_connect (self->skeleton, "handle-run", G_CALLBACK (on_handle_run), self);
  g_signal_connect (self->skeleton, "handle-list", G_CALLBACK (on_handle_list), self);
  g_signal_connect (self->skeleton, "handle-inspect", G_CALLBACK (on_handle_inspect), self);
  g_signal_connect (self->skeleton, "handle-remove", G_CALLBACK (on_handle_remove), self);
  return self;
}

gboolean
berth_dbus_containers_export (BerthDBusContainers *self,
                              GDBusConnection *connection,
                              GError **error)
{
  return g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection,
                                           BERTH_DBUS_PATH, error);
}

void
berth_dbus_containers_unexport (BerthDBusContainers *self, GDBusConnection *connection)
{
  g_dbus_interface_skeleton_unexport_from_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton),
                                                      connection);
}

void
berth_dbus_containers_free (BerthDBusContainers *self)
{
  g_object_unref (self->skeleton);
  g_object_unref (self->engine);
  g_free (self);
}
