/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "Berth"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth-error.h"
#include "berth-fs.h"

static gboolean
rm_rf_at (gint parent_fd, const gchar *name, dev_t dev, const gchar *path, GError **error)
{
  struct stat st;
  gint fd;
  DIR *dir;
  struct dirent *de;

  if (fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT ? TRUE
                           : (g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
                                           "cannot remove %s: %s", path, g_strerror (errno)),
                              FALSE);
  if (!S_ISDIR (st.st_mode))
    {
      if (unlinkat (parent_fd, name, 0) != 0 && errno != ENOENT)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot remove %s/%s: %s", path,
                       name, g_strerror (errno));
          return FALSE;
        }
      return TRUE;
    }
  /* never into another file system: a mount left below is an error, not
   * something to empty */
  if (st.st_dev != dev)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_IN_USE,
                   "cannot remove %s/%s: something is mounted there", path, name);
      return FALSE;
    }
  fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot remove %s/%s: %s", path, name,
                   g_strerror (errno));
      return FALSE;
    }
  while ((de = readdir (dir)) != NULL)
    {
      g_autofree gchar *sub = NULL;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      sub = g_build_filename (path, name, NULL);
      if (!rm_rf_at (dirfd (dir), de->d_name, dev, sub, error))
        {
          closedir (dir);
          return FALSE;
        }
    }
  closedir (dir);
  if (unlinkat (parent_fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot remove %s/%s: %s", path, name,
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/**
 * berth_rm_rf:
 * @path: a file or directory
 * @error: return location for a #GError
 *
 * Removes @path and everything below it, never following symlinks and never
 * crossing into another file system. A missing @path is not an error.
 *
 * Returns: %TRUE if @path is gone
 */
gboolean
berth_rm_rf (const gchar *path, GError **error)
{
  g_autofree gchar *parent = g_path_get_dirname (path);
  g_autofree gchar *name = g_path_get_basename (path);
  struct stat st;
  gint fd;
  gboolean ok;

  if (lstat (path, &st) != 0)
    return errno == ENOENT;
  fd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot remove %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  ok = rm_rf_at (fd, name, st.st_dev, parent, error);
  close (fd);
  return ok;
}
