/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: what a volume plugin answers on its socket.
 *
 * Feeds the plugin client's HTTP reader (libberth/berth-plugin-client.c,
 * #included for its static parse_head(), decode_chunked(),
 * call_try_finish() and call_complete()) the bytes in chunks, as on_read()
 * gets them, then uses the answer as modules/volume does: Capabilities
 * (berth_volume_plugin_parse_scope()), Get (berth_volume_answer_volume(),
 * berth_volume_driver_apply_info()), Path, Mount
 * (berth_volume_plugin_host_path(), which must map into the plugin's own
 * directories), the volume's record written and read back
 * (berth_volume_to_record()/berth_volume_new_from_record()) and Inspect as
 * D-Bus answers it. The volume module is linked in as a static library.
 *
 * Input: byte 0: chunk size - 1; byte 1: method (bits 0-2) and plugin kind
 * (bits 3-4); with bit 5 the rest is a volume record to load instead;
 * the rest: the plugin's raw HTTP answer. */
#include "berth-plugin-client.c"

#include "berth-volume-driver.h"
#include "berth-volume-plugin.h"
#include "fuzz-common.h"

static BerthPluginClient *client;
static volatile gsize sink;

static const char *const methods[] = {
  "VolumeDriver.Capabilities", "VolumeDriver.Get",    "VolumeDriver.Path",    "VolumeDriver.Mount",
  "VolumeDriver.Create",       "VolumeDriver.Remove", "VolumeDriver.Unmount", "VolumeDriver.Get",
};

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging (FALSE);
  client = berth_plugin_client_new ("/run/berth/plugins/0123/fuzz.sock");
  return 0;
}

static BerthVolumePlugin *
make_plugin (guint kind)
{
  BerthVolumePlugin *p = g_atomic_rc_box_new0 (BerthVolumePlugin);
  p->id = g_strdup ("0123456789abcdef");
  p->name = g_strdup ("fuzz/volume:latest");
  switch (kind)
    {
      case 0: /* a managed plugin, as berthd activates it */
        p->propagated_mount = g_strdup ("/mnt/volumes");
        p->propagated_mount_host = g_strdup ("/var/lib/berth/plugins/0123/propagated-mount");
        p->rootfs = g_strdup ("/var/lib/berth/plugins/0123/rootfs");
        p->mapped = TRUE;
        break;
      case 1: /* propagated mount "/" */
        p->propagated_mount = g_strdup ("/");
        p->propagated_mount_host = g_strdup ("/var/lib/berth/plugins/0123/propagated-mount");
        p->mapped = TRUE;
        break;
      case 2: /* mapped, without a rootfs */
        p->propagated_mount = g_strdup ("/data");
        p->propagated_mount_host = g_strdup ("/var/lib/berth/plugins/0123/propagated-mount");
        p->mapped = TRUE;
        break;
      default: /* a plugin run on the host */
        break;
    }
  return p;
}

