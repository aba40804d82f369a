/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "berth-error.h"
#include "berth-paths.h"

/**
 * BerthPaths:
 *
 * The path store. berthd and its modules take every directory they touch
 * from here; built-in defaults are overridden by the environment
 * (`BERTH_ROOT`, `BERTH_RUN_DIR`, `BERTH_MODULE_DIR`, `BERTH_CONFIG`),
 * which is overridden by command-line flags. The derived paths follow the
 * root and the run directory unless they are set themselves.
 */
struct _BerthPaths
{
  GObject parent_instance;
  gchar *paths[BERTH_PATH_LAST];
};

G_DEFINE_TYPE (BerthPaths, berth_paths, G_TYPE_OBJECT)

/* a derived path: its base and its name below it */
static const struct
{
  BerthPathKind base;
  const gchar *name;
} derived[BERTH_PATH_LAST] = {
  [BERTH_PATH_SOCKET] = { BERTH_PATH_RUN_DIR, "berth.sock" },
  [BERTH_PATH_LOCK] = { BERTH_PATH_ROOT, "berthd.lock" },
  [BERTH_PATH_REPO] = { BERTH_PATH_ROOT, "repo" },
  [BERTH_PATH_PLUGINS] = { BERTH_PATH_ROOT, "plugins" },
  [BERTH_PATH_VOLUMES] = { BERTH_PATH_ROOT, "volumes" },
  [BERTH_PATH_SNAPSHOTS] = { BERTH_PATH_ROOT, "snapshots" },
  [BERTH_PATH_TMP] = { BERTH_PATH_ROOT, "tmp" },
  [BERTH_PATH_PLUGIN_SOCKETS] = { BERTH_PATH_RUN_DIR, "plugins" },
  [BERTH_PATH_IMAGES] = { BERTH_PATH_ROOT, "images" },
  [BERTH_PATH_CONTAINERS] = { BERTH_PATH_ROOT, "containers" },
};

static void
berth_paths_finalize (GObject *object)
{
  BerthPaths *self = BERTH_PATHS (object);
  for (guint i = 0; i < BERTH_PATH_LAST; i++)
    g_free (self->paths[i]);
  G_OBJECT_CLASS (berth_paths_parent_class)->finalize (object);
}

static void
berth_paths_class_init (BerthPathsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = berth_paths_finalize;
}

/* the bases that the environment may set, and their built-in defaults */
static const struct
{
  BerthPathKind kind;
  const gchar *env;
  const gchar *fallback;
} bases[] = {
  { BERTH_PATH_ROOT, "BERTH_ROOT", BERTH_DEFAULT_ROOT },
  { BERTH_PATH_RUN_DIR, "BERTH_RUN_DIR", BERTH_DEFAULT_RUN_DIR },
  { BERTH_PATH_MODULE_DIR, "BERTH_MODULE_DIR", BERTH_MODULE_DIR },
  { BERTH_PATH_CONFIG_FILE, "BERTH_CONFIG", BERTH_SYSCONFDIR "/berth/berthd.conf" },
};

static const gchar *
base_default (BerthPathKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    if (bases[i].kind == kind)
      {
        const gchar *env = g_getenv (bases[i].env);
        return env != NULL && env[0] != '\0' ? env : bases[i].fallback;
      }
  return NULL;
}

static gchar *
make_absolute (const gchar *path)
{
  g_autofree gchar *cwd = NULL;

  if (g_path_is_absolute (path))
    return g_canonicalize_filename (path, NULL);
  cwd = g_get_current_dir ();
  return g_canonicalize_filename (path, cwd);
}

static void
berth_paths_init (BerthPaths *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    berth_paths_set (self, bases[i].kind, base_default (bases[i].kind));
}

/**
 * berth_paths_default_socket:
 *
 * berthd's socket when neither flags nor a configuration move it: below
 * `BERTH_RUN_DIR` or the built-in run directory. Needs no #BerthPaths, so
 * the CLI, which links no GObject, can find berthd.
 *
 * Returns: (transfer full): an absolute path
 */
gchar *
berth_paths_default_socket (void)
{
  g_autofree gchar *run_dir = make_absolute (base_default (BERTH_PATH_RUN_DIR));
  return g_build_filename (run_dir, derived[BERTH_PATH_SOCKET].name, NULL);
}

