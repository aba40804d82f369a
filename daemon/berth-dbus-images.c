/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthDaemon"

#include "config.h"

#include <gio/gunixinputstream.h>

#include "berth-dbus-images.h"
#include "berth-dbus-job.h"
#include "berth-dbus-subtree.h"

/* Images on D-Bus: the methods of org.berth.Berth1.Images on
 * /org/berth/Berth1, one generated skeleton exported on every connection.
 * The engine does the work; this maps its answers to the bus. */

struct _BerthDBusImages
{
  BerthEngine *engine;
  BerthDBusBerth1Images *skeleton;
  BerthDBusAuthorizeFunc authorize;
  gpointer authorize_data;
};

static const gchar *const read_only_methods[] = { "Inspect", "List", NULL };

static void
on_pulled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *reference = NULL;
  gboolean updated = FALSE;
  g_autoptr(BerthImage) image = berth_engine_pull_image_finish (BERTH_ENGINE (source), result,
                                                                 &reference, &updated, &error);
  const gchar *digest;

  if (image == NULL)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  digest = berth_image_get_index_digest (image) != NULL ? berth_image_get_index_digest (image)
                                                        : berth_image_get_manifest_digest (image);
  g_dbus_method_invocation_return_value (
    invocation, g_variant_new ("(sssb)", berth_image_get_id (image), digest != NULL ? digest : "",
                               reference, updated));
}

static gboolean
on_handle_pull (BerthDBusBerth1Images *skeleton,
                GDBusMethodInvocation *invocation,
                const gchar *reference,
                gpointer user_data)
{
  BerthDBusImages *self = user_data;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(BerthJob) job = berth_dbus_job_new (invocation, &cancellable);

  berth_engine_pull_image_async (self->engine, reference, job, cancellable, on_pulled,
                                 g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_imported (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthImage) image
             = berth_engine_import_image_finish (BERTH_ENGINE (source), result, &error);

  if (image == NULL)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(s)", berth_image_get_id (image)));
}

static gboolean
on_handle_import (BerthDBusBerth1Images *skeleton,
                  GDBusMethodInvocation *invocation,
                  GUnixFDList *fd_list,
                  GVariant *tar,
                  const gchar *reference,
                  gpointer user_data)
{
  BerthDBusImages *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = NULL;
  gint32 handle = g_variant_get_handle (tar);
  gint fd;

  if (fd_list == NULL || handle < 0 || handle >= g_unix_fd_list_get_length (fd_list))
    {
      g_dbus_method_invocation_return_error (invocation, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                                             "Import needs the tar as a file descriptor");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  fd = g_unix_fd_list_get (fd_list, handle, &error);
  if (fd < 0)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  in = g_unix_input_stream_new (fd, TRUE);
  berth_engine_import_image_async (self->engine, in, reference, NULL, on_imported,
                                   g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_list (BerthDBusBerth1Images *skeleton,
                GDBusMethodInvocation *invocation,
                gpointer user_data)
{
  BerthDBusImages *self = user_data;
  g_autoptr(GPtrArray) images = berth_engine_list_images (self->engine);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sasasxt)"));
  for (guint i = 0; i < images->len; i++)
    {
      BerthImage *image = images->pdata[i];
      g_auto(GStrv) tags = berth_image_get_familiar_tags (image);
      g_auto(GStrv) digests = berth_image_get_familiar_digests (image);
      g_variant_builder_add (&builder, "(s^as^asxt)", berth_image_get_id (image), tags, digests,
                             berth_image_get_created_unix (image),
                             (guint64)berth_image_get_size (image));
    }
  berth_dbus_berth1_images_complete_list (skeleton, invocation, g_variant_builder_end (&builder));
  berth_dbus_trim_after_reply ();
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_inspect (BerthDBusBerth1Images *skeleton,
                   GDBusMethodInvocation *invocation,
                   const gchar *name,
                   gpointer user_data)
{
  BerthDBusImages *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BerthImage) image = berth_engine_find_image (self->engine, name, &error);
  g_autoptr(JsonNode) node = NULL;

  if (image == NULL)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  node = berth_image_to_inspect_json (image);
  berth_dbus_return_inspect (invocation, node);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_remove (BerthDBusBerth1Images *skeleton,
                  GDBusMethodInvocation *invocation,
                  const gchar *name,
                  gboolean force,
                  gpointer user_data)
{
  BerthDBusImages *self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) untagged = NULL;
  g_auto(GStrv) deleted = NULL;

  if (!berth_engine_remove_image (self->engine, name, force, &untagged, &deleted, &error))
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    berth_dbus_berth1_images_complete_remove (skeleton, invocation, (const gchar *const *)untagged,
                                              (const gchar *const *)deleted);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_authorize (GDBusInterfaceSkeleton *skeleton,
              GDBusMethodInvocation *invocation,
              gpointer user_data)
{
  BerthDBusImages *self = user_data;
  if (g_strv_contains (read_only_methods, g_dbus_method_invocation_get_method_name (invocation)))
    return TRUE;
  return self->authorize (invocation, self->authorize_data);
}

/**
 * berth_dbus_images_new:
 * @engine: the engine
 * @authorize: decides who may change state
 * @authorize_data: for @authorize
 *
 * Returns: (transfer full): the image side of the adaptor
 */
BerthDBusImages *
berth_dbus_images_new (BerthEngine *engine,
                       BerthDBusAuthorizeFunc authorize,
                       gpointer authorize_data)
{
  BerthDBusImages *self = g_new0 (BerthDBusImages, 1);

  self->engine = g_object_ref (engine);
  self->authorize = authorize;
  self->authorize_data = authorize_data;
  self->skeleton = berth_dbus_berth1_images_skeleton_new ();
  g_signal_connect (self->skeleton, "g-authorize-method", G_CALLBACK (on_authorize), self);
  g_signal_connect (self->skeleton, "handle-pull", G_CALLBACK (on_handle_pull), self);
  g_signal_connect (self->skeleton, "handle-import", G_CALLBACK (on_handle_import), self);
  g_signal_connect (self->skeleton, "handle-list", G_CALLBACK (on_handle_list), self);
  g_signal_connect (self->skeleton, "handle-inspect", G_CALLBACK (on_handle_inspect), self);
  g_signal_connect (self->skeleton, "handle-remove", G_CALLBACK (on_handle_remove), self);
  return self;
}

gboolean
berth_dbus_images_export (BerthDBusImages *self, GDBusConnection *connection, GError **error)
{
  return g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection,
                                           BERTH_DBUS_PATH, error);
}

void
berth_dbus_images_unexport (BerthDBusImages *self, GDBusConnection *connection)
{
  g_dbus_interface_skeleton_unexport_from_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton),
                                                      connection);
}

void
berth_dbus_images_free (BerthDBusImages *self)
{
  if (g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton)) != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
  g_object_unref (self->skeleton);
  g_object_unref (self->engine);
  g_free (self);
}