static gboolean
under (const gchar *path, const gchar *dir)
{
  gsize n;
  if (dir == NULL)
    return FALSE;
  n = strlen (dir);
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* a path the plugin answered must map into its own directories */
static void
check_host_path (BerthVolumePlugin *plugin, const gchar *host)
{
  g_autofree gchar *clean = NULL;
  if (host == NULL || !plugin->mapped)
    return;
  clean = g_canonicalize_filename (host, "/");
  if ((plugin->propagated_mount_host != NULL && under (clean, plugin->propagated_mount_host))
      || (plugin->rootfs != NULL && under (clean, plugin->rootfs)))
    return;
  fprintf (stderr, "FUZZ: the plugin's path maps outside its directories: %s\n", host);
  abort ();
}

/* berth_dbus_return_inspect(), without the invocation */
static void
inspect (BerthVolume *volume)
{
  g_autoptr(JsonNode) node = berth_volume_to_inspect_json (volume);
  g_autofree gchar *json = berth_json_to_string (node, FALSE);
  g_autoptr(GVariant) reply = NULL;

  reply = g_variant_ref_sink (g_variant_new ("(sv)", json, berth_json_to_dbus_variant (node)));
  sink += g_variant_get_size (reply);
}

static void
record_round_trip (BerthVolume *volume)
{
  g_autoptr(JsonNode) record = berth_volume_to_record (volume);
  g_autofree gchar *text = berth_json_to_string (record, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = berth_json_parse (text, -1, &error);
  g_autoptr(BerthVolume) back = NULL;
  g_autoptr(JsonNode) record2 = NULL;
  g_autofree gchar *text2 = NULL;

  if (node == NULL)
    {
      fprintf (stderr, "FUZZ: a volume record does not parse back: %s\n", error->message);
      abort ();
    }
  back = berth_volume_new_from_record (node, &error);
  if (back == NULL)
    {
      fprintf (stderr, "FUZZ: a volume record does not load back: %s\n", error->message);
      abort ();
    }
  record2 = berth_volume_to_record (back);
  text2 = berth_json_to_string (record2, TRUE);
  if (!g_str_equal (text, text2))
    {
      fprintf (stderr, "FUZZ: a volume record changes in a round trip:\n%s\n%s\n", text, text2);
      abort ();
    }
  inspect (back);
}

static void
use_answer (const gchar *method, BerthVolumePlugin *plugin, JsonNode *answer)
{
  g_autoptr(BerthVolume) volume = berth_volume_new ("vol1", plugin->name, plugin->id);
  JsonObject *info;

  if (!JSON_NODE_HOLDS_OBJECT (answer))
    {
      fprintf (stderr, "FUZZ: the plugin client returned a non-object\n");
      abort ();
    }
  if (g_str_equal (method, "VolumeDriver.Capabilities"))
    {
      const gchar *scope = berth_volume_plugin_parse_scope (answer);
      g_free (plugin->scope);
      plugin->scope = g_strdup (scope);
      berth_volume_set_scope (volume, scope);
    }
  else if (g_str_equal (method, "VolumeDriver.Get"))
    {
      info = berth_volume_answer_volume (answer);
      if (info != NULL)
        berth_volume_driver_apply_info (NULL, volume, plugin, info);
      check_host_path (plugin, berth_volume_get_mountpoint (volume));
    }
  else if (g_str_equal (method, "VolumeDriver.Path"))
    {
      berth_volume_driver_apply_info (NULL, volume, plugin, json_node_get_object (answer));
      check_host_path (plugin, berth_volume_get_mountpoint (volume));
    }
  else if (g_str_equal (method, "VolumeDriver.Mount"))
    {
      g_autoptr(GError) error = NULL;
      const gchar *mountpoint = json_object_get_string_member_with_default (
        json_node_get_object (answer), "Mountpoint", NULL);
      g_autofree gchar *host = berth_volume_plugin_host_path (plugin, mountpoint, &error);
      berth_volume_add_mount (volume, "m1", NULL);
      if (host == NULL)
        {
          if (error == NULL)
            abort ();
          berth_volume_remove_mount (volume, "m1");
        }
      else
        {
          check_host_path (plugin, host);
          berth_volume_add_mount (volume, "m1", host);
          berth_volume_set_mountpoint (volume, host);
        }
    }
  record_round_trip (volume);
  inspect (volume);
}

static void
volume_record (const guint8 *data, gsize size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = berth_json_parse ((const gchar *)data, size, &error);
  g_autoptr(BerthVolume) volume = NULL;

  if (node == NULL)
    return;
  volume = berth_volume_new_from_record (node, &error);
  if (volume == NULL)
    return;
  {
    g_auto(GStrv) ids = berth_volume_get_mount_ids (volume);
    for (guint i = 0; ids[i] != NULL; i++)
      {
        const gchar *p = berth_volume_get_mount_path (volume, ids[i]);
        sink += p != NULL ? strlen (p) : 0;
      }
    if (ids[0] != NULL)
      berth_volume_remove_mount (volume, ids[0]);
  }
  record_round_trip (volume);
  inspect (volume);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BerthVolumePlugin) plugin = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  Call *call;
  gsize chunk, pos = 2;
  const gchar *method;
  gboolean finished = FALSE;

  if (size < 2)
    return 0;
  if (data[1] & 0x20)
    {
      volume_record (data + 2, size - 2);
      return 0;
    }
  chunk = (gsize)data[0] + 1;
  method = methods[data[1] & 7];
  plugin = make_plugin ((data[1] >> 3) & 3);

  /* berth_plugin_client_call_async(), up to the socket */
  task = g_task_new (client, NULL, NULL, NULL);
  g_task_set_check_cancellable (task, FALSE);
  call = g_new0 (Call, 1);
  call->client = g_object_ref (client);
  call->method = g_strdup (method);
  call->cancel = g_cancellable_new ();
  call->buffer = g_byte_array_new ();
  g_task_set_task_data (task, call, (GDestroyNotify)call_free);

  /* on_read(): what came so far, until the answer is complete or EOF */
  while (!finished)
    {
      gsize n = MIN (chunk, size - pos);
      g_byte_array_append (call->buffer, data + pos, n);
      pos += n;
      finished = call_try_finish (task, n == 0);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  answer = berth_plugin_client_call_finish_full (client, G_ASYNC_RESULT (task), NULL, &error);
  if (answer == NULL)
    {
      if (error == NULL)
        abort ();
      return 0;
    }
  use_answer (method, plugin, answer);
  return 0;
}
