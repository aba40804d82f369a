/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

G_BEGIN_DECLS

/* one implementation of BerthContentStore under test: the module's path
 * comes from the environment variable @env, set by meson */
typedef struct
{
  const gchar *name; /* the extension's name */
  const gchar *env;  /* variable holding the module's path */
  /* checks the implementation's own integrity under a state root */
  void (*verify) (const gchar *root);
} CsImpl;

extern const CsImpl cs_impls[];
extern const guint cs_n_impls;

BerthContentStore *
cs_open_store (const CsImpl *impl, const gchar *root, GKeyFile *config, GError **error);

/* tar building with libarchive's writer */
typedef enum
{
  CS_FILE,
  CS_DIR,
  CS_SYMLINK,
  CS_HARDLINK,
  CS_CHAR,
  CS_BLOCK,
  CS_FIFO,
} CsEntryType;

typedef struct
{
  CsEntryType type;
  const gchar *path;
  const gchar *data; /* file contents, or link target */
  guint mode;        /* permission bits; 0 means 0644 / 0755 */
  guint uid, gid;
  guint major, minor;
  const gchar *xattr_name;
  const gchar *xattr_value;
  gsize size; /* when data is NULL: that many bytes of a pattern */
} CsEntry;

typedef enum
{
  CS_TAR,
  CS_TAR_GZIP,
  CS_TAR_ZSTD,
} CsCompression;

GBytes *cs_tar_build (const CsEntry *entries, guint n_entries, CsCompression compression);
GBytes *
cs_tar_build_raw (const CsEntry *entries, guint n_entries, CsCompression compression, gboolean pad);
const gchar *cs_media_type (CsCompression compression);
gchar *cs_digest (GBytes *bytes);
gchar *cs_tar_diff_id (const CsEntry *entries, guint n_entries);

/* a stream that serves @bytes in chunks, sleeping @delay_us between them,
 * failing with an I/O error at @fail_at (or never, -1) and cancelling
 * @cancel at @cancel_at (or never, -1) */
GInputStream *cs_test_stream_new (GBytes *bytes,
                                  gsize chunk,
                                  gulong delay_us,
                                  gssize fail_at,
                                  GCancellable *cancel,
                                  gssize cancel_at);

gchar *cs_import (BerthContentStore *store,
                  GBytes *blob,
                  CsCompression compression,
                  const gchar *digest,
                  const gchar *diff_id,
                  GError **error);
guint cs_count_entries (const gchar *dir);
gchar *cs_tree_listing (const gchar *dir);
void cs_ostree_fsck (const gchar *root);

G_END_DECLS