/**
 * berth_paths_new:
 *
 * Returns: (transfer full): a path store with the defaults and the
 *   environment applied
 */
BerthPaths *
berth_paths_new (void)
{
  return g_object_new (BERTH_TYPE_PATHS, NULL);
}

/**
 * berth_paths_set:
 * @self: a #BerthPaths
 * @kind: which path
 * @path: (nullable): the new path, made absolute against the working
 *   directory; %NULL returns a derived path to its default
 */
void
berth_paths_set (BerthPaths *self, BerthPathKind kind, const gchar *path)
{
  g_return_if_fail (BERTH_IS_PATHS (self));
  g_return_if_fail (kind < BERTH_PATH_LAST);

  g_clear_pointer (&self->paths[kind], g_free);
  if (path != NULL)
    self->paths[kind] = make_absolute (path);
}

/**
 * berth_paths_get:
 * @self: a #BerthPaths
 * @kind: which path
 *
 * Returns: the absolute path of @kind
 */
const gchar *
berth_paths_get (BerthPaths *self, BerthPathKind kind)
{
  g_return_val_if_fail (BERTH_IS_PATHS (self), NULL);
  g_return_val_if_fail (kind < BERTH_PATH_LAST, NULL);

  if (self->paths[kind] == NULL && derived[kind].name != NULL)
    self->paths[kind]
      = g_build_filename (berth_paths_get (self, derived[kind].base), derived[kind].name, NULL);
  return self->paths[kind];
}

/**
 * berth_paths_build:
 * @self: a #BerthPaths
 * @kind: the base path
 * @first_element: the first element below it
 * @...: more elements, then %NULL
 *
 * Returns: (transfer full): a path below @kind
 */
gchar *
berth_paths_build (BerthPaths *self, BerthPathKind kind, const gchar *first_element, ...)
{
  va_list args;
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  const gchar *element;

  g_ptr_array_add (parts, (gpointer)berth_paths_get (self, kind));
  va_start (args, first_element);
  for (element = first_element; element != NULL; element = va_arg (args, const gchar *))
    g_ptr_array_add (parts, (gpointer)element);
  va_end (args);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((gchar **)parts->pdata);
}

/**
 * berth_paths_ensure:
 * @self: a #BerthPaths
 * @kind: a directory
 * @error: return location for a #GError
 *
 * Creates the directory @kind with mode 0700 (0755 for the run
 * directory, whose socket is for everyone) if it does not exist.
 *
 * Returns: %TRUE if the directory exists now
 */
gboolean
berth_paths_ensure (BerthPaths *self, BerthPathKind kind, GError **error)
{
  const gchar *path = berth_paths_get (self, kind);
  gint mode = kind == BERTH_PATH_RUN_DIR ? 0755 : 0700;

  if (g_mkdir_with_parents (path, mode) != 0)
    {
      gint errsv = errno;
      g_set_error (error, BERTH_ERROR,
                   errsv == EACCES || errsv == EPERM ? BERTH_ERROR_PERMISSION_DENIED
                                                     : BERTH_ERROR_FAILED,
                   "cannot create %s: %s", path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/**
 * berth_paths_default_address:
 * @self: a #BerthPaths
 *
 * Returns: (transfer full): the D-Bus address of the peer-to-peer socket
 */
gchar *
berth_paths_default_address (BerthPaths *self)
{
  return berth_paths_socket_address (berth_paths_get (self, BERTH_PATH_SOCKET));
}

/**
 * berth_paths_socket_address:
 * @path: a unix socket's path
 *
 * The D-Bus address of a socket, its path escaped as the D-Bus
 * specification says (as g_dbus_address_escape_value() does: that function
 * would link GIO's proxy resolver, volume monitors and libmount into the
 * static CLI, a millisecond of loading for every command).
 *
 * Returns: (transfer full): `unix:path=…`
 */
gchar *
berth_paths_socket_address (const gchar *path)
{
  GString *out = g_string_new ("unix:path=");

  for (const guchar *p = (const guchar *)path; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || strchr ("-_/.\\*", *p) != NULL)
        g_string_append_c (out, (gchar)*p);
      else
        g_string_append_printf (out, "%%%02x", *p);
    }
  return g_string_free (out, FALSE);
}
