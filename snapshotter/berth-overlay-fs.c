/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthOverlay"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth-overlay-fs.h"

/* errno at the edge: the codes a caller can act on, the rest as failed */
gboolean
berth_overlay_set_errno_error (GError **error, int errsv, const gchar *format, ...)
{
  va_list args;
  g_autofree gchar *what = NULL;
  BerthError code = BERTH_ERROR_FAILED;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  switch (errsv)
    {
      case ENOENT:
        code = BERTH_ERROR_NOT_FOUND;
        break;
      case EEXIST:
        code = BERTH_ERROR_ALREADY_EXISTS;
        break;
      case EBUSY:
        code = BERTH_ERROR_IN_USE;
        break;
      case EPERM:
      case EACCES:
        code = BERTH_ERROR_PERMISSION_DENIED;
        break;
      default:
        break;
    }
  g_set_error (error, BERTH_ERROR, code, "%s: %s", what, g_strerror (errsv));
  return FALSE;
}

/* mounts */

/* every mount point of this mount namespace, unescaped, to how many mounts
 * are stacked on it */
GHashTable *
berth_overlay_mount_points_read (GError **error)
{
  g_autofree gchar *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) points = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!g_file_get_contents ("/proc/self/mountinfo", &text, NULL, error))
    {
      berth_error_convert (error);
      return NULL;
    }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 6);
      g_autofree gchar *point = NULL;
      guint n;

      if (g_strv_length (fields) < 5)
        continue;
      /* mountinfo escapes space, tab, newline and backslash in octal */
      point = g_strcompress (fields[4]);
      n = GPOINTER_TO_UINT (g_hash_table_lookup (points, point));
      g_hash_table_insert (points, g_steal_pointer (&point), GUINT_TO_POINTER (n + 1));
    }
  return g_steal_pointer (&points);
}

gboolean
berth_overlay_is_mount_point (const gchar *path, gboolean *out_mounted, GError **error)
{
  g_autoptr(GHashTable) points = berth_overlay_mount_points_read (error);
  if (points == NULL)
    return FALSE;
  *out_mounted = g_hash_table_contains (points, path);
  return TRUE;
}

/* unmounts everything stacked on @path; never lazily, so that a busy
 * snapshot stays whole and its user keeps working */
gboolean
berth_overlay_unmount_all (const gchar *key, const gchar *path, GError **error)
{
  for (guint i = 0; i < 64; i++)
    {
      if (umount2 (path, UMOUNT_NOFOLLOW) == 0)
        continue;
      if (errno == EINVAL || errno == ENOENT)
        return TRUE; /* not (or no longer) a mount point */
      if (errno == EBUSY)
        {
          g_set_error (error, BERTH_ERROR, BERTH_ERROR_IN_USE,
                       "snapshot %s is in use: a process has an open file or its working "
                       "directory in %s",
                       key, path);
          return FALSE;
        }
      return berth_overlay_set_errno_error (error, errno, "unmounting snapshot %s at %s", key,
                                            path);
    }
  g_set_error (error, BERTH_ERROR, BERTH_ERROR_FAILED,
               "unmounting snapshot %s: still mounted at %s after 64 unmounts", key, path);
  return FALSE;
}

/* overlayfs splits its options at ',' and its lower layers at ':'; a
 * backslash escapes either */
void
berth_overlay_append_escaped_path (GString *out, const gchar *path)
{
  for (const gchar *p = path; *p != '\0'; p++)
    {
      if (*p == ',' || *p == ':' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
}

/* files */

/* removes @name below @parent_fd and everything in it, never crossing into
 * another file system: the snapshot is unmounted before, and this makes sure
 * a mount that appeared since is never emptied */
gboolean
berth_overlay_remove_tree_at (
  int parent_fd, const gchar *name, dev_t dev, const gchar *where, GError **error)
{
  struct stat st;
  DIR *dir;
  struct dirent *entry;
  int fd;

  if (fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return berth_overlay_set_errno_error (error, errno, "removing %s/%s", where, name);
    }
  if (!S_ISDIR (st.st_mode))
    {
      if (unlinkat (parent_fd, name, 0) != 0 && errno != ENOENT)
        return berth_overlay_set_errno_error (error, errno, "removing %s/%s", where, name);
      return TRUE;
    }
  if (st.st_dev != dev)
    {
      g_set_error (error, BERTH_ERROR, BERTH_ERROR_IN_USE,
                   "not removing %s/%s: another file system is mounted there", where, name);
      return FALSE;
    }
  fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return berth_overlay_set_errno_error (error, errno, "removing %s/%s", where, name);
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      int errsv = errno;
      close (fd);
      return berth_overlay_set_errno_error (error, errsv, "removing %s/%s", where, name);
    }
  while ((entry = readdir (dir)) != NULL)
    {
      g_autofree gchar *inner = NULL;
      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, ".."))
        continue;
      inner = g_build_filename (where, name, NULL);
      if (!berth_overlay_remove_tree_at (dirfd (dir), entry->d_name, dev, inner, error))
        {
          closedir (dir);
          return FALSE;
        }
    }
  closedir (dir);
  if (unlinkat (parent_fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
    return berth_overlay_set_errno_error (error, errno, "removing %s/%s", where, name);
  return TRUE;
}

/* bytes allocated below @fd (st_blocks, so sparse files count what they
 * use), each inode once however many links it has */
gboolean
berth_overlay_sum_usage_at (int fd,
                            const gchar *where,
                            GHashTable *seen,
                            guint64 *total,
                            GCancellable *cancellable,
                            GError **error)
{
  DIR *dir = fdopendir (fd);
  struct dirent *entry;

  if (dir == NULL)
    {
      int errsv = errno;
      close (fd);
      return berth_overlay_set_errno_error (error, errsv, "reading %s", where);
    }
  while ((entry = readdir (dir)) != NULL)
    {
      struct stat st;
      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, ".."))
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          closedir (dir);
          return FALSE;
        }
      if (fstatat (dirfd (dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        {
          if (errno == ENOENT)
            continue;
          closedir (dir);
          return berth_overlay_set_errno_error (error, errno, "reading %s/%s", where,
                                                entry->d_name);
        }
      if (!S_ISDIR (st.st_mode) && st.st_nlink > 1)
        {
          guint64 *ino = g_new (guint64, 1);
          *ino = st.st_ino;
          if (!g_hash_table_add (seen, ino))
            continue;
        }
      *total += (guint64)st.st_blocks * 512;
      if (S_ISDIR (st.st_mode))
        {
          g_autofree gchar *inner = g_build_filename (where, entry->d_name, NULL);
          int child
            = openat (dirfd (dir), entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (child < 0)
            {
              closedir (dir);
              return berth_overlay_set_errno_error (error, errno, "reading %s", inner);
            }
          if (!berth_overlay_sum_usage_at (child, inner, seen, total, cancellable, error))
            {
              closedir (dir);
              return FALSE;
            }
        }
    }
  closedir (dir);
  return TRUE;
}
